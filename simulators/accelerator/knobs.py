"""The accelerator's design space: the hardware knobs, declared once.

Only hardware choices an architect would search are knobs. Technology and
operating-point constants (clock, operand precision, the energy table) are
parameters of the model with defaults (see :mod:`.costs`), not knobs, so the
search space stays the hardware.

Defaults follow SCALE-Sim's ``configs/scale.cfg`` (32x32 array, 64 KB per
SRAM) with a weight-stationary dataflow.
"""

from __future__ import annotations

from archgym.space import ParameterSpace, categorical, pow2

#: dataflow labels, in the order used for the integer codes of the vectorised model
DATAFLOWS: tuple[str, ...] = ("ws", "os", "is")

SPACE = ParameterSpace(
    [
        pow2("pe_rows", 4, 256, default=32, help="systolic array rows (processing elements)"),
        pow2("pe_cols", 4, 256, default=32, help="systolic array columns (processing elements)"),
        categorical(
            "dataflow",
            list(DATAFLOWS),
            default="ws",
            help="stationary operand: weight (ws), output (os) or input (is) stationary",
        ),
        pow2("ifmap_sram_kb", 1, 2048, default=64, unit="KB", help="input feature map SRAM (double-buffered)"),
        pow2("filter_sram_kb", 1, 2048, default=64, unit="KB", help="filter (weight) SRAM (double-buffered)"),
        pow2(
            "ofmap_sram_kb", 1, 2048, default=64, unit="KB",
            help="output feature map / partial-sum SRAM (double-buffered)",
        ),
        pow2("dram_bandwidth", 1, 256, default=16, unit="B/cycle", help="off-chip DRAM bandwidth per clock cycle"),
    ]
)
