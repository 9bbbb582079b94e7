"""The one ask/tell driver behind every Optuna-backed agent (sobol, ga, nsga2, tpe, gp, cmaes).

An :class:`OptunaAgent` only says which sampler it uses (:meth:`OptunaAgent.make_sampler`);
this module turns the design space into Optuna distributions, asks the study
for a trial, decodes its params into a design, and tells the study the
result:

- a feasible design is told its reward (maximised) or, for multi-objective
  agents, its metric vector (minimised); budgets of a constrained objective
  become Optuna constraints (``trial.set_constraint``, feasible when <= 0);
- an infeasible design (or a non-finite value) is told as ``TrialState.FAIL``,
  so no sampler ever models the env's placeholder infeasible reward as a
  measurement.

Ordered knobs are ``IntDistribution`` over choice indices (their order is
visible to TPE, GP and CMA-ES); categorical knobs stay categorical unless the
agent asks for an index encoding (:attr:`OptunaAgent.index_categoricals`).
Optuna is imported only when a run starts; its logging is set to warnings only.
"""

from __future__ import annotations

import logging
import math
import warnings
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from archgym.agents.base import AskTellAgent
from archgym.history import Evaluation
from archgym.metrics import Metrics
from archgym.objectives import Constrained

if TYPE_CHECKING:
    import optuna

    from archgym.objectives import Objective
    from archgym.space import ParameterSpace

logger = logging.getLogger(__name__)


def import_optuna() -> Any:
    """Import optuna with its per-trial INFO logging silenced."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


class OptunaAgent(AskTellAgent):
    """Base of the agents that delegate proposals to an Optuna sampler.

    Subclasses set :attr:`name`, :attr:`family`, :attr:`hyperparameters` and
    implement :meth:`make_sampler`. Multi-objective subclasses set
    :attr:`multi_objective`.
    """

    #: search the objective's metric vector (minimised) instead of the scalar reward
    multi_objective: ClassVar[bool] = False

    @property
    def index_categoricals(self) -> bool:
        """Encode categorical knobs as integer indices (for samplers that need numbers)."""
        return False

    @abstractmethod
    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> "optuna.samplers.BaseSampler":
        """The seeded sampler for one run."""

    # -- the driver -------------------------------------------------------------
    def distributions(self, space: "ParameterSpace") -> dict[str, Any]:
        """Optuna distributions of the knobs (see the module docstring)."""
        import optuna.distributions as od

        dists = space.optuna_distributions()
        if self.index_categoricals:
            for knob in space:
                if knob.kind == "categorical":
                    dists[knob.name] = od.IntDistribution(0, knob.n - 1)
        return dists

    def design_of(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The design a trial's params stand for."""
        p = dict(params)
        if self.index_categoricals:
            for knob in self.space:
                if knob.kind == "categorical":
                    p[knob.name] = knob.choices[int(p[knob.name])]
        return self.space.from_optuna(p)

    def setup(self, space: "ParameterSpace", budget: int, seed: int, objective: "Objective | None" = None) -> None:
        super().setup(space, budget, seed, objective)
        optuna = import_optuna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            sampler = self.make_sampler(seed, space, budget)
        if self.multi_objective:
            if objective is None:
                raise ValueError(f"agent {self.name!r} needs the env's objective")
            n = len(objective.base.metrics if isinstance(objective, Constrained) else objective.metrics)
            study = optuna.create_study(sampler=sampler, directions=["minimize"] * n)
        else:
            study = optuna.create_study(sampler=sampler, direction="maximize")
        self.study = study
        self._dists = self.distributions(space)
        self._trial: optuna.Trial | None = None

    def ask(self) -> dict[str, Any]:
        self._trial = self.study.ask(self._dists)
        return self.design_of(self._trial.params)

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        import optuna

        trial, self._trial = self._trial, None
        assert trial is not None, "tell() without a pending ask()"
        values = self.values(evaluation)
        if values is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        if self.multi_objective and isinstance(self.objective, Constrained):
            metrics = evaluation.metrics
            for name, budget in self.objective.budgets.items():
                trial.set_constraint(name, metrics[name] / budget - 1.0)
        self.study.tell(trial, values)

    def values(self, evaluation: Evaluation) -> list[float] | None:
        """What the study is told for a feasible evaluation; None for a failed trial."""
        if not evaluation.feasible:
            return None
        if self.multi_objective:
            assert self.objective is not None
            vals = list(self.objective.vector(Metrics(evaluation.metrics)))
        else:
            vals = [evaluation.reward]
        if not all(math.isfinite(v) for v in vals):
            logger.warning("agent %s: non-finite value %s at evaluation %d told as a failed trial",
                           self.name, vals, evaluation.step)
            return None
        return vals
