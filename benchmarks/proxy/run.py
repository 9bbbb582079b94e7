"""Proxy-model benchmark: learning curves, accuracy and speed for every registered env.

For each env (``archgym envs``) this collects a space-filling dataset
(``lhs``, cached under ``--data``), holds out a fixed test set, and then:

* learning curve: trains a proxy on 100 ... 10,000 records per target and
  reports relative RMSE (% of the target's mean, ArchGym's figure) and Spearman
  on the same held-out designs; plotted to ``learning_curve.png``;
* accuracy/speed table: every model kind at the largest size, plus the
  per-evaluation time of the simulator and of the proxy bundle (all targets
  and the feasibility classifier) in batch and one design at a time.

Targets: the metrics each env's default objective reads, plus DRAM latency and
power where the env has them. Goals from the issue: DRAM relative RMSE <= 0.61 %
and Spearman >= 0.98; accelerator and SoC Spearman >= 0.95; batch proxy >= 100x
faster than the simulator.

Usage:
    python benchmarks/proxy/run.py [--envs ID ...] [--sizes 100 300 ...] [--models rf auto poly mlp gbt]
        [--curve-models rf auto] [--compare-size 3000] [--no-derived]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym import proxy
from archgym.data import datasets
from archgym.data.collect import collect, make_env
from archgym.envs._registration import ENVS

HERE = Path(__file__).parent
GOAL_REL_RMSE_PCT = 0.61
log = logging.getLogger("benchmarks.proxy")


def targets_of(env_id: str) -> list[str]:
    """The default objective's metrics, plus latency and power metrics for DRAM."""
    env = make_env(env_id)
    base = env.unwrapped
    names = list(base.objective.metrics)
    if "DRAM" in env_id:
        names += [m for m in base.simulator.metric_names if m.startswith(("latency", "power"))][:2]
    env.close()
    return list(dict.fromkeys(names))


def dataset(env_id: str, root: Path, n: int) -> pd.DataFrame:
    """A cached ``lhs`` dataset of ``n`` sampled designs of ``env_id`` (duplicates dropped)."""
    d = root / env_id.replace("/", "_")
    if not (d / datasets.MANIFEST).exists():
        r = collect(env_id, n, d, sampler="lhs", seed=0, chunk_size=1000)
        log.info("%s: collected %d records in %.1f s", env_id, r.added, r.seconds)
    return proxy.training_frame(datasets.load(d))


def curve(env_id: str, df: pd.DataFrame, targets: list[str], sizes: list[int], models: list[str],
          n_test: int, compare_size: int, curve_models: list[str], derived: bool = True) -> dict[str, Any]:
    """Error against training-set size on a fixed held-out test set, and the full-size table."""
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(df))
    test, pool = df.iloc[perm[:n_test]], df.iloc[perm[n_test:]]
    test = test[test["feasible"].astype(bool)]
    designs = proxy.designs_of(test, sorted(c[len("design."):] for c in df.columns if c.startswith("design.")))
    workload = str(test["workload"].iloc[0])
    rows = []
    speeds = {}
    sizes = sorted({min(n, len(pool)) for n in sizes})
    for model in models:
        for n in sizes if model in curve_models else [min(compare_size, sizes[-1])]:
            t0 = time.perf_counter()
            # the proxy splits its n records 70/15/15 itself; the figures below use the shared held-out set
            m = proxy.train(pool.iloc[:n], targets, model, seed=0, measure_speed=False, derived=derived)
            fit_s = time.perf_counter() - t0
            values, _ = m.predict(designs, workload)
            for t in targets:
                s = proxy.score(test[f"metric.{t}"].to_numpy(dtype=float), values[t])
                s["n_test"] = s.pop("n")
                rows.append({"env": env_id, "target": t, "model": model, "n": n, "fit_s": fit_s, **s})
                log.info("%s %s %s n=%d: rel RMSE %.3f%%, Spearman %.4f", env_id, t, model, n,
                         s["rmse_pct_of_mean"], s["spearman"])
            if model not in curve_models or n == sizes[-1]:
                speeds[model] = {"n": n, **proxy.measure_speedup(m, test.assign(workload=workload))}
    return {"rows": rows, "speed": speeds}


def plot(rows: list[dict[str, Any]], path: Path, curve_models: list[str]) -> None:
    """Error and Spearman against training-set size, one column per env, one line style per model."""
    from archgym.plots import _pyplot

    plt = _pyplot()
    df = pd.DataFrame(rows)
    df = df[df["model"].isin(curve_models)]
    envs = list(dict.fromkeys(df["env"]))
    fig, axes = plt.subplots(2, len(envs), figsize=(4.5 * len(envs), 7), dpi=110, squeeze=False)
    for j, env in enumerate(envs):
        part = df[df["env"] == env]
        for (model, t), g in part.groupby(["model", "target"], sort=False):
            style = dict(marker="o", ls="-" if model == curve_models[0] else "--", label=f"{t} ({model})")
            axes[0, j].plot(g["n"], g["rmse_pct_of_mean"], **style)
            axes[1, j].plot(g["n"], g["spearman"], **style)
        axes[0, j].axhline(GOAL_REL_RMSE_PCT, color="grey", ls="--", lw=1, label="ArchGym 0.61%")
        axes[0, j].set(xscale="log", yscale="log", title=env, ylabel="RMSE, % of mean (test)")
        axes[1, j].set(xscale="log", xlabel="training records", ylabel="Spearman (test)")
        for ax in axes[:, j]:
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.suptitle(f"proxy error against training-set size ({', '.join(curve_models)})", fontsize=11)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def markdown(rows: list[dict[str, Any]], speeds: dict[str, dict[str, Any]], sizes: list[int],
             curve_models: list[str]) -> str:
    """The learning-curve, accuracy, speed and best-model tables."""
    df = pd.DataFrame(rows)
    out = [f"## Learning curve ({', '.join(curve_models)}; fixed held-out test set)", "",
           "| env | target | model | " + " | ".join(f"n={n}" for n in sizes) + " | records for <= 0.61 % |",
           "| --- | --- | --- | " + " | ".join("---" for _ in sizes) + " | --- |"]
    cur = df[df["model"].isin(curve_models)]
    for (env, t, model), g in cur.groupby(["env", "target", "model"], sort=False):
        cells = []
        for n in sizes:
            r = g[g["n"] == min(n, g["n"].max())] if n >= g["n"].max() else g[g["n"] == n]
            cells.append("-" if r.empty else f"{r['rmse_pct_of_mean'].iloc[0]:.2f}% / {r['spearman'].iloc[0]:.3f}")
        hit = g[g["rmse_pct_of_mean"] <= GOAL_REL_RMSE_PCT]["n"]
        out.append(f"| {env} | {t} | {model} | " + " | ".join(cells)
                   + f" | {hit.min() if len(hit) else 'not reached'} |")
    out += ["", "Cells: RMSE as % of the target's mean / Spearman rank correlation.", "",
            "## Accuracy per model (learning-curve models at the largest size, others at --compare-size)", "",
            "| env | target | model | n | RMSE % mean | R² | Spearman | MAPE % | fit s |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    top = df.sort_values("n").groupby(["env", "target", "model"], sort=False).tail(1)
    for r in top.itertuples():
        out.append(f"| {r.env} | {r.target} | {r.model} | {r.n} | {r.rmse_pct_of_mean:.3f} | {r.r2:.4f} | "
                   f"{r.spearman:.4f} | {r.mape_pct:.3f} | {r.fit_s:.1f} |")
    out += ["", "## Speed per evaluation (proxy bundle: all targets + feasibility classifier)", "",
            "| env | model | n | simulator batch µs | proxy batch µs | speed-up batch | simulator single µs | "
            "proxy single µs | speed-up single |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for env, by_model in speeds.items():
        for model, s in by_model.items():
            if s:
                out.append(f"| {env} | {model} | {s['n']} | {1e6 * s['simulator_batch_s']:.1f} | "
                           f"{1e6 * s['proxy_batch_s']:.2f} | {s['speedup_batch']:.0f}x | "
                           f"{1e6 * s['simulator_single_s']:.0f} | {1e6 * s['proxy_single_s']:.0f} | "
                           f"{s['speedup_single']:.1f}x |")
    out += ["", "## Best model per env", "",
            "| env | best by accuracy (worst target's RMSE % mean; min Spearman) | "
            "fastest in batch (speed-up; worst RMSE %; min Spearman) |", "| --- | --- | --- |"]
    worst = top.groupby(["env", "model"]).agg(rmse=("rmse_pct_of_mean", "max"), spearman=("spearman", "min"))
    for env, by_model in speeds.items():
        w = worst.loc[env]
        acc = w["rmse"].idxmin()
        fast = max((m for m in by_model if by_model[m]), key=lambda m: by_model[m]["speedup_batch"])
        out.append(f"| {env} | {acc} ({w.loc[acc, 'rmse']:.2f} %; {w.loc[acc, 'spearman']:.3f}) | "
                   f"{fast} ({by_model[fast]['speedup_batch']:.0f}x; {w.loc[fast, 'rmse']:.2f} %; "
                   f"{w.loc[fast, 'spearman']:.3f}) |")
    return "\n".join(out) + "\n"


def one_thread() -> None:
    """Limit numpy's BLAS and OpenMP to one thread for the rest of the run: the simulators run on one core,
    so the printed speed-ups compare one core with one core (and another job's load cannot make BLAS's
    threads spin, which slowed small matrix products 20x in this benchmark)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envs", nargs="*", default=None, help="env ids (default: every registered env)")
    ap.add_argument("--sizes", nargs="*", type=int, default=[100, 300, 1000, 3000, 10000])
    ap.add_argument("--models", nargs="*", default=["rf", "auto", "poly", "mlp", "gbt"])
    ap.add_argument("--curve-models", nargs="*", default=["rf", "auto"],
                    help="models trained at every size (the others only at --compare-size)")
    ap.add_argument("--compare-size", type=int, default=3000, help="training records for the other models")
    ap.add_argument("--test", type=int, default=2000, help="held-out test records")
    ap.add_argument("--data", type=Path, default=HERE / ".data", help="dataset cache folder")
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--no-derived", action="store_true",
                    help="leave out the simulators' derived design features (the inputs before they existed)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    one_thread()
    rows: list[dict[str, Any]] = []
    speeds: dict[str, dict[str, Any]] = {}
    for env_id in args.envs or list(ENVS):
        try:
            targets = targets_of(env_id)
        except Exception as exc:  # an env listed but not installed yet is reported, not fatal
            log.warning("skipping %s: %s", env_id, exc)
            continue
        df = dataset(env_id, args.data, max(args.sizes) + args.test)
        res = curve(env_id, df, targets, args.sizes, args.models, args.test, args.compare_size, args.curve_models,
                    derived=not args.no_derived)
        rows += res["rows"]
        speeds[env_id] = res["speed"]
        (args.out / "results.json").write_text(json.dumps({"rows": rows, "speed": speeds}, indent=1, default=float))
    plot(rows, args.out / "learning_curve.png", args.curve_models)
    table = markdown(rows, speeds, args.sizes, args.curve_models)
    print(table)
    (args.out / "results.md").write_text(table)


if __name__ == "__main__":
    main()
