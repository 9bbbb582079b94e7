"""The parameter space: validation messages, encoding round trips, derived views."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from gymnasium import spaces

from archgym.space import ParameterSpace, categorical, float_range, integer, pow2


@pytest.fixture
def space() -> ParameterSpace:
    return ParameterSpace([
        pow2("pe_rows", 4, 64, default=16, unit="PEs", help="rows"),
        categorical("dataflow", ["ws", "os", "is"], default="ws"),
        integer("banks", [1, 2, 4, 8], default=2),
        float_range("clock_ghz", 0.5, 2.0, default=1.0, unit="GHz", levels=4),
    ])


def test_pow2_choices_and_defaults(space):
    assert space["pe_rows"].choices == (4, 8, 16, 32, 64)
    assert space.defaults() == {"pe_rows": 16, "dataflow": "ws", "banks": 2, "clock_ghz": 1.0}
    assert list(space.nvec) == [5, 3, 4, 4]
    assert space.size == 5 * 3 * 4 * 4


def test_validate_fills_defaults_and_canonicalises(space):
    d = space.validate({"pe_rows": np.int64(32), "dataflow": "OS"})
    assert d == {"pe_rows": 32, "dataflow": "os", "banks": 2, "clock_ghz": 1.0}
    assert type(d["pe_rows"]) is int


@pytest.mark.parametrize("design, words", [
    ({"pe_rows": 3}, ["'pe_rows'", "3", "[4, 8, 16, 32, 64]"]),
    ({"dataflow": "rs"}, ["'dataflow'", "'rs'", "'ws'", "'os'", "'is'"]),
    ({"clock_ghz": 3.0}, ["'clock_ghz'", "[0.5, 2.0]"]),
    ({"pe_cols": 4}, ["unknown knob 'pe_cols'", "pe_rows, dataflow, banks, clock_ghz"]),
])
def test_invalid_values_name_knob_value_and_allowed_set(space, design, words):
    with pytest.raises(ValueError) as exc:
        space.validate(design)
    for w in words:
        assert w in str(exc.value)


@pytest.mark.parametrize("value", [32, np.int64(32), 32.0, np.float64(32.0), "32", True, 33, "x", [32], None])
def test_validate_canonicalises_like_check_for_any_value(space, value):
    """validate looks a choice up in a table first; every value gets what Knob.check gives it."""
    knob = space["pe_rows"]
    try:
        expected = knob._check(value)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc).replace("[", r"\[")):
            space.validate({"pe_rows": value})
    else:
        got = space.validate({"pe_rows": value})["pe_rows"]
        assert got == expected and type(got) is type(expected)


def test_an_unknown_knob_is_reported_before_a_bad_value(space):
    with pytest.raises(ValueError, match="unknown knob 'pe_cols'"):
        space.validate({"pe_rows": 3, "pe_cols": 4})


def test_encode_decode_round_trip(space):
    rng = np.random.default_rng(0)
    for _ in range(50):
        d = space.sample(rng)
        assert space.decode(space.encode(d)) == d
    batch = np.stack([space.encode(space.sample(rng)) for _ in range(5)])
    assert space.decode_batch(batch) == [space.decode(row) for row in batch]


def test_decode_rejects_out_of_range_index(space):
    with pytest.raises(ValueError, match="'banks': action index 4 out of range"):
        space.decode([0, 0, 4, 0])


def test_gymnasium_views(space):
    md = space.multidiscrete_space()
    assert isinstance(md, spaces.MultiDiscrete) and list(md.nvec) == [5, 3, 4, 4]
    dv = space.dict_space()
    assert isinstance(dv["dataflow"], spaces.Discrete) and isinstance(dv["clock_ghz"], spaces.Box)
    assert space.decode({"pe_rows": 1, "dataflow": 2, "banks": 0, "clock_ghz": np.array([1.5], np.float32)}) == {
        "pe_rows": 8, "dataflow": "is", "banks": 1, "clock_ghz": 1.5}


def test_optuna_distributions_keep_order_for_ordered_knobs(space):
    dists = space.optuna_distributions()
    assert isinstance(dists["pe_rows"], optuna.distributions.IntDistribution)
    assert isinstance(dists["dataflow"], optuna.distributions.CategoricalDistribution)
    assert isinstance(dists["clock_ghz"], optuna.distributions.FloatDistribution)
    d = {"pe_rows": 32, "dataflow": "is", "banks": 8, "clock_ghz": 1.25}
    assert space.from_optuna(space.to_optuna(d)) == d


def test_column_types_and_table(space):
    assert space.column_types() == {"pe_rows": "int64", "dataflow": "string", "banks": "int64",
                                    "clock_ghz": "float64"}
    md = space.markdown_table()
    assert "| `pe_rows` | pow2 | 4, 8, ..., 64 (powers of 2) | 16 | PEs | rows |" in md


def test_bad_declarations_are_rejected():
    with pytest.raises(ValueError, match="powers of two"):
        pow2("x", 3, 16, default=4)
    with pytest.raises(ValueError, match="'y'"):
        integer("y", [1, 2], default=3)
    with pytest.raises(ValueError, match="duplicate knob"):
        ParameterSpace([integer("a", [1], 1), integer("a", [1], 1)])
