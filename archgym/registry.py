"""Environment ids: their versions, the registered ids, and making an env with archgym's errors.

:func:`make_env` is ``gymnasium.make`` for archgym ids: an unknown id is a
:class:`~archgym.errors.UserError` listing the valid ones, and ``None``
keyword values are dropped so callers can pass optional options straight
through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archgym.errors import unknown_choice

if TYPE_CHECKING:
    import gymnasium


def env_version(env_id: str) -> int:
    """The integer version of an env id such as ``archgym/DRAM-v1`` (0 when it has none)."""
    _, _, v = env_id.rpartition("-v")
    return int(v) if v.isdigit() else 0


def env_ids() -> list[str]:
    """archgym's ids, plus any id registered under an ``archgym*`` namespace (user and test envs)."""
    import gymnasium

    import archgym  # noqa: F401  (registers the ids)
    from archgym.envs._registration import ENVS

    extra = [i for i, s in gymnasium.registry.items() if (s.namespace or "").startswith("archgym") and i not in ENVS]
    return list(ENVS) + sorted(extra)


def make_env(env_id: str, **kwargs: Any) -> "gymnasium.Env":
    """``gymnasium.make(env_id, **kwargs)`` for archgym ids, without the ``None``-valued kwargs."""
    import gymnasium

    valid = env_ids()
    if env_id not in valid:
        raise unknown_choice("env", env_id, valid)
    return gymnasium.make(env_id, **{k: v for k, v in kwargs.items() if v is not None})
