"""``archgym sweep {plan, run, report}``: studies of many (env, agent, hyperparameters, seed) trials."""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from archgym.errors import UserError

sweep_app = typer.Typer(
    help="Run studies of many (env, agent, hyperparameters, seed) trials from one YAML file.",
    no_args_is_help=True,
)


def _consoles() -> tuple[Any, Any]:
    from archgym.cli import console, err_console

    return console, err_console


@sweep_app.command("plan")
def plan_cmd(
    file: Path = typer.Argument(..., help="sweep file (YAML)"),
    out: Optional[Path] = typer.Option(None, help="results folder: also count the trials already finished there"),
    show: int = typer.Option(8, help="how many trials to list"),
) -> None:
    """Validate a sweep file, print the number of trials and evaluations, and list a few."""
    from archgym.sweep.plan import expand
    from archgym.sweep.runner import todo
    from archgym.sweep.spec import load_spec

    console, _ = _consoles()
    spec = load_spec(file)
    trials = expand(spec)
    evaluations = sum(t.budget for t in trials)
    console.print(f"{file}: {len(trials):,} trials, {evaluations:,} simulator evaluations "
                  f"({len(spec.envs)} envs x {len(spec.agents)} agent entries x {len(spec.seeds)} seeds, "
                  f"budget {spec.budget})")
    counts = Counter((t.env_label, t.agent) for t in trials)
    table = Table("env", "agent", "trials", "hyperparameter settings", box=None)
    for (env, agent), n in counts.items():
        table.add_row(env, agent, str(n), str(n // len(spec.seeds)))
    console.print(table)
    listing = Table("key", "trial", box=None, title=f"first {min(show, len(trials))} trials")
    for t in trials[:show]:
        listing.add_row(t.key, t.describe())
    console.print(listing)
    if out is not None:
        left, skipped = todo(trials, out)
        console.print(f"{out}: {skipped:,} finished, {len(left):,} to run")


@sweep_app.command("run")
def run_cmd(
    file: Path = typer.Argument(..., help="sweep file (YAML)"),
    out: Path = typer.Option(..., help="results folder (resumed if it already holds results)"),
    workers: Optional[int] = typer.Option(None, help="local process pool size (default: one per core)"),
    dask_local: Optional[int] = typer.Option(None, "--dask-local", help="start a Dask LocalCluster of N workers"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786"),
    serial: bool = typer.Option(False, help="run trials in this process, one by one (debugging)"),
    resume: bool = typer.Option(True, help="skip trials already finished in --out (--no-resume refuses a "
                                           "folder that holds results)"),
    retries: int = typer.Option(2, help="extra attempts for a trial whose worker process died"),
    retry_failed: bool = typer.Option(False, help="run again the trials recorded as failed"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Run every trial of a sweep file into --out; finished trials are kept and skipped on resume."""
    from archgym.sweep.plan import expand
    from archgym.sweep.runner import run_sweep
    from archgym.sweep.spec import load_spec
    from archgym.sweep.store import ResultStore

    console, err_console = _consoles()
    backend = _backend(workers, dask_local, scheduler, serial)
    spec = load_spec(file)
    trials = expand(spec)
    store = ResultStore(out)
    if not resume and store.finished_keys():
        raise UserError(f"{out} already holds {len(store.finished_keys())} trial results; "
                        "resume (the default) or choose another --out")
    store.prepare()
    store.keep_sweep_file(file.read_text(encoding="utf-8"))
    with _SweepProgress(err_console, quiet) as progress:
        outcome = run_sweep(trials, out, backend=backend, imports=spec.imports, retries=retries,
                            retry_failed=retry_failed, on_start=progress.start, on_result=progress.advance)
    rate = outcome.ran / outcome.seconds if outcome.seconds else 0.0
    console.print(f"{outcome.ok} trials done, {outcome.failed} failed, {outcome.skipped} skipped (finished "
                  f"earlier) in {outcome.seconds:.1f} s ({rate:.2f} trials/s); results in {out}")
    if outcome.failed:
        console.print(f"[yellow]{outcome.failed} trials failed; their errors are in {out}/trials/<key>.json; "
                      "--retry-failed runs them again[/yellow]")
    console.print(f"next: archgym sweep report {out}")


@sweep_app.command("report")
def report_cmd(
    folder: Path = typer.Argument(..., help="results folder of `archgym sweep run`"),
    out: Optional[Path] = typer.Option(None, help="report folder (default: FOLDER/report)"),
    fraction: float = typer.Option(0.9, help="sample efficiency: calls to reach this fraction of the best known"),
) -> None:
    """Tables and figures of a sweep: best reward per agent, hyperparameter lottery, success, curves."""
    from archgym.sweep.report import write_report

    console, _ = _consoles()
    if not 0 < fraction <= 1:
        raise UserError(f"--fraction must be in (0, 1], got {fraction}")
    path = write_report(folder, out, fraction=fraction)
    console.print(f"report: {path}")


def _backend(workers: Optional[int], dask_local: Optional[int], scheduler: Optional[str], serial: bool) -> Any:
    """The backend the options ask for; more than one is a user error."""
    from archgym.backends import DaskBackend, ProcessBackend, SerialBackend

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
        if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
            raise UserError(f"--scheduler must be an address like tcp://host:8786, got {scheduler!r}")
        return DaskBackend(address=scheduler, local_workers=dask_local)
    return ProcessBackend(workers)


class _SweepProgress:
    """A rich progress bar: trials done of total, failed, rate and ETA."""

    def __init__(self, console: Any, quiet: bool):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("[bold]trials"), BarColumn(), MofNCompleteColumn(),
            TextColumn("failed {task.fields[failed]}"), TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"), TimeRemainingColumn(), console=console, disable=quiet,
        )
        self.task: Any = None
        self.failed = 0
        self.done = 0
        self.started = time.perf_counter()

    def __enter__(self) -> "_SweepProgress":
        """Show the bar; failed trials are counted on it rather than logged across it."""
        self._log = logging.getLogger("archgym.sweep")
        self._level = self._log.level
        if not self.progress.disable:
            self._log.setLevel(logging.ERROR)
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)
        self._log.setLevel(self._level)

    def start(self, todo: int, skipped: int) -> None:
        self.task = self.progress.add_task("trials", total=todo, failed=0, rate="-")
        self.started = time.perf_counter()

    def advance(self, result: dict[str, Any]) -> None:
        self.done += 1
        self.failed += result["status"] != "ok"
        rate = self.done / max(1e-9, time.perf_counter() - self.started)
        self.progress.update(self.task, advance=1, failed=self.failed, rate=f"{rate:.2f} trials/s")
