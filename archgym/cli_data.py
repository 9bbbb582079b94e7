"""The ``archgym dataset`` and ``archgym proxy`` command groups.

``dataset collect | info | merge | export`` build and inspect datasets of
evaluations (:mod:`archgym.data.collect`, :mod:`archgym.data.datasets`); ``proxy train |
report`` fit and describe proxy cost models (:mod:`archgym.proxy`). Library
errors are :class:`~archgym.errors.UserError`, which ``archgym.cli.main``
prints as one line with exit code 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli import console, err_console, parse_key_values
from archgym.errors import UserError

dataset_app = typer.Typer(help="Datasets of evaluations: collect, inspect, merge, export.", no_args_is_help=True)
proxy_app = typer.Typer(help="Proxy cost models trained on datasets: train, report.", no_args_is_help=True)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.4g}"
    return str(v)


@dataset_app.command("collect")
def collect_cmd(
    env_id: str = typer.Option(..., "--env", help="environment id (see `archgym envs`)"),
    samples: int = typer.Option(..., help="number of designs to evaluate"),
    out: Path = typer.Option(..., help="dataset folder (created, or appended to)"),
    agent: Optional[str] = typer.Option(None, help="sampler: lhs or any agent (default: sobol if available, else lhs)"),
    workload: Optional[str] = typer.Option(None, help="workload name or file"),
    objective: Optional[str] = typer.Option(None, help="objective recorded with the rewards"),
    seed: int = typer.Option(0, help="the same seed gives the same records, whatever the worker count"),
    workers: int = typer.Option(1, help="local worker processes"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786"),
    chunk_size: int = typer.Option(256, help="evaluations per work unit (part of what --seed determines)"),
    hp: list[str] = typer.Option([], "--hp", help="agent hyperparameter key=value (repeatable)"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Evaluate designs of an env (space-filling by default) and append them to a dataset."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from archgym.data.collect import collect

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, disable=quiet) as progress:
        task = progress.add_task(f"collecting {env_id}", total=samples)
        result = collect(env_id, samples, out, sampler=agent, workload=workload, objective=objective, seed=seed,
                         workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                         hyperparameters=parse_key_values(hp, "--hp"),
                         progress=lambda n: progress.update(task, advance=n))
    console.print(f"{result.evaluated} evaluated with {result.sampler} on {result.workers} in "
                  f"{result.seconds:.1f} s: {result.added} added ({result.infeasible} infeasible), "
                  f"{result.duplicates} already in the dataset; {result.rows_total} rows in {out}")


@dataset_app.command("info")
def info_cmd(
    directory: Path = typer.Argument(..., help="dataset folder"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    skip_bad: bool = typer.Option(False, help="report unreadable shards and summarise the rest"),
    write_manifest: bool = typer.Option(False, help="rebuild manifest.json"),
    verify: bool = typer.Option(False, help="check every shard's checksum against the manifest"),
) -> None:
    """Rows, envs, workloads, knob coverage and metric ranges of a dataset."""
    from archgym.data import datasets

    if write_manifest:
        datasets.write_manifest(directory)
    summary = datasets.info(directory, on_bad="skip" if skip_bad else "raise")
    if verify:
        summary["problems"] = datasets.verify(directory)
    if as_json:
        console.print_json(json.dumps(summary, default=str))
        return
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
        met.add_row(name, _fmt(m["min"]), _fmt(m["mean"]), _fmt(m["max"]), f"{m['count']:,}")
    console.print(met)


@dataset_app.command("merge")
def merge_cmd(
    sources: list[Path] = typer.Argument(..., help="dataset folders to merge"),
    out: Path = typer.Option(..., help="output dataset folder"),
    skip_bad: bool = typer.Option(False, help="leave out unreadable shards instead of stopping"),
) -> None:
    """Merge datasets, dropping duplicates (same env version, workload and design)."""
    from archgym.data.datasets import merge

    r = merge(sources, out, on_bad="skip" if skip_bad else "raise")
    console.print(f"{r.rows_in:,} rows read, {r.rows_added:,} written to {r.out}, {r.duplicates:,} duplicates dropped")


@dataset_app.command("export")
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


def _print_model(model: Any) -> None:
    """Accuracy per target and the measured speed of simulator and proxy, side by side."""
    title = escape(f"{model.kind} proxy of {model.env_id} [{', '.join(model.workloads)}], test split")
    table = Table("target", "train/val/test", "RMSE", "RMSE %mean", "R²", "Spearman", "MAPE %", title=title)
    for name, r in model.metrics.items():
        table.add_row(name, f"{r['n_train']}/{r['n_val']}/{r['n_test']}", _fmt(r["rmse"]),
                      _fmt(r["rmse_pct_of_mean"]), _fmt(r["r2"]), _fmt(r["spearman"]), _fmt(r["mape_pct"]))
    console.print(table)
    tf = model.transforms()
    plain = {k: v for k, v in tf["features"].items() if v != "derived"}
    console.print(escape("features: " + ", ".join(f"{k} {v}" for k, v in plain.items())))
    derived = [k for k, v in tf["features"].items() if v == "derived"]
    if derived:
        console.print(escape(f"derived design features ({len(derived)}): " + ", ".join(derived)))
    console.print(escape("targets: " + ", ".join(f"{k} {v} ({tf['estimators'][k]})" for k, v in tf["targets"].items())))
    if model.feasibility_accuracy is not None:
        console.print(f"feasibility classifier accuracy (test): {model.feasibility_accuracy:.4f}")
    sp = model.speed
    if sp:
        speed = Table("per evaluation", "simulator µs", "proxy µs", "speed-up",
                      title=f"speed on {int(sp['batch'])} test designs (all targets + feasibility)")
        for mode in ("batch", "single"):
            speed.add_row(mode, _fmt(1e6 * sp[f"simulator_{mode}_s"]), _fmt(1e6 * sp[f"proxy_{mode}_s"]),
                          f"{sp[f'speedup_{mode}']:.1f}x")
        console.print(speed)


@proxy_app.command("train")
def train_cmd(
    directory: Path = typer.Argument(..., help="dataset folder"),
    target: list[str] = typer.Option([], help="metric to predict (repeatable; 'all' for every metric; "
                                              "default: the metrics the recorded objective reads)"),
    model: str = typer.Option("auto", help="auto (per target the best on the validation split of poly, mlp, "
                                           "gbt and rf), rf (random forest, ArchGym's), "
                                           "gbt (gradient boosting), mlp or poly (ridge on degree-2 monomials); "
                                           "mlp and poly predict in numpy (fastest)"),
    out: Path = typer.Option(..., help="model file to write"),
    seed: int = typer.Option(0, help="seed of the train/validation/test split and the estimators"),
    env_id: Optional[str] = typer.Option(None, "--env", help="train on this env's records only"),
    workload: Optional[str] = typer.Option(None, help="train on this workload's records only"),
    samples: Optional[int] = typer.Option(None, help="use at most this many records"),
    no_speed: bool = typer.Option(False, help="skip timing the simulator against the proxy"),
    derived: bool = typer.Option(True, help="add the simulator's derived design features to the inputs "
                                            "(SoC: A53 work, critical path, HEFT's mapping; one workload only)"),
) -> None:
    """Train a proxy cost model; print its test accuracy and speed-up; save it."""
    from archgym.proxy import train

    m = train(directory, target or None, model, seed=seed, env_id=env_id, workload=workload, max_samples=samples,
              measure_speed=not no_speed, derived=derived)
    m.save(out)
    _print_model(m)
    console.print(f"model: {out}  (use: gymnasium.make({m.env_id!r}, cost_model='proxy', proxy={str(out)!r}))")


@proxy_app.command("report")
def report_cmd(
    model_path: Path = typer.Argument(..., help="model file from `archgym proxy train`"),
    plot: Optional[Path] = typer.Option(None, help="predicted-vs-simulated PNG (default MODEL.png)"),
) -> None:
    """Print a proxy's stored metrics and write a predicted-vs-simulated plot."""
    from archgym.proxy import load_model, report_plot

    m = load_model(model_path)
    console.print(escape(f"trained {m.trained_at} on {m.dataset}; simulator {m.simulator} "
                         f"{m.simulator_version}; targets {', '.join(m.target_names)}"))
    _print_model(m)
    path = report_plot(m, plot or model_path.with_suffix(".png"))
    console.print(f"plot: {path}")
