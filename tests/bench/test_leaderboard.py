"""The committed leaderboard is valid: every entry's structure and best designs, and a sample re-run."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgym.bench.leaderboard import check_structure, load_entry, replay_best, rerun, sample_runs

LEADERBOARD = Path(__file__).parents[2] / "benchmarks" / "leaderboard"
#: complete entries, and partial ones (runs stopped before every task was done: only finished tasks kept)
ENTRIES = sorted(LEADERBOARD.glob("entries/*.json")) + sorted(LEADERBOARD.glob("partial/entries/*.json"))
#: entries whose cheapest run is re-run (a re-run is a whole search: a few seconds each)
RERUN = ("random", "ga")


@pytest.mark.parametrize("path", ENTRIES, ids=[f"{p.parent.name}/{p.stem}" for p in ENTRIES])
def test_committed_entry_structure_and_best_designs(path):
    entry = load_entry(path)
    assert check_structure(entry) == []
    assert replay_best(entry) == []
    assert len({r["seed"] for r in entry["runs"]}) >= 20, "leaderboard entries hold at least 20 seeds"


@pytest.mark.parametrize("name", RERUN)
def test_committed_entry_reruns_reproduce(name):
    matches = [p for p in ENTRIES if p.stem == name]
    if not matches:
        pytest.skip(f"no committed {name} entry")
    entry = load_entry(matches[0])
    assert rerun(entry, sample_runs(entry, 1)) == []
