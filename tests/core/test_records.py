"""Records: Parquet shards, append-only, crash-safe journals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd

from archgym.data.datasets import load as load_records
from archgym.records import RecordWriter, make_record, orphan_journals
from archgym.space import ParameterSpace, categorical, pow2

SPACE = ParameterSpace([pow2("size", 1, 8, default=1), categorical("colour", ["red", "blue"], default="red")])


def _rec(i: int) -> dict:
    return make_record(design={"size": 2, "colour": "blue"}, metrics={"latency_cycles": float(i)},
                       metric_names=["latency_cycles", "area_mm2"], step=i, env_id="x/Y-v0", seed=0,
                       feasible=True, reward=-i)


def test_shards_hold_every_record_in_order(tmp_path):
    with RecordWriter(tmp_path, SPACE, ["latency_cycles", "area_mm2"], shard_size=4) as w:
        for i in range(10):
            w.append(_rec(i))
    shards = sorted(tmp_path.glob("part-*.parquet"))
    assert len(shards) == 3 and not list(tmp_path.glob("_journal-*"))
    df = load_records(tmp_path)
    assert list(df["step"]) == list(range(10))
    assert df["metric.area_mm2"].isna().all() and (df["design.colour"] == "blue").all()
    assert str(df["design.size"].dtype) == "int64"


def test_appending_never_rewrites_existing_shards(tmp_path):
    with RecordWriter(tmp_path, SPACE, ["latency_cycles"], shard_size=2) as w:
        for i in range(4):
            w.append(_rec(i))
    before = {p: os.stat(p).st_mtime_ns for p in tmp_path.glob("part-*.parquet")}
    with RecordWriter(tmp_path, SPACE, ["latency_cycles"], shard_size=2) as w:
        w.append(_rec(4))
    assert all(os.stat(p).st_mtime_ns == t for p, t in before.items())
    assert len(load_records(tmp_path)) == 5


def test_killed_writer_loses_nothing_it_flushed(tmp_path):
    """A process killed with SIGKILL mid-run keeps every record it appended."""
    code = textwrap.dedent(f"""
        import os, signal
        from archgym.records import RecordWriter, make_record
        from archgym.space import ParameterSpace, categorical, pow2
        space = ParameterSpace([pow2("size", 1, 8, default=1), categorical("colour", ["red", "blue"], default="red")])
        w = RecordWriter({str(tmp_path)!r}, space, ["latency_cycles"], shard_size=5)
        for i in range(13):
            w.append(dict(step=i, **{{"design.size": 2, "design.colour": "red", "metric.latency_cycles": float(i)}}))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == -signal.SIGKILL
    assert len(list(tmp_path.glob("part-*.parquet"))) == 2
    assert len(orphan_journals(tmp_path)) == 1
    df = load_records(tmp_path)
    assert sorted(df["step"]) == list(range(13))


def test_partial_last_journal_line_is_dropped(tmp_path):
    w = RecordWriter(tmp_path, SPACE, ["latency_cycles"], shard_size=100)
    w.append(_rec(0))
    w.append(_rec(1))
    journal = next(tmp_path.glob("_journal-*"))
    with open(journal, "a") as fh:
        fh.write('{"step": 2, "env_')
    df = load_records(tmp_path)
    assert list(df["step"]) == [0, 1]
    assert isinstance(df, pd.DataFrame)
