"""FARSI's block catalogue and constants, with their sources.

Every number here is FARSI's (``misc_database - Block Characteristics.csv``,
its ``settings/config.py`` and the technology factors its ``simple_sim_run``
passes), as documented in the reference ``MODEL.md``. Memory energy and area
come from the CACTI runs FARSI makes (40 nm, 32 B blocks, 2-way, 128-bit I/O,
360 K); the table below holds the values CACTI produced for the sizes that
occur in FARSI's examples, and sizes in between are interpolated linearly in
log(size)-log(value) space (exact at the table points).
"""

from __future__ import annotations

import math
from bisect import bisect_left

# -- processors -----------------------------------------------------------------
A53_FREQ_HZ = 1e9  # A53 clock
A53_IPC = 2.0  # dhrystone_IPC: instructions per A53 cycle (work = 2 x A53 cycles)
A53_PEAK_IPS = A53_FREQ_HZ * A53_IPC  # instructions / s
A53_J_PER_INSTR = 1.0 / 47019607843.0  # 1 / Inst_per_joul  (J / instruction), tech factor 1
A53_AREA_MM2 = 0.65  # Gpp_area 6.5e-7 m2; 0 if the core runs only pseudo-tasks
IP_FREQ_HZ = 1e8  # FARSI converts IP cycles to time at a hard-coded 100 MHz
IP_ENERGY_SCALE = 0.064  # technology factor for non-GPP energy (fJ -> J also applies)
IP_AREA_SCALE = 0.0374  # technology factor for non-memory area (um2 -> mm2 also applies)

# -- memories and interconnect ----------------------------------------------------
MEM_FREQ_HZ = 1e8  # memories and buses run at 100 MHz
WIDTHS_BYTES = (4, 8, 16, 32, 64, 128)  # LMEM_k / GMEM_k / LMEM_ic_k: 4 * 2**k bytes
MEM_ALLOC_GRAIN_BYTES = 256000  # min_mem_size: memories are sized in multiples of this
MEM_MIN_BYTES = 2048  # CACTI's minimum size
BURST_BYTES = 256  # default_burst_size: reference for the work unit ("dice factor")
POWER_WINDOW_S = 0.01  # PCP: power collection period

#: CACTI results (size bytes, read J/B, write J/B, area mm2), already scaled by
#: FARSI's technology factors (energy 0.064, area 0.079); keyed by memory kind.
CACTI = {
    "sram": (
        (256000, 1.7499e-13, 1.6122e-13, 6.7512e-02),
        (512000, 2.5051e-13, 2.1221e-13, 1.2387e-01),
        (768000, 3.1156e-13, 2.5528e-13, 1.7394e-01),
        (1024000, 3.5752e-13, 3.1921e-13, 2.4942e-01),
        (1280000, 4.1086e-13, 3.6342e-13, 3.0096e-01),
        (1792000, 4.9833e-13, 4.3321e-13, 3.9491e-01),
        (13312000, 1.2834e-12, 1.2207e-12, 2.8913e00),
        (19712000, 1.5854e-12, 1.4950e-12, 4.0759e00),
        (39424000, 2.1914e-12, 2.1009e-12, 8.0430e00),
        (46080000, 2.3475e-12, 2.2425e-12, 9.2631e00),
    ),
    "dram": (
        (256000, 2.3786e-13, 9.8775e-12, 3.7742e-02),
        (1024000, 3.3780e-13, 3.3163e-11, 7.6209e-02),
        (1792000, 4.0731e-13, 1.5149e-11, 1.4212e-01),
        (26368000, 9.5454e-13, 4.7501e-11, 8.2468e-01),
        (32768000, 1.0205e-12, 3.0959e-11, 1.2107e00),
        (39424000, 1.0870e-12, 3.6561e-11, 1.3060e00),
        (46080000, 1.1424e-12, 4.2153e-11, 1.3834e00),
    ),
}
MEM_KINDS = tuple(CACTI)


def memory_size_bytes(peak_bytes: float) -> int:
    """Capacity FARSI gives a memory whose live data peaks at ``peak_bytes``."""
    need = max(float(peak_bytes), MEM_MIN_BYTES)
    return int(math.ceil(need / MEM_ALLOC_GRAIN_BYTES - 1e-12)) * MEM_ALLOC_GRAIN_BYTES


def memory_costs(kind: str, size_bytes: int) -> tuple[float, float, float]:
    """``(read J/B, write J/B, area mm2)`` of a memory of ``kind`` and capacity ``size_bytes``.

    Exact at CACTI's table points, log-log linear between (and beyond) them.
    """
    table = CACTI[kind]
    sizes = [row[0] for row in table]
    i = bisect_left(sizes, size_bytes)
    if i < len(sizes) and sizes[i] == size_bytes:
        return table[i][1], table[i][2], table[i][3]
    lo = min(max(i - 1, 0), len(table) - 2)
    a, b = table[lo], table[lo + 1]
    f = (math.log(size_bytes) - math.log(a[0])) / (math.log(b[0]) - math.log(a[0]))
    return tuple(math.exp(math.log(a[k]) + f * (math.log(b[k]) - math.log(a[k]))) for k in (1, 2, 3))  # type: ignore[return-value]
