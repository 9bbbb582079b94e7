"""Spatial mapping: how a layer folds onto the systolic array, per dataflow.

Each group of a layer is the GEMM ``O[M,N] = I[M,W] @ F[W,N]`` with ``M =
B*OY*OX`` output pixels, ``N = K/groups`` filters and ``W = (C/groups)*FY*FX``
the reduction window (the im2col view SCALE-Sim uses). The dataflow decides
which two dimensions are laid out on the ``R x C`` array (``Sr`` on rows,
``Sc`` on columns) and which one streams through it in time (``T``), as in
SCALE-Sim v2 (``topology_utils.calc_spatio_temporal_params``):

========  =====================  ==================  ============
dataflow  rows ``Sr``            columns ``Sc``      time ``T``
========  =====================  ==================  ============
``ws``    window ``W``           filters ``N``       pixels ``M``
``os``    pixels ``M``           filters ``N``       window ``W``
``is``    window ``W``           pixels ``M``        filters ``N``
========  =====================  ==================  ============

The array is folded ``ceil(Sr/R) * ceil(Sc/C)`` times. One fold streams
``T`` operand vectors, skewed across the array (fill ``R-1`` and drain
``C-1``), so it takes ``T + R + C - 2`` cycles; with ``ws`` and ``is`` the
stationary operand is first shifted into the array row by row, ``R`` more
cycles. This is SCALE-Sim's closed form (the number of rows of its demand
matrices, ``systolic_compute_{ws,os,is}.py``), reproduced exactly. Groups run
one after the other (SCALE-Sim runs each depthwise channel as its own layer).

SRAM accesses on the array side (elements, per group): the stationary
operand is read once; the streaming input is re-read for every fold along
the other array dimension; outputs leave once per fold of the reduction, and
every write after the first reads back the partial sum (read-modify-write,
which SCALE-Sim does not count). PE register accesses depend on each
operand's role (:func:`register_accesses`).
"""

from __future__ import annotations

import numpy as np

from . import costs
from .layer import Layer

WS, OS, IS = 0, 1, 2


def _ceil_div(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    return -(-np.asarray(a, dtype=np.int64) // np.asarray(b, dtype=np.int64))


def gemm_dims(layer: Layer) -> tuple[int, int, int]:
    """``(M, N, W)`` of one group: output pixels, filters, reduction window."""
    return layer.pixels, layer.Kg, layer.window


def fold_dims(m, n, w, dataflow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sr, Sc, T)`` from GEMM sizes and dataflow codes (0 ws, 1 os, 2 is); all arguments broadcast."""
    df = np.asarray(dataflow, dtype=np.int64)
    m, n, w = (np.asarray(x, dtype=np.int64) for x in (m, n, w))
    sr = np.where(df == OS, m, w)
    sc = np.where(df == IS, m, n)
    t = np.where(df == WS, m, np.where(df == OS, w, n))
    return sr, sc, t


def spatial_dims(layer: Layer, dataflow: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Sr, Sc, T)`` per design for one layer."""
    return fold_dims(*gemm_dims(layer), dataflow)


def cycles_from_dims(m, n, w, groups, rows, cols, dataflow) -> np.ndarray:
    """SCALE-Sim's compute cycles from GEMM sizes; all arguments broadcast."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    sr, sc, t = fold_dims(m, n, w, dataflow)
    folds = _ceil_div(sr, rows) * _ceil_div(sc, cols)
    per_fold = t + rows + cols - 2 + np.where(np.asarray(dataflow) == OS, 0, rows)
    return np.asarray(groups, dtype=np.int64) * folds * per_fold


def compute_cycles(layer: Layer, rows: np.ndarray, cols: np.ndarray, dataflow: np.ndarray) -> np.ndarray:
    """SCALE-Sim's compute cycles: ``groups * folds * (T + R + C - 2 [+ R for ws/is])``."""
    return cycles_from_dims(*gemm_dims(layer), layer.groups, rows, cols, dataflow)


def accesses_from_dims(m, n, w, groups, rows, cols, dataflow) -> dict[str, np.ndarray]:
    """Array-side SRAM accesses (elements) from GEMM sizes; all arguments broadcast."""
    df = np.asarray(dataflow, dtype=np.int64)
    m, n, w, g = (np.asarray(x, dtype=np.int64) for x in (m, n, w, groups))
    sr, sc, _ = fold_dims(m, n, w, df)
    rf = _ceil_div(sr, rows)
    cf = _ceil_div(sc, cols)
    ws, os_, is_ = df == WS, df == OS, df == IS
    ifmap_reads = np.where(is_, m * w, cf * m * w)
    filter_reads = np.where(ws, w * n, np.where(os_, rf * w * n, cf * w * n))
    out_visits = np.where(os_, 1, rf)
    return {
        "ifmap_reads": g * ifmap_reads,
        "filter_reads": g * filter_reads,
        "ofmap_writes": g * out_visits * m * n,
        "ofmap_reads": g * (out_visits - 1) * m * n,
    }


def register_accesses(m, n, w, groups, dataflow) -> np.ndarray:
    """PE register accesses (elements) from GEMM sizes, by operand role [E16, Z21 in :mod:`.costs`].

    ``ws``: weights stationary (each written and read once, ``2 W N``), inputs
    streamed (2 per MAC), partial sums moving down the columns (4 per MAC);
    ``os``: inputs and weights streamed (2 + 2 per MAC), partial sums
    stationary (2 per MAC, plus one read per output to drain it);
    ``is``: inputs stationary (``2 M W``), weights streamed (2 per MAC),
    partial sums moving (4 per MAC). About 6 per MAC in every dataflow.
    All arguments broadcast.
    """
    df = np.asarray(dataflow, dtype=np.int64)
    m, n, w, g = (np.asarray(x, dtype=np.int64) for x in (m, n, w, groups))
    macs = m * n * w
    moving = costs.RF_STREAMED_PER_MAC + costs.RF_MOVING_PSUM_PER_MAC
    stationary_out = 2 * costs.RF_STREAMED_PER_MAC + costs.RF_STATIONARY_PSUM_PER_MAC
    return g * np.where(
        df == OS,
        stationary_out * macs + costs.RF_DRAIN_PER_OUTPUT * m * n,
        moving * macs + costs.RF_STATIONARY_PER_ELEMENT * np.where(df == WS, w * n, m * w),
    )


def sram_accesses(
    layer: Layer, rows: np.ndarray, cols: np.ndarray, dataflow: np.ndarray
) -> dict[str, np.ndarray]:
    """Array-side SRAM accesses in elements for the whole layer.

    Keys: ``ifmap_reads``, ``filter_reads``, ``ofmap_writes``, ``ofmap_reads``.
    """
    return accesses_from_dims(*gemm_dims(layer), layer.groups, rows, cols, dataflow)
