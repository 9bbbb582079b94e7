"""Collecting datasets: evaluate many designs of an env and record them, in parallel.

:func:`collect` splits the requested samples into fixed-size *chunks*. Each
chunk is an independent, seeded piece of work: an agent run (or a batch of
space-filling designs) on a fresh env with a recorder attached. Its seed comes
from the user's seed and the chunk index only, so the records do not depend on
how many workers ran the chunks, nor on where (a local process pool, or a Dask
cluster through ``client.get_executor()``).

The parent process writes the chunks' records in chunk order through one
:class:`~archgym.records.RecordWriter`, skipping any record whose design the
dataset already holds (same env id and version, workload and design), so
appending never rewrites a shard and rerunning with the same seed adds nothing.
The manifest is rebuilt at the end.

Sampling: by default the ``sobol`` agent (an Optuna quasi-Monte-Carlo sampler)
when it is registered, otherwise ``lhs``, a Latin hypercube over the knobs'
value indices defined here, whose chunks are evaluated in one vectorised
simulator call. Any registered agent can be named instead (``random``, ``tpe``,
...); adaptive agents then search for ``chunk_size`` evaluations per chunk.

Example:
    >>> from archgym.data.collect import collect                           # doctest: +SKIP
    >>> collect("archgym/DRAM-v1", 2000, "data/dram", workers=4)       # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from archgym.backends import InlineExecutor, make_backend
from archgym.errors import UserError, unknown_choice
from archgym.registry import make_env

if TYPE_CHECKING:
    from archgym.backends import Backend
    from archgym.space import ParameterSpace

log = logging.getLogger(__name__)

#: name of the built-in Latin-hypercube sampler (not an agent: it proposes whole batches)
LHS = "lhs"
#: default number of evaluations per chunk (fixed, so records do not depend on the worker count)
DEFAULT_CHUNK_SIZE = 256


def default_sampler() -> str:
    """``sobol`` when that agent is registered, else the built-in ``lhs``."""
    from archgym.agents import AGENTS

    return "sobol" if "sobol" in AGENTS else LHS


def samplers() -> list[str]:
    """Names ``collect`` accepts: the built-in ``lhs`` and every registered agent."""
    from archgym.agents import AGENTS

    return [LHS, *AGENTS]


def latin_hypercube(space: "ParameterSpace", n: int, seed: int) -> np.ndarray:
    """``n`` designs as knob indices, stratified per knob: each knob's ``n`` strata are hit once.

    For a knob with ``k`` values each value appears ``n/k`` times (rounded), and
    the pairing across knobs is a random permutation per knob, which spreads
    the designs over the space better than independent uniform draws.
    """
    rng = np.random.default_rng(seed)
    nvec = space.nvec
    u = (rng.permuted(np.tile(np.arange(n), (len(nvec), 1)), axis=1).T + rng.random((n, len(nvec)))) / n
    return np.minimum((u * nvec).astype(np.int64), nvec - 1)


def chunk_seed(seed: int, index: int) -> int:
    """The seed of chunk ``index`` of a collection seeded ``seed`` (independent streams per chunk)."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


@dataclass(frozen=True)
class Chunk:
    """One unit of collection work, picklable so it can run in another process or on a cluster."""

    env_id: str
    env_kwargs: Mapping[str, Any]
    sampler: str
    hyperparameters: Mapping[str, Any]
    index: int
    budget: int
    seed: int
    #: the env's registration when ``import archgym`` does not make it (a user's env), for worker processes
    env_spec: Any = None


def run_chunk(chunk: Chunk) -> list[dict[str, Any]]:
    """Evaluate one chunk on a fresh env and return its records, in evaluation order.

    A module-level function so process pools and Dask can pickle it.
    """
    from archgym.envs.design_env import DesignVectorEnv
    from archgym.records import attach_recorder

    if chunk.env_spec is not None:
        import gymnasium

        if chunk.env_id not in gymnasium.registry:
            gymnasium.register(**{k: v for k, v in vars(chunk.env_spec).items() if k in _SPEC_ARGS})
    env = make_env(chunk.env_id, **chunk.env_kwargs)
    records: list[dict[str, Any]] = []
    try:
        run_id = f"collect-{chunk.sampler}-{chunk.seed:010d}"
        if chunk.sampler == LHS:
            base = env.unwrapped
            attach_recorder(env, records, agent=LHS, seed=chunk.seed, run_id=run_id)
            actions = latin_hypercube(base.design_space, chunk.budget, chunk.seed)
            vec = DesignVectorEnv(base, len(actions))
            vec.reset(seed=chunk.seed)
            vec.step(actions)
        else:
            from archgym.agents import make_agent

            agent = make_agent(chunk.sampler, **chunk.hyperparameters)
            attach_recorder(env, records, agent=chunk.sampler, hyperparameters=agent.hp, seed=chunk.seed,
                            run_id=run_id)
            agent.run(env, budget=chunk.budget, seed=chunk.seed)
    finally:
        env.close()
    return records


_SPEC_ARGS = ("id", "entry_point", "reward_threshold", "nondeterministic", "max_episode_steps",
              "order_enforce", "disable_env_checker", "kwargs", "additional_wrappers", "vector_entry_point")


@dataclass
class CollectResult:
    """What :func:`collect` did."""

    out: Path
    requested: int
    evaluated: int = 0
    added: int = 0
    duplicates: int = 0
    infeasible: int = 0
    rows_total: int = 0
    seconds: float = 0.0
    chunks: int = 0
    sampler: str = ""
    workers: str = ""
    manifest: dict[str, Any] = field(default_factory=dict, repr=False)


def plan(
    env_id: str,
    samples: int,
    *,
    sampler: str,
    env_kwargs: Mapping[str, Any],
    hyperparameters: Mapping[str, Any],
    seed: int,
    chunk_size: int,
    env_spec: Any = None,
) -> list[Chunk]:
    """The chunks of a collection: ``ceil(samples / chunk_size)`` of them, the last one shorter."""
    n_chunks = math.ceil(samples / chunk_size)
    return [
        Chunk(env_id, dict(env_kwargs), sampler, dict(hyperparameters), i,
              min(chunk_size, samples - i * chunk_size), chunk_seed(seed, i), env_spec)
        for i in range(n_chunks)
    ]


def collect(
    env_id: str,
    samples: int,
    out: str | os.PathLike[str],
    *,
    sampler: str | None = None,
    workload: str | None = None,
    objective: str | None = None,
    seed: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: int | None = None,
    serial: bool = False,
    backend: "Backend | None" = None,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    hyperparameters: Mapping[str, Any] | None = None,
    env_kwargs: Mapping[str, Any] | None = None,
    shard_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> CollectResult:
    """Evaluate ``samples`` designs of ``env_id`` and append the new ones to the dataset ``out``.

    Args:
        env_id: a registered env id.
        samples: evaluations to make (records already in ``out`` are not added again).
        out: dataset folder, created if missing.
        sampler: ``lhs`` or any registered agent; default :func:`default_sampler`.
        workload, objective, env_kwargs: passed to ``gymnasium.make``.
        seed: the same seed gives the same records whatever the worker count.
        workers, dask_local, scheduler, serial: where the chunks run, as for
            sweeps (:func:`archgym.backends.make_backend`): ``workers`` local
            processes (1, the default: this process), a Dask LocalCluster of
            ``dask_local`` workers, a Dask scheduler address
            (``tcp://host:8786``), or ``serial`` (this process). Local workers
            are spawned, run one thread each and end when this process dies.
        backend: an :class:`archgym.backends.Backend` instead of those options.
        executor: any ``concurrent.futures.Executor`` to run chunks on instead.
        chunk_size: evaluations per chunk; part of what ``seed`` determines.
        hyperparameters: the agent's hyperparameters.
        progress: called with the number of evaluations each finished chunk made.

    Raises:
        UserError: unknown env, workload, sampler or bad counts.
    """
    from archgym.data.datasets import design_keys, existing_keys, write_manifest
    from archgym.records import RecordWriter, fold_journals, record_schema

    if samples < 1:
        raise UserError(f"--samples must be >= 1, got {samples}")
    if workers < 1 or chunk_size < 1:
        raise UserError(f"--workers and --chunk-size must be >= 1, got {workers} and {chunk_size}")
    sampler = sampler or default_sampler()
    if sampler not in samplers():
        raise unknown_choice("sampler (agent)", sampler, samplers())
    if sampler == LHS and hyperparameters:
        raise UserError("the lhs sampler has no hyperparameters")
    if sampler != LHS:
        from archgym.agents import make_agent

        hyperparameters = make_agent(sampler, **dict(hyperparameters or {})).hp
    kwargs = {**dict(env_kwargs or {}), "workload": workload, "objective": objective}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    env = make_env(env_id, **kwargs)  # fail fast on a bad id, workload or objective
    space, metric_names = env.unwrapped.design_space, env.unwrapped.simulator.metric_names
    env.close()
    schema = record_schema(space, metric_names)

    out_dir = Path(out)
    if out_dir.is_dir():  # a killed collect's journal rows become shards, so info and the manifest count them
        fold_journals(out_dir, schema)
    seen = existing_keys(out_dir)
    chunks = plan(env_id, samples, sampler=sampler, env_kwargs=kwargs, hyperparameters=hyperparameters or {},
                  seed=seed, chunk_size=chunk_size, env_spec=_user_spec(env_id))
    if executor is None and backend is None:
        one = workers == 1 and scheduler is None and dask_local is None
        backend = make_backend(serial=True) if one else make_backend(
            workers=None if workers == 1 else workers, dask_local=dask_local, scheduler=scheduler, serial=serial)
    if executor is not None:
        own_executor, close, where = executor, (lambda: None), type(executor).__name__
    else:
        assert backend is not None
        own_executor, close, where = backend.start(), backend.close, backend.describe()
    result = CollectResult(out_dir, samples, chunks=len(chunks), sampler=sampler, workers=where)
    t0 = time.perf_counter()
    log.info("collecting %d samples of %s with %s in %d chunks on %s", samples, env_id, sampler, len(chunks), where)
    try:
        with RecordWriter(out_dir, space, metric_names, shard_size=shard_size) as writer:
            for records in _in_order(own_executor, chunks):
                result.evaluated += len(records)
                keys = design_keys(_table(records, schema)) if records else []
                for record, key in zip(records, keys):
                    if int(key) in seen:
                        result.duplicates += 1
                        continue
                    seen.add(int(key))
                    writer.append(record)
                    result.added += 1
                    result.infeasible += not record["feasible"]
                if progress is not None:
                    progress(len(records))
    finally:
        close()
    result.manifest = write_manifest(out_dir)
    result.rows_total = result.manifest["rows"]
    result.seconds = time.perf_counter() - t0
    return result


def _user_spec(env_id: str) -> Any:
    """The registration of an env ``import archgym`` does not register (None for archgym's own)."""
    import gymnasium

    from archgym.envs._registration import ENVS

    return None if env_id in ENVS else gymnasium.spec(env_id)


def _in_order(executor: Executor, chunks: Sequence[Chunk]) -> Iterator[list[dict[str, Any]]]:
    """Chunk results in chunk order, computed on ``executor``; in this process, one chunk at a time."""
    if isinstance(executor, InlineExecutor):  # it computes at submission: map would hold every chunk at once
        yield from map(run_chunk, chunks)
    else:
        yield from executor.map(run_chunk, chunks)


def _table(records: list[dict[str, Any]], schema: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist(records, schema=schema)
