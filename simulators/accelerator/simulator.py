"""The accelerator as an archgym :class:`~archgym.simulator.Simulator`, and the layer-level entry point."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator

from . import costs, spatial, tiling
from .knobs import DATAFLOWS, SPACE
from .layer import Layer, layer_from_mapping
from .model import design_arrays, evaluate_arrays, evaluate_layers
from .workloads import WORKLOADS, Workload, load_workload

#: every metric a feasible result carries, in report order
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("latency_cycles", "cycles from the first DRAM read to the last DRAM write, summed over layers"),
    MetricSpec("latency_s", "latency at the model's clock (freq_mhz)"),
    MetricSpec("compute_cycles", "SCALE-Sim compute cycles: folds x (T + R + C - 2), + R per fold for ws/is"),
    MetricSpec("stall_cycles", "cycles the array waits for DRAM (latency - compute)"),
    MetricSpec("utilization", "useful MACs / (PEs x latency cycles)", lower_is_better=False),
    MetricSpec("compute_utilization", "useful MACs / (PEs x compute cycles): spatial mapping efficiency",
               lower_is_better=False),
    MetricSpec("mac_count", "multiply-accumulates of the workload"),
    MetricSpec("energy_pj", "total energy: MAC + register file + SRAM + DRAM"),
    MetricSpec("energy_mac_pj", "energy of the MACs"),
    MetricSpec("energy_rf_pj", "energy of PE register accesses (by dataflow role, about 6 per MAC)"),
    MetricSpec("energy_sram_pj", "energy of SRAM accesses (array side and DRAM side)"),
    MetricSpec("energy_dram_pj", "energy of DRAM accesses"),
    MetricSpec("power_mw", "average power: energy / latency"),
    MetricSpec("area_mm2", "area of the PE array and the three SRAMs"),
    MetricSpec("area_pe_mm2", "area of the PE array"),
    MetricSpec("area_sram_mm2", "area of the three SRAMs"),
    MetricSpec("dram_bytes", "DRAM traffic, all operands"),
    MetricSpec("dram_ifmap_bytes", "DRAM reads of input feature maps (with tile halos and re-fetches)"),
    MetricSpec("dram_filter_bytes", "DRAM reads of filters (with re-fetches)"),
    MetricSpec("dram_ofmap_bytes", "DRAM writes of outputs plus partial-sum spills and read-backs"),
    MetricSpec("sram_bytes", "SRAM traffic, all operands (array side and DRAM side)"),
    MetricSpec("sram_ifmap_bytes", "ifmap SRAM traffic"),
    MetricSpec("sram_filter_bytes", "filter SRAM traffic"),
    MetricSpec("sram_ofmap_bytes", "ofmap SRAM traffic (writes, partial-sum reads, DRAM drain)"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)


class AcceleratorSimulator(Simulator):
    """Analytical model of a systolic-array DNN accelerator (SCALE-Sim mapping, LOMA-style tiling search).

    Args:
        freq_mhz: clock frequency, MHz (converts cycles to seconds and power).
        precision_bits: width of every operand (inputs, weights, outputs and
            partial sums), bits.
        energy_table: overrides of the per-access energies, keys ``mac_pj``,
            ``rf_pj_per_byte``, ``sram_pj_per_byte``, ``dram_pj_per_byte``.

    Example:
        >>> sim = AcceleratorSimulator()
        >>> wl = sim.load_workload("resnet18")
        >>> m = sim.evaluate({"pe_rows": 16, "pe_cols": 16, "dataflow": "os"}, wl)
        >>> m.feasible, m["latency_cycles"] > m["compute_cycles"] > 0
        (True, True)
    """

    name = "accelerator"
    version = "0.1.0"
    space = SPACE
    metrics = METRICS
    default_workload = "resnet18"

    def __init__(
        self,
        *,
        freq_mhz: float = 1000.0,
        precision_bits: float = costs.REFERENCE_BITS,
        energy_table: Mapping[str, float] | None = None,
    ):
        if not (np.isfinite(freq_mhz) and freq_mhz > 0):
            raise ValueError(f"freq_mhz must be a positive number, got {freq_mhz!r}")
        if not (np.isfinite(precision_bits) and precision_bits > 0):
            raise ValueError(f"precision_bits must be a positive number, got {precision_bits!r}")
        self.freq_mhz = float(freq_mhz)
        self.precision_bits = float(precision_bits)
        self.energy = costs.energy_table(energy_table, self.precision_bits)

    def workloads(self) -> list[str]:
        return list(WORKLOADS)

    def load_workload(self, workload: Any) -> Workload:
        return load_workload(workload)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        """Metrics of every design, computed in one vectorised pass per layer shape."""
        if not designs:
            return []
        wl = load_workload(workload)
        arrays = design_arrays(designs)
        values, reasons = evaluate_arrays(wl.layers, arrays, self.energy, self.precision_bits, self.freq_mhz)
        table = np.column_stack([values[k] for k in METRIC_NAMES]).tolist()
        return [
            Metrics.infeasible(reason) if reason else Metrics.from_floats(dict(zip(METRIC_NAMES, row)))
            for row, reason in zip(table, reasons)
        ]

    def evaluate_layers(self, design: Mapping[str, Any], workload: Any) -> list[tuple[str, Metrics]]:
        """Per-layer metrics of one design: ``(layer name, Metrics)`` in network order.

        Each entry equals :func:`simulate_layer` on that layer; the network's
        :meth:`evaluate` sums them.
        """
        wl = load_workload(workload)
        d = design_arrays([design])
        rows = evaluate_layers(wl.layers, d, self.energy, self.precision_bits, self.freq_mhz)
        return [
            (layer.name, Metrics.infeasible(reason) if reason else Metrics({k: vals[k] for k in METRIC_NAMES}))
            for layer, (vals, reason) in zip(wl.layers, rows)
        ]


def simulate_layer(
    layer: Mapping[str, Any] | Layer,
    design: Mapping[str, Any],
    energy_table: Mapping[str, float] | None = None,
    *,
    freq_mhz: float = 1000.0,
    precision_bits: float = costs.REFERENCE_BITS,
) -> Metrics:
    """Metrics of one layer on one design, without an environment.

    Args:
        layer: ZigZag loop sizes ``K, C, OY, OX, FY, FX, stride`` (optional
            ``groups``, ``depthwise``, ``B``, ``name``), or a :class:`Layer`.
        design: knob values; missing knobs take their defaults, invalid ones
            raise ``ValueError`` naming the knob, the value and the allowed set.
        energy_table: overrides of ``mac_pj``, ``rf_pj_per_byte``,
            ``sram_pj_per_byte``, ``dram_pj_per_byte``.
        freq_mhz, precision_bits: see :class:`AcceleratorSimulator`.

    Example:
        >>> m = simulate_layer({"K": 64, "C": 64, "OY": 56, "OX": 56, "FY": 3, "FX": 3, "stride": 1},
        ...                    {"pe_rows": 32, "pe_cols": 32, "dataflow": "ws"})
        >>> int(m["compute_cycles"])  # 18 row folds x 2 col folds x (3136 + 2*32 + 32 - 2)
        116280
    """
    lay = layer if isinstance(layer, Layer) else layer_from_mapping(layer)
    sim = AcceleratorSimulator(freq_mhz=freq_mhz, precision_bits=precision_bits, energy_table=energy_table)
    return sim.evaluate(design, Workload(lay.name, (lay,)))


def explain_layer(
    layer: Mapping[str, Any] | Layer, design: Mapping[str, Any], *, precision_bits: float = costs.REFERENCE_BITS
) -> dict[str, Any]:
    """The mapping the model picks for one layer: spatial folding, tile sizes and loop order.

    For inspection and for comparisons with other tools (e.g. giving ZigZag or
    Timeloop the same mapping). Tile sizes are per group; ``loop_order``
    lists the tile loops outermost first (``P`` is the batch and pixel block).
    ``tile`` is ``None`` when no tiling fits.

    Example:
        >>> explain_layer({"K": 5, "C": 6, "OY": 1, "OX": 8}, {"pe_rows": 4, "pe_cols": 4})["folds"]
        (2, 2)
    """
    lay = layer if isinstance(layer, Layer) else layer_from_mapping(layer)
    d = design_arrays([design])
    sr, sc, t = spatial.spatial_dims(lay, d.dataflow)
    rows, cols = int(d.rows[0]), int(d.cols[0])
    caps = tiling.capacities(d.ifmap_kb, d.filter_kb, d.ofmap_kb, precision_bits)
    need = tiling.coverage_minimums(lay, d.rows, d.cols, d.dataflow)
    idx = int(tiling.select(lay, np.column_stack([need, caps]))[0])
    out: dict[str, Any] = {
        "dataflow": DATAFLOWS[int(d.dataflow[0])],
        "spatial": (int(sr[0]), int(sc[0])),
        "temporal": int(t[0]),
        "folds": (-(-int(sr[0]) // rows), -(-int(sc[0]) // cols)),
        "groups": lay.groups,
        "tile": None,
        "loop_order": None,
    }
    if idx >= 0:
        c = tiling.candidates(lay.shape)
        out["tile"] = {"B": int(c.tb[idx]), "K": int(c.tk[idx]), "C": int(c.tc[idx]),
                       "OY": int(c.toy[idx]), "OX": int(c.tox[idx])}
        out["loop_order"] = tiling.ORDERS[int(c.order[idx])]
    return out
