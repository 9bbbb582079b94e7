"""Where trials run: in this process, on a local process pool, or on a Dask cluster.

Each backend hands the runner a standard :class:`concurrent.futures.Executor`;
the trial function and the bookkeeping are the same for all of them. Dask is
used through ``client.get_executor()``, so any cluster a ``dask.distributed``
scheduler fronts (LocalCluster, dask-jobqueue, SSH, Kubernetes) works.

Backends differ in what a crashed worker does to the other trials, which the
runner needs to know to blame the right trial:

* a process pool breaks as a whole (every running trial fails with
  ``BrokenProcessPool``), so the runner re-runs the trials that were in flight
  one at a time before counting a failure against any of them
  (:attr:`Backend.blames_precisely` is False) and then restarts the pool;
* Dask tells exactly which task was on the worker that died
  (``KilledWorker``), so the failure counts against that trial alone.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from archgym.sweep.trial import pin_threads

log = logging.getLogger(__name__)


class Backend(ABC):
    """A source of executors for the runner."""

    #: a worker crash is attributed to the one trial it was running
    blames_precisely: bool = True

    @property
    @abstractmethod
    def slots(self) -> int:
        """How many trials run at once."""

    @property
    def window(self) -> int:
        """How many trials to keep submitted (a little more than the slots, to hide latency)."""
        return 2 * self.slots

    @abstractmethod
    def start(self) -> Executor:
        """Start (or return) the executor."""

    def breaks_on(self, exc: BaseException) -> bool:
        """Whether ``exc`` (raised by a future) means the executor must be restarted."""
        return False

    def restart(self) -> Executor:
        self.close()
        return self.start()

    def close(self) -> None:  # noqa: B027 - most backends hold something to release; the inline one does not
        """Release workers and clusters."""

    def describe(self) -> str:
        return type(self).__name__


class InlineExecutor(Executor):
    """Runs each call in the calling process at submission (for debugging and small sweeps)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


class SerialBackend(Backend):
    """Trials run one after another in this process; a trial that kills its process kills the sweep."""

    @property
    def slots(self) -> int:
        return 1

    @property
    def window(self) -> int:
        return 1

    def start(self) -> Executor:
        return InlineExecutor()

    def describe(self) -> str:
        return "serial (in process)"


class ProcessBackend(Backend):
    """A local ``ProcessPoolExecutor`` of ``workers`` spawned processes, each pinned to one thread."""

    blames_precisely = False

    def __init__(self, workers: int | None = None):
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self._executor: ProcessPoolExecutor | None = None

    @property
    def slots(self) -> int:
        return self.workers

    def start(self) -> Executor:
        import multiprocessing

        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=pin_threads
            )
        return self._executor

    def breaks_on(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def describe(self) -> str:
        return f"process pool, {self.workers} workers"


class DaskBackend(Backend):
    """dask.distributed: a scheduler address, or a LocalCluster of ``local_workers`` processes.

    A LocalCluster's workers run one thread each. For a LocalCluster the
    scheduler's ``allowed-failures`` is set to 0, so each worker death reaches
    the runner, which does the retry counting; a remote scheduler keeps its
    own setting (each of the runner's attempts then includes its retries).
    """

    def __init__(self, address: str | None = None, local_workers: int | None = None):
        if (address is None) == (local_workers is None):
            raise ValueError("give a scheduler address or a number of local workers, not both")
        self.address = address
        self.local_workers = local_workers
        self._client: Any = None
        self._cluster: Any = None
        self._executor: Executor | None = None

    @property
    def slots(self) -> int:
        self.start()
        return max(1, sum(self._client.nthreads().values()))

    def start(self) -> Executor:
        if self._executor is not None:
            return self._executor
        import dask
        from distributed import Client, LocalCluster

        if self.address is not None:
            self._client = Client(self.address)
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._cluster = LocalCluster(
                    n_workers=int(self.local_workers or 1), threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR,
                )
            self._client = Client(self._cluster)
        self._client.run(pin_threads)
        self._executor = self._client.get_executor(pure=False)
        return self._executor

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = self._executor = None

    def describe(self) -> str:
        if self.address:
            return f"dask scheduler {self.address}"
        return f"dask LocalCluster, {self.local_workers} workers"
