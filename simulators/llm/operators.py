"""The operators of one forward pass, per chip, with their MACs, HBM traffic and collectives.

A forward pass over ``tokens`` tokens (``seqs`` sequences of ``q_len`` new
tokens each, attending to ``kv_len`` cached tokens) is a list of operators per
decoder layer, as GenZ lists them (``Models/attention.py``, ``ffn.py``,
``embedding.py``):

* attention, tensor-parallel over ``tensor_parallel x expert_parallel`` chips
  by heads (``ceil(heads / n)`` query heads and ``ceil(kv_heads / n)`` KV heads
  per chip, so KV heads are replicated when there are more chips than KV heads):
  the QKV projection, the logits ``Q K^T``, the weighted sum with ``V``, the
  output projection, and an all-reduce of the layer's output;
* multi-head latent attention (DeepSeek-V2 paper, section 2.1; DeepSeek-V3):
  the query and KV down- and up-projections, attention over the per-head keys
  and values in prefill, and in decode the "absorbed" form that attends
  directly over the cached latent (``kv_lora_rank + qk_rope_head_dim`` per
  token and layer, the same on every chip); GenZ has no MLA;
* the FFN: dense (up and gate, down, tensor-parallel over ``tensor_parallel``)
  or mixture-of-experts (router, all-to-all dispatch over ``expert_parallel``,
  the experts, all-to-all combine, shared experts), then an all-reduce;
* the input embedding (a row lookup) and the classifier over every position
  (as GenZ and a plain forward pass compute it), with an all-gather of the
  logits.

Weights are read from HBM once per operator; in prefill the activations also
go through HBM, in decode they stay on chip (GenZ's residency). An MoE layer
reads the weights of the experts its tokens touch: ``E/EP x (1 - (1 - k/E)^T)``
experts per chip in expectation for ``T`` tokens routed uniformly to ``k`` of
``E`` experts (GenZ charges ``ceil(k/EP)`` experts in decode whatever the
batch, which undercounts the traffic of a batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models import Architecture
from .roofline import all_gather_ms, all_reduce_ms, hand_off_ms, op_times


@dataclass
class Platform:
    """Column-wise platform and precision of ``n`` configurations (float arrays)."""

    tflops: np.ndarray
    hbm_gb_s: np.ndarray
    link_gb_s: np.ndarray
    tp: np.ndarray
    pp: np.ndarray
    ep: np.ndarray
    bytes_per_element: np.ndarray
    compute_factor: np.ndarray

    @property
    def attention_shards(self) -> np.ndarray:
        """Chips sharing one layer's attention heads (GenZ: tensor_parallel x expert_parallel)."""
        return self.tp * self.ep


@dataclass
class Tally:
    """Time of a sequence of operators, split into compute-bound, memory-bound and communication time."""

    n: int
    compute_ms: np.ndarray = field(init=False)
    memory_ms: np.ndarray = field(init=False)
    comm_ms: np.ndarray = field(init=False)
    macs: np.ndarray = field(init=False)
    hbm_bytes: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        for name in ("compute_ms", "memory_ms", "comm_ms", "macs", "hbm_bytes"):
            setattr(self, name, np.zeros(self.n))

    @property
    def total_ms(self) -> np.ndarray:
        return self.compute_ms + self.memory_ms + self.comm_ms

    def op(self, p: Platform, macs: np.ndarray, elements: np.ndarray, count: float = 1.0) -> None:
        """Add ``count`` operators of ``macs`` MACs reading/writing ``elements`` HBM elements each."""
        compute, memory = op_times(macs, elements, p.bytes_per_element, p.compute_factor, p.tflops, p.hbm_gb_s)
        bound = compute >= memory
        self.compute_ms += count * np.where(bound, compute, 0.0)
        self.memory_ms += count * np.where(bound, 0.0, memory)
        self.macs += count * macs
        self.hbm_bytes += count * elements * p.bytes_per_element

    def comm(self, ms: np.ndarray, count: float = 1.0) -> None:
        self.comm_ms += count * ms


def _ceil_div(a: float | np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(np.ceil(np.asarray(a, dtype=float) / b), 1.0)


def _gemm(t: Tally, p: Platform, tokens: np.ndarray, m: np.ndarray | float, k: np.ndarray | float,
          offchip: bool, count: float) -> None:
    """``tokens x k`` activations times a ``k x m`` weight; activations in HBM only when ``offchip``."""
    acts = tokens * (k + m) if offchip else 0.0
    t.op(p, tokens * m * k, m * k + acts, count)


def attention(a: Architecture, p: Platform, t: Tally, seqs: np.ndarray, q_len: np.ndarray, kv_len: np.ndarray,
              prefill: bool, count: float) -> None:
    """One attention block (``count`` layers of it), all-reduce included."""
    shards = p.attention_shards
    tokens = seqs * q_len
    hq = _ceil_div(a.heads, shards)
    d = a.hidden
    if a.attention == "mla":
        _mla(a, p, t, seqs, q_len, kv_len, hq, prefill, count)
    else:
        hkv = _ceil_div(a.kv_heads, shards)
        dh = a.head_dim
        _gemm(t, p, tokens, (hq + 2 * hkv) * dh, d, prefill, count)
        score = seqs * hq * q_len * kv_len * dh
        cache = seqs * hkv * kv_len * dh
        fresh = seqs * hq * q_len * dh if prefill else 0.0
        t.op(p, score, cache + fresh, count)          # logits: read K (and Q in prefill)
        t.op(p, score, cache + fresh, count)          # attend: read V (and write the output in prefill)
        _gemm(t, p, tokens, d, hq * dh, prefill, count)
    t.comm(all_reduce_ms(tokens * d * p.bytes_per_element, shards, p.link_gb_s), count)


def _mla(a: Architecture, p: Platform, t: Tally, seqs: np.ndarray, q_len: np.ndarray, kv_len: np.ndarray,
         hq: np.ndarray, prefill: bool, count: float) -> None:
    tokens = seqs * q_len
    d, qr, kvr = a.hidden, a.q_lora_rank, a.kv_lora_rank
    nope, rope, v = a.qk_nope_head_dim, a.qk_rope_head_dim, a.v_head_dim
    if qr:
        _gemm(t, p, tokens, qr, d, prefill, count)                    # query down-projection (replicated)
    _gemm(t, p, tokens, hq * (nope + rope), qr or d, prefill, count)  # query up-projection
    _gemm(t, p, tokens, kvr + rope, d, prefill, count)                # KV down-projection: the cached latent
    if prefill:
        _gemm(t, p, tokens, hq * (nope + v), kvr, prefill, count)     # per-head keys and values from the latent
        t.op(p, seqs * hq * q_len * kv_len * (nope + rope), 2 * seqs * hq * q_len * (nope + rope), count)
        t.op(p, seqs * hq * q_len * kv_len * v, 2 * seqs * hq * q_len * v, count)
    else:
        t.op(p, tokens * hq * nope * kvr, hq * nope * kvr, count)     # absorb W_UK into the query
        t.op(p, seqs * hq * q_len * kv_len * (kvr + rope), seqs * kv_len * (kvr + rope), count)  # over the latent
        t.op(p, seqs * hq * q_len * kv_len * kvr, np.zeros_like(tokens), count)   # same latent, already streamed
        t.op(p, tokens * hq * kvr * v, hq * kvr * v, count)           # W_UV
    _gemm(t, p, tokens, d, hq * v, prefill, count)


def dense_ffn(a: Architecture, p: Platform, t: Tally, tokens: np.ndarray, ffn: int, prefill: bool,
              count: float) -> None:
    """Up (and gate) and down projections of an FFN of width ``ffn``, tensor-parallel, then the all-reduce."""
    f = _ceil_div(ffn, p.tp)
    _gemm(t, p, tokens, f * (a.ffn_matrices - 1), a.hidden, prefill, count)
    _gemm(t, p, tokens, a.hidden, f, prefill, count)
    t.comm(all_reduce_ms(tokens * a.hidden * p.bytes_per_element, p.tp, p.link_gb_s), count)


def moe_ffn(a: Architecture, p: Platform, t: Tally, tokens: np.ndarray, prefill: bool, count: float) -> None:
    """Router, dispatch, routed and shared experts, combine, all-reduce."""
    d, e, k = a.hidden, a.experts, a.active_experts
    bpe = p.bytes_per_element
    _gemm(t, p, tokens, e, np.floor(d / p.tp), prefill, count)
    t.comm(all_reduce_ms(tokens * e * bpe, p.tp, p.link_gb_s), count)
    t.comm(all_gather_ms(tokens * k * d * bpe, p.ep, p.link_gb_s), count)        # dispatch all-to-all
    f = _ceil_div(a.moe_ffn, p.tp)
    up = f * (a.ffn_matrices - 1)
    pairs = tokens * k / p.ep                                                   # token-expert pairs per chip
    touched = (e / p.ep) * -np.expm1(tokens * np.log1p(-k / e)) if k < e else e / p.ep
    acts_up = pairs * (d + up) if prefill else 0.0
    acts_down = pairs * (f + d) if prefill else 0.0
    t.op(p, pairs * up * d, touched * up * d + acts_up, count)
    t.op(p, pairs * d * f, touched * d * f + acts_down, count)
    if a.shared_experts:
        fs = _ceil_div(a.shared_experts * a.moe_ffn, p.tp)
        _gemm(t, p, tokens, fs * (a.ffn_matrices - 1), d, prefill, count)
        _gemm(t, p, tokens, d, fs, prefill, count)
    t.comm(all_gather_ms(tokens * k * d * bpe, p.ep, p.link_gb_s), count)        # combine all-to-all
    t.comm(all_reduce_ms(tokens * d * bpe, p.tp, p.link_gb_s), count)


def forward(a: Architecture, p: Platform, seqs: np.ndarray, q_len: np.ndarray, kv_len: np.ndarray,
            prefill: bool) -> Tally:
    """One pass of ``seqs`` sequences through every layer and pipeline stage (a micro-batch's latency)."""
    t = Tally(len(seqs))
    tokens = seqs * q_len
    shards = p.attention_shards
    bpe = p.bytes_per_element
    t.op(p, np.zeros_like(tokens), tokens * a.hidden, 1.0)                       # embedding rows
    t.comm(all_reduce_ms(tokens * a.hidden * bpe, shards, p.link_gb_s))          # vocabulary-parallel embedding
    attention(a, p, t, seqs, q_len, kv_len, prefill, a.layers)
    dense = a.layers - a.moe_layers
    if dense:
        dense_ffn(a, p, t, tokens, a.ffn, prefill, dense)
    if a.moe_layers:
        moe_ffn(a, p, t, tokens, prefill, a.moe_layers)
    t.comm(hand_off_ms(tokens * a.hidden * bpe, p.link_gb_s), p.pp - 1)
    _gemm(t, p, tokens, np.floor(a.vocab / shards), a.hidden, prefill, 1.0)     # classifier
    t.comm(all_gather_ms(tokens * a.vocab * bpe, shards, p.link_gb_s))
    return t
