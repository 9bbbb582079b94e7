"""Evaluation records: one row per simulator evaluation, in crash-safe Parquet shards.

Every evaluation an environment makes becomes a record (see :data:`PROVENANCE`
for the fixed columns; knobs are stored as ``design.<knob>`` and metrics as
``metric.<name>``). A :class:`RecordWriter` appends records to a folder:

* each record is first appended to a small JSON-lines *journal* and flushed to
  the operating system, so a process killed at any moment loses at most the
  record it was writing;
* every ``shard_size`` records (and on :meth:`RecordWriter.close`) the journal
  becomes an immutable Parquet shard, written to a temporary name, synced and
  renamed atomically, and only then is the journal deleted;
* readers (:func:`archgym.data.datasets.load`) combine the shards with any
  journal whose shard was never written, so nothing a killed writer flushed is
  lost and nothing is counted twice; :func:`fold_journals` turns such journals
  into shards when a writer resumes the folder.

Shards are never rewritten; several writers (processes) may append to the same
folder, each with its own shard names: ``part-<writer>-<seq>.parquet``
(:func:`shard_path`), whoever writes them (a :class:`RecordWriter`, a sweep
trial, a dataset merge). This module owns the on-disk format: the schema, the
names, the journal and the shard writer.
"""

from __future__ import annotations

import json
import logging
import math
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from archgym.fileio import atomic_output, naming
from archgym.space import ParameterSpace

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

#: provenance columns present in every record, with their Arrow types
PROVENANCE: dict[str, str] = {
    "run_id": "string",
    "env_id": "string",
    "env_version": "int64",
    "simulator": "string",
    "simulator_version": "string",
    "workload": "string",
    "objective": "string",
    "agent": "string",
    "hyperparameters": "string",
    "seed": "int64",
    "step": "int64",
    "feasible": "bool",
    "reason": "string",
    "predicted": "bool",
    "reward": "float64",
    "wall_time_s": "float64",
    "timestamp": "float64",
}

#: provenance columns added for replay (docs/reproducibility.md): every new record has them,
#: records written before them do not, and readers accept their absence
REPLAY_PROVENANCE: dict[str, str] = {
    "env_kwargs": "string",  # JSON of the keyword arguments the env was built with
    "proxy_sha256": "string",  # SHA-256 of the proxy model file of a cost_model="proxy" env, else ""
}

DESIGN_PREFIX = "design."
METRIC_PREFIX = "metric."
SHARD_GLOB = "part-*.parquet"
JOURNAL_GLOB = "_journal-*.jsonl"


def record_schema(space: ParameterSpace, metric_names: Sequence[str]) -> "pa.Schema":
    """Arrow schema of the records of one environment."""
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}
    fields = [pa.field(n, types[t]) for n, t in {**PROVENANCE, **REPLAY_PROVENANCE}.items()]
    fields += [pa.field(DESIGN_PREFIX + k, types[t]) for k, t in space.column_types().items()]
    fields += [pa.field(METRIC_PREFIX + m, pa.float64()) for m in metric_names]
    return pa.schema(fields)


def make_record(
    *,
    design: Mapping[str, Any],
    metrics: Mapping[str, float],
    metric_names: Sequence[str],
    **provenance: Any,
) -> dict[str, Any]:
    """Flatten one evaluation into a record (missing metrics become NaN)."""
    rec = {k: provenance.get(k) for k in (*PROVENANCE, *REPLAY_PROVENANCE)}
    rec.update({DESIGN_PREFIX + k: v for k, v in design.items()})
    rec.update({METRIC_PREFIX + m: float(metrics.get(m, math.nan)) for m in metric_names})
    return rec


class RecordWriter:
    """Append-only, crash-safe writer of records into a dataset folder.

    Example:
        >>> w = RecordWriter(tmp_path, space, ["latency_cycles"])  # doctest: +SKIP
        >>> w.append(record); w.close()                            # doctest: +SKIP
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        space: ParameterSpace,
        metric_names: Sequence[str],
        shard_size: int = 1000,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.schema = record_schema(space, metric_names)
        self.shard_size = int(shard_size)
        self._writer_id = new_writer_id()
        self._seq = 0
        self._buffer: list[dict[str, Any]] = []
        self._journal = None
        self.rows_written = 0

    def _journal_path(self) -> Path:
        return journal_path(self.directory, self._writer_id, self._seq)

    def _shard_path(self) -> Path:
        return shard_path(self.directory, self._writer_id, self._seq)

    def append(self, record: Mapping[str, Any]) -> None:
        """Add one record; it is on disk (journal) when this returns."""
        line = json.dumps(record, default=json_default) + "\n"
        with naming(self._journal_path()):
            if self._journal is None:
                self._journal = open(self._journal_path(), "a", encoding="utf-8")
            self._journal.write(line)
            self._journal.flush()
        self._buffer.append(dict(record))
        self.rows_written += 1
        if len(self._buffer) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        """Turn the buffered records into an immutable Parquet shard."""
        if not self._buffer:
            return
        write_shard(self._shard_path(), self._buffer, self.schema)
        assert self._journal is not None
        self._journal.close()
        self._journal_path().unlink(missing_ok=True)
        self._journal = None
        self._buffer = []
        self._seq += 1

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def new_writer_id() -> str:
    """A fresh writer id for shard names (random: concurrent writers never collide)."""
    return uuid.uuid4().hex[:12]


def shard_path(directory: str | os.PathLike[str], writer: str, seq: int = 0) -> Path:
    """Where writer ``writer`` puts its ``seq``-th shard: ``part-<writer>-<seq>.parquet``."""
    return Path(directory) / f"part-{writer}-{seq:05d}.parquet"


def journal_path(directory: str | os.PathLike[str], writer: str, seq: int = 0) -> Path:
    """The journal of the shard :func:`shard_path` names: ``_journal-<writer>-<seq>.jsonl``."""
    return Path(directory) / f"_journal-{writer}-{seq:05d}.jsonl"


def json_default(obj: Any) -> Any:
    """``json.dumps``'s fallback for archgym's values: numpy scalars and arrays, paths; others raise TypeError."""
    if hasattr(obj, "item") and getattr(obj, "ndim", 0) == 0:
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__} in a record")


def write_shard(path: Path, data: "pa.Table | Sequence[Mapping[str, Any]]", schema: "pa.Schema | None" = None) -> Path:
    """Write a table (or rows, typed by ``schema``) as one immutable Parquet shard at ``path``, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = data if isinstance(data, pa.Table) else pa.Table.from_pylist(list(data), schema=schema)
    with atomic_output(path) as tmp:
        pq.write_table(table, tmp)
    return Path(path)


def journal_rows(path: Path) -> list[dict[str, Any]]:
    """The complete records of a journal (a partially written last line is dropped, with a warning)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                log.warning("%s: dropping a partially written last record", path)
                break
            rows.append(json.loads(line))
    return rows


def _shard_of(journal: Path) -> Path:
    return journal.with_name(journal.name.replace("_journal-", "part-").removesuffix(".jsonl") + ".parquet")


def orphan_journals(directory: str | os.PathLike[str]) -> list[Path]:
    """Journals whose Parquet shard was never written (their writer stopped early)."""
    return [j for j in sorted(Path(directory).glob(JOURNAL_GLOB)) if not _shard_of(j).exists()]


def fold_journals(directory: str | os.PathLike[str], schema: "pa.Schema | None" = None) -> int:
    """Turn orphan journals into the shards their writer would have written; returns the rows folded.

    For a writer resuming a folder another (killed) writer left journals in:
    each journal's complete rows become the shard of the same name, typed by
    ``schema`` when the rows' columns are its columns (else as pyarrow infers
    them), and only then is the journal deleted, so a crash while folding loses
    nothing. Call it while no other writer appends to the folder.
    """
    import pyarrow as pa

    folded = 0
    for journal in orphan_journals(directory):
        rows = journal_rows(journal)
        if rows:
            typed = schema is not None and {k for r in rows for k in r} <= set(schema.names)
            table = pa.Table.from_pylist(rows, schema=schema if typed else None)
            write_shard(_shard_of(journal), table)
            folded += len(rows)
        journal.unlink()
        log.info("folded %d journal rows of %s into its shard", len(rows), journal.name)
    return folded


def replay_provenance(env: Any) -> dict[str, str]:
    """The :data:`REPLAY_PROVENANCE` columns of an archgym env: its build arguments and proxy checksum."""
    from archgym.fileio import sha256_file

    kwargs = env.unwrapped.make_kwargs
    proxy = kwargs.get("proxy")
    return {
        "env_kwargs": json.dumps(kwargs, sort_keys=True),
        "proxy_sha256": sha256_file(proxy) if isinstance(proxy, str) and os.path.isfile(proxy) else "",
    }


def attach_recorder(
    env: Any,
    writer: "RecordWriter | list[dict[str, Any]]",
    *,
    agent: str = "",
    hyperparameters: Mapping[str, Any] | None = None,
    seed: int | None = None,
    run_id: str | None = None,
) -> Any:
    """Write a record for every evaluation ``env`` makes from now on; returns the listener.

    ``env`` is an archgym environment (wrapped or not). ``writer`` is a
    :class:`RecordWriter`, or a list that collects the records in memory (a
    sweep trial or a collection chunk sends them back to the parent). Detach
    with ``env.unwrapped.listeners.remove(listener)``.
    """
    import time as _time

    from archgym.registry import env_version

    base = env.unwrapped
    sim = base.simulator
    metric_names = sim.metric_names
    fixed = dict(
        run_id=run_id or uuid.uuid4().hex[:12],
        env_id=base.env_id,
        env_version=env_version(base.env_id),
        simulator=sim.name,
        simulator_version=sim.version,
        workload=base.workload_name,
        objective=base.objective.spec(),
        agent=agent,
        hyperparameters=json.dumps(dict(hyperparameters or {}), sort_keys=True),
        seed=seed,
        **replay_provenance(base),
    )

    def listener(ev: Any) -> None:
        writer.append(make_record(
            design=ev.design, metrics=ev.metrics, metric_names=metric_names, step=ev.step,
            feasible=ev.feasible, reason=ev.reason, predicted=ev.predicted, reward=ev.reward,
            wall_time_s=ev.wall_time_s, timestamp=_time.time(), **fixed,
        ))

    base.listeners.append(listener)
    return listener
