"""Scoring one run against its task's optimum: normalised regret, success, evaluations to success.

A run is summarised by its *improvements*: the ``(step, reward)`` pairs at
which its best feasible reward rose. That is the whole best-so-far curve in a
few numbers, so regret can be read at any budget (the task's checkpoints or the
points of a regret-vs-budget plot) and re-scored if an optimum is refined.

* normalised regret ``(optimum - best) / (optimum - median)``: 0 at the
  optimum, 1 for the median random design (:func:`normalised_regret`); a run
  with no feasible design yet scores as the worst feasible design;
* success: regret at most the task's tolerance;
* evaluations to success: the first step at which the run succeeded.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from archgym.bench.enumerate import normalised_regret


def improvements(best_so_far: Sequence[float | None]) -> list[list[float]]:
    """``[[step, reward], ...]`` where the best-so-far curve (1-based steps, None/NaN before any feasible) rises."""
    out: list[list[float]] = []
    for step, v in enumerate(best_so_far, start=1):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if not out or v > out[-1][1]:
            out.append([step, float(v)])
    return out


def best_at(improvements: Sequence[Sequence[float]], steps: Sequence[int] | np.ndarray) -> np.ndarray:
    """Best reward after each of ``steps`` evaluations (NaN where nothing feasible was found yet)."""
    if not improvements:
        return np.full(len(steps), np.nan)
    at = np.array([s for s, _ in improvements], dtype=float)
    val = np.array([v for _, v in improvements], dtype=float)
    pos = np.searchsorted(at, np.asarray(steps, dtype=float), side="right") - 1
    return np.where(pos >= 0, val[np.maximum(pos, 0)], np.nan)


def regret_at(improvements: Sequence[Sequence[float]], steps: Sequence[int] | np.ndarray,
              optimum: dict[str, Any]) -> np.ndarray:
    """Normalised regret after each of ``steps`` evaluations, against a stored optimum."""
    best = best_at(improvements, steps)
    worst = optimum["quantiles"]["0"]
    best = np.where(np.isnan(best), worst, best)
    return np.array([normalised_regret(b, optimum["value"], optimum["median"]) for b in best])


def steps_to_success(improvements: Sequence[Sequence[float]], optimum: dict[str, Any],
                     tolerance: float) -> int | None:
    """The first evaluation at which the run's regret fell to ``tolerance`` (None: never)."""
    for step, value in improvements:
        if normalised_regret(value, optimum["value"], optimum["median"]) <= tolerance:
            return int(step)
    return None


def score_run(run: dict[str, Any], optimum: dict[str, Any], budgets: Sequence[int],
              tolerance: float) -> dict[str, Any]:
    """Regret and success at each budget, and evaluations to success, of one run."""
    regret = regret_at(run["improvements"], budgets, optimum)
    return {
        "regret": {str(b): float(r) for b, r in zip(budgets, regret)},
        "success": {str(b): bool(r <= tolerance) for b, r in zip(budgets, regret)},
        "evaluations_to_success": steps_to_success(run["improvements"], optimum, tolerance),
    }
