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
                                             (latency x energy = energy-delay product); scale-free.
                                             ``max:NAME`` maximises that metric instead (``+log10``)
``weighted:latency_cycles=1,energy_pj=1e-3`` ``-sum(weight * value)``
``pareto:latency_cycles,energy_pj``          multi-objective: :meth:`Objective.vector` gives the values
                                             to minimise for Pareto agents, each metric in the direction
                                             its simulator declares (``MetricSpec.lower_is_better``:
                                             ``pareto:latency_cycles,bandwidth_gbps`` maximises bandwidth;
                                             written ``max:bandwidth_gbps`` in its spec); the scalar reward
                                             is as ``minimize``
===========================================  ==============================================

**Budgets** follow a semicolon and are *hard* by default:
``minimize:latency_cycles;area_mm2<=4,power_mw<=500``. A design over budget
gets ``infeasible_reward - excess`` (``excess = sum(max(0, value / budget -
1))``), below every design within budget and ordered by how far over it is;
:attr:`archgym.history.Evaluation.within_budget` flags it, and
:attr:`archgym.history.History.best` reports a design within budget whenever
one was evaluated. The *penalty* form, where a design over budget keeps its
reward minus ``penalty * excess`` and may outrank one within budget, is spelled
explicitly: ``minimize:latency_cycles;penalty:area_mm2<=4`` (penalty 10) or
``...;penalty=50:area_mm2<=4``.

**Success** (``met``, ``info["target_met"]``, the sweep report's success rate)
is defined only for objectives with a goal (:attr:`Objective.has_goal`): the
target specs, met when every metric is at or below its target (within
:data:`TARGET_TOLERANCE`) and every budget holds. ``minimize``, ``weighted``
and ``pareto`` have no goal to reach, with or without budgets, so they never
"succeed".

Infeasible designs get :attr:`Objective.infeasible_reward` (0 for the target
specs, whose rewards are positive; a large negative number otherwise) and are
always marked infeasible in ``info`` and in the records, so no agent mistakes
the number for a measurement. Every number in an objective (targets, budgets,
weights, penalty, ``infeasible_reward``) must be finite.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence

from archgym.errors import UserError, finite
from archgym.metrics import Metrics

if TYPE_CHECKING:
    from archgym.metrics import MetricSpec

#: cap on each factor of the unbounded target-spec reward (reached when value == target)
TARGET_CAP = 1e6
#: default reward of an infeasible design for objectives whose rewards can be negative
INFEASIBLE_NEGATIVE = -1e3
#: default tolerance (relative) for "target met"
TARGET_TOLERANCE = 0.05
#: default reward lost per unit of relative excess over a budget in the penalty form
DEFAULT_PENALTY = 10.0


def _positive(name: str, value: object) -> float:
    v = finite(f"target/budget for {name!r}", value)
    if v <= 0:
        raise UserError(f"target/budget for {name!r} must be a positive number, got {value!r}")
    return v


class Objective(ABC):
    """Maps :class:`~archgym.metrics.Metrics` to a scalar reward (higher is better).

    Agents ask an objective what they need through its methods, never its
    class: :attr:`budgets` and :meth:`constraint_values` (its constraints),
    :meth:`value` (the reward before any budget), :attr:`has_goal` and
    :meth:`met` (success), :attr:`optimized_metrics` and :meth:`vector`
    (multi-objective views).
    """

    #: reward given to infeasible designs
    infeasible_reward: float = INFEASIBLE_NEGATIVE

    @property
    @abstractmethod
    def metrics(self) -> tuple[str, ...]:
        """Names of the metrics this objective reads (budgets included)."""

    @abstractmethod
    def _reward(self, metrics: Metrics) -> float: ...

    @abstractmethod
    def spec(self) -> str:
        """The string form that :func:`parse_objective` turns back into this objective."""

    def _check_infeasible_reward(self) -> None:
        self.infeasible_reward = finite("infeasible_reward", self.infeasible_reward)

    @property
    def optimized_metrics(self) -> tuple[str, ...]:
        """The metrics the objective optimises (those of :meth:`vector`), budgets left out."""
        return self.metrics

    @property
    def budgets(self) -> Mapping[str, float]:
        """Metric name -> upper bound the design must respect (empty without budgets)."""
        return {}

    @property
    def has_goal(self) -> bool:
        """Whether the objective has a goal a design can reach (see :meth:`met`)."""
        return False

    def reward(self, metrics: Metrics) -> float:
        """Scalar reward (higher is better); infeasible designs get :attr:`infeasible_reward`."""
        if not metrics.feasible:
            return float(self.infeasible_reward)
        return float(self._reward(metrics))

    def value(self, metrics: Metrics) -> float:
        """The reward of a feasible design as if it had no budgets (the unpenalised value)."""
        return float(self._reward(metrics))

    def constraint_values(self, metrics: Metrics) -> dict[str, float]:
        """Per budget, ``value / budget - 1``: satisfied when <= 0 (empty without budgets)."""
        return {n: metrics[n] / b - 1.0 for n, b in self.budgets.items()}

    def excess(self, metrics: Metrics) -> float:
        """Sum of the relative excesses over the budgets (0 when every budget holds)."""
        return sum(max(0.0, c) for c in self.constraint_values(metrics).values())

    @property
    def hard(self) -> bool:
        """Whether designs over a budget get a stand-in reward rather than a penalised one (False without budgets)."""
        return False

    def within_budget(self, metrics: Metrics) -> bool:
        """Whether a feasible design respects every budget (always True without budgets)."""
        return all(c <= 0 for c in self.constraint_values(metrics).values())

    def vector(self, metrics: Metrics) -> tuple[float, ...]:
        """Values to minimise for multi-objective (Pareto) agents: one per optimised metric."""
        if not metrics.feasible:
            return tuple(math.inf for _ in self.optimized_metrics)
        return tuple(float(metrics[m]) for m in self.optimized_metrics)

    def met(self, metrics: Metrics) -> bool:
        """Whether the design reaches the objective's goal; always False without one (:attr:`has_goal`)."""
        return False

    def bind(self, specs: Sequence["MetricSpec"]) -> "Objective":
        """This objective for a simulator declaring ``specs``; checks every metric exists.

        Raises:
            UserError: the objective reads a metric the simulator lacks.
        """
        self.check_metrics([s.name for s in specs])
        return self

    def with_infeasible_reward(self, reward: float) -> "Objective":
        """A copy giving infeasible designs ``reward`` (a finite number)."""
        value = finite("infeasible_reward", reward)
        if dataclasses.is_dataclass(self):
            return dataclasses.replace(self, infeasible_reward=value)  # type: ignore[type-var]
        other = copy.copy(self)
        other.infeasible_reward = value
        return other

    def check_metrics(self, available: Sequence[str]) -> None:
        """Raise :class:`UserError` if the objective reads a metric the simulator lacks."""
        for m in self.metrics:
            if m not in available:
                raise UserError(f"objective {self.spec()!r} reads unknown metric {m!r}; "
                                f"valid metrics: {', '.join(available)}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec()!r})"


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
        self.targets = {k: _positive(k, v) for k, v in self.targets.items()}
        self.tolerance = finite("tolerance", self.tolerance)
        self._check_infeasible_reward()

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.targets)

    @property
    def has_goal(self) -> bool:
        return True

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


#: prefix of a metric maximised by ``minimize:``/``pareto:`` (``max:bandwidth_gbps``)
MAX_PREFIX = "max:"


@dataclass(repr=False)
class Minimize(Objective):
    """Minimise the product of metrics: reward ``-sum(log10(value))``.

    With one metric this ranks designs exactly as the metric does; with
    latency and energy it is the energy-delay product on a log scale, which
    keeps rewards in a range RL agents handle well. Metrics in ``maximize``
    count the other way (``+log10(value)``, and negated in :meth:`vector`).
    As ``pareto``, :meth:`bind` maximises every metric its simulator declares
    higher-is-better.
    """

    names: tuple[str, ...]
    pareto: bool = False
    infeasible_reward: float = INFEASIBLE_NEGATIVE
    maximize: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.names:
            raise UserError("a minimize/pareto objective needs at least one metric name")
        self.names = tuple(self.names)
        self.maximize = frozenset(self.maximize)
        unknown = sorted(self.maximize - set(self.names))
        if unknown:
            raise UserError(f"objective maximises {unknown[0]!r}, which it does not read")
        self._check_infeasible_reward()

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.names

    def _sign(self, name: str) -> float:
        return -1.0 if name in self.maximize else 1.0

    def _reward(self, metrics: Metrics) -> float:
        return -sum(self._sign(n) * math.log10(max(metrics[n], 1e-300)) for n in self.names)

    def vector(self, metrics: Metrics) -> tuple[float, ...]:
        if not metrics.feasible:
            return tuple(math.inf for _ in self.names)
        return tuple(self._sign(n) * float(metrics[n]) for n in self.names)

    def bind(self, specs: Sequence["MetricSpec"]) -> Objective:
        super().bind(specs)
        if not self.pareto:
            return self
        higher = {s.name for s in specs if not s.lower_is_better} & set(self.names)
        return self if higher <= self.maximize else dataclasses.replace(self, maximize=self.maximize | higher)

    def spec(self) -> str:
        names = (MAX_PREFIX + n if n in self.maximize else n for n in self.names)
        return ("pareto:" if self.pareto else "minimize:") + ",".join(names)


@dataclass(repr=False)
class WeightedSum(Objective):
    """Reward ``-sum(weight * value)``: a linear trade-off the user scales."""

    weights: dict[str, float]
    infeasible_reward: float = -1e30

    def __post_init__(self) -> None:
        if not self.weights:
            raise UserError("a weighted objective needs at least one metric=weight")
        self.weights = {k: finite(f"weight of {k!r}", v) for k, v in self.weights.items()}
        self._check_infeasible_reward()

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.weights)

    def _reward(self, metrics: Metrics) -> float:
        return -sum(w * metrics[n] for n, w in self.weights.items())

    def spec(self) -> str:
        return "weighted:" + ",".join(f"{k}={v:g}" for k, v in self.weights.items())


@dataclass(repr=False)
class Constrained(Objective):
    """A base objective with budgets, hard by default (see the module docstring).

    Hard (``penalty is None``): a design over budget gets ``infeasible_reward -
    excess``. Penalty form: it gets ``base reward - penalty * excess``.
    """

    base: Objective
    limits: dict[str, float]
    penalty: float | None = None
    infeasible_reward: float = field(default=math.nan)

    def __post_init__(self) -> None:
        if not self.limits:
            raise UserError("a constrained objective needs at least one metric<=budget")
        self.limits = {k: _positive(k, v) for k, v in self.limits.items()}
        if self.penalty is not None:
            self.penalty = finite("penalty", self.penalty)
            if self.penalty <= 0:
                raise UserError(f"penalty must be a positive number, got {self.penalty:g}")
        if isinstance(self.infeasible_reward, float) and math.isnan(self.infeasible_reward):
            self.infeasible_reward = self.base.infeasible_reward
        self._check_infeasible_reward()

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.base.metrics, *self.limits)))

    @property
    def optimized_metrics(self) -> tuple[str, ...]:
        return self.base.optimized_metrics

    @property
    def budgets(self) -> Mapping[str, float]:
        return dict(self.limits)

    @property
    def has_goal(self) -> bool:
        return self.base.has_goal

    @property
    def hard(self) -> bool:
        """Whether budgets are hard (the default) rather than penalties."""
        return self.penalty is None

    def _reward(self, metrics: Metrics) -> float:
        excess = self.excess(metrics)
        if excess <= 0:
            return self.base._reward(metrics)
        if self.penalty is None:
            return self.infeasible_reward - excess
        return self.base._reward(metrics) - self.penalty * excess

    def value(self, metrics: Metrics) -> float:
        return self.base.value(metrics)

    def vector(self, metrics: Metrics) -> tuple[float, ...]:
        return self.base.vector(metrics)

    def met(self, metrics: Metrics) -> bool:
        return metrics.feasible and self.within_budget(metrics) and self.base.met(metrics)

    def bind(self, specs: Sequence["MetricSpec"]) -> Objective:
        self.check_metrics([s.name for s in specs])
        base = self.base.bind(specs)
        return self if base is self.base else dataclasses.replace(self, base=base)

    def spec(self) -> str:
        form = "" if self.penalty is None else (
            "penalty:" if self.penalty == DEFAULT_PENALTY else f"penalty={self.penalty:g}:")
        return self.base.spec() + ";" + form + ",".join(f"{k}<={v:g}" for k, v in self.limits.items())


_KINDS = ("target", "target-norm", "minimize", "weighted", "pareto")


def _pairs(text: str, sep: str, spec: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        if sep not in item:
            raise UserError(f"objective {spec!r}: expected 'metric{sep}number', got {item!r}")
        name, _, num = item.partition(sep)
        try:
            value = float(num)
        except ValueError:
            raise UserError(f"objective {spec!r}: {num.strip()!r} is not a number (in {item!r})") from None
        if not math.isfinite(value):
            raise UserError(f"objective {spec!r}: {name.strip()!r} must be a finite number, got {num.strip()!r}")
        out[name.strip()] = value
    return out


def _constrained(obj: Objective, text: str, spec: str) -> Constrained:
    """Budgets after the semicolon: ``a<=1,b<=2`` (hard), ``penalty:...`` or ``penalty=W:...``."""
    penalty: float | None = None
    head, colon, rest = text.partition(":")
    if colon:
        word, eq, weight = head.strip().partition("=")
        if word.strip().lower() != "penalty":
            raise UserError(f"objective {spec!r}: budgets are 'metric<=number,...' or "
                            f"'penalty[=W]:metric<=number,...', got {text.strip()!r}")
        penalty = DEFAULT_PENALTY
        if eq:
            try:
                penalty = float(weight)
            except ValueError:
                raise UserError(f"objective {spec!r}: penalty {weight.strip()!r} is not a number") from None
        text = rest
    return Constrained(obj, _pairs(text, "<=", spec), penalty=penalty)


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
        terms = [n.strip() for n in args.split(",") if n.strip()]
        names = tuple(n.removeprefix(MAX_PREFIX).strip() for n in terms)
        maximize = frozenset(n.removeprefix(MAX_PREFIX).strip() for n in terms if n.startswith(MAX_PREFIX))
        obj = Minimize(names, pareto=kind == "pareto", maximize=maximize)
    elif kind == "weighted":
        obj = WeightedSum(_pairs(args, "=", spec))
    else:
        raise UserError(f"unknown objective kind {kind!r}; valid kinds: {', '.join(_KINDS)}")
    if budgets.strip():
        obj = _constrained(obj, budgets, spec)
    return obj
