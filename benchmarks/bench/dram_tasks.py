"""Which DRAM objectives separate search methods? Hardness of candidate tasks over the whole space.

Usage::

    python benchmarks/bench/dram_tasks.py [--workloads cloud-1@50,stream@50] [--cache .bench-cache]

For each workload, every design of DRAM-v1's 442,368-design space is
evaluated once (``archgym bench optimum``'s enumeration, cached in
``--cache``; about 20 CPU-minutes a workload when not cached), and each
candidate objective is read off that table: its optimum, the median design's
reward, the number of designs within the success tolerance (normalised regret
<= 0.01, as the suite scores), and the chance that uniform random search
reaches that tolerance within 50, 200 and 500 evaluations. A candidate on
which random search succeeds at 50 evaluations in most seeds cannot rank
methods (issue 16); the suite's DRAM tasks are the candidates that pass.
"""

from __future__ import annotations

import argparse

from archgym.bench.enumerate import random_success, rewards, summarise
from archgym.bench.optimum import space_table
from archgym.bench.tasks import TOLERANCE, Task

#: candidate objectives: the env's default (latency x power), latency alone, latency within a power
#: budget (penalty form, as the suite's other tasks; and hard), and ArchGym's target formulation
CANDIDATES = (
    "minimize:latency_ns,power_mw",
    "minimize:latency_ns",
    "minimize:latency_ns;penalty:power_mw<=1700",
    "minimize:latency_ns;power_mw<=1700",
    "minimize:energy_pj;penalty:latency_ns<=100",
    "target:power_mw=1700,latency_ns=60",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="cloud-1@50,stream@50")
    ap.add_argument("--cache", default=".bench-cache")
    args = ap.parse_args()
    print("| workload | objective | optimum | median | designs at the optimum | within tolerance | "
          "random success @50 / @200 / @500 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for workload in args.workloads.split(","):
        table = space_table(Task("candidate", "archgym/DRAM-v1", {"workload": workload}), args.cache)
        for spec in CANDIDATES:
            env = Task("candidate", "archgym/DRAM-v1", {"workload": workload, "objective": spec}).make().unwrapped
            s = summarise(*rewards(table, env.objective), TOLERANCE)
            p = s["fraction_within_tolerance"]
            odds = " / ".join(f"{random_success(p, b):.0%}" for b in (50, 200, 500))
            print(f"| {workload} | `{spec}` | {s['value']:.6g} | {s['median']:.6g} | {s['optimal_designs']:,} | "
                  f"{p:.2e} ({s['designs_within_tolerance']:,}) | {odds} |")


if __name__ == "__main__":
    main()
