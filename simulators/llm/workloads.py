"""Workloads of the LLM-serving env: a model served for a use case, with the use case's latency targets.

Use cases are GenZ's (Bambhaniya et al. 2024, arXiv 2406.01698; GenZ repository
``Paper charts/variables.py``): prompt and generation lengths and the
time-to-first-token and time-per-output-token each implies. GenZ runs them with
2-4 beams; archgym serves one sequence per request (greedy decoding).

A workload is named ``<model>/<use case>``, the model by its short alias or
Hugging Face id: ``llama-3.1-70b/chat``, ``meta-llama/Llama-3.1-8B/qa``.

Example:
    >>> w = load_workload("llama-3.1-70b/chat")
    >>> w.use_case.input_tokens, w.use_case.ttft_ms, w.use_case.tpot_ms
    (3000, 200.0, 10.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archgym.errors import UserError, unknown_choice

from .models import ALIASES, MODELS, Architecture, resolve_model

GENZ_USE_CASES = "GenZ (arXiv 2406.01698), repository file 'Paper charts/variables.py'"


@dataclass(frozen=True)
class UseCase:
    """Prompt and output lengths of one kind of request and its latency targets."""

    name: str
    input_tokens: int
    output_tokens: int
    ttft_ms: float
    tpot_ms: float
    about: str = ""
    source: str = GENZ_USE_CASES


USE_CASES: dict[str, UseCase] = {
    u.name: u
    for u in (
        UseCase("qa", 1000, 200, 200.0, 10.0, "question answering"),
        UseCase("chat", 3000, 1000, 200.0, 10.0, "chat bot"),
        UseCase("rag", 10000, 200, 400.0, 10.0, "question answering with retrieval-augmented long prompts"),
        UseCase("summarization", 15000, 1000, 2000.0, 20.0, "long-context summarisation"),
        UseCase("code-generation", 20000, 50, 5000.0, 20.0, "code generation from a repository-sized prompt"),
    )
}


@dataclass(frozen=True)
class Workload:
    """A model and a use case."""

    name: str
    model: Architecture
    use_case: UseCase

    def scenario(self) -> dict[str, int]:
        """The scenario keys the workload fixes (the design adds ``batch`` and ``bits``)."""
        return {"input_tokens": self.use_case.input_tokens, "output_tokens": self.use_case.output_tokens}


def shipped_workloads() -> list[str]:
    """Every shipped model alias x use case."""
    return [f"{m}/{u}" for m in ALIASES for u in USE_CASES]


def load_workload(workload: Any) -> Workload:
    """A :class:`Workload` from ``<model>/<use case>`` or a Workload itself."""
    if isinstance(workload, Workload):
        return workload
    if not isinstance(workload, str) or "/" not in workload:
        raise UserError(f"LLM-serving workload {workload!r} must be '<model>/<use case>', e.g. 'llama-3.1-70b/chat'; "
                        f"models: {', '.join(ALIASES)}; use cases: {', '.join(USE_CASES)}")
    model, _, case = workload.rpartition("/")
    if case not in USE_CASES:
        raise unknown_choice("use case", case, USE_CASES)
    if model not in MODELS and model.lower() not in ALIASES:
        raise unknown_choice("model", model, list(ALIASES) + list(MODELS))
    return Workload(workload, resolve_model(model), USE_CASES[case])
