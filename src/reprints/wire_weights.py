"""Fitted weights of the METER class model (:mod:`reprints.wire_classes`); generated, do not edit."""

# Fitted by: python benchmarks/meter_wire.py PATH/meter --write-weights src/reprints/wire_weights.py
# on the 694 of 770 METER courts stories with an aligned PA source
# (all 771 PA stories in the pool); default Params; C = 0.3 chosen by 10-fold CV macro-F1 from (0.03, 0.1, 0.3, 1.0, 3.0);
# class_weight='balanced', standardised evidence (procedure in benchmarks/wire.md).

from __future__ import annotations

FEATURES: tuple[str, ...] = ('wire_share', 'verbatim_share', 'reworded_share', 'longest_verbatim', 'long_verbatim_share', 'passages', 'sources', 'source_covered', 'tiles_1', 'tiles_3', 'tiles_5', 'tiles_8', 'pool_tiles_3', 'pool_tiles_5', 'plain_tiles_3', 'best_cosine', 'max_cosine', 'quoted_share', 'derived_in_quotes', 'first_derived', 'lead_derived', 'sentences_tiled', 'sentences_untiled', 'in_order')
MEAN: tuple[float, ...] = (0.702958, 0.467842, 0.235116, 3.115686, 0.304363, 1.676353, 1.198806, 0.467976, 0.832114, 0.465351, 0.318427, 0.228202, 0.471403, 0.319253, 0.322964, 0.525996, 0.536819, 0.130004, 0.145346, 0.068124, 0.732742, 0.247883, 0.300332, 0.864365)
SCALE: tuple[float, ...] = (0.284776, 0.276688, 0.131334, 0.8352, 0.280617, 0.734528, 0.501148, 0.253171, 0.113988, 0.247927, 0.257407, 0.245491, 0.243444, 0.256801, 0.196581, 0.134577, 0.129273, 0.119014, 0.157102, 0.156264, 0.376087, 0.280777, 0.257327, 0.227301)
COEF: tuple[tuple[float, ...], ...] = (
    (0.44704, 0.365954, 0.198361, -0.391616, 0.046677, -0.663576, 0.180312, -0.438298, 0.347675, 0.292962, 0.299731, -0.012583, -0.048619, 0.265966, 0.383196, -0.341292, 0.125611, -0.125557, -0.260407, 0.161709, -0.008387, 0.466411, -0.211493, 0.099205),
    (-0.254182, -0.205365, -0.118499, 0.400464, 0.027943, 0.201626, 0.135895, -0.045969, -0.133477, 0.017353, 0.169061, 0.011348, 0.096942, 0.130049, -0.061047, 0.041921, -0.020519, -0.053054, 0.152154, -0.031684, 0.071731, -0.403626, -0.154614, 0.114052),
    (-0.192858, -0.160588, -0.079861, -0.008848, -0.074621, 0.46195, -0.316207, 0.484267, -0.214198, -0.310316, -0.468792, 0.001236, -0.048323, -0.396014, -0.322149, 0.299371, -0.105092, 0.178611, 0.108253, -0.130025, -0.063344, -0.062786, 0.366107, -0.213257),
)
INTERCEPT: tuple[float, ...] = (-0.027636, 0.772823, -0.745187)
