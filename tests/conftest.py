"""Shared fixtures: a tiny simulator with a known optimum, for testing the core without a real model."""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium
import pytest

from archgym.envs.design_env import DesignEnv, vector_factory
from archgym.errors import unknown_choice
from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator
from archgym.space import ParameterSpace, categorical, integer, pow2


class ToySimulator(Simulator):
    """A separable cost with a known optimum: cost = (log2(size) - 4)^2 + (count - 3)^2 + colour penalty.

    ``size=1`` with ``colour='red'`` is infeasible ("red needs size >= 2").
    The optimum is size=16, count=3, colour='green' with cost 0 (latency 1).
    """

    name = "toy"
    version = "1"
    space = ParameterSpace([
        pow2("size", 1, 128, default=8, unit="B", help="a power-of-two size"),
        integer("count", [1, 2, 3, 4, 5, 6], default=1, help="an ordered count"),
        categorical("colour", ["red", "green", "blue"], default="blue", help="a label"),
    ])
    metrics = (MetricSpec("latency_cycles", "cost + 1"), MetricSpec("area_mm2", "size / 16"))
    default_workload = "unit"
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


class ToyEnv(DesignEnv):
    """Toy env for tests."""

    env_id = "archgym-test/Toy-v0"
    default_objective = "minimize:latency_cycles"

    def __init__(self, **kwargs: Any):
        super().__init__(ToySimulator(), **kwargs)


if "archgym-test/Toy-v0" not in gymnasium.registry:
    gymnasium.register("archgym-test/Toy-v0", entry_point=ToyEnv, vector_entry_point=vector_factory(ToyEnv))


@pytest.fixture
def toy_env():
    env = gymnasium.make("archgym-test/Toy-v0")
    yield env
    env.close()
