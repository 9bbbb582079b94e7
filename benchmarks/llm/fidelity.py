"""Fidelity of archgym's LLM-serving model against GenZ on a seeded sample of points.

Both tools evaluate the same points (model, per-chip compute / bandwidth /
capacity, link bandwidth, TP / PP / EP, batch, input and output tokens,
precision; see ``peers.sample_points``). Printed:

1. per metric (``ttft_ms``, ``tpot_ms``, decode ``throughput`` in tokens/s,
   ``memory`` per chip), over the points both tools find feasible: Spearman
   rank correlation, median, 90th-percentile and worst relative error, and
   the goal of issue 20 (Spearman >= 0.95, median error <= 10% on TTFT/TPOT);
2. whether both agree on which points fit in memory (a 2x2 count), with every
   disagreeing point listed with both memory figures;
3. the largest TTFT / TPOT disagreements with each side's split of the time
   into compute-, memory- and communication-bound parts, naming the part that
   differs most (the likely cause).

GenZ results are cached in ``peer_results.json`` (committed), keyed by the
point and the architecture GenZ was given, so a rerun only evaluates archgym;
``--recompute`` reruns GenZ (about 1 s a point on a loaded 2-core machine).
``--genz-only`` fills the cache and summarises GenZ alone (no archgym needed
beyond the architecture table; with none, GenZ's own configs are used).

Run with the benchmark venv (see README.md)::

    benchmarks/llm/.venv/bin/python benchmarks/llm/fidelity.py [--points 300] [--seed 0] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

CACHE = Path(__file__).resolve().parent / "peer_results.json"
GOALS = {"ttft_ms": (0.95, 0.10), "tpot_ms": (0.95, 0.10)}


def architecture_source() -> str:
    """``"archgym"`` when archgym's architecture table is importable, else ``"genz"`` (GenZ's own configs)."""
    try:
        peers.archgym_architecture(peers.MODELS[0])
        return "archgym"
    except Exception:  # the simulator has not landed, or its table is elsewhere
        return "genz"


def genz_results(points: list[dict], source: str, recompute: bool) -> list[dict[str, Any]]:
    """GenZ's result per point, from the cache where the same point and architecture were run before."""
    cache = {} if recompute else peers.load_cache(CACHE)
    models = {m: peers.genz_model(m, source) for m in peers.MODELS}
    files = peers.GenZFiles()
    out = []
    try:
        for i, point in enumerate(points):
            model = models[point["model"]]
            key = peers.point_key(point) + peers.model_key(model)
            if key not in cache:
                cache[key] = peers.run_genz(point, model=model)
                files.clean()
                if i % 10 == 0:
                    peers.save_cache(CACHE, cache)
                    print(f"GenZ: {i + 1}/{len(points)} points", file=sys.stderr, flush=True)
            out.append(cache[key])
    finally:
        peers.save_cache(CACHE, cache)
    return out


def metric_rows(genz: list[dict], ours: list[dict]) -> list[list[Any]]:
    """One row per metric over the points both sides find feasible."""
    rows = []
    for column in peers.METRICS:
        pairs = [(o[column], g[column]) for g, o in zip(genz, ours)
                 if g["fits"] and o["fits"] and g[column] is not None and o[column] is not None]
        if not pairs:
            rows.append([column, 0, None, None, None, None, "-", ""])
            continue
        a, b = np.array(pairs).T
        err = peers.relative_errors(a, b)
        rho = peers.spearman(a, b)
        goal, verdict = "-", ""
        if column in GOALS:
            rho_goal, err_goal = GOALS[column]
            goal = f"rho >= {rho_goal}, median <= {err_goal:.0%}"
            verdict = "met" if rho >= rho_goal and np.median(err) <= err_goal else "MISSED"
        rows.append([column, len(pairs), rho, f"{np.median(err):.1%}", f"{np.percentile(err, 90):.1%}",
                     f"{err.max():.1%}", goal, verdict])
    return rows


def fit_rows(points: list[dict], genz: list[dict], ours: list[dict]) -> tuple[list[list[Any]], list[list[Any]]]:
    """The 2x2 fit agreement and the points where the decisions differ."""
    counts = {(g, o): 0 for g in (True, False) for o in (True, False)}
    differ = []
    for p, g, o in zip(points, genz, ours):
        counts[(g["fits"], o["fits"])] += 1
        if g["fits"] != o["fits"]:
            cap = p["platform"]["hbm_gb"] * 2**30
            differ.append([p["id"], peers.describe(p), "fits" if g["fits"] else "does not fit",
                           "fits" if o["fits"] else "does not fit",
                           f"{g['memory'] / cap:.3f}", f"{o['memory'] / cap:.3f}" if o["memory"] else "-",
                           o["reason"][:90]])
    table = [["GenZ fits", counts[(True, True)], counts[(True, False)]],
             ["GenZ does not fit", counts[(False, True)], counts[(False, False)]]]
    return table, differ


def split_cause(g_split: dict | None, o_split: dict | None) -> str:
    """The part of the time (compute-, memory- or communication-bound) whose two values differ most."""
    if not g_split or not o_split:
        return "-"
    part = max(g_split, key=lambda k: abs(g_split[k] - o_split.get(k, 0.0)))
    return f"{part}: GenZ {g_split[part]:.3g} vs {o_split.get(part, 0.0):.3g} ms"


def worst_rows(points: list[dict], genz: list[dict], ours: list[dict], column: str, k: int) -> list[list[Any]]:
    """The ``k`` points with the largest relative error on ``column``."""
    scored = [(abs(o[column] - g[column]) / g[column], p, g, o) for p, g, o in zip(points, genz, ours)
              if g["fits"] and o["fits"] and g[column] and o[column] is not None]
    scored.sort(key=lambda t: -t[0])
    split = column.split("_")[0] + "_split_ms"
    return [[p["id"], peers.describe(p), g[column], o[column], f"{e:+.0%}" if o[column] >= g[column] else f"{-e:+.0%}",
             split_cause(g.get(split), o.get(split))] for e, p, g, o in scored[:k]]


def config_rows() -> list[list[Any]]:
    """Fields where archgym's shipped architecture and GenZ's own config of the same model differ."""
    rows = []
    for model in peers.MODELS:
        ours, theirs = peers.genz_model(model, "archgym"), peers.genz_model(model, "genz")
        for field, value in peers.model_fields(ours).items():
            if peers.model_fields(theirs)[field] != value:
                rows.append([model, field, value, peers.model_fields(theirs)[field]])
    return rows


def genz_only_report(points: list[dict], genz: list[dict], source: str) -> str:
    """A summary of GenZ's side alone (before archgym's model exists)."""
    fits = [g for g in genz if g["fits"]]
    lines = [f"GenZ alone on {len(points)} points (architectures from {source}): {len(fits)} fit in memory."]
    for column in peers.METRICS:
        values = np.array([g[column] for g in fits if g[column] is not None])
        if len(values):
            lines.append(f"  {column}: {len(values)} values, min {values.min():.4g}, median {np.median(values):.4g}, "
                         f"max {values.max():.4g}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=300, help="sampled points (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--worst", type=int, default=8, help="disagreements listed per latency metric")
    parser.add_argument("--recompute", action="store_true", help="rerun GenZ instead of reading peer_results.json")
    parser.add_argument("--genz-only", action="store_true", help="run and cache GenZ only; summarise its side")
    parser.add_argument("--markdown", type=Path, help="also write what is printed to this file")
    args = parser.parse_args(argv)
    if args.points < 1:
        parser.error(f"--points must be >= 1, got {args.points}")

    peers.require("genz")
    if not args.genz_only:
        peers.require("archgym")
    source = "genz" if args.genz_only and architecture_source() == "genz" else "archgym"
    points = peers.sample_points(args.points, args.seed)
    genz = genz_results(points, source, args.recompute)
    if args.genz_only:
        text = genz_only_report(points, genz, source)
    else:
        ours = [peers.run_archgym(p) for p in points]
        fit_table, differ = fit_rows(points, genz, ours)
        agree = sum(g["fits"] == o["fits"] for g, o in zip(genz, ours))
        parts = [
            f"archgym LLM-serving model vs GenZ (genz-llm), {len(points)} points, seed {args.seed}; "
            "GenZ given archgym's architectures, greedy decode (Bb=1)",
            "",
            peers.table(["metric", "points", "Spearman", "median err", "p90 err", "worst err", "goal", ""],
                        metric_rows(genz, ours)),
            "",
            f"Fit in memory: both agree on {agree}/{len(points)} points.",
            "",
            peers.table(["", "archgym fits", "archgym does not fit"], fit_table),
        ]
        if differ:
            parts += ["", "Points where the fit decisions differ (memory / capacity per chip):", "",
                      peers.table(["id", "point", "GenZ", "archgym", "GenZ mem/cap", "archgym mem/cap",
                                   "archgym reason"], differ)]
        for column in ("ttft_ms", "tpot_ms"):
            parts += ["", f"Largest {column} disagreements:", "",
                      peers.table(["id", "point", "GenZ", "archgym", "archgym vs GenZ", "largest part difference"],
                                  worst_rows(points, genz, ours, column, args.worst))]
        config = config_rows()
        parts += ["", "Shipped architectures: " + ("archgym's and GenZ's configs agree on every field compared."
                                                   if not config else "fields where archgym and GenZ differ:")]
        if config:
            parts += ["", peers.table(["model", "field", "archgym", "GenZ"], config)]
        text = "\n".join(parts)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted; GenZ results so far are kept in peer_results.json", file=sys.stderr)
        raise SystemExit(130) from None
