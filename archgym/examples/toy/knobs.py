"""The toy simulator's design space: one knob of each kind (power-of-two, ordered integer, categorical)."""

from __future__ import annotations

from archgym.space import ParameterSpace, categorical, integer, pow2

SPACE = ParameterSpace([
    pow2("size", 1, 128, default=8, unit="B", help="a power-of-two size"),
    integer("count", [1, 2, 3, 4, 5, 6], default=1, help="an ordered count"),
    categorical("colour", ["red", "green", "blue"], default="blue", help="a label"),
])
