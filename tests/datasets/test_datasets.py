"""Datasets: collection, manifest, schema checks on read, merge, export, large-scale scan."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from archgym.data import datasets
from archgym.data.collect import collect, latin_hypercube
from archgym.errors import UserError
from archgym.records import RecordWriter, make_record
from archgym.space import ParameterSpace, integer, pow2

TOY = "archgym-test/Toy-v0"
KEY = ["env_id", "env_version", "workload", "design.size", "design.count", "design.colour"]


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("toy")
    collect(TOY, 60, d / "a", sampler="lhs", seed=1, chunk_size=16)
    collect(TOY, 60, d / "b", sampler="random", seed=2, chunk_size=16, workload="double")
    return d


def test_collect_writes_records_and_manifest(toy_data):
    d = toy_data / "a"
    df = datasets.load(d)
    assert 0 < len(df) <= 60 and not df.duplicated(KEY).any()
    assert {"design.size", "metric.latency_cycles", "env_version", "simulator_version", "seed"} <= set(df.columns)
    m = json.loads((d / datasets.MANIFEST).read_text())
    assert m["rows"] == len(df) and list(m["envs"]) == [TOY] and m["envs"][TOY]["versions"] == [0]
    assert m["workloads"] == ["unit"] and m["agents"] == ["lhs"] and len(m["seeds"]) == 4
    assert m["envs"][TOY]["knobs"] == {"size": "int64", "count": "int64", "colour": "string"}
    for shard in m["shards"]:
        assert hashlib.sha256((d / shard["file"]).read_bytes()).hexdigest() == shard["sha256"]
    assert datasets.verify(d) == []


def test_rerun_with_same_seed_adds_nothing_and_rewrites_nothing(tmp_path):
    first = collect(TOY, 40, tmp_path, sampler="lhs", seed=5, chunk_size=16)
    before = {p: os.stat(p).st_mtime_ns for p in tmp_path.glob("part-*.parquet")}
    again = collect(TOY, 40, tmp_path, sampler="lhs", seed=5, chunk_size=16)
    assert first.added > 0 and again.added == 0 and again.duplicates == 40
    assert all(os.stat(p).st_mtime_ns == t for p, t in before.items())
    more = collect(TOY, 40, tmp_path, sampler="lhs", seed=6, chunk_size=16)
    assert more.rows_total == first.added + more.added
    assert not datasets.load(tmp_path).duplicated(KEY).any()


def test_records_do_not_depend_on_the_worker_count(tmp_path):
    serial = collect(TOY, 50, tmp_path / "s", sampler="random", seed=3, chunk_size=8)
    with ThreadPoolExecutor(3) as pool:
        parallel = collect(TOY, 50, tmp_path / "p", sampler="random", seed=3, chunk_size=8, executor=pool)
    cols = [*KEY, "metric.latency_cycles", "feasible", "seed", "step"]
    a, b = datasets.load(tmp_path / "s")[cols], datasets.load(tmp_path / "p")[cols]
    assert serial.added == parallel.added
    pd.testing.assert_frame_equal(a, b)


def test_collect_on_a_process_pool_matches_one_process(tmp_path):
    pytest.importorskip("archgym.envs.accelerator")
    env = "archgym/Accelerator-v1"
    collect(env, 24, tmp_path / "one", sampler="lhs", seed=0, chunk_size=8)
    r = collect(env, 24, tmp_path / "two", sampler="lhs", seed=0, chunk_size=8, workers=2)
    assert r.workers == "process pool, 2 workers"
    cols = [c for c in datasets.load(tmp_path / "one").columns if c.startswith(("design.", "metric."))]
    pd.testing.assert_frame_equal(datasets.load(tmp_path / "one")[cols], datasets.load(tmp_path / "two")[cols])


def test_latin_hypercube_hits_every_stratum():
    space = ParameterSpace([pow2("a", 1, 8, default=1), integer("b", [1, 2, 3], default=1)])
    idx = latin_hypercube(space, 12, seed=0)
    assert idx.shape == (12, 2)
    assert sorted(np.bincount(idx[:, 0], minlength=4)) == [3, 3, 3, 3]
    assert sorted(np.bincount(idx[:, 1], minlength=3)) == [4, 4, 4]


def test_collect_rejects_bad_input(tmp_path):
    with pytest.raises(UserError, match="unknown env"):
        collect("archgym/Nope-v0", 5, tmp_path)
    with pytest.raises(UserError, match="sampler"):
        collect(TOY, 5, tmp_path, sampler="nope")
    with pytest.raises(UserError, match="samples"):
        collect(TOY, 0, tmp_path)
    assert not list(tmp_path.glob("part-*"))


def _bad_copy(src, dst):
    dst.mkdir()
    for p in src.glob("part-*.parquet"):
        (dst / p.name).write_bytes(p.read_bytes())
    (dst / "part-zz-corrupt.parquet").write_bytes(b"PAR1 this is not parquet")
    pq.write_table(pa.table({"foo": [1, 2]}), dst / "part-zz-wrongschema.parquet")


def test_bad_shards_are_named_and_the_rest_stays_readable(toy_data, tmp_path):
    bad = tmp_path / "bad"
    _bad_copy(toy_data / "a", bad)
    with pytest.raises(datasets.BadShardError, match="part-zz-corrupt.parquet"):
        datasets.load(bad)
    with pytest.raises(datasets.BadShardError, match="part-zz-wrongschema.*missing provenance.*'foo'"):
        datasets.shard_schema(bad / "part-zz-wrongschema.parquet")
    rest = datasets.load(bad, on_bad="skip")
    assert len(rest) == len(datasets.load(toy_data / "a"))
    summary = datasets.info(bad, on_bad="skip")
    assert set(summary["bad_shards"]) == {"part-zz-corrupt.parquet", "part-zz-wrongschema.parquet"}
    assert summary["rows"] == len(rest)


def test_verify_detects_a_modified_shard(toy_data, tmp_path):
    d = tmp_path / "v"
    d.mkdir()
    for p in (toy_data / "a").iterdir():
        (d / p.name).write_bytes(p.read_bytes())
    shard = sorted(d.glob("part-*.parquet"))[0]
    table = pq.read_table(shard)
    pq.write_table(table.slice(0, 1), shard)
    assert any("checksum" in p for p in datasets.verify(d))


def test_columns_and_filters_are_pushed_down(toy_data):
    df = datasets.load(toy_data / "b", columns=["workload", "metric.latency_cycles"],
                       filters={"feasible": True})
    assert list(df.columns) == ["workload", "metric.latency_cycles"] and (df["workload"] == "double").all()
    ds = datasets.scan(toy_data / "b")
    import pyarrow.compute as pc

    n = sum(b.num_rows for b in ds.to_batches(columns=["step"], filter=pc.field("feasible")))
    assert n == len(df)
    with pytest.raises(UserError, match="unknown column"):
        datasets.load(toy_data / "b", columns=["nope"])
    with pytest.raises(UserError, match="unknown filter column.*'nope'; the dataset has run_id"):
        datasets.load(toy_data / "b", filters={"nope": 1})


def test_unfinished_journal_rows_are_read(tmp_path, toy_env):
    space = toy_env.unwrapped.design_space
    w = RecordWriter(tmp_path, space, ["latency_cycles"], shard_size=100)
    for i in range(3):
        w.append(make_record(design={"size": 2 ** i, "count": 1, "colour": "red"}, metrics={"latency_cycles": i},
                             metric_names=["latency_cycles"], env_id=TOY, env_version=0, workload="unit",
                             feasible=True, predicted=False, step=i, seed=0))
    df = datasets.load(tmp_path)  # the writer was never closed: rows live in its journal
    assert len(df) == 3 and datasets.info(tmp_path)["pending_journal_rows"] == 3
    assert len(datasets.existing_keys(tmp_path)) == 3
    w.close()


def test_collect_folds_a_killed_collects_journal_on_resume(tmp_path, toy_env):
    """A collect killed before its first shard leaves journal rows; the rerun makes them a shard and counts them."""
    first = collect(TOY, 20, tmp_path / "ref", sampler="lhs", seed=4, chunk_size=8)
    rows = datasets.load(tmp_path / "ref").to_dict("records")
    space = toy_env.unwrapped.design_space
    w = RecordWriter(tmp_path / "d", space, ["latency_cycles", "energy_pj", "area_mm2"], shard_size=1000)
    for r in rows[:7]:  # the killed writer: journal only, never closed
        w.append(r)
    w._journal.write('{"partial')  # and a half-written last line
    w._journal.flush()
    assert datasets.info(tmp_path / "d")["pending_journal_rows"] == 7
    again = collect(TOY, 20, tmp_path / "d", sampler="lhs", seed=4, chunk_size=8)
    assert not list((tmp_path / "d").glob("_journal-*"))
    assert again.duplicates == 7 and again.added == first.added - 7 and again.rows_total == first.added
    summary = datasets.info(tmp_path / "d")
    assert summary["pending_journal_rows"] == 0 and summary["rows"] == first.added
    assert list(summary["workloads"].values()) == [first.added] and datasets.verify(tmp_path / "d") == []
    cols = ["design.size", "design.count", "design.colour", "metric.latency_cycles"]
    got, ref = (datasets.load(tmp_path / d, columns=cols).sort_values(cols).reset_index(drop=True)
                for d in ("d", "ref"))
    pd.testing.assert_frame_equal(got, ref)


def test_design_keys_ignore_integer_versus_float_columns():
    a = pd.DataFrame({"env_id": ["e"], "env_version": [0], "workload": ["w"], "design.x": [4], "design.c": ["r"]})
    b = a.assign(**{"design.x": [4.0], "design.y": [np.nan]})
    assert datasets.design_keys(a)[0] == datasets.design_keys(b)[0]
    assert datasets.design_keys(a)[0] != datasets.design_keys(a.assign(workload=["v"]))[0]


def test_merge_drops_duplicates_and_never_rewrites(toy_data, tmp_path):
    out = tmp_path / "m"
    r = datasets.merge([toy_data / "a", toy_data / "b", toy_data / "a"], out)
    na, nb = len(datasets.load(toy_data / "a")), len(datasets.load(toy_data / "b"))
    assert r.rows_in == 2 * na + nb and r.rows_added == na + nb and r.duplicates == na
    assert len(datasets.load(out)) == na + nb
    assert json.loads((out / datasets.MANIFEST).read_text())["workloads"] == ["double", "unit"]
    again = datasets.merge([toy_data / "b"], out)
    assert again.rows_added == 0
    with pytest.raises(UserError, match="also a source"):
        datasets.merge([out], out)


def test_export_csv_and_minari(toy_data, tmp_path):
    n = datasets.export_csv(toy_data / "a", tmp_path / "a.csv")
    df = pd.read_csv(tmp_path / "a.csv")
    assert len(df) == n == len(datasets.load(toy_data / "a")) and "design.colour" in df.columns
    try:
        import minari  # noqa: F401
    except ImportError:
        with pytest.raises(UserError, match="minari"):
            datasets.export_minari(toy_data / "a", "archgym/toy-v0")


def test_info_summarises_coverage_and_ranges(toy_data):
    s = datasets.info(toy_data / "a")
    cov = {c["knob"]: c for c in s["coverage"]}
    assert cov["colour"]["distinct"] == 3 and cov["colour"]["choices"] == 3
    assert s["metrics"]["latency_cycles"]["min"] >= 1.0
    assert s["rows"] == s["feasible"] + (s["rows"] - s["feasible"])
