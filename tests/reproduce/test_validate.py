"""Validating runs: every agent's trajectory reproduces; tampering and drift are named; sweeps, resumed ones too."""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

import gymnasium
import pyarrow.parquet as pq
import pytest
import yaml

from archgym.agents import AGENTS, agent_class, make_agent
from archgym.records import attach_recorder
from archgym.reproduce import (
    DIVERGED,
    NOT_VALIDATABLE,
    RunSpec,
    replay,
    validate,
    validate_run,
    validate_trajectory,
)
from archgym.sweep.store import ResultStore

TOY = "archgym-test/Toy-v0"
PLUGIN = Path(__file__).parents[1] / "sweep" / "plugin.py"
_helpers = runpy.run_path(str(Path(__file__).with_name("conftest.py")))
only_shard, edit_shard = _helpers["only_shard"], _helpers["edit_shard"]
#: small settings so every agent runs in well under a second
FAST_HP = {"ppo": {"n_steps": 8, "batch_size": 8}, "a2c": {"n_steps": 4}, "dqn": {"learning_starts": 4}}


def recorded(spec: RunSpec) -> list[dict]:
    env = gymnasium.make(spec.env_id, **spec.env_kwargs)
    rows: list[dict] = []
    agent = make_agent(spec.agent, **spec.hyperparameters)
    attach_recorder(env, rows, agent=spec.agent, hyperparameters=agent.hp, seed=spec.seed, run_id="r")
    agent.run(env, budget=spec.budget, seed=spec.seed)
    return rows


@pytest.mark.parametrize("agent", list(AGENTS))
def test_every_agent_reproduces_its_trajectory(agent):
    hp = {k: v for k, v in FAST_HP.get(agent, {}).items() if k in {h.name for h in agent_class(agent).hyperparameters}}
    spec = RunSpec(TOY, {"workload": "double"}, agent, hp, seed=3, budget=10)
    rows = recorded(spec)
    result, history = validate_trajectory(spec, rows, source="test")
    assert result.ok and result.steps == 10, result.message()
    rows[6]["design.count"] = 6 if rows[6]["design.count"] != 6 else 5
    result, _ = validate_trajectory(spec, rows, source="test")
    assert result.status == DIVERGED and result.first_divergence[0] == 7
    assert result.first_divergence[1] == "test run r step 7"
    assert "design.count: recorded" in result.first_divergence[2][0]


def test_records_that_contradict_the_run_description_are_named():
    spec = RunSpec(TOY, {}, "random", {}, seed=0, budget=4)
    rows = recorded(spec)
    rows[2]["agent"] = "ga"
    result, _ = validate_trajectory(spec, rows, source="here")
    assert result.status == DIVERGED and result.first_divergence is None
    assert result.problems == ["here run r step 3: recorded agent 'ga' (the run description says 'random')"]


def test_a_short_record_and_an_unknown_env_are_reported():
    spec = RunSpec(TOY, {}, "random", {}, seed=0, budget=5)
    rows = recorded(spec)
    result, _ = validate_trajectory(spec, rows[:4])
    assert result.status == DIVERGED and result.problems == ["4 evaluations recorded, the re-run made 5"]
    old = [{**r, "env_id": "archgym/DRAM-v0"} for r in rows]
    result, history = validate_trajectory(RunSpec("archgym/DRAM-v0", {}, "random", {}, 0, 5), old)
    assert history is None and result.status == NOT_VALIDATABLE
    assert result.message().endswith("not validatable: made with archgym/DRAM-v0, this install has archgym/DRAM-v1")


@pytest.fixture
def run_dir(tmp_path, run_cli):
    out = tmp_path / "run"
    code, _, err = run_cli(["run", "--env", TOY, "--agent", "ga", "--budget", "12", "--seed", "4", "--out", str(out),
                            "--workload", "double", "--hp", "population=4", "--env-arg", "max_steps=3", "--quiet"])
    assert code == 0, err
    return out


def test_a_run_validates_from_its_best_json(run_dir):
    summary = json.loads((run_dir / "best.json").read_text())
    assert summary["run"]["env_kwargs"] == {"workload": "double", "max_steps": 3}
    assert summary["run"]["hyperparameters"]["population"] == 4 and summary["run"]["budget"] == 12
    result = validate_run(run_dir)
    assert result.ok and result.steps == 12 and result.original_seconds > 0, result.message()


def test_a_tampered_best_json_is_named(run_dir):
    path = run_dir / "best.json"
    summary = json.loads(path.read_text())
    knob = "count" if summary["best"]["design"]["count"] != 1 else "size"
    summary["best"]["design"][knob] = 1 if knob == "count" else 128
    path.write_text(json.dumps(summary))
    result = validate_run(run_dir)
    assert not result.ok and result.first_divergence is None
    assert result.problems[0].startswith(f"{path}: best design {knob}: recorded ")


def test_a_tampered_record_is_named(run_dir):
    run_id = json.loads((run_dir / "best.json").read_text())["run_id"]
    edit_shard(only_shard(run_dir / "records"), "metric.latency_cycles", 4, 0.5)
    result = validate_run(run_dir)
    step, name, diff = result.first_divergence
    assert step == 5 and name == f"{run_dir / 'records'} run {run_id} step 5"
    assert diff[0].startswith("reward: recorded") or diff[-1].startswith("metric.latency_cycles: recorded 0.5")
    assert "NOT reproduced" in result.message() and f"run {run_id} step 5" in result.message()


def test_a_run_without_the_run_entry_validates_from_its_records(run_dir):
    path = run_dir / "best.json"
    summary = json.loads(path.read_text())
    del summary["run"], summary["run_id"]
    path.write_text(json.dumps(summary))
    assert validate_run(run_dir).ok
    shard = only_shard(run_dir / "records")  # records older than env_kwargs: the env's --env-arg is lost
    pq.write_table(pq.read_table(shard).drop_columns(["env_kwargs", "proxy_sha256"]), shard)
    result = validate_run(run_dir)
    assert result.ok, result.message()


def test_an_interrupted_run_validates_the_steps_it_made(run_dir):
    from archgym.data.datasets import load
    from archgym.history import Evaluation, History

    shard = only_shard(run_dir / "records")
    pq.write_table(pq.read_table(shard).slice(0, 7), shard)
    kept = History(evaluations=[
        Evaluation(int(r["step"]), {k[7:]: v for k, v in r.items() if k.startswith("design.")},
                   {k[7:]: v for k, v in r.items() if k.startswith("metric.") and v == v}, bool(r["feasible"]),
                   r["reason"] or "", float(r["reward"])) for r in load(run_dir / "records").to_dict("records")])
    path = run_dir / "best.json"
    summary = json.loads(path.read_text())
    summary.update(interrupted=True, evaluations=7, feasible=int(kept.feasible.sum()),
                   best=json.loads(json.dumps(kept.summary()["best"], default=float)))
    path.write_text(json.dumps(summary))
    result = validate_run(run_dir)
    assert result.ok and result.steps == 7, result.message()
    assert "reproduced 7 of 12 (an interrupted run) steps" in result.message()
    summary["interrupted"] = False
    path.write_text(json.dumps(summary))
    assert validate_run(run_dir).problems[0] == "7 evaluations recorded, the re-run made 12"


def sweep_file(tmp_path, **overrides) -> Path:
    data = {"imports": [str(PLUGIN)], "envs": [{"id": TOY}, {"id": TOY, "kwargs": {"workload": "double"}}],
            "agents": [{"name": "toy-slow", "hp": {"sleep_ms": 5}}, {"name": "tpe"}], "seeds": 3, "budget": 8}
    data.update(overrides)
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_killed_and_resumed_sweep_validates(tmp_path):
    path = sweep_file(tmp_path, agents=[{"name": "toy-slow"}], seeds=8, envs=[{"id": TOY}])
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from archgym.cli import main; main()", "sweep", "run", str(path),
           "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while len(ResultStore(out).finished_keys()) < 2 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= len(ResultStore(out).finished_keys()) < 8
    done = subprocess.run([*cmd[:-3], "--serial", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = validate(out)
    assert report.ok and len(report.runs) == 8, [v.message() for v in report.runs]


def test_sweep_seeds_sample_and_tampered_trial(tmp_path, run_cli):
    out = tmp_path / "out"
    code, _, err = run_cli(["sweep", "run", str(sweep_file(tmp_path)), "--out", str(out), "--serial", "--quiet"])
    assert code == 0, err
    replayed = replay(out)
    assert replayed.ok and len(replayed.checks) == 12 * 8
    report = validate(out, seeds=1)
    assert report.ok and len(report.runs) == 4 and report.total == 12
    assert {v.spec.seed for v in report.runs} == {0}
    assert report.summary() == "4 runs validated (a sample of 12): 4 reproduced, 0 not reproduced, 0 not validatable"
    trial = sorted((out / "trials").glob("*.json"))[0]
    result = json.loads(trial.read_text())
    result["best_reward"] = 1e9
    trial.write_text(json.dumps(result))
    bad = [v for v in validate(out).runs if not v.ok]
    assert len(bad) == 1 and bad[0].source == str(trial)
    assert f"{trial}: best reward recorded 1000000000.0" in bad[0].problems[0]
