"""HEFT reproduces Topcuoglu, Hariri and Wu (2002), Fig. 2 / Fig. 4(a)."""

from __future__ import annotations

import math

import pytest

from archgym.simulators.soc.heft import heft

# computation cost of tasks n1..n10 on P1, P2, P3 (Table 1 of the paper)
W = [[14, 16, 9], [13, 19, 18], [11, 13, 19], [13, 8, 17], [12, 13, 10],
     [13, 16, 9], [7, 15, 11], [5, 11, 14], [18, 12, 20], [21, 7, 16]]
# communication costs on the edges of Fig. 2 (1-based task numbers)
E = [(1, 2, 18), (1, 3, 12), (1, 4, 9), (1, 5, 11), (1, 6, 14), (2, 8, 19), (2, 9, 16), (3, 7, 23),
     (4, 8, 27), (4, 9, 23), (5, 9, 13), (6, 8, 15), (7, 10, 17), (8, 10, 11), (9, 10, 13)]


def paper():
    return heft(W, [(s - 1, d - 1, c) for s, d, c in E])


def test_makespan_80():
    assert paper().makespan == 80


def test_ranks_and_order():
    s = paper()
    assert [round(r, 3) for r in s.rank] == [108.0, 77.0, 80.0, 80.0, 69.0, 63.333, 42.667, 35.667, 44.333, 14.667]
    assert [i + 1 for i in s.order] == [1, 3, 4, 2, 5, 6, 9, 7, 8, 10]


def test_schedule_respects_dependencies_and_processors():
    s = paper()
    for a, b, c in E:
        a, b = a - 1, b - 1
        comm = 0 if s.proc[a] == s.proc[b] else c
        assert s.start[b] >= s.finish[a] + comm - 1e-9
    for q in range(3):
        spans = sorted((s.start[i], s.finish[i]) for i in range(10) if s.proc[i] == q)
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


def test_groups_remove_communication():
    s = heft(W, [(a - 1, b - 1, c) for a, b, c in E], proc_group=[0, 0, 0])
    assert s.makespan <= 80


def test_unrunnable_task():
    with pytest.raises(ValueError, match="no processor"):
        heft([[math.inf]], [])
