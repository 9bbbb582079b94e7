"""Evaluate every design of DRAMGym's 442,368-design space on one workload, and time it.

Usage::

    python benchmarks/dram/enumerate_space.py [--workload cloud-1@25] [--threads 2]
        [--limit N] [--out table.npz] [--target-latency-ns 50] [--target-power-mw 1000]

The designs are DRAM-v1's action space on DDR4-2400 (ten knobs, the two
refresh policies DDR4 supports), walked in mixed-radix index order (the
last knob fastest, as ``numpy.unravel_index``) through
``DRAMSimulator(threads=N).evaluate_batch`` on a trace prepared once: the
batch path ``gymnasium.make_vec`` and the bench optimum use. The compiled
kernel is warmed up on one design before the clock starts, so the time is
simulation only; the process's CPU time is printed too (on a shared machine
the wall time says more about the neighbours than about the model).
``--sample N`` evaluates N designs drawn uniformly (seeded) instead, and
extrapolates the whole space's time and statistics from them; a full run is
the figure to quote.

It prints designs per second, the (extrapolated) time for the whole space,
and what the table says about the workload: the best mean read latency,
power and latency x power, and the fraction of designs meeting the latency
and power targets of ArchGym's formulations (``--target-*``), so a reachable
target can be read off it. ``--out`` keeps the table (flat index ->
latency_ns, power_mw, energy_pj, bandwidth_gbps) as ``.npz``.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from archgym.simulators.dram import DRAMSimulator

COLUMNS = ("latency_ns", "power_mw", "energy_pj", "bandwidth_gbps")


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def enumerate_workload(workload: str, threads: int, sample: int | None,
                       chunk: int = 4096) -> tuple[dict, float, float, int]:
    """Metric columns of every design (or of ``sample`` uniform ones), wall and CPU seconds, the space size."""
    sim = DRAMSimulator(threads=threads)
    space = sim.space
    nvec = space.nvec
    total = int(np.prod(nvec))
    order = np.arange(total) if sample is None else np.sort(
        np.random.default_rng(0).choice(total, min(sample, total), replace=False))
    wl = sim.load_workload(workload)
    sim.evaluate(space.defaults(), wl)  # compile (or load the cached kernel) outside the timing
    cols = {c: np.full(order.size, np.nan) for c in COLUMNS}
    t0, c0 = time.perf_counter(), _cpu_s()
    for lo in range(0, order.size, chunk):
        idx = order[lo:lo + chunk]
        designs = space.decode_batch(np.stack(np.unravel_index(idx, nvec), axis=1))
        for i, m in enumerate(sim.evaluate_batch(designs, wl), start=lo):
            if m.feasible:
                for c in COLUMNS:
                    cols[c][i] = m[c]
    return cols, time.perf_counter() - t0, _cpu_s() - c0, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="cloud-1@25")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sample", type=int, default=None, help="evaluate N uniformly drawn designs and extrapolate")
    ap.add_argument("--out", default=None, help="write the table as .npz")
    ap.add_argument("--target-latency-ns", type=float, default=50.0)
    ap.add_argument("--target-power-mw", type=float, default=1000.0)
    args = ap.parse_args()

    cols, seconds, cpu, total = enumerate_workload(args.workload, args.threads, args.sample)
    n = len(cols["latency_ns"])
    rate = n / seconds
    how = " (extrapolated)" if n < total else " (measured)"
    print(f"workload {args.workload}: {n:,} of {total:,} designs in {seconds:.1f} s wall, {cpu:.1f} s CPU, "
          f"with {args.threads} thread(s): {rate:.0f} designs/s, {cpu / n * 1e3:.2f} ms CPU per design")
    print(f"whole space: {total / rate / 60:.1f} min wall{how}; {total * cpu / n / 60:.1f} CPU-min, "
          f"{total * cpu / n / 60 / args.threads:.1f} min on {args.threads} free cores")
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
        np.savez(args.out, nvec=DRAMSimulator().space.nvec, **cols)  # flat indices 0.. in order without --sample


if __name__ == "__main__":
    main()
