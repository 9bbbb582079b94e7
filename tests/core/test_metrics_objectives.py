"""Metrics and objectives: units, infeasibility, rewards computed by hand."""

from __future__ import annotations

import math

import pytest

from archgym.errors import UserError
from archgym.metrics import Metrics, unit_of
from archgym.objectives import TARGET_CAP, Constrained, Minimize, TargetSpec, WeightedSum, parse_objective


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


def test_constrained_penalty_by_hand():
    obj = parse_objective("minimize:latency_cycles;area_mm2<=4")
    assert isinstance(obj, Constrained) and isinstance(obj.base, Minimize)
    assert obj.reward(Metrics({"latency_cycles": 100, "area_mm2": 3})) == pytest.approx(-2)
    assert obj.reward(Metrics({"latency_cycles": 100, "area_mm2": 6})) == pytest.approx(-2 - 10 * 0.5)
    assert obj.met(Metrics({"latency_cycles": 100, "area_mm2": 4}))
    assert not obj.met(Metrics({"latency_cycles": 100, "area_mm2": 4.1}))


@pytest.mark.parametrize("spec", ["target:latency_cycles=2e6,area_mm2=4", "target-norm:latency_cycles=1",
                                  "minimize:latency_cycles", "weighted:energy_pj=0.5",
                                  "pareto:latency_cycles,energy_pj", "minimize:latency_cycles;area_mm2<=4"])
def test_spec_round_trips(spec):
    assert parse_objective(parse_objective(spec).spec()).spec() == parse_objective(spec).spec()


@pytest.mark.parametrize("spec, words", [
    ("fastest", "KIND:ARGS"),
    ("best:latency_cycles", "valid kinds: target, target-norm, minimize, weighted, pareto"),
    ("target:latency_cycles", "metric=number"),
    ("target:latency_cycles=abc", "'abc' is not a number"),
    ("target:latency_cycles=-1", "positive"),
    ("minimize:", "at least one"),
])
def test_bad_objective_strings(spec, words):
    with pytest.raises(UserError, match=words):
        parse_objective(spec)


def test_objective_checks_metric_names():
    with pytest.raises(UserError, match="unknown metric 'latency_ns'.*latency_cycles"):
        TargetSpec({"latency_ns": 3}).check_metrics(["latency_cycles", "area_mm2"])
    WeightedSum({"area_mm2": 1}).check_metrics(["area_mm2"])
