"""``DesignEnv``: the one Gymnasium base class shared by every archgym environment.

A design environment is *simulator + workload + objective + episode rules*.
One step proposes one complete design (ArchGym style): the action holds one
index per knob (``MultiDiscrete``, or a ``Dict`` of ``Discrete`` with
``action_format="dict"``); the simulator evaluates the design; the reward
comes from the objective; ``info`` carries the decoded design, every metric,
feasibility and its reason.

Users who do not think in action encodings use two plain methods of
``env.unwrapped``: :attr:`DesignEnv.design_space` (the knob declaration) and
:meth:`DesignEnv.evaluate` (a mapping of knob names to values in, Metrics out).

Observations are ``log10`` of the observed metrics of the last design
followed by a feasibility flag (all zeros after ``reset``), so the scale of
latency in cycles and area in mm² does not swamp a learning agent.

:class:`DesignVectorEnv` evaluates a whole batch of designs in one vectorised
simulator call; it backs ``gymnasium.make_vec(id, num_envs=N)``.
"""

from __future__ import annotations

import inspect
import math
import time
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv

from archgym.history import Evaluation
from archgym.metrics import Metrics
from archgym.objectives import Objective, parse_objective
from archgym.simulator import Simulator
from archgym.space import ParameterSpace

if TYPE_CHECKING:
    from archgym.reproduce import Check

Listener = Callable[[Evaluation], None]

#: observations hold log10(metric) clipped to +-this bound
OBS_LOG10_BOUND = 30.0


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
        self.objective = parse_objective(objective)
        self.objective.check_metrics(simulator.metric_names)
        self.observation_metrics = tuple(observation_metrics) or tuple(simulator.metric_names)
        self.infeasible_reward = (
            self.objective.infeasible_reward if infeasible_reward is None else float(infeasible_reward)
        )
        self.listeners: list[Listener] = []
        self.n_evaluations = 0
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
        return self.objective.reward(metrics) if metrics.feasible else self.infeasible_reward

    def observe(self, metrics: Metrics | None) -> np.ndarray:
        obs = np.zeros(len(self.observation_metrics) + 1, dtype=np.float32)
        if metrics is not None and metrics.feasible:
            for i, m in enumerate(self.observation_metrics):
                if m not in metrics:  # a proxy may predict fewer metrics than the simulator reports
                    continue
                obs[i] = min(OBS_LOG10_BOUND, max(-OBS_LOG10_BOUND, math.log10(max(metrics[m], 1e-300))))
            obs[-1] = 1.0
        return obs

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
        }


class DesignEnv(gym.Env[np.ndarray, Any]):
    """Base class of archgym environments; see the module docstring.

    Subclasses set :attr:`env_id`, :attr:`default_objective` and
    :attr:`observation_metrics`, and pass a simulator to ``__init__``.
    ``cost_model="proxy", proxy=PATH`` evaluates with a trained proxy model
    instead of the simulator (:mod:`archgym.proxy`): same spaces and rewards,
    ``info["predicted"]`` is True.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 4}
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
        max_steps: int = 10,
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
        if action_format not in ("multidiscrete", "dict"):
            raise ValueError(f"action_format {action_format!r}: valid choices are 'multidiscrete', 'dict'")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode {render_mode!r}: valid choices are {self.metadata['render_modes']}")
        if int(max_steps) < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.max_steps = int(max_steps)
        self.action_format = action_format
        self.render_mode = render_mode
        space = self._core.space
        self.action_space = space.dict_space() if action_format == "dict" else space.multidiscrete_space()
        n_obs = len(self._core.observation_metrics)
        low = np.concatenate([np.full(n_obs, -OBS_LOG10_BOUND), [0.0]]).astype(np.float32)
        high = np.concatenate([np.full(n_obs, OBS_LOG10_BOUND), [1.0]]).astype(np.float32)
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._steps = 0
        self._last: tuple[Metrics, Evaluation] | None = None

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
        """The metrics whose log10 the observation holds, in order."""
        return self._core.observation_metrics

    @property
    def n_evaluations(self) -> int:
        """Simulator evaluations made through :meth:`step` since construction."""
        return self._core.n_evaluations

    @property
    def listeners(self) -> list[Listener]:
        """Callables told of every evaluation (histories and record writers attach here)."""
        return self._core.listeners

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
        """The evaluation made by the latest :meth:`step` (None after ``reset``)."""
        return None if self._last is None else self._last[1]

    # -- Gymnasium API ------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.action_space.seed(seed)
        self._steps = 0
        self._last = None
        return self._core.observe(None), {}

    def step(self, action: Any):
        design = self.design_space.decode(action)
        metrics, ev = self._core.run([design])[0]
        self._last = (metrics, ev)
        self._steps += 1
        info = self._core.info(metrics, ev)
        terminated = bool(info["target_met"])
        truncated = self._steps >= self.max_steps
        return self._core.observe(metrics), float(ev.reward), terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        if self._last is None:
            return f"{self.env_id} [{self.workload_name}]: no design evaluated yet"
        metrics, ev = self._last
        design = ", ".join(f"{k}={v}" for k, v in ev.design.items())
        status = repr(metrics) if metrics.feasible else f"infeasible: {metrics.reason}"
        return f"step {self._steps} reward {ev.reward:.6g}\n  design: {design}\n  {status}"


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
    """``num_envs`` copies of a design environment evaluated in one batched simulator call.

    Episodes auto-reset in the same step (``AutoresetMode.SAME_STEP``): the
    observation returned for a finished sub-environment is its reset
    observation, and its last one is in ``info["final_obs"]``.
    """

    metadata: ClassVar[dict[str, Any]] = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, env: DesignEnv, num_envs: int):
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
        obs = np.stack([self._core.observe(None)] * self.num_envs)
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
        obs = np.stack([self._core.observe(m) for m, _ in results])
        rewards = np.array([ev.reward for _, ev in results], dtype=np.float64)
        per_env = [self._core.info(m, ev) for m, ev in results]
        terminated = np.array([info["target_met"] for info in per_env], dtype=bool)
        truncated = self._steps >= self.env.max_steps
        infos: dict[str, Any] = {}
        for i, info in enumerate(per_env):
            infos = self._add_info(infos, info, i)
        done = terminated | truncated
        if done.any():
            final_obs = obs.copy()
            for i in np.flatnonzero(done):
                infos = self._add_info(infos, {"final_obs": final_obs[i]}, int(i))
                obs[i] = self._core.observe(None)
            self._steps[done] = 0
        return obs, rewards, terminated, truncated, infos


def vector_factory(env_cls: type[DesignEnv]) -> Callable[..., DesignVectorEnv]:
    """A ``vector_entry_point`` for ``gymnasium.make_vec``: ``num_envs`` batched copies of ``env_cls``."""

    def make_vec(num_envs: int = 1, **kwargs: Any) -> DesignVectorEnv:
        return DesignVectorEnv(env_cls(**kwargs), num_envs)

    make_vec.__doc__ = f"Vectorised {env_cls.__name__}: one batched simulator call per step."
    return make_vec


#: rows of the Arguments table that every DesignEnv accepts (keyword-only)
COMMON_ARGUMENTS = """| max_steps | int | 10 | designs per episode |
| action_format | str | ``"multidiscrete"`` | or ``"dict"`` (one ``Discrete`` per knob) |
| infeasible_reward | float | objective's | reward of infeasible designs |
| render_mode | str or None | None | ``"ansi"`` renders the last design and its metrics as text |
| cost_model | str | ``"simulator"`` | ``"proxy"`` evaluates with a trained proxy model instead |
| proxy | path | None | the proxy model file (``archgym proxy train``) |"""


def document(env_cls: type[DesignEnv], space: ParameterSpace) -> type[DesignEnv]:
    """Fill an env docstring's ``{knob_table}`` (from its knob declaration) and ``{common_arguments}``."""
    if env_cls.__doc__:
        indent = "    "
        common = COMMON_ARGUMENTS.replace("\n", "\n" + indent)
        env_cls.__doc__ = env_cls.__doc__.replace("{knob_table}", space.markdown_table()).replace(
            "{common_arguments}", common)
    return env_cls
