"""The agent interface: ``agent.run(env, budget, seed) -> History``.

Shaped like Optuna's samplers: a small base class, one agent per module.
``budget`` counts simulator evaluations, the fair unit across search families.
Each agent declares its hyperparameters (:class:`HyperParameter`) with a
default and a sweep range, so the CLI can set them and sweeps can vary them.

Ask/tell agents (random, grid, evolutionary, Bayesian) implement
:meth:`AskTellAgent.ask` and :meth:`AskTellAgent.tell` and share one driver
loop; learning agents override :meth:`Agent._search` and step the env
themselves. Either way every evaluation reaches the returned
:class:`~archgym.history.History` (and any record writer attached to the env)
through the env's listeners.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

import numpy as np

from archgym.errors import UserError, whole_number
from archgym.history import Evaluation, History

if TYPE_CHECKING:
    import gymnasium

    from archgym.envs.design_env import DesignEnv
    from archgym.objectives import Objective
    from archgym.space import ParameterSpace

Callback = Callable[[Evaluation], None]


@dataclass(frozen=True)
class HyperParameter:
    """Declaration of one agent hyperparameter.

    Attributes:
        name: keyword used in ``Agent(**hp)``, ``--hp name=value`` and sweep files.
        type: ``int``, ``float``, ``str`` or ``bool``.
        default: value used when none is given.
        sweep: the values a hyperparameter-lottery study draws from.
        help: one-line meaning.
        choices: allowed values for ``str`` hyperparameters (empty: any).
        low, high: allowed range for numbers (None: unbounded).
    """

    name: str
    type: type
    default: Any
    sweep: tuple[Any, ...]
    help: str = ""
    choices: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    def parse(self, value: Any) -> Any:
        """Convert (from a CLI string if need be) and check a value, or raise :class:`UserError`."""
        try:
            if self.type is bool and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                v: Any = value.lower() in ("true", "1", "yes")
            elif self.type is int and isinstance(value, float) and not value.is_integer():
                raise ValueError
            else:
                v = self.type(value)
        except (TypeError, ValueError):
            raise UserError(
                f"hyperparameter {self.name!r}: {value!r} is not a valid {self.type.__name__}"
            ) from None
        if self.type is float and not math.isfinite(v):
            raise UserError(f"hyperparameter {self.name!r} must be a finite number, got {value!r}")
        if self.choices and v not in self.choices:
            raise UserError(f"hyperparameter {self.name!r}: {v!r} is not one of {list(self.choices)}")
        if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
            raise UserError(f"hyperparameter {self.name!r}: {v!r} is outside [{self.low}, {self.high}]")
        return v


class Agent(ABC):
    """Base of every search agent."""

    #: registry name (``archgym run --agent NAME``)
    name: ClassVar[str] = ""
    #: search family, for listings and reports
    family: ClassVar[str] = ""
    #: declared hyperparameters
    hyperparameters: ClassVar[tuple[HyperParameter, ...]] = ()
    #: the History subclass :meth:`run` returns (multi-objective agents return a Pareto view)
    history_class: ClassVar[type[History]] = History

    def __init__(self, **hp: Any):
        self.hp = self.parse_hyperparameters(hp)

    @classmethod
    def parse_hyperparameters(cls, hp: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overridden by ``hp``; unknown names and bad values raise :class:`UserError`."""
        decl = {h.name: h for h in cls.hyperparameters}
        for key in hp:
            if key not in decl:
                valid = ", ".join(decl) or "(none)"
                raise UserError(f"agent {cls.name!r} has no hyperparameter {key!r}; valid: {valid}")
        return {n: (h.parse(hp[n]) if n in hp else h.default) for n, h in decl.items()}

    def run(
        self,
        env: "gymnasium.Env",
        budget: int,
        seed: int = 0,
        callback: Callback | None = None,
    ) -> History:
        """Search ``env`` with exactly ``budget`` simulator evaluations; deterministic in ``seed``."""
        budget, seed = whole_number("budget", budget, low=1), whole_number("seed", seed, low=0)
        base: DesignEnv = env.unwrapped  # type: ignore[assignment]
        history = self.history_class(
            env_id=base.env_id, workload=base.workload_name, objective=base.objective.spec(),
            agent=self.name, hyperparameters=dict(self.hp), seed=int(seed),
        )
        start = base.n_evaluations

        def listen(ev: Evaluation) -> None:
            if len(history) < budget:
                history.add(ev)
                if callback is not None:
                    callback(ev)

        base.listeners.append(listen)
        try:
            self._search(env, int(budget), int(seed))
        finally:
            base.listeners.remove(listen)
        made = base.n_evaluations - start
        if made != budget:
            raise RuntimeError(f"agent {self.name!r} made {made} evaluations for a budget of {budget}")
        return history

    @abstractmethod
    def _search(self, env: "gymnasium.Env", budget: int, seed: int) -> None:
        """Make exactly ``budget`` evaluations by stepping ``env``."""


class AskTellAgent(Agent):
    """An agent that proposes designs (:meth:`ask`) and learns from results (:meth:`tell`)."""

    def setup(self, space: "ParameterSpace", budget: int, seed: int, objective: "Objective | None" = None) -> None:
        """Prepare for a run (called once before the first :meth:`ask`).

        ``objective`` is the env's objective, for agents that search its metric
        vector rather than the scalar reward (multi-objective ones).
        """
        self.space = space
        self.rng = np.random.default_rng(seed)
        self.objective = objective

    @abstractmethod
    def ask(self) -> dict[str, Any]:
        """The next complete design to evaluate."""

    def tell(self, design: Mapping[str, Any], evaluation: Evaluation) -> None:
        """Learn from the evaluation of a design :meth:`ask` proposed (default: nothing)."""

    def _search(self, env: "gymnasium.Env", budget: int, seed: int) -> None:
        base: DesignEnv = env.unwrapped  # type: ignore[assignment]
        if getattr(base, "formulation", "archgym") == "edit":  # proposes whole designs: the one-shot form
            env = base = base.reformulated("archgym")
        self.setup(base.design_space, budget, seed, base.objective)
        env.reset(seed=seed)
        for _ in range(budget):
            design = self.ask()
            action = base.design_space.encode(design)
            if base.action_format == "dict":
                action = dict(zip(base.design_space.names, action))
            _, _, terminated, truncated, _ = env.step(action)
            evaluation = base.last_evaluation
            assert evaluation is not None
            self.tell(design, evaluation)
            if terminated or truncated:
                env.reset()


def describe(agent_cls: type[Agent]) -> Sequence[dict[str, str]]:
    """Rows describing an agent's hyperparameters (for ``archgym agents``)."""
    return [
        {"name": h.name, "type": h.type.__name__, "default": str(h.default),
         "sweep": ", ".join(map(str, h.sweep)), "meaning": h.help}
        for h in agent_cls.hyperparameters
    ]
