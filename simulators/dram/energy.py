"""DRAM energy from command counts and bank-open time, in the style of DRAMPower.

The formulas are DRAMPower's command-level model (Chandrasekar et al.,
"DRAMPower: Open-source DRAM power & energy estimation tool", and
"Improved power modeling of DDR SDRAMs", DSD 2011), which refines Micron's
power calculator (TN-41-01 for DDR3, TN-40-07 for DDR4). Per device:

* ACT:  ``VDD (IDD0 - IDD3N) tRAS  +  VPP (IPP0 - IPP3N) tRAS``
* PRE:  ``VDD (IDD0 - IDD2N) tRP   +  VPP (IPP0 - IPP2N) tRP``
* RD:   ``VDD (IDD4R - IDD3N) tBURST`` (and the IPP4R term)
* WR:   ``VDD (IDD4W - IDD3N) tBURST`` (and the IPP4W term)
* REF:  ``VDD (IDD5 - IDD3N) tRFC`` (and the IPP5B term); a per-bank REFpb
  refreshes one bank's share of the rows and costs that over the banks
* background: ``VDD IDD3N`` while at least one bank of the rank is open,
  ``VDD IDD2N`` while all are precharged (and the IPP3N/IPP2N terms).

Everything is multiplied by the devices per rank. I/O and termination
energy and power-down modes are not modelled (DRAMSys's reference memspecs
carry placeholder impedances, and the PowerDownPolicy knob is not in the
design space).
"""

from __future__ import annotations

from dataclasses import dataclass

from archgym.simulators.dram.device import Device


@dataclass(frozen=True)
class Energy:
    """Energy components of one simulation, in pJ (all devices, all ranks)."""

    act_pj: float
    pre_pj: float
    rd_pj: float
    wr_pj: float
    ref_pj: float
    background_pj: float

    @property
    def total_pj(self) -> float:
        return self.act_pj + self.pre_pj + self.rd_pj + self.wr_pj + self.ref_pj + self.background_pj


def dram_energy(device: Device, n_act: int, n_pre: int, n_rd: int, n_wr: int, n_ref: int,
                active_cycles: float, total_cycles: float, per_bank_refresh: bool = False) -> Energy:
    """Energy of the commands and background time of one simulation.

    Args:
        device: the device (timings in cycles, currents in A, voltages in V).
        n_act, n_pre, n_rd, n_wr, n_ref: command counts over all ranks
            (``n_pre`` counts every bank precharge, including auto-precharge
            and each bank a PREA closes; ``n_ref`` counts all-bank REFs, or
            per-bank REFpbs with ``per_bank_refresh``).
        active_cycles: summed over ranks, cycles with at least one bank open.
        total_cycles: simulated time in cycles (per rank).
    """
    p = device.power
    t = device.timings
    tck = device.tck_s
    vdd = p["vdd"]
    vpp = p.get("vpp", 0.0)

    def ipp(name: str) -> float:
        return p.get(name, 0.0)

    idd3n, idd2n = p["idd3n"], p["idd2n"]
    scale = device.devices * 1e12  # J per device -> pJ for the rank
    e_act = (vdd * (p["idd0"] - idd3n) + vpp * (ipp("ipp0") - ipp("ipp3n"))) * t["RAS"] * tck
    e_pre = (vdd * (p["idd0"] - idd2n) + vpp * (ipp("ipp0") - ipp("ipp2n"))) * t["RP"] * tck
    tburst = device.burst_cycles * tck
    e_rd = (vdd * (p["idd4r"] - idd3n) + vpp * (ipp("ipp4r") - ipp("ipp3n"))) * tburst
    e_wr = (vdd * (p["idd4w"] - idd3n) + vpp * (ipp("ipp4w") - ipp("ipp3n"))) * tburst
    e_ref = (vdd * (p["idd5"] - idd3n) + vpp * (ipp("ipp5B") - ipp("ipp3n"))) * t["RFC"] * tck
    if per_bank_refresh:
        e_ref /= device.banks
    precharged = max(0.0, device.ranks * total_cycles - active_cycles)
    bg = ((vdd * idd3n + vpp * ipp("ipp3n")) * active_cycles + (vdd * idd2n + vpp * ipp("ipp2n")) * precharged) * tck
    return Energy(
        act_pj=n_act * e_act * scale, pre_pj=n_pre * e_pre * scale, rd_pj=n_rd * e_rd * scale,
        wr_pj=n_wr * e_wr * scale, ref_pj=n_ref * e_ref * scale, background_pj=bg * scale,
    )
