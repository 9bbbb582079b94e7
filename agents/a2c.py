"""Advantage actor-critic (stable-baselines3 A2C) on the one-shot design env."""

from __future__ import annotations

from typing import Any

from archgym.agents.base import HyperParameter
from archgym.agents.sb3_driver import FORMULATION, SB3Agent


class A2C(SB3Agent):
    """A2C with a policy that proposes a complete design per step (one categorical per knob).

    Synchronous actor-critic: one gradient step every ``n_steps`` designs, no
    replay and no clipping, so it reacts fast and forgets fast. It learns on
    the env as given, or posed as ``formulation`` says (see :mod:`archgym.agents.ppo`).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("a2c", n_steps=8).run(env, budget=128, seed=0)
        >>> len(history)
        128

    Args:
        learning_rate: RMSprop step size.
        n_steps: designs per update.
        gamma: discount between successive designs of an episode.
        ent_coef: entropy bonus (keeps exploring).
        formulation: ``"env"``, ``"archgym"``, ``"bandit"`` or ``"edit"``.
    """

    name = "a2c"
    family = "reinforcement learning"
    algorithm = "A2C"
    hyperparameters = (
        HyperParameter("learning_rate", float, 1e-3, (3e-4, 1e-3, 3e-3), "RMSprop step size", low=0.0),
        HyperParameter("n_steps", int, 8, (4, 8, 16, 32), "designs per update", low=1),
        HyperParameter("gamma", float, 0.0, (0.0, 0.5, 0.9, 0.99), "discount between designs", low=0.0, high=1.0),
        HyperParameter("ent_coef", float, 0.01, (0.0, 0.01, 0.05), "entropy bonus", low=0.0),
        FORMULATION,
    )

    def model_kwargs(self, budget: int, steps: int) -> dict[str, Any]:
        return dict(self.hp)
