"""Sweeps: thousands of (env, agent, hyperparameters, seed) trials from one YAML file.

The pieces, each in its own module:

* :mod:`archgym.sweep.spec` reads and validates the sweep file (pydantic), up
  front, against the env and agent registries;
* :mod:`archgym.sweep.plan` expands it into :class:`~archgym.sweep.plan.Trial`
  objects, each named by a content hash;
* :mod:`archgym.sweep.runner` runs the trials serially, on a process pool or on
  Dask through one trial function, writing each result atomically so a sweep
  can be killed and resumed;
* :mod:`archgym.sweep.report` turns a results folder into tables, the
  hyperparameter-lottery figure and a Markdown report.

Nothing heavy (pydantic, pandas, dask) is imported until a function needs it.

Example:
    >>> from archgym.sweep import load_spec, expand, run_sweep   # doctest: +SKIP
    >>> spec = load_spec("examples/lottery.yaml")                 # doctest: +SKIP
    >>> run_sweep(expand(spec), "runs/lottery", imports=spec.imports)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_spec", "expand", "run_sweep", "write_report"]


def __getattr__(name: str) -> Any:
    """Lazy re-exports, so ``import archgym.sweep`` stays cheap."""
    from importlib import import_module

    where = {"load_spec": "spec", "expand": "plan", "run_sweep": "runner", "write_report": "report"}
    if name in where:
        return getattr(import_module(f"archgym.sweep.{where[name]}"), name)
    raise AttributeError(f"module 'archgym.sweep' has no attribute {name!r}")
