"""Analytical LLM-serving model: prefill and decode of a transformer on a multi-chip platform.

Public API:

* :func:`simulate` ``(model, platform, scenario) -> Metrics`` and
  :func:`simulate_batch` (thousands of platforms in one vectorised call);
* :data:`MODELS` (Hugging Face ids, each citing its config) and
  :func:`resolve_model`; :class:`Architecture` for a model given as a dict;
* :class:`LLMServingSimulator`, the :class:`archgym.simulator.Simulator`
  behind ``archgym/LLMServing-v0``, with its workloads (model x use case).

What is modelled and where each constant comes from: ``README.md`` beside
this file and :mod:`.roofline`, :mod:`.operators`, :mod:`.serving`.
"""

from __future__ import annotations

from .api import PLATFORM_KEYS, SCENARIO_KEYS, simulate, simulate_batch
from .models import ALIASES, MODELS, Architecture, resolve_model
from .roofline import PRECISIONS
from .serving import METRIC_NAMES

__all__ = ["ALIASES", "METRIC_NAMES", "MODELS", "PLATFORM_KEYS", "PRECISIONS", "SCENARIO_KEYS", "Architecture",
           "resolve_model", "simulate", "simulate_batch"]

from .knobs import SPACE  # noqa: E402
from .simulator import LLMServingSimulator  # noqa: E402
from .workloads import USE_CASES, UseCase, Workload, load_workload, shipped_workloads  # noqa: E402

__all__ += ["SPACE", "USE_CASES", "LLMServingSimulator", "UseCase", "Workload", "load_workload", "shipped_workloads"]
