"""Why RL agents do not beat random search here: budget, repeats and no-op edits, measured.

Runs a few agents for a longer budget than ``regret.py`` on one problem (a
benchmark-suite task or an env id, as in ``regret.py``, whose runs and
normalisation it shares) and reports, per (agent@formulation), over the seeds
(median, min .. max):

- the normalised regret of the best design at several budgets (the suite's
  optimum and median random design on a suite task);
- **repeats**: the share of evaluations spent on a design the run had already
  evaluated (a converging policy re-proposes its favourites; an ``"edit"``
  episode re-evaluates its design after an edit that set a knob to the value
  it had);
- **distinct**: distinct designs evaluated.

Usage::

    python benchmarks/rl/diagnose.py                       # acc-resnet18-edp, 1000 evaluations, 5 seeds
    python benchmarks/rl/diagnose.py --budget 300 --seeds 2 --agents random,ppo@edit
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from regret import reference, run_one

from archgym.bench.enumerate import normalised_regret
from archgym.bench.scoring import best_at

HERE = Path(__file__).resolve().parent
AGENTS = ("random", "ppo@bandit", "ppo@edit", "a2c@edit", "dqn@archgym")
CHECKPOINTS = (50, 100, 200, 500, 1000, 2000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", default="acc-resnet18-edp", help="a benchmark-suite task id or an env id")
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
    optimum, median, suite = reference(args.env, runs)
    marks = [c for c in CHECKPOINTS if c <= args.budget]
    print(f"{args.env}: {'optimum' if suite else 'best known'} {optimum:.6g}, median random design {median:.6g}\n")
    print("| agent@formulation | seeds | " + " | ".join(f"regret at {c}" for c in marks)
          + " | repeats | distinct designs |")
    print("| --- | --- | " + " | ".join("---" for _ in marks) + " | --- | --- |")
    for agent in agents:
        rs = [r for r in runs if r["agent"] == agent]
        if not rs:
            continue
        best = np.array([best_at(r["improvements"], marks) for r in rs])
        reg = np.vectorize(lambda b: normalised_regret(b, optimum, median))(best)
        cells = [f"{np.median(reg[:, i]):.3f} ({reg[:, i].min():.3f} .. {reg[:, i].max():.3f})"
                 for i in range(len(marks))]
        distinct = np.array([r["distinct"] for r in rs])
        rep = 1.0 - distinct / args.budget
        print(f"| {agent} | {len(rs)} | " + " | ".join(cells)
              + f" | {np.median(rep):.0%} ({rep.min():.0%} .. {rep.max():.0%}) | {np.median(distinct):.0f} |")


if __name__ == "__main__":
    main()
