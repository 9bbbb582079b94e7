"""Memory traces: DRAMSys ``.stl``/``.rstl`` text files and a compact numpy binary form.

A :class:`Trace` is a sequence of requests, each with a timestamp in cycles of
the initiator's clock, a direction and a byte address (plus an optional
length in bytes, 0 meaning one device burst).

Text format (DRAMSys trace player)::

    # comment
    <cycle>: [(<length>)] <read|write> <hex address> [<hex data>]

In an ``.stl`` file the timestamp is absolute (one earlier than the previous
line's means "right after it", as DRAMSys's trace player treats DRAMSys's own
``example.stl``, whose timestamps restart); in an ``.rstl`` file it is the
delay after the previous request's response (closed loop), which the
controller model honours. The binary form is an ``.npz`` archive holding
``cycle``, ``is_write``, ``address`` and ``length`` arrays and the
``relative`` flag. A malformed line raises :class:`archgym.errors.UserError`
naming the file, the line number and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from archgym.errors import UserError


@dataclass(frozen=True, eq=False)
class Trace:
    """A request trace (see the module docstring).

    Attributes:
        cycle: int64 timestamps (absolute, or delays when ``relative``).
        is_write: bool per request.
        address: uint64 byte addresses.
        length: int64 bytes per request (0 = one burst of the device).
        relative: timestamps are delays after the previous response (``.rstl``).
        name: workload name recorded with evaluations.
        clock_mhz: the initiator clock the timestamps count, if the trace fixes it.
    """

    cycle: np.ndarray
    is_write: np.ndarray
    address: np.ndarray
    length: np.ndarray = field(default=None)  # type: ignore[assignment]
    relative: bool = False
    name: str = "trace"
    clock_mhz: float | None = None

    def __post_init__(self) -> None:
        cyc = np.ascontiguousarray(self.cycle, dtype=np.int64)
        n = cyc.shape[0]
        length = np.zeros(n, dtype=np.int64) if self.length is None else np.ascontiguousarray(self.length, np.int64)
        object.__setattr__(self, "cycle", cyc)
        object.__setattr__(self, "is_write", np.ascontiguousarray(self.is_write, dtype=bool))
        object.__setattr__(self, "address", np.ascontiguousarray(self.address, dtype=np.uint64))
        object.__setattr__(self, "length", length)
        if not (self.is_write.shape[0] == n == self.address.shape[0] == length.shape[0]):
            raise UserError(f"trace {self.name}: cycle, is_write, address and length differ in length")
        if n == 0:
            raise UserError(f"trace {self.name}: no requests")
        if (cyc < 0).any():
            raise UserError(f"trace {self.name}: negative timestamp at request {int(np.argmax(cyc < 0))}")

    def __len__(self) -> int:
        return int(self.cycle.shape[0])

    @property
    def n_reads(self) -> int:
        return int((~self.is_write).sum())

    @property
    def n_writes(self) -> int:
        return int(self.is_write.sum())


#: largest timestamp or length a trace holds (int64 arrays)
INT64_MAX = int(np.iinfo(np.int64).max)


def parse_stl(text: str, source: str = "<string>", relative: bool = False, name: str | None = None) -> Trace:
    """Parse DRAMSys trace text; errors name ``source``, the line number and the problem."""
    cycles: list[int] = []
    writes: list[bool] = []
    addrs: list[int] = []
    lengths: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{lineno}"
        head, sep, rest = line.partition(":")
        if not sep:
            raise UserError(f"{where}: expected '<cycle>: <read|write> <hex address>', got {raw.strip()!r}")
        try:
            cyc = int(head.strip())
        except ValueError:
            raise UserError(f"{where}: timestamp {head.strip()!r} is not a non-negative integer") from None
        if cyc < 0:
            raise UserError(f"{where}: timestamp {cyc} is negative")
        if cyc > INT64_MAX:
            raise UserError(f"{where}: timestamp {cyc} does not fit 64 bits (at most {INT64_MAX})")
        tokens = rest.split()
        length = 0
        if tokens and tokens[0].startswith("("):
            tok = tokens.pop(0)
            try:
                length = int(tok.strip("()"))
            except ValueError:
                raise UserError(f"{where}: length {tok!r} is not '(<bytes>)'") from None
            if not 0 < length <= INT64_MAX:
                raise UserError(f"{where}: length {length} must be positive and fit 64 bits")
        if not tokens:
            raise UserError(f"{where}: missing command (read or write)")
        cmd = tokens[0].lower()
        if cmd not in ("read", "write"):
            raise UserError(f"{where}: unknown command {tokens[0]!r}; expected read or write")
        if len(tokens) < 2:
            raise UserError(f"{where}: missing hex address after {tokens[0]!r}")
        try:
            addr = int(tokens[1], 16)
        except ValueError:
            raise UserError(f"{where}: address {tokens[1]!r} is not hexadecimal") from None
        if addr < 0 or addr >= 1 << 64:
            raise UserError(f"{where}: address {tokens[1]!r} does not fit 64 bits")
        if len(tokens) > 3:
            raise UserError(f"{where}: unexpected text after the data field: {' '.join(tokens[3:])!r}")
        if len(tokens) == 3:
            try:
                int(tokens[2], 16)
            except ValueError:
                raise UserError(f"{where}: data {tokens[2][:20]!r} is not hexadecimal") from None
        cycles.append(cyc)
        writes.append(cmd == "write")
        addrs.append(addr)
        lengths.append(length)
    if not cycles:
        raise UserError(f"{source}: the trace holds no requests")
    return Trace(np.array(cycles, dtype=np.int64), np.array(writes, dtype=bool), np.array(addrs, dtype=np.uint64),
                 np.array(lengths, dtype=np.int64), relative=relative, name=name or Path(source).stem)


def read_trace(path: str | Path) -> Trace:
    """Read an ``.stl`` (absolute), ``.rstl`` (relative) or ``.npz`` (binary) trace."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"trace file {p} does not exist")
    if p.is_dir():
        raise UserError(f"{p} is a folder; a DRAM workload is one .stl/.rstl/.npz trace file")
    if p.suffix == ".npz":
        return read_npz(p)
    try:
        text = p.read_text()
    except UnicodeDecodeError:
        raise UserError(f"{p}: not a text trace (expected .stl/.rstl text or a .npz archive)") from None
    return parse_stl(text, source=str(p), relative=p.suffix == ".rstl", name=p.stem)


def format_stl(trace: Trace) -> str:
    """DRAMSys text form of a trace (``(length)`` only where it is set)."""
    lines = []
    for c, w, a, n in zip(trace.cycle.tolist(), trace.is_write.tolist(), trace.address.tolist(), trace.length.tolist()):
        size = f"({n}) " if n else ""
        lines.append(f"{c}:\t{size}{'write' if w else 'read'}\t0x{a:x}")
    return "\n".join(lines) + "\n"


def write_trace(trace: Trace, path: str | Path) -> Path:
    """Write ``.stl``/``.rstl`` text or ``.npz`` binary, chosen by the suffix."""
    p = Path(path)
    if p.suffix == ".npz":
        np.savez_compressed(p, cycle=trace.cycle, is_write=trace.is_write, address=trace.address,
                            length=trace.length, relative=np.array(trace.relative))
    else:
        if (p.suffix == ".rstl") != trace.relative:
            raise UserError(f"{p}: use the .rstl suffix for relative traces and .stl for absolute ones")
        p.write_text(format_stl(trace))
    return p


def read_npz(path: str | Path) -> Trace:
    """Read the binary form written by :func:`write_trace`."""
    p = Path(path)
    try:
        with np.load(p) as z:
            missing = [k for k in ("cycle", "is_write", "address") if k not in z]
            if missing:
                raise UserError(f"{p}: binary trace lacks array(s) {', '.join(missing)}")
            return Trace(z["cycle"], z["is_write"], z["address"], z["length"] if "length" in z else None,
                         relative=bool(z["relative"]) if "relative" in z else False, name=p.stem)
    except (OSError, ValueError) as exc:
        raise UserError(f"{p}: not a readable .npz trace ({exc})") from None
