"""The Simulator contract: knobs, validation, batch form, network sums, infeasibility."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from archgym.metrics import Metrics
from archgym.simulator import Simulator
from archgym.simulators import accelerator
from archgym.simulators.accelerator import SPACE, AcceleratorSimulator, load_workload, simulate_layer


def test_declaration():
    sim = AcceleratorSimulator()
    assert isinstance(sim, Simulator)
    assert (sim.name, sim.version, sim.default_workload) == ("accelerator", "0.1.0", "resnet18")
    assert SPACE.names == ["pe_rows", "pe_cols", "dataflow", "ifmap_sram_kb", "filter_sram_kb",
                           "ofmap_sram_kb", "dram_bandwidth"]
    assert SPACE["dataflow"].choices == ("ws", "os", "is")
    m = sim.evaluate({}, sim.load_workload(sim.default_workload))
    assert m.feasible and set(m) == set(sim.metric_names)
    for required in ("latency_cycles", "compute_cycles", "stall_cycles", "energy_pj", "dram_bytes",
                     "area_mm2", "utilization", "latency_s"):
        assert required in m


def test_invalid_knob_names_knob_value_and_allowed_set():
    layer = {"K": 8, "C": 8, "OY": 8, "OX": 8}
    with pytest.raises(ValueError, match=r"knob 'pe_rows': 3 is not allowed; expected one of \[4, 8"):
        simulate_layer(layer, {"pe_rows": 3})
    with pytest.raises(ValueError, match=r"knob 'dataflow': 'rs' is not allowed.*'ws', 'os', 'is'"):
        simulate_layer(layer, {"dataflow": "rs"})
    with pytest.raises(ValueError, match="unknown knob 'rows'"):
        simulate_layer(layer, {"rows": 8})


def test_network_is_the_sum_of_its_layers():
    sim = AcceleratorSimulator()
    wl = load_workload("resnet18")
    design = {"pe_rows": 16, "pe_cols": 64, "dataflow": "os", "ifmap_sram_kb": 32, "dram_bandwidth": 8}
    net = sim.evaluate(design, wl)
    per_layer = [simulate_layer(layer, design) for layer in wl.layers]
    for key in ("latency_cycles", "compute_cycles", "stall_cycles", "energy_pj", "dram_bytes", "sram_bytes",
                "mac_count", "energy_dram_pj"):
        assert net[key] == pytest.approx(sum(m[key] for m in per_layer), rel=1e-12)
    assert net["area_mm2"] == per_layer[0]["area_mm2"]
    # utilization: useful MACs over PE-cycles of the whole run
    assert net["utilization"] == pytest.approx(net["mac_count"] / (16 * 64 * net["latency_cycles"]))


def test_batch_equals_single_designs_exactly():
    sim = AcceleratorSimulator()
    rng = np.random.default_rng(7)
    designs = [SPACE.sample(rng) for _ in range(60)] + [{}, {"pe_rows": 256, "pe_cols": 256, "filter_sram_kb": 1}]
    for wl_name in ("resnet18", "mobilenetv2", "bert-base"):
        wl = sim.load_workload(wl_name)
        batch = sim.evaluate_batch(designs, wl)
        single = [sim.evaluate(d, wl) for d in designs]
        assert batch == single
    assert sim.evaluate_batch([], "resnet18") == []


def test_infeasible_design_is_reported_with_a_reason():
    m = AcceleratorSimulator().evaluate(
        {"pe_rows": 256, "pe_cols": 256, "dataflow": "ws", "filter_sram_kb": 8}, "resnet18"
    )
    assert isinstance(m, Metrics) and not m.feasible
    assert "no tiling fits" in m.reason and "filter_sram_kb=8" in m.reason and "256x256 ws" in m.reason
    assert len(m) == 0


def test_infeasible_tile_larger_than_any_sram():
    # a 40x40 filter window at 8 bits: the one filter (1600 B) is the whole weight tensor, so it is loaded once
    # and may use the full SRAM (no double buffering): 1600 B = 1.56 KB does not fit 1 KB but fits 2 KB
    layer = {"K": 1, "C": 1, "OY": 1, "OX": 1, "FY": 40, "FX": 40}
    m = simulate_layer(layer, {"filter_sram_kb": 1})
    assert not m.feasible and "filter_sram_kb=1 < 1.56 KB" in m.reason
    assert simulate_layer(layer, {"filter_sram_kb": 2}).feasible
    # with two filters a tile of one filter is no longer the whole tensor: double-buffered, 2 x 1600 B > 2 KB
    two = simulate_layer({**layer, "K": 2}, {"filter_sram_kb": 2, "pe_cols": 4})
    assert not two.feasible and "filter_sram_kb=2 < 3.12 KB" in two.reason


def test_all_shipped_workloads_evaluate_on_the_default_design():
    sim = AcceleratorSimulator()
    for wl in sim.workloads():
        m = sim.evaluate({}, wl)
        assert m.feasible, (wl, m.reason)
        assert all(math.isfinite(v) and v >= 0 for v in m.values())
        assert 0 < m["utilization"] <= m["compute_utilization"] <= 1


def test_model_parameters():
    layer = {"K": 64, "C": 64, "OY": 14, "OX": 14, "FY": 3, "FX": 3}
    slow = simulate_layer(layer, {}, freq_mhz=500)
    fast = simulate_layer(layer, {}, freq_mhz=1000)
    assert slow["latency_cycles"] == fast["latency_cycles"]
    assert slow["latency_s"] == pytest.approx(2 * fast["latency_s"])
    with pytest.raises(ValueError, match="freq_mhz"):
        AcceleratorSimulator(freq_mhz=0)


def test_import_is_cheap():
    # ``import archgym`` itself registers the envs with gymnasium; this package must add no heavy import
    code = ("import sys, archgym.simulators.accelerator as a; "
            "bad = [m for m in ('pandas', 'matplotlib', 'yaml', 'numba', 'optuna', 'torch') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_never_imports_gymnasium():
    root = Path(accelerator.__file__).parent
    for path in root.glob("*.py"):
        text = path.read_text()
        assert "import gymnasium" not in text and "from gymnasium" not in text, path


def test_evaluate_layers_equals_simulate_layer():
    sim = AcceleratorSimulator()
    design = {"pe_rows": 8, "pe_cols": 128, "dataflow": "is", "ofmap_sram_kb": 8}
    wl = load_workload("mobilenetv2")
    rows = sim.evaluate_layers(design, wl)
    assert [name for name, _ in rows] == [layer.name for layer in wl.layers]
    for (name, m), layer in zip(rows, wl.layers):
        assert m == simulate_layer(layer, design), name
    net = sim.evaluate(design, wl)
    assert net["energy_pj"] == pytest.approx(sum(m["energy_pj"] for _, m in rows), rel=1e-12)
    bad = sim.evaluate_layers({"pe_rows": 256, "pe_cols": 256, "filter_sram_kb": 1}, "resnet18")
    assert not bad[0][1].feasible and "'conv1'" in bad[0][1].reason
