"""archgym: a Gymnasium for machine-learning-assisted computer-architecture design.

``import archgym`` registers the environment ids with Gymnasium, so that
``gymnasium.make("archgym/Accelerator-v1")`` works; heavy dependencies
(pandas, matplotlib, optuna, torch) are imported only when a feature needs them.
"""

from __future__ import annotations

from archgym.metrics import Metrics, MetricSpec
from archgym.objectives import parse_objective
from archgym.simulator_check import check_simulator
from archgym.space import ParameterSpace

__version__ = "0.1.0"
__all__ = ["Metrics", "MetricSpec", "ParameterSpace", "check_simulator", "parse_objective", "replay", "validate",
           "__version__"]


def __getattr__(name: str):
    """``archgym.replay`` and ``archgym.validate`` (:mod:`archgym.reproduce`), imported on first use."""
    if name in ("replay", "validate"):
        from archgym import reproduce

        return getattr(reproduce, name)
    raise AttributeError(f"module 'archgym' has no attribute {name!r}")


def _register() -> None:
    from archgym.envs._registration import register_all

    register_all()


_register()
