"""Sensitivity table: each knob's effect on latency, bandwidth and power, per workload.

Usage::

    python benchmarks/dram/sensitivity.py

Starting from the default design, each knob is set to each of its values in
turn (one-at-a-time); the table prints the relative change of mean read
latency, bandwidth and power against the default, and the largest change
of each knob over its values. A knob whose row is all zero on every
workload would be a defect (for ``MaxActiveTransactions`` the sweep uses
``Arbiter=Fifo``, since the knob applies only there, and for the refresh
limits ``RefreshMaxPostponed``/``RefreshMaxPulledin`` the default
``RefreshPolicy=AllBank``).
"""

from __future__ import annotations

from archgym.simulators.dram import SPACE, WORKLOADS, prepare
from archgym.simulators.dram.model import run_prepared

METRICS = ("latency_ns", "bandwidth_gbps", "power_mw")


def main() -> None:
    print("| workload | knob | value | latency | bandwidth | power |")
    print("| --- | --- | --- | --- | --- | --- |")
    summary: dict[str, float] = {}
    for w in WORKLOADS:
        p = prepare(w)
        for knob in SPACE:
            base_design = SPACE.defaults()
            if knob.name == "MaxActiveTransactions":
                base_design["Arbiter"] = "Fifo"
            base = run_prepared(p, base_design).metrics
            for v in knob.choices:
                m = run_prepared(p, {**base_design, knob.name: v}).metrics
                if not m.feasible:
                    print(f"| {w} | {knob.name} | {v} | infeasible: {m.reason} | | |")
                    continue
                rel = [m[k] / base[k] - 1 for k in METRICS]
                summary[knob.name] = max(summary.get(knob.name, 0.0), *(abs(r) for r in rel))
                if v != base_design[knob.name]:
                    print(f"| {w} | {knob.name} | {v} | " + " | ".join(f"{r:+.1%}" for r in rel) + " |")
    print()
    print("| knob | largest relative change of latency, bandwidth or power over all workloads |")
    print("| --- | --- |")
    for k, v in summary.items():
        print(f"| {k} | {v:.1%} |")


if __name__ == "__main__":
    main()
