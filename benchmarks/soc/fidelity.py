"""Fidelity of archgym's SoC model against FARSI itself, design by design.

``farsi_results.json`` (next to this script) holds FARSI's own latency,
power, energy and area for the shipped SOC_example designs and for 71 random
env designs (12 per workload and mapping mode; FARSI rejected one more
edge_detection design, "can only have one system ic"). This script rebuilds
each design, exports it to FARSI's CSV form (``SoCSimulator.export_farsi``),
evaluates that with ``evaluate_farsi`` and prints how far the two tools are
apart. Only FARSI's numbers are stored; FARSI's code is not part of archgym.

``--export DIR`` writes every design's ``hardware_graph.csv`` and
``task_to_hardware_mapping.csv`` under ``DIR`` for running them through FARSI.

Run from the repository root, with archgym installed (``pip install -e .``)::

    python benchmarks/soc/fidelity.py [--export DIR] [--farsi-workloads DIR]

FARSI's own numbers are stored, so FARSI need not be installed. The shipped
examples' CSVs come from FARSI's workload tables, kept in the repository
(``tests/data/farsi-workloads``); ``--farsi-workloads`` (or the
``FARSI_WORKLOADS`` environment variable) points at another copy, e.g. a FARSI
checkout's converted tables.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from archgym.simulators.soc import SoCSimulator, evaluate_farsi

HERE = Path(__file__).resolve().parent
#: FARSI's workload tables, as the SoC tests read them
REFERENCE = HERE.parents[1] / "tests" / "data" / "farsi-workloads"
KEYS = ("latency_s", "energy_j", "power_w", "area_mm2")


def rel(a: float, b: float) -> float:
    return abs(a / b - 1.0) if b else abs(a - b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", type=Path, help="write the designs as FARSI CSVs under this folder")
    ap.add_argument("--farsi-workloads", type=Path, default=Path(os.environ.get("FARSI_WORKLOADS", REFERENCE)),
                    help="folder of FARSI's workload tables (default: tests/data/farsi-workloads)")
    args = ap.parse_args()
    data = json.loads((HERE / "farsi_results.json").read_text())

    print("## Shipped SOC_example designs (FARSI's own CSVs)\n")
    print("| design | latency s | power W | energy J | area mm2 | max rel. diff vs FARSI |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, farsi in data["shipped"].items():
        folder = args.farsi_workloads / name
        if not folder.is_dir():
            print(f"| {name} | reference tables not found at {folder} | | | | |")
            continue
        m = evaluate_farsi(name, folder / "hardware_graph.csv", folder / "task_to_hardware_mapping.csv")
        worst = max(rel(m[k], farsi[k]) for k in KEYS)
        print(f"| {name} | {m['latency_s']:.6g} | {m['power_w']:.6g} | {m['energy_j']:.6g} | "
              f"{m['area_mm2']:.6g} | {worst:.1e} |")

    print("\n## Random env designs exported to FARSI's form\n")
    print("| workload | mapping | designs | equal (all four within 1e-12) | max rel. diff latency | energy | power "
          "| area | FARSI s/eval |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in data["random"]:
        groups.setdefault((row["workload"], row["mapping"]), []).append(row)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.export or Path(tmp)
        for (workload, mapping), rows in groups.items():
            sim = SoCSimulator(workload, mapping)
            worst = dict.fromkeys(KEYS, 0.0)
            equal = 0
            for k, row in enumerate(rows):
                hw, mp = sim.export_farsi(row["design"], out / f"{workload}_{mapping}_{k}")
                ours = evaluate_farsi(workload, hw, mp)
                diffs = {key: rel(ours[key], row["farsi"][key]) for key in KEYS}
                equal += all(d < 1e-12 for d in diffs.values())
                worst = {key: max(worst[key], diffs[key]) for key in KEYS}
            secs = sum(r["farsi_seconds"] for r in rows) / len(rows)
            print(f"| {workload} | {mapping} | {len(rows)} | {equal} | "
                  + " | ".join(f"{worst[key]:.1e}" for key in KEYS) + f" | {secs:.2f} |")


if __name__ == "__main__":
    main()
