"""Errors that mean "the user asked for something wrong", as opposed to a bug.

The CLI prints a :class:`UserError` as one line and exits with code 2; library
callers get an ordinary exception (it subclasses ``ValueError``).
"""

from __future__ import annotations

from typing import Iterable


class UserError(ValueError):
    """Bad input from the user: unknown name, malformed file, bad value."""


def unknown_choice(what: str, value: object, choices: Iterable[object]) -> UserError:
    """A :class:`UserError` for a name that is not among the valid choices."""
    listed = ", ".join(str(c) for c in choices)
    return UserError(f"unknown {what} {value!r}; valid choices: {listed}")
