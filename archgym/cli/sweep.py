"""``archgym sweep {plan, run, report}``: studies of many (env, agent, hyperparameters, seed) trials.

Ctrl-C in ``run`` keeps every finished trial and exits with code 130; rerunning the
same command resumes. ``report`` says how many of the planned trials are finished.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli.common import RESUME_HINT, Interrupted, console, prepare_output_folder, trial_progress
from archgym.errors import UserError

app = typer.Typer(
    help="Run studies of many (env, agent, hyperparameters, seed) trials from one YAML file.",
    no_args_is_help=True,
)


@app.command("plan")
def plan_cmd(
    file: Path = typer.Argument(..., help="sweep file (YAML)"),
    out: Optional[Path] = typer.Option(None, help="results folder: also count the trials already finished there"),
    show: int = typer.Option(8, help="how many trials to list"),
) -> None:
    """Validate a sweep file, print the number of trials and evaluations, and list a few."""
    from archgym.sweep.plan import expand
    from archgym.sweep.runner import todo
    from archgym.sweep.spec import load_spec

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


@app.command("run")
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
    from archgym.backends import make_backend
    from archgym.sweep.plan import expand
    from archgym.sweep.runner import run_sweep
    from archgym.sweep.spec import load_spec
    from archgym.sweep.store import ResultStore

    backend = make_backend(workers, dask_local, scheduler, serial)
    spec = load_spec(file)
    trials = expand(spec)
    store = ResultStore(out)
    if not resume and store.finished_keys():
        raise UserError(f"{out} already holds {len(store.finished_keys())} trial results; "
                        "resume (the default) or choose another --out")
    prepare_output_folder(out)
    store.prepare()
    store.keep_sweep_file(file.read_text(encoding="utf-8"), [t.key for t in trials])
    try:
        with trial_progress(quiet) as (on_start, on_result):
            outcome = run_sweep(trials, out, backend=backend, imports=spec.imports, retries=retries,
                                retry_failed=retry_failed, on_start=on_start, on_result=on_result)
    except KeyboardInterrupt:
        done, planned = store.progress()
        raise Interrupted(f"{RESUME_HINT} ({done} of {planned} planned trials finished in {out})") from None
    rate = outcome.ran / outcome.seconds if outcome.seconds else 0.0
    console.print(f"{outcome.ok} trials done, {outcome.failed} failed, {outcome.skipped} skipped (finished "
                  f"earlier) in {outcome.seconds:.1f} s ({rate:.2f} trials/s); results in {out}")
    if outcome.failed:
        console.print(f"[yellow]{outcome.failed} trials failed; their errors are in {out}/trials/<key>.json; "
                      "--retry-failed runs them again[/yellow]")
    console.print(f"next: archgym sweep report {out}")


@app.command("report")
def report_cmd(
    folder: Path = typer.Argument(..., help="results folder of `archgym sweep run`"),
    out: Optional[Path] = typer.Option(None, help="report folder (default: FOLDER/report)"),
    fraction: float = typer.Option(0.9, help="sample efficiency: calls to reach this fraction of the best known"),
) -> None:
    """Tables and figures of a sweep: best reward per agent, hyperparameter lottery, success, curves."""
    from archgym.sweep.report import completeness, write_report

    if not 0 < fraction <= 1:
        raise UserError(f"--fraction must be in (0, 1], got {fraction}")
    path = write_report(folder, out, fraction=fraction)
    console.print(escape(completeness(folder).replace("**", "")), highlight=False)
    console.print(escape(f"report: {path}"), highlight=False)
