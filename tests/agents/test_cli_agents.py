"""`archgym agents` lists every agent; every hyperparameter round-trips through `archgym run --hp`."""

from __future__ import annotations

import json

import pytest

from archgym.agents import AGENTS, agent_class

EXPECTED = {"random", "walker", "grid", "sobol", "ga", "nsga2", "aco", "tpe", "gp", "cmaes", "ppo", "a2c", "dqn"}


def test_agents_lists_every_agent_with_family_and_hyperparameters(run_cli):
    assert EXPECTED <= set(AGENTS)
    code, out, _ = run_cli(["agents"])
    assert code == 0
    for name in AGENTS:
        cls = agent_class(name)
        assert name in out and cls.family.split()[0] in out
        for hp in cls.hyperparameters:
            assert hp.name in out
    assert "lexicographic]" in out and "independent]" in out  # sweep lists are not eaten as rich markup


def test_every_agent_declares_hyperparameters_with_valid_defaults_and_sweeps():
    for name in AGENTS:
        cls = agent_class(name)
        assert cls.name == name and cls.family and "Example:" in (cls.__doc__ or "")
        for hp in cls.hyperparameters:
            assert hp.parse(hp.default) == hp.default, (name, hp.name)
            assert hp.sweep and all(hp.parse(str(v)) == v for v in hp.sweep), (name, hp.name)


def _non_default(hp):
    return next((v for v in hp.sweep if v != hp.default), hp.default)


@pytest.mark.parametrize("agent", sorted(EXPECTED))
def test_hyperparameters_round_trip_through_the_cli(agent, tmp_path, run_cli):
    cls = agent_class(agent)
    chosen = {hp.name: _non_default(hp) for hp in cls.hyperparameters}
    if agent == "cmaes":
        chosen["separable"] = False  # margin and separable CMA cannot be combined
    args = ["run", "--env", "archgym-test/Toy-v0", "--agent", agent, "--budget", "6", "--seed", "1",
            "--out", str(tmp_path), "--quiet"]
    for key, value in chosen.items():
        args += ["--hp", f"{key}={value}"]
    code, _, err = run_cli(args)
    assert code == 0, err
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["evaluations"] == 6 and best["agent"] == agent
    assert best["hyperparameters"] == {**{h.name: h.default for h in cls.hyperparameters}, **chosen}


def test_bad_hyperparameters_are_one_line_errors(tmp_path, run_cli):
    base = ["run", "--env", "archgym-test/Toy-v0", "--budget", "3", "--out", str(tmp_path), "--quiet"]
    code, _, err = run_cli(base + ["--agent", "ga", "--hp", "populaton=5"])
    assert code == 2 and "no hyperparameter 'populaton'; valid: population, crossover_rate" in err
    code, _, err = run_cli(base + ["--agent", "ga", "--hp", "mutation_rate=2"])
    assert code == 2 and "outside [0.0, 1.0]" in err
    code, _, err = run_cli(base + ["--agent", "cmaes", "--hp", "categoricals=onehot"])
    assert code == 2 and "not one of ['index', 'independent']" in err
    code, _, err = run_cli(base + ["--agent", "cmaes", "--hp", "separable=true"])
    assert code == 2 and "cannot be combined" in err
    code, _, err = run_cli(base + ["--agent", "annealing"])
    assert code == 2 and "unknown agent 'annealing'; valid choices: random, walker" in err
