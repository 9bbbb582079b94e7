"""Replay and validate: every result archgym prints can be checked by anyone.

* :func:`replay` re-simulates every record under a path (run folder, dataset,
  sweep folder, records file) and checks metrics, feasibility and reward bit
  for bit; :meth:`DesignEnv.replay(record) <archgym.envs.design_env.DesignEnv.replay>`
  checks one record on an env at hand.
* :func:`validate` re-runs the agent of a run (or a sample of a sweep's
  trials) and checks the whole trajectory; :func:`validate_trajectory` does
  it for one :class:`RunSpec` and its expected records, without any folder.

See docs/reproducibility.md.
"""

from archgym.reproduce.replaying import (
    AGREE,
    DIFFER,
    NOT_REPLAYABLE,
    PROXY_RTOL,
    Check,
    NotReplayable,
    ReplayReport,
    replay,
    replay_frame,
    replay_records,
)
from archgym.reproduce.validation import (
    DIVERGED,
    NOT_VALIDATABLE,
    REPRODUCED,
    RunSpec,
    Validation,
    ValidationReport,
    rerun,
    run_spec,
    validate,
    validate_run,
    validate_sweep,
    validate_trajectory,
)

__all__ = ["AGREE", "DIFFER", "DIVERGED", "NOT_REPLAYABLE", "NOT_VALIDATABLE", "PROXY_RTOL", "REPRODUCED", "Check",
           "NotReplayable", "ReplayReport", "RunSpec", "Validation", "ValidationReport", "replay", "replay_frame",
           "replay_records", "rerun", "run_spec", "validate", "validate_run", "validate_sweep", "validate_trajectory"]
