"""Fidelity of archgym's accelerator model against SCALE-Sim and ZigZag.

For every (layer, array, dataflow) configuration below, run archgym's
``simulate_layer`` and the two peers on the same layer and hardware, then print
one table per peer and a summary (Spearman rank correlation, MAPE) against the
goals of issue 3:

* compute cycles vs SCALE-Sim ............ Spearman >= 0.98, MAPE <= 5 %
* latency vs ZigZag (LOMA, min latency) .. Spearman >= 0.8
* energy vs ZigZag (same energy table) ... Spearman >= 0.9,  MAPE <= 20 %
* DRAM bytes vs ZigZag ................... reported

Peer results are cached in ``peer_results.json`` next to this file (committed),
so a rerun only runs archgym; ``--recompute`` runs the peers again.

Run with the benchmark venv (see README.md)::

    benchmarks/accelerator/.venv/bin/python benchmarks/accelerator/fidelity.py [--recompute] [--markdown OUT.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402

CACHE = peers.HERE / "peer_results.json"
DATAFLOWS = ("ws", "os", "is")

#: (layer name, array rows, array columns); each is run with all three dataflows.
#: Sizes are chosen so SCALE-Sim (which simulates every cycle) needs at most
#: ~150k cycles per run, keeping a full recompute under 15 minutes on 2 cores.
PAIRS: list[tuple[str, int, int]] = [
    ("resnet18.conv1", 128, 128),
    ("resnet18.conv2_x", 64, 64),
    ("resnet18.conv3_1", 32, 32),
    ("resnet18.conv4_x", 128, 128),
    ("resnet18.conv5_x", 64, 64),
    ("resnet18.down3", 16, 16),
    ("resnet18.down3", 32, 8),
    ("mobilenetv2.pw_project", 8, 8),
    ("mobilenetv2.pw_expand", 64, 64),
    ("mobilenetv2.pw_exp_late", 16, 64),
    ("bert.attn_qk", 16, 16),
    ("bert.out", 64, 64),
    ("bert.qkv", 128, 128),
    ("gpt2.decode_qkv", 128, 128),
    ("alexnet.conv2", 128, 128),
]

LAYERS = {layer["name"]: layer for layer in peers.BENCH_LAYERS + [
    peers.gemm("bert.attn_qk", 128, 64, 128),
    peers.gemm("bert.out", 128, 768, 768),
    peers.gemm("gpt2.decode_qkv", 1, 768, 2304),
    peers.conv("alexnet.conv2", 192, 64, 27, 27, 5, 5),
    peers.conv("mobilenetv2.pw_exp_late", 576, 96, 14, 14, 1, 1),
]}


def configurations() -> list[tuple[dict, dict]]:
    """All (layer, design) pairs: every pair of :data:`PAIRS` with every dataflow."""
    out = []
    for name, rows, cols in PAIRS:
        for df in DATAFLOWS:
            out.append((LAYERS[name], peers.make_design(rows, cols, df)))
    return out


def _progress(i: int, n: int, tool: str, layer: dict, design: dict, seconds: float) -> None:
    print(f"  [{i}/{n}] {tool:8s} {layer['name']:24s} {design['pe_rows']}x{design['pe_cols']} "
          f"{design['dataflow']}  {seconds:.1f}s", file=sys.stderr, flush=True)


def collect(cache: peers.ResultCache, tools: set[str], energy: dict) -> list[dict]:
    """Run archgym on every configuration and the peers (through the cache); one record each."""
    records = []
    configs = configurations()
    for i, (layer, design) in enumerate(configs, 1):
        rec = {"layer": layer["name"], "array": f"{design['pe_rows']}x{design['pe_cols']}",
               "dataflow": design["dataflow"], "macs": peers.macs(layer),
               "ours": peers.ours_layer(peers.layer_only(layer), design, energy)}
        if "scalesim" in tools:
            t0 = time.perf_counter()
            rec["scalesim"] = cache.get(peers.config_key("scalesim", layer, design),
                                        lambda layer=layer, design=design: peers.scalesim_layer(layer, design))
            if time.perf_counter() - t0 > 0.5:
                _progress(i, len(configs), "scalesim", layer, design, time.perf_counter() - t0)
        if "zigzag" in tools:
            t0 = time.perf_counter()
            rec["zigzag"] = cache.get(
                peers.config_key("zigzag", layer, design, extra=_energy_tag(energy)),
                lambda layer=layer, design=design: _strip(peers.run_zigzag([layer], design, energy)[0]),
            )
            if time.perf_counter() - t0 > 0.5:
                _progress(i, len(configs), "zigzag", layer, design, time.perf_counter() - t0)
        records.append(rec)
    return records


def _energy_tag(energy: dict) -> str:
    """Cache-key suffix so a changed energy table invalidates ZigZag results."""
    return ",".join(f"{k}={energy[k]:.6g}" for k in sorted(energy))


def _strip(result: dict) -> dict:
    """Drop bulky fields from a ZigZag result before caching."""
    return {k: v for k, v in result.items() if k != "mem_energy_by_operand_pj"}


def scalesim_table(records: list[dict]) -> tuple[str, list[str]]:
    """Markdown table and summary lines: archgym compute cycles vs SCALE-Sim."""
    rows, ours, ref = [], [], []
    for r in records:
        o, s = r["ours"]["compute_cycles"], r["scalesim"]["compute_cycles"]
        ours.append(o)
        ref.append(s)
        rows.append([r["layer"], r["array"], r["dataflow"], o, s, f"{(o - s) / s * 100:+.2f}%"])
    table = peers.markdown_table(
        ["layer", "array", "df", "archgym compute cyc", "SCALE-Sim compute cyc", "error"], rows)
    summary = [_summary("compute cycles vs SCALE-Sim", ours, ref, spearman_goal=0.98, mape_goal=5.0)]
    for df in DATAFLOWS:
        sel = [i for i, r in enumerate(records) if r["dataflow"] == df]
        summary.append(_summary(f"  ... {df} only", [ours[i] for i in sel], [ref[i] for i in sel]))
    return table, summary


def zigzag_table(records: list[dict]) -> tuple[str, list[str]]:
    """Markdown table and summary lines: archgym latency, energy, DRAM bytes vs ZigZag."""
    rows = []
    cols = {k: ([], []) for k in ("lat", "energy", "energy_latopt", "dram", "compute")}
    for r in records:
        o, z = r["ours"], r["zigzag"]
        ze = z["min_energy"]
        pairs = {
            "lat": (o["latency_cycles"], z["latency_cycles"]),
            "energy": (o["energy_pj"], ze["energy_pj"]),
            "energy_latopt": (o["energy_pj"], z["energy_pj"]),
            "dram": (o["dram_bytes"], ze["dram_bytes"]),
            "compute": (o["compute_cycles"], z["compute_cycles"]),
        }
        for k, (a, b) in pairs.items():
            cols[k][0].append(a)
            cols[k][1].append(b)
        rows.append([
            r["layer"], r["array"], r["dataflow"],
            o["latency_cycles"], z["latency_cycles"], _ratio(*pairs["lat"]),
            o["energy_pj"] / 1e6, ze["energy_pj"] / 1e6, _ratio(*pairs["energy"]),
            o["dram_bytes"] / 1e3, ze["dram_bytes"] / 1e3, _ratio(*pairs["dram"]),
        ])
    table = peers.markdown_table(
        ["layer", "array", "df", "ours lat", "ZZ lat", "ratio", "ours uJ", "ZZ uJ", "ratio",
         "ours DRAM KB", "ZZ DRAM KB", "ratio"], rows)
    summary = [
        _summary("latency vs ZigZag (min-latency mapping)", *cols["lat"], spearman_goal=0.8),
        _summary("energy vs ZigZag (min-energy mapping)", *cols["energy"], spearman_goal=0.9, mape_goal=20.0),
        _summary("energy vs ZigZag (its min-latency mapping)", *cols["energy_latopt"]),
        _summary("DRAM bytes vs ZigZag (min-energy mapping)", *cols["dram"]),
        _summary("compute cycles vs ZigZag ideal temporal cycles", *cols["compute"]),
    ]
    for df in DATAFLOWS:
        sel = [i for i, r in enumerate(records) if r["dataflow"] == df]
        summary.append(_summary(f"  ... latency, {df} only", [cols["lat"][0][i] for i in sel],
                                [cols["lat"][1][i] for i in sel]))
    return table, summary


def _ratio(ours: float, ref: float) -> str:
    return f"{ours / ref:.2f}" if ref else "-"


def _summary(label: str, ours, ref, spearman_goal: float | None = None, mape_goal: float | None = None) -> str:
    """One summary line with pass/miss marks against the goals."""
    rho, err = peers.spearman(ours, ref), peers.mape(ours, ref)
    marks = []
    if spearman_goal is not None:
        marks.append(f"Spearman goal >= {spearman_goal}: {'met' if rho >= spearman_goal else 'MISSED'}")
    if mape_goal is not None:
        marks.append(f"MAPE goal <= {mape_goal:g}%: {'met' if err <= mape_goal else 'MISSED'}")
    tail = f"  [{'; '.join(marks)}]" if marks else ""
    return f"{label:50s} n={len(ours):3d}  Spearman={rho:.3f}  MAPE={err:6.1f}%{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recompute", action="store_true", help="ignore the cache and rerun the peers")
    parser.add_argument("--only", choices=("scalesim", "zigzag"), help="compare against one peer only")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"peer result cache (default {CACHE.name})")
    parser.add_argument("--markdown", type=Path, help="also write the tables and summary to this file")
    args = parser.parse_args(argv)

    tools = {args.only} if args.only else {"scalesim", "zigzag"}
    peers.require_peers("archgym", *sorted(tools))
    energy = peers.default_energy_table()
    cache = peers.ResultCache(args.cache, recompute=args.recompute)
    t0 = time.perf_counter()
    records = collect(cache, tools, energy)

    out = [f"archgym accelerator fidelity: {len(records)} (layer, array, dataflow) configurations; "
           f"design knobs otherwise default (64 KB SRAMs, 16 B/cycle DRAM); energy table {energy}",
           f"peer results: {cache.hits} cached, {cache.misses} computed ({time.perf_counter() - t0:.0f} s)", ""]
    summaries = []
    infeasible = [r for r in records if not r["ours"]["feasible"]]
    records = [r for r in records if r["ours"]["feasible"]]
    for r in infeasible:
        out.append(f"excluded (archgym reports the design infeasible): {r['layer']} {r['array']} {r['dataflow']}: "
                   f"{r['ours'].get('reason', '')}")
    if infeasible:
        out.append("")
    if "scalesim" in tools:
        table, summary = scalesim_table(records)
        out += ["## Compute cycles vs SCALE-Sim", "", table, ""]
        summaries += summary
    if "zigzag" in tools:
        table, summary = zigzag_table(records)
        out += ["## Latency, energy, DRAM traffic vs ZigZag", "",
                "ZZ lat: ZigZag's min-latency mapping (LOMA); ZZ uJ and ZZ DRAM: its min-energy mapping.", "",
                table, ""]
        summaries += summary
    out += ["## Summary", "", "```", *summaries, "```"]
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
