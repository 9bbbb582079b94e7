"""``archgym/SoC-v1``: design a domain-specific SoC for an AR/VR task graph (FARSIGym)."""

from __future__ import annotations

from typing import Any

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.objectives import Objective
from archgym.simulators.soc import SoCSimulator
from archgym.simulators.soc.knobs import build_space
from archgym.simulators.soc.taskgraph import load_workload


def budget_objective(workload: Any) -> str:
    """ArchGym's target-spec objective against the workload's FARSI budgets."""
    budgets = load_workload(workload).budgets
    terms = [f"{k}={budgets[k]:.6g}" for k in ("latency_s", "power_w", "area_mm2") if k in budgets]
    return "target:" + ",".join(terms) if terms else "minimize:latency_s,energy_j"


class SoCEnv(DesignEnv):
    """Design an SoC (A53 cores, per-task accelerators, buses, memories) for an AR/VR workload.

    ## Description

    ArchGym's FARSIGym, completed: each step proposes one complete SoC for a
    task-graph workload from FARSI (audio decoder, edge detection, the HPVM
    camera pipeline, FARSI's small SOC examples, or a user workload) and the
    event-driven model of :mod:`archgym.simulators.soc` (FARSI's mechanisms
    and constants: per-kernel roofline recomputed at every event, buses and
    memories shared across active links, CACTI memory energy and area, power
    as the peak over 10 ms windows) returns latency, power, energy and area.
    Tasks are mapped by HEFT (``mapping="heft"``) or by the agent
    (``mapping="agent"``).

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``). ``env.unwrapped.design_space`` decodes
    indices; ``env.unwrapped.evaluate({"a53_cores": 2, ...})`` takes values.
    With ``formulation="edit"`` an action is one knob edit instead: ``Discrete``,
    see ``edit_actions`` and :class:`archgym.envs.formulations.DesignEditor`.
    The space depends on the workload (one ``ip_<task>`` knob per task with an
    accelerator) and on the mapping mode: ``mapping="agent"`` adds
    ``pe_<task>`` (the A53 that runs each task) and
    ``buf_<producer>__<consumer>`` (the memory holding each buffer); a core or
    memory index beyond ``a53_cores`` / ``bus_count`` is infeasible. For
    ``audio_decoder`` with ``mapping="heft"``:

    {knob_table}

    ## Observation Space

    ``formulation="archgym"`` (the default): ``Box(float32)`` of shape (7,):

    | index | meaning | min | max |
    | --- | --- | --- | --- |
    | 0 | log10 latency_s of the last design (0 if none or infeasible) | -30 | 30 |
    | 1 | log10 power_w | -30 | 30 |
    | 2 | log10 energy_j | -30 | 30 |
    | 3 | log10 area_mm2 | -30 | 30 |
    | 4 | utilization (mean PE busy fraction, as is) | -30 | 30 |
    | 5 | 1 if the last design was feasible | 0 | 1 |
    | 6 | 1 if the last design was infeasible | 0 | 1 |

    {observation_formulations}

    ## Rewards

    From the objective (see :mod:`archgym.objectives`). The default is
    ArchGym's target spec against the workload's FARSI budgets, e.g. for
    ``audio_decoder`` ``target:latency_s=0.021,power_w=0.008737,area_mm2=17.475``
    (reward ``prod target / |value - target|``); any core objective can be
    given instead. Infeasible designs get the objective's
    ``infeasible_reward`` and ``info["feasible"] = False`` with the reason.
    ``info["metrics"]`` also holds per-block area, energy and utilisation and
    the slack to each budget (``slack_latency_s``...).

    {reward_formulations}

    {episode_rules}

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str or path | ``"audio_decoder"`` | a shipped workload (audio_decoder, edge_detection[_1.._4], \
    hpvm_cava, SOC_example_1p[_2r], SOC_example_8p) or an archgym SoC workload JSON |
    | mapping | str | ``"heft"`` | ``heft`` (HEFT maps tasks) or ``agent`` (the design maps tasks and buffers) |
    | objective | str or Objective | budgets target spec | e.g. ``"minimize:latency_s,energy_j;area_mm2<=5"`` |
    {common_arguments}

    ## Version History

    * v0: initial release (SoC model 0.1.0).
    * v1: bit-for-bit results whatever PYTHONHASHSEED, hard budgets by default; formulations ``bandit`` and ``edit``, ``reward_scale``, an observation that tells "no design yet" and "infeasible" apart, ``spec.max_episode_steps``.
    """

    env_id = "archgym/SoC-v1"
    default_objective = "minimize:latency_s,energy_j"
    observation_metrics = ("latency_s", "power_w", "energy_j", "area_mm2", "utilization")

    def __init__(
        self,
        workload: Any = None,
        mapping: str = "heft",
        objective: str | Objective | None = None,
        **options: Any,
    ):
        workload = SoCSimulator.default_workload if workload is None else workload
        simulator = SoCSimulator(workload, mapping)
        self.mapping = mapping
        super().__init__(simulator, simulator.graph, objective or budget_objective(simulator.graph), **options)


document(SoCEnv, build_space(load_workload(SoCSimulator.default_workload), "heft"))
make_vec = vector_factory(SoCEnv)
