"""Roofline time of one operator and ring-collective time over the chip-to-chip links.

The constants and formulas are GenZ's (Bambhaniya et al., "Demystifying
Platform Requirements for Diverse LLM Inference Use Cases", 2024; package
``genz-llm``), so the two models read a platform the same way:

* an operator takes ``max(compute, memory)``: ``2 x MACs x precision factor /
  peak FLOP/s`` against ``bytes / HBM bandwidth`` (GenZ ``operator_base.py``);
* a GB is 2**30 bytes for capacity *and* bandwidth (GenZ ``unit.py`` reads
  ``Memory_size``, ``Memory_BW`` and ``ICN`` with binary prefixes), a TFLOP/s
  is 1e12 FLOP/s;
* ring all-reduce ``5 us + 2 (n-1) link latency + 2 (n-1) (bytes / n) / link
  bandwidth``; all-gather and all-to-all with ``(n-1)`` in place of
  ``2 (n-1)``; a pipeline hand-off ``link latency + bytes / link bandwidth``
  (GenZ ``collective_times.py``, after the ring all-reduce analysis in
  Preferred Networks' "Technologies behind distributed deep learning:
  AllReduce", 2018), with GenZ's default link latency of 1 us.

Every function takes and returns numpy arrays, one entry per configuration.
"""

from __future__ import annotations

import numpy as np

#: bytes in a GB of capacity or a GB/s of bandwidth, as GenZ counts them
GB = 2.0**30
#: one TFLOP/s
TFLOPS = 1e12
#: start-up latency of a collective, s (GenZ collective_times.py)
COLLECTIVE_START_S = 5e-6
#: latency of one chip-to-chip link hop, s (GenZ get_inference_system's default ICN_LL = 1 us)
LINK_LATENCY_S = 1e-6

#: bytes per element and compute-time factor (relative to 16-bit) of each precision: GenZ's
#: ``System.mem_multiplier`` / ``compute_multiplier``; the 2x (8-bit) and 4x (4-bit) peak rates match
#: NVIDIA's A100 (BF16 312, INT8 624, INT4 1248 TOPS) and H100 (BF16 989, FP8 1979 TFLOPS) datasheets
PRECISIONS: dict[str, tuple[float, float]] = {
    "bf16": (2.0, 1.0),
    "fp8": (1.0, 0.5),
    "int8": (1.0, 0.5),
    "int4": (0.5, 0.25),
}


def op_times(macs: np.ndarray, elements: np.ndarray, bytes_per_element: np.ndarray, compute_factor: np.ndarray,
             tflops: np.ndarray, hbm_gb_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Compute and memory time (ms) of an operator: its MACs at peak, its off-chip elements at HBM bandwidth."""
    compute = 2.0 * macs * compute_factor / (tflops * TFLOPS) * 1e3
    memory = elements * bytes_per_element / (hbm_gb_s * GB) * 1e3
    return compute, memory


def all_reduce_ms(nbytes: np.ndarray, nodes: np.ndarray, link_gb_s: np.ndarray) -> np.ndarray:
    """Ring all-reduce of ``nbytes`` among ``nodes`` chips (0 for one chip or no data)."""
    n = np.maximum(nodes, 1.0)
    t = COLLECTIVE_START_S + 2 * (n - 1) * LINK_LATENCY_S + 2 * (n - 1) * (nbytes / n) / (link_gb_s * GB)
    return np.where((n > 1) & (nbytes > 0), t * 1e3, 0.0)


def all_gather_ms(nbytes: np.ndarray, nodes: np.ndarray, link_gb_s: np.ndarray) -> np.ndarray:
    """Ring all-gather (or all-to-all: the same count of steps and bytes) of ``nbytes`` among ``nodes`` chips."""
    n = np.maximum(nodes, 1.0)
    t = COLLECTIVE_START_S + (n - 1) * LINK_LATENCY_S + (n - 1) * (nbytes / n) / (link_gb_s * GB)
    return np.where((n > 1) & (nbytes > 0), t * 1e3, 0.0)


def hand_off_ms(nbytes: np.ndarray, link_gb_s: np.ndarray) -> np.ndarray:
    """One pipeline stage passing ``nbytes`` of activations to the next over a link."""
    return np.where(nbytes > 0, (LINK_LATENCY_S + nbytes / (link_gb_s * GB)) * 1e3, 0.0)
