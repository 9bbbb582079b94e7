"""Shared harness of the LLM-serving benchmarks: GenZ and archgym on the same points.

GenZ (``genz-llm`` on PyPI, "Demystifying Platform Requirements for Diverse
LLM Inference Use Cases", Bambhaniya et al. 2024) is the peer. This module

* samples seeded comparison points (model, platform, parallelism, batch,
  context, precision) from ranges that span today's accelerators,
* runs one point through GenZ (``prefill_moddeling`` for TTFT,
  ``decode_moddeling`` with ``Bb=1`` for TPOT and decode throughput) and
  through ``archgym.simulators.llm.simulate``, returning the same keys,
* holds the statistics and the result cache both scripts share.

How GenZ is driven (see README.md for why): the platform is GenZ's
``{'Flops', 'Memory_BW', 'Memory_size', 'ICN', 'ICN_LL', 'real_values'}``
dict with archgym's numbers passed through unchanged; the model is a GenZ
``ModelConfig`` built from the architecture archgym ships under the same
Hugging Face id, so both tools see identical layer shapes and any difference
is one of modelling. GenZ raises ``ValueError`` when weights plus KV cache do
not fit; that is its "does not fit" decision. Nothing in the ``archgym``
package imports this file.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
if str(REPO_ROOT) not in sys.path:  # run from a checkout without ``pip install -e .``
    sys.path.append(str(REPO_ROOT))

#: models compared. DeepSeek-V3 is left out: GenZ has no MLA and its prefill/decode
#: paths give every one of the 256 experts the dense FFN width (see README.md).
MODELS = (
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-405B",
    "Qwen/Qwen2.5-72B",
    "mistralai/Mixtral-8x7B-v0.1",
    "openai/gpt-3-175b",
)
#: GenZ's own name for each compared model (used for the config cross-check only)
GENZ_NAMES = {
    "meta-llama/Llama-3.1-8B": "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B": "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-405B": "meta-llama/Llama-3.1-405B",
    "Qwen/Qwen2.5-72B": "Qwen/Qwen2.5-72B",
    "mistralai/Mixtral-8x7B-v0.1": "mistralai/Mixtral-8x7B",
    "openai/gpt-3-175b": "openai/GPT3-175B",
}

#: per-chip figures sampled independently, spanning TPUv5e .. B200-class parts
#: (GenZ's Systems/system_configs.py lists 197-4500 TFLOP/s, 820-8000 GB/s, 16-256 GB, 24-900 GB/s)
TFLOPS = (197, 312, 459, 926, 989, 1307, 1835, 2250)
HBM_GB_S = (820, 1228, 1600, 2039, 2765, 3350, 4800, 8000)
HBM_GB = (16, 24, 32, 48, 64, 80, 96, 128, 141, 192, 256)
LINK_GB_S = (25, 50, 100, 200, 400, 900)
TP = (1, 2, 4, 8)
PP = (1, 2, 4, 8)
EP = (1, 2, 4, 8)  # MoE models only (E % EP == 0 for Mixtral's 8 experts)
BATCH = (1, 2, 4, 8, 16, 32, 64, 128, 256)
INPUT_TOKENS = (128, 512, 1000, 2048, 3000, 8192, 10000, 15000, 20000, 32768)
OUTPUT_TOKENS = (50, 128, 200, 512, 1000, 2048)
BITS = ("bf16", "fp8", "int8", "int4")

#: metrics compared: our column -> (archgym metric, GenZ result key)
METRICS = {
    "ttft_ms": "ttft_ms",
    "tpot_ms": "tpot_ms",
    "throughput": "throughput_tokens_per_s",
    "memory": "memory_per_chip_bytes",
}

_GIB = 2**30
_MIB = 2**20


# --------------------------------------------------------------------------- #
# Environment checks
# --------------------------------------------------------------------------- #
def require(*names: str) -> None:
    """Stop with a one-line message (exit 2) naming the first missing package.

    Args:
        names: ``"genz"`` (PyPI ``genz-llm``) and/or ``"archgym"`` (``archgym.simulators.llm``).
    """
    packages = {"genz": ("GenZ", "genz-llm"), "archgym": ("archgym.simulators.llm", "archgym (with simulators/llm)")}
    for name in names:
        module, package = packages[name]
        try:
            __import__(module)
        except Exception as exc:  # ImportError, or a broken install
            print(f"error: the benchmark needs {package}, which is not importable ({type(exc).__name__}: {exc}); "
                  "set up benchmarks/llm/.venv as benchmarks/llm/README.md says", file=sys.stderr)
            raise SystemExit(2) from None


# --------------------------------------------------------------------------- #
# Sampling
# --------------------------------------------------------------------------- #
def sample_points(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` comparison points drawn with ``numpy.random.default_rng(seed)``.

    Each knob is drawn uniformly from its tuple above; ``expert_parallel`` is 1
    for dense models (GenZ would silently turn it into extra attention tensor
    parallelism) and pipeline stages never outnumber the batch (GenZ otherwise
    pads micro-batches to one request and warns).
    """
    rng = np.random.default_rng(seed)
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    points = []
    for index in range(n):
        model = pick(MODELS)
        batch = pick(BATCH)
        pp = pick(tuple(p for p in PP if p <= batch))
        platform = {
            "tflops": float(pick(TFLOPS)), "hbm_gb_s": float(pick(HBM_GB_S)), "hbm_gb": float(pick(HBM_GB)),
            "link_gb_s": float(pick(LINK_GB_S)), "tensor_parallel": pick(TP), "pipeline_parallel": pp,
            "expert_parallel": pick(EP) if "Mixtral" in model else 1,
        }
        scenario = {"batch": batch, "input_tokens": pick(INPUT_TOKENS), "output_tokens": pick(OUTPUT_TOKENS),
                    "bits": pick(BITS)}
        points.append({"id": index, "model": model, "platform": platform, "scenario": scenario})
    return points


def point_key(point: Mapping[str, Any]) -> str:
    """A stable cache key of a point (model, platform and scenario; not its index)."""
    return json.dumps({k: point[k] for k in ("model", "platform", "scenario")}, sort_keys=True)


# --------------------------------------------------------------------------- #
# archgym side
# --------------------------------------------------------------------------- #
def archgym_llm():
    """The ``archgym.simulators.llm`` module."""
    import archgym.simulators.llm as llm

    return llm


def archgym_architecture(model: str) -> dict[str, Any]:
    """archgym's shipped architecture for a Hugging Face id, as a plain dict of its fields."""
    import dataclasses

    return dataclasses.asdict(archgym_llm().resolve_model(model))


def archgym_result(metrics) -> dict[str, Any]:
    """archgym's :class:`Metrics` as the harness's flat result dict (GenZ's keys, see :func:`run_genz`)."""
    out: dict[str, Any] = {"fits": bool(metrics.feasible), "reason": metrics.reason}
    for column, name in METRICS.items():
        out[column] = float(metrics[name]) if name in metrics else None
    for stage, ours in (("ttft", "prefill"), ("tpot", "decode")):
        if f"{ours}_compute_ms" in metrics:
            out[f"{stage}_split_ms"] = {part: float(metrics[f"{ours}_{part}_ms"])
                                        for part in ("compute", "memory", "comm")}
    return out


def run_archgym(point: Mapping[str, Any]) -> dict[str, Any]:
    """One point through ``archgym.simulators.llm.simulate``."""
    return archgym_result(archgym_llm().simulate(point["model"], point["platform"], point["scenario"]))


def archgym_batch(model: str, platforms: Sequence[Mapping[str, Any]], scenario: Mapping[str, Any]) -> list:
    """Many platforms of one model and scenario through archgym's batch form (one vectorised call)."""
    return archgym_llm().simulate_batch(model, platforms, scenario)


# --------------------------------------------------------------------------- #
# GenZ side
# --------------------------------------------------------------------------- #
def genz_model(model: str, source: str = "archgym"):
    """A GenZ ``ModelConfig`` for ``model``.

    ``source="archgym"`` (the comparison) builds it from the architecture archgym
    ships under that id, so both tools see identical layer shapes;
    ``source="genz"`` takes GenZ's own shipped config (``GENZ_NAMES``), for the
    config cross-check and for running the GenZ side alone.
    """
    from GenZ import ModelConfig, get_configs

    if source == "genz":
        return get_configs(GENZ_NAMES[model])
    a = archgym_architecture(model)
    return ModelConfig(
        model=model, vocab_size=a["vocab"], hidden_size=a["hidden"],
        intermediate_size=a["moe_ffn"] if a["experts"] else a["ffn"], num_ffi=2 if a["gated"] else 1,
        num_decoder_layers=a["layers"], num_attention_heads=a["heads"], num_key_value_heads=a["kv_heads"],
        head_dim=a["head_dim"], num_experts=max(a["experts"], 1), expert_top_k=max(a["active_experts"], 1),
    )


#: the ModelConfig fields GenZ's prefill/decode paths read
MODEL_FIELDS = ("vocab_size", "hidden_size", "intermediate_size", "num_ffi", "num_decoder_layers",
                "num_attention_heads", "num_key_value_heads", "head_dim", "num_experts", "expert_top_k")


def model_fields(config) -> dict[str, Any]:
    """The fields of a GenZ ``ModelConfig`` that shape its prefill and decode graphs."""
    values = {f: getattr(config, f) for f in MODEL_FIELDS}
    return {f: int(v) if float(v).is_integer() else v for f, v in values.items()}  # GenZ's 405B has F = 3.25*16384


def model_key(config) -> str:
    """Cache-key suffix: the architecture GenZ was given (a result is reused only for the same shapes)."""
    return json.dumps(model_fields(config), sort_keys=True)


def genz_system(platform: Mapping[str, Any]) -> dict[str, Any]:
    """GenZ's platform dict carrying archgym's per-chip numbers unchanged (link latency left at GenZ's 1 us)."""
    return {"Flops": platform["tflops"], "Memory_BW": platform["hbm_gb_s"], "Memory_size": platform["hbm_gb"],
            "ICN": platform["link_gb_s"], "real_values": True}


_NOT_FIT = re.compile(r"would not fit.*?Cap:\s*([\d.e+-]+)\s*GB.*?Weights\s*:\s*([\d.e+-]+)\s*GB"
                      r".*?KV Cache:\s*(\d[\d.e+-]*?)\.?\s", re.S)


def _genz_stage(fn: Callable, model, system: dict, point: Mapping[str, Any], **extra) -> dict[str, Any]:
    """One GenZ stage; a ``ValueError`` about memory becomes ``fits=False`` with GenZ's sizes."""
    p, s = point["platform"], point["scenario"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(model=model, batch_size=s["batch"], input_tokens=s["input_tokens"], system_name=system,
                     bits=s["bits"], tensor_parallel=p["tensor_parallel"], pipeline_parallel=p["pipeline_parallel"],
                     expert_parallel=p["expert_parallel"], **extra)
        except ValueError as exc:
            found = _NOT_FIT.search(str(exc))
            if not found:
                raise
            weights_gib, kv_gib = float(found.group(2)), float(found.group(3))
            return {"fits": False, "weights_bytes": weights_gib * _GIB, "kv_bytes": kv_gib * _GIB}
    table = out["summary_table"]
    return {"fits": True, "latency_ms": float(out["Latency"]), "throughput": float(out["Throughput"]),
            "weights_bytes": float(table["Total Weights (MB)"].iloc[0]) * _MIB,
            "kv_bytes": float(table["KV Cache (MB)"].iloc[0]) * _MIB, "split_ms": _bound_split(out["model_df"])}


def _bound_split(model_df) -> dict[str, float]:
    """GenZ's latency split by what bounds each operator (compute, memory, collective), layer repeats applied."""
    split = {"compute": 0.0, "memory": 0.0, "comm": 0.0}
    names = {"Compute": "compute", "Memory": "memory", "Collective": "comm"}
    multiplier = 1.0
    for kind, dim, bound, latency in model_df[["Op Type", "Dimension", "Bound", "Latency (msec)"]].itertuples(
            index=False):
        if kind == "Repeat":
            multiplier *= dim
        elif kind == "EndRepeat":
            multiplier /= dim
        else:
            split[names[bound]] += float(latency) * multiplier
    return split


class GenZFiles:
    """Removes the layer CSVs GenZ writes to /tmp/genz/data/model on every call (it has no option not to)."""

    def __init__(self) -> None:
        from GenZ.Models import get_language_model

        self.folder = Path(get_language_model.DATA_PATH) / "model"
        self.before = self._listing()

    def _listing(self) -> set[str]:
        return set(os.listdir(self.folder)) if self.folder.is_dir() else set()

    def clean(self) -> None:
        """Delete what GenZ wrote since the last clean."""
        for name in self._listing() - self.before:
            with_path = self.folder / name
            with_path.unlink(missing_ok=True)


def run_genz(point: Mapping[str, Any], model=None, system: dict | None = None) -> dict[str, Any]:
    """One point through GenZ: prefill (TTFT of the whole batch) and greedy decode (``Bb=1``, TPOT, tokens/s).

    ``memory`` is what GenZ's fit rule compares with ``hbm_gb``: (weights + KV
    cache) / pipeline stages, the larger of the prefill and decode figures.
    ``fits`` is True only when both stages fit.
    """
    from GenZ import decode_moddeling, prefill_moddeling

    model = genz_model(point["model"]) if model is None else model
    system = genz_system(point["platform"]) if system is None else system
    pre = _genz_stage(prefill_moddeling, model, system, point)
    dec = _genz_stage(decode_moddeling, model, system, point, output_tokens=point["scenario"]["output_tokens"], Bb=1)
    pp = point["platform"]["pipeline_parallel"]
    fits = pre["fits"] and dec["fits"]
    # GenZ's prefill Latency is one micro-batch (max(B//PP, 1) requests) through all stages; its
    # Throughput (requests/s) is for the whole batch pipelined, so the whole batch's prefill is B / Throughput.
    ttft = 1000.0 * point["scenario"]["batch"] / pre["throughput"] if fits else None
    if fits:
        pre["split_ms"] = {k: v * ttft / pre["latency_ms"] for k, v in pre["split_ms"].items()}
    memory = max(pre["weights_bytes"] + pre["kv_bytes"], dec["weights_bytes"] + dec["kv_bytes"]) / pp
    return {
        "fits": fits,
        "reason": "" if fits else ("prefill" if not pre["fits"] else "decode") + " does not fit",
        "ttft_ms": ttft, "ttft_microbatch_ms": pre.get("latency_ms") if fits else None,
        "tpot_ms": dec.get("latency_ms") if fits else None,
        "throughput": dec.get("throughput") if fits else None,
        "memory": memory,
        "weights_bytes": dec["weights_bytes"] / pp, "kv_bytes": dec["kv_bytes"] / pp,
        "ttft_split_ms": pre.get("split_ms"), "tpot_split_ms": dec.get("split_ms"),
    }


# --------------------------------------------------------------------------- #
# Statistics, cache, tables
# --------------------------------------------------------------------------- #
def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation (scipy's, ties averaged); nan for fewer than 3 pairs."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic) if len(a) >= 3 else float("nan")


def relative_errors(ours: Sequence[float], ref: Sequence[float]) -> np.ndarray:
    """|ours - ref| / |ref| per point."""
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    return np.abs(ours - ref) / np.abs(ref)


def load_cache(path: Path) -> dict[str, Any]:
    """The committed peer-result cache (an empty dict when absent)."""
    return json.loads(path.read_text()) if path.exists() else {}


def save_cache(path: Path, cache: Mapping[str, Any]) -> None:
    """Write the cache atomically with sorted keys (small diffs), so an interrupted run keeps what it had."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache, indent=0, sort_keys=True) + "\n")
    os.replace(tmp, path)


def cell(x: Any) -> str:
    """A table cell: numbers to 3-4 significant digits, None as '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"
    return str(x)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def describe(point: Mapping[str, Any]) -> str:
    """A one-line description of a point for the disagreement list."""
    p, s = point["platform"], point["scenario"]
    return (f"{point['model'].split('/')[-1]} TP{p['tensor_parallel']} PP{p['pipeline_parallel']} "
            f"EP{p['expert_parallel']} B{s['batch']} in{s['input_tokens']} out{s['output_tokens']} {s['bits']} "
            f"{p['tflops']:g}TF {p['hbm_gb_s']:g}GB/s {p['hbm_gb']:g}GB link{p['link_gb_s']:g}")
