"""archgym/DRAM-v1 end to end: checkers, docstring, ArchGym rewards, vector env, CLI run."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import archgym  # noqa: F401
from archgym.cli import main
from archgym.data.datasets import load as load_records
from archgym.errors import UserError
from archgym.simulators.dram import generate, write_trace

ENV_ID = "archgym/DRAM-v1"


@pytest.mark.parametrize("workload", ["stream", "random", "cloud-1", "cloud-2"])
def test_env_checkers_pass(workload):
    gym_check_env(gymnasium.make(ENV_ID, workload=workload).unwrapped, skip_render_check=True)
    sb3_check_env(gymnasium.make(ENV_ID, workload=workload))


def test_user_trace_workload(tmp_path):
    p = write_trace(generate("random", 500), tmp_path / "mine.stl")
    env = gymnasium.make(ENV_ID, workload=str(p))
    env.reset(seed=0)
    action = env.action_space.sample()
    action[env.unwrapped.design_space.names.index("RefreshPolicy")] = 1  # AllBank: DDR4 has no PerBank
    _, reward, _, _, info = env.step(action)
    assert info["feasible"] and info["metrics"]["rd_count"] + info["metrics"]["wr_count"] == 500


def test_docstring_has_gymnasium_sections_and_generated_knob_table():
    doc = gymnasium.make(ENV_ID).unwrapped.__doc__
    for section in ("## Description", "## Action Space", "## Observation Space", "## Rewards",
                    "## Starting State", "## Episode End", "## Arguments", "## Version History"):
        assert section in doc
    assert "| `PagePolicy` | categorical |" in doc and "{knob_table}" not in doc


def test_archgym_reward_formulations():
    design = {"PagePolicy": "Closed"}
    m = gymnasium.make(ENV_ID).unwrapped.evaluate(design)
    for form, expected in [
        ("power", 1000 / abs(m["power_mw"] - 1000)),
        ("latency", 50 / abs(m["latency_ns"] - 50)),
        ("both", 1000 / abs(m["power_mw"] - 1000) * 50 / abs(m["latency_ns"] - 50)),
    ]:
        env = gymnasium.make(ENV_ID, reward_formulation=form)
        env.reset(seed=0)
        _, reward, _, _, _ = env.step(env.unwrapped.design_space.encode(design))
        assert reward == pytest.approx(expected)
    with pytest.raises(UserError, match="unknown reward_formulation 'area'"):
        gymnasium.make(ENV_ID, reward_formulation="area")


def test_vector_env_matches_single_env():
    venv = gymnasium.make_vec(ENV_ID, num_envs=4, workload="stream")
    venv.reset(seed=0)
    actions = venv.action_space.sample()
    _, rewards, _, _, _ = venv.step(actions)
    env = gymnasium.make(ENV_ID, workload="stream")
    env.reset(seed=0)
    np.testing.assert_array_equal(rewards, np.array([env.step(a)[1] for a in actions]))


def test_done_when_command(tmp_path, capsys):
    """`archgym run --env archgym/DRAM-v1 --agent random --budget 20 --seed 3 --out DIR`."""
    with pytest.raises(SystemExit) as exc:
        main(["run", "--env", ENV_ID, "--agent", "random", "--budget", "20", "--seed", "3",
              "--out", str(tmp_path / "a"), "--quiet"])
        raise SystemExit(0)
    assert exc.value.code == 0
    assert "best design" in capsys.readouterr().out
    records = load_records(tmp_path / "a" / "records")
    assert len(records) == 20 and set(records["simulator"]) == {"dram"}


def test_make_vec_with_threads_matches_one_thread():
    import gymnasium

    runs = []
    for threads in (1, 2):
        venv = gymnasium.make_vec("archgym/DRAM-v1", num_envs=6, workload="stream", threads=threads)
        venv.reset(seed=3)
        venv.action_space.seed(3)
        _, reward, *_ = venv.step(venv.action_space.sample())
        runs.append(reward)
        venv.close()
    assert (runs[0] == runs[1]).all()
