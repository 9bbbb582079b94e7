"""Timing a proxy against the simulator it replaces, on the same designs, batch and one at a time."""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any, Sequence

from archgym.proxy.bundle import ProxyModel
from archgym.records import DESIGN_PREFIX

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


def designs_of(df: "pd.DataFrame", knobs: Sequence[str]) -> list[dict[str, Any]]:
    """Complete designs (plain Python values) from the knob columns of records."""
    cols = {k: df[DESIGN_PREFIX + k].tolist() for k in knobs}
    return [dict(zip(knobs, vals)) for vals in zip(*cols.values())]


def _per_eval(fn: Any, n: int, min_time: float = 0.2, min_repeats: int = 3) -> float:
    """Seconds per evaluation of ``fn`` (which evaluates ``n`` designs), best of repeated runs.

    One untimed warm-up call first (caches, lazy compilation), then at least
    ``min_repeats`` timed calls and at least ``min_time`` seconds, so a slow
    first call is never the figure reported.
    """
    fn()
    best, spent, runs = math.inf, 0.0, 0
    while spent < min_time or runs < min_repeats:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, runs = min(best, dt), spent + dt, runs + 1
        if spent > 5 * min_time and runs >= min_repeats:
            break
    return best / n


def measure_speedup(
    proxy: ProxyModel, records: "pd.DataFrame", batch: int = 2000, single: int = 20
) -> dict[str, float]:
    """Seconds per evaluation of the simulator and the proxy on the same designs, batch and one at a time.

    The simulator is built from the installed env; if that fails, the wall
    times recorded in the dataset stand in for it.
    """
    from archgym.registry import make_env

    workload = proxy.workloads[0]
    sub = records[records["workload"] == workload].head(batch)
    designs = designs_of(sub, proxy.features.knobs)
    if not designs:
        return {}
    out: dict[str, float] = {"batch": float(len(designs))}
    try:
        env = make_env(proxy.env_id, workload=workload)
        sim, wl = env.unwrapped.simulator, env.unwrapped.workload
        designs = [env.unwrapped.design_space.validate(d) for d in designs]
        out["simulator_batch_s"] = _per_eval(lambda: sim.evaluate_batch(designs, wl), len(designs))
        few = designs[:single]
        out["simulator_single_s"] = _per_eval(lambda: [sim.evaluate(d, wl) for d in few], len(few))
        env.close()
    except Exception as exc:  # the env may not be installed where the dataset is used
        log.warning("timing the simulator failed (%s); using the wall times recorded in the dataset", exc)
        recorded = float(sub["wall_time_s"].median())
        out["simulator_batch_s"] = out["simulator_single_s"] = recorded
    out["proxy_batch_s"] = _per_eval(lambda: proxy.predict(designs, workload), len(designs))
    few = designs[:single]
    out["proxy_single_s"] = _per_eval(lambda: [proxy.predict([d], workload) for d in few], len(few))
    out["speedup_batch"] = out["simulator_batch_s"] / out["proxy_batch_s"]
    out["speedup_single"] = out["simulator_single_s"] / out["proxy_single_s"]
    return out
