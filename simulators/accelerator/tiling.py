"""Temporal mapping: the loop blocking (tiling) of a layer into the SRAMs, searched vectorised.

One group of a layer is blocked into tiles of ``tb x tk x tc x toy x tox``
(batch, filters, channels, output rows, output columns; the filter window
``FY x FX`` is never split). A tile's operands must fit their SRAMs, which
are double-buffered (one half computes while the other half loads), so a
tile may use half of each SRAM; an operand whose tile is its whole tensor is
loaded once and never replaced and may use all of it (:func:`sram_need`).
Tiles are visited by a loop nest over the tile indices whose order decides
what is re-fetched from DRAM.

The search, in the spirit of ZigZag's LOMA but as array arithmetic:

1. *Candidates* (design-independent, built once per layer shape): each tile
   size takes the values ``ceil(D / 2**i)`` for every loop ``D``. Sizes
   that can never be chosen are dropped per loop first (a size is dominated
   when another meets the same array-coverage thresholds with no more trips
   and no larger footprint); the remaining combinations are enumerated as
   numpy arrays over the grid (``K`` sizes, ``C`` sizes, pixel tiles).
2. *Loop orders*: the batch and pixel loops touch the same operands, so
   they move as one block ``P``, leaving the 3! = 6 orders of ``K``, ``C``
   and ``P``. For each operand, its tiles are re-fetched once per iteration
   of every loop *irrelevant* to it (``P`` for filters, ``K`` for inputs,
   ``C`` for outputs) that sits outside its innermost relevant loop. Each
   operand is indexed by two of the three loops, so its irrelevant loop is
   outside its innermost relevant one unless it is the innermost loop of all:
   only the innermost loop matters, and the 6 orders reduce to 3 closed forms
   (innermost ``P``: filters once, inputs ``x nK``, outputs ``x nC``;
   innermost ``C``: outputs once, filters ``x nP``, inputs ``x nK``;
   innermost ``K``: inputs once, filters ``x nP``, outputs ``x nC``),
   compared for all candidates in one broadcast. Outputs visited more than
   once spill partial sums: written on every visit, read back on every visit
   but the first. Each candidate keeps its best order.
3. *Selection* (per design, vectorised across designs): among candidates
   whose tile fits the three SRAMs and covers one array fold (the
   dimensions the dataflow lays out spatially are at least as large in the
   tile as on the array, up to the layer size), take the one with the least
   DRAM traffic, ties broken by the smaller tile (shorter pipeline prologue).
   Since SRAM and on-chip accesses do not depend on the tiling, least DRAM
   traffic is also least energy and, up to the prologue, least latency.

Traffic is in elements; the caller multiplies by bytes per element.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from itertools import permutations
from typing import Sequence

import numpy as np

from .knobs import SPACE
from .layer import Layer
from .spatial import IS, OS, WS

log = logging.getLogger(__name__)

#: loop blocks and the operands they index: filter (K, C), ifmap (C, P), ofmap (K, P)
_LOOPS = ("K", "C", "P")
_RELEVANT = {"W": {"K", "C"}, "I": {"C", "P"}, "O": {"K", "P"}}
#: the 6 orders of the loop blocks, outermost first
ORDERS: tuple[tuple[str, ...], ...] = tuple(permutations(_LOOPS))
#: with three loops only the innermost one matters (see the module docstring); candidates are compared with
#: P, C, K innermost, in this order so ties go to the first; each maps to the first order of ORDERS with it
INNERMOST: tuple[str, ...] = ("P", "C", "K")
_INNERMOST_ORDER: tuple[int, ...] = tuple(next(i for i, o in enumerate(ORDERS) if o[-1] == x) for x in INNERMOST)
_INNERMOST_ORDER_ARRAY: np.ndarray = np.array(_INNERMOST_ORDER, dtype=np.int64)

#: every array edge a design can have: the sizes a fold-covering tile may need (:func:`coverage_from_dims`)
EDGES: np.ndarray = np.unique(np.array(SPACE["pe_rows"].choices + SPACE["pe_cols"].choices, dtype=np.int64))
#: upper bound on (designs x candidates) booleans evaluated at once
_CHUNK_ELEMS = 4_000_000
#: from this many keys on, :func:`first_fitting` compares candidates as bit sets
_BITSET_MIN_KEYS = 32
#: the selection cache is cleared when it holds more entries than this
_CACHE_LIMIT = 200_000
#: the candidate-table cache is cleared when it holds more layer shapes than this
_TABLE_LIMIT = 512


@dataclass(frozen=True)
class Candidates:
    """All tilings of one layer group, each with its best loop order, sorted best-first.

    Arrays are per candidate; footprints, SRAM needs and traffic are per group
    in elements. ``foot_*`` is one tile of an operand; ``sram_*`` is the SRAM
    it needs: twice the tile (double buffering), or the tile alone when it is
    the operand's whole tensor (see :func:`sram_need`).
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
    sram_ifmap: np.ndarray
    sram_filter: np.ndarray
    sram_ofmap: np.ndarray
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


def _split_list(d: int) -> list[int]:
    """``ceil(d / 2**i)`` for every ``i``, distinct and largest first (plain Python: the list is short)."""
    vals = {-(-d // (1 << i)) for i in range(int(d).bit_length() + 1)}
    return sorted(vals, reverse=True)


def _covered_extent(total: int, tile: np.ndarray, f: int, stride: int) -> np.ndarray:
    """Input rows fetched over all tiles of ``tile`` output rows (halos counted per tile)."""
    n = -(-total // tile)
    last = total - (n - 1) * tile
    ext = np.minimum((tile - 1) * stride + f, tile * f)
    ext_last = np.minimum((last - 1) * stride + f, last * f)
    return (n - 1) * ext + ext_last


def _undominated(features: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """Mask of the rows of ``features`` (lower is better in every column) that no other row dominates.

    A row is dropped when another is no worse in every column and better in
    one, or identical and earlier. Used per loop before the grid is built: a
    dominated tile size can never be the selected one. ``features`` is an
    ``(n, m)`` array or its ``m`` columns.

    Sort-based: after a stable lexicographic sort every dominating or
    identical-and-earlier row precedes the row it removes, and a preceding
    row that is no worse in every column is one of the two, so a row goes
    exactly when an earlier row in sorted order is no worse in every column
    (the first column needs no test: it is sorted).
    """
    cols = list(features.T) if isinstance(features, np.ndarray) else list(features)
    n = len(cols[0])
    order = np.lexsort(cols[::-1])
    idx = np.arange(n)
    no_worse_earlier = idx[:, None] > idx
    for col in cols[1:]:
        c = col[order]
        no_worse_earlier &= c <= c[:, None]
    keep = np.ones(n, dtype=bool)
    keep[order[no_worse_earlier.any(axis=1)]] = False
    return keep


@dataclass(frozen=True)
class _PixelTiles:
    """Batch-and-pixel tiles ``(tb, toy, tox)`` of a layer, flattened, with what the search needs of them."""

    tb: np.ndarray
    toy: np.ndarray
    tox: np.ndarray
    count: np.ndarray  # tiles per group (the trip count of loop ``P``)
    covered: np.ndarray  # input pixels (rows x columns, halos included) fetched over all tiles, per image channel
    extent: np.ndarray  # input pixels of one tile, per channel (batch included)
    tp: np.ndarray  # output pixels of one tile


def _pixel_tiles(layer: Layer, thresholds: list[int]) -> _PixelTiles:
    """The undominated pixel tiles: all combinations of split sizes, plus one exact tile per coverage threshold.

    The exact tile for ``t`` pixels is ``t`` columns of one row, else
    ``ceil(t / OX)`` whole rows, else ``ceil(t / (OY*OX))`` whole images. A tile
    is dropped when another meets as many coverage thresholds with no more
    trips, input traffic or footprint (:func:`_undominated`).
    """
    tb, toy, tox = np.array(_pixel_combos(layer, thresholds), dtype=np.int64).T.copy()
    count, covered, extent, tp = pixel_terms(layer, tb, toy, tox)
    level = np.searchsorted(np.array(thresholds, dtype=np.int64), tp, side="right")
    keep = _undominated([-level, count, covered, extent, tp])
    return _PixelTiles(tb[keep], toy[keep], tox[keep], count[keep], covered[keep], extent[keep], tp[keep])


def _pixel_combos(layer: Layer, thresholds: list[int]) -> list[tuple[int, int, int]]:
    """Every ``(tb, toy, tox)`` the search starts from: split sizes combined, plus one exact tile per threshold."""
    b, oy, ox = layer.B, layer.OY, layer.OX
    plane = oy * ox
    exact = [(1, 1, t) if t <= ox else (1, -(-t // ox), ox) if t <= plane else (-(-t // plane), oy, ox)
             for t in thresholds]
    return [(i, j, k) for i in _split_list(b) for j in _split_list(oy) for k in _split_list(ox)] + exact


def tile_sizes(layer: Layer) -> dict[str, list[int]]:
    """Per loop (``B, K, C, OY, OX``, per group), every tile size the search draws from, increasing.

    Every candidate of :func:`candidates` combines one size per loop from
    these lists, so their product (with the loop orders) is a superset of the
    candidate set: a fixed-mapping search over it (:mod:`.mapping`) has the
    built-in choice as its least-traffic point.
    """
    need_k, need_c, need_p = _coverage_thresholds(layer)
    combos = _pixel_combos(layer, need_p)
    return {
        "B": sorted({c[0] for c in combos}),
        "K": _loop_sizes(layer.Kg, need_k),
        "C": _loop_sizes(layer.Cg, need_c),
        "OY": sorted({c[1] for c in combos}),
        "OX": sorted({c[2] for c in combos}),
    }


def pixel_terms(
    layer: Layer, tb: np.ndarray, toy: np.ndarray, tox: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What a batch-and-pixel tile ``(tb, toy, tox)`` costs: ``(count, covered, extent, tp)``.

    ``count`` is the trip count of loop ``P`` (tiles per group), ``covered``
    the input pixels (rows x columns, halos counted per tile) fetched over
    all tiles per image channel, ``extent`` the input pixels of one tile per
    channel (batch included) and ``tp`` its output pixels. Arrays broadcast.
    """
    b, oy, ox, fy, fx, s = layer.B, layer.OY, layer.OX, layer.FY, layer.FX, layer.stride
    count = -(-b // tb) * -(-oy // toy) * -(-ox // tox)
    covered = _covered_extent(oy, toy, fy, s) * _covered_extent(ox, tox, fx, s)
    extent = tb * np.minimum((toy - 1) * s + fy, toy * fy) * np.minimum((tox - 1) * s + fx, tox * fx)
    return count, covered, extent, tb * toy * tox


def footprints(
    tk: np.ndarray, tc: np.ndarray, extent: np.ndarray, tp: np.ndarray, fyfx: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elements of one tile of each operand, ``(ifmap, filter, ofmap)``; arrays broadcast.

    ``extent`` and ``tp`` are the pixel tile's input pixels and output pixels
    (:func:`pixel_terms`).
    """
    return tc * extent, tk * tc * fyfx, tk * tp


def operand_traffic(
    inner: np.ndarray | int, size_w: int, size_i: np.ndarray, size_o: int,
    nk: np.ndarray, nc: np.ndarray, count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """DRAM traffic (elements, per group) per operand with loop ``inner`` innermost; arrays broadcast.

    ``inner`` indexes :data:`INNERMOST` (0: ``P``, 1: ``C``, 2: ``K``); the
    loop orders reduce to it (module docstring). The operand the innermost
    loop does not index stays on chip across it and is fetched once; the
    other two are re-fetched once per trip of their irrelevant loop: filters
    ``count`` times, inputs ``nk`` times; outputs are visited ``nc`` times,
    written on every visit and read back on all but the first.
    ``size_i`` is the input fetched over one pass of all pixel tiles, halos
    included. Returns ``(ifmap, filter, ofmap writes, ofmap reads)``.
    """
    inner = np.asarray(inner)
    visits = np.where(inner == 1, 1, nc)
    return (
        np.where(inner == 2, size_i, size_i * nk),
        np.where(inner == 0, size_w, size_w * count),
        size_o * visits,
        size_o * (visits - 1),
    )


def innermost_code(order: Sequence[str]) -> int:
    """The :data:`INNERMOST` code of a loop order (outermost first), e.g. ``("K", "C", "P") -> 0``."""
    return INNERMOST.index(order[-1])


def sram_need(foot: np.ndarray, whole: np.ndarray, groups: int) -> np.ndarray:
    """SRAM (elements) an operand tile of ``foot`` elements needs: double buffering unless it is resident.

    Double buffering loads the next tile while the array computes on this one,
    so a tile may use half of its SRAM. A tile that is the operand's *whole*
    tensor (``whole``: every loop indexing the operand is a single tile) is
    loaded once and never replaced, so nothing is loaded behind it and it may
    use the full SRAM. With several groups the next group's tensor replaces
    it, so grouped layers always double-buffer.
    """
    if groups != 1:
        return 2 * foot
    return np.where(whole, foot, 2 * foot)


def capacities(ifmap_kb, filter_kb, ofmap_kb, precision_bits: float) -> np.ndarray:
    """Full SRAM capacities in elements, shape ``(n, 3)`` (ifmap, filter, ofmap), the last axis of a key."""
    bpe = precision_bits / 8.0
    return np.column_stack([np.floor(np.asarray(kb) * 1024 / bpe).astype(np.int64)
                            for kb in (ifmap_kb, filter_kb, ofmap_kb)])


def _coverage_thresholds(layer: Layer) -> tuple[list[int], list[int], list[int]]:
    """Every ``tk``, ``tc`` and ``tp`` minimum any design may ask of ``layer`` (:func:`coverage_from_dims`), sorted."""
    fyfx, window = layer.FY * layer.FX, layer.window
    edges = EDGES.tolist()
    return (
        sorted({1} | {min(e, layer.Kg) for e in edges}),
        sorted({1} | {-(-min(e, window) // fyfx) for e in edges}),
        sorted({1} | {min(e, layer.pixels) for e in edges}),
    )


def _loop_axis(total: int, thresholds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The tile sizes worth searching for a ``K`` or ``C`` loop of ``total``, and their trip counts.

    The split sizes plus the thresholds; of sizes with the same trip count
    meeting the same coverage thresholds only the smallest is kept (smaller
    footprint, same traffic).
    """
    best: dict[tuple[int, int], int] = {}
    for t in _loop_sizes(total, thresholds):
        best.setdefault((-(-total // t), bisect_right(thresholds, t)), t)
    sizes = np.array(sorted(best.values(), reverse=True), dtype=np.int64)
    return sizes, -(-total // sizes)


def _loop_sizes(total: int, thresholds: list[int]) -> list[int]:
    """The split sizes of a ``K`` or ``C`` loop of ``total`` and its coverage thresholds, increasing."""
    return sorted(set(_split_list(total)).union(min(max(e, 1), total) for e in thresholds))


_candidate_cache: dict[tuple[int, ...], Candidates] = {}


def candidates(shape: tuple[int, ...]) -> Candidates:
    """The sorted candidate table for a layer of loop sizes ``shape`` (see :attr:`Layer.shape`), cached."""
    return candidate_tables([shape])[0]


def candidate_tables(shapes: Sequence[tuple[int, ...]]) -> list[Candidates]:
    """The candidate tables of several layer shapes (built once per shape, then cached)."""
    missing = [sh for sh in dict.fromkeys(shapes) if sh not in _candidate_cache]
    if missing:
        if len(_candidate_cache) > _TABLE_LIMIT:
            _candidate_cache.clear()
        _candidate_cache.update((sh, _build(Layer("_", *sh))) for sh in missing)
    return [_candidate_cache[sh] for sh in shapes]


def clear_caches() -> None:
    """Forget every candidate table and selection (benchmarks use it to time a cold search)."""
    _candidate_cache.clear()
    _selection_cache.clear()


def _build(layer: Layer) -> Candidates:
    """The candidate table of one layer, in one broadcast pass.

    The short per-loop lists (``K`` sizes, ``C`` sizes, pixel tiles with their
    trip counts and halo extents) are built first; the grid ``(K sizes x C
    sizes x pixel tiles)`` is then evaluated at once: the traffic of the three
    loop orders that differ (which loop is innermost, :data:`INNERMOST`) in
    closed form, footprints, SRAM needs, and one sort by (traffic, footprint).
    """
    kg, cg, fyfx = layer.Kg, layer.Cg, layer.FY * layer.FX
    need_k, need_c, need_p = _coverage_thresholds(layer)
    tk, nk = _loop_axis(kg, need_k)
    tc, nc = _loop_axis(cg, need_c)
    px = _pixel_tiles(layer, need_p)

    n_c, n_p = len(tc), len(px.count)
    size_w = kg * cg * fyfx
    size_o = layer.B * kg * layer.OY * layer.OX
    size_i = layer.B * cg * px.covered
    # traffic when P, C or K is innermost: the operand the innermost loop does not index stays on chip
    # across it; the others are re-fetched once per trip of it (ties go to the earlier of P, C, K); the
    # grid (K sizes x C sizes x pixel tiles) is formed by broadcasting the per-loop terms
    w_re = size_w * px.count
    i_re = nk[:, None, None] * size_i
    o_re = (size_o * (2 * nc - 1))[:, None]
    t_p = size_w + i_re + o_re
    t_c = w_re + i_re + size_o
    t_k = w_re + size_i + o_re
    total3 = np.minimum(np.minimum(t_p, t_c), t_k)
    inner = np.where(t_p == total3, 0, np.where(t_c == total3, 1, 2)).reshape(-1)
    total = total3.reshape(-1)

    fi, fw, fo = (f.reshape(-1) for f in footprints(
        tk[:, None, None], tc[None, :, None], px.extent[None, None, :], px.tp[None, None, :], fyfx))
    foot = (fw.reshape(-1, n_c, 1) + fi.reshape(1, n_c, n_p) + fo.reshape(-1, 1, n_p)).reshape(-1)
    rank = _rank(total, foot)
    kc, ip = np.divmod(rank, n_p)
    ik, ic = np.divmod(kc, n_c)
    inner = inner[rank]
    foot_i, foot_w, foot_o = fi[rank % (n_c * n_p)], fw[kc], fo[ik * n_p + ip]
    tk_r, tc_r, count_r, size_i_r = tk[ik], tc[ic], px.count[ip], size_i[ip]
    whole_k, whole_c, whole_p = tk_r == kg, tc_r == cg, count_r == 1
    c = Candidates(
        px.tb[ip], tk_r, tc_r, px.toy[ip], px.tox[ip], _INNERMOST_ORDER_ARRAY[inner],
        foot_i, foot_w, foot_o,
        sram_need(foot_i, whole_c & whole_p, layer.groups),
        sram_need(foot_w, whole_k & whole_c, layer.groups),
        sram_need(foot_o, whole_k & whole_p, layer.groups),
        *operand_traffic(inner, size_w, size_i_r, size_o, nk[ik], nc[ic], count_r),
    )
    log.debug("layer shape %s: %d tiling candidates", layer.shape, len(c))
    return c


def _rank(total: np.ndarray, foot: np.ndarray) -> np.ndarray:
    """Indices sorting by ``total``, ties by ``foot``, ties by position: ``np.lexsort((foot, total))``.

    Both are non-negative, so when ``total * (max(foot) + 1) + foot`` cannot
    overflow one stable argsort of that key gives the same order faster.
    """
    span = int(foot.max()) + 1
    if int(total.max()) < (np.iinfo(np.int64).max - span) // span:
        return np.argsort(total * span + foot, kind="stable")
    return np.lexsort((foot, total))


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
    cap_filter, cap_ofmap)``, full capacities in elements (:func:`capacities`).
    Results are cached per (layer shape, key), so repeated designs cost a
    dictionary lookup; the keys not cached yet are searched together
    (:func:`first_fitting`).
    """
    keys = np.asarray(keys, dtype=np.int64)
    shape = layer.shape
    rows = [(shape, tuple(r)) for r in keys.tolist()]
    cache = _selection_cache
    chosen = [cache.get(r) for r in rows]
    todo = {r: i for r, c, i in zip(rows, chosen, range(len(rows))) if c is None}  # first row of each missing key
    if todo:
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        found = dict(zip(todo, first_fitting(candidates(shape), keys[list(todo.values())]).tolist()))
        cache.update(found)
        chosen = [found[r] if c is None else c for r, c in zip(rows, chosen)]
    return np.array(chosen, dtype=np.int64)


def first_fitting(cand: Candidates, keys: np.ndarray) -> np.ndarray:
    """Per key row (see :func:`select`), the first candidate meeting all six bounds, ``-1`` if none does.

    A few keys are compared with every candidate directly. Many keys share
    few distinct values per column (array edges and SRAM sizes come from
    short knob lists), so then each column's distinct values are compared
    with the candidates once, the results packed into bit sets of 64
    candidates a word, and a key's answer is the lowest bit of the AND of
    its six sets: the same first index, with 64 candidates per operation.
    """
    bounds = ((cand.tk, True), (cand.tc, True), (cand.tp, True),
              (cand.sram_ifmap, False), (cand.sram_filter, False), (cand.sram_ofmap, False))
    out = np.empty(len(keys), dtype=np.int64)
    if len(keys) < _BITSET_MIN_KEYS:
        step = max(1, _CHUNK_ELEMS // max(1, len(cand)))
        for lo in range(0, len(keys), step):
            k = keys[lo : lo + step, :, None]
            ok = np.ones((len(k), len(cand)), dtype=bool)
            for j, (col, at_least) in enumerate(bounds):
                ok &= (col >= k[:, j]) if at_least else (col <= k[:, j])
            first = np.argmax(ok, axis=1)
            out[lo : lo + step] = np.where(ok[np.arange(len(first)), first], first, -1)
        return out
    words = -(-len(cand) // 64)
    step = max(1, _CHUNK_ELEMS // (8 * words))
    for lo in range(0, len(keys), step):
        k = keys[lo : lo + step]
        ok = None
        for j, (col, at_least) in enumerate(bounds):
            values, inverse = np.unique(k[:, j], return_inverse=True)
            fits = (col >= values[:, None]) if at_least else (col <= values[:, None])
            packed = np.zeros((len(values), 8 * words), dtype=np.uint8)
            packed[:, : -(-len(cand) // 8)] = np.packbits(fits, axis=1, bitorder="little")
            sets = packed.view("<u8")[inverse.reshape(-1)]
            ok = sets if ok is None else ok & sets
        assert ok is not None
        word_index = np.argmax(ok != 0, axis=1)
        word = ok[np.arange(len(k)), word_index]
        lowest = word & (~word + np.uint64(1))  # the lowest set bit alone
        bit = np.frexp(lowest.astype(np.float64))[1] - 1  # exact: a power of two is a float's exponent
        out[lo : lo + step] = np.where(word != 0, 64 * word_index + bit, -1)
    return out


def minimum_sram(layer: Layer, need: np.ndarray) -> np.ndarray:
    """Least SRAM ``(ifmap, filter, ofmap)`` in elements any tile meeting ``need`` ``(tk, tc, tp)`` asks for.

    Each is a lower bound for its SRAM on its own (the three may come from
    different tiles); an infeasible design is told these sizes.
    """
    cand = candidates(layer.shape)
    need = np.asarray(need, dtype=np.int64).reshape(-1, 3)
    ok = (cand.tk >= need[:, :1]) & (cand.tc >= need[:, 1:2]) & (cand.tp >= need[:, 2:])
    big = np.iinfo(np.int64).max
    return np.column_stack([np.where(ok, sram, big).min(axis=1)
                            for sram in (cand.sram_ifmap, cand.sram_filter, cand.sram_ofmap)])
