"""The tiling search: closed-form loop orders, candidate tile sizes, feasibility at the edge of the SRAMs."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest

from archgym.simulators.accelerator import explain_layer, simulate_layer, tiling
from archgym.simulators.accelerator.layer import Layer

ALEXNET_CONV2 = {"K": 192, "C": 64, "OY": 27, "OX": 27, "FY": 5, "FX": 5, "stride": 1}


def _enumerated_traffic(shape: tuple[int, ...], c: tiling.Candidates) -> np.ndarray:
    """Least DRAM traffic per candidate over all 6 loop orders, by the re-fetch rule applied loop by loop."""
    layer = Layer("_", *shape)
    counts = {
        "K": -(-layer.Kg // c.tk),
        "C": -(-layer.Cg // c.tc),
        "P": -(-layer.B // c.tb) * -(-layer.OY // c.toy) * -(-layer.OX // c.tox),
    }
    relevant = {"W": "KC", "I": "CP", "O": "KP"}
    size = {"W": layer.Kg * layer.window, "O": layer.B * layer.Kg * layer.OY * layer.OX}
    rows = tiling._covered_extent(layer.OY, c.toy, layer.FY, layer.stride)
    size["I"] = layer.B * layer.Cg * rows * tiling._covered_extent(layer.OX, c.tox, layer.FX, layer.stride)
    best = None
    for order in permutations("KCP"):
        visits = {}
        for op, rel in relevant.items():
            inner = max(i for i, loop in enumerate(order) if loop in rel)
            visits[op] = np.prod([counts[loop] for loop in order[:inner] if loop not in rel] or [1], axis=0)
        total = size["W"] * visits["W"] + size["I"] * visits["I"] + size["O"] * (2 * visits["O"] - 1)
        best = total if best is None else np.minimum(best, total)
    return best


@pytest.mark.parametrize("shape", [
    Layer("a", **ALEXNET_CONV2).shape,
    Layer("b", K=4, C=1024, OY=1, OX=256).shape,
    Layer("c", K=96, C=96, OY=28, OX=28, FY=3, FX=3, stride=2, groups=96, B=2).shape,
])
def test_closed_form_orders_equal_the_enumeration_of_all_six(shape):
    c = tiling.candidates(shape)
    assert np.array_equal(c.dram_total, _enumerated_traffic(shape, c))


@pytest.mark.parametrize("dataflow", ["ws", "os"])
def test_alexnet_conv2_fits_a_128x128_array(dataflow):
    # K = 192 filters on 128 columns: ceil(192 / 2**i) offers only 192 or 96 filters per tile, and 192 filters
    # x 25 window x >= 6 channels (ws: 128 rows / 25 -> 6 channels) double-buffered needs 75 KB of a 64 KB SRAM.
    # A tile of exactly 128 filters (one array edge) fits: 128 x 6 x 25 = 19,200 B, 37.5 KB double-buffered.
    design = {"pe_rows": 128, "pe_cols": 128, "dataflow": dataflow}
    m = simulate_layer(ALEXNET_CONV2, design)
    assert m.feasible, m.reason
    assert explain_layer(ALEXNET_CONV2, design)["tile"]["K"] == 128


def test_the_smallest_fold_covering_tile_is_always_a_candidate():
    # for every array edge, the exact covering sizes of K and C (and a covering pixel tile) are searched,
    # so a design is infeasible only when even that smallest tile does not fit
    for shape in (Layer("a", **ALEXNET_CONV2).shape, Layer("d", K=1000, C=100, OY=7, OX=9, FY=3, FX=3).shape):
        layer = Layer("_", *shape)
        c = tiling.candidates(shape)
        for edge in tiling.EDGES.tolist():
            need = tiling.coverage_minimums(layer, np.array([edge]), np.array([edge]), np.array([0]))[0]
            assert (c.tk == need[0]).any() and (c.tc == need[1]).any()
            # pixels (os rows): a covering tile overshoots by less than one output row
            need_tp = tiling.coverage_minimums(layer, np.array([edge]), np.array([edge]), np.array([1]))[0, 2]
            assert ((c.tp >= need_tp) & (c.tp < need_tp + layer.OX)).any()


def test_bit_set_selection_equals_comparing_every_candidate():
    """first_fitting's bit-set path (many keys) picks what the direct comparison picks, -1 included."""
    rng = np.random.default_rng(3)
    for shape in (Layer("a", **ALEXNET_CONV2).shape, Layer("b", K=96, C=16, OY=112, OX=112).shape):
        cand = tiling.candidates(shape)
        keys = np.column_stack([
            rng.choice([1, 4, 16, 64, 256, 1024], size=(500, 3)),
            rng.choice(2 ** np.arange(10, 22), size=(500, 3)),
        ])
        assert len(keys) >= tiling._BITSET_MIN_KEYS
        many = tiling.first_fitting(cand, keys)
        few = np.concatenate([tiling.first_fitting(cand, keys[i : i + 4]) for i in range(0, len(keys), 4)])
        assert (many == few).all() and (many == -1).any() and (many >= 0).any()
