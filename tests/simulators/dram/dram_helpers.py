"""Shared helpers for the DRAM tests: addresses for the default DDR4-2400 mapping and small traces."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from archgym.simulators.dram.trace import Trace

#: DDR4-2400 preset timings (clock cycles), used by the closed-form tests
RCD, CL, RP, BL2, RAS, RFC, REFI, WL = 16, 16, 16, 4, 39, 312, 9360, 16

#: DRAMSys's memspecs, controller configs, address mappings and example traces (tests/data/dramsys/SOURCE.md)
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "dramsys"


def addr(row: int = 0, bank: int = 0, bg: int = 0, col: int = 0) -> int:
    """Byte address of (row, bank, bank group, column) under the default DDR4 row-bank-bg-column mapping."""
    return (row << 17) | (bank << 15) | (bg << 13) | (col << 3)


def trace(cycles: Sequence[int], addrs: Sequence[int], writes: Sequence[bool] | None = None, name: str = "t") -> Trace:
    n = len(cycles)
    w = np.zeros(n, dtype=bool) if writes is None else np.asarray(writes, dtype=bool)
    return Trace(np.asarray(cycles, dtype=np.int64), w, np.asarray(addrs, dtype=np.uint64), name=name)


def random_trace(n: int, seed: int = 0, write_frac: float = 0.0, gap: int = 1, span_rows: int = 32768) -> Trace:
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, span_rows, n)
    banks = rng.integers(0, 4, n)
    bgs = rng.integers(0, 4, n)
    cols = rng.integers(0, 128, n) * 8
    a = [addr(int(r), int(b), int(g), int(c)) for r, b, g, c in zip(rows, banks, bgs, cols)]
    return trace(np.arange(n) * gap, a, rng.random(n) < write_frac, name=f"random{seed}")


def sequential_trace(n: int, gap: int = 1, start: int = 0) -> Trace:
    return trace(np.arange(n) * gap, start + 64 * np.arange(n), name="seq")
