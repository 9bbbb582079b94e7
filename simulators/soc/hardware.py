"""Hardware graphs (PEs, buses, memories) and mappings of a task graph onto them.

A :class:`HardwareGraph` is a set of block instances and undirected links;
traffic between a PE and a memory takes the shortest path (breadth-first,
neighbours in declaration order), and every bus on it is a constraint. A
:class:`Mapping` places each task on a PE and each producer -> consumer
buffer in a memory, and gives the order in which simultaneously ready tasks
queue for a PE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping as MappingT
from typing import Sequence

from archgym.errors import UserError
from archgym.simulators.soc.catalogue import MEM_KINDS, WIDTHS_BYTES

KINDS = ("pe", "mem", "ic")


@dataclass(frozen=True)
class Block:
    """One block instance.

    Attributes:
        name: instance name (unique in its graph).
        kind: ``pe``, ``mem`` or ``ic`` (bus / NoC link).
        subtype: ``gpp`` (A53) or ``ip`` for PEs, ``sram`` or ``dram`` for
            memories, ``ic`` for buses.
        width: bytes per cycle of a memory or bus (4..128); 0 for PEs.
        ip_task: for an IP, the task whose accelerator it is.
        freq_scale: clock multiplier relative to the catalogue (FARSI's ``_1`` suffix).
    """

    name: str
    kind: str
    subtype: str
    width: int = 0
    ip_task: str | None = None
    freq_scale: float = 1.0


def a53(name: str) -> Block:
    return Block(name, "pe", "gpp")


def ip(name: str, task: str) -> Block:
    return Block(name, "pe", "ip", ip_task=task)


def memory(name: str, kind: str, width: int) -> Block:
    if kind not in MEM_KINDS:
        raise UserError(f"memory {name!r}: kind {kind!r} is not one of {', '.join(MEM_KINDS)}")
    if width not in WIDTHS_BYTES:
        raise UserError(f"memory {name!r}: width {width} is not one of {WIDTHS_BYTES}")
    return Block(name, "mem", kind, width)


def bus(name: str, width: int) -> Block:
    if width not in WIDTHS_BYTES:
        raise UserError(f"bus {name!r}: width {width} is not one of {WIDTHS_BYTES}")
    return Block(name, "ic", "ic", width)


@dataclass(frozen=True)
class HardwareGraph:
    """Blocks and the undirected links between them."""

    blocks: tuple[Block, ...]
    links: tuple[tuple[str, str], ...]
    _adj: dict[str, list[str]] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Block] = field(init=False, repr=False, compare=False)

    def __init__(self, blocks: Sequence[Block], links: Sequence[tuple[str, str]]):
        object.__setattr__(self, "blocks", tuple(blocks))
        object.__setattr__(self, "links", tuple((str(a), str(b)) for a, b in links))
        by_name = {b.name: b for b in self.blocks}
        if len(by_name) != len(self.blocks):
            raise UserError("hardware graph: duplicate block names")
        adj: dict[str, list[str]] = {b.name: [] for b in self.blocks}
        for a, b in self.links:
            if a not in adj or b not in adj:
                raise UserError(f"hardware graph: link {a} - {b} names an unknown block")
            if a == b:
                continue
            if b not in adj[a]:
                adj[a].append(b)
            if a not in adj[b]:
                adj[b].append(a)
        order = {b.name: i for i, b in enumerate(self.blocks)}
        for v in adj.values():
            v.sort(key=order.__getitem__)
        object.__setattr__(self, "_adj", adj)
        object.__setattr__(self, "_by_name", by_name)
        index = {b.name: i for i, b in enumerate(self.blocks)}
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_adj_idx", [[index[w] for w in adj[b.name]] for b in self.blocks])
        object.__setattr__(self, "_is_bus", [b.kind == "ic" for b in self.blocks])
        object.__setattr__(self, "_prev", {})
        object.__setattr__(self, "_paths", {})

    def __getitem__(self, name: str) -> Block:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def neighbours(self, name: str) -> list[str]:
        return self._adj[name]

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def index_of(self, name: str) -> int:
        return self._index[name]

    def path(self, src: int, dst: int) -> list[int] | None:
        """Block indices of the shortest path ``src`` -> ``dst`` through buses (None if none).

        Breadth-first from ``dst`` (a memory: few roots serve every PE), with
        neighbours in declaration order, so ties between equally short paths
        break the same way every time.
        """
        hit = self._paths.get((src, dst))
        if hit is not None:
            return hit
        prev = self._prev.get(dst)
        if prev is None:
            prev = {dst: -1}
            queue = [dst]
            is_bus, adj = self._is_bus, self._adj_idx
            for v in queue:
                if v != dst and not is_bus[v]:
                    continue
                for w in adj[v]:
                    if w not in prev:
                        prev[w] = v
                        queue.append(w)
            self._prev[dst] = prev
        if src not in prev:
            return None
        out = [src]
        while out[-1] != dst:
            out.append(prev[out[-1]])
        self._paths[(src, dst)] = out
        return out


@dataclass(frozen=True)
class Mapping:
    """Where tasks run and where their buffers live.

    Attributes:
        task_pe: task name -> PE instance name.
        buffer_mem: ``(producer, consumer)`` -> memory instance name.
        priority: task names in the order simultaneously ready tasks queue
            (defaults to the workload's task order).
    """

    task_pe: MappingT[str, str]
    buffer_mem: MappingT[tuple[str, str], str]
    priority: tuple[str, ...] = ()


_MEM_RE = re.compile(r"^(LMEM_ic|LMEM|GMEM)_(\d+)(?:_(\d+))?$")
_IP_RE = re.compile(r"^(.+)_IP(\d+)(?:_(\d+)_(\d+))?$")


def block_from_farsi_name(instance: str, tasks: Sequence[str] = ()) -> Block:
    """A block from a FARSI instance name ``<library block>_<suffix>``.

    ``A53_0`` -> A53; ``LMEM_ic_2_1_sr1`` -> 16-byte bus; ``LMEM_0_1_ta10`` ->
    4-byte SRAM; ``GMEM_3_1_x`` -> 32-byte DRAM; ``<task>_IP0_1_1_x`` -> that
    task's accelerator. The old names without the frequency field
    (``LMEM_ic_0_0``) are accepted too.
    """
    if "_" not in instance:
        raise UserError(f"block {instance!r}: expected '<library block>_<suffix>'")
    lib = instance.rsplit("_", 1)[0]
    if lib in ("A53", "A53_1"):
        return a53(instance)
    m = _MEM_RE.match(lib)
    if m:
        k = int(m.group(2))
        if k >= len(WIDTHS_BYTES):
            raise UserError(f"block {instance!r}: width index {k} is not in 0..{len(WIDTHS_BYTES) - 1}")
        freq = float(m.group(3)) if m.group(3) else 1.0
        width = WIDTHS_BYTES[k]
        kind = {"LMEM_ic": "ic", "LMEM": "sram", "GMEM": "dram"}[m.group(1)]
        if kind == "ic":
            return Block(instance, "ic", "ic", width, freq_scale=freq)
        return Block(instance, "mem", kind, width, freq_scale=freq)
    for cand in (lib, instance):
        m = _IP_RE.match(cand)
        if m and m.group(1) in tasks:
            if m.group(2) != "0" or (m.group(3) or "1") != "1" or (m.group(4) or "1") != "1":
                raise UserError(f"block {instance!r}: only the IP0_1_1 accelerator variant is modelled")
            return ip(instance, m.group(1))
    raise UserError(
        f"block {instance!r}: unknown library block {lib!r} (A53, LMEM_k, GMEM_k, LMEM_ic_k or <task>_IP0_1_1)"
    )
