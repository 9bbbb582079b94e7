"""Non-finite and out-of-domain numbers are refused in the library, with a message naming the parameter."""

from __future__ import annotations

import math

import gymnasium
import pytest

from archgym.agents import make_agent
from archgym.errors import UserError


@pytest.mark.parametrize("env_id, kwargs, words", [
    ("archgym/DRAM-v1", {"trace_clock_mhz": math.nan}, "trace_clock_mhz must be a finite number, got nan"),
    ("archgym/DRAM-v1", {"trace_clock_mhz": 0}, "trace_clock_mhz must be a positive number"),
    ("archgym/DRAM-v1", {"threads": 1.5}, "threads must be a whole number >= 1"),
    ("archgym-test/Toy-v0", {"infeasible_reward": math.nan}, "infeasible_reward must be a finite number"),
    ("archgym-test/Toy-v0", {"max_steps": "abc"}, "max_steps must be an integer >= 1, got 'abc'"),
    ("archgym-test/Toy-v0", {"max_steps": math.inf}, "max_steps must be an integer >= 1"),
    ("archgym-test/Toy-v0", {"max_steps": 0}, "max_steps must be an integer >= 1, got 0"),
    ("archgym-test/Toy-v0", {"objective": "weighted:latency_cycles=nan"}, "'latency_cycles' must be a finite"),
    ("archgym-test/Toy-v0", {"objective": "target:latency_cycles=inf"}, "'latency_cycles' must be a finite"),
])
def test_env_arguments(env_id, kwargs, words):
    with pytest.raises(UserError, match=words):
        gymnasium.make(env_id, **kwargs)


@pytest.mark.parametrize("agent, hp, words", [
    ("ga", {"mutation_rate": math.nan}, "'mutation_rate' must be a finite number, got nan"),
    ("ga", {"mutation_rate": "nan"}, "'mutation_rate' must be a finite number, got 'nan'"),
    ("tpe", {"startup": 2.5}, "'startup': 2.5 is not a valid int"),
])
def test_agent_hyperparameters(agent, hp, words):
    with pytest.raises(UserError, match=words):
        make_agent(agent, **hp)


@pytest.mark.parametrize("budget, seed, words", [
    (0, 0, "budget must be a whole number >= 1, got 0"), (math.nan, 0, "budget must be a whole number"),
    (5, -1, "seed must be a whole number >= 0, got -1"), (5, 1.5, "seed must be a whole number"),
])
def test_run_budget_and_seed(toy_env, budget, seed, words):
    with pytest.raises(UserError, match=words):
        make_agent("random").run(toy_env, budget=budget, seed=seed)
    assert toy_env.unwrapped.n_evaluations == 0  # refused before anything ran


def test_trace_timestamp_beyond_int64(tmp_path):
    trace = tmp_path / "big.stl"
    trace.write_text("0: read 0x1000\n99999999999999999999999: write 0x2000\n")
    with pytest.raises(UserError, match=r"big.stl:2: timestamp 99999999999999999999999 does not fit 64 bits"):
        gymnasium.make("archgym/DRAM-v1", workload=str(trace))


@pytest.mark.parametrize("env_id, words", [
    ("archgym/DRAM-v1", "is a folder; a DRAM workload is one .stl/.rstl/.npz trace file"),
    ("archgym/SoC-v1", "Is a directory"),
    ("archgym/Accelerator-v1", "unknown workload .*valid choices"),
])
def test_folder_as_workload(tmp_path, env_id, words):
    with pytest.raises(UserError, match=words):
        gymnasium.make(env_id, workload=str(tmp_path))
