"""Budgets mean what they say: hard by default, flagged, never the reported best while one within exists."""

from __future__ import annotations

import json
import math

import gymnasium
import numpy as np
import pytest

from archgym.agents import make_agent
from archgym.history import Evaluation, History
from archgym.sweep.analysis import _nanquantile

#: the toy's optimum (size 16: latency 1, area 1) is over this budget; size 8 is within (latency 2, area 0.5)
BUDGET = "area_mm2<=0.5"
OPTIMUM = {"size": 16, "count": 3, "colour": "green"}
WITHIN = {"size": 8, "count": 3, "colour": "green"}


def _step(env, design):
    env.reset(seed=0)
    return env.step(env.unwrapped.design_space.encode(design))


@pytest.mark.parametrize("budgets", [BUDGET, "penalty=0.01:" + BUDGET])
def test_best_is_within_budget_whatever_the_form(budgets):
    env = gymnasium.make("archgym-test/Toy-v0", objective="minimize:latency_cycles;" + budgets)
    history = History()
    env.unwrapped.listeners.append(history.add)
    _, r_over, terminated, _, info_over = _step(env, OPTIMUM)
    _, r_within, _, _, info_within = _step(env, WITHIN)
    assert not info_over["within_budget"] and info_within["within_budget"] and info_over["feasible"]
    assert not terminated and not info_over["target_met"]  # a minimize objective has no goal to reach
    if budgets.startswith("penalty"):
        assert r_over == pytest.approx(-0.01 * 1.0) and r_over > r_within  # the penalty form lets it outrank
    else:
        assert r_over == pytest.approx(-1000 - 1.0) and r_over < r_within
    assert history.best.design == WITHIN and history.best.within_budget
    assert history.summary()["best"]["within_budget"] and history.summary()["within_budget"] == 1
    assert np.array_equal(history.best_so_far(), [np.nan, r_within], equal_nan=True)


def test_infeasible_reward_override_applies_to_designs_over_budget():
    env = gymnasium.make("archgym-test/Toy-v0", objective="minimize:latency_cycles;" + BUDGET,
                         infeasible_reward=-5.0)
    _, reward, _, _, _ = _step(env, OPTIMUM)
    assert reward == pytest.approx(-5.0 - 1.0)
    _, reward, _, _, _ = _step(env, {"size": 1, "colour": "red"})
    assert reward == -5.0


def test_over_budget_best_is_flagged_when_nothing_is_within():
    ev = [Evaluation(i, {"x": i}, {"area_mm2": 9.0}, True, "", -1000.0 - i, within_budget=False) for i in (1, 2)]
    history = History(evaluations=ev)
    assert history.best.step == 1 and not history.best.within_budget
    assert history.summary()["best"]["within_budget"] is False
    assert np.isnan(history.best_so_far()).all()


def test_cli_flags_an_over_budget_best(tmp_path, run_cli):
    code, out, _ = run_cli(["run", "--env", "archgym-test/Toy-v0", "--agent", "random", "--budget", "10",
                            "--objective", "minimize:latency_cycles;area_mm2<=0.001", "--out", str(tmp_path / "r"),
                            "--quiet"])
    assert code == 0 and "OVER BUDGET" in out
    assert json.loads((tmp_path / "r" / "best.json").read_text())["best"]["within_budget"] is False


def test_accelerator_default_objective_reports_a_design_within_its_area_budget():
    env = gymnasium.make("archgym/Accelerator-v1")
    history = make_agent("random").run(env, budget=60, seed=0)
    assert history.best.within_budget and history.best.metrics["area_mm2"] <= 8
    over = [e for e in history if e.feasible and e.metrics["area_mm2"] > 8]
    assert over and all(not e.within_budget and e.reward < history.best.reward for e in over)


def test_sweep_median_curve_never_decreases():
    """Trials without a feasible design yet count as the worst, not as missing (the median used to fall)."""
    curves = np.array([[np.nan, np.nan, np.nan, 1.0],
                       [9.0, 9.0, 9.0, 9.0],
                       [np.nan, 2.0, 2.0, 2.0]])
    lo, mid, hi = _nanquantile(curves, [0.25, 0.5, 0.75])
    assert math.isnan(mid[0]) and list(mid[1:]) == [2.0, 2.0, 2.0]  # was 9, then 5.5, 5.5, 2
    for band in (lo, mid, hi):
        seen = band[~np.isnan(band)]
        assert np.all(np.diff(seen) >= 0) and not np.isnan(band[np.argmax(~np.isnan(band)):]).any()


def test_sweep_trial_reports_no_result_over_budget_and_success_only_for_goals():
    from archgym.sweep.plan import Trial
    from archgym.sweep.trial import run_trial

    def trial(objective: str) -> dict:
        return run_trial(Trial("archgym-test/Toy-v0", 0, {"objective": objective}, "random", {}, 0, 12).to_dict())

    impossible = trial("minimize:latency_cycles;area_mm2<=0.001")
    assert impossible["status"] == "ok" and impossible["best_reward"] is None
    assert impossible["best_so_far"] == [None] * 12 and not impossible["has_goal"]
    budgeted = trial("minimize:latency_cycles;area_mm2<=4")  # every design within: still no goal, no "success"
    assert budgeted["best_reward"] is not None and not budgeted["has_goal"] and budgeted["target_met_step"] is None
    goal = trial("target:latency_cycles=1000")
    assert goal["has_goal"] and goal["target_met_step"] == 1


def test_sweep_report_counts_trials_without_a_result():
    import pandas as pd

    from archgym.sweep.analysis import best_reward_table

    df = pd.DataFrame({"env": ["e"] * 4, "agent": ["a"] * 4, "hp": ["{}"] * 4,
                       "status": ["ok", "ok", "ok", "failed"], "best_reward": [1.0, np.nan, 3.0, np.nan]})
    row = best_reward_table(df).iloc[0]
    assert (row["trials"], row["failed"], row["no_result"], row["median"]) == (4, 1, 1, 2.0)
