"""archgym/Accelerator-v1 end to end: checkers, vector env, CLI run, determinism."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import archgym  # noqa: F401
from archgym.agents import make_agent
from archgym.cli import main
from archgym.data.datasets import load as load_records

ENV_ID = "archgym/Accelerator-v1"


@pytest.mark.parametrize("workload", ["resnet18", "mobilenetv2", "gpt2-decode"])
def test_env_checkers_pass(workload):
    gym_check_env(gymnasium.make(ENV_ID, workload=workload).unwrapped, skip_render_check=True)
    sb3_check_env(gymnasium.make(ENV_ID, workload=workload))


def test_docstring_has_gymnasium_sections_and_generated_knob_table():
    doc = gymnasium.make(ENV_ID).unwrapped.__doc__
    for section in ("## Description", "## Action Space", "## Observation Space", "## Rewards",
                    "## Starting State", "## Episode End", "## Arguments", "## Version History"):
        assert section in doc
    assert "| `pe_rows` | pow2 |" in doc and "{knob_table}" not in doc


def test_vector_env_matches_single_env():
    venv = gymnasium.make_vec(ENV_ID, num_envs=16, workload="alexnet")
    venv.reset(seed=0)
    actions = venv.action_space.sample()
    _, rewards, _, _, infos = venv.step(actions)
    env = gymnasium.make(ENV_ID, workload="alexnet")
    env.reset(seed=0)
    single = np.array([env.step(a)[1] for a in actions])
    np.testing.assert_array_equal(rewards, single)
    assert infos["feasible"].dtype == bool


def test_evaluate_by_name_and_bad_knob():
    base = gymnasium.make(ENV_ID).unwrapped
    m = base.evaluate({"pe_rows": 64, "pe_cols": 64, "dataflow": "os"})
    assert m.feasible and m["latency_cycles"] > 0 and m.unit("area_mm2") == "mm²"
    with pytest.raises(ValueError, match="knob 'pe_rows': 48 is not allowed; expected one of"):
        base.evaluate({"pe_rows": 48})


def test_done_when_command(tmp_path, capsys):
    """`archgym run --env archgym/Accelerator-v1 --agent random --budget 60 --seed 3 --out DIR`."""
    for d in ("a", "b"):
        with pytest.raises(SystemExit) as exc:
            main(["run", "--env", ENV_ID, "--agent", "random", "--budget", "60", "--seed", "3",
                  "--out", str(tmp_path / d), "--quiet"])
            raise SystemExit(0)
        assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "best design" in out and "latency_cycles" in out
    a, b = (load_records(tmp_path / d / "records") for d in ("a", "b"))
    assert len(a) == 60 and (tmp_path / "a" / "convergence.png").exists() and (tmp_path / "a" / "best.json").exists()
    assert set(a["simulator"]) == {"accelerator"} and set(a["env_version"]) == {1}
    cols = [c for c in a.columns if c.startswith(("design.", "metric.")) or c in ("reward", "feasible", "step")]
    assert a[cols].equals(b[cols])


def test_same_seed_same_history_across_fresh_envs():
    h1 = make_agent("random").run(gymnasium.make(ENV_ID, workload="alexnet"), budget=20, seed=11)
    h2 = make_agent("random").run(gymnasium.make(ENV_ID, workload="alexnet"), budget=20, seed=11)
    assert h1.fingerprint() == h2.fingerprint()
