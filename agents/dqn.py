"""Deep Q-learning (stable-baselines3 DQN) on the per-knob sequential env."""

from __future__ import annotations

from typing import Any

from archgym.agents.base import HyperParameter
from archgym.agents.sb3_driver import FORMULATION, SB3Agent


class DQN(SB3Agent):
    """DQN choosing one knob value per step (:class:`~archgym.envs.wrappers.SequentialDesign`).

    A Q-network scores the values of the next knob given the knobs chosen so
    far and the last design's metrics; the reward arrives when the design is
    complete. Exploration decays linearly from 1 to ``final_eps`` over the
    first ``exploration_fraction`` of the run (the run is exactly ``budget``
    designs times the number of knobs steps). Works on every env, as
    ArchGym's ``*_RL`` envs do. With ``formulation="edit"`` the Q-network
    scores edits of the current design instead (one evaluation per step).

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1")
        >>> history = make_agent("dqn", exploration_fraction=0.3).run(env, budget=100, seed=0)
        >>> len(history)
        100

    Args:
        learning_rate: Adam step size.
        buffer_size: replay buffer size (steps).
        learning_starts: steps of pure exploration before learning.
        batch_size: replay minibatch size.
        gamma: discount per knob step.
        train_freq: steps between gradient updates.
        target_update_interval: steps between target-network copies.
        exploration_fraction: share of the run over which epsilon decays.
        final_eps: final epsilon.
        n_step_returns: learn from n-step returns with n the number of knobs,
            so every knob choice of a design sees that design's reward
            directly instead of through a chain of bootstrapped estimates.
        formulation: ``"env"``, ``"archgym"``, ``"bandit"`` or ``"edit"``.
    """

    name = "dqn"
    family = "reinforcement learning"
    algorithm = "DQN"
    discrete_only = True
    hyperparameters = (
        HyperParameter("learning_rate", float, 1e-3, (3e-4, 1e-3, 3e-3), "Adam step size", low=0.0),
        HyperParameter("buffer_size", int, 10_000, (1_000, 10_000, 100_000), "replay buffer (steps)", low=1),
        HyperParameter("learning_starts", int, 50, (0, 50, 200, 500), "exploration steps before learning", low=0),
        HyperParameter("batch_size", int, 32, (32, 64, 128), "replay minibatch size", low=1),
        HyperParameter("gamma", float, 1.0, (0.9, 0.99, 1.0), "discount per knob step", low=0.0, high=1.0),
        HyperParameter("train_freq", int, 4, (1, 4, 8), "steps between updates", low=1),
        HyperParameter("target_update_interval", int, 50, (20, 50, 200), "steps between target copies", low=1),
        HyperParameter("exploration_fraction", float, 0.3, (0.1, 0.3, 0.5, 0.8), "epsilon decay share of the run",
                       low=0.0, high=1.0),
        HyperParameter("final_eps", float, 0.1, (0.02, 0.05, 0.1, 0.2), "final epsilon", low=0.0, high=1.0),
        HyperParameter("n_step_returns", bool, True, (True, False), "n-step returns over a whole design"),
        FORMULATION,
    )

    def model_kwargs(self, budget: int, steps: int) -> dict[str, Any]:
        kw = dict(self.hp)
        kw["exploration_final_eps"] = kw.pop("final_eps")
        kw["n_steps"] = steps // budget if kw.pop("n_step_returns") else 1
        return kw
