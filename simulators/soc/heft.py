"""HEFT list scheduling (Topcuoglu, Hariri and Wu, IEEE TPDS 13(3), 2002).

Heterogeneous Earliest Finish Time: tasks are ranked by their upward rank
``rank_u(i) = mean_cost(i) + max_{j in succ(i)} (comm(i, j) + rank_u(j))``
and, in decreasing rank, each is placed on the processor where it would
finish earliest, allowed to fill an idle gap between tasks already placed
there (the paper's insertion-based policy). Communication costs apply only
between processors of different *groups* (by default every processor is its
own group, as in the paper; the SoC model groups the PEs on one bus).

Example (the paper's Fig. 2 graph gives makespan 80):
    >>> s = heft([[2, 3], [4, 1]], [(0, 1, 5)])
    >>> s.proc, s.makespan
    ([0, 0], 6.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Schedule:
    """HEFT's result: processor, start and finish of each task, and the priority order."""

    proc: list[int]
    start: list[float]
    finish: list[float]
    order: list[int]
    rank: list[float]

    @property
    def makespan(self) -> float:
        return max(self.finish) if self.finish else 0.0


def upward_ranks(
    mean_cost: Sequence[float], succ: Sequence[Sequence[tuple[int, float]]], topo: Sequence[int]
) -> list[float]:
    """``rank_u`` of every task, computed in reverse topological order."""
    rank = [0.0] * len(mean_cost)
    for i in reversed(topo):
        tail = max((c + rank[j] for j, c in succ[i]), default=0.0)
        rank[i] = mean_cost[i] + tail
    return rank


def heft(
    comp: Sequence[Sequence[float]],
    edges: Sequence[tuple[int, int, float]],
    proc_group: Sequence[int] | None = None,
) -> Schedule:
    """Schedule a DAG with HEFT.

    Args:
        comp: ``comp[i][q]`` = execution time of task ``i`` on processor ``q``
            (``inf`` where it cannot run).
        edges: ``(src, dst, communication time)``; the time is paid when the
            two tasks run on processors of different groups.
        proc_group: group of each processor (default: each its own).

    Raises:
        ValueError: a task that can run on no processor, or a cyclic graph.
    """
    n = len(comp)
    nproc = len(comp[0]) if n else 0
    group = list(proc_group) if proc_group is not None else list(range(nproc))
    succ: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    pred: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    indeg = [0] * n
    for s, d, c in edges:
        succ[s].append((d, float(c)))
        pred[d].append((s, float(c)))
        indeg[d] += 1
    topo = [i for i in range(n) if indeg[i] == 0]
    k = 0
    while k < len(topo):
        for j, _ in succ[topo[k]]:
            indeg[j] -= 1
            if indeg[j] == 0:
                topo.append(j)
        k += 1
    if len(topo) != n:
        raise ValueError("HEFT needs an acyclic task graph")
    mean = []
    for i in range(n):
        finite = [float(x) for x in comp[i] if x != math.inf]
        if not finite:
            raise ValueError(f"task {i} can run on no processor")
        mean.append(sum(finite) / len(finite))
    rank = upward_ranks(mean, succ, topo)
    pos = {t: p for p, t in enumerate(topo)}
    order = sorted(range(n), key=lambda i: (-round(rank[i], 9), pos[i]))

    slots: list[list[tuple[float, float]]] = [[] for _ in range(nproc)]
    proc = [-1] * n
    start = [0.0] * n
    finish = [0.0] * n
    inf = math.inf
    for i in order:
        best = (inf, inf, -1)
        ready_in: dict[int, float] = {}
        row = comp[i]
        for q in range(nproc):
            w = float(row[q])
            if w == inf:
                continue
            gq = group[q]
            ready = ready_in.get(gq)
            if ready is None:
                ready = 0.0
                for j, c in pred[i]:
                    t = finish[j] + (c if group[proc[j]] != gq else 0.0)
                    if t > ready:
                        ready = t
                ready_in[gq] = ready
            est = _earliest_gap(slots[q], ready, w)
            if est + w < best[0]:
                best = (est + w, est, q)
        eft, est, q = best
        proc[i], start[i], finish[i] = q, est, eft
        slots[q].append((est, eft))
        slots[q].sort()
    return Schedule(proc, start, finish, order, rank)


def _earliest_gap(busy: list[tuple[float, float]], ready: float, w: float) -> float:
    """Earliest start >= ``ready`` of a ``w``-long job between the sorted busy intervals."""
    t = ready
    for s, e in busy:
        if t + w <= s:
            return t
        if e > t:
            t = e
    return t
