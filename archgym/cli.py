"""The ``archgym`` command line (typer + rich).

User errors (unknown env, agent, workload, knob or objective; malformed files)
print one line naming the problem and the valid choices, and exit with code 2.
"""

from __future__ import annotations

import json
import logging
import shlex
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archgym.errors import UserError
from archgym.fileio import atomic_write_text
from archgym.registry import make_env

app = typer.Typer(
    help="archgym: machine-learning-assisted computer-architecture design space exploration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def parse_key_values(pairs: list[str], what: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``, or a UserError naming the bad item."""
    out = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"{what} {item!r} must look like key=value")
        out[key.strip()] = value.strip()
    return out


def parse_env_kwargs(pairs: list[str]) -> dict[str, Any]:
    """``--env-arg key=value`` items as env keyword arguments; values are read as YAML scalars (numbers, bools)."""
    import yaml

    out: dict[str, Any] = {}
    for key, raw in parse_key_values(pairs, "--env-arg").items():
        try:
            value = yaml.safe_load(raw) if raw else raw
        except yaml.YAMLError:
            value = raw
        out[key] = value if isinstance(value, (str, int, float, bool)) or value is None else raw
    return out


def env_from_options(env_id: str, workload: str | None, objective: str | None, env_args: list[str]) -> Any:
    """The env named on the command line, with its ``--workload``, ``--objective`` and ``--env-arg`` options."""
    kwargs = parse_env_kwargs(env_args)
    for reserved, given in (("workload", workload), ("objective", objective)):
        if reserved in kwargs and given is not None:
            raise UserError(f"--env-arg {reserved}=... repeats --{reserved}; give it once")
    try:
        return make_env(env_id, **{"workload": workload, "objective": objective, **kwargs})
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise UserError(f"{env_id}: {exc}; see `archgym describe {env_id}` for its arguments") from None
        raise


ENV_ARG_HELP = "extra env argument key=value, e.g. mapping=agent (repeatable)"


@app.command("envs")
def envs_cmd() -> None:
    """List the environment ids with a one-line description."""
    from archgym.envs._registration import ENVS

    table = Table("env id", "description", box=None)
    for env_id, entry in ENVS.items():
        table.add_row(env_id, entry.description)
    console.print(table)


@app.command("agents")
def agents_cmd() -> None:
    """List the search agents, their family and hyperparameters."""
    from rich.markup import escape

    from archgym.agents import AGENTS, agent_class
    from archgym.agents.base import describe

    table = Table("agent", "family", "hyperparameters (default; sweep range)", box=None)
    for name in AGENTS:
        cls = agent_class(name)
        hps = "; ".join(f"{r['name']}={r['default']} [{r['sweep']}]" for r in describe(cls)) or "-"
        table.add_row(name, cls.family, escape(hps))  # sweep lists look like rich markup tags
    console.print(table)


@app.command("describe")
def describe_cmd(
    env_id: str = typer.Argument(..., help="environment id, e.g. archgym/Accelerator-v1"),
    workload: Optional[str] = typer.Option(None, help="workload name or file"),
    env_arg: list[str] = typer.Option([], "--env-arg", help=ENV_ARG_HELP),
) -> None:
    """Show an environment's knobs, metrics, workloads and default objective."""
    env = env_from_options(env_id, workload, None, env_arg)
    base = env.unwrapped
    console.print(f"[bold]{env_id}[/bold]  simulator {base.simulator.name} {base.simulator.version}; "
                  f"workload {base.workload_name}; objective {base.objective.spec()}")
    knobs = Table("knob", "kind", "values", "default", "unit", "meaning", title="design space")
    for row in base.design_space.table():
        knobs.add_row(*row.values())
    console.print(knobs)
    metrics = Table("metric", "unit", "meaning", title="metrics")
    for m in base.simulator.metrics:
        metrics.add_row(m.name, m.unit, m.help)
    console.print(metrics)
    console.print("workloads: " + ", ".join(base.simulator.workloads()))
    console.print(f"design space size: {base.design_space.size:,} designs")


@app.command("run")
def run_cmd(
    env_id: str = typer.Option("archgym/Accelerator-v1", "--env", help="environment id (see `archgym envs`)"),
    agent: str = typer.Option("random", help="search agent (see `archgym agents`)"),
    budget: int = typer.Option(100, help="number of simulator evaluations"),
    seed: int = typer.Option(0, help="random seed; the same seed gives the same trajectory"),
    out: Path = typer.Option(Path("runs/latest"), help="folder for records, plot and best design"),
    workload: Optional[str] = typer.Option(None, help="workload name or file (see `archgym describe`)"),
    objective: Optional[str] = typer.Option(None, help="objective, e.g. 'target:latency_cycles=2e6'"),
    hp: list[str] = typer.Option([], "--hp", help="agent hyperparameter key=value (repeatable)"),
    env_arg: list[str] = typer.Option([], "--env-arg", help=ENV_ARG_HELP),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Search an environment with an agent; write records, a convergence plot and the best design."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from archgym.agents import make_agent
    from archgym.plots import convergence_plot
    from archgym.records import RecordWriter, attach_recorder
    from archgym.reproduce import run_spec

    search = make_agent(agent, **parse_key_values(hp, "--hp"))
    if budget < 1:
        raise UserError(f"--budget must be >= 1, got {budget}")
    env = env_from_options(env_id, workload, objective, env_arg)
    base = env.unwrapped
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with RecordWriter(out / "records", base.design_space, base.simulator.metric_names) as writer:
        run_id = uuid.uuid4().hex[:12]
        attach_recorder(env, writer, agent=agent, hyperparameters=search.hp, seed=seed, run_id=run_id)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("best {task.fields[best]}"), TimeRemainingColumn(),
                      console=err_console, disable=quiet) as progress:
            task = progress.add_task(f"{agent} on {env_id}", total=budget, best="-")
            best = [float("-inf")]

            def tick(ev: Any) -> None:
                if ev.feasible and ev.reward > best[0]:
                    best[0] = ev.reward
                progress.update(task, advance=1, best=f"{best[0]:.5g}" if best[0] > float("-inf") else "-")

            history = search.run(env, budget=budget, seed=seed, callback=tick)
    convergence_plot(history, out / "convergence.png")
    summary = history.summary()
    summary["reproduce"] = " ".join(shlex.quote(a) for a in ["archgym", "run", "--env", env_id, "--agent", agent,
                                    "--budget", str(budget), "--seed", str(seed), "--out", str(out)]
                                    + (["--workload", workload] if workload else [])
                                    + (["--objective", objective] if objective else [])
                                    + [x for kv in hp for x in ("--hp", kv)]
                                    + [x for kv in env_arg for x in ("--env-arg", kv)])
    summary["simulator"] = {"name": base.simulator.name, "version": base.simulator.version}
    summary["run_id"] = run_id
    summary["run"] = run_spec(env, agent, search.hp, seed, budget)
    summary["seconds"] = time.perf_counter() - started
    atomic_write_text(out / "best.json", json.dumps(summary, indent=2, default=str) + "\n")
    _print_best(history, base)
    console.print(f"records: {out / 'records'}  plot: {out / 'convergence.png'}  best: {out / 'best.json'}")


@app.command("convert-farsi")
def convert_farsi_cmd(
    source: Path = typer.Argument(..., help="FARSI workload database: a folder or '<workload>_database' CSV prefix"),
    out: Path = typer.Argument(..., help="archgym workload JSON file (or a folder for <workload>.json)"),
) -> None:
    """Convert a FARSI workload database into archgym's SoC workload format."""
    from archgym.simulators.soc import convert_farsi

    graph = convert_farsi(source, out)
    target = out / f"{graph.name}.json" if out.is_dir() else out
    console.print(f"converted {graph.name}: {len(graph.tasks)} tasks -> {target}; "
                  f"use it with `archgym run --env archgym/SoC-v1 --workload {target}`")


def _print_best(history: Any, base: Any) -> None:
    b = history.best
    n_ok = int(history.feasible.sum())
    console.print(f"{len(history)} evaluations, {n_ok} feasible; objective {history.objective}")
    if b is None:
        console.print("[red]no feasible design found[/red]")
        return
    table = Table("knob", "value", title=f"best design (evaluation {b.step}, reward {b.reward:.6g})")
    for k, v in b.design.items():
        table.add_row(k, str(v))
    console.print(table)
    shown = dict.fromkeys((*base.objective.metrics, *base.observed_metrics))
    units = {spec.name: spec.unit for spec in base.simulator.metrics}
    metrics = Table("metric", "value", "unit", title="its metrics (objective and observation)")
    for name in shown:
        if name in b.metrics:
            metrics.add_row(name, f"{b.metrics[name]:.6g}", units.get(name, ""))
    console.print(metrics)
    more = len([m for m in b.metrics if m not in shown])
    if more:
        console.print(f"(+{more} more metrics of this design in best.json)")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into one line and exit code 2."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(args=argv, standalone_mode=False)
    except (ValueError, FileNotFoundError) as exc:  # UserError, and knob checks raised by the core
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except click.exceptions.ClickException as exc:  # usage errors: unknown option, missing argument
        exc.show()
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


# -- sub-command groups ---------------------------------------------------------
# Each feature keeps its commands in its own module and adds its typer group here,
# one line each, e.g. ``app.add_typer(dataset_app, name="dataset")``.
from archgym.cli_sweep import sweep_app  # noqa: E402

app.add_typer(sweep_app, name="sweep")
from archgym.cli_data import dataset_app, proxy_app  # noqa: E402

app.add_typer(dataset_app, name="dataset")
app.add_typer(proxy_app, name="proxy")
from archgym.cli_reproduce import replay_cmd, validate_cmd  # noqa: E402

app.command("replay")(replay_cmd)
app.command("validate")(validate_cmd)
from archgym.cli_bench import bench_app  # noqa: E402

app.add_typer(bench_app, name="bench")
