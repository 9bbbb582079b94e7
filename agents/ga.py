"""Genetic algorithm: a single-objective NSGA-II generation loop (Optuna NSGAIISampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.agents.base import HyperParameter
from archgym.agents.optuna_driver import OptunaAgent

if TYPE_CHECKING:
    from archgym.space import ParameterSpace

#: crossover name -> Optuna class name in ``optuna.samplers.nsgaii``
CROSSOVERS = {"uniform": "UniformCrossover", "blxalpha": "BLXAlphaCrossover", "sbx": "SBXCrossover"}


def make_crossover(name: str, swapping: float) -> Any:
    """An Optuna crossover operator by short name (categorical knobs always use uniform crossover)."""
    from optuna.samplers import nsgaii

    cls = getattr(nsgaii, CROSSOVERS[name])
    return cls(swapping) if name == "uniform" else cls()


class GA(OptunaAgent):
    """A generational genetic algorithm with elitist survivor selection.

    Each generation of ``population`` designs is bred from the best designs so
    far by binary tournament, crossover (probability ``crossover_rate``) and
    per-knob mutation (probability ``mutation_rate``: the knob is redrawn
    uniformly). With one objective, NSGA-II's non-dominated sorting is plain
    ranking by reward, so this is a classic elitist GA. Infeasible designs
    are told as trials whose ``feasible`` constraint is violated (see
    :mod:`archgym.agents.optuna_driver`): NSGA-II's constrained domination
    ranks them below every feasible design (before the first feasible design
    they are told as failed trials, which never become parents).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> ga = make_agent("ga", population=20, crossover_rate=0.9, mutation_rate=0.1)
        >>> len(ga.run(env, budget=100, seed=0))
        100

    Args:
        population: designs per generation.
        crossover_rate: probability that a child is bred by crossover rather than copied.
        mutation_rate: probability that each knob of a child is redrawn at random.
        crossover: ``uniform`` (each knob from either parent), ``blxalpha`` or
            ``sbx`` (blend the indices of ordered knobs).
    """

    name = "ga"
    family = "evolutionary"
    constraint_aware = True
    hyperparameters = (
        HyperParameter("population", int, 20, (10, 20, 50, 100), "designs per generation", low=2),
        HyperParameter("crossover_rate", float, 0.9, (0.5, 0.7, 0.9, 1.0), "probability of crossover",
                       low=0.0, high=1.0),
        HyperParameter("mutation_rate", float, 0.1, (0.02, 0.05, 0.1, 0.2, 0.3), "per-knob mutation probability",
                       low=0.0, high=1.0),
        HyperParameter("crossover", str, "uniform", tuple(CROSSOVERS), "crossover operator",
                       choices=tuple(CROSSOVERS)),
    )

    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> Any:
        import optuna

        return optuna.samplers.NSGAIISampler(
            population_size=self.hp["population"], crossover_prob=self.hp["crossover_rate"],
            mutation_prob=self.hp["mutation_rate"], crossover=make_crossover(self.hp["crossover"], 0.5), seed=seed,
        )
