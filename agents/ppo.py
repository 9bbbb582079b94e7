"""Proximal policy optimisation (stable-baselines3 PPO) on the one-shot design env."""

from __future__ import annotations

from typing import Any

from archgym.agents.base import HyperParameter
from archgym.agents.sb3_driver import FORMULATION, SB3Agent


class PPO(SB3Agent):
    """PPO with a policy that proposes a complete design per step (one categorical per knob).

    On the env as given (``formulation="env"``, ArchGym's formulation by
    default) the observation is the previous design's metrics; with
    ``formulation="bandit"`` it is constant and the policy is a distribution
    over designs; with ``formulation="edit"`` the policy edits one knob of the
    current design per step (see :mod:`archgym.envs.formulations`).
    ``n_steps`` steps make one rollout. In the complete-design formulations
    designs are independent of each other, so the default ``gamma`` of 0
    makes it a bandit over designs; with ``"edit"``, 0 makes it a greedy
    editor (each edit judged by its own improvement) and 0.9 a planning one.
    Learning stops after exactly ``budget`` evaluations, so a small
    ``n_steps`` is what lets PPO learn within a few hundred evaluations
    (SB3's default of 2048 would never update).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("ppo", n_steps=32, learning_rate=1e-3).run(env, budget=128, seed=0)
        >>> len(history)
        128

    Args:
        learning_rate: Adam step size.
        n_steps: designs per rollout (one policy update per rollout).
        batch_size: minibatch size (a divisor of ``n_steps`` is best).
        n_epochs: passes over each rollout.
        gamma: discount between successive designs of an episode.
        ent_coef: entropy bonus (keeps exploring).
        clip_range: PPO clipping.
        formulation: ``"env"`` (learn on the env as given), ``"archgym"``,
            ``"bandit"`` or ``"edit"`` (learn on it posed that way).
    """

    name = "ppo"
    family = "reinforcement learning"
    algorithm = "PPO"
    hyperparameters = (
        HyperParameter("learning_rate", float, 3e-3, (3e-4, 1e-3, 3e-3, 1e-2), "Adam step size", low=0.0),
        HyperParameter("n_steps", int, 16, (8, 16, 32, 64), "designs per rollout", low=2),
        HyperParameter("batch_size", int, 16, (8, 16, 32, 64), "minibatch size", low=2),
        HyperParameter("n_epochs", int, 10, (5, 10, 20), "passes over each rollout", low=1),
        HyperParameter("gamma", float, 0.0, (0.0, 0.5, 0.9, 0.99), "discount between designs", low=0.0, high=1.0),
        HyperParameter("ent_coef", float, 0.01, (0.0, 0.01, 0.05), "entropy bonus", low=0.0),
        HyperParameter("clip_range", float, 0.2, (0.1, 0.2, 0.3), "PPO clipping", low=0.0),
        FORMULATION,
    )

    def model_kwargs(self, budget: int, steps: int) -> dict[str, Any]:
        return dict(self.hp, batch_size=min(self.hp["batch_size"], self.hp["n_steps"]))
