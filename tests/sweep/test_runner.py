"""Running sweeps: backends agree, resume redoes only what is missing, crashes are retried and recorded."""

from __future__ import annotations

import pytest

from archgym.backends import DaskBackend, ProcessBackend, SerialBackend
from archgym.data.datasets import load as load_records
from archgym.sweep.plan import expand
from archgym.sweep.runner import run_sweep
from archgym.sweep.spec import load_spec
from archgym.sweep.store import ResultStore


def _results(out):
    return {r["key"]: r for r in ResultStore(out).results()}


def _essence(results):
    """What must not depend on the backend: status, trajectory fingerprint, best reward, target step."""
    return {k: (r["status"], r.get("fingerprint"), r.get("best_reward"), r.get("target_met_step"))
            for k, r in results.items()}


def test_serial_pool_and_dask_give_identical_results(sweep_file, tmp_path):
    pytest.importorskip("distributed")
    spec = load_spec(sweep_file())
    trials = expand(spec)
    runs = {}
    for name, backend in [("serial", SerialBackend()), ("pool", ProcessBackend(2)),
                          ("dask", DaskBackend(local_workers=2))]:
        outcome = run_sweep(trials, tmp_path / name, backend=backend, imports=spec.imports)
        assert (outcome.ok, outcome.failed, outcome.skipped) == (len(trials), 0, 0)
        runs[name] = _essence(_results(tmp_path / name))
    assert runs["serial"] == runs["pool"] == runs["dask"]
    assert len(runs["serial"]) == len(trials) == 12
    records = load_records(tmp_path / "pool" / "records" / "archgym-test_Toy-v0")
    assert len(records) == len(trials) * spec.budget
    assert set(records["run_id"]) == {t.key for t in trials}


def test_resume_after_deleting_one_result_redoes_only_that_trial(sweep_file, tmp_path):
    spec = load_spec(sweep_file())
    trials = expand(spec)
    out = tmp_path / "out"
    run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports)
    before = _results(out)
    victim = trials[5].key
    (out / "trials" / f"{victim}.json").unlink()
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "trials").glob("*.json")}
    seen = []
    outcome = run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports,
                        on_result=lambda r: seen.append(r["key"]))
    assert seen == [victim] and (outcome.ok, outcome.skipped) == (1, len(trials) - 1)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "trials").glob("*.json") if p.stem != victim} == mtimes
    assert _essence(_results(out)) == _essence(before)
    records = load_records(out / "records" / "archgym-test_Toy-v0")
    assert len(records) == len(trials) * spec.budget           # the re-run replaced its records, no duplicates
    again = run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports)
    assert (again.ok, again.skipped) == (0, len(trials))


def test_a_sweep_folder_with_the_old_shard_names_resumes_without_duplicates(sweep_file, tmp_path):
    """Folders written before records.shard_path named a trial's shard part-<key>.parquet: it is reused."""
    spec = load_spec(sweep_file())
    trials = expand(spec)
    out = tmp_path / "out"
    run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports)
    folder = out / "records" / "archgym-test_Toy-v0"
    for shard in folder.glob("part-*-00000.parquet"):
        shard.rename(folder / shard.name.replace("-00000.parquet", ".parquet"))
    victim = trials[3].key
    (out / "trials" / f"{victim}.json").unlink()  # killed between its shard and its result
    run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports)
    assert (folder / f"part-{victim}.parquet").exists() and not list(folder.glob("part-*-00000.parquet"))
    assert len(load_records(folder)) == len(trials) * spec.budget


def test_worker_crash_is_retried_then_recorded_and_the_sweep_completes(sweep_file, tmp_path):
    spec = load_spec(sweep_file(
        envs=[{"id": "archgym-test/Toy-v0"}],
        agents=[{"name": "random"}, {"name": "toy-crash", "hp": {"crash_seed": 1}},
                {"name": "toy-raise", "hp": {"crash_seed": 2}}],
        seeds=[0, 1, 2]))
    trials = expand(spec)
    out = tmp_path / "out"
    outcome = run_sweep(trials, out, backend=ProcessBackend(2), imports=spec.imports, retries=2)
    results = _results(out)
    assert len(results) == len(trials) == 9
    assert (outcome.ok, outcome.failed) == (7, 2)
    failed = {r["trial"]["agent"]: r for r in results.values() if r["status"] == "failed"}
    crashed, raised = failed["toy-crash"], failed["toy-raise"]
    assert crashed["trial"]["seed"] == 1 and crashed["attempts"] == 3
    assert "worker died 3 times" in crashed["error"] and "BrokenProcessPool" in crashed["error"]
    assert raised["trial"]["seed"] == 2 and raised["attempts"] == 1      # its own exception: no retry
    assert raised["error"] == "RuntimeError: toy agent asked to fail" and "Traceback" in raised["traceback"]
    assert all(r["attempts"] == 1 for r in results.values() if r["status"] == "ok")


def test_retry_failed_runs_only_the_failed_trials_again(sweep_file, tmp_path):
    spec = load_spec(sweep_file(agents=[{"name": "random"}, {"name": "toy-raise", "hp": {"crash_seed": 0}}]))
    trials = expand(spec)
    out = tmp_path / "out"
    first = run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports)
    assert (first.ok, first.failed) == (6, 2)
    assert run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports).ran == 0
    seen = []
    again = run_sweep(trials, out, backend=SerialBackend(), imports=spec.imports, retry_failed=True,
                      on_result=lambda r: seen.append(r["trial"]["agent"]))
    assert (again.ran, again.skipped, seen) == (2, 6, ["toy-raise", "toy-raise"])
