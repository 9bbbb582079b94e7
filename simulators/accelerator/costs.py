"""Technology constants: per-access energies and per-unit areas, with their sources.

All numbers are for a 45 nm process, the node of the sources below, and are
*defaults*: :func:`energy_table` lets a caller override any per-access
energy, e.g. to reuse the table of another tool for a like-for-like
comparison.

Sources
-------
[H14] M. Horowitz, "Computing's energy problem (and what we can do about it)",
      ISSCC 2014, 45 nm, 0.9 V. Energy: 8-bit integer multiply 0.2 pJ,
      32-bit integer add 0.1 pJ; SRAM (cache) read of 64 bits: 8 KB 10 pJ,
      32 KB 20 pJ, 1 MB 100 pJ; DRAM 1.3-2.6 nJ per 64-bit access.
      Area: 8-bit multiplier 282 um^2, 32-bit adder 137 um^2.
[E16] Y.-H. Chen, J. Emer, V. Sze, "Eyeriss: a spatial architecture for
      energy-efficient dataflow for CNNs", ISCA 2016, Fig. 3 (normalised
      energy per access: ALU/MAC 1x, register file 1x, PE array 2x, global
      buffer 6x, DRAM 200x).
[Z21] L. Mei, P. Houshmand, V. Jain, S. Giraldo, M. Verhelst, "ZigZag:
      enlarging joint architecture-mapping design space exploration for DNN
      accelerators", IEEE Trans. Computers 70(8), 2021: every memory level,
      registers included, counts reads and writes towards the level below
      (the MAC) and above; a stationary operand is read by the MAC without
      register accesses per MAC. ZigZag 3.9 on this model's description
      (benchmarks/accelerator) counts per MAC: ws weights 2/M, streamed
      operands 2, moving partial sums 4, stationary partial sums 2 + 1/W.
[N45] NanGate FreePDK45 Open Cell Library: DFF_X1 flip-flop 4.522 um^2.
[M07] K. Mistry et al., "A 45nm logic technology with high-k + metal gate
      transistors ...", IEDM 2007: 6T SRAM bit cell 0.346 um^2.
"""

from __future__ import annotations

from typing import Mapping

#: keys an energy table may carry
ENERGY_KEYS: tuple[str, ...] = ("mac_pj", "rf_pj_per_byte", "sram_pj_per_byte", "dram_pj_per_byte")

#: reference operand precision of the constants below, bits
REFERENCE_BITS = 8

#: [H14] 8-bit integer multiply, pJ
MULT8_PJ = 0.2
#: [H14] 32-bit integer add (the accumulator of an 8-bit MAC is 32 bits wide), pJ
ADD32_PJ = 0.1
#: [H14] 32 KB SRAM, 20 pJ per 64-bit (8-byte) read, pJ per byte
SRAM_PJ_PER_BYTE = 20.0 / 8
#: [H14] DRAM, low end of 1.3-2.6 nJ per 64-bit access, pJ per byte
DRAM_PJ_PER_BYTE = 1300.0 / 8
#: register accesses (one operand element each) per MAC of an operand streamed through the PEs: written
#: into the PE's register as it arrives, read as the MAC uses it and passes it on [E16, Z21]
RF_STREAMED_PER_MAC = 2
#: per MAC of a partial sum that moves through the array (ws, is): read and written on the MAC side and on
#: the array side (received from the neighbour, handed on) [E16, Z21]
RF_MOVING_PSUM_PER_MAC = 4
#: per MAC of a stationary partial sum (os): read and written by the accumulating MAC [E16, Z21]
RF_STATIONARY_PSUM_PER_MAC = 2
#: per element of a stationary operand (ws weights, is inputs) per fold: written once, read once [Z21]
RF_STATIONARY_PER_ELEMENT = 2
#: per final output of a stationary partial sum (os): read once to leave the array [Z21]
RF_DRAIN_PER_OUTPUT = 1

#: [H14] area of an 8-bit multiplier, um^2
MULT8_UM2 = 282.0
#: [H14] area of a 32-bit adder (accumulator), um^2
ADD32_UM2 = 137.0
#: [N45] area of one flip-flop, um^2
DFF_UM2 = 4.522
#: pipeline registers per PE at 8 bits: input (8) + weight (8) + partial sum (32) bits
PE_REGISTER_BITS = 48
#: [M07] 6T SRAM bit cell, um^2
SRAM_BITCELL_UM2 = 0.346
#: fraction of an SRAM macro's area taken by bit cells (the rest is decoders,
#: sense amplifiers, I/O); 0.5 is a typical CACTI figure for 8-64 KB macros
SRAM_ARRAY_EFFICIENCY = 0.5


def mac_pj(precision_bits: float) -> float:
    """Energy of one MAC at ``precision_bits``: multiply scales with bits^2, accumulate with bits [H14]."""
    s = precision_bits / REFERENCE_BITS
    return MULT8_PJ * s * s + ADD32_PJ * s


def default_energy_table(precision_bits: float = REFERENCE_BITS) -> dict[str, float]:
    """The default per-access energies (pJ) at ``precision_bits``.

    ``rf_pj_per_byte`` follows [E16]: one register-file access costs about
    one MAC, so per byte of an 8-bit operand it equals the 8-bit MAC energy.
    """
    return {
        "mac_pj": mac_pj(precision_bits),
        "rf_pj_per_byte": mac_pj(REFERENCE_BITS),
        "sram_pj_per_byte": SRAM_PJ_PER_BYTE,
        "dram_pj_per_byte": DRAM_PJ_PER_BYTE,
    }


def energy_table(
    overrides: Mapping[str, float] | None = None, precision_bits: float = REFERENCE_BITS
) -> dict[str, float]:
    """The default table with ``overrides`` applied; unknown keys or negative values raise ``ValueError``."""
    table = default_energy_table(precision_bits)
    for key, value in (overrides or {}).items():
        if key not in table:
            raise ValueError(f"energy_table: unknown key {key!r}; valid keys: {', '.join(ENERGY_KEYS)}")
        v = float(value)
        if not v >= 0.0 or v == float("inf"):
            raise ValueError(f"energy_table: {key} must be a finite number >= 0, got {value!r}")
        table[key] = v
    return table


def pe_area_mm2(precision_bits: float = REFERENCE_BITS) -> float:
    """Area of one PE: multiplier (bits^2), accumulator and pipeline registers (bits) [H14, N45]."""
    s = precision_bits / REFERENCE_BITS
    um2 = MULT8_UM2 * s * s + ADD32_UM2 * s + DFF_UM2 * PE_REGISTER_BITS * s
    return um2 * 1e-6


def sram_area_mm2_per_kb() -> float:
    """Area of one KB of SRAM: 8192 bit cells [M07] over the array efficiency."""
    return 8192 * SRAM_BITCELL_UM2 / SRAM_ARRAY_EFFICIENCY * 1e-6
