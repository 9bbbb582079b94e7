"""The multi-agent (PettingZoo) form of any archgym design env: one agent per knob, or per group of knobs.

:func:`multiagent` makes it in one line from an env id (or wraps an env
already made); :class:`MultiAgentDesign` is the ``pettingzoo.ParallelEnv``.
This is ArchGym's ``macme`` formulation of DRAMGym (``DRAMEnv_RL(rl_form="macme")``:
one agent per DRAMSys knob, every agent sees the same observation and gets a
copy of the reward), written once over :class:`~archgym.envs.design_env.DesignEnv`
so that it serves every registered env, as studied by Krishnan et al.,
"Multi-Agent Reinforcement Learning for Microprocessor Design Space
Exploration" (arXiv 2211.16385).

PettingZoo is an optional dependency (``pip install archgym[marl]``); this
module is imported only when :func:`archgym.envs.multiagent` is first called.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from archgym.envs.wrappers import design_env_parts
from archgym.errors import UserError, unknown_choice
from archgym.metrics import Metrics
from archgym.objectives import Objective, parse_objective

#: ``agents=`` shorthands: one agent per knob (ArchGym's macme), or one agent choosing every knob
AGENT_LAYOUTS = ("per_knob", "single")
#: what each agent observes
OBSERVATIONS = ("metrics", "own_knobs")


def knob_groups(names: Sequence[str], agents: str | Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Agent name -> the knobs it chooses, from a layout name or a mapping of named groups.

    A mapping must assign every knob to exactly one agent, so every step sets a
    complete design (no knob is silently held at a default).

    Raises:
        UserError: an unknown layout, an unknown or repeated knob, an empty
            group, or a knob no group names.
    """
    if isinstance(agents, str):
        if agents == "per_knob":
            return {n: (n,) for n in names}
        if agents == "single":
            return {"designer": tuple(names)}
        raise unknown_choice("agent layout", agents, AGENT_LAYOUTS)
    groups: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for agent, knobs in agents.items():
        knobs = (knobs,) if isinstance(knobs, str) else tuple(knobs)
        if not knobs:
            raise UserError(f"agent {agent!r} has no knobs")
        for knob in knobs:
            if knob not in names:
                raise UserError(f"agent {agent!r}: unknown knob {knob!r}; valid knobs: {', '.join(names)}")
            if knob in owner:
                raise UserError(f"knob {knob!r} is in two agents' groups: {owner[knob]!r} and {agent!r}")
            owner[knob] = agent
        groups[str(agent)] = knobs
    missing = [n for n in names if n not in owner]
    if missing:
        raise UserError(f"knobs without an agent: {', '.join(missing)}; every knob needs exactly one")
    return groups


class MultiAgentDesign(ParallelEnv):
    """Agents that each choose some knobs of one design, all at once; the joint design is evaluated once per step.

    ## Description

    A cooperative multi-agent form of an archgym design env (any registered
    env: DRAM, Accelerator, SoC, ...). Each agent owns a group of knobs; by
    default one knob each (ArchGym's ``macme`` formulation of DRAMGym). Every
    step every live agent acts, their choices are joined into one complete
    design, and the wrapped env evaluates it: one simulator evaluation per
    step, so search budgets count evaluations exactly as for single agents.
    ``infos[agent]["design"]`` is the design that was evaluated.

    ## Agents

    ``possible_agents`` are the knob names (``agents="per_knob"``), one
    ``"designer"`` owning every knob (``agents="single"``: the single-agent
    baseline through the same API), or the keys of a mapping of agent name to
    knob names (``{"scheduler": ["Scheduler", "SchedulerBuffer"], ...}``),
    which must cover every knob exactly once.

    ## Action Space

    ``Discrete(n)`` for an agent with one knob of ``n`` values,
    ``MultiDiscrete`` (one entry per knob, in the env's knob order) for an
    agent with several. Indices address the knob's values as in the wrapped
    env's ``MultiDiscrete`` action (``env.design_space`` decodes them).

    ## Observation Space

    ``Box(float32)``. With ``observation="metrics"`` (default, macme's) every
    agent sees the wrapped env's observation: log10 of the last design's
    metrics and a feasibility flag (see the wrapped env's docstring). With
    ``observation="own_knobs"`` each agent's observation is that followed by
    its own knobs' value indices in the last design, each scaled to [0, 1]
    (index / (n - 1)), -1 before the first design of an episode.
    ``state()`` is the wrapped observation followed by every knob, scaled the
    same way.

    ## Rewards

    A shared team reward by default: every agent gets the wrapped env's
    reward of the joint design. ``rewards`` can instead give agents their own
    objective over the same evaluated metrics, as a mapping of agent name to
    objective (``{"refresh": "target:power_mw=1000"}``); agents it does not
    name keep the team reward. Per-agent rewards never cost extra
    evaluations. Infeasible designs get each objective's infeasible reward.

    ## Starting State

    The wrapped env's reset observation (all zeros for archgym envs); no
    design chosen yet.

    ## Episode End

    For all agents at once, when the wrapped env's episode ends: terminated
    when the objective's targets are met, truncated after the wrapped env's
    ``max_steps`` designs. ``agents`` is then empty until ``reset``.

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | env | gymnasium.Env | | an archgym env (wrapped or not) whose ``unwrapped`` is a ``DesignEnv`` |
    | agents | str or mapping | ``"per_knob"`` | ``"per_knob"``, ``"single"``, or agent name -> knob names |
    | observation | str | ``"metrics"`` | ``"metrics"`` (shared) or ``"own_knobs"`` (metrics plus own knobs) |
    | rewards | mapping or None | None | agent name -> objective for per-agent rewards (None: team reward) |

    ## Version History

    * v0: initial release. The numbers are the wrapped env's (its id and version name them).

    Example:
        >>> import archgym
        >>> env = archgym.envs.multiagent("archgym/DRAM-v1", agents="per_knob")
        >>> obs, infos = env.reset(seed=0)
        >>> actions = {a: env.action_space(a).sample() for a in env.agents}
        >>> obs, rewards, terminated, truncated, infos = env.step(actions)
        >>> env.n_evaluations, len(env.possible_agents)
        (1, 10)
    """

    metadata = {"name": "archgym_multiagent_v0", "render_modes": ["ansi"], "is_parallelizable": True}

    def __init__(
        self,
        env: gym.Env,
        agents: str | Mapping[str, Sequence[str]] = "per_knob",
        observation: str = "metrics",
        rewards: Mapping[str, str | Objective] | None = None,
    ):
        base, inner = design_env_parts(env, "MultiAgentDesign")
        if observation not in OBSERVATIONS:
            raise unknown_choice("observation", observation, OBSERVATIONS)
        self.env = env
        self.design_space = base.design_space
        self.observation = observation
        self.render_mode = getattr(base, "render_mode", None)
        names = self.design_space.names
        self.groups = knob_groups(names, agents)
        self.possible_agents: list[str] = list(self.groups)
        self.agents: list[str] = []
        self._columns = {a: np.array([names.index(k) for k in ks], dtype=np.int64) for a, ks in self.groups.items()}
        self._nvec = self.design_space.nvec
        self._objectives: dict[str, Objective] = {}
        for agent, objective in (rewards or {}).items():
            if agent not in self.groups:
                raise unknown_choice("agent in rewards", agent, self.possible_agents)
            self._objectives[agent] = parse_objective(objective)
            self._objectives[agent].check_metrics(base.simulator.metric_names)
        self._inner_low, self._inner_high = inner.low, inner.high
        self._inner_obs = np.zeros(inner.shape, dtype=np.float32)
        self._chosen = np.full(len(names), -1, dtype=np.int64)

    # -- spaces -----------------------------------------------------------------
    @functools.lru_cache(maxsize=None)  # noqa: B019  (PettingZoo wants the same object every call)
    def action_space(self, agent: str) -> spaces.Space:
        nvec = self._nvec[self._columns[agent]]
        return spaces.Discrete(int(nvec[0])) if len(nvec) == 1 else spaces.MultiDiscrete(nvec)

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def observation_space(self, agent: str) -> spaces.Box:
        k = len(self._columns[agent]) if self.observation == "own_knobs" else 0
        return self._box(k)

    @functools.cached_property
    def state_space(self) -> spaces.Box:
        return self._box(len(self._nvec))

    def _box(self, n_knobs: int) -> spaces.Box:
        low = np.concatenate([self._inner_low, -np.ones(n_knobs)]).astype(np.float32)
        high = np.concatenate([self._inner_high, np.ones(n_knobs)]).astype(np.float32)
        return spaces.Box(low, high, dtype=np.float32)

    # -- the wrapped env ------------------------------------------------------
    @property
    def unwrapped_env(self) -> Any:
        """The wrapped :class:`~archgym.envs.design_env.DesignEnv`."""
        return self.env.unwrapped

    @property
    def n_evaluations(self) -> int:
        """Simulator evaluations the wrapped env has made (one per step)."""
        return self.env.unwrapped.n_evaluations

    def _scaled(self, columns: np.ndarray) -> np.ndarray:
        chosen = self._chosen[columns]
        return np.where(chosen < 0, -1.0, chosen / np.maximum(self._nvec[columns] - 1, 1))

    def _observe(self, agent: str) -> np.ndarray:
        if self.observation == "metrics":
            return self._inner_obs.copy()
        return np.concatenate([self._inner_obs, self._scaled(self._columns[agent])]).astype(np.float32)

    def state(self) -> np.ndarray:
        """The wrapped observation and every knob of the last design (for centralised critics)."""
        return np.concatenate([self._inner_obs, self._scaled(np.arange(len(self._nvec)))]).astype(np.float32)

    def joint_action(self, actions: Mapping[str, Any]) -> np.ndarray:
        """The wrapped env's ``MultiDiscrete`` action of the agents' actions (one index per knob).

        Raises:
            ValueError: an agent without an action, an action for no live
                agent, or an index out of its knob's range.
        """
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise ValueError(f"no action for agent(s) {', '.join(missing)}; every live agent acts each step")
        extra = [a for a in actions if a not in self.agents]
        if extra:
            raise ValueError(f"action for {extra[0]!r}, which is not a live agent; live: {', '.join(self.agents)}")
        joint = np.empty(len(self._nvec), dtype=np.int64)
        for agent in self.agents:
            columns = self._columns[agent]
            idx = np.asarray(actions[agent], dtype=np.int64).reshape(-1)
            if idx.shape != columns.shape:
                raise ValueError(f"agent {agent!r}: action {actions[agent]!r} needs {len(columns)} index(es)")
            bad = (idx < 0) | (idx >= self._nvec[columns])
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                knob = self.design_space.knobs[int(columns[i])]
                raise ValueError(f"agent {agent!r}: knob {knob.name!r} index {int(idx[i])} "
                                 f"out of range [0, {knob.n - 1}]")
            joint[columns] = idx
        return joint

    # -- PettingZoo API ---------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        if seed is not None:
            for i, agent in enumerate(self.possible_agents):
                self.action_space(agent).seed(seed + i)
                self.observation_space(agent).seed(seed + i)
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        self._chosen[:] = -1
        self.agents = list(self.possible_agents)
        return {a: self._observe(a) for a in self.agents}, {a: dict(info) for a in self.agents}

    def step(self, actions: Mapping[str, Any]):
        if not self.agents:
            raise RuntimeError("step() after the episode ended: call reset() first")
        joint = self.joint_action(actions)
        base = self.env.unwrapped
        action: Any = dict(zip(self.design_space.names, joint)) if base.action_format == "dict" else joint
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        self._chosen = joint.copy()
        agents = self.agents
        observations = {a: self._observe(a) for a in agents}
        rewards = {a: self._reward(a, float(reward), info) for a in agents}
        terminations = dict.fromkeys(agents, bool(terminated))
        truncations = dict.fromkeys(agents, bool(truncated))
        infos = {a: dict(info) for a in agents}
        if terminated or truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def _reward(self, agent: str, team: float, info: Mapping[str, Any]) -> float:
        objective = self._objectives.get(agent)
        if objective is None:
            return team
        if not info["feasible"]:
            return float(objective.infeasible_reward)
        return float(objective.reward(Metrics(info["metrics"])))

    def render(self) -> str | None:
        return self.env.unwrapped.render() if self.render_mode == "ansi" else None

    def close(self) -> None:
        self.env.close()


def multiagent(
    env: str | gym.Env,
    agents: str | Mapping[str, Sequence[str]] = "per_knob",
    observation: str = "metrics",
    rewards: Mapping[str, str | Objective] | None = None,
    **make_kwargs: Any,
) -> MultiAgentDesign:
    """The multi-agent form of an archgym env: an env id (made with ``make_kwargs``) or an env already made.

    Example:
        >>> import archgym
        >>> env = archgym.envs.multiagent("archgym/DRAM-v1", agents="per_knob", workload="stream")
        >>> env.possible_agents[:3]
        ['PagePolicy', 'Scheduler', 'SchedulerBuffer']
    """
    if isinstance(env, str):
        from archgym.registry import make_env

        env = make_env(env, **make_kwargs)
    elif make_kwargs:
        raise UserError(f"keyword arguments {sorted(make_kwargs)} are for making an env from its id, "
                        "not for an env already made")
    return MultiAgentDesign(env, agents=agents, observation=observation, rewards=rewards)
