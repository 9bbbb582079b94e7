"""Thin adapters around the peer tools used to validate archgym's accelerator model.

Two independent tools are wrapped here so the benchmark scripts stay short:

* **SCALE-Sim** (``scalesim`` on PyPI): a cycle-level systolic-array simulator.
  We use only its compute-cycle count for one layer on an R x C array with one
  of the ``ws`` / ``os`` / ``is`` dataflows. Each call writes a topology CSV and
  a config file into a fresh temporary directory and reads back
  ``COMPUTE_REPORT.csv``.
* **ZigZag** (``zigzag-dse`` on PyPI): an analytical DSE framework with its own
  temporal-mapping search (LOMA). We describe the *same* hardware as archgym's
  design (an R x C systolic MAC array, per-PE registers, three SRAMs of the
  design's sizes, a DRAM port of the design's bandwidth) with the *same* energy
  table (archgym's default), generate ZigZag's accelerator / workload / mapping
  YAML in a temporary directory, and read latency, energy and DRAM traffic back.

The shared helpers (statistics, result cache, table printing, the layer and
array sets, calls into archgym) also live here so ``fidelity.py`` and
``speed.py`` share them. Nothing in the ``archgym`` package imports this file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent

#: Bytes per operand element on both sides (int8 activations and weights).
BYTES_PER_WORD = 1

LAYER_KEYS = ("K", "C", "OY", "OX", "FY", "FX", "stride")

#: Width of a partial sum in ZigZag's description. archgym counts every ofmap
#: element (partial or final) at the operand precision (8 bits), registers
#: included; 8-bit psums make ZigZag count the same bytes.
PSUM_BITS = 8


# --------------------------------------------------------------------------- #
# Environment checks
# --------------------------------------------------------------------------- #
def require_peers(*names: str) -> None:
    """Exit with a clear one-line message if a peer tool or archgym is missing.

    Args:
        names: any of ``"zigzag"``, ``"scalesim"``, ``"archgym"``.
    """
    missing = []
    for name in names:
        try:
            if name == "archgym":
                _import_archgym_accelerator()
            else:
                __import__(name)
        except Exception as exc:  # ImportError, or a broken install
            missing.append((name, exc))
    if missing:
        lines = [f"error: benchmark peer '{n}' is not importable ({type(e).__name__}: {e})." for n, e in missing]
        lines.append(
            "Set up the benchmark venv as benchmarks/accelerator/README.md says (from the repository root):\n"
            "  python3 -m venv benchmarks/accelerator/.venv && "
            "benchmarks/accelerator/.venv/bin/pip install -r benchmarks/accelerator/requirements.txt -e .\n"
            "and run the script with benchmarks/accelerator/.venv/bin/python."
        )
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2)


def _import_archgym_accelerator():
    """Import archgym's accelerator simulator, adding the repo root to the path if needed."""
    try:
        import archgym.simulators.accelerator as acc  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(REPO_ROOT))
        import archgym.simulators.accelerator as acc  # noqa: F401
    if not hasattr(acc, "simulate_layer"):
        raise ImportError("archgym.simulators.accelerator has no simulate_layer yet")
    return acc


@contextlib.contextmanager
def quiet():
    """Silence stdout, stderr and logging (both peers are chatty)."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logging.disable(previous)


# --------------------------------------------------------------------------- #
# archgym side
# --------------------------------------------------------------------------- #
def archgym_accelerator():
    """Return the ``archgym.simulators.accelerator`` module."""
    return _import_archgym_accelerator()


def default_energy_table() -> dict[str, float]:
    """archgym's default per-access energy table (pJ), shared with ZigZag."""
    acc = archgym_accelerator()
    costs = getattr(acc, "costs", None)
    for owner, name in ((acc, "DEFAULT_ENERGY_TABLE"), (acc, "default_energy_table"), (costs, "default_energy_table")):
        table = getattr(owner, name, None)
        if table is not None:
            table = table() if callable(table) else table
            return {k: float(v) for k, v in dict(table).items()}
    raise RuntimeError("archgym.simulators.accelerator exposes no default energy table")


def ours_layer(layer: Mapping[str, int], design: Mapping[str, Any], energy_table=None) -> dict[str, float]:
    """Run archgym's ``simulate_layer`` and return its metrics as a plain dict."""
    acc = archgym_accelerator()
    m = acc.simulate_layer(dict(layer), dict(design), energy_table=energy_table)
    out = {k: float(m[k]) for k in m}
    feasible = getattr(m, "feasible", True)
    out["feasible"] = bool(feasible)
    if not feasible:
        out["reason"] = str(getattr(m, "reason", ""))
    return out


# --------------------------------------------------------------------------- #
# Shared layer / array sets
# --------------------------------------------------------------------------- #
def conv(name: str, K: int, C: int, OY: int, OX: int, FY: int, FX: int, stride: int = 1) -> dict[str, Any]:
    """A layer dict with ZigZag's loop names plus a display name."""
    return {"name": name, "K": K, "C": C, "OY": OY, "OX": OX, "FY": FY, "FX": FX, "stride": stride}


def gemm(name: str, M: int, K: int, N: int) -> dict[str, Any]:
    """A GEMM ``(M x K) @ (K x N)`` as a 1x1 convolution: OX = M tokens, C = K, K = N."""
    return conv(name, K=N, C=K, OY=1, OX=M, FY=1, FX=1)


BENCH_LAYERS: list[dict[str, Any]] = [
    conv("resnet18.conv1", 64, 3, 112, 112, 7, 7, 2),
    conv("resnet18.conv2_x", 64, 64, 56, 56, 3, 3),
    conv("resnet18.conv3_1", 128, 64, 28, 28, 3, 3, 2),
    conv("resnet18.conv4_x", 256, 256, 14, 14, 3, 3),
    conv("resnet18.conv5_x", 512, 512, 7, 7, 3, 3),
    conv("resnet18.down3", 128, 64, 28, 28, 1, 1, 2),
    conv("vgg16.conv1_2", 64, 64, 224, 224, 3, 3),
    conv("vgg16.conv3_2", 256, 256, 56, 56, 3, 3),
    conv("mobilenetv2.pw_expand", 96, 16, 112, 112, 1, 1),
    conv("mobilenetv2.pw_project", 32, 192, 28, 28, 1, 1),
    gemm("bert.qkv", 128, 768, 2304),
    gemm("bert.ffn1", 128, 768, 3072),
]


def layer_only(layer: Mapping[str, Any]) -> dict[str, int]:
    """Strip a layer dict down to the loop keys archgym accepts."""
    return {k: int(layer[k]) for k in LAYER_KEYS}


def macs(layer: Mapping[str, Any]) -> int:
    """Multiply-accumulates in one layer."""
    return int(np.prod([layer[k] for k in ("K", "C", "OY", "OX", "FY", "FX")]))


def make_design(rows: int, cols: int, dataflow: str = "ws", ifmap_kb: int = 64, filter_kb: int = 64,
                ofmap_kb: int = 64, dram_bandwidth: int = 16) -> dict[str, Any]:
    """An archgym design dict with the knob names from issue 3."""
    return {
        "pe_rows": rows,
        "pe_cols": cols,
        "dataflow": dataflow,
        "ifmap_sram_kb": ifmap_kb,
        "filter_sram_kb": filter_kb,
        "ofmap_sram_kb": ofmap_kb,
        "dram_bandwidth": dram_bandwidth,
    }


def config_key(tool: str, layer: Mapping[str, Any], design: Mapping[str, Any], extra: str = "") -> str:
    """A stable string key for the result cache."""
    lay = "x".join(f"{k}{layer[k]}" for k in LAYER_KEYS)
    des = ",".join(f"{k}={design[k]}" for k in sorted(design))
    return f"{tool}|{lay}|{des}{('|' + extra) if extra else ''}"


# --------------------------------------------------------------------------- #
# SCALE-Sim
# --------------------------------------------------------------------------- #
def _ifmap_size(o: int, f: int, stride: int) -> int:
    """Input extent that yields ``o`` outputs with a filter of ``f`` and no padding."""
    return (o - 1) * stride + f


def scalesim_layer(layer: Mapping[str, Any], design: Mapping[str, Any]) -> dict[str, float]:
    """Run SCALE-Sim on one layer; return its compute cycles.

    ``compute_cycles`` is SCALE-Sim's "Total Cycles" column (without the
    initial prefetch). The interface bandwidth is ``CALC`` (SCALE-Sim picks
    what the array needs), so it contains no DRAM stalls: it is the array's
    compute time, folds x (fill + stream + drain), which is what archgym's
    ``compute_cycles`` models.
    """
    from scalesim.scale_sim import scalesim

    h = _ifmap_size(layer["OY"], layer["FY"], layer["stride"])
    w = _ifmap_size(layer["OX"], layer["FX"], layer["stride"])
    with tempfile.TemporaryDirectory(prefix="archgym-scalesim-") as tmp:
        tmp = Path(tmp)
        topo = tmp / "layer.csv"
        topo.write_text(
            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
            f"layer, {h}, {w}, {layer['FY']}, {layer['FX']}, {layer['C']}, {layer['K']}, {layer['stride']},\n"
        )
        layout = tmp / "layout.csv"
        layout.write_text("Layer name,\n")
        cfg = tmp / "scale.cfg"
        cfg.write_text(_SCALESIM_CFG.format(
            rows=design["pe_rows"], cols=design["pe_cols"], df=design["dataflow"],
            ifmap=design["ifmap_sram_kb"], filt=design["filter_sram_kb"], ofmap=design["ofmap_sram_kb"],
        ))
        with quiet():
            sim = scalesim(save_disk_space=True, verbose=False, config=str(cfg), topology=str(topo),
                           layout=str(layout))
            sim.run_scale(top_path=str(tmp / "out"))
        report = next((tmp / "out").glob("*/COMPUTE_REPORT.csv"))
        with report.open() as fh:
            rows = [[c.strip() for c in r] for r in csv.reader(fh)]
    header, values = rows[0], rows[1]
    col = {name: i for i, name in enumerate(header)}
    return {
        "compute_cycles": float(values[col["Total Cycles"]]),
        "cycles_incl_prefetch": float(values[col["Total Cycles (incl. prefetch)"]]),
        "mapping_efficiency": float(values[col["Mapping Efficiency %"]]) / 100.0,
    }


_SCALESIM_CFG = """\
[general]
run_name = archgym_bench

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {ifmap}
FilterSramSzkB: {filt}
OfmapSramSzkB: {ofmap}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth: 10
Dataflow: {df}
MemoryBanks: 1
ReadRequestBuffer: 512
WriteRequestBuffer: 512

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""


# --------------------------------------------------------------------------- #
# ZigZag
# --------------------------------------------------------------------------- #
def _port(name: str, kind: str, bw_bits: int, alloc: list[str]) -> dict[str, Any]:
    # bandwidth_min = 8 bits makes ZigZag count accesses at byte granularity, so
    # energy = bytes moved x (pJ per byte) exactly as archgym counts it.
    return {"name": name, "type": kind, "bandwidth_min": min(8, bw_bits), "bandwidth_max": bw_bits,
            "allocation": alloc}


def _memory(size_bits: int, pj_per_byte: float, bw_bits: int, operands: list[str], served: list[str],
            rw_shared: bool = False) -> dict[str, Any]:
    """One ZigZag memory whose per-access cost is ``pj_per_byte`` scaled to its port width."""
    cost = pj_per_byte * bw_bits / 8.0
    reads, writes = [], []
    for op in operands:
        if op == "O":
            reads += ["O, tl", "O, th"]
            writes += ["O, fh", "O, fl"]
        else:
            reads.append(f"{op}, tl")
            writes.append(f"{op}, fh")
    if rw_shared:
        ports = [_port("rw_port_1", "read_write", bw_bits, reads + writes)]
    else:
        ports = [_port("r_port_1", "read", bw_bits, reads), _port("w_port_1", "write", bw_bits, writes)]
    return {"size": int(size_bits), "r_cost": float(cost), "w_cost": float(cost), "area": 0.0, "latency": 1,
            "operands": operands, "ports": ports, "served_dimensions": served}


def zigzag_accelerator(design: Mapping[str, Any], energy: Mapping[str, float], psum_bits: int = PSUM_BITS) -> dict:
    """ZigZag accelerator description equivalent to an archgym design.

    R x C systolic MAC array (``D1`` = rows, ``D2`` = columns, both systolic);
    one register per operand in every PE (cost ``rf_pj_per_byte``); three
    SRAMs of the design's sizes shared by the whole array (cost
    ``sram_pj_per_byte``; ports wide enough to feed a row or column per cycle,
    as in a systolic array); one DRAM whose single read/write port carries
    ``dram_bandwidth`` bytes per cycle (cost ``dram_pj_per_byte``); MAC energy
    ``mac_pj``.
    """
    rows, cols = int(design["pe_rows"]), int(design["pe_cols"])
    rf, sram, dram = energy["rf_pj_per_byte"], energy["sram_pj_per_byte"], energy["dram_pj_per_byte"]
    # SRAM ports wide enough for a full array's worth of operands per cycle, so
    # that (as in archgym and SCALE-Sim) only the DRAM port can stall the array.
    edge_bits = 8 * BYTES_PER_WORD * rows * cols
    kb = 8 * 1024
    return {
        "name": "archgym_systolic",
        "memories": {
            "rf_w": _memory(8 * BYTES_PER_WORD, rf, 8 * BYTES_PER_WORD, ["I2"], []),
            "rf_i": _memory(8 * BYTES_PER_WORD, rf, 8 * BYTES_PER_WORD, ["I1"], []),
            "rf_o": _memory(psum_bits, rf, psum_bits, ["O"], []),
            "sram_filter": _memory(design["filter_sram_kb"] * kb, sram, edge_bits, ["I2"], ["D1", "D2"]),
            "sram_ifmap": _memory(design["ifmap_sram_kb"] * kb, sram, edge_bits, ["I1"], ["D1", "D2"]),
            "sram_ofmap": _memory(design["ofmap_sram_kb"] * kb, sram, psum_bits * rows * cols, ["O"],
                                  ["D1", "D2"]),
            "dram": _memory(10**12, dram, 8 * int(design["dram_bandwidth"]), ["I1", "I2", "O"], ["D1", "D2"],
                            rw_shared=True),
        },
        "operational_array": {
            "unit_energy": float(energy["mac_pj"]),
            "unit_area": 1.0,
            "dimensions": ["D1", "D2"],
            "sizes": [rows, cols],
            "systolic_dimensions": ["D1", "D2"],
        },
    }


def zigzag_workload(layers: Sequence[Mapping[str, Any]], psum_bits: int = PSUM_BITS) -> list[dict[str, Any]]:
    """ZigZag workload entries (8-bit operands, no padding) for a list of layers."""
    out = []
    for i, layer in enumerate(layers):
        s = int(layer["stride"])
        out.append({
            "id": i,
            "name": f"layer{i}",
            "operator_type": "Conv",
            "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
            "dimension_relations": [f"ix={s}*ox+1*fx", f"iy={s}*oy+1*fy"],
            "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
            "loop_sizes": [1] + [int(layer[k]) for k in ("K", "C", "OY", "OX", "FY", "FX")],
            "operand_precision": {"W": 8 * BYTES_PER_WORD, "I": 8 * BYTES_PER_WORD, "O": psum_bits,
                                  "O_final": 8 * BYTES_PER_WORD},
            "operand_source": {"I": i, "W": i},
        })
    return out


def _fill(array: int, dims: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Greedy mixed unrolling of several layer dims onto one array edge (product <= array)."""
    out, room = [], array
    for dim, size in dims:
        f = min(size, room)
        if f > 1 or not out:
            out.append((dim, max(f, 1)))
        room //= max(f, 1)
        if room <= 1:
            break
    return out


def spatial_mapping(layer: Mapping[str, Any], design: Mapping[str, Any]) -> dict[str, list[str]]:
    """ZigZag spatial mapping matching SCALE-Sim's dataflow conventions.

    * ``ws``: rows hold filter elements (C, then FX, FY), columns filters (K).
    * ``os``: rows hold output pixels (OX, then OY), columns filters (K).
    * ``is``: rows hold filter elements (C, FX, FY), columns output pixels (OX, OY).
    """
    rows, cols = int(design["pe_rows"]), int(design["pe_cols"])
    filt = [("C", layer["C"]), ("FX", layer["FX"]), ("FY", layer["FY"])]
    pix = [("OX", layer["OX"]), ("OY", layer["OY"])]
    df = design["dataflow"]
    if df == "ws":
        d1, d2 = _fill(rows, filt), _fill(cols, [("K", layer["K"])])
    elif df == "os":
        d1, d2 = _fill(rows, pix), _fill(cols, [("K", layer["K"])])
    elif df == "is":
        d1, d2 = _fill(rows, filt), _fill(cols, pix)
    else:
        raise ValueError(f"unknown dataflow {df!r}")
    return {"D1": [f"{d}, {f}" for d, f in d1], "D2": [f"{d}, {f}" for d, f in d2]}


def zigzag_mapping(layers: Sequence[Mapping[str, Any]], design: Mapping[str, Any],
                   temporal_orderings: Sequence[list[list]] | None = None) -> list[dict[str, Any]]:
    """ZigZag mapping entries: one per layer (matched by name), optional fixed loop orders."""
    out = []
    for i, layer in enumerate(layers):
        entry: dict[str, Any] = {
            "name": f"layer{i}",
            "spatial_mapping": spatial_mapping(layer, design),
            "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"},
        }
        if temporal_orderings is not None:
            entry["temporal_ordering"] = temporal_orderings[i]
        out.append(entry)
    out.append({"name": "default", "spatial_mapping": spatial_mapping(layers[0], design),
                "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"}})
    return out


def _cme_summary(cme) -> dict[str, float]:
    """Latency, energy and DRAM bytes of one ZigZag cost-model evaluation."""
    from zigzag.datatypes import Constants  # noqa: F401  (import check only)

    dram_bytes = 0.0
    hierarchy = cme.accelerator.memory_hierarchy
    for layer_op, accesses in cme.memory_word_access.items():
        mem_op = cme.memory_operand_links.layer_to_mem_op(layer_op)
        levels = hierarchy.get_memory_levels(mem_op=mem_op)
        top = levels[len(accesses) - 1]
        if top.name != "dram":
            continue
        acc = accesses[-1]
        bw = top.memory_instance.ports[0].bw_max
        moved = sum(acc.get(d) for d in _directions())
        dram_bytes += moved * bw / 8.0
    return {
        "latency_cycles": float(cme.latency_total2),
        "compute_cycles": float(cme.ideal_temporal_cycle),
        "stall_cycles": float(cme.latency_total2 - cme.ideal_temporal_cycle),
        "energy_pj": float(cme.energy_total),
        "mac_energy_pj": float(cme.mac_energy),
        "dram_bytes": float(dram_bytes),
        "utilization": float(cme.mac_utilization2),
        "ss_stall_cycles": float(cme.latency_total0 - cme.ideal_temporal_cycle),
        "onload_cycles": float(cme.data_onloading_cycle),
        "offload_cycles": float(cme.data_offloading_cycle),
        "mem_energy_by_operand_pj": {str(op): [float(e) for e in v] for op, v in cme.mem_energy_breakdown.items()},
    }


def _directions():
    from zigzag.datatypes import MemoryOperand  # noqa: F401
    from zigzag.mapping.data_movement import DataDirection

    return list(DataDirection)


class ZigZagJob:
    """One ZigZag run whose input files are written up front, so timing :meth:`run` times ZigZag alone.

    The accelerator and mapping YAML files (the harness's work, ~4.5 ms per
    call) are written into a temporary directory when the job is made;
    :meth:`run` then does what ZigZag does on its own: parse them and the
    workload, and run the stages (spatial mapping, LOMA or the given
    temporal mapping, the cost model). Use as a context manager, or call
    :meth:`close`.
    """

    def __init__(self, layers: Sequence[Mapping[str, Any]], design: Mapping[str, Any], energy: Mapping[str, float],
                 temporal_orderings: Sequence[list[list]] | None = None, lpf_limit: int = 6,
                 psum_bits: int = PSUM_BITS):
        import yaml

        self._tmp = tempfile.TemporaryDirectory(prefix="archgym-zigzag-")
        tmp = Path(self._tmp.name)
        self.accelerator_path, self.mapping_path = tmp / "accelerator.yaml", tmp / "mapping.yaml"
        self.accelerator_path.write_text(yaml.safe_dump(zigzag_accelerator(design, energy, psum_bits),
                                                        sort_keys=False))
        self.mapping_path.write_text(yaml.safe_dump(zigzag_mapping(layers, design, temporal_orderings),
                                                    sort_keys=False))
        self.workload = zigzag_workload(layers, psum_bits)
        self.dump_folder = tmp / "out"
        self.lpf_limit = lpf_limit

    def __enter__(self) -> "ZigZagJob":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the input files."""
        self._tmp.cleanup()

    def run(self) -> list[dict[str, Any]]:
        """Run ZigZag on the prepared inputs; one result dict per layer (see :func:`run_zigzag`).

        Each result also carries ``seconds``: the wall time ZigZag spent on
        that layer (mapping generation, search and cost model; the parsing
        done once per run is not in any layer's figure).
        """
        from zigzag.mapping.temporal_mapping import TemporalMappingType
        from zigzag.stages.evaluation.cost_model_evaluation import CostModelStage
        from zigzag.stages.main import MainStage
        from zigzag.stages.mapping.spatial_mapping_generation import SpatialMappingGeneratorStage
        from zigzag.stages.mapping.temporal_mapping_generator_stage import TemporalMappingGeneratorStage
        from zigzag.stages.parser.accelerator_parser import AcceleratorParserStage
        from zigzag.stages.parser.workload_parser import WorkloadParserStage
        from zigzag.stages.workload_iterator import WorkloadStage

        stages = [
            WorkloadParserStage, AcceleratorParserStage, WorkloadStage,
            _best_stage_class(), SpatialMappingGeneratorStage, TemporalMappingGeneratorStage, CostModelStage,
        ]
        main = MainStage(
            stages,
            accelerator=str(self.accelerator_path), workload=self.workload, mapping=str(self.mapping_path),
            dump_folder=str(self.dump_folder), loma_lpf_limit=self.lpf_limit, loma_show_progress_bar=False,
            nb_mappings_generated=1, enable_mix_spatial_mapping_generation=False,
            access_same_data_considered_as_no_access=True,
            temporal_mapping_type=TemporalMappingType("uneven"),
        )
        with quiet():
            answers = main.run()
        results = []
        for cme, (_layer, extra) in answers:
            res = _cme_summary(cme)
            res["temporal_ordering"] = _ordering_of(cme)
            res["spatial_mapping"] = str(cme.layer.spatial_mapping)
            res["mappings_evaluated"] = extra["mappings_evaluated"]
            res["seconds"] = extra["seconds"]
            best_energy = _cme_summary(extra["min_energy_cme"])
            res["min_energy"] = {k: best_energy[k] for k in ("latency_cycles", "energy_pj", "dram_bytes")}
            res["min_energy"]["temporal_ordering"] = _ordering_of(extra["min_energy_cme"])
            results.append(res)
        return results


def run_zigzag(layers: Sequence[Mapping[str, Any]], design: Mapping[str, Any], energy: Mapping[str, float],
               temporal_orderings: Sequence[list[list]] | None = None, lpf_limit: int = 6,
               psum_bits: int = PSUM_BITS) -> list[dict[str, Any]]:
    """Run ZigZag on ``layers`` mapped onto ``design``; one result dict per layer.

    The spatial mapping is fixed by the dataflow (see :func:`spatial_mapping`);
    the temporal mapping is searched by LOMA (``lpf_limit`` loop prime
    factors), unless ``temporal_orderings`` fixes it. Each result carries the
    minimum-latency mapping's numbers and, under ``min_energy``, the latency,
    energy and DRAM bytes of the minimum-energy mapping LOMA found.
    """
    with ZigZagJob(layers, design, energy, temporal_orderings, lpf_limit, psum_bits) as job:
        return job.run()


def _best_stage_class():
    """A ZigZag reduce stage keeping both the minimum-latency and the minimum-energy mapping.

    Defined lazily so importing this module does not import ZigZag.
    """
    from zigzag.stages.stage import Stage

    class BestLatencyAndEnergyStage(Stage):
        """Yield the min-latency CME; its extra info holds the min-energy CME, the mapping count and the time."""

        def run(self):
            t0 = time.perf_counter()
            sub = self.list_of_callables[0](self.list_of_callables[1:], **self.kwargs)
            best_lat = best_en = None
            count = 0
            for cme, _ in sub.run():
                count += 1
                if best_lat is None or (cme.latency_total2, cme.energy_total) < (
                    best_lat.latency_total2, best_lat.energy_total
                ):
                    best_lat = cme
                if best_en is None or (cme.energy_total, cme.latency_total2) < (
                    best_en.energy_total, best_en.latency_total2
                ):
                    best_en = cme
            seconds = time.perf_counter() - t0
            yield best_lat, {"min_energy_cme": best_en, "mappings_evaluated": count, "seconds": seconds}

    return BestLatencyAndEnergyStage


def _ordering_of(cme) -> list[list]:
    """The chosen temporal loop order (innermost first) as ``[[dim, size], ...]``."""
    loops = []
    try:
        tm = cme.temporal_mapping.mapping_dic_origin
        op = next(iter(tm))
        for level in tm[op]:
            for dim, size in level:
                loops.append([str(dim), int(size)])
    except Exception:  # pragma: no cover - best effort for reporting only
        pass
    return loops


# --------------------------------------------------------------------------- #
# Statistics, cache, tables
# --------------------------------------------------------------------------- #
def _ranks(x: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share the mean rank), as Spearman needs."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=float)
    for value in np.unique(x):
        tie = x == value
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation of two equal-length sequences."""
    if len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def mape(ours: Sequence[float], ref: Sequence[float]) -> float:
    """Mean absolute percentage error of ``ours`` against ``ref`` (in %)."""
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    return float(np.mean(np.abs(ours - ref) / np.abs(ref)) * 100.0)


class ResultCache:
    """A JSON file of peer results keyed by :func:`config_key` (committed with the benchmarks)."""

    def __init__(self, path: Path, recompute: bool = False):
        self.path = Path(path)
        self.recompute = recompute
        self.data: dict[str, Any] = {}
        if self.path.exists() and not recompute:
            self.data = json.loads(self.path.read_text())
        self.hits = 0
        self.misses = 0

    def get(self, key: str, compute):
        """Return the cached value for ``key`` or compute, store and return it."""
        if key in self.data:
            self.hits += 1
            return self.data[key]
        self.misses += 1
        value = compute()
        self.data[key] = value
        self.save()
        return value

    def save(self) -> None:
        """Write the cache atomically (sorted keys, so diffs stay small)."""
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, self.path)


def fmt(x: float) -> str:
    """Compact number formatting for tables."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    ax = abs(x)
    if ax >= 1e6:
        return f"{x:.3e}"
    if ax >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(fmt(c) if isinstance(c, float) else str(c) for c in row) + " |")
    return "\n".join(lines)
