"""How hard is DRAM-v1 as a search problem? The top of its reward landscape, per workload.

Usage::

    python benchmarks/dram/landscape.py [--designs 3000] [--seed 0]

Samples designs uniformly from the env's design space (the designs the
device cannot run, PerBank/SameBank refresh on DDR4, are left out), scores
each with DRAM-v1's default objective and with ArchGym's ``both``
formulation, and prints for each workload: the share of sampled designs
whose score is within 0.1% and 1% of the best sampled one (for the
default, ``minimize:latency_ns,power_mw``, the product latency x power) (a random search
of N evaluations finds one with probability 1 - (1 - share)^N), and the
knobs that still take several values among the designs within 0.1% (knobs
that do not matter at the top). A benchmark on which random search reaches
the top within a few hundred evaluations cannot separate search methods.
"""

from __future__ import annotations

import argparse

import numpy as np

from archgym.envs.dram import DRAMEnv, dramgym_objective
from archgym.objectives import parse_objective
from archgym.simulators.dram import SPACE, WORKLOADS, prepare
from archgym.simulators.dram.model import run_prepared


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--designs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    designs = [SPACE.sample(rng) for _ in range(args.designs)]
    objectives = {
        "default": parse_objective(DRAMEnv.default_objective),
        "ArchGym both": parse_objective(dramgym_objective("both", 1000.0, 50.0)),
    }
    print("| workload | objective | feasible designs | within 0.1% of best | within 1% | "
          "random search evals for a 90% chance of the top 0.1% | knobs free at the top |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for w in WORKLOADS:
        p = prepare(w)
        results = [(d, run_prepared(p, d).metrics) for d in designs]
        results = [(d, m) for d, m in results if m.feasible]
        for name, obj in objectives.items():
            reward = np.array([obj.reward(m) for _, m in results])
            best = reward.max()
            # relative gap in the objective's own quantity: the metric product for minimize (reward
            # -log10 product), the reward itself for ArchGym's targets (target / |value - target|)
            gap = 10.0 ** (best - reward) - 1 if not obj.has_goal else best / reward - 1
            top = gap <= 0.001
            share, share1 = top.mean(), (gap <= 0.01).mean()
            evals = int(np.ceil(np.log(0.1) / np.log1p(-share))) if share < 1 else 1
            free = [k for k in SPACE.names if len({results[i][0][k] for i in np.flatnonzero(top)}) > 1]
            print(f"| {w} | {name} | {len(results)} | {share:.2%} | {share1:.2%} | {evals} | {', '.join(free)} |")


if __name__ == "__main__":
    main()
