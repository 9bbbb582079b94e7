"""Datasets of evaluations: folders of record shards, their manifest, and what people do with them.

A dataset is the folder a :class:`~archgym.records.RecordWriter` writes: one
``part-*.parquet`` shard per flush (one row per evaluation, columns described
in :mod:`archgym.records` and ``docs/datasets.md``) plus any journal whose
shard was never written. This module adds what a *collection* of records
needs:

* :func:`load` reads a dataset into a DataFrame; :func:`scan` gives a
  ``pyarrow.dataset.Dataset`` over it, so column selection and filters are
  pushed down and a multi-million-row dataset is never read whole;
* every shard's schema is checked on read: a corrupt file or a wrong schema
  raises a :class:`BadShardError` naming the file, and ``on_bad="skip"``
  reads the rest;
* ``manifest.json`` beside the shards (written atomically) summarises the
  schema, env ids and versions, simulator versions, workloads, agents, seeds,
  row counts and a SHA-256 checksum per shard; shards are immutable, so it is
  updated incrementally;
* :func:`info`, :func:`merge` (de-duplicating on env id + version, workload
  and design) and :func:`export_csv` / :func:`export_minari`.

Example:
    >>> from archgym import datasets                      # doctest: +SKIP
    >>> df = datasets.load("data/dram")                    # doctest: +SKIP
    >>> big = datasets.scan("data/dram").to_table(columns=["metric.latency_ns"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Literal, Mapping, Sequence

from archgym.errors import UserError
from archgym.fileio import atomic_output, atomic_write_bytes, sha256_file
from archgym.records import (
    DESIGN_PREFIX,
    METRIC_PREFIX,
    PROVENANCE,
    REPLAY_PROVENANCE,
    SHARD_GLOB,
    journal_rows,
    new_writer_id,
    orphan_journals,
    shard_path,
    write_shard,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as pads

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = "archgym-dataset"
FORMAT_VERSION = 1
#: provenance columns that identify a design for de-duplication (with the ``design.*`` columns)
KEY_COLUMNS = ("env_id", "env_version", "workload")
#: Arrow types a ``design.*`` column may have (see ``ParameterSpace.column_types``)
DESIGN_TYPES = ("string", "int64", "float64")

OnBad = Literal["raise", "skip"]
Filter = Any  # a pyarrow.compute.Expression or a mapping column -> value (or list of values)


class BadShardError(UserError):
    """A shard that cannot be read or whose schema is not a record schema."""

    def __init__(self, path: Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem} (the other shards are readable: pass on_bad='skip' "
                         f"or --skip-bad to read them)")


# -- schema -------------------------------------------------------------------------------------
def _type_name(t: "pa.DataType") -> str:
    import pyarrow as pa

    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_null(t):
        return "null"
    return {"double": "float64"}.get(str(t), str(t))


def schema_problems(schema: "pa.Schema") -> list[str]:
    """Why ``schema`` is not a record schema (empty when it is one)."""
    problems = []
    names = set(schema.names)
    missing = [c for c in PROVENANCE if c not in names]
    if missing:
        problems.append(f"missing provenance column(s) {', '.join(missing)}")
    for field in schema:
        t = _type_name(field.type)
        if field.name in PROVENANCE or field.name in REPLAY_PROVENANCE:
            want = {**PROVENANCE, **REPLAY_PROVENANCE}[field.name]
            if t not in (want, "null"):
                problems.append(f"column {field.name!r} has type {t}, expected {want}")
        elif field.name.startswith(DESIGN_PREFIX):
            if t not in DESIGN_TYPES + ("null",):
                problems.append(f"knob column {field.name!r} has type {t}, expected one of {', '.join(DESIGN_TYPES)}")
        elif field.name.startswith(METRIC_PREFIX):
            if t not in ("float64", "null"):
                problems.append(f"metric column {field.name!r} has type {t}, expected float64")
        else:
            problems.append(f"unexpected column {field.name!r} (not provenance, design.* or metric.*)")
    if not any(n.startswith(DESIGN_PREFIX) for n in names):
        problems.append("no design.* column")
    return problems


def shard_schema(path: Path) -> "pa.Schema":
    """The schema of one shard, or :class:`BadShardError` if it is corrupt or not a record schema."""
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadShardError(path, f"not a readable Parquet file ({type(exc).__name__}: {exc})") from None
    problems = schema_problems(schema)
    if problems:
        raise BadShardError(path, "wrong schema: " + "; ".join(problems))
    return schema


def _dataset_dir(directory: str | os.PathLike[str]) -> Path:
    d = Path(directory)
    if not d.is_dir():
        raise UserError(f"no dataset folder at {d}")
    return d


def shard_paths(directory: str | os.PathLike[str]) -> list[Path]:
    """The dataset's shards, in name order."""
    return sorted(_dataset_dir(directory).glob(SHARD_GLOB))


def good_shards(directory: str | os.PathLike[str], on_bad: OnBad = "raise") -> dict[Path, "pa.Schema"]:
    """Each readable shard with its schema; bad ones raise or, with ``on_bad="skip"``, are logged and left out."""
    if on_bad not in ("raise", "skip"):
        raise ValueError(f"on_bad must be 'raise' or 'skip', got {on_bad!r}")
    out = {}
    for path in shard_paths(directory):
        try:
            out[path] = shard_schema(path)
        except BadShardError as exc:
            if on_bad == "raise":
                raise
            log.warning("skipping %s", exc)
    return out


def bad_shards(directory: str | os.PathLike[str]) -> dict[Path, str]:
    """Shards that cannot be read, with the problem."""
    out = {}
    for path in shard_paths(directory):
        try:
            shard_schema(path)
        except BadShardError as exc:
            out[path] = exc.problem
    return out


# -- reading --------------------------------------------------------------------------------------
def _unified(schemas: Iterable["pa.Schema"]) -> "pa.Schema":
    import pyarrow as pa

    schemas = [pa.schema([f.with_type(pa.string()) if _type_name(f.type) == "string" else f for f in s])
               for s in schemas]
    return pa.unify_schemas(schemas) if schemas else pa.schema([])


def _journal_table(path: Path, schema: "pa.Schema") -> "pa.Table":
    """Rows of an orphan journal as an Arrow table, typed like the shards where they have the column."""
    import pyarrow as pa

    rows = journal_rows(path)
    names = list(dict.fromkeys([*schema.names, *(k for r in rows for k in r)]))
    fields = [schema.field(n) if n in schema.names else pa.field(n, pa.infer_type([r.get(n) for r in rows]))
              for n in names]
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def _expression(filters: Filter, schema: "pa.Schema") -> Any:
    """A pyarrow expression from an expression or a ``{column: value or [values]}`` mapping.

    Raises:
        UserError: the mapping names a column the dataset does not have.
    """
    import pyarrow.compute as pc

    if filters is None or not isinstance(filters, Mapping):
        return filters
    _present(list(filters), schema, what="filter column")
    expr = None
    for col, value in filters.items():
        if isinstance(value, (list, tuple, set)):
            term = pc.field(col).isin(list(value))
        else:
            term = pc.field(col) == value
        expr = term if expr is None else expr & term
    return expr


def scan(directory: str | os.PathLike[str], on_bad: OnBad = "raise") -> "pads.Dataset":
    """A ``pyarrow.dataset.Dataset`` over the good shards, with one unified schema.

    Use it for datasets too large for memory: ``scan(d).to_batches(columns=[...],
    filter=pc.field("workload") == "cloud-1")`` streams record batches. Orphan
    journals (rows whose shard was never written) are not included; :func:`load`
    includes them.
    """
    import pyarrow.dataset as pads

    shards = good_shards(directory, on_bad)
    return pads.dataset([str(p) for p in shards], format="parquet", schema=_unified(shards.values()))


def iter_tables(
    directory: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
    filters: Filter = None,
    on_bad: OnBad = "raise",
) -> Iterator["pa.Table"]:
    """One Arrow table per shard (then per orphan journal), with columns selected and filters applied."""
    import pyarrow.dataset as pads

    shards = good_shards(directory, on_bad)
    schema = _unified(shards.values())
    expr = _expression(filters, schema)
    for path in shards:
        piece = pads.dataset(str(path), format="parquet", schema=schema)
        yield piece.to_table(columns=_present(columns, schema), filter=expr)
    for journal in orphan_journals(directory):
        table = _journal_table(journal, schema)
        if expr is not None:
            table = table.filter(expr)
        yield table.select(_present(columns, table.schema)) if columns is not None else table


def _present(columns: Sequence[str] | None, schema: "pa.Schema", what: str = "column") -> list[str] | None:
    if columns is None:
        return None
    unknown = [c for c in columns if c not in schema.names]
    if unknown and len(schema.names):
        raise UserError(f"unknown {what}(s) {', '.join(map(repr, unknown))}; "
                        f"the dataset has {', '.join(schema.names)}")
    return [c for c in columns if c in schema.names]


def load(
    directory: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
    filters: Filter = None,
    on_bad: OnBad = "raise",
) -> "pd.DataFrame":
    """A dataset as one DataFrame (shards in name order, then unfinished journals).

    Args:
        directory: the dataset folder.
        columns: read only these columns (pushed down to Parquet).
        filters: a ``pyarrow.compute`` expression or ``{column: value | [values]}``
            (pushed down, so only matching rows are read).
        on_bad: ``"raise"`` (default) stops at the first unreadable shard with an
            error naming it; ``"skip"`` logs a warning and reads the rest.

    Raises:
        BadShardError: a corrupt shard or one with a wrong schema (``on_bad="raise"``).
        UserError: no folder, or an unknown column.
    """
    import pandas as pd
    import pyarrow as pa

    tables = [t for t in iter_tables(directory, columns, filters, on_bad) if t.num_rows]
    if not tables:
        return pd.DataFrame(columns=list(columns) if columns is not None else list(PROVENANCE))
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.to_pandas()


# -- de-duplication keys -------------------------------------------------------------------------------
def design_columns(names: Iterable[str]) -> list[str]:
    """The ``design.*`` columns among ``names``, sorted (the canonical order for keys)."""
    return sorted(n for n in names if n.startswith(DESIGN_PREFIX))


def design_keys(frame: "pd.DataFrame | pa.Table") -> "np.ndarray":
    """A 64-bit key per row identifying (env id, env version, workload, design).

    Rows with equal keys are the same evaluation as far as a dataset is
    concerned. Only the knob columns an env actually has (non-null in its rows)
    take part, so the key of a record does not depend on which other envs share
    its dataset, and integers hash like the equal floats a union schema makes of them.
    """
    import numpy as np
    import pandas as pd

    df = frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    keys = np.zeros(len(df), dtype=np.uint64)
    if not len(df):
        return keys
    dcols = design_columns(df.columns)
    for _, idx in df.groupby(["env_id", "env_version"], dropna=False, sort=False).indices.items():
        part = df.iloc[idx]
        cols = [c for c in dcols if part[c].notna().all()]
        canon = pd.DataFrame({
            c: (part[c].astype("float64") if pd.api.types.is_numeric_dtype(part[c]) else part[c].astype(object))
            for c in [*KEY_COLUMNS, *cols]
        })
        canon.columns = range(canon.shape[1])
        keys[idx] = pd.util.hash_pandas_object(canon, index=False).to_numpy()
    return keys


def existing_keys(directory: str | os.PathLike[str]) -> set[int]:
    """The design keys already in a dataset (empty if the folder does not exist); reads key columns only."""
    d = Path(directory)
    if not d.is_dir():
        return set()
    shards = good_shards(d)
    if not shards and not orphan_journals(d):
        return set()
    columns = [*KEY_COLUMNS, *design_columns(_unified(shards.values()).names)]
    out: set[int] = set()
    for table in iter_tables(d, columns=columns if shards else None):
        out.update(int(k) for k in design_keys(table))
    return out


# -- manifest ---------------------------------------------------------------------------------------
def _distinct(table: "pa.Table", column: str) -> list[Any]:
    import pyarrow.compute as pc

    if column not in table.schema.names:
        return []
    return sorted(v for v in pc.unique(table.column(column)).to_pylist() if v is not None)


def _shard_entry(path: Path, schema: "pa.Schema") -> dict[str, Any]:
    """Manifest entry of one shard: size, checksum, row count and what its rows are about."""
    import pyarrow.parquet as pq

    cols = ["env_id", "env_version", "simulator", "simulator_version", "workload", "agent", "seed"]
    table = pq.read_table(path, columns=cols)
    envs = table.group_by(["env_id", "env_version", "simulator", "simulator_version"]).aggregate([]).to_pylist()
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "rows": table.num_rows,
        "envs": envs,
        "workloads": _distinct(table, "workload"),
        "agents": _distinct(table, "agent"),
        "seeds": _distinct(table, "seed"),
        "knobs": {f.name[len(DESIGN_PREFIX):]: _type_name(f.type) for f in schema
                  if f.name.startswith(DESIGN_PREFIX)},
        "metrics": [f.name[len(METRIC_PREFIX):] for f in schema if f.name.startswith(METRIC_PREFIX)],
    }


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of a dataset, or None if it has none (or an unreadable one)."""
    path = Path(directory) / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("%s: unreadable manifest (%s); it will be rebuilt", path, exc)
        return None
    return data if data.get("format") == FORMAT else None


def build_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest describing the dataset as it is now.

    Shards already listed with the same size keep their entry (shards are
    immutable), so only new shards are read and checksummed. Bad shards are
    listed under ``bad_shards`` and counted nowhere else.
    """
    d = _dataset_dir(directory)
    previous = {e["file"]: e for e in (read_manifest(d) or {}).get("shards", [])}
    entries, bad = [], {}
    schemas = []
    for path in shard_paths(d):
        try:
            schema = shard_schema(path)
        except BadShardError as exc:
            bad[path.name] = exc.problem
            continue
        schemas.append(schema)
        old = previous.get(path.name)
        entries.append(old if old and old.get("bytes") == path.stat().st_size else _shard_entry(path, schema))
    envs: dict[str, dict[str, Any]] = {}
    for e in entries:
        for env in e["envs"]:
            rec = envs.setdefault(env["env_id"], {"versions": set(), "simulators": set(), "knobs": {},
                                                  "metrics": []})
            rec["versions"].add(env["env_version"])
            rec["simulators"].add(f"{env['simulator']} {env['simulator_version']}")
            rec["knobs"].update(e["knobs"])
            rec["metrics"] = list(dict.fromkeys([*rec["metrics"], *e["metrics"]]))
    journals = orphan_journals(d)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "rows": sum(e["rows"] for e in entries),
        "schema": {f.name: _type_name(f.type) for f in _unified(schemas)},
        "envs": {k: {**v, "versions": sorted(v["versions"]), "simulators": sorted(v["simulators"])}
                 for k, v in sorted(envs.items())},
        "workloads": sorted({w for e in entries for w in e["workloads"]}),
        "agents": sorted({a for e in entries for a in e["agents"]}),
        "seeds": sorted({s for e in entries for s in e["seeds"]}),
        "shards": entries,
        "bad_shards": bad,
        "unfinished_journals": [j.name for j in journals],
    }


def write_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Rebuild ``manifest.json`` and replace it atomically; returns it."""
    manifest = build_manifest(directory)
    atomic_write_bytes(Path(directory) / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode())
    return manifest


def verify(directory: str | os.PathLike[str]) -> list[str]:
    """Problems found by checking every shard against the manifest (empty when all is well)."""
    d = _dataset_dir(directory)
    manifest = read_manifest(d)
    if manifest is None:
        return [f"{d / MANIFEST}: missing; run `archgym dataset info {d}` with --write-manifest to create it"]
    problems = [f"{d / name}: {why}" for name, why in bad_shards(d).items()]
    listed = {e["file"]: e for e in manifest["shards"]}
    for path in shard_paths(d):
        entry = listed.pop(path.name, None)
        if entry is None:
            if path.name not in manifest.get("bad_shards", {}):
                problems.append(f"{path}: not in the manifest (written after it; rebuild the manifest)")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{path}: checksum differs from the manifest (the shard was modified or damaged)")
    problems += [f"{d / name}: listed in the manifest but missing" for name in listed]
    return problems


# -- info -------------------------------------------------------------------------------------------
@dataclass
class KnobCoverage:
    """How much of one knob's value set a dataset covers."""

    knob: str
    distinct: int
    choices: int | None  # None when the env is not installed or the knob is continuous


def info(directory: str | os.PathLike[str], on_bad: OnBad = "raise") -> dict[str, Any]:
    """Summary of a dataset: rows, envs, workloads, knob coverage and metric ranges.

    Reads one column at a time, so it works on datasets larger than memory.
    """
    import pyarrow.compute as pc

    d = _dataset_dir(directory)
    manifest = read_manifest(d)
    if manifest is None or {e["file"] for e in manifest["shards"]} != {p.name for p in shard_paths(d)}:
        manifest = build_manifest(d)
    ds = scan(d, on_bad)
    names = ds.schema.names

    def column(name: str) -> Any:
        return ds.to_table(columns=[name]).column(name)

    rows = ds.count_rows()
    feasible = pc.sum(column("feasible")).as_py() or 0 if rows else 0
    predicted = pc.sum(column("predicted")).as_py() or 0 if rows else 0
    workloads = {}
    if rows:
        for r in ds.to_table(columns=["env_id", "workload"]).group_by(["env_id", "workload"]).aggregate(
                [("workload", "count")]).to_pylist():
            workloads[f"{r['env_id']} [{r['workload']}]"] = r["workload_count"]
    spaces = {env_id: _space_of(env_id) for env_id in manifest["envs"]}
    coverage = []
    for name in design_columns(names):
        knob = name[len(DESIGN_PREFIX):]
        n = len(pc.unique(column(name)).drop_null()) if rows else 0
        choices = None
        for space in spaces.values():
            if space is not None and knob in space and space[knob].kind != "float":
                choices = space[knob].n
        coverage.append(KnobCoverage(knob, n, choices))
    metrics = {}
    feasible_filter = pc.field("feasible") == True  # noqa: E712  (an Arrow expression, not a comparison)
    for name in (n for n in names if n.startswith(METRIC_PREFIX)):
        values = ds.to_table(columns=[name], filter=feasible_filter).column(name).drop_null() if rows else None
        if values is None or not len(values):
            continue
        mm = pc.min_max(values).as_py()
        metrics[name[len(METRIC_PREFIX):]] = {"min": mm["min"], "max": mm["max"],
                                              "mean": pc.mean(values).as_py(), "count": len(values)}
    return {
        "path": str(d),
        "rows": rows,
        "pending_journal_rows": sum(len(journal_rows(j)) for j in orphan_journals(d)),
        "feasible": int(feasible),
        "predicted": int(predicted),
        "shards": len(manifest["shards"]),
        "bad_shards": manifest["bad_shards"],
        "envs": manifest["envs"],
        "workloads": workloads,
        "agents": manifest["agents"],
        "seeds": len(manifest["seeds"]),
        "coverage": [c.__dict__ for c in coverage],
        "metrics": metrics,
    }


def _space_of(env_id: str) -> Any:
    """The design space of an installed env, or None (datasets outlive the envs that made them)."""
    try:
        import gymnasium

        import archgym  # noqa: F401  (registers the ids)

        env = gymnasium.make(env_id)
        try:
            return env.unwrapped.design_space
        finally:
            env.close()
    except Exception as exc:  # an env that is not installed, or fails to build, only loses the coverage column
        log.info("no design space for %s (%s)", env_id, exc)
        return None


# -- merge and export ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MergeResult:
    """What :func:`merge` did."""

    rows_in: int
    rows_added: int
    duplicates: int
    out: Path


def merge(
    sources: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    shard_size: int = 100_000,
    on_bad: OnBad = "raise",
) -> MergeResult:
    """Copy the records of ``sources`` into ``out`` without duplicates.

    Two records are duplicates when they share env id, env version, workload
    and design (:func:`design_keys`); the first one met is kept (sources in the
    order given, shards in name order). ``out`` may already hold a dataset: its
    rows count as met first, and its shards are never rewritten. Streams one
    shard at a time, so memory holds the keys, not the rows.
    """
    import pyarrow as pa

    out_dir = Path(out)
    for src in sources:
        _dataset_dir(src)
        if Path(src).resolve() == out_dir.resolve():
            raise UserError(f"merge output {out_dir} is also a source; choose a new folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    seen = existing_keys(out_dir)
    rows_in = added = 0
    pending: list[pa.Table] = []

    def flush() -> None:
        nonlocal pending
        if pending:
            write_shard(shard_path(out_dir, new_writer_id()), pa.concat_tables(pending))
            pending = []

    for src in sources:
        for table in iter_tables(src, on_bad=on_bad):
            rows_in += table.num_rows
            keep = []
            for i, key in enumerate(design_keys(table)):
                if int(key) not in seen:
                    seen.add(int(key))
                    keep.append(i)
            if not keep:
                continue
            part = table.take(pa.array(keep, type=pa.int64()))
            if pending and not pending[0].schema.equals(part.schema):
                flush()
            pending.append(part)
            added += part.num_rows
            if sum(t.num_rows for t in pending) >= shard_size:
                flush()
    flush()
    write_manifest(out_dir)
    return MergeResult(rows_in, added, rows_in - added, out_dir)


def export_csv(directory: str | os.PathLike[str], out: str | os.PathLike[str], on_bad: OnBad = "raise") -> int:
    """Write every record to one CSV file (header from the unified schema); returns the row count."""
    import pyarrow.csv as pacsv

    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ds = scan(directory, on_bad)
    n = 0
    with atomic_output(out_path) as tmp, pacsv.CSVWriter(tmp, ds.schema) as writer:
        for table in iter_tables(directory, on_bad=on_bad):
            table = table.select([c for c in ds.schema.names if c in table.schema.names])
            for name in ds.schema.names:
                if name not in table.schema.names:
                    table = table.append_column(ds.schema.field(name), _nulls(ds.schema.field(name).type,
                                                                               table.num_rows))
            writer.write_table(table.select(ds.schema.names).cast(ds.schema))
            n += table.num_rows
    return n


def _nulls(t: "pa.DataType", n: int) -> "pa.Array":
    import pyarrow as pa

    return pa.nulls(n, type=t)


def export_minari(directory: str | os.PathLike[str], dataset_id: str, on_bad: OnBad = "raise") -> Any:
    """Export as a Minari dataset (one episode per run id), if Minari is installed.

    Observations are the env's observation of each evaluated design's metrics,
    actions its knob indices; rewards the recorded rewards. Stored in Minari's
    Arrow format (pyarrow is a core dependency; its HDF5 format would need h5py)
    under ``MINARI_DATASETS_PATH`` (default ``~/.minari/datasets``).

    Raises:
        UserError: Minari is not installed, or the dataset holds more than one env.
    """
    try:
        import minari
        from minari.data_collector import EpisodeBuffer
    except ImportError as exc:
        missing = "" if exc.name in (None, "minari") else f" (its dependency {exc.name!r} is missing)"
        raise UserError(f"Minari export needs the optional package 'minari', which is not importable{missing}; "
                        f"install it with `pip install minari`, or export CSV with --format csv") from None
    import gymnasium
    import numpy as np

    from archgym.metrics import Metrics

    df = load(directory, on_bad=on_bad)
    env_ids = sorted(df["env_id"].dropna().unique())
    if len(env_ids) != 1:
        raise UserError(f"Minari export needs a dataset of one env; this one has {', '.join(env_ids) or 'none'}")
    workloads = sorted(df["workload"].dropna().unique())
    env = gymnasium.make(env_ids[0], **({"workload": workloads[0]} if len(workloads) == 1 else {}))
    base = env.unwrapped
    space = base.design_space
    buffers = []
    for i, (_, run) in enumerate(df.groupby("run_id", sort=False)):
        run = run.sort_values("step")
        designs = [{k: row[DESIGN_PREFIX + k] for k in space.names} for _, row in run.iterrows()]
        obs = [base._core.observe(None)]
        for (_, row) in run.iterrows():
            values = {c[len(METRIC_PREFIX):]: row[c] for c in run.columns if c.startswith(METRIC_PREFIX)}
            obs.append(base._core.observe(Metrics(values) if row["feasible"] else Metrics.infeasible("infeasible")))
        n = len(run)
        buffers.append(EpisodeBuffer(
            id=i,
            observations=list(np.stack(obs)),
            actions=list(np.stack([space.encode(x) for x in designs])),
            rewards=list(run["reward"].to_numpy(dtype=np.float64)),
            terminations=[False] * n,
            truncations=list(np.arange(1, n + 1) == n),
            infos={},
        ))
    with warnings.catch_warnings():  # Minari's advice to name an author, e-mail and code link
        warnings.filterwarnings("ignore", category=UserWarning, module=r"minari\.")
        return minari.create_dataset_from_buffers(
            dataset_id=dataset_id, buffer=buffers, env=env, algorithm_name="archgym", data_format="arrow",
            description=f"archgym records of {env_ids[0]} ({', '.join(workloads)}): one episode per run")
