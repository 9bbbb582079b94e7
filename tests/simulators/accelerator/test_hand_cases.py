"""Exact cycles, accesses, traffic and energy for small cases worked out by hand."""

from __future__ import annotations

import pytest

from archgym.simulators.accelerator import default_energy_table, explain_layer, simulate_layer

#: the GEMM (8 x 6) @ (6 x 5): M = 8 pixels, window W = 6, N = 5 filters
MATMUL = {"K": 5, "C": 6, "OY": 1, "OX": 8, "FY": 1, "FX": 1, "stride": 1}
SMALL = {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws"}  # 64 KB SRAMs by default: everything fits


def test_small_matmul_ws_by_hand():
    m = simulate_layer(MATMUL, {**SMALL, "dram_bandwidth": 4})
    # 2 row folds (6 / 4) x 2 col folds (5 / 4), each 8 + 4 + 4 - 2 + 4 (weight load) = 18 cycles
    assert m["compute_cycles"] == 72
    # compulsory traffic at 1 byte per element: weights 6x5, inputs 8x6, outputs 8x5
    assert (m["dram_filter_bytes"], m["dram_ifmap_bytes"], m["dram_ofmap_bytes"]) == (30, 48, 40)
    assert m["dram_bytes"] == 118
    # the chosen first tile is the smallest with compulsory traffic that covers a 4x4 fold: all 5 filters,
    # all 6 channels, one pixel: 30 + 6 input + 5 output bytes -> prologue ceil(41 / 4) = 11 cycles; the other
    # 77 bytes take ceil(77 / 4) = 20 cycles, hidden under the 72 compute cycles
    assert m["latency_cycles"] == 11 + 72
    assert m["stall_cycles"] == 11
    # SRAM: array side (weights once, inputs once per column fold, outputs once per row fold + one read-back)
    # plus the DRAM side (fills and the drain)
    assert m["sram_filter_bytes"] == 30 + 30
    assert m["sram_ifmap_bytes"] == 2 * 48 + 48
    assert m["sram_ofmap_bytes"] == 2 * 40 + 40 + 40
    assert m["sram_bytes"] == 364
    e = default_energy_table()
    assert m["mac_count"] == 240
    assert m["energy_mac_pj"] == pytest.approx(240 * e["mac_pj"])
    # registers (ws): the 30 stationary weights are written and read once (60), the inputs stream through
    # the PEs (2 per MAC, 480), the partial sums move down the columns (4 per MAC, 960): 1500 one-byte accesses
    assert m["energy_rf_pj"] == pytest.approx(1500 * e["rf_pj_per_byte"])
    assert m["energy_sram_pj"] == pytest.approx(364 * e["sram_pj_per_byte"])
    assert m["energy_dram_pj"] == pytest.approx(118 * e["dram_pj_per_byte"])
    assert m["utilization"] == pytest.approx(240 / (16 * 83))
    assert m["compute_utilization"] == pytest.approx(240 / (16 * 72))
    assert m["latency_s"] == pytest.approx(83 / 1e9)


@pytest.mark.parametrize(
    ("dataflow", "accesses"),
    [
        # ws: weights stationary 2 x (6 x 5) + inputs streamed 2 x 240 + moving partial sums 4 x 240
        ("ws", 2 * 30 + 2 * 240 + 4 * 240),
        # os: inputs and weights streamed 2 x 240 each + stationary partial sums 2 x 240 + drain 1 x (8 x 5)
        ("os", 2 * 240 + 2 * 240 + 2 * 240 + 40),
        # is: inputs stationary 2 x (8 x 6) + weights streamed 2 x 240 + moving partial sums 4 x 240
        ("is", 2 * 48 + 2 * 240 + 4 * 240),
    ],
)
def test_register_accesses_follow_the_dataflow(dataflow, accesses):
    m = simulate_layer(MATMUL, {**SMALL, "dataflow": dataflow}, energy_table={"rf_pj_per_byte": 1.0})
    assert m["energy_rf_pj"] == pytest.approx(accesses)
    # at 16 bits every access moves two bytes
    m16 = simulate_layer(MATMUL, {**SMALL, "dataflow": dataflow}, energy_table={"rf_pj_per_byte": 1.0},
                         precision_bits=16)
    assert m16["energy_rf_pj"] == pytest.approx(2 * accesses)


def test_small_matmul_bandwidth_bound_by_hand():
    # at 1 byte per cycle: 41 prologue cycles, then the remaining 77 bytes outlast the 72 compute cycles
    m = simulate_layer(MATMUL, {**SMALL, "dram_bandwidth": 1})
    assert m["latency_cycles"] == 41 + 77
    assert m["stall_cycles"] == 41 + 77 - 72


def test_energy_table_override():
    table = {"mac_pj": 1.0, "rf_pj_per_byte": 0.0, "sram_pj_per_byte": 0.0, "dram_pj_per_byte": 10.0}
    m = simulate_layer(MATMUL, SMALL, energy_table=table)
    assert m["energy_pj"] == pytest.approx(240 * 1.0 + 118 * 10.0)
    with pytest.raises(ValueError, match="unknown key 'sram_pj'"):
        simulate_layer(MATMUL, SMALL, energy_table={"sram_pj": 1.0})


@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
@pytest.mark.parametrize(
    "layer",
    [
        {"K": 64, "C": 64, "OY": 28, "OX": 28, "FY": 3, "FX": 3, "stride": 1},
        {"K": 96, "C": 3, "OY": 55, "OX": 55, "FY": 11, "FX": 11, "stride": 4},
        {"K": 1000, "C": 512, "OY": 1, "OX": 1},
        {"K": 96, "C": 96, "OY": 56, "OX": 56, "FY": 3, "FX": 3, "stride": 2, "depthwise": True},
    ],
)
def test_compulsory_traffic_when_everything_fits(layer, dataflow):
    big = {"pe_rows": 16, "pe_cols": 16, "dataflow": dataflow,
           "ifmap_sram_kb": 2048, "filter_sram_kb": 2048, "ofmap_sram_kb": 2048}
    m = simulate_layer(layer, big)
    k, c, oy, ox = layer["K"], layer["C"], layer["OY"], layer["OX"]
    fy, fx, s = layer.get("FY", 1), layer.get("FX", 1), layer.get("stride", 1)
    cg = 1 if layer.get("depthwise") else c
    iy, ix = min((oy - 1) * s + fy, oy * fy), min((ox - 1) * s + fx, ox * fx)
    assert m["dram_filter_bytes"] == k * cg * fy * fx  # each weight read once
    assert m["dram_ifmap_bytes"] == c * iy * ix  # each input read once
    assert m["dram_ofmap_bytes"] == k * oy * ox  # each output written once, no spills


def test_partial_sum_spill_when_the_reduction_must_be_split():
    # GEMM (256 x 1024) @ (1024 x 4) on 4x4 ws with 1 KB ifmap and ofmap SRAMs (512 elements per half).
    # A pixel's 1024-long window cannot sit in the ifmap half, so the reduction splits in >= 2 channel tiles,
    # and the 1024 outputs cannot all stay on chip (<= 128 pixels x 4 filters per tile). Either
    #   channel loop outside the pixel loop: inputs and weights read once, every output spilled once
    #   (written twice, read back once): 262144 + 4096 + 3 x 1024 = 269312 bytes, or
    #   channel loop inside: no spill, but the 4096 weights re-read per pixel tile (>= 2): 271360 bytes.
    layer = {"K": 4, "C": 1024, "OY": 1, "OX": 256}
    design = {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "ifmap_sram_kb": 1, "ofmap_sram_kb": 1}
    m = simulate_layer(layer, design)
    assert m["dram_ifmap_bytes"] == 256 * 1024
    assert m["dram_filter_bytes"] == 1024 * 4
    assert m["dram_ofmap_bytes"] == 2 * 1024 + 1024
    assert m["dram_bytes"] == 269312


def test_outputs_stay_on_chip_while_the_reduction_streams():
    # same GEMM with 64 pixels: the 256 outputs fit the ofmap half, so the best order keeps them there while
    # one input channel at a time streams through: compulsory traffic despite the 1 KB ifmap SRAM
    layer = {"K": 4, "C": 1024, "OY": 1, "OX": 64}
    m = simulate_layer(layer, {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "ifmap_sram_kb": 1})
    assert (m["dram_ifmap_bytes"], m["dram_filter_bytes"], m["dram_ofmap_bytes"]) == (64 * 1024, 4096, 256)


def test_a_resident_operand_uses_the_full_sram():
    # GEMM (4096 x 1024) @ (1024 x 48) on 4x4 ws: weights 48 x 1024 = 48 KB, inputs 4 MB, outputs 192 KB.
    # Neither inputs nor outputs fit on chip, so moving every operand once needs the pixel loop innermost with
    # all 1024 channels and all 48 filters in one tile: the whole weight tensor. Loaded once and never replaced
    # it needs no second buffer, so it fits a 64 KB filter SRAM (not only its 32 KB half); inputs stream in
    # double-buffered tiles of <= 32 pixels x 1024 channels (32 KB). Traffic: 49,152 + 4,194,304 + 196,608 B.
    layer = {"K": 48, "C": 1024, "OY": 1, "OX": 4096}
    design = {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws"}
    m = simulate_layer(layer, design)
    assert (m["dram_filter_bytes"], m["dram_ifmap_bytes"], m["dram_ofmap_bytes"]) == (49152, 4194304, 196608)
    ex = explain_layer(layer, design)
    assert (ex["tile"]["K"], ex["tile"]["C"]) == (48, 1024) and ex["tile"]["OX"] <= 32
    assert ex["loop_order"][-1] == "P"
    # a 32 KB filter SRAM cannot hold them: weights, inputs or partial sums now move more than once
    small = simulate_layer(layer, {**design, "filter_sram_kb": 32})
    assert small["dram_bytes"] > m["dram_bytes"]


def test_precision_scales_bytes():
    m8 = simulate_layer(MATMUL, SMALL)
    m16 = simulate_layer(MATMUL, SMALL, precision_bits=16)
    assert m16["dram_bytes"] == 2 * m8["dram_bytes"]
    assert m16["compute_cycles"] == m8["compute_cycles"]
    assert m16["area_mm2"] > m8["area_mm2"]


def test_area_by_hand():
    # PE: 282 (8b mult) + 137 (32b add) + 48 x 4.522 (flip-flops) um^2; SRAM: 8192 x 0.346 / 0.5 um^2 per KB
    m = simulate_layer(MATMUL, {**SMALL, "ifmap_sram_kb": 8, "filter_sram_kb": 16, "ofmap_sram_kb": 32})
    pe = (282 + 137 + 48 * 4.522) * 1e-6
    kb = 8192 * 0.346 / 0.5 * 1e-6
    assert m["area_mm2"] == pytest.approx(16 * pe + 56 * kb)


def test_explain_layer_reports_the_chosen_mapping():
    layer = {"K": 4, "C": 1024, "OY": 1, "OX": 256}
    design = {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws", "ifmap_sram_kb": 1, "ofmap_sram_kb": 1}
    ex = explain_layer(layer, design)
    assert ex["spatial"] == (1024, 4) and ex["temporal"] == 256 and ex["folds"] == (256, 1)
    # the hand-derived plan of test_partial_sum_spill...: half the channels per tile, channel loop outside pixels
    assert ex["tile"]["C"] == 512 and ex["tile"]["K"] == 4
    order = ex["loop_order"]
    assert order.index("C") < order.index("P")
    assert explain_layer(layer, {**design, "pe_rows": 256, "pe_cols": 256, "filter_sram_kb": 1})["tile"] is None
