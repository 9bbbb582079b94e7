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
