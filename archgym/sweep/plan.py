"""Expanding a sweep file into trials, each named by a content hash.

A :class:`Trial` is one (env, agent, hyperparameters, seed, budget) run. Its
:attr:`Trial.key` hashes exactly what determines its result (env id and
version, env kwargs, agent, the full hyperparameter setting with defaults
filled in, seed, budget), so the same trial has the same key in every sweep
file and every run: that is what makes resuming and de-duplication exact.

Settings drawn with ``samples`` come from a generator seeded by the sweep's
``sample_seed`` and the agent's name, so a plan is the same on every machine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from archgym.errors import UserError

if TYPE_CHECKING:
    from archgym.sweep.spec import AgentSpec, SweepSpec

log = logging.getLogger(__name__)

#: hex digits of the sha256 kept in a trial key
KEY_LENGTH = 16


@dataclass(frozen=True)
class Trial:
    """One run of one agent with one hyperparameter setting on one env with one seed."""

    env_id: str
    env_version: int
    env_kwargs: dict[str, Any]
    agent: str
    hp: dict[str, Any]
    seed: int
    budget: int
    env_label: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """Content hash of everything that determines the trial's result."""
        content = {k: v for k, v in asdict(self).items() if k != "env_label"}
        blob = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:KEY_LENGTH]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Trial":
        return cls(**data)

    def describe(self) -> str:
        hp = ", ".join(f"{k}={v}" for k, v in self.hp.items()) or "defaults"
        return f"{self.agent} ({hp}) on {self.env_label or self.env_id}, seed {self.seed}"


def settings_in_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of a grid, in a fixed order (first key varies slowest)."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def hp_settings(agent: "AgentSpec", sample_seed: int = 0) -> list[dict[str, Any]]:
    """The full hyperparameter settings (defaults filled in) an agent entry asks for.

    Combinations the agent itself rejects (its constructor raises a
    :class:`UserError`, e.g. two options that exclude each other) are left out
    of grids and draws; an entry left with no setting at all is an error.
    """
    cls = agent.agent_class()
    grid = agent.grid()
    sizes = [len(v) for v in grid.values()]
    total = int(np.prod(sizes)) if sizes else 1
    rejected: list[str] = []

    def valid(setting: dict[str, Any]) -> bool:
        try:
            cls(**setting)
        except UserError as exc:
            rejected.append(str(exc))
            return False
        return True

    if agent.samples is None or agent.samples >= total:
        chosen = [s for s in settings_in_grid(grid) if valid(s)]
    else:
        chosen = _draw(grid, sizes, agent.samples, _agent_seed(agent.name, sample_seed), valid)
    if rejected:
        log.info("agent %s: %d hyperparameter combinations rejected by the agent (e.g. %s)",
                 agent.name, len(rejected), rejected[0])
    if not chosen:
        raise UserError(f"agent {agent.name!r}: no valid hyperparameter setting in the sweep; e.g. {rejected[0]}")
    return [cls.parse_hyperparameters(s) for s in chosen]


def _agent_seed(name: str, sample_seed: int) -> list[int]:
    return [int(sample_seed), int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)]


def _draw(grid: dict[str, list[Any]], sizes: list[int], n: int, seed: list[int],
          valid: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Up to ``n`` distinct valid settings drawn uniformly from the grid without building it."""
    rng = np.random.default_rng(seed)
    total = int(np.prod(sizes))
    seen: set[tuple[int, ...]] = set()
    out: list[dict[str, Any]] = []
    keys = list(grid)
    while len(out) < n and len(seen) < total:
        idx = tuple(int(rng.integers(s)) for s in sizes)
        if idx in seen:
            continue
        seen.add(idx)
        setting = {k: grid[k][i] for k, i in zip(keys, idx)}
        if valid(setting):
            out.append(setting)
    return out


def expand(spec: "SweepSpec") -> list[Trial]:
    """All trials of a sweep, env-major then agent, setting and seed; repeats removed."""
    from archgym.registry import env_version

    settings = [(a.name, hp_settings(a, spec.sample_seed)) for a in spec.agents]
    trials = [
        Trial(env_id=e.id, env_version=env_version(e.id), env_kwargs=dict(e.kwargs), agent=name, hp=hp,
              seed=seed, budget=int(spec.budget), env_label=e.display)
        for e in spec.envs for name, hps in settings for hp in hps for seed in spec.seeds
    ]
    return unique(trials)


def unique(trials: Iterable[Trial]) -> list[Trial]:
    """Trials without repeated keys, first occurrence kept."""
    seen: set[str] = set()
    out = []
    for t in trials:
        if t.key not in seen:
            seen.add(t.key)
            out.append(t)
    return out
