"""Evaluations per second of archgym's LLM-serving model and of GenZ, side by side in one run.

One evaluation = one point's TTFT, TPOT, throughput and memory: for GenZ a
``prefill_moddeling`` plus a ``decode_moddeling`` call (``peers.run_genz``),
for archgym one ``simulate`` call; the batch form evaluates ``--batch``
platforms of one model and scenario in one call. The three are timed in
interleaved rounds (GenZ, archgym single, archgym batch, then again), the same
number of rounds each; the table gives the median rate over the rounds and its
spread (min - max). Preparing inputs (GenZ's model config and platform dicts,
the sampled points) and deleting the files GenZ writes happen outside the
timed regions. Points are the fidelity sample (seeded), a mix of points that
fit and that do not (GenZ stops early on those, which favours GenZ).

Run with the benchmark venv (see README.md)::

    benchmarks/llm/.venv/bin/python benchmarks/llm/speed.py [--rounds 5] [--genz-points 4] [--batch 4096]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

#: the scenario of the batch measurement: a chat-like use case (GenZ's "Chat Bots": 3000 in, 1000 out)
BATCH_MODEL = "meta-llama/Llama-3.1-70B"
BATCH_SCENARIO = {"batch": 16, "input_tokens": 3000, "output_tokens": 1000, "bits": "bf16"}


def timed(fn: Callable[[], Any]) -> float:
    """Wall seconds of one call of ``fn``."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def batch_platforms(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` platforms from the fidelity ranges, for the dense ``BATCH_MODEL`` (so ``expert_parallel`` = 1)."""
    return [p["platform"] | {"expert_parallel": 1} for p in peers.sample_points(n, seed)]


def spread(rates: list[float]) -> str:
    """Median rate and its min - max over the rounds."""
    return f"{np.median(rates):,.1f}/s ({min(rates):,.1f} - {max(rates):,.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (default 5)")
    parser.add_argument("--genz-points", type=int, default=4, help="GenZ evaluations per round (default 4)")
    parser.add_argument("--single-points", type=int, default=200, help="archgym single calls per round (default 200)")
    parser.add_argument("--batch", type=int, default=4096, help="platforms in archgym's batch call (default 4096)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", type=Path, help="also write what is printed to this file")
    args = parser.parse_args(argv)
    for name in ("rounds", "genz_points", "single_points", "batch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")

    peers.require("genz", "archgym")
    llm = peers.archgym_llm()
    points = peers.sample_points(max(args.genz_points * args.rounds, args.single_points), args.seed)
    models = {m: peers.genz_model(m) for m in peers.MODELS}
    genz_inputs = [(p, models[p["model"]], peers.genz_system(p["platform"])) for p in points]
    single_inputs = [(p["model"], p["platform"], p["scenario"]) for p in points[:args.single_points]]
    platforms = batch_platforms(args.batch, args.seed + 1)
    files = peers.GenZFiles()

    genz_rates, single_rates, batch_rates = [], [], []
    for r in range(args.rounds):
        chunk = genz_inputs[r * args.genz_points:(r + 1) * args.genz_points] or genz_inputs[:args.genz_points]
        seconds = 0.0
        for point, model, system in chunk:
            seconds += timed(lambda p=point, m=model, s=system: peers.run_genz(p, model=m, system=s))
            files.clean()
        genz_rates.append(len(chunk) / seconds)
        single_rates.append(len(single_inputs) / timed(lambda: [llm.simulate(*x) for x in single_inputs]))
        batch_rates.append(args.batch / timed(lambda: peers.archgym_batch(BATCH_MODEL, platforms, BATCH_SCENARIO)))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    genz, single, batch = (float(np.median(x)) for x in (genz_rates, single_rates, batch_rates))
    ratio = batch / genz
    rows = [
        ["GenZ (prefill + decode call)", spread(genz_rates), "1x", "", ""],
        ["archgym simulate, one point a call", spread(single_rates), f"{single / genz:,.0f}x", "", ""],
        [f"archgym batch form, {args.batch} platforms a call", spread(batch_rates), f"{ratio:,.0f}x",
         ">= 1,000x", "met" if ratio >= 1000 else "MISSED"],
    ]
    text = "\n".join([
        f"LLM-serving evaluations per second, one process, {args.rounds} interleaved rounds "
        f"(GenZ {args.genz_points} points a round, archgym single {args.single_points}); median (min - max)",
        "",
        peers.table(["evaluator", "evaluations per second", "vs GenZ", "goal", ""], rows),
        "",
        f"Batch: {BATCH_MODEL.split('/')[-1]}, batch {BATCH_SCENARIO['batch']}, "
        f"{BATCH_SCENARIO['input_tokens']} in / {BATCH_SCENARIO['output_tokens']} out, {BATCH_SCENARIO['bits']}, "
        f"platforms sampled with seed {args.seed + 1}.",
    ])
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit(130) from None
