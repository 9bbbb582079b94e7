"""``archgym/DRAM-v1``: design a DRAM memory controller for a trace (DRAMGym)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archgym.envs.design_env import DesignEnv, document, vector_factory
from archgym.errors import UserError, finite, whole_number
from archgym.objectives import Objective
from archgym.simulators.dram import DRAMSimulator

#: ArchGym DRAMEnv's reward formulations, as target specs over our metric names
REWARD_FORMULATIONS = ("power", "latency", "both")


def dramgym_objective(reward_formulation: str, target_power_mw: float, target_latency_ns: float) -> str:
    """ArchGym's DRAMEnv reward (``target / |value - target|``, product for ``both``) as an objective string."""
    if reward_formulation == "power":
        return f"target:power_mw={target_power_mw:g}"
    if reward_formulation == "latency":
        return f"target:latency_ns={target_latency_ns:g}"
    if reward_formulation == "both":
        return f"target:power_mw={target_power_mw:g},latency_ns={target_latency_ns:g}"
    raise UserError(f"unknown reward_formulation {reward_formulation!r}; valid choices: "
                    f"{', '.join(REWARD_FORMULATIONS)}")


class DRAMEnv(DesignEnv):
    """Design a DRAM memory controller (DRAMSys's ten mcconfig policies) for a memory trace.

    ## Description

    Each step proposes one complete memory-controller configuration; the
    trace-driven controller model of :mod:`archgym.simulators.dram` (an
    event-driven, command-level model of DRAMSys's controller with JEDEC
    timings from the device's memspec and DRAMPower-style energy) plays the
    workload trace through it. This is ArchGym's DRAMGym case study, which
    drove DRAMSys itself: the knobs, their names and their value sets are
    DRAMSys's, so a design can be exported with
    :func:`archgym.simulators.dram.write_mcconfig` and rerun in DRAMSys.

    ## Action Space

    ``MultiDiscrete`` with one index per knob (``action_format="dict"`` gives
    a ``Dict`` of ``Discrete``). ``env.unwrapped.design_space`` decodes
    indices; ``env.unwrapped.evaluate({"PagePolicy": "Closed", ...})`` takes values.
    With ``formulation="edit"`` an action is one knob edit instead: ``Discrete``,
    see ``edit_actions`` and :class:`archgym.envs.formulations.DesignEditor`.

    {knob_table}

    ## Observation Space

    ``formulation="archgym"`` (the default): ``Box(float32)`` of shape (7,):

    | index | meaning | min | max |
    | --- | --- | --- | --- |
    | 0 | log10 energy_pj of the last design (DRAMGym's "energy") | -30 | 30 |
    | 1 | log10 power_mw (DRAMGym's "power") | -30 | 30 |
    | 2 | log10 latency_ns, mean read latency | -30 | 30 |
    | 3 | log10 bandwidth_gbps | -30 | 30 |
    | 4 | row_hit_rate (a fraction, as is) | -30 | 30 |
    | 5 | 1 if the last design was feasible | 0 | 1 |
    | 6 | 1 if the last design was infeasible | 0 | 1 |

    {observation_formulations}

    ``info["metrics"]`` has every metric, including DRAMGym's raw observation
    ``energy`` (mJ), ``power`` (W) and ``latency`` (DRAMSys's total time, s).

    ## Rewards

    From the objective (see :mod:`archgym.objectives`). The default,
    ``minimize:latency_ns,power_mw``, rewards ``-log10(latency x power)``.
    ArchGym's own formulations are available with ``reward_formulation``:
    ``"power"`` (``target_power_mw / |power_mw - target_power_mw|``),
    ``"latency"`` (the same over ``latency_ns``) or ``"both"`` (their
    product). On the shipped traces about 1% of designs come within 1% of
    the best latency x power and 0.1-0.5% within 0.1% (uniform random search
    needs 440-1,850 evaluations for a 90% chance of the latter;
    ``benchmarks/dram/landscape.py``, measured on DRAM-v0). The action space
    offers only the refresh policies the device supports (``NoRefresh`` and
    ``AllBank`` on DDR3/DDR4: DRAMGym's 442,368 designs; ``PerBank`` too on
    ``LPDDR4-3200``); every design in it is feasible. Refreshes still owed
    (postponed) when a trace's last request is answered are issued then, so
    every knob acts on every shipped workload.

    ArchGym's four traces offer one request per clock (4x the channel's
    peak), so their latencies are microseconds of queueing and the 50 ns
    latency target is out of reach; at the realistic loads (``cloud-1@25``
    etc.) it is reachable (43% of designs on ``cloud-1@25``, 6% on
    ``random@25``), while 1,000 mW is met only by designs that throttle the
    initiator; ``cloud-1@25`` with 40 ns and 1,250 mW is met by about 8% of
    designs (``benchmarks/dram/enumerate_space.py``, RESULTS.md).

    {reward_formulations}

    {episode_rules}

    ## Arguments

    | parameter | type | default | description |
    | --- | --- | --- | --- |
    | workload | str or path | ``"cloud-1"`` | ``stream``, ``random``, ``cloud-1``, ``cloud-2`` (ArchGym's, one request per clock: 4x the peak bandwidth), the same at realistic loads ``<name>@25`` / ``<name>@50`` (percent of DDR4-2400's peak), or a DRAMSys ``.stl``/``.rstl`` (or ``.npz``) trace |
    | objective | str or Objective | see Rewards | e.g. ``"target:power_mw=1000,latency_ns=100"`` |
    | reward_formulation | str or None | None | ArchGym's ``"power"``, ``"latency"`` or ``"both"`` (overrides ``objective``) |
    | target_power_mw | float | 1000.0 | power target of the ArchGym formulations |
    | target_latency_ns | float | 50.0 | latency target of the ArchGym formulations |
    | device | str or path | ``"DDR4-2400"`` | preset (``DDR4-2400``, ``DDR4-1866``, ``DDR3-1600``, ``LPDDR4-3200``) or DRAMSys memspec JSON |
    | address_mapping | path or None | None | DRAMSys addressmapping JSON (default: row-bank-column) |
    | trace_clock_mhz | float or None | None | clock of the trace timestamps (default: the device clock) |
    | threads | int | 1 | designs a ``make_vec`` batch simulates concurrently (same results for any value) |
    {common_arguments}

    ## Version History

    * v0: initial release (DRAM model 0.1.0).
    * v1: refreshes owed at the trace's end are issued, then pulled in as DRAMSys's idle refresh manager does (every knob acts on every workload); the action space offers only the device's refresh policies (DDR4: 442,368 designs); cloud-1/cloud-2 follow ArchGym's chunked process and stream's read arrays share banks; hard budgets, well-defined observations; formulations ``bandit`` and ``edit``, ``reward_scale``, an observation that tells "no design yet" and "infeasible" apart, ``spec.max_episode_steps``.
    """

    env_id = "archgym/DRAM-v1"
    default_objective = "minimize:latency_ns,power_mw"
    observation_metrics = ("energy_pj", "power_mw", "latency_ns", "bandwidth_gbps", "row_hit_rate")

    def __init__(
        self,
        workload: Any = None,
        objective: str | Objective | None = None,
        reward_formulation: str | None = None,
        target_power_mw: float = 1000.0,
        target_latency_ns: float = 50.0,
        device: str | Path = "DDR4-2400",
        address_mapping: str | Path | None = None,
        trace_clock_mhz: float | None = None,
        threads: int = 1,
        **options: Any,
    ):
        if reward_formulation is not None:
            objective = dramgym_objective(reward_formulation, target_power_mw, target_latency_ns)
        if trace_clock_mhz is not None and not finite("trace_clock_mhz", trace_clock_mhz) > 0:
            raise UserError(f"trace_clock_mhz must be a positive number of MHz, got {trace_clock_mhz!r}")
        threads = whole_number("threads", threads, low=1)
        simulator = DRAMSimulator(device, address_mapping, trace_clock_mhz, threads)
        super().__init__(simulator, workload, objective, **options)


document(DRAMEnv, DRAMSimulator.space)
make_vec = vector_factory(DRAMEnv)
