"""Search agents behind one interface: ``agent.run(env, budget, seed) -> History``.

Agents are looked up by name (``make_agent("random")``); their modules, and
the heavy libraries some need (optuna, torch), are imported only on use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from archgym.errors import unknown_choice

if TYPE_CHECKING:
    from archgym.agents.base import Agent

#: agent name -> "module:Class" (lazy)
AGENTS: dict[str, str] = {
    "random": "archgym.agents.random_search:RandomSearch",
    "walker": "archgym.agents.walker:RandomWalker",
    "grid": "archgym.agents.grid:GridSearch",
    "sobol": "archgym.agents.sobol:Sobol",
    "ga": "archgym.agents.ga:GA",
    "nsga2": "archgym.agents.nsga2:NSGA2",
    "aco": "archgym.agents.aco:AntColony",
    "tpe": "archgym.agents.tpe:TPE",
    "gp": "archgym.agents.gp:GP",
    "cmaes": "archgym.agents.cmaes:CMAES",
    "ppo": "archgym.agents.ppo:PPO",
    "a2c": "archgym.agents.a2c:A2C",
    "dqn": "archgym.agents.dqn:DQN",
    "ippo": "archgym.agents.ippo:IPPO",
}


def agent_class(name: str) -> type["Agent"]:
    """The class registered under ``name``; unknown names raise a UserError listing the valid ones."""
    if name not in AGENTS:
        raise unknown_choice("agent", name, AGENTS)
    module, _, cls = AGENTS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def make_agent(name: str, **hyperparameters: Any) -> "Agent":
    """An agent by name, with hyperparameters checked against its declarations."""
    return agent_class(name)(**hyperparameters)


__all__ = ["AGENTS", "agent_class", "make_agent"]
