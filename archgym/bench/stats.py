"""Aggregate statistics across tasks and seeds, computed by rliable.

rliable (Agarwal et al., "Deep RL at the edge of the statistical precipice",
NeurIPS 2021) gives the interquartile mean with stratified-bootstrap
confidence intervals (each task a stratum, so every resample keeps every
task), performance profiles and the probability of improvement. archgym only
arranges scores into rliable's ``{agent: array(runs, tasks)}`` form.

Scores are *normalised scores* ``1 - regret`` (1 at the optimum, 0 at the
median random design), so higher is better as rliable expects.

Bootstraps draw from a ``RandomState`` seeded here, so a report is the same on
every run.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping

import numpy as np

#: bootstrap resamples for confidence intervals
REPS = 2000
#: seed of the bootstrap resampling
BOOTSTRAP_SEED = 0


@contextlib.contextmanager
def _pandas3_shim() -> Iterator[None]:
    """Let ``arch`` < 8 (rliable's pinned bootstrap library) import under pandas >= 3.

    arch 7 decorates a plotting method at import time with
    ``pandas.util._decorators.deprecate_kwarg(old, new)``, a private helper whose
    pandas 3 form takes a warning class first; the import fails with a
    TypeError. During the import only, a call in the old form is forwarded in
    the new one. arch 8 no longer needs this, but rliable 1.2 requires arch < 8.
    """
    try:
        import pandas.util._decorators as decorators
    except ImportError:
        yield
        return
    original = decorators.deprecate_kwarg

    def compatible(*args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], str):
            return original(FutureWarning, *args, **kwargs)
        return original(*args, **kwargs)

    decorators.deprecate_kwarg = compatible
    try:
        yield
    finally:
        decorators.deprecate_kwarg = original


def rliable() -> tuple[Any, Any]:
    """rliable's ``library`` and ``metrics`` modules (imported on first use)."""
    try:
        from rliable import library, metrics
    except TypeError:
        with _pandas3_shim():
            from rliable import library, metrics
    return library, metrics


def _state() -> np.random.RandomState:
    return np.random.RandomState(BOOTSTRAP_SEED)


def _interval_estimates(scores: Mapping[str, Any], func: Any, reps: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """rliable's stratified-bootstrap point and interval estimates, with a fixed seed."""
    import warnings

    library, _ = rliable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # arch's notice that RandomState is being phased out
        return library.get_interval_estimates(dict(scores), func, reps=reps, random_state=_state())


def iqm(scores: Mapping[str, np.ndarray], reps: int = REPS) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Interquartile mean per agent and its 95% stratified-bootstrap interval; scores are ``(runs, tasks)``."""
    _, metrics = rliable()
    point, ci = _interval_estimates(scores, lambda x: np.array([metrics.aggregate_iqm(x)]), reps)
    return {k: float(v[0]) for k, v in point.items()}, {k: ci[k][:, 0] for k in ci}


def iqm_curve(scores: list[np.ndarray], reps: int = REPS) -> tuple[np.ndarray, np.ndarray]:
    """IQM at each point of a curve and its 95% band; ``scores[k]`` is ``(runs, tasks)`` at point ``k``.

    One stratified bootstrap resamples the same runs at every point, so the
    band is that of the curve, not of unrelated points.
    """
    _, metrics = rliable()
    point, ci = _interval_estimates({"curve": list(scores)},
                                    lambda *xs: np.array([metrics.aggregate_iqm(x) for x in xs]), reps)
    return point["curve"], ci["curve"]


def performance_profile(scores: Mapping[str, np.ndarray], taus: np.ndarray,
                        reps: int = REPS) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Fraction of runs scoring above each ``tau``, per agent, with 95% bootstrap bands."""
    library, _ = rliable()
    state = np.random.get_state()
    np.random.seed(BOOTSTRAP_SEED)  # rliable's profile bootstrap draws from numpy's global generator
    try:
        return library.create_performance_profile(dict(scores), taus, reps=reps)
    finally:
        np.random.set_state(state)


def probability_of_improvement(pairs: Mapping[str, tuple[np.ndarray, np.ndarray]],
                               reps: int = REPS) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """P(X > Y) for each ``"x,y"`` pair of score arrays over the same (runs, tasks), with 95% intervals."""
    _, metrics = rliable()
    point, ci = _interval_estimates(pairs, metrics.probability_of_improvement, reps)
    return {k: float(np.squeeze(v)) for k, v in point.items()}, {k: np.squeeze(ci[k]) for k in ci}

