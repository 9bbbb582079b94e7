"""History: every design a search evaluated, with its metrics and reward.

An :class:`Evaluation` is what an environment produces for one design; a
:class:`History` collects them in order for one (env, agent, seed) run and
answers the questions people ask of a search: the best design, the best-so-far
curve, a table of everything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Evaluation:
    """One evaluated design.

    Attributes:
        step: 1-based count of simulator evaluations in the run.
        design: the complete decoded design (knob name -> value).
        metrics: metric name -> value (empty if infeasible).
        feasible: whether the design can be built.
        reason: why not, when infeasible.
        reward: the objective's reward.
        wall_time_s: time the cost model took.
        predicted: True when a proxy model produced the metrics.
        within_budget: whether the design respects every budget of the objective
            (True without budgets, False when infeasible).
    """

    step: int
    design: Mapping[str, Any]
    metrics: Mapping[str, float]
    feasible: bool
    reason: str
    reward: float
    wall_time_s: float = 0.0
    predicted: bool = False
    within_budget: bool = True

    @property
    def acceptable(self) -> bool:
        """Feasible, within budget and with a finite reward: a design the run may report as its result."""
        return self.feasible and self.within_budget and math.isfinite(self.reward)


@dataclass
class History:
    """The ordered evaluations of one search run and its provenance."""

    env_id: str = ""
    workload: str = ""
    objective: str = ""
    agent: str = ""
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    evaluations: list[Evaluation] = field(default_factory=list)

    def add(self, evaluation: Evaluation) -> None:
        self.evaluations.append(evaluation)

    def __len__(self) -> int:
        return len(self.evaluations)

    def __iter__(self) -> Iterator[Evaluation]:
        return iter(self.evaluations)

    @property
    def rewards(self) -> np.ndarray:
        return np.array([e.reward for e in self.evaluations], dtype=float)

    @property
    def feasible(self) -> np.ndarray:
        return np.array([e.feasible for e in self.evaluations], dtype=bool)

    @property
    def best(self) -> Evaluation | None:
        """The best design: the highest reward within budget; over budget only if none is within.

        A design over budget (``within_budget`` False, whatever the objective's
        budget form) is never the best while a design within budget was
        evaluated. Ties go to the first.
        """
        best: Evaluation | None = None
        for e in self.evaluations:
            if not (e.feasible and math.isfinite(e.reward)):
                continue
            if best is None or (e.within_budget, e.reward) > (best.within_budget, best.reward):
                best = e
        return best

    def best_so_far(self) -> np.ndarray:
        """Best reward within budget after each evaluation (NaN until the first such design).

        Never decreases; its last value is :attr:`best`'s reward when that is within budget.
        """
        ok = np.array([e.acceptable for e in self.evaluations], dtype=bool)
        r = np.where(ok, self.rewards, -np.inf)
        out = np.maximum.accumulate(r) if len(r) else r
        return np.where(np.isneginf(out), np.nan, out)

    def to_frame(self) -> "pd.DataFrame":
        """One row per evaluation: step, reward, feasibility, knobs and metrics."""
        import pandas as pd

        rows = []
        for e in self.evaluations:
            row: dict[str, Any] = {"step": e.step, "reward": e.reward, "feasible": e.feasible, "reason": e.reason}
            row.update(e.design)
            row.update(e.metrics)
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """JSON-ready description of the run and its best design."""
        b = self.best
        return {
            "env_id": self.env_id,
            "workload": self.workload,
            "objective": self.objective,
            "agent": self.agent,
            "hyperparameters": self.hyperparameters,
            "seed": self.seed,
            "evaluations": len(self),
            "feasible": int(self.feasible.sum()),
            "within_budget": sum(e.feasible and e.within_budget for e in self.evaluations),
            "best": None if b is None else {
                "step": b.step, "reward": b.reward, "within_budget": b.within_budget,
                "design": dict(b.design), "metrics": dict(b.metrics),
            },
        }

    def fingerprint(self) -> str:
        """A canonical string of the trajectory (designs, metrics, rewards) for reproducibility checks."""
        return json.dumps(
            [[e.step, dict(e.design), dict(e.metrics), e.feasible, e.reward] for e in self.evaluations],
            sort_keys=True, default=str,
        )
