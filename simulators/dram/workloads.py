"""The four named workloads of ArchGym's DRAMGym, generated deterministically.

ArchGym ran DRAMSys on four traces, ``stream.stl``, ``random.stl``,
``cloud-1.stl`` and ``cloud-2.stl`` (in ArchGym's repository under
``sims/DRAM/DRAMSys/library/resources/traces``). All four are 10,000 reads,
one per clock. Read side by side, the two cloud traces are one process
drawn twice: 200 chunks of 50 requests, each chunk either the next 50
64-byte lines of a sequential cursor that starts at address 0 or the next
50 addresses of ``random.stl`` (uniform 64-byte lines in the lowest 1 GiB),
chosen by a fair coin per chunk; cloud-1 happens to start with a sequential
chunk and has 96 of them, cloud-2 starts with a random chunk and has 101.
They differ only in that draw, so they are near duplicates in ArchGym too
(this model gives ArchGym's own files mean read latencies 1.5% apart with
DRAMSys's default controller). ``cloud-1``/``cloud-2`` here are that
process with their own coin flips (seeds fixed; the same first-chunk
kinds), not ArchGym's address lists.

``stream`` and ``random`` differ from ArchGym's on purpose: ArchGym's are
read-only (one sequential read stream; uniform random reads), which leaves
the write side of the controller (read/write buffers, FR-FCFS-Grp's bus
direction, write recovery) idle. Here ``stream`` is a STREAM-triad-like
pattern (two sequential read streams and one sequential write stream,
interleaved, one request per clock; the arrays are 256 MiB apart, so the two
read arrays map to the same banks in different rows, as power-of-two-sized
arrays do, and the written one is 16 KiB further, in other bank groups) and
``random`` is uniformly random 64-byte requests over 1 GiB, two reads per
write, one request per clock.

All four have 10,000 requests with timestamps in cycles of the device clock
(one request per clock: a saturating load, as in ArchGym). One request per
clock offers four times a DDR4 channel's peak (a 64-byte burst takes four
clocks), so on them the controller spends most of a read's latency queueing.

Each also comes at realistic loads, named ``<pattern>@<percent>``
(:data:`LOADS`: ``cloud-1@25``, ``random@50``, ...): the same requests in
the same order, arriving as a Poisson process whose mean rate offers that
percentage of the default device's (DDR4-2400) peak bandwidth, 19.2 GB/s
(``@25``: 4.8 GB/s, one 64-byte request every 16 clocks on average). Their
timestamps count a fixed 1,200 MHz clock, so the offered load in GB/s is the
same on every device (and a different fraction of another device's peak).
At these loads the channel idles between bursts of requests: latencies are
tens of nanoseconds plus some queueing, and refreshes fall due and are
pulled in during the trace.
"""

from __future__ import annotations

import numpy as np

from archgym.simulators.dram.trace import Trace

N_REQUESTS = 10_000
_LINE = 64
_SPAN = 1 << 30  # 1 GiB, as in ArchGym's cloud traces
_SEED = {"stream": 1, "random": 2, "cloud-1": 3, "cloud-2": 4}

#: ArchGym's four access patterns at one request per clock (saturating)
PATTERNS = ("stream", "random", "cloud-1", "cloud-2")
#: offered loads of the realistic variants, in percent of DDR4-2400's peak bandwidth
LOADS = (25, 50)
#: the clock (MHz) the realistic variants' timestamps count: DDR4-2400's
LOAD_CLOCK_MHZ = 1200.0
#: cycles of that clock per 64-byte burst at the peak (BL8 on a DDR bus: four clocks)
_PEAK_CYCLES_PER_REQUEST = 4.0

WORKLOADS = PATTERNS + tuple(f"{p}@{load}" for load in LOADS for p in PATTERNS)


def _random_lines(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, _SPAN // _LINE, size=n, dtype=np.int64).astype(np.uint64) * np.uint64(_LINE)


def _cloud(name: str, start_sequential: bool, n: int) -> Trace:
    """ArchGym's cloud process: chunks of 50 reads, each sequential or random by a fair coin."""
    chunk = 50
    coins = np.random.default_rng(_SEED[name]).random(-(-n // chunk)) < 0.5
    coins[0] = start_sequential
    # the random chunks take the random workload's addresses in order, as ArchGym's take random.stl's
    random_lines = _random_lines(np.random.default_rng(_SEED["random"]), n)
    parts = []
    cursor = 0
    used = 0
    for sequential in coins:
        if sequential:
            parts.append(np.arange(cursor, cursor + chunk, dtype=np.uint64) * np.uint64(_LINE))
            cursor += chunk
        else:
            parts.append(random_lines[used:used + chunk])
            used += chunk
    addr = np.concatenate(parts)[:n]
    return Trace(np.arange(n, dtype=np.int64), np.zeros(n, dtype=bool), addr, name=name)


def _stream(n: int) -> Trace:
    i = np.arange(n, dtype=np.int64)
    element = i // 3
    which = i % 3  # a[i] read, b[i] read, c[i] written
    # a and b alias (same banks, other rows: the scheduler's reordering matters); c is 16 KiB off
    array_base = np.array([0, 256 << 20, (512 << 20) + (16 << 10)], dtype=np.uint64)
    addr = array_base[which] + element.astype(np.uint64) * np.uint64(_LINE)
    return Trace(i, which == 2, addr, name="stream")


def _random(n: int) -> Trace:
    rng = np.random.default_rng(_SEED["random"])
    addr = _random_lines(rng, n)
    is_write = rng.random(n) < 1 / 3
    return Trace(np.arange(n, dtype=np.int64), is_write, addr, name="random")


def offered_load(name: str) -> float:
    """The offered load of a named workload as a fraction of DDR4-2400's peak (4.0 for one request per clock)."""
    if name in PATTERNS:
        return _PEAK_CYCLES_PER_REQUEST
    if name not in WORKLOADS:
        from archgym.errors import unknown_choice

        raise unknown_choice("DRAM workload", name, WORKLOADS)
    return int(name.rpartition("@")[2]) / 100


def _at_load(trace: Trace, name: str, load: float) -> Trace:
    """``trace``'s requests arriving as a Poisson process offering ``load`` x the peak (1,200 MHz clocks)."""
    rng = np.random.default_rng(1000 + _SEED[trace.name])
    gaps = rng.exponential(_PEAK_CYCLES_PER_REQUEST / load, len(trace))
    cycle = np.floor(np.cumsum(gaps) - gaps[0]).astype(np.int64)
    return Trace(cycle, trace.is_write, trace.address, name=name, clock_mhz=LOAD_CLOCK_MHZ)


def generate(name: str, n: int = N_REQUESTS) -> Trace:
    """The named workload's trace (deterministic: same name and ``n``, same trace)."""
    if "@" in name and name in WORKLOADS:
        pattern = name.rpartition("@")[0]
        return _at_load(generate(pattern, n), name, offered_load(name))
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
