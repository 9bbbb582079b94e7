"""The SoC simulator: metrics of a simulated design, and the archgym Simulator class.

:class:`SoCSimulator` is built per (workload, mapping mode) because its
design space depends on both: one ``ip_<task>`` knob per task with an
accelerator, and in ``agent`` mode one knob per task and per buffer (see
:mod:`archgym.simulators.soc.layout`).

Example:
    >>> sim = SoCSimulator("audio_decoder", mapping="heft")
    >>> m = sim.evaluate(sim.space.defaults())
    >>> round(m["latency_s"], 6), m.feasible
    (0.010817, True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from archgym.errors import UserError
from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator
from archgym.simulators.soc.costs import costs
from archgym.simulators.soc.engine import Infeasible, Plan, SimResult, compile_plan, simulate
from archgym.simulators.soc.knobs import MAPPINGS, build_space
from archgym.simulators.soc.layout import Built, build_design, slot_names
from archgym.simulators.soc.taskgraph import TaskGraph, load_workload, shipped_workloads

BUDGETED = ("latency_s", "power_w", "area_mm2")

HEADLINE = (
    MetricSpec("latency_s", "completion time of the workload's last task"),
    MetricSpec("power_w", "FARSI's power: peak over 10 ms windows of energy / time"),
    MetricSpec("avg_power_w", "energy / latency"),
    MetricSpec("energy_j", "dynamic energy of PEs and memories"),
    MetricSpec("area_mm2", "sum of block areas (A53, IPs, memories; buses 0)"),
    MetricSpec("utilization", "mean over instantiated PEs of the time they hold a task / latency",
               lower_is_better=False),
)


@lru_cache(maxsize=4096)
def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def metrics_of(plan: Plan, sim: SimResult, graph: TaskGraph, slots: Mapping[str, str] | None = None,
               all_slots: list[str] | None = None) -> Metrics:
    """Metrics of one simulated design: totals, slack to each budget, per-block breakdown.

    Per-block metrics are named after ``slots[block]`` when given (stable
    names for the environment), else after the block instance; ``all_slots``
    lists slots to report as 0 when the design does not instantiate them.
    """
    if sim.latency != sim.latency:
        return Metrics.infeasible(f"last task {graph.last_task!r} never ran")
    c = costs(plan, sim)
    values = c.values()
    # in block order, never a set: the sum must not depend on string hashing (PYTHONHASHSEED)
    pe_names = dict.fromkeys(plan.hw.blocks[b].name for b in plan.pe if plan.hw.blocks[b].kind == "pe")
    used = [c.utilization[n] for n in pe_names if c.area.get(n, 0.0) > 0]
    values["utilization"] = sum(used) / len(used) if used else 0.0
    for key in BUDGETED:
        if key in graph.budgets:
            values[f"slack_{key}"] = graph.budgets[key] - values[key]
    names: dict[str, str | None] = dict.fromkeys((_slug(s) for s in all_slots or []), None)
    for block in plan.hw.blocks:
        slot = slots.get(block.name, block.name) if slots else block.name
        names[_slug(slot)] = block.name
    for slot, block in names.items():
        area_key, energy_key, util_key = _block_keys(slot)
        values[area_key] = c.area[block] if block else 0.0
        values[energy_key] = c.energy[block] if block else 0.0
        values[util_key] = c.utilization[block] if block else 0.0
    return Metrics(values)


@lru_cache(maxsize=4096)
def _block_keys(slot: str) -> tuple[str, str, str]:
    return f"area_{slot}_mm2", f"energy_{slot}_j", f"util_{slot}"


class SoCSimulator(Simulator):
    """FARSI-compatible SoC model for one task-graph workload and mapping mode.

    Args:
        workload: shipped name (``audio_decoder``, ``edge_detection``,
            ``hpvm_cava``, ``SOC_example_*``...), a workload JSON path or a
            :class:`TaskGraph`.
        mapping: ``heft`` (HEFT places tasks on A53 cores) or ``agent`` (the
            design also says where each task and buffer goes).
    """

    name = "soc"
    version = "0.1.0"
    default_workload = "audio_decoder"

    def __init__(self, workload: Any = "audio_decoder", mapping: str = "heft"):
        if mapping not in MAPPINGS:
            from archgym.errors import unknown_choice

            raise unknown_choice("SoC mapping mode", mapping, MAPPINGS)
        self.graph = load_workload(workload)
        self.mapping = mapping
        self.space = build_space(self.graph, mapping)
        self.slots = slot_names(self.graph)
        specs = list(HEADLINE)
        for key in BUDGETED:
            if key in self.graph.budgets:
                specs.append(MetricSpec(f"slack_{key}", f"budget - {key} (>= 0 meets FARSI's budget)",
                                        lower_is_better=False))
        for s in self.slots:
            specs.append(MetricSpec(f"area_{_slug(s)}_mm2", f"area of {s}"))
            specs.append(MetricSpec(f"energy_{_slug(s)}_j", f"energy of {s}"))
            specs.append(MetricSpec(f"util_{_slug(s)}", f"utilisation of {s}", lower_is_better=False))
        self.metrics = tuple(specs)

    def workloads(self) -> list[str]:
        return shipped_workloads()

    def load_workload(self, workload: Any = None) -> TaskGraph:
        """The simulator's own workload; another one is accepted only if it has the same tasks and edges."""
        if workload is None or workload is self.graph:
            return self.graph
        g = load_workload(workload)
        if g.task_names != self.graph.task_names or [(e.src, e.dst) for e in g.edges] != [
            (e.src, e.dst) for e in self.graph.edges
        ]:
            raise UserError(
                f"this SoC simulator's design space was built for workload {self.graph.name!r}; "
                f"construct SoCSimulator(workload={g.name!r}) for {g.name!r}"
            )
        return g

    def proxy_features(self, workload: Any = None) -> Any | None:
        """Design features for proxies: knob sums and HEFT's mapping, no event simulation
        (:mod:`~archgym.simulators.soc.proxy_features`); heft mapping only."""
        if self.mapping != "heft":
            return None
        from archgym.simulators.soc.proxy_features import SoCDesignFeatures

        return SoCDesignFeatures(self.load_workload(workload))

    def build(self, design: Mapping[str, Any]) -> Built:
        """Hardware graph, mapping and slot names of a design (raises :class:`Infeasible`)."""
        return build_design(self.graph, self.space.validate(design), self.mapping)

    def evaluate(self, design: Mapping[str, Any], workload: Any = None) -> Metrics:
        graph = self.load_workload(workload)
        d = self.space.validate(design)
        try:
            built = build_design(graph, d, self.mapping)
            plan = compile_plan(graph, built.hw, built.mapping)
        except Infeasible as exc:
            return Metrics.infeasible(str(exc))
        return metrics_of(plan, simulate(plan), graph, built.slots, self.slots)

    def export_farsi(self, design: Mapping[str, Any], folder: str | Path) -> tuple[Path, Path]:
        """Write the design as FARSI's ``hardware_graph.csv`` and ``task_to_hardware_mapping.csv``."""
        from archgym.simulators.soc.farsi_design import write_farsi_design

        try:
            built = self.build(design)
        except Infeasible as exc:
            raise UserError(f"cannot export an infeasible design: {exc}") from None
        return write_farsi_design(built.hw, built.mapping, self.graph, folder)
