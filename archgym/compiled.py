"""Optional numba compilation of the few hot loops (DRAM kernel, HEFT, tree ensembles).

numba is an optional dependency (``pip install archgym[fast]``): without it the
decorated functions run as plain Python and give the same results, only
slower. Compiled code is cached on disk and releases the GIL, so callers may
run it concurrently in threads.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

try:
    from numba import njit
except ImportError:  # pragma: no cover - exercised only without numba
    njit = None

F = TypeVar("F", bound=Callable[..., Any])

#: whether :func:`jit` compiles (numba is installed)
AVAILABLE = njit is not None


def jit(func: F) -> F:
    """Compile ``func`` lazily with numba (cached, GIL released) when numba is installed."""
    return njit(cache=True, nogil=True)(func) if njit is not None else func


def jit_inline(func: F) -> F:
    """Like :func:`jit`, and inlined into its compiled callers."""
    return njit(cache=True, inline="always")(func) if njit is not None else func
