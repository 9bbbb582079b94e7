"""The agent interface through random search."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from archgym.agents import make_agent
from archgym.errors import UserError


def test_budget_is_exact_and_history_complete():
    env = gymnasium.make("archgym-test/Toy-v0", max_steps=7)
    seen = []
    h = make_agent("random").run(env, budget=25, seed=0, callback=seen.append)
    assert len(h) == 25 == len(seen) == env.unwrapped.n_evaluations
    assert [e.step for e in h] == list(range(1, 26))
    curve = h.best_so_far()
    assert np.all(np.diff(curve[~np.isnan(curve)]) >= 0)
    assert h.best is not None and h.best.reward == np.nanmax(curve)
    assert h.summary()["evaluations"] == 25


def test_random_search_finds_toy_optimum_with_enough_budget():
    h = make_agent("random").run(gymnasium.make("archgym-test/Toy-v0"), budget=400, seed=1)
    assert h.best.design == {"size": 16, "count": 3, "colour": "green"}


def test_unknown_agent_and_hyperparameter_errors():
    with pytest.raises(UserError, match="unknown agent 'sa'; valid choices: random"):
        make_agent("sa")
    with pytest.raises(UserError, match="agent 'random' has no hyperparameter 'population'"):
        make_agent("random", population=3)
    with pytest.raises(UserError, match="budget"):
        make_agent("random").run(gymnasium.make("archgym-test/Toy-v0"), budget=0)
