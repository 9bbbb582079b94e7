"""The four named workloads of ArchGym's DRAMGym, generated deterministically.

ArchGym ran DRAMSys on four traces: ``stream.stl``, ``random.stl``,
``cloud-1.stl`` and ``cloud-2.stl``. The cloud traces are public (in
ArchGym's repository under ``sims/DRAM/DRAMSys/library/resources/traces``):
about 10,000 reads, one per clock, alternating runs of sequential 64-byte
reads (a running cursor that advances through memory) with bursts of 50
uniformly random 64-byte-aligned reads in the lowest 1 GiB; cloud-1 starts
with a sequential run, cloud-2 with a random burst, and the sequential runs
are 50 to 350 requests long. The generators here reproduce that character
with a fixed seed (they are not the original address lists). ``stream`` and
``random`` are not published; here ``stream`` is a STREAM-triad-like
pattern (two sequential read streams and one sequential write stream,
interleaved, one request per clock, the arrays 256 MiB + 8 KiB apart) and ``random`` is uniformly random
64-byte requests over 1 GiB, two reads per write, one request per clock.

All four have 10,000 requests with timestamps in cycles of the device clock
(one request per clock: a saturating load, as in ArchGym).
"""

from __future__ import annotations

import numpy as np

from archgym.simulators.dram.trace import Trace

N_REQUESTS = 10_000
_LINE = 64
_SPAN = 1 << 30  # 1 GiB, as in ArchGym's cloud traces
_SEED = {"stream": 1, "random": 2, "cloud-1": 3, "cloud-2": 4}

WORKLOADS = ("stream", "random", "cloud-1", "cloud-2")


def _random_lines(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, _SPAN // _LINE, size=n, dtype=np.int64).astype(np.uint64) * np.uint64(_LINE)


def _cloud(name: str, start_sequential: bool, n: int) -> Trace:
    rng = np.random.default_rng(_SEED[name])
    parts = []
    cursor = 0
    sequential = start_sequential
    total = 0
    while total < n:
        if sequential:
            k = int(rng.choice([50, 100, 150, 200, 250, 300, 350]))
            parts.append((np.arange(cursor, cursor + k, dtype=np.uint64)) * np.uint64(_LINE))
            cursor += k
        else:
            k = 50
            parts.append(_random_lines(rng, k))
        total += k
        sequential = not sequential
    addr = np.concatenate(parts)[:n]
    return Trace(np.arange(n, dtype=np.int64), np.zeros(n, dtype=bool), addr, name=name)


def _stream(n: int) -> Trace:
    i = np.arange(n, dtype=np.int64)
    element = i // 3
    which = i % 3  # a[i] read, b[i] read, c[i] written
    # 256 MiB apart plus one and two 8 KiB pages, so the three arrays do not alias to one bank
    array_base = np.array([0, (256 << 20) + (8 << 10), (512 << 20) + (16 << 10)], dtype=np.uint64)
    addr = array_base[which] + element.astype(np.uint64) * np.uint64(_LINE)
    return Trace(i, which == 2, addr, name="stream")


def _random(n: int) -> Trace:
    rng = np.random.default_rng(_SEED["random"])
    addr = _random_lines(rng, n)
    is_write = rng.random(n) < 1 / 3
    return Trace(np.arange(n, dtype=np.int64), is_write, addr, name="random")


def generate(name: str, n: int = N_REQUESTS) -> Trace:
    """The named workload's trace (deterministic: same name and ``n``, same trace)."""
    if name == "stream":
        return _stream(n)
    if name == "random":
        return _random(n)
    if name == "cloud-1":
        return _cloud(name, True, n)
    if name == "cloud-2":
        return _cloud(name, False, n)
    from archgym.errors import unknown_choice

    raise unknown_choice("DRAM workload", name, WORKLOADS)
