"""Where records live: what kind of folder a path is, and its records as DataFrames.

Four kinds of path hold records:

* a **run folder** (``archgym run --out DIR``): ``best.json`` and ``records/``;
* a **sweep folder** (``archgym sweep run --out DIR``): ``trials/*.json`` and
  ``records/<env>/`` (one shard per trial, named by its key);
* a **dataset** or any records folder (``archgym dataset collect``): Parquet
  shards and journals;
* a single **records file**: one shard (``.parquet``) or journal (``.jsonl``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from archgym.errors import UserError
from archgym.records import JOURNAL_GLOB, SHARD_GLOB

if TYPE_CHECKING:
    import pandas as pd

RUN, SWEEP, DATASET, FILE = "run", "sweep", "dataset", "file"


def kind_of(path: str | os.PathLike[str]) -> str:
    """:data:`RUN`, :data:`SWEEP`, :data:`DATASET` or :data:`FILE`; anything else is a :class:`UserError`."""
    p = Path(path)
    if p.is_file() and p.suffix in (".parquet", ".jsonl"):
        return FILE
    if p.is_dir():
        if (p / "best.json").is_file() or ((p / "records").is_dir() and not (p / "trials").is_dir()):
            return RUN
        if (p / "trials").is_dir():
            return SWEEP
        if any(p.glob(SHARD_GLOB)) or any(p.glob(JOURNAL_GLOB)):
            return DATASET
    if not p.exists():
        raise UserError(f"{p}: no such file or folder")
    raise UserError(f"{p}: not a run folder (best.json, records/), sweep folder (trials/, records/), "
                    f"dataset (part-*.parquet) or records file (.parquet, .jsonl)")


def read_file(path: Path) -> "pd.DataFrame":
    """The records of one shard or journal file."""
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        if path.suffix == ".parquet":
            return pq.read_table(path).to_pandas()
        with open(path, encoding="utf-8") as fh:
            return pd.DataFrame([json.loads(line) for line in fh if line.strip()])
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: not a readable records file ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
        raise UserError(f"{path}: not a readable records file ({type(exc).__name__}: {exc})") from None


def record_sets(path: str | os.PathLike[str]) -> list[tuple[str, "pd.DataFrame"]]:
    """``(source name, records)`` for each records folder or file under ``path``."""
    from archgym.data.datasets import load

    p = Path(path)
    kind = kind_of(p)
    if kind == FILE:
        return [(str(p), read_file(p))]
    if kind == RUN:
        return [(str(p / "records"), load(p / "records"))]
    if kind == SWEEP:
        return [(str(d), load(d)) for d in sorted((p / "records").glob("*")) if d.is_dir()]
    return [(str(p), load(p))]
