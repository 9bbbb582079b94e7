"""Why RL agents do not beat random search here: budget, repeats and no-op edits, measured.

Runs a few agents for a longer budget than ``regret.py`` on one env and
reports, per (agent@formulation), over the seeds (median, min .. max):

- the normalised regret of the best design at several budgets (the same
  definition as ``regret.py``; best known and typical random design taken
  from ``regret_runs.json`` and these runs together);
- **repeats**: the share of evaluations spent on a design the run had already
  evaluated (a converging policy re-proposes its favourites; an ``"edit"``
  episode re-evaluates its design after an edit that set a knob to the value
  it had);
- **unique**: distinct designs evaluated.

Usage::

    python benchmarks/rl/diagnose.py                       # accelerator, 1000 evaluations, 5 seeds
    python benchmarks/rl/diagnose.py --budget 300 --seeds 2 --agents random,ppo@edit
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
AGENTS = ("random", "ppo@bandit", "ppo@edit", "a2c@edit", "dqn@archgym")
CHECKPOINTS = (50, 100, 200, 500, 1000, 2000)


def run_one(env_id: str, agent: str, seed: int, budget: int) -> dict[str, Any]:
    import gymnasium
    import torch

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    torch.set_num_threads(1)
    name, _, formulation = agent.partition("@")
    hp = {"formulation": formulation} if formulation else {}
    t0 = time.perf_counter()
    history = make_agent(name, **hp).run(gymnasium.make(env_id), budget=budget, seed=seed)
    keys = [tuple(sorted(e.design.items())) for e in history]
    return {"env": env_id, "agent": agent, "seed": seed, "budget": budget,
            "curve": history.best_so_far().tolist(), "unique": len(set(keys)),
            "repeats": 1.0 - len(set(keys)) / len(keys),
            "feasible_rewards": [e.reward for e in history if e.feasible] if name == "random" else [],
            "wall_s": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", default="archgym/Accelerator-v1")
    ap.add_argument("--budget", type=int, default=1000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--agents", default=",".join(AGENTS))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--runs", type=Path, default=HERE / "diagnose_runs.json")
    args = ap.parse_args()
    agents = args.agents.split(",")
    done = json.loads(args.runs.read_text()) if args.runs.exists() else []
    have = {(r["env"], r["agent"], r["seed"], r["budget"]) for r in done}
    todo = [(args.env, a, s, args.budget) for s in range(args.seeds) for a in agents
            if (args.env, a, s, args.budget) not in have]
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(run_one, *zip(*todo)) if todo else []:
            done.append(run)
            args.runs.write_text(json.dumps(done))
            print(f"done {run['agent']} seed {run['seed']} ({run['wall_s']:.1f} s)", flush=True)
    runs = [r for r in done if r["env"] == args.env and r["budget"] == args.budget and r["seed"] < args.seeds]
    regret_cache = HERE / "regret_runs.json"
    others = [r for r in json.loads(regret_cache.read_text()) if r["env"] == args.env] if regret_cache.exists() else []
    best_known = max([r["best"] for r in others] + [max(r["curve"]) for r in runs])
    pool_rewards = [x for r in others + runs if r["agent"] == "random" for x in r["feasible_rewards"]]
    typical = float(np.median(pool_rewards))
    marks = [c for c in CHECKPOINTS if c <= args.budget]
    print(f"{args.env}: best known {best_known:.6g}, typical random design {typical:.6g}\n")
    print("| agent@formulation | seeds | " + " | ".join(f"regret at {c}" for c in marks)
          + " | repeats | unique designs |")
    print("| --- | --- | " + " | ".join("---" for _ in marks) + " | --- | --- |")
    for agent in agents:
        rs = [r for r in runs if r["agent"] == agent]
        if not rs:
            continue
        cells = []
        for c in marks:
            reg = np.array([(best_known - r["curve"][c - 1]) / (best_known - typical) for r in rs])
            cells.append(f"{np.median(reg):.3f} ({reg.min():.3f} .. {reg.max():.3f})")
        rep = np.array([r["repeats"] for r in rs])
        uni = np.array([r["unique"] for r in rs])
        print(f"| {agent} | {len(rs)} | " + " | ".join(cells)
              + f" | {np.median(rep):.0%} ({rep.min():.0%} .. {rep.max():.0%}) | {np.median(uni):.0f} |")


if __name__ == "__main__":
    main()
