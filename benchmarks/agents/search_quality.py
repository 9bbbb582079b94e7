"""Search-quality benchmark: every agent on every registered env, 5 seeds, a fixed budget.

For each (env, agent) it reports, over the seeds:

- **best reward** found (median, and min..max);
- **evals to 95%**: evaluations until the best-so-far reward first covers 95%
  of the gap between a typical random design (the median reward of random
  search's feasible designs) and the best reward any run found (the gap in
  log10 for positive rewards spanning decades); median over the seeds that
  got there, and how many did;
- **overhead ms/eval**: wall time of the run not spent in the simulator (agent
  plus env bookkeeping), per evaluation, against **simulator ms/eval**;
- **vs random**: how many seeds' best beats random search's median best at
  the same budget.

It prints a Markdown table (also written to ``RESULTS.md`` with ``--write``)
and plots best-so-far curves (median and min..max band over the seeds) as
the fraction of that random-to-best gap.

Usage::

    python benchmarks/agents/search_quality.py                       # 500 evaluations, 5 seeds, all envs
    python benchmarks/agents/search_quality.py --budget 100 --agents random,tpe --envs archgym/Accelerator-v1
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent


def run_one(env_id: str, agent: str, seed: int, budget: int) -> dict[str, Any]:
    """One search run: its best-so-far curve, rewards and timings."""
    import gymnasium

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    env = gymnasium.make(env_id)
    t0 = time.perf_counter()
    history = make_agent(agent).run(env, budget=budget, seed=seed)
    wall = time.perf_counter() - t0
    sim = float(sum(e.wall_time_s for e in history))
    feasible_rewards = [e.reward for e in history if e.feasible]
    return {
        "env": env_id, "agent": agent, "seed": seed, "budget": budget,
        "best": history.best.reward if history.best else float("nan"),
        "curve": history.best_so_far().tolist(),
        "feasible_rewards": feasible_rewards if agent == "random" else [],
        "wall_s": wall, "sim_s": sim,
    }


def registered_envs() -> list[str]:
    import gymnasium

    import archgym  # noqa: F401
    from archgym.envs._registration import ENVS

    out = []
    for env_id in ENVS:
        try:
            gymnasium.make(env_id)
        except (ImportError, ModuleNotFoundError):
            continue
        out.append(env_id)
    return out


Scale = dict[str, tuple[float, float, bool]]


def progress(rewards: np.ndarray, scale: tuple[float, float, bool]) -> np.ndarray:
    """Fraction of the gap from a typical random design to the best known reward (log10 gap if ``scale[2]``)."""
    typical, best_known, log = scale
    if log:
        rewards, typical, best_known = np.log10(np.maximum(rewards, 1e-300)), np.log10(typical), np.log10(best_known)
    return (rewards - typical) / (best_known - typical if best_known != typical else 1.0)


def summarise(runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Scale]:
    """Table rows and, per env, the (typical random reward, best known reward, log gap) used to normalise.

    Positive rewards spanning more than two decades (ArchGym's target-spec
    product) are compared on a log scale, or one lucky design would make
    every other run look like no progress at all.
    """
    envs = sorted({r["env"] for r in runs})
    scale: Scale = {}
    for env in envs:
        best_known = max(r["best"] for r in runs if r["env"] == env and np.isfinite(r["best"]))
        pool = [x for r in runs if r["env"] == env and r["agent"] == "random" for x in r["feasible_rewards"]]
        typical = float(np.median(pool)) if pool else min(r["best"] for r in runs if r["env"] == env)
        log = bool(pool) and min(pool) > 0 and best_known / typical > 100
        scale[env] = (typical, best_known, log)
    rows = []
    for env in envs:
        rnd = [r["best"] for r in runs if r["env"] == env and r["agent"] == "random"]
        rnd_median = statistics.median(rnd) if rnd else float("nan")
        for agent in dict.fromkeys(r["agent"] for r in runs if r["env"] == env):
            rs = [r for r in runs if r["env"] == env and r["agent"] == agent]
            bests = [r["best"] for r in rs]
            reach = []
            for r in rs:
                curve = np.nan_to_num(progress(np.asarray(r["curve"], dtype=float), scale[env]), nan=-np.inf)
                hit = np.flatnonzero(curve >= 0.95)
                if len(hit):
                    reach.append(int(hit[0]) + 1)
            n_evals = sum(r["budget"] for r in rs)
            rows.append({
                "env": env, "agent": agent, "seeds": len(rs), "budget": rs[0]["budget"],
                "best_median": statistics.median(bests), "best_min": min(bests), "best_max": max(bests),
                "beats_random": sum(b > rnd_median for b in bests),
                "evals_to_95": statistics.median(reach) if reach else None, "reached_95": len(reach),
                "overhead_ms": 1e3 * sum(r["wall_s"] - r["sim_s"] for r in rs) / n_evals,
                "sim_ms": 1e3 * sum(r["sim_s"] for r in rs) / n_evals,
            })
    return rows, scale


def markdown(rows: list[dict[str, Any]]) -> str:
    head = ("| env | agent | best reward: median (min .. max) | seeds beating random's median | evals to 95% "
            "(reached) | overhead ms/eval | simulator ms/eval |\n| --- | --- | --- | --- | --- | --- | --- |\n")
    lines = []
    for r in rows:
        reach = "-" if r["evals_to_95"] is None else f"{r['evals_to_95']:.0f}"
        beats = "(baseline)" if r["agent"] == "random" else f"{r['beats_random']}/{r['seeds']}"
        lines.append(f"| {r['env']} | {r['agent']} | {r['best_median']:.4g} ({r['best_min']:.4g} .. "
                     f"{r['best_max']:.4g}) | {beats} | {reach} ({r['reached_95']}/{r['seeds']}) | "
                     f"{r['overhead_ms']:.2f} | {r['sim_ms']:.2f} |")
    return head + "\n".join(lines)


def plot(runs: list[dict[str, Any]], scale: Scale, path: Path, agents: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    envs = sorted(scale)
    colours = [plt.cm.tab20(i % 20) for i in range(0, 2 * len(agents), 2)] if len(agents) <= 10 else \
        [plt.cm.tab20(i % 20) for i in range(len(agents))]
    fig, axes = plt.subplots(1, len(envs), figsize=(6.5 * len(envs), 4.8), dpi=110, squeeze=False)
    for ax, env in zip(axes[0], envs):
        for colour, agent in zip(colours, agents):
            curves = [np.asarray(r["curve"], dtype=float) for r in runs if r["env"] == env and r["agent"] == agent]
            if not curves:
                continue
            frac = np.clip(progress(np.vstack(curves), scale[env]), -0.5, 1.0)
            frac = np.where(np.isnan(frac), -0.5, frac)
            steps = np.arange(1, frac.shape[1] + 1)
            ax.plot(steps, np.median(frac, axis=0), color=colour, lw=1.6, label=agent)
            ax.fill_between(steps, frac.min(axis=0), frac.max(axis=0), color=colour, alpha=0.10)
        ax.axhline(0.95, color="grey", ls=":", lw=1)
        ax.set_xscale("log")
        ax.set_ylim(-0.5, 1.02)
        ax.set_xlabel("simulator evaluations")
        ax.set_ylabel("best so far: fraction of the gap random-typical -> best known")
        ax.set_title(env + (" (log10 reward gap)" if scale[env][2] else ""), fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, ncol=2, loc="lower right")
    fig.suptitle("best-so-far reward, median and min..max over seeds", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    from archgym.agents import AGENTS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--envs", default="", help="comma-separated env ids (default: every registered env)")
    ap.add_argument("--agents", default="", help="comma-separated agents (default: all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=Path, default=HERE / "runs.json", help="cache of finished runs (resumable)")
    ap.add_argument("--plot", type=Path, default=HERE / "best_so_far.png")
    ap.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    args = ap.parse_args()
    envs = args.envs.split(",") if args.envs else registered_envs()
    agents = args.agents.split(",") if args.agents else list(AGENTS)
    if "random" not in agents:
        agents.insert(0, "random")
    done = json.loads(args.runs.read_text()) if args.runs.exists() else []
    key = {(r["env"], r["agent"], r["seed"], r["budget"]) for r in done}
    todo = [(e, a, s, args.budget) for e in envs for a in agents for s in range(args.seeds)
            if (e, a, s, args.budget) not in key]
    # the slowest first, so the pool stays busy to the end
    todo.sort(key=lambda t: t[1] not in ("gp", "dqn", "ppo", "tpe"))
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(run_one, *zip(*todo)) if todo else []:
            done.append(run)
            args.runs.write_text(json.dumps(done))
            print(f"done {run['env']} {run['agent']} seed {run['seed']}: best {run['best']:.5g} "
                  f"({run['wall_s']:.1f} s)", flush=True)
    runs = [r for r in done if r["budget"] == args.budget and r["env"] in envs and r["agent"] in agents
            and r["seed"] < args.seeds]
    rows, scale = summarise(runs)
    rows.sort(key=lambda r: (r["env"], agents.index(r["agent"])))
    table = markdown(rows)
    print(table)
    plot(runs, scale, args.plot, agents)
    if args.write:
        results = HERE / "RESULTS.md"
        text = results.read_text() if results.exists() else ""
        start, end = "<!-- table -->", "<!-- /table -->"
        block = f"{start}\n{table}\n{end}"
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):] if start in text else block
        results.write_text(text + ("\n" if not text.endswith("\n") else ""))


if __name__ == "__main__":
    main()
