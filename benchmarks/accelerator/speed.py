"""Speed of archgym's accelerator model against ZigZag, side by side in one run, interleaved.

Two measurements, each printed as medians with their spread (min-max) over
``--repeats`` rounds; in every round each side runs once, one after the
other, so both see the same machine load. Ratios are of the medians; the
bracket after a ratio is the range of the per-round ratios.

1. **Network with mapping search**: ResNet-18 on one design. archgym runs its
   vectorised per-layer tiling / loop-order search with its caches cleared
   first (a design it has never seen: the search really runs), and once more
   warm (its caches hold this design). ZigZag runs LOMA on every layer (fixed
   dataflow spatial mapping, as in ``fidelity.py``), all layers in one call.
   archgym evaluates each distinct layer shape once and counts it (ResNet-18:
   21 layers, 12 shapes); ZigZag evaluates every layer. Both are printed:
   the whole network as each tool runs it, and the distinct shapes only
   (ZigZag's call minus the per-layer time of its repeated shapes, which it
   measures itself), the like-for-like figure. Goal (issue 21): >= 10,000x.
2. **Single-layer evaluations per second** (``resnet18.conv3_1``): archgym's
   ``evaluate_batch`` on ``--batch`` random designs (caches cleared first, so
   it searches the tiling of every design), and ZigZag with a *fixed* mapping
   (spatial and temporal given, no search) on ``--zigzag-designs`` designs,
   one ZigZag call each. archgym also evaluates those same designs one at a
   time with cold caches (a like-for-like single-design figure).
   Goal (issue 21): batch >= 2,000x.

ZigZag's inputs (the accelerator and mapping YAML files the harness
generates) are written before its timed region; the timed region is
ZigZag's own work: parsing its inputs, building its hardware model, the
spatial and temporal mapping stages and the cost model.

Run with the benchmark venv (see README.md)::

    benchmarks/accelerator/.venv/bin/python benchmarks/accelerator/speed.py [--repeats 3] [--layer-repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

#: the fixed-mapping ZigZag designs (array rows, columns, dataflow), other knobs default
ZIGZAG_DESIGNS = [(32, 32, "ws"), (16, 16, "os"), (64, 64, "is"), (8, 8, "ws"), (128, 128, "os")]


def _clear_model_caches(acc) -> None:
    """Forget archgym's memoised tiling candidates, selections and per-workload tables: a cold search."""
    acc.tiling.clear_caches()
    acc.model.layer_table.cache_clear()


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def interleave(fns: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Run every measurement once per round, ``repeats`` rounds; each returns the seconds it measured."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(repeats):
        for name, fn in fns.items():
            out[name].append(fn())
        print(f"  round {r + 1}/{repeats}: " + ", ".join(f"{n} {v[-1]:.4g} s" for n, v in out.items()),
              file=sys.stderr, flush=True)
    return out


def spread(values: list[float], scale: float = 1.0, fmt: str = "{:,.3g}") -> str:
    """``median [min-max]`` of ``values`` times ``scale``."""
    v = [x * scale for x in values]
    return f"{fmt.format(statistics.median(v))} [{fmt.format(min(v))}-{fmt.format(max(v))}]"


def ratio(peer: list[float], ours: list[float]) -> tuple[float, str]:
    """Ratio of the medians, and ``[min-max]`` of the per-round ratios."""
    r = [p / o for p, o in zip(peer, ours)]
    return statistics.median(peer) / statistics.median(ours), f"[{min(r):,.0f}-{max(r):,.0f}]"


def network_search(design: dict, energy: dict, repeats: int) -> dict:
    """ResNet-18 on ``design``: archgym cold and warm, ZigZag LOMA on every layer, interleaved."""
    acc = peers.archgym_accelerator()
    sim = acc.AcceleratorSimulator(energy_table=energy)
    workload = acc.load_workload("resnet18")
    layers = [peers.layer_only(layer.to_dict()) | {"name": layer.name} for layer in workload.layers]
    shapes = [layer.shape for layer in workload.layers]
    repeated = [i for i, sh in enumerate(shapes) if sh in shapes[:i]]
    # ZigZag has no grouped-convolution notion in this adapter; ResNet-18 has none.
    job = peers.ZigZagJob(layers, design, energy)
    zz_runs: list[list[dict]] = []
    distinct: list[float] = []

    def cold() -> float:
        _clear_model_caches(acc)
        return _timed(lambda: sim.evaluate(design, workload))[0]

    def warm() -> float:
        return _timed(lambda: sim.evaluate(design, workload))[0]

    def zigzag() -> float:
        seconds, res = _timed(job.run)
        zz_runs.append(res)
        distinct.append(seconds - sum(res[i]["seconds"] for i in repeated))
        return seconds

    # warm-up outside the rounds: imports and first-call costs of both tools
    sim.evaluate(design, acc.load_workload("alexnet"))
    with peers.ZigZagJob(layers[:1], design, energy, lpf_limit=2) as small:
        small.run()
    try:
        times = interleave({"archgym cold": cold, "archgym warm": warm, "ZigZag": zigzag}, repeats)
    finally:
        job.close()
    ours = sim.evaluate(design, workload)
    zz = zz_runs[-1]
    return {
        "layers": len(layers),
        "shapes": len(set(shapes)),
        "cold": times["archgym cold"],
        "warm": times["archgym warm"],
        "zigzag": times["ZigZag"],
        "zigzag_distinct": distinct,
        "ours_latency": float(ours["latency_cycles"]),
        "zigzag_latency": float(sum(r["latency_cycles"] for r in zz)),
        "zigzag_mappings": int(sum(r["mappings_evaluated"] for r in zz)),
    }


def random_designs(n: int, seed: int) -> list[dict]:
    """``n`` random designs drawn from archgym's declared design space."""
    acc = peers.archgym_accelerator()
    rng = np.random.default_rng(seed)
    return [acc.SPACE.sample(rng) for _ in range(n)]


def single_layer(layer: dict, batch: int, n_zigzag: int, energy: dict, seed: int, repeats: int) -> dict:
    """Seconds per single-layer evaluation: archgym batch and one at a time, ZigZag with a fixed mapping."""
    acc = peers.archgym_accelerator()
    sim = acc.AcceleratorSimulator(energy_table=energy)
    lay = acc.layer_from_mapping(peers.layer_only(layer) | {"name": layer["name"]})
    workload = acc.Workload(lay.name, (lay,))
    designs = random_designs(batch, seed)
    zz_designs = [peers.make_design(r, c, df) for r, c, df in ZIGZAG_DESIGNS[:n_zigzag]]
    # ZigZag: one LOMA run (untimed) picks a temporal mapping per design; the timed runs then evaluate
    # exactly that mapping, without any search, from input files written beforehand
    fixed = [peers.run_zigzag([layer], d, energy)[0]["temporal_ordering"] for d in zz_designs]
    jobs = [peers.ZigZagJob([layer], d, energy, temporal_orderings=[order]) for d, order in zip(zz_designs, fixed)]

    def batched() -> float:
        _clear_model_caches(acc)
        return _timed(lambda: sim.evaluate_batch(designs, workload))[0] / len(designs)

    def one_at_a_time() -> float:
        total = 0.0
        for d in zz_designs:
            _clear_model_caches(acc)
            total += _timed(lambda d=d: sim.evaluate(d, workload))[0]
        return total / len(zz_designs)

    def zigzag() -> float:
        return sum(_timed(job.run)[0] for job in jobs) / len(jobs)

    batched(), one_at_a_time()  # warm-up: first-call costs
    try:
        times = interleave({"archgym batch": batched, "archgym single": one_at_a_time, "ZigZag": zigzag}, repeats)
    finally:
        for job in jobs:
            job.close()
    _clear_model_caches(acc)
    feasible = sum(m.feasible for m in sim.evaluate_batch(designs, workload))
    return {
        "batch": batch,
        "feasible": int(feasible),
        "zigzag_designs": len(zz_designs),
        "batched": times["archgym batch"],
        "single": times["archgym single"],
        "zigzag": times["ZigZag"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=32, help="array rows of the ResNet-18 design")
    parser.add_argument("--cols", type=int, default=32, help="array columns of the ResNet-18 design")
    parser.add_argument("--dataflow", default="ws", choices=("ws", "os", "is"))
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds of the ResNet-18 measurement")
    parser.add_argument("--layer-repeats", type=int, default=7,
                        help="interleaved rounds of the single-layer measurement")
    parser.add_argument("--batch", type=int, default=4096, help="designs in archgym's batched call")
    parser.add_argument("--zigzag-designs", type=int, default=len(ZIGZAG_DESIGNS),
                        choices=range(1, len(ZIGZAG_DESIGNS) + 1), help="fixed-mapping ZigZag designs per round")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-network", action="store_true", help="only the single-layer measurement")
    parser.add_argument("--markdown", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.layer_repeats < 1 or args.batch < 1:
        parser.error("--repeats, --layer-repeats and --batch must be >= 1")

    peers.require_peers("archgym", "zigzag")
    energy = peers.default_energy_table()
    design = peers.make_design(args.rows, args.cols, args.dataflow)
    layer = next(x for x in peers.BENCH_LAYERS if x["name"] == "resnet18.conv3_1")
    print(f"single-layer evaluations on {layer['name']}, {args.layer_repeats} rounds ...", file=sys.stderr, flush=True)
    one = single_layer(layer, args.batch, args.zigzag_designs, energy, args.seed, args.layer_repeats)
    net = None
    if not args.skip_network:
        print(f"ResNet-18 on {args.rows}x{args.cols} {args.dataflow} with mapping search, {args.repeats} rounds ...",
              file=sys.stderr, flush=True)
        net = network_search(design, energy, args.repeats)

    def row(what: str, ours: list[float], peer: list[float], goal: float | None, unit: str = "ms") -> list[str]:
        r, rng = ratio(peer, ours)
        scale = 1e3 if unit == "ms" else 1e6
        verdict = "" if goal is None else ("met" if min(p / o for p, o in zip(peer, ours)) >= goal
                                           else "met by the medians" if r >= goal else "MISSED")
        return [what, f"{spread(ours, scale)} {unit}", f"{spread(peer, 1.0)} s", f"{r:,.0f}x {rng}",
                "" if goal is None else f">= {goal:,.0f}x", verdict]

    rows = []
    if net is not None:
        rows += [
            row(f"ResNet-18, mapping search, whole network (ZigZag {net['layers']} layers, archgym "
                f"{net['shapes']} shapes), cold caches", net["cold"], net["zigzag"], 1e4),
            row(f"ResNet-18, mapping search, the {net['shapes']} distinct shapes on both sides, cold caches",
                net["cold"], net["zigzag_distinct"], 1e4),
            row("ResNet-18, whole network, archgym warm caches (this design seen before)",
                net["warm"], net["zigzag"], None),
        ]
    rows += [
        row(f"one layer, archgym batch of {one['batch']} random designs vs ZigZag fixed mapping (per evaluation)",
            one["batched"], one["zigzag"], 2e3, "µs"),
        row(f"one layer, the same {one['zigzag_designs']} designs one at a time, archgym cold caches vs "
            "ZigZag fixed mapping", one["single"], one["zigzag"], None, "µs"),
    ]
    zz_per_s = 1 / statistics.median(one["zigzag"])
    lines = [
        f"archgym accelerator speed vs ZigZag, interleaved: median [min-max] of {args.repeats} rounds "
        f"(ResNet-18) and {args.layer_repeats} rounds (one layer); energy table shared",
        "",
        peers.markdown_table(["measurement", "archgym", "ZigZag", "ratio of medians [per-round range]", "goal",
                              "every round"], rows),
        "",
        f"One layer: archgym {1 / statistics.median(one['batched']):,.0f} evaluations/s in batch, "
        f"{1 / statistics.median(one['single']):,.0f}/s one at a time; ZigZag {zz_per_s:.1f}/s. "
        f"{one['feasible']}/{one['batch']} random designs feasible in archgym (an infeasible one gets its "
        f"reason: the SRAM sizes its smallest tile needs). archgym searches the tiling of every design; "
        f"ZigZag evaluates one given mapping per call, from parsing its input files to its cost model.",
    ]
    if net is not None:
        lines.append(
            f"ResNet-18 ({args.rows}x{args.cols} {args.dataflow}): ZigZag LOMA evaluated {net['zigzag_mappings']:,} "
            f"temporal mappings per run; latency archgym {net['ours_latency']:,.0f} vs ZigZag "
            f"{net['zigzag_latency']:,.0f} cycles. ZigZag searches each operand's blocking per memory level and "
            f"models every memory port; archgym searches one tile per layer among its candidate table and every "
            f"design in one array pass, and evaluates a repeated shape once.")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
