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

import math
from dataclasses import dataclass
from typing import Any
from typing import Mapping as MappingT

from archgym.simulators.soc.catalogue import A53_PEAK_IPS, IP_FREQ_HZ, MEM_FREQ_HZ, MEM_KINDS, WIDTHS_BYTES
from archgym.simulators.soc.engine import Infeasible
from archgym.simulators.soc.hardware import Block, HardwareGraph, Mapping
from archgym.simulators.soc.heft import heft
from archgym.simulators.soc.taskgraph import TaskGraph
from archgym.space import Knob, ParameterSpace, categorical, integer, pow2

MAX_A53 = 4
MAX_BUSES = 4
MAPPINGS = ("heft", "agent")


def ip_knob(task: str) -> str:
    return f"ip_{task}"


def pe_knob(task: str) -> str:
    return f"pe_{task}"


def buf_knob(src: str, dst: str) -> str:
    return f"buf_{src}__{dst}"


def buffers(graph: TaskGraph) -> list[tuple[str, str]]:
    """Producer -> consumer pairs that move data (and so need a memory)."""
    return [(e.src, e.dst) for e in graph.edges if e.bytes > 0]


def build_space(graph: TaskGraph, mapping: str) -> ParameterSpace:
    """The knob declaration for one workload and mapping mode."""
    if mapping not in MAPPINGS:
        from archgym.errors import unknown_choice

        raise unknown_choice("SoC mapping mode", mapping, MAPPINGS)
    knobs: list[Knob] = [
        integer("a53_cores", range(1, MAX_A53 + 1), 1, "", "number of Arm A53 cores (1 GHz, 2 instr/cycle)"),
        integer("bus_count", range(1, MAX_BUSES + 1), 1, "", "buses, chained; each has one memory"),
        pow2("bus_width", 4, 128, 4, "B", "bus width (bandwidth = width x 100 MHz per direction)"),
    ]
    for i in range(MAX_BUSES):
        note = f"only with bus_count > {i}" if i else ""
        knobs.append(categorical(f"mem{i}_kind", list(MEM_KINDS), "sram", f"memory {i} technology", note=note))
        knobs.append(pow2(f"mem{i}_width", 4, 128, 4, "B", f"memory {i} width", note=note))
    for t in graph.ip_tasks:
        knobs.append(categorical(ip_knob(t), ["no", "yes"], "no", f"give {t} its own accelerator and run it there"))
    if mapping == "agent":
        cores = [f"A53_{c}" for c in range(MAX_A53)]
        for t in graph.tasks:
            if t.dummy or t.a53_cycles is None:
                continue
            note = f"ignored when {ip_knob(t)}=yes" if t.has_ip else ""
            knobs.append(categorical(pe_knob(t.name), cores, "A53_0", f"A53 core that runs {t.name}", note=note))
        for src, dst in buffers(graph):
            knobs.append(integer(buf_knob(src, dst), range(MAX_BUSES), 0, "", f"memory holding {src} -> {dst}"))
    return ParameterSpace(knobs)


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
    bus_names, mem_names, mem_bw = [], [], []
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
        mem_bw.append(min(bw, width) * MEM_FREQ_HZ)
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
        _place_pseudo_tasks(graph, proc, cores, ("sink", "dummy"))
    else:
        proc, order = _heft_mapping(graph, cores, ip_of, pe_bus, mem_bw, bw * MEM_FREQ_HZ)
        priority = tuple(names[i] for i in order)
        _place_pseudo_tasks(graph, proc, cores, ("dummy",), only_if_alone=True)
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


def _place_pseudo_tasks(graph: TaskGraph, proc: list[int], cores: int, roles: tuple[str, ...],
                        only_if_alone: bool = False) -> None:
    """Put zero-work pseudo-tasks of ``roles`` on the A53 of a parent (in place).

    FARSI charges a core's area unless it runs only the source and sink, so a
    ``dummy_last`` alone on an otherwise idle core would cost 0.65 mm²; next to
    a parent it costs nothing and starts as soon as that parent's core frees.
    """
    real = {p for t, p in zip(graph.tasks, proc) if not t.dummy and p < cores}
    parents: dict[int, list[int]] = {}
    for s, d, _ in graph.edge_index():
        parents.setdefault(d, []).append(s)
    for i, t in enumerate(graph.tasks):
        if t.role not in roles or (only_if_alone and proc[i] in real):
            continue
        on_a53 = [proc[p] for p in parents.get(i, []) if proc[p] < cores]
        proc[i] = on_a53[0] if on_a53 else min(real, default=0)


def _heft_mapping(graph: TaskGraph, cores: int, ip_of: dict[str, int], pe_bus: list[int],
                  mem_bw: list[float], bus_bw: float) -> tuple[list[int], list[int]]:
    """HEFT placement of the tasks over the A53 cores (IP tasks stay on their IP)."""
    n = len(graph.tasks)
    npe = len(pe_bus)
    reads = [0] * n
    writes = [0] * n
    edges = graph.edge_index()
    for s, d, b in edges:
        writes[s] += b
        reads[d] += b
    inf = math.inf
    comp = []
    for i, t in enumerate(graph.tasks):
        row = [inf] * npe
        if t.dummy:
            for q in range(cores):
                row[q] = 0.0
        elif t.name in ip_of:
            q = ip_of[t.name]
            bw = mem_bw[pe_bus[q]]
            row[q] = max(t.ip_cycles / IP_FREQ_HZ, reads[i] / bw, writes[i] / bw)
        elif t.a53_cycles is None:
            raise Infeasible(f"task {t.name!r} runs only on its accelerator; set {ip_knob(t.name)}=yes")
        else:
            for q in range(cores):
                bw = mem_bw[pe_bus[q]]
                row[q] = max(2.0 * t.a53_cycles / A53_PEAK_IPS, reads[i] / bw, writes[i] / bw)
        comp.append(row)
    sched = heft(comp, [(s, d, b / bus_bw) for s, d, b in edges], pe_bus)
    return sched.proc, sched.order
