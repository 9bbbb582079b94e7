"""``archgym/Accelerator-v1``: design a spatial DNN accelerator for a network."""

from __future__ import annotations

from typing import Any

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.objectives import Objective
from archgym.simulators.accelerator import AcceleratorSimulator


class AcceleratorEnv(DesignEnv):
    """Design a systolic-array DNN accelerator (array shape, dataflow, SRAMs, DRAM bandwidth).

    ## Description

    Each step proposes one complete accelerator design; the analytical model
    of :mod:`archgym.simulators.accelerator` (SCALE-Sim's systolic timing,
    a vectorised per-layer tiling search in the style of ZigZag's LOMA,
    per-access energy and per-block area from cited sources) evaluates it on
    every layer of the chosen network. The search problem is ArchGym's
    accelerator case study: trade latency and energy against silicon area.

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``). ``env.unwrapped.design_space`` decodes
    indices; ``env.unwrapped.evaluate({"pe_rows": 64, ...})`` takes values.
    With ``formulation="edit"`` an action is one knob edit instead: ``Discrete``,
    see ``edit_actions`` and :class:`archgym.envs.formulations.DesignEditor`.

    {knob_table}

    ## Observation Space

    ``formulation="archgym"`` (the default): ``Box(float32)`` of shape (7,):

    | index | meaning | min | max |
    | --- | --- | --- | --- |
    | 0 | log10 latency_cycles of the last design (0 if none or infeasible) | -30 | 30 |
    | 1 | log10 energy_pj | -30 | 30 |
    | 2 | log10 area_mm2 | -30 | 30 |
    | 3 | log10 dram_bytes | -30 | 30 |
    | 4 | utilization (a fraction, as is) | -30 | 30 |
    | 5 | 1 if the last design was feasible | 0 | 1 |
    | 6 | 1 if the last design was infeasible | 0 | 1 |

    {observation_formulations}

    ## Rewards

    From the objective (see :mod:`archgym.objectives`). The default,
    ``minimize:latency_cycles,energy_pj;area_mm2<=8``, minimises the
    energy-delay product (reward ``-log10(latency x energy)``) under a hard
    8 mm² area budget: a design over it gets ``infeasible_reward`` minus its
    relative excess and ``info["within_budget"] = False``. An
    infeasible design (no tiling fits its SRAMs) gets the objective's
    ``infeasible_reward`` and ``info["feasible"] = False`` with the reason.

    {reward_formulations}

    {episode_rules}

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str or path | ``"resnet18"`` | network id (alexnet, vgg16, resnet18, resnet50, mobilenetv2, bert-base, gpt2-decode) or a SCALE-Sim CSV / YAML layer table |
    | objective | str or Objective | see Rewards | e.g. ``"target:latency_cycles=2e6,area_mm2=4"`` |
    {common_arguments}

    ## Version History

    * v0: initial release (accelerator model 0.1).
    * v1: hard budgets by default, well-defined observations at reset and after infeasible designs; formulations ``bandit`` and ``edit``, ``reward_scale``, an observation that tells "no design yet" and "infeasible" apart, ``spec.max_episode_steps``.
    """

    env_id = "archgym/Accelerator-v1"
    default_objective = "minimize:latency_cycles,energy_pj;area_mm2<=8"
    observation_metrics = ("latency_cycles", "energy_pj", "area_mm2", "dram_bytes", "utilization")

    def __init__(
        self,
        workload: Any = None,
        objective: str | Objective | None = None,
        **options: Any,
    ):
        super().__init__(AcceleratorSimulator(), workload, objective, **options)


document(AcceleratorEnv, AcceleratorSimulator.space)
make_vec = vector_factory(AcceleratorEnv)
