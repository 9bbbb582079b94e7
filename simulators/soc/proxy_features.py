"""Design features of the SoC model for proxy cost models: knob sums and HEFT's mapping.

A proxy learns ``latency_s``, ``power_w`` and ``area_mm2`` from the knobs
alone, but those depend on sums over tasks (which run on an A53, how much
work and energy that is), on how many A53 tasks can run at once and on which
A53 cores HEFT gives work (FARSI's area rule charges 0.65 mm² per such core),
which a regressor on one-hot knobs finds hard to learn.
:class:`SoCDesignFeatures` computes such quantities from the knobs and the
workload's task graph. It **runs the mapper, not the simulator**: the HEFT
placement the simulator itself uses (:mod:`~archgym.simulators.soc.heft`,
compiled, over :class:`~archgym.simulators.soc.layout.HeftProblem`'s costs)
and its pseudo-task rule, but never the event simulation
(:mod:`~archgym.simulators.soc.engine`: bus and memory contention, queueing,
the phases that size memories and give energy per window), which is what the
proxy stands in for and about 85 % of a simulation's time. The HEFT times are
therefore contention-free estimates.

Knob-derived (no schedule):

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

From HEFT's mapping (:meth:`SoCDesignFeatures.mapped`):

* ``heft_a53_used``: A53 cores given work other than the source and sink, the
  simulator's own count (equal on every sampled feasible design, tests);
* ``heft_makespan_s`` and ``heft_bus<i>_busy_s`` (HEFT's estimated times);
* ``heft_mem<i>_peak_bytes``: peak live buffer bytes per memory estimated
  from HEFT's times, the implied ``heft_mem_grains`` (256 kB allocation units)
  and ``heft_mem_area_mm2`` (CACTI), and ``heft_area_mm2`` = A53 + IP +
  memory area, the simulator's ``area_mm2`` whenever the estimated peaks
  round to the simulated memory sizes.

Cost (``simulators/soc/README.md`` has the measured numbers): about 5 µs per
audio_decoder design in batches of 1,000, HEFT 1.5 µs of it, with numba;
without numba the HEFT kernel runs as Python, about 0.5 ms per design.

Only ``mapping="heft"`` designs are described (in ``agent`` mode the design
itself says where tasks run).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from archgym.compiled import jit
from archgym.simulators.soc.catalogue import (
    A53_AREA_MM2,
    A53_J_PER_INSTR,
    A53_PEAK_IPS,
    IP_AREA_SCALE,
    IP_ENERGY_SCALE,
    IP_FREQ_HZ,
    MEM_ALLOC_GRAIN_BYTES,
    MEM_FREQ_HZ,
    MEM_KINDS,
    MEM_MIN_BYTES,
    memory_costs,
)
from archgym.simulators.soc.heft import OK, heft_batch
from archgym.simulators.soc.layout import MAX_A53, MAX_BUSES, HeftProblem, ip_knob, place_pseudo_tasks
from archgym.simulators.soc.taskgraph import TaskGraph


class SoCDesignFeatures:
    """Vectorised design features of SoC designs on one task graph (picklable).

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
        #: tasks in topological order, and each task's parents (CSR: ``par_idx[par_ptr[v]:par_ptr[v + 1]]``)
        self.topo = np.array(_topological(n, edges), dtype=np.int64)
        parents = [[s for s, d, _ in edges if d == i] for i in range(n)]
        self.par_ptr = np.cumsum([0] + [len(p) for p in parents]).astype(np.int64)
        self.par_idx = np.array([s for p in parents for s in p], dtype=np.int64)
        # the task owning each buffer's memory (the consumer for the source's buffers), and its bytes
        owner = [d if tasks[s].role == "source" else s for s, d, b in edges if b > 0]
        self.buffer_owner = np.array(owner, dtype=np.int64)
        self.buffer_bytes = np.array([float(b) for _, _, b in edges if b > 0])
        # HEFT's mapping: its inputs, the buffers' producers and owners, and memory areas by size
        self.graph = graph
        self.heft = HeftProblem(graph)
        roles = [t.role for t in tasks]
        self.counts_area = np.array([r not in ("source", "sink") for r in roles])  # FARSI's A53 area rule
        # live buffers, one entry per (producer, owner): they share a memory and a lifetime
        alloc: dict[tuple[int, int], float] = {}
        for s, d, b in edges:
            if b > 0 and roles[s] in ("task", "source"):
                key = (s, d if roles[s] == "source" else s)
                alloc[key] = alloc.get(key, 0.0) + float(b)
        self.buffer_src = np.array([s for s, _ in alloc], dtype=np.int64)
        self.alloc_owner = np.array([o for _, o in alloc], dtype=np.int64)
        self.alloc_bytes = np.array(list(alloc.values()), dtype=np.float64)
        self.never_freed = np.array([roles[s] == "source" for s in self.buffer_src], dtype=bool)
        grains = int(np.ceil(max(self.alloc_bytes.sum(), 1.0) / MEM_ALLOC_GRAIN_BYTES)) + 1
        #: CACTI area of a memory of each kind (MEM_KINDS order) and 0..grains - 1 allocation grains
        self.grain_area = np.array([[0.0] + [memory_costs(k, g * MEM_ALLOC_GRAIN_BYTES)[2] for g in range(1, grains)]
                                    for k in MEM_KINDS])
        self.names = (
            "a53_tasks", "a53_time_s", "pe_energy_j", "ip_area_mm2", "critical_path_s", "latency_bound_s",
            "energy_per_bound_w", "asap_overlap", "cores_x_overlap", "cores_x_a53_tasks", "sram_count",
            "dram_count", "min_bandwidth", "max_bandwidth", "a53_buffer_bytes",
            *(f"ip_buffer_bytes_mem{i}" for i in range(MAX_BUSES)),
            *(f"core{c}_bandwidth" for c in range(MAX_A53)), *(f"core{c}_a53_time_s" for c in range(MAX_A53)),
            "fastest_cores", "a53_area_bound_mm2",
            *MAPPED, "heft_area_mm2",
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
        busy = on_a53 & (dur > 0) & self.real[None, :]
        out["critical_path_s"], overlap = _asap(dur, busy, self.topo, self.par_ptr, self.par_idx)
        out["latency_bound_s"] = np.maximum(out["critical_path_s"], (on_a53 * dur).sum(axis=1) / cores)
        out["energy_per_bound_w"] = out["pe_energy_j"] / np.maximum(out["latency_bound_s"], 1e-12)
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
        ip_yes = (on_ip[:, self.heft.ip_task] if self.heft.ip_task.size else np.zeros((n, 0), dtype=bool))
        out.update(self.mapped(cores, nbus, bus_w, widths, ip_yes, sram & active))
        out["heft_area_mm2"] = A53_AREA_MM2 * out["heft_a53_used"] + out["ip_area_mm2"] + out["heft_mem_area_mm2"]
        return np.stack([out[k] for k in self.names], axis=1)

    def mapped(self, cores: np.ndarray, nbus: np.ndarray, bus_w: np.ndarray, widths: np.ndarray,
               ip_yes: np.ndarray, sram: np.ndarray) -> dict[str, np.ndarray]:
        """Features of HEFT's mapping (the simulator's own mapper, not its event simulation).

        ``heft_a53_used``: A53 cores given anything but the source and sink once
        the pseudo-tasks are placed (FARSI's area rule); ``heft_makespan_s`` and
        ``heft_bus<i>_busy_s`` (the HEFT times of the tasks on bus ``i``'s PEs)
        from HEFT's contention-free estimates; ``heft_mem<i>_peak_bytes``: the
        most buffer bytes live at once in memory ``i``, a buffer living from its
        producer's ready time (its parents' HEFT finish) to its last consumer's
        HEFT finish (the source's forever) in the memory on its owner's bus,
        and from that the memories' allocation grains and CACTI area. Designs
        HEFT cannot map (a task with nowhere to run) get zeros.
        """
        comp, cost, group, npe = self.heft(cores, nbus, bus_w, widths, ip_yes)
        pe, start, finish, status = heft_batch(comp, self.heft.src, self.heft.dst, cost, group, npe)
        ok = status == OK
        pe = np.where(ok[:, None], pe, 0)
        ncores = cores.astype(np.int64)
        place_pseudo_tasks(self.graph, pe, ncores, ("dummy",), only_if_alone=True)
        stats = _mapping_stats(pe, ncores, start, finish, ok, group, self.counts_area, self.buffer_src, self.heft.src,
                               self.heft.dst, self.never_freed, self.alloc_owner, self.alloc_bytes, sram,
                               self.grain_area)
        return dict(zip(MAPPED, stats.T))


@jit
def _asap(dur: np.ndarray, busy: np.ndarray, topo: np.ndarray, par_ptr: np.ndarray,
          par_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Critical path and the most ``busy`` tasks running at once in the as-soon-as-possible timing.

    Each task starts when its last parent finishes (unlimited PEs); for each
    busy task ``v``, the busy tasks running when ``v`` starts are counted (``v``
    included: ``start <= start[v] < finish``).
    """
    m, n = dur.shape
    path = np.zeros(m)
    overlap = np.zeros(m)
    start = np.zeros(n)
    finish = np.zeros(n)
    for d in range(m):
        for v in topo:
            t = 0.0
            for a in range(par_ptr[v], par_ptr[v + 1]):
                if finish[par_idx[a]] > t:
                    t = finish[par_idx[a]]
            start[v] = t
            finish[v] = t + dur[d, v]
            if finish[v] > path[d]:
                path[d] = finish[v]
        for v in range(n):
            if not busy[d, v]:
                continue
            k = 0
            sv = start[v]
            for u in range(n):  # branch-free: the comparisons are unpredictable
                k += busy[d, u] & (start[u] <= sv) & (finish[u] > sv)
            if k > overlap[d]:
                overlap[d] = k
    return path, overlap


#: the columns of :func:`_mapping_stats`
MAPPED = ("heft_a53_used", "heft_makespan_s", *(f"heft_bus{i}_busy_s" for i in range(MAX_BUSES)),
          *(f"heft_mem{i}_peak_bytes" for i in range(MAX_BUSES)), "heft_mem_grains", "heft_mem_area_mm2")


@jit
def _mapping_stats(pe: np.ndarray, cores: np.ndarray, start: np.ndarray, finish: np.ndarray, ok: np.ndarray,
                   group: np.ndarray, counts_area: np.ndarray, src: np.ndarray, edge_src: np.ndarray,
                   edge_dst: np.ndarray, never_freed: np.ndarray, owner: np.ndarray, nbytes: np.ndarray,
                   sram: np.ndarray, grain_area: np.ndarray) -> np.ndarray:
    """The :data:`MAPPED` columns ``(m, len(MAPPED))`` of placed HEFT schedules (see ``mapped``)."""
    m, n = finish.shape
    nb = src.shape[0]
    out = np.zeros((m, len(MAPPED)))
    ready = np.zeros(n)
    last = np.zeros(n)
    alloc = np.zeros(nb)
    free = np.zeros(nb)
    mem = np.zeros(nb, dtype=np.int64)
    peak = np.zeros(MAX_BUSES)
    holds = np.zeros(MAX_BUSES, dtype=np.bool_)
    used = np.zeros(MAX_A53, dtype=np.bool_)
    for d in range(m):
        if not ok[d]:
            continue
        used[:] = False
        for i in range(n):
            q = pe[d, i]
            if q < cores[d] and counts_area[i]:
                used[q] = True
            if finish[d, i] > out[d, 1]:
                out[d, 1] = finish[d, i]
            out[d, 2 + group[d, q]] += finish[d, i] - start[d, i]
        out[d, 0] = used.sum()
        # buffers: allocated when the producer is ready, freed when its last child finishes
        ready[:] = 0.0
        last[:] = 0.0
        for k in range(edge_src.shape[0]):
            s, t = edge_src[k], edge_dst[k]
            if finish[d, s] > ready[t]:
                ready[t] = finish[d, s]
            if finish[d, t] > last[s]:
                last[s] = finish[d, t]
        holds[:] = False
        for b in range(nb):
            alloc[b] = ready[src[b]]
            free[b] = np.inf if never_freed[b] else last[src[b]]
            mem[b] = group[d, pe[d, owner[b]]]
            holds[mem[b]] = True
        peak[:] = 0.0
        for b in range(nb):  # the load when buffer b is allocated (frees at that instant come first)
            load = 0.0
            mb, ab = mem[b], alloc[b]
            for c in range(nb):  # branch-free: the comparisons are unpredictable
                load += nbytes[c] * ((mem[c] == mb) & (alloc[c] <= ab) & (free[c] > ab))
            if load > peak[mb]:
                peak[mb] = load
        for i in range(MAX_BUSES):
            out[d, 2 + MAX_BUSES + i] = peak[i]
            if holds[i]:
                g = int(np.ceil(max(peak[i], MEM_MIN_BYTES) / MEM_ALLOC_GRAIN_BYTES - 1e-12))
                out[d, 2 + 2 * MAX_BUSES] += g
                out[d, 3 + 2 * MAX_BUSES] += grain_area[0 if sram[d, i] else 1, min(g, grain_area.shape[1] - 1)]
    return out


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
