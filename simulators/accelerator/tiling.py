"""Temporal mapping: the loop blocking (tiling) of a layer into the SRAMs, searched vectorised.

One group of a layer is blocked into tiles of ``tb x tk x tc x toy x tox``
(batch, filters, channels, output rows, output columns; the filter window
``FY x FX`` is never split). A tile's operands must fit their SRAMs, which
are double-buffered (one half computes while the other half loads), so a
tile may use half of each SRAM. Tiles are visited by a loop nest over the
tile indices whose order decides what is re-fetched from DRAM.

The search, in the spirit of ZigZag's LOMA but as array arithmetic:

1. *Candidates* (design-independent, built once per layer shape): each tile
   size takes the values ``ceil(D / 2**i)`` for every loop ``D``; all
   combinations are enumerated as numpy arrays.
2. *Loop orders*: the batch and pixel loops touch the same operands, so
   they move as one block ``P``, leaving the 3! = 6 orders of ``K``, ``C``
   and ``P``. For each operand, its tiles are re-fetched once per iteration
   of every loop *irrelevant* to it (``P`` for filters, ``K`` for inputs,
   ``C`` for outputs) that sits outside its innermost relevant loop. Outputs
   visited more than once spill partial sums: written on every visit, read
   back on every visit but the first. Each candidate keeps its best order.
3. *Selection* (per design, vectorised across designs): among candidates
   whose tile fits the three half-SRAMs and covers one array fold (the
   dimensions the dataflow lays out spatially are at least as large in the
   tile as on the array, up to the layer size), take the one with the least
   DRAM traffic, ties broken by the smaller tile (shorter pipeline prologue).
   Since SRAM and on-chip accesses do not depend on the tiling, least DRAM
   traffic is also least energy and, up to the prologue, least latency.

Traffic is in elements; the caller multiplies by bytes per element.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import permutations

import numpy as np

from .layer import Layer
from .spatial import IS, OS, WS

log = logging.getLogger(__name__)

#: loop blocks and the operands they index: filter (K, C), ifmap (C, P), ofmap (K, P)
_LOOPS = ("K", "C", "P")
_RELEVANT = {"W": {"K", "C"}, "I": {"C", "P"}, "O": {"K", "P"}}
#: the 6 orders of the loop blocks, outermost first
ORDERS: tuple[tuple[str, ...], ...] = tuple(permutations(_LOOPS))

#: upper bound on (designs x candidates) booleans evaluated at once
_CHUNK_ELEMS = 4_000_000
#: the selection cache is cleared when it holds more entries than this
_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Candidates:
    """All tilings of one layer group, each with its best loop order, sorted best-first.

    Arrays are per candidate; footprints and traffic are per group in elements.
    """

    tb: np.ndarray
    tk: np.ndarray
    tc: np.ndarray
    toy: np.ndarray
    tox: np.ndarray
    order: np.ndarray
    foot_ifmap: np.ndarray
    foot_filter: np.ndarray
    foot_ofmap: np.ndarray
    dram_ifmap: np.ndarray
    dram_filter: np.ndarray
    dram_ofmap_writes: np.ndarray
    dram_ofmap_reads: np.ndarray

    @cached_property
    def tp(self) -> np.ndarray:
        """Output pixels per tile (``tb * toy * tox``)."""
        return self.tb * self.toy * self.tox

    @property
    def dram_total(self) -> np.ndarray:
        return self.dram_ifmap + self.dram_filter + self.dram_ofmap_writes + self.dram_ofmap_reads

    def __len__(self) -> int:
        return len(self.tk)


def split_sizes(d: int) -> np.ndarray:
    """Candidate tile sizes of a loop of size ``d``: ``ceil(d / 2**i)``, largest first."""
    vals = {-(-d // (1 << i)) for i in range(int(d).bit_length() + 1)}
    return np.array(sorted(vals, reverse=True), dtype=np.int64)


def _covered_extent(total: int, tile: np.ndarray, f: int, stride: int) -> np.ndarray:
    """Input rows fetched over all tiles of ``tile`` output rows (halos counted per tile)."""
    n = -(-total // tile)
    last = total - (n - 1) * tile
    ext = np.minimum((tile - 1) * stride + f, tile * f)
    ext_last = np.minimum((last - 1) * stride + f, last * f)
    return (n - 1) * ext + ext_last


def _visits(order: tuple[str, ...], operand: str, counts: dict[str, np.ndarray]) -> np.ndarray:
    """Times each tile of ``operand`` is brought on chip under ``order``."""
    rel = _RELEVANT[operand]
    inner = max(i for i, loop in enumerate(order) if loop in rel)
    v = np.ones_like(counts["K"])
    for loop in order[:inner]:
        if loop not in rel:
            v = v * counts[loop]
    return v


@lru_cache(maxsize=128)
def candidates(shape: tuple[int, ...]) -> Candidates:
    """The sorted candidate table for a layer of loop sizes ``shape`` (see :attr:`Layer.shape`)."""
    layer = Layer("_", *shape)
    kg, cg, b = layer.Kg, layer.Cg, layer.B
    oy, ox, fy, fx, s = layer.OY, layer.OX, layer.FY, layer.FX, layer.stride
    grids = np.meshgrid(
        split_sizes(b), split_sizes(kg), split_sizes(cg), split_sizes(oy), split_sizes(ox), indexing="ij"
    )
    tb, tk, tc, toy, tox = (g.reshape(-1) for g in grids)
    nb, nk, nc = -(-b // tb), -(-kg // tk), -(-cg // tc)
    npix = nb * -(-oy // toy) * -(-ox // tox)
    counts = {"K": nk, "C": nc, "P": npix}

    size_w = kg * cg * fy * fx
    size_o = b * kg * oy * ox
    size_i = b * cg * _covered_extent(oy, toy, fy, s) * _covered_extent(ox, tox, fx, s)

    per_order = []
    for order in ORDERS:
        vw, vi, vo = (_visits(order, op, counts) for op in ("W", "I", "O"))
        per_order.append((size_w * vw, size_i * vi, size_o * vo, size_o * (vo - 1)))
    traffic = np.stack([sum(t) for t in per_order])  # (orders, candidates)
    best = np.argmin(traffic, axis=0)
    pick = lambda j: np.stack([t[j] for t in per_order])[best, np.arange(len(best))]  # noqa: E731
    dram_w, dram_i, dram_ow, dram_or = pick(0), pick(1), pick(2), pick(3)

    foot_w = tk * tc * fy * fx
    foot_i = tb * tc * np.minimum((toy - 1) * s + fy, toy * fy) * np.minimum((tox - 1) * s + fx, tox * fx)
    foot_o = tb * tk * toy * tox

    total = dram_w + dram_i + dram_ow + dram_or
    rank = np.lexsort((foot_w + foot_i + foot_o, total))
    c = Candidates(
        tb[rank], tk[rank], tc[rank], toy[rank], tox[rank], best[rank],
        foot_i[rank], foot_w[rank], foot_o[rank], dram_i[rank], dram_w[rank], dram_ow[rank], dram_or[rank],
    )
    log.debug("layer shape %s: %d tiling candidates", shape, len(c))
    return c


def coverage_minimums(layer: Layer, rows: np.ndarray, cols: np.ndarray, dataflow: np.ndarray) -> np.ndarray:
    """Smallest ``(tk, tc, tp)`` a tile needs to cover one array fold, per design, shape ``(n, 3)``.

    The dimension on the array rows/columns must be at least as large in the
    tile as the array (or the whole layer, if smaller), so each fold's
    operands are on chip: for ``ws`` the filter tile spans ``R`` window rows
    and ``C`` filters, for ``os`` the output tile ``R`` pixels and ``C``
    filters, for ``is`` the input tile ``R`` window rows and ``C`` pixels.
    """
    return coverage_from_dims(layer.Kg, layer.window, layer.FY * layer.FX, layer.pixels, rows, cols, dataflow)


def coverage_from_dims(kg, window, fyfx, pixels, rows, cols, dataflow) -> np.ndarray:
    """:func:`coverage_minimums` from layer sizes; arguments broadcast, result has a trailing axis of 3."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    df = np.asarray(dataflow, dtype=np.int64)
    tc_from_rows = -(-np.minimum(rows, window) // fyfx)
    need_tk = np.where(df == IS, 1, np.minimum(cols, kg))
    need_tc = np.where(df == OS, 1, tc_from_rows)
    need_tp = np.where(df == WS, 1, np.where(df == OS, np.minimum(rows, pixels), np.minimum(cols, pixels)))
    return np.stack(np.broadcast_arrays(need_tk, need_tc, need_tp), axis=-1)


_selection_cache: dict[tuple, int] = {}


def select(layer: Layer, keys: np.ndarray) -> np.ndarray:
    """Index of the chosen candidate per design, ``-1`` when no tiling is feasible.

    ``keys`` has one row per design: ``(need_tk, need_tc, need_tp, cap_ifmap,
    cap_filter, cap_ofmap)``, capacities in elements (half of each SRAM).
    Results are cached per (layer shape, key), so repeated designs cost a
    dictionary lookup.
    """
    keys = np.asarray(keys, dtype=np.int64)
    if len(keys) > 32:
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    else:
        uniq, inverse = keys, None
    shape = layer.shape
    rows = [(shape, tuple(r)) for r in uniq.tolist()]
    chosen = np.empty(len(rows), dtype=np.int64)
    todo = []
    for i, key in enumerate(rows):
        hit = _selection_cache.get(key)
        if hit is None:
            todo.append(i)
        else:
            chosen[i] = hit
    if todo:
        if len(_selection_cache) > _CACHE_LIMIT:
            _selection_cache.clear()
        cand = candidates(shape)
        sub = uniq[todo]
        step = max(1, _CHUNK_ELEMS // max(1, len(cand)))
        tk, tc, tp = cand.tk, cand.tc, cand.tp
        fi, fw, fo = cand.foot_ifmap, cand.foot_filter, cand.foot_ofmap
        for lo in range(0, len(sub), step):
            k = sub[lo : lo + step, :, None]
            ok = (
                (tk >= k[:, 0]) & (tc >= k[:, 1]) & (tp >= k[:, 2])
                & (fi <= k[:, 3]) & (fw <= k[:, 4]) & (fo <= k[:, 5])
            )
            first = np.argmax(ok, axis=1)
            res = np.where(ok[np.arange(len(first)), first], first, -1)
            for j, r in zip(todo[lo : lo + step], res.tolist()):
                chosen[j] = r
                _selection_cache[rows[j]] = r
    return chosen if inverse is None else chosen[inverse]


def minimum_footprints(layer: Layer, need: np.ndarray) -> np.ndarray:
    """Footprints ``(ifmap, filter, ofmap)`` in elements of the smallest tile meeting ``need`` ``(tk, tc, tp)``.

    Footprints grow with every tile size, so the smallest covering tile needs
    the least of every SRAM at once; an infeasible design is told these sizes.
    """
    cand = candidates(layer.shape)
    out = np.empty((len(need), 3), dtype=np.int64)
    for i, (nk, nc, npx) in enumerate(np.asarray(need).tolist()):
        ok = (cand.tk >= nk) & (cand.tc >= nc) & (cand.tp >= npx)
        out[i] = [cand.foot_ifmap[ok].min(), cand.foot_filter[ok].min(), cand.foot_ofmap[ok].min()]
    return out
