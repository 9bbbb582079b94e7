"""Address mappings: which physical-address bits select the rank, bank group, bank, row and column.

The format is DRAMSys's (ConGen): for each field a list of address-bit
positions, least significant first; a position may itself be a list of bits
that are XOR-ed together (bank hashing). Bits need not be contiguous.
:func:`read_address_mapping` reads a DRAMSys addressmapping JSON file;
:func:`default_mapping` builds a row-rank-bank-bankgroup-column-byte mapping
(most significant first) for a device, so a sequential stream fills a
row, then moves to the next bank group and bank before changing row (the
same order as DRAMsim3's ``rochrababgco``).

:meth:`AddressMapping.decode` is vectorised over a numpy array of addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.fileio import read_json
from archgym.simulators.dram.device import Device

#: DRAMSys field names, in the order of :class:`AddressMapping` attributes
FIELDS = ("BYTE_BIT", "COLUMN_BIT", "BANKGROUP_BIT", "BANK_BIT", "RANK_BIT", "CHANNEL_BIT", "ROW_BIT")

Bits = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Decoded:
    """Per-request DRAM coordinates (int64 arrays).

    ``bank`` and ``bank_group`` are flat indices over the whole channel
    (``rank * banks + bank`` and ``rank * bank_groups + group``).
    """

    rank: np.ndarray
    bank_group: np.ndarray
    bank: np.ndarray
    row: np.ndarray
    column: np.ndarray


@dataclass(frozen=True)
class AddressMapping:
    """Bit lists per field; each entry is a tuple of bits XOR-ed into one field bit."""

    byte: Bits = ()
    column: Bits = ()
    bank_group: Bits = ()
    bank: Bits = ()
    rank: Bits = ()
    channel: Bits = ()
    row: Bits = ()
    name: str = "default"

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], name: str = "addressmapping") -> "AddressMapping":
        """From a DRAMSys ``{"addressmapping": {...}}`` mapping (wrapper optional)."""
        am = spec.get("addressmapping", spec)
        if not isinstance(am, Mapping):
            raise UserError(f"{name}: expected an object with BYTE_BIT, COLUMN_BIT, ... lists")
        unknown = [k for k in am if k not in FIELDS]
        if unknown:
            raise UserError(f"{name}: unknown field {unknown[0]!r}; valid fields: {', '.join(FIELDS)}")
        parts = []
        for key in FIELDS:
            entries = am.get(key, [])
            try:
                bits = tuple(tuple(int(b) for b in e) if isinstance(e, (list, tuple)) else (int(e),) for e in entries)
            except (TypeError, ValueError):
                raise UserError(f"{name}: {key} must list bit positions (integers or lists of integers)") from None
            if any(b < 0 or b > 63 for e in bits for b in e):
                raise UserError(f"{name}: {key} has a bit position outside 0..63")
            parts.append(bits)
        used = [b for p in parts for e in p if len(e) == 1 for b in e]
        dup = {b for b in used if used.count(b) > 1}
        if dup:
            raise UserError(f"{name}: address bit(s) {sorted(dup)} are mapped to more than one field")
        return cls(*parts, name=name)

    def to_dict(self) -> dict[str, Any]:
        """The DRAMSys JSON form (empty fields omitted)."""
        out = {}
        for key, bits in zip(FIELDS, (self.byte, self.column, self.bank_group, self.bank, self.rank,
                                      self.channel, self.row)):
            if bits:
                out[key] = [e[0] if len(e) == 1 else list(e) for e in bits]
        return {"addressmapping": out}

    def check(self, device: Device) -> None:
        """Raise :class:`UserError` unless the field widths match the device's organisation."""
        want = {
            "COLUMN_BIT": device.columns, "ROW_BIT": device.rows, "RANK_BIT": device.ranks,
            "BANKGROUP_BIT": device.bank_groups, "BANK_BIT": device.banks // device.bank_groups,
        }
        have = {"COLUMN_BIT": self.column, "ROW_BIT": self.row, "RANK_BIT": self.rank,
                "BANKGROUP_BIT": self.bank_group, "BANK_BIT": self.bank}
        if device.bank_groups == 1 and self.bank_group:
            raise UserError(f"address mapping {self.name}: BANKGROUP_BIT given but {device.memory_id} "
                            "has no bank groups")
        for key, count in want.items():
            if count & (count - 1):
                raise UserError(f"device {device.memory_id}: {key[:-4].lower()} count {count} is not a power of two")
            if (1 << len(have[key])) < count:
                raise UserError(
                    f"address mapping {self.name}: {key} has {len(have[key])} bits but {device.memory_id} "
                    f"needs {count.bit_length() - 1}"
                )
        if self.channel:
            raise UserError(f"address mapping {self.name}: CHANNEL_BIT given; the model simulates one channel")

    def decode(self, addresses: np.ndarray, device: Device) -> Decoded:
        """Rank, bank group, bank, row and column of each address (vectorised)."""
        a = np.asarray(addresses, dtype=np.uint64)

        def field(bits: Bits, modulo: int) -> np.ndarray:
            if not bits:
                return np.zeros(a.shape, dtype=np.int64)
            lo = bits[0][0]
            if all(len(e) == 1 and e[0] == lo + i for i, e in enumerate(bits)):
                v = (a >> np.uint64(lo)) & np.uint64((1 << len(bits)) - 1)
                return (v % np.uint64(modulo)).astype(np.int64)
            v = np.zeros(a.shape, dtype=np.uint64)
            for i, group in enumerate(bits):
                bit = np.zeros(a.shape, dtype=np.uint64)
                for b in group:
                    bit ^= (a >> np.uint64(b)) & np.uint64(1)
                v |= bit << np.uint64(i)
            return (v % np.uint64(modulo)).astype(np.int64)

        bpg = device.banks // device.bank_groups
        rank = field(self.rank, device.ranks)
        group = field(self.bank_group, device.bank_groups)
        bank_in_group = field(self.bank, bpg)
        return Decoded(
            rank=rank,
            bank_group=rank * device.bank_groups + group,
            bank=rank * device.banks + group * bpg + bank_in_group,
            row=field(self.row, device.rows),
            column=field(self.column, device.columns),
        )


def _bits(start: int, count: int) -> Bits:
    return tuple((b,) for b in range(start, start + count))


def _log2(n: int) -> int:
    return max(0, int(n).bit_length() - 1)


def default_mapping(device: Device) -> AddressMapping:
    """Row | rank | bank | bank group | column | byte, most significant first."""
    widths = [
        ("byte", _log2(device.width * device.devices // 8)),
        ("column", _log2(device.columns)),
        ("bank_group", _log2(device.bank_groups)),
        ("bank", _log2(device.banks // device.bank_groups)),
        ("rank", _log2(device.ranks)),
        ("row", _log2(device.rows)),
    ]
    pos, parts = 0, {}
    for name, w in widths:
        parts[name] = _bits(pos, w)
        pos += w
    return AddressMapping(**parts, name=f"default-rbc-{device.name or device.memory_id}")


def read_address_mapping(path: str | Path) -> AddressMapping:
    """Read a DRAMSys addressmapping JSON file."""
    p = Path(path)
    spec = read_json(p, "address mapping file")
    return AddressMapping.from_dict(spec, name=str(p))


def load_mapping(mapping: str | Path | AddressMapping | Mapping[str, Any] | None, device: Device) -> AddressMapping:
    """``None`` (the device's default), a JSON path, a dict or an :class:`AddressMapping`.

    The result is checked against the device.
    """
    if mapping is None:
        am = default_mapping(device)
    elif isinstance(mapping, AddressMapping):
        am = mapping
    elif isinstance(mapping, Mapping):
        am = AddressMapping.from_dict(mapping)
    else:
        am = read_address_mapping(mapping)
    am.check(device)
    return am


def bit_list(bits: Sequence[int]) -> Bits:
    """Helper for building mappings in code: ``bit_list([13, 14])`` -> ``((13,), (14,))``."""
    return tuple((int(b),) for b in bits)
