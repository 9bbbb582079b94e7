"""DRAM devices: organisation, JEDEC timings and IDD currents of one memory channel.

A :class:`Device` is archgym's own description of a memory device, holding
the same figures as a DRAMSys *memspec* JSON file: the architecture
(ranks, bank groups, banks, rows, columns, data width, devices per rank,
burst length), every timing in clock cycles under its memspec name (``CL``,
``RCD``, ``RP``, ``RAS``, ``RC``, ``CCD_S``, ``CCD_L``, ``RRD_S``,
``RRD_L``, ``FAW``, ``WR``, ``WTR_S``, ``WTR_L``, ``RTP``, ``RFC``,
``REFI``, ...) and the currents and voltages DRAMPower uses (``idd0``,
``idd2n``, ``idd3n``, ``idd4r``, ``idd4w``, ``idd5``, ``vdd`` and the DDR4
``ipp*``/``vpp`` terms). Presets live in :mod:`.presets`;
:func:`read_memspec` reads any DRAMSys memspec so user devices work too.

Two normalisations make DDR3 and DDR4 memspecs look alike to the model:
DDR3's single ``CCD``, ``RRD`` and ``WTR`` become equal ``_S``/``_L``
pairs with one bank group, and ``RFC1`` (DDR4 normal-mode refresh) and
DDR3's ``RFC`` are both ``RFC``; DDR4's ``idd5B`` and DDR3's ``idd5`` are
both ``idd5``.

LPDDR4 memspecs (single data rail pair VDD1/VDD2, per-bank and all-bank
precharge and refresh timings) are normalised the same way: ``RP``/``RC``
are the per-bank ``RPpb``/``RCpb`` (``RPab`` stays for PREA), ``RFC`` is
``RFCab``, ``CL`` is ``RL``, and the two supply rails become the model's two
rails: VDD2 as ``vdd``/``idd*`` and VDD1 as ``vpp``/``ipp*`` (DRAMPower's
LPDDR4 model sums both rails the same way). The burst currents ``idd5``
are LPDDR4's ``IDD5`` (all-bank refresh burst); ``idd5pb*`` are kept but
the per-bank refresh energy is the all-bank one divided by the banks (one
REFpb refreshes one bank's share of the rows). The raw LPDDR4 names are kept
too, so :meth:`Device.to_memspec` writes an LPDDR4 memspec back.

Refresh support (:attr:`Device.refresh_policies`): every device does
``NoRefresh`` and ``AllBank``; ``PerBank`` needs per-bank refresh timings
(``RFCpb`` and ``REFIpb``, as LPDDR4 memspecs give); ``SameBank`` is
DDR5's, which the model does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from archgym.errors import UserError
from archgym.fileio import read_json

#: timings the controller model needs, in the order of :meth:`Device.kernel_timings`
KERNEL_TIMINGS = (
    "BL2", "RL", "WL", "RCD", "RP", "RAS", "RC", "CCD_S", "CCD_L", "RRD_S", "RRD_L",
    "FAW", "WR", "WTR_S", "WTR_L", "RTP", "RFC", "REFI", "RTRS", "RPab", "RFCpb", "REFIpb",
)

#: LPDDR4 memspec timings that stand for the model's per-bank/all-bank names
_LPDDR4_ALIASES = {"RP": "RPpb", "RC": "RCpb", "RFC": "RFCab", "CL": "RL"}
#: LPDDR4 currents and voltages (VDD2 rail, VDD1 rail) behind the model's names
_LPDDR4_POWER = {
    "vdd": "vdd2", "idd0": "idd02", "idd2n": "idd2n2", "idd3n": "idd3n2", "idd4r": "idd4r2",
    "idd4w": "idd4w2", "idd5": "idd52",
    "vpp": "vdd1", "ipp0": "idd01", "ipp2n": "idd2n1", "ipp3n": "idd3n1", "ipp4r": "idd4r1",
    "ipp4w": "idd4w1", "ipp5B": "idd51",
}

#: memspec timing names every device must give (after normalisation)
REQUIRED_TIMINGS = (
    "CL", "RL", "WL", "RCD", "RP", "RAS", "RC", "CCD_S", "CCD_L", "RRD_S", "RRD_L",
    "FAW", "WR", "WTR_S", "WTR_L", "RTP", "RFC", "REFI",
)

#: currents (A) and voltages (V) the energy model needs
REQUIRED_POWER = ("vdd", "idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5")


@dataclass(frozen=True)
class Device:
    """One memory channel's device figures (see the module docstring).

    Attributes:
        memory_type: ``DDR3``, ``DDR4``, ...
        memory_id: the memspec's ``memoryId``.
        ranks, bank_groups, banks, rows, columns: organisation per channel;
            ``banks`` counts all banks of one rank (DRAMSys's ``nbrOfBanks``).
        width: data bits per device; devices: devices per rank.
        burst_length, data_rate: beats per burst and beats per clock.
        tck_s: clock period in seconds.
        timings: every memspec timing, in clock cycles.
        power: every memspec current (A) and voltage (V).
        name, source: preset name and where the figures come from (not compared).
    """

    memory_type: str
    memory_id: str
    ranks: int
    bank_groups: int
    banks: int
    rows: int
    columns: int
    width: int
    devices: int
    burst_length: int
    data_rate: int
    tck_s: float
    timings: Mapping[str, int]
    power: Mapping[str, float]
    name: str = field(default="", compare=False)
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "timings", MappingProxyType(dict(self.timings)))
        object.__setattr__(self, "power", MappingProxyType(dict(self.power)))
        missing = [t for t in REQUIRED_TIMINGS if t not in self.timings]
        missing += [p for p in REQUIRED_POWER if p not in self.power]
        if missing:
            raise UserError(f"device {self.name or self.memory_id}: missing memspec field(s) {', '.join(missing)}")
        if self.banks % self.bank_groups:
            raise UserError(f"device {self.memory_id}: {self.banks} banks do not split into {self.bank_groups} groups")

    @property
    def refresh_policies(self) -> tuple[str, ...]:
        """The RefreshPolicy values this device supports (see the module docstring)."""
        if self.timings.get("RFCpb", 0) > 0 and self.timings.get("REFIpb", 0) > 0:
            return ("NoRefresh", "AllBank", "PerBank")
        return ("NoRefresh", "AllBank")

    def refresh_unsupported(self, policy: str) -> str | None:
        """Why this device cannot use RefreshPolicy ``policy``, or None if it can."""
        if policy in self.refresh_policies:
            return None
        who = self.name or self.memory_id
        if policy == "PerBank":
            return (f"RefreshPolicy=PerBank needs per-bank refresh (tRFCpb, tREFIpb; LPDDR4 and similar); "
                    f"device {who} ({self.memory_type}) has only all-bank refresh")
        return (f"RefreshPolicy={policy} (same-bank refresh) needs a DDR5 device, which the model does not "
                f"cover; device {who} ({self.memory_type}) supports {', '.join(self.refresh_policies)}")

    @property
    def clock_mhz(self) -> float:
        """Command clock frequency in MHz."""
        return 1e-6 / self.tck_s

    @property
    def tck_ns(self) -> float:
        return self.tck_s * 1e9

    @property
    def burst_cycles(self) -> int:
        """Clock cycles one burst occupies the data bus (BL / data rate)."""
        return self.burst_length // self.data_rate

    @property
    def burst_bytes(self) -> int:
        """Bytes moved by one burst on the rank's full data bus."""
        return self.burst_length * self.width * self.devices // 8

    @property
    def peak_bandwidth_gbps(self) -> float:
        """Theoretical bus maximum in GB/s (one burst every ``burst_cycles``)."""
        return self.burst_bytes / (self.burst_cycles * self.tck_ns)

    def kernel_timings(self) -> np.ndarray:
        """Timings in :data:`KERNEL_TIMINGS` order, as int64 cycles, for the compiled model.

        With additive latency (posted CAS, JEDEC DDR3/DDR4 ``AL``) a column
        command may issue ``tRCD - AL`` after its ACT and the bank may be
        precharged ``AL + tRTP`` after a read, while the data follows ``RL =
        AL + CL`` after the command (DRAMSys's CheckerDDR4); the kernel's
        ``RCD`` and ``RTP`` are those command spacings.
        """
        t = dict(self.timings)
        al = int(t.get("AL", 0))
        t["RCD"] = t["RCD"] - al
        t["RTP"] = t["RTP"] + al
        t["BL2"] = self.burst_cycles
        t.setdefault("RTRS", 1)
        t.setdefault("RPab", t["RP"])
        t.setdefault("RFCpb", 0)
        t.setdefault("REFIpb", 0)
        return np.array([int(t[k]) for k in KERNEL_TIMINGS], dtype=np.int64)

    def to_memspec(self) -> dict[str, Any]:
        """This device as a DRAMSys memspec dictionary (DDR4-style timing names)."""
        timings = dict(self.timings)
        power = dict(self.power)
        if self.memory_type in ("DDR3", "LPDDR4"):
            for short in ("CCD", "RRD", "WTR"):
                timings[short] = timings.pop(f"{short}_S")
                timings.pop(f"{short}_L")
        if self.memory_type == "LPDDR4":
            for alias, raw in _LPDDR4_ALIASES.items():
                if raw in timings and timings.get(alias) == timings[raw]:
                    timings.pop(alias)
            for alias, raw in _LPDDR4_POWER.items():
                if raw in power and power.get(alias) == power[raw]:
                    power.pop(alias)
        elif self.memory_type != "DDR3":
            timings["RFC1"] = timings.pop("RFC")
            power["idd5B"] = power.pop("idd5")
        arch = {
            "burstLength": self.burst_length, "dataRate": self.data_rate, "nbrOfBanks": self.banks,
            "nbrOfColumns": self.columns, "nbrOfRanks": self.ranks, "nbrOfRows": self.rows,
            "width": self.width, "nbrOfDevices": self.devices, "nbrOfChannels": 1,
        }
        if self.memory_type != "DDR3":
            arch["nbrOfBankGroups"] = self.bank_groups
        timings["tCK"] = self.tck_s
        return {"memspec": {"memarchitecturespec": arch, "memoryId": self.memory_id,
                            "memoryType": self.memory_type, "mempowerspec": power, "memtimingspec": timings}}


def device_from_memspec(spec: Mapping[str, Any], name: str = "", source: str = "") -> Device:
    """A :class:`Device` from a parsed memspec mapping (with or without the ``memspec`` wrapper)."""
    ms = spec.get("memspec", spec)
    where = name or "memspec"
    try:
        arch = dict(ms["memarchitecturespec"])
        raw_t = dict(ms["memtimingspec"])
        power = {k: float(v) for k, v in dict(ms["mempowerspec"]).items()}
        mtype = str(ms["memoryType"])
        mid = str(ms.get("memoryId", name))
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{where}: not a DRAMSys memspec ({exc!s} missing or malformed)") from None
    tck = float(raw_t.pop("tCK", 0.0))
    if not tck > 0:
        raise UserError(f"{where}: memtimingspec.tCK must be a positive period in seconds")
    timings = {k: int(v) for k, v in raw_t.items()}
    for short in ("CCD", "RRD", "WTR"):
        if short in timings:
            v = timings.pop(short)
            timings.setdefault(f"{short}_S", v)
            timings.setdefault(f"{short}_L", v)
    if mtype == "LPDDR4":
        for alias, raw in _LPDDR4_ALIASES.items():
            if alias not in timings and raw in timings:
                timings[alias] = timings[raw]
        for alias, raw in _LPDDR4_POWER.items():
            if alias not in power and raw in power:
                power[alias] = power[raw]
    if "RFC" not in timings and "RFC1" in timings:
        timings["RFC"] = timings.pop("RFC1")
    if "RL" not in timings and "CL" in timings:
        timings["RL"] = timings["CL"] + timings.get("AL", 0)
    if "idd5" not in power and "idd5B" in power:
        power["idd5"] = power.pop("idd5B")
    channels = int(arch.get("nbrOfChannels", 1))
    if channels != 1:
        raise UserError(f"{where}: nbrOfChannels={channels}; the model simulates one channel per memspec")
    try:
        return Device(
            memory_type=mtype, memory_id=mid,
            ranks=int(arch.get("nbrOfRanks", 1)), bank_groups=int(arch.get("nbrOfBankGroups", 1)),
            banks=int(arch["nbrOfBanks"]), rows=int(arch["nbrOfRows"]), columns=int(arch["nbrOfColumns"]),
            width=int(arch["width"]), devices=int(arch.get("nbrOfDevices", 1)),
            burst_length=int(arch["burstLength"]), data_rate=int(arch.get("dataRate", 2)),
            tck_s=tck, timings=timings, power=power, name=name, source=source,
        )
    except KeyError as exc:
        raise UserError(f"{where}: memarchitecturespec lacks {exc.args[0]!r}") from None


def read_memspec(path: str | Path) -> Device:
    """Read a DRAMSys memspec JSON file into a :class:`Device`.

    Raises:
        UserError: the file is missing, not JSON, or lacks a field the model needs.
    """
    p = Path(path)
    spec = read_json(p, "memspec file")
    return device_from_memspec(spec, name=p.stem, source=str(p))


def load_device(device: str | Path | Device) -> Device:
    """A preset name (``DDR4-2400``, ...), a memspec JSON path, or a :class:`Device` as is."""
    if isinstance(device, Device):
        return device
    from archgym.simulators.dram.presets import PRESETS

    key = str(device)
    for name, dev in PRESETS.items():
        if key.lower() == name.lower():
            return dev
    if key.endswith(".json") or Path(key).exists():
        return read_memspec(key)
    from archgym.errors import unknown_choice

    raise unknown_choice("DRAM device", key, [*PRESETS, "<path to a DRAMSys memspec .json>"])
