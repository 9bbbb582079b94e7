"""``archgym soc``: tools for the SoC env's inputs (FARSI workload conversion)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from archgym.cli.common import console

app = typer.Typer(help="SoC env tools: convert FARSI workload databases.", no_args_is_help=True)


@app.command("convert-farsi")
def convert_farsi_cmd(
    source: Path = typer.Argument(..., help="FARSI workload database: a folder or '<workload>_database' CSV prefix"),
    out: Path = typer.Argument(..., help="archgym workload JSON file (or a folder for <workload>.json)"),
) -> None:
    """Convert a FARSI workload database into archgym's SoC workload format."""
    from archgym.simulators.soc import convert_farsi

    graph = convert_farsi(source, out)
    target = out / f"{graph.name}.json" if out.is_dir() else out
    console.print(escape(f"converted {graph.name}: {len(graph.tasks)} tasks -> {target}; "
                         f"use it with `archgym run --env archgym/SoC-v1 --workload {target}`"))
