"""Minari export: a dataset Minari loads back; without Minari, one clear error naming the package."""

from __future__ import annotations

import sys

import pytest

from archgym.data import datasets
from archgym.data.collect import collect
from archgym.errors import UserError

TOY = "archgym-test/Toy-v0"


@pytest.fixture
def no_minari(monkeypatch):
    """Make ``import minari`` fail whether or not it is installed."""
    monkeypatch.setitem(sys.modules, "minari", None)


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("minari") / "data"
    collect(TOY, 20, d, sampler="random", seed=0, chunk_size=10)
    return d


def test_library_names_the_missing_package(no_minari, toy_data):
    with pytest.raises(UserError, match=r"optional package 'minari'.*pip install minari.*--format csv"):
        datasets.export_minari(toy_data, "archgym/toy-v0")


def test_cli_exits_2_with_one_line(no_minari, toy_data, run_cli, tmp_path):
    code, out, err = run_cli(["dataset", "export", str(toy_data), "--format", "minari", "--out", "archgym/toy-v0"])
    assert code == 2 and out == ""
    assert "minari" in err and "pip install minari" in err and len(err.strip().splitlines()) <= 2


def test_export_loads_back_in_minari(tmp_path, monkeypatch):
    """A real Minari dataset: one episode per run, actions the knob indices, rewards as recorded."""
    import minari
    import numpy as np

    data = tmp_path / "data"
    collect("archgym/Accelerator-v1", 20, data, sampler="random", seed=0, chunk_size=10)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    datasets.export_minari(data, "archgym/accelerator-v0")
    loaded = minari.load_dataset("archgym/accelerator-v0")
    frame = datasets.load(data)
    assert loaded.total_episodes == frame["run_id"].nunique() and loaded.total_steps == len(frame)
    episodes = list(loaded.iterate_episodes())
    rewards = np.concatenate([ep.rewards for ep in episodes])
    assert sorted(rewards) == sorted(frame["reward"])
    ep = episodes[0]
    obs_space = loaded.observation_space
    assert ep.observations.shape == (len(ep.rewards) + 1, *obs_space.shape)
    assert all(obs_space.contains(o) for o in ep.observations)
    assert ep.truncations[-1] and not ep.truncations[:-1].any()
    space = loaded.recover_environment().unwrapped.design_space
    first = frame[frame["run_id"] == frame["run_id"].iloc[0]].sort_values("step").iloc[0]
    assert space.decode(ep.actions[0]) == {k: first["design." + k] for k in space.names}
