"""``DesignEnv``: the one Gymnasium base class shared by every archgym environment.

A design environment is *simulator + workload + objective + episode rules*.
The episode rules are the *formulation* (``formulation=``, see
:mod:`archgym.envs.formulations`):

- ``"archgym"`` (the default, ArchGym's and DRAMGym's): one step proposes
  one complete design (``MultiDiscrete``, one index per knob, or a ``Dict``
  of ``Discrete`` with ``action_format="dict"``); the observation holds the
  metrics of the design just evaluated; ``max_steps`` designs per episode.
- ``"bandit"``: the same action, one design per episode, a constant
  observation: a policy is a distribution over designs.
- ``"edit"``: the state is the current design with its metrics; an action
  changes one knob; the reward is the improvement of the objective.

Every formulation reports the same ``info`` (the decoded design, every
metric, feasibility and its reason, the objective's raw reward) and records
every simulator evaluation through the same listeners, so a search budget
means the same in all three.

Users who do not think in action encodings use two plain methods of
``env.unwrapped``: :attr:`DesignEnv.design_space` (the knob declaration) and
:meth:`DesignEnv.evaluate` (a mapping of knob names to values in, Metrics out).

:class:`DesignVectorEnv` evaluates a whole batch of designs in one vectorised
simulator call; it backs ``gymnasium.make_vec(id, num_envs=N)``.
"""

from __future__ import annotations

import inspect
import time
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv

from archgym.envs._registration import DEFAULT_MAX_STEPS
from archgym.envs.formulations import (
    FEATURE_BOUND,
    FORMULATIONS,
    REWARD_SCALES,
    DesignEditor,
    RewardScale,
    check_start,
    choice,
    metric_features,
    sample_reward_scale,
    status_flags,
)
from archgym.errors import UserError
from archgym.history import Evaluation
from archgym.metrics import Metrics
from archgym.objectives import Objective, parse_objective
from archgym.simulator import Simulator
from archgym.space import ParameterSpace

if TYPE_CHECKING:
    from archgym.reproduce import Check

Listener = Callable[[Evaluation], None]



class _Core:
    """What the single and the vector env share: simulator, workload, objective and listeners."""

    def __init__(
        self,
        env_id: str,
        simulator: Simulator,
        workload: Any,
        objective: str | Objective,
        observation_metrics: Sequence[str],
        infeasible_reward: float | None,
        cost_model: str = "simulator",
        proxy: Any = None,
    ):
        self.env_id = env_id
        self.simulator = simulator
        self.space: ParameterSpace = simulator.space
        self.workload = simulator.load_workload(workload if workload is not None else simulator.default_workload)
        self.workload_name = simulator.workload_name(self.workload)
        self.objective = parse_objective(objective).bind(simulator.metrics)
        if infeasible_reward is not None:
            self.objective = self.objective.with_infeasible_reward(infeasible_reward)
        self.observation_metrics = tuple(observation_metrics) or tuple(simulator.metric_names)
        self.infeasible_reward = self.objective.infeasible_reward
        self.listeners: list[Listener] = []
        self.n_evaluations = 0
        #: ``n_evaluations`` at which an agent's budget is spent (None: no limit); see :meth:`exhausted`
        self.evaluation_cap: int | None = None
        self._scales: dict[Any, RewardScale] = {}
        if cost_model != "simulator" or proxy is not None:
            self.use_cost_model(cost_model, proxy)

    def use_cost_model(self, cost_model: str, proxy: Any) -> None:
        """Evaluate with a proxy model (``cost_model="proxy"``) instead of the simulator.

        Space, workload, objective and observation stay the same; the proxy is
        checked against the env and the metrics the objective reads.
        """
        from archgym.proxy import swap_in_proxy

        self.simulator = swap_in_proxy(self.simulator, self.env_id, cost_model, proxy, self.objective.metrics)
        self.workload = self.simulator.load_workload(self.workload_name)

    def reward(self, metrics: Metrics) -> float:
        return self.objective.reward(metrics)

    def observe(self, metrics: Metrics | None) -> np.ndarray:
        """Metric features of a design (:func:`~archgym.envs.formulations.metric_features`) and its status flags."""
        return np.concatenate([metric_features(metrics, self.observation_metrics), status_flags(metrics)])

    def reward_scale(self, reference: Sequence[float] | None) -> RewardScale:
        """The scale of ``reward_scale="scaled"``: from a task's known ``(median, best)`` or a random sample.

        The sample is evaluated once per core (its designs are neither
        recorded nor counted: they only set the scale).
        """
        key = None if reference is None else tuple(float(x) for x in reference)
        if key not in self._scales:
            self._scales[key] = (sample_reward_scale(self.objective, self.space, self.simulator, self.workload)
                                 if key is None else RewardScale.given(self.objective, key))
        return self._scales[key]

    def exhausted(self) -> bool:
        """Whether an agent's evaluation budget (:attr:`evaluation_cap`) is spent."""
        return self.evaluation_cap is not None and self.n_evaluations >= self.evaluation_cap

    def has_goal(self) -> bool:
        """Whether the objective has a goal whose reaching ends an episode (target specs only)."""
        return self.objective.has_goal

    def run(
        self, designs: Sequence[Mapping[str, Any]], indices: np.ndarray | None = None
    ) -> list[tuple[Metrics, Evaluation]]:
        """Evaluate complete designs, tell the listeners, return metrics and evaluations.

        ``indices`` (the designs' ``(n, n_knobs)`` action indices) lets a cost
        model with an ``evaluate_indices`` method (the proxy) skip encoding the
        design dicts; the designs are still what the evaluations record.
        """
        t0 = time.perf_counter()
        if indices is not None and hasattr(self.simulator, "evaluate_indices"):
            results = self.simulator.evaluate_indices(indices, self.workload)
        elif len(designs) == 1:
            results = [self.simulator.evaluate(designs[0], self.workload)]
        else:
            results = self.simulator.evaluate_batch(designs, self.workload)
        dt = (time.perf_counter() - t0) / max(1, len(designs))
        out = []
        for design, metrics in zip(designs, results):
            self.n_evaluations += 1
            ev = Evaluation(
                step=self.n_evaluations,
                design=design,
                metrics=metrics.to_dict() if metrics.feasible else {},
                feasible=metrics.feasible,
                reason=metrics.reason,
                reward=self.reward(metrics),
                wall_time_s=dt,
                predicted=metrics.predicted,
                within_budget=metrics.feasible and self.objective.within_budget(metrics),
            )
            for listener in self.listeners:
                listener(ev)
            out.append((metrics, ev))
        return out

    def info(self, metrics: Metrics, ev: Evaluation) -> dict[str, Any]:
        return {
            "design": dict(ev.design),
            "metrics": metrics.to_dict(),
            "feasible": metrics.feasible,
            "reason": metrics.reason,
            "predicted": metrics.predicted,
            "reward": ev.reward,
            "target_met": self.objective.met(metrics),
            "within_budget": ev.within_budget,
        }


class DesignEnv(gym.Env[np.ndarray, Any]):
    """Base class of archgym environments; see the module docstring.

    Subclasses set :attr:`env_id`, :attr:`default_objective` and
    :attr:`observation_metrics`, and pass a simulator to ``__init__``.
    ``cost_model="proxy", proxy=PATH`` evaluates with a trained proxy model
    instead of the simulator (:mod:`archgym.proxy`): same spaces and rewards,
    ``info["predicted"]`` is True. The formulation arguments
    (``formulation``, ``reward_scale``, ``reward_reference``, ``max_steps``,
    ``start``, ``edit_actions``) are described in :data:`COMMON_ARGUMENTS`
    and in each env's docstring.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    env_id: ClassVar[str] = ""

    default_objective: ClassVar[str] = ""
    observation_metrics: ClassVar[tuple[str, ...]] = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> "DesignEnv":
        env = super().__new__(cls)
        env._make_kwargs = recordable_arguments(cls, args, kwargs)
        return env

    def __init__(
        self,
        simulator: Simulator,
        workload: Any = None,
        objective: str | Objective | None = None,
        *,
        formulation: str = "archgym",
        reward_scale: str | None = None,
        reward_reference: Sequence[float] | None = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        start: str | Mapping[str, Any] = "random",
        edit_actions: str = "set",
        action_format: str = "multidiscrete",
        infeasible_reward: float | None = None,
        render_mode: str | None = None,
        cost_model: str = "simulator",
        proxy: Any = None,
    ):
        self._core = _Core(
            self.env_id, simulator, workload, objective or self.default_objective,
            self.observation_metrics, infeasible_reward, cost_model, proxy,
        )
        self.action_format = choice("action_format", action_format, ("multidiscrete", "dict"))
        if render_mode is not None:
            choice("render_mode", render_mode, self.metadata["render_modes"])
        self.render_mode = render_mode
        self._formulate(formulation, reward_scale, reward_reference, max_steps, start, edit_actions)

    def _formulate(self, formulation: str, reward_scale: str | None, reward_reference: Sequence[float] | None,
                   max_steps: int, start: str | Mapping[str, Any], edit_actions: str) -> None:
        """Set the episode rules: spaces, reward scale, episode length, start design."""
        self.formulation = choice("formulation", formulation, FORMULATIONS)
        default_scale = "raw" if formulation == "archgym" else "scaled"
        self.reward_scale = choice("reward_scale", reward_scale or default_scale, REWARD_SCALES)
        if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
            raise UserError(f"max_steps must be an integer >= 1, got {max_steps!r}")
        self.max_steps = 1 if formulation == "bandit" else int(max_steps)
        self.start = check_start(self.design_space, start)
        needs_scale = self.reward_scale == "scaled" or formulation == "edit" or reward_reference is not None
        self._scale = self._core.reward_scale(reward_reference) if needs_scale else None
        self._reward_reference = reward_reference
        space = self.design_space
        self._editor = DesignEditor(space, edit_actions) if formulation == "edit" else None
        if self._editor is not None:
            self.action_space: spaces.Space = spaces.Discrete(self._editor.n_actions)
        else:
            self.action_space = space.dict_space() if self.action_format == "dict" else space.multidiscrete_space()
        n_obs = len(self._core.observation_metrics)
        metric_low = np.concatenate([np.full(n_obs, -FEATURE_BOUND), [0.0, 0.0]])
        metric_high = np.concatenate([np.full(n_obs, FEATURE_BOUND), [1.0, 1.0]])
        if formulation == "bandit":
            low, high = np.zeros(1), np.ones(1)
        elif self._editor is not None:
            size = self._editor.encoding_size
            low = np.concatenate([np.zeros(size), metric_low, [-1.0, 0.0]])
            high = np.concatenate([np.ones(size), metric_high, [1.0, 1.0]])
        else:
            low, high = metric_low, metric_high
        self.observation_space = spaces.Box(low.astype(np.float32), high.astype(np.float32), dtype=np.float32)
        self._steps = 0
        self._last: tuple[Metrics, Evaluation] | None = None
        self._design: np.ndarray | None = None

    def reformulated(self, formulation: str, **options: Any) -> "DesignEnv":
        """This env posed another way: same simulator, workload, objective, listeners and evaluation count.

        ``options`` are the other formulation arguments (``reward_scale``,
        ``reward_reference``, ``max_steps``, ``start``, ``edit_actions``);
        those not given keep this env's values. Evaluations made through the
        new env count in :attr:`n_evaluations` of both, so an agent may learn
        on it and still honour a budget given for this one.
        """
        import copy

        other = copy.copy(self)
        editor = self._editor
        kwargs = dict(reward_scale=None, reward_reference=self._reward_reference, max_steps=self.max_steps,
                      start=self.start, edit_actions=editor.edit_actions if editor else "set")
        kwargs.update(options)
        if formulation == "bandit" and "max_steps" not in options:
            kwargs["max_steps"] = DEFAULT_MAX_STEPS
        other._formulate(formulation, **kwargs)
        return other

    # -- the plain interface ----------------------------------------------------
    @property
    def simulator(self) -> Simulator:
        return self._core.simulator

    @property
    def design_space(self) -> ParameterSpace:
        """The knob declaration: names, value sets, defaults, units."""
        return self._core.space

    @property
    def objective(self) -> Objective:
        return self._core.objective

    @property
    def workload(self) -> Any:
        return self._core.workload

    @property
    def workload_name(self) -> str:
        return self._core.workload_name

    @property
    def observed_metrics(self) -> tuple[str, ...]:
        """The metrics whose features the observation holds, in order."""
        return self._core.observation_metrics

    @property
    def n_evaluations(self) -> int:
        """Simulator evaluations made through :meth:`step` (and ``"edit"`` resets) since construction."""
        return self._core.n_evaluations

    @property
    def listeners(self) -> list[Listener]:
        """Callables told of every evaluation (histories and record writers attach here)."""
        return self._core.listeners

    @property
    def scale(self) -> RewardScale | None:
        """The reward scale (None with ``reward_scale="raw"`` outside the ``"edit"`` formulation)."""
        return self._scale

    @property
    def current_design(self) -> dict[str, Any] | None:
        """The ``"edit"`` formulation's current design (None before ``reset`` and in other formulations)."""
        return None if self._design is None else self.design_space.decode(self._design)

    def evaluate(self, design: Mapping[str, Any]) -> Metrics:
        """Metrics of a design given as knob name -> value; missing knobs take defaults.

        Does not count as a step and is not recorded.

        Raises:
            ValueError: an unknown knob or a value outside the knob's set.
        """
        return self.simulator.evaluate(self.design_space.validate(design), self.workload)

    def reward_of(self, metrics: Metrics) -> float:
        """The reward this env gives ``metrics`` (its objective, or the infeasible reward)."""
        return self._core.reward(metrics)

    @property
    def make_kwargs(self) -> dict[str, Any]:
        """The keyword arguments this env was built with, JSON-ready; records carry them for replay.

        Python objects that have no JSON form (a loaded workload, a proxy model
        object) are recorded as None and their names listed under
        ``"_unrecorded"``; an :class:`~archgym.objectives.Objective` object is
        recorded as its spec string.
        """
        return dict(self._make_kwargs)

    def replay(self, record: Mapping[str, Any]) -> "Check":
        """Re-evaluate one record's design here and say whether metrics, feasibility and reward agree.

        ``record`` is a row of :func:`archgym.records.read_records` (or a dict
        from :func:`archgym.records.make_record`); see
        :func:`archgym.reproduce.replay_records` for many at once.
        """
        from archgym.reproduce import replay_records

        return replay_records(self, [record])[0]

    @property
    def last_evaluation(self) -> Evaluation | None:
        """The evaluation behind the current observation (None after an ``"archgym"``/``"bandit"`` reset)."""
        return None if self._last is None else self._last[1]

    # -- formulation pieces the vector env shares -------------------------------------
    def score(self, metrics: Metrics, ev: Evaluation) -> float:
        """A design's value under this env's ``reward_scale``: the raw reward, or its scaled form."""
        if self.reward_scale == "raw" or self._scale is None:
            return float(ev.reward)
        return self._scale(ev.reward, metrics.feasible)

    def observe_design(self, metrics: Metrics | None) -> np.ndarray:
        """Observation of the one-shot formulations after evaluating a design (``None``: after reset)."""
        if self.formulation == "bandit":
            return np.ones(1, dtype=np.float32)
        return self._core.observe(metrics)

    def ends(self, info: Mapping[str, Any]) -> bool:
        """Whether a design ends the episode as *terminated*: a reached goal, or any design of a bandit."""
        return self.formulation == "bandit" or (bool(info["target_met"]) and self._core.has_goal())

    # -- Gymnasium API ------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.action_space.seed(seed)
        self._steps = 0
        if self._editor is None:
            self._last = None
            return self.observe_design(None), {}
        if self._design is None or not self._core.exhausted():
            self._evaluate_edit(self._editor.start(self.start, self.np_random))
        assert self._last is not None
        return self._edit_observation(), self._core.info(*self._last)

    def step(self, action: Any):
        if self._editor is not None:
            return self._edit_step(action)
        design = self.design_space.decode(action)
        metrics, ev = self._core.run([design])[0]
        self._last = (metrics, ev)
        self._steps += 1
        info = self._core.info(metrics, ev)
        truncated = self._steps >= self.max_steps and self.formulation != "bandit"
        return self.observe_design(metrics), self.score(metrics, ev), self.ends(info), truncated, info

    def _evaluate_edit(self, indices: np.ndarray) -> None:
        self._design = np.asarray(indices, dtype=np.int64)
        self._last = self._core.run(self.design_space.decode_batch(self._design[None]), self._design[None])[0]

    def _edit_observation(self) -> np.ndarray:
        assert self._editor is not None and self._design is not None and self._last is not None
        metrics, ev = self._last
        assert self._scale is not None
        left = (self.max_steps - self._steps) / self.max_steps
        return np.concatenate([
            self._editor.encode(self._design), self._core.observe(metrics),
            [self._scale(ev.reward, metrics.feasible), left],
        ]).astype(np.float32)

    def _edit_step(self, action: Any):
        assert self._editor is not None and self._last is not None and self._design is not None
        self._steps += 1
        truncated = self._steps >= self.max_steps
        if self._core.exhausted():  # an agent's budget is spent: no more simulator calls
            return self._edit_observation(), 0.0, False, True, self._core.info(*self._last)
        before = self.score(*self._last)
        self._evaluate_edit(self._editor.apply(self._design, action))
        info = self._core.info(*self._last)
        return self._edit_observation(), self.score(*self._last) - before, self.ends(info), truncated, info

    def render(self) -> str | np.ndarray | None:
        if self.render_mode == "rgb_array":
            return self._render_rgb()
        if self.render_mode != "ansi":
            return None
        if self._last is None:
            return f"{self.env_id} [{self.workload_name}]: no design evaluated yet"
        metrics, ev = self._last
        design = ", ".join(f"{k}={v}" for k, v in ev.design.items())
        status = repr(metrics) if metrics.feasible else f"infeasible: {metrics.reason}"
        return f"step {self._steps} reward {ev.reward:.6g}\n  design: {design}\n  {status}"

    #: rgb_array rendering: pixels per knob row, bar width
    _ROW, _WIDTH = 8, 128

    def _render_rgb(self) -> np.ndarray:
        """The last design as an image: one bar per knob, its length the value's position in the knob's list.

        Bars are green for a feasible design, red for an infeasible one, grey
        before any design; the image is white where nothing is drawn.
        """
        nvec = self.design_space.nvec
        img = np.full((self._ROW * len(nvec), self._WIDTH, 3), 255, dtype=np.uint8)
        if self._last is None:
            return img
        metrics, ev = self._last
        colour = (40, 160, 60) if metrics.feasible else (200, 50, 40)
        for row, (knob, n) in enumerate(zip(self.design_space.knobs, nvec)):
            length = int(round(self._WIDTH * (knob.index(ev.design[knob.name]) + 1) / n))
            img[row * self._ROW + 1:(row + 1) * self._ROW - 1, :length] = colour
        return img


def recordable_arguments(cls: type, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """``cls(*args, **kwargs)``'s arguments by name, JSON-ready (see :attr:`DesignEnv.make_kwargs`)."""
    signature = inspect.signature(cls.__init__)
    try:
        bound = signature.bind(None, *args, **kwargs).arguments
    except TypeError:  # __init__ will report the bad call itself
        bound = {}
    named: dict[str, Any] = {}
    for name, value in list(bound.items())[1:]:
        if signature.parameters[name].kind is inspect.Parameter.VAR_KEYWORD:
            named.update(value)
        else:
            named[name] = value
    out: dict[str, Any] = {}
    unrecorded = []
    for name, value in named.items():
        if isinstance(value, Objective):
            value = value.spec()
        elif hasattr(value, "__fspath__"):
            value = str(value)
        if value is None or isinstance(value, (str, bool, int, float)):
            out[name] = value
        else:
            out[name] = None
            unrecorded.append(name)
    if unrecorded:
        out["_unrecorded"] = unrecorded
    return out


class DesignVectorEnv(VectorEnv):
    """``num_envs`` copies of a one-shot design environment evaluated in one batched simulator call.

    Serves the ``"archgym"`` and ``"bandit"`` formulations (``"edit"`` keeps
    a current design per copy: :func:`vector_factory` gives it a
    ``SyncVectorEnv``). Episodes auto-reset in the same step
    (``AutoresetMode.SAME_STEP``): the observation returned for a finished
    sub-environment is its reset observation, and its last one is in
    ``info["final_obs"]``.
    """

    metadata: ClassVar[dict[str, Any]] = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, env: DesignEnv, num_envs: int):
        if env.formulation == "edit":
            raise UserError("DesignVectorEnv batches one-shot formulations; 'edit' uses gymnasium's SyncVectorEnv")
        self.num_envs = int(num_envs)
        self.env = env
        self._core = env._core
        self.single_action_space = env.action_space
        self.single_observation_space = env.observation_space
        self.action_space = gym.vector.utils.batch_space(env.action_space, self.num_envs)
        self.observation_space = gym.vector.utils.batch_space(env.observation_space, self.num_envs)
        self.spec = None
        self._steps = np.zeros(self.num_envs, dtype=np.int64)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._np_random, _ = gym.utils.seeding.np_random(seed)
            self.action_space.seed(seed)
        self._steps[:] = 0
        obs = np.stack([self.env.observe_design(None)] * self.num_envs)
        return obs, {}

    def step(self, actions: Any):
        indices = None
        if isinstance(actions, Mapping):
            rows = [{k: actions[k][i] for k in actions} for i in range(self.num_envs)]
            designs = [self._core.space.decode(r) for r in rows]
        else:
            indices = np.asarray(actions, dtype=np.int64)
            designs = self._core.space.decode_batch(indices)
        results = self._core.run(designs, indices)
        self._steps += 1
        obs = np.stack([self.env.observe_design(m) for m, _ in results])
        rewards = np.array([self.env.score(m, ev) for m, ev in results], dtype=np.float64)
        per_env = [self._core.info(m, ev) for m, ev in results]
        terminated = np.array([self.env.ends(info) for info in per_env], dtype=bool)
        truncated = (self._steps >= self.env.max_steps) & (self.env.formulation != "bandit")
        infos: dict[str, Any] = {}
        for i, info in enumerate(per_env):
            infos = self._add_info(infos, info, i)
        done = terminated | truncated
        if done.any():
            final_obs = obs.copy()
            for i in np.flatnonzero(done):
                infos = self._add_info(infos, {"final_obs": final_obs[i]}, int(i))
                obs[i] = self.env.observe_design(None)
            self._steps[done] = 0
        return obs, rewards, terminated, truncated, infos


def vector_factory(env_cls: type[DesignEnv]) -> Callable[..., VectorEnv]:
    """A ``vector_entry_point`` for ``gymnasium.make_vec``: ``num_envs`` copies of ``env_cls``.

    The one-shot formulations get a :class:`DesignVectorEnv` (one batched
    simulator call per step); ``"edit"`` a ``SyncVectorEnv`` of copies that
    share one simulator, objective and reward scale (:meth:`DesignEnv.reformulated`).
    """

    def make_vec(num_envs: int = 1, max_episode_steps: int | None = None, **kwargs: Any) -> VectorEnv:
        if max_episode_steps is not None:  # the registered (or given) limit, when max_steps is not given
            kwargs.setdefault("max_steps", max_episode_steps)
        env = env_cls(**kwargs)
        if env.formulation != "edit":
            return DesignVectorEnv(env, num_envs)
        copies = [env] + [env.reformulated("edit") for _ in range(int(num_envs) - 1)]
        return gym.vector.SyncVectorEnv([(lambda e=e: e) for e in copies])

    make_vec.__doc__ = f"Vectorised {env_cls.__name__}: one batched simulator call per step."
    return make_vec


#: rows of the Arguments table that every DesignEnv accepts (keyword-only)
COMMON_ARGUMENTS = """| formulation | str | ``"archgym"`` | ``"archgym"``, ``"bandit"`` or ``"edit"`` (see Observation Space) |
| reward_scale | str or None | None | ``"raw"`` (the objective's reward) or ``"scaled"``; None: raw for ``"archgym"``, \
scaled otherwise (see Rewards) |
| reward_reference | (float, float) or None | None | a task's known (median, best) raw rewards for the scaled reward \
(default: estimated from 64 random designs) |
| max_steps | int | 10 | designs (``"archgym"``) or edits (``"edit"``) per episode; ``"bandit"``: 1 |
| start | str or dict | ``"random"`` | ``"edit"``: first design of an episode, ``"random"``, ``"default"`` or a design |
| edit_actions | str | ``"set"`` | ``"edit"``: ``"set"`` a knob to a value or ``"step"`` a knob down/up |
| action_format | str | ``"multidiscrete"`` | or ``"dict"`` (one ``Discrete`` per knob; one-shot formulations) |
| infeasible_reward | float | objective's | raw reward of infeasible designs (finite); over-budget designs get it minus their excess |
| render_mode | str or None | None | ``"ansi"``: the last design and its metrics as text; ``"rgb_array"``: as bars |
| cost_model | str | ``"simulator"`` | ``"proxy"`` evaluates with a trained proxy model instead |
| proxy | path | None | the proxy model file (``archgym proxy train``) |"""

#: the Observation Space text every env shares, after its own table of the ``"archgym"`` observation
OBSERVATION_FORMULATIONS = """Index {n_metrics} is 1 when the last design was feasible, index {n_flag2}
when it was infeasible; both are 0 after ``reset`` (no design yet), and then, as after
an infeasible design, the metric features are 0. Dimensioned metrics are
observed as ``log10`` (clipped to [-30, 30]), dimensionless ones
(fractions such as utilisation) as they are. ``info["metrics"]`` has every
metric of the design.

``formulation="bandit"``: ``Box(0, 1, (1,))``, always ``[1.0]``: nothing to
condition on, a policy is a distribution over designs.

``formulation="edit"``: ``Box(float32)``, the concatenation of

| part | meaning | min | max |
| --- | --- | --- | --- |
| design, knob by knob | ordered knob: value index / (n - 1); categorical knob: one-hot of its n values | 0 | 1 |
| metric features and status | of the current design, as in the table above | -30 | 30 |
| score | the current design's scaled reward (see Rewards) | -1 | 1 |
| edits left | (max_steps - edits made) / max_steps | 0 | 1 |

``env.unwrapped.current_design`` is the design the observation encodes
(also in ``info["design"]``)."""

#: the Rewards text every env shares, after its own objective
REWARD_FORMULATIONS = """``"archgym"`` and ``"bandit"`` reward each design with ``reward_scale``
(default ``"raw"`` for ``"archgym"``, ArchGym's rewards as they are, and
``"scaled"`` for ``"bandit"``). ``"edit"`` rewards each edit with the
improvement ``score(new design) - score(previous design)``, so an episode's
return is how much its last design improves on its first.

``reward_scale="scaled"`` puts the objective on a bounded, comparable scale:
``tanh((g - median) / (best - median))`` where ``g`` is the raw reward (its
``log10`` for ArchGym's ``target:`` product) and ``median``/``best`` are those
of the feasible designs within budget among 64 seeded random designs (or a
task's known values given as ``reward_reference``): a typical random design
scores 0, the sample's best 0.76, the optimum at most 1, an infeasible design
exactly -1 and an over-budget one at least -1. Range: [-1, 1] per design,
[-2, 2] per edit. ``info["reward"]`` is always the raw reward (records and
histories keep it)."""

#: the Starting State and Episode End text every env shares
EPISODE_RULES = """## Starting State

``"archgym"`` and ``"bandit"``: no design evaluated yet (the observation
says so, see above). ``"edit"``: the ``start`` design (``"random"``: drawn
from the env's seeded generator; ``"default"``: every knob's default; or a
given design), evaluated at ``reset``, which counts as one simulator
evaluation; ``info`` of ``reset`` describes it.

## Episode End

``"archgym"``: truncated after ``max_steps`` designs. ``"bandit"``:
terminated after every design. ``"edit"``: truncated after ``max_steps``
edits. ``"archgym"`` and ``"edit"`` also terminate when a design reaches the
objective's goal; only ``target:``/``target-norm:`` objectives have one
(``minimize``, ``weighted`` and ``pareto`` never terminate an episode, with or
without budgets). ``gymnasium.make`` adds ``TimeLimit(10)``
(``spec.max_episode_steps`` is 10, the default ``max_steps``): for longer
episodes pass ``max_episode_steps`` to ``gymnasium.make`` as well as
``max_steps``."""


def document(env_cls: type[DesignEnv], space: ParameterSpace) -> type[DesignEnv]:
    """Fill an env docstring's placeholders: its knob table and the sections every env shares.

    ``{knob_table}`` comes from the knob declaration; ``{common_arguments}``,
    ``{observation_formulations}``, ``{reward_formulations}`` and
    ``{episode_rules}`` from the texts above (written once, for every env).
    """
    if env_cls.__doc__:
        indent = "\n    "
        n = len(env_cls.observation_metrics)
        texts = {
            "{knob_table}": space.markdown_table(),
            "{common_arguments}": COMMON_ARGUMENTS,
            "{observation_formulations}": OBSERVATION_FORMULATIONS.format(n_metrics=n, n_flag2=n + 1),
            "{reward_formulations}": REWARD_FORMULATIONS,
            "{episode_rules}": EPISODE_RULES,
        }
        doc = env_cls.__doc__
        for key, text in texts.items():
            doc = doc.replace(key, text.replace("\n", indent) if key != "{knob_table}" else text)
        env_cls.__doc__ = doc
    return env_cls
