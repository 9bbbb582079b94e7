"""The SoC simulator: metrics of a simulated design, and the archgym Simulator class."""
from __future__ import annotations

import re

from archgym.metrics import Metrics
from archgym.simulators.soc.costs import costs
from archgym.simulators.soc.engine import Plan, SimResult
from archgym.simulators.soc.taskgraph import TaskGraph

BUDGETED = ("latency_s", "power_w", "area_mm2")


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def metrics_of(plan: Plan, sim: SimResult, graph: TaskGraph, per_block: bool = True) -> Metrics:
    """Metrics of one simulated design: totals, slack to each budget, per-block breakdown."""
    if sim.latency != sim.latency:
        return Metrics.infeasible(f"last task {graph.last_task!r} never ran")
    c = costs(plan, sim)
    values = c.values()
    for key in BUDGETED:
        if key in graph.budgets:
            values[f"slack_{key}"] = graph.budgets[key] - values[key]
    if per_block:
        for name, a in c.area.items():
            values[f"area_{_slug(name)}_mm2"] = a
        for name, e in c.energy.items():
            values[f"energy_{_slug(name)}_j"] = e
        for name, u in c.utilization.items():
            values[f"util_{_slug(name)}"] = u
    return Metrics(values)
