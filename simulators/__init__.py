"""Pure cost models: ``evaluate(design, workload) -> Metrics``.

Each simulator is a sub-package (``archgym.simulators.accelerator``, ...)
that depends only on numpy and the core types in :mod:`archgym`; none of
them imports gymnasium. Sub-packages are imported on demand.
"""
