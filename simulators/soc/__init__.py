"""Event-driven SoC model for AR/VR task graphs, compatible with FARSI.

Public API:

* workloads: :func:`load_workload`, :func:`shipped_workloads`,
  :class:`TaskGraph` (archgym's JSON task-graph format) and
  :func:`convert_farsi` / :func:`read_farsi_workload` for FARSI's tables;
* designs in FARSI's CSV form: :func:`evaluate_farsi`, :func:`write_farsi_design`;
* the model: :func:`compile_plan` + :func:`simulate` + :func:`costs`, and
  :func:`heft` (Topcuoglu et al. 2002) for the ``heft`` mapping mode;
* :class:`SoCSimulator`, the :class:`archgym.simulator.Simulator` behind
  ``archgym/SoC-v1``.

Workload figures come from FARSI (facebookresearch/Project_FARSI, MIT
licence); see each workload's ``source`` field.
"""

from __future__ import annotations

from archgym.simulators.soc.costs import Costs, costs, farsi_power
from archgym.simulators.soc.engine import Infeasible, Plan, SimResult, compile_plan, simulate
from archgym.simulators.soc.farsi_design import evaluate_farsi, read_hardware_graph, read_mapping, write_farsi_design
from archgym.simulators.soc.farsi_tables import convert_farsi, read_farsi_workload
from archgym.simulators.soc.hardware import Block, HardwareGraph, Mapping, a53, bus, ip, memory
from archgym.simulators.soc.taskgraph import Edge, Task, TaskGraph, load_workload, read_workload, shipped_workloads

__all__ = [
    "Block", "Costs", "Edge", "HardwareGraph", "Infeasible", "Mapping", "Plan", "SimResult", "Task", "TaskGraph",
    "a53", "bus", "compile_plan", "convert_farsi", "costs", "evaluate_farsi", "farsi_power", "ip", "load_workload",
    "memory", "read_farsi_workload", "read_hardware_graph", "read_mapping", "read_workload", "shipped_workloads",
    "simulate", "write_farsi_design",
]

from archgym.simulators.soc.heft import Schedule, heft  # noqa: E402
from archgym.simulators.soc.knobs import build_space  # noqa: E402
from archgym.simulators.soc.layout import Built, build_design  # noqa: E402
from archgym.simulators.soc.simulator import SoCSimulator, metrics_of  # noqa: E402

__all__ += ["Built", "Schedule", "SoCSimulator", "build_design", "build_space", "heft", "metrics_of"]
