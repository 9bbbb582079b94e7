"""The sweep file: pydantic models of its YAML, validated up front against the registries.

A sweep file names the environments, the agents with their hyperparameters,
the seeds and the budget per trial::

    envs:
      - id: archgym/Accelerator-v1
        kwargs: {workload: resnet18}
      - id: archgym/DRAM-v1
    agents:
      - name: random
      - name: ga
        hp: {population: [16, 32]}   # lists are crossed into a grid; scalars are fixed
      - name: tpe
        hp: auto                      # every hyperparameter over its declared sweep range
        samples: 10                   # ... 10 settings drawn from that grid, deterministically
    seeds: [0, 1, 2]                  # or a count: `seeds: 15` means 0..14
    budget: 30                        # simulator evaluations per trial

Optional keys: ``name`` (a title for the report), ``imports`` (plugin modules
or ``.py`` files registering extra envs and agents, see
:mod:`archgym.sweep.plugins`) and ``sample_seed`` (seed of the ``samples``
draws). Within ``hp`` a single hyperparameter may also be ``auto``.

Everything is checked before any trial runs: unknown keys, env ids, agents,
hyperparameter names and values, and whether each env can be built with its
kwargs (unknown workload, bad objective). Problems come back as one
:class:`~archgym.errors.UserError` line naming the file, the key, what is
wrong and the valid choices.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator, model_validator

from archgym.errors import UserError

if TYPE_CHECKING:
    from archgym.agents.base import Agent

AUTO = "auto"
#: Python types a hyperparameter value may have in a sweep file
SCALARS = (bool, int, float, str)


class EnvSpec(BaseModel):
    """One environment of the study: a registered id and the kwargs for ``gymnasium.make``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kwargs: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None

    @field_validator("id")
    @classmethod
    def _known_id(cls, value: str) -> str:
        import gymnasium

        import archgym  # noqa: F401  (registers the archgym ids)
        from archgym.envs._registration import ENVS
        from archgym.errors import unknown_choice

        if value not in ENVS and value not in gymnasium.registry:
            raise unknown_choice("env", value, ENVS)
        return value

    @model_validator(mode="after")
    def _buildable(self) -> "EnvSpec":
        """Build the env once, so a bad workload or objective is reported before any trial runs."""
        import gymnasium

        from archgym.envs.design_env import DesignEnv

        try:
            env = gymnasium.make(self.id, **self.kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure to build is the user's input
            raise ValueError(f"cannot build {self.id} with kwargs {self.kwargs}: {_one_line(exc)}") from None
        try:
            if not isinstance(env.unwrapped, DesignEnv):
                raise ValueError(f"{self.id} is not an archgym design environment")
        finally:
            env.close()
        return self

    @property
    def display(self) -> str:
        """The label used in reports: ``label`` or the id followed by its kwargs."""
        if self.label:
            return self.label
        extra = " ".join(f"{k}={v}" for k, v in sorted(self.kwargs.items()))
        return f"{self.id} {extra}".strip()


class AgentSpec(BaseModel):
    """One agent of the study and the hyperparameter settings to try."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    hp: Any = None
    samples: PositiveInt | None = None

    @field_validator("name")
    @classmethod
    def _known_agent(cls, value: str) -> str:
        from archgym.agents import agent_class

        agent_class(value)
        return value

    @field_validator("hp")
    @classmethod
    def _hp_shape(cls, value: Any) -> Any:
        if value is None or value == AUTO:
            return value
        if not isinstance(value, dict):
            raise ValueError(f"hp must be 'auto' or a mapping of hyperparameter name to value(s), got {value!r}")
        for key, v in value.items():
            values = v if isinstance(v, list) else [v]
            if not values:
                raise ValueError(f"hp.{key}: an empty list gives no settings")
            if any(not isinstance(x, SCALARS) for x in values):
                raise ValueError(f"hp.{key}: values must be numbers, strings or booleans, got {v!r}")
        return value

    @model_validator(mode="after")
    def _hp_declared(self) -> "AgentSpec":
        self.grid()
        return self

    def agent_class(self) -> type["Agent"]:
        from archgym.agents import agent_class

        return agent_class(self.name)

    def grid(self) -> dict[str, list[Any]]:
        """Hyperparameter name -> parsed values to cross (only the varied ones; the rest keep defaults)."""
        decl = {h.name: h for h in self.agent_class().hyperparameters}
        if self.hp is None:
            return {}
        if self.hp == AUTO:
            return {n: [h.parse(v) for v in (h.sweep or (h.default,))] for n, h in decl.items()}
        out: dict[str, list[Any]] = {}
        for key, raw in self.hp.items():
            if key not in decl:
                raise ValueError(f"hp: agent {self.name!r} has no hyperparameter {key!r}; "
                                 f"valid: {', '.join(decl) or '(none)'}")
            h = decl[key]
            values = list(h.sweep or (h.default,)) if raw == AUTO else (raw if isinstance(raw, list) else [raw])
            try:
                out[key] = _unique([h.parse(v) for v in values])
            except UserError as exc:
                raise ValueError(f"hp.{key}: {exc}") from None
        return out

    def grid_size(self) -> int:
        """Number of settings in the full grid."""
        return math.prod(len(v) for v in self.grid().values())


class SweepSpec(BaseModel):
    """A whole sweep file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    imports: list[str] = Field(default_factory=list)
    envs: list[EnvSpec] = Field(min_length=1)
    agents: list[AgentSpec] = Field(min_length=1)
    seeds: list[int]
    budget: PositiveInt
    sample_seed: int = 0

    @model_validator(mode="before")
    @classmethod
    def _load_imports(cls, data: Any, info: Any) -> Any:
        """Import the plugins first, so the envs and agents they register validate."""
        from archgym.sweep.plugins import load_plugins

        if isinstance(data, dict) and isinstance(data.get("imports"), list):
            base = Path((info.context or {}).get("base", "."))
            resolved = [str((base / e).resolve()) if isinstance(e, str) and e.endswith(".py") else e
                        for e in data["imports"]]
            if all(isinstance(e, str) for e in resolved):
                try:
                    load_plugins(resolved)
                except UserError as exc:
                    raise ValueError(str(exc)) from None
            data = {**data, "imports": resolved}
        return data

    @field_validator("seeds", mode="before")
    @classmethod
    def _seed_list(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise ValueError(f"a seed count must be >= 1, got {value}")
            return list(range(value))
        return value

    @field_validator("seeds")
    @classmethod
    def _seeds_ok(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("give at least one seed")
        if any(s < 0 for s in value):
            raise ValueError(f"seeds must be >= 0, got {value}")
        if len(set(value)) != len(value):
            raise ValueError(f"seeds repeat: {value}")
        return value


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; any problem raises one :class:`UserError` line."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise UserError(f"sweep file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_spec(data, source=str(path), base=path.parent)


def parse_spec(data: Any, source: str = "<sweep>", base: str | Path = ".") -> SweepSpec:
    """Validate an already-parsed sweep mapping (``source`` names it in error messages)."""
    if not isinstance(data, dict):
        raise UserError(f"{source}: a sweep file is a mapping with keys "
                        f"{', '.join(SweepSpec.model_fields)}; got {type(data).__name__}")
    try:
        return SweepSpec.model_validate(data, context={"base": str(base)})
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        raise UserError(f"{source}: " + "; ".join(problems)) from None


def _describe(err: Any) -> str:
    """One pydantic error as ``key: problem``, with the valid keys for unknown ones."""
    loc = err["loc"]
    where = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))
    kind = err["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        valid = ", ".join(model.model_fields) if model else ""
        return f"{where}: unknown key; valid keys: {valid}"
    if kind == "missing":
        return f"{where}: missing required key"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        return f"{where}: {msg}" if where else msg
    return f"{where}: {msg}, got {err.get('input')!r}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``loc`` (for listing its keys)."""
    model: Any = SweepSpec
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        ann = field.annotation
        inner = get_args(ann)[0] if get_origin(ann) is list else ann
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return model


def _unique(values: list[Any]) -> list[Any]:
    """Values in order without repeats (so ``[16, 16.0]`` is one setting)."""
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

