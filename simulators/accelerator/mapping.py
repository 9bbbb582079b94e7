"""Fixed mappings: the cost of a layer on a design with the tiling and loop order given, not searched.

The built-in mapper (:mod:`.tiling`) searches the tile sizes and loop order
that move the least DRAM traffic; this module costs a mapping chosen by
someone else (a search agent, another tool) with the same pieces: per-tile
trip counts and halos (:func:`.tiling.pixel_terms`), footprints
(:func:`.tiling.footprints`), per-operand DRAM traffic of the loop order
(:func:`.tiling.operand_traffic`), SRAM needs with double buffering
(:func:`.tiling.sram_need`), the fold-coverage rule
(:func:`.tiling.coverage_minimums`) and the latency/energy pipeline
(:func:`.model.mapped_costs`). The metrics are the accelerator's, so the
built-in mapper's choice costed here gives exactly what
:func:`~.simulator.simulate_layer` gives, bit for bit.

A mapping (per group of the layer):

==============  ==============================================================
key             meaning
==============  ==============================================================
``tile_B``      images per tile, ``1 .. B``
``tile_K``      output channels per tile, ``1 .. K/groups``
``tile_C``      input channels per tile, ``1 .. C/groups`` (``FY x FX`` is
                never split)
``tile_OY``     output rows per tile, ``1 .. OY``
``tile_OX``     output columns per tile, ``1 .. OX``
``loop_order``  the tile loops outermost first, a permutation of ``K``, ``C``
                and ``P`` (the batch-and-pixel block), e.g. ``"KCP"``
==============  ==============================================================

The spatial mapping (which GEMM dimensions the array's rows and columns
unroll) is the design's ``dataflow`` (:mod:`.spatial`): ``ws`` unrolls the
reduction window over rows and filters over columns, ``os`` pixels and
filters, ``is`` window and pixels; unrollings are ``min(dimension, array
edge)`` and larger dimensions fold. A mapping is *infeasible* when a tile does
not cover one fold of that unrolling (the array would need operands that are
not on chip) or when a tile does not fit its SRAM (double-buffered unless the
operand's whole tensor is resident); the reason names the knob, its value and
the bound.

Among the 6 loop orders only the innermost loop changes the cost (see
:mod:`.tiling`), so pairs of orders tie; the model does not order the batch
and pixel loops inside ``P`` (each pixel tile fetches its own halo).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.metrics import Metrics

from . import costs, tiling
from .knobs import DATAFLOWS
from .layer import Layer, layer_from_mapping
from .model import DesignArrays, derive, design_arrays, layer_table, mapped_costs

#: the tiled loops, in the order of a mapping's tile keys
TILE_LOOPS: tuple[str, ...] = ("B", "K", "C", "OY", "OX")
#: a mapping's tile keys
TILE_KEYS: tuple[str, ...] = tuple(f"tile_{x}" for x in TILE_LOOPS)
#: the loop orders as strings, outermost first (``"KCP"``: K outermost, P innermost)
LOOP_ORDERS: tuple[str, ...] = tuple("".join(o) for o in tiling.ORDERS)
#: every key of a mapping
MAPPING_KEYS: tuple[str, ...] = (*TILE_KEYS, "loop_order")


@dataclass(frozen=True)
class MappingArrays:
    """A batch of mappings of one layer as arrays: tile sizes ``(n,)`` per loop and the innermost-loop code."""

    tb: np.ndarray
    tk: np.ndarray
    tc: np.ndarray
    toy: np.ndarray
    tox: np.ndarray
    inner: np.ndarray

    def __len__(self) -> int:
        return len(self.tk)


def loop_limits(layer: Layer) -> dict[str, int]:
    """The largest tile of each loop (per group): ``tile_B <= B``, ``tile_K <= K/groups``, ..."""
    return {"tile_B": layer.B, "tile_K": layer.Kg, "tile_C": layer.Cg, "tile_OY": layer.OY, "tile_OX": layer.OX}


def mapping_arrays(layer: Layer, mappings: Sequence[Mapping[str, Any]]) -> MappingArrays:
    """Validate mappings of ``layer`` and stack them; a bad key or value raises :class:`UserError` naming it."""
    limits = loop_limits(layer)
    cols: dict[str, list[int]] = {k: [] for k in TILE_KEYS}
    inner = []
    for m in mappings:
        unknown = [k for k in m if k not in MAPPING_KEYS]
        if unknown:
            raise UserError(f"mapping: unknown key {unknown[0]!r}; valid keys: {', '.join(MAPPING_KEYS)}")
        missing = [k for k in MAPPING_KEYS if k not in m]
        if missing:
            raise UserError(f"mapping: missing key {missing[0]!r} (a mapping has {', '.join(MAPPING_KEYS)})")
        for key, top in limits.items():
            v = m[key]
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= top:
                raise UserError(f"mapping: {key} must be an integer in 1..{top} for layer {layer.name!r}, got {v!r}")
            cols[key].append(int(v))
        order = m["loop_order"]
        order = "".join(order) if isinstance(order, (tuple, list)) else order
        if order not in LOOP_ORDERS:
            raise UserError(f"mapping: loop_order {order!r} is not one of {', '.join(LOOP_ORDERS)}")
        inner.append(tiling.innermost_code(order))
    arr = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
    return MappingArrays(*(arr(cols[k]) for k in TILE_KEYS), arr(inner))


@dataclass(frozen=True)
class MappedTiles:
    """What a batch of mappings costs before the design: traffic and SRAM needs, per group, in elements."""

    dram_ifmap: np.ndarray
    dram_filter: np.ndarray
    dram_ofmap: np.ndarray
    first_tile: np.ndarray
    sram: np.ndarray  # (n, 3): ifmap, filter, ofmap
    tp: np.ndarray  # output pixels per tile


def mapped_tiles(layer: Layer, m: MappingArrays) -> MappedTiles:
    """Traffic, first-tile size and SRAM needs of every mapping (the built-in mapper's formulas)."""
    kg, cg, fyfx, groups = layer.Kg, layer.Cg, layer.FY * layer.FX, layer.groups
    count, covered, extent, tp = tiling.pixel_terms(layer, m.tb, m.toy, m.tox)
    nk, nc = -(-kg // m.tk), -(-cg // m.tc)
    fi, fw, fo = tiling.footprints(m.tk, m.tc, extent, tp, fyfx)
    size_i = layer.B * cg * covered
    di, dw, dow, dor = tiling.operand_traffic(
        m.inner, kg * cg * fyfx, size_i, layer.B * kg * layer.OY * layer.OX, nk, nc, count)
    whole_k, whole_c, whole_p = m.tk == kg, m.tc == cg, count == 1
    sram = np.column_stack([
        tiling.sram_need(fi, whole_c & whole_p, groups),
        tiling.sram_need(fw, whole_k & whole_c, groups),
        tiling.sram_need(fo, whole_k & whole_p, groups),
    ])
    return MappedTiles(di, dw, dow + dor, fi + fw + fo, sram, tp)


def infeasibility(layer: Layer, d: DesignArrays, m: MappingArrays, t: MappedTiles, precision_bits: float) -> list[str]:
    """Why each mapping cannot run on the design (one design, row 0 of ``d``): ``""`` when it can.

    The two rules of the built-in mapper's selection: every tile covers one
    fold of the dataflow's unrolling, and every operand tile fits its SRAM.
    """
    rows, cols, df = int(d.rows[0]), int(d.cols[0]), int(d.dataflow[0])
    need = tiling.coverage_minimums(layer, d.rows[:1], d.cols[:1], d.dataflow[:1])[0]
    need_k, need_c, need_p = (int(x) for x in need)
    caps = tiling.capacities(d.ifmap_kb[:1], d.filter_kb[:1], d.ofmap_kb[:1], precision_bits)[0]
    bpe = precision_bits / 8.0
    flow = DATAFLOWS[df]
    unroll = {"ws": ("window", "filters"), "os": ("pixels", "filters"), "is": ("window", "pixels")}[flow]
    where = f"the {rows}x{cols} {flow} array unrolls {unroll[0]} over rows and {unroll[1]} over columns"
    sram_names = ("ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb")
    kb = (d.ifmap_kb[0], d.filter_kb[0], d.ofmap_kb[0])
    out = []
    for i in range(len(m)):
        tk, tc, tp = int(m.tk[i]), int(m.tc[i]), int(t.tp[i])
        if tk < need_k:
            out.append(f"tile_K={tk} < {need_k}: {where}; a tile must cover one fold (tile_K >= {need_k})")
        elif tc < need_c:
            out.append(f"tile_C={tc} < {need_c}: {where}; a tile must cover one fold "
                       f"(tile_C x FY x FX >= {min(rows, layer.window)} window rows)")
        elif tp < need_p:
            out.append(f"tile_B x tile_OY x tile_OX = {tp} < {need_p}: {where}; a tile must cover one fold "
                       f"({need_p} pixels)")
        else:
            over = [j for j in range(3) if t.sram[i, j] > caps[j]]
            out.append("" if not over else "; ".join(
                f"{sram_names[j].split('_')[0]} tile needs {t.sram[i, j] * bpe / 1024:.4g} KB "
                f"(double-buffered unless the whole tensor stays resident) > {sram_names[j]}={int(kb[j])}"
                for j in over))
    return out


def mapping_metrics(
    layer: Layer,
    design: Mapping[str, Any],
    mappings: Sequence[Mapping[str, Any]],
    energy: Mapping[str, float],
    precision_bits: float,
    freq_mhz: float,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Every accelerator metric of each mapping of ``layer`` on ``design`` ``(n,)``, and a reason per mapping.

    Values of infeasible mappings are computed but meaningless; their reason is non-empty.
    """
    m = mapping_arrays(layer, mappings)
    t = mapped_tiles(layer, m)
    one = design_arrays([design])
    d = DesignArrays(*(np.repeat(getattr(one, f), len(m)) for f in DesignArrays.__dataclass_fields__))
    table = layer_table((layer.shape,))
    traffic = (t.dram_ifmap[None, :], t.dram_filter[None, :], t.dram_ofmap[None, :], t.first_tile[None, :])
    additive = mapped_costs(table, d, traffic, energy, precision_bits)
    values = derive({k: np.broadcast_to(v, (1, len(m)))[0] for k, v in additive.items()}, d, precision_bits, freq_mhz)
    return values, infeasibility(layer, one, m, t, precision_bits)


def evaluate_mappings(
    layer: Mapping[str, Any] | Layer,
    design: Mapping[str, Any],
    mappings: Sequence[Mapping[str, Any]],
    energy_table: Mapping[str, float] | None = None,
    *,
    freq_mhz: float = 1000.0,
    precision_bits: float = costs.REFERENCE_BITS,
) -> list[Metrics]:
    """The accelerator's :class:`Metrics` of each mapping of one layer on one hardware design.

    Args:
        layer: ZigZag loop sizes (see :func:`~.simulator.simulate_layer`) or a :class:`Layer`.
        design: accelerator knob values (missing ones take their defaults); its
            ``dataflow`` is the spatial mapping.
        mappings: each with every key of :data:`MAPPING_KEYS` (module docstring).
        energy_table, freq_mhz, precision_bits: as for :class:`~.simulator.AcceleratorSimulator`.

    Example:
        >>> m = evaluate_mappings({"K": 64, "C": 64, "OY": 8, "OX": 8}, {},
        ...     [{"tile_B": 1, "tile_K": 64, "tile_C": 64, "tile_OY": 8, "tile_OX": 8, "loop_order": "KCP"}])[0]
        >>> m["dram_bytes"]  # every tensor once: 64x64 weights, 64x64 inputs, 64x64 outputs
        12288.0
    """
    from .simulator import METRIC_NAMES

    lay = layer if isinstance(layer, Layer) else layer_from_mapping(layer)
    if not mappings:
        return []
    values, reasons = mapping_metrics(lay, design, mappings, costs.energy_table(energy_table, precision_bits),
                                      precision_bits, freq_mhz)
    table = np.column_stack([values[k] for k in METRIC_NAMES]).tolist()
    return [Metrics.infeasible(f"layer {lay.name!r}: {r}") if r else Metrics(dict(zip(METRIC_NAMES, row)))
            for row, r in zip(table, reasons)]


def evaluate_mapping(
    layer: Mapping[str, Any] | Layer,
    design: Mapping[str, Any],
    mapping: Mapping[str, Any],
    energy_table: Mapping[str, float] | None = None,
    *,
    freq_mhz: float = 1000.0,
    precision_bits: float = costs.REFERENCE_BITS,
) -> Metrics:
    """The accelerator's :class:`Metrics` of one layer on one design with ``mapping`` (:func:`evaluate_mappings`)."""
    return evaluate_mappings(layer, design, [mapping], energy_table, freq_mhz=freq_mhz,
                             precision_bits=precision_bits)[0]


def builtin_mapping(layer: Mapping[str, Any] | Layer, design: Mapping[str, Any],
                    *, precision_bits: float = costs.REFERENCE_BITS) -> dict[str, Any] | None:
    """The mapping the built-in mapper picks for ``layer`` on ``design`` as a mapping dict (None: no tiling fits)."""
    from .simulator import explain_layer

    chosen = explain_layer(layer, design, precision_bits=precision_bits)
    if chosen["tile"] is None:
        return None
    return {**{f"tile_{x}": chosen["tile"][x] for x in TILE_LOOPS}, "loop_order": "".join(chosen["loop_order"])}
