"""How a proxy model sees a design: the feature schema and the action-index encoder.

:class:`FeatureSchema` turns designs (dicts, record frames, or column-wise
values) into the input matrix: numeric knobs as numbers (``log2`` for
power-of-two-like ranges), two-valued categorical knobs as one 0/1 column,
other categorical knobs and the workload one-hot, then the simulator's
optional derived design features. :class:`IndexEncoder` builds the same
matrix from ``(n, n_knobs)`` action-index arrays by table look-up.
Re-exported by :mod:`archgym.proxy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.records import DESIGN_PREFIX

if TYPE_CHECKING:
    import pandas as pd

    from archgym.space import ParameterSpace

#: a numeric knob spanning at least this ratio (max/min, all positive) is encoded as log2
LOG_FEATURE_RATIO = 16.0


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
    """The encoding of designs (and workloads) into the model's input matrix.

    ``derived`` is the simulator's optional derived-feature function
    (:meth:`archgym.simulator.Simulator.proxy_features`): its columns follow
    the knobs' in every encoded row.
    """

    features: tuple[Feature, ...]
    derived: Any = None

    @property
    def width(self) -> int:
        """Columns of the input matrix."""
        return sum(f.width for f in self.features) + (len(self.derived.names) if self.derived is not None else 0)

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

        ``features`` restricts the columns to those of a subset of the schema's
        features (and leaves out the derived ones).
        """
        full = features is None
        features = self.features if features is None else features
        width = self.width if full else sum(f.width for f in features)
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
        if full and self.derived is not None:
            x[:, j:] = self.derived(columns, n)
        return x

    def encode_frame(self, df: "pd.DataFrame") -> np.ndarray:
        """Input matrix of records (knob columns ``design.<knob>``, and ``workload``)."""
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
        base = np.zeros(self.width, dtype=np.float64)
        columns = {f.name: (slice(int(offsets[i]), int(offsets[i + 1])), f) for i, f in enumerate(self.features)}
        if "workload" in columns:
            cols, f = columns["workload"]
            base[cols] = self.encode({"workload": [workload]}, 1, (f,))[0]
        tables = tuple((k, columns[name][0], self.encode({name: list(grid)}, len(grid), (columns[name][1],)))
                       for k, (name, grid) in enumerate(grids.items()) if name in columns)
        values = tuple((k, name, _object_array(grid)) for k, (name, grid) in enumerate(grids.items()))
        return IndexEncoder(base, tables, np.array([len(g) for g in grids.values()], dtype=np.int64),
                            self.derived, values, int(offsets[-1]))

    @property
    def log_columns(self) -> list[int]:
        """Input-matrix columns that hold a ``log2``-encoded knob."""
        offsets = np.cumsum([0] + [f.width for f in self.features])[:-1]
        return [int(o) for o, f in zip(offsets, self.features) if f.kind == "numeric" and f.log]

    def describe(self) -> dict[str, str]:
        """The transform of every input: ``log2``, ``linear``, ``one-hot(k)``, ``binary(a|b)`` or ``derived``."""
        out = {f.name: ("log2" if f.log else "linear") if f.kind == "numeric" else
               f"binary({'|'.join(f.categories)})" if f.kind == "binary" else f"one-hot({f.width})"
               for f in self.features}
        for name in self.derived.names if self.derived is not None else ():
            out[name] = "derived"
        return out


def _object_array(values: Sequence[Any]) -> np.ndarray:
    """A 1-d array of the values as they are (no numpy type coercion of mixed values)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@dataclass(frozen=True)
class IndexEncoder:
    """The input matrix of designs given as action indices, by table look-up (no design dicts).

    Built by :meth:`FeatureSchema.index_encoder`: ``base`` is the row every
    design shares (the workload's one-hot), and ``tables`` holds, per knob in
    the space's order, its position in the index array, the input columns it
    fills and the encoded row of each of its choices (knobs the model does not
    read have no table). With ``derived`` features, ``values`` holds each
    knob's position, name and choices, and the derived columns (from
    ``derived_at`` on) are computed from the gathered knob values.
    """

    base: np.ndarray
    tables: tuple[tuple[int, slice, np.ndarray], ...]
    nvec: np.ndarray
    derived: Any = None
    values: tuple[tuple[int, str, np.ndarray], ...] = ()
    derived_at: int = 0
    cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def check(self, idx: np.ndarray) -> np.ndarray:
        """``idx`` as an array, checked.

        Raises:
            ValueError: wrong shape or an index out of a knob's range.
        """
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[1] != len(self.nvec) or idx.dtype.kind not in "iu":
            raise ValueError(f"expected an integer array of shape (n, {len(self.nvec)}), got "
                             f"{idx.dtype} {idx.shape}")
        if idx.size and ((idx < 0).any() or (idx >= self.nvec).any()):
            raise ValueError(f"action index out of range; the knobs have {self.nvec.tolist()} choices")
        return idx

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        """The ``(n, width)`` input matrix of a ``(n, n_knobs)`` array of choice indices.

        Raises:
            ValueError: wrong shape or an index out of a knob's range.
        """
        return self.encode(self.check(idx))

    def encode(self, idx: np.ndarray) -> np.ndarray:
        """:meth:`__call__` without the checks (``idx`` already checked)."""
        x = np.empty((len(idx), len(self.base)), dtype=np.float64)
        x[:] = self.base
        for k, cols, table in self.tables:
            x[:, cols] = table[idx[:, k]]
        if self.derived is not None:
            x[:, self.derived_at:] = self.derived({name: grid[idx[:, k]] for k, name, grid in self.values}, len(idx))
        return x
