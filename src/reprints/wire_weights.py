"""Fitted weights of the METER class model (:mod:`reprints.wire_classes`); generated, do not edit."""

# Fitted by: python benchmarks/meter_wire.py PATH/meter --write-weights src/reprints/wire_weights.py
# on 770 METER courts stories against all 771 PA stories in the pool,
# default Params; C = 0.3 chosen by 10-fold CV macro-F1 from (0.03, 0.1, 0.3, 1.0, 3.0);
# class_weight='balanced', standardised evidence (procedure in benchmarks/wire.md).

from __future__ import annotations

FEATURES: tuple[str, ...] = ('wire_share', 'verbatim_share', 'reworded_share', 'longest_verbatim', 'long_verbatim_share', 'passages', 'sources', 'words', 'length_ratio', 'source_covered', 'tiles_1', 'tiles_3', 'tiles_5', 'tiles_8', 'pool_tiles_3', 'pool_tiles_5', 'plain_tiles_3', 'best_cosine', 'max_cosine', 'quoted_share', 'derived_in_quotes', 'first_derived', 'lead_derived', 'sentences_tiled', 'sentences_untiled', 'in_order')
MEAN: tuple[float, ...] = (0.633575, 0.421666, 0.211909, 2.808164, 0.274322, 1.510895, 1.080482, 5.424487, -0.421062, 0.421787, 0.749983, 0.41942, 0.286998, 0.205678, 0.428912, 0.288318, 0.293, 0.47408, 0.494693, 0.121925, 0.131, 0.160101, 0.660419, 0.223416, 0.358498, 0.779051)
SCALE: tuple[float, ...] = (0.342129, 0.297441, 0.143052, 1.22159, 0.281451, 0.858061, 0.595153, 0.955593, 0.828217, 0.277941, 0.270754, 0.273249, 0.262181, 0.242796, 0.265584, 0.261262, 0.20794, 0.202327, 0.184452, 0.11798, 0.15532, 0.315056, 0.418622, 0.276624, 0.31116, 0.336199)
COEF: tuple[tuple[float, ...], ...] = (
    (0.267467, 0.19889, 0.226143, -0.188252, 0.059125, -0.232585, 0.189735, -0.886906, -0.20065, -0.16983, 0.009286, 0.320605, 0.390799, 0.047547, -0.183574, 0.368003, 0.615939, -0.181106, -0.224725, -0.153155, -0.183747, 0.33188, -0.057498, 0.58345, -0.147618, 0.036559),
    (-0.207248, -0.155601, -0.17213, 0.351267, 0.063032, 0.138422, 0.182731, 0.242983, 0.068473, -0.159892, -0.159573, 0.066399, 0.170227, 0.02159, 0.021011, 0.131628, -0.099679, -0.106293, 0.157768, -0.06529, 0.122007, -0.026016, 0.115409, -0.434391, -0.191982, 0.170136),
    (-0.060219, -0.04329, -0.054013, -0.163016, -0.122157, 0.094163, -0.372466, 0.643923, 0.132178, 0.329722, 0.150288, -0.387004, -0.561025, -0.069137, 0.162563, -0.499631, -0.51626, 0.287399, 0.066958, 0.218444, 0.06174, -0.305864, -0.057911, -0.149059, 0.3396, -0.206695),
)
INTERCEPT: tuple[float, ...] = (-0.054385, 0.745084, -0.690699)
