"""``archgym envs | agents | describe``: what there is to search, and with what."""

from __future__ import annotations

from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli.common import ENV_ARG_HELP, console
from archgym.cli.env_options import env_arguments, env_from_options

app = typer.Typer()


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
    """Show an environment's arguments, knobs, metrics, workloads and default objective.

    Knobs and arguments are listed one per line with their details indented below,
    so no name is cut short however narrow the terminal or when piped.
    """
    env = env_from_options(env_id, workload, None, env_arg)
    base = env.unwrapped
    say = console.print
    say(escape(f"{env_id}  simulator {base.simulator.name} {base.simulator.version}; "
               f"workload {base.workload_name}; objective {base.objective.spec()}"), highlight=False)
    say("\n[bold]arguments[/bold] (gymnasium.make keywords; on the command line --workload, --objective "
        "and --env-arg KEY=VALUE)", highlight=False)
    for arg in env_arguments(env_id).values():
        say(escape(f"  {arg.name}: {arg.type_text} = {arg.default!r}"), highlight=False)
        if arg.description:
            say(escape(f"      {arg.description}"), highlight=False)
    say(f"\n[bold]design space[/bold] ({len(base.design_space.table())} knobs, "
        f"{base.design_space.size:,} designs)", highlight=False)
    for row in base.design_space.table():
        unit = f" [{row['unit']}]" if row["unit"] else ""
        say(escape(f"  {row['knob']}: {row['kind']}{unit}, default {row['default']}"), highlight=False)
        say(escape(f"      values: {row['values']}"), highlight=False)
        say(escape(f"      {row['meaning']}"), highlight=False)
    say("\n[bold]metrics[/bold]", highlight=False)
    for m in base.simulator.metrics:
        say(escape(f"  {m.name}" + (f" [{m.unit}]" if m.unit else "") + f": {m.help}"), highlight=False)
    say(escape("\nworkloads: " + ", ".join(base.simulator.workloads())), highlight=False)
    say(f"design space size: {base.design_space.size:,} designs", highlight=False)
