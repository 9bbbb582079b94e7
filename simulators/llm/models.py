"""The transformer architectures the LLM-serving model knows, each from its public config.

An :class:`Architecture` holds what the cost model needs: layers, hidden
size, attention (multi-head / grouped-query with heads, KV heads and head
dimension, or DeepSeek's multi-head latent attention with its latent ranks),
the feed-forward network (dense, or mixture-of-experts with routed, active and
shared experts) and the vocabulary. Shipped entries are keyed by their Hugging
Face id and cite the ``config.json`` (or paper table) every number comes from;
:func:`resolve_model` also takes a plain dict of the same fields.

Example:
    >>> a = resolve_model("meta-llama/Llama-3.1-405B")
    >>> a.kv_cache_bytes_per_token(2)   # 126 layers x 8 KV heads x 128 dims x (K, V) x 2 B
    516096
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from archgym.errors import UserError, unknown_choice, whole_number

ATTENTIONS = ("gqa", "mla")


@dataclass(frozen=True)
class Architecture:
    """One decoder-only transformer, as its inference cost depends on it.

    Attributes:
        name: the Hugging Face id (or a user's name).
        layers: decoder layers.
        hidden: model width (``hidden_size``).
        heads: query heads.
        kv_heads: key/value heads (``heads`` for MHA, fewer for GQA; unused by MLA).
        head_dim: per-head dimension of queries, keys and values (GQA/MHA).
        ffn: intermediate size of a dense feed-forward network.
        vocab: vocabulary size (embedding rows and classifier columns).
        gated: SwiGLU-style FFN with gate, up and down matrices (3), else up and down (2).
        tied_embeddings: the classifier reuses the input embedding matrix.
        attention: ``gqa`` (MHA and GQA) or ``mla`` (multi-head latent attention).
        q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim: MLA's
            query and KV compression ranks and per-head dims (DeepSeek-V2 paper, section 2.1).
        experts: routed experts per MoE layer (0: dense model).
        active_experts: routed experts each token uses (top-k).
        shared_experts: always-active experts per MoE layer.
        moe_ffn: intermediate size of one expert.
        dense_layers: leading layers with a dense FFN in an MoE model (``first_k_dense_replace``).
        source: where the numbers come from.
    """

    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    gated: bool = True
    tied_embeddings: bool = False
    attention: str = "gqa"
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    experts: int = 0
    active_experts: int = 0
    shared_experts: int = 0
    moe_ffn: int = 0
    dense_layers: int = 0
    source: str = ""

    @property
    def moe(self) -> bool:
        return self.experts > 0

    @property
    def moe_layers(self) -> int:
        """Layers whose FFN is a mixture of experts."""
        return self.layers - self.dense_layers if self.moe else 0

    @property
    def ffn_matrices(self) -> int:
        return 3 if self.gated else 2

    def kv_elements_per_token_layer(self) -> int:
        """Cached elements per token and layer: 2 x KV heads x head dim, or MLA's latent + RoPE key."""
        if self.attention == "mla":
            return self.kv_lora_rank + self.qk_rope_head_dim
        return 2 * self.kv_heads * self.head_dim

    def kv_cache_bytes_per_token(self, bytes_per_element: float) -> float:
        """KV cache of one token over all layers (the figure DeepSeek-V3's hardware paper tabulates)."""
        value = self.layers * self.kv_elements_per_token_layer() * bytes_per_element
        return int(value) if float(value).is_integer() else value


def _hf(repo: str) -> str:
    return f"https://huggingface.co/{repo}/blob/main/config.json"


MODELS: dict[str, Architecture] = {
    a.name: a
    for a in (
        Architecture("meta-llama/Llama-3.1-8B", layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128,
                     ffn=14336, vocab=128256, source=_hf("meta-llama/Llama-3.1-8B")),
        Architecture("meta-llama/Llama-3.1-70B", layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128,
                     ffn=28672, vocab=128256, source=_hf("meta-llama/Llama-3.1-70B")),
        Architecture("meta-llama/Llama-3.1-405B", layers=126, hidden=16384, heads=128, kv_heads=8, head_dim=128,
                     ffn=53248, vocab=128256, source=_hf("meta-llama/Llama-3.1-405B")),
        Architecture("Qwen/Qwen2.5-72B", layers=80, hidden=8192, heads=64, kv_heads=8, head_dim=128,
                     ffn=29568, vocab=152064, source=_hf("Qwen/Qwen2.5-72B")),
        Architecture("mistralai/Mixtral-8x7B-v0.1", layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128,
                     ffn=14336, vocab=32000, experts=8, active_experts=2, moe_ffn=14336,
                     source=_hf("mistralai/Mixtral-8x7B-v0.1")),
        Architecture("openai/gpt-3-175b", layers=96, hidden=12288, heads=96, kv_heads=96, head_dim=128,
                     ffn=4 * 12288, vocab=50257, gated=False, tied_embeddings=True,
                     source="Brown et al. 2020, 'Language Models are Few-Shot Learners', Table 2.1 "
                            "(no Hugging Face release; FFN 4 x d_model and the GPT-2 vocabulary, tied embeddings)"),
        Architecture("deepseek-ai/DeepSeek-V3-Base", layers=61, hidden=7168, heads=128, kv_heads=128, head_dim=128,
                     ffn=18432, vocab=129280, attention="mla", q_lora_rank=1536, kv_lora_rank=512,
                     qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128, experts=256, active_experts=8,
                     shared_experts=1, moe_ffn=2048, dense_layers=3,
                     source=_hf("deepseek-ai/DeepSeek-V3-Base") + " (the multi-token-prediction module is not served)"),
    )
}

#: short names accepted for the shipped models (lower case)
ALIASES: dict[str, str] = {
    "llama-3.1-8b": "meta-llama/Llama-3.1-8B",
    "llama-3.1-70b": "meta-llama/Llama-3.1-70B",
    "llama-3.1-405b": "meta-llama/Llama-3.1-405B",
    "qwen-2.5-72b": "Qwen/Qwen2.5-72B",
    "mixtral-8x7b": "mistralai/Mixtral-8x7B-v0.1",
    "gpt-3-175b": "openai/gpt-3-175b",
    "deepseek-v3": "deepseek-ai/DeepSeek-V3-Base",
}

_INT_FIELDS = ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab", "q_lora_rank", "kv_lora_rank",
               "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim", "experts", "active_experts", "shared_experts",
               "moe_ffn", "dense_layers")
_POSITIVE = ("layers", "hidden", "heads", "head_dim", "vocab")


def _from_dict(spec: Mapping[str, Any]) -> Architecture:
    fields = {f.name for f in dataclasses.fields(Architecture)}
    unknown = sorted(set(spec) - fields)
    if unknown:
        raise UserError(f"model dict: unknown field {unknown[0]!r}; fields: {', '.join(sorted(fields))}")
    values: dict[str, Any] = {"name": str(spec.get("name", "custom"))}
    for key in fields - {"name"}:
        if key not in spec:
            continue
        if key in _INT_FIELDS:
            values[key] = whole_number(f"model field {key!r}", spec[key], 1 if key in _POSITIVE else 0)
        elif key in ("gated", "tied_embeddings"):
            values[key] = bool(spec[key])
        else:
            values[key] = str(spec[key])
    for key in ("layers", "hidden", "heads", "head_dim", "vocab"):
        if key not in values:
            raise UserError(f"model dict: missing field {key!r}")
    values.setdefault("kv_heads", values["heads"])
    values.setdefault("ffn", 4 * values["hidden"])
    return check(Architecture(**values))


def check(a: Architecture) -> Architecture:
    """``a`` if it is self-consistent, else a :class:`UserError` naming the field."""
    if a.attention not in ATTENTIONS:
        raise unknown_choice("attention", a.attention, ATTENTIONS)
    if a.attention == "gqa" and (a.kv_heads < 1 or a.heads % a.kv_heads):
        raise UserError(f"model {a.name!r}: heads ({a.heads}) must be a multiple of kv_heads ({a.kv_heads})")
    if a.attention == "mla" and min(a.kv_lora_rank, a.qk_nope_head_dim, a.qk_rope_head_dim, a.v_head_dim) < 1:
        raise UserError(f"model {a.name!r}: MLA needs kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim")
    if a.moe and not (1 <= a.active_experts <= a.experts and a.moe_ffn >= 1):
        raise UserError(f"model {a.name!r}: an MoE model needs 1 <= active_experts <= experts and moe_ffn >= 1")
    if a.dense_layers > a.layers:
        raise UserError(f"model {a.name!r}: dense_layers ({a.dense_layers}) exceeds layers ({a.layers})")
    return a


def resolve_model(model: str | Mapping[str, Any] | Architecture) -> Architecture:
    """An :class:`Architecture` from a shipped id (or short alias), a dict of fields, or one itself."""
    if isinstance(model, Architecture):
        return check(model)
    if isinstance(model, Mapping):
        return _from_dict(model)
    if isinstance(model, str):
        if model in MODELS:
            return MODELS[model]
        key = ALIASES.get(model.lower()) or next((k for k in MODELS if k.lower() == model.lower()), None)
        if key:
            return MODELS[key]
    raise unknown_choice("model", model, list(MODELS))
