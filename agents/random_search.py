"""Random search: designs drawn uniformly from the design space."""

from __future__ import annotations

from typing import Any

from archgym.agents.base import AskTellAgent


class RandomSearch(AskTellAgent):
    """Uniform random sampling over every knob's values; the baseline every study needs.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1", workload="alexnet")
        >>> history = make_agent("random").run(env, budget=20, seed=0)
        >>> len(history)
        20
    """

    name = "random"
    family = "random"
    hyperparameters = ()

    def ask(self) -> dict[str, Any]:
        return self.space.sample(self.rng)
