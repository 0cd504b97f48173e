"""Fitted weights of the METER class model (:mod:`reprints.wire_classes`); generated, do not edit."""

# Fitted by: python benchmarks/meter_wire.py PATH/meter --write-weights src/reprints/wire_weights.py
# on the 749 of 770 METER courts stories with an aligned PA source
# (all 771 PA stories in the pool); default Params; C = 0.1 chosen by 10-fold CV macro-F1 from (0.03, 0.1, 0.3, 1.0, 3.0);
# class_weight='balanced', standardised evidence (procedure in benchmarks/wire.md).

from __future__ import annotations

FEATURES: tuple[str, ...] = ('wire_share', 'verbatim_share', 'reworded_share', 'longest_verbatim', 'long_verbatim_share', 'passages', 'sources', 'source_covered', 'tiles_1', 'tiles_3', 'tiles_5', 'tiles_8', 'pool_tiles_3', 'pool_tiles_5', 'plain_tiles_3', 'best_cosine', 'max_cosine', 'quoted_share', 'derived_in_quotes', 'first_derived', 'lead_derived', 'sentences_tiled', 'sentences_untiled', 'in_order')
MEAN: tuple[float, ...] = (0.679446, 0.51817, 0.161276, 3.132803, 0.32033, 1.580251, 1.161674, 0.446311, 0.821822, 0.446525, 0.301093, 0.213398, 0.452936, 0.301859, 0.308865, 0.516921, 0.526949, 0.123414, 0.131192, 0.01248, 0.810906, 0.231683, 0.315926, 0.874325)
SCALE: tuple[float, ...] = (0.335512, 0.280314, 0.121983, 0.90045, 0.287816, 0.791471, 0.500104, 0.264382, 0.122017, 0.251655, 0.257255, 0.243, 0.247146, 0.256745, 0.198414, 0.134584, 0.130407, 0.11845, 0.14831, 0.073297, 0.300204, 0.277771, 0.271765, 0.221638)
COEF: tuple[tuple[float, ...], ...] = (
    (0.362286, 0.275491, 0.36339, -0.253546, 0.257469, -0.504942, 0.077375, -0.325022, 0.162856, 0.218286, 0.213748, 0.126722, 0.117093, 0.203105, 0.231196, -0.220798, -0.002407, -0.254575, -0.12685, 0.058029, -0.170564, 0.343702, -0.230732, 0.111402),
    (-0.122311, -0.074637, -0.1649, 0.291352, -0.185679, 0.204981, 0.145836, -0.054581, 0.00933, -0.09422, 0.126775, 0.04977, -0.049296, 0.116998, 0.034778, 0.013816, -0.010751, 0.0359, 0.025617, -0.101528, 0.045943, -0.229203, -0.123894, 0.097779),
    (-0.239975, -0.200854, -0.19849, -0.037806, -0.07179, 0.299961, -0.223211, 0.379604, -0.172186, -0.124067, -0.340523, -0.176492, -0.067797, -0.320103, -0.265973, 0.206983, 0.013158, 0.218675, 0.101233, 0.043499, 0.124621, -0.114499, 0.354626, -0.209181),
)
INTERCEPT: tuple[float, ...] = (-0.130326, 0.710792, -0.580466)
