"""Where work runs: in this process, on a local process pool, or on a Dask cluster.

One module for every parallel feature: ``archgym sweep run`` runs its trials
and ``archgym dataset collect`` its chunks on the same backends, chosen by the
same options (:func:`make_backend`: ``workers``, ``dask_local``, ``scheduler``,
``serial``). Each backend hands out a standard
:class:`concurrent.futures.Executor`; the work function and the bookkeeping
are the same for all of them. Dask is used through ``client.get_executor()``,
so any cluster a ``dask.distributed`` scheduler fronts (LocalCluster,
dask-jobqueue, SSH, Kubernetes) works.

Local worker processes are started with ``spawn`` (no inherited threads or
locks from a parent that has loaded numba, torch or BLAS), run one thread each
(:func:`pin_threads`, so parallel workers do not oversubscribe the cores) and
end when their parent dies (:func:`watch_parent`): a ``kill -9`` of the
command leaves no orphan workers computing for minutes.

Backends differ in what a crashed worker does to the other trials, which the
sweep runner needs to know to blame the right trial:

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
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from archgym.errors import UserError

log = logging.getLogger(__name__)

#: environment variables that cap the threads of BLAS/OpenMP libraries
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")
#: seconds between a worker's checks that its parent is still alive
PARENT_POLL_S = 0.5
#: address schemes ``scheduler`` accepts
SCHEDULER_SCHEMES = ("tcp://", "tls://", "inproc://", "ws://", "wss://")

_pinned = False


def pin_threads() -> None:
    """One thread per worker: BLAS/OpenMP pools and torch, so parallel workers do not oversubscribe cores.

    The environment variables cover libraries imported later (torch reads
    ``OMP_NUM_THREADS`` when it starts); threadpoolctl and
    ``torch.set_num_threads`` cover those already loaded.
    """
    global _pinned
    if _pinned:
        return
    for var in THREAD_VARIABLES:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    _pinned = True


def watch_parent(parent: int | None = None, poll_s: float = PARENT_POLL_S) -> threading.Thread:
    """End this process (exit code 1) soon after process ``parent`` (default: the current parent) dies.

    A daemon thread polls the parent's pid: when the parent is killed the
    worker is re-parented, so ``os.getppid()`` changes. Polling works on every
    platform (Linux's ``PR_SET_PDEATHSIG`` follows the parent *thread*, which
    for a process pool is not the one that lives as long as the pool).
    """
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(1)

    thread = threading.Thread(target=watch, name="archgym-watch-parent", daemon=True)
    thread.start()
    return thread


def worker_init() -> None:
    """A local worker process's start: one thread, an end when its parent dies, a quiet end on Ctrl-C."""
    pin_threads()
    watch_parent()
    signal.signal(signal.SIGINT, _end_quietly)


def _end_quietly(signum: int, frame: Any) -> None:
    """Ctrl-C reaches the workers too (the terminal signals the whole process group): the parent
    reports the interruption once, so a worker ends with SystemExit, which prints no traceback,
    instead of a KeyboardInterrupt traceback per worker."""
    raise SystemExit(130)


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
    """A local ``ProcessPoolExecutor`` of ``workers`` spawned processes: one thread each, ending with this one."""

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
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init
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


def make_backend(
    workers: int | None = None, dask_local: int | None = None, scheduler: str | None = None, serial: bool = False,
) -> Backend:
    """The backend the options ask for (default: a process pool of one worker per core).

    Raises:
        UserError: more than one option, a count below 1, a malformed scheduler
            address, or Dask options without ``dask.distributed`` installed.
    """
    given = [name for name, v in (("--workers", workers), ("--dask-local", dask_local),
                                  ("--scheduler", scheduler), ("--serial", serial or None)) if v is not None]
    if len(given) > 1:
        raise UserError(f"choose one of --workers, --dask-local, --scheduler, --serial; got {', '.join(given)}")
    for name, n in (("--workers", workers), ("--dask-local", dask_local)):
        if n is not None and n < 1:
            raise UserError(f"{name} must be >= 1, got {n}")
    if serial:
        return SerialBackend()
    if dask_local is not None or scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UserError("Dask backends need dask.distributed: pip install 'archgym[dist]'") from None
        if scheduler is not None and not scheduler.startswith(SCHEDULER_SCHEMES):
            raise UserError(f"--scheduler must be an address like tcp://host:8786, got {scheduler!r}")
        return DaskBackend(address=scheduler, local_workers=dask_local)
    return ProcessBackend(workers)
