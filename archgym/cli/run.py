"""``archgym run``: one search of one env by one agent, with its records, convergence plot and best design.

Every option is checked before anything is written, so a rejected command leaves no
folder behind. An existing non-empty ``--out`` is refused unless ``--overwrite`` is
given (then its ``records/``, ``best.json`` and ``convergence.png`` are replaced).
Ctrl-C stops the search: ``best.json`` and the plot still cover every design
evaluated so far (``"interrupted": true`` in ``best.json``), and the command exits
with code 130.
"""

from __future__ import annotations

import json
import shlex
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli.common import (
    ENV_ARG_HELP,
    Interrupted,
    console,
    parse_hyperparameters,
    prepare_output_folder,
    progress_bar,
    warm_up,
)
from archgym.cli.env_options import env_from_options
from archgym.errors import UserError
from archgym.fileio import atomic_write_text

app = typer.Typer()

#: what ``archgym run`` writes into ``--out`` (and ``--overwrite`` replaces)
OUTPUTS = ("records", "best.json", "convergence.png")
#: rows of the Pareto front shown in the terminal (best.json has all of them)
FRONT_ROWS = 20


@app.command("run")
def run_cmd(
    env_id: str = typer.Option("archgym/Accelerator-v1", "--env", help="environment id (see `archgym envs`)"),
    agent: str = typer.Option("random", help="search agent (see `archgym agents`)"),
    budget: int = typer.Option(100, min=1, help="number of simulator evaluations"),
    seed: int = typer.Option(0, min=0, help="random seed; the same seed gives the same trajectory"),
    out: Path = typer.Option(Path("runs/latest"), help="folder for records, plot and best design"),
    overwrite: bool = typer.Option(False, help="replace the records, plot and best design of an earlier run in "
                                               "--out (without it, a non-empty --out is refused)"),
    workload: Optional[str] = typer.Option(None, help="workload name or file (see `archgym describe`)"),
    objective: Optional[str] = typer.Option(None, help="objective, e.g. 'target:latency_cycles=2e6'"),
    hp: list[str] = typer.Option([], "--hp", help="agent hyperparameter key=value (repeatable)"),
    env_arg: list[str] = typer.Option([], "--env-arg", help=ENV_ARG_HELP),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Search an environment with an agent; write records, a convergence plot and the best design."""
    from archgym.agents import make_agent
    from archgym.records import RecordWriter, attach_recorder

    search = make_agent(agent, **parse_hyperparameters(hp))
    env = env_from_options(env_id, workload, objective, env_arg)
    base = env.unwrapped
    _claim_output(out, overwrite)
    warm_up(env)
    history = search.history_class(env_id=base.env_id, workload=base.workload_name, objective=base.objective.spec(),
                                   agent=search.name, hyperparameters=dict(search.hp), seed=seed)
    interrupted = False
    started = time.perf_counter()
    run_id = uuid.uuid4().hex[:12]
    with RecordWriter(out / "records", base.design_space, base.simulator.metric_names) as writer:
        attach_recorder(env, writer, agent=agent, hyperparameters=search.hp, seed=seed, run_id=run_id)
        with progress_bar(f"{agent} on {env_id}", budget, "best {task.fields[best]}", quiet=quiet,
                          best="-") as advance:
            def tick(ev: Any) -> None:
                history.add(ev)
                best = history.best
                advance(best="-" if best is None else f"{best.reward:.5g}")

            try:
                search.run(env, budget=budget, seed=seed, callback=tick)
            except KeyboardInterrupt:
                interrupted = True
    reproduce = ["archgym", "run", "--env", env_id, "--agent", agent, "--budget", str(budget), "--seed", str(seed),
                 "--out", str(out)] + (["--workload", workload] if workload else []) \
        + (["--objective", objective] if objective else []) \
        + [x for kv in hp for x in ("--hp", kv)] + [x for kv in env_arg for x in ("--env-arg", kv)]
    from archgym.reproduce import run_spec

    _write_results(history, base, out, reproduce, interrupted, {
        "run_id": run_id, "run": run_spec(env, agent, search.hp, seed, budget),
        "seconds": time.perf_counter() - started,
    })
    _print_best(history, base)
    console.print(escape(f"records: {out / 'records'}  plot: {out / 'convergence.png'}  best: {out / 'best.json'}"))
    if interrupted:
        raise Interrupted(f"interrupted after {len(history)} of {budget} evaluations; best.json and the plot "
                          "cover the designs evaluated so far")


def _claim_output(out: Path, overwrite: bool) -> None:
    """Create ``out``; refuse one that already holds files unless ``overwrite`` (then clear this command's outputs)."""
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise UserError(f"--out {out} is not empty (an earlier run?); give --overwrite to replace its "
                            "records, plot and best design, or choose another --out")
        for name in OUTPUTS:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
    prepare_output_folder(out)


def _write_results(history: Any, base: Any, out: Path, reproduce: list[str], interrupted: bool,
                   extra: dict[str, Any]) -> None:
    """best.json (the run's summary, how to reproduce it, whether it was interrupted, ``extra``) and the plot."""
    from archgym.plots import convergence_plot

    if len(history):
        convergence_plot(history, out / "convergence.png")
    summary = _pareto_view(history).summary()
    summary["interrupted"] = interrupted
    summary["reproduce"] = " ".join(shlex.quote(a) for a in reproduce)
    summary["simulator"] = {"name": base.simulator.name, "version": base.simulator.version}
    summary["predicted"] = any(e.predicted for e in history)
    summary.update(extra)
    atomic_write_text(out / "best.json", json.dumps(summary, indent=2, default=str) + "\n")


def _pareto_view(history: Any) -> Any:
    """The history as a Pareto view when the objective is multi-objective (``pareto:...``), else itself."""
    if not history.objective.startswith("pareto:"):
        return history
    from archgym.agents.pareto import ParetoHistory

    return history if isinstance(history, ParetoHistory) else ParetoHistory.of(history)


def _print_best(history: Any, base: Any) -> None:
    b = history.best
    n_ok = int(history.feasible.sum())
    console.print(escape(f"{len(history)} evaluations, {n_ok} feasible; objective {history.objective}"),
                  highlight=False)
    if any(e.predicted for e in history):
        console.print("[yellow]metrics are predicted by a proxy model (cost_model='proxy'), not simulated[/yellow]")
    if b is None:
        console.print("[red]no feasible design found[/red]")
        return
    units = {spec.name: spec.unit for spec in base.simulator.metrics}
    if history.objective.startswith("pareto:"):
        _print_front(_pareto_view(history), units)
    table = Table("knob", "value", title=f"best design (evaluation {b.step}, reward {b.reward:.6g})")
    for k, v in b.design.items():
        table.add_row(escape(k), escape(str(v)))
    console.print(table)
    shown = dict.fromkeys((*base.objective.metrics, *base.observed_metrics))
    metrics = Table("metric", "value", "unit", title="its metrics (objective and observation)")
    for name in shown:
        if name in b.metrics:
            metrics.add_row(name, f"{b.metrics[name]:.6g}", units.get(name, ""))
    console.print(metrics)
    more = len([m for m in b.metrics if m not in shown])
    if more:
        console.print(f"(+{more} more metrics of this design in best.json)")


def _print_front(pareto: Any, units: dict[str, str]) -> None:
    """The Pareto front of a multi-objective run: one row per non-dominated design, its metric vector."""
    front = pareto.pareto_front()
    heads = [f"{m} [{units[m]}]" if units.get(m) else m for m in front.metrics]
    table = Table("evaluation", *heads, title=f"Pareto front ({len(front)} non-dominated feasible designs)")
    for e, vec in list(zip(front.evaluations, front.vectors))[:FRONT_ROWS]:
        table.add_row(str(e.step), *(f"{v:.6g}" for v in vec))
    console.print(table)
    if len(front) > FRONT_ROWS:
        console.print(f"(+{len(front) - FRONT_ROWS} more designs of the front, with their knobs, in best.json)")
