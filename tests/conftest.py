"""Shared fixtures: the toy env of the recipe (:mod:`archgym.examples.toy`) and a larger separable simulator."""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium
import pytest

from archgym.envs.design_env import DesignEnv, vector_factory
from archgym.errors import unknown_choice
from archgym.examples.toy.env import register as register_toy
from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator
from archgym.space import ParameterSpace, categorical, integer, pow2

register_toy()


@pytest.fixture
def run_cli(capsys):
    """Run ``archgym`` in-process: ``run_cli(args) -> (exit code, stdout, stderr)``."""
    from archgym.cli import main

    def run(args: list[str]) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(args)
            raise SystemExit(0)
        out = capsys.readouterr()
        return exc.value.code, out.out, out.err

    return run


@pytest.fixture
def toy_env():
    env = gymnasium.make("archgym-test/Toy-v0")
    yield env
    env.close()


class SeparableSimulator(Simulator):
    """A larger separable cost with a known optimum, for search-quality tests (190,080 designs).

    cost = sum over ordered knobs of (index distance to the optimum / knob size)^2 * 10
           + a penalty per categorical label; ``width=1024`` with ``depth=256`` is infeasible.
    Optimum: width=32, lanes=11, stages=2, mode='b', kind='y', depth=64, with cost 0 (latency 1).
    """

    name = "separable"
    version = "1"
    space = ParameterSpace([
        pow2("width", 1, 1024, default=1, help="power-of-two size (optimum 32)"),
        integer("lanes", list(range(1, 17)), default=1, help="ordered count (optimum 11)"),
        integer("stages", list(range(10)), default=0, help="ordered count (optimum 2)"),
        categorical("mode", ["a", "b", "c", "d"], default="a", help="label (optimum 'b')"),
        categorical("kind", ["x", "y", "z"], default="x", help="label (optimum 'y')"),
        pow2("depth", 1, 256, default=1, help="power-of-two size (optimum 64)"),
    ])
    metrics = (MetricSpec("latency_cycles", "cost + 1"), MetricSpec("area_mm2", "width * depth / 1024"))
    default_workload = "unit"
    OPTIMUM = {"width": 32, "lanes": 11, "stages": 2, "mode": "b", "kind": "y", "depth": 64}
    MODE_PENALTY = {"a": 3.0, "b": 0.0, "c": 1.5, "d": 2.0}
    KIND_PENALTY = {"x": 2.0, "y": 0.0, "z": 1.0}

    def workloads(self) -> list[str]:
        return ["unit"]

    def load_workload(self, workload: Any) -> str:
        if workload not in self.workloads():
            raise unknown_choice("workload", workload, self.workloads())
        return workload

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        if design["width"] == 1024 and design["depth"] == 256:
            return Metrics.infeasible("width 1024 with depth 256 does not fit")
        cost = self.MODE_PENALTY[design["mode"]] + self.KIND_PENALTY[design["kind"]]
        for knob in self.space:
            if knob.ordered:
                d = knob.index(design[knob.name]) - knob.index(self.OPTIMUM[knob.name])
                cost += 10.0 * (d / knob.n) ** 2
        return Metrics({"latency_cycles": 1.0 + cost, "area_mm2": design["width"] * design["depth"] / 1024})


class SeparableEnv(DesignEnv):
    """Separable synthetic env for search-quality tests."""

    env_id = "archgym-test/Separable-v0"
    default_objective = "minimize:latency_cycles"

    def __init__(self, **kwargs: Any):
        super().__init__(SeparableSimulator(), **kwargs)


if "archgym-test/Separable-v0" not in gymnasium.registry:
    gymnasium.register("archgym-test/Separable-v0", entry_point=SeparableEnv,
                       vector_entry_point=vector_factory(SeparableEnv))
