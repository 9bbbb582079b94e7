"""The simulator contract: a pure cost model behind ``evaluate(design, workload)``.

Simulators live in :mod:`archgym.simulators`; they import only numpy and the
core types (this module, :mod:`archgym.space`, :mod:`archgym.metrics`) and
never gymnasium. Environments, agents, datasets and proxy models talk to
them only through this interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Mapping, Sequence

from archgym.metrics import Metrics, MetricSpec
from archgym.space import ParameterSpace


class Simulator(ABC):
    """A deterministic, side-effect-free cost model of one kind of hardware.

    Subclasses set the class attributes and implement :meth:`evaluate` and
    :meth:`load_workload`; :meth:`evaluate_batch` may be overridden with a
    vectorised form.

    Attributes:
        name: short identifier recorded with every evaluation.
        version: bumped whenever a change alters any number the model returns.
        space: the design space (knob declarations).
        metrics: the metrics every feasible result carries.
        default_workload: workload used when the user names none.
    """

    name: str = ""
    version: str = ""
    space: ParameterSpace
    metrics: tuple[MetricSpec, ...] = ()
    default_workload: str = ""

    @abstractmethod
    def workloads(self) -> list[str]:
        """Names of the workloads shipped with the simulator."""

    @abstractmethod
    def load_workload(self, workload: Any) -> Any:
        """Resolve a workload name, path or object into what :meth:`evaluate` takes.

        Raises:
            archgym.errors.UserError: unknown name or malformed file, naming the
                valid choices or the file/row/column at fault.
        """

    @abstractmethod
    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        """Metrics of one complete, validated design on a loaded workload."""

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        """Metrics of many designs on one workload (override to vectorise)."""
        return [self.evaluate(d, workload) for d in designs]

    def proxy_features(self, workload: Any) -> Any | None:
        """Optional derived features of designs on ``workload`` for proxy models, else None.

        A callable ``f(columns, n) -> (n, len(f.names)) array`` over column-wise
        knob values with a ``names`` tuple, computed from the design and the
        workload without running the simulation the proxy replaces (a
        cheap stage of the model, such as the SoC's task mapping, may run), and picklable: proxy
        models store it and append its columns to their inputs.
        """
        return None

    def workload_name(self, workload: Any) -> str:
        """Name recorded for a loaded workload (its ``name`` attribute if it has one)."""
        return str(getattr(workload, "name", workload))

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]
