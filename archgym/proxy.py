"""Proxy cost models: scikit-learn regressors trained on a dataset that stand in for a simulator.

ArchGym's case study replaced DRAMSys with a random forest trained on logged
evaluations (0.61 % RMSE, 2,000x faster). Here that is :func:`train` on any
dataset, and :class:`ProxySimulator` plugs the result back into every env:
``gymnasium.make(ID, cost_model="proxy", proxy=MODEL)``.

A :class:`ProxyModel` is a *bundle*: one regressor per target metric (by
default the metrics the recorded objective reads, so the env's default
objective works with the proxy), plus a feasibility
classifier when the data holds infeasible designs. It is saved with joblib
together with its feature schema, the env id and version, simulator version,
workloads and its test metrics, so a model is never silently used for an env
it does not describe.

Features: numeric knobs as numbers (``log2`` for power-of-two-like ranges),
categorical knobs one-hot, and the workload one-hot when the data holds more
than one (:meth:`FeatureSchema.describe`). Targets are learnt on a log scale
when strictly positive, so relative errors matter equally over decades;
``poly`` and ``auto`` also try the linear scale and keep the better on the
validation split (:meth:`ProxyModel.transforms` lists the choices; they are
saved with the model). ``mlp``, ``poly`` (ridge on degree-2 monomials) and
``auto`` (the best of both per target) predict in plain numpy. The split is a fixed-seed
train / validation / test split; the validation part picks among a few
hyperparameter settings and the test part is only used for the reported
figures: RMSE (absolute and relative to the target's mean, ArchGym's
figure), R², Spearman rank correlation (what DSE ranking needs), MAPE, and the
measured per-evaluation speed-up over the simulator.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import time
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError, unknown_choice
from archgym.fileio import atomic_output
from archgym.metrics import Metrics
from archgym.records import DESIGN_PREFIX, METRIC_PREFIX
from archgym.simulator import Simulator

if TYPE_CHECKING:
    import pandas as pd

    from archgym.space import ParameterSpace

log = logging.getLogger(__name__)

MODELS = ("rf", "gbt", "mlp", "poly", "auto")
#: model kinds whose whole prediction runs in numpy (cheap in batch and per design)
FAST_MODELS = ("mlp", "poly", "auto")
FORMAT = "archgym-proxy"
FORMAT_VERSION = 1
#: reason given to designs the feasibility classifier rejects
PREDICTED_INFEASIBLE = "predicted infeasible by the proxy model"
#: a numeric knob spanning at least this ratio (max/min, all positive) is encoded as log2
LOG_FEATURE_RATIO = 16.0


# -- features -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Feature:
    """One input column: a knob (or the workload), numeric, one-hot, or 0/1 for a two-valued one."""

    name: str
    kind: str  # "numeric" | "categorical" | "binary" (1.0 for categories[1])
    categories: tuple[Any, ...] = ()
    log: bool = False

    @property
    def width(self) -> int:
        return len(self.categories) if self.kind == "categorical" else 1


@dataclass(frozen=True)
class FeatureSchema:
    """The encoding of designs (and workloads) into the model's input matrix."""

    features: tuple[Feature, ...]

    @property
    def knobs(self) -> list[str]:
        return [f.name for f in self.features if f.name != "workload"]

    @classmethod
    def from_frame(cls, df: "pd.DataFrame", with_workload: bool) -> "FeatureSchema":
        """Derive the encoding from the knob columns of one env's records."""
        import pandas as pd

        feats = []
        for col in sorted(c for c in df.columns if c.startswith(DESIGN_PREFIX) and df[c].notna().all()):
            s = df[col]
            name = col[len(DESIGN_PREFIX):]
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                lo, hi = float(s.min()), float(s.max())
                feats.append(Feature(name, "numeric", log=lo > 0 and hi / lo >= LOG_FEATURE_RATIO))
            else:
                cats = tuple(sorted(map(str, s.unique())))
                feats.append(Feature(name, "binary" if len(cats) == 2 else "categorical", cats))
        if with_workload:
            feats.append(Feature("workload", "categorical", tuple(sorted(map(str, df["workload"].unique())))))
        return cls(tuple(feats))

    def encode(self, columns: Mapping[str, Sequence[Any]], n: int,
               features: Sequence[Feature] | None = None) -> np.ndarray:
        """Input matrix from column-wise values (``{knob: values}``, plus ``workload``).

        ``features`` restricts the columns to those of a subset of the schema's features.
        """
        features = self.features if features is None else features
        width = sum(f.width for f in features)
        x = np.zeros((n, width), dtype=np.float64)
        j = 0
        for f in features:
            values = columns[f.name]
            if f.kind == "numeric":
                v = np.asarray(values, dtype=np.float64)
                x[:, j] = np.log2(v) if f.log else v
            elif f.kind == "binary":
                one = f.categories[1]
                x[:, j] = np.fromiter((str(v) == one for v in values), dtype=np.float64, count=n)
            else:
                lookup = {c: i for i, c in enumerate(f.categories)}
                idx = np.fromiter((lookup.get(str(v), -1) for v in values), dtype=np.int64, count=n)
                rows = np.flatnonzero(idx >= 0)
                x[rows, j + idx[rows]] = 1.0
            j += f.width
        return x

    def encode_frame(self, df: "pd.DataFrame") -> np.ndarray:
        cols = {f.name: (df["workload"] if f.name == "workload" else df[DESIGN_PREFIX + f.name]).to_numpy()
                for f in self.features}
        return self.encode(cols, len(df))

    def encode_designs(self, designs: Sequence[Mapping[str, Any]], workload: str) -> np.ndarray:
        """Input matrix of complete designs (dicts by knob name) on one workload."""
        cols = {f.name: [workload] * len(designs) if f.name == "workload" else list(map(itemgetter(f.name), designs))
                for f in self.features}
        return self.encode(cols, len(designs))

    def index_encoder(self, space: "ParameterSpace", workload: str) -> "IndexEncoder":
        """An encoder of ``(n, n_knobs)`` action-index arrays of ``space`` on one workload.

        Every knob's possible values go through :meth:`encode` once, so the
        encoder's rows are exactly what :meth:`encode_designs` gives for the
        decoded designs.

        Raises:
            UserError: the space's knobs differ from the schema's.
        """
        grids = {k.name: k.grid() for k in space.knobs}
        missing = sorted(set(self.knobs) - set(grids))
        if missing:
            raise UserError(f"the design space lacks the proxy model's knobs {', '.join(missing)}")
        offsets = np.cumsum([0] + [f.width for f in self.features])
        base = np.zeros(int(offsets[-1]), dtype=np.float64)
        columns = {f.name: (slice(int(offsets[i]), int(offsets[i + 1])), f) for i, f in enumerate(self.features)}
        if "workload" in columns:
            cols, f = columns["workload"]
            base[cols] = self.encode({"workload": [workload]}, 1, (f,))[0]
        tables = tuple((k, columns[name][0], self.encode({name: list(grid)}, len(grid), (columns[name][1],)))
                       for k, (name, grid) in enumerate(grids.items()) if name in columns)
        return IndexEncoder(base, tables, np.array([len(g) for g in grids.values()], dtype=np.int64))

    @property
    def log_columns(self) -> list[int]:
        """Input-matrix columns that hold a ``log2``-encoded knob."""
        offsets = np.cumsum([0] + [f.width for f in self.features])[:-1]
        return [int(o) for o, f in zip(offsets, self.features) if f.kind == "numeric" and f.log]

    def describe(self) -> dict[str, str]:
        """The transform of every input: ``log2``, ``linear``, ``one-hot(k)`` or ``binary(a|b)``."""
        return {f.name: ("log2" if f.log else "linear") if f.kind == "numeric" else
                f"binary({'|'.join(f.categories)})" if f.kind == "binary" else f"one-hot({f.width})"
                for f in self.features}


@dataclass(frozen=True)
class IndexEncoder:
    """The input matrix of designs given as action indices, by table look-up (no design dicts).

    Built by :meth:`FeatureSchema.index_encoder`: ``base`` is the row every
    design shares (the workload's one-hot), and ``tables`` holds, per knob in
    the space's order, its position in the index array, the input columns it
    fills and the encoded row of each of its choices (knobs the model does not
    read have no table).
    """

    base: np.ndarray
    tables: tuple[tuple[int, slice, np.ndarray], ...]
    nvec: np.ndarray

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """The ``(n, width)`` input matrix of a ``(n, n_knobs)`` array of choice indices.

        Raises:
            ValueError: wrong shape or an index out of a knob's range.
        """
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[1] != len(self.nvec) or idx.dtype.kind not in "iu":
            raise ValueError(f"expected an integer array of shape (n, {len(self.nvec)}), got "
                             f"{idx.dtype} {idx.shape}")
        if idx.size and ((idx < 0).any() or (idx >= self.nvec).any()):
            raise ValueError(f"action index out of range; the knobs have {self.nvec.tolist()} choices")
        x = np.empty((len(idx), len(self.base)), dtype=np.float64)
        x[:] = self.base
        for k, cols, table in self.tables:
            x[:, cols] = table[idx[:, k]]
        return x


# -- the model bundle -------------------------------------------------------------------------------------
@dataclass
class TargetModel:
    """A regressor for one metric, learnt on a (log-)standardised scale."""

    estimator: Any
    log: bool
    mean: float
    scale: float
    params: dict[str, Any] = field(default_factory=dict)
    mlp: "_NumpyMLP | None" = None

    def __post_init__(self) -> None:
        if self.mlp is None:
            self.mlp = _NumpyMLP.of(self.estimator)

    @property
    def transform(self) -> str:
        """How the target is learnt: ``log`` (fit ``log y``, predict ``exp``) or ``linear``."""
        return "log" if self.log else "linear"

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted target values (original units) for an encoded input matrix."""
        if self.mlp is not None:
            raw = self.mlp(x)
        elif _is_forest(self.estimator):
            raw = _forest_mean(self.estimator, x)[:, 0]
        else:
            raw = self.estimator.predict(x)
        z = np.asarray(raw, dtype=np.float64).reshape(-1) * self.scale + self.mean
        return np.exp(z) if self.log else z


@dataclass
class FeasibilityModel:
    """A classifier of feasible (True) against infeasible designs."""

    estimator: Any
    mlp: "_NumpyMLP | None" = None

    def __post_init__(self) -> None:
        if self.mlp is None:
            self.mlp = _NumpyMLP.of(self.estimator)

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.mlp is not None:  # one logit per design: positive means the second class (True)
            return self.mlp(x).reshape(-1) > 0.0
        if _is_forest(self.estimator):
            return np.asarray(self.estimator.classes_[_forest_mean(self.estimator, x).argmax(axis=1)], dtype=bool)
        return np.asarray(self.estimator.predict(x), dtype=bool)


def _is_forest(estimator: Any) -> bool:
    return type(estimator).__name__ in ("RandomForestRegressor", "RandomForestClassifier")


def _forest_mean(forest: Any, x: np.ndarray) -> np.ndarray:
    """The mean over a random forest's trees of their leaf values, shape ``(n, outputs or classes)``.

    What ``forest.predict`` / ``predict_proba`` compute, calling each tree's
    compiled ``apply`` directly: scikit-learn's per-tree input checks cost more
    than the traversal when a proxy predicts one design per env step.
    """
    x32 = np.ascontiguousarray(x, dtype=np.float32)
    total = None
    for tree in forest.estimators_:
        leaf = tree.tree_.value[tree.tree_.apply(x32), 0, :]
        total = leaf.copy() if total is None else total + leaf
    assert total is not None
    return total / len(forest.estimators_)


@dataclass(frozen=True)
class _NumpyMLP:
    """The forward pass of a fitted ``StandardScaler -> MLPRegressor`` pipeline in plain numpy.

    Same numbers as ``pipeline.predict`` without scikit-learn's per-call
    validation, which dominates the cost of predicting one design.
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
        return cls(scaler.mean_, scaler.scale_, tuple(mlp.coefs_), tuple(mlp.intercepts_))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < len(self.weights) - 1:
                np.maximum(h, 0.0, out=h)
        return h


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


@dataclass
class ProxyModel:
    """A trained proxy: regressors per target metric, feasibility classifier, provenance and test metrics."""

    kind: str
    env_id: str
    env_version: int
    simulator: str
    simulator_version: str
    workloads: list[str]
    features: FeatureSchema
    targets: dict[str, TargetModel]
    feasibility: FeasibilityModel | None = None
    seed: int = 0
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    feasibility_accuracy: float | None = None
    speed: dict[str, float] = field(default_factory=dict)
    test_predictions: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    dataset: str = ""
    trained_at: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def target_names(self) -> list[str]:
        return list(self.targets)

    def transforms(self) -> dict[str, dict[str, str]]:
        """The stored encoding: each input's transform and each target's (``log`` or ``linear``) and estimator."""
        return {"features": self.features.describe(),
                "targets": {n: t.transform for n, t in self.targets.items()},
                "estimators": {n: t.params.get("estimator", self.kind) for n, t in self.targets.items()}}

    def predict(self, designs: Sequence[Mapping[str, Any]], workload: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Predicted metrics per target and a feasibility mask for complete designs on one workload."""
        return self.predict_encoded(self.features.encode_designs(designs, workload))

    def index_encoder(self, space: "ParameterSpace", workload: str) -> IndexEncoder:
        """The look-up encoder :meth:`predict_indices` takes, for designs of ``space`` on ``workload``."""
        return self.features.index_encoder(space, workload)

    def predict_indices(self, idx: np.ndarray, encoder: IndexEncoder) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """:meth:`predict` for a ``(n, n_knobs)`` array of action indices, without building design dicts.

        ``encoder`` (from :meth:`index_encoder`) fixes the space and workload;
        the numbers are those of :meth:`predict` on the decoded designs.
        """
        return self.predict_encoded(encoder(idx))

    def predict_encoded(self, x: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Predicted metrics per target and a feasibility mask for an encoded input matrix."""
        values = {name: t.predict(x) for name, t in self.targets.items()}
        feasible = self.feasibility.predict(x) if self.feasibility is not None else np.ones(len(x), dtype=bool)
        return values, feasible

    def fingerprint(self) -> str:
        """A short hash of the model's provenance and figures, recorded as the proxy's version."""
        text = repr((self.kind, self.env_id, self.env_version, self.simulator_version, self.workloads,
                     self.target_names, self.seed, self.dataset, self.trained_at))
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model with joblib (temporary name, then atomic rename)."""
        import joblib

        with atomic_output(path) as tmp:
            joblib.dump(self, tmp, compress=3)
        return Path(path)

    def check_env(self, env_id: str, env_version: int, knobs: Sequence[str]) -> None:
        """Raise :class:`UserError` unless this model describes ``env_id`` at ``env_version`` with these knobs."""
        if (env_id, int(env_version)) != (self.env_id, int(self.env_version)):
            raise UserError(f"proxy model was trained for {self.env_id} (version {self.env_version}), "
                            f"not {env_id} (version {env_version}); train one on a dataset of {env_id}")
        missing = sorted(set(knobs) ^ set(self.features.knobs))
        if missing:
            raise UserError(f"proxy model's knobs differ from {env_id}'s ({', '.join(missing)}); retrain it")


def load_model(path: str | os.PathLike[str], env_id: str | None = None, env_version: int | None = None) -> ProxyModel:
    """Load a saved :class:`ProxyModel`; with ``env_id``, refuse one trained for another env or version.

    Raises:
        UserError: missing or unreadable file, not a proxy model, or an env mismatch.
    """
    import joblib

    p = Path(path)
    if not p.is_file():
        raise UserError(f"no proxy model file at {p}")
    try:
        model = joblib.load(p)
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, AttributeError, ImportError) as exc:
        raise UserError(f"{p}: not a readable proxy model ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, ProxyModel) or model.format != FORMAT:
        raise UserError(f"{p}: not an archgym proxy model")
    if env_id is not None:
        from archgym.registry import env_version as version_of

        model.check_env(env_id, version_of(env_id) if env_version is None else env_version, model.features.knobs)
    return model


# -- training -------------------------------------------------------------------------------------------------
def _estimator(kind: str, seed: int, params: Mapping[str, Any], classifier: bool = False,
               raw_columns: Sequence[int] = ()) -> Any:
    """An unfitted estimator of ``kind``; ``poly`` and ``auto`` classify feasibility with the mlp."""
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "rf":
        cls = RandomForestClassifier if classifier else RandomForestRegressor
        return cls(n_estimators=100, random_state=seed, n_jobs=1, **params)
    if kind == "gbt":
        cls = HistGradientBoostingClassifier if classifier else HistGradientBoostingRegressor
        return cls(max_iter=300, random_state=seed, early_stopping=True, **params)
    if kind == "poly" and not classifier:
        return PolyRidge(raw_columns, **params)
    cls = MLPClassifier if classifier else MLPRegressor
    mlp = cls(max_iter=2000, early_stopping=True, n_iter_no_change=30, alpha=1e-5, random_state=seed, **params)
    return make_pipeline(StandardScaler(), mlp)


#: the settings the validation split chooses among, per model kind. Besides the
#: estimator's own parameters, ``target`` picks the target transform (``log``,
#: the default for strictly positive targets, or ``linear``) and, for ``auto``,
#: ``estimator`` the model kind.
CANDIDATES: dict[str, list[dict[str, Any]]] = {
    "rf": [{"max_features": 1.0}, {"max_features": 0.5}],
    "gbt": [{"learning_rate": 0.1, "max_leaf_nodes": 31}, {"learning_rate": 0.05, "max_leaf_nodes": 63}],
    "mlp": [{"hidden_layer_sizes": (64, 64)}, {"hidden_layer_sizes": (128, 128, 64)}],
    "poly": [{"target": "log"}, {"target": "linear"}],
}
CANDIDATES["auto"] = [{"estimator": "poly", **c} for c in CANDIDATES["poly"]] + [
    {"estimator": "mlp", "hidden_layer_sizes": (64, 64)}]


def score(y: np.ndarray, yhat: np.ndarray) -> dict[str, float]:
    """RMSE (absolute and % of the mean), R², Spearman rank correlation and MAPE (%) of predictions."""
    from scipy.stats import spearmanr

    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    err = yhat - y
    rmse = float(np.sqrt(np.mean(err ** 2)))
    mean = float(np.mean(y))
    ss = float(np.sum((y - mean) ** 2))
    nz = y != 0
    return {
        "n": int(len(y)),
        "rmse": rmse,
        "rmse_pct_of_mean": 100.0 * rmse / abs(mean) if mean else math.nan,
        "r2": 1.0 - float(np.sum(err ** 2)) / ss if ss > 0 else math.nan,
        "spearman": float(spearmanr(y, yhat).statistic) if len(y) > 2 and np.ptp(y) > 0 else math.nan,
        "mape_pct": 100.0 * float(np.mean(np.abs(err[nz] / y[nz]))) if nz.any() else math.nan,
    }


def split_indices(n: int, seed: int, val: float = 0.15, test: float = 0.15) -> tuple[np.ndarray, ...]:
    """A fixed-seed permutation cut into train / validation / test index arrays."""
    if n < 10:
        raise UserError(f"{n} usable records are too few to train a proxy (need at least 10)")
    perm = np.random.default_rng(seed).permutation(n)
    n_test, n_val = max(1, round(n * test)), max(1, round(n * val))
    return perm[n_test + n_val:], perm[n_test:n_test + n_val], perm[:n_test]


def training_frame(df: "pd.DataFrame", env_id: str | None = None, workload: str | None = None) -> "pd.DataFrame":
    """The records a proxy learns from: one env and version, simulated (not predicted), optional workload."""
    if not len(df):
        raise UserError("the dataset is empty")
    if env_id is not None:
        df = df[df["env_id"] == env_id]
        if not len(df):
            raise UserError(f"the dataset holds no records of {env_id}")
    envs = sorted(df["env_id"].unique())
    if len(envs) > 1:
        raise UserError(f"the dataset holds several envs ({', '.join(envs)}); choose one with --env")
    versions = sorted(df["env_version"].unique())
    if len(versions) > 1:
        log.warning("dataset holds versions %s of %s; training on the newest", versions, envs[0])
        df = df[df["env_version"] == versions[-1]]
    if workload is not None:
        if workload not in set(df["workload"]):
            raise unknown_choice("workload", workload, sorted(df["workload"].unique()))
        df = df[df["workload"] == workload]
    n_pred = int(df["predicted"].fillna(False).astype(bool).sum())
    if n_pred:
        log.warning("leaving out %d records predicted by a proxy", n_pred)
        df = df[~df["predicted"].fillna(False).astype(bool)]
    return df.reset_index(drop=True)


def objective_metrics(df: "pd.DataFrame", available: Sequence[str]) -> list[str]:
    """The metrics the recorded objectives read (the default targets), else every metric."""
    from archgym.objectives import parse_objective

    names: list[str] = []
    for spec in df["objective"].dropna().unique():
        try:
            names += [m for m in parse_objective(str(spec)).metrics if m in available]
        except UserError:
            continue
    return list(dict.fromkeys(names)) or list(available)


def _fit_target(kind: str, x: np.ndarray, y: np.ndarray, parts: tuple[np.ndarray, ...], seed: int,
                raw_columns: Sequence[int] = ()) -> TargetModel:
    """Fit each candidate of ``kind`` on train, keep the one with the least validation RMSE (original units)."""
    tr, va, _ = parts
    positive = bool(np.all(y > 0))
    best: tuple[float, TargetModel] | None = None
    for candidate in CANDIDATES[kind]:
        params = dict(candidate)
        est_kind = params.pop("estimator", kind)
        log_target = positive and params.pop("target", "log") == "log"
        z = np.log(y) if log_target else y
        mean, scale = float(np.mean(z[tr])), float(np.std(z[tr])) or 1.0
        est = _estimator(est_kind, seed, params, raw_columns=raw_columns).fit(x[tr], (z[tr] - mean) / scale)
        tm = TargetModel(est, log_target, mean, scale, dict(candidate))
        with np.errstate(over="ignore", invalid="ignore"):
            err = float(np.sqrt(np.mean((tm.predict(x[va]) - y[va]) ** 2)))
        if best is None or err < best[0] or not math.isfinite(best[0]):
            best = (err, tm)
    assert best is not None
    return best[1]


def train(
    data: "pd.DataFrame | str | os.PathLike[str]",
    targets: Sequence[str] | None = None,
    model: str = "rf",
    *,
    seed: int = 0,
    env_id: str | None = None,
    workload: str | None = None,
    max_samples: int | None = None,
    measure_speed: bool = True,
) -> ProxyModel:
    """Train a proxy bundle on a dataset (a folder or a DataFrame of records).

    Args:
        targets: metric names to predict (``latency_ns`` or ``metric.latency_ns``),
            or ``["all"]``; default the metrics the recorded objective reads, so
            the env's default objective can be served by the bundle.
        model: ``rf`` (random forest, as in ArchGym), ``gbt`` (histogram gradient
            boosting), ``mlp`` (a small multi-layer perceptron), ``poly`` (ridge
            regression on degree-2 monomials of the features and knob values) or
            ``auto`` (per target, the best of ``poly`` and ``mlp`` on the
            validation split). ``mlp``, ``poly`` and ``auto`` predict in plain
            numpy, so they are the fast choice in batch and per design.
        seed: fixes the split and the estimators.
        env_id, workload: restrict to one env / workload.
        max_samples: use at most this many records (a fixed-seed subset; for learning curves).
        measure_speed: time the simulator against the proxy on test designs.

    Raises:
        UserError: unknown model or target, too few records, several envs.
    """
    import pandas as pd

    if model not in MODELS:
        raise unknown_choice("proxy model", model, MODELS)
    if not isinstance(data, pd.DataFrame):
        from archgym.datasets import load

        dataset_name = str(data)
        data = load(data)
    else:
        dataset_name = "<DataFrame>"
    df = training_frame(data, env_id, workload)
    if max_samples is not None and len(df) > max_samples:
        df = df.iloc[np.sort(np.random.default_rng(seed).permutation(len(df))[:max_samples])].reset_index(drop=True)
    available = [c[len(METRIC_PREFIX):] for c in df.columns if c.startswith(METRIC_PREFIX)]
    names = [t.removeprefix(METRIC_PREFIX) for t in (targets or objective_metrics(df, available))]
    if names == ["all"]:
        names = available
    for t in names:
        if t not in available:
            raise unknown_choice("target metric", t, available)
    workloads = sorted(map(str, df["workload"].unique()))
    schema = FeatureSchema.from_frame(df, with_workload=len(workloads) > 1)
    x_all = schema.encode_frame(df)
    feasible = df["feasible"].astype(bool).to_numpy()
    first = df.iloc[0]
    proxy = ProxyModel(
        kind=model, env_id=str(first["env_id"]), env_version=int(first["env_version"]),
        simulator=str(first["simulator"]), simulator_version=str(first["simulator_version"]),
        workloads=workloads, features=schema, targets={}, seed=seed, dataset=dataset_name,
        trained_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    parts = split_indices(len(df), seed)
    if not feasible.all() and feasible.any():
        tr, _, te = parts
        clf = FeasibilityModel(_estimator(model, seed, {}, classifier=True).fit(x_all[tr], feasible[tr]))
        proxy.feasibility = clf
        proxy.feasibility_accuracy = float(np.mean(clf.predict(x_all[te]) == feasible[te]))
    rows = np.flatnonzero(feasible)
    x = x_all[rows]
    fparts = split_indices(len(rows), seed)
    for name in names:
        y = df[METRIC_PREFIX + name].to_numpy(dtype=np.float64)[rows]
        if not np.all(np.isfinite(y)):
            raise UserError(f"target {name!r} has missing or non-finite values in feasible records")
        tm = _fit_target(model, x, y, fparts, seed, schema.log_columns)
        proxy.targets[name] = tm
        te = fparts[2]
        pred = tm.predict(x[te])
        proxy.metrics[name] = {**score(y[te], pred), "n_train": len(fparts[0]), "n_val": len(fparts[1]),
                               "n_test": len(te)}
        proxy.test_predictions[name] = (y[te], pred)
    if measure_speed:
        proxy.speed = measure_speedup(proxy, df.iloc[rows[fparts[2]]] if len(rows) else df)
    return proxy


# -- speed ------------------------------------------------------------------------------------------------------
def designs_of(df: "pd.DataFrame", knobs: Sequence[str]) -> list[dict[str, Any]]:
    """Complete designs (plain Python values) from the knob columns of records."""
    cols = {k: df[DESIGN_PREFIX + k].tolist() for k in knobs}
    return [dict(zip(knobs, vals)) for vals in zip(*cols.values())]


def _per_eval(fn: Any, n: int, min_time: float = 0.2, min_repeats: int = 3) -> float:
    """Seconds per evaluation of ``fn`` (which evaluates ``n`` designs), best of repeated runs.

    One untimed warm-up call first (caches, lazy compilation), then at least
    ``min_repeats`` timed calls and at least ``min_time`` seconds, so a slow
    first call is never the figure reported.
    """
    fn()
    best, spent, runs = math.inf, 0.0, 0
    while spent < min_time or runs < min_repeats:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, runs = min(best, dt), spent + dt, runs + 1
        if spent > 5 * min_time and runs >= min_repeats:
            break
    return best / n


def measure_speedup(
    proxy: ProxyModel, records: "pd.DataFrame", batch: int = 2000, single: int = 20
) -> dict[str, float]:
    """Seconds per evaluation of the simulator and the proxy on the same designs, batch and one at a time.

    The simulator is built from the installed env; if that fails, the wall
    times recorded in the dataset stand in for it.
    """
    from archgym.registry import make_env

    workload = proxy.workloads[0]
    sub = records[records["workload"] == workload].head(batch)
    designs = designs_of(sub, proxy.features.knobs)
    if not designs:
        return {}
    out: dict[str, float] = {"batch": float(len(designs))}
    try:
        env = make_env(proxy.env_id, workload=workload)
        sim, wl = env.unwrapped.simulator, env.unwrapped.workload
        designs = [env.unwrapped.design_space.validate(d) for d in designs]
        out["simulator_batch_s"] = _per_eval(lambda: sim.evaluate_batch(designs, wl), len(designs))
        few = designs[:single]
        out["simulator_single_s"] = _per_eval(lambda: [sim.evaluate(d, wl) for d in few], len(few))
        env.close()
    except Exception as exc:  # the env may not be installed where the dataset is used
        log.warning("timing the simulator failed (%s); using the wall times recorded in the dataset", exc)
        recorded = float(sub["wall_time_s"].median())
        out["simulator_batch_s"] = out["simulator_single_s"] = recorded
    out["proxy_batch_s"] = _per_eval(lambda: proxy.predict(designs, workload), len(designs))
    few = designs[:single]
    out["proxy_single_s"] = _per_eval(lambda: [proxy.predict([d], workload) for d in few], len(few))
    out["speedup_batch"] = out["simulator_batch_s"] / out["proxy_batch_s"]
    out["speedup_single"] = out["simulator_single_s"] / out["proxy_single_s"]
    return out


# -- the proxy as a simulator ------------------------------------------------------------------------------------
class ProxySimulator(Simulator):
    """A :class:`~archgym.simulator.Simulator` whose metrics come from a :class:`ProxyModel`.

    It keeps the replaced simulator's design space and workload names, reports
    only the metrics the model predicts, marks every result ``predicted=True``
    and returns designs the feasibility classifier rejects as infeasible.

    Example:
        >>> env = gymnasium.make("archgym/DRAM-v0", cost_model="proxy", proxy="dram.proxy")  # doctest: +SKIP
        >>> env.step(env.action_space.sample())[-1]["predicted"]                              # doctest: +SKIP
        True
    """

    def __init__(self, model: ProxyModel, base: Simulator):
        self.model = model
        self.base = base
        self.name = f"proxy-{model.kind}:{base.name}"
        self.version = f"{base.version}+{model.fingerprint()}"
        self.space = base.space
        self.metrics = tuple(m for m in base.metrics if m.name in model.targets)
        self.default_workload = base.default_workload if base.default_workload in model.workloads \
            else model.workloads[0]
        self._encoders: dict[str, IndexEncoder] = {}

    def workloads(self) -> list[str]:
        return list(self.model.workloads)

    def load_workload(self, workload: Any) -> str:
        """The workload's name, checked against those the model was trained on."""
        known = isinstance(workload, str) and workload in self.model.workloads
        name = workload if known else self.base.workload_name(self.base.load_workload(workload))
        if name not in self.model.workloads:
            raise UserError(f"the proxy model was not trained on workload {name!r}; "
                            f"it knows {', '.join(self.model.workloads)}")
        return name

    def workload_name(self, workload: Any) -> str:
        return str(workload)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        return self._metrics(*self.model.predict(designs, str(workload)))

    def evaluate_indices(self, idx: np.ndarray, workload: Any) -> list[Metrics]:
        """:meth:`evaluate_batch` of designs given as a ``(n, n_knobs)`` array of action indices.

        Encodes by table look-up (:class:`IndexEncoder`, built once per
        workload), so no design dicts are made; the metrics are identical.
        """
        name = str(workload)
        encoder = self._encoders.get(name)
        if encoder is None:
            encoder = self._encoders[name] = self.model.index_encoder(self.space, name)
        return self._metrics(*self.model.predict_indices(idx, encoder))

    @staticmethod
    def _metrics(values: Mapping[str, np.ndarray], feasible: np.ndarray) -> list[Metrics]:
        """One :class:`Metrics` per design from predicted columns and the feasibility mask."""
        out = []
        for i, ok in enumerate(feasible):
            if ok:
                out.append(Metrics({k: float(v[i]) for k, v in values.items()}, predicted=True))
            else:
                out.append(Metrics(feasible=False, reason=PREDICTED_INFEASIBLE, predicted=True))
        return out


COST_MODELS = ("simulator", "proxy")


def swap_in_proxy(
    simulator: Simulator, env_id: str, cost_model: str, proxy: str | os.PathLike[str] | ProxyModel | None,
    needs: Sequence[str],
) -> Simulator:
    """The cost model an env evaluates with: its simulator, or a proxy checked against the env and objective.

    Called by :class:`~archgym.envs.design_env.DesignEnv` for
    ``gymnasium.make(ID, cost_model="proxy", proxy=MODEL)``.

    Raises:
        UserError: unknown cost model, no or mismatched proxy, or a proxy that
            does not predict a metric the objective reads.
    """
    if cost_model not in COST_MODELS:
        raise unknown_choice("cost_model", cost_model, COST_MODELS)
    if cost_model == "simulator":
        if proxy is not None:
            raise UserError("proxy= is only used with cost_model='proxy'")
        return simulator
    if proxy is None:
        raise UserError("cost_model='proxy' needs proxy=PATH of a model from `archgym proxy train`")
    from archgym.registry import env_version

    model = proxy if isinstance(proxy, ProxyModel) else load_model(proxy)
    model.check_env(env_id, env_version(env_id), simulator.space.names)
    missing = [m for m in needs if m not in model.targets]
    if missing:
        wanted = " ".join(f"--target {m}" for m in dict.fromkeys([*model.targets, *missing]))
        raise UserError(f"the proxy predicts {', '.join(model.targets)} but the objective reads "
                        f"{', '.join(missing)} too; train a bundle (`archgym proxy train DATA {wanted}`) "
                        f"or choose an objective over the predicted metrics")
    return ProxySimulator(model, simulator)


# -- report -------------------------------------------------------------------------------------------------------
def report_plot(model: ProxyModel, path: str | os.PathLike[str]) -> Path:
    """Predicted against simulated values on the test split, one panel per target."""
    from archgym.plots import _pyplot

    plt = _pyplot()
    names = list(model.test_predictions)
    cols = min(3, max(1, len(names)))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 4 * rows), dpi=110, squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        y, yhat = model.test_predictions[name]
        m = model.metrics[name]
        ax.scatter(y, yhat, s=6, alpha=0.5)
        lo, hi = float(min(y.min(), yhat.min())), float(max(y.max(), yhat.max()))
        ax.plot([lo, hi], [lo, hi], color="black", lw=1)
        if lo > 0 and hi / lo > 100:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel(f"simulated {name}")
        ax.set_ylabel(f"predicted {name}")
        ax.set_title(f"RMSE {m['rmse_pct_of_mean']:.2f}% of mean, Spearman {m['spearman']:.3f}", fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{model.kind} proxy of {model.env_id} [{', '.join(model.workloads)}] (test split)", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
