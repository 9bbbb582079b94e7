"""check_simulator: every registered env's simulator keeps the contract, and broken ones are told what to fix."""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium
import pytest

from archgym import check_simulator
from archgym.examples.toy import ToySimulator
from archgym.metrics import Metrics, MetricSpec
from archgym.registry import env_ids
from archgym.simulator_check import SimulatorContractError


@pytest.mark.parametrize("env_id", env_ids())
def test_every_registered_envs_simulator_keeps_the_contract(env_id):
    """Iterates the registry, so an env added later is checked without touching this test.

    The test envs' simulators live beside their envs (conftest), so only their imports go unchecked.
    """
    env = gymnasium.make(env_id)
    try:
        base = env.unwrapped
        assert hasattr(base, "simulator"), f"{env_id} is not a DesignEnv: it has no .simulator to check"
        check_simulator(base.simulator, base.workload, samples=8, imports=not env_id.startswith("archgym-test/"))
    finally:
        env.close()


class _Broken(ToySimulator):
    """The toy with every fault the checker looks for, switched on by a flag."""

    def __init__(self, fault: str):
        self.fault = fault
        self.calls = 0

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        m = super().evaluate(design, workload)
        self.calls += 1
        if self.fault == "extra" and m.feasible:
            return Metrics({**m, "power_mw": 1.0})
        if self.fault == "nondeterministic" and m.feasible:
            return Metrics({**m, "area_mm2": m["area_mm2"] + self.calls})
        if self.fault == "nan" and m.feasible:
            return Metrics({**m, "area_mm2": float("nan")})
        return m

    def evaluate_batch(self, designs, workload):
        out = [ToySimulator.evaluate(self, d, workload) for d in designs]
        if self.fault == "batch":
            out[-1] = Metrics({k: v * 1.000001 for k, v in out[-1].items()}) if out[-1].feasible else out[-1]
        return out


@pytest.mark.parametrize("fault, message", [
    ("extra", r"undeclared power_mw\); declare each returned metric once with its unit"),
    ("nondeterministic", "evaluate is not deterministic"),
    ("nan", "non-finite area_mm2 .* Metrics.infeasible"),
    ("batch", "evaluate_batch differs from evaluate"),
])
def test_faults_are_named_with_what_to_fix(fault, message):
    with pytest.raises(SimulatorContractError, match=message):
        check_simulator(_Broken(fault), "unit", imports=False)


def test_declaration_faults():
    class NoVersion(ToySimulator):
        version = ""
        metrics = (MetricSpec("latency_cycles"), MetricSpec("Area"))

    with pytest.raises(SimulatorContractError) as exc:
        check_simulator(NoVersion(), imports=False)
    text = str(exc.value)
    assert "set the class attribute `version`" in text and "metric 'Area': use a snake_case name" in text


def test_the_toy_of_the_recipe_passes_and_a_gymnasium_import_is_named():
    check_simulator(ToySimulator(), "double")
    with pytest.raises(SimulatorContractError, match=r"test_simulator_check.py:\d+ imports gymnasium"):
        check_simulator(_Broken("none"), "unit")  # defined in this file, which imports gymnasium
