"""archgym's SoC workload format: a task graph with per-task costs and budgets.

A workload is one JSON file (``simulators/soc/data/<name>.json``)::

    {
      "format": "archgym-soc-workload/1",
      "name": "audio_decoder",
      "source": "where the figures come from (FARSI for the shipped ones)",
      "last_task": "dummy_last",
      "budgets": {"latency_s": 0.021, "power_w": 0.008737, "area_mm2": 17.475},
      "tasks": [
        {"name": "souurce", "role": "source", "a53_cycles": 0},
        {"name": "FIR_left", "a53_cycles": 679206, "ip_cycles": 19261,
         "ip_energy_fj": 38.597, "ip_area_um2": 19496, "iterations": 16400},
        ...
      ],
      "edges": [{"src": "souurce", "dst": "FIR_left", "bytes": 329352}, ...]
    }

Units are in the key names: ``a53_cycles`` are cycles of the reference
Arm A53 core (1 GHz, 2 instructions per cycle), ``ip_cycles`` are cycles of
the task's own accelerator (100 MHz), ``ip_energy_fj`` is femtojoules per
execution of the task on its accelerator, ``ip_area_um2`` the accelerator's
area in µm², ``bytes`` the data the producer hands to the consumer (an edge is
also a dependency). ``role`` marks FARSI's zero-work pseudo-tasks: ``source``
(its buffers are never freed), ``sink`` (allocates nothing) and ``dummy``.
Latency is the completion time of ``last_task``.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from archgym.errors import UserError
from archgym.fileio import atomic_write_text

FORMAT = "archgym-soc-workload/1"
ROLES = ("task", "source", "sink", "dummy")


@dataclass(frozen=True)
class Task:
    """One task: its work on the A53 and, if it has one, on its own accelerator (IP)."""

    name: str
    a53_cycles: int | None
    ip_cycles: int | None = None
    ip_energy_fj: float | None = None
    ip_area_um2: float | None = None
    iterations: int = 1
    role: str = "task"

    @property
    def dummy(self) -> bool:
        """True for zero-work pseudo-tasks (FARSI's souurce, siink, dummy_last)."""
        return self.role != "task"

    @property
    def has_ip(self) -> bool:
        return self.ip_cycles is not None


@dataclass(frozen=True)
class Edge:
    """``bytes`` handed from ``src`` to ``dst``; ``dst`` waits for ``src``."""

    src: str
    dst: str
    bytes: int


@dataclass(frozen=True)
class TaskGraph:
    """A validated workload: tasks in a fixed order, edges, last task and budgets."""

    name: str
    tasks: tuple[Task, ...]
    edges: tuple[Edge, ...]
    last_task: str
    budgets: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        names = [t.name for t in self.tasks]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise UserError(f"workload {self.name!r}: task {dup!r} is declared twice")
        known = set(names)
        for e in self.edges:
            for end in (e.src, e.dst):
                if end not in known:
                    raise UserError(f"workload {self.name!r}: edge {e.src} -> {e.dst} names unknown task {end!r}")
            if e.src == e.dst:
                raise UserError(f"workload {self.name!r}: edge {e.src} -> {e.dst} is a self-loop")
            if e.bytes < 0:
                raise UserError(f"workload {self.name!r}: edge {e.src} -> {e.dst} moves negative bytes")
        if self.last_task not in known:
            raise UserError(f"workload {self.name!r}: last task {self.last_task!r} is not a task")
        for t in self.tasks:
            if t.role not in ROLES:
                raise UserError(
                    f"workload {self.name!r}: task {t.name!r} has role {t.role!r}; valid: {', '.join(ROLES)}"
                )
            if not t.dummy and t.a53_cycles is None and t.ip_cycles is None:
                raise UserError(f"workload {self.name!r}: task {t.name!r} cannot run anywhere (no A53 or IP cycles)")
        idx = {t.name: i for i, t in enumerate(self.tasks)}
        object.__setattr__(self, "_index", idx)
        object.__setattr__(self, "_edge_index", [(idx[e.src], idx[e.dst], int(e.bytes)) for e in self.edges])
        object.__setattr__(self, "_names", [t.name for t in self.tasks])
        self._check_acyclic()

    def _check_acyclic(self) -> None:
        order = topological_order(len(self.tasks), self.edge_index())
        if order is None:
            raise UserError(f"workload {self.name!r}: the task graph has a cycle")

    # -- views ----------------------------------------------------------------
    @property
    def task_names(self) -> list[str]:
        return list(self._names)  # type: ignore[attr-defined]

    def index(self) -> dict[str, int]:
        """Task name -> position."""
        return self._index  # type: ignore[attr-defined]

    def edge_index(self) -> list[tuple[int, int, int]]:
        """Edges as ``(src index, dst index, bytes)``."""
        return self._edge_index  # type: ignore[attr-defined]

    def task(self, name: str) -> Task:
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(name)

    @property
    def ip_tasks(self) -> list[str]:
        """Real tasks that have an accelerator (IP) option."""
        return [t.name for t in self.tasks if t.has_ip and not t.dummy]

    # -- serialisation --------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        tasks = []
        for t in self.tasks:
            d: dict[str, Any] = {"name": t.name}
            if t.role != "task":
                d["role"] = t.role
            d["a53_cycles"] = t.a53_cycles
            for key in ("ip_cycles", "ip_energy_fj", "ip_area_um2"):
                if getattr(t, key) is not None:
                    d[key] = getattr(t, key)
            if t.iterations != 1:
                d["iterations"] = t.iterations
            tasks.append(d)
        return {
            "format": FORMAT,
            "name": self.name,
            "source": self.source,
            "last_task": self.last_task,
            "budgets": dict(self.budgets),
            "tasks": tasks,
            "edges": [{"src": e.src, "dst": e.dst, "bytes": e.bytes} for e in self.edges],
        }

    def to_json(self) -> str:
        """JSON text with one task and one edge per line (readable, small diffs)."""
        d = self.to_dict()
        head = {k: v for k, v in d.items() if k not in ("tasks", "edges")}
        lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
        for key in ("tasks", "edges"):
            items = [f"  {json.dumps(x)}" for x in d[key]]
            lines.append(f' "{key}": [\n' + ",\n".join(items) + "\n ]" + ("," if key == "tasks" else ""))
        return "\n".join(lines) + "\n}\n"

    def save(self, path: str | Path) -> Path:
        return atomic_write_text(path, self.to_json())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "<dict>") -> "TaskGraph":
        """Build from the JSON form; errors name ``where`` and the offending entry."""
        if not isinstance(data, Mapping):
            raise UserError(f"{where}: a workload must be a JSON object")
        if data.get("format", FORMAT) != FORMAT:
            raise UserError(f"{where}: format {data.get('format')!r} is not {FORMAT!r}")
        for key in ("name", "tasks", "edges", "last_task"):
            if key not in data:
                raise UserError(f"{where}: missing key {key!r}")
        tasks = []
        for i, t in enumerate(data["tasks"]):
            at = f"{where}: tasks[{i}]"
            if not isinstance(t, Mapping) or "name" not in t:
                raise UserError(f"{at}: each task needs a 'name'")
            unknown = set(t) - {"name", "role", "a53_cycles", "ip_cycles", "ip_energy_fj", "ip_area_um2", "iterations"}
            if unknown:
                raise UserError(f"{at} ({t['name']}): unknown field {sorted(unknown)[0]!r}")
            tasks.append(
                Task(
                    name=str(t["name"]),
                    a53_cycles=_opt_num(t.get("a53_cycles"), int, f"{at}.a53_cycles"),
                    ip_cycles=_opt_num(t.get("ip_cycles"), int, f"{at}.ip_cycles"),
                    ip_energy_fj=_opt_num(t.get("ip_energy_fj"), float, f"{at}.ip_energy_fj"),
                    ip_area_um2=_opt_num(t.get("ip_area_um2"), float, f"{at}.ip_area_um2"),
                    iterations=_opt_num(t.get("iterations", 1), int, f"{at}.iterations") or 1,
                    role=str(t.get("role", "task")),
                )
            )
        edges = []
        for i, e in enumerate(data["edges"]):
            at = f"{where}: edges[{i}]"
            if not isinstance(e, Mapping) or not {"src", "dst", "bytes"} <= set(e):
                raise UserError(f"{at}: each edge needs 'src', 'dst' and 'bytes'")
            edges.append(Edge(str(e["src"]), str(e["dst"]), _opt_num(e["bytes"], int, f"{at}.bytes") or 0))
        budgets = {str(k): float(v) for k, v in dict(data.get("budgets") or {}).items()}
        return cls(str(data["name"]), tuple(tasks), tuple(edges), str(data["last_task"]), budgets,
                   str(data.get("source", "")))


def _opt_num(value: Any, kind: type, where: str) -> Any:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: {value!r} is not a number") from None
    if v != v or v < 0:
        raise UserError(f"{where}: {value!r} must be a non-negative number")
    return int(round(v)) if kind is int else v


def topological_order(n: int, edges: Sequence[tuple[int, int, int]]) -> list[int] | None:
    """Kahn's order (smallest index first among ready tasks), or None if cyclic."""
    indeg = [0] * n
    succ: list[list[int]] = [[] for _ in range(n)]
    for s, d, _ in edges:
        succ[s].append(d)
        indeg[d] += 1
    ready = sorted(i for i in range(n) if indeg[i] == 0)
    order = []
    heapq.heapify(ready)
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(ready, j)
    return order if len(order) == n else None


def read_workload(path: str | Path) -> TaskGraph:
    """Load a workload JSON file; malformed files raise :class:`UserError` naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise UserError(f"cannot read workload {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return TaskGraph.from_dict(data, where=str(path))


DATA_DIR = Path(__file__).with_name("data")


def shipped_workloads() -> list[str]:
    """Names of the workloads shipped in ``simulators/soc/data``."""
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


def load_workload(workload: "str | Path | TaskGraph | Mapping[str, Any]") -> TaskGraph:
    """Resolve a shipped name, a JSON path, a dict or a :class:`TaskGraph`."""
    if isinstance(workload, TaskGraph):
        return workload
    if isinstance(workload, Mapping):
        return TaskGraph.from_dict(workload)
    text = str(workload)
    if text in shipped_workloads():
        return read_workload(DATA_DIR / f"{text}.json")
    path = Path(text)
    if path.suffix == ".json" or path.exists():
        return read_workload(path)
    from archgym.errors import unknown_choice

    raise unknown_choice("SoC workload", text, shipped_workloads())
