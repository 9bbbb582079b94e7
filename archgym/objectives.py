"""Objectives turn metrics into a reward, independently of simulator and agent.

Available objectives (and their string form for ``gymnasium.make(...,
objective=STRING)`` and ``archgym run --objective STRING``):

===========================================  ==============================================
string                                       reward of a feasible design
===========================================  ==============================================
``target:latency_cycles=2e6,area_mm2=4``     ArchGym's target spec: the product over metrics of
                                             ``target / |value - target|`` (each factor capped at
                                             :data:`TARGET_CAP`, so reaching a target exactly is finite)
``target-norm:latency_cycles=2e6``           bounded variant: product of ``1 / (1 + |value - target| / target)``,
                                             in (0, 1], 1 exactly on target, never divides by zero
``minimize:latency_cycles,energy_pj``        ``-sum(log10(value))``: minimise the product of the metrics
                                             (latency x energy = energy-delay product); scale-free
``weighted:latency_cycles=1,energy_pj=1e-3`` ``-sum(weight * value)``
``pareto:latency_cycles,energy_pj``          multi-objective: :meth:`Objective.vector` gives the metric
                                             vector for Pareto agents; the scalar reward is as ``minimize``
===========================================  ==============================================

Any of them takes budgets after a semicolon, which makes it *constrained*:
``minimize:latency_cycles;area_mm2<=4,power_mw<=500``. A design over budget loses
``penalty * sum(max(0, value / budget - 1))`` (``penalty`` defaults to 10).

Infeasible designs get :attr:`Objective.infeasible_reward` (0 for the target
specs, whose rewards are positive; a large negative number otherwise) and are
always marked infeasible in ``info`` and in the records, so no agent mistakes
the number for a measurement.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Sequence

from archgym.errors import UserError
from archgym.metrics import Metrics

#: cap on each factor of the unbounded target-spec reward (reached when value == target)
TARGET_CAP = 1e6
#: default reward of an infeasible design for objectives whose rewards can be negative
INFEASIBLE_NEGATIVE = -1e3
#: default tolerance (relative) for "target met"
TARGET_TOLERANCE = 0.05


class Objective(ABC):
    """Maps :class:`~archgym.metrics.Metrics` to a scalar reward (higher is better)."""

    #: reward given to infeasible designs
    infeasible_reward: float = INFEASIBLE_NEGATIVE

    @property
    @abstractmethod
    def metrics(self) -> tuple[str, ...]:
        """Names of the metrics this objective reads."""

    @abstractmethod
    def _reward(self, metrics: Metrics) -> float: ...

    @abstractmethod
    def spec(self) -> str:
        """The string form that :func:`parse_objective` turns back into this objective."""

    def reward(self, metrics: Metrics) -> float:
        """Scalar reward (higher is better); infeasible designs get :attr:`infeasible_reward`."""
        if not metrics.feasible:
            return float(self.infeasible_reward)
        return float(self._reward(metrics))

    def vector(self, metrics: Metrics) -> tuple[float, ...]:
        """Values to minimise for multi-objective (Pareto) agents: one per metric read."""
        if not metrics.feasible:
            return tuple(math.inf for _ in self.metrics)
        return tuple(float(metrics[m]) for m in self.metrics)

    def met(self, metrics: Metrics) -> bool:
        """Whether the design satisfies the objective's goal (targets/budgets); False if none."""
        return False

    def check_metrics(self, available: Sequence[str]) -> None:
        """Raise :class:`UserError` if the objective reads a metric the simulator lacks."""
        for m in self.metrics:
            if m not in available:
                raise UserError(f"objective {self.spec()!r} reads unknown metric {m!r}; "
                                f"valid metrics: {', '.join(available)}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec()!r})"


def _positive(name: str, value: float) -> float:
    if not (value > 0 and math.isfinite(value)):
        raise UserError(f"target/budget for {name!r} must be a positive number, got {value}")
    return value


@dataclass(repr=False)
class TargetSpec(Objective):
    """ArchGym's target-specification reward.

    Unbounded form (``normalized=False``): ``prod_m target_m / |value_m - target_m|``,
    each factor capped at :data:`TARGET_CAP`. Bounded form (``normalized=True``):
    ``prod_m 1 / (1 + |value_m - target_m| / target_m)`` in (0, 1].
    A design *meets* the spec when every metric is at or below its target, or
    within ``tolerance`` of it.
    """

    targets: dict[str, float]
    normalized: bool = False
    tolerance: float = TARGET_TOLERANCE
    infeasible_reward: float = 0.0

    def __post_init__(self) -> None:
        if not self.targets:
            raise UserError("a target objective needs at least one metric=target")
        self.targets = {k: _positive(k, float(v)) for k, v in self.targets.items()}

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.targets)

    def _reward(self, metrics: Metrics) -> float:
        r = 1.0
        for name, target in self.targets.items():
            dist = abs(metrics[name] - target)
            if self.normalized:
                r *= 1.0 / (1.0 + dist / target)
            else:
                r *= min(TARGET_CAP, target / dist) if dist > 0 else TARGET_CAP
        return r

    def met(self, metrics: Metrics) -> bool:
        if not metrics.feasible:
            return False
        return all(metrics[n] <= t * (1 + self.tolerance) for n, t in self.targets.items())

    def spec(self) -> str:
        kind = "target-norm" if self.normalized else "target"
        return kind + ":" + ",".join(f"{k}={v:g}" for k, v in self.targets.items())


@dataclass(repr=False)
class Minimize(Objective):
    """Minimise the product of metrics: reward ``-sum(log10(value))``.

    With one metric this ranks designs exactly as the metric does; with
    latency and energy it is the energy-delay product on a log scale, which
    keeps rewards in a range RL agents handle well.
    """

    names: tuple[str, ...]
    pareto: bool = False
    infeasible_reward: float = INFEASIBLE_NEGATIVE

    def __post_init__(self) -> None:
        if not self.names:
            raise UserError("a minimize/pareto objective needs at least one metric name")
        self.names = tuple(self.names)

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.names

    def _reward(self, metrics: Metrics) -> float:
        return -sum(math.log10(max(metrics[n], 1e-300)) for n in self.names)

    def spec(self) -> str:
        return ("pareto:" if self.pareto else "minimize:") + ",".join(self.names)


@dataclass(repr=False)
class WeightedSum(Objective):
    """Reward ``-sum(weight * value)``: a linear trade-off the user scales."""

    weights: dict[str, float]
    infeasible_reward: float = -1e30

    def __post_init__(self) -> None:
        if not self.weights:
            raise UserError("a weighted objective needs at least one metric=weight")

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.weights)

    def _reward(self, metrics: Metrics) -> float:
        return -sum(w * metrics[n] for n, w in self.weights.items())

    def spec(self) -> str:
        return "weighted:" + ",".join(f"{k}={v:g}" for k, v in self.weights.items())


@dataclass(repr=False)
class Constrained(Objective):
    """A base objective with budgets: over-budget designs lose ``penalty`` per unit relative excess."""

    base: Objective
    budgets: dict[str, float]
    penalty: float = 10.0
    infeasible_reward: float = field(default=math.nan)

    def __post_init__(self) -> None:
        self.budgets = {k: _positive(k, float(v)) for k, v in self.budgets.items()}
        if math.isnan(self.infeasible_reward):
            self.infeasible_reward = self.base.infeasible_reward

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.base.metrics, *self.budgets)))

    def violation(self, metrics: Metrics) -> float:
        """Sum of relative excesses over the budgets (0 when all are met)."""
        return sum(max(0.0, metrics[n] / b - 1.0) for n, b in self.budgets.items())

    def _reward(self, metrics: Metrics) -> float:
        return self.base._reward(metrics) - self.penalty * self.violation(metrics)

    def vector(self, metrics: Metrics) -> tuple[float, ...]:
        return self.base.vector(metrics)

    def met(self, metrics: Metrics) -> bool:
        if not metrics.feasible or self.violation(metrics) > 0:
            return False
        return self.base.met(metrics) if isinstance(self.base, TargetSpec) else True

    def spec(self) -> str:
        return self.base.spec() + ";" + ",".join(f"{k}<={v:g}" for k, v in self.budgets.items())


_KINDS = ("target", "target-norm", "minimize", "weighted", "pareto")


def _pairs(text: str, sep: str, spec: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        if sep not in item:
            raise UserError(f"objective {spec!r}: expected 'metric{sep}number', got {item!r}")
        name, _, num = item.partition(sep)
        try:
            out[name.strip()] = float(num)
        except ValueError:
            raise UserError(f"objective {spec!r}: {num.strip()!r} is not a number (in {item!r})") from None
    return out


def parse_objective(spec: str | Objective) -> Objective:
    """Build an objective from its string form (see the module docstring) or pass one through.

    Raises:
        UserError: unknown kind or malformed terms, naming the valid kinds.
    """
    if isinstance(spec, Objective):
        return spec
    if not isinstance(spec, str) or ":" not in spec:
        raise UserError(f"objective {spec!r} must look like KIND:ARGS[;BUDGETS]; kinds: {', '.join(_KINDS)}")
    main, _, budgets = spec.partition(";")
    kind, _, args = main.partition(":")
    kind = kind.strip().lower()
    if kind in ("target", "target-norm"):
        obj: Objective = TargetSpec(_pairs(args, "=", spec), normalized=kind == "target-norm")
    elif kind in ("minimize", "pareto"):
        names = tuple(n.strip() for n in args.split(",") if n.strip())
        obj = Minimize(names, pareto=kind == "pareto")
    elif kind == "weighted":
        obj = WeightedSum(_pairs(args, "=", spec))
    else:
        raise UserError(f"unknown objective kind {kind!r}; valid kinds: {', '.join(_KINDS)}")
    if budgets.strip():
        obj = Constrained(obj, _pairs(budgets, "<=", spec))
    return obj
