"""From design knobs to a hardware graph and mapping (the FARSIGym-style space).

The design space, per workload and mapping mode:

* ``a53_cores`` general-purpose A53 cores (1-4);
* ``ip_<task>``: whether the task gets its own accelerator (and then runs on it);
* ``bus_count`` buses (1-4) of ``bus_width`` bytes, chained
  ``bus0 - bus1 - ...``; memory ``i`` hangs off bus ``i`` and has its own
  kind (``mem<i>_kind``: sram or dram) and width (``mem<i>_width``);
  A53 core ``c`` attaches to bus ``c mod bus_count`` and the ``j``-th IP (in
  task order) to bus ``j mod bus_count``, so adding a core moves no IP;
* with ``mapping="agent"`` also ``pe_<task>`` (which A53 runs a task that has
  no IP) and ``buf_<producer>__<consumer>`` (which memory holds a buffer).
  A choice beyond ``a53_cores`` or ``bus_count`` makes the design infeasible.

With ``mapping="heft"`` the tasks without an IP are placed on the A53 cores
by HEFT (see :mod:`archgym.simulators.soc.heft`), using each task's roofline
time in isolation (compute vs. its reads and writes at the local bus and
memory bandwidth) as its cost and a bus hop (``bytes / bus bandwidth``) as
the cost of an edge between PEs on different buses. A buffer lives in the
memory on its producer's bus (the source's buffers on the consumer's bus),
and ready tasks queue for a PE in HEFT's priority order.

Block instances carry FARSI's names (``A53_0``, ``LMEM_ic_2_1_0``,
``GMEM_1_1_2``, ``<task>_IP0_1_1_0``) so a design exports to FARSI's CSV form;
:attr:`Built.slots` gives each instance its stable slot name (``a53_0``,
``bus0``, ``mem0``, ``ip_<task>``) used in metric names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Mapping as MappingT

import numpy as np

from archgym.compiled import jit
from archgym.simulators.soc.catalogue import A53_PEAK_IPS, IP_FREQ_HZ, MEM_FREQ_HZ, WIDTHS_BYTES
from archgym.simulators.soc.engine import Infeasible
from archgym.simulators.soc.hardware import Block, HardwareGraph, Mapping
from archgym.simulators.soc.heft import check_status, heft_kernel
from archgym.simulators.soc.knobs import MAX_A53, MAX_BUSES, buf_knob, buffers, ip_knob, pe_knob
from archgym.simulators.soc.taskgraph import TaskGraph


@dataclass
class Built:
    """A design made concrete: its hardware, its mapping and each block's slot name."""

    hw: HardwareGraph
    mapping: Mapping
    slots: dict[str, str]


def slot_names(graph: TaskGraph) -> list[str]:
    """Every slot a design of this workload can fill (stable metric-name stems)."""
    return ([f"a53_{c}" for c in range(MAX_A53)] + [f"bus{i}" for i in range(MAX_BUSES)]
            + [f"mem{i}" for i in range(MAX_BUSES)] + [f"ip_{t}" for t in graph.ip_tasks])


def build_design(graph: TaskGraph, design: MappingT[str, Any], mapping: str) -> Built:
    """Hardware graph and mapping of one validated design.

    Raises:
        Infeasible: a task that can run nowhere in the design, or (agent mode)
            a task or buffer placed on a core or memory the design lacks.
    """
    cores = int(design["a53_cores"])
    nbus = int(design["bus_count"])
    bw = int(design["bus_width"])
    blocks: list[Block] = []
    links: list[tuple[str, str]] = []
    slots: dict[str, str] = {}
    bus_names: list[str] = []
    mem_names: list[str] = []
    for i in range(nbus):
        b = Block(f"LMEM_ic_{WIDTHS_BYTES.index(bw)}_1_{i}", "ic", "ic", bw)
        kind, width = design[f"mem{i}_kind"], int(design[f"mem{i}_width"])
        lib = "LMEM" if kind == "sram" else "GMEM"
        m = Block(f"{lib}_{WIDTHS_BYTES.index(width)}_1_{i}", "mem", kind, width)
        blocks += [b, m]
        links.append((b.name, m.name))
        if i:
            links.append((bus_names[-1], b.name))
        bus_names.append(b.name)
        mem_names.append(m.name)
        slots[b.name], slots[m.name] = f"bus{i}", f"mem{i}"
    pes: list[str] = []
    pe_bus: list[int] = []
    for c in range(cores):
        name = f"A53_{c}"
        blocks.append(Block(name, "pe", "gpp"))
        pes.append(name)
        slots[name] = f"a53_{c}"
    with_ip = [t for t in graph.ip_tasks if design.get(ip_knob(t)) == "yes"]
    ip_of = {}
    for t in with_ip:
        name = f"{t}_IP0_1_1_0"
        blocks.append(Block(name, "pe", "ip", ip_task=t))
        ip_of[t] = len(pes)
        pes.append(name)
        slots[name] = f"ip_{t}"
    for k, name in enumerate(pes):
        on = k % nbus if k < cores else (k - cores) % nbus
        pe_bus.append(on)
        links.append((name, bus_names[on]))
    hw = HardwareGraph(blocks, links)

    names = graph.task_names
    if mapping == "agent":
        proc = []
        for t in graph.tasks:
            if t.name in ip_of:
                proc.append(ip_of[t.name])
            elif t.dummy:
                proc.append(0)  # placed next to a parent below
            elif t.a53_cycles is None:
                raise Infeasible(f"task {t.name!r} runs only on its accelerator; set {ip_knob(t.name)}=yes")
            else:
                c = int(str(design[pe_knob(t.name)]).split("_")[1])
                if c >= cores:
                    raise Infeasible(f"task {t.name!r} is mapped to A53_{c} but the design has {cores} A53 core(s)")
                proc.append(c)
        priority: tuple[str, ...] = tuple(names)
        proc = _placed(graph, proc, cores, ("sink", "dummy"))
    else:
        proc, order = _heft_mapping(graph, design, cores)
        priority = tuple(names[i] for i in order)
        proc = _placed(graph, proc, cores, ("dummy",), only_if_alone=True)
    task_pe = {t: pes[p] for t, p in zip(names, proc)}
    buf: dict[tuple[str, str], str] = {}
    tidx = graph.index()
    for src, dst in buffers(graph):
        if mapping == "agent":
            i = int(design[buf_knob(src, dst)])
            if i >= nbus:
                raise Infeasible(f"buffer {src} -> {dst} is mapped to memory {i} but the design has {nbus} memory(ies)")
        else:
            owner = dst if graph.tasks[tidx[src]].role == "source" else src
            i = pe_bus[proc[tidx[owner]]]
        buf[(src, dst)] = mem_names[i]
    return Built(hw, Mapping(task_pe, buf, priority), slots)


def _placed(graph: TaskGraph, proc: list[int], cores: int, roles: tuple[str, ...],
            only_if_alone: bool = False) -> list[int]:
    """:func:`place_pseudo_tasks` on one design's list."""
    arr = np.array([proc], dtype=np.int64)
    place_pseudo_tasks(graph, arr, np.array([cores]), roles, only_if_alone)
    return arr[0].tolist()


def place_pseudo_tasks(graph: TaskGraph, proc: np.ndarray, cores: np.ndarray, roles: tuple[str, ...],
                       only_if_alone: bool = False) -> None:
    """Put zero-work pseudo-tasks of ``roles`` on the A53 of a parent (in place, for many designs).

    FARSI charges a core's area unless it runs only the source and sink, so a
    ``dummy_last`` alone on an otherwise idle core would cost 0.65 mm²; next to
    a parent it costs nothing and starts as soon as that parent's core frees.
    A pseudo-task goes to the core of its first parent on an A53, else to the
    lowest core running a real task (core 0 if none); with ``only_if_alone``
    only pseudo-tasks not already sharing a core with a real task move.

    Args:
        proc: ``(designs, tasks)`` int64 PE index of each task; A53 core ``c``
            is PE ``c``, every index ``>= cores`` is an accelerator.
        cores: ``(designs,)`` A53 cores of each design.
    """
    m = proc.shape[0]
    place_pseudo_kernel(proc, np.asarray(cores, dtype=np.int64).reshape(m), *pseudo_task_rule(graph, roles),
                        only_if_alone)


def pseudo_task_rule(graph: TaskGraph, roles: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                          np.ndarray]:
    """The graph arrays :func:`place_pseudo_kernel` takes: tasks of ``roles``, dummies, parents (CSR)."""
    tasks = graph.tasks
    parents: list[list[int]] = [[] for _ in tasks]
    for s, d, _ in graph.edge_index():
        parents[d].append(s)
    moves = np.array([t.role in roles for t in tasks], dtype=np.bool_)
    dummy = np.array([t.dummy for t in tasks], dtype=np.bool_)
    par_ptr = np.cumsum([0] + [len(p) for p in parents]).astype(np.int64)
    par_idx = np.array([s for p in parents for s in p], dtype=np.int64)
    return moves, dummy, par_ptr, par_idx


@jit
def place_pseudo_kernel(proc: np.ndarray, cores: np.ndarray, moves: np.ndarray, dummy: np.ndarray,
                        par_ptr: np.ndarray, par_idx: np.ndarray, only_if_alone: bool) -> None:
    """:func:`place_pseudo_tasks` on arrays (the one copy of the rule; ``moves``: the tasks of its roles)."""
    m, n = proc.shape
    real = np.zeros(MAX_A53, dtype=np.bool_)  # cores running a real task
    for d in range(m):
        c = cores[d]
        real[:] = False
        for i in range(n):
            if not dummy[i] and proc[d, i] < c:
                real[proc[d, i]] = True
        lowest = 0
        for q in range(MAX_A53 - 1, -1, -1):
            if real[q]:
                lowest = q
        for i in range(n):  # in task order: a pseudo-task's parent may itself have moved
            p = proc[d, i]
            if not moves[i] or (only_if_alone and p < c and real[p]):
                continue
            target = lowest
            for a in range(par_ptr[i], par_ptr[i + 1]):  # the first parent on an A53 wins
                if proc[d, par_idx[a]] < c:
                    target = proc[d, par_idx[a]]
                    break
            proc[d, i] = target


class HeftProblem:
    """The HEFT inputs of ``mapping="heft"`` designs, for many designs at once (picklable).

    Processors are the design's PEs in :func:`build_design`'s order: A53 cores
    ``0 .. a53_cores - 1``, then the IPs present in task order; each design's
    ``npe`` PEs fill the first columns of a matrix as wide as the largest
    design (``inf`` beyond). A task costs its roofline time in isolation:
    ``max(compute, reads / bw, writes / bw)`` with ``bw`` its PE's bus memory
    bandwidth (``min(bus, memory width) x 100 MHz``), compute ``2 x A53 cycles
    / 2e9`` on an A53 or ``IP cycles / 100 MHz`` on its IP; pseudo-tasks cost 0
    on every core. An edge costs ``bytes / (bus width x 100 MHz)`` between PEs
    on different buses (HEFT's groups are the PEs' buses).
    """

    def __init__(self, graph: TaskGraph):
        tasks = graph.tasks
        n = len(tasks)
        edges = graph.edge_index()
        self.src = np.array([s for s, _, _ in edges], dtype=np.int64)
        self.dst = np.array([d for _, d, _ in edges], dtype=np.int64)
        self.edge_bytes = np.array([b for _, _, b in edges], dtype=np.float64)
        reads, writes = [0] * n, [0] * n
        for s, d, b in edges:
            writes[s] += b
            reads[d] += b
        self.traffic = np.maximum(np.array(reads, dtype=np.float64), np.array(writes, dtype=np.float64))
        self.dummy = np.array([t.dummy for t in tasks])
        self.a53_s = np.array([2.0 * t.a53_cycles / A53_PEAK_IPS if t.a53_cycles is not None and not t.dummy
                               else np.inf for t in tasks])
        self.ip_names = list(graph.ip_tasks)
        tidx = graph.index()
        self.ip_task = np.array([tidx[t] for t in self.ip_names], dtype=np.int64)
        self.ip_s = np.array([tasks[i].ip_cycles / IP_FREQ_HZ for i in self.ip_task], dtype=np.float64)
        self.task_names = [t.name for t in tasks]
        self.width = MAX_A53 + len(self.ip_names)  # PE columns: the most PEs a design can have

    def __call__(self, cores: np.ndarray, nbus: np.ndarray, bus_width: np.ndarray, mem_width: np.ndarray,
                 ip_yes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(comp, edge cost, PE bus, npe)`` of ``m`` designs.

        Args:
            cores, nbus, bus_width: ``(m,)`` knob values; mem_width: ``(m,
                MAX_BUSES)``; ip_yes: ``(m, len(ip_tasks))`` bool.

        Returns:
            ``comp`` ``(m, tasks, width)``, edge costs ``(m, edges)``, each
            PE's bus ``(m, width)`` (HEFT's processor groups) and the number
            of PEs ``(m,)``.
        """
        m = len(cores)
        comp = np.empty((m, len(self.dummy), self.width))
        cost = np.empty((m, len(self.src)))
        group = np.empty((m, self.width), dtype=np.int64)
        npe = np.empty(m, dtype=np.int64)
        heft_costs(np.asarray(cores, dtype=np.int64), np.asarray(nbus, dtype=np.int64),
                   np.asarray(bus_width, dtype=np.float64), np.asarray(mem_width, dtype=np.float64),
                   np.asarray(ip_yes, dtype=np.bool_).reshape(m, len(self.ip_names)), self.a53_s, self.ip_s,
                   self.ip_task, self.traffic, self.dummy, self.edge_bytes, comp, cost, group, npe)
        return comp, cost, group, npe

    def unrunnable(self, status: np.ndarray) -> list[str | None]:
        """The infeasibility reason of each :func:`~archgym.simulators.soc.heft.heft_batch` status."""
        return [None if s < 0 else f"task {self.task_names[s]!r} runs only on its accelerator; "
                f"set {ip_knob(self.task_names[s])}=yes" for s in status]


@jit
def heft_costs(cores: np.ndarray, nbus: np.ndarray, bus_width: np.ndarray, mem_width: np.ndarray,
               ip_yes: np.ndarray, a53_s: np.ndarray, ip_s: np.ndarray, ip_task: np.ndarray, traffic: np.ndarray,
               dummy: np.ndarray, edge_bytes: np.ndarray, comp: np.ndarray, cost: np.ndarray,
               group: np.ndarray, npe: np.ndarray) -> None:
    """Fill ``comp``, ``cost``, ``group`` and ``npe`` (see :class:`HeftProblem`); the one copy of the rule."""
    m, n, _ = comp.shape
    for d in range(m):
        nb = nbus[d]
        bus_bw = bus_width[d] * MEM_FREQ_HZ
        for k in range(edge_bytes.shape[0]):
            cost[d, k] = edge_bytes[k] / bus_bw
        comp[d] = np.inf
        group[d] = 0
        for c in range(cores[d]):
            g = c % nb
            group[d, c] = g
            bw = min(bus_width[d], mem_width[d, g]) * MEM_FREQ_HZ
            for i in range(n):
                comp[d, i, c] = 0.0 if dummy[i] else max(a53_s[i], traffic[i] / bw)
        q = cores[d]
        for j in range(ip_task.shape[0]):  # the j-th IP present sits on bus j mod bus_count
            i = ip_task[j]
            if not ip_yes[d, j]:
                continue
            g = (q - cores[d]) % nb
            group[d, q] = g
            bw = min(bus_width[d], mem_width[d, g]) * MEM_FREQ_HZ
            comp[d, i, q] = max(ip_s[j], traffic[i] / bw)
            for c in range(cores[d]):
                comp[d, i, c] = np.inf
            q += 1
        npe[d] = q


def _heft_mapping(graph: TaskGraph, design: MappingT[str, Any], cores: int) -> tuple[list[int], list[int]]:
    """HEFT placement of the tasks over the A53 cores (IP tasks stay on their IP); PE indices and priority."""
    hp = _heft_problem(graph)
    one = np.array([cores])
    ip_yes = np.array([[design.get(ip_knob(t)) == "yes" for t in hp.ip_names]], dtype=bool).reshape(1, -1)
    mem_w = np.array([[int(design[f"mem{i}_width"]) if i < int(design["bus_count"]) else 1
                       for i in range(MAX_BUSES)]])
    comp, cost, group, npe = hp(one, np.array([int(design["bus_count"])]), np.array([int(design["bus_width"])]),
                                mem_w, ip_yes)
    k = npe[0]
    proc, _, _, order, _, status = heft_kernel(comp[0, :, :k], hp.src, hp.dst, cost[0], group[0, :k])
    if status >= 0:
        raise Infeasible(hp.unrunnable(np.array([status]))[0])
    check_status(status)
    return proc.tolist(), order.tolist()


_PROBLEMS: dict[int, tuple[TaskGraph, HeftProblem]] = {}


def _heft_problem(graph: TaskGraph) -> HeftProblem:
    """The graph's :class:`HeftProblem`, built once per graph object (graphs hold a dict, so are unhashable)."""
    hit = _PROBLEMS.get(id(graph))
    if hit is None or hit[0] is not graph:
        if len(_PROBLEMS) >= 64:
            _PROBLEMS.clear()
        hit = _PROBLEMS[id(graph)] = (graph, HeftProblem(graph))
    return hit[1]
