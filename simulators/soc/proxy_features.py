"""Schedule-free design features of the SoC model, for proxy cost models.

A proxy learns ``latency_s``, ``power_w`` and ``area_mm2`` from the knobs
alone, but those depend on sums over tasks (which run on an A53, how much
work and energy that is) and on how many A53 tasks can run at once, which a
regressor on one-hot knobs finds hard to learn. :class:`SoCDesignFeatures`
computes such quantities directly from the knobs and the workload's task
graph, *without* HEFT or the event simulation (so a proxy using them is still
a proxy):

* ``a53_tasks``, ``a53_time_s`` (instructions / peak rate), ``pe_energy_j``
  (A53 instructions x J/instr plus each IP's energy) and ``ip_area_mm2`` of the
  tasks the ``ip_<task>`` knobs leave on the A53 cores or give an IP;
* the critical path ``critical_path_s`` with every task at its roofline time on
  its own PE type (memory 0's bandwidth, infinite cores), the bound
  ``latency_bound_s`` (critical path or A53 time / cores) and
  ``energy_per_bound_w``;
* ``asap_overlap``: the most A53 tasks running at once in that
  infinite-resource as-soon-as-possible timing, and its minimum with
  ``a53_cores`` (and of ``a53_tasks`` with it);
* memories: active SRAMs and DRAMs, least and greatest effective bandwidth
  (``min(bus, memory width) x 100 MHz``), the bytes of buffers whose producer
  is an IP attached to each bus (fixed by the layout rule ``j mod bus_count``)
  and of those produced on A53 cores;
* per A53 core slot ``c``: its bus's effective bandwidth (0 when absent) and the
  A53 tasks' total roofline time if they all ran there; how many cores share
  the best bandwidth.

Only ``mapping="heft"`` designs are described (in ``agent`` mode the design
itself says where tasks run).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from archgym.simulators.soc.catalogue import (
    A53_AREA_MM2,
    A53_J_PER_INSTR,
    A53_PEAK_IPS,
    IP_AREA_SCALE,
    IP_ENERGY_SCALE,
    IP_FREQ_HZ,
    MEM_FREQ_HZ,
)
from archgym.simulators.soc.layout import MAX_A53, MAX_BUSES, ip_knob
from archgym.simulators.soc.taskgraph import TaskGraph


class SoCDesignFeatures:
    """Vectorised schedule-free features of SoC designs on one task graph (picklable).

    Call with column-wise knob values (``{knob: values}``, as
    :meth:`archgym.proxy.FeatureSchema.encode` holds them) to get an
    ``(n, len(names))`` float matrix.

    Example:
        >>> from archgym.simulators.soc.simulator import SoCSimulator
        >>> sim = SoCSimulator("audio_decoder")
        >>> f = SoCDesignFeatures(sim.graph)
        >>> d = sim.space.defaults()
        >>> x = f({k: [v] for k, v in d.items()}, 1)
        >>> int(x[0, f.names.index("a53_tasks")])
        15
    """

    def __init__(self, graph: TaskGraph):
        tasks = graph.tasks
        n = len(tasks)
        self.workload = graph.name
        self.ip_knobs = tuple(ip_knob(t.name) if t.has_ip and not t.dummy else "" for t in tasks)
        self.real = np.array([not t.dummy for t in tasks])
        self.real_index = np.flatnonzero(self.real)
        cycles = np.array([float(t.a53_cycles or 0) for t in tasks])
        self.a53_s = 2.0 * cycles / A53_PEAK_IPS
        self.a53_j = 2.0 * cycles * A53_J_PER_INSTR
        self.ip_s = np.array([(t.ip_cycles or 0) / IP_FREQ_HZ for t in tasks])
        self.ip_j = np.array([(t.ip_energy_fj or 0.0) * 1e-15 * IP_ENERGY_SCALE for t in tasks])
        self.ip_mm2 = np.array([(t.ip_area_um2 or 0.0) * 1e-6 * IP_AREA_SCALE for t in tasks])
        self.ip_index = np.array([i for i, k in enumerate(self.ip_knobs) if k], dtype=np.int64)
        self.ip_names = [k for k in self.ip_knobs if k]
        # tasks with no accelerator knob always run on an A53
        self.a53_only = np.array([not t.dummy and t.a53_cycles is not None and not k
                                  for t, k in zip(tasks, self.ip_knobs)])
        edges = graph.edge_index()
        reads, writes = np.zeros(n), np.zeros(n)
        for s, d, b in edges:
            writes[s] += b
            reads[d] += b
        self.traffic = np.maximum(reads, writes)
        parents = [[s for s, d, _ in edges if d == i] for i in range(n)]
        #: tasks in topological order with their parents' indices (None for none)
        self.schedule = [(v, np.array(parents[v]) if parents[v] else None) for v in _topological(n, edges)]
        # the task owning each buffer's memory (the consumer for the source's buffers), and its bytes
        owner = [d if tasks[s].role == "source" else s for s, d, b in edges if b > 0]
        self.buffer_owner = np.array(owner, dtype=np.int64)
        self.buffer_bytes = np.array([float(b) for _, _, b in edges if b > 0])
        self.names = (
            "a53_tasks", "a53_time_s", "pe_energy_j", "ip_area_mm2", "critical_path_s", "latency_bound_s",
            "energy_per_bound_w", "asap_overlap", "cores_x_overlap", "cores_x_a53_tasks", "sram_count",
            "dram_count", "min_bandwidth", "max_bandwidth", "a53_buffer_bytes",
            *(f"ip_buffer_bytes_mem{i}" for i in range(MAX_BUSES)),
            *(f"core{c}_bandwidth" for c in range(MAX_A53)), *(f"core{c}_a53_time_s" for c in range(MAX_A53)),
            "fastest_cores", "a53_area_bound_mm2",
        )

    def __call__(self, columns: Mapping[str, Sequence[Any]], n: int) -> np.ndarray:
        """The ``(n, len(names))`` feature matrix of ``n`` designs given column-wise."""
        def num(name: str) -> np.ndarray:
            return np.asarray(columns[name], dtype=np.float64).reshape(n)

        cores, nbus, bus_w = num("a53_cores"), num("bus_count").astype(np.int64), num("bus_width")
        on_a53 = np.repeat(self.a53_only[None, :], n, axis=0)
        if self.ip_index.size:
            on_a53[:, self.ip_index] = np.stack([_equals(columns[k], n, "no") for k in self.ip_names], axis=1)
        on_ip = self.real & ~on_a53 & (self.ip_s > 0)
        widths = np.stack([num(f"mem{i}_width") for i in range(MAX_BUSES)], axis=1)
        active = np.arange(MAX_BUSES)[None, :] < nbus[:, None]
        sram = np.stack([_equals(columns[f"mem{i}_kind"], n, "sram") for i in range(MAX_BUSES)], axis=1)
        mem_bw = np.minimum(widths, bus_w[:, None]) * MEM_FREQ_HZ
        out: dict[str, np.ndarray] = {}
        out["a53_tasks"] = on_a53.sum(axis=1).astype(np.float64)
        out["a53_time_s"] = on_a53 @ self.a53_s
        out["pe_energy_j"] = on_a53 @ self.a53_j + on_ip @ self.ip_j
        out["ip_area_mm2"] = on_ip @ self.ip_mm2
        # roofline time of every task on its PE type at memory 0's bandwidth; ASAP timing, unlimited cores
        compute = np.where(on_a53, self.a53_s, np.where(on_ip, self.ip_s, 0.0))
        dur = np.maximum(compute, self.traffic[None, :] / mem_bw[:, :1])
        start, finish = np.zeros_like(dur), np.zeros_like(dur)
        for v, parents in self.schedule:
            if parents is not None:
                start[:, v] = finish[:, parents].max(axis=1)
            finish[:, v] = start[:, v] + dur[:, v]
        out["critical_path_s"] = finish.max(axis=1)
        out["latency_bound_s"] = np.maximum(out["critical_path_s"], (on_a53 * dur).sum(axis=1) / cores)
        out["energy_per_bound_w"] = out["pe_energy_j"] / np.maximum(out["latency_bound_s"], 1e-12)
        real = self.real_index
        busy, st, fin = on_a53[:, real] & (dur[:, real] > 0), start[:, real], finish[:, real]
        # for each busy task v: the busy tasks running when v starts (v included)
        running = (busy[:, None, :] & (st[:, None, :] <= st[:, :, None])
                   & (fin[:, None, :] > st[:, :, None])).sum(axis=2)
        overlap = np.where(busy, running, 0).max(axis=1).astype(np.float64)
        out["asap_overlap"] = overlap
        out["cores_x_overlap"] = np.minimum(cores, overlap)
        out["cores_x_a53_tasks"] = np.minimum(cores, out["a53_tasks"])
        out["sram_count"] = (sram & active).sum(axis=1).astype(np.float64)
        out["dram_count"] = (~sram & active).sum(axis=1).astype(np.float64)
        out["min_bandwidth"] = np.where(active, mem_bw, np.inf).min(axis=1)
        out["max_bandwidth"] = np.where(active, mem_bw, 0.0).max(axis=1)
        # buffers live on their owner's bus; the j-th IP (task order) sits on bus j mod bus_count
        owner_ip = on_ip[:, self.buffer_owner]
        ip_bus = (np.cumsum(on_ip, axis=1) - 1)[:, self.buffer_owner] % nbus[:, None]
        out["a53_buffer_bytes"] = on_a53[:, self.buffer_owner] @ self.buffer_bytes
        for i in range(MAX_BUSES):
            out[f"ip_buffer_bytes_mem{i}"] = (owner_ip & (ip_bus == i)) @ self.buffer_bytes
        slots = np.arange(MAX_A53)
        present = slots[None, :] < cores[:, None]
        bus_bw = np.take_along_axis(mem_bw, slots[None, :] % nbus[:, None], axis=1)
        core_bw = np.where(present, bus_bw, 0.0)
        per_task = np.maximum(self.a53_s, self.traffic / bus_bw[:, :, None])  # (n, core slots, tasks)
        core_time = np.where(present, (per_task * on_a53[:, None, :]).sum(axis=2), 0.0)
        for c in range(MAX_A53):
            out[f"core{c}_bandwidth"] = core_bw[:, c]
            out[f"core{c}_a53_time_s"] = core_time[:, c]
        out["fastest_cores"] = (core_bw == core_bw.max(axis=1, keepdims=True)).sum(axis=1).astype(np.float64)
        out["a53_area_bound_mm2"] = A53_AREA_MM2 * out["cores_x_overlap"] + out["ip_area_mm2"]
        return np.stack([out[k] for k in self.names], axis=1)


def _equals(values: Sequence[Any], n: int, label: str) -> np.ndarray:
    """``values == label`` elementwise as a bool array (values: a list or array of labels)."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    return np.asarray(arr.reshape(n) == label, dtype=bool)


def _topological(n: int, edges: Sequence[tuple[int, int, int]]) -> list[int]:
    """Task indices in a topological order (Kahn, smallest index first)."""
    indeg = [0] * n
    children: list[list[int]] = [[] for _ in range(n)]
    for s, d, _ in edges:
        indeg[d] += 1
        children[s].append(d)
    ready = [i for i in range(n) if indeg[i] == 0]
    order = []
    while ready:
        v = ready.pop(0)
        order.append(v)
        for w in children[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    return order
