"""``archgym-test/Toy-v0``: the toy simulator as a Gymnasium env (see ``docs/adding-a-simulator.md``)."""

from __future__ import annotations

from typing import Any

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.examples.toy.simulator import ToySimulator

ENV_ID = "archgym-test/Toy-v0"


class ToyEnv(DesignEnv):
    """Choose a size, a count and a colour to minimise the toy cost (a worked example, not hardware).

    ## Description

    Each step proposes one complete design; :class:`ToySimulator` returns its
    latency (``cost + 1`` cycles) and area. The optimum is size=16, count=3,
    colour='green'.

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``).

    {knob_table}

    ## Observation Space

    The shared :class:`~archgym.envs.design_env.DesignEnv` observation: the
    log10 of the last design's ``latency_cycles`` and ``area_mm2`` and a
    feasibility flag.

    ## Rewards

    From the objective, ``minimize:latency_cycles`` by default.

    ## Starting State

    No design evaluated yet.

    ## Episode End

    Truncated after ``max_steps`` designs; terminated when a ``target:``
    objective is met.

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str | ``"unit"`` | ``"unit"`` or ``"double"`` (latency doubled) |
    | objective | str | ``"minimize:latency_cycles"`` | any objective over the metrics |
    {common_arguments}

    ## Version History

    * v0: the toy of the tests and the recipe.
    """

    env_id = ENV_ID
    default_objective = "minimize:latency_cycles"

    def __init__(self, **kwargs: Any):
        super().__init__(ToySimulator(), **kwargs)


document(ToyEnv, ToySimulator.space)


def register() -> None:
    """Register ``archgym-test/Toy-v0`` with Gymnasium (idempotent; ``import archgym`` does not)."""
    import gymnasium

    if ENV_ID not in gymnasium.registry:
        gymnasium.register(ENV_ID, entry_point=f"{__name__}:ToyEnv", vector_entry_point=f"{__name__}:make_vec")


make_vec = vector_factory(ToyEnv)
