"""Every agent honours the contract: exact budget, same seed same trajectory, runs on every registered env."""

from __future__ import annotations

import gymnasium
import pytest

from archgym.agents import AGENTS, make_agent
from archgym.envs._registration import ENVS

#: small hyperparameters that make the learners act within tiny budgets
FAST = {"ga": {"population": 4}, "nsga2": {"population": 4}, "aco": {"ants": 4}, "tpe": {"startup": 4},
        "gp": {"startup": 8}, "cmaes": {"popsize": 4}, "ppo": {"n_steps": 4, "batch_size": 4},
        "a2c": {"n_steps": 2}, "dqn": {"learning_starts": 4}}


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_budget_is_exact_and_seed_reproduces_the_history(agent):
    def run(seed: int):
        env = gymnasium.make("archgym-test/Toy-v0", max_steps=4)
        history = make_agent(agent, **FAST.get(agent, {})).run(env, budget=13, seed=seed)
        assert len(history) == 13 == env.unwrapped.n_evaluations
        assert [e.step for e in history] == list(range(1, 14))
        return history

    first = run(3)
    assert first.fingerprint() == run(3).fingerprint()
    assert first.agent == agent and first.hyperparameters == make_agent(agent, **FAST.get(agent, {})).hp
    if agent != "grid":  # a shuffled grid on a small budget may repeat across seeds; the others must not
        assert first.fingerprint() != run(4).fingerprint()


@pytest.mark.parametrize("env_id", sorted(ENVS))
@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_every_agent_runs_on_every_registered_env(agent, env_id):
    try:
        env = gymnasium.make(env_id)
    except (ImportError, ModuleNotFoundError) as exc:  # an env registered before its module landed
        pytest.skip(f"{env_id} not importable yet: {exc}")
    history = make_agent(agent, **FAST.get(agent, {})).run(env, budget=10, seed=0)
    assert len(history) == 10 == env.unwrapped.n_evaluations
    assert history.env_id == env_id


def test_dict_action_envs_work_for_ask_tell_and_per_knob_agents():
    for agent in ("tpe", "aco", "dqn"):
        env = gymnasium.make("archgym-test/Toy-v0", action_format="dict")
        assert len(make_agent(agent, **FAST.get(agent, {})).run(env, budget=9, seed=0)) == 9
