"""The three RL formulations (archgym, bandit, edit) and the scaled reward, on the toy env and the real ones."""

from __future__ import annotations

import itertools
import math
import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from archgym.agents import make_agent
from archgym.envs._registration import ENVS
from archgym.envs.formulations import DesignEditor, RewardScale
from archgym.errors import UserError
from archgym.objectives import parse_objective

TOY = "archgym-test/Toy-v0"
OPTIMUM = {"size": 16, "count": 3, "colour": "green"}
FORMS = [{"formulation": "archgym"}, {"formulation": "bandit"}, {"formulation": "edit"},
         {"formulation": "edit", "edit_actions": "step"}, {"formulation": "archgym", "reward_scale": "scaled"}]


def all_designs(space):
    return [dict(zip(space.names, values)) for values in itertools.product(*(k.grid() for k in space.knobs))]


@pytest.mark.parametrize("kwargs", FORMS)
def test_each_formulation_passes_both_checkers_and_make_vec(kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gym_check_env(gymnasium.make(TOY, **kwargs).unwrapped)
        sb3_check_env(gymnasium.make(TOY, **kwargs), warn=True)
    venv = gymnasium.make_vec(TOY, num_envs=3, **kwargs)
    obs, _ = venv.reset(seed=0)
    assert obs.shape == (3, *venv.single_observation_space.shape)
    for _ in range(12):
        obs, rewards, term, trunc, _ = venv.step(venv.action_space.sample())
        assert venv.observation_space.contains(obs) and np.isfinite(rewards).all()


@pytest.mark.parametrize("formulation", ["archgym", "bandit", "edit"])
@pytest.mark.parametrize("env_id", [e for e in ENVS if "SoC" not in e])
def test_real_envs_pass_the_checkers_in_every_formulation(env_id, formulation):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gym_check_env(gymnasium.make(env_id, formulation=formulation).unwrapped)
        sb3_check_env(gymnasium.make(env_id, formulation=formulation), warn=True)


def test_sb3_make_vec_env_works_on_dram():
    """stable-baselines3 asks for render_mode='rgb_array'; the env renders the design as bars."""
    from stable_baselines3.common.env_util import make_vec_env

    venv = make_vec_env("archgym/DRAM-v1", n_envs=2, seed=0)
    obs = venv.reset()
    obs, rewards, dones, infos = venv.step(np.stack([venv.action_space.sample() for _ in range(2)]))
    assert obs.shape == (2, 7) and np.isfinite(rewards).all()
    image = venv.env_method("render")[0]
    n_knobs = len(venv.get_attr("design_space")[0])
    assert image.shape == (8 * n_knobs, 128, 3) and image.dtype == np.uint8 and (image != 255).any()


def test_registration_declares_the_episode_length():
    for env_id in ENVS:
        assert gymnasium.spec(env_id).max_episode_steps == 10
    env = gymnasium.make(TOY, max_steps=10)
    env.reset(seed=0)
    flags = [env.step(env.action_space.sample())[3] for _ in range(10)]
    assert flags == [False] * 9 + [True]


def test_observation_says_no_design_yet_feasible_or_infeasible(toy_env):
    obs, _ = toy_env.reset(seed=0)
    assert not obs.any()  # metric features 0, both flags 0: nothing evaluated
    space = toy_env.unwrapped.design_space
    obs, *_ = toy_env.step(space.encode({"size": 1, "colour": "red"}))
    assert list(obs) == [0.0, 0.0, 0.0, 1.0]
    obs, *_ = toy_env.step(space.encode({"size": 32, "count": 3, "colour": "green"}))
    assert obs[0] == pytest.approx(math.log10(2.0)) and obs[1] == pytest.approx(math.log10(2.0))
    assert list(obs[2:]) == [1.0, 0.0]


def test_dimensionless_metrics_are_observed_as_they_are():
    env = gymnasium.make("archgym/Accelerator-v1")
    env.reset(seed=0)
    _, _, _, _, info = env.step(env.unwrapped.design_space.encode({"ifmap_sram_kb": 256, "filter_sram_kb": 256}))
    obs = env.step(env.unwrapped.design_space.encode({"ifmap_sram_kb": 256, "filter_sram_kb": 256}))[0]
    assert info["feasible"]
    assert obs[4] == pytest.approx(info["metrics"]["utilization"], rel=1e-6)  # a fraction, not its log10
    assert obs[0] == pytest.approx(math.log10(info["metrics"]["latency_cycles"]), rel=1e-6)


def test_budget_only_objective_never_terminates_the_episode():
    """The accelerator's default objective has an area budget but no goal: episodes only truncate."""
    env = gymnasium.make("archgym/Accelerator-v1")
    env.reset(seed=0)
    _, _, terminated, _, info = env.step(env.unwrapped.design_space.encode({}))
    assert info["feasible"] and info["metrics"]["area_mm2"] <= 8 and not terminated
    target = gymnasium.make(TOY, objective="target:latency_cycles=1")
    target.reset(seed=0)
    assert target.step(target.unwrapped.design_space.encode(OPTIMUM))[2]


def test_bandit_episodes_are_one_design_with_a_constant_observation():
    env = gymnasium.make(TOY, formulation="bandit")
    obs, _ = env.reset(seed=0)
    assert list(obs) == [1.0]
    obs, reward, terminated, truncated, info = env.step(env.unwrapped.design_space.encode(OPTIMUM))
    assert list(obs) == [1.0] and terminated and not truncated
    assert reward == env.unwrapped.scale(info["reward"], True) and -1 <= reward <= 1


@pytest.mark.parametrize("edit_actions", ["set", "step"])
def test_edit_state_after_an_edit_is_the_design_it_reports(edit_actions):
    env = gymnasium.make(TOY, formulation="edit", edit_actions=edit_actions)
    base = env.unwrapped
    editor = DesignEditor(base.design_space, edit_actions)
    obs, info = env.reset(seed=3)
    evaluations = base.n_evaluations
    assert evaluations == 1 and info["design"] == base.current_design  # the start design is evaluated
    for step in range(10):
        before = base.current_design
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        decoded = base.design_space.decode(editor.decode_features(obs[:editor.encoding_size]))
        assert decoded == info["design"] == base.current_design == base.last_evaluation.design
        assert sum(before[k] != decoded[k] for k in decoded) <= 1  # one knob changed at most
        assert truncated == (step == 9)
    assert base.n_evaluations == evaluations + 10


def test_edit_actions_set_a_value_or_step_an_ordered_knob_and_wrap_a_categorical():
    env = gymnasium.make(TOY, formulation="edit", start={"size": 128, "count": 1, "colour": "red"})
    env.reset(seed=0)
    # "set": offsets size 0..7, count 8..13, colour 14..16
    assert env.step(4)[4]["design"] == {"size": 16, "count": 1, "colour": "red"}
    assert env.step(8 + 2)[4]["design"] == {"size": 16, "count": 3, "colour": "red"}
    _, reward, *_ , info = env.step(14 + 1)
    assert info["design"] == OPTIMUM and reward > 0
    step = gymnasium.make(TOY, formulation="edit", edit_actions="step",
                          start={"size": 128, "count": 1, "colour": "red"})
    step.reset(seed=0)
    assert step.step(1)[4]["design"]["size"] == 128  # up at the top stays
    assert step.step(0)[4]["design"]["size"] == 64
    assert step.step(2)[4]["design"]["count"] == 1  # down at the bottom stays
    assert step.step(4)[4]["design"]["colour"] == "blue"  # categorical wraps: red -> (down) blue


def test_scaled_rewards_are_bounded_for_every_design_including_infeasible():
    env = gymnasium.make(TOY, formulation="bandit")
    base = env.unwrapped
    space = base.design_space
    rewards = []
    for design in all_designs(space):
        env.reset(seed=0)
        _, reward, _, _, info = env.step(space.encode(design))
        assert math.isfinite(reward) and -1.0 <= reward <= 1.0
        assert (reward == -1.0) == (not info["feasible"])
        rewards.append(reward)
    assert max(rewards) == base.scale(1.0 * -math.log10(1.0), True)  # the optimum: raw reward 0
    edit = gymnasium.make(TOY, formulation="edit", edit_actions="step")
    edit.reset(seed=1)
    for _ in range(200):
        _, reward, terminated, truncated, _ = edit.step(edit.action_space.sample())
        assert math.isfinite(reward) and -2.0 <= reward <= 2.0
        if terminated or truncated:
            edit.reset()


def test_scaled_reward_formula_by_hand():
    objective = parse_objective("minimize:latency_cycles")
    scale = RewardScale.given(objective, (-2.0, -1.0))  # median reward -2, best -1
    assert scale(-2.0, True) == 0.0
    assert scale(-1.0, True) == pytest.approx(math.tanh(1.0))
    assert scale(-0.5, True) == pytest.approx(math.tanh(1.5))
    assert scale(-1e3, True) == -1.0 and scale(0.0, False) == -1.0
    target = RewardScale.given(parse_objective("target:latency_cycles=10"), (1.0, 100.0))  # log10 scale
    assert target(10.0, True) == pytest.approx(math.tanh(0.5))
    with pytest.raises(UserError, match="best .* must be better than median"):
        RewardScale.given(objective, (-1.0, -2.0))
    env = gymnasium.make(TOY, formulation="bandit", reward_reference=(-1.0, 0.0))
    env.reset(seed=0)
    assert env.step(env.unwrapped.design_space.encode(OPTIMUM))[1] == pytest.approx(math.tanh(1.0))


def test_reference_sample_is_the_same_whatever_the_env_seed():
    scales = {gymnasium.make(TOY, formulation="bandit").unwrapped.scale for _ in range(2)}
    assert len(scales) == 1


@pytest.mark.parametrize("bad, message", [
    ({"formulation": "mdp"}, "formulation 'mdp': valid choices are 'archgym', 'bandit', 'edit'"),
    ({"reward_scale": "log"}, "reward_scale 'log': valid choices are 'raw', 'scaled'"),
    ({"formulation": "edit", "edit_actions": "jump"}, "edit_actions 'jump': valid choices are 'set', 'step'"),
    ({"start": "best"}, "start 'best': valid choices are 'random', 'default'"),
    ({"formulation": "edit", "start": {"size": 3}}, "start design: knob 'size': 3 is not allowed"),
    ({"max_steps": 0}, "max_steps must be an integer >= 1"),
    ({"render_mode": "video"}, "render_mode 'video': valid choices are 'ansi', 'rgb_array'"),
])
def test_bad_formulation_arguments_name_the_choices(bad, message):
    with pytest.raises(UserError, match=message):
        gymnasium.make(TOY, **bad)


@pytest.mark.parametrize("agent", ["ppo", "a2c", "dqn", "random"])
@pytest.mark.parametrize("formulation", ["bandit", "edit"])
def test_agents_spend_exactly_their_budget_on_every_formulation(agent, formulation):
    hp = {} if agent == "random" else {"formulation": formulation}
    env = gymnasium.make(TOY, formulation=formulation if agent == "random" else "archgym")
    history = make_agent(agent, **hp).run(env, budget=23, seed=0)
    assert len(history) == 23 == env.unwrapped.n_evaluations
    assert all(e.reward == -math.log10(e.metrics["latency_cycles"]) for e in history if e.feasible)  # raw rewards


def test_ppo_on_the_edit_env_learns_to_reach_the_optimum_of_a_small_space():
    """From random starts, the trained deterministic policy edits its way to the toy optimum."""
    import torch
    from stable_baselines3 import PPO

    torch.set_num_threads(1)
    env = gymnasium.make(TOY, formulation="edit", max_steps=6)
    model = PPO("MlpPolicy", env, seed=0, n_steps=128, batch_size=64, n_epochs=5, learning_rate=3e-3, gamma=0.0,
                device="cpu")
    model.learn(1536)
    reached = 0
    for s in range(30):
        obs, info = env.reset(seed=1000 + s)
        for _ in range(6):
            obs, _, terminated, truncated, info = env.step(model.predict(obs, deterministic=True)[0])
            if terminated or truncated:
                break
        reached += info["design"] == OPTIMUM
    assert reached >= 20  # six random edits from a random start end on it 0.7% of the time
