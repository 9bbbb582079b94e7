"""Replaying records: every registered env agrees bit for bit, proxies against their file, drift and tampering named."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import gymnasium
import pyarrow.parquet as pq
import pytest

from archgym import proxy
from archgym.data.collect import collect
from archgym.data.datasets import load
from archgym.errors import UserError
from archgym.records import attach_recorder
from archgym.registry import env_ids
from archgym.reproduce import AGREE, DIFFER, NOT_REPLAYABLE, PROXY_RTOL, replay

TOY = "archgym-test/Toy-v0"
HERE = Path(__file__).parent
_helpers = runpy.run_path(str(HERE / "conftest.py"))
record_run, only_shard, edit_shard = _helpers["record_run"], _helpers["only_shard"], _helpers["edit_shard"]


@pytest.fixture(scope="module")
def runs_of_every_env(tmp_path_factory):
    """Records of a short run on every registered archgym env, made in another process with another hash seed."""
    root = tmp_path_factory.mktemp("every-env")
    script = textwrap.dedent(f"""
        import runpy
        runpy.run_path({str(HERE.parent / "conftest.py")!r})  # registers the test envs, as in this process
        record_run = runpy.run_path({str(HERE / "conftest.py")!r})["record_run"]
        from archgym.registry import env_ids
        for env_id in env_ids():
            record_run(env_id, {str(root)!r} + "/" + env_id.replace("/", "_"), agent="ga", budget=8)
    """)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return root


def test_replay_agrees_on_every_registered_env_across_processes(runs_of_every_env):
    ids = env_ids()
    assert {"archgym/Accelerator-v1", "archgym/DRAM-v1", "archgym/SoC-v1", TOY} <= set(ids)
    for env_id in ids:
        report = replay(runs_of_every_env / env_id.replace("/", "_"))
        assert report.ok, (env_id, [c.message() for c in report.checks if not c.ok])
        assert len(report.checks) == 8 and all(c.tolerance == 0 for c in report.checks)
        assert report.summary() == "8 checked, 8 agree, 0 differ, 0 not replayable"


def test_records_carry_the_env_arguments(tmp_path):
    out = record_run("archgym/DRAM-v1", tmp_path / "r", workload="cloud-1", objective="minimize:latency_ns",
                     max_steps=3)
    rec = load(out).iloc[0]
    assert json.loads(rec["env_kwargs"]) == {"workload": "cloud-1", "objective": "minimize:latency_ns",
                                             "max_steps": 3}
    assert rec["proxy_sha256"] == ""
    assert replay(out).ok


def test_env_replay_checks_one_record():
    env = gymnasium.make(TOY, workload="double")
    env.reset(seed=0)
    rows = []
    attach_recorder(env, rows, agent="manual", seed=0)
    env.step(env.unwrapped.design_space.encode({"size": 16, "count": 2, "colour": "green"}))
    check = env.unwrapped.replay(rows[0])
    assert check.status == AGREE and check.ok
    rows[0]["metric.latency_cycles"] += 1.0
    check = env.unwrapped.replay(rows[0])
    assert check.status == DIFFER and "metric.latency_cycles: recorded 5.0, replayed 4.0" in check.differences
    other = gymnasium.make(TOY)  # the default workload halves latency: the record is checked against this env
    assert other.unwrapped.replay(rows[0]).status == DIFFER


def test_a_tampered_metric_is_named(tmp_path):
    out = record_run(TOY, tmp_path / "r", budget=5)
    run_id = load(out)["run_id"].iloc[0]
    edit_shard(only_shard(out), "metric.area_mm2", 2, 123.0)
    report = replay(out)
    bad = [c for c in report.checks if not c.ok]
    assert len(bad) == 1 and bad[0].record == f"{out} run {run_id} step 3"
    assert "metric.area_mm2: recorded 123.0" in bad[0].message()
    assert report.summary() == "5 checked, 4 agree, 1 differ, 0 not replayable" and not report.ok


def test_a_design_outside_the_space_differs(tmp_path):
    out = record_run(TOY, tmp_path / "r", budget=3)
    edit_shard(only_shard(out), "design.count", 0, 99)
    check = replay(out).checks[0]
    assert check.status == DIFFER and "count" in check.differences[0]


def test_version_drift_and_unknown_envs_are_named_not_replayed(tmp_path):
    out = record_run(TOY, tmp_path / "r", budget=3)
    shard = only_shard(out)
    for row, env_id in ((0, "archgym-test/Toy-v7"), (1, "archgym-test/Nothing-v0")):
        edit_shard(shard, "env_id", row, env_id)
    report = replay(out)
    assert [c.status for c in report.checks] == [NOT_REPLAYABLE, NOT_REPLAYABLE, AGREE]
    assert report.checks[0].reason == "made with archgym-test/Toy-v7, this install has archgym-test/Toy-v0"
    assert report.checks[1].reason.startswith("unknown env 'archgym-test/Nothing-v0'")
    assert "1 not replayable" not in report.summary() and "2 not replayable (1: made with" in report.summary()


def test_a_changed_simulator_version_is_drift(tmp_path):
    out = record_run(TOY, tmp_path / "r", budget=2)
    edit_shard(only_shard(out), "simulator_version", 0, "0")
    check = replay(out).checks[0]
    assert check.reason == "made with simulator version '0', this install has '1'"


def test_records_written_before_the_replay_columns_still_replay(tmp_path):
    out = record_run(TOY, tmp_path / "r", budget=4, workload="double", objective="weighted:latency_cycles=2")
    shard = only_shard(out)
    pq.write_table(pq.read_table(shard).drop_columns(["env_kwargs", "proxy_sha256"]), shard)
    assert "env_kwargs" not in load(out).columns
    report = replay(out)
    assert report.ok and len(report.checks) == 4


def test_datasets_and_single_files_replay(tmp_path):
    data = tmp_path / "data"
    collect(TOY, 40, data, sampler="lhs", seed=1, chunk_size=16)
    report = replay(data)
    assert report.ok and len(report.checks) == len(load(data)) > 20
    one = sorted(data.glob("part-*.parquet"))[0]
    assert replay(one).ok
    with pytest.raises(UserError, match="not a run folder"):
        replay(tmp_path)
    with pytest.raises(UserError, match="no such file or folder"):
        replay(tmp_path / "missing")


@pytest.fixture(scope="module")
def proxy_run(tmp_path_factory):
    """A run and a batch-collected dataset on an MLP proxy (float32 BLAS: rounding depends on the batch)."""
    root = tmp_path_factory.mktemp("proxy")
    collect(TOY, 200, root / "data", sampler="random", seed=0, chunk_size=100)
    model = proxy.train(root / "data", ["latency_cycles"], model="mlp", measure_speed=False)
    model.save(root / "toy.proxy")
    kwargs = {"cost_model": "proxy", "proxy": str(root / "toy.proxy")}
    record_run(TOY, root / "run", budget=6, **kwargs)
    collect(TOY, 60, root / "predicted", sampler="lhs", seed=2, chunk_size=7, env_kwargs=kwargs)
    return root


def test_proxy_runs_replay_against_the_same_file(proxy_run, tmp_path):
    report = replay(proxy_run / "run")
    assert report.ok, [c.message() for c in report.checks]
    assert all(c.tolerance == 0 and c.proxy.startswith("toy.proxy sha256 ") for c in report.checks)
    assert "replayed on proxy toy.proxy sha256" in report.summary() and "rtol" not in report.summary()
    batched = replay(proxy_run / "predicted")
    assert batched.ok and {c.tolerance for c in batched.checks} <= {0.0, PROXY_RTOL}
    moved = tmp_path / "elsewhere.proxy"
    (proxy_run / "toy.proxy").rename(moved)
    try:
        report = replay(proxy_run / "run")
        assert report.count(NOT_REPLAYABLE) == 6 and "is missing" in report.checks[0].reason
        assert replay(proxy_run / "run", proxy=moved).ok
        other = tmp_path / "other.proxy"
        other.write_bytes(moved.read_bytes() + b"\0")
        reason = replay(proxy_run / "run", proxy=other).checks[0].reason
        assert reason.startswith(f"proxy file {other} is not the one recorded (sha256 ")
    finally:
        moved.rename(proxy_run / "toy.proxy")


def test_a_proxy_run_validates_exactly(proxy_run):
    from archgym.reproduce import RunSpec, validate_trajectory

    records = load(proxy_run / "run")
    spec = RunSpec(TOY, json.loads(records["env_kwargs"].iloc[0]), "random", {}, seed=0, budget=6)
    result, _ = validate_trajectory(spec, records)
    assert result.ok and result.steps == 6, result.message()
