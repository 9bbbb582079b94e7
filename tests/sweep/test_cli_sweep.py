"""``archgym sweep run`` and ``report`` end to end, including a kill -9 half-way and a resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from archgym.data.datasets import load as load_records
from archgym.sweep.plan import expand
from archgym.sweep.spec import load_spec
from archgym.sweep.store import ResultStore


def test_run_then_report_draws_the_lottery(sweep_file, tmp_path, run_cli):
    path = sweep_file(agents=[{"name": "random"}, {"name": "toy-tuned", "hp": "auto", "samples": 4}], seeds=3)
    out = tmp_path / "out"
    code, text, _ = run_cli(["sweep", "run", str(path), "--out", str(out), "--serial", "--quiet"])
    text = " ".join(text.split())
    assert code == 0 and "30 trials done, 0 failed, 0 skipped" in text
    assert len(list((out / "sweeps").glob("*.yaml"))) == 1
    code, text, _ = run_cli(["sweep", "plan", str(path), "--out", str(out)])
    text = " ".join(text.split())
    assert "30 finished, 0 to run" in text
    code, text, _ = run_cli(["sweep", "report", str(out)])
    text = " ".join(text.split())
    assert code == 0
    report = out / "report"
    for png in ("lottery.png", "curves.png", "sensitivity.png"):
        assert (report / png).stat().st_size > 5000
    md = (report / "report.md").read_text()
    for heading in ("Best reward per agent", "Hyperparameter lottery", "Success at reaching the target",
                    "Best-so-far curves", "Sample efficiency (90% of the best known)", "Sensitivity"):
        assert f"## {heading}" in md
    assert "![hyperparameter lottery](lottery.png)" in md and "| toy-tuned | 4 |" in md
    assert len((report / "trials.csv").read_text().splitlines()) == 31


def test_cli_user_errors_are_one_line(sweep_file, tmp_path, run_cli):
    path = sweep_file()
    for args, message in [
        (["--workers", "2", "--serial"], "choose one of --workers, --dask-local, --scheduler, --serial"),
        (["--scheduler", "localhost:8786"], "--scheduler must be an address like tcp://host:8786"),
        (["--workers", "0"], "--workers must be >= 1"),
    ]:
        code, _, err = run_cli(["sweep", "run", str(path), "--out", str(tmp_path / "o"), *args])
        assert code == 2 and message in err and err.count("\n") == 1
    code, _, err = run_cli(["sweep", "report", str(tmp_path / "empty")])
    assert code == 2 and "holds no trial results" in err


def test_kill_9_half_way_loses_and_duplicates_nothing(sweep_file, tmp_path):
    path = sweep_file(envs=[{"id": "archgym-test/Toy-v0"}], agents=[{"name": "toy-slow"}], seeds=16, budget=10)
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from archgym.cli import main; main()", "sweep", "run", str(path),
           "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while len(ResultStore(out).finished_keys()) < 3 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    survived = ResultStore(out).finished_keys()
    assert 3 <= len(survived) < 16
    spec = load_spec(path)
    from archgym.backends import SerialBackend
    from archgym.sweep.runner import run_sweep

    outcome = run_sweep(expand(spec), out, backend=SerialBackend(), imports=spec.imports)
    assert outcome.skipped == len(survived) and outcome.ok == 16 - len(survived)
    records = load_records(out / "records" / "archgym-test_Toy-v0")
    assert len(records) == 16 * 10 and records.groupby("run_id").size().eq(10).all()
