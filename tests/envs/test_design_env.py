"""DesignEnv on the toy simulator: checkers, info, plain evaluate, vector env, determinism."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from archgym.agents import make_agent


def test_both_env_checkers_pass(toy_env):
    gym_check_env(toy_env.unwrapped, skip_render_check=True)
    sb3_check_env(gymnasium.make("archgym-test/Toy-v0"), warn=True)
    gym_check_env(gymnasium.make("archgym-test/Toy-v0", action_format="dict").unwrapped)


def test_step_reports_design_metrics_and_reward(toy_env):
    obs, info = toy_env.reset(seed=0)
    assert not obs.any() and info == {}
    base = toy_env.unwrapped
    action = base.design_space.encode({"size": 16, "count": 3, "colour": "green"})
    obs, reward, terminated, truncated, info = toy_env.step(action)
    assert info["design"] == {"size": 16, "count": 3, "colour": "green"}
    assert info["metrics"] == {"latency_cycles": 1.0, "area_mm2": 1.0}
    assert info["feasible"] and reward == 0.0 == -np.log10(1.0)
    assert list(obs[-2:]) == [1.0, 0.0] and obs[0] == 0.0 and obs[1] == 0.0  # feasible; log10(1) = 0


def test_infeasible_design_is_reported_not_crashed(toy_env):
    toy_env.reset(seed=0)
    base = toy_env.unwrapped
    _, reward, _, _, info = toy_env.step(base.design_space.encode({"size": 1, "colour": "red"}))
    assert not info["feasible"] and info["reason"] == "red needs size >= 2"
    assert reward == base.objective.infeasible_reward and info["metrics"] == {}


def test_plain_evaluate_takes_knob_names_and_defaults(toy_env):
    base = toy_env.unwrapped
    m = base.evaluate({"size": 16})
    assert m["latency_cycles"] == 1 + 4 + 1 + 0  # count default 1 -> 4, colour default blue -> 1
    with pytest.raises(ValueError, match="'size': 3 is not allowed"):
        base.evaluate({"size": 3})
    assert base.n_evaluations == 0


def test_truncation_after_max_steps():
    env = gymnasium.make("archgym-test/Toy-v0", max_steps=3)
    env.reset(seed=0)
    flags = [env.step(env.action_space.sample())[3] for _ in range(3)]
    assert flags == [False, False, True]


def test_target_met_terminates():
    env = gymnasium.make("archgym-test/Toy-v0", objective="target:latency_cycles=1")
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(env.unwrapped.design_space.encode({"size": 16, "count": 3,
                                                                                 "colour": "green"}))
    assert terminated and info["target_met"]


def test_unknown_workload_lists_choices():
    with pytest.raises(ValueError, match="unknown workload 'triple'; valid choices: unit, double"):
        gymnasium.make("archgym-test/Toy-v0", workload="triple")


def test_make_vec_uses_batch_form_and_matches_single():
    venv = gymnasium.make_vec("archgym-test/Toy-v0", num_envs=4, max_steps=2)
    obs, _ = venv.reset(seed=1)
    assert obs.shape == (4, 4)  # 2 metrics, feasible and infeasible flags
    actions = venv.action_space.sample()
    obs, rewards, term, trunc, infos = venv.step(actions)
    single = gymnasium.make("archgym-test/Toy-v0")
    single.reset(seed=0)
    for i in range(4):
        assert single.step(actions[i])[1] == rewards[i]
    obs, rewards, term, trunc, infos = venv.step(actions)
    assert trunc.all() and "final_obs" in infos and not obs.any()


def test_same_seed_same_trajectory():
    runs = [make_agent("random").run(gymnasium.make("archgym-test/Toy-v0"), budget=40, seed=7) for _ in range(2)]
    assert runs[0].fingerprint() == runs[1].fingerprint()
    other = make_agent("random").run(gymnasium.make("archgym-test/Toy-v0"), budget=40, seed=8)
    assert other.fingerprint() != runs[0].fingerprint()
