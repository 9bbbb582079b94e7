"""Optional numba compilation of the few hot loops (DRAM kernel, HEFT, tree ensembles).

The policy, the same for every kernel: numba is an optional dependency
(``pip install 'archgym[fast]'``). Without it every decorated function runs as
plain Python and gives the same results, only slower; nothing refuses to run.
Where the slow-down matters (the DRAM controller model: about 1 s per design
instead of milliseconds), the first use logs one warning saying so and how to
install numba (:func:`warn_uncompiled`). Compiled code is cached on disk and
releases the GIL, so callers may run it concurrently in threads.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

try:
    from numba import njit
except ImportError:  # pragma: no cover - exercised only without numba
    njit = None

F = TypeVar("F", bound=Callable[..., Any])

#: whether :func:`jit` compiles (numba is installed)
AVAILABLE = njit is not None

log = logging.getLogger(__name__)
_warned: list[str] = []


def jit(func: F) -> F:
    """Compile ``func`` lazily with numba (cached, GIL released) when numba is installed."""
    return njit(cache=True, nogil=True)(func) if njit is not None else func


def jit_inline(func: F) -> F:
    """Like :func:`jit`, and inlined into its compiled callers."""
    return njit(cache=True, inline="always")(func) if njit is not None else func


def warn_uncompiled(what: str, slowdown: str) -> None:
    """Log once per ``what`` that it runs as plain Python, ``slowdown``, when numba is missing."""
    if AVAILABLE or what in _warned:
        return
    _warned.append(what)
    log.warning("numba is not installed: %s runs as plain Python (same results, %s); "
                "install it with pip install 'archgym[fast]'", what, slowdown)
