"""The LLM-serving model as an archgym :class:`~archgym.simulator.Simulator`.

A design is a platform (see :mod:`.knobs`); a workload fixes the model and the
use case's prompt and output lengths (:mod:`.workloads`).

Example:
    >>> sim = LLMServingSimulator()
    >>> m = sim.evaluate({"tensor_parallel": 4, "batch": 8}, sim.load_workload("llama-3.1-70b/chat"))
    >>> m.feasible, m["chips"]
    (True, 4.0)
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from archgym.metrics import Metrics, MetricSpec
from archgym.simulator import Simulator

from .api import PLATFORM_KEYS, simulate_batch
from .knobs import SPACE
from .workloads import Workload, load_workload, shipped_workloads

METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("ttft_ms", "time to first token: prefill of the whole batch"),
    MetricSpec("tpot_ms", "time per output token: one decode step at full context"),
    MetricSpec("throughput_tokens_per_s", "tokens generated per second by the batch", lower_is_better=False),
    MetricSpec("throughput_per_chip_tokens_per_s", "throughput / chips", lower_is_better=False),
    MetricSpec("chips", "tensor_parallel x pipeline_parallel x expert_parallel"),
    MetricSpec("weights_per_chip_bytes", "weights on the most loaded chip"),
    MetricSpec("kv_cache_per_chip_bytes", "KV cache of the batch at full context on that chip"),
    MetricSpec("memory_per_chip_bytes", "weights + KV cache per chip"),
    MetricSpec("memory_utilization", "memory per chip / HBM capacity"),
    MetricSpec("kv_cache_per_token_bytes", "KV cache of one token over all layers"),
    MetricSpec("prefill_compute_ms", "part of ttft_ms in compute-bound operators"),
    MetricSpec("prefill_memory_ms", "part of ttft_ms in memory-bound operators"),
    MetricSpec("prefill_comm_ms", "part of ttft_ms in collectives and pipeline hand-offs"),
    MetricSpec("decode_compute_ms", "part of tpot_ms in compute-bound operators"),
    MetricSpec("decode_memory_ms", "part of tpot_ms in memory-bound operators"),
    MetricSpec("decode_comm_ms", "part of tpot_ms in collectives and pipeline hand-offs"),
)


class LLMServingSimulator(Simulator):
    """Analytical prefill/decode model of a transformer served on a multi-chip platform (GenZ's method)."""

    name = "llm"
    version = "0.1.0"
    space = SPACE
    metrics = METRICS
    default_workload = "llama-3.1-70b/chat"

    def workloads(self) -> list[str]:
        return shipped_workloads()

    def load_workload(self, workload: Any) -> Workload:
        return load_workload(self.default_workload if workload is None else workload)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        return self.evaluate_batch([design], workload)[0]

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        """Metrics of every design in one vectorised call."""
        wl = self.load_workload(workload)
        full = [self.space.validate(d) for d in designs]
        platforms = [{k: d[k] for k in PLATFORM_KEYS} for d in full]
        scenarios = [{**wl.scenario(), "batch": d["batch"], "bits": d["bits"]} for d in full]
        return simulate_batch(wl.model, platforms, scenarios)
