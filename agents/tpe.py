"""Bayesian optimisation with a tree-structured Parzen estimator (Optuna TPESampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.agents.base import HyperParameter
from archgym.agents.optuna_driver import OptunaAgent

if TYPE_CHECKING:
    from archgym.space import ParameterSpace


class TPE(OptunaAgent):
    """Models good and bad designs with two Parzen densities and proposes where their ratio is highest.

    Ordered knobs are searched as integer indices, so the densities use their
    order; categorical knobs keep per-label densities. Infeasible designs are
    told as complete trials whose ``feasible`` constraint is violated (see
    :mod:`archgym.agents.optuna_driver`), so TPE's constraint handling learns
    where the infeasible region is and ranks them below every feasible design;
    before any feasible design they are told as failed trials.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("tpe", startup=20, multivariate=True).run(env, budget=100, seed=0)
        >>> len(history)
        100

    Args:
        startup: random designs before the model takes over.
        candidates: designs drawn from the "good" density per proposal (``n_ei_candidates``).
        multivariate: one joint density over all knobs instead of one per knob.
    """

    name = "tpe"
    family = "bayesian"
    constraint_aware = True
    hyperparameters = (
        HyperParameter("startup", int, 10, (5, 10, 20, 40), "random designs before modelling", low=1),
        HyperParameter("candidates", int, 24, (8, 24, 64), "candidates scored per proposal", low=1),
        HyperParameter("multivariate", bool, True, (True, False), "joint density over all knobs"),
    )

    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> Any:
        import optuna

        return optuna.samplers.TPESampler(n_startup_trials=self.hp["startup"], n_ei_candidates=self.hp["candidates"],
                                          multivariate=self.hp["multivariate"], seed=seed)
