"""Check that a simulator keeps the :class:`~archgym.simulator.Simulator` contract, and say what to fix.

In the spirit of stable-baselines3's ``check_env``: run it on a new simulator
before wrapping it in an env (``docs/adding-a-simulator.md``); the test suite
runs it on every registered env's simulator.

Example:
    >>> from archgym import check_simulator
    >>> from archgym.examples.toy import ToySimulator
    >>> check_simulator(ToySimulator(), "unit")
"""

from __future__ import annotations

import ast
import inspect
import math
import sys
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator

#: packages a simulator's modules must never import (directly or lazily): simulators are pure cost models
FORBIDDEN_IMPORTS = ("gymnasium", "archgym.envs", "archgym.agents", "stable_baselines3", "optuna")


class SimulatorContractError(AssertionError):
    """A simulator breaks the contract; the message lists every problem found and what to change."""

    def __init__(self, name: str, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__(f"simulator {name!r} breaks the Simulator contract:\n"
                         + "\n".join(f"  - {p}" for p in self.problems))


def check_simulator(
    simulator: Simulator, workload: Any = None, *, samples: int = 32, seed: int = 0, imports: bool = True,
) -> None:
    """Check ``simulator`` on ``workload`` (a name, path or loaded workload; default its default workload).

    Checks, each with a message that says what to fix: a name and a version
    are set; metrics are declared (unique snake_case names, units from the
    name's suffix or ``unit_override``) and every feasible result returns
    exactly the declared metrics, as finite floats; the default design
    validates; ``evaluate`` is deterministic and ``evaluate_batch`` equals
    ``evaluate`` design by design; an infeasible result carries a reason; the
    simulator's modules never import gymnasium, envs or agents.

    Args:
        samples: random designs evaluated (besides the default design).
        seed: seeds the random designs.
        imports: check the imports of the simulator's source (its package under
            ``archgym.simulators``, else its module); turn it off for a
            simulator defined in the same file as an env, such as a test's.

    Raises:
        SimulatorContractError: listing every problem found.
    """
    problems: list[str] = []
    name = getattr(simulator, "name", "") or type(simulator).__name__
    if not isinstance(simulator, Simulator):
        raise SimulatorContractError(name, [f"{type(simulator).__name__} must subclass archgym.simulator.Simulator"])
    problems += _identity_problems(simulator)
    problems += _declaration_problems(simulator.metrics)
    if imports:
        problems += import_problems(type(simulator))
    if problems:  # evaluating needs a sound declaration
        raise SimulatorContractError(name, problems)

    loaded = simulator.load_workload(simulator.default_workload if workload is None else workload)
    space = simulator.space
    try:
        default = space.validate(space.defaults())
    except Exception as exc:  # noqa: BLE001 - reported as a contract problem
        raise SimulatorContractError(name, [f"the default design does not validate ({exc}); give every knob a "
                                            "default among its values"]) from None
    rng = np.random.default_rng(seed)
    designs = [default] + [space.validate(space.sample(rng)) for _ in range(samples)]
    single = [simulator.evaluate(d, loaded) for d in designs]
    declared = [m.name for m in simulator.metrics]
    for design, result in zip(designs, single):
        problems += _result_problems(result, declared, design)
    again = [simulator.evaluate(d, loaded) for d in designs]
    for design, a, b in zip(designs, single, again):
        if not _same(a, b):
            problems.append(f"evaluate is not deterministic: {_short(design)} gave {a!r}, then {b!r}; remove "
                            "hidden state and unseeded randomness from the model")
            break
    batch = simulator.evaluate_batch(designs, loaded)
    if len(batch) != len(designs):
        problems.append(f"evaluate_batch returned {len(batch)} results for {len(designs)} designs; return one "
                        "Metrics per design, in order")
    else:
        for design, a, b in zip(designs, single, batch):
            if not _same(a, b):
                problems.append(f"evaluate_batch differs from evaluate on {_short(design)}: {b!r} vs {a!r}; "
                                "the batch form must give every design's numbers bit for bit")
                break
    if problems:
        raise SimulatorContractError(name, list(dict.fromkeys(problems)))


def _identity_problems(simulator: Simulator) -> list[str]:
    out = []
    if not isinstance(simulator.name, str) or not simulator.name:
        out.append("set the class attribute `name` (a short identifier recorded with every evaluation)")
    if not isinstance(simulator.version, str) or not simulator.version:
        out.append("set the class attribute `version` (a string, bumped whenever a change alters a number)")
    if not getattr(simulator, "default_workload", ""):
        out.append("set `default_workload` to one of workloads()")
    elif simulator.default_workload not in simulator.workloads():
        out.append(f"default_workload {simulator.default_workload!r} is not among workloads() "
                   f"({', '.join(map(str, simulator.workloads()))})")
    return out


def _declaration_problems(metrics: Sequence[MetricSpec]) -> list[str]:
    if not metrics or not all(isinstance(m, MetricSpec) for m in metrics):
        return ["declare `metrics` as a tuple of archgym.metrics.MetricSpec (one per metric evaluate returns)"]
    out = []
    names = [m.name for m in metrics]
    if len(set(names)) != len(names):
        out.append(f"metric names repeat in `metrics`: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    for m in metrics:
        if not m.name.isidentifier() or m.name != m.name.lower():
            out.append(f"metric {m.name!r}: use a snake_case name with the unit as suffix (latency_cycles, "
                       "energy_pj, area_mm2; plain for dimensionless ones)")
    return out


def _result_problems(result: Any, declared: list[str], design: Mapping[str, Any]) -> list[str]:
    if not isinstance(result, Metrics):
        return [f"evaluate returned {type(result).__name__}; return archgym.metrics.Metrics"]
    if not result.feasible:
        if not isinstance(result.reason, str) or not result.reason.strip():
            return [f"an infeasible result of {_short(design)} has no reason; use Metrics.infeasible('why')"]
        return []
    out = []
    got = list(result)
    if set(got) != set(declared):
        missing, extra = sorted(set(declared) - set(got)), sorted(set(got) - set(declared))
        what = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                     f"undeclared {', '.join(extra)}" if extra else "") if p)
        out.append(f"a feasible result returns other metrics than `metrics` declares ({what}); declare each "
                   "returned metric once with its unit, and return every declared one")
    bad = [k for k, v in result.items() if not math.isfinite(v)]
    if bad:
        out.append(f"non-finite {', '.join(bad)} for {_short(design)}; report a design the model cannot "
                   "evaluate as Metrics.infeasible(reason)")
    return out


def _same(a: Any, b: Any) -> bool:
    if not isinstance(a, Metrics) or not isinstance(b, Metrics):
        return a == b
    return a.feasible == b.feasible and a.reason == b.reason and list(a) == list(b) and all(
        np.float64(a[k]).tobytes() == np.float64(b[k]).tobytes() for k in a)


def _short(design: Mapping[str, Any], limit: int = 6) -> str:
    items = list(design.items())
    text = ", ".join(f"{k}={v!r}" for k, v in items[:limit])
    return "{" + text + (", ..." if len(items) > limit else "") + "}"


def import_problems(cls: type) -> list[str]:
    """Imports of :data:`FORBIDDEN_IMPORTS` in the modules that define ``cls`` and its package's modules."""
    out = []
    for path, line, target in forbidden_imports(_source_files(cls)):
        out.append(f"{path.name}:{line} imports {target}; a simulator imports numpy and the archgym core only "
                   "(move the code that needs it into the env or agent)")
    return out


def _source_files(cls: type) -> list[Path]:
    """The files of the package ``cls`` is defined in (its own file when it is a top-level module)."""
    module = sys.modules.get(cls.__module__)
    try:
        file = Path(inspect.getfile(module)) if module is not None else None
    except TypeError:
        return []
    if file is None:
        return []
    package = cls.__module__.rpartition(".")[0]
    if package and Path(file).name != "__init__.py" and package.startswith("archgym.simulators"):
        return sorted(file.parent.glob("*.py"))
    return [file]


def forbidden_imports(files: Sequence[Path], forbidden: Sequence[str] = FORBIDDEN_IMPORTS
                      ) -> Iterator[tuple[Path, int, str]]:
    """``(file, line, module)`` for every import (top-level or inside a function) of a forbidden module."""
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                if any(target == f or target.startswith(f + ".") for f in forbidden):
                    yield path, node.lineno, target
                    break
