"""Validating runs: re-run the agent from what the run recorded and check the whole trajectory.

A run is reproduced when the agent, rebuilt with the recorded hyperparameters
and seed on the env rebuilt from the recorded arguments, makes the same
designs with the same metrics, feasibility and rewards at every step as the
records hold, and the run's summary (``best.json`` of ``archgym run``, a
sweep's ``trials/<key>.json``) agrees with that trajectory. The first step
where they part is reported, with the record named.

:func:`validate_trajectory` is the building block that needs no folder: one
:class:`RunSpec` (env, its arguments, agent, hyperparameters, seed, budget)
and the records it is expected to produce. :func:`validate_run` and
:func:`validate_sweep` read those from a run or sweep folder; :func:`validate`
takes either.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from archgym.errors import UserError
from archgym.reproduce.replaying import (
    NotReplayable,
    build_env,
    check_env_id,
    differences,
    folders_near,
    record_name,
    recorded_kwargs,
    usable_kwargs,
)

if TYPE_CHECKING:
    import pandas as pd

    from archgym.history import History

log = logging.getLogger(__name__)

REPRODUCED = "reproduced"
DIVERGED = "diverged"
NOT_VALIDATABLE = "not validatable"


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines a run's trajectory.

    ``best.json`` of ``archgym run`` stores it under ``"run"``; a sweep trial
    holds the same fields. ``env_kwargs`` are the env's build arguments
    (:attr:`DesignEnv.make_kwargs <archgym.envs.design_env.DesignEnv.make_kwargs>`),
    ``imports`` plugin modules or files to import first (sweep plugins),
    ``proxy_sha256`` the checksum a ``cost_model="proxy"`` env's file must have.
    """

    env_id: str
    env_kwargs: Mapping[str, Any]
    agent: str
    hyperparameters: Mapping[str, Any]
    seed: int
    budget: int
    imports: tuple[str, ...] = ()
    proxy_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"env_id": self.env_id, "env_kwargs": dict(self.env_kwargs), "agent": self.agent,
                "hyperparameters": dict(self.hyperparameters), "seed": int(self.seed), "budget": int(self.budget),
                "imports": list(self.imports), "proxy_sha256": self.proxy_sha256}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RunSpec":
        try:
            return cls(str(data["env_id"]), dict(data.get("env_kwargs") or {}), str(data["agent"]),
                       dict(data.get("hyperparameters") or {}), int(data["seed"]), int(data["budget"]),
                       tuple(data.get("imports") or ()), str(data.get("proxy_sha256") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(f"run description lacks or mangles {exc}: {dict(data)}") from None


@dataclass
class Validation:
    """The verdict on one run.

    Attributes:
        source: the run folder or trial file validated.
        status: :data:`REPRODUCED`, :data:`DIVERGED` or :data:`NOT_VALIDATABLE`.
        spec: what was re-run (None when it could not be read).
        steps: evaluations compared.
        first_divergence: ``(step, record name, differences)`` of the first step that differs.
        problems: other disagreements (the run's summary against its trajectory) or why it
            cannot be validated.
        seconds: time the re-run took.
        original_seconds: time the original run took, when recorded.
    """

    source: str
    status: str
    spec: RunSpec | None = None
    steps: int = 0
    first_divergence: tuple[int, str, tuple[str, ...]] | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    original_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == REPRODUCED

    def message(self) -> str:
        """One line: the run, its verdict, and what differs first."""
        if self.status == NOT_VALIDATABLE:
            return f"{self.source}: not validatable: {'; '.join(self.problems)}"
        what = f"{self.spec.agent} seed {self.spec.seed} on {self.spec.env_id}" if self.spec else ""
        if self.ok:
            took = f"{self.seconds:.2f} s" + (f" (original {self.original_seconds:.2f} s)"
                                              if self.original_seconds is not None else "")
            of = f" of {self.spec.budget} (an interrupted run)" if self.spec and self.steps < self.spec.budget else ""
            return f"{self.source}: reproduced {self.steps}{of} steps of {what} in {took}"
        parts = []
        if self.first_divergence:
            step, name, diff = self.first_divergence
            parts.append(f"diverges at step {step} ({name}): " + "; ".join(diff[:3]))
        parts += self.problems
        return f"{self.source}: NOT reproduced ({what}): " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "ok": self.ok,
                "spec": None if self.spec is None else self.spec.to_dict(), "steps": self.steps,
                "first_divergence": None if self.first_divergence is None else {
                    "step": self.first_divergence[0], "record": self.first_divergence[1],
                    "differences": list(self.first_divergence[2])},
                "problems": list(self.problems), "seconds": self.seconds, "original_seconds": self.original_seconds}


@dataclass
class ValidationReport:
    """The validations of every run under one path."""

    path: str
    runs: list[Validation] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(v.ok for v in self.runs)

    def summary(self) -> str:
        n_ok = sum(v.ok for v in self.runs)
        bad = sum(v.status == DIVERGED for v in self.runs)
        left = len(self.runs) - n_ok - bad
        sampled = f" (a sample of {self.total})" if self.total > len(self.runs) else ""
        return (f"{len(self.runs)} runs validated{sampled}: {n_ok} reproduced, {bad} not reproduced, "
                f"{left} not validatable")

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "summary": self.summary(), "total": self.total,
                "runs": [v.to_dict() for v in self.runs]}


# -- one run ---------------------------------------------------------------------------------------------------
def rerun(spec: RunSpec, near: Sequence[Path] = ()) -> "History":
    """Run ``spec`` again: rebuild env and agent, search with the same budget and seed.

    Raises:
        NotReplayable: the env cannot be rebuilt here (unknown env or version,
            missing or changed proxy file).
    """
    from archgym.agents import make_agent
    from archgym.sweep.plugins import load_plugins

    load_plugins(spec.imports)
    check_env_id(spec.env_id)
    kwargs, _ = usable_kwargs(spec.env_kwargs, spec.proxy_sha256, None, near)
    agent = make_agent(spec.agent, **spec.hyperparameters)
    env = build_env(spec.env_id, kwargs)
    try:
        return agent.run(env, budget=spec.budget, seed=spec.seed)
    finally:
        env.close()


def validate_trajectory(
    spec: RunSpec, expected: "pd.DataFrame | Iterable[Mapping[str, Any]]", source: str = "",
    near: Sequence[Path] = (), prefix: bool = False,
) -> tuple[Validation, "History | None"]:
    """Re-run ``spec`` and compare every step with the ``expected`` records (in step order).

    This is the check a leaderboard entry needs: give the run's description and
    the records it claims, get a :class:`Validation` (and the re-run's
    :class:`~archgym.history.History`, None when it could not run). With
    ``prefix=True`` (an interrupted run) fewer records than the budget are
    expected, and the history returned is cut to as many evaluations.
    """
    rows = _rows(expected)
    rows.sort(key=lambda r: int(r.get("step") or 0))
    result = Validation(source=source, status=REPRODUCED, spec=spec)
    result.problems += provenance_problems(spec, rows, source)
    proxies = sorted({str(r.get("proxy_sha256") or "") for r in rows} - {""})
    if proxies and not spec.proxy_sha256:
        spec = replace(spec, proxy_sha256=proxies[0])
    start = time.perf_counter()
    try:
        history = rerun(spec, near)
    except (NotReplayable, UserError) as exc:
        result.status = NOT_VALIDATABLE
        result.problems.append(str(exc))
        return result, None
    except Exception as exc:  # noqa: BLE001 - a re-run that crashes is a verdict, not a crash of the check
        log.debug("re-run of %s failed", source, exc_info=True)
        result.status = NOT_VALIDATABLE
        result.problems.append(f"the re-run failed: {type(exc).__name__}: {exc}")
        return result, None
    result.seconds = time.perf_counter() - start
    metric_names = sorted({m for e in history.evaluations for m in e.metrics})
    for rec, ev in zip(rows, history.evaluations):
        result.steps += 1
        diff = differences(rec, ev, metric_names, design=True, observed="re-run")
        if int(rec.get("step") or 0) != ev.step:
            diff.insert(0, f"step: recorded {rec.get('step')}, re-run {ev.step}")
        if diff:
            result.status = DIVERGED
            result.first_divergence = (ev.step, record_name(rec, source), tuple(diff))
            break
    if prefix and len(rows) < len(history):
        history = replace(history, evaluations=history.evaluations[:len(rows)])
    if len(rows) != len(history) and result.first_divergence is None:
        result.problems.append(f"{len(rows)} evaluations recorded, the re-run made {len(history)}")
    if result.problems and result.status == REPRODUCED:
        result.status = DIVERGED
    return result, history


def provenance_problems(spec: RunSpec, rows: Sequence[Mapping[str, Any]], source: str = "") -> list[str]:
    """Where the records' own provenance (env, arguments, agent, hyperparameters, seed) contradicts ``spec``."""
    problems = []
    for rec in rows:
        name = record_name(rec, source)
        found = {"env_id": (rec.get("env_id"), spec.env_id), "agent": (rec.get("agent"), spec.agent),
                 "seed": (rec.get("seed"), spec.seed)}
        raw = rec.get("env_kwargs")
        if isinstance(raw, str) and raw:
            found["env_kwargs"] = (json.loads(raw), dict(spec.env_kwargs))
        recorded_hp = json.loads(rec.get("hyperparameters") or "{}")
        found["hyperparameters"] = ({k: recorded_hp.get(k) for k in spec.hyperparameters},
                                    dict(spec.hyperparameters))
        wrong = [f"{k} {a!r} (the run description says {b!r})" for k, (a, b) in found.items() if a != b]
        if wrong:
            problems.append(f"{name}: recorded " + ", ".join(wrong))
            break
    return problems


def validate_run(run_dir: str | os.PathLike[str]) -> Validation:
    """Validate an ``archgym run`` folder: re-run it from ``best.json`` and check records and summary.

    Example:
        >>> import archgym.reproduce as rp                  # doctest: +SKIP
        >>> rp.validate_run("runs/latest").ok               # doctest: +SKIP
        True
    """
    from archgym.data.datasets import load

    d = Path(run_dir)
    best_path = d / "best.json"
    records = load(d / "records") if (d / "records").is_dir() else None
    if records is None or not len(records):
        return Validation(str(d), NOT_VALIDATABLE, problems=[f"{d / 'records'} holds no records"])
    try:
        summary = json.loads(best_path.read_text(encoding="utf-8")) if best_path.is_file() else {}
    except ValueError as exc:
        return Validation(str(d), NOT_VALIDATABLE, problems=[f"{best_path}: not JSON ({exc})"])
    runs = records["run_id"].astype(str)
    run_id = summary.get("run_id") or (runs.iloc[-1] if runs.nunique() > 1 else None)
    if run_id is not None:  # `archgym run` into an old folder appends; best.json describes its last run
        records = records[runs == run_id]
        if not len(records):
            return Validation(str(d), NOT_VALIDATABLE, problems=[f"{d / 'records'} holds no records of run {run_id}"])
    try:
        spec = RunSpec.from_dict(summary["run"]) if "run" in summary else spec_from_records(records)
    except (NotReplayable, UserError) as exc:
        return Validation(str(d), NOT_VALIDATABLE, problems=[str(exc)])
    interrupted = bool(summary.get("interrupted"))  # the first steps of the budget were recorded
    result, history = validate_trajectory(spec, records, str(d / "records"), folders_near(d), prefix=interrupted)
    result.source = str(d)
    result.original_seconds = summary.get("seconds", _span(records))
    if history is not None and summary:
        result.problems += summary_problems(summary, history, str(best_path))
        if result.problems and result.status == REPRODUCED:
            result.status = DIVERGED
    return result


def spec_from_records(records: "pd.DataFrame") -> RunSpec:
    """A run's :class:`RunSpec` from its records alone (runs whose best.json predates ``"run"``)."""
    first = _rows(records.iloc[:1])[0]
    hp = json.loads(first["hyperparameters"] or "{}")
    return RunSpec(str(first["env_id"]), recorded_kwargs(first), str(first["agent"]), hp, int(first["seed"]),
                   int(len(records)))


def summary_problems(summary: Mapping[str, Any], history: "History", name: str) -> list[str]:
    """Where a run's summary (best.json or a trial result) disagrees with the re-run trajectory."""
    problems = []
    best = history.best
    claimed = summary.get("best")
    if "best_design" in summary:  # a sweep trial result
        claimed = None if summary.get("best_design") is None else {
            "design": summary["best_design"], "metrics": summary.get("best_metrics"),
            "reward": summary.get("best_reward"), "step": summary.get("best_step")}
    if (claimed is None) != (best is None):
        problems.append(f"{name}: best is {claimed!r}, the re-run's is {None if best is None else best.step}")
    elif best is not None:
        for key, now in (("step", best.step), ("reward", best.reward), ("within_budget", best.within_budget),
                         ("design", dict(best.design)), ("metrics", dict(best.metrics))):
            if key in claimed and not _equal(claimed[key], now):
                problems.append(f"{name}: best {key} {_diff(claimed[key], now)}")
    if "best_design" in summary:
        return problems
    from archgym.agents.pareto import ParetoHistory

    now = (ParetoHistory.of(history) if "pareto_front" in summary else history).summary()
    for key in ("evaluations", "feasible", "within_budget", "pareto_front", "hypervolume"):
        if key in summary and not _equal(summary[key], now[key]):
            problems.append(f"{name}: {key} {_diff(summary[key], now[key])}")
    return problems


# -- sweeps ----------------------------------------------------------------------------------------------------
def validate_sweep(sweep_dir: str | os.PathLike[str], seeds: int | None = None) -> ValidationReport:
    """Validate a sweep folder's finished trials; with ``seeds=K``, K seeds of every (env, agent, hp) setting.

    The sample is deterministic: the K lowest seeds of each setting.
    """
    import yaml

    from archgym.backends import pin_threads
    from archgym.data.datasets import load
    from archgym.records import shard_path
    from archgym.sweep.store import ResultStore

    d = Path(sweep_dir)
    store = ResultStore(d)
    results = [r for r in store.results() if r.get("status") == "ok"]
    imports: list[str] = []
    for f in sorted((d / "sweeps").glob("*.yaml")):
        imports += (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("imports") or []
    chosen = sample_trials(results, seeds)
    if chosen:
        pin_threads()  # as run_trial does: the trials ran on one BLAS/torch thread
    report = ValidationReport(str(d), total=len(results))
    for result in chosen:
        trial = result["trial"]
        spec = RunSpec(trial["env_id"], trial.get("env_kwargs") or {}, trial["agent"], trial.get("hp") or {},
                       int(trial["seed"]), int(trial["budget"]), tuple(dict.fromkeys(imports)))
        shard = shard_path(store.records_dir(trial["env_id"]), result["key"])
        trial_file = str(d / "trials" / f"{result['key']}.json")
        if not shard.is_file():
            report.runs.append(Validation(trial_file, NOT_VALIDATABLE, spec, problems=[f"{shard} is missing"]))
            continue
        frame = load(shard.parent, filters={"run_id": result["key"]})
        validation, history = validate_trajectory(spec, frame, str(shard), folders_near(d))
        validation.source = trial_file
        validation.original_seconds = result.get("wall_time_s")
        if history is not None:
            validation.problems += summary_problems(result, history, trial_file)
            if validation.problems and validation.status == REPRODUCED:
                validation.status = DIVERGED
        report.runs.append(validation)
    return report


def sample_trials(results: list[dict[str, Any]], seeds: int | None) -> list[dict[str, Any]]:
    """The trials to validate: all, or the ``seeds`` lowest seeds of each (env, kwargs, agent, hp) setting."""
    if seeds is None:
        return sorted(results, key=lambda r: r["key"])
    if seeds < 1:
        raise UserError(f"--seeds must be >= 1, got {seeds}")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        t = r["trial"]
        setting = json.dumps([t["env_id"], t.get("env_kwargs"), t["agent"], t.get("hp")], sort_keys=True)
        groups.setdefault(setting, []).append(r)
    out = []
    for _, group in sorted(groups.items()):
        out += sorted(group, key=lambda r: (int(r["trial"]["seed"]), r["key"]))[:seeds]
    return out


def validate(path: str | os.PathLike[str], seeds: int | None = None) -> ValidationReport:
    """Validate a run folder or a sweep folder (``seeds``: K seeds per sweep setting).

    Raises:
        UserError: ``path`` is neither.
    """
    from archgym.reproduce.sources import RUN, SWEEP, kind_of

    kind = kind_of(path)
    if kind == SWEEP:
        return validate_sweep(path, seeds)
    if kind != RUN:
        raise UserError(f"{path}: validate takes a run folder (best.json, records/) or a sweep folder (trials/); "
                        f"use `archgym replay` for datasets and records files")
    report = ValidationReport(str(path), total=1)
    report.runs.append(validate_run(path))
    return report


# -- helpers ---------------------------------------------------------------------------------------------------
def _rows(expected: "pd.DataFrame | Iterable[Mapping[str, Any]]") -> list[dict[str, Any]]:
    if hasattr(expected, "to_dict"):
        expected = expected.to_dict("records")  # type: ignore[union-attr]
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in expected]


def _span(records: "pd.DataFrame") -> float | None:
    """Seconds from the first record's evaluation start to the last record (timestamps)."""
    if "timestamp" not in records or not len(records):
        return None
    first = records.iloc[0]
    return float(records["timestamp"].max() - first["timestamp"] + (first.get("wall_time_s") or 0.0))


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _diff(claimed: Any, now: Any) -> str:
    if isinstance(claimed, Mapping) and isinstance(now, Mapping):
        keys = [k for k in dict.fromkeys([*claimed, *now]) if not _equal(claimed.get(k), now.get(k))]
        return "; ".join(f"{k}: recorded {claimed.get(k)!r}, re-run {now.get(k)!r}" for k in keys[:3])
    return f"recorded {claimed!r}, re-run {now!r}"


def run_spec(env: Any, agent: str, hyperparameters: Mapping[str, Any], seed: int, budget: int) -> dict[str, Any]:
    """The ``"run"`` entry of a run summary (best.json): a :class:`RunSpec` of ``env`` as built, JSON-ready."""
    from archgym.records import replay_provenance

    base = env.unwrapped
    return RunSpec(base.env_id, base.make_kwargs, agent, dict(hyperparameters), int(seed), int(budget),
                   proxy_sha256=replay_provenance(base)["proxy_sha256"]).to_dict()
