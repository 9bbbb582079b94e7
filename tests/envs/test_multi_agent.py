"""The multi-agent (PettingZoo) form of every archgym env."""

from __future__ import annotations

import subprocess
import sys

import gymnasium
import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import parallel_api_test, parallel_seed_test  # noqa: E402

import archgym  # noqa: E402
from archgym.errors import UserError  # noqa: E402
from archgym.registry import env_ids  # noqa: E402


def _make(env_id: str, **kwargs):
    try:
        return archgym.envs.multiagent(env_id, **kwargs)
    except (ImportError, ModuleNotFoundError) as exc:  # an env registered before its module landed
        pytest.skip(f"{env_id} not importable yet: {exc}")


@pytest.mark.parametrize("observation", ["metrics", "own_knobs"])
@pytest.mark.parametrize("env_id", env_ids())
def test_parallel_api_test_passes_on_every_registered_env(env_id, observation):
    env = _make(env_id, observation=observation, max_steps=3)
    parallel_api_test(env, num_cycles=8)
    assert env.possible_agents == env.unwrapped_env.design_space.names
    obs, _ = env.reset(seed=0)
    for agent in env.agents:
        assert env.observation_space(agent).contains(obs[agent])
    assert env.state_space.contains(env.state())


def test_groups_and_single_layouts_pass_the_api_test():
    groups = {"shape": ["size", "count"], "look": ["colour"]}
    env = _make("archgym-test/Toy-v0", agents=groups, observation="own_knobs", max_steps=4)
    parallel_api_test(env, num_cycles=10)
    assert env.action_space("shape") == gymnasium.spaces.MultiDiscrete([8, 6])
    assert env.action_space("look") == gymnasium.spaces.Discrete(3)
    assert env.observation_space("shape").shape == (2 + 2 + 2,)  # two metrics, feasible/infeasible, own two knobs
    single = _make("archgym-test/Toy-v0", agents="single")
    parallel_api_test(single, num_cycles=10)
    assert single.possible_agents == ["designer"]


def test_the_joint_design_is_the_design_evaluated_once_per_step():
    env = _make("archgym/DRAM-v1", workload="random", agents={
        "page": ["PagePolicy"], "scheduler": ["Scheduler", "SchedulerBuffer", "RequestBufferSize", "RespQueue"],
        "refresh": ["RefreshPolicy", "RefreshMaxPostponed", "RefreshMaxPulledin"],
        "arbiter": ["Arbiter", "MaxActiveTransactions"]})
    base = env.unwrapped_env
    evaluated = []
    base.listeners.append(evaluated.append)
    env.reset(seed=1)
    for step in range(1, 6):
        actions = {a: env.action_space(a).sample() for a in env.agents}
        _, rewards, _, _, infos = env.step(actions)
        expected = {}
        for agent, knobs in env.groups.items():
            for knob, i in zip(knobs, np.atleast_1d(actions[agent])):
                expected[knob] = base.design_space[knob].grid()[int(i)]
        assert len(evaluated) == step == env.n_evaluations
        assert dict(evaluated[-1].design) == expected == infos["page"]["design"]
        assert base.evaluate(expected).to_dict() == infos["refresh"]["metrics"]
        assert len(set(rewards.values())) == 1  # the team reward
        if not env.agents:
            env.reset()


def test_own_knobs_observation_holds_the_agents_last_choice():
    env = _make("archgym-test/Toy-v0", observation="own_knobs")
    obs, _ = env.reset(seed=0)
    assert obs["count"][-1] == -1.0  # nothing chosen yet
    obs, *_ = env.step({"size": 7, "count": 2, "colour": 1})
    assert obs["size"][-1] == 1.0 and obs["count"][-1] == pytest.approx(2 / 5) and obs["colour"][-1] == 0.5
    np.testing.assert_array_equal(obs["size"][:-1], obs["colour"][:-1])  # the shared part


def test_per_agent_rewards_come_from_their_own_objectives_without_extra_evaluations():
    env = _make("archgym-test/Toy-v0", rewards={"size": "minimize:area_mm2"})
    env.reset(seed=0)
    _, rewards, _, _, infos = env.step({"size": 7, "count": 2, "colour": 1})  # size 128: area 8, cost 10
    assert env.n_evaluations == 1
    assert rewards["count"] == rewards["colour"] == infos["count"]["reward"]
    assert rewards["size"] == pytest.approx(-np.log10(8.0))
    assert rewards["size"] != rewards["count"]


def test_same_seed_same_trajectory():
    parallel_seed_test(lambda: _make("archgym/DRAM-v1", workload="random", max_steps=3), num_cycles=6)

    def trajectory(seed):
        env = _make("archgym/Accelerator-v1", max_steps=3)
        env.reset(seed=seed)
        out = []
        for _ in range(5):
            _, rewards, *_ = env.step({a: env.action_space(a).sample() for a in env.agents})
            out.append(rewards[env.possible_agents[0]])
            if not env.agents:
                env.reset()
        return out

    assert trajectory(4) == trajectory(4)


def test_bad_layouts_and_actions_are_one_line_errors():
    with pytest.raises(UserError, match="unknown agent layout 'pairs'"):
        _make("archgym-test/Toy-v0", agents="pairs")
    with pytest.raises(UserError, match="knobs without an agent: colour"):
        _make("archgym-test/Toy-v0", agents={"a": ["size", "count"]})
    with pytest.raises(UserError, match="knob 'size' is in two agents' groups"):
        _make("archgym-test/Toy-v0", agents={"a": ["size"], "b": ["size", "count", "colour"]})
    with pytest.raises(UserError, match="unknown knob 'width'"):
        _make("archgym-test/Toy-v0", agents={"a": ["width"]})
    with pytest.raises(UserError, match="unknown observation"):
        _make("archgym-test/Toy-v0", observation="everything")
    env = _make("archgym-test/Toy-v0")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="no action for agent"):
        env.step({"size": 0})
    with pytest.raises(ValueError, match="knob 'count' index 6 out of range"):
        env.step({"size": 0, "count": 6, "colour": 0})
    assert env.n_evaluations == 0


def test_import_archgym_does_not_import_pettingzoo():
    code = "import sys, archgym, archgym.envs\nassert 'pettingzoo' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)
