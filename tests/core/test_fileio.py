"""Atomic writes: the target holds the old content or the new, and no temporary file is left behind."""

from __future__ import annotations

import pytest

from archgym.fileio import atomic_output, atomic_write_text


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "best.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["best.json"]


def test_failed_write_keeps_old_content_and_removes_temporary(tmp_path):
    target = tmp_path / "model.bin"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def _disk_full(*args, **kwargs):
    """What pyarrow raises when the disk fills during a Parquet write: an OSError naming no file."""
    raise OSError(28, "Error writing bytes to file. Detail: [errno 28] No space left on device")


def test_a_full_disk_during_a_parquet_write_names_the_shard_and_leaves_nothing(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from archgym.records import write_shard

    monkeypatch.setattr(pq, "write_table", _disk_full)
    target = tmp_path / "part-x-00000.parquet"
    with pytest.raises(OSError) as exc:
        write_shard(target, [{"a": 1}])
    assert (exc.value.errno, exc.value.strerror, exc.value.filename) == (28, "No space left on device", str(target))
    assert list(tmp_path.iterdir()) == []


def test_a_write_error_that_names_a_file_is_left_as_it_is(tmp_path):
    from archgym.fileio import naming

    with pytest.raises(PermissionError) as exc, naming(tmp_path / "a"):
        raise PermissionError(13, "Permission denied", "/elsewhere/b")
    assert exc.value.filename == "/elsewhere/b"


def test_cli_says_which_shard_a_full_disk_stopped(tmp_path, monkeypatch, run_cli):
    import pyarrow.parquet as pq

    monkeypatch.setattr(pq, "write_table", _disk_full)
    data = tmp_path / "data"
    code, _, err = run_cli(["dataset", "collect", "--env", "archgym-test/Toy-v0", "--samples", "5",
                            "--out", str(data), "--quiet"])
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1, err
    assert str(data) in lines[0] and ".parquet: No space left on device" in lines[0], err
    assert "Traceback" not in err
