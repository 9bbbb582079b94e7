"""The cost pipeline: designs x layers -> cycles, traffic, energy, area, as arrays.

For every layer (identical shapes are evaluated once and counted) and every
design at once:

1. spatial mapping and SCALE-Sim compute cycles (:mod:`.spatial`);
2. tiling search and DRAM traffic per operand (:mod:`.tiling`);
3. latency with double buffering: the first tile's inputs must arrive and
   the last output tile must leave before/after everything else; in between,
   loads of tile ``i+1`` overlap the compute of tile ``i``. Summed over
   tiles of equal work this is the roofline
   ``latency = prologue + max(compute, rest_of_transfer)``, where
   ``prologue = ceil(first-tile bytes / bandwidth)`` and the rest is the
   remaining DRAM bytes over the bandwidth; stalls are ``latency - compute``.
   With one tile this is load + compute + store; with many, the larger of
   compute and transfer. Layers run back to back without overlap.
4. energy from per-access costs and area from per-unit costs (:mod:`.costs`).

Everything is float64/int64 numpy; a network's totals are sums over layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from . import costs, spatial, tiling
from .knobs import DATAFLOWS, SPACE
from .layer import Layer

#: metrics that add up over layers (everything else is derived from them)
ADDITIVE: tuple[str, ...] = (
    "latency_cycles",
    "compute_cycles",
    "stall_cycles",
    "mac_count",
    "energy_mac_pj",
    "energy_rf_pj",
    "energy_sram_pj",
    "energy_dram_pj",
    "dram_ifmap_bytes",
    "dram_filter_bytes",
    "dram_ofmap_bytes",
    "sram_ifmap_bytes",
    "sram_filter_bytes",
    "sram_ofmap_bytes",
)


@dataclass(frozen=True)
class DesignArrays:
    """A batch of validated designs as one array per knob."""

    rows: np.ndarray
    cols: np.ndarray
    dataflow: np.ndarray
    ifmap_kb: np.ndarray
    filter_kb: np.ndarray
    ofmap_kb: np.ndarray
    bandwidth: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


def design_arrays(designs: Sequence[Mapping[str, Any]]) -> DesignArrays:
    """Validate designs against :data:`SPACE` (missing knobs take defaults) and stack them."""
    valid = [SPACE.validate(d) for d in designs]
    col = lambda name: np.array([d[name] for d in valid], dtype=np.int64)  # noqa: E731
    code = {df: i for i, df in enumerate(DATAFLOWS)}
    return DesignArrays(
        rows=col("pe_rows"),
        cols=col("pe_cols"),
        dataflow=np.array([code[d["dataflow"]] for d in valid], dtype=np.int64),
        ifmap_kb=col("ifmap_sram_kb"),
        filter_kb=col("filter_sram_kb"),
        ofmap_kb=col("ofmap_sram_kb"),
        bandwidth=col("dram_bandwidth"),
    )


def _ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(x - 1e-9)


def layer_costs(
    layer: Layer, d: DesignArrays, energy: Mapping[str, float], precision_bits: float
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Additive metrics of one layer for every design, and the chosen candidate (-1: infeasible)."""
    bpe = precision_bits / 8.0
    need = tiling.coverage_minimums(layer, d.rows, d.cols, d.dataflow)
    caps = [np.floor(kb * 1024 / 2 / bpe).astype(np.int64) for kb in (d.ifmap_kb, d.filter_kb, d.ofmap_kb)]
    keys = np.column_stack([need, *caps])
    idx = tiling.select(layer, keys)
    ok = idx >= 0
    cand = tiling.candidates(layer.shape)
    safe = np.where(ok, idx, 0)
    g = layer.groups

    dram_i = g * cand.dram_ifmap[safe] * bpe
    dram_w = g * cand.dram_filter[safe] * bpe
    dram_o = g * (cand.dram_ofmap_writes[safe] + cand.dram_ofmap_reads[safe]) * bpe
    dram = dram_i + dram_w + dram_o
    first_bytes = (cand.foot_ifmap[safe] + cand.foot_filter[safe] + cand.foot_ofmap[safe]) * bpe

    compute = spatial.compute_cycles(layer, d.rows, d.cols, d.dataflow).astype(np.float64)
    bw = d.bandwidth.astype(np.float64)
    prologue = _ceil(first_bytes / bw)
    rest = _ceil(np.maximum(dram - first_bytes, 0.0) / bw)
    latency = prologue + np.maximum(compute, rest)

    acc = spatial.sram_accesses(layer, d.rows, d.cols, d.dataflow)
    sram_i = acc["ifmap_reads"] * bpe + dram_i
    sram_w = acc["filter_reads"] * bpe + dram_w
    sram_o = (acc["ofmap_writes"] + acc["ofmap_reads"]) * bpe + dram_o

    macs = float(layer.macs)
    out = {
        "latency_cycles": latency,
        "compute_cycles": compute,
        "stall_cycles": latency - compute,
        "mac_count": np.full(len(d), macs),
        "energy_mac_pj": np.full(len(d), macs * energy["mac_pj"]),
        "energy_rf_pj": np.full(len(d), macs * costs.RF_ACCESSES_PER_MAC * bpe * energy["rf_pj_per_byte"]),
        "energy_sram_pj": (sram_i + sram_w + sram_o) * energy["sram_pj_per_byte"],
        "energy_dram_pj": dram * energy["dram_pj_per_byte"],
        "dram_ifmap_bytes": dram_i,
        "dram_filter_bytes": dram_w,
        "dram_ofmap_bytes": dram_o,
        "sram_ifmap_bytes": sram_i,
        "sram_filter_bytes": sram_w,
        "sram_ofmap_bytes": sram_o,
    }
    return out, idx


def infeasible_reason(layer: Layer, d: DesignArrays, i: int, precision_bits: float) -> str:
    """Why design ``i`` cannot run ``layer``: the SRAM the smallest fold-covering tile needs."""
    bpe = precision_bits / 8.0
    need = tiling.coverage_minimums(layer, d.rows[i : i + 1], d.cols[i : i + 1], d.dataflow[i : i + 1])
    fi, fw, fo = (2 * x * bpe / 1024 for x in tiling.minimum_footprints(layer, need)[0])
    have = (int(d.ifmap_kb[i]), int(d.filter_kb[i]), int(d.ofmap_kb[i]))
    short = [
        f"{name}_sram_kb={h} < {n:.3g} KB"
        for name, h, n in zip(("ifmap", "filter", "ofmap"), have, (fi, fw, fo))
        if h < n
    ]
    return (
        f"layer {layer.name!r}: no tiling fits the SRAMs: a double-buffered tile covering one fold of the "
        f"{int(d.rows[i])}x{int(d.cols[i])} {DATAFLOWS[int(d.dataflow[i])]} array needs "
        f"at least {fi:.3g} KB ifmap, {fw:.3g} KB filter, {fo:.3g} KB ofmap SRAM ({'; '.join(short)})"
    )


def evaluate_arrays(
    layers: Sequence[Layer],
    d: DesignArrays,
    energy: Mapping[str, float],
    precision_bits: float,
    freq_mhz: float,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """All metrics of a network for every design, and a reason per design (``""`` when feasible)."""
    n = len(d)
    totals = {k: np.zeros(n) for k in ADDITIVE}
    reasons = [""] * n
    groups: dict[tuple[int, ...], list[Layer]] = {}
    for layer in layers:
        groups.setdefault(layer.shape, []).append(layer)
    for same in groups.values():
        vals, idx = layer_costs(same[0], d, energy, precision_bits)
        for k in ADDITIVE:
            totals[k] += len(same) * vals[k]
        for i in np.flatnonzero(idx < 0).tolist():
            if not reasons[i]:
                reasons[i] = infeasible_reason(same[0], d, i, precision_bits)
    return derive(totals, d, precision_bits, freq_mhz), reasons


def derive(
    totals: Mapping[str, np.ndarray], d: DesignArrays, precision_bits: float, freq_mhz: float
) -> dict[str, np.ndarray]:
    """Totals, energy, area and ratios from the additive metrics."""
    out = dict(totals)
    out["energy_pj"] = out["energy_mac_pj"] + out["energy_rf_pj"] + out["energy_sram_pj"] + out["energy_dram_pj"]
    out["dram_bytes"] = out["dram_ifmap_bytes"] + out["dram_filter_bytes"] + out["dram_ofmap_bytes"]
    out["sram_bytes"] = out["sram_ifmap_bytes"] + out["sram_filter_bytes"] + out["sram_ofmap_bytes"]
    pes = (d.rows * d.cols).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["utilization"] = out["mac_count"] / (pes * out["latency_cycles"])
        out["compute_utilization"] = out["mac_count"] / (pes * out["compute_cycles"])
        out["latency_s"] = out["latency_cycles"] / (freq_mhz * 1e6)
        out["power_mw"] = out["energy_pj"] * 1e-9 / out["latency_s"]
    sram_kb = (d.ifmap_kb + d.filter_kb + d.ofmap_kb).astype(np.float64)
    out["area_pe_mm2"] = pes * costs.pe_area_mm2(precision_bits)
    out["area_sram_mm2"] = sram_kb * costs.sram_area_mm2_per_kb()
    out["area_mm2"] = out["area_pe_mm2"] + out["area_sram_mm2"]
    return out
