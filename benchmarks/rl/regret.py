"""RL agents' normalised regret against random search and TPE at equal budgets, per formulation.

Every (problem, agent, seed) run searches one problem with exactly
``--budget`` simulator evaluations. A problem is a task of the benchmark suite
(``acc-resnet18-edp``: ``archgym bench list``; its env, workload and
objective) or an env id (``gymnasium.make(env)``: default workload and
objective; DRAM has no suite task). The RL agents (``ppo``, ``a2c``, ``dqn``)
learn on each formulation through their ``formulation`` hyperparameter
(``ppo@edit`` is PPO with ``formulation="edit"``). The best *raw* objective
reward each run found is turned into a normalised regret

    regret = (optimum - best found) / (optimum - median random design)

0 at the optimum, 1 at a typical random design. On a suite task the optimum
and median are the suite's stored ones (``archgym/bench/optima.json``: exact
enumeration for the accelerator tasks), so the numbers are the suite's
regret; on an env id they are the best reward any run of this benchmark found
and the median of random search's feasible designs. Each run also records its
best-so-far improvements (regret at any smaller budget) and how many distinct
designs it evaluated (a policy that converges re-evaluates designs). The table gives the mean regret over
seeds with a 95% bootstrap confidence interval (10,000 resamples of the
seeds, seeded), and the difference of each agent's mean regret from random
search's, with its bootstrap interval (negative: better than random search).

Usage::

    python benchmarks/rl/regret.py                         # 200 evaluations, 10 seeds, accelerator and DRAM
    python benchmarks/rl/regret.py --budget 100 --seeds 3 --envs archgym/Accelerator-v1
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
#: problems: suite task ids or env ids
ENVS = ("acc-resnet18-edp", "archgym/DRAM-v1")
AGENTS = ("random", "tpe", "ppo@archgym", "ppo@bandit", "ppo@edit", "a2c@archgym", "a2c@bandit", "a2c@edit",
          "dqn@archgym", "dqn@bandit", "dqn@edit")
BOOTSTRAP = 10_000
SUITE_OPTIMUM = "the suite's optimum"


def suite_task(problem: str) -> Any:
    """The benchmark-suite task named ``problem``, or None for an env id."""
    from archgym.bench.tasks import TASKS

    return next((t for t in TASKS if t.id == problem), None)


def run_one(env_id: str, agent: str, seed: int, budget: int) -> dict[str, Any]:
    """One search run: the best raw reward, its improvements, distinct designs and, for random search,
    every feasible reward."""
    import gymnasium
    import torch

    import archgym  # noqa: F401
    from archgym.agents import make_agent
    from archgym.bench.scoring import improvements

    torch.set_num_threads(1)
    name, _, formulation = agent.partition("@")
    hp = {"formulation": formulation} if formulation else {}
    task = suite_task(env_id)
    env = task.make() if task else gymnasium.make(env_id)
    t0 = time.perf_counter()
    history = make_agent(name, **hp).run(env, budget=budget, seed=seed)
    return {
        "env": env_id, "agent": agent, "seed": seed, "budget": budget,
        "best": history.best.reward if history.best else float("nan"),
        "improvements": improvements([None if np.isnan(v) else float(v) for v in history.best_so_far()]),
        "distinct": len({tuple(sorted(e.design.items())) for e in history}),
        "feasible_rewards": [e.reward for e in history if e.feasible] if name == "random" else [],
        "wall_s": time.perf_counter() - t0,
    }


def reference(problem: str, runs: list[dict[str, Any]]) -> tuple[float, float, bool]:
    """(optimum, median random design, from the suite?) that normalise regret on ``problem``.

    A suite task's stored optimum and median; otherwise the best reward of
    ``runs`` and the median of their random-search feasible rewards."""
    task = suite_task(problem)
    optimum = task.optimum() if task else None
    if optimum:
        return float(optimum["value"]), float(optimum["median"]), True
    best_known = max(r["best"] for r in runs if np.isfinite(r["best"]))
    typical = float(np.median([x for r in runs if r["agent"] == "random" for x in r["feasible_rewards"]]))
    return best_known, typical, False


def bootstrap_mean(x: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean of ``x`` and the 2.5 and 97.5 percentiles of its bootstrap distribution."""
    means = x[rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))].mean(axis=1)
    return float(x.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def summarise(runs: list[dict[str, Any]], envs: list[str], agents: list[str]) -> list[dict[str, Any]]:
    rows = []
    for env in envs:
        rs = [r for r in runs if r["env"] == env]
        best_known, typical, suite = reference(env, rs)
        regret = {a: np.array([(best_known - r["best"]) / (best_known - typical) for r in rs if r["agent"] == a])
                  for a in agents}
        for a in agents:
            if not len(regret[a]):
                continue
            rng = np.random.default_rng(0)
            mean, lo, hi = bootstrap_mean(regret[a], rng)
            diff = (regret[a][rng.integers(0, len(regret[a]), (BOOTSTRAP, len(regret[a])))].mean(1)
                    - regret["random"][rng.integers(0, len(regret["random"]),
                                                    (BOOTSTRAP, len(regret["random"])))].mean(1))
            rows.append({"env": env, "agent": a, "seeds": len(regret[a]), "mean": mean, "lo": lo, "hi": hi,
                         "diff": float(regret[a].mean() - regret["random"].mean()),
                         "diff_lo": float(np.percentile(diff, 2.5)), "diff_hi": float(np.percentile(diff, 97.5)),
                         "best_known": best_known, "typical": typical, "suite": suite,
                         "distinct": float(np.median([r["distinct"] for r in rs if r["agent"] == a]))
                         if all("distinct" in r for r in rs if r["agent"] == a) else float("nan"),
                         "wall_s": float(np.median([r["wall_s"] for r in rs if r["agent"] == a]))})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| problem | agent@formulation | seeds | normalised regret: mean [95% CI] | minus random's [95% CI] | "
             "distinct designs (median) | median wall s/run |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        diff = ("(baseline)" if r["agent"] == "random"
                else f"{r['diff']:+.3f} [{r['diff_lo']:+.3f}, {r['diff_hi']:+.3f}]")
        lines.append(f"| {r['env']} | {r['agent']} | {r['seeds']} | {r['mean']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}] | "
                     f"{diff} | {r['distinct']:.0f} | {r['wall_s']:.1f} |")
    envs = {r["env"]: r for r in rows}
    notes = [f"- {e}: {SUITE_OPTIMUM if r['suite'] else 'best known'} raw reward {r['best_known']:.6g}, "
             f"median random design {r['typical']:.6g}" for e, r in envs.items()]
    return "\n".join(lines) + "\n\n" + "\n".join(notes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0, help="run seeds from this one (to split a run across caches)")
    ap.add_argument("--merge", type=Path, nargs="*", default=[], help="other caches to read (not write) runs from")
    ap.add_argument("--envs", default=",".join(ENVS))
    ap.add_argument("--agents", default=",".join(AGENTS))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--runs", type=Path, default=HERE / "regret_runs.json", help="cache of finished runs (resumable)")
    args = ap.parse_args()
    envs, agents = args.envs.split(","), args.agents.split(",")
    if "random" not in agents:
        agents.insert(0, "random")
    done = json.loads(args.runs.read_text()) if args.runs.exists() else []
    others = [r for path in args.merge for r in json.loads(path.read_text())]
    have = {(r["env"], r["agent"], r["seed"], r["budget"]) for r in done + others}
    todo = [(e, a, s, args.budget) for s in range(args.first_seed, args.seeds) for e in envs for a in agents
            if (e, a, s, args.budget) not in have]
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(run_one, *zip(*todo)) if todo else []:
            done.append(run)
            args.runs.write_text(json.dumps(done))
            print(f"done {run['env']} {run['agent']} seed {run['seed']}: best {run['best']:.6g} "
                  f"({run['wall_s']:.1f} s)", flush=True)
    runs = [r for r in done + others if r["budget"] == args.budget and r["env"] in envs and r["agent"] in agents
            and r["seed"] < args.seeds]
    print(markdown(summarise(runs, envs, agents)))


if __name__ == "__main__":
    main()
