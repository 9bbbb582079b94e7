"""FARSI's own CSV form of a design: read it, evaluate it, write it.

* ``hardware_graph.csv``: a symmetric adjacency matrix whose header cell is
  ``Block Name`` and whose rows/columns are block instances named
  ``<library block>_<suffix>``; ``1`` means connected.
* ``task_to_hardware_mapping.csv``: one column per block instance; tasks are
  listed under a PE, ``producer -> consumer`` buffers under a memory; bus
  columns may be empty or repeat the buffers (routing is the shortest path).

:func:`evaluate_farsi` runs such a design through the same model as the
environment; :func:`write_farsi_design` exports any design in this form.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from archgym.errors import UserError
from archgym.metrics import Metrics
from archgym.simulators.soc.engine import Infeasible, compile_plan, simulate
from archgym.simulators.soc.farsi_tables import read_csv
from archgym.simulators.soc.hardware import HardwareGraph, Mapping, block_from_farsi_name
from archgym.simulators.soc.taskgraph import TaskGraph, load_workload


def read_hardware_graph(path: str | Path, tasks: list[str] | tuple[str, ...] = ()) -> HardwareGraph:
    """Parse FARSI's ``Hardware Graph`` adjacency matrix."""
    path = Path(path)
    rows = read_csv(path)
    if not rows or not rows[0] or rows[0][0] != "Block Name":
        found = rows[0][0] if rows and rows[0] else ""
        raise UserError(f"{path}: row 1, column 1: header cell must be 'Block Name' (found {found!r})")
    header = rows[0][1:]
    blocks = []
    for c, name in enumerate(header, start=2):
        if not name:
            raise UserError(f"{path}: row 1, column {c}: empty block name")
        try:
            blocks.append(block_from_farsi_name(name, tasks))
        except UserError as exc:
            raise UserError(f"{path}: row 1, column {name!r}: {exc}") from None
    links = []
    for r, row in enumerate(rows[1:], start=2):
        if not row or not any(row):
            continue
        if row[0] not in header:
            raise UserError(f"{path}: row {r}, column 'Block Name': {row[0]!r} is not a column of the matrix")
        for c, cell in enumerate(row[1:]):
            if not cell:
                continue
            if c >= len(header):
                raise UserError(f"{path}: row {r}: more cells than blocks")
            if cell not in ("1", "1.0"):
                raise UserError(f"{path}: row {r}, column {header[c]!r}: {cell!r} must be 1 or empty")
            links.append((row[0], header[c]))
    return HardwareGraph(blocks, links)


def read_mapping(path: str | Path, graph: TaskGraph, hw: HardwareGraph) -> Mapping:
    """Parse FARSI's ``Task To Hardware Mapping`` table against a hardware graph."""
    path = Path(path)
    rows = read_csv(path)
    if not rows:
        raise UserError(f"{path}: empty file")
    header = rows[0]
    known = set(graph.task_names)
    task_pe: dict[str, str] = {}
    buffer_mem: dict[tuple[str, str], str] = {}
    for c, col in enumerate(header):
        if not col:
            continue
        if col not in hw:
            try:
                kind = block_from_farsi_name(col, graph.task_names).kind
            except UserError:
                kind = ""
            if kind == "ic":
                continue  # bus columns only repeat buffers; routing is the shortest path
            raise UserError(f"{path}: row 1, column {col!r}: not a block of the hardware graph")
        kind = hw[col].kind
        if kind == "ic":
            continue
        for r, row in enumerate(rows[1:], start=2):
            cell = row[c] if c < len(row) else ""
            if not cell:
                continue
            if kind == "pe":
                if cell not in known:
                    raise UserError(f"{path}: row {r}, column {col!r}: {cell!r} is not a task of {graph.name}")
                if cell in task_pe and task_pe[cell] != col:
                    raise UserError(
                        f"{path}: row {r}, column {col!r}: task {cell!r} is already mapped to {task_pe[cell]}"
                    )
                task_pe[cell] = col
            else:
                if "->" not in cell:
                    raise UserError(f"{path}: row {r}, column {col!r}: {cell!r} must read 'producer -> consumer'")
                src, dst = (x.strip() for x in cell.split("->", 1))
                for end in (src, dst):
                    if end not in known:
                        raise UserError(f"{path}: row {r}, column {col!r}: {end!r} is not a task of {graph.name}")
                buffer_mem[(src, dst)] = col
    return Mapping(task_pe, buffer_mem)


def evaluate_farsi(workload: Any, hardware_graph: str | Path, mapping: str | Path) -> Metrics:
    """Metrics of a design given in FARSI's CSV form.

    Args:
        workload: a shipped workload name, a workload JSON path or a :class:`TaskGraph`.
        hardware_graph: path of FARSI's ``Hardware Graph`` CSV.
        mapping: path of FARSI's ``Task To Hardware Mapping`` CSV.

    Example:
        >>> m = evaluate_farsi("SOC_example_1p", "hardware_graph.csv", "task_to_hardware_mapping.csv")  # doctest: +SKIP
        >>> m["latency_s"]  # doctest: +SKIP
        4e-06
    """
    from archgym.simulators.soc.simulator import metrics_of

    graph = load_workload(workload)
    hw = read_hardware_graph(hardware_graph, graph.task_names)
    mp = read_mapping(mapping, graph, hw)
    try:
        plan = compile_plan(graph, hw, mp)
    except Infeasible as exc:
        return Metrics.infeasible(str(exc))
    return metrics_of(plan, simulate(plan), graph)


def write_farsi_design(hw: HardwareGraph, mapping: Mapping, graph: TaskGraph, folder: str | Path) -> tuple[Path, Path]:
    """Write ``hardware_graph.csv`` and ``task_to_hardware_mapping.csv`` into ``folder``.

    Block names are written as they are, so designs built by
    :func:`archgym.simulators.soc.layout.build_design` (which uses FARSI's
    naming) read back into FARSI and into :func:`evaluate_farsi`. PEs and
    memories that host nothing are left out (FARSI rejects them; here they
    have no area or energy, so the metrics do not change).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    used = set(mapping.task_pe.values()) | set(mapping.buffer_mem.values())
    # FARSI rejects a PE or memory that hosts nothing; such blocks cost nothing here either
    names = [b.name for b in hw.blocks if b.kind == "ic" or b.name in used]
    hpath = folder / "hardware_graph.csv"
    with open(hpath, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Block Name", *names])
        for a in names:
            nb = set(hw.neighbours(a))
            w.writerow([a, *("1" if b in nb else "" for b in names)])
    columns: dict[str, list[str]] = {n: [] for n in names}
    for t in graph.task_names:
        if t in mapping.task_pe:
            columns[mapping.task_pe[t]].append(t)
    for (src, dst), mem in mapping.buffer_mem.items():
        columns[mem].append(f"{src} -> {dst}")
    mpath = folder / "task_to_hardware_mapping.csv"
    depth = max((len(v) for v in columns.values()), default=0)
    with open(mpath, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for r in range(depth):
            w.writerow([columns[n][r] if r < len(columns[n]) else "" for n in names])
    return hpath, mpath
