"""Fixed mappings: hand-computed traffic and latency, the built-in mapper as the exact optimum of its own
candidate set, bit-for-bit agreement with the mapper's numbers, and infeasible mappings with reasons."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from archgym.errors import UserError
from archgym.simulators.accelerator import SPACE, Layer, simulate_layer, tiling
from archgym.simulators.accelerator.costs import default_energy_table
from archgym.simulators.accelerator.mapping import (
    LOOP_ORDERS,
    MAPPING_KEYS,
    builtin_mapping,
    evaluate_mapping,
    mapping_metrics,
)
from archgym.simulators.accelerator.workloads import load_workload

SMALL = Layer("small", K=8, C=4, OY=4, OX=4)
HW = {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "dram_bandwidth": 16}


def _tiles(b=1, k=4, c=4, oy=2, ox=4, order="KCP"):
    return {"tile_B": b, "tile_K": k, "tile_C": c, "tile_OY": oy, "tile_OX": ox, "loop_order": order}


@pytest.mark.parametrize("order, ifmap, filt, ofmap", [
    # P innermost: filters stay (32), inputs once per K tile (2 x 64), outputs once (128)
    ("KCP", 128, 32, 128), ("CKP", 128, 32, 128),
    # K innermost: inputs stay (64), filters once per pixel tile (2 x 32), outputs once (C is one tile)
    ("CPK", 64, 64, 128), ("PCK", 64, 64, 128),
    # C innermost: outputs stay (128), filters once per pixel tile (64), inputs once per K tile (128)
    ("KPC", 128, 64, 128), ("PKC", 128, 64, 128),
])
def test_traffic_of_each_loop_order_by_hand(order, ifmap, filt, ofmap):
    """K=8 C=4 4x4 1x1 conv, tiles K 4 (2 trips), C 4 (1 trip), 2x4 pixels (2 trips), 8-bit: bytes = elements."""
    m = evaluate_mapping(SMALL, HW, _tiles(order=order))
    assert (m["dram_ifmap_bytes"], m["dram_filter_bytes"], m["dram_ofmap_bytes"]) == (ifmap, filt, ofmap)


def test_partial_sums_spill_when_c_is_split_and_not_innermost():
    """os (C is not unrolled), C in 2 tiles, P innermost: each output written twice, read back once (128 x 3)."""
    m = evaluate_mapping(SMALL, {**HW, "dataflow": "os"}, _tiles(c=2))
    assert m["dram_ofmap_bytes"] == 3 * 128
    inner_c = evaluate_mapping(SMALL, {**HW, "dataflow": "os"}, _tiles(c=2, order="KPC"))
    assert inner_c["dram_ofmap_bytes"] == 128


def test_halos_are_fetched_per_tile():
    """3x3 conv, 4x4 outputs in 2x4 tiles: each tile reads 4 input rows, 8 in all instead of the layer's 6."""
    layer = Layer("halo", K=4, C=4, OY=4, OX=4, FY=3, FX=3)
    m = evaluate_mapping(layer, {**HW, "pe_rows": 4}, _tiles(k=4, c=4, oy=2, ox=4, order="CPK"))
    assert m["dram_ifmap_bytes"] == 4 * (2 * 4) * 6


def test_latency_by_hand():
    """ws on 4x4: window 4 on rows (1 fold), 8 filters on columns (2 folds), 16 pixels streamed:
    2 x (16 + 4 + 4 - 2 + 4) = 52 compute cycles. First tile 32 + 16 + 32 = 80 bytes; 288 bytes in all."""
    fast = evaluate_mapping(SMALL, HW, _tiles())
    assert fast["compute_cycles"] == 52
    assert fast["latency_cycles"] == 80 / 16 + max(52, (288 - 80) / 16)  # prologue + max(compute, rest)
    slow = evaluate_mapping(SMALL, {**HW, "dram_bandwidth": 1}, _tiles())
    assert slow["latency_cycles"] == 80 + 208 and slow["stall_cycles"] == 288 - 52


def test_infeasible_mappings_name_the_knob_and_the_bound():
    narrow = evaluate_mapping(SMALL, HW, _tiles(k=2))
    assert not narrow.feasible and "tile_K=2 < 4" in narrow.reason and "4x4 ws array" in narrow.reason
    few_pixels = evaluate_mapping(SMALL, {**HW, "dataflow": "os"}, _tiles(oy=1, ox=2))
    assert not few_pixels.feasible and "tile_B x tile_OY x tile_OX = 2 < 4" in few_pixels.reason
    big = Layer("big", K=256, C=256, OY=32, OX=32)
    full = {"tile_B": 1, "tile_K": 256, "tile_C": 256, "tile_OY": 32, "tile_OX": 32, "loop_order": "KCP"}
    over = evaluate_mapping(big, {"ifmap_sram_kb": 1}, full)
    assert not over.feasible and "ifmap tile needs 256 KB" in over.reason and "ifmap_sram_kb=1" in over.reason
    with pytest.raises(UserError, match="tile_K must be an integer in 1..8"):
        evaluate_mapping(SMALL, HW, _tiles(k=9))
    with pytest.raises(UserError, match="loop_order 'KKP' is not one of"):
        evaluate_mapping(SMALL, HW, _tiles(order="KKP"))


def _cases():
    """Layers of a CNN, a depthwise net and a transformer, each on a few random arrays."""
    rng = np.random.default_rng(5)
    layers = [load_workload("resnet18").layers[i] for i in (0, 1, 6, 16)]
    layers += [load_workload("mobilenetv2").layers[i] for i in (1, 3)]
    layers += [load_workload("bert-base").layers[i] for i in (0, 3, 6)]
    return [(layer, SPACE.sample(rng)) for layer in layers for _ in range(3)]


CASES = _cases()


@pytest.mark.parametrize("layer, design", CASES, ids=[f"{la.name}-{i % 3}" for i, (la, _) in enumerate(CASES)])
def test_builtin_mapping_is_the_exact_optimum_of_its_candidate_set(layer, design):
    """Every (K size, C size, pixel tile, loop order) the mapper starts from, before pruning, costed here:
    the least DRAM traffic and the least energy among the feasible ones are the built-in choice's, exactly,
    and the built-in choice costed as a fixed mapping gives simulate_layer's metrics bit for bit."""
    ref = simulate_layer(layer, design)
    chosen = builtin_mapping(layer, design)
    assert (chosen is None) == (not ref.feasible)
    need_k, need_c, need_p = tiling._coverage_thresholds(layer)
    pixels = tiling._pixel_combos(layer, need_p)
    sizes = tiling.tile_sizes(layer)
    mappings = [dict(zip(MAPPING_KEYS, (b, k, c, oy, ox, order)))
                for k, c, (b, oy, ox), order in itertools.product(sizes["K"], sizes["C"], pixels, LOOP_ORDERS)]
    values, reasons = mapping_metrics(layer, design, mappings, default_energy_table(), 8.0, 1000.0)
    ok = np.array([r == "" for r in reasons])
    if chosen is None:
        assert not ok.any()
        return
    assert evaluate_mapping(layer, design, chosen).to_dict() == ref.to_dict()
    assert values["dram_bytes"][ok].min() == ref["dram_bytes"]
    assert values["energy_pj"][ok].min() == pytest.approx(ref["energy_pj"], rel=1e-15)


def test_the_per_loop_product_holds_mappings_the_mapper_does_not_consider():
    """Crossing every pixel size (as the mapping env does) can beat the mapper: a split row count with an
    exact column count, 56x16 outputs, moves 1.4% less DRAM traffic than its 28x28 on this array."""
    layer = load_workload("resnet18").layers[0]
    design = {"pe_rows": 32, "pe_cols": 16, "dataflow": "is", "ifmap_sram_kb": 512, "filter_sram_kb": 32,
              "ofmap_sram_kb": 2, "dram_bandwidth": 16}
    chosen = builtin_mapping(layer, design)
    assert (chosen["tile_OY"], chosen["tile_OX"]) == (28, 28)
    mixed = {**chosen, "tile_OY": 56, "tile_OX": 16}
    pixels = tiling._pixel_combos(layer, tiling._coverage_thresholds(layer)[2])
    assert (56, 16) not in {(oy, ox) for _, oy, ox in pixels}
    better, ref = evaluate_mapping(layer, design, mixed), simulate_layer(layer, design)
    assert better.feasible and better["dram_bytes"] < ref["dram_bytes"]
