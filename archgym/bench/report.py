"""``archgym bench report``: compare leaderboard entries (tables, rliable aggregates, plots).

From a set of entries (rescored against the stored optima) it writes into one
folder:

* ``README.md`` - the leaderboard table (IQM normalised regret with 95%
  stratified-bootstrap intervals and success rate at each budget, median
  evaluations to success, agent overhead and simulator time per evaluation),
  the hardness of every task, per-task median regret, and the probability that
  each agent beats random search;
* ``regret_vs_budget.png`` - IQM regret against evaluations with 95% bands;
* ``performance_profile.png`` - fraction of runs above each normalised score at
  the largest budget, with 95% bands;
* ``summary.json`` - the numbers of the tables.

Aggregates run over the tasks every entry covers (rliable needs the same
tasks per agent) and each entry's seeds that cover all of them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from archgym.bench import stats
from archgym.bench.enumerate import random_success
from archgym.bench.runner import rescore
from archgym.bench.scoring import regret_at
from archgym.bench.tasks import SUITE, get_task, tasks

#: evaluation counts at which the regret curves are drawn
CURVE_POINTS = 24


def common_tasks(entries: Sequence[dict[str, Any]]) -> list[str]:
    """Suite tasks (in suite order) that have an optimum and runs in every entry."""
    have = [set(r["task"] for r in e["runs"]) for e in entries]
    return [t.id for t in tasks() if t.optimum() is not None and all(t.id in h for h in have)]


def full_seeds(entry: dict[str, Any], task_ids: Sequence[str]) -> list[int]:
    """The entry's seeds that have a run on every one of ``task_ids``."""
    by_task = {t: {r["seed"] for r in entry["runs"] if r["task"] == t} for t in task_ids}
    seeds = set.intersection(*by_task.values()) if by_task else set()
    return sorted(seeds)


def regret_matrix(entry: dict[str, Any], task_ids: Sequence[str], seeds: Sequence[int],
                  steps: Sequence[int]) -> np.ndarray:
    """``(len(steps), seeds, tasks)`` normalised regret of the entry's runs at each step."""
    rows = {(r["task"], r["seed"]): r for r in entry["runs"]}
    out = np.empty((len(steps), len(seeds), len(task_ids)))
    for j, t in enumerate(task_ids):
        opt = get_task(t).optimum()
        for i, s in enumerate(seeds):
            out[:, i, j] = regret_at(rows[(t, s)]["improvements"], steps, opt)
    return out


def _fmt_ci(point: float, ci: np.ndarray) -> str:
    return f"{point:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def hardness_rows(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per task: space, optimum kind, fraction within tolerance, random search's success at each budget."""
    random = next((e for e in entries if e["agent"] == "random" and e["name"] == "random"), None)
    out = []
    for t in tasks():
        opt = t.optimum()
        if opt is None:
            out.append({"task": t.id, "optimum": "not computed"})
            continue
        frac = opt["fraction_within_tolerance"]
        row = {"task": t.id, "env": t.env, "space": opt["space_size"], "exact": opt["exact"],
               "optimum": opt["value"], "median": opt["median"], "feasible": opt["feasible_fraction"],
               "within_tolerance": frac, "designs_within_tolerance": opt["designs_within_tolerance"],
               "random_success_expected": {str(b): random_success(frac, b) for b in t.budgets}}
        if random is not None:
            runs = [r for r in random["runs"] if r["task"] == t.id and "success" in r]
            if runs:
                row["random_success_measured"] = {str(b): float(np.mean([r["success"][str(b)] for r in runs]))
                                                  for b in t.budgets}
                row["random_seeds"] = len(runs)
        out.append(row)
    return out


def summarise_entries(entries: Sequence[dict[str, Any]], reps: int = stats.REPS) -> dict[str, Any]:
    """Every number of the report, JSON-ready."""
    entries = [rescore(e) for e in entries]
    task_ids = common_tasks(entries)
    budgets = sorted({b for t in task_ids for b in get_task(t).budgets})
    summary: dict[str, Any] = {"suite": SUITE, "tasks": task_ids, "budgets": budgets, "entries": [],
                               "hardness": hardness_rows(entries)}
    if not task_ids:
        return summary
    seeds = {e["name"]: full_seeds(e, task_ids) for e in entries}
    entries = [e for e in entries if seeds[e["name"]]]
    regrets = {e["name"]: regret_matrix(e, task_ids, seeds[e["name"]], budgets) for e in entries}
    tolerance = np.array([get_task(t).tolerance for t in task_ids])
    by_budget: dict[str, dict[str, Any]] = {e["name"]: {} for e in entries}
    for k, b in enumerate(budgets):
        point, ci = stats.iqm({n: 1.0 - r[k] for n, r in regrets.items()}, reps=reps)
        for n, r in regrets.items():
            by_budget[n][str(b)] = {"iqm_regret": 1.0 - point[n], "ci": [1.0 - ci[n][1], 1.0 - ci[n][0]],
                                    "success": float(np.mean(r[k] <= tolerance))}
    per_task = {}
    for e in entries:
        n = e["name"]
        rows = [r for r in e["runs"] if r["task"] in task_ids and r["seed"] in seeds[n]]
        to_success = [r["evaluations_to_success"] for r in rows]
        reached = [x for x in to_success if x is not None]
        summary["entries"].append({
            "name": n, "agent": e["agent"], "hyperparameters": e["hyperparameters"], "command": e["command"],
            "seeds": len(seeds[n]), "runs": len(rows), "by_budget": by_budget[n],
            "median_evaluations_to_success": _median_reached(to_success) if reached else None,
            "successful_runs": len(reached),
            "agent_overhead_ms_per_eval": 1e3 * float(np.median([r["agent_overhead_s_per_eval"] for r in rows])),
            "simulator_ms_per_eval": 1e3 * float(np.median([r["simulator_s_per_eval"] for r in rows])),
        })
        per_task[n] = {t: float(np.median(regrets[n][-1][:, j])) for j, t in enumerate(task_ids)}
    summary["median_regret_per_task"] = per_task
    summary["probability_of_improvement_over_random"] = _poi_over_random(regrets, seeds, reps)
    summary["_regrets"] = regrets
    return summary


def _median_reached(values: Sequence[int | None]) -> float:
    """Median evaluations to success, unsuccessful runs counted as never (infinity)."""
    return float(np.median([math.inf if v is None else float(v) for v in values]))


def _poi_over_random(regrets: dict[str, np.ndarray], seeds: dict[str, list[int]], reps: int) -> dict[str, Any]:
    """P(agent's normalised score > random's) at the largest budget, over the seeds both have."""
    if "random" not in regrets:
        return {}
    pairs = {}
    for n, r in regrets.items():
        if n == "random":
            continue
        common = sorted(set(seeds[n]) & set(seeds["random"]))
        if not common:
            continue
        pick = [seeds[n].index(s) for s in common]
        pick_r = [seeds["random"].index(s) for s in common]
        pairs[f"{n},random"] = (1.0 - r[-1][pick], 1.0 - regrets["random"][-1][pick_r])
    if not pairs:
        return {}
    point, ci = stats.probability_of_improvement(pairs, reps=reps)
    return {k.split(",")[0]: {"p": point[k], "ci": [float(ci[k][0]), float(ci[k][1])]} for k in pairs}


def write_report(entries: Sequence[dict[str, Any]], out: str | Path, reps: int = stats.REPS,
                 plots: bool = True) -> Path:
    """Write README.md, summary.json and the plots for ``entries`` into ``out``; returns the README path."""
    from archgym.fileio import atomic_write_text

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise_entries(entries, reps=reps)
    regrets = summary.pop("_regrets", {})
    if plots and regrets:
        _plots(entries, summary, out, reps)
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    return atomic_write_text(out / "README.md", markdown(summary, plots=plots and bool(regrets)))


def markdown(summary: dict[str, Any], plots: bool = True) -> str:
    """The leaderboard README: how to read it, the table, hardness, per-task regret."""
    budgets = summary["budgets"]
    lines = [
        f"# Leaderboard: `{summary['suite']}`",
        "",
        "Generated by `archgym bench report benchmarks/leaderboard/entries --out benchmarks/leaderboard` "
        "from the entries in `entries/`; do not edit by hand. Each entry holds its exact command and every "
        "(task, seed) run with its best design; `archgym bench validate ENTRY` replays the best designs and "
        "re-runs a sample. See `docs/benchmark.md` for the definitions.",
        "",
        f"Tasks aggregated: {', '.join(f'`{t}`' for t in summary['tasks']) or '(none)'}. "
        "Normalised regret: 0 = the optimum, 1 = the median random design; IQM = interquartile mean over "
        "(task, seed) runs with a 95% stratified-bootstrap interval (rliable); success = regret within the "
        "task's tolerance (0.01).",
        "",
    ]
    head = ["entry", "seeds"] + [f"IQM regret @{b}" for b in budgets] + [f"success @{b}" for b in budgets]
    head += ["median evals to success", "P(beats random)", "agent ms/eval", "simulator ms/eval"]
    lines += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    poi = summary.get("probability_of_improvement_over_random", {})
    order = sorted(summary["entries"], key=lambda e: e["by_budget"][str(budgets[-1])]["iqm_regret"])
    for e in order:
        bb = e["by_budget"]
        cells = [f"`{e['name']}`", str(e["seeds"])]
        cells += [_fmt_ci(bb[str(b)]["iqm_regret"], np.array(bb[str(b)]["ci"])) for b in budgets]
        cells += [f"{bb[str(b)]['success']:.0%}" for b in budgets]
        med = e["median_evaluations_to_success"]
        cells.append("not reached" if med is None or not math.isfinite(med) else f"{med:.0f}")
        p = poi.get(e["name"])
        cells.append("-" if p is None else f"{p['p']:.2f} [{p['ci'][0]:.2f}, {p['ci'][1]:.2f}]")
        cells += [f"{e['agent_overhead_ms_per_eval']:.2f}", f"{e['simulator_ms_per_eval']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    if plots:
        lines += ["", "![regret vs budget](regret_vs_budget.png)", "",
                  "![performance profile](performance_profile.png)"]
    lines += ["", "## Task hardness", "",
              "Fraction of the space within tolerance of the optimum, and random search's success rate at each "
              "budget: expected from that fraction (uniform draws with replacement) and measured over the random "
              "entry's seeds. Best-known optima estimate the fraction from a uniform sample.", "",
              "| task | space | optimum | median | feasible | within tolerance | random success expected | "
              "random success measured |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for h in summary["hardness"]:
        if "space" not in h:
            lines.append(f"| `{h['task']}` | | not computed | | | | | |")
            continue
        kind = "exact" if h["exact"] else "best known"
        exp = ", ".join(f"{b}: {v:.1%}" for b, v in h["random_success_expected"].items())
        meas = h.get("random_success_measured")
        meas_text = ", ".join(f"{b}: {v:.0%}" for b, v in meas.items()) + f" ({h['random_seeds']} seeds)" \
            if meas else "-"
        lines.append(f"| `{h['task']}` | {h['space']:,} | {h['optimum']:.6g} ({kind}) | {h['median']:.6g} | "
                     f"{h['feasible']:.1%} | {h['within_tolerance']:.2e} ({h['designs_within_tolerance']:,} "
                     f"designs) | {exp} | {meas_text} |")
    per_task = summary.get("median_regret_per_task", {})
    if per_task:
        tids = summary["tasks"]
        lines += ["", f"## Median regret per task at {budgets[-1]} evaluations", "",
                  "| entry | " + " | ".join(f"`{t}`" for t in tids) + " |", "|" + " --- |" * (len(tids) + 1)]
        for name, row in per_task.items():
            lines.append(f"| `{name}` | " + " | ".join(f"{row[t]:.3f}" for t in tids) + " |")
    lines += ["", "## Commands", ""]
    for e in summary["entries"]:
        lines.append(f"- `{e['name']}`: `{e['command']}`")
    return "\n".join(lines) + "\n"


def _plots(entries: Sequence[dict[str, Any]], summary: dict[str, Any], out: Path, reps: int) -> None:
    """Regret-vs-budget curves with 95% bands, and performance profiles at the largest budget."""
    from archgym.plots import _pyplot

    plt = _pyplot()
    task_ids = summary["tasks"]
    top = min(get_task(t).max_budget for t in task_ids)
    steps = np.unique(np.geomspace(1, top, CURVE_POINTS).round().astype(int))
    by_name = {e["name"]: rescore(e) for e in entries}
    names = [e["name"] for e in summary["entries"]]
    curves = {}
    for n in names:
        seeds = full_seeds(by_name[n], task_ids)
        curves[n] = regret_matrix(by_name[n], task_ids, seeds, steps)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for n in names:
        point, band = stats.iqm_curve([1.0 - c for c in curves[n]], reps=max(100, reps // 10))
        ax.plot(steps, 1.0 - point, label=n, lw=1.6)
        ax.fill_between(steps, 1.0 - band[1], 1.0 - band[0], alpha=0.2)
    ax.set_xscale("log")
    ax.set_xlabel("simulator evaluations")
    ax.set_ylabel("IQM normalised regret (0 = optimum, 1 = median design)")
    ax.set_title(f"{SUITE}: {len(task_ids)} tasks, 95% stratified-bootstrap bands", fontsize=9)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "regret_vs_budget.png")
    plt.close(fig)

    taus = np.linspace(0.0, 1.0, 41)
    scores = {n: 1.0 - curves[n][-1] for n in names}
    profile, bands = stats.performance_profile(scores, taus, reps=max(100, reps // 10))
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for n in names:
        ax.plot(taus, profile[n], label=n, lw=1.6)
        ax.fill_between(taus, bands[n][0], bands[n][1], alpha=0.2)
    ax.set_xlabel(r"normalised score $\tau$ (1 - regret)")
    ax.set_ylabel(r"fraction of runs with score > $\tau$")
    ax.set_title(f"performance profile at {top} evaluations", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "performance_profile.png")
    plt.close(fig)
