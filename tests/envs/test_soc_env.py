"""archgym/SoC-v1 passes both env checkers and rewards designs against FARSI's budgets."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import archgym  # noqa: F401  (registers the ids)


@pytest.mark.parametrize("workload", ["audio_decoder", "edge_detection", "hpvm_cava"])
@pytest.mark.parametrize("mapping", ["heft", "agent"])
def test_checkers(workload, mapping):
    env = gymnasium.make("archgym/SoC-v1", workload=workload, mapping=mapping)
    gym_check_env(env.unwrapped, skip_render_check=True)
    sb3_check_env(gymnasium.make("archgym/SoC-v1", workload=workload, mapping=mapping), warn=True)


def test_dict_actions():
    env = gymnasium.make("archgym/SoC-v1", workload="audio_decoder", action_format="dict")
    gym_check_env(env.unwrapped, skip_render_check=True)


def test_step_info_and_budget_reward():
    env = gymnasium.make("archgym/SoC-v1", workload="audio_decoder")
    env.reset(seed=0)
    space = env.unwrapped.design_space
    _, reward, terminated, truncated, info = env.step(space.encode(space.defaults()))
    assert info["feasible"] and reward > 0
    assert set(env.unwrapped.objective.metrics) == {"latency_s", "power_w", "area_mm2"}
    assert info["metrics"]["latency_s"] == pytest.approx(env.unwrapped.evaluate(space.defaults())["latency_s"])
    assert "slack_latency_s" in info["metrics"]


def test_agent_mode_infeasible_is_reported():
    env = gymnasium.make("archgym/SoC-v1", workload="audio_decoder", mapping="agent")
    env.reset(seed=0)
    space = env.unwrapped.design_space
    d = {**space.defaults(), "pe_FIR_left_fxp_cloned": "A53_2"}
    _, reward, _, _, info = env.step(space.encode(d))
    assert not info["feasible"] and "A53_2" in info["reason"]
    assert reward == env.unwrapped.objective.infeasible_reward


def test_docstring_has_knob_table():
    from archgym.envs.soc import SoCEnv

    assert "| `a53_cores` |" in SoCEnv.__doc__ and "{knob_table}" not in SoCEnv.__doc__


def test_vector_env():
    envs = gymnasium.make_vec("archgym/SoC-v1", num_envs=3, workload="SOC_example_8p")
    envs.reset(seed=1)
    obs, rew, *_ = envs.step(envs.action_space.sample())
    assert obs.shape[0] == 3 and np.all(np.isfinite(rew))


@pytest.mark.parametrize("agent", ["random", "ga", "aco", "tpe"])
@pytest.mark.parametrize("mapping", ["heft", "agent"])
def test_agents_run(agent, mapping):
    from archgym.agents import make_agent

    env = gymnasium.make("archgym/SoC-v1", workload="audio_decoder", mapping=mapping)
    history = make_agent(agent).run(env, budget=30, seed=0)
    assert len(history) == 30
