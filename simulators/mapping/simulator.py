"""The mapping of one layer on fixed accelerator hardware, as an archgym :class:`~archgym.simulator.Simulator`."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError
from archgym.metrics import Metrics
from archgym.simulator import Simulator
from archgym.simulators.accelerator import SPACE as HARDWARE_SPACE
from archgym.simulators.accelerator import Layer, costs
from archgym.simulators.accelerator.mapping import MAPPING_KEYS, mapping_metrics
from archgym.simulators.accelerator.simulator import METRIC_NAMES, METRICS

from .knobs import mapping_space
from .workloads import DEFAULT_LAYER, layer_label, load_layer


def hardware_design(spec: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """A validated accelerator design from a mapping of knob values or ``"knob=value,..."`` (None: defaults).

    Raises:
        UserError: a malformed string, an unknown knob or a value outside its set.
    """
    if spec is None:
        spec = {}
    if isinstance(spec, str):
        pairs = [p.strip() for p in spec.split(",") if p.strip()]
        bad = [p for p in pairs if p.count("=") != 1]
        if bad:
            raise UserError(f"hardware {spec!r}: expected 'knob=value,...', got {bad[0]!r}")
        spec = dict(p.split("=") for p in pairs)
        spec = {k.strip(): v.strip() for k, v in spec.items()}
    try:
        return HARDWARE_SPACE.validate(spec)
    except ValueError as e:
        raise UserError(f"hardware: {e}") from None


class MappingSimulator(Simulator):
    """One layer on fixed accelerator hardware; the design is the mapping (tiles, loop order[, dataflow]).

    Costs come from the accelerator model itself
    (:func:`archgym.simulators.accelerator.mapping.mapping_metrics`): same
    metrics, same numbers as ``archgym/Accelerator-v1`` for the same
    mapping. The space depends on the layer, so a simulator is built for one
    layer and its workload is that layer.

    Args:
        layer: ``"network:layer"``, loop sizes or a :class:`Layer` (default ``resnet18:conv2_1a``).
        hardware: the accelerator design (knob values or ``"knob=value,..."``; missing knobs take defaults).
        search_dataflow: the dataflow is a mapping knob instead of the hardware's.
        freq_mhz, precision_bits, energy_table: as for :class:`~archgym.simulators.accelerator.AcceleratorSimulator`.

    Example:
        >>> sim = MappingSimulator("resnet18:conv2_1a", hardware="pe_rows=16,pe_cols=16")
        >>> m = sim.evaluate(sim.space.defaults(), sim.default_workload)   # the built-in mapper's choice
        >>> m.feasible, int(m["mac_count"])
        (True, 115605504)
    """

    name = "mapping"
    version = "0.1.0"
    metrics = METRICS

    def __init__(
        self,
        layer: Any = None,
        hardware: Mapping[str, Any] | str | None = None,
        *,
        search_dataflow: bool = False,
        freq_mhz: float = 1000.0,
        precision_bits: float = costs.REFERENCE_BITS,
        energy_table: Mapping[str, float] | None = None,
    ):
        spec = DEFAULT_LAYER if layer is None else layer
        self.layer = load_layer(spec)
        self.default_workload = layer_label(spec, self.layer)
        self.hardware = hardware_design(hardware)
        self.search_dataflow = bool(search_dataflow)
        self.freq_mhz = float(freq_mhz)
        self.precision_bits = float(precision_bits)
        self.energy = costs.energy_table(energy_table, self.precision_bits)
        self.space = mapping_space(self.layer, self.hardware, self.search_dataflow)

    def workloads(self) -> list[str]:
        return [self.default_workload]

    def load_workload(self, workload: Any) -> Layer:
        """The bound layer; another layer is refused (the space is built for this one)."""
        if workload is None or workload == self.default_workload:
            return self.layer
        layer = load_layer(workload)
        if layer.shape != self.layer.shape:
            raise UserError(f"this mapping simulator is built for layer {self.default_workload!r}; "
                            f"make a new one for {workload!r}")
        return layer

    def workload_name(self, workload: Any) -> str:
        return self.default_workload

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        """Every mapping in one vectorised pass per dataflow."""
        layer = self.load_workload(workload)
        out: list[Metrics | None] = [None] * len(designs)
        groups: dict[str, list[int]] = {}
        for i, d in enumerate(designs):
            groups.setdefault(d.get("dataflow", self.hardware["dataflow"]), []).append(i)
        for dataflow, idx in groups.items():
            hw = {**self.hardware, "dataflow": dataflow}
            maps = [{k: designs[i][k] for k in MAPPING_KEYS} for i in idx]
            values, reasons = mapping_metrics(layer, hw, maps, self.energy, self.precision_bits, self.freq_mhz)
            table = np.column_stack([values[k] for k in METRIC_NAMES]).tolist()
            for i, row, reason in zip(idx, table, reasons):
                out[i] = (Metrics.infeasible(f"layer {layer.name!r}: {reason}") if reason
                          else Metrics(dict(zip(METRIC_NAMES, row))))
        return [m for m in out if m is not None]
