"""Speed of archgym's SoC model, and how close random search gets to FARSI's budgets.

1. **Evaluations per second** on ``audio_decoder`` (the issue's goal: >= 1,000/s
   with HEFT on one core), in both mapping modes, over the same random designs
   (seeded), best of ``--repeats`` runs; wall time and process CPU time are
   both printed because a shared machine inflates wall time. For reference,
   FARSI itself takes 25-80 ms per audio_decoder evaluation on this machine
   (issue 5).
2. **Random search, 1,000 evaluations** per workload and mapping mode: the
   best design is the one whose worst ratio ``value / budget`` over latency,
   power and area is smallest (<= 1 meets every budget); its three ratios are
   printed. Budgets are FARSI's ``misc_database - Budget.csv`` values.

Run::

    python benchmarks/soc/speed.py [--evals 1000] [--repeats 3]

from the repository root, with archgym installed (``pip install -e .``); no peer is needed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from archgym.simulators.soc import SoCSimulator

BUDGETED = ("latency_s", "power_w", "area_mm2")


def evaluations_per_second(
    mode: str, n: int, repeats: int, seed: int = 0, feasible_only: bool = False
) -> tuple[float, float, int]:
    """(wall evals/s, CPU evals/s, feasible count) over ``n`` seeded random designs.

    With ``feasible_only``, the designs are drawn until ``n`` feasible ones are
    found (agent-mode designs are mostly infeasible, and rejecting them is cheap).
    """
    sim = SoCSimulator("audio_decoder", mode)
    rng = np.random.default_rng(seed)
    designs = []
    while len(designs) < n:
        d = sim.space.sample(rng)
        if not feasible_only or sim.evaluate(d).feasible:
            designs.append(d)
    best_wall = best_cpu = float("inf")
    feasible = 0
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        results = [sim.evaluate(d) for d in designs]
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
        feasible = sum(m.feasible for m in results)
    return n / best_wall, n / best_cpu, feasible


def random_search(workload: str, mode: str, n: int, seed: int = 0) -> dict:
    """Best of ``n`` random designs by the worst budget ratio."""
    sim = SoCSimulator(workload, mode)
    budgets = sim.graph.budgets
    rng = np.random.default_rng(seed)
    best: dict = {"score": float("inf")}
    feasible = 0
    for _ in range(n):
        d = sim.space.sample(rng)
        m = sim.evaluate(d)
        if not m.feasible:
            continue
        feasible += 1
        ratios = {k: m[k] / budgets[k] for k in BUDGETED}
        score = max(ratios.values())
        if score < best["score"]:
            best = {"score": score, "ratios": ratios, "design": d, "metrics": {k: m[k] for k in BUDGETED}}
    best["feasible"] = feasible
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--evals", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    print("## Evaluations per second (audio_decoder, one core)\n")
    print("| mapping | wall evals/s | CPU evals/s | feasible of", args.evals, "|")
    print("| --- | --- | --- | --- |")
    for mode, feasible_only in (("heft", False), ("agent", False), ("agent", True)):
        wall, cpu, ok = evaluations_per_second(mode, args.evals, args.repeats, feasible_only=feasible_only)
        label = mode + (" (feasible designs only)" if feasible_only else "")
        print(f"| {label} | {wall:,.0f} | {cpu:,.0f} | {ok} |")

    print(f"\n## Random search, {args.evals} evaluations: best design vs FARSI's budgets\n")
    print("| workload | mapping | feasible | latency/budget | power/budget | area/budget "
          "| latency s | power W | area mm2 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for workload in ("audio_decoder", "edge_detection", "hpvm_cava"):
        for mode in ("heft", "agent"):
            r = random_search(workload, mode, args.evals)
            if "ratios" not in r:
                print(f"| {workload} | {mode} | 0 | - | - | - | - | - | - |")
                continue
            q, m = r["ratios"], r["metrics"]
            print(f"| {workload} | {mode} | {r['feasible']} | {q['latency_s']:.3g} | {q['power_w']:.3g} | "
                  f"{q['area_mm2']:.3g} | {m['latency_s']:.4g} | {m['power_w']:.4g} | {m['area_mm2']:.4g} |")


if __name__ == "__main__":
    main()
