"""The proxy model bundle and its file: regressors per target, a feasibility classifier, provenance.

A :class:`ProxyModel` is saved together with its feature schema, the env id
and version, simulator version, workloads and its test metrics, so a model is
never silently used for an env it does not describe.

The file format is versioned. Format 2 (written now) is one header line,
``archgym-proxy 2``, then the zlib-compressed pickle of the model. A pickle
names the classes it holds by module path, so when a class moves, the loader
maps the paths the older formats recorded (:data:`MOVED`) instead of keeping
modules importable under their old names. Format 1 files (joblib pickles from
before :mod:`archgym.proxy` was a package) still load.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import threading
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.fileio import atomic_output
from archgym.proxy.encoding import FeatureSchema, IndexEncoder
from archgym.proxy.models import FeasibilityModel, PolyRidge, PolyTables, TargetModel

if TYPE_CHECKING:
    from archgym.space import ParameterSpace

FORMAT = "archgym-proxy"
FORMAT_VERSION = 2
#: the first line of a model file of format 2 and later: ``archgym-proxy <version>``
HEADER = FORMAT.encode() + b" "
#: per file format, the class paths its pickles name that have moved since: ``(module, name) -> module``
#: (a name of ``None`` matches every name in the module)
MOVED: dict[int, dict[tuple[str, str | None], str]] = {
    1: {
        ("archgym.proxy_models", None): "archgym.proxy.models",
        ("archgym.proxy_encoding", None): "archgym.proxy.encoding",
        ("archgym.proxy_trees", None): "archgym.proxy.trees",
        ("archgym.proxy", "ProxyModel"): "archgym.proxy.bundle",
        ("archgym.proxy", "Feature"): "archgym.proxy.encoding",
        ("archgym.proxy", "FeatureSchema"): "archgym.proxy.encoding",
        ("archgym.proxy", "TargetModel"): "archgym.proxy.models",
        ("archgym.proxy", "FeasibilityModel"): "archgym.proxy.models",
        ("archgym.proxy", "PolyRidge"): "archgym.proxy.models",
        ("archgym.proxy", "_NumpyMLP"): "archgym.proxy.models",
    },
    2: {},
}


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

        ``encoder`` (from :meth:`index_encoder`) fixes the space and workload.
        ``poly`` targets are summed from per-knob and per-knob-pair look-up
        tables (:class:`PolyTables`, built once per encoder) when the inputs
        have no derived features; the numbers are those of :meth:`predict` on
        the decoded designs up to float rounding (relative 1e-9).
        """
        idx = encoder.check(idx)
        values: dict[str, np.ndarray] = {}
        tables = self._poly_tables(encoder)
        if tables is not None:
            raw = tables(idx)
            for j, name in enumerate(tables.names):
                values[name] = self.targets[name].output(raw[:, j])
        if len(values) == len(self.targets) and self.feasibility is None:
            return values, np.ones(len(idx), dtype=bool)
        rest, feasible = self.predict_encoded(encoder.encode(idx), skip=tuple(values))
        values.update(rest)
        return {name: values[name] for name in self.targets}, feasible

    def _poly_tables(self, encoder: IndexEncoder) -> "PolyTables | None":
        """The look-up tables of this model's ``poly`` targets for ``encoder`` (cached on the encoder)."""
        key = id(self)
        cached = encoder.cache.get(key)
        if cached is None:
            names = [n for n, t in self.targets.items() if isinstance(t.estimator, PolyRidge)]
            tables = PolyTables.build(encoder, names, [self.targets[n].estimator for n in names]) if names else None
            cached = encoder.cache[key] = (tables,)
        return cached[0]

    def predict_encoded(self, x: np.ndarray, skip: Sequence[str] = ()) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Predicted metrics per target and a feasibility mask for an encoded input matrix.

        ``poly`` targets share one monomial expansion and one matrix product;
        ``skip`` names targets not to predict.
        """
        names = [n for n in self.targets if n not in skip]
        poly = [n for n in names if isinstance(self.targets[n].estimator, PolyRidge)]
        values: dict[str, np.ndarray] = {}
        if len(poly) > 1 and all(self.targets[n].estimator.raw_columns == self.targets[poly[0]].estimator.raw_columns
                                 for n in poly):
            ests = [self.targets[n].estimator for n in poly]
            raw = ests[0]._expand(x) @ np.stack([e.coef_ for e in ests], axis=1) + [e.intercept_ for e in ests]
            values.update((n, self.targets[n].output(raw[:, j])) for j, n in enumerate(poly))
        values = {n: values[n] if n in values else self.targets[n].predict(x) for n in names}
        feasible = self.feasibility.predict(x) if self.feasibility is not None else np.ones(len(x), dtype=bool)
        return values, feasible

    def fingerprint(self) -> str:
        """A short hash of the model's provenance and figures, recorded as the proxy's version."""
        text = repr((self.kind, self.env_id, self.env_version, self.simulator_version, self.workloads,
                     self.target_names, self.seed, self.dataset, self.trained_at))
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model in the current file format (temporary name, then atomic rename)."""
        payload = zlib.compress(pickle.dumps(replace(self, format_version=FORMAT_VERSION), protocol=5), 3)
        with atomic_output(path) as tmp:
            Path(tmp).write_bytes(HEADER + str(FORMAT_VERSION).encode() + b"\n" + payload)
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
    p = Path(path)
    if not p.is_file():
        raise UserError(f"no proxy model file at {p}")
    try:
        model = _read(p)
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, AttributeError, ImportError, zlib.error) as exc:
        raise UserError(f"{p}: not a readable proxy model ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, ProxyModel) or model.format != FORMAT:
        raise UserError(f"{p}: not an archgym proxy model")
    if env_id is not None:
        from archgym.registry import env_version as version_of

        model.check_env(env_id, version_of(env_id) if env_version is None else env_version, model.features.knobs)
    return model


def _moved(version: int, module: str, name: str) -> str:
    """The module that holds ``module.name`` now, for a pickle written in file format ``version``."""
    table = MOVED.get(version, {})
    return table.get((module, name)) or table.get((module, None)) or module


class _Unpickler(pickle.Unpickler):
    """Unpickles a model file of one format version, following the class moves since that version."""

    def __init__(self, file: Any, version: int):
        super().__init__(file)
        self.version = version

    def find_class(self, module: str, name: str) -> Any:
        return super().find_class(_moved(self.version, module, name), name)


_FORMAT1_LOCK = threading.Lock()


def _read(path: Path) -> Any:
    """The object in a model file of any format version (ValueError for a version newer than this code's)."""
    with open(path, "rb") as fh:
        head = fh.readline(64)
        if not head.startswith(HEADER):
            return _read_format1(path)
        version = int(head[len(HEADER):].strip() or b"0")
        if not 2 <= version <= FORMAT_VERSION:
            raise ValueError(f"file format {version}; this archgym reads formats 1 to {FORMAT_VERSION}")
        return _Unpickler(io.BytesIO(zlib.decompress(fh.read())), version).load()


def _read_format1(path: Path) -> Any:
    """A format-1 file: a joblib pickle, whose class paths are mapped through ``MOVED[1]`` while it loads."""
    import joblib
    from joblib.numpy_pickle import NumpyUnpickler

    original = NumpyUnpickler.find_class

    def find_class(self: Any, module: str, name: str) -> Any:
        return original(self, _moved(1, module, name), name)

    with _FORMAT1_LOCK:
        NumpyUnpickler.find_class = find_class  # joblib offers no unpickler argument
        try:
            return joblib.load(path)
        finally:
            NumpyUnpickler.find_class = original
