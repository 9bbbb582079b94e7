"""``archgym replay`` and ``archgym validate``: check recorded results by recomputing them.

Exit codes: 0 when every record agrees (every run is reproduced), 1 when any
differs or cannot be checked, 2 for bad input (no such path, not a folder of
records), 130 on interruption.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape

from archgym.cli.common import console
from archgym.fileio import atomic_write_text

app = typer.Typer()

#: exit code of a check that ran and found a disagreement (or something it could not check)
FAILED = 1


@app.command("replay")
def replay_cmd(
    path: Path = typer.Argument(..., help="run folder, dataset, sweep folder, or records file (.parquet/.jsonl)"),
    proxy: Optional[Path] = typer.Option(None, help="proxy model file to use for proxy records (checksum checked)"),
    show: int = typer.Option(20, help="print at most this many records that differ or cannot be replayed"),
    all_records: bool = typer.Option(False, "--all", help="print a line for every record, agreeing ones too"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="write the per-record report as JSON here"),
) -> None:
    """Re-simulate every recorded design; check metrics, feasibility and reward bit for bit."""
    from archgym.reproduce import replay

    report = replay(path, proxy=proxy)
    shown = [c for c in report.checks if all_records or not c.ok]
    for check in shown[: None if all_records else max(0, show)]:
        console.print(escape(check.message()), highlight=False, soft_wrap=True)
    if not all_records and len(shown) > show:
        console.print(f"... and {len(shown) - show} more (--show N, --json FILE)")
    _finish(report, json_out)


@app.command("validate")
def validate_cmd(
    run: Path = typer.Argument(..., help="run folder (archgym run --out) or sweep folder (archgym sweep run --out)"),
    seeds: Optional[int] = typer.Option(None, help="sweeps: validate K seeds of every (env, agent, hp) setting"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="write the report as JSON here"),
) -> None:
    """Re-run the agent from what the run recorded and check that the whole trajectory is identical."""
    from archgym.reproduce import validate

    report = validate(run, seeds=seeds)
    for v in report.runs:
        mark = "[green]ok[/green]" if v.ok else "[red]FAIL[/red]"
        console.print(f"{mark} {escape(v.message())}", highlight=False, soft_wrap=True)
    _finish(report, json_out)


def _finish(report: Any, json_out: Optional[Path]) -> None:
    """Write the JSON report if asked, print the summary line, and exit with :data:`FAILED` unless all is well."""
    if json_out is not None:
        atomic_write_text(json_out, json.dumps(report.to_dict(), indent=1) + "\n")
    console.print(("[green]OK[/green] " if report.ok else "[red]FAIL[/red] ") + escape(report.summary()),
                  highlight=False, soft_wrap=True)
    if not report.ok:
        raise SystemExit(FAILED)
