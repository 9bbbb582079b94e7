"""The model reproduces its pinned results bit for bit (see ``golden.py``)."""

from __future__ import annotations

import golden


def test_results_match_the_golden_fixture():
    fixture = golden.load()
    got = dict(golden.compute(fixture["designs"]))
    assert got.keys() == fixture["results"].keys()
    wrong = [k for k, v in got.items() if v != fixture["results"][k]]
    assert not wrong, f"{len(wrong)} of {len(got)} cases changed, e.g. {wrong[0]}: {got[wrong[0]]} " \
                      f"!= {fixture['results'][wrong[0]]}"
