"""An env from the command line: ``--env``, ``--workload``, ``--objective`` and typed ``--env-arg key=value``.

An env's constructor arguments are read from its signature (following ``**options``
into :class:`~archgym.envs.design_env.DesignEnv`'s), so ``--env-arg max_steps=abc``
is rejected as "max_steps takes an int" before anything runs, ``trace_clock_mhz=nan``
as not finite, and ``archgym describe`` lists the arguments with the descriptions
of the env docstring's Arguments table.
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

from archgym.cli.common import check_objective_numbers, finite_number, parse_key_values
from archgym.errors import UserError, unknown_choice
from archgym.registry import env_ids, make_env

#: arguments ``archgym`` sets itself rather than through ``--env-arg``
_INTERNAL = {"simulator", "self"}
_NONE_WORDS = {"none", "null", "~"}
_BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class EnvArgument:
    """One constructor argument of an env: name, accepted Python types, default, description."""

    name: str
    types: tuple[Any, ...]
    default: Any
    description: str = ""

    @property
    def type_text(self) -> str:
        return " or ".join(_type_name(t) for t in self.types) or "any"

    def parse(self, raw: str) -> Any:
        """The command-line string as this argument's type, or a UserError naming the argument."""
        accepted = self.types or (Any,)
        if type(None) in accepted and raw.lower() in _NONE_WORDS:
            return None
        for t in accepted:
            if t is bool and raw.lower() in _BOOL_WORDS:
                return _BOOL_WORDS[raw.lower()]
            if t is int:
                try:
                    return int(raw)
                except ValueError:
                    continue
            if t is float:
                value = finite_number(raw, f"--env-arg {self.name}={raw}")
                if value is not None:
                    return value
        if any(t not in (bool, int, float, type(None)) for t in accepted):
            return raw  # str, paths, objectives, Any: the env checks the text itself
        raise UserError(f"--env-arg {self.name}={raw}: {self.name} takes {self.type_text}")


def _type_name(t: Any) -> str:
    return "None" if t is type(None) else getattr(t, "__name__", str(t).replace("typing.", ""))


def _types_of(hint: Any) -> tuple[Any, ...]:
    if hint is Any or hint is inspect.Parameter.empty:
        return ()
    if typing.get_origin(hint) in (Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _types_of(arg)) or ()
    return (hint,)


def env_class(env_id: str) -> type:
    """The class behind a registered env id (its entry point), for introspection only."""
    import gymnasium
    from gymnasium.envs.registration import load_env_creator

    valid = env_ids()
    if env_id not in valid:
        raise unknown_choice("env", env_id, valid)
    entry = gymnasium.registry[env_id].entry_point
    return load_env_creator(entry) if isinstance(entry, str) else entry


def env_arguments(env_id: str) -> dict[str, EnvArgument]:
    """Every keyword an env accepts, in signature order: its own, then those its ``**options`` pass on."""
    cls = env_class(env_id)
    described = _documented_arguments(cls.__doc__ or "")
    out: dict[str, EnvArgument] = {}
    for klass in getattr(cls, "__mro__", (cls,)):
        init = vars(klass).get("__init__")
        if init is None:
            continue
        try:
            hints = typing.get_type_hints(init)
        except Exception:  # an annotation this Python cannot evaluate: fall back to untyped
            hints = {}
        params = inspect.signature(init).parameters.values()
        for p in params:
            if p.name in _INTERNAL or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) or p.name in out:
                continue
            default = None if p.default is inspect.Parameter.empty else p.default
            out[p.name] = EnvArgument(p.name, _types_of(hints.get(p.name, Any)), default, described.get(p.name, ""))
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return out


def _documented_arguments(doc: str) -> dict[str, str]:
    """Descriptions from the Gymnasium-style ``## Arguments`` table of an env docstring."""
    out: dict[str, str] = {}
    section = doc.partition("## Arguments")[2].partition("\n    ## ")[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] not in ("parameter", "---"):
            out[cells[0]] = cells[3].replace("``", "")
    return out


def parse_env_kwargs(env_id: str, pairs: list[str]) -> dict[str, Any]:
    """``--env-arg key=value`` items as env keyword arguments, typed like the env's constructor arguments."""
    items = parse_key_values(pairs, "--env-arg")
    if not items:
        return {}
    accepted = env_arguments(env_id)
    out: dict[str, Any] = {}
    for key, raw in items.items():
        if key not in accepted:
            raise UserError(f"--env-arg {key}: {env_id} has no argument {key!r}; valid: {', '.join(accepted)}")
        out[key] = accepted[key].parse(raw)
    return out


def env_from_options(env_id: str, workload: str | None, objective: str | None, env_args: list[str]) -> Any:
    """The env named on the command line, with its ``--workload``, ``--objective`` and ``--env-arg`` options."""
    check_objective_numbers(objective)
    kwargs = parse_env_kwargs(env_id, env_args)
    for reserved, given in (("workload", workload), ("objective", objective)):
        if reserved in kwargs and given is not None:
            raise UserError(f"--env-arg {reserved}=... repeats --{reserved}; give it once")
    if isinstance(kwargs.get("objective"), str):
        check_objective_numbers(kwargs["objective"])
    try:
        return make_env(env_id, **{"workload": workload, "objective": objective, **kwargs})
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            raise UserError(f"{env_id}: {exc}; see `archgym describe {env_id}` for its arguments") from None
        raise
