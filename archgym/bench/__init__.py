"""The benchmark suite ``archgym-bench-v0``: tasks with known optima, scoring, runs, reports, leaderboard.

* :mod:`.tasks` - the versioned tasks and their stored optima (``optima.json``);
* :mod:`.enumerate` / :mod:`.optimum` - exact optima by enumeration, or best known;
* :mod:`.scoring` - normalised regret, success and evaluations to success of one run;
* :mod:`.runner` - running an agent on the suite through the sweep machinery, leaderboard entries;
* :mod:`.stats` / :mod:`.report` - rliable aggregates, tables and plots;
* :mod:`.leaderboard` - validating entries by replaying best designs and re-running a sample.

The command line is ``archgym bench {list, optimum, run, report, validate}``;
``docs/benchmark.md`` defines every number.
"""

from archgym.bench.tasks import SUITE, Task, get_task

__all__ = ["SUITE", "Task", "get_task"]
