"""Metrics: the named, unit-carrying numbers a simulator returns for one design.

Metric names are snake_case with the unit as suffix (``latency_cycles``,
``energy_pj``, ``area_mm2``, ``bandwidth_gbps``); dimensionless metrics are
named plainly (``utilization``, ``row_hit_rate``). :func:`unit_of` derives
the unit from that suffix so the convention is written down once.

A design that cannot be built is reported as *infeasible with a reason*:
``Metrics.infeasible("tile does not fit the ifmap SRAM")``. Its values are
empty, ``feasible`` is False, and ``reason`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

#: unit suffixes recognised in metric names, longest first
_SUFFIX_UNITS = (
    ("_tokens_per_s", "tokens/s"),
    ("_cycles", "cycles"),
    ("_bytes", "bytes"),
    ("_gbps", "GB/s"),
    ("_mm2", "mm²"),
    ("_pj", "pJ"),
    ("_nj", "nJ"),
    ("_uj", "µJ"),
    ("_mj", "mJ"),
    ("_j", "J"),
    ("_mw", "mW"),
    ("_w", "W"),
    ("_ns", "ns"),
    ("_us", "µs"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_count", "count"),
)


def unit_of(name: str) -> str:
    """Unit implied by a metric name's suffix (``""`` for dimensionless)."""
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return ""


@dataclass(frozen=True)
class MetricSpec:
    """Declaration of one metric a simulator reports.

    ``unit_override`` is only for names fixed by another tool (DRAMGym's
    ``energy``/``power``/``latency``); archgym's own names carry their unit as
    a suffix.
    """

    name: str
    help: str = ""
    lower_is_better: bool = True
    unit_override: str | None = None

    @property
    def unit(self) -> str:
        return unit_of(self.name) if self.unit_override is None else self.unit_override


class Metrics(Mapping[str, float]):
    """Read-only mapping from metric name to float, with units and feasibility.

    Example:
        >>> m = Metrics({"latency_cycles": 1200.0, "area_mm2": 1.5})
        >>> m["latency_cycles"], m.unit("area_mm2"), m.feasible
        (1200.0, 'mm²', True)
        >>> Metrics.infeasible("no tile fits").reason
        'no tile fits'
    """

    __slots__ = ("_values", "_feasible", "_reason", "_predicted")

    def __init__(
        self,
        values: Mapping[str, float] | None = None,
        *,
        feasible: bool = True,
        reason: str = "",
        predicted: bool = False,
    ):
        self._values = {str(k): float(v) for k, v in (values or {}).items()}
        self._feasible = bool(feasible)
        self._reason = str(reason)
        self._predicted = bool(predicted)
        if not self._feasible and not self._reason:
            raise ValueError("an infeasible result must carry a reason")

    @classmethod
    def from_floats(cls, values: dict[str, float], *, predicted: bool = False) -> "Metrics":
        """A feasible result that takes ownership of ``values`` as given: names already ``str``, values ``float``.

        For simulators that build many results from numeric tables (whose
        ``tolist()`` rows are Python floats): the same object as
        ``Metrics(values)`` without copying and converting every entry. The
        caller must not modify ``values`` afterwards.
        """
        m = cls.__new__(cls)
        m._values, m._feasible, m._reason, m._predicted = values, True, "", bool(predicted)
        return m

    @classmethod
    def infeasible(cls, reason: str, values: Mapping[str, float] | None = None) -> "Metrics":
        """An infeasible result; ``values`` may hold diagnostics but is usually empty."""
        return cls(values, feasible=False, reason=reason)

    def __getitem__(self, name: str) -> float:
        try:
            return self._values[name]
        except KeyError:
            if not self._feasible:
                raise KeyError(f"metric {name!r} is undefined: design infeasible ({self._reason})") from None
            raise KeyError(f"unknown metric {name!r}; available: {', '.join(self._values)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        if not self._feasible:
            return f"Metrics.infeasible({self._reason!r})"
        body = ", ".join(f"{k}={v:.6g}" for k, v in self._values.items())
        return f"Metrics({body})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Metrics):
            return NotImplemented
        return (self._values, self._feasible, self._reason) == (other._values, other._feasible, other._reason)

    __hash__ = None  # type: ignore[assignment]

    @property
    def feasible(self) -> bool:
        return self._feasible

    @property
    def reason(self) -> str:
        return self._reason

    @property
    def predicted(self) -> bool:
        """True when the values come from a proxy model rather than a simulator."""
        return self._predicted

    def unit(self, name: str) -> str:
        return unit_of(name)

    def units(self) -> dict[str, str]:
        return {k: unit_of(k) for k in self._values}

    def to_dict(self) -> dict[str, float]:
        return dict(self._values)
