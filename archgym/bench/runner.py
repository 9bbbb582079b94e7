"""Running an agent on the suite through the sweep machinery, and distilling a leaderboard entry.

Each (task, seed) is one sweep :class:`~archgym.sweep.plan.Trial` at the
task's largest budget; the smaller checkpoints are read off the same run's
best-so-far curve (an anytime evaluation, as COCO does). The trials run with
:func:`archgym.sweep.runner.run_sweep`, so a bench run uses the same backends
(process pool, Dask), keys and crash-safe results folder as a sweep and
resumes where a killed run stopped.

:func:`make_entry` turns the finished results into a leaderboard entry: the
agent, its full hyperparameters, the exact command, and one row per
(task, seed) with the best design, its reward, the best-so-far improvements,
regret and success at each budget, and wall/simulator time.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from archgym.bench.scoring import improvements, score_run
from archgym.bench.tasks import SUITE, Task, get_task
from archgym.errors import UserError
from archgym.sweep.plan import Trial

#: leaderboard entry format version
ENTRY_FORMAT = 1


def bench_trials(tasks: Sequence[Task], agent: str, hp: dict[str, Any], seeds: Iterable[int]) -> list[Trial]:
    """One trial per (task, seed): the agent's full hyperparameters at the task's largest budget."""
    from archgym.agents import agent_class
    from archgym.registry import env_version

    full = agent_class(agent).parse_hyperparameters(hp)
    return [Trial(env_id=t.env, env_version=env_version(t.env), env_kwargs=dict(t.env_kwargs), agent=agent,
                  hp=full, seed=int(s), budget=t.max_budget, env_label=t.id)
            for t in tasks for s in seeds]


def run_bench(tasks: Sequence[Task], agent: str, hp: dict[str, Any], seeds: Iterable[int], out: str | Path,
              backend: Any = None, on_start: Callable[[int, int], None] | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> Any:
    """Run (or resume) every (task, seed) trial into the results folder ``out``; returns the sweep outcome."""
    from archgym.sweep.runner import run_sweep

    return run_sweep(bench_trials(tasks, agent, hp, seeds), out, backend=backend, on_start=on_start,
                     on_result=on_result)


def run_row(task: Task, result: dict[str, Any]) -> dict[str, Any]:
    """One (task, seed) row of an entry from a finished trial result."""
    steps = improvements(result["best_so_far"])
    evaluations = int(result["evaluations"])
    wall = float(result["wall_time_s"])
    sim = float(result.get("simulator_seconds", 0.0))
    row = {
        "task": task.id, "seed": int(result["trial"]["seed"]), "budget": int(result["trial"]["budget"]),
        "best_reward": result["best_reward"], "best_design": result["best_design"],
        "best_step": result["best_step"], "improvements": steps, "fingerprint": result["fingerprint"],
        "feasible": int(result["feasible"]), "wall_time_s": round(wall, 3),
        "agent_overhead_s_per_eval": round(max(0.0, wall - sim) / max(1, evaluations), 6),
        "simulator_s_per_eval": round(sim / max(1, evaluations), 6),
    }
    optimum = task.optimum()
    if optimum is not None:
        row.update(score_run(row, optimum, task.budgets, task.tolerance))
    return row


def collect_rows(tasks: Sequence[Task], trials: Sequence[Trial], out: str | Path) -> tuple[list[dict[str, Any]],
                                                                                           list[Trial]]:
    """The entry rows of the finished trials in ``out``, and the trials missing or failed."""
    from archgym.sweep.store import ResultStore

    by_key = {r["key"]: r for r in ResultStore(out).results() if r["status"] == "ok"}
    task_of = {t.id: t for t in tasks}
    rows, missing = [], []
    for trial in trials:
        result = by_key.get(trial.key)
        if result is None:
            missing.append(trial)
        else:
            rows.append(run_row(task_of[trial.env_label], result))
    return rows, missing


def command_line(agent: str, hp: dict[str, Any], tasks: Sequence[Task], seeds: Sequence[int], out: str | Path,
                 name: str | None = None, entry: str | Path | None = None) -> str:
    """The ``archgym bench run`` command that reproduces an entry."""
    parts = ["archgym", "bench", "run", "--agent", agent]
    for k, v in hp.items():
        parts += ["--hp", f"{k}={v}"]
    parts += ["--tasks", ",".join(t.id for t in tasks), "--seeds", _seed_text(seeds), "--out", str(out)]
    if name:
        parts += ["--name", name]
    if entry:
        parts += ["--entry", str(entry)]
    return shlex.join(parts)


def _seed_text(seeds: Sequence[int]) -> str:
    seeds = list(seeds)
    return str(len(seeds)) if seeds == list(range(len(seeds))) else ",".join(map(str, seeds))


def parse_seeds(text: str) -> list[int]:
    """``20`` -> seeds 0..19; ``3,5,9`` -> those seeds."""
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",") if s.strip()]
        else:
            seeds = list(range(int(text)))
    except ValueError:
        raise UserError(f"--seeds {text!r}: give a count (20) or a comma-separated list (0,1,5)") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise UserError(f"--seeds {text!r}: need at least one seed, all >= 0, none repeated")
    return seeds


def make_entry(name: str, agent: str, hp: dict[str, Any], tasks: Sequence[Task], seeds: Sequence[int],
               rows: list[dict[str, Any]], command: str) -> dict[str, Any]:
    """A leaderboard entry (JSON-ready)."""
    import archgym
    from archgym.agents import agent_class

    return {
        "format": ENTRY_FORMAT, "suite": SUITE, "name": name, "agent": agent,
        "hyperparameters": agent_class(agent).parse_hyperparameters(hp),
        "archgym_version": archgym.__version__, "command": command,
        "tasks": [t.id for t in tasks], "seeds": list(seeds),
        "runs": sorted(rows, key=lambda r: (r["task"], r["seed"])),
    }


def rescore(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with regret/success recomputed from the currently stored optima."""
    runs = []
    for row in entry["runs"]:
        task = get_task(row["task"])
        optimum = task.optimum()
        row = dict(row)
        if optimum is not None:
            row.update(score_run(row, optimum, task.budgets, task.tolerance))
        runs.append(row)
    return {**entry, "runs": runs}
