"""Pareto fronts and hypervolume; nsga2 on a multi-objective objective."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from archgym.agents import make_agent
from archgym.agents.pareto import ParetoHistory, hypervolume, pareto_mask


def test_pareto_mask_and_hypervolume_by_hand():
    pts = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0], [2.0, 2.0]])
    assert pareto_mask(pts).tolist() == [True, True, True, False, False]
    # staircase under (5, 5): 1x4... computed column by column: x in [1,2):1, [2,4):3 each, [4,5):4 -> 1+6+4
    assert hypervolume(pts, [5.0, 5.0]) == pytest.approx(11.0)
    assert hypervolume(pts, [0.5, 0.5]) == 0.0
    cube = np.array([[0.0, 0.0, 0.0]])
    assert hypervolume(cube, [2.0, 3.0, 4.0]) == pytest.approx(24.0)
    two = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])  # union of 2x1x1 boxes... volumes 1*1*1 + 1*2*2 - overlap
    assert hypervolume(two, [2.0, 2.0, 2.0]) == pytest.approx(2 * 1 * 1 + 1 * 2 * 2 - 1 * 1 * 1)


def test_nsga2_returns_a_front_of_non_dominated_designs_and_its_hypervolume():
    env = gymnasium.make("archgym-test/Toy-v0", objective="pareto:latency_cycles,area_mm2")
    history = make_agent("nsga2", population=10).run(env, budget=80, seed=0)
    assert isinstance(history, ParetoHistory)
    front = history.pareto_front()
    assert front.metrics == ("latency_cycles", "area_mm2") and len(front) >= 2
    assert pareto_mask(front.vectors).all()
    every = np.array([[e.metrics["latency_cycles"], e.metrics["area_mm2"]] for e in history if e.feasible])
    for v in every:  # nothing evaluated dominates a front point
        assert not np.any(np.all(v <= front.vectors, axis=1) & np.any(v < front.vectors, axis=1))
    ref = {"latency_cycles": 100.0, "area_mm2": 10.0}
    assert history.hypervolume(ref) > 0 and history.hypervolume(ref, log=True) > 0
    assert history.summary()["hypervolume"] == pytest.approx(history.hypervolume())
    assert {"design", "vector", "step"} <= set(history.summary()["pareto_front"][0])


def test_nsga2_beats_random_hypervolume_and_respects_budgets():
    objective = "pareto:latency_cycles,area_mm2;area_mm2<=4"
    ref = {"latency_cycles": 60.0, "area_mm2": 8.0}

    def hv(agent: str, seed: int) -> float:
        env = gymnasium.make("archgym-test/Separable-v0", objective=objective)
        h = make_agent(agent, **({"population": 10} if agent == "nsga2" else {})).run(env, budget=150, seed=seed)
        h = h if isinstance(h, ParetoHistory) else ParetoHistory.of(h)
        assert all(e.metrics["area_mm2"] <= 4 for e in h.pareto_front().evaluations)
        return h.hypervolume(ref, log=True)

    assert np.median([hv("nsga2", s) for s in range(3)]) > np.median([hv("random", s) for s in range(5)])


def test_front_maximises_higher_is_better_metrics():
    """pareto: honours MetricSpec.lower_is_better: DRAM bandwidth is maximised, latency minimised."""
    env = gymnasium.make("archgym/DRAM-v1", objective="pareto:latency_ns,bandwidth_gbps")
    assert env.unwrapped.objective.spec() == "pareto:latency_ns,max:bandwidth_gbps"
    history = ParetoHistory.of(make_agent("random").run(env, budget=24, seed=0))
    front = history.pareto_front()
    lat = np.array([e.metrics["latency_ns"] for e in history if e.feasible])
    bw = np.array([e.metrics["bandwidth_gbps"] for e in history if e.feasible])
    for e in front.evaluations:  # nothing evaluated is both faster and higher-bandwidth
        lt, b = e.metrics["latency_ns"], e.metrics["bandwidth_gbps"]
        assert not np.any((lat <= lt) & (bw >= b) & ((lat < lt) | (bw > b)))
    assert np.all(front.vectors[:, 1] < 0)
    ref = history.reference_point()
    assert ref["bandwidth_gbps"] > front.vectors[:, 1].max()  # the reference is worse than every point
    assert history.hypervolume() > 0 and history.hypervolume(log=True) > 0
