"""Computing a task's optimum: exact by enumeration, or best known from samples and runs.

``archgym bench optimum TASK`` calls :func:`compute_optimum`. Spaces up to
:data:`ENUMERABLE` designs are enumerated (:mod:`archgym.bench.enumerate`) and
the optimum is exact. Larger spaces get a "best known" optimum: the best of
:data:`SAMPLES` uniformly drawn designs and of every run in the result folders
given (leaderboard entries or bench results), with the reward quantiles and the
fraction within tolerance estimated from the uniform sample.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from archgym.bench.enumerate import SpaceTable, enumerate_space, rewards, scored, summarise
from archgym.bench.tasks import Task

log = logging.getLogger(__name__)

#: largest space enumerated for an exact optimum
ENUMERABLE = 3_000_000
#: uniform designs drawn to estimate a best-known task's reward distribution
SAMPLES = 20_000
#: seed of those draws
SAMPLE_SEED = 0


def cache_path(task: Task, cache_dir: str | Path) -> Path:
    """Where the enumeration of ``task``'s space is cached: one file per env, workload and simulator version."""
    env = task.make().unwrapped
    sim = env.simulator
    extra = "-".join(f"{k}={v}" for k, v in sorted(task.env_kwargs.items()) if k != "objective")
    name = f"{task.env.replace('/', '_')}-{extra}-{sim.name}-{sim.version}.npz"
    return Path(cache_dir) / name.replace(" ", "")


def space_table(task: Task, cache_dir: str | Path | None,
                progress: Callable[[int, int], None] | None = None,
                threads: int | None = None) -> SpaceTable:
    """Every design of the task's space, from the cache when it is there.

    With a cache folder an interrupted enumeration resumes from its checkpoint
    (``<cache file>.partial.npz``). ``threads`` is how many designs a simulator
    that simulates batches on several threads (DRAM: ``DRAMSimulator.threads``,
    same results for any count) runs at a time, default the machine's cores;
    other simulators ignore it.
    """
    path = None if cache_dir is None else cache_path(task, cache_dir)
    if path is not None and path.is_file():
        return SpaceTable.load(path)
    env = task.make().unwrapped
    checkpoint = None if path is None else path.with_name(path.stem + ".partial.npz")
    table = enumerate_space(env, progress=progress, threads=threads, checkpoint=checkpoint)
    if path is not None:
        table.save(path)
    return table


def compute_optimum(task: Task, cache_dir: str | Path | None = None, runs: Iterable[dict[str, Any]] = (),
                    progress: Callable[[int, int], None] | None = None,
                    threads: int | None = None) -> dict[str, Any]:
    """The optimum record stored for ``task`` (see :mod:`archgym.bench.tasks`).

    Args:
        task: the task.
        cache_dir: folder caching enumerations (None: no cache).
        runs: bench results (dicts with ``task``, ``best_reward``, ``best_design``,
            ``agent``, ``seed``) to take a best-known optimum from.
        progress: called with (designs done, total) while enumerating.
        threads: simulator threads while enumerating (see :func:`space_table`).
    """
    env = task.make().unwrapped
    space = env.design_space
    sim = env.simulator
    head = {"env": task.env, "simulator": sim.name, "simulator_version": sim.version,
            "objective": env.objective.spec(), "tolerance": task.tolerance}
    if space.size <= ENUMERABLE:
        table = space_table(task, cache_dir, progress, threads)
        start = time.perf_counter()
        values, valid = rewards(table, env.objective)
        summary = summarise(values, valid, task.tolerance)
        idx = np.unravel_index(summary.pop("index"), table.nvec)
        design = space.decode(np.array(idx))
        return {"exact": True, **head, **summary, "design": design,
                "enumeration_seconds": round(table.seconds, 1),
                "reward_seconds": round(time.perf_counter() - start, 1),
                "command": f"archgym bench optimum {task.id} --write"}
    rng = np.random.default_rng(SAMPLE_SEED)
    idx = np.stack([rng.integers(0, n, SAMPLES) for n in space.nvec], axis=1)
    designs = space.decode_batch(idx)
    start = time.perf_counter()
    values, valid = _sample_rewards(task, env, designs, cache_dir)
    best = int(np.argmax(np.where(valid, values, -np.inf)))
    value, design = float(values[best]), designs[best]
    found_by = f"uniform sample {best} of {SAMPLES} (seed {SAMPLE_SEED})"
    for r in runs:
        if r.get("task") == task.id and r.get("best_reward") is not None and r["best_reward"] > value:
            value, design = float(r["best_reward"]), dict(r["best_design"])
            found_by = f"{r['agent']} {r.get('hyperparameters') or ''} seed {r['seed']}".replace("  ", " ")
    summary = summarise(np.append(values, value), np.append(valid, True), task.tolerance)
    summary.pop("index")
    summary.update(space_size=int(space.size), sampled=SAMPLES, sample_seed=SAMPLE_SEED)
    return {"exact": False, **head, **summary, "value": value, "design": design, "found_by": found_by,
            "sample_seconds": round(time.perf_counter() - start, 1),
            "command": f"archgym bench optimum {task.id} --runs benchmarks/leaderboard/entries --write"}


def _sample_rewards(task: Task, env: Any, designs: list[dict[str, Any]],
                    cache_dir: str | Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Rewards of the uniform sample and which of them measure a design (:func:`scored`).

    Cached per task, sample and simulator version (the task fixes the objective).
    """
    sim = env.simulator
    name = f"{task.id}-sample{SAMPLES}-seed{SAMPLE_SEED}-{sim.name}-{sim.version}.npz"
    path = None if cache_dir is None else Path(cache_dir) / name
    if path is not None and path.is_file():
        with np.load(path) as z:
            return z["values"], z["valid"] if "valid" in z.files else z["feasible"]
    results = sim.evaluate_batch(designs, env.workload)
    values = np.array([env.objective.reward(m) for m in results])
    valid = np.array([scored(env.objective, m) for m in results])
    if path is not None:
        from archgym.fileio import atomic_output

        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, values=values, valid=valid)
    return values, valid
