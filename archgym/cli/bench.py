"""``archgym bench {list, optimum, run, report, validate}``: the benchmark suite and its leaderboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.table import Table

from archgym.cli.common import console, err_console, parse_key_values, trial_progress
from archgym.errors import UserError

app = typer.Typer(
    help="The benchmark suite archgym-bench-v0: tasks with known optima, runs, reports and a validated leaderboard.",
    no_args_is_help=True,
)


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="print the tasks as a JSON list")) -> None:
    """The suite's tasks: env, arguments, budgets, space size and optimum."""
    from archgym.bench.tasks import SUITE, tasks

    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in tasks()], indent=1))
        return
    table = Table("task", "env", "arguments", "budgets", "space", "optimum", title=SUITE, box=None)
    for t in tasks():
        opt = t.optimum()
        args = " ".join(f"{k}={v}" for k, v in t.env_kwargs.items())
        if opt is None:
            size, best = "", "not computed"
        else:
            size = f"{opt['space_size']:,}"
            best = f"{opt['value']:.6g} ({'exact' if opt['exact'] else 'best known'})"
        table.add_row(t.id, t.env, args, ",".join(map(str, t.budgets)), size, best)
    console.print(table)


@app.command("optimum")
def optimum_cmd(
    task: str = typer.Argument(..., help="task id (archgym bench list)"),
    write: bool = typer.Option(False, help="store the result in the suite's optima file"),
    runs: list[Path] = typer.Option([], help="leaderboard entries or folders whose best designs count towards a "
                                             "best-known optimum; with --write they are rescored against it"),
    cache: Path = typer.Option(Path(".bench-cache"), help="folder caching enumerated spaces (and the checkpoint "
                                                            "an interrupted enumeration resumes from)"),
    threads: Optional[int] = typer.Option(None, min=1, help="simulator threads while enumerating (DRAM; same "
                                                          "results for any count)  [default: all cores]"),
) -> None:
    """Compute a task's optimum: exact by enumerating its space, else best known (samples and runs)."""
    from archgym.bench.leaderboard import entry_paths, load_entry, save_entry
    from archgym.bench.optimum import compute_optimum
    from archgym.bench.runner import rescore
    from archgym.bench.tasks import get_task, store_optimum

    t = get_task(task)
    rows = []
    entries = {path: load_entry(path) for path in entry_paths(runs)}
    for entry in entries.values():
        rows += [{**r, "agent": entry["name"]} for r in entry["runs"]]
    with _progress(err_console) as progress:
        result = compute_optimum(t, cache, rows, progress=progress, threads=threads)
    console.print_json(json.dumps(result))
    if write:
        store_optimum(t.id, result)
        console.print("stored in archgym/bench/optima.json")
        for path, entry in entries.items():  # their regret and success follow the new optimum
            save_entry(rescore(entry), path)
        if entries:
            console.print(f"rescored {len(entries)} entries against it")


class _progress:
    """A progress bar for enumerations: designs done of the space."""

    def __init__(self, console: Any):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("[bold]designs"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=console)
        self.task: Any = None

    def __enter__(self) -> Any:
        self.bar.__enter__()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def update(self, done: int, total: int) -> None:
        if self.task is None:
            self.task = self.bar.add_task("designs", total=total)
        self.bar.update(self.task, completed=done)


@app.command("run")
def run_cmd(
    agent: str = typer.Option(..., help="agent name (archgym agents)"),
    hp: list[str] = typer.Option([], help="hyperparameter name=value (repeatable); others keep defaults"),
    tasks: str = typer.Option("all", help="comma-separated task ids, or all"),
    seeds: str = typer.Option("20", help="a count (20: seeds 0..19) or a list (0,3,7)"),
    out: Path = typer.Option(..., help="results folder (resumed if it already holds results)"),
    name: Optional[str] = typer.Option(None, help="entry name (default: the agent's name)"),
    entry: Optional[Path] = typer.Option(None, help="entry file to write (default: OUT/entry.json)"),
    workers: Optional[int] = typer.Option(None, help="local process pool size (default: one per core)"),
    dask_local: Optional[int] = typer.Option(None, "--dask-local", help="start a Dask LocalCluster of N workers"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address, e.g. tcp://host:8786"),
    serial: bool = typer.Option(False, help="run trials in this process, one by one"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Run an agent on the suite's tasks over many seeds (resumable) and write its leaderboard entry."""
    from archgym.agents import agent_class
    from archgym.backends import make_backend
    from archgym.bench.leaderboard import save_entry
    from archgym.bench.runner import bench_trials, collect_rows, command_line, make_entry, parse_seeds, run_bench
    from archgym.bench.tasks import select

    chosen = select(tasks)
    seed_list = parse_seeds(seeds)
    given = parse_key_values(hp, "--hp")
    full = agent_class(agent).parse_hyperparameters(given)
    backend = make_backend(workers, dask_local, scheduler, serial)
    with trial_progress(quiet) as (on_start, on_result):
        outcome = run_bench(chosen, agent, full, seed_list, out, backend=backend, on_start=on_start,
                            on_result=on_result)
    trials = bench_trials(chosen, agent, full, seed_list)
    rows, missing = collect_rows(chosen, trials, out)
    command = command_line(agent, given, chosen, seed_list, out, name, entry)
    path = save_entry(make_entry(name or agent, agent, full, chosen, seed_list, rows, command),
                      entry or out / "entry.json")
    console.print(f"{outcome.ok} runs done, {outcome.failed} failed, {outcome.skipped} finished earlier, in "
                  f"{outcome.seconds:.1f} s; entry with {len(rows)} runs: {path}")
    if missing:
        console.print(f"[yellow]{len(missing)} runs missing or failed (e.g. {missing[0].describe()}); "
                      "run the same command again to retry[/yellow]")
        raise SystemExit(1)  # click hands typer.Exit back to main() as a return value


@app.command("report")
def report_cmd(
    entries: list[Path] = typer.Argument(..., help="leaderboard entries or folders of them"),
    out: Path = typer.Option(..., help="report folder (README.md, summary.json, plots)"),
    reps: int = typer.Option(2000, help="bootstrap resamples for the confidence intervals"),
) -> None:
    """Compare entries: IQM regret with 95% intervals, success, hardness, regret curves, performance profiles."""
    from archgym.bench.leaderboard import entry_paths, load_entry
    from archgym.bench.report import write_report

    if reps < 100:
        raise UserError(f"--reps must be >= 100 for a usable interval, got {reps}")
    loaded = [load_entry(p) for p in entry_paths(entries)]
    if not loaded:
        raise UserError("no leaderboard entries found in " + ", ".join(map(str, entries)))
    console.print(f"report: {write_report(loaded, out, reps=reps)}")


@app.command("merge")
def merge_cmd(
    entries: list[Path] = typer.Argument(..., help="entries of one agent (same hyperparameters and seeds) on "
                                                   "different tasks"),
    out: Path = typer.Option(..., help="merged entry file (may be one of the inputs)"),
) -> None:
    """Merge entries of one agent run on different tasks (a suite that gained tasks) into one entry."""
    from archgym.bench.leaderboard import load_entry, merge_entries, save_entry

    merged = merge_entries([load_entry(p) for p in entries])
    console.print(f"{save_entry(merged, out)}: {len(merged['runs'])} runs on {len(merged['tasks'])} tasks")


@app.command("validate")
def validate_cmd(
    entries: list[Path] = typer.Argument(..., help="leaderboard entries or folders of them"),
    sample: int = typer.Option(2, help="runs of each entry to re-run and compare trajectory by trajectory"),
    seed: int = typer.Option(0, help="seed of the sample's draw"),
) -> None:
    """Check entries: structure and scores, every best design replayed, a sample of runs re-run."""
    from archgym.bench.leaderboard import entry_paths, load_entry, validate_entry

    bad = 0
    for path in entry_paths(entries):
        problems = validate_entry(load_entry(path), sample=sample, seed=seed)
        if problems:
            bad += 1
            err_console.print(f"[red]{path}: {len(problems)} problems[/red]")
            for p in problems[:20]:
                err_console.print(f"  {p}")
        else:
            console.print(f"{path}: valid (best designs replayed, {sample} runs re-run)")
    if bad:
        raise SystemExit(1)  # click hands typer.Exit back to main() as a return value
