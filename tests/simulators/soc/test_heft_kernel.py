"""The array HEFT kernel (compiled or not) and the SoC proxy's HEFT features.

* the kernel reproduces the paper's example, and its pure-Python run (numba's
  ``py_func`` of every compiled piece) gives the same schedule as the
  compiled one on random DAGs;
* ``round9`` is Python's ``round(x, 9)``;
* the batch path (``HeftProblem`` + ``heft_batch``) maps every design as the
  simulator's ``build_design`` does, and the features' used-A53 count is the
  simulator's on the shipped workloads.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.simulators.soc.engine import Infeasible
from archgym.simulators.soc.knobs import MAX_A53
from archgym.simulators.soc.proxy_features import SoCDesignFeatures
from archgym.simulators.soc.simulator import SoCSimulator

H = importlib.import_module("archgym.simulators.soc.heft")
COMPILED = ("_split", "round9", "graph_structure", "workspace", "schedule", "heft_kernel", "heft_batch")

# Topcuoglu, Hariri and Wu (2002), Table 1 and Fig. 2 (see test_heft.py)
W = [[14, 16, 9], [13, 19, 18], [11, 13, 19], [13, 8, 17], [12, 13, 10],
     [13, 16, 9], [7, 15, 11], [5, 11, 14], [18, 12, 20], [21, 7, 16]]
E = [(1, 2, 18), (1, 3, 12), (1, 4, 9), (1, 5, 11), (1, 6, 14), (2, 8, 19), (2, 9, 16), (3, 7, 23),
     (4, 8, 27), (4, 9, 23), (5, 9, 13), (6, 8, 15), (7, 10, 17), (8, 10, 11), (9, 10, 13)]


def arrays(comp, edges, group=None):
    comp = np.asarray(comp, dtype=np.float64)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    cost = np.array([e[2] for e in edges], dtype=np.float64)
    group = np.arange(comp.shape[1], dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    return comp, src, dst, cost, group


@pytest.fixture
def pure_python(monkeypatch):
    """``heft_kernel`` with every compiled piece replaced by its Python source (numba's ``py_func``)."""
    if not hasattr(H.heft_kernel, "py_func"):
        pytest.skip("numba is not installed: the kernel already runs as Python")
    for name in COMPILED:
        monkeypatch.setattr(H, name, getattr(H, name).py_func)
    return H.heft_kernel


def test_kernel_reproduces_the_paper():
    proc, start, finish, order, rank, status = H.heft_kernel(*arrays(W, [(s - 1, d - 1, c) for s, d, c in E]))
    assert status == H.OK and finish.max() == 80
    assert [i + 1 for i in order] == [1, 3, 4, 2, 5, 6, 9, 7, 8, 10]
    assert [round(r, 3) for r in rank] == [108.0, 77.0, 80.0, 80.0, 69.0, 63.333, 42.667, 35.667, 44.333, 14.667]


def test_pure_python_kernel_reproduces_the_paper(pure_python):
    *_, status = pure_python(*arrays(W, [(s - 1, d - 1, c) for s, d, c in E]))
    s = H.heft(W, [(a - 1, b - 1, c) for a, b, c in E])
    assert status == H.OK and s.makespan == 80  # H.heft now runs the Python pieces too


def test_kernel_statuses():
    comp, src, dst, cost, group = arrays([[1.0], [1.0]], [(0, 1, 0.0), (1, 0, 0.0)])
    assert H.heft_kernel(comp, src, dst, cost, group)[-1] == H.CYCLIC
    comp, src, dst, cost, group = arrays([[1.0], [math.inf]], [(0, 1, 0.0)])
    assert H.heft_kernel(comp, src, dst, cost, group)[-1] == 1
    with pytest.raises(ValueError, match="acyclic"):
        H.heft([[1.0], [1.0]], [(0, 1, 0.0), (1, 0, 0.0)])


@st.composite
def dags(draw):
    """Random DAGs with ties: small integer costs, zero-cost tasks, unrunnable slots, shared groups."""
    n = draw(st.integers(1, 14))
    nproc = draw(st.integers(1, 5))
    values = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 0.1, 0.2, 0.3, 7.25, math.inf])
    comp = [[draw(values) for _ in range(nproc)] for _ in range(n)]
    for row in comp:
        if all(x == math.inf for x in row):
            row[draw(st.integers(0, nproc - 1))] = 1.0
    pairs = [(s, d) for d in range(n) for s in range(d)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3 * n)) if pairs else []
    perm = draw(st.permutations(range(n)))
    edges = [(perm[s], perm[d], draw(st.sampled_from([0.0, 0.1, 0.2, 1.0, 2.5]))) for s, d in chosen]
    comp = [comp[perm.index(i)] for i in range(n)]
    group = [draw(st.integers(0, nproc - 1)) for _ in range(nproc)]
    return comp, edges, group


@settings(max_examples=150, deadline=None)
@given(dags())
def test_compiled_kernel_equals_its_python_run(problem):
    if not hasattr(H.heft_kernel, "py_func"):
        pytest.skip("numba is not installed: the kernel already runs as Python")
    comp, edges, group = problem
    args = arrays(comp, edges, group)
    compiled = H.heft_kernel(*args)
    saved = {name: getattr(H, name) for name in COMPILED}
    try:
        for name in COMPILED:
            setattr(H, name, saved[name].py_func)
        python = H.heft_kernel(*args)
    finally:
        for name, f in saved.items():
            setattr(H, name, f)
    for a, b in zip(compiled[:5], python[:5]):
        np.testing.assert_array_equal(a, b)
    assert compiled[5] == python[5] == H.OK
    # heft_batch runs the same kernel per problem
    nproc = np.array([args[0].shape[1]])
    proc, start, finish, status = H.heft_batch(args[0][None], args[1], args[2], args[3][None], args[4][None], nproc)
    np.testing.assert_array_equal(proc[0], compiled[0])
    np.testing.assert_array_equal(finish[0], compiled[2])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(0, 1e6, allow_nan=False), st.integers(0, 10**12).map(lambda k: (k + 0.5) / 1e9)))
def test_round9_is_pythons_round(x):
    assert H.round9(x) == round(x, 9)
    if hasattr(H.round9, "py_func"):
        assert H.round9.py_func(x) == round(x, 9)


WORKLOADS = ("audio_decoder", "edge_detection", "hpvm_cava", "SOC_example_8p")


def _designs(sim, n, seed=0):
    rng = np.random.default_rng(seed)
    return [sim.space.sample(rng) for _ in range(n)]


def _columns(designs):
    return {k: np.array([d[k] for d in designs], dtype=object) for k in designs[0]}


@pytest.mark.parametrize("workload", WORKLOADS)
def test_batch_mapping_equals_the_simulators(workload):
    """HeftProblem + heft_batch (the features' path) place every task where build_design does."""
    sim = SoCSimulator(workload)
    f = SoCDesignFeatures(sim.graph)
    designs = _designs(sim, 60, seed=1)
    cols = _columns(designs)
    num = {k: np.asarray(cols[k], dtype=np.float64) for k in ("a53_cores", "bus_count", "bus_width")}
    widths = np.stack([np.asarray(cols[f"mem{i}_width"], dtype=np.float64) for i in range(4)], axis=1)
    ip_yes = np.array([[d[f"ip_{t}"] == "yes" for t in f.heft.ip_names] for d in designs], dtype=bool)
    ip_yes = ip_yes.reshape(len(designs), len(f.heft.ip_names))
    comp, cost, group, npe = f.heft(num["a53_cores"], num["bus_count"], num["bus_width"], widths, ip_yes)
    pe, _, _, status = H.heft_batch(comp, f.heft.src, f.heft.dst, cost, group, npe)
    for k, d in enumerate(designs):
        try:
            built = sim.build(d)
        except Infeasible:
            assert status[k] >= 0
            continue
        assert status[k] == H.OK
        pes = [b.name for b in built.hw.blocks if b.kind == "pe"]
        for i, t in enumerate(sim.graph.tasks):
            if not t.dummy:  # pseudo-tasks move afterwards (place_pseudo_tasks)
                assert built.mapping.task_pe[t.name] == pes[pe[k, i]], (k, t.name)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_used_cores_equal_the_simulators(workload):
    sim = SoCSimulator(workload)
    f = SoCDesignFeatures(sim.graph)
    designs = _designs(sim, 50)
    x = f(_columns(designs), len(designs))
    used = x[:, f.names.index("heft_a53_used")]
    area = x[:, f.names.index("heft_area_mm2")]
    checked = 0
    for k, d in enumerate(designs):
        m = sim.evaluate(d)
        if not m.feasible:
            continue
        checked += 1
        assert used[k] == sum(m[f"area_a53_{c}_mm2"] > 0 for c in range(MAX_A53)), d
        assert area[k] == pytest.approx(m["area_mm2"], rel=0.1)  # memories: HEFT's times, not the simulation's
    assert checked >= 40
