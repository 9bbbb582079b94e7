"""Sweep plugin for the tests: the toy env and two toy agents, importable in any worker process.

Sweep files in the tests list this file under ``imports:``, so spawned pool
workers and Dask workers register the same env and agents as the test process.
"""

from __future__ import annotations

import os
import time
from typing import Any

from archgym.agents import AGENTS
from archgym.agents.base import AskTellAgent, HyperParameter
from archgym.errors import UserError
from archgym.examples.toy.env import register as register_toy

register_toy()


class Tuned(AskTellAgent):
    """Random search that keeps the best design and perturbs it with probability ``explore``.

    Its hyperparameters change its results, which the lottery report needs.
    """

    name = "toy-tuned"
    family = "test"
    hyperparameters = (
        HyperParameter("explore", float, 0.5, (0.1, 0.5, 0.9), "chance of a fresh random design", low=0, high=1),
        HyperParameter("width", int, 1, (1, 2, 4), "knobs changed per perturbation", low=1),
    )

    def __init__(self, **hp: Any):
        super().__init__(**hp)
        if self.hp["explore"] == 0.9 and self.hp["width"] == 4:
            raise UserError("agent 'toy-tuned': explore=0.9 and width=4 cannot be combined")

    def setup(self, space, budget, seed, *args):
        super().setup(space, budget, seed, *args)
        self.best: tuple[float, dict[str, Any]] | None = None

    def ask(self) -> dict[str, Any]:
        if self.best is None or self.rng.random() < self.hp["explore"]:
            return self.space.sample(self.rng)
        design = dict(self.best[1])
        fresh = self.space.sample(self.rng)
        for name in self.rng.choice(self.space.names, size=min(self.hp["width"], len(self.space)), replace=False):
            design[name] = fresh[name]
        return design

    def tell(self, design, evaluation):
        if evaluation.feasible and (self.best is None or evaluation.reward > self.best[0]):
            self.best = (evaluation.reward, dict(design))


class Crasher(AskTellAgent):
    """Kills its own process (like a segfault) in the trial whose seed is ``crash_seed``; otherwise random search."""

    name = "toy-crash"
    family = "test"
    hyperparameters = (HyperParameter("crash_seed", int, -1, (-1, 0), "seed whose trial kills its worker"),)

    def setup(self, space, budget, seed, *args):
        super().setup(space, budget, seed, *args)
        if seed == self.hp["crash_seed"]:
            self.fail()

    def fail(self) -> None:
        os._exit(3)

    def ask(self) -> dict[str, Any]:
        return self.space.sample(self.rng)


class Raiser(Crasher):
    """Raises inside the search in the trial whose seed is ``crash_seed`` (the trial's own error)."""

    name = "toy-raise"

    def fail(self) -> None:
        raise RuntimeError("toy agent asked to fail")


class Slow(Crasher):
    """Random search that sleeps ``sleep_ms`` before each design (to kill a sweep half-way)."""

    name = "toy-slow"
    hyperparameters = (HyperParameter("sleep_ms", int, 20, (20,), "pause before each design", low=0),)

    def setup(self, space, budget, seed, *args):
        AskTellAgent.setup(self, space, budget, seed, *args)

    def ask(self) -> dict[str, Any]:
        time.sleep(self.hp["sleep_ms"] / 1000)
        return super().ask()


for _cls in (Tuned, Crasher, Raiser, Slow):
    AGENTS.setdefault(_cls.name, f"{__name__}:{_cls.__name__}")
