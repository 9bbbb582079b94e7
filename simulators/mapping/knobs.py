"""The mapping design space of one layer: tile sizes per loop, loop order, optionally the dataflow.

Unlike the hardware knobs of the other simulators, the mapping knobs depend
on the layer: a tile of a loop ranges over the sizes the accelerator's
built-in mapper draws from for that loop (:func:`archgym.simulators.
accelerator.tiling.tile_sizes`: ``ceil(D / 2**i)`` for every ``i``, plus the
sizes that exactly cover an array edge of 4..256), so :func:`mapping_space`
builds the declaration per layer. Defaults are the built-in mapper's choice
on the given hardware (when some tiling fits it), so the default mapping
reproduces ``archgym/Accelerator-v1``'s numbers for that layer.
"""

from __future__ import annotations

from typing import Any, Mapping

from archgym.simulators.accelerator import DATAFLOWS, Layer, tiling
from archgym.simulators.accelerator.mapping import LOOP_ORDERS, TILE_LOOPS, builtin_mapping
from archgym.space import ParameterSpace, categorical, integer

#: what each tile knob counts, for the knob table
_MEANING = {
    "B": "images per tile (of B={n})",
    "K": "output channels per tile (of K/groups={n})",
    "C": "input channels per tile (of C/groups={n}; FY x FX is never split)",
    "OY": "output rows per tile (of OY={n})",
    "OX": "output columns per tile (of OX={n})",
}


def mapping_space(layer: Layer, hardware: Mapping[str, Any], search_dataflow: bool = False) -> ParameterSpace:
    """The knobs of a mapping of ``layer`` on ``hardware`` (a validated accelerator design).

    ``search_dataflow`` adds the spatial mapping as a knob (``dataflow``: which
    GEMM dimensions the array's rows and columns unroll), for an array that
    can be configured per layer; otherwise it is the hardware's.
    """
    sizes = tiling.tile_sizes(layer)
    limits = {"B": layer.B, "K": layer.Kg, "C": layer.Cg, "OY": layer.OY, "OX": layer.OX}
    default = builtin_mapping(layer, hardware) or {
        **{f"tile_{x}": sizes[x][-1] for x in TILE_LOOPS}, "loop_order": LOOP_ORDERS[0]}
    knobs = [integer(f"tile_{x}", sizes[x], default=default[f"tile_{x}"], help=_MEANING[x].format(n=limits[x]))
             for x in TILE_LOOPS]
    knobs.append(categorical("loop_order", LOOP_ORDERS, default=default["loop_order"],
                             help="tile loops outermost first; P is the batch-and-pixel block"))
    if search_dataflow:
        knobs.append(categorical("dataflow", DATAFLOWS, default=hardware["dataflow"],
                                 help="spatial unrolling: ws (window x filters), os (pixels x filters), "
                                      "is (window x pixels) on rows x columns"))
    return ParameterSpace(knobs)
