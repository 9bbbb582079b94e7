"""Workloads: the shipped networks and user layer tables (CSV or YAML).

Shipped networks live in ``data/<id>.csv`` in ZigZag's loop names (columns
``name,K,C,OY,OX,FY,FX,stride,groups,B``), with shapes from the papers:

================  ===========================================================
id                source and notes
================  ===========================================================
``alexnet``       Krizhevsky et al., NeurIPS 2012: 227x227 input, conv2/4/5
                  split in 2 groups as in the two-GPU original, 3 FC layers
``vgg16``         Simonyan & Zisserman, ICLR 2015, configuration D, 224x224
``resnet18``      He et al., CVPR 2016, Table 1 (18-layer), 224x224, with the
                  1x1 projection shortcuts and the FC layer
``resnet50``      He et al., CVPR 2016, Table 1 (50-layer), stride on the first
                  1x1 of each stage as in the paper, projection shortcuts, FC
``mobilenetv2``   Sandler et al., CVPR 2018, Table 2 (width 1.0, 224x224):
                  expansion 1x1, 3x3 depthwise (``groups = C``), projection 1x1
``bert-base``     Devlin et al., NAACL 2019: the GEMMs of one encoder layer at
                  sequence length 128 (hidden 768, 12 heads, FFN 3072): Q, K, V
                  and output projections, per-head QK^T and AV (groups = 12),
                  the two FFN GEMMs
``gpt2-decode``   Radford et al. 2019, GPT-2 small (12 layers, hidden 768, 12
                  heads): one decode step (one token, batch 1) with a KV cache
                  of 1024 tokens (the full context): fused QKV, QK^T, AV,
                  output projection, two MLP GEMMs per block, and the LM head
                  (vocabulary 50257)
================  ===========================================================

Pooling, activation, normalisation and residual additions are not MAC work
and are left out, as in SCALE-Sim's topologies.

User tables: a CSV in SCALE-Sim's topology format (``Layer name, IFMAP
Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter,
Strides,``; a name containing ``DP`` marks a depthwise layer as in SCALE-Sim,
and outputs are ``(IFMAP - Filter) // Stride + 1``, no padding), SCALE-Sim's
GEMM format (``Layer, M, N, K``), the ZigZag-named CSV above, or YAML (a
list of layer mappings, or a mapping with ``name`` and ``layers``). Errors
name the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from archgym.errors import UserError, unknown_choice

from .layer import FieldError, Layer, layer_from_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"

#: shipped workload ids, in display order
WORKLOADS: tuple[str, ...] = ("alexnet", "vgg16", "resnet18", "resnet50", "mobilenetv2", "bert-base", "gpt2-decode")

_SCALESIM_CONV = ("Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels",
                  "Num Filter", "Strides")
_SCALESIM_GEMM = ("Layer", "M", "N", "K")


@dataclass(frozen=True)
class Workload:
    """A named sequence of layers; a network's metrics sum its layers."""

    name: str
    layers: tuple[Layer, ...]

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)


def load_workload(spec: Any) -> Workload:
    """A :class:`Workload` from a shipped id, a CSV/YAML path, a layer mapping or a list of them.

    Raises:
        UserError: unknown id (listing the valid ones), missing file, or a
            malformed table (naming file, row and column).
    """
    if isinstance(spec, Workload):
        return spec
    if isinstance(spec, Layer):
        return Workload(spec.name, (spec,))
    if isinstance(spec, (str, os.PathLike)):
        key = str(spec)
        if key in WORKLOADS:
            return _shipped(key)
        path = Path(key).expanduser()
        if path.suffix.lower() in (".csv", ".yaml", ".yml", ".txt"):
            if not path.is_file():
                raise UserError(f"workload file {key!r} not found")
            return load_file(path)
        raise unknown_choice("workload", key, [*WORKLOADS, "<path to a .csv or .yaml layer table>"])
    if isinstance(spec, Mapping):
        if "layers" in spec:
            return _from_records(str(spec.get("name", "custom")), spec["layers"], source="workload")
        return Workload(str(spec.get("name", "layer")), (layer_from_mapping(spec),))
    if isinstance(spec, Sequence):
        return _from_records("custom", spec, source="workload")
    raise UserError(f"cannot read a workload from {type(spec).__name__}; give an id, a path or a list of layers")


@lru_cache(maxsize=None)
def _shipped(name: str) -> Workload:
    return load_file(DATA_DIR / f"{name}.csv", name=name)


def load_file(path: str | os.PathLike, name: str | None = None) -> Workload:
    """A workload from a CSV (SCALE-Sim or ZigZag columns) or YAML layer table."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: cannot read workload file: {e}") from None
    wl_name = name or path.stem
    if path.suffix.lower() in (".yaml", ".yml"):
        return _parse_yaml(text, path, wl_name)
    return _parse_csv(text, path, wl_name)


def _parse_yaml(text: str, path: Path, name: str) -> Workload:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"row {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise UserError(f"{path}: {where}: invalid YAML ({getattr(e, 'problem', e)})") from None
    if isinstance(doc, Mapping):
        name = str(doc.get("name", name))
        records = doc.get("layers")
    else:
        records = doc
    if not isinstance(records, list) or not records:
        raise UserError(f"{path}: expected a non-empty list of layers (or a mapping with 'layers')")
    return _from_records(name, records, source=str(path), row_word="layer")


def _from_records(name: str, records: Iterable[Any], source: str, row_word: str = "layer") -> Workload:
    layers = []
    for i, rec in enumerate(records, start=1):
        if isinstance(rec, Layer):
            layers.append(rec)
            continue
        if not isinstance(rec, Mapping):
            raise UserError(f"{source}: {row_word} {i}: expected a mapping of loop sizes, got {rec!r}")
        try:
            layers.append(layer_from_mapping(rec, default_name=f"layer{i}"))
        except FieldError as e:
            raise UserError(f"{source}: {row_word} {i}, column {e.field!r}: {e}") from None
    if not layers:
        raise UserError(f"{source}: no layers")
    return Workload(name, tuple(layers))


def _cells(text: str) -> list[tuple[int, list[str]]]:
    rows = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells and not cells[0].startswith("#"):
            rows.append((lineno, cells))
    return rows


def _parse_csv(text: str, path: Path, name: str) -> Workload:
    rows = _cells(text)
    if not rows:
        raise UserError(f"{path}: empty layer table")
    header_line, header = rows[0]
    low = [h.lower() for h in header]
    if "ifmap height" in low:
        return _parse_scalesim_conv(rows, path, name)
    if low[:4] == ["layer", "m", "n", "k"]:
        return _parse_scalesim_gemm(rows, path, name)
    if {"k", "c", "oy", "ox"} <= set(low):
        return _parse_zigzag(rows, path, name)
    raise UserError(
        f"{path}: row {header_line}: unrecognised header {','.join(header)!r}; expected SCALE-Sim's "
        f"'{', '.join(_SCALESIM_CONV)},', SCALE-Sim's 'Layer, M, N, K,' or ZigZag names 'name,K,C,OY,OX,FY,FX,stride'"
    )


def _int_cell(path: Path, lineno: int, column: str, value: str) -> int:
    try:
        f = float(value)
    except ValueError:
        f = float("nan")
    if not f.is_integer() or f < 1:
        raise UserError(f"{path}: row {lineno}, column {column!r}: expected a positive integer, got {value!r}")
    return int(f)


def _row_cells(path: Path, lineno: int, cells: list[str], columns: Sequence[str], required: int) -> list[str]:
    if len(cells) < required:
        raise UserError(
            f"{path}: row {lineno}, column {columns[len(cells)]!r}: missing value "
            f"(row has {len(cells)} of {required} columns)"
        )
    return cells


def _parse_scalesim_conv(rows: list[tuple[int, list[str]]], path: Path, name: str) -> Workload:
    cols = list(_SCALESIM_CONV) + ["Stride Width"]
    layers = []
    for lineno, cells in rows[1:]:
        cells = _row_cells(path, lineno, cells, cols, 8)
        v = {c: _int_cell(path, lineno, c, cells[i]) for i, c in enumerate(cols[1 : len(cells)], start=1)}
        lname = cells[0]
        h, w, fh, fw, ch, nf, s = (v[c] for c in cols[1:8])
        sw = v.get("Stride Width", s)
        if sw != s:
            raise UserError(
                f"{path}: row {lineno}, column 'Stride Width': unequal strides ({s}, {sw}) are not supported"
            )
        if fh > h:
            raise UserError(f"{path}: row {lineno}, column 'Filter Height': {fh} exceeds IFMAP Height {h}")
        if fw > w:
            raise UserError(f"{path}: row {lineno}, column 'Filter Width': {fw} exceeds IFMAP Width {w}")
        dw = "DP" in lname
        layers.append(Layer(
            name=lname, K=ch * nf if dw else nf, C=ch, OY=(h - fh) // s + 1, OX=(w - fw) // s + 1,
            FY=fh, FX=fw, stride=s, groups=ch if dw else 1,
        ))
    if not layers:
        raise UserError(f"{path}: no layers after the header")
    return Workload(name, tuple(layers))


def _parse_scalesim_gemm(rows: list[tuple[int, list[str]]], path: Path, name: str) -> Workload:
    cols = list(_SCALESIM_GEMM)
    layers = []
    for lineno, cells in rows[1:]:
        cells = _row_cells(path, lineno, cells, cols, 4)
        m, n, k = (_int_cell(path, lineno, c, cells[i]) for i, c in enumerate(cols[1:4], start=1))
        layers.append(Layer(name=cells[0], K=n, C=k, OY=1, OX=m))
    if not layers:
        raise UserError(f"{path}: no layers after the header")
    return Workload(name, tuple(layers))


def _parse_zigzag(rows: list[tuple[int, list[str]]], path: Path, name: str) -> Workload:
    header = rows[0][1]
    records = []
    for lineno, cells in rows[1:]:
        if len(cells) > len(header):
            raise UserError(f"{path}: row {lineno}: {len(cells)} values but the header has {len(header)} columns")
        rec = {h: c for h, c in zip(header, cells) if c != ""}
        try:
            records.append(layer_from_mapping(rec, default_name=f"row{lineno}"))
        except FieldError as e:
            raise UserError(f"{path}: row {lineno}, column {e.field!r}: {e}") from None
    if not records:
        raise UserError(f"{path}: no layers after the header")
    return Workload(name, tuple(records))
