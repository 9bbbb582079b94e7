"""Energy, power, area and utilisation of a simulated design (FARSI's definitions).

* Energy is dynamic only: A53 instructions x 2.1267e-11 J, each IP's
  per-execution energy (fJ x 1e-15 x 0.064), memory bytes x CACTI read/write
  energy per byte for the memory's final capacity; buses cost nothing.
* Power is FARSI's: phases are grouped into 10 ms windows (a window closes at
  the first phase longer than what is left of it, that phase included) and
  the result is the highest window energy / window time. ``avg_power_w`` is
  energy / latency.
* Area is the sum over blocks: 0.65 mm² per A53 that runs anything but the
  source and sink pseudo-tasks (FARSI's rule; a core holding only
  ``dummy_last`` is paid for), each IP's area (µm² x 1e-6 x 0.0374), each
  memory's CACTI area for ``ceil(max(peak live bytes, 2048) / 256000) *
  256000`` bytes; buses 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archgym.simulators.soc.catalogue import (
    A53_AREA_MM2,
    IP_AREA_SCALE,
    MEM_FREQ_HZ,
    POWER_WINDOW_S,
    memory_costs,
    memory_size_bytes,
)
from archgym.simulators.soc.engine import READ, Plan, SimResult


def farsi_power(durations: list[float], energies: list[float], window: float = POWER_WINDOW_S) -> float:
    """Peak power over FARSI's collection windows (``slice_phases_with_PWP``).

    Zero-length phases are skipped without advancing the window index but
    stay in the slices, as in FARSI, so the windows lag the phases by the
    number of zero-length phases before them.
    """
    bounds: list[tuple[int, int]] = []
    lo = up = 0
    budget = window
    for dt in durations:
        if dt == 0:
            continue
        if dt > budget:
            budget = window
            bounds.append((lo, up + 1))
            lo = up + 1
        else:
            budget -= dt
        up += 1
    n = len(durations)
    if not bounds:
        bounds = [(0, n)]
    elif bounds[-1][1] != n:
        bounds.append((bounds[-1][1], n))
    best = 0.0
    for a, b in bounds:
        span = sum(durations[a:b])
        if span > 0:
            best = max(best, sum(energies[a:b]) / span)
    return best


@dataclass
class Costs:
    """Design-level results plus per-block breakdowns (keyed by block name)."""

    latency_s: float
    energy_j: float
    power_w: float
    avg_power_w: float
    area_mm2: float
    area: dict[str, float]
    energy: dict[str, float]
    utilization: dict[str, float]

    def values(self) -> dict[str, float]:
        return {
            "latency_s": self.latency_s,
            "power_w": self.power_w,
            "avg_power_w": self.avg_power_w,
            "energy_j": self.energy_j,
            "area_mm2": self.area_mm2,
        }


def costs(plan: Plan, sim: SimResult) -> Costs:
    """Energy, power, area and utilisation from one simulation."""
    blocks = plan.hw.blocks
    latency = sim.latency
    area: dict[str, float] = {b.name: 0.0 for b in blocks}
    energy: dict[str, float] = {b.name: 0.0 for b in blocks}
    util: dict[str, float] = {b.name: 0.0 for b in blocks}
    sizes: dict[str, int] = {}

    # PEs: area, energy, occupancy
    for i, b in enumerate(plan.pe):
        blk = blocks[b]
        if plan.role[i] not in ("source", "sink"):  # FARSI: only souurce/siink leave a core area-free
            if blk.subtype == "gpp":
                area[blk.name] = A53_AREA_MM2
            elif plan.role[i] != "dummy":
                task = plan.graph.tasks[i]
                area[blk.name] = max(area[blk.name], (task.ip_area_um2 or 0.0) * 1e-6 * IP_AREA_SCALE)
            energy[blk.name] += plan.work[i] * plan.j_per_instr[i]
            if latency > 0 and sim.finish[i] == sim.finish[i]:
                util[blk.name] += (min(sim.finish[i], latency) - min(sim.start[i], latency)) / latency

    # memories: capacity from peak live bytes, CACTI energy and area
    mem_energy_per_byte: dict[int, tuple[float, float]] = {}
    for m in plan.mems:
        blk = blocks[m]
        used = m in plan.block_bytes or sim.peak_bytes.get(m, 0.0) > 0
        if not used:
            continue
        size = memory_size_bytes(sim.peak_bytes.get(m, 0.0))
        e_read, e_write, a = memory_costs(blk.subtype, size)
        sizes[blk.name] = size
        area[blk.name] = a
        mem_energy_per_byte[m] = (e_read, e_write)
    phase_energy = list(sim.phase_pe_energy)
    for k, moved in enumerate(sim.phase_mem_bytes):
        for (m, direction), nbytes in moved.items():
            e = nbytes * mem_energy_per_byte[m][0 if direction == READ else 1]
            phase_energy[k] += e
            energy[blocks[m].name] += e

    # memories and buses: share of duplex bandwidth used over the run
    for b, (rd, wr) in plan.block_bytes.items():
        blk = blocks[b]
        if latency > 0:
            util[blk.name] = (rd + wr) / (2 * blk.width * MEM_FREQ_HZ * blk.freq_scale * latency)

    total_energy = sum(phase_energy)
    power = farsi_power(sim.phase_dt, phase_energy)
    return Costs(
        latency_s=latency,
        energy_j=total_energy,
        power_w=power,
        avg_power_w=total_energy / latency if latency > 0 else 0.0,
        area_mm2=math.fsum(area.values()),
        area=area,
        energy=energy,
        utilization=util,
    )
