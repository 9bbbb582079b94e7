"""Covariance-matrix-adaptation evolution strategy (Optuna CmaEsSampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.agents.base import HyperParameter
from archgym.agents.optuna_driver import OptunaAgent
from archgym.errors import UserError

if TYPE_CHECKING:
    from archgym.space import ParameterSpace


class CMAES(OptunaAgent):
    """CMA-ES over the knob indices: a Gaussian search distribution whose mean and covariance follow the best
    designs of each generation.

    CMA-ES needs numbers; categorical knobs are handled in one of two ways
    (``categoricals``):

    - ``index`` (default): each label is searched as its index in the knob's
      declaration order. The order is arbitrary but lets CMA-ES move every
      knob jointly; fine for knobs with few labels.
    - ``independent``: categorical knobs are drawn uniformly at random for
      every design (Optuna's independent sampler) and CMA-ES only sees the
      ordered knobs. Right when labels have no meaningful order, at the cost
      of never learning them.

    ``margin`` keeps a minimum probability of moving each integer knob (CMA-ES
    with margin), which stops the search freezing on a discrete plateau.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("cmaes", popsize=12, categoricals="independent").run(env, budget=96, seed=0)
        >>> len(history)
        96

    Args:
        popsize: designs per generation (0: CMA-ES's default, ``4 + 3 ln(n_knobs)``).
        categoricals: ``index`` or ``independent`` (see above).
        margin: use CMA-ES with margin for the integer knobs.
        separable: diagonal covariance (sep-CMA), cheaper and better for separable costs.
    """

    name = "cmaes"
    family = "evolution strategy"
    hyperparameters = (
        HyperParameter("popsize", int, 0, (0, 8, 16, 32), "designs per generation (0: default)", low=0),
        HyperParameter("categoricals", str, "index", ("index", "independent"), "how categorical knobs are searched",
                       choices=("index", "independent")),
        HyperParameter("margin", bool, True, (True, False), "CMA-ES with margin for integer knobs"),
        HyperParameter("separable", bool, False, (False, True), "diagonal covariance (sep-CMA)"),
    )

    def __init__(self, **hp: Any):
        super().__init__(**hp)
        if self.hp["margin"] and self.hp["separable"]:
            raise UserError("agent 'cmaes': margin=true and separable=true cannot be combined; set one to false")

    @property
    def index_categoricals(self) -> bool:
        return self.hp["categoricals"] == "index"

    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> Any:
        import optuna

        numeric = [k.name for k in space if k.ordered or self.index_categoricals]
        if len(numeric) < 2:
            raise UserError(f"agent 'cmaes' needs at least two numeric knobs, this space has {len(numeric)} "
                            f"({', '.join(numeric) or 'none'}); use categoricals=index or another agent")
        return optuna.samplers.CmaEsSampler(
            popsize=self.hp["popsize"] or None, with_margin=self.hp["margin"], use_separable_cma=self.hp["separable"],
            seed=seed, warn_independent_sampling=False,
        )
