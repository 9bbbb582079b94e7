"""The toy cost model: a separable cost with a known optimum, for the recipe and for testing the core.

cost = (log2(size) - 4)^2 + (count - 3)^2 + colour penalty, latency = cost + 1
cycles (doubled on the ``double`` workload), area = size / 16 mm².
``size=1`` with ``colour='red'`` is infeasible ("red needs size >= 2"). The
optimum is size=16, count=3, colour='green' with cost 0 (latency 1).
"""

from __future__ import annotations

from typing import Any, Mapping

from archgym.errors import unknown_choice
from archgym.examples.toy.knobs import SPACE
from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator


class ToySimulator(Simulator):
    """A separable cost with a known optimum (size=16, count=3, colour='green'); see the module docstring.

    Example:
        >>> ToySimulator().evaluate({"size": 16, "count": 3, "colour": "green"}, "unit")
        Metrics(latency_cycles=1, area_mm2=1)
    """

    name = "toy"
    version = "1"
    space = SPACE
    metrics = (MetricSpec("latency_cycles", "cost + 1"), MetricSpec("area_mm2", "size / 16"))
    default_workload = "unit"
    #: cost added per colour
    PENALTY = {"red": 2.0, "green": 0.0, "blue": 1.0}

    def workloads(self) -> list[str]:
        return ["unit", "double"]

    def load_workload(self, workload: Any) -> str:
        if workload not in self.workloads():
            raise unknown_choice("workload", workload, self.workloads())
        return workload

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        if design["colour"] == "red" and design["size"] == 1:
            return Metrics.infeasible("red needs size >= 2")
        cost = (design["size"].bit_length() - 5) ** 2 + (design["count"] - 3) ** 2 + self.PENALTY[design["colour"]]
        scale = 2.0 if workload == "double" else 1.0
        return Metrics({"latency_cycles": scale * (cost + 1), "area_mm2": design["size"] / 16})
