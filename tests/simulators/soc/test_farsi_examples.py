"""FARSI's worked examples (reference MODEL.md) come out exact."""

from __future__ import annotations

import pytest

from archgym.simulators.soc import (
    HardwareGraph,
    Mapping,
    a53,
    bus,
    compile_plan,
    evaluate_farsi,
    load_workload,
    memory,
    simulate,
)
from archgym.simulators.soc.simulator import metrics_of

REL = 1e-9


def run(workload, hw, mapping):
    g = load_workload(workload)
    plan = compile_plan(g, hw, mapping)
    return metrics_of(plan, simulate(plan), g)


def soc8(n_cores=8, width=4, n_buses=1):
    """SOC_example_8p with ``n_cores`` A53s (tasks round-robin) on ``n_buses`` bus+memory pairs."""
    g = load_workload("SOC_example_8p")
    blocks, links, task_pe, buf = [], [], {}, {}
    for b in range(n_buses):
        blocks += [bus(f"bus{b}", width), memory(f"mem{b}", "sram", width)]
        links.append((f"bus{b}", f"mem{b}"))
        if b:
            links.append((f"bus{b - 1}", f"bus{b}"))
    for c in range(n_cores):
        blocks.append(a53(f"A53_{c}"))
        links.append((f"A53_{c}", f"bus{c * n_buses // n_cores}"))
    for k in range(8):
        core = k % n_cores
        task_pe[f"participant{k}"] = f"A53_{core}"
        mem = f"mem{core * n_buses // n_cores}"
        buf[("souurce", f"participant{k}")] = mem
        buf[(f"participant{k}", "siink")] = mem
    task_pe["souurce"] = task_pe["siink"] = "A53_0"
    return run(g, HardwareGraph(blocks, links), Mapping(task_pe, buf))


def soc1(bus_width, mem_width):
    g = load_workload("SOC_example_1p")
    hw = HardwareGraph([a53("A53_0"), bus("bus", bus_width), memory("mem", "sram", mem_width)],
                       [("A53_0", "bus"), ("bus", "mem")])
    m = Mapping({t: "A53_0" for t in g.task_names},
                {("souurce", "participant0"): "mem", ("participant0", "siink"): "mem"})
    return run(g, hw, m)


def test_soc_1p_shipped(farsi_ref):
    d = farsi_ref / "SOC_example_1p"
    m = evaluate_farsi("SOC_example_1p", d / "hardware_graph.csv", d / "task_to_hardware_mapping.csv")
    assert m["latency_s"] == pytest.approx(4.0e-6, rel=REL)
    assert m["energy_j"] == pytest.approx(2092 / 47019607843 + 6400 * (1.7499e-13 + 1.6122e-13), rel=REL)
    assert round(m["power_w"] * 1e3, 2) == 11.66
    assert round(m["area_mm2"], 4) == 0.7175
    assert m["area_mm2"] == pytest.approx(0.65 + 0.067512, rel=REL)


def test_soc_8p_shipped(farsi_ref):
    d = farsi_ref / "SOC_example_8p"
    m = evaluate_farsi("SOC_example_8p", d / "hardware_graph.csv", d / "task_to_hardware_mapping.csv")
    assert m["latency_s"] == pytest.approx(1.34e-3, rel=REL)
    energy = 8 * 2092050 / 47019607843 + 536000 * (4.1086e-13 + 3.6342e-13)
    assert m["energy_j"] == pytest.approx(energy, rel=REL)
    assert round(m["power_w"], 4) == 0.2659
    assert m["area_mm2"] == pytest.approx(8 * 0.65 + 0.30096, rel=REL)
    assert round(m["area_mm2"], 3) == 5.501


def test_soc_1p_2r_shipped(farsi_ref):
    d = farsi_ref / "SOC_example_1p_2r"
    m = evaluate_farsi("SOC_example_1p_2r", d / "hardware_graph.csv", d / "task_to_hardware_mapping.csv")
    assert m["latency_s"] == pytest.approx(6400 / 1.6e9, rel=REL)  # two 16 B buses in series


@pytest.mark.parametrize(
    "bus_width, mem_width, expected",
    [(16, 16, 4.0e-6), (4, 4, 16e-6), (128, 128, 1.046e-6), (4, 128, 16e-6)],
)
def test_soc_1p_variants(bus_width, mem_width, expected):
    assert soc1(bus_width, mem_width)["latency_s"] == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize(
    "cores, width, buses, expected",
    [(8, 4, 1, 1.34e-3), (8, 128, 1, 1.046025e-3), (4, 4, 1, 2.09205e-3), (1, 4, 1, 8.3682e-3),
     (8, 4, 2, 1.046025e-3)],
)
def test_soc_8p_variants(cores, width, buses, expected):
    assert soc8(cores, width, buses)["latency_s"] == pytest.approx(expected, rel=REL)


def test_soc_8p_memory_sizing():
    m = soc8()
    # 8 x 67000 source buffers (never freed) + 8 x 67000 outputs = 1,072,000 B -> 1,280,000 B of SRAM
    assert m["area_mem0_mm2"] == pytest.approx(0.30096, rel=REL)
