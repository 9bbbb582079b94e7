"""The estimators of a proxy bundle and their numpy forward passes.

:class:`TargetModel` (one metric, on a log or linear standardised scale) and
:class:`FeasibilityModel` wrap scikit-learn estimators; tree ensembles
(:class:`~archgym.proxy.trees.FlatTrees`, compiled), MLPs (:class:`_NumpyMLP`)
and :class:`PolyRidge` predict without scikit-learn's per-call checks, and
:class:`PolyTables` evaluates ``poly`` targets from action indices by table
look-up. Re-exported by :mod:`archgym.proxy`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from archgym.proxy.encoding import IndexEncoder
from archgym.proxy.trees import FlatTrees


class _FastPaths:
    """Derives a model's fast prediction paths from its estimator: the numpy MLP and the flattened trees.

    The trees are a copy of the estimator's nodes, so they are left out of the
    pickled state and rebuilt on load.
    """

    estimator: Any
    mlp: "_NumpyMLP | None"
    trees: FlatTrees | None

    def __post_init__(self) -> None:
        if self.mlp is None:
            self.mlp = _NumpyMLP.of(self.estimator)
        if self.trees is None:
            self.trees = FlatTrees.of(self.estimator)

    def __getstate__(self) -> dict[str, Any]:
        return {k: (None if k == "trees" else v) for k, v in self.__dict__.items()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.trees = FlatTrees.of(self.estimator)


@dataclass
class TargetModel(_FastPaths):
    """A regressor for one metric, learnt on a (log-)standardised scale."""

    estimator: Any
    log: bool
    mean: float
    scale: float
    params: dict[str, Any] = field(default_factory=dict)
    mlp: "_NumpyMLP | None" = None
    trees: FlatTrees | None = field(default=None, repr=False)

    @property
    def transform(self) -> str:
        """How the target is learnt: ``log`` (fit ``log y``, predict ``exp``) or ``linear``."""
        return "log" if self.log else "linear"

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted target values (original units) for an encoded input matrix."""
        if self.mlp is not None:
            raw = self.mlp(x)
        elif self.trees is not None:
            raw = self.trees(x)[:, 0]
        else:  # scikit-learn's own prediction: poly, or trees without numba
            raw = self.estimator.predict(x)
        return self.output(np.asarray(raw, dtype=np.float64).reshape(-1))

    def output(self, raw: np.ndarray) -> np.ndarray:
        """Target values (original units) from the estimator's standardised outputs."""
        z = raw * self.scale + self.mean
        return np.exp(z) if self.log else z


@dataclass
class FeasibilityModel(_FastPaths):
    """A classifier of feasible (True) against infeasible designs."""

    estimator: Any
    mlp: "_NumpyMLP | None" = None
    trees: FlatTrees | None = field(default=None, repr=False)

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.mlp is not None:  # one logit per design: positive means the second class (True)
            return self.mlp(x).reshape(-1) > 0.0
        if self.trees is not None:
            out = self.trees(x)
            # one column: a boosted binary classifier's logit; else a forest's class probabilities
            chosen = (out[:, 0] > 0.0).astype(np.intp) if out.shape[1] == 1 else out.argmax(axis=1)
            return np.asarray(self.estimator.classes_[chosen], dtype=bool)
        return np.asarray(self.estimator.predict(x), dtype=bool)


@dataclass(frozen=True)
class _NumpyMLP:
    """The forward pass of a fitted ``StandardScaler -> MLPRegressor`` pipeline in plain numpy, in float32.

    scikit-learn's numbers up to float32 rounding (relative 1e-6 on the
    standardised output, far below any proxy's error), without its per-call
    validation, which dominates the cost of predicting one design. Single
    precision makes the matrix products of a batch 2-4x faster.
    """

    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, estimator: Any) -> "_NumpyMLP | None":
        steps = getattr(estimator, "steps", None)
        if not steps or len(steps) != 2:
            return None
        scaler, mlp = steps[0][1], steps[1][1]
        if getattr(mlp, "activation", None) != "relu" or not hasattr(mlp, "coefs_"):
            return None
        if hasattr(mlp, "classes_") and list(mlp.classes_) != [False, True]:
            return None
        return cls(scaler.mean_, scaler.scale_, tuple(w.astype(np.float32) for w in mlp.coefs_),
                   tuple(b.astype(np.float32) for b in mlp.intercepts_))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h = ((x - self.mean) / self.scale).astype(np.float32)
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w
            h += b
            if i < len(self.weights) - 1:
                np.maximum(h, 0.0, out=h)
        return h.astype(np.float64)


class PolyRidge:
    """Ridge regression on degree-2 monomials of the inputs, fitted and applied in plain numpy.

    The inputs are the encoded features plus, for ``log2``-encoded knobs, the
    knob values themselves (``2 ** x``), so sums of products of knobs (areas:
    ``rows * cols + SRAM sizes``) are exactly representable on a linear target
    and power laws (``work / (rows * cols)``) on a log target. Prediction is a
    gather, a product and one matrix-vector product: cheap in batch and per
    design.
    """

    def __init__(self, raw_columns: Sequence[int] = (), alpha: float = 1e-6):
        self.raw_columns = list(raw_columns)
        self.alpha = float(alpha)

    def _expand(self, x: np.ndarray) -> np.ndarray:
        """The inputs, the knob values of ``log2`` columns, and every product of two of them."""
        width = x.shape[1] + len(self.raw_columns)
        out = np.empty((len(x), width + len(self.left_)))
        out[:, :x.shape[1]] = x
        out[:, x.shape[1]:width] = np.exp2(x[:, self.raw_columns])
        np.multiply(out[:, self.left_], out[:, self.right_], out=out[:, width:])
        return out

    def fit(self, x: np.ndarray, y: np.ndarray) -> "PolyRidge":
        """Least squares with an L2 penalty ``alpha`` on standardised monomials."""
        width = x.shape[1] + len(self.raw_columns)
        self.left_, self.right_ = np.triu_indices(width)
        a = self._expand(x)
        self.mean_ = a.mean(axis=0)
        self.scale_ = a.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        a = (a - self.mean_) / self.scale_
        # ridge as least squares on [a; sqrt(alpha n) I] (better conditioned than the normal equations)
        penalty = math.sqrt(self.alpha * len(a)) * np.eye(a.shape[1])
        coef = np.linalg.lstsq(np.vstack([a, penalty]), np.concatenate([y - np.mean(y), np.zeros(a.shape[1])]),
                               rcond=None)[0]
        # fold the standardisation into the weights: predict is then one product
        self.coef_ = coef / self.scale_
        self.intercept_ = float(np.mean(y) - self.mean_ @ self.coef_)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predictions for an encoded input matrix."""
        return self._expand(x) @ self.coef_ + self.intercept_


@dataclass(frozen=True)
class PolyTables:
    """``poly`` targets evaluated from action indices by table look-up: exact, no monomial expansion.

    A :class:`PolyRidge` is a quadratic form in its inputs ``u`` (the encoded
    features and the knob values of ``log2`` columns). When every input column
    belongs to one knob (no derived features), the prediction splits into a
    constant, one term per knob and one per pair of knobs, each a function of
    at most two choice indices, so it is a sum of table entries:
    ``f = c + sum_a G_a[i_a] + sum_{a<b} H_ab[i_a, i_b]``. The tables of each
    ``poly`` target are one row of ``table`` (``(targets, entries)``), and one
    prediction is a gather and a sum over ``n_knobs (n_knobs + 1) / 2`` entries.
    """

    names: tuple[str, ...]
    first: np.ndarray
    second: np.ndarray
    stride: np.ndarray
    offset: np.ndarray
    table: np.ndarray
    constant: np.ndarray

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """``(n, targets)`` raw (standardised) outputs of the ridges for checked indices."""
        idx_t = idx.T  # (knobs, n): the gathers below then read and sum contiguous rows
        flat = idx_t[self.first] * self.stride[:, None] + idx_t[self.second] + self.offset[:, None]
        return np.stack([row[flat].sum(axis=0) for row in self.table], axis=1) + self.constant

    @classmethod
    def build(cls, encoder: IndexEncoder, names: Sequence[str], ridges: Sequence["PolyRidge"]) -> "PolyTables | None":
        """Tables of ``ridges`` (fitted on ``encoder``'s inputs), or None if derived features prevent it."""
        if encoder.derived is not None or not ridges or not encoder.tables:
            return None
        width = len(encoder.base)
        owner = np.full(width, -1)  # the knob (position in the index array) of each input column; -1: shared
        for k, cols, _ in encoder.tables:
            owner[cols] = k
        shared = np.where(owner == -1, encoder.base, 0.0)[None, :]
        n_knobs, n_targets = len(encoder.tables), len(ridges)
        singles = [np.zeros((len(table), n_targets)) for _, _, table in encoder.tables]
        pairs = {(a, b): np.zeros((len(encoder.tables[a][2]), len(encoder.tables[b][2]), n_targets))
                 for a in range(n_knobs) for b in range(a + 1, n_knobs)}
        constant = np.zeros(n_targets)
        for t, r in enumerate(ridges):
            raw = np.asarray(r.raw_columns, dtype=np.int64)
            n_u = width + len(raw)
            w = r.coef_[:n_u]  # linear weights over u = [x, 2**x[raw]]
            quad = np.zeros((n_u, n_u))  # upper-triangular weights of the monomials u_p u_q
            np.add.at(quad, (r.left_, r.right_), r.coef_[n_u:])
            cross = quad + quad.T  # u_a' cross u_b: every monomial with one factor in each of two groups
            u0 = _u_rows(shared, -1, owner, raw)
            constant[t] = r.intercept_ + (u0 @ w)[0] + (u0 @ quad @ u0.T)[0, 0]
            us = []
            for k, cols, table in encoder.tables:
                x = np.zeros((len(table), width))
                x[:, cols] = table
                us.append(_u_rows(x, k, owner, raw))
            for a, ua in enumerate(us):
                singles[a][:, t] = ua @ w + np.einsum("ip,pq,iq->i", ua, quad, ua) + (ua @ cross @ u0.T)[:, 0]
                for b in range(a + 1, n_knobs):
                    pairs[a, b][:, :, t] = ua @ cross @ us[b].T
        knob = [k for k, _, _ in encoder.tables]
        first = knob + [knob[a] for a, _ in pairs]
        second = knob + [knob[b] for _, b in pairs]
        stride = [0] * n_knobs + [h.shape[1] for h in pairs.values()]
        chunks = singles + [h.reshape(-1, n_targets) for h in pairs.values()]
        offset = np.cumsum([0] + [len(c) for c in chunks])[:-1]
        as_int = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        return cls(tuple(names), as_int(first), as_int(second), as_int(stride), as_int(offset),
                   np.ascontiguousarray(np.concatenate(chunks).T), constant)


def _u_rows(x: np.ndarray, group: int, owner: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """PolyRidge inputs ``u = [x, 2**x[raw]]`` of rows ``x`` that only hold ``group``'s columns.

    The knob-value columns of other groups are 0 (not ``2**0``), so each
    group's rows carry exactly its own part of ``u``.
    """
    u = np.zeros((len(x), x.shape[1] + len(raw)))
    u[:, :x.shape[1]] = x
    mine = np.flatnonzero(owner[raw] == group)
    u[:, x.shape[1] + mine] = np.exp2(x[:, raw[mine]])
    return u
