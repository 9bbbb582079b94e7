"""Proxy fast paths and derived inputs: poly look-up tables, the shared poly expansion, SoC design features."""

from __future__ import annotations

import numpy as np
import pytest

from archgym import proxy
from archgym.data.collect import collect, make_env
from archgym.errors import UserError

TOY = "archgym-test/Toy-v0"
SOC = "archgym/SoC-v1"


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory):
    d = tmp_path_factory.mktemp("toyfast") / "data"
    collect(TOY, 400, d, sampler="random", seed=0, chunk_size=100)
    return d


@pytest.fixture(scope="module")
def soc_frame(tmp_path_factory):
    d = tmp_path_factory.mktemp("socfast") / "data"
    collect(SOC, 120, d, sampler="lhs", seed=0, chunk_size=60)
    from archgym.data import datasets

    return proxy.training_frame(datasets.load(d))


def _random_indices(space, n, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, k, n) for k in space.nvec], axis=1)


def test_poly_tables_equal_the_expansion(toy_data):
    """Every design of the toy space: tables and monomial expansion agree to relative 1e-9."""
    m = proxy.train(toy_data, ["latency_cycles", "area_mm2"], "poly", measure_speed=False)
    env = make_env(TOY)
    space = env.unwrapped.design_space
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in space.nvec], indexing="ij"), -1).reshape(-1, len(space))
    enc = m.index_encoder(space, m.workloads[0])
    tables = m._poly_tables(enc)
    assert tables is not None and tables.names == ("latency_cycles", "area_mm2")
    x = enc(idx)
    for name, t in m.targets.items():
        np.testing.assert_allclose(m.predict_indices(idx, enc)[0][name], t.predict(x), rtol=1e-9)
    assert m._poly_tables(enc) is tables  # built once per encoder


def test_shared_poly_expansion_equals_one_ridge_per_target(toy_data):
    m = proxy.train(toy_data, ["latency_cycles", "area_mm2"], "poly", measure_speed=False)
    x = np.random.default_rng(2).random((50, m.features.width)) * 3
    values, _ = m.predict_encoded(x)
    for name, t in m.targets.items():
        np.testing.assert_allclose(values[name], t.predict(x), rtol=1e-12)


def test_soc_design_features_follow_the_knobs_without_simulating(monkeypatch):
    """Hand-checkable values on the default design; HEFT (the mapper) runs, the event simulation never does."""
    from archgym.simulators.soc import engine
    from archgym.simulators.soc import simulator as soc_simulator
    from archgym.simulators.soc.catalogue import A53_J_PER_INSTR, A53_PEAK_IPS

    env = make_env(SOC)
    sim = env.unwrapped.simulator
    f = sim.proxy_features(env.unwrapped.workload)

    def boom(*a, **k):
        raise AssertionError("the features must not run the simulator")

    for module in (engine, soc_simulator):
        monkeypatch.setattr(module, "simulate", boom)
        monkeypatch.setattr(module, "compile_plan", boom)
    d = sim.space.defaults()  # one bus, one core, no IP
    with_ip = {**d, "ip_FIR_left_fxp_cloned": "yes", "a53_cores": 2}
    x = f({k: [d[k], with_ip[k]] for k in d}, 2)
    v = {name: x[:, j] for j, name in enumerate(f.names)}
    tasks = [t for t in sim.graph.tasks if not t.dummy]
    cycles = sum(t.a53_cycles for t in tasks)
    fir = sim.graph.task("FIR_left_fxp_cloned")
    np.testing.assert_array_equal(v["a53_tasks"], [15, 14])
    np.testing.assert_allclose(v["a53_time_s"], np.array([cycles, cycles - fir.a53_cycles]) * 2 / A53_PEAK_IPS)
    np.testing.assert_allclose(v["pe_energy_j"][0], 2 * cycles * A53_J_PER_INSTR)
    np.testing.assert_allclose(v["ip_area_mm2"], [0.0, fir.ip_area_um2 * 1e-6 * 0.0374])
    np.testing.assert_array_equal(v["cores_x_overlap"][0], 1.0)  # one core: at most one task at a time
    assert (v["latency_bound_s"] >= v["critical_path_s"]).all() and (v["asap_overlap"] >= 1).all()
    np.testing.assert_array_equal(v["core1_bandwidth"], [0.0, v["core0_bandwidth"][1]])  # core 1 only when present
    assert v["heft_a53_used"][0] == 1 and 1 <= v["heft_a53_used"][1] <= 2  # HEFT's mapping, FARSI's area rule
    assert (v["heft_makespan_s"] > 0).all() and (v["heft_area_mm2"] >= v["ip_area_mm2"] + 0.65).all()


def test_soc_proxy_uses_derived_features_on_both_paths(soc_frame):
    m = proxy.train(soc_frame, ["area_mm2", "latency_s"], "mlp", measure_speed=False)
    names = m.features.derived.names
    assert m.features.width == sum(f.width for f in m.features.features) + len(names)
    assert [m.transforms()["features"][n] for n in names] == ["derived"] * len(names)
    plain = proxy.train(soc_frame, ["area_mm2"], "gbt", measure_speed=False, derived=False)
    assert plain.features.derived is None and "derived" not in plain.transforms()["features"].values()
    env = make_env(SOC)
    space, workload = env.unwrapped.design_space, env.unwrapped.workload_name
    idx = _random_indices(space, 200)
    designs = space.decode_batch(idx)
    enc = m.index_encoder(space, workload)
    assert proxy.PolyTables.build(enc, ["area_mm2"], [object()]) is None  # derived columns are not per knob
    np.testing.assert_allclose(enc(idx), m.features.encode_designs(designs, workload), rtol=1e-12)
    (a, fa), (b, fb) = m.predict(designs, workload), m.predict_indices(idx, enc)
    np.testing.assert_array_equal(fa, fb)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-9)
    loaded_enc = m.features.index_encoder(space, workload)
    np.testing.assert_array_equal(loaded_enc(idx), enc(idx))
    import gymnasium

    vec = gymnasium.make_vec(SOC, num_envs=3, cost_model="proxy", proxy=m, objective="minimize:area_mm2")
    vec.reset(seed=0)
    actions = idx[:3]
    *_, infos = vec.step(actions)
    assert infos["predicted"].all()
    # another batch size: the float32 matrix products may round differently in the last bits
    np.testing.assert_allclose(infos["metrics"]["area_mm2"], a["area_mm2"][:3], rtol=1e-6)


def test_auto_may_choose_trees_only_by_a_margin(toy_data, monkeypatch):
    """A tree candidate needs a validation RMSE below TREE_MARGIN x the best numpy one's."""
    monkeypatch.setattr(proxy.training, "TREE_MARGIN", 0.0)  # trees can never win
    m = proxy.train(toy_data, ["latency_cycles", "area_mm2"], "auto", measure_speed=False)
    assert set(m.transforms()["estimators"].values()) <= {"poly", "mlp"}
    monkeypatch.setattr(proxy.training, "TREE_MARGIN", 1e9)  # trees always win
    m = proxy.train(toy_data, ["latency_cycles", "area_mm2"], "auto", measure_speed=False)
    assert set(m.transforms()["estimators"].values()) <= {"gbt", "rf"}


def test_cli_trains_auto_by_default(toy_data, run_cli, tmp_path):
    code, out, _ = run_cli(["proxy", "train", str(toy_data), "--target", "area_mm2", "--out", str(tmp_path / "m"),
                            "--no-speed", "--no-derived"])
    assert code == 0 and "auto proxy of" in out and "targets: area_mm2" in out
    assert proxy.load_model(tmp_path / "m").kind == "auto"


def test_derived_features_only_where_they_describe_the_data():
    soc = make_env(SOC).unwrapped
    assert proxy.derived_features(SOC, [soc.workload_name], soc.design_space.names) is not None
    assert proxy.derived_features(SOC, [soc.workload_name], [*soc.design_space.names, "pe_x"]) is None  # agent data
    assert proxy.derived_features(SOC, ["audio_decoder", "edge_detection"], soc.design_space.names) is None
    toy = make_env(TOY).unwrapped
    assert proxy.derived_features(TOY, ["unit"], toy.design_space.names) is None  # the toy simulator offers none


@pytest.mark.parametrize("kind", ["gbt", "rf"])
def test_flat_trees_match_scikit_learn(toy_data, kind):
    """The compiled ensembles give scikit-learn's numbers (bit for bit: same order of summing) for one row and many,
    and classify feasibility as scikit-learn does."""
    pytest.importorskip("numba")
    m = proxy.train(toy_data, ["latency_cycles", "area_mm2"], kind, measure_speed=False)
    x = np.random.default_rng(3).random((40, m.features.width)) * 4
    if kind == "gbt":
        x[0, 0] = np.nan  # a missing value follows each node's missing-value branch
    for t in m.targets.values():
        assert t.trees is not None
        want = t.estimator.predict(x)
        np.testing.assert_array_equal(t.trees(x)[:, 0], want)
        np.testing.assert_array_equal(t.predict(x[:1]), t.output(want[:1]))
        np.testing.assert_array_equal(t.predict(x), t.output(want))
    f = m.feasibility  # a forest's class probabilities, a boosted classifier's logit
    assert f is not None and f.trees is not None
    np.testing.assert_array_equal(f.predict(x), f.estimator.predict(x).astype(bool))


def test_saved_model_rebuilds_its_flat_trees(toy_data, tmp_path):
    pytest.importorskip("numba")
    m = proxy.train(toy_data, ["latency_cycles"], "rf", measure_speed=False)
    import joblib

    joblib.dump(m.targets["latency_cycles"], tmp_path / "t.joblib")
    t = joblib.load(tmp_path / "t.joblib")
    assert t.__getstate__()["trees"] is None  # not stored: a copy of the forest's nodes
    x = np.random.default_rng(0).random((5, m.features.width))
    np.testing.assert_array_equal(t.predict(x), m.targets["latency_cycles"].predict(x))
    assert t.trees is not None




def test_model_file_names_its_format_version(toy_data, tmp_path):
    m = proxy.train(toy_data, ["latency_cycles"], "poly", measure_speed=False)
    m.save(tmp_path / "m.proxy")
    assert (tmp_path / "m.proxy").read_bytes().startswith(b"archgym-proxy 2\n")
    loaded = proxy.load_model(tmp_path / "m.proxy")
    assert loaded.format_version == proxy.FORMAT_VERSION == 2
    x = np.random.default_rng(0).random((5, m.features.width))
    np.testing.assert_array_equal(loaded.predict_encoded(x)[0]["latency_cycles"],
                                  m.predict_encoded(x)[0]["latency_cycles"])
    (tmp_path / "future.proxy").write_bytes(b"archgym-proxy 99\n")
    with pytest.raises(UserError, match="file format 99"):
        proxy.load_model(tmp_path / "future.proxy")


def test_format_1_files_from_before_the_package_load(toy_data, tmp_path, monkeypatch):
    """A joblib pickle naming archgym.proxy_models / archgym.proxy_encoding / archgym.proxy loads unchanged."""
    import sys

    import joblib

    from archgym.proxy import encoding, models

    m = proxy.train(toy_data, ["latency_cycles"], "mlp", measure_speed=False)
    with monkeypatch.context() as mp:  # pickle the classes under the paths format-1 files recorded
        for module, old, classes in ((models, "archgym.proxy_models", (models.TargetModel, models.FeasibilityModel)),
                                     (encoding, "archgym.proxy_encoding", (encoding.FeatureSchema, encoding.Feature))):
            mp.setitem(sys.modules, old, module)
            for cls in classes:
                mp.setattr(cls, "__module__", old)
        mp.setattr(proxy.ProxyModel, "__module__", "archgym.proxy")
        mp.setattr(m, "format_version", 1)
        joblib.dump(m, tmp_path / "old.proxy", compress=3)
    assert b"archgym.proxy_models" in __import__("zlib").decompress((tmp_path / "old.proxy").read_bytes())
    assert "archgym.proxy_models" not in sys.modules
    loaded = proxy.load_model(tmp_path / "old.proxy")
    assert loaded.format_version == 1 and type(loaded.targets["latency_cycles"]) is models.TargetModel
    x = np.random.default_rng(0).random((5, m.features.width))
    np.testing.assert_array_equal(loaded.predict_encoded(x)[0]["latency_cycles"],
                                  m.predict_encoded(x)[0]["latency_cycles"])
