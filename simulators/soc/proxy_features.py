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

Cost: the per-design arithmetic, HEFT and the statistics of its mapping run
in one compiled kernel (:func:`_design_features`, numba when installed); only
the sums whose order numpy fixes (BLAS dot products, pairwise sums) stay
numpy calls, so the matrix is the earlier vectorised version's bit for bit.
Measured side by side with that version (one process, one core, numba;
audio_decoder, the others alike): one design 237 -> 23.5 µs per call (10x;
the simulator takes about 630 µs), batches of 1,000 5.3 -> 3.7 µs per design
(HEFT 1.5 µs of it). Without numba the kernels run as Python, about 0.5 ms
per design.

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
from archgym.simulators.soc.knobs import MAX_A53, MAX_BUSES, ip_knob
from archgym.simulators.soc.layout import HeftProblem, heft_costs, place_pseudo_kernel, pseudo_task_rule
from archgym.simulators.soc.taskgraph import TaskGraph, topological_order


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
        # HEFT's mapping: its inputs (and each task's max(read, write) bytes, shared with the roofline times)
        self.graph = graph
        self.heft = HeftProblem(graph)
        self.traffic = self.heft.traffic
        #: tasks in topological order, and each task's parents (CSR: ``par_idx[par_ptr[v]:par_ptr[v + 1]]``) with
        #: the dummies and the pseudo-task rule's tasks (the same parent lists)
        self.topo = np.array(topological_order(n, edges), dtype=np.int64)
        self.pseudo_rule = pseudo_task_rule(graph, ("dummy",))
        self.par_ptr, self.par_idx = self.pseudo_rule[2:]
        # the task owning each buffer's memory (the consumer for the source's buffers), and its bytes
        owner = [d if tasks[s].role == "source" else s for s, d, b in edges if b > 0]
        self.buffer_owner = np.array(owner, dtype=np.int64)
        self.buffer_bytes = np.array([float(b) for _, _, b in edges if b > 0])
        # the buffers' producers and owners, and memory areas by size
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
        self.names = NAMES
        self._tables()

    def _tables(self) -> None:
        """The knob lists and the constant arrays of the compiled kernel, from the attributes above."""
        #: the numeric knobs (rows of the kernel's ``num``) and the labelled ones (rows of ``is_label``)
        self._num_knobs = ("a53_cores", "bus_count", "bus_width", *(f"mem{i}_width" for i in range(MAX_BUSES)))
        self._label_knobs = (*(f"mem{i}_kind" for i in range(MAX_BUSES)), *self.ip_names)
        self._labels = np.array(["sram"] * MAX_BUSES + ["no"] * len(self.ip_names), dtype=object)[:, None]
        self._consts = (self.a53_only, self.ip_index, self.real, self.a53_s, self.ip_s, self.traffic, self.topo,
                        self.par_ptr, self.par_idx, self.buffer_owner, self.buffer_bytes, *self._mapping_consts())

    def _mapping_consts(self) -> tuple:
        """The constant arrays of :func:`_heft_mapped`."""
        h = self.heft
        return (h.a53_s, h.ip_s, h.ip_task, h.traffic, h.dummy, h.edge_bytes, h.src, h.dst, h.width,
                *self.pseudo_rule, self.counts_area, self.buffer_src, self.never_freed,
                self.alloc_owner, self.alloc_bytes, self.grain_area)

    def __getstate__(self) -> dict[str, Any]:
        return {"graph": self.graph}  # everything else follows from the graph

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["graph"])  # also rebuilds the objects pickled whole by earlier versions

    def __call__(self, columns: Mapping[str, Sequence[Any]], n: int) -> np.ndarray:
        """The ``(n, len(names))`` feature matrix of ``n`` designs given column-wise."""
        num = np.array([columns[k] for k in self._num_knobs], dtype=np.float64).reshape(len(self._num_knobs), n)
        labels = np.array([columns[k] for k in self._label_knobs], dtype=object).reshape(len(self._labels), n)
        out, on_a53, on_ip, a53_dur, core_dur = _design_features(num, np.asarray(labels == self._labels, dtype=bool),
                                                                  *self._consts)
        # sums left to numpy (BLAS and pairwise summation), whose order the results keep
        _finish(out, on_a53 @ self.a53_s, on_a53 @ self.a53_j, on_ip @ self.ip_j, on_ip @ self.ip_mm2,
                a53_dur.sum(axis=1), core_dur.sum(axis=2), num[0])
        return out

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
        m = len(cores)
        stats = _heft_mapped(np.asarray(cores).astype(np.int64), np.asarray(nbus, dtype=np.int64),
                             np.asarray(bus_w, dtype=np.float64), np.asarray(widths, dtype=np.float64),
                             np.asarray(ip_yes, dtype=np.bool_).reshape(m, len(self.heft.ip_names)),
                             np.asarray(sram, dtype=np.bool_), *self._mapping_consts())
        return dict(zip(MAPPED, stats.T))


#: the columns of :func:`_mapping_stats`
MAPPED = ("heft_a53_used", "heft_makespan_s", *(f"heft_bus{i}_busy_s" for i in range(MAX_BUSES)),
          *(f"heft_mem{i}_peak_bytes" for i in range(MAX_BUSES)), "heft_mem_grains", "heft_mem_area_mm2")

#: the feature columns, :attr:`SoCDesignFeatures.names`
NAMES = (
    "a53_tasks", "a53_time_s", "pe_energy_j", "ip_area_mm2", "critical_path_s", "latency_bound_s",
    "energy_per_bound_w", "asap_overlap", "cores_x_overlap", "cores_x_a53_tasks", "sram_count",
    "dram_count", "min_bandwidth", "max_bandwidth", "a53_buffer_bytes",
    *(f"ip_buffer_bytes_mem{i}" for i in range(MAX_BUSES)),
    *(f"core{c}_bandwidth" for c in range(MAX_A53)), *(f"core{c}_a53_time_s" for c in range(MAX_A53)),
    "fastest_cores", "a53_area_bound_mm2",
    *MAPPED, "heft_area_mm2",
)
# column indices of the compiled kernels (compile-time constants)
_WIDTH = len(NAMES)
_A53_TASKS, _A53_TIME, _PE_ENERGY, _IP_AREA, _CRITICAL, _BOUND, _ENERGY_PER, _OVERLAP, _CORES_X_OVERLAP, \
    _CORES_X_TASKS, _SRAM, _DRAM, _MIN_BW, _MAX_BW, _A53_BUFFER = range(15)
_IP_BUFFER = NAMES.index("ip_buffer_bytes_mem0")
_CORE_BW = NAMES.index("core0_bandwidth")
_CORE_TIME = NAMES.index("core0_a53_time_s")
_FASTEST = NAMES.index("fastest_cores")
_AREA_BOUND = NAMES.index("a53_area_bound_mm2")
_MAPPED = NAMES.index(MAPPED[0])
_USED = NAMES.index("heft_a53_used")
_MEM_AREA = NAMES.index("heft_mem_area_mm2")
_HEFT_AREA = NAMES.index("heft_area_mm2")


@jit
def _design_features(num: np.ndarray, is_label: np.ndarray, a53_only: np.ndarray, ip_index: np.ndarray,
                     real: np.ndarray, a53_s: np.ndarray, ip_s: np.ndarray, traffic: np.ndarray, topo: np.ndarray,
                     par_ptr: np.ndarray, par_idx: np.ndarray, buffer_owner: np.ndarray, buffer_bytes: np.ndarray,
                     h_a53_s: np.ndarray, h_ip_s: np.ndarray, h_ip_task: np.ndarray, h_traffic: np.ndarray,
                     h_dummy: np.ndarray, h_edge_bytes: np.ndarray, h_src: np.ndarray, h_dst: np.ndarray,
                     width: int, moves: np.ndarray, p_dummy: np.ndarray, p_ptr: np.ndarray, p_idx: np.ndarray,
                     counts_area: np.ndarray, buffer_src: np.ndarray, never_freed: np.ndarray,
                     alloc_owner: np.ndarray, alloc_bytes: np.ndarray,
                     grain_area: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The feature matrix of ``m`` designs but the columns :func:`_finish` completes.

    Args:
        num: ``(7, m)`` a53_cores, bus_count, bus_width and the memory widths;
            is_label: ``(4 + IP knobs, m)`` whether each memory is an SRAM and
            each ``ip_<task>`` knob is ``no``.

    Returns:
        ``(out, on_a53, on_ip, a53_dur, core_dur)``: the matrix, where tasks
        run ``(m, tasks)``, the A53 tasks' roofline times at memory 0
        ``(m, tasks)`` and at each core slot's bus ``(m, MAX_A53, tasks)`` (0
        for tasks not on an A53), for :func:`_finish`'s sums.
    """
    m = num.shape[1]
    n = a53_only.shape[0]
    out = np.zeros((m, _WIDTH))
    on_a53 = np.empty((m, n), dtype=np.bool_)
    on_ip = np.empty((m, n), dtype=np.bool_)
    dur = np.empty((m, n))
    busy = np.empty((m, n), dtype=np.bool_)
    a53_dur = np.empty((m, n))
    core_dur = np.empty((m, MAX_A53, n))
    cores = np.empty(m, dtype=np.int64)
    nbus = np.empty(m, dtype=np.int64)
    widths = np.empty((m, MAX_BUSES))
    ip_yes = np.empty((m, h_ip_task.shape[0]), dtype=np.bool_)
    sram = np.empty((m, MAX_BUSES), dtype=np.bool_)
    mem_bw = np.empty(MAX_BUSES)
    core_bw = np.empty(MAX_A53)
    ip_rank = np.empty(n, dtype=np.int64)
    for d in range(m):
        ncores = num[0, d]
        cores[d] = int(ncores)
        nb = int(num[1, d])
        nbus[d] = nb
        for i in range(MAX_BUSES):
            widths[d, i] = num[3 + i, d]
            mem_bw[i] = min(widths[d, i], num[2, d]) * MEM_FREQ_HZ
        on_a53[d] = a53_only
        for j in range(ip_index.shape[0]):
            on_a53[d, ip_index[j]] = is_label[MAX_BUSES + j, d]
        tasks = 0
        k = 0
        for i in range(n):
            on_ip[d, i] = real[i] and not on_a53[d, i] and ip_s[i] > 0
            k += on_ip[d, i]
            ip_rank[i] = k - 1  # the j-th IP (task order) sits on bus j mod bus_count
            tasks += on_a53[d, i]
            # roofline time on its PE type at memory 0's bandwidth
            compute = a53_s[i] if on_a53[d, i] else (ip_s[i] if on_ip[d, i] else 0.0)
            dur[d, i] = max(compute, traffic[i] / mem_bw[0])
            a53_dur[d, i] = dur[d, i] if on_a53[d, i] else 0.0
            busy[d, i] = on_a53[d, i] and dur[d, i] > 0 and real[i]
        out[d, _A53_TASKS] = tasks
        out[d, _CORES_X_TASKS] = min(ncores, float(tasks))
        min_bw, max_bw = np.inf, 0.0
        for i in range(MAX_BUSES):
            sram[d, i] = is_label[i, d] and i < nb
            if i < nb:
                out[d, _SRAM if is_label[i, d] else _DRAM] += 1.0
                min_bw = min(min_bw, mem_bw[i])
                max_bw = max(max_bw, mem_bw[i])
        out[d, _MIN_BW] = min_bw
        out[d, _MAX_BW] = max_bw
        # buffers live on their owner's bus
        for b in range(buffer_owner.shape[0]):
            o = buffer_owner[b]
            if on_a53[d, o]:
                out[d, _A53_BUFFER] += buffer_bytes[b]
            elif on_ip[d, o]:
                out[d, _IP_BUFFER + ip_rank[o] % nb] += buffer_bytes[b]
        fastest = 0.0
        for c in range(MAX_A53):
            bw = mem_bw[c % nb]
            core_bw[c] = bw if c < ncores else 0.0
            out[d, _CORE_BW + c] = core_bw[c]
            fastest = max(fastest, core_bw[c])
            for i in range(n):
                core_dur[d, c, i] = max(a53_s[i], traffic[i] / bw) if on_a53[d, i] else 0.0
        for c in range(MAX_A53):
            out[d, _FASTEST] += core_bw[c] == fastest
        for j in range(h_ip_task.shape[0]):
            ip_yes[d, j] = on_ip[d, h_ip_task[j]]
    path, overlap = _asap(dur, busy, topo, par_ptr, par_idx)
    for d in range(m):
        out[d, _CRITICAL] = path[d]
        out[d, _OVERLAP] = overlap[d]
        out[d, _CORES_X_OVERLAP] = min(num[0, d], overlap[d])
    out[:, _MAPPED:_MAPPED + len(MAPPED)] = _heft_mapped(
        cores, nbus, num[2], widths, ip_yes, sram, h_a53_s, h_ip_s, h_ip_task, h_traffic, h_dummy, h_edge_bytes,
        h_src, h_dst, width, moves, p_dummy, p_ptr, p_idx, counts_area, buffer_src, never_freed, alloc_owner,
        alloc_bytes, grain_area)
    return out, on_a53, on_ip, a53_dur, core_dur


@jit
def _finish(out: np.ndarray, a53_time: np.ndarray, a53_energy: np.ndarray, ip_energy: np.ndarray,
            ip_area: np.ndarray, a53_dur: np.ndarray, core_dur: np.ndarray, cores: np.ndarray) -> None:
    """The columns of :func:`_design_features`'s ``out`` that need the sums (in place)."""
    for d in range(out.shape[0]):
        out[d, _A53_TIME] = a53_time[d]
        out[d, _PE_ENERGY] = a53_energy[d] + ip_energy[d]
        out[d, _IP_AREA] = ip_area[d]
        # the critical path or the A53 work spread over the cores
        out[d, _BOUND] = max(out[d, _CRITICAL], a53_dur[d] / cores[d])
        out[d, _ENERGY_PER] = out[d, _PE_ENERGY] / max(out[d, _BOUND], 1e-12)
        for c in range(MAX_A53):
            out[d, _CORE_TIME + c] = core_dur[d, c] if c < cores[d] else 0.0
        out[d, _AREA_BOUND] = A53_AREA_MM2 * out[d, _CORES_X_OVERLAP] + ip_area[d]
        out[d, _HEFT_AREA] = A53_AREA_MM2 * out[d, _USED] + ip_area[d] + out[d, _MEM_AREA]


@jit
def _heft_mapped(cores: np.ndarray, nbus: np.ndarray, bus_w: np.ndarray, widths: np.ndarray, ip_yes: np.ndarray,
                 sram: np.ndarray, a53_s: np.ndarray, ip_s: np.ndarray, ip_task: np.ndarray, traffic: np.ndarray,
                 dummy: np.ndarray, edge_bytes: np.ndarray, src: np.ndarray, dst: np.ndarray, width: int,
                 moves: np.ndarray, p_dummy: np.ndarray, p_ptr: np.ndarray, p_idx: np.ndarray,
                 counts_area: np.ndarray, buffer_src: np.ndarray, never_freed: np.ndarray, alloc_owner: np.ndarray,
                 alloc_bytes: np.ndarray, grain_area: np.ndarray) -> np.ndarray:
    """:meth:`SoCDesignFeatures.mapped` on arrays: HEFT's costs and schedules, pseudo-tasks, :func:`_mapping_stats`."""
    m = cores.shape[0]
    comp = np.empty((m, dummy.shape[0], width))
    cost = np.empty((m, src.shape[0]))
    group = np.empty((m, width), dtype=np.int64)
    npe = np.empty(m, dtype=np.int64)
    heft_costs(cores, nbus, bus_w, widths, ip_yes, a53_s, ip_s, ip_task, traffic, dummy, edge_bytes, comp, cost,
               group, npe)
    pe, start, finish, status = heft_batch(comp, src, dst, cost, group, npe)
    ok = status == OK
    for d in range(m):
        if not ok[d]:
            pe[d] = 0
    place_pseudo_kernel(pe, cores, moves, p_dummy, p_ptr, p_idx, True)
    return _mapping_stats(pe, cores, start, finish, ok, group, counts_area, buffer_src, src, dst, never_freed,
                          alloc_owner, alloc_bytes, sram, grain_area)


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

