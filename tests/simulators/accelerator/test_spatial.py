"""Spatial mapping and SCALE-Sim's closed-form compute cycles, checked against hand counts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from archgym.simulators.accelerator import Layer, simulate_layer, spatial

DF = {"ws": 0, "os": 1, "is": 2}


def scalesim_rows(sr: int, sc: int, t: int, r: int, c: int, dataflow: str) -> int:
    """Rows of SCALE-Sim v2's ifmap demand matrix, built fold by fold as its code does.

    ws/is: prefix of R rows (stationary operand loads), T rows of demand, C-1
    rows of drain, then the skew adds R-1 rows. os: T rows, C-1 drain, skew R-1.
    """
    total = 0
    for _ in range(math.ceil(sc / c)):
        for _ in range(math.ceil(sr / r)):
            rows = t + (c - 1)
            if dataflow != "os":
                rows += r
            total += rows + (r - 1)
    return total


SHAPES = [
    # K, C, OY, OX, FY, FX, stride
    (64, 3, 112, 112, 7, 7, 2),
    (64, 64, 56, 56, 3, 3, 1),
    (512, 512, 7, 7, 3, 3, 1),
    (1000, 512, 1, 1, 1, 1, 1),
    (5, 6, 1, 8, 1, 1, 1),
    (96, 3, 55, 55, 11, 11, 4),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
@pytest.mark.parametrize("array", [(4, 4), (8, 32), (32, 32), (128, 16)])
def test_compute_cycles_match_scalesim_construction(shape, dataflow, array):
    k, c, oy, ox, fy, fx, s = shape
    layer = Layer("l", k, c, oy, ox, fy, fx, s)
    m, n, w = oy * ox, k, c * fy * fx
    sr, sc, t = {"ws": (w, n, m), "os": (m, n, w), "is": (w, m, n)}[dataflow]
    r, cols = array
    got = spatial.compute_cycles(layer, np.array([r]), np.array([cols]), np.array([DF[dataflow]]))[0]
    assert got == scalesim_rows(sr, sc, t, r, cols, dataflow)


def test_closed_form_by_hand():
    # ResNet conv2 (64x64x3x3 on 56x56) on 32x32 ws: window 576 -> 18 row folds, 64 filters -> 2 col folds,
    # T = 3136 pixels: 36 folds x (3136 + 32 + 32 - 2 + 32) = 36 x 3230
    layer = {"K": 64, "C": 64, "OY": 56, "OX": 56, "FY": 3, "FX": 3, "stride": 1}
    assert simulate_layer(layer, {"pe_rows": 32, "pe_cols": 32, "dataflow": "ws"})["compute_cycles"] == 116280
    # os: 3136 pixels -> 98 row folds, 2 col folds, T = 576: 196 x (576 + 62) = 125048
    assert simulate_layer(layer, {"pe_rows": 32, "pe_cols": 32, "dataflow": "os"})["compute_cycles"] == 125048
    # is: 18 row folds (window), 98 col folds (pixels), T = 64: 1764 x (64 + 62 + 32) = 278712
    assert simulate_layer(layer, {"pe_rows": 32, "pe_cols": 32, "dataflow": "is"})["compute_cycles"] == 278712


def test_depthwise_runs_one_group_per_channel():
    # 32 channels, 3x3 depthwise on 8x8 outputs, ws on 4x4: per channel window 9 -> 3 row folds, 1 filter -> 1
    # col fold, T = 64: 32 x 3 x (64 + 4 + 4 - 2 + 4) = 7104
    layer = {"K": 32, "C": 32, "OY": 8, "OX": 8, "FY": 3, "FX": 3, "stride": 1, "depthwise": True}
    m = simulate_layer(layer, {"pe_rows": 4, "pe_cols": 4, "dataflow": "ws"})
    assert m["compute_cycles"] == 7104
    assert m["mac_count"] == 32 * 9 * 64


def test_sram_accesses_by_hand():
    # GEMM 8x6 @ 6x5 on 4x4: folds along rows 2, along cols 2
    layer = Layer("mm", K=5, C=6, OY=1, OX=8)
    one = lambda v: np.array([v])  # noqa: E731
    ws = spatial.sram_accesses(layer, one(4), one(4), one(0))
    assert {k: int(v[0]) for k, v in ws.items()} == {
        "filter_reads": 30,  # stationary: each weight once
        "ifmap_reads": 2 * 8 * 6,  # re-streamed for each of 2 column folds
        "ofmap_writes": 2 * 8 * 5,  # once per row fold of the reduction
        "ofmap_reads": 1 * 8 * 5,  # partial sums read back after the first
    }
    os_ = spatial.sram_accesses(layer, one(4), one(4), one(1))
    assert {k: int(v[0]) for k, v in os_.items()} == {
        "ifmap_reads": 2 * 8 * 6, "filter_reads": 2 * 6 * 5, "ofmap_writes": 40, "ofmap_reads": 0,
    }
    is_ = spatial.sram_accesses(layer, one(4), one(4), one(2))
    assert {k: int(v[0]) for k, v in is_.items()} == {
        "ifmap_reads": 48, "filter_reads": 2 * 5 * 6, "ofmap_writes": 2 * 5 * 8, "ofmap_reads": 5 * 8,
    }
