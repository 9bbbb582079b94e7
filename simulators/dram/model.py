"""``simulate``: one trace, one controller design, one device -> metrics.

This is the pipeline the env and the :class:`~.simulator.DRAMSimulator`
wrap: resolve the device, address mapping and trace; convert timestamps to
device clocks; decode addresses (numpy); run the compiled controller model;
turn counts and times into metrics and DRAMPower-style energy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from archgym.errors import UserError
from archgym.metrics import Metrics, MetricSpec
from archgym.simulators.dram.design import complete_design, controller_config
from archgym.simulators.dram.device import Device, load_device
from archgym.simulators.dram.energy import Energy, dram_energy
from archgym.simulators.dram.mapping import AddressMapping, load_mapping
from archgym.simulators.dram.presets import DEFAULT_DEVICE
from archgym.simulators.dram.trace import Trace, read_trace

log = logging.getLogger(__name__)

#: every metric ``simulate`` returns
METRICS = (
    MetricSpec("latency_ns", "mean read latency, from the request's timestamp to its response"),
    MetricSpec("latency_p99_ns", "99th-percentile read latency"),
    MetricSpec("write_latency_ns", "mean write latency (timestamp to write response)"),
    MetricSpec("total_time_ns", "first request's timestamp to the last response"),
    MetricSpec("bandwidth_gbps", "bytes moved over total_time_ns", lower_is_better=False),
    MetricSpec("row_hit_rate", "fraction of requests served without an ACT of their own", lower_is_better=False),
    MetricSpec("energy_pj", "DRAM energy (DRAMPower-style: commands + background)"),
    MetricSpec("power_mw", "energy_pj / total_time_ns"),
    MetricSpec("act_count", "ACT commands"),
    MetricSpec("pre_count", "bank precharges (PRE, auto-precharge of RDA/WRA, banks closed by PREA)"),
    MetricSpec("rd_count", "RD/RDA commands"),
    MetricSpec("wr_count", "WR/WRA commands"),
    MetricSpec("ref_count", "REF commands (all-bank REF, or per-bank REFpb with RefreshPolicy=PerBank)"),
    MetricSpec("energy", "DRAMGym observation: total energy in mJ (DRAMSys 'Total Energy' / 1e9)", unit_override="mJ"),
    MetricSpec("power", "DRAMGym observation: average power in W (DRAMSys 'Average Power' / 1e3)", unit_override="W"),
    MetricSpec("latency", "DRAMGym observation: DRAMSys 'Total Time' in s (total_time_ns / 1e9)", unit_override="s"),
)


@dataclass(frozen=True)
class SimResult:
    """Everything one simulation produced; :attr:`metrics` is what ``simulate`` returns.

    Per-request arrays (device clock cycles) are in trace order after
    splitting requests longer than one burst.
    """

    metrics: Metrics
    arrival: np.ndarray
    complete: np.ndarray
    deliver: np.ndarray
    is_write: np.ndarray
    counters: dict[str, int]
    energy: Energy
    device: Device
    mapping: AddressMapping

    @property
    def latency_cycles(self) -> np.ndarray:
        return self.deliver - self.arrival


def load_trace(trace: str | Path | Trace) -> Trace:
    """A :class:`Trace` as is, a workload name, or a trace file path."""
    if isinstance(trace, Trace):
        return trace
    from archgym.simulators.dram.workloads import WORKLOADS, generate

    if str(trace) in WORKLOADS:
        return generate(str(trace))
    return read_trace(trace)


def _split_bursts(trace: Trace, burst_bytes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Requests longer than one burst become consecutive bursts at the same time."""
    counts = np.maximum(1, -(-trace.length // burst_bytes))
    if (counts == 1).all():
        return trace.cycle, trace.is_write, trace.address
    idx = np.repeat(np.arange(len(trace)), counts)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    k = np.arange(idx.shape[0]) - np.repeat(first, counts)
    cycle = trace.cycle[idx].copy()
    if trace.relative:
        cycle[k > 0] = 0
    addr = trace.address[idx] + k.astype(np.uint64) * np.uint64(burst_bytes)
    return cycle, trace.is_write[idx], addr


@dataclass(frozen=True, eq=False)
class Prepared:
    """A trace made ready for one device and mapping: device-clock arrivals and decoded coordinates.

    Preparing once and simulating many designs skips parsing and decoding
    (what :class:`~.simulator.DRAMSimulator` does per workload).
    """

    name: str
    device: Device
    mapping: AddressMapping
    arrival: np.ndarray
    is_write: np.ndarray
    relative: bool
    rank: np.ndarray
    bank_group: np.ndarray
    bank: np.ndarray
    row: np.ndarray
    column: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.shape[0])


def prepare(
    trace: str | Path | Trace,
    device: str | Path | Device = DEFAULT_DEVICE,
    address_mapping: str | Path | AddressMapping | Mapping[str, Any] | None = None,
    trace_clock_mhz: float | None = None,
) -> Prepared:
    """Resolve device, mapping and trace; convert timestamps to device clocks; decode addresses."""
    dev = load_device(device)
    am = load_mapping(address_mapping, dev)
    tr = load_trace(trace)
    cycle, is_write, addr = _split_bursts(tr, dev.burst_bytes)
    clock = trace_clock_mhz or tr.clock_mhz or dev.clock_mhz
    if not clock or clock <= 0:
        raise UserError(f"trace clock must be a positive frequency in MHz, got {clock!r}")
    ratio = dev.clock_mhz / float(clock)
    if abs(ratio - 1.0) < 1e-12:
        arr = cycle.astype(np.int64)
    else:
        arr = np.ceil(cycle * ratio - 1e-9).astype(np.int64)
    if not tr.relative:
        arr = np.maximum.accumulate(arr)  # an earlier timestamp than the previous one means "right after it"
    dec = am.decode(addr, dev)
    return Prepared(tr.name, dev, am, arr, np.ascontiguousarray(is_write), bool(tr.relative),
                    dec.rank, dec.bank_group, dec.bank, dec.row, dec.column)


def warm_up(prepared: Prepared) -> None:
    """Compile the controller model (or load it from numba's disk cache) on the trace's first request.

    Callers that time evaluations (the envs' ``wall_time_s``) call it when a
    workload is loaded, so compilation - about 20 s the first time after an
    install, a second or two from the cache in a new process - is not billed
    to the first design. Logged once per process at INFO.
    """
    from archgym.simulators.dram.controller import get_kernel

    kernel = get_kernel()
    if getattr(kernel, "signatures", True):
        return  # already compiled in this process, or plain Python
    log.info("compiling the DRAM controller model (once; numba caches it on disk)")
    one = {f.name: getattr(prepared, f.name)[:1] for f in fields(prepared)
           if isinstance(getattr(prepared, f.name), np.ndarray)}
    run_prepared(replace(prepared, **one))


def interval_capacity(n_requests: int) -> int:
    """First guess of the room the kernel needs for bank-open intervals (one per ACT; more ACTs than
    requests only when refreshes close rows under waiting requests). Too small only costs a rerun."""
    return n_requests + n_requests // 4 + 1024


def kernel_config(design: Mapping[str, Any] | None = None) -> np.ndarray:
    """The integer configuration :func:`run_prepared` hands the compiled model for ``design``.

    It is canonical (:func:`~.controller.canonical_config`): two designs
    with equal kernel configurations have equal results bit for bit.
    """
    from archgym.simulators.dram.controller import canonical_config

    return canonical_config(controller_config(complete_design(design or {})))


def run_prepared(prepared: Prepared, design: Mapping[str, Any] | None = None) -> SimResult:
    """Simulate one design on a prepared trace.

    A RefreshPolicy the device does not support gives an infeasible result
    (:meth:`Metrics.infeasible` with the reason, empty per-request arrays).
    """
    from archgym.simulators.dram.controller import (
        C_ERR,
        COUNTERS,
        ERR_INTERVALS,
        ERR_TOO_LONG,
        get_kernel,
        latency_stats,
    )

    dev = prepared.device
    full = complete_design(design or {})
    reason = dev.refresh_unsupported(full["RefreshPolicy"])
    if reason is not None:
        empty = np.zeros(0, dtype=np.int64)
        return SimResult(Metrics.infeasible(reason), empty, empty, empty, np.zeros(0, dtype=np.bool_), {},
                         Energy(0.0, 0.0, 0.0, 0.0, 0.0, 0.0), dev, prepared.mapping)
    cfg = kernel_config(full)
    kernel = get_kernel()
    args = (prepared.arrival, prepared.is_write, prepared.bank, prepared.rank, prepared.row,
            prepared.column, prepared.relative, dev.kernel_timings(), cfg,
            dev.banks * dev.ranks, dev.bank_groups * dev.ranks, dev.ranks, dev.bank_groups)
    iv_cap = interval_capacity(len(prepared))
    while True:
        arrival, complete, deliver, counters, active, t0, t1 = kernel(*args, iv_cap)
        if counters[C_ERR] != ERR_INTERVALS:
            break
        iv_cap *= 4
    if counters[C_ERR] == ERR_TOO_LONG:
        raise UserError(f"trace {prepared.name!r} is too long for the DRAM model: {len(prepared):,} requests over "
                        "more clock cycles than its 63-bit event keys hold; split the trace")
    if counters[C_ERR]:
        raise RuntimeError("DRAM controller model deadlocked (a bug): please report the trace and design")
    cnt = {k: int(v) for k, v in zip(COUNTERS, counters)}
    is_write = prepared.is_write
    total_cycles = max(1, int(t1 - t0))
    tck_ns = dev.tck_ns
    lat_mean, lat_p99, write_mean = latency_stats(arrival, deliver, is_write)
    n = len(prepared)
    energy = dram_energy(dev, cnt["act"], cnt["pre"], cnt["rd"], cnt["wr"], cnt["ref"],
                         float(active.sum()), float(total_cycles),
                         per_bank_refresh=full["RefreshPolicy"] == "PerBank")
    total_ns = total_cycles * tck_ns
    e_pj = energy.total_pj
    values = {
        "latency_ns": lat_mean * tck_ns,
        "latency_p99_ns": lat_p99 * tck_ns,
        "write_latency_ns": write_mean * tck_ns,
        "total_time_ns": total_ns,
        "bandwidth_gbps": n * dev.burst_bytes / total_ns,
        "row_hit_rate": 1.0 - cnt["miss"] / n,
        "energy_pj": e_pj,
        "power_mw": e_pj / total_ns,
        "act_count": cnt["act"],
        "pre_count": cnt["pre"],
        "rd_count": cnt["rd"],
        "wr_count": cnt["wr"],
        "ref_count": cnt["ref"],
        "energy": e_pj / 1e9,
        "power": e_pj / total_ns / 1e3,
        "latency": total_ns / 1e9,
    }
    return SimResult(Metrics(values), arrival, complete, deliver, is_write, cnt, energy, dev, prepared.mapping)


def run(
    trace: str | Path | Trace,
    design: Mapping[str, Any] | None = None,
    device: str | Path | Device = DEFAULT_DEVICE,
    address_mapping: str | Path | AddressMapping | Mapping[str, Any] | None = None,
    trace_clock_mhz: float | None = None,
) -> SimResult:
    """Simulate and return the detailed :class:`SimResult` (see :func:`simulate`)."""
    return run_prepared(prepare(trace, device, address_mapping, trace_clock_mhz), design)


def simulate(
    trace: str | Path | Trace,
    design: Mapping[str, Any] | None = None,
    device: str | Path | Device = DEFAULT_DEVICE,
    address_mapping: str | Path | AddressMapping | Mapping[str, Any] | None = None,
    trace_clock_mhz: float | None = None,
) -> Metrics:
    """Simulate a memory controller design on a trace and return its metrics.

    Args:
        trace: a workload name (``stream``, ``random``, ``cloud-1``,
            ``cloud-2``), a DRAMSys ``.stl``/``.rstl`` file, a ``.npz``
            binary trace, or a :class:`Trace`.
        design: the ten DRAMSys mcconfig knobs; missing knobs take defaults.
            A RefreshPolicy the device lacks (PerBank on DDR3/DDR4, SameBank
            everywhere) gives ``Metrics.infeasible`` with the reason.
        device: a preset name (``DDR4-2400``, ``DDR4-1866``, ``DDR3-1600``,
            ``LPDDR4-3200``) or a DRAMSys memspec JSON path.
        address_mapping: a DRAMSys addressmapping JSON path (default: the
            device's row-bank-column mapping).
        trace_clock_mhz: clock of the trace timestamps (default: the device's).

    Example:
        >>> m = simulate("cloud-1", {"PagePolicy": "Closed"})   # doctest: +SKIP
        >>> m["latency_ns"], m["bandwidth_gbps"], m["power_mw"]  # doctest: +SKIP
    """
    return run(trace, design, device, address_mapping, trace_clock_mhz).metrics
