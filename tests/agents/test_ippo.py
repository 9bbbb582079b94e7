"""Independent PPO over the multi-agent design env."""

from __future__ import annotations

import gymnasium
import pytest

pytest.importorskip("pettingzoo")
pytest.importorskip("torch")

from archgym.agents import make_agent  # noqa: E402

TOY_OPTIMUM = {"size": 16, "count": 3, "colour": "green"}


@pytest.mark.parametrize("hp", [{}, {"share_parameters": True}])
def test_independent_learners_converge_to_the_optimum_of_a_small_separable_space(hp):
    env = gymnasium.make("archgym-test/Toy-v0")  # 144 designs, cost separable per knob
    # seed 2: with the v1 observation (feasible and infeasible flags) shared-parameter ippo settles on the
    # optimum in 7 of seeds 4..11 and not at seed 1 (with the old one, 4 of 8); the seed is a sample, not a tuning
    history = make_agent("ippo", **hp).run(env, budget=240, seed=2)
    assert history.best.design == TOY_OPTIMUM
    late = [dict(e.design) for e in history.evaluations[-40:]]
    # the learners have settled: most late designs are the optimum (uniform sampling gives 1 in 144)
    assert sum(d == TOY_OPTIMUM for d in late) >= 20


def test_same_seed_same_trajectory_and_seeds_differ():
    def run(seed, **hp):
        env = gymnasium.make("archgym-test/Toy-v0", max_steps=5)
        return make_agent("ippo", n_steps=8, batch_size=4, **hp).run(env, budget=30, seed=seed).fingerprint()

    for hp in ({}, {"share_parameters": True}, {"agents": "single"}):
        assert run(2, **hp) == run(2, **hp) != run(3, **hp)


def test_runs_through_the_cli(run_cli, tmp_path):
    code, out, err = run_cli(["run", "--env", "archgym-test/Toy-v0", "--agent", "ippo", "--budget", "12",
                              "--hp", "n_steps=4", "--hp", "share_parameters=true", "--out", str(tmp_path / "r")])
    assert code == 0, err
