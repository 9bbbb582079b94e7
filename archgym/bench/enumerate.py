"""Evaluating every design of a finite space, and what a task learns from it.

:func:`enumerate_space` walks the mixed-radix index of the design space
(the last knob varies fastest, the order of ``numpy.unravel_index``) in
chunks through the simulator's batch path, the same ``evaluate_batch`` the
vector env uses, on all the machine's cores when the simulator can run a
batch's designs concurrently, and keeps every feasible design's metrics as
columns. The
table is cached as ``.npz`` (keyed by env id, workload and simulator version),
so reading a different objective off the same space costs seconds, not a
second enumeration. An enumeration given a ``checkpoint`` path saves its
progress there after every chunk and, started again, carries on from the
last chunk saved (an enumeration of the DRAM space takes about 20 CPU-minutes).

:func:`summarise` turns a reward array into what a benchmark task stores:
the optimum (reward, index, design), whether it is unique, the reward
quantiles of the feasible designs (the median is the reference point of
normalised regret) and the fraction of the space within the success tolerance.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from archgym.metrics import Metrics

if TYPE_CHECKING:
    from archgym.envs.design_env import DesignEnv
    from archgym.objectives import Objective

log = logging.getLogger(__name__)

#: designs per simulator batch call while enumerating: 3 x 2^13, so in a space of two-, three-, four- and
#: eight-valued knobs a block of designs that differ only in the fastest-varying knobs lies in one batch (a
#: simulator that runs alike designs once, as the DRAM model does, then sees every block whole)
CHUNK = 24_576
#: reward quantiles stored with each optimum (over the feasible designs)
QUANTILES = (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0)


@dataclass
class SpaceTable:
    """Every design of a space, by flat index: feasibility and metric columns (NaN where infeasible)."""

    nvec: tuple[int, ...]
    feasible: np.ndarray
    metrics: dict[str, np.ndarray]
    seconds: float
    #: designs evaluated so far, in index order (the size once complete)
    done: int | None = None

    @property
    def size(self) -> int:
        return int(np.prod(self.nvec))

    def save(self, path: str | Path) -> None:
        from archgym.fileio import atomic_output

        with atomic_output(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, nvec=np.array(self.nvec), feasible=self.feasible, seconds=np.array(self.seconds),
                     done=np.array(self.size if self.done is None else self.done),
                     **{f"m_{k}": v for k, v in self.metrics.items()})

    @classmethod
    def load(cls, path: str | Path) -> "SpaceTable":
        with np.load(path) as z:
            metrics = {k[2:]: z[k] for k in z.files if k.startswith("m_")}
            done = int(z["done"]) if "done" in z.files else None
            return cls(tuple(int(n) for n in z["nvec"]), z["feasible"], metrics, float(z["seconds"]), done)


def enumerate_space(env: "DesignEnv", chunk: int = CHUNK,
                    progress: Callable[[int, int], None] | None = None,
                    threads: int | None = None,
                    checkpoint: str | Path | None = None) -> SpaceTable:
    """Evaluate every design of ``env``'s space with its simulator and workload.

    Args:
        env: the unwrapped design env (its simulator, workload and space are used).
        chunk: designs per batch call.
        progress: called with (designs done, total) after each chunk.
        threads: designs simulated at a time by a simulator whose batch path
            runs them concurrently (one with a ``threads`` attribute, such as
            the DRAM model; a copy of it is used); default: the machine's cores.
            The table is the same for any number.
        checkpoint: where the partial table is saved after each chunk and resumed
            from (the caller names it for the env, workload and simulator version;
            it is deleted once the table is complete).
    """
    space = env.design_space
    nvec = tuple(int(n) for n in space.nvec)
    total = int(np.prod(nvec))
    sim = env.simulator
    if hasattr(sim, "threads"):
        sim = copy.copy(sim)
        sim.threads = threads or os.cpu_count() or 1
    names = list(sim.metric_names)
    feasible = np.zeros(total, dtype=bool)
    columns = {m: np.full(total, np.nan) for m in names}
    first, earlier = 0, 0.0
    if checkpoint is not None and Path(checkpoint).is_file():
        part = SpaceTable.load(checkpoint)
        if part.nvec == nvec and set(part.metrics) == set(names) and part.done is not None:
            feasible, columns, first, earlier = part.feasible, part.metrics, part.done, part.seconds
            log.info("resuming the enumeration at design %d of %d from %s", first, total, checkpoint)
    start = time.perf_counter()
    for lo in range(first, total, chunk):
        hi = min(total, lo + chunk)
        idx = np.stack(np.unravel_index(np.arange(lo, hi), nvec), axis=1)
        results = sim.evaluate_batch(space.decode_batch(idx), env.workload)
        for i, m in enumerate(results, start=lo):
            if m.feasible:
                feasible[i] = True
                for k, v in m.to_dict().items():
                    if k in columns:
                        columns[k][i] = v
        if checkpoint is not None and hi < total:
            SpaceTable(nvec, feasible, columns, earlier + time.perf_counter() - start, hi).save(checkpoint)
        if progress is not None:
            progress(hi, total)
    if checkpoint is not None:
        Path(checkpoint).unlink(missing_ok=True)
    return SpaceTable(nvec, feasible, columns, earlier + time.perf_counter() - start, total)


def rewards(table: SpaceTable, objective: "Objective") -> tuple[np.ndarray, np.ndarray]:
    """The reward of every design of the table under ``objective``, and which rewards are measurements.

    A reward is a measurement (:func:`scored`) when the simulator could run the
    design and, under hard budgets, the design is within them; otherwise it is
    the objective's stand-in (``infeasible_reward``, less any excess).
    """
    out = np.full(table.size, float(objective.infeasible_reward))
    ok = np.zeros(table.size, dtype=bool)
    names = list(table.metrics)
    for i in np.flatnonzero(table.feasible):
        m = Metrics({k: table.metrics[k][i] for k in names})
        out[i] = objective.reward(m)
        ok[i] = scored(objective, m)
    return out, ok


def scored(objective: "Objective", metrics: Metrics) -> bool:
    """Whether ``objective``'s reward of ``metrics`` measures the design rather than standing in for it.

    Infeasible designs get ``infeasible_reward``; under *hard* budgets a design over
    them gets ``infeasible_reward - excess``: neither says how good the design is,
    so neither belongs in the reward distribution whose median normalises regret.
    Under the penalty form an over-budget design's penalised reward is its score.
    """
    return metrics.feasible and (not objective.hard or objective.within_budget(metrics))


def flat_index(nvec: tuple[int, ...], action: Any) -> int:
    """The flat index of one action (knob indices) in the enumeration order."""
    return int(np.ravel_multi_index(tuple(int(a) for a in action), nvec))


def normalised_regret(value: float, optimum: float, median: float) -> float:
    """``(optimum - value) / (optimum - median)``: 0 at the optimum, 1 at the median random design."""
    gap = optimum - median
    if gap <= 0:
        return 0.0 if value >= optimum else float("inf")
    return (optimum - value) / gap


def summarise(values: np.ndarray, valid: np.ndarray, tolerance: float) -> dict[str, Any]:
    """Optimum, quantiles and hardness of a reward array over a whole space.

    ``valid`` marks the rewards that measure a design (:func:`scored`: feasible,
    and within hard budgets); the optimum, the quantiles and the median are taken
    over those, so a hard-budget task's median is that of the designs within
    budget, not the -1000 stand-in most of a space over budget would get.
    ``tolerance`` is the success threshold in normalised regret: a design
    succeeds when it closes all but ``tolerance`` of the gap between the
    median valid design and the optimum.
    """
    ok = values[valid]
    if ok.size == 0:
        raise ValueError("no feasible design within budget in the space")
    best = float(ok.max())
    best_idx = np.flatnonzero(valid & (values == best))
    qs = np.quantile(ok, QUANTILES)
    median = float(np.median(ok))
    threshold = best - tolerance * (best - median)
    within = int(np.count_nonzero(valid & (values >= threshold)))
    size = values.size
    return {
        "value": best,
        "index": int(best_idx[0]),
        "optimal_designs": int(best_idx.size),
        "median": median,
        "quantiles": {f"{q:g}": float(v) for q, v in zip(QUANTILES, qs)},
        "feasible_fraction": float(ok.size / size),
        "designs_within_tolerance": within,
        "fraction_within_tolerance": within / size,
        "space_size": int(size),
    }


def random_success(fraction: float, budget: int) -> float:
    """Probability that ``budget`` uniform draws (with replacement) hit a fraction ``fraction`` of the space."""
    return float(1.0 - (1.0 - fraction) ** budget)
