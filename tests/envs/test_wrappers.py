"""The per-knob sequential wrapper over any DesignEnv."""

from __future__ import annotations

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from archgym.envs._registration import ENVS
from archgym.envs.wrappers import SequentialDesign
from archgym.errors import UserError


def toy(**kwargs):
    return SequentialDesign(gymnasium.make("archgym-test/Toy-v0", **kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"action_format": "dict"}, {"one_design_per_episode": True}])
def test_both_env_checkers_pass(kwargs):
    per_episode = kwargs.pop("one_design_per_episode", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checkers note that the env is wrapped
        gym_check_env(SequentialDesign(gymnasium.make("archgym-test/Toy-v0", **kwargs).unwrapped,
                                       one_design_per_episode=per_episode), skip_render_check=True)
        sb3_check_env(SequentialDesign(gymnasium.make("archgym-test/Toy-v0", **kwargs),
                                       one_design_per_episode=per_episode), warn=True)


def test_one_knob_per_step_and_one_evaluation_per_design():
    env = toy()
    space = env.unwrapped.design_space
    assert env.action_space == gymnasium.spaces.Discrete(8) and env.n_knobs == 3
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    # size: 8 values -> index a; count: 6 values -> a*6//8; colour: 3 values -> a*3//8
    choices = [4, 3, 4]  # size 16, count index 2 (=3), colour index 1 (=green)
    rewards = []
    for a in choices:
        obs, r, terminated, truncated, info = env.step(a)
        rewards.append(r)
    assert rewards[:2] == [0.0, 0.0] and env.unwrapped.n_evaluations == 1
    assert info["design"] == {"size": 16, "count": 3, "colour": "green"} and rewards[2] == 0.0
    assert obs[-3:].tolist() == [1.0, 0.0, 0.0] and (obs[-6:-3] == -1).all()
    assert {env.value_index(a, 2) for a in range(8)} == set(range(space["colour"].n))


def test_dict_action_base_and_episode_ends():
    env = toy(action_format="dict", max_steps=2)
    env.reset(seed=0)
    flags = []
    for _ in range(2 * env.n_knobs):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        flags.append(terminated or truncated)
    assert flags == [False, False, False, False, False, True]
    env = SequentialDesign(gymnasium.make("archgym-test/Toy-v0"), one_design_per_episode=True)
    env.reset(seed=0)
    flags = [env.step(0)[2] for _ in range(env.n_knobs)]
    assert flags == [False, False, True]


def test_bad_actions_and_non_design_envs_are_rejected():
    env = toy()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="outside Discrete"):
        env.step(8)
    with pytest.raises(UserError, match="wraps archgym design envs"):
        SequentialDesign(gymnasium.make("CartPole-v1"))


@pytest.mark.parametrize("env_id", sorted(ENVS))
def test_wraps_every_registered_env(env_id):
    try:
        inner = gymnasium.make(env_id)
    except (ImportError, ModuleNotFoundError) as exc:
        pytest.skip(f"{env_id} not importable yet: {exc}")
    env = SequentialDesign(inner)
    env.reset(seed=1)
    for _ in range(2 * env.n_knobs):
        obs, *_ = env.step(env.action_space.sample())
    assert env.unwrapped.n_evaluations == 2 and env.observation_space.contains(obs)
    assert np.isfinite(obs).all()
