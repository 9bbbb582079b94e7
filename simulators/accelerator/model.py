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
from functools import lru_cache
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
    code = {df: i for i, df in enumerate(DATAFLOWS)}
    table = np.array([
        (v["pe_rows"], v["pe_cols"], code[v["dataflow"]], v["ifmap_sram_kb"], v["filter_sram_kb"],
         v["ofmap_sram_kb"], v["dram_bandwidth"])
        for v in map(SPACE.validate, designs)
    ], dtype=np.int64).reshape(-1, 7)
    return DesignArrays(*table.T.copy())


def _ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(x - 1e-9)


@dataclass(frozen=True)
class LayerTable:
    """The distinct layer shapes of a workload as column arrays ``(L, 1)``, plus their candidate tables.

    ``count`` is how often each shape occurs; shapes keep the order of their
    first occurrence, so the first infeasible shape is the first infeasible layer.
    """

    layers: tuple[Layer, ...]
    count: np.ndarray
    m: np.ndarray
    n: np.ndarray
    w: np.ndarray
    groups: np.ndarray
    fyfx: np.ndarray
    macs: np.ndarray
    offset: np.ndarray
    dram_ifmap: np.ndarray
    dram_filter: np.ndarray
    dram_ofmap: np.ndarray
    first_tile: np.ndarray


@lru_cache(maxsize=64)
def layer_table(shapes: tuple[tuple[int, ...], ...]) -> LayerTable:
    """The :class:`LayerTable` of a workload given its layer shapes (cached per workload)."""
    counts: dict[tuple[int, ...], int] = {}
    for sh in shapes:
        counts[sh] = counts.get(sh, 0) + 1
    layers = tuple(Layer(f"shape{i}", *sh) for i, sh in enumerate(counts))
    col = lambda vals, dt=np.int64: np.array(vals, dtype=dt).reshape(-1, 1)  # noqa: E731
    cands = tiling.candidate_tables([layer.shape for layer in layers])
    sizes = [len(c) for c in cands]
    cat = lambda f: np.concatenate([f(c) for c in cands])  # noqa: E731
    return LayerTable(
        layers=layers,
        count=col(list(counts.values()), np.float64),
        m=col([la.pixels for la in layers]),
        n=col([la.Kg for la in layers]),
        w=col([la.window for la in layers]),
        groups=col([la.groups for la in layers]),
        fyfx=col([la.FY * la.FX for la in layers]),
        macs=col([la.macs for la in layers], np.float64),
        offset=col(np.cumsum([0, *sizes[:-1]])),
        dram_ifmap=cat(lambda c: c.dram_ifmap),
        dram_filter=cat(lambda c: c.dram_filter),
        dram_ofmap=cat(lambda c: c.dram_ofmap_writes + c.dram_ofmap_reads),
        first_tile=cat(lambda c: c.foot_ifmap + c.foot_filter + c.foot_ofmap),
    )


def network_costs(
    t: LayerTable, d: DesignArrays, energy: Mapping[str, float], precision_bits: float
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Additive metrics per (layer shape, design), shape ``(L, D)``, and the chosen candidates (-1: infeasible)."""
    rows, cols, df = d.rows[None, :], d.cols[None, :], d.dataflow[None, :]
    need = tiling.coverage_from_dims(t.n, t.w, t.fyfx, t.m, rows, cols, df)  # (L, D, 3)
    caps = tiling.capacities(d.ifmap_kb, d.filter_kb, d.ofmap_kb, precision_bits)
    idx = np.stack([
        tiling.select(layer, np.concatenate([need[i], caps], axis=1)) for i, layer in enumerate(t.layers)
    ])
    gidx = t.offset + np.where(idx >= 0, idx, 0)
    traffic = (t.dram_ifmap[gidx], t.dram_filter[gidx], t.dram_ofmap[gidx], t.first_tile[gidx])
    return mapped_costs(t, d, traffic, energy, precision_bits), idx


def mapped_costs(
    t: LayerTable | Any, d: DesignArrays, traffic: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    energy: Mapping[str, float], precision_bits: float,
) -> dict[str, np.ndarray]:
    """Additive metrics of layers on designs whose tiling is decided: steps 1, 3 and 4 of the pipeline.

    ``traffic`` is ``(dram_ifmap, dram_filter, dram_ofmap, first_tile)`` in
    elements per group (a :class:`~.tiling.Candidates` row's DRAM traffic,
    ofmap writes and reads together, and its first tile's three footprints
    summed). ``t`` needs the layer columns ``m, n, w, groups, macs`` of a
    :class:`LayerTable`; everything broadcasts against the designs ``d``.
    The built-in mapper (:func:`network_costs`) and fixed mappings
    (:mod:`.mapping`) both cost through here.
    """
    bpe = precision_bits / 8.0
    rows, cols, df = d.rows[None, :], d.cols[None, :], d.dataflow[None, :]
    g = t.groups.astype(np.float64)
    dram_i = g * traffic[0] * bpe
    dram_w = g * traffic[1] * bpe
    dram_o = g * traffic[2] * bpe
    dram = dram_i + dram_w + dram_o
    first_bytes = traffic[3] * bpe

    compute = spatial.cycles_from_dims(t.m, t.n, t.w, t.groups, rows, cols, df).astype(np.float64)
    bw = d.bandwidth[None, :].astype(np.float64)
    prologue = _ceil(first_bytes / bw)
    rest = _ceil(np.maximum(dram - first_bytes, 0.0) / bw)
    latency = prologue + np.maximum(compute, rest)

    acc = spatial.accesses_from_dims(t.m, t.n, t.w, t.groups, rows, cols, df)
    rf_acc = spatial.register_accesses(t.m, t.n, t.w, t.groups, df).astype(np.float64)
    sram_i = acc["ifmap_reads"] * bpe + dram_i
    sram_w = acc["filter_reads"] * bpe + dram_w
    sram_o = (acc["ofmap_writes"] + acc["ofmap_reads"]) * bpe + dram_o

    macs = np.broadcast_to(t.macs, latency.shape)
    out = {
        "latency_cycles": latency,
        "compute_cycles": compute,
        "stall_cycles": latency - compute,
        "mac_count": macs,
        "energy_mac_pj": macs * energy["mac_pj"],
        "energy_rf_pj": rf_acc * (bpe * energy["rf_pj_per_byte"]),
        "energy_sram_pj": (sram_i + sram_w + sram_o) * energy["sram_pj_per_byte"],
        "energy_dram_pj": dram * energy["dram_pj_per_byte"],
        "dram_ifmap_bytes": dram_i,
        "dram_filter_bytes": dram_w,
        "dram_ofmap_bytes": dram_o,
        "sram_ifmap_bytes": sram_i,
        "sram_filter_bytes": sram_w,
        "sram_ofmap_bytes": sram_o,
    }
    return out


def infeasible_reason(layer: Layer, d: DesignArrays, i: int, precision_bits: float) -> str:
    """Why design ``i`` cannot run ``layer``: the SRAM the smallest fold-covering tile needs."""
    return infeasible_reasons(layer, d, [i], precision_bits)[0]


def infeasible_reasons(layer: Layer, d: DesignArrays, which: Sequence[int], precision_bits: float) -> list[str]:
    """:func:`infeasible_reason` of the designs ``which`` of ``d``, their SRAM minimums computed in one pass."""
    which = np.asarray(which, dtype=np.int64)
    bpe = precision_bits / 8.0
    need = tiling.coverage_minimums(layer, d.rows[which], d.cols[which], d.dataflow[which])
    uniq, inverse = np.unique(need, axis=0, return_inverse=True)
    minimum = (tiling.minimum_sram(layer, uniq) * bpe / 1024).tolist()
    cols = zip(d.rows[which].tolist(), d.cols[which].tolist(), d.dataflow[which].tolist(), d.ifmap_kb[which].tolist(),
               d.filter_kb[which].tolist(), d.ofmap_kb[which].tolist(), inverse.reshape(-1).tolist())
    out = []
    for rows, ncols, df, *have, u in cols:
        fi, fw, fo = minimum[u]
        short = [
            f"{name}_sram_kb={h} < {n:.3g} KB"
            for name, h, n in zip(("ifmap", "filter", "ofmap"), have, (fi, fw, fo))
            if h < n
        ] or ["no single tile meets all three at once"]
        out.append(
            f"layer {layer.name!r}: no tiling fits the SRAMs: a tile covering one fold of the "
            f"{rows}x{ncols} {DATAFLOWS[df]} array needs "
            f"at least {fi:.3g} KB ifmap, {fw:.3g} KB filter, {fo:.3g} KB ofmap SRAM "
            f"(double-buffered unless the whole tensor stays resident; {'; '.join(short)})"
        )
    return out


def evaluate_arrays(
    layers: Sequence[Layer],
    d: DesignArrays,
    energy: Mapping[str, float],
    precision_bits: float,
    freq_mhz: float,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """All metrics of a network for every design, and a reason per design (``""`` when feasible)."""
    t = layer_table(tuple(layer.shape for layer in layers))
    per_layer, idx = network_costs(t, d, energy, precision_bits)
    # sum layer by layer in a fixed order, so a design's totals do not depend on the batch it came in
    stacked = np.stack([np.broadcast_to(per_layer[k], per_layer["latency_cycles"].shape) for k in ADDITIVE])
    stacked = stacked * t.count[None, :, :]
    acc = stacked[:, 0, :].copy()
    for li in range(1, stacked.shape[1]):
        acc += stacked[:, li, :]
    totals = dict(zip(ADDITIVE, acc))
    reasons = [""] * len(d)
    bad = ~(idx >= 0).all(axis=0)
    if bad.any():
        first_name = {layer.shape: layer.name for layer in reversed(layers)}
        bad_designs = np.flatnonzero(bad)
        first_bad_layer = np.argmax(idx[:, bad_designs] < 0, axis=0)
        for li in np.unique(first_bad_layer).tolist():
            shape_layer = t.layers[li]
            named = Layer(first_name[shape_layer.shape], *shape_layer.shape)
            which = bad_designs[first_bad_layer == li]
            for i, reason in zip(which.tolist(), infeasible_reasons(named, d, which, precision_bits)):
                reasons[i] = reason
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


def evaluate_layers(
    layers: Sequence[Layer],
    d: DesignArrays,
    energy: Mapping[str, float],
    precision_bits: float,
    freq_mhz: float,
) -> list[tuple[dict[str, float], str]]:
    """Metrics of every layer of a network for the first design in ``d``: ``(values, reason)`` per layer."""
    t = layer_table(tuple(layer.shape for layer in layers))
    per_layer, idx = network_costs(t, d, energy, precision_bits)
    where = {layer.shape: i for i, layer in enumerate(t.layers)}
    first = DesignArrays(*(getattr(d, f)[:1] for f in DesignArrays.__dataclass_fields__))
    out = []
    for layer in layers:
        li = where[layer.shape]
        if idx[li, 0] < 0:
            out.append(({}, infeasible_reason(layer, first, 0, precision_bits)))
            continue
        vals = derive({k: per_layer[k][li, :1] for k in ADDITIVE}, first, precision_bits, freq_mhz)
        out.append(({k: float(v[0]) for k, v in vals.items()}, ""))
    return out
