"""Converter from FARSI's workload tables (CSV) to archgym's task-graph format.

FARSI (facebookresearch/Project_FARSI, MIT licence) describes each workload
with spreadsheet exports named ``<workload>_database - <Sheet>.csv``; the
reference copy in this project normalises them to ``<workload>/<sheet>.csv``.
Both layouts are accepted:

* a folder: ``.../audio_decoder/`` holding ``task_data_movement.csv``,
  ``task_pe_performance.csv``, ``task_pe_energy.csv``, ``task_pe_area.csv``
  and optionally ``task_itr_count.csv``, ``budget.csv``, ``misc.csv``; budgets
  and last tasks are looked up in a sibling ``misc/`` folder
  (``budget.csv``, ``last_tasks.csv``) first;
* a prefix: ``.../audio_decoder_database - `` (or ``.../audio_decoder_database``)
  so that ``<prefix>Task Data Movement.csv`` etc. exist; budgets and last
  tasks come from ``misc_database - Budget.csv`` / ``misc_database - Last
  Tasks.csv`` in the same folder.

Only the ``A53`` and ``IP0`` columns are used (FARSI spawns other IP variants
only with its ``ip_spawn`` knob, which its default settings leave off).
Malformed tables raise :class:`archgym.errors.UserError` naming the file, row
and column.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from archgym.errors import UserError
from archgym.simulators.soc.taskgraph import Edge, Task, TaskGraph

log = logging.getLogger(__name__)

SHEETS = {
    "movement": ("task_data_movement.csv", "Task Data Movement.csv"),
    "performance": ("task_pe_performance.csv", "Task PE Performance.csv"),
    "energy": ("task_pe_energy.csv", "Task PE Energy.csv"),
    "area": ("task_pe_area.csv", "Task PE Area.csv"),
    "iterations": ("task_itr_count.csv", "Task Itr Count.csv"),
    "budget": ("budget.csv", "Budget.csv"),
}

SOURCE_NOTE = (
    "Figures from FARSI (facebookresearch/Project_FARSI, MIT licence), workload database "
    "'{name}'; converted to archgym's format by archgym.simulators.soc.convert_farsi."
)


def _role(name: str) -> str:
    if "souurce" in name:
        return "source"
    if "siink" in name:
        return "sink"
    if "dummy_last" in name:
        return "dummy"
    return "task"


def read_csv(path: Path) -> list[list[str]]:
    """Rows of a CSV file with surrounding blanks stripped (BOM and CRLF tolerated)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return [[c.strip() for c in row] for row in csv.reader(fh)]
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def cell_number(path: Path, row: int, col: str, text: str) -> float:
    """Parse one numeric cell; a bad value raises UserError naming file, row and column."""
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{path}: row {row}, column {col!r}: {text!r} is not a number") from None
    if value != value or value < 0:
        raise UserError(f"{path}: row {row}, column {col!r}: {text!r} must be a non-negative number")
    return value


class _Tables:
    """Locates the sheets of one FARSI workload (folder or prefix layout)."""

    def __init__(self, folder_or_prefix: str | Path):
        p = Path(folder_or_prefix)
        if p.is_dir():
            self.folder = p
            self.prefix = None
            self.name = p.name
        else:
            text = str(folder_or_prefix)
            if not text.endswith(" - "):
                text = text + " - " if text.endswith("_database") else text
            self.folder = Path(text).parent
            self.prefix = text
            base = Path(text).name
            self.name = base.split("_database")[0] if "_database" in base else base.rstrip(" -")
            if not self.path("movement").exists():
                raise UserError(
                    f"no FARSI workload at {folder_or_prefix!r}: expected a folder with task_data_movement.csv "
                    f"or a prefix such that '<prefix>Task Data Movement.csv' exists"
                )

    def path(self, sheet: str) -> Path:
        normal, farsi = SHEETS[sheet]
        if self.prefix is None:
            return self.folder / normal
        return Path(self.prefix + farsi)

    def misc(self, which: str) -> list[Path]:
        """Candidate files for the shared budget / last-task tables, most specific first."""
        if self.prefix is None:
            names = {"budget": ["budget.csv"], "last": ["last_tasks.csv"]}[which]
            found = [self.folder.parent / "misc" / n for n in names]
            if which == "last":
                found.append(self.folder / "misc.csv")
            else:
                found.append(self.folder / "budget.csv")
            return found
        names = {"budget": "misc_database - Budget.csv", "last": "misc_database - Last Tasks.csv"}[which]
        return [self.folder / names]


def _task_table(path: Path, tasks: set[str]) -> dict[str, dict[str, tuple[int, str]]]:
    """``{task: {column: (row number, text)}}`` for non-empty cells of a per-task table."""
    rows = read_csv(path)
    if not rows or not rows[0] or rows[0][0] != "Task Name":
        raise UserError(f"{path}: row 1, column 1: header must start with 'Task Name'")
    header = rows[0]
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for r, row in enumerate(rows[1:], start=2):
        if not row or not any(row):
            continue
        name = row[0]
        if name not in tasks:
            raise UserError(f"{path}: row {r}, column 'Task Name': {name!r} is not a task of the data-movement table")
        if len(row) > len(header) and any(row[len(header):]):
            raise UserError(f"{path}: row {r}: more cells than header columns")
        out[name] = {header[c]: (r, row[c]) for c in range(1, min(len(row), len(header))) if row[c]}
    return out


def read_farsi_workload(folder_or_prefix: str | Path) -> TaskGraph:
    """Read one FARSI workload database into a :class:`TaskGraph` (no file is written)."""
    tables = _Tables(folder_or_prefix)
    mpath = tables.path("movement")
    rows = read_csv(mpath)
    if not rows or not rows[0] or rows[0][0] != "Task Name":
        raise UserError(f"{mpath}: row 1, column 1: header must start with 'Task Name'")
    header = rows[0]
    names = [row[0] for row in rows[1:] if row and row[0]]
    known = set(names)
    edges: list[Edge] = []
    for r, row in enumerate(rows[1:], start=2):
        if not row or not row[0]:
            continue
        for c in range(1, len(row)):
            text = row[c]
            if not text:
                continue
            col = header[c] if c < len(header) else f"#{c + 1}"
            if c >= len(header) or header[c] not in known:
                raise UserError(f"{mpath}: row {r}, column {col!r}: bytes given for a consumer that is not a task")
            if header[c] == row[0]:
                continue  # FARSI ignores the diagonal
            edges.append(Edge(row[0], header[c], int(round(cell_number(mpath, r, col, text)))))

    perf = _task_table(tables.path("performance"), known)
    energy = _task_table(tables.path("energy"), known) if tables.path("energy").exists() else {}
    area = _task_table(tables.path("area"), known) if tables.path("area").exists() else {}
    itr: dict[str, int] = {}
    ipath = tables.path("iterations")
    if ipath.exists():
        for r, row in enumerate(read_csv(ipath)[1:], start=2):
            if len(row) >= 2 and row[0] in known and row[1]:
                itr[row[0]] = int(cell_number(ipath, r, "number of iterations", row[1]))

    tasks = []
    ppath = tables.path("performance")
    for name in names:
        role = _role(name)
        if role == "task" and name not in perf:
            raise UserError(f"{ppath}: task {name!r} has no row")

        def num(table: dict, col: str, path: Path, name: str = name) -> float | None:
            entry = table.get(name, {}).get(col)
            return None if entry is None else cell_number(path, entry[0], col, entry[1])

        a53 = num(perf, "A53", ppath)
        ip = num(perf, "IP0", ppath)
        if role == "task" and a53 is None and ip is None:
            raise UserError(f"{ppath}: task {name!r} has neither an 'A53' nor an 'IP0' cell")
        tasks.append(
            Task(
                name=name,
                a53_cycles=None if a53 is None else int(round(a53)),
                ip_cycles=None if (ip is None or role != "task") else int(round(ip)),
                ip_energy_fj=num(energy, "IP0", tables.path("energy")) if ip is not None and role == "task" else None,
                ip_area_um2=num(area, "IP0", tables.path("area")) if ip is not None and role == "task" else None,
                iterations=itr.get(name, 1),
                role=role,
            )
        )
    last = _last_task(tables, known)
    budgets = _budgets(tables)
    return TaskGraph(tables.name, tuple(tasks), tuple(edges), last, budgets, SOURCE_NOTE.format(name=tables.name))


def _last_task(tables: _Tables, known: set[str]) -> str:
    for path in tables.misc("last"):
        if not path.exists():
            continue
        for r, row in enumerate(read_csv(path)[1:], start=2):
            if len(row) >= 2 and row[0] == tables.name:
                if row[1] not in known:
                    raise UserError(f"{path}: row {r}, column 'last_task': {row[1]!r} is not a task of {tables.name}")
                return row[1]
    sinks = [n for n in known if _role(n) == "sink"]
    if len(sinks) == 1:
        return sinks[0]
    raise UserError(f"no last task for {tables.name!r}: add it to a Last Tasks table")


def _budgets(tables: _Tables) -> dict[str, float]:
    """Latency (s), power (W) and area (mm², from FARSI's m²) budgets, where given."""
    for path in tables.misc("budget"):
        if not path.exists():
            continue
        rows = read_csv(path)
        header = rows[0] if rows else []
        col = {h: i for i, h in enumerate(header)}
        if not {"Workload", "latency", "power", "area"} <= set(col):
            raise UserError(f"{path}: row 1: header must name Workload, latency, power, area")
        mine = [(r, row) for r, row in enumerate(rows[1:], start=2) if row and row[0] == tables.name]
        if not mine and path.name == "budget.csv" and path.parent == tables.folder:
            mine = [(r, row) for r, row in enumerate(rows[1:], start=2) if row and row[0] != "all"][:1]
        if not mine:
            continue
        every = [(r, row) for r, row in enumerate(rows[1:], start=2) if row and row[0] == "all"]
        out: dict[str, float] = {}
        for key, unit, scale in (("latency", "latency_s", 1.0), ("power", "power_w", 1.0), ("area", "area_mm2", 1e6)):
            for r, row in mine + every:
                text = row[col[key]] if col[key] < len(row) else ""
                if text:
                    out[unit] = cell_number(path, r, key, text) * scale
                    break
        return out
    return {}


def convert_farsi(folder_or_prefix: str | Path, out_path: str | Path) -> TaskGraph:
    """Convert one FARSI workload database into an archgym workload JSON file.

    Example:
        >>> convert_farsi("farsi-workloads/audio_decoder", "audio_decoder.json")  # doctest: +SKIP

    Returns the converted :class:`TaskGraph`; ``out_path`` may be a folder
    (the file is then named ``<workload>.json``).
    """
    graph = read_farsi_workload(folder_or_prefix)
    out = Path(out_path)
    if out.is_dir():
        out = out / f"{graph.name}.json"
    graph.save(out)
    log.info("converted FARSI workload %s -> %s", graph.name, out)
    return graph
