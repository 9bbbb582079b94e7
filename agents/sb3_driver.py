"""The one driver behind the stable-baselines3 agents (ppo, a2c, dqn).

A learning agent learns *through* the env: every step it takes that
completes a design is one simulator evaluation. :class:`SB3Agent` builds the
algorithm with the run's seed on one CPU thread (bit-for-bit repeatable),
and a callback stops learning the moment the env has made exactly ``budget``
evaluations, whatever the algorithm's rollout or training cadence.

The hyperparameter ``formulation`` chooses how the algorithm sees the
problem (:mod:`archgym.envs.formulations`): ``"env"`` (the default) learns on
the env as given; ``"archgym"``, ``"bandit"`` or ``"edit"`` on that env posed
another way (:meth:`~archgym.envs.design_env.DesignEnv.reformulated`: same
simulator, listeners and evaluation count, so the budget and the returned
history mean the same). With complete-design formulations, agents whose
algorithm needs ``Discrete`` actions (DQN) learn on the per-knob
:class:`~archgym.envs.wrappers.SequentialDesign` wrapper; the others on the
one-shot ``MultiDiscrete`` env, or on the wrapper if the env given to them
already is one. ``"edit"`` has ``Discrete`` actions: every algorithm learns
on it directly. stable-baselines3 and torch are imported only when a run
starts.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from archgym.agents.base import Agent, HyperParameter
from archgym.errors import UserError

if TYPE_CHECKING:
    import gymnasium

logger = logging.getLogger(__name__)

#: the hyperparameter every SB3 agent has: which formulation it learns on
FORMULATION = HyperParameter(
    "formulation", str, "env", ("env", "archgym", "bandit", "edit"),
    "learn on the env as given or posed as archgym/bandit/edit", choices=("env", "archgym", "bandit", "edit"),
)


def budget_callback(base: Any, budget: int) -> Any:
    """An SB3 callback that stops learning once ``base`` has made ``budget`` more evaluations."""
    from stable_baselines3.common.callbacks import BaseCallback

    start = base.n_evaluations

    class StopAtBudget(BaseCallback):
        def _on_step(self) -> bool:
            return base.n_evaluations - start < budget

    return StopAtBudget()


class SB3Agent(Agent):
    """Base of the stable-baselines3 agents: subclasses name the algorithm and map hyperparameters."""

    #: class name in ``stable_baselines3``
    algorithm: ClassVar[str] = ""
    #: the algorithm needs ``Discrete`` actions, so it learns on the per-knob wrapper
    discrete_only: ClassVar[bool] = False
    #: on the per-knob wrapper, end the episode after each design
    one_design_per_episode: ClassVar[bool] = True

    @abstractmethod
    def model_kwargs(self, budget: int, steps: int) -> dict[str, Any]:
        """Keyword arguments of the algorithm for a run of ``steps`` env steps (``budget`` designs)."""

    def learning_env(self, env: "gymnasium.Env") -> "gymnasium.Env":
        """The env the algorithm steps: ``env`` itself, or its per-knob form."""
        from gymnasium import spaces

        from archgym.envs.wrappers import SequentialDesign

        formulation = self.hp.get("formulation", "env")
        if formulation not in ("env", env.unwrapped.formulation):
            env = env.unwrapped.reformulated(formulation)
        if isinstance(env.action_space, spaces.Discrete):
            return env
        if self.discrete_only:
            return SequentialDesign(env, one_design_per_episode=self.one_design_per_episode)
        if isinstance(env.action_space, spaces.MultiDiscrete):
            return env
        raise UserError(f"agent {self.name!r} needs MultiDiscrete or Discrete actions, got {env.action_space}; "
                        "make the env with action_format='multidiscrete' (the default) or wrap it in "
                        "archgym.envs.wrappers.SequentialDesign")

    def _search(self, env: "gymnasium.Env", budget: int, seed: int) -> None:
        import stable_baselines3
        import torch

        torch.set_num_threads(1)
        learn_env = self.learning_env(env)
        steps_per_design = getattr(learn_env, "n_knobs", 1)
        steps = budget * steps_per_design
        cls = getattr(stable_baselines3, self.algorithm)
        kwargs = self.model_kwargs(budget, steps)
        kwargs.pop("formulation", None)  # the driver's, not the algorithm's
        model = cls("MlpPolicy", learn_env, seed=seed, device="cpu", verbose=0, **kwargs)
        base = env.unwrapped
        start = base.n_evaluations
        callback = budget_callback(base, budget)
        # an "edit" reset evaluates its start design: no reset or step may go past the budget
        base._core.evaluation_cap = start + budget
        try:
            model.learn(total_timesteps=steps, callback=callback)
            while base.n_evaluations - start < budget:  # an env that ended designs early: keep learning
                model.learn(total_timesteps=steps, callback=callback, reset_num_timesteps=False)
        finally:
            base._core.evaluation_cap = None
