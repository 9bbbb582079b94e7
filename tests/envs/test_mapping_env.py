"""archgym/Mapping-v0: the default mapping is the accelerator's, checkers, vector env, arguments, bad input."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import archgym  # noqa: F401
from archgym.bench.enumerate import enumerate_space
from archgym.errors import UserError
from archgym.simulators.accelerator import AcceleratorSimulator

ENV_ID = "archgym/Mapping-v0"
HW = {"pe_rows": 16, "pe_cols": 64, "dataflow": "os", "ifmap_sram_kb": 32, "filter_sram_kb": 16,
      "ofmap_sram_kb": 32, "dram_bandwidth": 8}


@pytest.mark.parametrize("workload, hardware", [
    ("resnet18:conv2_1a", None), ("mobilenetv2:b2_dw", "pe_rows=8,pe_cols=8"), ("bert-base:attn_qk", HW),
])
def test_default_mapping_reproduces_the_accelerator_layer_by_layer(workload, hardware):
    env = gymnasium.make(ENV_ID, workload=workload, hardware=hardware).unwrapped
    network, name = workload.split(":")
    per_layer = dict(AcceleratorSimulator().evaluate_layers(env.simulator.hardware, network))
    assert env.evaluate(env.design_space.defaults()).to_dict() == per_layer[name].to_dict()


@pytest.mark.parametrize("kwargs", [{"workload": "mobilenetv2:b2_dw"},
                                    {"workload": {"K": 96, "C": 48, "OY": 7, "OX": 9, "FY": 3, "FX": 3},
                                     "search_dataflow": True}])
def test_env_checkers_pass(kwargs):
    gym_check_env(gymnasium.make(ENV_ID, **kwargs).unwrapped, skip_render_check=True)
    sb3_check_env(gymnasium.make(ENV_ID, **kwargs))


def test_docstring_sections_and_knob_table():
    doc = gymnasium.make(ENV_ID).unwrapped.__doc__
    for section in ("## Description", "## Action Space", "## Observation Space", "## Rewards",
                    "## Starting State", "## Episode End", "## Arguments", "## Version History"):
        assert section in doc
    assert "| `tile_K` | integer |" in doc and "{knob_table}" not in doc


def test_vector_env_matches_single_env():
    venv = gymnasium.make_vec(ENV_ID, num_envs=12, workload="bert-base:ffn1", search_dataflow=True)
    venv.reset(seed=0)
    actions = venv.action_space.sample()
    _, rewards, _, _, infos = venv.step(actions)
    env = gymnasium.make(ENV_ID, workload="bert-base:ffn1", search_dataflow=True)
    env.reset(seed=0)
    assert np.array_equal(rewards, np.array([env.step(a)[1] for a in actions]))
    assert len(set(actions[:, -1].tolist())) > 1  # the dataflow knob is last: several dataflows in one batch


def test_searched_dataflow_reaches_each_dataflows_builtin_mapping():
    env = gymnasium.make(ENV_ID, workload="resnet18:conv3_1a", search_dataflow=True).unwrapped
    for dataflow in ("ws", "os", "is"):
        hw = {**env.simulator.hardware, "dataflow": dataflow}
        ref = dict(AcceleratorSimulator().evaluate_layers(hw, "resnet18"))["conv3_1a"]
        fixed = gymnasium.make(ENV_ID, workload="resnet18:conv3_1a", hardware=hw).unwrapped
        design = {**fixed.design_space.defaults(), "dataflow": dataflow}
        assert env.evaluate(design).to_dict() == ref.to_dict()


def test_exhaustive_optimum_is_at_most_the_builtin_mappers():
    """The env's space contains the built-in choice, so its exact optimum (enumerated) is no worse."""
    env = gymnasium.make(ENV_ID, workload="mobilenetv2:b1_project").unwrapped
    table = enumerate_space(env)
    builtin = env.evaluate(env.design_space.defaults())
    assert table.feasible.any() and np.nanmin(table.metrics["energy_pj"]) <= builtin["energy_pj"]
    assert np.nanmin(table.metrics["dram_bytes"]) <= builtin["dram_bytes"]


@pytest.mark.parametrize("kwargs, message", [
    ({"workload": "resnet18:nope"}, "unknown layer of 'resnet18' 'nope'; valid choices: conv1, conv2_1a"),
    ({"workload": "resnet18"}, "expected 'network:layer'"),
    ({"workload": {"K": 4, "C": 4, "OY": 0, "OX": 1}}, "OY must be a positive integer"),
    ({"hardware": "pe_rows=3"}, "hardware: knob 'pe_rows': '3' is not allowed"),
    ({"hardware": "pe_rows"}, "expected 'knob=value,...'"),
    ({"hardware": {"pe_depth": 3}}, "pe_depth"),
])
def test_bad_arguments_are_one_clear_error(kwargs, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        gymnasium.make(ENV_ID, **kwargs)
