"""Grid search: every design when the budget allows, otherwise an evenly strided sub-grid."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from archgym.agents.base import AskTellAgent, HyperParameter
from archgym.history import Evaluation

if TYPE_CHECKING:
    from archgym.objectives import Objective
    from archgym.space import ParameterSpace

logger = logging.getLogger(__name__)


def grid_levels(nvec: np.ndarray, budget: int) -> np.ndarray:
    """Values per knob of the finest grid with at most ``budget`` points.

    Starting from one value per knob, repeatedly refine the knob whose grid is
    coarsest relative to its value count, while the grid still fits.
    """
    levels = np.ones(len(nvec), dtype=np.int64)
    while True:
        size = math.prod(int(v) for v in levels)
        fits = [i for i in range(len(nvec)) if levels[i] < nvec[i] and size // levels[i] * (levels[i] + 1) <= budget]
        if not fits:
            return levels
        i = max(fits, key=lambda j: nvec[j] / levels[j])
        levels[i] += 1


def strided(n: int, levels: int) -> np.ndarray:
    """``levels`` indices spread evenly over ``0..n-1`` (cell centres; all of them when ``levels == n``)."""
    return np.unique(((np.arange(levels) + 0.5) * n / levels).astype(np.int64))


class GridSearch(AskTellAgent):
    """Exhaustive or strided grid search.

    If the budget covers the whole (discretised) space, every design is
    evaluated. Otherwise each knob is cut to evenly spaced values so the grid
    has at most ``budget`` points (finer on knobs with more values), and the
    leftover budget goes to random designs not evaluated yet. When even the
    whole space is exhausted, further evaluations repeat the grid (the
    simulators are deterministic, so repeats find nothing new; the budget is
    still honoured exactly).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("grid", order="lexicographic").run(env, budget=64, seed=0)
        >>> len(history)
        64

    Args:
        order: ``shuffle`` visits the grid in a seeded random order (so a
            best-so-far curve is meaningful at any budget), ``lexicographic``
            in declaration order (last knob fastest).
    """

    name = "grid"
    family = "grid"
    hyperparameters = (
        HyperParameter("order", str, "shuffle", ("shuffle", "lexicographic"), "order of the grid points",
                       choices=("shuffle", "lexicographic")),
    )

    def setup(self, space: "ParameterSpace", budget: int, seed: int, objective: "Objective | None" = None) -> None:
        super().setup(space, budget, seed, objective)
        nvec = space.nvec
        axes = [strided(int(n), int(lv)) for n, lv in zip(nvec, grid_levels(nvec, budget))]
        shape = tuple(len(a) for a in axes)
        count = math.prod(shape)
        order = self.rng.permutation(count) if self.hp["order"] == "shuffle" else np.arange(count)
        flat = np.stack(np.unravel_index(order, shape), axis=1) if len(shape) else np.zeros((1, 0), np.int64)
        self._points = np.stack([a[flat[:, i]] for i, a in enumerate(axes)], axis=1)
        self._next = 0
        self._seen: set[bytes] = set()
        self._space_size = space.size
        logger.info("grid: %d points (%s values per knob) for a budget of %d", count, "x".join(map(str, shape)),
                    budget)

    def ask(self) -> dict[str, Any]:
        if self._next < len(self._points):
            x = self._points[self._next]
        elif len(self._seen) >= self._space_size:
            x = self._points[self._next % len(self._points)]
        else:
            x = self.rng.integers(0, self.space.nvec)
            while x.tobytes() in self._seen:
                x = self.rng.integers(0, self.space.nvec)
        self._next += 1
        return self.space.decode(x)

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        self._seen.add(self.space.encode(design).tobytes())
