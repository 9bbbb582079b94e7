"""Metrics and objectives: units, infeasibility, rewards computed by hand."""

from __future__ import annotations

import math

import pytest

from archgym.errors import UserError
from archgym.metrics import Metrics, MetricSpec, unit_of
from archgym.objectives import (
    INFEASIBLE_NEGATIVE,
    TARGET_CAP,
    Constrained,
    Minimize,
    Objective,
    TargetSpec,
    WeightedSum,
    parse_objective,
)


def test_units_follow_suffix_convention():
    assert [unit_of(n) for n in ("latency_cycles", "latency_ns", "energy_pj", "power_mw", "power_w",
                                 "area_mm2", "bandwidth_gbps", "dram_bytes", "utilization")] == [
        "cycles", "ns", "pJ", "mW", "W", "mm²", "GB/s", "bytes", ""]


def test_metrics_is_read_only_mapping_with_feasibility():
    m = Metrics({"latency_cycles": 10})
    assert dict(m) == {"latency_cycles": 10.0} and m.feasible and m.reason == ""
    with pytest.raises(TypeError):
        m["latency_cycles"] = 3  # type: ignore[index]
    bad = Metrics.infeasible("tile does not fit")
    assert not bad.feasible and bad.reason == "tile does not fit"
    with pytest.raises(KeyError, match="infeasible"):
        bad["latency_cycles"]
    with pytest.raises(ValueError):
        Metrics({}, feasible=False)


def test_from_floats_is_the_same_result_as_the_constructor():
    values = {"latency_cycles": 1200.0, "area_mm2": 1.5}
    fast, plain = Metrics.from_floats(dict(values)), Metrics(values)
    assert fast == plain and fast.feasible and fast.reason == "" and not fast.predicted
    assert fast.to_dict() == values and Metrics.from_floats(dict(values), predicted=True).predicted


def test_target_spec_reward_by_hand():
    obj = parse_objective("target:latency_cycles=100,area_mm2=4")
    m = Metrics({"latency_cycles": 150, "area_mm2": 5})
    assert obj.reward(m) == pytest.approx((100 / 50) * (4 / 1))
    assert obj.reward(Metrics({"latency_cycles": 100, "area_mm2": 4})) == TARGET_CAP ** 2
    assert obj.reward(Metrics.infeasible("x")) == 0.0
    assert obj.met(Metrics({"latency_cycles": 90, "area_mm2": 4.1}))
    assert not obj.met(Metrics({"latency_cycles": 120, "area_mm2": 4}))


def test_bounded_target_never_divides_by_zero():
    obj = parse_objective("target-norm:latency_cycles=100")
    assert obj.reward(Metrics({"latency_cycles": 100})) == 1.0
    assert obj.reward(Metrics({"latency_cycles": 300})) == pytest.approx(1 / 3)
    assert obj.reward(Metrics({"latency_cycles": 0})) == pytest.approx(0.5)


def test_minimize_is_log_product_and_weighted_is_linear():
    m = Metrics({"latency_cycles": 1e3, "energy_pj": 1e2})
    assert parse_objective("minimize:latency_cycles,energy_pj").reward(m) == pytest.approx(-5.0)
    assert parse_objective("weighted:latency_cycles=1,energy_pj=0.5").reward(m) == pytest.approx(-1050)
    p = parse_objective("pareto:latency_cycles,energy_pj")
    assert p.vector(m) == (1e3, 1e2)
    assert p.vector(Metrics.infeasible("x")) == (math.inf, math.inf)


def test_budgets_are_hard_by_default():
    obj = parse_objective("minimize:latency_cycles;area_mm2<=4")
    within, over, far = (Metrics({"latency_cycles": lat, "area_mm2": a}) for lat, a in ((1e9, 3), (1, 6), (1, 8)))
    assert obj.reward(within) == pytest.approx(-9)
    # over budget: infeasible_reward minus the relative excess, below any design within budget
    assert obj.reward(over) == pytest.approx(-1000 - 0.5) and obj.reward(far) == pytest.approx(-1000 - 1)
    assert obj.reward(over) < obj.reward(within) and obj.reward(far) < obj.reward(over)
    assert obj.value(over) == pytest.approx(0) and obj.excess(over) == pytest.approx(0.5)
    assert obj.within_budget(within) and not obj.within_budget(over)
    assert obj.budgets == {"area_mm2": 4} and obj.constraint_values(over) == {"area_mm2": pytest.approx(0.5)}
    assert obj.optimized_metrics == ("latency_cycles",) and obj.metrics == ("latency_cycles", "area_mm2")


def test_penalty_form_by_hand():
    obj = parse_objective("minimize:latency_cycles;penalty:area_mm2<=4")
    assert isinstance(obj, Constrained) and isinstance(obj.base, Minimize) and not obj.hard
    assert obj.reward(Metrics({"latency_cycles": 100, "area_mm2": 3})) == pytest.approx(-2)
    assert obj.reward(Metrics({"latency_cycles": 100, "area_mm2": 6})) == pytest.approx(-2 - 10 * 0.5)
    heavy = parse_objective("minimize:latency_cycles;penalty=50:area_mm2<=4")
    assert heavy.reward(Metrics({"latency_cycles": 100, "area_mm2": 6})) == pytest.approx(-2 - 50 * 0.5)


@pytest.mark.parametrize("spec, goal", [
    ("target:latency_cycles=100", True), ("target-norm:latency_cycles=100;area_mm2<=4", True),
    ("minimize:latency_cycles", False), ("minimize:latency_cycles;area_mm2<=4", False),
    ("weighted:latency_cycles=1;area_mm2<=4", False), ("pareto:latency_cycles,area_mm2", False),
])
def test_success_is_defined_per_objective_kind(spec, goal):
    obj = parse_objective(spec)
    easy = Metrics({"latency_cycles": 90, "area_mm2": 1})
    assert obj.has_goal is goal and obj.met(easy) is goal
    assert not obj.met(Metrics({"latency_cycles": 200, "area_mm2": 5}))  # over target or budget, or no goal


def test_target_with_budget_is_met_only_within_budget():
    obj = parse_objective("target:latency_cycles=100;area_mm2<=4")
    assert obj.met(Metrics({"latency_cycles": 90, "area_mm2": 4}))
    assert not obj.met(Metrics({"latency_cycles": 90, "area_mm2": 4.1}))


def test_pareto_honours_lower_is_better():
    specs = [MetricSpec("latency_ns"), MetricSpec("bandwidth_gbps", lower_is_better=False)]
    obj = parse_objective("pareto:latency_ns,bandwidth_gbps").bind(specs)
    m = Metrics({"latency_ns": 10.0, "bandwidth_gbps": 4.0})
    assert obj.vector(m) == (10.0, -4.0) and obj.spec() == "pareto:latency_ns,max:bandwidth_gbps"
    assert obj.reward(m) == pytest.approx(-1 + math.log10(4))
    assert parse_objective(obj.spec()).vector(m) == (10.0, -4.0)
    # minimize: does what it says unless max: asks otherwise
    assert parse_objective("minimize:latency_ns,bandwidth_gbps").bind(specs).vector(m) == (10.0, 4.0)
    assert parse_objective("minimize:max:bandwidth_gbps").reward(m) == pytest.approx(math.log10(4))


@pytest.mark.parametrize("spec", ["target:latency_cycles=2e6,area_mm2=4", "target-norm:latency_cycles=1",
                                  "minimize:latency_cycles", "weighted:energy_pj=0.5",
                                  "pareto:latency_cycles,energy_pj", "minimize:latency_cycles;area_mm2<=4",
                                  "minimize:latency_cycles;penalty:area_mm2<=4",
                                  "weighted:energy_pj=2;penalty=3:area_mm2<=4", "pareto:a,max:b"])
def test_spec_round_trips(spec):
    assert parse_objective(parse_objective(spec).spec()).spec() == parse_objective(spec).spec()


@pytest.mark.parametrize("spec, words", [
    ("fastest", "KIND:ARGS"),
    ("best:latency_cycles", "valid kinds: target, target-norm, minimize, weighted, pareto"),
    ("target:latency_cycles", "metric=number"),
    ("target:latency_cycles=abc", "'abc' is not a number"),
    ("target:latency_cycles=-1", "positive"),
    ("minimize:", "at least one"),
    ("weighted:latency_cycles=nan", "'latency_cycles' must be a finite number"),
    ("weighted:latency_cycles=inf", "'latency_cycles' must be a finite number"),
    ("target:latency_cycles=nan", "'latency_cycles' must be a finite number"),
    ("minimize:latency_cycles;area_mm2<=nan", "'area_mm2' must be a finite number"),
    ("minimize:latency_cycles;penalty=nan:area_mm2<=4", "penalty must be a finite number"),
    ("minimize:latency_cycles;penalty=-1:area_mm2<=4", "penalty must be a positive number"),
    ("minimize:latency_cycles;soft:area_mm2<=4", "penalty\\[=W\\]"),
])
def test_bad_objective_strings(spec, words):
    with pytest.raises(UserError, match=words):
        parse_objective(spec)


def test_objective_checks_metric_names():
    with pytest.raises(UserError, match="unknown metric 'latency_ns'.*latency_cycles"):
        TargetSpec({"latency_ns": 3}).check_metrics(["latency_cycles", "area_mm2"])
    WeightedSum({"area_mm2": 1}).check_metrics(["area_mm2"])


@pytest.mark.parametrize("value", [math.nan, math.inf, "abc"])
def test_infeasible_reward_must_be_finite(value):
    with pytest.raises(UserError, match="infeasible_reward must be a"):
        parse_objective("minimize:latency_cycles").with_infeasible_reward(value)
    with pytest.raises(UserError, match="infeasible_reward must be a"):
        Minimize(("latency_cycles",), infeasible_reward=value)


def test_a_plain_objective_subclass_works_in_an_env():
    """Objectives need not be dataclasses: overriding infeasible_reward copies them."""
    import gymnasium

    class Area(Objective):
        metrics = ("area_mm2",)

        def _reward(self, metrics):
            return -metrics["area_mm2"]

        def spec(self):
            return "custom-area"

    env = gymnasium.make("archgym-test/Toy-v0", objective=Area(), infeasible_reward=-7)
    assert env.unwrapped.objective.infeasible_reward == -7 and Area.infeasible_reward == INFEASIBLE_NEGATIVE
    assert not env.unwrapped.objective.has_goal and env.unwrapped.objective.budgets == {}
