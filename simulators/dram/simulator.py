"""``DRAMSimulator``: the DRAM controller model behind archgym's :class:`~archgym.simulator.Simulator` contract."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Sequence

from archgym.errors import UserError
from archgym.metrics import Metrics
from archgym.simulator import Simulator
from archgym.simulators.dram.device import Device, load_device
from archgym.simulators.dram.knobs import SPACE, space_for
from archgym.simulators.dram.mapping import AddressMapping
from archgym.simulators.dram.model import METRICS, Prepared, kernel_config, prepare, run_prepared, warm_up
from archgym.simulators.dram.presets import DEFAULT_DEVICE
from archgym.simulators.dram.trace import Trace
from archgym.simulators.dram.workloads import WORKLOADS


class DRAMSimulator(Simulator):
    """Trace-driven DRAM memory-controller model (DRAMSys's ten mcconfig knobs).

    Args:
        device: preset name or DRAMSys memspec JSON path (default ``DDR4-2400``).
        address_mapping: DRAMSys addressmapping JSON path (default: row-bank-column).
        trace_clock_mhz: clock of trace timestamps (default: the device clock).
        threads: designs :meth:`evaluate_batch` (``gymnasium.make_vec``)
            simulates concurrently; the compiled model releases the GIL, and
            the results are the same for any number of threads. Leave it at
            1 when processes already share the cores (sweeps, ``--workers``).

    Example:
        >>> sim = DRAMSimulator()                      # doctest: +SKIP
        >>> wl = sim.load_workload("cloud-1")           # doctest: +SKIP
        >>> sim.evaluate({"PagePolicy": "Closed"}, wl)["latency_ns"]  # doctest: +SKIP
    """

    name = "dram"
    version = "0.1.0"
    space = SPACE
    metrics = METRICS
    default_workload = "cloud-1"

    def __init__(
        self,
        device: str | Path | Device = DEFAULT_DEVICE,
        address_mapping: str | Path | AddressMapping | Mapping[str, Any] | None = None,
        trace_clock_mhz: float | None = None,
        threads: int = 1,
    ):
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise UserError(f"threads must be a positive integer, got {threads!r}")
        self.device = device
        #: the knobs, with only the refresh policies this device supports (the class's
        #: :data:`SPACE` lists all four)
        self.space = space_for(load_device(device).refresh_policies)
        self.address_mapping = address_mapping
        self.trace_clock_mhz = trace_clock_mhz
        self.threads = threads

    def workloads(self) -> list[str]:
        return list(WORKLOADS)

    def load_workload(self, workload: Any) -> Prepared:
        """A workload name, a trace path (``.stl``, ``.rstl``, ``.npz``), a :class:`Trace`, or a prepared trace.

        The first load in a process also compiles the controller model (see
        :func:`~.model.warm_up`), so no evaluation's time includes it.
        """
        if isinstance(workload, Prepared):
            return workload
        if not isinstance(workload, (str, Path, Trace)):
            raise UserError(f"DRAM workload must be a name ({', '.join(WORKLOADS)}) or a trace path, "
                            f"got {type(workload).__name__}")
        if isinstance(workload, str) and workload not in WORKLOADS and not Path(workload).exists():
            raise UserError(f"unknown DRAM workload {workload!r}; valid choices: {', '.join(WORKLOADS)}, "
                            "or the path of a .stl/.rstl/.npz trace")
        prepared = prepare(workload, self.device, self.address_mapping, self.trace_clock_mhz)
        warm_up(prepared)  # compile now, not inside the first timed evaluation
        return prepared

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> Metrics:
        """Metrics of one design (knobs validated against :attr:`space`)."""
        return run_prepared(self.load_workload(workload), self._validate(design)).metrics

    def _validate(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """The design checked against :attr:`space` (a :class:`UserError` naming the knob otherwise)."""
        try:
            return self.space.validate(design)
        except ValueError as exc:
            raise UserError(str(exc)) from None

    def evaluate_batch(self, designs: Sequence[Mapping[str, Any]], workload: Any) -> list[Metrics]:
        """Metrics of each design, in order; ``threads`` of them at a time.

        Designs the model runs alike (equal :func:`~.model.kernel_config`:
        they differ only in knobs their other knobs switch off, such as
        ``MaxActiveTransactions`` with ``Arbiter=Simple``) are simulated once
        and share the result.
        """
        prepared = self.load_workload(workload)
        first: dict[bytes, int] = {}  # kernel configuration -> its position in `runs`
        runs: list[dict[str, Any]] = []
        slots = []
        for design in designs:
            d = self._validate(design)
            slots.append(first.setdefault(kernel_config(d).tobytes(), len(runs)))
            if slots[-1] == len(runs):
                runs.append(d)
        if self.threads == 1 or len(runs) < 2:
            results = [run_prepared(prepared, d).metrics for d in runs]
        else:
            with ThreadPoolExecutor(min(self.threads, len(runs))) as pool:
                results = list(pool.map(lambda d: run_prepared(prepared, d).metrics, runs))
        return [results[i] for i in slots]
