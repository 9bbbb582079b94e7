"""The one ask/tell driver behind every Optuna-backed agent (sobol, ga, nsga2, tpe, gp, cmaes).

An :class:`OptunaAgent` only says which sampler it uses (:meth:`OptunaAgent.make_sampler`);
this module turns the design space into Optuna distributions, asks the study
for a trial, decodes its params into a design, and tells the study the
result:

- a feasible design is told its reward (maximised) or, for multi-objective
  agents, its metric vector (minimised);
- samplers that model constraints (TPE, GP, NSGA-II:
  :attr:`OptunaAgent.constraint_aware`) are told feasibility as a constraint
  (``trial.set_constraint("feasible", 0 or 1)``, satisfied when <= 0), and the
  budgets of a constrained objective (``...;area_mm2<=8``) as one constraint
  each (``value / budget - 1``), with the *unpenalised* reward as the value.
  An infeasible design is then a complete trial whose ``feasible``
  constraint is violated, its value set to the worst value told so far (a
  placeholder the sampler's constraint handling ranks below every feasible
  design; its unknown budget constraints are told as 0, on the boundary).
  This is what lets them learn where the infeasible region is: told as
  failed trials, infeasible designs are invisible, and a GP's acquisition
  keeps proposing the same infeasible design (observed on the accelerator
  env: 12 distinct designs in 120 evaluations). Penalties, likewise, make the
  reward heavy-tailed (a design far over budget scores far below all
  others), which a GP spends its whole scale on; a constraint model keeps the
  objective smooth.
- other samplers (QMC, CMA-ES) are told the env's reward, and an infeasible
  design (or a non-finite value) as ``TrialState.FAIL``, so no sampler ever
  models the env's placeholder infeasible reward as a measurement. Before
  any feasible design, constraint-aware samplers are told failures too.

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
    #: the sampler models constraints: tell feasibility and budgets as constraints (see the module docstring)
    constraint_aware: ClassVar[bool] = False

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
            n = len(objective.optimized_metrics)
            study = optuna.create_study(sampler=sampler, directions=["minimize"] * n)
        else:
            study = optuna.create_study(sampler=sampler, direction="maximize")
        self.study = study
        self._dists = self.distributions(space)
        self._trial: optuna.Trial | None = None
        self._worst: list[float] | None = None

    def ask(self) -> dict[str, Any]:
        self._trial = self.study.ask(self._dists)
        return self.design_of(self._trial.params)

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        import optuna

        trial, self._trial = self._trial, None
        assert trial is not None, "tell() without a pending ask()"
        values = self.values(evaluation)
        if values is not None:
            self._worst = values if self._worst is None else [self._worse(a, b) for a, b in zip(self._worst, values)]
        elif self.constraint_aware and self._worst is not None:
            values = list(self._worst)
        if values is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return
        if self.constraint_aware:
            for key, value in self.constraints(evaluation).items():
                trial.set_constraint(key, value)
        self.study.tell(trial, values)

    def _worse(self, a: float, b: float) -> float:
        return max(a, b) if self.multi_objective else min(a, b)

    def constraints(self, evaluation: Evaluation) -> dict[str, float]:
        """Optuna constraints of an evaluation (satisfied when <= 0): feasibility, then each budget."""
        out = {"feasible": 0.0 if evaluation.feasible else 1.0}
        if self.objective is not None:
            if evaluation.feasible:
                out.update(self.objective.constraint_values(Metrics(evaluation.metrics)))
            else:
                out.update(dict.fromkeys(self.objective.budgets, 0.0))
        return out

    def values(self, evaluation: Evaluation) -> list[float] | None:
        """What the study is told for a feasible evaluation; None for a failed trial."""
        if not evaluation.feasible:
            return None
        if self.multi_objective:
            assert self.objective is not None
            vals = list(self.objective.vector(Metrics(evaluation.metrics)))
        elif self.constraint_aware and self.objective is not None:
            vals = [self.objective.value(Metrics(evaluation.metrics))]
        else:
            vals = [evaluation.reward]
        if not all(math.isfinite(v) for v in vals):
            logger.warning("agent %s: non-finite value %s at evaluation %d told as a failed trial",
                           self.name, vals, evaluation.step)
            return None
        return vals
