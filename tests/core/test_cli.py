"""The CLI end to end on the toy env: run writes records, plot and best design; errors are one line."""

from __future__ import annotations

import json

import pytest

from archgym.data.datasets import load as load_records


def test_run_writes_records_plot_and_best(tmp_path, run_cli):
    code, out, _ = run_cli(["run", "--env", "archgym-test/Toy-v0", "--agent", "random", "--budget", "30",
                            "--seed", "3", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    df = load_records(tmp_path / "records")
    assert len(df) == 30 and list(df["step"]) == list(range(1, 31))
    assert set(df["agent"]) == {"random"} and set(df["seed"]) == {3} and set(df["env_id"]) == {"archgym-test/Toy-v0"}
    assert (tmp_path / "convergence.png").stat().st_size > 1000
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["evaluations"] == 30 and best["best"]["reward"] == df["reward"].max()
    assert "archgym run --env archgym-test/Toy-v0" in best["reproduce"]
    assert "best design" in out


def test_same_seed_same_records(tmp_path, run_cli):
    frames = []
    for d in ("a", "b"):
        run_cli(["run", "--env", "archgym-test/Toy-v0", "--budget", "15", "--seed", "5", "--out",
                 str(tmp_path / d), "--quiet"])
        frames.append(load_records(tmp_path / d / "records").drop(columns=["run_id", "timestamp", "wall_time_s"]))
    assert frames[0].equals(frames[1])


@pytest.mark.parametrize("args, words", [
    (["run", "--env", "archgym/Nope-v0"], "unknown env 'archgym/Nope-v0'; valid choices: archgym/Accelerator-v1"),
    (["run", "--env", "archgym-test/Toy-v0", "--agent", "sa"], "unknown agent 'sa'"),
    (["run", "--env", "archgym-test/Toy-v0", "--workload", "triple"], "unknown workload 'triple'"),
    (["run", "--env", "archgym-test/Toy-v0", "--objective", "best:x"], "unknown objective kind 'best'"),
    (["run", "--env", "archgym-test/Toy-v0", "--objective", "minimize:latency_ns"], "unknown metric 'latency_ns'"),
    (["run", "--env", "archgym-test/Toy-v0", "--hp", "population"], "must look like key=value"),
    (["run", "--env", "archgym-test/Toy-v0", "--budget", "0"], "Invalid value for '--budget'"),
    (["describe", "archgym/Nope-v0"], "unknown env"),
])
def test_user_errors_are_one_line_exit_2(tmp_path, run_cli, args, words):
    code, _, err = run_cli(args + (["--out", str(tmp_path)] if args[0] == "run" else []))
    assert code == 2
    assert words in " ".join(err.split())
    assert "Traceback" not in err


def test_envs_and_agents_listing(run_cli):
    code, out, _ = run_cli(["envs"])
    assert code == 0 and "archgym/Accelerator-v1" in out
    code, out, _ = run_cli(["agents"])
    assert code == 0 and "random" in out


def test_describe_shows_knobs_and_metrics(run_cli):
    code, out, _ = run_cli(["describe", "archgym-test/Toy-v0"])
    assert code == 0
    for word in ("size", "colour", "latency_cycles", "unit, double", "design space size: 144"):
        assert word in out


def test_env_arg_reaches_the_env(tmp_path, run_cli):
    code, _, _ = run_cli(["run", "--env", "archgym-test/Toy-v0", "--budget", "12", "--env-arg", "max_steps=3",
                          "--out", str(tmp_path), "--quiet"])
    assert code == 0
    best = json.loads((tmp_path / "best.json").read_text())
    assert "--env-arg max_steps=3" in best["reproduce"]


@pytest.mark.parametrize("args, words", [
    (["--env-arg", "colour=3"], "archgym-test/Toy-v0 has no argument 'colour'; valid: workload, objective, max_steps"),
    (["--env-arg", "workload=unit", "--workload", "unit"], "repeats --workload"),
    (["--env-arg", "max_steps"], "must look like key=value"),
])
def test_bad_env_args(tmp_path, run_cli, args, words):
    code, _, err = run_cli(["run", "--env", "archgym-test/Toy-v0", "--out", str(tmp_path), *args])
    assert code == 2 and words in " ".join(err.split())


def test_error_text_is_printed_verbatim_not_as_markup(tmp_path, run_cli):
    code, _, err = run_cli(["run", "--env", "archgym/[bold]x-v0", "--out", str(tmp_path)])
    assert code == 2 and "unknown env 'archgym/[bold]x-v0'" in err


def test_pareto_objective_shows_the_front(tmp_path, run_cli):
    code, out, _ = run_cli(["run", "--env", "archgym-test/Toy-v0", "--agent", "nsga2", "--budget", "20",
                            "--objective", "pareto:latency_cycles,area_mm2", "--out", str(tmp_path), "--quiet"])
    best = json.loads((tmp_path / "best.json").read_text())
    assert code == 0 and f"Pareto front ({len(best['pareto_front'])} non-dominated" in " ".join(out.split())
    assert best["interrupted"] is False


def test_warm_up_says_once_that_numba_compiles(toy_env, monkeypatch, capsys):
    numba = pytest.importorskip("numba")
    from archgym.cli.common import warm_up

    @numba.njit(cache=False)
    def kernel(x):
        return x + 1

    base = toy_env.unwrapped
    evaluate = base.simulator.evaluate
    monkeypatch.setattr(base.simulator, "evaluate", lambda design, workload: (kernel(1), evaluate(design, workload)))
    warm_up(toy_env)
    warm_up(toy_env)
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("compiling") == 1 and "kernel with numba (once after install" in err
