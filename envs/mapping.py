"""``archgym/Mapping-v0``: map one DNN layer onto fixed accelerator hardware."""

from __future__ import annotations

from typing import Any, Mapping

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.objectives import Objective
from archgym.simulators.accelerator import SPACE as HARDWARE_SPACE
from archgym.simulators.mapping import MappingSimulator
from archgym.simulators.mapping.knobs import mapping_space
from archgym.simulators.mapping.workloads import DEFAULT_LAYER, load_layer


class MappingEnv(DesignEnv):
    """Choose the dataflow mapping of one layer (tile sizes, loop order[, dataflow]) on fixed hardware.

    ## Description

    ArchGym's MaestroGym problem on archgym's accelerator model: the hardware
    (an ``archgym/Accelerator-v1`` design, ``hardware=``) and the layer
    (``workload=``) are fixed; each step proposes one mapping: how the
    layer's loops ``B, K, C, OY, OX`` are tiled into the double-buffered
    SRAMs, in which order the tile loops run (which operand is re-fetched
    from DRAM), and with ``search_dataflow=True`` which GEMM dimensions the
    array's rows and columns unroll. Costs are the accelerator model's own
    (:mod:`archgym.simulators.accelerator.mapping`): the metrics are those
    of ``archgym/Accelerator-v1`` for that layer, bit for bit when the
    mapping is the one its built-in mapper picks (the default design).

    The built-in mapper searches a subset of this space (per-loop sizes
    crossed for ``K`` and ``C``, but only split-size pixel tiles and one
    exact tile per array edge for ``B x OY x OX``) and returns its least-DRAM
    -traffic point, which is also its least-energy point; this space crosses
    every pixel size as well and can hold mappings with less traffic. Exact
    optima of this env come from enumerating it (``archgym bench optimum``;
    a few 10^4 mappings, one vectorised pass).

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``). The tile choices depend on the layer; for the
    default layer (ResNet-18 ``conv2_1a``: K=C=64, 56x56 outputs, 3x3) on the
    default hardware:

    {knob_table}

    Tile sizes are per group (grouped and depthwise layers tile one group).
    ``env.unwrapped.design_space`` lists the knobs of the layer at hand.

    ## Observation Space

    ``formulation="archgym"`` (the default): ``Box(float32)`` of shape (6,):

    | index | meaning | min | max |
    | --- | --- | --- | --- |
    | 0 | log10 latency_cycles of the last mapping (0 if none or infeasible) | -30 | 30 |
    | 1 | log10 energy_pj | -30 | 30 |
    | 2 | log10 dram_bytes | -30 | 30 |
    | 3 | utilization (a fraction, as is) | -30 | 30 |
    | 4 | 1 if the last mapping was feasible | 0 | 1 |
    | 5 | 1 if the last mapping was infeasible | 0 | 1 |

    {observation_formulations}

    ## Rewards

    From the objective (see :mod:`archgym.objectives`). The default,
    ``minimize:latency_cycles,energy_pj``, minimises the layer's
    energy-delay product (reward ``-log10(latency x energy)``). An
    infeasible mapping (a tile smaller than one fold of the array's
    unrolling, or a tile that does not fit its SRAM) gets the objective's
    ``infeasible_reward`` and ``info["feasible"] = False`` with the reason,
    which names the knob, its value and the bound.

    {reward_formulations}

    {episode_rules}

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str or dict | ``"resnet18:conv2_1a"`` | ``"network:layer"`` (a shipped network id or a layer-table path, then a layer name) or loop sizes ``{"K": .., "C": .., "OY": .., "OX": .., "FY": .., "FX": .., "stride": .., "groups": .., "B": ..}`` |
    | hardware | str or dict | Accelerator defaults | the accelerator design, knob values as a dict or ``"pe_rows=16,dataflow=os,..."``; missing knobs take their defaults |
    | search_dataflow | bool | False | add the dataflow (spatial unrolling) as a mapping knob |
    | objective | str or Objective | see Rewards | e.g. ``"minimize:energy_pj"`` |
    {common_arguments}

    ## Version History

    * v0: initial release (accelerator model 0.1, the costs of ``archgym/Accelerator-v1``).
    """

    env_id = "archgym/Mapping-v0"
    default_objective = "minimize:latency_cycles,energy_pj"
    observation_metrics = ("latency_cycles", "energy_pj", "dram_bytes", "utilization")

    def __init__(
        self,
        workload: Any = None,
        objective: str | Objective | None = None,
        *,
        hardware: Mapping[str, Any] | str | None = None,
        search_dataflow: bool = False,
        **options: Any,
    ):
        sim = MappingSimulator(workload, hardware, search_dataflow=search_dataflow)
        super().__init__(sim, sim.default_workload, objective, **options)


document(MappingEnv, mapping_space(load_layer(DEFAULT_LAYER), HARDWARE_SPACE.defaults()))
make_vec = vector_factory(MappingEnv)
