"""The results folder of a sweep, written one trial at a time and never half-way.

Layout of ``DIR``::

    trials/<key>.json                       one result per trial (ok or failed): the commit marker
    records/<env>/part-<key>-00000.parquet  that trial's evaluation records (a dataset folder per env id)
    sweeps/<sha>.yaml                       each sweep file run into DIR, for provenance
    sweeps/<sha>.trials                     the keys of the trials that file plans, one per line

A trial is *finished* when its JSON exists. Both files are written to a
temporary name, synced and renamed, records first: a process killed at any
moment leaves either a finished trial or none, and a trial run again replaces
its records file instead of adding a second copy. ``records/<env>`` is read by
:func:`archgym.data.datasets.load` like any dataset.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from archgym.fileio import atomic_write_bytes
from archgym.records import json_default

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

TRIALS = "trials"
RECORDS = "records"
SWEEPS = "sweeps"


def env_folder(env_id: str) -> str:
    """A folder name for an env id (``archgym/DRAM-v1`` -> ``archgym_DRAM-v1``)."""
    return env_id.replace("/", "_")


class ResultStore:
    """Reads and writes the results folder of one sweep."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.trials_dir = self.root / TRIALS

    def prepare(self) -> None:
        """Create the folders and remove temporary files a killed run left behind."""
        self.trials_dir.mkdir(parents=True, exist_ok=True)
        (self.root / RECORDS).mkdir(exist_ok=True)
        for tmp in list(self.trials_dir.glob("*.tmp")) + list((self.root / RECORDS).glob("*/*.tmp")):
            tmp.unlink(missing_ok=True)

    def finished(self) -> dict[str, str]:
        """Key -> status (``ok`` or ``failed``) of every finished trial."""
        out = {}
        for result in self.results():
            out[result["key"]] = result["status"]
        return out

    def finished_keys(self) -> set[str]:
        """Keys of the finished trials, from the file names alone (fast)."""
        if not self.trials_dir.is_dir():
            return set()
        return {p.stem for p in self.trials_dir.glob("*.json")}

    def results(self) -> Iterator[dict[str, Any]]:
        """Every finished trial's result."""
        if not self.trials_dir.is_dir():
            return
        for path in sorted(self.trials_dir.glob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))

    def records_dir(self, env_id: str) -> Path:
        return self.root / RECORDS / env_folder(env_id)

    def write(self, result: dict[str, Any], records: tuple[list[dict[str, Any]], "pa.Schema"] | None) -> None:
        """Commit one trial: its records (if any), then its result JSON."""
        from archgym.records import shard_path, write_shard

        key = result["key"]
        if records is not None and records[0]:
            folder = self.records_dir(result["trial"]["env_id"])
            folder.mkdir(parents=True, exist_ok=True)
            write_shard(shard_path(folder, key), records[0], records[1])
        text = json.dumps(result, sort_keys=True, default=json_default)
        atomic_write_bytes(self.trials_dir / f"{key}.json", text.encode())

    def keep_sweep_file(self, text: str, keys: Iterable[str] = ()) -> Path:
        """Store a copy of the sweep file (by content hash) and the keys of the trials it plans.

        The folder then says what produced it, and :meth:`planned_keys` how much of it is done.
        """
        folder = self.root / SWEEPS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha256(text.encode()).hexdigest()[:12] + ".yaml")
        if not path.exists():
            atomic_write_bytes(path, text.encode())
        keys = list(keys)
        if keys and not path.with_suffix(".trials").exists():
            atomic_write_bytes(path.with_suffix(".trials"), "".join(k + "\n" for k in keys).encode())
        return path

    def planned_keys(self) -> set[str] | None:
        """Keys of every trial the sweep files run into this folder plan (None if none was recorded)."""
        files = sorted((self.root / SWEEPS).glob("*.trials"))
        if not files:
            return None
        return {k for f in files for k in f.read_text(encoding="utf-8").split()}

    def progress(self) -> tuple[int, int | None]:
        """(finished trials, planned trials or None when the folder records no plan)."""
        planned = self.planned_keys()
        finished = self.finished_keys()
        return (len(finished), None) if planned is None else (len(finished & planned), len(planned))

