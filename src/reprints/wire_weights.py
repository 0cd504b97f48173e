"""Fitted weights of the METER class model (:mod:`reprints.wire_classes`); generated, do not edit."""

# Fitted by: python benchmarks/meter_wire.py PATH/meter --write-weights /tmp/lead8/wire_weights_final.py
# on the 694 of 770 METER courts stories with an aligned PA source
# (all 771 PA stories in the pool); default Params; C = 0.1 chosen by 10-fold CV macro-F1 from (0.03, 0.1, 0.3, 1.0, 3.0);
# class_weight='balanced', standardised evidence (procedure in benchmarks/wire.md).

from __future__ import annotations

FEATURES: tuple[str, ...] = ('wire_share', 'verbatim_share', 'reworded_share', 'longest_verbatim', 'long_verbatim_share', 'passages', 'sources', 'source_covered', 'tiles_1', 'tiles_3', 'tiles_5', 'tiles_8', 'pool_tiles_3', 'pool_tiles_5', 'plain_tiles_3', 'best_cosine', 'max_cosine', 'quoted_share', 'derived_in_quotes', 'first_derived', 'lead_derived', 'sentences_tiled', 'sentences_untiled', 'in_order')
MEAN: tuple[float, ...] = (0.696926, 0.538372, 0.158554, 3.244858, 0.345753, 1.676353, 1.198806, 0.467976, 0.832114, 0.465351, 0.318427, 0.228202, 0.471403, 0.319253, 0.322964, 0.525996, 0.536819, 0.130004, 0.139882, 0.00666, 0.835982, 0.247883, 0.300332, 0.864365)
SCALE: tuple[float, ...] = (0.324942, 0.276683, 0.114541, 0.848738, 0.287496, 0.734528, 0.501148, 0.253171, 0.113988, 0.247927, 0.257407, 0.245491, 0.243444, 0.256801, 0.196581, 0.134577, 0.129273, 0.119014, 0.148575, 0.041864, 0.278666, 0.280777, 0.257327, 0.227301)
COEF: tuple[tuple[float, ...], ...] = (
    (0.371646, 0.277296, 0.384494, -0.190333, 0.254037, -0.494332, 0.087723, -0.353046, 0.184164, 0.215858, 0.237715, 0.076428, 0.099627, 0.229049, 0.243951, -0.227955, -0.005872, -0.19239, -0.177216, -0.075601, -0.081745, 0.351185, -0.211474, 0.113013),
    (-0.148225, -0.090248, -0.202499, 0.309176, -0.185615, 0.180171, 0.142293, -0.056696, -0.047222, -0.029777, 0.084365, 0.060221, 0.033767, 0.070365, 0.02697, 0.012174, -0.017542, 0.047815, 0.019704, 0.007105, 0.00504, -0.253936, -0.137017, 0.104377),
    (-0.223421, -0.187048, -0.181995, -0.118843, -0.068423, 0.314161, -0.230016, 0.409742, -0.136942, -0.186081, -0.32208, -0.136649, -0.133395, -0.299413, -0.270921, 0.21578, 0.023413, 0.144575, 0.157512, 0.068496, 0.076705, -0.097249, 0.348491, -0.21739),
)
INTERCEPT: tuple[float, ...] = (-0.235787, 0.791848, -0.556061)
