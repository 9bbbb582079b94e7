"""Minari export without Minari: one clear error naming the package and how to install it, nothing written."""

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
