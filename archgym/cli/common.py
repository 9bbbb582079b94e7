"""What every command group of the ``archgym`` CLI shares: consoles, option parsing and checks, one progress bar.

Command modules import from here and never from :mod:`archgym.cli` itself, so
the package imports in one direction only (``archgym.cli`` -> command modules
-> this module).
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.markup import escape

from archgym.errors import UserError

#: results and tables (stdout)
console = Console()
#: progress bars, warnings and errors (stderr), so stdout stays clean for pipes
err_console = Console(stderr=True)

ENV_ARG_HELP = "extra env argument key=value, e.g. mapping=agent (repeatable; see `archgym describe ENV`)"

#: ``on_start(todo, skipped)`` and ``on_result(result)`` of the trial runners (sweep, bench)
StartCallback = Callable[[int, int], None]
ResultCallback = Callable[[dict[str, Any]], None]

#: what a command prints when Ctrl-C stopped it after its progress was saved
RESUME_HINT = "interrupted: rerun the same command to resume"


class Interrupted(Exception):
    """Ctrl-C stopped a command; the message says what was kept. ``archgym.cli.main`` exits with 130.

    A command catches :class:`KeyboardInterrupt`, saves what it can and raises this
    (an ordinary exception), so neither typer nor click turns it into something else.
    """


def parse_key_values(pairs: list[str], what: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``, or a UserError naming the bad item."""
    out = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{what} {item!r} must look like key=value")
        out[key.strip()] = value.strip()
    return out


def parse_hyperparameters(pairs: list[str]) -> dict[str, str]:
    """``--hp key=value`` items; a value that reads as NaN or infinity is a UserError naming the key.

    The agents check types and ranges themselves, but NaN passes every range comparison.
    """
    out = parse_key_values(pairs, "--hp")
    for key, value in out.items():
        finite_number(value, f"--hp {key}={value}")
    return out


def finite_number(text: str, what: str) -> float | None:
    """``text`` as a float (None if it is not a number); NaN or infinity is a UserError starting with ``what``."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        raise UserError(f"{what}: must be a finite number")
    return value


_NUMBER_TERM = re.compile(r"([^,;:=<>]+?)\s*(<=|=)\s*([^,;]+)")


def check_objective_numbers(objective: str | None) -> None:
    """A UserError naming the metric when an objective's target, weight or budget is NaN or infinite.

    ``weighted:latency_cycles=nan`` would otherwise make every reward NaN and the
    run report "no feasible design found".
    """
    if not objective:
        return
    for metric, op, number in _NUMBER_TERM.findall(objective.partition(":")[2]):
        finite_number(number, f"--objective {objective!r}: {metric.strip()}{op}{number.strip()}")


def check_output_folder(path: Path, option: str = "--out") -> Path:
    """Raise a UserError unless ``path`` is, or can be created as, a writable folder (creates nothing)."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path}: is a file, not a folder")
    _check_writable_ancestor(path, option)
    return path


def prepare_output_folder(path: Path, option: str = "--out") -> Path:
    """Create the folder ``path`` (and its parents), or raise a UserError saying why it cannot be one.

    Call it after every other option is checked, so a rejected command leaves no folder behind.
    """
    check_output_folder(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot create the folder: {exc.strerror or exc}") from None
    return path


def check_output_file(path: Path, option: str = "--out") -> Path:
    """Raise a UserError unless ``path`` can be written as a file: not a folder, in a writable (or creatable) one."""
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give a file name")
    _check_writable_ancestor(path.parent, option, path)
    return path


def _check_writable_ancestor(folder: Path, option: str, named: Path | None = None) -> None:
    """The nearest existing folder at or above ``folder`` must be a folder we may write in."""
    named = named or folder
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{option} {named}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{option} {named}: the folder {existing} is not writable")


def warm_up(env: Any) -> None:
    """Evaluate the env's default design once, outside any record, saying so if numba compiles a kernel.

    The first call of a compiled simulator kernel (``archgym.compiled``) after install
    compiles it (seconds to tens of seconds; cached on disk afterwards). Doing it here keeps
    that time off the progress bar's estimate and out of the first record's ``wall_time_s``,
    and a message says why the command is quiet. Simulators are side-effect free, so the
    search's results are unchanged. numba is imported by the simulators that use it, when
    they first evaluate; a watcher thread hooks numba's compile event as soon as it is loaded,
    so envs without kernels never pay for importing numba.
    """
    base = env.unwrapped
    done = threading.Event()
    hooked: list[tuple[Any, Any]] = []

    def hook() -> bool:
        event = sys.modules.get("numba.core.event")
        if event is None:
            return False
        listener = _compile_announcer(event)
        event.register("numba:compile", listener)
        hooked.append((event, listener))
        return True

    def watch() -> None:
        while not done.wait(0.02) and not hook():
            pass

    watcher = None if hook() else threading.Thread(target=watch, daemon=True)
    if watcher is not None:
        watcher.start()
    try:
        base.simulator.evaluate(base.design_space.defaults(), base.workload)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
        for event, listener in hooked:
            event.unregister("numba:compile", listener)


def _compile_announcer(event: Any) -> Any:
    """A numba event listener that prints one line when the first compilation starts."""

    class Announce(event.Listener):
        said = False

        def on_start(self, ev: Any) -> None:
            if not self.said:
                self.said = True
                func = getattr(ev.data.get("dispatcher"), "py_func", None)
                name = f"{func.__module__}.{func.__qualname__}" if func is not None else "a kernel"
                err_console.print(f"compiling {escape(name)} with numba (once after install; later runs load it "
                                  "from the cache)...", highlight=False)

        def on_end(self, ev: Any) -> None:
            """Nothing to say when it ends: the progress bar starts."""

    return Announce()


@contextmanager
def progress_bar(description: str, total: int | None, *fields: str, quiet: bool = False,
                 **initial: Any) -> Iterator[Any]:
    """A rich progress bar on stderr: description, bar, done/total, ``fields`` (text templates), time left.

    Yields ``advance(n=1, **field_values)``. ``fields`` are rich templates over the
    task's fields, e.g. ``"best {task.fields[best]}"``, given their first values in
    ``initial``.

    Example:
        >>> with progress_bar("search", 10, "best {task.fields[best]}", quiet=True, best="-") as advance:
        ...     advance(1, best="3.5")
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               *(TextColumn(f) for f in fields), TimeRemainingColumn()]
    with Progress(*columns, console=err_console, disable=quiet) as progress:
        task = progress.add_task(description, total=total, **initial)

        def advance(n: int = 1, **values: Any) -> None:
            progress.update(task, advance=n, **values)

        yield advance


@contextmanager
def trial_progress(quiet: bool, logger: str = "archgym.sweep") -> Iterator[tuple[StartCallback, ResultCallback]]:
    """The progress bar of many trials (done of total, failed, rate, time left) as a runner's callbacks.

    Yields ``(on_start(todo, skipped), on_result(result))`` for :func:`archgym.sweep.runner.run_sweep`
    and the bench runner. While the bar shows, failed trials are counted on it rather than logged
    across it (the ``logger`` is quietened to errors).
    """
    log = logging.getLogger(logger)
    level = log.level
    if not quiet:
        log.setLevel(logging.ERROR)
    counts = {"done": 0, "failed": 0, "started": time.perf_counter()}
    try:
        with progress_bar("trials", None, "failed {task.fields[failed]}", "{task.fields[rate]}", quiet=quiet,
                          failed=0, rate="-") as advance:
            def start(todo: int, skipped: int) -> None:
                counts["started"] = time.perf_counter()
                advance(0, total=todo)

            def result(outcome: dict[str, Any]) -> None:
                counts["done"] += 1
                counts["failed"] += outcome["status"] != "ok"
                rate = counts["done"] / max(1e-9, time.perf_counter() - counts["started"])
                advance(failed=counts["failed"], rate=f"{rate:.2f} trials/s")

            yield start, result
    finally:
        log.setLevel(level)
