"""One layer of a network in ZigZag's loop names, and its derived sizes.

A layer is the loop nest ``for B, K, C, OY, OX, FY, FX: O[B,K,OY,OX] +=
I[B,C,OY*s+FY,OX*s+FX] * W[K,C,FY,FX]`` split into ``groups`` independent
groups (``C`` and ``K`` are totals over the groups).

* Depthwise convolution (MobileNetV2): ``groups = C = K`` (channel multiplier
  ``K / C``); each group reduces over one channel only.
* GEMM ``(M x Kd) @ (Kd x N)``: ``K = N, C = Kd, OX = M, OY = FY = FX = 1``.
  A batched GEMM (attention heads) is a grouped GEMM with ``groups = heads``.
* Fully connected layers are GEMMs with ``M = B``.

No padding appears: ``OY``/``OX`` are the output sizes, and the input window
a tile needs is derived from them and the stride.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping

from archgym.errors import UserError

#: loop-size fields of a layer, in ZigZag's names
LOOP_FIELDS: tuple[str, ...] = ("K", "C", "OY", "OX", "FY", "FX", "stride", "groups", "B")
_REQUIRED = ("K", "C", "OY", "OX")


class FieldError(UserError):
    """A bad value in one field of a layer; ``field`` names it so file loaders can point at the column."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field
_DEFAULTS = {"FY": 1, "FX": 1, "stride": 1, "groups": 1, "B": 1}


@dataclass(frozen=True)
class Layer:
    """A convolution / GEMM layer (sizes are totals over groups)."""

    name: str
    K: int
    C: int
    OY: int
    OX: int
    FY: int = 1
    FX: int = 1
    stride: int = 1
    groups: int = 1
    B: int = 1

    def __post_init__(self) -> None:
        for f in LOOP_FIELDS:
            v = getattr(self, f)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise FieldError(f"layer {self.name!r}: {f} must be a positive integer, got {v!r}", f)
        if self.C % self.groups or self.K % self.groups:
            raise FieldError(
                f"layer {self.name!r}: groups={self.groups} must divide C={self.C} and K={self.K}", "groups"
            )

    # -- per-group sizes (what one group's loop nest sees) -------------------
    @property
    def Kg(self) -> int:
        """Output channels per group."""
        return self.K // self.groups

    @property
    def Cg(self) -> int:
        """Input channels per group."""
        return self.C // self.groups

    @property
    def IY(self) -> int:
        """Input rows the layer reads."""
        return input_extent(self.OY, self.FY, self.stride)

    @property
    def IX(self) -> int:
        """Input columns the layer reads."""
        return input_extent(self.OX, self.FX, self.stride)

    @property
    def window(self) -> int:
        """Reduction length of one output: ``Cg * FY * FX``."""
        return self.Cg * self.FY * self.FX

    @property
    def pixels(self) -> int:
        """Output pixels per output channel: ``B * OY * OX``."""
        return self.B * self.OY * self.OX

    @property
    def macs(self) -> int:
        return self.groups * self.Kg * self.window * self.pixels

    @property
    def filter_elems(self) -> int:
        return self.K * self.window

    @property
    def ifmap_elems(self) -> int:
        return self.B * self.C * self.IY * self.IX

    @property
    def ofmap_elems(self) -> int:
        return self.B * self.K * self.OY * self.OX

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """The loop sizes alone (layers with equal shapes cost the same)."""
        return tuple(getattr(self, f) for f in LOOP_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{f: getattr(self, f) for f in LOOP_FIELDS}}


def input_extent(out: int, f: int, stride: int) -> int:
    """Input rows covered by ``out`` output rows: ``(out-1)*stride + f``, or ``out*f`` if windows do not overlap."""
    return min((out - 1) * stride + f, out * f)


def _as_int(name: str, field: str, value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError(f"layer {name!r}: {field} must be a positive integer, got {value!r}", field)
    try:
        f = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise FieldError(f"layer {name!r}: {field} must be a positive integer, got {value!r}", field) from None
    if not f.is_integer() or f < 1:
        raise FieldError(f"layer {name!r}: {field} must be a positive integer, got {value!r}", field)
    return int(f)


def layer_from_mapping(spec: Mapping[str, Any], default_name: str = "layer") -> Layer:
    """A :class:`Layer` from a mapping with ZigZag keys.

    Required: ``K, C, OY, OX``; optional ``FY, FX, stride`` (default 1),
    ``groups`` (alias ``G``), ``depthwise`` (true sets ``groups = C``), ``B``
    and ``name``. Raises :class:`~archgym.errors.UserError` naming the field.
    """
    if not isinstance(spec, Mapping):
        raise UserError(f"layer {default_name!r}: expected a mapping of loop sizes, got {type(spec).__name__}")
    name = str(spec.get("name", default_name))
    known = set(LOOP_FIELDS) | {"name", "G", "depthwise"}
    unknown = [k for k in spec if k not in known]
    if unknown:
        raise FieldError(
            f"layer {name!r}: unknown field {unknown[0]!r}; valid fields: {', '.join(sorted(known))}", str(unknown[0])
        )
    missing = [k for k in _REQUIRED if k not in spec or spec[k] is None or str(spec[k]).strip() == ""]
    if missing:
        raise FieldError(f"layer {name!r}: missing field {missing[0]!r} (required: {', '.join(_REQUIRED)})", missing[0])
    vals = {f: _as_int(name, f, spec[f]) for f in _REQUIRED}
    for f, d in _DEFAULTS.items():
        v = spec.get(f)
        if f == "groups" and v is None:
            v = spec.get("G")
        vals[f] = d if v is None or str(v).strip() == "" else _as_int(name, f, v)
    dw = spec.get("depthwise", False)
    if isinstance(dw, str):
        dw = dw.strip().lower() in ("1", "true", "yes", "y")
    if dw:
        vals["groups"] = vals["C"]
    return Layer(name=name, **vals)
