"""Running a sweep: submit trials to a backend, retry crashed workers, commit each result atomically.

:func:`run_sweep` skips the trials already finished in the results folder
(resume is the default), keeps a bounded number of trials in flight on the
backend's executor and commits every result as it arrives (see
:mod:`archgym.sweep.store`), so killing the runner loses at most the trials
still running and never duplicates one.

Failures come in two kinds:

* the trial raised (bad hyperparameter combination, agent bug): the trial
  function returns ``status: failed`` with the traceback; it is recorded at
  once, since a deterministic trial would fail again;
* the worker died (segfault, out of memory, ``os._exit``): the trial is run
  again up to ``retries`` times, alone on the pool when the backend cannot tell
  which trial killed it, and is then recorded as failed with the error.

``--retry-failed`` (``retry_failed=True``) runs recorded failures again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from archgym.backends import Backend, ProcessBackend
from archgym.sweep.plan import Trial, unique
from archgym.sweep.store import ResultStore
from archgym.sweep.trial import run_trial

log = logging.getLogger(__name__)

ResultCallback = Callable[[dict[str, Any]], None]


@dataclass
class SweepOutcome:
    """What one :func:`run_sweep` call did."""

    total: int
    skipped: int
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def ran(self) -> int:
        return self.ok + self.failed


def todo(trials: Iterable[Trial], out: str | Path, retry_failed: bool = False) -> tuple[list[Trial], int]:
    """The trials still to run in ``out`` and how many are skipped as finished."""
    trials = unique(trials)
    store = ResultStore(out)
    if retry_failed:
        done = {k for k, status in store.finished().items() if status == "ok"}
    else:
        done = store.finished_keys()
    left = [t for t in trials if t.key not in done]
    return left, len(trials) - len(left)


def run_sweep(
    trials: Iterable[Trial],
    out: str | Path,
    *,
    backend: Backend | None = None,
    imports: Sequence[str] = (),
    retries: int = 2,
    retry_failed: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_result: ResultCallback | None = None,
) -> SweepOutcome:
    """Run every unfinished trial into the results folder ``out``.

    Args:
        trials: from :func:`archgym.sweep.plan.expand`.
        out: results folder (created; resumed if it holds results).
        backend: where to run (default: a process pool with one worker per core).
        imports: plugins each worker imports (the sweep file's ``imports``).
        retries: extra attempts for a trial whose worker died.
        retry_failed: also run trials recorded as failed.
        on_start: called with (trials to run, trials skipped) before the first one.
        on_result: called with each committed result.
    """
    started = time.perf_counter()
    left, skipped = todo(trials, out, retry_failed)
    outcome = SweepOutcome(total=len(left) + skipped, skipped=skipped)
    store = ResultStore(out)
    store.prepare()
    if on_start is not None:
        on_start(len(left), skipped)

    def commit(result: dict[str, Any]) -> None:
        records = result.pop("_records", None)
        store.write(result, records if result["status"] == "ok" else None)
        if result["status"] == "ok":
            outcome.ok += 1
        else:
            outcome.failed += 1
            log.warning("trial %s failed: %s", result["key"], result["error"])
        if on_result is not None:
            on_result(result)

    if left:
        backend = backend or ProcessBackend()
        log.info("running %d trials (%d already finished) on %s", len(left), skipped, backend.describe())
        _Dispatcher(backend, list(imports), retries, commit).run(left)
    outcome.seconds = time.perf_counter() - started
    return outcome


class _Dispatcher:
    """Keeps the executor busy, tells trial failures from worker crashes, and retries the latter."""

    def __init__(self, backend: Backend, imports: list[str], retries: int, commit: ResultCallback):
        self.backend = backend
        self.imports = imports
        self.max_attempts = 1 + max(0, int(retries))
        self.commit = commit
        self.pending: deque[Trial] = deque()
        self.suspects: deque[Trial] = deque()
        self.in_flight: dict[Future, tuple[Trial, bool]] = {}
        self.crashes: Counter[str] = Counter()
        self.broken = False

    def run(self, trials: list[Trial]) -> None:
        self.pending.extend(trials)
        executor = self.backend.start()
        try:
            while self.pending or self.suspects or self.in_flight:
                if not self.broken:
                    self._fill(executor)
                done, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
                for future in done:
                    trial, alone = self.in_flight.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - the worker, not the trial, failed
                        self.broken |= self.backend.breaks_on(exc)
                        self._crashed(trial, alone, exc)
                        continue
                    result["attempts"] = self.crashes[trial.key] + 1
                    self.commit(result)
                if self.broken and not self.in_flight:
                    log.info("restarting the workers after a crash")
                    executor = self.backend.restart()
                    self.broken = False
        finally:
            self.backend.close()

    def _fill(self, executor: Executor) -> None:
        """Submit work: suspects one at a time with nothing beside them, otherwise up to the window."""
        if self.suspects:
            if not self.in_flight:
                self._submit(executor, self.suspects.popleft(), alone=True)
            return
        while self.pending and len(self.in_flight) < self.backend.window and not self.broken:
            self._submit(executor, self.pending.popleft(), alone=self.backend.blames_precisely)

    def _submit(self, executor: Executor, trial: Trial, alone: bool) -> None:
        try:
            future = executor.submit(run_trial, trial.to_dict(), self.imports)
        except Exception as exc:  # noqa: BLE001 - e.g. the pool broke between two submissions
            if not self.backend.breaks_on(exc):
                raise
            self.broken = True
            (self.suspects if alone and not self.backend.blames_precisely else self.pending).appendleft(trial)
            return
        self.in_flight[future] = (trial, alone)

    def _crashed(self, trial: Trial, alone: bool, exc: BaseException) -> None:
        """A worker died while running ``trial`` (and perhaps others): blame, retry or give up."""
        if not alone:
            self.suspects.append(trial)
            return
        self.crashes[trial.key] += 1
        n = self.crashes[trial.key]
        if n < self.max_attempts:
            log.warning("trial %s: worker died (%s); attempt %d of %d", trial.key, _name(exc), n + 1,
                        self.max_attempts)
            (self.pending if self.backend.blames_precisely else self.suspects).append(trial)
            return
        self.commit({
            "key": trial.key, "trial": trial.to_dict(), "status": "failed", "attempts": n,
            "error": f"worker died {n} times running this trial; last error: {_name(exc)}",
        })


def _name(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")
