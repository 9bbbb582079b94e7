"""Replaying records: re-simulate each recorded design and check its numbers, bit for bit.

A record names everything that produced it (env id and version, the env's
build arguments, workload, objective, simulator version, and for proxy runs
the proxy file's SHA-256; see :mod:`archgym.records`). :func:`replay_frame`
rebuilds that env once per distinct provenance, re-evaluates every recorded
design in one batched call and compares metrics, feasibility (and its reason)
and reward with what was recorded. A record that cannot be replayed says why:
an unknown env, a version this install does not provide ("made with
archgym/DRAM-v0, this install has archgym/DRAM-v1"), a missing or changed
proxy file, a build argument records cannot hold.

Floats are compared exactly. The one documented tolerance is for records a
proxy model predicted (:data:`PROXY_RTOL`): its matrix products (an MLP's
float32 forward pass, a polynomial's expansion) go through BLAS, whose rounding
depends on how many designs a batch holds. A proxy record is compared exactly
with its design evaluated in one batch and then alone (as an agent's step
evaluates it); only when both differ is it compared within the tolerance, and
the check says which comparison it passed.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from archgym.errors import UserError
from archgym.history import Evaluation
from archgym.records import DESIGN_PREFIX, METRIC_PREFIX

if TYPE_CHECKING:
    import pandas as pd

    from archgym.envs.design_env import DesignEnv

AGREE = "agree"
DIFFER = "differ"
NOT_REPLAYABLE = "not replayable"

#: relative tolerance for metrics and rewards a proxy model predicted, when batch shape changed BLAS rounding
#: (measured: up to 4.3e-7 for float32 MLPs, 1e-12 for polynomials; a float32 log-target's exp can add a few ulps)
PROXY_RTOL = 1e-5

#: provenance that selects the env a record replays on (records sharing it share one env)
ENV_KEY = ("env_id", "env_kwargs", "workload", "objective", "simulator_version", "proxy_sha256")


class NotReplayable(Exception):
    """A record's env cannot be rebuilt here; the message says why."""


@dataclass(frozen=True)
class Check:
    """The verdict on one record.

    Attributes:
        record: names the record (its source, run id and step).
        status: :data:`AGREE`, :data:`DIFFER` or :data:`NOT_REPLAYABLE`.
        differences: one line per disagreeing field (``metric.x: recorded a, replayed b``).
        reason: why the record could not be replayed.
        tolerance: 0 for an exact comparison, :data:`PROXY_RTOL` for a proxy record that agrees only within it.
        proxy: ``"<file> sha256 <first 12 hex digits>"`` for a record replayed on a proxy model.
    """

    record: str
    status: str
    differences: tuple[str, ...] = ()
    reason: str = ""
    tolerance: float = 0.0
    proxy: str = ""

    @property
    def ok(self) -> bool:
        return self.status == AGREE

    def message(self) -> str:
        """One line: the record, its verdict and the first differences or the reason."""
        if self.status == NOT_REPLAYABLE:
            return f"{self.record}: not replayable: {self.reason}"
        how = "exactly" if self.tolerance == 0 else f"within rtol {self.tolerance:g}"
        on = f" on proxy {self.proxy}" if self.proxy else ""
        if self.ok:
            return f"{self.record}: agrees {how}{on}"
        shown = "; ".join(self.differences[:3]) + ("; ..." if len(self.differences) > 3 else "")
        return f"{self.record}: DIFFERS ({how}{on}): {shown}"

    def to_dict(self) -> dict[str, Any]:
        return {"record": self.record, "status": self.status, "differences": list(self.differences),
                "reason": self.reason, "tolerance": self.tolerance, "proxy": self.proxy}


@dataclass
class ReplayReport:
    """The checks of every record under one path, and the summary line."""

    path: str
    checks: list[Check] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.checks)

    @property
    def ok(self) -> bool:
        """True when there was something to check and every record agrees."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    def reasons(self) -> Counter[str]:
        """How many records each not-replayable reason covers."""
        return Counter(c.reason for c in self.checks if c.status == NOT_REPLAYABLE)

    def summary(self) -> str:
        """``N checked, N agree, N differ, N not replayable (why)``, naming proxy replays."""
        text = (f"{len(self.checks)} checked, {self.count(AGREE)} agree, {self.count(DIFFER)} differ, "
                f"{self.count(NOT_REPLAYABLE)} not replayable")
        reasons = self.reasons()
        if reasons:
            text += " (" + "; ".join(f"{n}: {why}" for why, n in reasons.most_common()) + ")"
        proxies = sorted({c.proxy for c in self.checks if c.proxy})
        if proxies:
            loose = sum(c.tolerance > 0 for c in self.checks)
            text += f"; replayed on proxy {', '.join(proxies)} (checksum as recorded"
            text += f"; {loose} agree within rtol {PROXY_RTOL:g} only)" if loose else ")"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "summary": self.summary(),
                "counts": {s: self.count(s) for s in (AGREE, DIFFER, NOT_REPLAYABLE)},
                "checks": [c.to_dict() for c in self.checks]}


# -- one record ----------------------------------------------------------------------------------------------
def record_name(record: Mapping[str, Any], source: str = "") -> str:
    """How a report names a record: ``<source> run <run_id> step <step>``."""
    parts = [source] if source else []
    run_id = _text(record.get("run_id"))
    if run_id:
        parts.append(f"run {run_id}")
    step = record.get("step")
    if step is not None and not _missing(step):
        parts.append(f"step {int(step)}")
    return " ".join(parts) or "record"


def recorded_design(record: Mapping[str, Any], knobs: Sequence[str]) -> dict[str, Any]:
    """The record's value of each knob (plain Python values); a knob it lacks raises KeyError."""
    out = {}
    for k in knobs:
        value = record[DESIGN_PREFIX + k]
        out[k] = value.item() if hasattr(value, "item") else value
    return out


def differences(
    record: Mapping[str, Any], ev: Evaluation, metric_names: Sequence[str], rtol: float = 0.0,
    design: bool = False, observed: str = "replayed",
) -> list[str]:
    """Fields where ``record`` and the evaluation ``ev`` disagree, one line each.

    Compares feasibility, its reason, reward and every metric (``metric_names``
    and any other non-missing ``metric.*`` column of the record); with
    ``design=True`` also each knob of ``ev.design``. Floats compare exactly
    unless ``rtol`` > 0; a missing value (NaN) equals only a missing one.
    """
    out = []

    def note(name: str, recorded: Any, now: Any) -> None:
        out.append(f"{name}: recorded {recorded!r}, {observed} {now!r}")

    if design:
        for k, v in ev.design.items():
            rec = record.get(DESIGN_PREFIX + k)
            rec = rec.item() if hasattr(rec, "item") else rec
            if rec != v:
                note(DESIGN_PREFIX + k, rec, v)
    if bool(record.get("feasible")) != ev.feasible:
        note("feasible", bool(record.get("feasible")), ev.feasible)
    if _text(record.get("reason")) != (ev.reason or ""):
        note("reason", _text(record.get("reason")), ev.reason or "")
    if not _same(_float(record.get("reward")), ev.reward, rtol):
        note("reward", _float(record.get("reward")), ev.reward)
    recorded_metrics = {k[len(METRIC_PREFIX):] for k, v in record.items()
                        if k.startswith(METRIC_PREFIX) and not _missing(v)}
    for m in dict.fromkeys([*metric_names, *sorted(recorded_metrics)]):
        rec = _float(record.get(METRIC_PREFIX + m))
        now = float(ev.metrics.get(m, math.nan))
        if not _same(rec, now, rtol):
            note(METRIC_PREFIX + m, rec, now)
    return out


def replay_records(
    env: Any, records: Iterable[Mapping[str, Any]], source: str = "", proxy_note: str = ""
) -> list[Check]:
    """Re-evaluate each record's design on ``env`` and check it (see :meth:`DesignEnv.replay`).

    The designs are evaluated in one batched simulator call; the records are
    checked against ``env`` as it is (its simulator, workload, objective): use
    :func:`replay_frame` to rebuild the env each record names.
    """
    base: DesignEnv = env.unwrapped
    sim = base.simulator
    space = base.design_space
    records = list(records)
    checks: list[Check | None] = [None] * len(records)
    todo: list[tuple[int, dict[str, Any]]] = []
    for i, rec in enumerate(records):
        name = record_name(rec, source)
        if _text(rec.get("env_id")) not in ("", base.env_id):
            checks[i] = Check(name, NOT_REPLAYABLE, reason=f"record is for {rec.get('env_id')}, not {base.env_id}")
            continue
        try:
            design = recorded_design(rec, space.names)
        except KeyError as exc:
            checks[i] = Check(name, NOT_REPLAYABLE, reason=f"record has no knob {exc.args[0]!r}")
            continue
        try:
            todo.append((i, space.validate(design)))
        except ValueError as exc:
            checks[i] = Check(name, DIFFER, differences=(f"design: {exc}",))
    results = sim.evaluate_batch([d for _, d in todo], base.workload) if todo else []
    for (i, design), metrics in zip(todo, results):
        rec = records[i]
        diff, rtol = _compare(base, rec, design, metrics, 0.0)
        if diff and metrics.predicted:  # a proxy's rounding may depend on the batch: as one design, then rtol
            diff, rtol = _compare(base, rec, design, sim.evaluate(design, base.workload), 0.0)
            if diff:
                diff, rtol = _compare(base, rec, design, metrics, PROXY_RTOL)
        checks[i] = Check(record_name(rec, source), DIFFER if diff else AGREE, tuple(diff),
                          tolerance=rtol, proxy=proxy_note if metrics.predicted else "")
    return [c for c in checks if c is not None]


def _compare(base: Any, rec: Mapping[str, Any], design: Mapping[str, Any], metrics: Any,
             rtol: float) -> tuple[list[str], float]:
    """Differences between a record and the metrics its design got now, and the tolerance used."""
    ev = Evaluation(step=0, design=design, metrics=metrics.to_dict() if metrics.feasible else {},
                    feasible=metrics.feasible, reason=metrics.reason, reward=base.reward_of(metrics),
                    predicted=metrics.predicted)
    diff = differences(rec, ev, base.simulator.metric_names, rtol)
    if bool(rec.get("predicted")) != metrics.predicted:
        diff.append(f"predicted: recorded {bool(rec.get('predicted'))}, replayed {metrics.predicted}")
    return diff, rtol


# -- rebuilding the env a record names ------------------------------------------------------------------------
def env_for(record: Mapping[str, Any], proxy: str | os.PathLike[str] | None = None,
            near: Sequence[Path] = ()) -> tuple[Any, str]:
    """The env a record was made on, rebuilt here, and a note naming its proxy file ("" without one).

    ``proxy`` overrides where to look for a proxy model file; otherwise the
    recorded path is tried, then a file of the same name in the ``near``
    folders. The file's SHA-256 must match the recorded one.

    Raises:
        NotReplayable: why the env cannot be rebuilt (unknown env or version,
            unrecorded build argument, missing or changed proxy file, a
            workload or objective that rebuilds differently).
    """
    env_id = _text(record.get("env_id"))
    check_env_id(env_id)
    kwargs, note = usable_kwargs(recorded_kwargs(record), _text(record.get("proxy_sha256")), proxy, near)
    env = build_env(env_id, kwargs)
    base = env.unwrapped
    for what, recorded, now in (
        ("workload", _text(record.get("workload")), base.workload_name),
        ("objective", _text(record.get("objective")), base.objective.spec()),
        ("simulator version", _text(record.get("simulator_version")), base.simulator.version),
    ):
        if recorded and recorded != now:
            env.close()
            raise NotReplayable(f"made with {what} {recorded!r}, this install has {now!r}")
    return env, note


def recorded_kwargs(record: Mapping[str, Any]) -> dict[str, Any]:
    """The env arguments a record names: its ``env_kwargs``, or for records older than that column
    the recorded workload, and the recorded objective unless it is the env's default."""
    raw = _text(record.get("env_kwargs"))
    if raw:
        return json.loads(raw)
    env_id = _text(record.get("env_id"))
    check_env_id(env_id)
    kwargs: dict[str, Any] = {"workload": _text(record.get("workload"))}
    env = build_env(env_id, kwargs)
    default = env.unwrapped.objective.spec()
    env.close()
    if default != _text(record.get("objective")):
        kwargs["objective"] = _text(record.get("objective"))
    return kwargs


def usable_kwargs(kwargs: Mapping[str, Any], proxy_sha256: str, proxy: str | os.PathLike[str] | None = None,
                  near: Sequence[Path] = ()) -> tuple[dict[str, Any], str]:
    """Recorded env arguments made usable here: the proxy file located (see :func:`locate_proxy`).

    Returns the arguments and a note naming the proxy file ("" without one).

    Raises:
        NotReplayable: an argument was a Python object records cannot hold, or the proxy file is
            missing or not the recorded one.
    """
    kwargs = dict(kwargs)
    unrecorded = kwargs.pop("_unrecorded", [])
    if unrecorded:
        raise NotReplayable(f"built with Python object(s) for {', '.join(unrecorded)}, which records cannot hold")
    if kwargs.get("cost_model") != "proxy":
        return kwargs, ""
    path = locate_proxy(kwargs.get("proxy"), proxy_sha256, proxy, near)
    kwargs["proxy"] = str(path)
    return kwargs, f"{path.name} sha256 {proxy_sha256[:12] or '(not recorded)'}"


def build_env(env_id: str, kwargs: Mapping[str, Any]) -> Any:
    """``make_env(env_id, **kwargs)``; any failure is :class:`NotReplayable` naming the arguments."""
    from archgym.registry import make_env

    try:
        return make_env(env_id, **kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild is the verdict on the record
        raise NotReplayable(f"cannot build {env_id} with {dict(kwargs)}: {_one_line(exc)}") from None


def check_env_id(env_id: str) -> None:
    """Raise :class:`NotReplayable` unless ``env_id`` is registered here, naming the versions that are."""
    from archgym.registry import env_ids

    known = env_ids()
    if env_id in known:
        return
    family = env_id.rpartition("-v")[0] if "-v" in env_id else env_id
    others = [i for i in known if (i.rpartition("-v")[0] if "-v" in i else i) == family]
    if others:
        raise NotReplayable(f"made with {env_id}, this install has {', '.join(others)}")
    raise NotReplayable(f"unknown env {env_id!r} (not registered here; import the plugin that registers it)")


def locate_proxy(recorded: Any, sha256: str, override: str | os.PathLike[str] | None,
                 near: Sequence[Path] = ()) -> Path:
    """The proxy model file to replay with, its checksum checked against the recorded one.

    Raises:
        NotReplayable: no candidate file exists, or none has the recorded checksum.
    """
    from archgym.fileio import sha256_file

    name = Path(str(recorded)).name if recorded else ""
    candidates = [Path(override)] if override is not None else []
    if recorded:
        candidates.append(Path(str(recorded)))
        candidates += [d / name for d in near]
    existing = [c for c in dict.fromkeys(candidates) if c.is_file()]
    if not existing:
        raise NotReplayable(f"proxy file {recorded} is missing (pass its path with --proxy / proxy=)")
    for path in existing:
        if not sha256 or sha256_file(path) == sha256:
            return path
    raise NotReplayable(f"proxy file {existing[0]} is not the one recorded (sha256 "
                        f"{sha256_file(existing[0])[:12]}, recorded {sha256[:12]})")


# -- many records ---------------------------------------------------------------------------------------------
def replay_frame(
    frame: "pd.DataFrame", source: str = "", proxy: str | os.PathLike[str] | None = None,
    near: Sequence[Path] = (),
) -> list[Check]:
    """Check every record of a DataFrame (from :func:`archgym.data.datasets.load`), in row order."""
    if not len(frame):
        return []
    frame = frame.reset_index(drop=True)
    keys = [k for k in ENV_KEY if k in frame.columns]
    checks: dict[int, Check] = {}
    for _, group in frame.groupby([frame[k].fillna("").astype(str) for k in keys], sort=False, dropna=False):
        rows = [_row(r) for r in group.to_dict("records")]
        try:
            env, note = env_for(rows[0], proxy, near)
        except NotReplayable as exc:
            for idx, rec in zip(group.index, rows):
                checks[idx] = Check(record_name(rec, source), NOT_REPLAYABLE, reason=str(exc))
            continue
        try:
            for idx, check in zip(group.index, replay_records(env, rows, source, note)):
                checks[idx] = check
        finally:
            env.close()
    return [checks[i] for i in sorted(checks)]


def replay(path: str | os.PathLike[str], proxy: str | os.PathLike[str] | None = None) -> ReplayReport:
    """Replay every record under ``path``: a run folder, a dataset, a sweep folder or a records file.

    Example:
        >>> report = replay("runs/latest")          # doctest: +SKIP
        >>> report.ok, report.summary()             # doctest: +SKIP
        (True, '100 checked, 100 agree, 0 differ, 0 not replayable')

    Raises:
        UserError: ``path`` is none of the above.
    """
    from archgym.reproduce.sources import record_sets

    root = Path(path)
    report = ReplayReport(str(root))
    for source, frame in record_sets(root):
        report.checks += replay_frame(frame, source, proxy, folders_near(root))
    if not report.checks:
        raise UserError(f"{root}: holds no records to replay")
    return report


def folders_near(path: Path) -> list[Path]:
    """Where to look for a moved proxy file: the folder of ``path`` and its two parents."""
    folder = path if path.is_dir() else path.parent
    return [folder, *list(folder.parents)[:2]]


# -- small helpers ----------------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _same(a: float, b: float, rtol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or (rtol > 0 and math.isclose(a, b, rel_tol=rtol))


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
