"""The LLM-serving platform's design space: per-chip hardware, parallelism, batch and precision.

Ranges span today's accelerators (GenZ's ``Systems/system_configs.py``: from
TPUv5e's 197 TFLOP/s, 16 GB and 820 GB/s to GB200's 4500 TFLOP/s, 192 GB and
8000 GB/s, links from 24 to 900 GB/s) and a step beyond. The defaults are an
H100-like chip serving alone.
"""

from __future__ import annotations

from archgym.simulators.llm.roofline import PRECISIONS
from archgym.space import ParameterSpace, categorical, integer, pow2

SPACE = ParameterSpace(
    [
        integer("tflops", [125, 250, 500, 1000, 2000, 4000], default=1000, unit="TFLOP/s",
                help="dense 16-bit compute per chip (8-bit runs at 2x, 4-bit at 4x)"),
        integer("hbm_gb_s", [800, 1600, 3200, 6400, 12800], default=3200, unit="GB/s",
                help="HBM bandwidth per chip"),
        integer("hbm_gb", [16, 32, 64, 128, 256], default=64, unit="GB", help="HBM capacity per chip"),
        integer("link_gb_s", [50, 100, 200, 400, 800, 1600], default=400, unit="GB/s",
                help="chip-to-chip link bandwidth per chip"),
        pow2("tensor_parallel", 1, 16, default=1, help="chips sharing each layer (attention heads, FFN columns)"),
        pow2("pipeline_parallel", 1, 16, default=1, help="pipeline stages (layers split across chips)"),
        pow2("expert_parallel", 1, 8, default=1,
             help="chips sharing the experts of an MoE layer; attention is split over TP x EP"),
        pow2("batch", 1, 256, default=1, help="requests served together"),
        categorical("bits", list(PRECISIONS), default="bf16", help="precision of weights, KV cache and activations"),
    ]
)
