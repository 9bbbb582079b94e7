"""Replay the bad inputs and interruptions of issue 13 through the installed ``archgym`` executable.

Each case runs ``archgym`` in a subprocess (in a fresh temporary folder), optionally
interrupts it with SIGINT, and is judged:

* ``clean``: the expected exit code, the expected words in the output, no traceback and
  the case's own check (files written or not written) holds;
* ``traceback``: a Python traceback reached the terminal;
* ``wrong``: anything else (wrong exit code, missing message, a silent wrong result).

It prints one Markdown table row per case and a total line. The closing note of issue 13
quotes the table; rerun it after a change with ``python benchmarks/core/bad_inputs.py``
(``--only WORD`` runs the cases whose name contains WORD). Cases that need a non-root
user (a read-only folder) use ``/sys`` instead, which refuses writes even to root.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ACC = "archgym/Accelerator-v1"


def archgym_executable() -> str:
    """The installed ``archgym`` script: next to this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name("archgym")
    found = str(beside) if beside.exists() else shutil.which("archgym")
    if not found:
        sys.exit("the archgym executable is not installed (pip install -e .)")
    return found


@dataclass
class Case:
    """One bad input: arguments, the exit code and words expected, and an optional check of the folder."""

    name: str
    args: list[str]
    code: int
    words: str
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path], bool] | None = None
    interrupt_when: Callable[[Path], bool] | None = None
    fsize_limit: int | None = None
    env: dict[str, str] = field(default_factory=dict)


def _child_setup(fsize_limit: int | None) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C acts even when this script runs in the background
        if fsize_limit:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))
    return apply


def run_case(case: Case, exe: str, root: Path) -> tuple[int, str, str]:
    """Run one case in its own folder; return (exit code, stdout, stderr)."""
    folder = root / case.name
    folder.mkdir()
    if case.setup:
        case.setup(folder)
    env = {**os.environ, "COLUMNS": "80", **case.env}
    proc = subprocess.Popen([exe, *case.args], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True,
                            preexec_fn=_child_setup(case.fsize_limit))
    if case.interrupt_when:
        deadline = time.time() + 120
        while proc.poll() is None and not case.interrupt_when(folder) and time.time() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def judge(case: Case, code: int, out: str, err: str, folder: Path) -> str:
    if "Traceback" in err or "Traceback" in out:
        return "traceback"
    said = " ".join((out + " " + err).split())
    ok = code == case.code and case.words in said and (case.check is None or case.check(folder))
    return "clean" if ok else "wrong"


# -- set-ups and checks ----------------------------------------------------------------------------


def _dataset(folder: Path) -> None:
    subprocess.run([archgym_executable(), "dataset", "collect", "--env", ACC, "--samples", "80", "--out",
                    str(folder / "data"), "--quiet"], check=True, capture_output=True)


def _corrupt_dataset(folder: Path) -> None:
    _dataset(folder)
    shard = sorted((folder / "data").rglob("*.parquet"))[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))


def _file(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text("not a folder\n")


def _previous_run(folder: Path) -> None:
    subprocess.run([archgym_executable(), "run", "--budget", "5", "--out", str(folder / "out"), "--quiet"],
                   check=True, capture_output=True)


def _sweep_file(folder: Path, trials_seeds: int = 40, budget: int = 30) -> None:
    (folder / "sweep.yaml").write_text(
        f"envs: [{{id: {ACC}}}]\nagents: [{{name: random}}]\nseeds: {list(range(trials_seeds))}\nbudget: {budget}\n")


def _interrupted_sweep(folder: Path) -> None:
    _sweep_file(folder, trials_seeds=30, budget=20)
    proc = subprocess.Popen([archgym_executable(), "sweep", "run", "sweep.yaml", "--out", "out", "--serial",
                             "--quiet"], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, preexec_fn=_child_setup(None))
    while len(list((folder / "out" / "trials").glob("*.json"))) < 5 and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait()


def _nothing(path: str) -> Callable[[Path], bool]:
    return lambda folder: not (folder / path).exists()


def _no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.rglob("*.tmp")]


def _records_after(n: int, sub: str = "out") -> Callable[[Path], bool]:
    return lambda folder: len(list((folder / sub).rglob("*.parquet"))) + len(list((folder / sub).rglob("*.jsonl"))) >= n


def _started(path: str) -> Callable[[Path], bool]:
    return lambda folder: (folder / path).exists()


def _wait(seconds: float) -> Callable[[Path], bool]:
    start: list[float] = []

    def due(folder: Path) -> bool:
        if not start:
            start.append(time.time())
        return time.time() - start[0] > seconds
    return due


def _best_written(folder: Path) -> bool:
    best, plot = folder / "out" / "best.json", folder / "out" / "convergence.png"
    return best.exists() and plot.exists() and json.loads(best.read_text()).get("interrupted") is True


def _umask_respected(folder: Path) -> bool:
    files = [p for p in (folder / "out").rglob("*") if p.is_file()]
    return bool(files) and all(p.stat().st_mode & 0o044 == 0o044 for p in files)


CASES = [
    # usage errors
    Case("unknown option", ["run", "--bugdet", "5"], 2, "No such option: --bugdet"),
    Case("bad type", ["run", "--budget", "abc"], 2, "--budget"),
    Case("missing value", ["run", "--budget"], 2, "--budget"),
    Case("missing option", ["proxy", "train", "data", "--target", "latency_ns"], 2, "--out"),
    Case("missing argument", ["sweep", "run"], 2, "FILE"),
    Case("unknown command", ["nope"], 2, "No such command 'nope'"),
    Case("unknown subcommand", ["dataset", "nope"], 2, "No such command 'nope'"),
    Case("version", ["--version"], 0, "archgym 0."),
    # numbers out of domain
    Case("objective nan weight", ["run", "--objective", "weighted:latency_cycles=nan", "--out", "out"], 2,
         "latency_cycles", check=_nothing("out")),
    Case("hp nan", ["run", "--agent", "ga", "--hp", "mutation_rate=nan", "--out", "out"], 2, "mutation_rate",
         check=_nothing("out")),
    Case("hp wrong type", ["run", "--agent", "ga", "--hp", "population=abc", "--out", "out"], 2, "population",
         check=_nothing("out")),
    Case("env-arg wrong type", ["run", "--env-arg", "max_steps=abc", "--out", "out"], 2, "max_steps",
         check=_nothing("out")),
    Case("env-arg nan", ["run", "--env", "archgym/DRAM-v1", "--env-arg", "trace_clock_mhz=nan", "--out", "out"],
         2, "trace_clock_mhz", check=_nothing("out")),
    Case("negative seed", ["run", "--seed", "-1", "--out", "out"], 2, "--seed", check=_nothing("out")),
    Case("collect negative seed", ["dataset", "collect", "--env", ACC, "--samples", "5", "--seed", "-1",
                                   "--out", "out"], 2, "--seed", check=_nothing("out")),
    Case("collect hp inf", ["dataset", "collect", "--env", ACC, "--samples", "5", "--agent", "ga", "--hp",
                            "mutation_rate=inf", "--out", "out"], 2, "mutation_rate", check=_nothing("out")),
    Case("objective budget inf", ["run", "--objective", "minimize:latency_cycles;area_mm2<=inf", "--out", "out"], 2,
         "area_mm2<=inf", check=_nothing("out")),
    Case("unknown env-arg", ["run", "--env-arg", "nope=1", "--out", "out"], 2, "has no argument 'nope'",
         check=_nothing("out")),
    Case("collect zero samples", ["dataset", "collect", "--env", ACC, "--samples", "0", "--out", "out"], 2,
         "--samples", check=_nothing("out")),
    Case("proxy zero samples", ["proxy", "train", "data", "--samples", "0", "--out", "m.pkl"], 2, "--samples",
         setup=_dataset, check=_nothing("m.pkl")),
    # filesystem
    Case("run out is a file", ["run", "--budget", "5", "--out", "f"], 2, "f", setup=_file("f")),
    Case("run out read-only", ["run", "--budget", "5", "--out", "/sys/archgym-out"], 2, "/sys/archgym-out"),
    Case("run disk full", ["run", "--budget", "40", "--out", "out", "--quiet"], 1, "File too large",
         fsize_limit=6000, check=_no_temporaries),
    Case("collect out is a file", ["dataset", "collect", "--env", ACC, "--samples", "5", "--out", "f"], 2, "f",
         setup=_file("f")),
    Case("collect disk full", ["dataset", "collect", "--env", ACC, "--samples", "300", "--out", "out", "--quiet"],
         1, "File too large", fsize_limit=8000, check=_no_temporaries),
    Case("sweep out is a file", ["sweep", "run", "sweep.yaml", "--out", "f", "--serial"], 2, "f",
         setup=lambda d: (_sweep_file(d), _file("f")(d))),
    Case("sweep out read-only", ["sweep", "run", "sweep.yaml", "--out", "/sys/archgym-out", "--serial"], 2,
         "/sys/archgym-out", setup=_sweep_file),
    Case("proxy out is a folder", ["proxy", "train", "data", "--out", "data", "--no-speed"], 2, "data",
         setup=_dataset),
    Case("proxy out read-only", ["proxy", "train", "data", "--out", "/sys/archgym.pkl", "--no-speed"], 2,
         "/sys/archgym.pkl", setup=_dataset),
    Case("verify finds a problem", ["dataset", "info", "data", "--verify"], 1, "checksum",
         setup=_corrupt_dataset),
    # existing output
    Case("run into previous run", ["run", "--budget", "5", "--out", "out"], 2, "give --overwrite",
         setup=_previous_run),
    # interruption
    Case("ctrl-c run", ["run", "--budget", "100000", "--out", "out"], 130, "interrupted",
         interrupt_when=_records_after(1), check=_best_written),
    Case("ctrl-c collect", ["dataset", "collect", "--env", ACC, "--samples", "100000", "--chunk-size", "64",
                            "--out", "out"], 130, "interrupted: rerun the same command to resume",
         interrupt_when=_records_after(1)),
    Case("ctrl-c sweep", ["sweep", "run", "sweep.yaml", "--out", "out", "--workers", "2"], 130,
         "interrupted: rerun the same command to resume", setup=_sweep_file,
         interrupt_when=lambda d: len(list((d / "out" / "trials").glob("*.json"))) >= 2),
    Case("report of an interrupted sweep", ["sweep", "report", "out"], 0, "of 30 planned trials",
         setup=_interrupted_sweep),
    # what a user sees
    Case("umask respected", ["run", "--budget", "5", "--out", "out", "--quiet"], 0, "best",
         check=_umask_respected),
    Case("describe lists env arguments", ["describe", "archgym/DRAM-v1"], 0, "trace_clock_mhz"),
    Case("describe does not truncate knobs", ["describe", "archgym/DRAM-v1"], 0, "RefreshMaxPulledin"),
    Case("dram first run says it compiles", ["run", "--env", "archgym/DRAM-v1", "--budget", "3", "--out", "out",
                                             "--quiet"], 0, "numba", env={"NUMBA_CACHE_DIR": "numba-cache"}),
    Case("nsga2 shows the Pareto front", ["run", "--agent", "nsga2", "--budget", "30", "--objective",
                                          "pareto:latency_cycles,energy_pj", "--out", "out", "--quiet"], 0,
         "Pareto front"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    exe = archgym_executable()
    counts = {"clean": 0, "traceback": 0, "wrong": 0}
    print("| case | command | exit | outcome | first line of the message |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for case in CASES:
            if args.only not in case.name:
                continue
            code, out, err = run_case(case, exe, root)
            verdict = judge(case, code, out, err, root / case.name)
            counts[verdict] += 1
            lines = [ln for ln in (err.strip().splitlines() or out.strip().splitlines()) if ln.strip()]
            first = (lines[-1] if verdict == "traceback" else lines[0]) if lines else ""
            print(f"| {case.name} | `archgym {' '.join(case.args)}` | {code} | {verdict} | "
                  f"{first.strip()[:110].replace('|', '/')} |", flush=True)
    print(f"\n{sum(counts.values())} cases: {counts['clean']} clean, {counts['traceback']} tracebacks, "
          f"{counts['wrong']} wrong or silent")


if __name__ == "__main__":
    main()
