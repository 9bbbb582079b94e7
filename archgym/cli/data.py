"""``archgym dataset {collect, info, merge, export}``: datasets of evaluations.

They build and inspect datasets (:mod:`archgym.data.collect`, :mod:`archgym.data.datasets`).
Ctrl-C in ``collect`` keeps every finished chunk (the rerun skips the designs already
in the dataset) and exits with code 130; ``info --verify`` exits with code 1 when it
finds a problem.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli.common import (
    RESUME_HINT,
    Interrupted,
    check_objective_numbers,
    check_output_folder,
    console,
    err_console,
    parse_hyperparameters,
    progress_bar,
)
from archgym.errors import UserError

app = typer.Typer(help="Datasets of evaluations: collect, inspect, merge, export.", no_args_is_help=True)


def fmt(v: Any) -> str:
    """A table cell for a number: 4 significant digits, ``nan`` for missing."""
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.4g}"
    return str(v)


@app.command("collect")
def collect_cmd(
    env_id: str = typer.Option(..., "--env", help="environment id (see `archgym envs`)"),
    samples: int = typer.Option(..., min=1, help="number of designs to evaluate"),
    out: Path = typer.Option(..., help="dataset folder (created, or appended to)"),
    agent: Optional[str] = typer.Option(None, help="sampler: lhs or any agent (default: sobol if available, else lhs)"),
    workload: Optional[str] = typer.Option(None, help="workload name or file"),
    objective: Optional[str] = typer.Option(None, help="objective recorded with the rewards"),
    seed: int = typer.Option(0, min=0, help="the same seed gives the same records, whatever the worker count"),
    workers: int = typer.Option(1, min=1, help="local worker processes (1: this process)"),
    dask_local: Optional[int] = typer.Option(None, "--dask-local", min=1, help="start a Dask LocalCluster of N "
                                                                               "workers"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786"),
    serial: bool = typer.Option(False, help="evaluate in this process (the default for --workers 1)"),
    chunk_size: int = typer.Option(256, min=1, help="evaluations per work unit (part of what --seed determines)"),
    hp: list[str] = typer.Option([], "--hp", help="agent hyperparameter key=value (repeatable)"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Evaluate designs of an env (space-filling by default) and append them to a dataset.

    Ctrl-C keeps the chunks already finished; rerunning the same command adds only the
    designs not yet in the dataset.
    """
    from archgym.data.collect import collect

    check_objective_numbers(objective)
    hyperparameters = parse_hyperparameters(hp)
    check_output_folder(out)
    try:
        with progress_bar(f"collecting {env_id}", samples, quiet=quiet) as advance:
            result = collect(env_id, samples, out, sampler=agent, workload=workload, objective=objective, seed=seed,
                             workers=workers, dask_local=dask_local, scheduler=scheduler, serial=serial,
                             chunk_size=chunk_size,
                             hyperparameters=hyperparameters, progress=advance)
    except KeyboardInterrupt:
        raise Interrupted(f"{RESUME_HINT} (the finished chunks are in {out})") from None
    console.print(escape(f"{result.evaluated} evaluated with {result.sampler} on {result.workers} in "
                         f"{result.seconds:.1f} s: {result.added} added ({result.infeasible} infeasible), "
                         f"{result.duplicates} already in the dataset; {result.rows_total} rows in {out}"))


@app.command("info")
def info_cmd(
    directory: Path = typer.Argument(..., help="dataset folder"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    skip_bad: bool = typer.Option(False, help="report unreadable shards and summarise the rest"),
    write_manifest: bool = typer.Option(False, help="rebuild manifest.json"),
    verify: bool = typer.Option(False, help="check every shard's checksum against the manifest; exit code 1 "
                                            "if a problem is found"),
) -> None:
    """Rows, envs, workloads, knob coverage and metric ranges of a dataset."""
    from archgym.data import datasets

    if write_manifest:
        datasets.write_manifest(directory)
    problems = datasets.verify(directory) if verify else []
    try:
        summary = datasets.info(directory, on_bad="skip" if skip_bad or verify else "raise")
    except (OSError, UserError) as exc:
        if not problems:
            raise
        # a shard damaged past its header: the checksums already name it; there is no summary to give
        summary = {"problems": problems, "summary_error": str(exc)}
        if not as_json:
            for problem in problems:
                console.print(f"[red]problem[/red] {escape(problem)}", highlight=False)
    else:
        summary["problems"] = problems
        if not as_json:
            _print_info(directory, summary)
    if as_json:
        console.print_json(json.dumps(summary, default=str))
    if problems:
        err_console.print(f"[red]error:[/red] --verify found {len(problems)} problem(s) in {escape(str(directory))}"
                          + (f"; no summary: {escape(summary['summary_error'])}" if "summary_error" in summary
                             else ""), highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def _print_info(directory: Path, summary: dict[str, Any]) -> None:
    console.print(f"[bold]{escape(str(directory))}[/bold]: {summary['rows']:,} rows in {summary['shards']} shards "
                  f"({summary['feasible']:,} feasible, {summary['predicted']:,} predicted"
                  + (f", {summary['pending_journal_rows']} in unfinished journals" if summary['pending_journal_rows']
                     else "") + ")")
    for name, problem in summary["bad_shards"].items():
        console.print(f"[red]unreadable shard[/red] {escape(name)}: {escape(problem)}")
    for problem in summary.get("problems", []):
        console.print(f"[red]problem[/red] {escape(problem)}")
    for env_id, e in summary["envs"].items():
        console.print(escape(f"env {env_id} versions {e['versions']}, simulators {', '.join(e['simulators'])}"))
    console.print(escape("workloads: " + ", ".join(f"{k} ({v:,})" for k, v in summary["workloads"].items())))
    console.print(escape(f"agents: {', '.join(summary['agents'])}; {summary['seeds']} seeds"))
    cov = Table("knob", "distinct values", "of", title="knob coverage")
    for c in summary["coverage"]:
        cov.add_row(c["knob"], str(c["distinct"]), "-" if c["choices"] is None else str(c["choices"]))
    console.print(cov)
    met = Table("metric", "min", "mean", "max", "feasible rows", title="metric ranges (feasible designs)")
    for name, m in summary["metrics"].items():
        met.add_row(name, fmt(m["min"]), fmt(m["mean"]), fmt(m["max"]), f"{m['count']:,}")
    console.print(met)


@app.command("merge")
def merge_cmd(
    sources: list[Path] = typer.Argument(..., help="dataset folders to merge"),
    out: Path = typer.Option(..., help="output dataset folder"),
    skip_bad: bool = typer.Option(False, help="leave out unreadable shards instead of stopping"),
) -> None:
    """Merge datasets, dropping duplicates (same env version, workload and design)."""
    from archgym.data.datasets import merge

    r = merge(sources, out, on_bad="skip" if skip_bad else "raise")
    console.print(f"{r.rows_in:,} rows read, {r.rows_added:,} written to {r.out}, {r.duplicates:,} duplicates dropped")


@app.command("export")
def export_cmd(
    directory: Path = typer.Argument(..., help="dataset folder"),
    fmt: str = typer.Option("csv", "--format", help="csv or minari"),
    out: Optional[str] = typer.Option(None, help="CSV file (default DIR.csv) or Minari dataset id"),
    skip_bad: bool = typer.Option(False, help="leave out unreadable shards instead of stopping"),
) -> None:
    """Export a dataset as one CSV file or as a Minari dataset (if Minari is installed)."""
    from archgym.data import datasets

    on_bad = "skip" if skip_bad else "raise"
    if fmt == "csv":
        path = Path(out) if out else directory.with_suffix(".csv")
        n = datasets.export_csv(directory, path, on_bad=on_bad)
        console.print(f"{n:,} rows written to {path}")
    elif fmt == "minari":
        dataset_id = out or f"archgym/{directory.name}-v0"
        datasets.export_minari(directory, dataset_id, on_bad=on_bad)
        console.print(f"Minari dataset {dataset_id} created")
    else:
        raise UserError(f"unknown --format {fmt!r}; valid choices: csv, minari")


