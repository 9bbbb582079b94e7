"""``archgym proxy {train, report}``: proxy cost models trained on datasets (:mod:`archgym.proxy`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from archgym.cli.common import check_output_file, console
from archgym.cli.data import fmt

app = typer.Typer(help="Proxy cost models trained on datasets: train, report.", no_args_is_help=True)


def _print_model(model: Any) -> None:
    """Accuracy per target and the measured speed of simulator and proxy, side by side."""
    title = escape(f"{model.kind} proxy of {model.env_id} [{', '.join(model.workloads)}], test split")
    table = Table("target", "train/val/test", "RMSE", "RMSE %mean", "R²", "Spearman", "MAPE %", title=title)
    for name, r in model.metrics.items():
        table.add_row(name, f"{r['n_train']}/{r['n_val']}/{r['n_test']}", fmt(r["rmse"]),
                      fmt(r["rmse_pct_of_mean"]), fmt(r["r2"]), fmt(r["spearman"]), fmt(r["mape_pct"]))
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
            speed.add_row(mode, fmt(1e6 * sp[f"simulator_{mode}_s"]), fmt(1e6 * sp[f"proxy_{mode}_s"]),
                          f"{sp[f'speedup_{mode}']:.1f}x")
        console.print(speed)


@app.command("train")
def train_cmd(
    directory: Path = typer.Argument(..., help="dataset folder"),
    target: list[str] = typer.Option([], help="metric to predict (repeatable; 'all' for every metric; "
                                              "default: the metrics the recorded objective reads)"),
    model: str = typer.Option("auto", help="auto (per target the best on the validation split of poly, mlp, "
                                           "gbt and rf), rf (random forest, ArchGym's), "
                                           "gbt (gradient boosting), mlp or poly (ridge on degree-2 monomials); "
                                           "mlp and poly predict in numpy (fastest)"),
    out: Path = typer.Option(..., help="model file to write"),
    seed: int = typer.Option(0, min=0, help="seed of the train/validation/test split and the estimators"),
    env_id: Optional[str] = typer.Option(None, "--env", help="train on this env's records only"),
    workload: Optional[str] = typer.Option(None, help="train on this workload's records only"),
    samples: Optional[int] = typer.Option(None, min=1, help="use at most this many records"),
    no_speed: bool = typer.Option(False, help="skip timing the simulator against the proxy"),
    derived: bool = typer.Option(True, help="add the simulator's derived design features to the inputs "
                                            "(SoC: A53 work, critical path, HEFT's mapping; one workload only)"),
) -> None:
    """Train a proxy cost model; print its test accuracy and speed-up; save it."""
    from archgym.proxy import train

    check_output_file(out)
    m = train(directory, target or None, model, seed=seed, env_id=env_id, workload=workload, max_samples=samples,
              measure_speed=not no_speed, derived=derived)
    m.save(out)
    _print_model(m)
    console.print(f"model: {out}  (use: gymnasium.make({m.env_id!r}, cost_model='proxy', proxy={str(out)!r}))")


@app.command("report")
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
