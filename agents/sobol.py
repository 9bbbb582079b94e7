"""Quasi-random search: a scrambled Sobol sequence over the design space (Optuna QMCSampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.agents.base import HyperParameter
from archgym.agents.optuna_driver import OptunaAgent

if TYPE_CHECKING:
    from archgym.space import ParameterSpace


class Sobol(OptunaAgent):
    """Low-discrepancy sampling: covers the space more evenly than uniform random draws.

    The first design is drawn at random (Optuna learns the search space from
    it); the rest follow a scrambled Sobol (or Halton) sequence seeded by the
    run's seed. Nothing is learned from the results, so it is the fair
    "better random" baseline.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("sobol", sequence="halton").run(env, budget=32, seed=0)
        >>> len(history)
        32

    Args:
        sequence: ``sobol`` or ``halton``.
        scramble: randomise the sequence with the seed (otherwise every seed
            gives the same designs after the first).
    """

    name = "sobol"
    family = "quasi-random"
    hyperparameters = (
        HyperParameter("sequence", str, "sobol", ("sobol", "halton"), "low-discrepancy sequence",
                       choices=("sobol", "halton")),
        HyperParameter("scramble", bool, True, (True, False), "randomise the sequence with the seed"),
    )

    def make_sampler(self, seed: int, space: "ParameterSpace", budget: int) -> Any:
        import optuna

        return optuna.samplers.QMCSampler(qmc_type=self.hp["sequence"], scramble=self.hp["scramble"], seed=seed,
                                          warn_independent_sampling=False, warn_asynchronous_seeding=False)
