"""Errors that mean "the user asked for something wrong", as opposed to a bug.

The CLI prints a :class:`UserError` as one line and exits with code 2; library
callers get an ordinary exception (it subclasses ``ValueError``).
"""

from __future__ import annotations

import math
from typing import Any, Iterable


class UserError(ValueError):
    """Bad input from the user: unknown name, malformed file, bad value."""


def unknown_choice(what: str, value: object, choices: Iterable[object]) -> UserError:
    """A :class:`UserError` for a name that is not among the valid choices."""
    listed = ", ".join(str(c) for c in choices)
    return UserError(f"unknown {what} {value!r}; valid choices: {listed}")


def finite(name: str, value: Any) -> float:
    """``value`` as a float, or a :class:`UserError` naming ``name`` if it is not a finite number."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise UserError(f"{name} must be a finite number, got {value!r}")
    return v


def whole_number(name: str, value: Any, low: int) -> int:
    """``value`` as an int >= ``low``, or a :class:`UserError` naming ``name`` (NaN, 2.5, "abc", True refused)."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if not is_int:
        try:
            is_int = float(value).is_integer() and not isinstance(value, (bool, str))
        except (TypeError, ValueError):
            is_int = False
    if not is_int or int(value) < low:
        raise UserError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)
