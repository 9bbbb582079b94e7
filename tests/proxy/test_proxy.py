"""Proxy models: training figures, save/load checks, and the proxy standing in for the simulator."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from archgym import proxy
from archgym.data import datasets
from archgym.data.collect import collect
from archgym.errors import UserError
from archgym.records import RecordWriter, attach_recorder

TOY = "archgym-test/Toy-v0"


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("toyproxy")
    collect(TOY, 400, d / "data", sampler="random", seed=0, chunk_size=100)  # the whole 144-design space
    collect(TOY, 400, d / "data", sampler="random", seed=0, chunk_size=100, workload="double")
    return d


@pytest.fixture(scope="module")
def rf_path(toy_dir):
    model = proxy.train(toy_dir / "data", ["latency_cycles", "area_mm2"], "rf", seed=0)
    return model.save(toy_dir / "toy.proxy")


def test_score_matches_hand_calculation():
    s = proxy.score(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 6.0]))
    assert s["rmse"] == pytest.approx(1.0) and s["rmse_pct_of_mean"] == pytest.approx(40.0)
    assert s["r2"] == pytest.approx(1 - 4 / 5) and s["spearman"] == pytest.approx(1.0)
    assert s["mape_pct"] == pytest.approx(12.5) and s["n"] == 4


def test_split_is_fixed_by_the_seed_and_disjoint():
    a, b = proxy.split_indices(100, 3), proxy.split_indices(100, 3)
    assert all((x == y).all() for x, y in zip(a, b))
    assert sorted(np.concatenate(a)) == list(range(100)) and [len(x) for x in a] == [70, 15, 15]
    with pytest.raises(UserError, match="too few"):
        proxy.split_indices(5, 0)


def test_rf_bundle_reports_every_figure(rf_path):
    m = proxy.load_model(rf_path)
    assert m.target_names == ["latency_cycles", "area_mm2"] and m.workloads == ["double", "unit"]
    assert m.env_id == TOY and m.env_version == 0 and m.simulator == "toy"
    for fig in m.metrics.values():
        assert {"rmse", "rmse_pct_of_mean", "r2", "spearman", "mape_pct", "n_train", "n_val", "n_test"} <= set(fig)
    assert m.metrics["area_mm2"]["spearman"] > 0.99 and m.metrics["latency_cycles"]["spearman"] > 0.8
    assert m.feasibility is not None and m.feasibility_accuracy > 0.9
    assert {"simulator_batch_s", "proxy_batch_s", "speedup_batch", "speedup_single"} <= set(m.speed)


def test_training_is_deterministic(toy_dir):
    a = proxy.train(toy_dir / "data", ["latency_cycles"], "rf", seed=1, measure_speed=False)
    b = proxy.train(toy_dir / "data", ["latency_cycles"], "rf", seed=1, measure_speed=False)
    assert a.metrics == b.metrics


@pytest.mark.parametrize("kind", ["gbt", "mlp"])
def test_other_model_kinds_train(toy_dir, kind):
    m = proxy.train(toy_dir / "data", ["area_mm2"], kind, workload="unit", measure_speed=False)
    assert m.workloads == ["unit"] and np.isfinite(m.metrics["area_mm2"]["rmse"])


def test_numpy_mlp_matches_scikit_learn(toy_dir):
    m = proxy.train(toy_dir / "data", ["latency_cycles"], "mlp", measure_speed=False)
    t = m.targets["latency_cycles"]
    x = np.random.default_rng(0).random((20, sum(f.width for f in m.features.features)))
    assert t.mlp is not None
    # float32 forward pass: scikit-learn's standardised outputs to float32 rounding
    np.testing.assert_allclose(t.mlp(x).reshape(-1), t.estimator.predict(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(m.feasibility.predict(x), m.feasibility.estimator.predict(x).astype(bool))


def test_training_errors_are_user_errors(toy_dir, tmp_path):
    with pytest.raises(UserError, match="target metric"):
        proxy.train(toy_dir / "data", ["nope"])
    with pytest.raises(UserError, match="proxy model"):
        proxy.train(toy_dir / "data", model="svm")
    with pytest.raises(UserError, match="workload"):
        proxy.train(toy_dir / "data", workload="triple")
    with pytest.raises(UserError, match="no records of"):
        proxy.train(toy_dir / "data", env_id="archgym/Other-v0")


def test_default_targets_are_what_the_objective_reads(toy_dir):
    m = proxy.train(toy_dir / "data", model="rf", max_samples=120, measure_speed=False)
    assert m.target_names == ["latency_cycles"]  # the toy env's default objective


def test_proxy_env_has_the_same_spaces_and_marks_predictions(rf_path, tmp_path):
    sim_env = gymnasium.make(TOY, workload="double")
    env = gymnasium.make(TOY, workload="double", cost_model="proxy", proxy=str(rf_path))
    assert env.action_space == sim_env.action_space and env.observation_space == sim_env.observation_space
    base = env.unwrapped
    assert isinstance(base.simulator, proxy.ProxySimulator) and base.workload_name == "double"
    env.reset(seed=0)
    design = {"size": 16, "count": 3, "colour": "green"}
    obs, reward, *_, info = env.step(base.design_space.encode(design))
    assert info["predicted"] is True and info["feasible"]
    assert reward == pytest.approx(base.objective.reward(base.simulator.evaluate(design, "double")))
    assert 2.0 <= info["metrics"]["latency_cycles"] <= 2 * 27  # within the simulated range of "double"
    assert env.observation_space.contains(obs)
    with RecordWriter(tmp_path / "rec", base.design_space, base.simulator.metric_names) as w:
        attach_recorder(env, w, agent="manual")
        env.step(env.action_space.sample())
    assert datasets.load(tmp_path / "rec")["predicted"].all()


def test_proxy_predicts_infeasible_designs(rf_path):
    env = gymnasium.make(TOY, cost_model="proxy", proxy=str(rf_path))
    m = env.unwrapped.evaluate({"size": 1, "colour": "red"})
    assert not m.feasible and m.reason == proxy.PREDICTED_INFEASIBLE and m.predicted


def test_vector_env_takes_the_proxy(rf_path):
    vec = gymnasium.make_vec(TOY, num_envs=3, cost_model="proxy", proxy=str(rf_path))
    vec.reset(seed=0)
    _, rewards, *_, infos = vec.step(vec.action_space.sample())
    assert rewards.shape == (3,) and infos["predicted"].all()


def test_mismatched_or_incomplete_proxies_fail_at_make_time(rf_path, toy_dir, tmp_path):
    with pytest.raises(UserError, match="trained for archgym-test/Toy-v0 .*not archgym-test/Other-v1"):
        proxy.load_model(rf_path, env_id="archgym-test/Other-v1")
    only_area = proxy.train(toy_dir / "data", ["area_mm2"], "rf", measure_speed=False).save(tmp_path / "a.proxy")
    with pytest.raises(UserError, match="--target latency_cycles"):
        gymnasium.make(TOY, cost_model="proxy", proxy=str(only_area))
    env = gymnasium.make(TOY, cost_model="proxy", proxy=str(only_area), objective="minimize:area_mm2")
    env.reset()
    obs, *_ = env.step(env.action_space.sample())
    assert obs[0] == 0.0  # latency is not predicted: its observation slot stays 0
    with pytest.raises(UserError, match="cost_model"):
        gymnasium.make(TOY, cost_model="oracle")
    with pytest.raises(UserError, match="needs proxy="):
        gymnasium.make(TOY, cost_model="proxy")
    with pytest.raises(UserError, match="no proxy model file"):
        gymnasium.make(TOY, cost_model="proxy", proxy=str(tmp_path / "missing.proxy"))
    (tmp_path / "junk.proxy").write_bytes(b"not a model")
    with pytest.raises(UserError, match="not a readable proxy model"):
        proxy.load_model(tmp_path / "junk.proxy")
    unit_only = proxy.train(toy_dir / "data", ["latency_cycles"], workload="unit", measure_speed=False)
    with pytest.raises(UserError, match="not trained on workload 'double'"):
        gymnasium.make(TOY, workload="double", cost_model="proxy", proxy=unit_only)


def test_report_plot_is_written(rf_path, tmp_path):
    path = proxy.report_plot(proxy.load_model(rf_path), tmp_path / "r.png")
    assert path.stat().st_size > 1000


def test_fast_forest_prediction_matches_scikit_learn(rf_path):
    m = proxy.load_model(rf_path)
    x = np.random.default_rng(1).random((30, sum(f.width for f in m.features.features))) * 4
    t = m.targets["latency_cycles"]
    np.testing.assert_allclose(t.predict(x), np.exp(t.estimator.predict(x) * t.scale + t.mean), rtol=1e-6)
    np.testing.assert_array_equal(m.feasibility.predict(x), m.feasibility.estimator.predict(x).astype(bool))


def test_feature_and_target_transforms_round_trip(toy_dir):
    """log2 knobs, one-hot categories and log targets: encoded as documented, predictions back in units."""
    import pandas as pd

    df = pd.DataFrame({"design.rows": [4, 8, 64, 256], "design.flow": ["ws", "os", "ws", "is"],
                       "design.small": [1, 2, 3, 4], "design.zmem": ["sram", "dram", "dram", "sram"],
                       "workload": ["w"] * 4})
    schema = proxy.FeatureSchema.from_frame(df, with_workload=False)
    assert schema.describe() == {"flow": "one-hot(3)", "rows": "log2", "small": "linear", "zmem": "binary(dram|sram)"}
    x = schema.encode_frame(df)
    np.testing.assert_array_equal(x[:, schema.log_columns[0]], np.log2([4, 8, 64, 256]))
    np.testing.assert_array_equal(x[:, :3].sum(axis=1), 1.0)
    np.testing.assert_array_equal(x[:, 5], [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(schema.encode_designs([{"rows": 64, "flow": "is", "small": 3, "zmem": "dram"}], "w"),
                                  [[1.0, 0.0, 0.0, 6.0, 3.0, 0.0]])
    # a log target: fitted on log y, predicted as exp, so a pure power law is recovered in units
    y = 3.0 * 2.0 ** x[:, 3] ** 1.0 * df["design.small"].to_numpy() ** 0.5
    tm = proxy.TargetModel(proxy.PolyRidge(schema.log_columns).fit(x, (np.log(y) - 1.0) / 2.0), True, 1.0, 2.0)
    assert tm.transform == "log"
    np.testing.assert_allclose(tm.predict(x), y, rtol=1e-3)


def test_poly_is_exact_on_sums_of_products():
    """Area-like targets (rows * cols + sram) are exact for poly on a linear target."""
    rng = np.random.default_rng(0)
    x = rng.integers(2, 9, size=(200, 3)).astype(float)  # log2 of rows, cols, sram
    y = 0.01 * 2 ** x[:, 0] * 2 ** x[:, 1] + 0.3 * 2 ** x[:, 2]
    m = proxy.PolyRidge([0, 1, 2], alpha=1e-9).fit(x[:150], y[:150])
    np.testing.assert_allclose(m.predict(x[150:]), y[150:], rtol=1e-4)


@pytest.mark.parametrize("kind", ["poly", "auto"])
def test_model_file_records_its_transforms(toy_dir, tmp_path, kind):
    m = proxy.train(toy_dir / "data", ["latency_cycles", "area_mm2"], kind, workload="unit", measure_speed=False)
    path = m.save(tmp_path / f"{kind}.proxy")
    loaded = proxy.load_model(path)
    t = loaded.transforms()
    assert t == m.transforms() and set(t["targets"]) == {"latency_cycles", "area_mm2"}
    assert set(t["targets"].values()) <= {"log", "linear"}
    assert set(t["estimators"].values()) <= ({"poly"} if kind == "poly" else {"poly", "mlp", "gbt", "rf"})
    assert t["features"] == loaded.features.describe() and "log2" in t["features"].values()
    designs = proxy.designs_of(proxy.training_frame(datasets.load(toy_dir / "data")).head(20), loaded.features.knobs)
    a, b = m.predict(designs, "unit"), loaded.predict(designs, "unit")
    for name in a[0]:
        np.testing.assert_array_equal(a[0][name], b[0][name])
    assert m.metrics["area_mm2"]["spearman"] > 0.95


def _whole_space(space):
    """Every design of a (small) space as a ``(n, n_knobs)`` index array."""
    return np.stack(np.meshgrid(*[np.arange(n) for n in space.nvec], indexing="ij"), -1).reshape(-1, len(space))


@pytest.mark.parametrize("kind", ["rf", "mlp", "auto"])
def test_index_path_gives_the_dict_path_numbers(toy_dir, rf_path, kind):
    """predict_indices / evaluate_indices: table look-up, the same numbers as encoding design dicts.

    Exactly the same, except ``poly`` targets (summed from per-knob-pair tables): equal to relative 1e-9.
    """
    m = proxy.load_model(rf_path) if kind == "rf" else proxy.train(
        toy_dir / "data", ["latency_cycles", "area_mm2"], kind, measure_speed=False)
    env = gymnasium.make(TOY, cost_model="proxy", proxy=m)
    sim, space = env.unwrapped.simulator, env.unwrapped.design_space
    idx = _whole_space(space)
    designs = space.decode_batch(idx)
    for workload in m.workloads:  # two workloads: the workload one-hot is in the features
        enc = m.index_encoder(space, workload)
        np.testing.assert_array_equal(enc(idx), m.features.encode_designs(designs, workload))
        (a, fa), (b, fb) = m.predict(designs, workload), m.predict_indices(idx, enc)
        np.testing.assert_array_equal(fa, fb)
        for name in a:
            poly = m.transforms()["estimators"][name] == "poly"
            np.testing.assert_allclose(a[name], b[name], rtol=1e-9 if poly else 0)
        got, want = sim.evaluate_indices(idx, workload), sim.evaluate_batch(designs, workload)
        assert [(g.feasible, g.reason, g.predicted) for g in got] == [(w.feasible, w.reason, w.predicted) for w in want]
        for g, w in zip(got, want):
            assert g.to_dict() == pytest.approx(w.to_dict(), rel=1e-9)
    with pytest.raises(ValueError, match="out of range"):
        enc(idx + space.nvec)
    with pytest.raises(ValueError, match="shape"):
        enc(idx[:, 1:])


def test_vector_env_uses_the_index_path_with_the_same_records(rf_path, monkeypatch):
    vec = gymnasium.make_vec(TOY, num_envs=8, cost_model="proxy", proxy=str(rf_path))
    core = vec.unwrapped._core
    calls = []
    original = core.simulator.evaluate_indices
    monkeypatch.setattr(core.simulator, "evaluate_indices", lambda *a: calls.append(1) or original(*a))
    seen = []
    core.listeners.append(seen.append)
    vec.reset(seed=0)
    actions = vec.action_space.sample()
    _, rewards, *_, infos = vec.step(actions)
    designs = core.space.decode_batch(actions)
    expected = core.simulator.evaluate_batch(designs, core.workload)
    assert calls and [ev.design for ev in seen] == designs
    assert [ev.metrics for ev in seen] == [m.to_dict() if m.feasible else {} for m in expected]
    np.testing.assert_array_equal(rewards, [core.reward(m) for m in expected])
    assert {k: list(infos["design"][k]) for k in designs[0]} == {k: [d[k] for d in designs] for k in designs[0]}
