"""The tasks of the benchmark suite ``archgym-bench-v0`` and their stored optima.

A :class:`Task` fixes everything a comparison needs: the env id (with its
version), the ``gymnasium.make`` arguments (workload, objective with its
constraints), the budget checkpoints and the success tolerance. Its optimum
lives beside this module in ``optima.json``, written by
``archgym bench optimum TASK --write`` (the command is stored with it):

* ``exact: true`` - every design of the space was evaluated; ``value`` is the
  best reward, ``design`` a design reaching it, ``quantiles`` the reward
  distribution of the feasible designs (``median`` = the median random design);
* ``exact: false`` - "best known": the best reward any recorded run found, with
  the runs named in ``found_by``, and quantiles estimated from uniform samples.

The suite is versioned: changing a task's env arguments, budgets or tolerance
(or an env version that changes its numbers) means a new suite id, since old
leaderboard entries would no longer be comparable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from archgym.errors import unknown_choice
from archgym.fileio import read_json

SUITE = "archgym-bench-v0"
#: where the optima are stored (package data)
OPTIMA_FILE = Path(__file__).with_name("optima.json")
#: default success tolerance in normalised regret
TOLERANCE = 0.01
#: budget checkpoints of every v0 task (simulator evaluations)
BUDGETS = (50, 200, 500)


@dataclass(frozen=True)
class Task:
    """One benchmark task: an env with fixed arguments, budgets and a success tolerance.

    Attributes:
        id: the task's name in the suite.
        env: the env id, version included.
        env_kwargs: the ``gymnasium.make`` arguments (workload, objective, ...).
        budgets: the checkpoints (evaluations) at which regret and success are reported.
        tolerance: success threshold in normalised regret (0.01: within 1% of the
            gap between the median random design and the optimum).
        about: one line saying what is being designed and why the task is here.
    """

    id: str
    env: str
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    budgets: tuple[int, ...] = BUDGETS
    tolerance: float = TOLERANCE
    about: str = ""

    @property
    def max_budget(self) -> int:
        return max(self.budgets)

    def make(self) -> Any:
        """The task's env (``gymnasium.make(env, **env_kwargs)``)."""
        from archgym.registry import make_env

        return make_env(self.env, **self.env_kwargs)

    def optimum(self) -> dict[str, Any] | None:
        """The stored optimum (see the module docstring), or None if not computed yet."""
        return load_optima().get(self.id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``archgym bench list --json`` prints."""
        return {"id": self.id, "suite": SUITE, "env": self.env, "env_kwargs": dict(self.env_kwargs),
                "budgets": list(self.budgets), "tolerance": self.tolerance, "about": self.about,
                "optimum": self.optimum()}


_ACC_AREA = "minimize:latency_cycles,energy_pj;penalty:area_mm2<=4"

TASKS: tuple[Task, ...] = (
    Task("acc-alexnet-edp", "archgym/Accelerator-v1", {"workload": "alexnet", "objective": _ACC_AREA},
         about="systolic accelerator for AlexNet: minimum energy-delay product within 4 mm²"),
    Task("acc-resnet18-edp", "archgym/Accelerator-v1", {"workload": "resnet18", "objective": _ACC_AREA},
         about="systolic accelerator for ResNet-18: minimum energy-delay product within 4 mm²"),
    Task("dram-cloud1-latency", "archgym/DRAM-v1",
         {"workload": "cloud-1@50", "objective": "minimize:latency_ns;penalty:power_mw<=1700"},
         about="DDR4-2400 controller, ArchGym's cloud-1 trace at 50% of peak bandwidth: minimum mean read latency "
               "within 1.7 W (exact optimum, 442,368 designs)"),
    Task("dram-stream-latpower", "archgym/DRAM-v1",
         {"workload": "stream@50", "objective": "minimize:latency_ns,power_mw"},
         about="DDR4-2400 controller, ArchGym's stream trace at 50% of peak bandwidth: minimum latency x power "
               "(DRAM-v1's default objective; exact)"),
    Task("soc-audio-edp", "archgym/SoC-v1",
         {"workload": "audio_decoder", "objective": "minimize:latency_s,energy_j;penalty:area_mm2<=1.5"},
         about="FARSI audio decoder SoC: minimum energy-delay product within 1.5 mm² (space too large: best known)"),
    Task("soc-edge-edp", "archgym/SoC-v1",
         {"workload": "edge_detection", "objective": "minimize:latency_s,energy_j;penalty:area_mm2<=4"},
         about="FARSI edge-detection SoC: minimum energy-delay product within 4 mm² (best known)"),
)


def tasks() -> tuple[Task, ...]:
    """Every task of the suite, in listing order."""
    return TASKS


def get_task(task_id: str) -> Task:
    """The task named ``task_id``, or a :class:`UserError` listing the valid ones."""
    for t in TASKS:
        if t.id == task_id:
            return t
    raise unknown_choice("task", task_id, [t.id for t in TASKS])


def select(spec: str | None) -> list[Task]:
    """Tasks from a comma-separated list of ids (``None`` or ``all``: the whole suite)."""
    if spec is None or spec.strip() in ("", "all"):
        return list(TASKS)
    return [get_task(s.strip()) for s in spec.split(",") if s.strip()]


@lru_cache(maxsize=1)
def _read_optima(path: str, mtime: float) -> dict[str, Any]:
    return read_json(path, "optima file").get("tasks", {})


def load_optima(path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Task id -> stored optimum (empty when the file does not exist yet); default: the suite's file."""
    path = Path(OPTIMA_FILE if path is None else path)
    if not path.is_file():
        return {}
    return dict(_read_optima(str(path), path.stat().st_mtime))


def store_optimum(task_id: str, optimum: dict[str, Any], path: str | Path | None = None) -> None:
    """Write one task's optimum into the optima file (atomically, other tasks kept)."""
    from archgym.fileio import atomic_write_text

    path = Path(OPTIMA_FILE if path is None else path)
    data = {"suite": SUITE, "tasks": load_optima(path)}
    data["tasks"][task_id] = optimum
    data["tasks"] = dict(sorted(data["tasks"].items()))
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=False) + "\n")
    _read_optima.cache_clear()
