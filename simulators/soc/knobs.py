"""The SoC design space (FARSIGym-style), declared per workload and mapping mode.

* ``a53_cores`` general-purpose A53 cores (1-4);
* ``ip_<task>``: whether the task gets its own accelerator (and then runs on it);
* ``bus_count`` buses (1-4) of ``bus_width`` bytes; memory ``i`` has its own
  kind (``mem<i>_kind``: sram or dram) and width (``mem<i>_width``);
* with ``mapping="agent"`` also ``pe_<task>`` (which A53 runs a task that has
  no IP) and ``buf_<producer>__<consumer>`` (which memory holds a buffer).

How a design becomes hardware and a mapping is :mod:`archgym.simulators.soc.layout`.
"""

from __future__ import annotations

from archgym.simulators.soc.catalogue import MEM_KINDS
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
