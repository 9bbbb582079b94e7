"""Design spaces: every simulator declares its knobs once, here.

A :class:`ParameterSpace` is an ordered list of :class:`Knob` declarations.
Everything else a user or an agent sees is derived from that one declaration:
the Gymnasium action spaces (``MultiDiscrete`` for one-shot steps, ``Dict`` for
people), Optuna distributions, dataset column types, CLI help and the knob
table in each environment's docstring.

Example:
    >>> space = ParameterSpace([
    ...     pow2("pe_rows", 4, 64, default=16, help="systolic array rows"),
    ...     categorical("dataflow", ["ws", "os", "is"], default="ws"),
    ... ])
    >>> space.validate({"pe_rows": 32})
    {'pe_rows': 32, 'dataflow': 'ws'}
    >>> space.decode(space.encode({"pe_rows": 32, "dataflow": "os"}))
    {'pe_rows': 32, 'dataflow': 'os'}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator, Literal, Mapping, Sequence

import numpy as np

if TYPE_CHECKING:
    import gymnasium

KnobKind = Literal["categorical", "integer", "pow2", "float"]

#: Discretisation used for float knobs in the ``MultiDiscrete`` action space.
DEFAULT_FLOAT_LEVELS = 16


def _fmt_choices(choices: Sequence[Any], limit: int = 12) -> str:
    items = [repr(c) if isinstance(c, str) else str(c) for c in choices]
    if len(items) > limit:
        items = items[: limit // 2] + ["..."] + items[-limit // 2 :]
    return "[" + ", ".join(items) + "]"


@dataclass(frozen=True)
class Knob:
    """One design knob: its name, kind, allowed values, default, unit and meaning.

    Build knobs with :func:`categorical`, :func:`integer`, :func:`pow2` or
    :func:`float_range` rather than directly.

    Attributes:
        name: identifier used in designs, records and the CLI.
        kind: ``categorical`` (unordered labels), ``integer`` (ordered integer
            choices), ``pow2`` (powers of two between two bounds) or ``float``
            (a continuous range, discretised into ``levels`` points for
            ``MultiDiscrete`` actions).
        choices: the allowed values, in order (empty for ``float``).
        default: the value a design takes when it does not name this knob.
        unit: physical unit of the value, ``""`` when dimensionless.
        help: one-line meaning.
        low, high, log, levels: range of a ``float`` knob.
        note: when the knob applies (e.g. "only with Arbiter=Fifo|Reorder").
    """

    name: str
    kind: KnobKind
    choices: tuple[Any, ...]
    default: Any
    unit: str = ""
    help: str = ""
    low: float | None = None
    high: float | None = None
    log: bool = False
    levels: int = DEFAULT_FLOAT_LEVELS
    note: str = ""

    @property
    def ordered(self) -> bool:
        """True when the values have an order a model-based search can use."""
        return self.kind != "categorical"

    @property
    def n(self) -> int:
        """Number of discrete action indices for this knob."""
        return self.levels if self.kind == "float" else len(self.choices)

    def grid(self) -> tuple[Any, ...]:
        """The discrete values behind the action indices."""
        if self.kind != "float":
            return self.choices
        assert self.low is not None and self.high is not None
        if self.log:
            pts = np.geomspace(self.low, self.high, self.levels)
        else:
            pts = np.linspace(self.low, self.high, self.levels)
        return tuple(float(p) for p in pts)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "float":
            return f"a float in [{self.low}, {self.high}]"
        return f"one of {_fmt_choices(self.choices)}"

    def check(self, value: Any) -> Any:
        """Return ``value`` in canonical form, or raise ``ValueError`` naming the knob."""
        if self.kind != "float":
            try:  # a value equal to a choice (the common case) is one dictionary look-up
                return self._canonical[value]
            except (KeyError, TypeError):  # not a choice as it is (or unhashable): the general rules decide
                pass
        return self._check(value)

    @cached_property
    def _canonical(self) -> dict[Any, Any]:
        """Each choice mapped to its canonical form under :meth:`_check`; equal values hash alike."""
        return {c: self._check(c) for c in self.choices}

    def _check(self, value: Any) -> Any:
        """:meth:`check`'s rules: floats within the range, labels up to case, integral numbers among the choices."""
        if self.kind == "float":
            try:
                v = float(value)
            except (TypeError, ValueError):
                v = math.nan
            assert self.low is not None and self.high is not None
            if not (self.low <= v <= self.high):
                raise ValueError(f"knob {self.name!r}: {value!r} is not allowed; expected {self.allowed()}")
            return v
        if self.kind == "categorical":
            for c in self.choices:
                if value == c or (isinstance(value, str) and str(c).lower() == value.lower()):
                    return c
        else:
            try:
                v = int(value) if float(value) == int(float(value)) else None
            except (TypeError, ValueError, OverflowError):
                v = None
            if v is not None and v in self.choices:
                return v
        raise ValueError(f"knob {self.name!r}: {value!r} is not allowed; expected {self.allowed()}")

    def index(self, value: Any) -> int:
        """Action index of ``value`` (nearest grid point for floats)."""
        v = self.check(value)
        if self.kind == "float":
            return int(np.argmin(np.abs(np.asarray(self.grid()) - v)))
        return self.choices.index(v)

    def describe_values(self) -> str:
        """Compact rendering of the value set for tables."""
        if self.kind == "float":
            return f"{self.low} .. {self.high}" + (" (log)" if self.log else "")
        if self.kind == "pow2":
            return f"{self.choices[0]}, {self.choices[1]}, ..., {self.choices[-1]} (powers of 2)"
        return ", ".join(str(c) for c in self.choices)


def categorical(name: str, choices: Sequence[str], default: str, help: str = "", note: str = "") -> Knob:
    """An unordered knob whose values are labels (e.g. a dataflow or a policy)."""
    return _checked(Knob(name, "categorical", tuple(choices), default, "", help, note=note))


def integer(
    name: str, choices: Sequence[int], default: int, unit: str = "", help: str = "", note: str = ""
) -> Knob:
    """An ordered knob over an explicit list of integers (sizes, counts)."""
    return _checked(Knob(name, "integer", tuple(int(c) for c in choices), int(default), unit, help, note=note))


def pow2(name: str, low: int, high: int, default: int, unit: str = "", help: str = "", note: str = "") -> Knob:
    """An ordered knob over the powers of two from ``low`` to ``high`` inclusive."""
    if low <= 0 or high < low or low & (low - 1) or high & (high - 1):
        raise ValueError(f"knob {name!r}: pow2 bounds must be powers of two with low <= high, got {low}, {high}")
    choices = tuple(1 << e for e in range(low.bit_length() - 1, high.bit_length()))
    return _checked(Knob(name, "pow2", choices, int(default), unit, help, note=note))


def float_range(
    name: str,
    low: float,
    high: float,
    default: float,
    unit: str = "",
    help: str = "",
    log: bool = False,
    levels: int = DEFAULT_FLOAT_LEVELS,
    note: str = "",
) -> Knob:
    """A continuous knob in ``[low, high]`` (log-scaled if ``log``)."""
    if not low < high:
        raise ValueError(f"knob {name!r}: float range needs low < high, got {low}, {high}")
    return _checked(
        Knob(name, "float", (), float(default), unit, help, float(low), float(high), log, int(levels), note)
    )


def _checked(knob: Knob) -> Knob:
    if knob.kind != "float" and len(set(knob.choices)) != len(knob.choices):
        raise ValueError(f"knob {knob.name!r}: duplicate choices {knob.choices}")
    knob.check(knob.default)
    return knob


@dataclass(frozen=True)
class ParameterSpace:
    """An ordered set of knobs: the single declaration of a design space."""

    knobs: tuple[Knob, ...]
    _by_name: dict[str, Knob] = field(init=False, repr=False, compare=False)
    #: per knob ``(name, choice -> canonical value, knob, default)``: what :meth:`validate` reads
    _validators: tuple[tuple[str, dict[Any, Any], Knob, Any], ...] = field(init=False, repr=False, compare=False)

    def __init__(self, knobs: Sequence[Knob]):
        object.__setattr__(self, "knobs", tuple(knobs))
        by_name = {k.name: k for k in self.knobs}
        if len(by_name) != len(self.knobs):
            raise ValueError("duplicate knob names in parameter space")
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_validators", tuple(
            (k.name, {} if k.kind == "float" else k._canonical, k, k.default) for k in self.knobs
        ))

    # -- mapping-like access ------------------------------------------------
    def __iter__(self) -> Iterator[Knob]:
        return iter(self.knobs)

    def __len__(self) -> int:
        return len(self.knobs)

    def __getitem__(self, name: str) -> Knob:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown knob {name!r}; valid knobs: {', '.join(self.names)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return [k.name for k in self.knobs]

    @property
    def nvec(self) -> np.ndarray:
        """Number of choices per knob, in declaration order."""
        return np.array([k.n for k in self.knobs], dtype=np.int64)

    @property
    def size(self) -> int:
        """Number of distinct discrete designs (float knobs count their grid levels)."""
        return int(math.prod(int(n) for n in self.nvec))

    def defaults(self) -> dict[str, Any]:
        return {k.name: k.default for k in self.knobs}

    # -- validation and encoding --------------------------------------------
    def validate(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """Canonical complete design: unknown knobs and bad values raise ``ValueError``.

        Knobs the design does not name take their defaults.
        """
        out = {}
        named = 0
        for name, canonical, knob, default in self._validators:
            if name not in design:
                out[name] = default
                continue
            named += 1
            value = design[name]
            try:  # Knob.check's first step, inlined: this runs once per knob of every design evaluated
                out[name] = canonical[value]
            except (KeyError, TypeError):
                try:
                    out[name] = knob.check(value)
                except ValueError:
                    self._reject_unknown(design)  # an unknown knob is reported before a bad value
                    raise
        if named != len(design):
            self._reject_unknown(design)
        return out

    def _reject_unknown(self, design: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` naming the first knob of ``design`` this space does not have, if any."""
        unknown = [n for n in design if n not in self._by_name]
        if unknown:
            raise ValueError(f"unknown knob {unknown[0]!r}; valid knobs: {', '.join(self.names)}")

    def encode(self, design: Mapping[str, Any]) -> np.ndarray:
        """Action indices (``MultiDiscrete``) of a design."""
        d = self.validate(design)
        return np.array([k.index(d[k.name]) for k in self.knobs], dtype=np.int64)

    def decode(self, action: Sequence[int] | np.ndarray | Mapping[str, Any]) -> dict[str, Any]:
        """Design from ``MultiDiscrete`` indices or a ``Dict``-space action."""
        if isinstance(action, Mapping):
            idx = [action[k.name] for k in self.knobs]
        else:
            idx = list(np.asarray(action).reshape(-1))
            if len(idx) != len(self.knobs):
                raise ValueError(f"action has {len(idx)} entries; this space has {len(self.knobs)} knobs")
        design = {}
        for k, i in zip(self.knobs, idx):
            if k.kind == "float" and isinstance(i, (np.ndarray, float)) and np.asarray(i).dtype.kind == "f":
                design[k.name] = k.check(float(np.asarray(i).reshape(-1)[0]))
                continue
            i = int(np.asarray(i).reshape(-1)[0])
            if not 0 <= i < k.n:
                raise ValueError(f"knob {k.name!r}: action index {i} out of range [0, {k.n - 1}]")
            design[k.name] = k.grid()[i]
        return design

    def decode_batch(self, actions: np.ndarray) -> list[dict[str, Any]]:
        """Designs from a ``(n, n_knobs)`` array of indices."""
        grids = [k.grid() for k in self.knobs]
        actions = np.asarray(actions, dtype=np.int64)
        return [{k.name: g[i] for k, g, i in zip(self.knobs, grids, row)} for row in actions]

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """A uniformly random design over the discrete grid."""
        return self.decode(rng.integers(0, self.nvec))

    # -- derived views -------------------------------------------------------
    def multidiscrete_space(self, seed: int | None = None) -> "gymnasium.spaces.MultiDiscrete":
        from gymnasium import spaces

        return spaces.MultiDiscrete(self.nvec, seed=seed)

    def dict_space(self, seed: int | None = None) -> "gymnasium.spaces.Dict":
        """A ``Dict`` of one ``Discrete`` per knob (``Box`` for float knobs)."""
        from gymnasium import spaces

        parts: dict[str, gymnasium.Space] = {}
        for k in self.knobs:
            if k.kind == "float":
                parts[k.name] = spaces.Box(np.float32(k.low), np.float32(k.high), shape=(1,), dtype=np.float32)
            else:
                parts[k.name] = spaces.Discrete(k.n)
        return spaces.Dict(parts, seed=seed)

    def optuna_distributions(self) -> dict[str, Any]:
        """Optuna distributions: categoricals stay categorical, ordered knobs keep their order.

        Ordered integer knobs become an ``IntDistribution`` over the index of
        the choice (so ``pe_rows`` in 1..256 is searched as 0..8 and the
        order is visible to TPE/GP/CMA-ES); use :meth:`from_optuna` to map a
        trial's params back to a design.
        """
        import optuna.distributions as od

        out: dict[str, Any] = {}
        for k in self.knobs:
            if k.kind == "categorical":
                out[k.name] = od.CategoricalDistribution(list(k.choices))
            elif k.kind == "float":
                out[k.name] = od.FloatDistribution(k.low, k.high, log=k.log)
            else:
                out[k.name] = od.IntDistribution(0, k.n - 1)
        return out

    def from_optuna(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Design from the params of a trial sampled with :meth:`optuna_distributions`."""
        d = {}
        for k in self.knobs:
            v = params[k.name]
            d[k.name] = k.choices[int(v)] if k.kind in ("integer", "pow2") else k.check(v)
        return d

    def to_optuna(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """Params of :meth:`optuna_distributions` for a design (inverse of :meth:`from_optuna`)."""
        d = self.validate(design)
        return {k.name: k.choices.index(d[k.name]) if k.kind in ("integer", "pow2") else d[k.name] for k in self.knobs}

    def column_types(self) -> dict[str, str]:
        """Arrow/pandas column type per knob, for datasets: ``string``, ``int64`` or ``float64``."""
        return {
            k.name: {"categorical": "string", "float": "float64"}.get(k.kind, "int64") for k in self.knobs
        }

    def table(self) -> list[dict[str, str]]:
        """Rows describing each knob (for the CLI and docs)."""
        return [
            {
                "knob": k.name,
                "kind": k.kind,
                "values": k.describe_values(),
                "default": str(k.default),
                "unit": k.unit,
                "meaning": k.help + (f" ({k.note})" if k.note else ""),
            }
            for k in self.knobs
        ]

    def markdown_table(self) -> str:
        """The knob table as Markdown, used in environment docstrings."""
        rows = [{k: v.replace("|", "\\|") for k, v in r.items()} for r in self.table()]
        head = "| knob | kind | values | default | unit | meaning |\n| --- | --- | --- | --- | --- | --- |\n"
        return head + "\n".join(
            f"| `{r['knob']}` | {r['kind']} | {r['values']} | {r['default']} | {r['unit']} | {r['meaning']} |"
            for r in rows
        )
