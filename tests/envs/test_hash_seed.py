"""Results do not depend on PYTHONHASHSEED: the same run in two interpreters with different string hashing."""

from __future__ import annotations

import os
import subprocess
import sys

#: an SoC search (its utilization once summed over a set of block names) and a sweep trial's fingerprint
SCRIPT = """
import gymnasium, archgym
from archgym.agents import make_agent
from archgym.sweep.plan import Trial
from archgym.sweep.trial import run_trial

history = make_agent("random").run(gymnasium.make("archgym/SoC-v1"), budget=40, seed=0)
print(history.fingerprint())
trial = Trial("archgym/SoC-v1", 1, {"mapping": "agent"}, "ga", {}, 0, 16).to_dict()
result = run_trial(trial)
print(result["status"], result["fingerprint"], repr(result["best_reward"]))
"""


def _run(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_soc_and_sweep_results_are_bit_identical_across_hash_seeds():
    first, second = _run("1"), _run("2")
    assert first.splitlines()[1].startswith("ok ")
    assert first == second
