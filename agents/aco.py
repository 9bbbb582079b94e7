"""Ant colony optimisation: pheromone on every knob value, evaporation, rank-based deposits and elitism."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from archgym.agents.base import AskTellAgent, HyperParameter
from archgym.history import Evaluation

if TYPE_CHECKING:
    from archgym.objectives import Objective
    from archgym.space import ParameterSpace

#: pheromone floor as a fraction of each knob's largest pheromone (MAX-MIN ant system), keeps exploring
PHEROMONE_FLOOR = 0.02


class AntColony(AskTellAgent):
    """Ant colony optimisation over the knob values (ArchGym used DeepSwarm's ACO; this is a compact one).

    Every value of every knob carries pheromone ``tau`` (initially 1). An ant
    builds a design by picking each knob's value with probability
    proportional to ``tau ** alpha``. After a colony of ``ants`` designs is
    evaluated, all pheromone evaporates by the factor ``1 - evaporation``;
    then the feasible ants deposit by rank (the best ant 1, the worst
    ``1 / n``, so deposits do not depend on the reward's scale), and the best
    design found so far deposits ``elitism`` more. On ordered knobs a deposit
    also reaches neighbouring values with a Gaussian weight of width
    ``spread`` positions, so the colony uses the knob's order. Pheromone never
    falls below :data:`PHEROMONE_FLOOR` of the knob's maximum.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("aco", ants=10, evaporation=0.2).run(env, budget=100, seed=0)
        >>> len(history)
        100

    Args:
        ants: designs per colony (pheromone is updated after each colony).
        evaporation: fraction of pheromone lost per colony.
        alpha: exponent on pheromone when choosing values (higher: greedier).
        elitism: extra deposit of the best design so far, per colony.
        spread: width (in positions) of a deposit on ordered knobs (0: the value only).
    """

    name = "aco"
    family = "ant colony"
    hyperparameters = (
        HyperParameter("ants", int, 10, (5, 10, 20, 50), "designs per colony", low=1),
        HyperParameter("evaporation", float, 0.1, (0.05, 0.1, 0.2, 0.4), "pheromone lost per colony",
                       low=0.0, high=1.0),
        HyperParameter("alpha", float, 1.0, (0.5, 1.0, 2.0), "pheromone exponent", low=0.0),
        HyperParameter("elitism", float, 2.0, (0.0, 1.0, 2.0, 5.0), "extra deposit of the best design", low=0.0),
        HyperParameter("spread", float, 0.5, (0.0, 0.5, 1.0, 2.0), "deposit width on ordered knobs", low=0.0),
    )

    def setup(self, space: "ParameterSpace", budget: int, seed: int, objective: "Objective | None" = None) -> None:
        super().setup(space, budget, seed, objective)
        self._tau = [np.ones(int(n)) for n in space.nvec]
        self._ordered = [k.ordered for k in space]
        self._queue: list[np.ndarray] = []
        self._colony: list[tuple[np.ndarray, float]] = []
        self._best: tuple[np.ndarray, float] | None = None

    def ask(self) -> dict[str, Any]:
        if not self._queue:
            self._queue = [self._ant() for _ in range(self.hp["ants"])]
        return self.space.decode(self._queue.pop(0))

    def _ant(self) -> np.ndarray:
        out = np.empty(len(self._tau), dtype=np.int64)
        for i, tau in enumerate(self._tau):
            p = tau ** self.hp["alpha"]
            out[i] = self.rng.choice(len(tau), p=p / p.sum())
        return out

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        x = self.space.encode(design)
        reward = evaluation.reward if evaluation.feasible and np.isfinite(evaluation.reward) else None
        if reward is not None:
            self._colony.append((x, reward))
            if self._best is None or reward > self._best[1]:
                self._best = (x, reward)
        if not self._queue:
            self._update()

    def _update(self) -> None:
        ranked = sorted(self._colony, key=lambda xr: -xr[1])
        self._colony = []
        for tau in self._tau:
            tau *= 1.0 - self.hp["evaporation"]
        n = len(ranked)
        deposits = [(x, (n - r) / n) for r, (x, _) in enumerate(ranked)]
        if self._best is not None and self.hp["elitism"] > 0:
            deposits.append((self._best[0], self.hp["elitism"]))
        for x, amount in deposits:
            for i, tau in enumerate(self._tau):
                tau += amount * self._kernel(i, int(x[i]))
        for tau in self._tau:
            np.maximum(tau, PHEROMONE_FLOOR * tau.max(), out=tau)

    def _kernel(self, knob: int, value: int) -> np.ndarray:
        """Deposit shape on one knob: the value itself, or a normalised Gaussian around it on ordered knobs."""
        n = len(self._tau[knob])
        width = self.hp["spread"]
        if not self._ordered[knob] or width <= 0:
            k = np.zeros(n)
            k[value] = 1.0
            return k
        k = np.exp(-0.5 * ((np.arange(n) - value) / width) ** 2)
        return k / k.max()
