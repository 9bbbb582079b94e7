"""Trace-driven DRAM memory-controller model with DRAMSys's design space.

ArchGym's DRAMGym drives the C++ DRAMSys simulator through config files; this
package models the same controller (request buffer, arbiter, schedulers,
page policies, refresh, response queue) event by event at command
granularity, compiled with numba, with DRAMPower-style energy.

Entry points:

* :func:`simulate` -- ``simulate(trace, design, device="DDR4-2400",
  address_mapping=None, trace_clock_mhz=None) -> Metrics``
* :class:`DRAMSimulator` -- the :class:`archgym.simulator.Simulator` for envs
* :data:`SPACE` -- the ten knobs; :func:`write_mcconfig` / :func:`read_mcconfig`
* devices (:data:`PRESETS`: DDR4-2400, DDR4-1866, DDR3-1600, LPDDR4-3200;
  :func:`read_memspec` for DDR3, DDR4 and LPDDR4 memspecs), address mappings
  (:func:`read_address_mapping`), traces (:func:`read_trace`,
  :func:`write_trace`) and the named workloads (:data:`WORKLOADS`)

Importing this package is cheap: numba compiles (or loads its on-disk cache)
on the first simulation.
"""

from __future__ import annotations

from archgym.simulators.dram.design import read_mcconfig, to_mcconfig, write_mcconfig
from archgym.simulators.dram.device import Device, load_device, read_memspec
from archgym.simulators.dram.knobs import SPACE
from archgym.simulators.dram.mapping import AddressMapping, default_mapping, read_address_mapping
from archgym.simulators.dram.model import METRICS, prepare, run, simulate
from archgym.simulators.dram.presets import DEFAULT_DEVICE, PRESETS
from archgym.simulators.dram.simulator import DRAMSimulator
from archgym.simulators.dram.trace import Trace, parse_stl, read_trace, write_trace
from archgym.simulators.dram.workloads import WORKLOADS, generate

__all__ = [
    "SPACE", "METRICS", "WORKLOADS", "PRESETS", "DEFAULT_DEVICE",
    "simulate", "run", "prepare", "DRAMSimulator",
    "Device", "load_device", "read_memspec",
    "AddressMapping", "default_mapping", "read_address_mapping",
    "Trace", "parse_stl", "read_trace", "write_trace", "generate",
    "read_mcconfig", "write_mcconfig", "to_mcconfig",
]
