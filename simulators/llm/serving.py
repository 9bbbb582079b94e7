"""Serving one batch: prefill and decode through the pipeline, memory per chip, and whether it fits.

Given column arrays of platforms and scenarios (one entry per configuration),
:func:`evaluate_columns` returns every metric as an array and a reason per
configuration ("" when feasible):

* **pipeline micro-batching** (GenZ ``llm_prefill.py`` / ``llm_decode.py``):
  with ``PP`` stages the batch ``B`` is cut into micro-batches of
  ``ub = max(B // PP, 1)`` sequences (``ceil(B / ub)`` of them); a micro-batch
  crosses every stage in ``lat(ub)``; a balanced pipeline finishes the batch in
  ``(micro-batches - 1) x lat / PP + lat``;
* ``ttft_ms``: prefill of the whole batch of ``input_tokens`` prompts (GenZ's
  prefill latency for ``PP = 1``; with ``PP > 1`` GenZ reports one
  micro-batch's latency and this model the batch's, ``batch x 1000 / GenZ
  throughput``);
* ``tpot_ms``: one decode step of a micro-batch (the whole batch for
  ``PP = 1``) at the last token, attending to ``input_tokens + output_tokens``
  cached tokens, as GenZ times decode;
* ``throughput_tokens_per_s``: tokens generated per second by the batch in
  decode (GenZ's decode throughput), and the same per chip;
* memory per chip: the weights of the most loaded pipeline stage
  (``ceil(layers / PP)`` layers, the heaviest first, plus the embedding and
  classifier it holds) and the KV cache of the whole batch at full context for
  that stage's layers; the configuration is infeasible when their sum exceeds
  ``hbm_gb`` (GenZ raises "All params would not fit on chip"; it compares the
  whole model's weights and one micro-batch's KV cache against
  ``PP x hbm_gb``, which agrees for ``PP = 1``).
"""

from __future__ import annotations

import numpy as np

from .models import Architecture
from .operators import Platform, Tally, forward
from .roofline import GB

#: metric names, in report order (units in the suffix; see archgym.metrics)
METRIC_NAMES: tuple[str, ...] = (
    "ttft_ms", "tpot_ms", "throughput_tokens_per_s", "throughput_per_chip_tokens_per_s", "chips",
    "weights_per_chip_bytes", "kv_cache_per_chip_bytes", "memory_per_chip_bytes", "memory_utilization",
    "kv_cache_per_token_bytes",
    "prefill_compute_ms", "prefill_memory_ms", "prefill_comm_ms",
    "decode_compute_ms", "decode_memory_ms", "decode_comm_ms",
)


def weights_per_chip(a: Architecture, p: Platform) -> np.ndarray:
    """Weight elements on the most loaded chip: its stage's layers, shards and embedding tables."""
    shards = p.attention_shards
    d = a.hidden
    hq = np.maximum(np.ceil(a.heads / shards), 1.0)
    if a.attention == "mla":
        nope, rope, v, kvr = a.qk_nope_head_dim, a.qk_rope_head_dim, a.v_head_dim, a.kv_lora_rank
        attn = (a.q_lora_rank * d + hq * (nope + rope) * (a.q_lora_rank or d) + (kvr + rope) * d
                + hq * (nope + v) * kvr + d * hq * v)
    else:
        hkv = np.maximum(np.ceil(a.kv_heads / shards), 1.0)
        attn = (hq + 2 * hkv) * a.head_dim * d + d * hq * a.head_dim
    m = a.ffn_matrices
    dense = attn + m * np.maximum(np.ceil(a.ffn / p.tp), 1.0) * d
    moe = attn
    if a.moe:
        f = np.maximum(np.ceil(a.moe_ffn / p.tp), 1.0)
        moe = attn + a.experts * np.floor(d / p.tp) + (a.experts / p.ep) * m * f * d
        if a.shared_experts:
            moe = moe + m * np.maximum(np.ceil(a.shared_experts * a.moe_ffn / p.tp), 1.0) * d
    per_stage = np.ceil(a.layers / p.pp)
    heavy = np.minimum(per_stage, a.moe_layers)
    table = np.floor(a.vocab / shards) * d
    tables = np.where(p.pp > 1, 1.0, 1.0 if a.tied_embeddings else 2.0) * table
    return heavy * moe + (per_stage - heavy) * dense + tables


def kv_per_chip_token(a: Architecture, p: Platform) -> np.ndarray:
    """KV-cache elements per token on one chip, summed over its stage's layers."""
    if a.attention == "mla":
        per_layer = np.full(len(p.tp), float(a.kv_elements_per_token_layer()))
    else:
        per_layer = 2.0 * np.maximum(np.ceil(a.kv_heads / p.attention_shards), 1.0) * a.head_dim
    return per_layer * np.ceil(a.layers / p.pp)


def _batch_ms(lat: np.ndarray, micro_batches: np.ndarray, pp: np.ndarray) -> np.ndarray:
    return (micro_batches - 1) * lat / pp + lat


def _split(t: Tally, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return t.compute_ms * scale, t.memory_ms * scale, t.comm_ms * scale


def evaluate_columns(a: Architecture, p: Platform, hbm_gb: np.ndarray, batch: np.ndarray,
                     input_tokens: np.ndarray, output_tokens: np.ndarray) -> tuple[dict[str, np.ndarray], list[str]]:
    """Every metric of ``n`` configurations of one model, and a reason per infeasible one."""
    micro = np.maximum(np.floor(batch / p.pp), 1.0)
    n_micro = np.ceil(batch / micro)
    context = input_tokens + output_tokens
    prefill = forward(a, p, micro, input_tokens, input_tokens, prefill=True)
    decode = forward(a, p, micro, np.ones_like(batch), context, prefill=False)
    prefill_lat, decode_lat = prefill.total_ms, decode.total_ms
    ttft = _batch_ms(prefill_lat, n_micro, p.pp)
    step = _batch_ms(decode_lat, n_micro, p.pp)
    chips = p.tp * p.pp * p.ep
    throughput = batch * 1e3 / step
    bpe = p.bytes_per_element
    weights = weights_per_chip(a, p) * bpe
    kv = kv_per_chip_token(a, p) * batch * context * bpe
    memory = weights + kv
    capacity = hbm_gb * GB
    pc, pm, pn = _split(prefill, ttft / prefill_lat)
    values = {
        "ttft_ms": ttft, "tpot_ms": decode_lat, "throughput_tokens_per_s": throughput,
        "throughput_per_chip_tokens_per_s": throughput / chips, "chips": chips,
        "weights_per_chip_bytes": weights, "kv_cache_per_chip_bytes": kv, "memory_per_chip_bytes": memory,
        "memory_utilization": memory / capacity,
        "kv_cache_per_token_bytes": a.layers * a.kv_elements_per_token_layer() * bpe,
        "prefill_compute_ms": pc, "prefill_memory_ms": pm, "prefill_comm_ms": pn,
        "decode_compute_ms": decode.compute_ms, "decode_memory_ms": decode.memory_ms,
        "decode_comm_ms": decode.comm_ms,
    }
    values = {k: np.broadcast_to(np.asarray(values[k], dtype=float), batch.shape) for k in METRIC_NAMES}
    return values, _reasons(a, p, hbm_gb, weights, kv)


def _reasons(a: Architecture, p: Platform, hbm_gb: np.ndarray, weights: np.ndarray, kv: np.ndarray) -> list[str]:
    over = weights + kv > hbm_gb * GB
    bad_ep = (a.experts % p.ep != 0) if a.moe else np.zeros(len(p.ep), dtype=bool)
    bad_pp = p.pp > a.layers
    out: list[str] = []
    for i in range(len(over)):
        if bad_pp[i]:
            out.append(f"pipeline_parallel={int(p.pp[i])} exceeds the {a.layers} layers of {a.name}")
        elif bad_ep[i]:
            out.append(f"expert_parallel={int(p.ep[i])} does not divide the {a.experts} experts of {a.name}")
        elif over[i]:
            out.append(
                f"weights {weights[i] / GB:.2f} GB + KV cache {kv[i] / GB:.2f} GB per chip exceed the "
                f"{hbm_gb[i]:g} GB of HBM (tensor_parallel={int(p.tp[i])}, pipeline_parallel={int(p.pp[i])}, "
                f"expert_parallel={int(p.ep[i])})")
        else:
            out.append("")
    return out
