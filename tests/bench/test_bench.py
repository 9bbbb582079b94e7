"""The benchmark suite: optima, scoring, resumable runs, validation of entries, the report and the CLI."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from archgym.backends import SerialBackend
from archgym.bench import tasks as suite
from archgym.bench.enumerate import normalised_regret, random_success
from archgym.bench.leaderboard import validate_entry
from archgym.bench.optimum import compute_optimum
from archgym.bench.runner import bench_trials, collect_rows, make_entry, run_bench
from archgym.bench.scoring import improvements, regret_at, score_run
from archgym.bench.tasks import Task, get_task

TOY = Task("toy-latency", "archgym-test/Toy-v0", {"objective": "minimize:latency_cycles"}, budgets=(4, 10, 24),
           tolerance=0.01, about="the test suite's toy env (144 designs)")


@pytest.fixture
def toy_suite(monkeypatch, tmp_path):
    """A suite of one toy task whose optimum is computed into a temporary optima file."""
    monkeypatch.setattr(suite, "TASKS", (TOY,))
    monkeypatch.setattr(suite, "OPTIMA_FILE", tmp_path / "optima.json")
    suite.store_optimum(TOY.id, compute_optimum(TOY))
    return TOY


def _entry(task, agent, seeds, out, hp=None):
    hp = hp or {}
    run_bench([task], agent, hp, seeds, out, backend=SerialBackend())
    rows, missing = collect_rows([task], bench_trials([task], agent, hp, seeds), out)
    assert not missing
    return make_entry(agent, agent, hp, [task], seeds, rows, f"archgym bench run --agent {agent}")


def test_toy_optimum_recomputed_matches_the_stored_one_and_the_known_optimum(toy_suite):
    stored = toy_suite.optimum()
    again = compute_optimum(toy_suite)
    timing = ("enumeration_seconds", "reward_seconds")
    assert {k: v for k, v in again.items() if k not in timing} == {k: v for k, v in stored.items() if k not in timing}
    # ToySimulator: cost 0 (latency 1) only at size=16, count=3, colour=green; reward -log10(1) = 0
    assert stored["exact"] and stored["value"] == 0.0 and stored["optimal_designs"] == 1
    assert stored["design"] == {"size": 16, "count": 3, "colour": "green"}
    assert stored["space_size"] == 8 * 6 * 3
    assert stored["feasible_fraction"] == pytest.approx(138 / 144)  # red with size 1 (any of 6 counts) is infeasible
    assert stored["quantiles"]["1"] == stored["value"] and stored["quantiles"]["0.5"] == stored["median"]


def test_stored_accelerator_optimum_replays_and_no_neighbour_or_sample_beats_it():
    """The committed exact optimum: its design gives its value; no one-knob change or random design does better."""
    task = get_task("acc-alexnet-edp")
    opt = task.optimum()
    assert opt is not None and opt["exact"]
    env = task.make().unwrapped
    space = env.design_space
    assert env.objective.reward(env.evaluate(opt["design"])) == opt["value"]
    designs = []
    for knob in space:
        designs += [{**opt["design"], knob.name: v} for v in knob.grid() if v != opt["design"][knob.name]]
    rng = np.random.default_rng(7)
    designs += [space.sample(rng) for _ in range(300)]
    results = env.simulator.evaluate_batch([space.validate(d) for d in designs], env.workload)
    values = np.array([env.objective.reward(m) if m.feasible else -np.inf for m in results])
    assert values.max() <= opt["value"]
    feasible = values[np.isfinite(values)]
    # the stored median sits inside the sample's 25-75% band (300 draws: far wider than sampling error)
    lo, hi = np.quantile(feasible, [0.25, 0.75])
    assert lo <= opt["median"] <= hi


def test_regret_is_zero_at_the_optimum_and_one_at_the_median(toy_suite):
    opt = toy_suite.optimum()
    assert normalised_regret(opt["value"], opt["value"], opt["median"]) == 0.0
    assert normalised_regret(opt["median"], opt["value"], opt["median"]) == 1.0
    steps = improvements([None, opt["median"], opt["median"], opt["value"]])
    assert steps == [[2, opt["median"]], [4, opt["value"]]]
    assert list(regret_at(steps, [2, 3, 4, 24], opt)) == [1.0, 1.0, 0.0, 0.0]
    worst = normalised_regret(opt["quantiles"]["0"], opt["value"], opt["median"])
    assert regret_at(steps, [1], opt)[0] == worst  # nothing feasible yet scores as the worst design
    scored = score_run({"improvements": steps}, opt, [2, 4], 0.01)
    assert scored == {"regret": {"2": 1.0, "4": 0.0}, "success": {"2": False, "4": True},
                      "evaluations_to_success": 4}


def test_random_success_is_one_minus_the_miss_probability():
    assert random_success(0.0, 50) == 0.0
    assert random_success(0.5, 2) == pytest.approx(0.75)


def test_entry_validates_and_tampering_is_caught(toy_suite, tmp_path):
    entry = _entry(toy_suite, "random", [0, 1, 2], tmp_path / "runs")
    assert validate_entry(entry, sample=2) == []

    claimed = copy.deepcopy(entry)
    claimed["runs"][0]["best_reward"] += 0.5
    claimed["runs"][0]["improvements"][-1][1] += 0.5
    claimed["runs"][0].pop("regret")
    assert any("replays to reward" in p for p in validate_entry(claimed, sample=0))

    swapped = copy.deepcopy(entry)
    worse = next(r for r in swapped["runs"] if r["best_reward"] < 0)
    worse["best_design"] = dict(toy_suite.optimum()["design"])
    assert any("replays to reward" in p for p in validate_entry(swapped, sample=0))

    rescored = copy.deepcopy(entry)
    rescored["runs"][0]["success"] = {k: True for k in rescored["runs"][0]["success"]}
    if rescored["runs"][0]["success"] != entry["runs"][0]["success"]:
        assert any("does not follow from the optimum" in p for p in validate_entry(rescored, sample=0))

    forged = copy.deepcopy(entry)
    forged["runs"][1]["fingerprint"] = "0" * 64
    problems = validate_entry(forged, sample=len(forged["runs"]))
    assert any("re-run trajectory differs" in p for p in problems)


def test_killed_and_resumed_bench_run_equals_an_uninterrupted_one(toy_suite, tmp_path):
    seeds = [0, 1, 2, 3]
    whole = _entry(toy_suite, "ga", seeds, tmp_path / "whole")

    class Killed(Exception):
        pass

    def kill_after_two(result, seen=[]):  # noqa: B006 - a counter shared by the calls of one run
        seen.append(result)
        if len(seen) == 2:
            raise Killed

    with pytest.raises(Killed):
        run_bench([toy_suite], "ga", {}, seeds, tmp_path / "resumed", backend=SerialBackend(),
                  on_result=kill_after_two)
    outcome = run_bench([toy_suite], "ga", {}, seeds, tmp_path / "resumed", backend=SerialBackend())
    assert outcome.skipped == 2 and outcome.ok == 2
    resumed = _entry(toy_suite, "ga", seeds, tmp_path / "resumed")
    timing = ("wall_time_s", "agent_overhead_s_per_eval", "simulator_s_per_eval")
    strip = [[{k: v for k, v in r.items() if k not in timing} for r in e["runs"]] for e in (whole, resumed)]
    assert strip[0] == strip[1]


def test_report_on_a_tiny_suite(toy_suite, tmp_path):
    from archgym.bench.report import write_report

    entries = [_entry(toy_suite, a, [0, 1, 2, 3], tmp_path / a) for a in ("random", "grid")]
    readme = write_report(entries, tmp_path / "report", reps=100)
    text = readme.read_text()
    assert "| `random` | 4 |" in text and "| `grid` | 4 |" in text
    assert "`toy-latency`" in text and "(exact)" in text
    for png in ("regret_vs_budget.png", "performance_profile.png"):
        assert (tmp_path / "report" / png).stat().st_size > 1000
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    by_name = {e["name"]: e for e in summary["entries"]}
    for e in entries:  # the report's success rate is the entries' own
        rate = np.mean([r["success"]["24"] for r in e["runs"]])
        assert by_name[e["agent"]]["by_budget"]["24"]["success"] == pytest.approx(rate)
    assert "grid" in summary["probability_of_improvement_over_random"]


def test_cli_list_json_and_errors(run_cli):
    code, out, _ = run_cli(["bench", "list", "--json"])
    assert code == 0
    listed = json.loads(out)
    assert {t["id"] for t in listed} == {t.id for t in suite.tasks()}
    for t in listed:
        assert {"id", "env", "env_kwargs", "budgets", "optimum"} <= set(t)
        if t["optimum"] is not None:
            assert {"value", "design", "exact"} <= set(t["optimum"])
    code, _, err = run_cli(["bench", "optimum", "no-such-task"])
    assert code == 2 and "no-such-task" in err and "acc-alexnet-edp" in err
    code, _, err = run_cli(["bench", "validate", "no/such/entry.json"])
    assert code == 2 and "does not exist" in err or "no such" in err


def test_cli_run_validate_report(toy_suite, run_cli, tmp_path):
    out = tmp_path / "runs"
    code, stdout, err = run_cli(["bench", "run", "--agent", "random", "--tasks", toy_suite.id, "--seeds", "2",
                                 "--serial", "--quiet", "--out", str(out)])
    assert code == 0, err
    entry = out / "entry.json"
    data = json.loads(entry.read_text())
    assert data["command"].startswith("archgym bench run --agent random --tasks toy-latency --seeds 2")
    assert len(data["runs"]) == 2 and all("regret" in r for r in data["runs"])
    code, stdout, _ = run_cli(["bench", "validate", str(entry), "--sample", "1"])
    assert code == 0 and "valid" in stdout
    data["runs"][0]["best_design"] = {"size": 128, "count": 6, "colour": "red"}
    entry.write_text(json.dumps(data))
    code, _, err = run_cli(["bench", "validate", str(entry), "--sample", "0"])
    assert code == 1 and "replays to reward" in err
    code, _, err = run_cli(["bench", "run", "--agent", "random", "--seeds", "0,0", "--out", str(out)])
    assert code == 2 and "--seeds" in err


def test_an_interrupted_enumeration_resumes_from_its_checkpoint_to_the_same_table(tmp_path):
    from archgym.bench.enumerate import enumerate_space

    env = TOY.make().unwrapped
    whole = enumerate_space(env, chunk=40)
    checkpoint = tmp_path / "toy.partial.npz"

    def stop_after_two_chunks(done, total):
        if done >= 80:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        enumerate_space(env, chunk=40, progress=stop_after_two_chunks, checkpoint=checkpoint)
    seen = []
    resumed = enumerate_space(env, chunk=40, progress=lambda done, total: seen.append(done), checkpoint=checkpoint)
    assert seen == [120, 144]  # the first two chunks came from the checkpoint
    assert not checkpoint.exists()
    assert np.array_equal(resumed.feasible, whole.feasible)
    for name, column in whole.metrics.items():
        assert np.array_equal(resumed.metrics[name], column, equal_nan=True)


def test_hard_budgets_take_the_median_over_the_designs_within_them():
    """Under a hard budget the over-budget designs' -1000 stand-ins are not in the reference distribution."""
    from archgym.bench.enumerate import enumerate_space, rewards, summarise

    hard = Task("toy-hard", "archgym-test/Toy-v0", {"objective": "minimize:latency_cycles;area_mm2<=0.25"})
    penalty = Task("toy-pen", "archgym-test/Toy-v0", {"objective": "minimize:latency_cycles;penalty:area_mm2<=0.25"})
    table = enumerate_space(hard.make().unwrapped)
    area = table.metrics["area_mm2"]
    within = table.feasible & (area <= 0.25)
    assert 0 < within.sum() < table.feasible.sum()  # the budget cuts the space
    values, valid = rewards(table, hard.make().unwrapped.objective)
    assert np.array_equal(valid, within)
    summary = summarise(values, valid, 0.01)
    assert summary["median"] == pytest.approx(float(np.median(-np.log10(table.metrics["latency_cycles"][within]))))
    assert summary["median"] > -100 and summary["feasible_fraction"] == within.sum() / table.size
    values, valid = rewards(table, penalty.make().unwrapped.objective)
    assert np.array_equal(valid, table.feasible)  # a penalised reward is a score: every feasible design counts


def test_entries_of_one_agent_on_different_tasks_merge_into_one_valid_entry(monkeypatch, tmp_path):
    from archgym.bench.leaderboard import merge_entries
    from archgym.errors import UserError

    area = Task("toy-area", "archgym-test/Toy-v0", {"objective": "minimize:latency_cycles,area_mm2"},
                budgets=(4, 10, 24))
    monkeypatch.setattr(suite, "TASKS", (TOY, area))
    monkeypatch.setattr(suite, "OPTIMA_FILE", tmp_path / "optima.json")
    for t in (TOY, area):
        suite.store_optimum(t.id, compute_optimum(t))
    first = {**_entry(TOY, "random", [0, 1], tmp_path / "a"), "command": "archgym bench run --tasks toy-latency"}
    second = {**_entry(area, "random", [0, 1], tmp_path / "b"), "command": "archgym bench run --tasks toy-area"}
    merged = merge_entries([second, first])
    assert merged["tasks"] == [TOY.id, area.id]  # the suite's order
    assert sorted((r["task"], r["seed"]) for r in merged["runs"]) == sorted(
        (r["task"], r["seed"]) for r in first["runs"] + second["runs"])
    assert merged["command"] == second["command"] + " && " + first["command"]
    assert validate_entry(merged, sample=1) == []
    assert merge_entries([merged, second]) == merged  # merging again changes nothing
    forged = copy.deepcopy(first)
    forged["runs"][0]["fingerprint"] = "0" * 64
    with pytest.raises(UserError, match="both hold the run"):
        merge_entries([first, forged])
    with pytest.raises(UserError, match="differ in seeds"):
        merge_entries([first, _entry(area, "random", [0, 1, 2], tmp_path / "c")])
