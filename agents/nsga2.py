"""Multi-objective genetic search (NSGA-II, Optuna NSGAIISampler): returns a Pareto front."""

from __future__ import annotations

from archgym.agents.ga import GA
from archgym.agents.pareto import ParetoHistory


class NSGA2(GA):
    """NSGA-II over the metrics the env's objective reads, each minimised.

    Use it with a ``pareto:`` objective (e.g. ``pareto:latency_cycles,energy_pj``);
    with a single-metric objective it is the ``ga`` agent on that metric.
    Budgets of a constrained objective (``pareto:a,b;area_mm2<=4``) become
    Optuna constraints: over-budget designs lose every tournament against
    designs within budget. The returned history is a
    :class:`~archgym.agents.pareto.ParetoHistory`: ``pareto_front()`` gives the
    non-dominated designs and their metric vectors, ``hypervolume(reference)``
    the volume they dominate. Hyperparameters are those of ``ga``.

    Example:
        >>> import gymnasium, archgym
        >>> from archgym.agents import make_agent
        >>> env = gymnasium.make("archgym/Accelerator-v1", objective="pareto:latency_cycles,energy_pj")
        >>> history = make_agent("nsga2", population=20).run(env, budget=100, seed=0)
        >>> front = history.pareto_front()
        >>> hv = history.hypervolume(log=True)
    """

    name = "nsga2"
    family = "evolutionary (multi-objective)"
    multi_objective = True
    history_class = ParetoHistory
