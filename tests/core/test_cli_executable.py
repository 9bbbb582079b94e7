"""The installed ``archgym`` executable on bad input and Ctrl-C: one line, the right exit code, nothing half-written.

These run the console script in a subprocess (not ``main()`` in-process), so a typer or
click upgrade that changes how usage errors or interruptions surface fails here. Several
cases share one test to keep the number of interpreter start-ups small.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
import yaml

EXE = Path(sys.executable).with_name("archgym")
ARCHGYM = str(EXE) if EXE.exists() else shutil.which("archgym")
ACC = "archgym/Accelerator-v1"
PLUGIN = Path(__file__).parents[1] / "sweep" / "plugin.py"

pytestmark = pytest.mark.skipif(ARCHGYM is None, reason="the archgym executable is not installed (pip install -e .)")


def archgym(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run([ARCHGYM, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300, **kwargs)


def interrupted(args: list[str], cwd: Path, ready: Callable[[], bool]) -> tuple[int, str, str]:
    """Start ``archgym args``, send SIGINT (Ctrl-C) to its process group once ``ready()``, return code and output."""
    proc = subprocess.Popen([ARCHGYM, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "COLUMNS": "80"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if we ignore it
    deadline = time.time() + 120
    while proc.poll() is None and not ready() and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, f"finished before it could be interrupted: {proc.communicate()}"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def _journal_lines(folder: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in folder.glob("_journal-*"))


def one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    err = result.stderr
    assert result.returncode == code, (result.returncode, err)
    assert "Traceback" not in err and err.startswith("error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, (word, err)


def test_usage_errors_name_the_option_and_exit_2(tmp_path):
    for args, words in [
        (["run", "--bugdet", "5"], ["No such option: --bugdet", "--budget"]),
        (["run", "--budget", "abc"], ["'--budget'"]),
        (["run", "--budget"], ["'--budget' requires an argument"]),
        (["proxy", "train", "data", "--target", "latency_ns"], ["missing option --out"]),
        (["sweep", "run"], ["missing argument FILE"]),
        (["nope"], ["No such command 'nope'"]),
        (["dataset", "nope"], ["archgym dataset: No such command 'nope'"]),
        (["run", "--seed", "-1"], ["'--seed'", "greater than or equal to 0"]),
    ]:
        one_line_error(archgym(*args, cwd=tmp_path), 2, *words)
    version = archgym("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("archgym 0.")
    assert list(tmp_path.iterdir()) == []


def test_bad_values_are_rejected_before_anything_is_written(tmp_path):
    (tmp_path / "f").write_text("a file\n")
    for args, words in [
        (["run", "--objective", "weighted:latency_cycles=nan"], ["--objective", "latency_cycles=nan", "finite"]),
        (["run", "--objective", "minimize:latency_cycles;area_mm2<=inf"], ["area_mm2<=inf"]),
        (["run", "--agent", "ga", "--hp", "mutation_rate=nan"], ["--hp mutation_rate=nan: must be a finite number"]),
        (["run", "--env-arg", "max_steps=abc"], ["--env-arg max_steps=abc: max_steps takes int"]),
        (["run", "--env", "archgym/DRAM-v1", "--env-arg", "trace_clock_mhz=nan"], ["trace_clock_mhz=nan", "finite"]),
        (["run", "--env-arg", "nope=1"], ["has no argument 'nope'", "max_steps"]),
        (["dataset", "collect", "--env", ACC, "--samples", "0"], ["'--samples'"]),
        (["dataset", "collect", "--env", ACC, "--samples", "5", "--hp", "x=inf"], ["--hp x=inf"]),
    ]:
        one_line_error(archgym(*args, "--out", "out", cwd=tmp_path), 2, *words)
    one_line_error(archgym("proxy", "train", "data", "--samples", "0", "--out", "m.pkl", cwd=tmp_path), 2,
                   "'--samples'")
    (tmp_path / "sweep.yaml").write_text(f"envs: [{{id: {ACC}}}]\nagents: [{{name: random}}]\nseeds: [0]\nbudget: 3\n")
    for args in (["run", "--budget", "3"], ["dataset", "collect", "--env", ACC, "--samples", "3"],
                 ["sweep", "run", "sweep.yaml", "--serial"]):
        one_line_error(archgym(*args, "--out", "f", cwd=tmp_path), 2, "--out f: is a file, not a folder")
    (tmp_path / "d").mkdir()
    one_line_error(archgym("proxy", "train", "data", "--out", "d", cwd=tmp_path), 2, "--out d: is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "f", "sweep.yaml"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        one_line_error(archgym("run", "--budget", "3", "--out", str(locked / "out"), cwd=tmp_path), 2,
                       "not writable")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_run_output_folder_umask_overwrite_and_full_disk(tmp_path):
    old = os.umask(0o022)
    try:
        first = archgym("run", "--budget", "4", "--out", "out", "--quiet", cwd=tmp_path)
    finally:
        os.umask(old)
    assert first.returncode == 0, first.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files and all(p.stat().st_mode & 0o777 == 0o644 for p in files), [oct(p.stat().st_mode) for p in files]
    before = (tmp_path / "out" / "best.json").read_text()
    one_line_error(archgym("run", "--budget", "4", "--out", "out", cwd=tmp_path), 2, "--out out is not empty",
                   "--overwrite")
    assert (tmp_path / "out" / "best.json").read_text() == before
    again = archgym("run", "--budget", "6", "--out", "out", "--overwrite", "--quiet", cwd=tmp_path)
    assert again.returncode == 0 and json.loads((tmp_path / "out" / "best.json").read_text())["evaluations"] == 6

    def small_files() -> None:  # a write past 6 kB fails with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))

    full = archgym("run", "--budget", "40", "--out", "full", "--quiet", cwd=tmp_path, preexec_fn=small_files)
    one_line_error(full, 1, "File too large")
    assert not list((tmp_path / "full").rglob("*.tmp"))


def test_ctrl_c_in_run_keeps_best_and_plot(tmp_path):
    out = tmp_path / "out"
    code, stdout, err = interrupted(["run", "--budget", "1000000", "--out", "out"], tmp_path,
                                    lambda: _journal_lines(out / "records") >= 3)
    assert code == 130 and "Traceback" not in err, err
    assert "interrupted after" in err and "of 1000000 evaluations" in err
    best = json.loads((out / "best.json").read_text())
    assert best["interrupted"] is True and 1 <= best["evaluations"] < 1000000
    assert (out / "convergence.png").exists() and "best design" in stdout


def test_ctrl_c_in_collect_and_sweep_exits_130_and_report_counts_the_plan(tmp_path):
    code, _, err = interrupted(["dataset", "collect", "--env", ACC, "--samples", "1000000", "--chunk-size", "32",
                                "--out", "data"], tmp_path, lambda: any((tmp_path / "data").glob("_journal-*")))
    assert code == 130 and "Traceback" not in err and "interrupted: rerun the same command to resume" in err, err
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({"imports": [str(PLUGIN)], "envs": [{"id": "archgym-test/Toy-v0"}],
                                     "agents": [{"name": "toy-slow"}], "seeds": list(range(30)), "budget": 10}))
    trials = tmp_path / "out" / "trials"
    code, _, err = interrupted(["sweep", "run", str(sweep), "--out", "out", "--serial"], tmp_path,
                               lambda: len(list(trials.glob("*.json"))) >= 2)
    assert code == 130 and "Traceback" not in err and "interrupted: rerun the same command to resume" in err, err
    done = len(list(trials.glob("*.json")))
    report = archgym("sweep", "report", "out", cwd=tmp_path)
    text = " ".join(report.stdout.split())
    assert report.returncode == 0 and f"Incomplete study: {done} of 30 planned trials finished" in text
    markdown = (tmp_path / "out" / "report" / "report.md").read_text()
    assert f"**Incomplete study: {done} of 30 planned trials finished**" in markdown


def test_describe_lists_arguments_and_whole_knob_names_in_a_pipe(tmp_path):
    result = archgym("describe", "archgym/DRAM-v1", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("trace_clock_mhz: float or None = None", "max_steps: int = 10", "cost_model", "device",
                 "RefreshMaxPulledin", "RefreshPolicy", "ClosedAdaptive"):
        assert word in result.stdout, word
    assert "…" not in result.stdout
