"""Reinforcement-learning agents: exact budgets through SB3, the sequential wrapper, a tiny space solved."""

from __future__ import annotations

import gymnasium
import pytest

from archgym.agents import make_agent
from archgym.envs.wrappers import SequentialDesign
from archgym.errors import UserError

OPTIMUM = {"size": 16, "count": 3, "colour": "green"}


def test_ppo_finds_the_optimum_of_the_toy_space():
    history = make_agent("ppo").run(gymnasium.make("archgym-test/Toy-v0"), budget=250, seed=0)
    assert history.best.design == OPTIMUM
    late = [e.design == OPTIMUM for e in history.evaluations[-50:]]
    assert sum(late) >= 10  # the policy has concentrated on it, not stumbled on it once


def test_dqn_learns_per_knob_and_counts_designs_not_steps():
    env = gymnasium.make("archgym-test/Toy-v0")
    history = make_agent("dqn").run(env, budget=40, seed=0)
    assert len(history) == 40 == env.unwrapped.n_evaluations


def test_ppo_runs_on_an_env_already_in_per_knob_form():
    env = SequentialDesign(gymnasium.make("archgym-test/Toy-v0"))
    assert len(make_agent("ppo", n_steps=8, batch_size=8).run(env, budget=12, seed=0)) == 12


def test_one_shot_learners_reject_dict_actions_clearly():
    env = gymnasium.make("archgym-test/Toy-v0", action_format="dict")
    with pytest.raises(UserError, match="needs MultiDiscrete or Discrete actions.*SequentialDesign"):
        make_agent("a2c").run(env, budget=5, seed=0)
