"""The one trial function every backend runs: serial, process pool and Dask alike.

:func:`run_trial` takes a plain dict (a :class:`~archgym.sweep.plan.Trial`)
and returns a plain dict, so it travels through any
``concurrent.futures.Executor``. It never raises for a trial's own error: an
exception inside the search comes back as ``status: failed`` with its
traceback (the trial is deterministic, so running it again would fail the same
way). Only the death of the worker process itself reaches the runner, which
retries it.

Every evaluation is recorded with :func:`archgym.records.attach_recorder`, the
same record format as ``archgym run``; the rows travel back with the result,
so workers need no shared file system.
"""

from __future__ import annotations

import hashlib
import math
import os
import socket
import time
import traceback
from typing import Any, Sequence


def run_trial(trial: dict[str, Any], imports: Sequence[str] = ()) -> dict[str, Any]:
    """Run one trial and return its result (``status`` ``ok`` or ``failed``), records included.

    Args:
        trial: a :meth:`Trial.to_dict <archgym.sweep.plan.Trial.to_dict>`.
        imports: plugins to import first (see :mod:`archgym.sweep.plugins`).

    The result's ``_records`` entry holds ``(rows, arrow_schema)`` for the
    runner to write; every other entry is JSON-ready.
    """
    import archgym
    from archgym.backends import pin_threads
    from archgym.sweep.plan import Trial
    from archgym.sweep.plugins import load_plugins

    start, cpu = time.perf_counter(), time.process_time()
    t = Trial.from_dict(trial)
    result: dict[str, Any] = {
        "key": t.key, "trial": t.to_dict(), "status": "ok", "error": None,
        "worker": f"{socket.gethostname()}:{os.getpid()}", "archgym_version": archgym.__version__,
    }
    try:
        pin_threads()
        load_plugins(imports)
        result.update(_search(t))
    except Exception as exc:  # noqa: BLE001 - a trial's own failure is data, not a crash
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    result["wall_time_s"] = time.perf_counter() - start
    result["cpu_time_s"] = time.process_time() - cpu
    return result


def _search(t: Any) -> dict[str, Any]:
    """Build the env and the agent, run the search, summarise it."""
    import gymnasium

    from archgym.agents import make_agent
    from archgym.history import Evaluation
    from archgym.metrics import Metrics
    from archgym.records import attach_recorder, record_schema

    env = gymnasium.make(t.env_id, **t.env_kwargs)
    try:
        base = env.unwrapped
        objective = base.objective
        has_goal = objective.has_goal
        agent = make_agent(t.agent, **t.hp)
        rows: list[dict[str, Any]] = []
        attach_recorder(env, rows, agent=t.agent, hyperparameters=agent.hp, seed=t.seed, run_id=t.key)
        met_at: list[int] = []

        def goal(ev: Evaluation) -> None:
            if not met_at and ev.feasible and objective.met(Metrics(ev.metrics)):
                met_at.append(ev.step)

        if has_goal:
            base.listeners.append(goal)
        history = agent.run(env, budget=t.budget, seed=t.seed)
        sim = base.simulator
        schema = record_schema(base.design_space, sim.metric_names)
    finally:
        env.close()
    best = history.best
    if best is not None and not best.within_budget:
        best = None  # a trial's result is a design within budget; an over-budget one is not reported
    return {
        "workload": base.workload_name,
        "objective": objective.spec(),
        "simulator": sim.name,
        "simulator_version": sim.version,
        "has_goal": has_goal,
        "target_met_step": met_at[0] if met_at else None,
        "evaluations": len(history),
        "feasible": int(history.feasible.sum()),
        "simulator_seconds": float(sum(e.wall_time_s for e in history)),
        "best_reward": None if best is None else float(best.reward),
        "best_step": None if best is None else best.step,
        "best_design": None if best is None else dict(best.design),
        "best_metrics": None if best is None else dict(best.metrics),
        "best_so_far": [None if math.isnan(v) else float(v) for v in history.best_so_far()],
        "fingerprint": hashlib.sha256(history.fingerprint().encode()).hexdigest(),
        "_records": (rows, schema),
    }
