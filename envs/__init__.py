"""Gymnasium environments built on archgym simulators, and their multi-agent (PettingZoo) form.

``archgym.envs.multiagent(env_id, agents="per_knob")`` makes the PettingZoo
form of any env (:mod:`archgym.envs.multi_agent`); PettingZoo is imported
only then, so ``import archgym`` works without it.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "multiagent":
        from archgym.envs.multi_agent import multiagent

        return multiagent
    raise AttributeError(f"module 'archgym.envs' has no attribute {name!r}")
