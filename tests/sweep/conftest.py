"""Fixtures for sweep tests: sweep files on the toy env, with the test plugin imported in every worker."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

PLUGIN = Path(__file__).with_name("plugin.py")


@pytest.fixture
def sweep_file(tmp_path):
    """Write a sweep file (a small default on the toy env, overridden by keyword) and return its path."""

    def write(name: str = "sweep.yaml", **overrides):
        data = {
            "imports": [str(PLUGIN)],
            "envs": [{"id": "archgym-test/Toy-v0"},
                     {"id": "archgym-test/Toy-v0",
                      "kwargs": {"workload": "double", "objective": "target:latency_cycles=2"}}],
            "agents": [{"name": "random"}, {"name": "toy-tuned", "hp": {"explore": [0.1, 0.9]}}],
            "seeds": [0, 1],
            "budget": 12,
        }
        data.update(overrides)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write
