"""Random walk (ArchGym's random walker): mutate a few knobs of the incumbent design."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from archgym.agents.base import AskTellAgent, HyperParameter
from archgym.history import Evaluation

if TYPE_CHECKING:
    from archgym.objectives import Objective
    from archgym.space import ParameterSpace

#: proposals tried per step to find a design not evaluated before
_UNSEEN_TRIES = 32


class RandomWalker(AskTellAgent):
    """A stochastic hill climber: each proposal changes ``knobs`` knobs of the incumbent.

    The walk starts at a random design. An ordered knob moves by up to
    ``radius`` positions (reflected at its ends); a categorical knob takes
    another label at random. A design at least as good as the incumbent
    becomes the incumbent (sideways moves cross plateaus). After ``restart``
    evaluations without improvement the walk restarts from a random design.
    Proposals avoid designs already evaluated when a fresh one can be found.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("walker", knobs=2, radius=1).run(env, budget=100, seed=0)
        >>> len(history)
        100

    Args:
        knobs: knobs changed per proposal.
        radius: largest move of an ordered knob, in positions of its value list.
        restart: evaluations without improvement before a random restart (0: never).
    """

    name = "walker"
    family = "random walk"
    hyperparameters = (
        HyperParameter("knobs", int, 1, (1, 2, 3), "knobs changed per proposal", low=1),
        HyperParameter("radius", int, 2, (1, 2, 4, 8), "largest move of an ordered knob (positions)", low=1),
        HyperParameter("restart", int, 100, (0, 25, 50, 100, 200), "stall length before a restart (0: never)",
                       low=0),
    )

    def setup(self, space: "ParameterSpace", budget: int, seed: int, objective: "Objective | None" = None) -> None:
        super().setup(space, budget, seed, objective)
        self._nvec = space.nvec
        self._ordered = np.array([k.ordered for k in space])
        self._current: np.ndarray | None = None
        self._current_reward = -np.inf
        self._stall = 0
        self._seen: set[bytes] = set()

    def _neighbour(self, x: np.ndarray) -> np.ndarray:
        y = x.copy()
        movable = np.flatnonzero(self._nvec > 1)
        if not len(movable):
            return y
        for i in self.rng.choice(movable, size=min(self.hp["knobs"], len(movable)), replace=False):
            n = int(self._nvec[i])
            if self._ordered[i]:
                step = int(self.rng.integers(1, self.hp["radius"] + 1)) * (1 if self.rng.random() < 0.5 else -1)
                j = int(y[i]) + step
                j = -j if j < 0 else (2 * (n - 1) - j if j > n - 1 else j)
                y[i] = min(max(j, 0), n - 1)
                if y[i] == x[i]:
                    y[i] = x[i] + 1 if x[i] < n - 1 else x[i] - 1
            else:
                y[i] = (int(x[i]) + int(self.rng.integers(1, n))) % n
        return y

    def ask(self) -> dict[str, Any]:
        x = None
        for _ in range(_UNSEEN_TRIES):
            x = self.rng.integers(0, self._nvec) if self._current is None else self._neighbour(self._current)
            if x.tobytes() not in self._seen:
                break
        assert x is not None
        return self.space.decode(x)

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        x = self.space.encode(design)
        self._seen.add(x.tobytes())
        if evaluation.feasible and evaluation.reward >= self._current_reward:
            self._stall = 0 if evaluation.reward > self._current_reward else self._stall + 1
            self._current, self._current_reward = x, evaluation.reward
        else:
            self._stall += 1
        if self.hp["restart"] and self._stall >= self.hp["restart"]:
            self._current, self._current_reward, self._stall = None, -np.inf, 0
