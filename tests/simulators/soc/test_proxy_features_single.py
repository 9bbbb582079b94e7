"""SoC proxy features one design at a time (the proxy's per-step path) against batches.

* every row of a batch is the row of that design alone, on every shipped
  workload, whether the columns are lists or object arrays; the sums numpy
  leaves to BLAS (``on_a53 @ a53_s`` and co.) may differ in the last bit
  between a batch and a single row (BLAS's order depends on the batch size),
  every other column is bit-identical;
* the pure-Python run of the compiled kernels (numba's ``py_func``, what runs
  without numba) gives the same matrix;
* pickling keeps only the graph and rebuilds the same features, also from the
  full state earlier versions pickled;
* :meth:`~SoCDesignFeatures.mapped` gives the HEFT columns of the matrix, and
  the batch pseudo-task placement is the one-design placement.
"""

from __future__ import annotations

import importlib
import pickle

import numpy as np
import pytest

from archgym.simulators.soc.knobs import MAX_A53, MAX_BUSES
from archgym.simulators.soc.layout import place_pseudo_tasks
from archgym.simulators.soc.proxy_features import MAPPED, SoCDesignFeatures
from archgym.simulators.soc.simulator import SoCSimulator

PF = importlib.import_module("archgym.simulators.soc.proxy_features")
H = importlib.import_module("archgym.simulators.soc.heft")
WORKLOADS = ("audio_decoder", "edge_detection", "hpvm_cava", "SOC_example_8p")
#: columns holding a BLAS dot product of the tasks, whose last bit may depend on the batch size
BLAS_SUMS = ("a53_time_s", "pe_energy_j", "ip_area_mm2", "energy_per_bound_w", "a53_area_bound_mm2",
             "heft_area_mm2")


def designs(sim: SoCSimulator, n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    d = sim.space.defaults()
    edge = [d, {**d, **{k: "yes" for k in d if k.startswith("ip_")}}, {**d, "a53_cores": 4, "bus_count": 4}]
    return edge + [sim.space.sample(rng) for _ in range(n - len(edge))]


def columns(ds: list[dict], arrays: bool = False) -> dict:
    if arrays:
        return {k: np.array([d[k] for d in ds], dtype=object) for k in ds[0]}
    return {k: [d[k] for d in ds] for k in ds[0]}


def assert_same_rows(a: np.ndarray, b: np.ndarray, names: tuple[str, ...]) -> None:
    loose = [names.index(k) for k in BLAS_SUMS]
    exact = [j for j in range(len(names)) if j not in loose]
    np.testing.assert_array_equal(a[:, exact], b[:, exact])
    np.testing.assert_allclose(a[:, loose], b[:, loose], rtol=1e-14, atol=0.0)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_single_design_rows_are_the_batch_rows(workload):
    sim = SoCSimulator(workload)
    f = sim.proxy_features()
    ds = designs(sim, 60, seed=len(workload))
    batch = f(columns(ds), len(ds))
    assert batch.shape == (len(ds), len(f.names)) and batch.dtype == np.float64 and batch.flags.c_contiguous
    np.testing.assert_array_equal(f(columns(ds, arrays=True), len(ds)), batch)
    singles = np.vstack([f(columns([d], arrays=bool(i % 2)), 1) for i, d in enumerate(ds)])
    assert_same_rows(singles, batch, f.names)
    assert f({k: [] for k in ds[0]}, 0).shape == (0, len(f.names))


@pytest.mark.parametrize("workload", ["audio_decoder", "SOC_example_8p"])
def test_python_kernels_give_the_compiled_features(monkeypatch, workload):
    """What runs without numba: every compiled piece replaced by its Python source."""
    if not hasattr(PF._design_features, "py_func"):
        pytest.skip("numba not installed: the kernels already run as Python")
    sim = SoCSimulator(workload)
    f = sim.proxy_features()
    ds = designs(sim, 5, seed=3)
    compiled = f(columns(ds), len(ds))
    for module in (PF, H, importlib.import_module("archgym.simulators.soc.layout")):
        for name, obj in list(vars(module).items()):
            if hasattr(obj, "py_func"):
                monkeypatch.setattr(module, name, obj.py_func)
    np.testing.assert_array_equal(f(columns(ds), len(ds)), compiled)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_pickle_round_trip_gives_the_same_features(workload):
    sim = SoCSimulator(workload)
    f = sim.proxy_features()
    ds = designs(sim, 20, seed=1)
    x = f(columns(ds), len(ds))
    g = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(g(columns(ds), len(ds)), x)
    np.testing.assert_array_equal(g(columns(ds[:1]), 1), f(columns(ds[:1]), 1))
    # the whole attribute dict (how earlier versions pickled it) restores too
    old = SoCDesignFeatures.__new__(SoCDesignFeatures)
    old.__setstate__({k: v for k, v in vars(f).items() if not k.startswith("_")})
    np.testing.assert_array_equal(old(columns(ds), len(ds)), x)


def test_mapped_gives_the_heft_columns():
    sim = SoCSimulator("audio_decoder")
    f = sim.proxy_features()
    ds = designs(sim, 20, seed=2)
    x = f(columns(ds), len(ds))
    c = columns(ds)
    num = {k: np.asarray(c[k], dtype=np.float64) for k in ("a53_cores", "bus_count", "bus_width")}
    widths = np.stack([np.asarray(c[f"mem{i}_width"], dtype=np.float64) for i in range(MAX_BUSES)], axis=1)
    active = np.arange(MAX_BUSES)[None, :] < num["bus_count"][:, None]
    sram = np.stack([np.asarray(c[f"mem{i}_kind"]) == "sram" for i in range(MAX_BUSES)], axis=1) & active
    ip_yes = np.stack([np.asarray(c[f"ip_{t}"]) == "yes" for t in f.heft.ip_names], axis=1)
    got = f.mapped(num["a53_cores"], num["bus_count"].astype(np.int64), num["bus_width"], widths, ip_yes, sram)
    for k in MAPPED:
        np.testing.assert_array_equal(got[k], x[:, f.names.index(k)])


def test_batch_pseudo_task_placement_is_the_one_design_placement():
    sim = SoCSimulator("audio_decoder")
    rng = np.random.default_rng(4)
    n = len(sim.graph.tasks)
    cores = rng.integers(1, MAX_A53 + 1, 50)
    proc = rng.integers(0, MAX_A53 + 3, (50, n)).astype(np.int64)
    for only in (False, True):
        batch = proc.copy()
        place_pseudo_tasks(sim.graph, batch, cores, ("dummy",), only_if_alone=only)
        for d in range(len(proc)):
            one = proc[d:d + 1].copy()
            place_pseudo_tasks(sim.graph, one, np.array([cores[d]]), ("dummy",), only_if_alone=only)
            np.testing.assert_array_equal(one[0], batch[d])
