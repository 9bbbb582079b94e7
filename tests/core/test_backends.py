"""Backends shared by sweeps and collection: the options, and workers that end with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from archgym.backends import DaskBackend, ProcessBackend, SerialBackend, make_backend
from archgym.errors import UserError

PARENT = """
import os, sys, time
from archgym.backends import ProcessBackend

if __name__ == "__main__":
    backend = ProcessBackend(2)
    pool = backend.start()
    for f in [pool.submit(time.sleep, 0.5) for _ in range(2)]:  # both workers started
        f.result()
    pids = {p.pid for p in pool._processes.values()}
    print(" ".join(map(str, sorted(pids))), flush=True)
    pool.submit(time.sleep, 600)  # keep a worker busy
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_pool_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(map(_alive, workers))
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 30
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "pool workers outlived their killed parent"


def test_make_backend_reads_the_same_options_for_sweeps_and_collection():
    assert isinstance(make_backend(serial=True), SerialBackend)
    assert make_backend(workers=3).slots == 3 and isinstance(make_backend(workers=3), ProcessBackend)
    pytest.importorskip("distributed")
    assert isinstance(make_backend(dask_local=2), DaskBackend)
    assert make_backend(scheduler="tcp://127.0.0.1:8786").address == "tcp://127.0.0.1:8786"


@pytest.mark.parametrize("kwargs, message", [
    ({"workers": 2, "serial": True}, "choose one of --workers, --dask-local, --scheduler, --serial"),
    ({"workers": 0}, "--workers must be >= 1, got 0"),
    ({"dask_local": 0}, "--dask-local must be >= 1"),
    ({"scheduler": "localhost:8786"}, "--scheduler must be an address like tcp://host:8786"),
])
def test_make_backend_rejects_bad_options(kwargs, message):
    if "scheduler" in kwargs:
        pytest.importorskip("distributed")
    with pytest.raises(UserError, match=message):
        make_backend(**kwargs)
