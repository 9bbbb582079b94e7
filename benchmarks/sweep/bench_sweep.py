"""Sweep runner benchmarks: throughput at scale, Dask 2-vs-1 worker speed-up, runner overhead per trial.

Usage (one at a time; each takes well under two minutes on 2 cores)::

    python benchmarks/sweep/bench_sweep.py scale     # trials/s on a process pool; projects the 21,000-trial study
    python benchmarks/sweep/bench_sweep.py dask      # Dask LocalCluster, 2 workers vs 1, same trials
    python benchmarks/sweep/bench_sweep.py overhead  # runner time per trial vs the trial's own work

The study is the real thing in miniature: archgym/Accelerator-v1 and
archgym/SoC-v1 (whichever are registered), seven agents with ``hp: auto``
settings drawn from their declared sweep ranges, several seeds, a small budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

from archgym.backends import Backend, DaskBackend, ProcessBackend, SerialBackend
from archgym.sweep.plan import Trial, expand
from archgym.sweep.runner import run_sweep
from archgym.sweep.spec import parse_spec
from archgym.sweep.store import ResultStore

#: the study of the issue: 4 envs x 7 agents x 50 settings x 15 seeds
STUDY_TRIALS = 4 * 7 * 50 * 15
AGENTS = ("random", "walker", "grid", "ga", "aco", "tpe", "cmaes")
ENVS = ({"id": "archgym/Accelerator-v1", "kwargs": {"workload": "resnet18"}},
        {"id": "archgym/SoC-v1"})


def study(settings: int, seeds: int, budget: int) -> tuple[list[Trial], list[str]]:
    """The benchmark study's trials, using only the envs and agents that load here."""
    from archgym.agents import agent_class
    from archgym.envs._registration import ENVS as REGISTERED

    agents = []
    for name in AGENTS:
        try:
            agent_class(name)
            agents.append({"name": name, "hp": "auto", "samples": settings})
        except Exception:  # noqa: BLE001 - an agent not available yet is left out
            print(f"(agent {name} not available; left out)")
    envs = [e for e in ENVS if e["id"] in REGISTERED]
    spec = parse_spec({"envs": envs, "agents": agents, "seeds": seeds, "budget": budget}, source="benchmark")
    return expand(spec), spec.imports


def timed_run(trials: list[Trial], backend: Backend) -> tuple[float, list[dict[str, Any]]]:
    """Wall time of one run into a fresh folder (workers started beforehand), and the results."""
    with tempfile.TemporaryDirectory() as out:
        backend.start()
        start = time.perf_counter()
        outcome = run_sweep(trials, out, backend=backend)
        wall = time.perf_counter() - start
        results = list(ResultStore(out).results())
    assert outcome.failed == 0, f"{outcome.failed} trials failed"
    return wall, results


def scale(args: argparse.Namespace) -> None:
    trials, _ = study(settings=3, seeds=3, budget=args.budget)
    workers = os.cpu_count() or 1
    wall, results = timed_run(trials, ProcessBackend(workers))
    rate = len(trials) / wall
    cpu = [r["cpu_time_s"] for r in results]
    per_eval = sum(cpu) / sum(r["evaluations"] for r in results)
    load = os.getloadavg()[0]
    print(f"scale: {len(trials)} trials x budget {args.budget} on a process pool of {workers} workers "
          f"(load average {load:.1f} on {workers} cores): {wall:.1f} s, {rate:.2f} trials/s, "
          f"{rate * args.budget:.0f} evaluations/s")
    print(f"  per trial: mean wall {statistics.mean(r['wall_time_s'] for r in results) * 1e3:.0f} ms, mean CPU "
          f"{statistics.mean(cpu) * 1e3:.0f} ms (~{per_eval * 1e3:.2f} ms CPU per evaluation incl. set-up)")
    print(f"  projected {STUDY_TRIALS:,}-trial study at budget {args.budget}: {STUDY_TRIALS / rate / 3600:.2f} h at "
          f"the measured rate; {STUDY_TRIALS * statistics.mean(cpu) / workers / 3600:.2f} h from CPU time on "
          f"{workers} idle cores")
    for budget in (100, 1000, 10000):
        hours = STUDY_TRIALS * budget * per_eval / workers / 3600
        print(f"  projected {STUDY_TRIALS:,} trials at budget {budget:,}: {hours:,.1f} h on {workers} cores, "
              f"{hours * workers / 64:,.1f} h on 64 cores (CPU per evaluation held constant)")


def dask(args: argparse.Namespace) -> None:
    trials, _ = study(settings=2, seeds=2, budget=args.budget)
    walls = {}
    fingerprints = {}
    for n in (1, 2):
        backend = DaskBackend(local_workers=n)
        walls[n], results = timed_run(trials, backend)
        fingerprints[n] = {r["key"]: r["fingerprint"] for r in results}
        cpu = sum(r["cpu_time_s"] for r in results)
        print(f"dask LocalCluster {n} worker(s): {len(trials)} trials x budget {args.budget}: {walls[n]:.1f} s "
              f"({len(trials) / walls[n]:.2f} trials/s); trial CPU {cpu:.1f} s, i.e. each worker busy "
              f"{cpu / walls[n] / n:.0%} of the time (load average {os.getloadavg()[0]:.1f})")
    print(f"  speed-up 2 vs 1 worker: {walls[1] / walls[2]:.2f}x; identical results: "
          f"{fingerprints[1] == fingerprints[2]}")


def overhead(args: argparse.Namespace) -> None:
    """Serial runs, so wall time = trial work + runner; the trial reports its own work."""
    warm, _ = study(settings=1, seeds=1, budget=1)
    timed_run(warm, SerialBackend())          # imports (optuna, pyarrow) out of the measurement
    for budget in (1, args.budget):
        trials, _ = study(settings=2, seeds=2, budget=budget)
        wall, results = timed_run(trials, SerialBackend())
        work = sum(r["wall_time_s"] for r in results)
        per = (wall - work) / len(trials)
        print(f"overhead, budget {budget}: {len(trials)} trials, {wall:.2f} s wall, trial work {work:.2f} s; "
              f"runner (scheduling, records + result writing, fsync) {per * 1e3:.1f} ms per trial = "
              f"{(wall - work) / wall:.1%} of wall time")
    with tempfile.TemporaryDirectory() as out:
        store = ResultStore(out)
        store.prepare()
        from archgym.sweep.trial import run_trial

        result = run_trial(trials[0].to_dict())
        records = result.pop("_records")
        start = time.perf_counter()
        for i in range(50):
            store.write({**result, "key": f"{i:016x}"}, records)
        print(f"  commit of one trial ({len(records[0])} records Parquet + result JSON, both synced): "
              f"{(time.perf_counter() - start) / 50 * 1e3:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=["scale", "dask", "overhead"])
    parser.add_argument("--budget", type=int, default=30)
    args = parser.parse_args()
    {"scale": scale, "dask": dask, "overhead": overhead}[args.which](args)


if __name__ == "__main__":
    main()
