"""Leaderboard entries: reading, validating by replay and re-run, and the README table.

An entry is one JSON file (see :func:`archgym.bench.runner.make_entry`).
:func:`validate_entry` checks it the way a reviewer would:

1. every run names a task of the suite at that task's largest budget, with no
   (task, seed) twice and regret/success consistent with the stored optimum;
2. every best design is *replayed*: evaluated again on its task's env, its
   reward must be the one the entry claims, and the claimed reward must be the
   last of the run's improvements;
3. a sample of runs is *re-run* from (env, kwargs, agent, hyperparameters,
   seed, budget) with :func:`archgym.reproduce.rerun` (what
   ``archgym validate`` uses); the trajectory's SHA-256 fingerprint (the
   sweep trial's) must match the entry's.

Problems come back as a list of one-line strings (empty: valid).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from archgym.bench.runner import rescore
from archgym.bench.tasks import SUITE, get_task, tasks
from archgym.errors import UserError
from archgym.fileio import read_json

#: relative tolerance when comparing a replayed reward with the claimed one
REPLAY_RTOL = 1e-12


def load_entry(path: str | Path) -> dict[str, Any]:
    """One entry from its JSON file, or a :class:`UserError` naming the problem."""
    entry = read_json(path, "leaderboard entry")
    if not isinstance(entry, dict):
        raise UserError(f"{path}: not a leaderboard entry (missing a mapping)")
    missing = [k for k in ("suite", "agent", "hyperparameters", "command", "runs") if k not in entry]
    if missing:
        raise UserError(f"{path}: not a leaderboard entry (missing {', '.join(missing)})")
    return entry


def entry_paths(folder_or_files: Sequence[str | Path]) -> list[Path]:
    """Entry files given directly or as folders (``*.json`` under them, sorted)."""
    out: list[Path] = []
    for p in map(Path, folder_or_files):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*.json") if not q.name.startswith("."))
        elif p.is_file():
            out.append(p)
        else:
            raise UserError(f"{p}: no such leaderboard entry or folder")
    return out


def save_entry(entry: dict[str, Any], path: str | Path) -> Path:
    """Write an entry atomically."""
    from archgym.fileio import atomic_write_text

    return atomic_write_text(path, json.dumps(entry, indent=1, default=_json) + "\n")


def merge_entries(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One entry holding the runs of several entries of the same agent run on different tasks.

    How a suite that gains tasks extends an entry without re-running the old
    tasks (bench results folders are not committed): the entries must agree on
    suite, name, agent, hyperparameters and seeds, and no (task, seed) may come
    twice with different trajectories (the same run twice is kept once, so
    merging again changes nothing). Tasks and runs keep the suite's order; the commands are joined with
    ``&&`` (together they reproduce the merged entry).
    """
    if not entries:
        raise UserError("nothing to merge: no entries given")
    first = entries[0]
    for key in ("suite", "name", "agent", "hyperparameters", "seeds"):
        values = {json.dumps(e.get(key), sort_keys=True) for e in entries}
        if len(values) > 1:
            raise UserError(f"entries to merge differ in {key}: {', '.join(sorted(values))}")
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    for e in entries:
        for row in e["runs"]:
            key = (row["task"], row["seed"])
            if key in runs and runs[key].get("fingerprint") != row.get("fingerprint"):
                raise UserError(f"entries to merge both hold the run of task {key[0]} seed {key[1]}, "
                                "with different trajectories")
            runs[key] = row  # the same run twice (an entry merged again) is kept once
    order = {t.id: i for i, t in enumerate(tasks())}
    ids = {t for e in entries for t in e.get("tasks", [])} | {k[0] for k in runs}
    commands = []
    for e in entries:
        commands += [c for c in e["command"].split(" && ") if c not in commands]
    return {**first, "tasks": sorted(ids, key=lambda t: (order.get(t, len(order)), t)),
            "command": " && ".join(commands), "runs": [runs[k] for k in sorted(runs)]}


def _json(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def check_structure(entry: dict[str, Any]) -> list[str]:
    """Problems with the entry's shape, tasks, budgets and recorded scores."""
    problems = []
    if entry.get("suite") != SUITE:
        problems.append(f"suite {entry.get('suite')!r} is not {SUITE!r}")
    known = {t.id for t in tasks()}
    seen = set()
    rescored = {(r["task"], r["seed"]): r for r in rescore(entry)["runs"] if r.get("task") in known}
    for row in entry["runs"]:
        where = f"run {row.get('task')} seed {row.get('seed')}"
        if row.get("task") not in known:
            problems.append(f"{where}: unknown task")
            continue
        task = get_task(row["task"])
        if (row["task"], row["seed"]) in seen:
            problems.append(f"{where}: appears twice")
        seen.add((row["task"], row["seed"]))
        if row.get("budget") != task.max_budget:
            problems.append(f"{where}: budget {row.get('budget')} is not the task's {task.max_budget}")
        steps = row.get("improvements") or []
        if steps and (steps[-1][1] != row.get("best_reward") or steps[-1][0] != row.get("best_step")):
            problems.append(f"{where}: best reward/step {row.get('best_reward')}@{row.get('best_step')} is not "
                            f"the last improvement {steps[-1][1]}@{steps[-1][0]}")
        if any(b[0] >= a[0] or b[1] >= a[1] for b, a in zip(steps, steps[1:])):
            problems.append(f"{where}: improvements do not rise")
        fresh = rescored[(row["task"], row["seed"])]
        for key in ("regret", "success", "evaluations_to_success"):
            if key in row and row[key] != fresh.get(key):
                problems.append(f"{where}: {key} {row[key]} does not follow from the optimum ({fresh.get(key)})")
    return problems


def replay_best(entry: dict[str, Any]) -> list[str]:
    """Evaluate every best design again; problems where the reward differs from the claim."""
    from archgym.metrics import Metrics

    problems = []
    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in entry["runs"]:
        if row.get("best_design") is not None:
            by_task.setdefault(row["task"], []).append(row)
    for task_id, rows in by_task.items():
        env = get_task(task_id).make().unwrapped
        try:
            designs = [env.design_space.validate(r["best_design"]) for r in rows]
        except (ValueError, UserError) as exc:
            problems.append(f"task {task_id}: a best design is not in the space: {exc}")
            continue
        results: list[Metrics] = env.simulator.evaluate_batch(designs, env.workload)
        for row, metrics in zip(rows, results):
            reward = env.objective.reward(metrics) if metrics.feasible else None
            claimed = row["best_reward"]
            if reward is None or not math.isclose(reward, claimed, rel_tol=REPLAY_RTOL, abs_tol=0.0):
                problems.append(f"run {task_id} seed {row['seed']}: best design replays to reward {reward}, "
                                f"entry claims {claimed}")
        env.close()
    return problems


def sample_runs(entry: dict[str, Any], n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` runs to re-run: drawn with ``seed``, preferring the cheapest (by recorded wall time) of each task."""
    rows = sorted(entry["runs"], key=lambda r: (r.get("wall_time_s", 0.0), r["task"], r["seed"]))
    if n >= len(rows):
        return rows
    rng = np.random.default_rng(seed)
    half = rows[: max(n, len(rows) // 2)]
    picks = rng.choice(len(half), size=n, replace=False)
    return [half[i] for i in sorted(picks)]


def rerun(entry: dict[str, Any], rows: Sequence[dict[str, Any]]) -> list[str]:
    """Run the given runs again (:func:`archgym.reproduce.rerun`); problems where a trajectory differs."""
    import hashlib

    from archgym.bench.scoring import improvements
    from archgym.reproduce import NotReplayable, RunSpec
    from archgym.reproduce import rerun as run_again

    problems = []
    for row in rows:
        task = get_task(row["task"])
        spec = RunSpec(task.env, dict(task.env_kwargs), entry["agent"], dict(entry["hyperparameters"]),
                       int(row["seed"]), task.max_budget)
        where = f"run {row['task']} seed {row['seed']}"
        try:
            history = run_again(spec)
        except (NotReplayable, UserError) as exc:
            problems.append(f"{where}: cannot be re-run: {exc}")
            continue
        fingerprint = hashlib.sha256(history.fingerprint().encode()).hexdigest()
        if fingerprint != row["fingerprint"]:
            steps = improvements(list(history.best_so_far()))
            diff = "improvements differ" if steps != row["improvements"] else "same improvements"
            problems.append(f"{where}: re-run trajectory differs from the entry ({diff}; fingerprint "
                            f"{fingerprint[:12]} vs {row['fingerprint'][:12]})")
    return problems


def validate_entry(entry: dict[str, Any], sample: int = 2, seed: int = 0) -> list[str]:
    """Every problem found by the structure check, the replay of all best designs and ``sample`` re-runs."""
    problems = check_structure(entry)
    problems += replay_best(entry)
    if sample > 0:
        problems += rerun(entry, sample_runs(entry, sample, seed))
    return problems
