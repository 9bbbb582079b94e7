"""Mapping search: the dataflow mapping of one layer on fixed accelerator hardware.

The cost model is the accelerator's (:mod:`archgym.simulators.accelerator`,
fixed mappings through :mod:`~archgym.simulators.accelerator.mapping`); this
package declares the per-layer design space (:mod:`.knobs`), resolves the
layer (:mod:`.workloads`) and wraps both as a :class:`MappingSimulator`.
See ``README.md`` next to this file.
"""

from __future__ import annotations

from .knobs import mapping_space
from .simulator import MappingSimulator, hardware_design
from .workloads import DEFAULT_LAYER, load_layer

__all__ = ["DEFAULT_LAYER", "MappingSimulator", "hardware_design", "load_layer", "mapping_space"]
