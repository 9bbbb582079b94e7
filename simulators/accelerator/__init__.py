"""Analytical model of a spatial (systolic-array) DNN accelerator.

A pipeline of small pure functions in the style of ZigZag (parse workload ->
spatial mapping -> temporal mapping search -> traffic -> cost), numpy
vectorised across designs:

* :mod:`.layer` / :mod:`.workloads` - layers in ZigZag loop names, shipped
  networks and user tables (SCALE-Sim CSV, ZigZag CSV, YAML);
* :mod:`.spatial` - the dataflow's folding onto the array and SCALE-Sim's
  closed-form compute cycles;
* :mod:`.tiling` - loop blocking into the double-buffered SRAMs, searched
  LOMA-style over all tile sizes and loop orders as arrays;
* :mod:`.model` - DRAM stalls (double-buffered roofline), energy, area;
* :mod:`.costs` - the cited technology constants;
* :mod:`.simulator` - :class:`AcceleratorSimulator`, :func:`simulate_layer` and
  :func:`explain_layer` (the mapping chosen for a layer).

See ``README.md`` next to this file for the model, its constants and its
limitations.
"""

from __future__ import annotations

from .costs import default_energy_table
from .knobs import DATAFLOWS, SPACE
from .layer import Layer, layer_from_mapping
from .simulator import METRICS, AcceleratorSimulator, explain_layer, simulate_layer
from .workloads import WORKLOADS, Workload, load_workload

__all__ = [
    "AcceleratorSimulator",
    "DATAFLOWS",
    "Layer",
    "METRICS",
    "SPACE",
    "WORKLOADS",
    "Workload",
    "default_energy_table",
    "explain_layer",
    "layer_from_mapping",
    "load_workload",
    "simulate_layer",
]
