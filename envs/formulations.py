"""The pieces of archgym's three RL formulations that do not depend on Gymnasium's loop.

An archgym env poses one design problem in one of three ways
(``formulation=`` of every :class:`~archgym.envs.design_env.DesignEnv`):

- ``"archgym"``: ArchGym's own: each step proposes a complete design; the
  observation describes the *previous* design. Kept for DRAMGym users.
- ``"bandit"``: the same complete-design action, but every episode is one
  step and the observation is a constant, so a policy is a distribution over
  designs (a contextless bandit), which is what the problem really is.
- ``"edit"``: a Markov decision process over designs: the state is the
  current design (knob by knob) with its metrics and feasibility, an action
  changes one knob, the reward is the improvement of the objective.

This module holds what they share: the observation features of a design's
metrics (:func:`metric_features`), the bounded, comparable reward scale
(:class:`RewardScale`) and the design encoding and knob edits of ``"edit"``
(:class:`DesignEditor`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.metrics import Metrics, unit_of
from archgym.objectives import Objective
from archgym.space import ParameterSpace

FORMULATIONS = ("archgym", "bandit", "edit")
REWARD_SCALES = ("raw", "scaled")
EDIT_ACTIONS = ("set", "step")

#: metric features are clipped to +-this bound (log10 of a dimensioned metric)
FEATURE_BOUND = 30.0
#: random designs whose rewards set the scale of ``reward_scale="scaled"``
REFERENCE_SAMPLES = 64
#: seed of that sample: the scale is the same for every env seed
REFERENCE_SEED = 0
#: scaled reward of an infeasible design (and the lower bound of every scaled reward)
SCALED_INFEASIBLE = -1.0


def choice(name: str, value: Any, valid: Sequence[str]) -> str:
    """``value`` if it is one of ``valid``, else :class:`UserError` naming the argument and the choices."""
    if value not in valid:
        raise UserError(f"{name} {value!r}: valid choices are {', '.join(repr(v) for v in valid)}")
    return str(value)


def metric_features(metrics: Metrics | None, names: Sequence[str]) -> np.ndarray:
    """One number per observed metric: ``log10`` of a dimensioned metric, the value of a dimensionless one.

    Dimensionless metrics (``utilization``, ``row_hit_rate``) are fractions and
    are observed as they are, so a zero is 0 rather than a ``log10`` cliff.
    Dimensioned ones (cycles, pJ, mm²) span decades and are observed as
    ``log10``. Every feature is clipped to ``[-30, 30]``. Missing metrics (an
    infeasible design, or none evaluated yet, or a proxy that predicts fewer
    metrics) are 0; the status flags next to them say which case it is.
    """
    out = np.zeros(len(names), dtype=np.float32)
    if metrics is None or not metrics.feasible:
        return out
    for i, name in enumerate(names):
        if name not in metrics:
            continue
        v = float(metrics[name])
        if unit_of(name) and v > 0:
            v = math.log10(v)
        elif unit_of(name):
            v = -FEATURE_BOUND
        out[i] = min(FEATURE_BOUND, max(-FEATURE_BOUND, v)) if math.isfinite(v) else 0.0
    return out


def status_flags(metrics: Metrics | None) -> np.ndarray:
    """``[feasible, infeasible]``: (0, 0) when no design has been evaluated, else a one-hot."""
    if metrics is None:
        return np.zeros(2, dtype=np.float32)
    return np.array([1.0, 0.0] if metrics.feasible else [0.0, 1.0], dtype=np.float32)


@dataclass(frozen=True)
class RewardScale:
    """The objective on a bounded, comparable scale: ``tanh((g - median) / (best - median))``.

    ``g`` is the objective's reward (``log10`` of it for ArchGym's target-spec
    product, whose values span decades); ``median`` and ``best`` are the
    median and the best ``g`` of the feasible designs within budget among
    :data:`REFERENCE_SAMPLES` uniformly random designs (drawn with seed
    :data:`REFERENCE_SEED`, evaluated once per env and never recorded or
    counted), or a task's known values given as ``reward_reference``. So a
    typical random design scores 0, the best of the sample ``tanh(1) = 0.76``,
    anything better up to 1, and an infeasible design exactly -1, the lower
    bound of every other score. Over-budget designs (hard budgets) score
    below every design within budget, at or just above -1.
    """

    median: float
    best: float
    log: bool

    @staticmethod
    def uses_log(objective: Objective) -> bool:
        """Whether the objective's rewards are ArchGym's positive target-spec product (scaled in log10)."""
        return objective.spec().startswith("target:")

    @classmethod
    def estimate(cls, objective: Objective, rewards: Sequence[float], feasible: Sequence[bool]) -> "RewardScale":
        """The scale from a sample's rewards: median and best of the feasible designs within budget."""
        log = cls.uses_log(objective)
        pool = [r for r, f in zip(rewards, feasible) if f and r > objective.infeasible_reward and math.isfinite(r)]
        if not pool:
            return cls(0.0, 1.0, log)
        g = np.array([cls._g(r, log) for r in pool])
        return cls(float(np.median(g)), float(g.max()), log)

    @classmethod
    def given(cls, objective: Objective, reference: Sequence[float]) -> "RewardScale":
        """The scale from a task's known ``(median, best)`` rewards (raw objective values)."""
        if len(reference) != 2 or not all(math.isfinite(float(x)) for x in reference):
            raise UserError(f"reward_reference must be two finite numbers (median, best), got {reference!r}")
        log = cls.uses_log(objective)
        median, best = (cls._g(float(x), log) for x in reference)
        if not best > median:
            raise UserError(f"reward_reference: best ({reference[1]}) must be better than median ({reference[0]})")
        return cls(median, best, log)

    @staticmethod
    def _g(reward: float, log: bool) -> float:
        return math.log10(reward) if log and reward > 0 else (-300.0 if log else reward)

    @property
    def width(self) -> float:
        """``best - median``, or 1 when the sample could not tell them apart."""
        w = self.best - self.median
        return w if w > 1e-12 * max(1.0, abs(self.median)) else 1.0

    def __call__(self, reward: float, feasible: bool) -> float:
        """The scaled reward of a design with raw objective reward ``reward``; in ``[-1, 1]``."""
        if not feasible or not math.isfinite(reward):
            return SCALED_INFEASIBLE
        return max(SCALED_INFEASIBLE, math.tanh((self._g(reward, self.log) - self.median) / self.width))


def sample_reward_scale(objective: Objective, space: ParameterSpace, simulator: Any, workload: Any,
                        n: int = REFERENCE_SAMPLES) -> RewardScale:
    """Estimate :class:`RewardScale` from ``n`` random designs (seeded, evaluated in one batch, not recorded)."""
    rng = np.random.default_rng(REFERENCE_SEED)
    designs = space.decode_batch(rng.integers(0, space.nvec, size=(n, len(space))))
    results = simulator.evaluate_batch(designs, workload)
    return RewardScale.estimate(objective, [objective.reward(m) for m in results], [m.feasible for m in results])


class DesignEditor:
    """Design encoding and knob edits of the ``"edit"`` formulation.

    The design is held as one value index per knob. Its encoding is knob by
    knob: an ordered knob (sizes, counts, float levels) as ``index / (n - 1)``
    in ``[0, 1]``, a categorical knob as a one-hot of its ``n`` values.

    Edits (``edit_actions``):

    - ``"set"``: ``Discrete(sum of n)``, action ``offset(k) + v`` sets knob
      ``k`` to its value ``v`` (setting the value it has is a no-op edit);
    - ``"step"``: ``Discrete(2 x n_knobs)``, action ``2k`` steps knob ``k`` down
      and ``2k + 1`` up: an ordered knob stays at its ends, a categorical one
      wraps round its values.
    """

    def __init__(self, space: ParameterSpace, edit_actions: str = "set"):
        self.space = space
        self.edit_actions = choice("edit_actions", edit_actions, EDIT_ACTIONS)
        self.nvec = space.nvec
        self.ordered = np.array([k.ordered for k in space.knobs])
        self.offsets = np.concatenate([[0], np.cumsum(self.nvec)[:-1]]).astype(np.int64)
        self.n_actions = int(self.nvec.sum()) if edit_actions == "set" else 2 * len(space)
        self.encoding_size = int(sum(1 if o else n for o, n in zip(self.ordered, self.nvec)))

    def encode(self, indices: np.ndarray) -> np.ndarray:
        """The ``[0, 1]`` features of a design given by its value indices."""
        parts = []
        for o, n, i in zip(self.ordered, self.nvec, indices):
            if o:
                parts.append([i / (n - 1) if n > 1 else 0.0])
            else:
                one_hot = np.zeros(int(n))
                one_hot[int(i)] = 1.0
                parts.append(one_hot)
        return np.concatenate(parts).astype(np.float32)

    def decode_features(self, features: np.ndarray) -> np.ndarray:
        """Value indices from :meth:`encode`'s features (its inverse)."""
        out, pos = [], 0
        for o, n in zip(self.ordered, self.nvec):
            if o:
                out.append(int(round(float(features[pos]) * (n - 1))))
                pos += 1
            else:
                out.append(int(np.argmax(features[pos:pos + n])))
                pos += int(n)
        return np.array(out, dtype=np.int64)

    def apply(self, indices: np.ndarray, action: Any) -> np.ndarray:
        """The value indices after edit ``action``."""
        a = int(np.asarray(action).reshape(-1)[0])
        if not 0 <= a < self.n_actions:
            raise ValueError(f"edit action {a} outside Discrete({self.n_actions})")
        new = np.array(indices, dtype=np.int64)
        if self.edit_actions == "set":
            knob = int(np.searchsorted(self.offsets, a, side="right") - 1)
            new[knob] = a - self.offsets[knob]
            return new
        knob, up = divmod(a, 2)
        step = 1 if up else -1
        n = int(self.nvec[knob])
        new[knob] = min(n - 1, max(0, new[knob] + step)) if self.ordered[knob] else (new[knob] + step) % n
        return new

    def start(self, start: str | Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
        """Value indices of an episode's first design: ``"random"``, ``"default"`` or a given design."""
        if isinstance(start, Mapping):
            return self.space.encode(start)
        if start == "default":
            return self.space.encode(self.space.defaults())
        return rng.integers(0, self.nvec).astype(np.int64)


def check_start(space: ParameterSpace, start: Any) -> str | dict[str, Any]:
    """``start`` as given if valid (``"random"``, ``"default"`` or a design), else a clear error."""
    if isinstance(start, Mapping):
        try:
            return space.validate(start)
        except ValueError as e:
            raise UserError(f"start design: {e}") from None
    return choice("start", start, ("random", "default"))
