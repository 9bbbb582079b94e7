"""Property tests: monotonicity, energy accounting and robustness on random layers and designs."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgym.simulators.accelerator import SPACE, AcceleratorSimulator, simulate_layer

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layers(draw, max_dim: int = 96):
    groups = draw(st.sampled_from([1, 1, 1, 2, 4]))
    depthwise = draw(st.booleans())
    c = draw(st.integers(1, max_dim)) * groups
    k = c if depthwise else draw(st.integers(1, max_dim)) * groups
    return {
        "K": k, "C": c,
        "OY": draw(st.integers(1, 40)), "OX": draw(st.integers(1, 40)),
        "FY": draw(st.integers(1, 7)), "FX": draw(st.integers(1, 7)),
        "stride": draw(st.integers(1, 3)),
        "groups": c if depthwise else groups,
        "B": draw(st.sampled_from([1, 1, 2])),
    }


def knob(name):
    return st.sampled_from(SPACE[name].choices)


designs = st.fixed_dictionaries({k.name: st.sampled_from(k.choices) for k in SPACE})


@SETTINGS
@given(layer=layers(), design=designs, lo=knob("dram_bandwidth"), hi=knob("dram_bandwidth"))
def test_more_bandwidth_never_increases_latency(layer, design, lo, hi):
    lo, hi = sorted((lo, hi))
    slow = simulate_layer(layer, {**design, "dram_bandwidth": lo})
    fast = simulate_layer(layer, {**design, "dram_bandwidth": hi})
    assert slow.feasible == fast.feasible
    if fast.feasible:
        assert fast["latency_cycles"] <= slow["latency_cycles"]
        assert fast["stall_cycles"] <= slow["stall_cycles"]
        assert fast["compute_cycles"] == slow["compute_cycles"]


@SETTINGS
@given(layer=layers(), design=designs, which=st.sampled_from(["ifmap_sram_kb", "filter_sram_kb", "ofmap_sram_kb"]),
       factor=st.sampled_from([2, 4, 64]))
def test_bigger_sram_never_increases_dram_traffic(layer, design, which, factor):
    small = simulate_layer(layer, design)
    bigger = min(design[which] * factor, SPACE[which].choices[-1])
    big = simulate_layer(layer, {**design, which: bigger})
    if small.feasible:
        assert big.feasible
        assert big["dram_bytes"] <= small["dram_bytes"]
        assert big["area_mm2"] >= small["area_mm2"]


@SETTINGS
@given(layer=layers(), design=designs)
def test_energy_is_the_sum_of_its_breakdown(layer, design):
    m = simulate_layer(layer, design)
    if m.feasible:
        parts = m["energy_mac_pj"] + m["energy_rf_pj"] + m["energy_sram_pj"] + m["energy_dram_pj"]
        assert m["energy_pj"] == parts
        assert m["energy_pj"] >= m["energy_mac_pj"] > 0
        assert m["dram_bytes"] == m["dram_ifmap_bytes"] + m["dram_filter_bytes"] + m["dram_ofmap_bytes"]
        # at least the compulsory traffic: every weight and output once
        assert m["dram_filter_bytes"] >= layer["K"] * layer["C"] // layer["groups"] * layer["FY"] * layer["FX"]
        assert m["dram_ofmap_bytes"] >= layer["B"] * layer["K"] * layer["OY"] * layer["OX"]


@st.composite
def absurd_layers(draw):
    base = draw(layers(max_dim=300))
    # stretch one loop to an extreme
    key = draw(st.sampled_from(["K", "C", "OY", "OX", "FY", "FX", "stride", "B"]))
    base[key] = draw(st.integers(1, 4000 if key in ("K", "C", "OX") else 200))
    base["groups"] = 1
    return base


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer=absurd_layers(), design=designs, bits=st.sampled_from([1, 4, 8, 16, 32, 64]))
def test_random_designs_are_feasible_and_finite_or_infeasible_with_a_reason(layer, design, bits):
    m = simulate_layer(layer, design, precision_bits=bits)
    if m.feasible:
        for name, value in m.items():
            assert math.isfinite(value), name
            assert value >= 0, name
        for name in ("latency_cycles", "compute_cycles", "energy_pj", "dram_bytes", "area_mm2", "utilization"):
            assert m[name] > 0, name
        assert m["latency_cycles"] >= m["compute_cycles"]
        assert m["utilization"] <= 1
    else:
        assert m.reason and len(m) == 0


@settings(max_examples=15, deadline=None)
@given(batch=st.lists(designs, min_size=1, max_size=12))
def test_batch_equals_per_design(batch):
    sim = AcceleratorSimulator()
    assert sim.evaluate_batch(batch, "alexnet") == [sim.evaluate(d, "alexnet") for d in batch]
