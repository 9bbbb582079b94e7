"""Requests per second of the DRAM controller model, optionally side by side with DRAMsim3.

Usage::

    python benchmarks/dram/speed.py [--designs 20]
        [--dramsim3 PATH/TO/dramsim3main --dramsim3-config DDR4_8Gb_x8_2400.ini]

For each workload it simulates the default design and ``--designs`` random
designs on a prepared trace (parsing and address decoding done once, as in
the env) and prints requests/s of wall time and of process CPU time (the
latter is the stable figure on a shared machine), each the best of
``--repeats`` passes; DRAMsim3 is run as many times, alternating with ours. With ``--dramsim3`` (or
the ``DRAMSIM3`` environment variable) it also runs DRAMsim3's trace
frontend on the same trace for 1.2x our model's completion time (written in DRAMsim3's ``<hex addr> <READ|WRITE>
<cycle>`` format) and prints its requests/s of wall and of CPU time (the
child process's user + system time) and both ratios. ArchGym reports
DRAMSys at several seconds per evaluation; the last column is the speed-up
against 5 s per evaluation of a 10,000-request trace. A second table times
``evaluate_batch`` (what ``gymnasium.make_vec`` calls) with one thread and
with ``--threads`` (default: the machine's cores), in designs/s of wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from archgym.simulators.dram import SPACE, WORKLOADS, prepare
from archgym.simulators.dram.model import run_prepared

ARCHGYM_DRAMSYS_S_PER_EVAL = 5.0


def feasible(prepared, designs) -> list:
    """The designs the device can run (infeasible ones return at once, so timing them would inflate the
    rate); running them once also compiles the kernel."""
    return [d for d in designs if run_prepared(prepared, d).metrics.feasible]


def measure(prepared, designs) -> tuple[float, float]:
    """Requests/s (wall, CPU) of one pass over ``designs``."""
    w0, c0 = time.perf_counter(), time.process_time()
    for d in designs:
        run_prepared(prepared, d)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    n = len(prepared) * len(designs)
    return n / wall, n / cpu


def dramsim3_rate(binary: str, config: str, trace, cycles: int) -> tuple[float, float]:
    """DRAMsim3's requests/s of wall time and of CPU time (user + system of the child process)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "trace.txt"
        p.write_text("".join(f"0x{a:x} {'WRITE' if w else 'READ'} {c}\n"
                             for a, w, c in zip(trace.address.tolist(), trace.is_write.tolist(), trace.cycle.tolist())))
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c0 = time.perf_counter()
        subprocess.run([binary, config, "-c", str(cycles), "-t", str(p), "-o", tmp], check=True,
                       capture_output=True)
        wall = time.perf_counter() - c0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return len(trace) / wall, len(trace) / cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=20)
    ap.add_argument("--dramsim3", default=os.environ.get("DRAMSIM3"))
    ap.add_argument("--dramsim3-config", default=os.environ.get("DRAMSIM3_CONFIG"))
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="also time evaluate_batch (make_vec) with this many threads against one (wall time)")
    ap.add_argument("--repeats", type=int, default=5,
                    help="measure both simulators this many times, alternating, and keep each one's best")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    designs = [SPACE.defaults()] + [SPACE.sample(rng) for _ in range(args.designs)]
    head = "| workload | requests | wall req/s | CPU req/s | vs ArchGym's DRAMSys |"
    if args.dramsim3:
        head += " DRAMsim3 wall req/s | DRAMsim3 CPU req/s | ratio wall | ratio CPU |"
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    from archgym.simulators.dram import generate

    runs = {}
    for w in WORKLOADS:
        tr = generate(w)
        prepared = prepare(tr)
        runnable = feasible(prepared, designs)
        runs[w] = prepared, runnable
        done = run_prepared(prepared, designs[0]).metrics["total_time_ns"] / prepared.device.tck_ns
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(measure(prepared, runnable))
            if args.dramsim3:
                theirs.append(dramsim3_rate(args.dramsim3, args.dramsim3_config, tr, int(1.2 * done) + 1000))
        wall, cpu = max(r[0] for r in ours), max(r[1] for r in ours)
        speedup = ARCHGYM_DRAMSYS_S_PER_EVAL * wall / len(prepared)
        row = f"| {w} | {len(prepared)} | {wall:,.0f} | {cpu:,.0f} | {speedup:,.0f}x |"
        if args.dramsim3:
            ds3_wall, ds3_cpu = max(r[0] for r in theirs), max(r[1] for r in theirs)
            row += f" {ds3_wall:,.0f} | {ds3_cpu:,.0f} | {wall / ds3_wall:.1f}x | {cpu / ds3_cpu:.1f}x |"
        print(row)
    if args.threads > 1:
        batch_table(runs, args.threads, args.repeats)


def batch_table(runs: dict, threads: int, repeats: int) -> None:
    """Designs/s of ``evaluate_batch`` (what ``make_vec`` calls) with 1 and with ``threads`` threads, per
    workload of ``runs`` (``{workload: (prepared trace, feasible designs)}``)."""
    from archgym.simulators.dram import DRAMSimulator

    print()
    print(f"| workload | batch | designs/s, 1 thread | designs/s, {threads} threads | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    sims = {k: DRAMSimulator(threads=k) for k in (1, threads)}
    for w, (prepared, batch) in runs.items():
        best = {k: 0.0 for k in sims}
        for _ in range(repeats):
            for k, sim in sims.items():
                t0 = time.perf_counter()
                sim.evaluate_batch(batch, prepared)
                best[k] = max(best[k], len(batch) / (time.perf_counter() - t0))
        print(f"| {w} | {len(batch)} | {best[1]:,.0f} | {best[threads]:,.0f} | {best[threads] / best[1]:.2f}x |")


if __name__ == "__main__":
    main()
