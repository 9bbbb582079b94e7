"""The DRAM benchmark scripts run (small settings), so their RESULTS.md tables can be regenerated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "dram"


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DRAMSIM3", "DRAMSIM3_CONFIG")}
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.parametrize("script, args, header", [
    ("sensitivity.py", (), "| workload | knob | value | latency | bandwidth | power |"),
    ("landscape.py", ("--designs", "24"), "| workload | objective | feasible designs |"),
    ("speed.py", ("--designs", "1", "--repeats", "1"), "| workload | requests | wall req/s |"),
])
def test_benchmark_scripts_print_their_tables(script, args, header):
    r = run(script, *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(header)
    assert len(r.stdout.splitlines()) >= 6  # header, rule and a row per workload at least


def test_fidelity_without_dramsim3_says_what_it_needs():
    r = run("fidelity.py")
    assert r.returncode == 2
    assert "--dramsim3" in r.stderr
