"""HEFT list scheduling (Topcuoglu, Hariri and Wu, IEEE TPDS 13(3), 2002).

Heterogeneous Earliest Finish Time: tasks are ranked by their upward rank
``rank_u(i) = mean_cost(i) + max_{j in succ(i)} (comm(i, j) + rank_u(j))``
and, in decreasing rank, each is placed on the processor where it would
finish earliest, allowed to fill an idle gap between tasks already placed
there (the paper's insertion-based policy). Communication costs apply only
between processors of different *groups* (by default every processor is its
own group, as in the paper; the SoC model groups the PEs on one bus).

The algorithm is written once, as the array kernel :func:`heft_kernel`
(:func:`graph_structure`, then :func:`schedule`; compiled with numba when it
is installed, plain Python otherwise, see :mod:`archgym.compiled`): :func:`heft`
wraps it for lists, the SoC layout calls it for one design, and
:func:`heft_batch` runs :func:`schedule` over many designs of one graph in
one compiled loop (the SoC proxy features). Float rules: ranks are rounded
to 9 decimals exactly as Python's ``round(rank, 9)`` (:func:`round9`) before
ordering, ties go to the earlier task in topological order, and a processor
must give a strictly earlier finish to beat an earlier one.

Example (the paper's Fig. 2 graph gives makespan 80):
    >>> s = heft([[2, 3], [4, 1]], [(0, 1, 5)])
    >>> s.proc, s.makespan
    ([0, 0], 6.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from archgym.compiled import jit, jit_inline

#: :func:`heft_kernel` status codes (a value >= 0 is the index of a task that can run nowhere)
OK, CYCLIC = -1, -2


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
    c = np.array(comp, dtype=np.float64).reshape(n, nproc)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    cost = np.array([float(e[2]) for e in edges], dtype=np.float64)
    labels = np.array(proc_group if proc_group is not None else range(nproc))
    group = np.unique(labels, return_inverse=True)[1].astype(np.int64).reshape(nproc)
    proc, start, finish, order, rank, status = heft_kernel(c, src, dst, cost, group)
    check_status(status)
    return Schedule(proc.tolist(), start.tolist(), finish.tolist(), order.tolist(), rank.tolist())


def check_status(status: int) -> None:
    """Raise the ``ValueError`` a :func:`heft_kernel` status stands for."""
    if status == CYCLIC:
        raise ValueError("HEFT needs an acyclic task graph")
    if status >= 0:
        raise ValueError(f"task {status} can run on no processor")


@jit_inline
def _split(a: float) -> tuple[float, float]:
    """Dekker's split of ``a`` into two halves whose products are exact."""
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


@jit_inline
def round9(x: float) -> float:
    """``round(x, 9)`` with Python's semantics (exact decimal rounding, ties to even), compilable.

    ``x * 1e9 = y + e`` exactly (Dekker's product); the nearest integer of
    ``y + e`` is decided by exact comparisons, then divided by 1e9 (one
    correctly rounded division, as Python's string round trip gives).
    Values with ``|x| >= 4.5e6`` are returned unchanged.
    """
    s = 1e9
    y = x * s
    if not (abs(y) < 4503599627370496.0):  # 2**52; also inf and nan
        return x
    xh, xl = _split(x)
    sh, sl = _split(s)
    e = ((xh * sh - y) + xh * sl + xl * sh) + xl * sl
    k = np.floor(y)
    h = (y - k) - 0.5  # exact for 0 <= y (Sterbenz), or too far from 0 for its rounding to matter
    if h > -e:
        k += 1.0
    elif h == -e and k % 2.0 != 0.0:
        k += 1.0
    return k / s


@jit
def heft_kernel(comp: np.ndarray, src: np.ndarray, dst: np.ndarray, cost: np.ndarray,
                group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """HEFT on arrays: the one implementation (:func:`graph_structure`, then :func:`schedule`).

    Args:
        comp: ``(tasks, processors)`` execution times, ``inf`` where a task cannot run.
        src, dst, cost: the edges (int64, int64, float64 arrays of equal length).
        group: ``(processors,)`` int64 group of each processor, ``>= 0``.

    Returns:
        ``(proc, start, finish, order, rank, status)``; ``status`` is
        :data:`OK`, :data:`CYCLIC` or the index of a task no processor can run
        (then the other arrays are meaningless).
    """
    n, nproc = comp.shape
    proc = np.full(n, -1, dtype=np.int64)
    start = np.zeros(n)
    finish = np.zeros(n)
    rank = np.zeros(n)
    order = np.zeros(n, dtype=np.int64)
    nsucc, succ, npred, pred, topo = graph_structure(n, src, dst)
    if topo.shape[0] != n:
        return proc, start, finish, order, rank, CYCLIC
    slot_s, slot_e, ready_in, used, cand, ncand = workspace(n, nproc, group)
    status = schedule(comp, src, dst, cost, group, nsucc, succ, npred, pred, topo,
                      proc, start, finish, order, rank, slot_s, slot_e, ready_in, used, cand, ncand)
    return proc, start, finish, order, rank, status


@jit_inline
def graph_structure(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                        np.ndarray, np.ndarray]:
    """Successor and predecessor lists in edge order (CSR) and the topological order.

    Kahn's order: the tasks without parents by index, then children as they
    free up (first in, first out). A cyclic graph gives fewer than ``n`` tasks.
    """
    ne = src.shape[0]
    nsucc = np.zeros(n + 1, dtype=np.int64)
    npred = np.zeros(n + 1, dtype=np.int64)
    for k in range(ne):
        nsucc[src[k] + 1] += 1
        npred[dst[k] + 1] += 1
    for i in range(n):
        nsucc[i + 1] += nsucc[i]
        npred[i + 1] += npred[i]
    succ = np.zeros(ne, dtype=np.int64)
    pred = np.zeros(ne, dtype=np.int64)
    fs = nsucc[:n].copy()
    fp = npred[:n].copy()
    for k in range(ne):
        succ[fs[src[k]]] = k
        fs[src[k]] += 1
        pred[fp[dst[k]]] = k
        fp[dst[k]] += 1
    indeg = npred[1:] - npred[:-1]  # parents per task
    topo = np.zeros(n, dtype=np.int64)
    m = 0
    for i in range(n):
        if indeg[i] == 0:
            topo[m] = i
            m += 1
    k = 0
    while k < m:
        v = topo[k]
        for a in range(nsucc[v], nsucc[v + 1]):
            j = dst[succ[a]]
            indeg[j] -= 1
            if indeg[j] == 0:
                topo[m] = j
                m += 1
        k += 1
    return nsucc, succ, npred, pred, topo[:m]


@jit_inline
def workspace(n: int, nproc: int, group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                              np.ndarray, np.ndarray]:
    """Scratch arrays of :func:`schedule`: busy intervals and their count per processor, ready time per group,
    the processors able to run each task and their count."""
    ngroup = nproc
    for q in range(group.shape[0]):
        if group[q] >= ngroup:
            ngroup = group[q] + 1
    return (np.zeros((nproc, max(n, 1))), np.zeros((nproc, max(n, 1))), np.zeros(ngroup),
            np.zeros(nproc, dtype=np.int64), np.zeros((n, max(nproc, 1)), dtype=np.int64), np.zeros(n, dtype=np.int64))


@jit_inline
def schedule(comp: np.ndarray, src: np.ndarray, dst: np.ndarray, cost: np.ndarray, group: np.ndarray,
             nsucc: np.ndarray, succ: np.ndarray, npred: np.ndarray, pred: np.ndarray, topo: np.ndarray,
             proc: np.ndarray, start: np.ndarray, finish: np.ndarray, order: np.ndarray, rank: np.ndarray,
             slot_s: np.ndarray, slot_e: np.ndarray, ready_in: np.ndarray, used: np.ndarray, cand: np.ndarray,
             ncand: np.ndarray) -> int:
    """HEFT's ranking and placement into the given output arrays; returns the status."""
    n, nproc = comp.shape
    inf = np.inf
    for i in range(n):  # mean cost over the processors that can run the task (rank holds it for now)
        total = 0.0
        count = 0
        for q in range(nproc):
            if comp[i, q] != inf:
                total += comp[i, q]
                cand[i, count] = q  # the processors worth trying, in order
                count += 1
        ncand[i] = count
        if count == 0:
            return i
        rank[i] = total / count
    for t in range(n - 1, -1, -1):  # upward ranks, reverse topological order
        i = topo[t]
        tail = 0.0
        for a in range(nsucc[i], nsucc[i + 1]):
            e = succ[a]
            r = cost[e] + rank[dst[e]]
            if a == nsucc[i] or r > tail:
                tail = r
        rank[i] = rank[i] + tail
    # decreasing rounded rank, ties in topological order: a stable insertion sort of the topological
    # order (``start`` holds the rounded ranks until the placement below overwrites it)
    for t in range(n):
        i = topo[t]
        key = start[i] = round9(rank[i])
        u = t
        while u > 0 and start[order[u - 1]] < key:
            order[u] = order[u - 1]
            u -= 1
        order[u] = i

    used[:] = 0
    for t in range(n):
        i = order[t]
        ready_in[:] = -1.0  # ready time per group, -1 until computed for this task
        best_f = inf
        best_s = inf
        best_q = -1
        for k in range(ncand[i]):
            q = cand[i, k]
            w = comp[i, q]
            gq = group[q]
            ready = ready_in[gq]
            if ready < 0.0:
                ready = 0.0
                for a in range(npred[i], npred[i + 1]):
                    e = pred[a]
                    j = src[e]
                    c = cost[e] if group[proc[j]] != gq else 0.0
                    r = finish[j] + c
                    if r > ready:
                        ready = r
                ready_in[gq] = ready
            # earliest gap of length w at or after ready (insertion policy)
            est = ready
            for b in range(used[q]):
                if est + w <= slot_s[q, b]:
                    break
                if slot_e[q, b] > est:
                    est = slot_e[q, b]
            if est + w < best_f:
                best_f = est + w
                best_s = est
                best_q = q
        proc[i] = best_q
        start[i] = best_s
        finish[i] = best_f
        # insert (best_s, best_f) after every interval <= it
        q = best_q
        pos = used[q]
        while pos > 0 and (slot_s[q, pos - 1] > best_s
                           or (slot_s[q, pos - 1] == best_s and slot_e[q, pos - 1] > best_f)):
            slot_s[q, pos] = slot_s[q, pos - 1]
            slot_e[q, pos] = slot_e[q, pos - 1]
            pos -= 1
        slot_s[q, pos] = best_s
        slot_e[q, pos] = best_f
        used[q] += 1
    return OK


@jit
def heft_batch(comp: np.ndarray, src: np.ndarray, dst: np.ndarray, cost: np.ndarray, group: np.ndarray,
               nproc: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`heft_kernel` for each of ``m`` problems on one graph, in one loop.

    Args:
        comp: ``(m, tasks, processors)``; cost: ``(m, edges)``; group:
            ``(m, processors)``, ``>= 0``; src, dst: the shared edges;
            nproc: ``(m,)`` processors of each problem (its first columns).

    Returns:
        ``(proc, start, finish, status)``: ``(m, tasks)`` arrays and the
        ``(m,)`` statuses (rows with a status other than :data:`OK` hold -1 / 0).
    """
    m, n, width = comp.shape
    proc = np.full((m, n), -1, dtype=np.int64)
    start = np.zeros((m, n))
    finish = np.zeros((m, n))
    status = np.full(m, CYCLIC, dtype=np.int64)
    nsucc, succ, npred, pred, topo = graph_structure(n, src, dst)
    if topo.shape[0] != n or m == 0:
        return proc, start, finish, status
    slot_s, slot_e, ready_in, used, cand, ncand = workspace(n, width, group.ravel())
    order = np.zeros(n, dtype=np.int64)
    rank = np.zeros(n)
    for d in range(m):
        k = nproc[d]
        status[d] = schedule(comp[d, :, :k], src, dst, cost[d], group[d, :k], nsucc, succ, npred, pred, topo,
                             proc[d], start[d], finish[d], order, rank, slot_s, slot_e, ready_in, used,
                             cand, ncand)
        if status[d] != OK:
            proc[d] = -1
            start[d] = 0.0
            finish[d] = 0.0
    return proc, start, finish, status
