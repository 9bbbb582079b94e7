"""``simulate(model, platform, scenario) -> Metrics`` and its batch form.

Platform keys (per chip unless said): ``tflops`` (dense 16-bit TFLOP/s),
``hbm_gb_s`` (HBM bandwidth, GB/s), ``hbm_gb`` (HBM capacity, GB),
``link_gb_s`` (chip-to-chip bandwidth, GB/s), ``tensor_parallel``,
``pipeline_parallel``, ``expert_parallel`` (chips = their product). Scenario
keys: ``batch``, ``input_tokens``, ``output_tokens``, ``bits`` (``bf16``,
``fp8``, ``int8``, ``int4``). A GB is 2**30 bytes, as GenZ reads its inputs
(see :mod:`.roofline`).

Example:
    >>> h100 = {"tflops": 989, "hbm_gb_s": 3350, "hbm_gb": 80, "link_gb_s": 450,
    ...         "tensor_parallel": 1, "pipeline_parallel": 1, "expert_parallel": 1}
    >>> m = simulate("meta-llama/Llama-3.1-8B", h100, {"batch": 1, "input_tokens": 1, "output_tokens": 1})
    >>> m.feasible, m["tpot_ms"] > 0
    (True, True)
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from archgym.errors import UserError, unknown_choice
from archgym.metrics import Metrics

from .models import Architecture, resolve_model
from .operators import Platform
from .roofline import PRECISIONS
from .serving import METRIC_NAMES, evaluate_columns

PLATFORM_KEYS = ("tflops", "hbm_gb_s", "hbm_gb", "link_gb_s", "tensor_parallel", "pipeline_parallel",
                 "expert_parallel")
SCENARIO_KEYS = ("batch", "input_tokens", "output_tokens", "bits")
#: values taken when a platform or scenario leaves a key out
DEFAULTS: dict[str, Any] = {"tensor_parallel": 1, "pipeline_parallel": 1, "expert_parallel": 1, "bits": "bf16"}
_WHOLE = ("tensor_parallel", "pipeline_parallel", "expert_parallel", "batch", "input_tokens", "output_tokens")


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    values = []
    for i, row in enumerate(rows):
        if key not in row and key not in DEFAULTS:
            raise UserError(f"configuration {i}: missing {key!r}")
        v = row.get(key, DEFAULTS.get(key))
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = float("nan")
        ok = np.isfinite(x) and (x >= 1 if key in _WHOLE else x > 0) and (key not in _WHOLE or x.is_integer())
        if isinstance(v, bool) or not ok:
            kind = "a whole number >= 1" if key in _WHOLE else "a positive number"
            raise UserError(f"configuration {i}: {key} must be {kind}, got {v!r}")
        values.append(x)
    return np.asarray(values, dtype=float)


def _bits(rows: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for row in rows:
        b = str(row.get("bits", DEFAULTS["bits"])).lower()
        if b not in PRECISIONS:
            raise unknown_choice("bits", row.get("bits"), PRECISIONS)
        out.append(PRECISIONS[b])
    arr = np.asarray(out, dtype=float).reshape(len(rows), 2)
    return arr[:, 0], arr[:, 1]


def _rows(configs: Sequence[Mapping[str, Any]] | Mapping[str, Any], n: int | None) -> list[Mapping[str, Any]]:
    if isinstance(configs, Mapping):
        return [configs] * (1 if n is None else n)
    rows = list(configs)
    if n is not None and len(rows) != n:
        raise UserError(f"{len(rows)} scenarios for {n} platforms; give one scenario or one per platform")
    return rows


def columns(platforms: Sequence[Mapping[str, Any]], scenarios: Sequence[Mapping[str, Any]] | Mapping[str, Any]
            ) -> dict[str, np.ndarray]:
    """Validated float columns of every platform and scenario key (``bits`` as bytes and compute factor)."""
    plats = _rows(platforms, None)
    scens = _rows(scenarios, len(plats))
    rows = [{**p, **s} for p, s in zip(plats, scens)]
    for i, row in enumerate(rows):
        unknown = sorted(set(row) - set(PLATFORM_KEYS) - set(SCENARIO_KEYS))
        if unknown:
            raise UserError(f"configuration {i}: unknown key {unknown[0]!r}; platform keys: "
                            f"{', '.join(PLATFORM_KEYS)}; scenario keys: {', '.join(SCENARIO_KEYS)}")
    cols = {k: _column(rows, k) for k in PLATFORM_KEYS + SCENARIO_KEYS if k != "bits"}
    cols["bytes_per_element"], cols["compute_factor"] = _bits(rows)
    return cols


def evaluate_arrays(arch: Architecture, cols: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Metric arrays and reasons from validated columns (see :func:`columns`): the vectorised core."""
    p = Platform(cols["tflops"], cols["hbm_gb_s"], cols["link_gb_s"], cols["tensor_parallel"],
                 cols["pipeline_parallel"], cols["expert_parallel"], cols["bytes_per_element"],
                 cols["compute_factor"])
    return evaluate_columns(arch, p, cols["hbm_gb"], cols["batch"], cols["input_tokens"], cols["output_tokens"])


def simulate_batch(model: str | Mapping[str, Any] | Architecture, platforms: Sequence[Mapping[str, Any]],
                   scenarios: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[Metrics]:
    """Metrics of every platform (with one shared scenario, or one scenario each), in one vectorised pass.

    Raises:
        UserError: an unknown model, key or precision, or a value out of range, naming the configuration.
    """
    arch = resolve_model(model)
    if not len(platforms):
        return []
    values, reasons = evaluate_arrays(arch, columns(platforms, scenarios))
    table = np.column_stack([values[k] for k in METRIC_NAMES]).tolist()
    return [Metrics.infeasible(r) if r else Metrics(dict(zip(METRIC_NAMES, row))) for row, r in zip(table, reasons)]


def simulate(model: str | Mapping[str, Any] | Architecture, platform: Mapping[str, Any],
             scenario: Mapping[str, Any]) -> Metrics:
    """Metrics of serving ``model`` on ``platform`` for ``scenario`` (the batch form with one configuration)."""
    return simulate_batch(model, [platform], scenario)[0]
