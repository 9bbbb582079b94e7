"""Wrappers over any :class:`~archgym.envs.design_env.DesignEnv`.

:class:`SequentialDesign` turns the one-shot env (one complete design per
step) into the per-knob form of ArchGym's ``*_RL`` envs: one ``Discrete``
choice per step, the design evaluated once every knob has a value. It lets
Discrete-action learners such as DQN run on every archgym env.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from archgym.errors import UserError


def design_env_parts(env: gym.Env, wrapper: str) -> tuple[Any, spaces.Box]:
    """The ``DesignEnv`` under ``env`` and ``env``'s flat ``Box`` observation space, for a design-env wrapper.

    Raises:
        UserError: ``env`` is not an archgym design env, has the knob-editing formulation
            (``formulation="edit"``), or its observations are not a flat ``Box``.
    """
    base = env.unwrapped
    if not hasattr(base, "design_space") or not hasattr(base, "action_format"):
        raise UserError(f"{wrapper} wraps archgym design envs; {type(base).__name__} is not one")
    if getattr(base, "formulation", "archgym") == "edit":
        raise UserError(f"{wrapper} composes complete designs; an env with formulation='edit' already "
                        "changes one knob per step")
    inner = env.observation_space
    if not isinstance(inner, spaces.Box) or len(inner.shape) != 1:
        raise UserError(f"{wrapper} needs a flat Box observation space, got {inner}")
    return base, inner


class SequentialDesign(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Choose one knob per step; the design is evaluated when its last knob is chosen.

    ## Description

    An episode walks the knobs in declaration order, over and over: step
    ``i`` sets knob ``i mod n_knobs``. When the last knob is set the complete
    design is evaluated by the wrapped env (one simulator evaluation, so a
    search budget counts completed designs, never knob choices).

    ## Action Space

    ``Discrete(N)`` with ``N`` the largest number of values of any knob.
    Action ``a`` picks value index ``a * n // N`` of a knob with ``n`` values:
    every action is valid, knobs with ``N`` values map one to one, and smaller
    knobs keep their order (each of their values has ``N / n`` actions).

    ## Observation Space

    ``Box(float32)``, the concatenation of:

    | part | meaning | min | max |
    | --- | --- | --- | --- |
    | wrapped observation | log10 metrics of the last evaluated design, feasibility | as wrapped | as wrapped |
    | chosen values, one per knob | value index / (n - 1) of knobs set in this design, -1 if unset | -1 | 1 |
    | position, one per knob | one-hot of the knob the next action sets | 0 | 1 |

    ## Rewards

    0 for each knob choice; the wrapped env's reward when a design completes.

    ## Starting State

    No knob chosen; the wrapped env's reset observation.

    ## Episode End

    On a design's completion: after every design with
    ``one_design_per_episode`` (terminated: the design is done, nothing to
    bootstrap), otherwise exactly when the wrapped env's episode ends (its
    target met, or its ``max_steps`` designs done).

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | env | gymnasium.Env | | an archgym env (wrapped or not) whose ``unwrapped`` is a ``DesignEnv`` |
    | one_design_per_episode | bool | False | end the episode after each design (cleaner credit assignment) |

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.envs.wrappers import SequentialDesign
        >>> env = SequentialDesign(gymnasium.make("archgym/Accelerator-v1"))
        >>> obs, info = env.reset(seed=0)
        >>> for _ in range(env.n_knobs):
        ...     obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        >>> env.unwrapped.n_evaluations
        1
    """

    def __init__(self, env: gym.Env, one_design_per_episode: bool = False):
        gym.utils.RecordConstructorArgs.__init__(self, one_design_per_episode=one_design_per_episode)
        super().__init__(env)
        self.one_design_per_episode = bool(one_design_per_episode)
        base, inner = design_env_parts(env, "SequentialDesign")
        self.design_space = base.design_space
        self._nvec = self.design_space.nvec
        self.n_knobs = len(self._nvec)
        self._width = int(self._nvec.max())
        self._dict_actions = base.action_format == "dict"
        self.action_space = spaces.Discrete(self._width)
        k = self.n_knobs
        self.observation_space = spaces.Box(
            np.concatenate([inner.low, -np.ones(k), np.zeros(k)]).astype(np.float32),
            np.concatenate([inner.high, np.ones(k), np.ones(k)]).astype(np.float32),
            dtype=np.float32,
        )
        self._inner_obs = np.zeros(inner.shape, dtype=np.float32)
        self._chosen = np.full(k, -1, dtype=np.int64)
        self._pos = 0

    def value_index(self, action: int, knob: int) -> int:
        """Value index that ``action`` selects for knob number ``knob``."""
        return int(action) * int(self._nvec[knob]) // self._width

    def _obs(self) -> np.ndarray:
        chosen = np.where(self._chosen < 0, -1.0, self._chosen / np.maximum(self._nvec - 1, 1))
        position = np.zeros(self.n_knobs)
        position[self._pos] = 1.0
        return np.concatenate([self._inner_obs, chosen, position]).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        if seed is not None:
            self.action_space.seed(seed)
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        self._chosen[:] = -1
        self._pos = 0
        return self._obs(), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        a = int(np.asarray(action).reshape(-1)[0])
        if not 0 <= a < self._width:
            raise ValueError(f"action {a} outside Discrete({self._width})")
        knob = self.design_space.knobs[self._pos]
        self._chosen[self._pos] = self.value_index(a, self._pos)
        if self._pos + 1 < self.n_knobs:
            self._pos += 1
            value = knob.grid()[self._chosen[self._pos - 1]]
            return self._obs(), 0.0, False, False, {"knob": knob.name, "value": value}
        indices = self._chosen.copy()
        design_action: Any = dict(zip(self.design_space.names, indices)) if self._dict_actions else indices
        obs, reward, terminated, truncated, info = self.env.step(design_action)
        self._inner_obs = np.asarray(obs, dtype=np.float32)
        self._chosen[:] = -1
        self._pos = 0
        if self.one_design_per_episode:
            return self._obs(), reward, True, False, info
        return self._obs(), reward, terminated, truncated, info
