"""Bayesian optimisation with a Gaussian process (Optuna GPSampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.agents.base import HyperParameter
from archgym.agents.optuna_driver import OptunaAgent

if TYPE_CHECKING:
    from archgym.space import ParameterSpace


class GP(OptunaAgent):
    """A Gaussian-process surrogate (Matérn 5/2 on ordered knobs, Hamming on labels) and an expected-improvement
    acquisition maximised over the design space.

    The simulators are deterministic, so the GP is told so (less noise to
    fit). Each proposal refits the GP: the cost per evaluation grows with the
    number of evaluations (about cubically), which is what buys its sample
    efficiency; prefer ``tpe`` beyond a few hundred evaluations. Needs
    ``scipy`` and ``torch``; a run sets torch to one thread
    (``torch.set_num_threads(1)``) so results repeat bit for bit.
    Infeasible designs and the objective's budgets are modelled as
    constraints (see :mod:`archgym.agents.optuna_driver`).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("gp", startup=10).run(env, budget=40, seed=0)
        >>> len(history)
        40

    Args:
        startup: random designs before the GP takes over.
        deterministic: model the objective as noise-free.
    """

    name = "gp"
    family = "bayesian"
    constraint_aware = True
    hyperparameters = (
        HyperParameter("startup", int, 10, (5, 10, 20, 40), "random designs before modelling", low=1),
        HyperParameter("deterministic", bool, True, (True, False), "noise-free objective"),
    )

    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> Any:
        import optuna
        import torch

        torch.set_num_threads(1)
        return optuna.samplers.GPSampler(n_startup_trials=self.hp["startup"], seed=seed,
                                         deterministic_objective=self.hp["deterministic"])
