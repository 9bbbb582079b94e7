"""Multi-objective views of a search: the Pareto front and its hypervolume.

Every coordinate of an objective's vector (:meth:`archgym.objectives.Objective.vector`)
is *minimised*: latency, energy, area as they are, and metrics whose simulator
declares higher better (bandwidth, utilisation) negated, so a design dominates
another when it is no worse in every coordinate and better in one.
:class:`ParetoHistory` is the :class:`~archgym.history.History` that
multi-objective agents (``nsga2``) return; any history can be turned into one
with :meth:`ParetoHistory.of`.

Example:
    >>> import numpy as np
    >>> pts = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0]])
    >>> pareto_mask(pts).tolist()
    [True, True, True, False]
    >>> hypervolume(pts, reference=[5.0, 5.0])
    11.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Mapping, Sequence

import numpy as np

from archgym.history import Evaluation, History
from archgym.metrics import Metrics
from archgym.objectives import parse_objective

#: default reference point: the worst value of each coordinate seen in the run, this factor worse
REFERENCE_MARGIN = 1.1


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``points`` (minimisation); of equal rows the first is kept."""
    pts = np.asarray(points, dtype=float)
    keep = np.ones(len(pts), dtype=bool)
    for i, p in enumerate(pts):
        if not keep[i]:
            continue
        dominated = np.all(pts >= p, axis=1) & np.any(pts > p, axis=1)
        same = np.all(pts == p, axis=1)
        same[: i + 1] = False
        keep &= ~(dominated | same)
    return keep


def hypervolume(points: np.ndarray | Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Volume dominated by ``points`` and bounded by ``reference`` (minimisation; exact).

    Points not strictly better than the reference in every coordinate add
    nothing. Computed by slicing along the last coordinate (exact, fine for
    the fronts of a few hundred points and few metrics that searches produce).
    """
    ref = np.asarray(reference, dtype=float)
    pts = np.asarray(points, dtype=float).reshape(-1, len(ref))
    pts = pts[np.all(pts < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    return float(_hv(pts[pareto_mask(pts)], ref))


def _hv(pts: np.ndarray, ref: np.ndarray) -> float:
    if pts.shape[1] == 1:
        return float(ref[0] - pts[:, 0].min())
    order = np.argsort(pts[:, -1], kind="stable")
    pts = pts[order]
    total = 0.0
    for i in range(len(pts)):
        upper = pts[i + 1, -1] if i + 1 < len(pts) else ref[-1]
        depth = upper - pts[i, -1]
        if depth > 0:
            head = pts[: i + 1, :-1]
            total += depth * _hv(head[pareto_mask(head)], ref[:-1])
    return total


@dataclass(frozen=True)
class ParetoFront:
    """The non-dominated feasible designs of a run.

    Attributes:
        metrics: names of the minimised metrics, in vector order.
        evaluations: the evaluations on the front, in evaluation order.
        vectors: ``(n, len(metrics))`` array of their metric values.
    """

    metrics: tuple[str, ...]
    evaluations: tuple[Evaluation, ...]
    vectors: np.ndarray

    @property
    def designs(self) -> list[dict[str, Any]]:
        return [dict(e.design) for e in self.evaluations]

    def __len__(self) -> int:
        return len(self.evaluations)


def _signed_log10(v: np.ndarray) -> np.ndarray:
    """``log10`` of minimised values, ``-log10(-v)`` of negated (maximised) ones: order-preserving."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v < 0, -np.log10(np.maximum(-v, 1e-300)), np.log10(np.maximum(v, 1e-300)))


class ParetoHistory(History):
    """A :class:`History` that also answers multi-objective questions.

    The metrics are those the run's objective reads (``pareto:latency_cycles,
    energy_pj`` reads two); designs over a constrained objective's budgets
    are not on the front.
    """

    @classmethod
    def of(cls, history: History) -> "ParetoHistory":
        """The same run viewed as a :class:`ParetoHistory`."""
        return cls(**{f.name: getattr(history, f.name) for f in fields(History)})

    def _vectors(self) -> tuple[tuple[str, ...], list[Evaluation], np.ndarray]:
        objective = parse_objective(self.objective)
        names = objective.optimized_metrics
        chosen, rows = [], []
        for e in self.evaluations:
            if not (e.feasible and e.within_budget):
                continue
            vec = objective.vector(Metrics(e.metrics))
            if all(math.isfinite(v) for v in vec):
                chosen.append(e)
                rows.append(vec)
        return tuple(names), chosen, np.asarray(rows, dtype=float).reshape(-1, len(names))

    def pareto_front(self) -> ParetoFront:
        """The non-dominated feasible designs evaluated so far."""
        names, evs, vecs = self._vectors()
        mask = pareto_mask(vecs) if len(vecs) else np.zeros(0, dtype=bool)
        return ParetoFront(names, tuple(e for e, k in zip(evs, mask) if k), vecs[mask])

    def reference_point(self) -> dict[str, float]:
        """Default reference: :data:`REFERENCE_MARGIN` times the worst value of each metric in the run."""
        names, _, vecs = self._vectors()
        if not len(vecs):
            return {n: math.inf for n in names}
        worst = vecs.max(axis=0)
        return {n: float(v + (REFERENCE_MARGIN - 1) * abs(v)) for n, v in zip(names, worst)}

    def hypervolume(self, reference: Mapping[str, float] | None = None, log: bool = False) -> float:
        """Hypervolume of the front against ``reference`` (metric name -> value).

        Pass the same explicit reference to compare runs; the default one
        depends on the run. With ``log`` the volume is measured over
        ``log10`` of the metrics (scale-free when metrics span decades).
        """
        front = self.pareto_front()
        ref_map = dict(reference) if reference is not None else self.reference_point()
        missing = [n for n in front.metrics if n not in ref_map]
        if missing:
            raise ValueError(f"reference point lacks metric {missing[0]!r}; needs {', '.join(front.metrics)}")
        ref = np.array([ref_map[n] for n in front.metrics], dtype=float)
        if not len(front) or not np.all(np.isfinite(ref)):
            return 0.0
        pts = front.vectors
        if log:
            pts, ref = _signed_log10(pts), _signed_log10(ref)
        return hypervolume(pts, ref)

    def summary(self) -> dict[str, Any]:
        """The :meth:`History.summary` plus the Pareto front and its hypervolume (default reference)."""
        out = super().summary()
        front = self.pareto_front()
        out["pareto_front"] = [
            {"step": e.step, "design": dict(e.design), "vector": dict(zip(front.metrics, map(float, v)))}
            for e, v in zip(front.evaluations, front.vectors)
        ]
        out["reference_point"] = self.reference_point()
        out["hypervolume"] = self.hypervolume()
        return out
