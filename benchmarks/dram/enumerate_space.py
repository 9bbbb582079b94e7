"""Evaluate every design of DRAMGym's 442,368-design space on one workload, and time it.

Usage::

    python benchmarks/dram/enumerate_space.py [--workload cloud-1@25] [--threads 2]
        [--sample N] [--out table.npz] [--target-latency-ns 50] [--target-power-mw 1000]

The designs are DRAM-v1's action space on DDR4-2400 (ten knobs, the two
refresh policies DDR4 supports), enumerated by
:func:`archgym.bench.enumerate.enumerate_space`, the code ``archgym bench
optimum`` runs: mixed-radix index order (the last knob fastest, as
``numpy.unravel_index``), chunks through ``DRAMSimulator.evaluate_batch`` with
``--threads`` threads on a trace prepared once. The batch path simulates
designs the model runs alike once (they differ only in knobs the others switch
off: ``MaxActiveTransactions`` with ``Arbiter=Simple``, ``RespQueue`` once the
arbiter reorders, the refresh limits with ``NoRefresh``), so the space costs
88,128 simulations. The compiled kernel is warmed up when the workload loads,
before the clock starts; the process's CPU time is printed too (on a shared
machine the wall time says more about the neighbours than about the model).

``--sample N`` evaluates N designs drawn uniformly (seeded) instead, and
extrapolates the whole space's time from the CPU time per simulation (the
sample's distinct kernel configurations) and its statistics from the sample;
a full run is the figure to quote.

It prints designs per second, the (extrapolated) time for the whole space,
and what the table says about the workload: the best mean read latency,
power and latency x power, and the fraction of designs meeting the latency
and power targets of ArchGym's formulations (``--target-*``), so a reachable
target can be read off it. ``--out`` keeps the table (flat index ->
latency_ns, power_mw, energy_pj, bandwidth_gbps) as ``.npz``.
"""

from __future__ import annotations

import argparse
import copy
import resource
import time

import numpy as np

from archgym.bench.enumerate import enumerate_space
from archgym.registry import make_env
from archgym.simulators.dram.model import kernel_config

COLUMNS = ("latency_ns", "power_mw", "energy_pj", "bandwidth_gbps")


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def distinct_runs(space, idx: np.ndarray) -> int:
    """How many simulations the designs at flat indices ``idx`` cost (their distinct kernel configurations)."""
    designs = space.decode_batch(np.stack(np.unravel_index(idx, space.nvec), axis=1))
    return len({kernel_config(d).tobytes() for d in designs})


def sample_space(env, threads: int, sample: int) -> tuple[dict, float, float, int]:
    """Metric columns of ``sample`` uniformly drawn designs, wall and CPU seconds, and the simulations run."""
    sim = copy.copy(env.simulator)
    sim.threads = threads
    space = env.design_space
    idx = np.sort(np.random.default_rng(0).choice(space.size, min(sample, space.size), replace=False))
    designs = space.decode_batch(np.stack(np.unravel_index(idx, space.nvec), axis=1))
    t0, c0 = time.perf_counter(), _cpu_s()
    results = sim.evaluate_batch(designs, env.workload)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    cols = {c: np.array([m[c] if m.feasible else np.nan for m in results]) for c in COLUMNS}
    return cols, seconds, cpu, distinct_runs(space, idx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="cloud-1@25")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sample", type=int, default=None, help="evaluate N uniformly drawn designs and extrapolate")
    ap.add_argument("--out", default=None, help="write the table as .npz")
    ap.add_argument("--target-latency-ns", type=float, default=50.0)
    ap.add_argument("--target-power-mw", type=float, default=1000.0)
    args = ap.parse_args()

    env = make_env("archgym/DRAM-v1", workload=args.workload).unwrapped
    space = env.design_space
    total = space.size
    runs_total = distinct_runs(space, np.arange(total))
    if args.sample:
        cols, seconds, cpu, runs = sample_space(env, args.threads, args.sample)
        n = len(cols["latency_ns"])
        whole_cpu = runs_total * cpu / runs
        whole_wall = runs_total * seconds / runs
        how = f"extrapolated from {n:,} designs ({runs:,} simulations)"
    else:
        c0 = _cpu_s()
        table = enumerate_space(env, threads=args.threads)
        seconds, cpu = table.seconds, _cpu_s() - c0
        cols = {c: table.metrics[c] for c in COLUMNS}
        n, runs, whole_cpu, whole_wall, how = total, runs_total, cpu, seconds, "measured"
    print(f"workload {args.workload}: {n:,} of {total:,} designs ({runs:,} distinct simulations) in "
          f"{seconds:.1f} s wall, {cpu:.1f} s CPU, with {args.threads} thread(s): {n / seconds:.0f} designs/s, "
          f"{cpu / runs * 1e3:.2f} ms CPU per simulation")
    print(f"whole space ({runs_total:,} simulations, {how}): {whole_wall / 60:.1f} min wall; "
          f"{whole_cpu / 60:.1f} CPU-min, {whole_cpu / 60 / args.threads:.1f} min on {args.threads} free cores")
    lat, pw = cols["latency_ns"], cols["power_mw"]
    ok = ~np.isnan(lat)
    lxp = lat * pw
    print(f"feasible {ok.mean():.3f}; latency_ns min {np.nanmin(lat):.2f} median {np.nanmedian(lat):.2f}; "
          f"power_mw min {np.nanmin(pw):.1f} median {np.nanmedian(pw):.1f}; "
          f"best latency x power at index {int(np.nanargmin(lxp))}")
    q = np.nanquantile(lat, [0.01, 0.1, 0.5, 0.9])
    print("latency_ns quantiles 1/10/50/90%: " + ", ".join(f"{v:.1f}" for v in q))
    tl, tp = args.target_latency_ns, args.target_power_mw
    print(f"designs with latency <= {tl:g} ns: {np.mean(lat[ok] <= tl):.4f}; power <= {tp:g} mW: "
          f"{np.mean(pw[ok] <= tp):.4f}; both: {np.mean((lat[ok] <= tl) & (pw[ok] <= tp)):.4f}")
    if args.out:
        np.savez(args.out, nvec=space.nvec, **cols)  # flat indices 0.. in order without --sample


if __name__ == "__main__":
    main()
