"""Hand-computed small graphs and the model's structural properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.simulators.soc import (
    HardwareGraph,
    Mapping,
    SoCSimulator,
    Task,
    TaskGraph,
    a53,
    bus,
    compile_plan,
    ip,
    memory,
    simulate,
)
from archgym.simulators.soc.simulator import metrics_of
from archgym.simulators.soc.taskgraph import Edge

REL = 1e-12


def graph(tasks, edges, last="siink", name="t"):
    ts = [Task("souurce", 0, role="source")] + [Task(*t) for t in tasks] + [Task("siink", 0, role="sink")]
    return TaskGraph(name, tuple(ts), tuple(Edge(*e) for e in edges), last)


def run(g, hw, task_pe, buf, priority=()):
    plan = compile_plan(g, hw, Mapping(task_pe, buf, tuple(priority)))
    sim = simulate(plan)
    return metrics_of(plan, sim, g), sim


def one_bus(n_cores=1, bus_w=4, mem_w=4, extra=()):
    blocks = [bus("bus", bus_w), memory("mem", "sram", mem_w)] + [a53(f"A53_{c}") for c in range(n_cores)]
    links = [("bus", "mem")] + [(f"A53_{c}", "bus") for c in range(n_cores)]
    for b in extra:
        blocks.append(b)
        links.append((b.name, "bus"))
    return HardwareGraph(blocks, links)


CHAIN = graph([("A", 1000), ("B", 3000, 1000, 1.0, 1.0)],
              [("souurce", "A", 800), ("A", "B", 400), ("B", "siink", 100)])


def chain_buffers(mem="mem"):
    return {("souurce", "A"): mem, ("A", "B"): mem, ("B", "siink"): mem}


def test_chain_exact():
    # A: 2000 instr at 2e9/s = 1 us; reads 800 B at 4 B x 100 MHz = 2 us; writes 400 B = 1 us -> 2 us
    # B: 6000 instr = 3 us; reads 400 B = 1 us; writes 100 B = 0.25 us -> 3 us
    m, sim = run(CHAIN, one_bus(), {t: "A53_0" for t in CHAIN.task_names}, chain_buffers())
    assert m["latency_s"] == pytest.approx(5e-6, rel=REL)
    assert sim.finish[1] == pytest.approx(2e-6, rel=REL)


def test_fork_join_exact():
    # A (500 cycles) on A53_0 and B (4000 cycles) on A53_1 both read 512 B and write 512 B.
    # Together: the bus splits each channel over 2 active pipes and the memory over the 2
    # kernels of its one pipe (equal work units) -> 2e8 B/s each. A: 512 B / 2e8 = 2.56 us.
    # B is compute-bound (8000 instr at 2e9/s = 4 us) and ends at 4 us.
    # C (1000 cycles) reads 1024 B alone at 4e8 B/s = 2.56 us -> 4 + 2.56 = 6.56 us.
    g = graph([("A", 500), ("B", 4000), ("C", 1000)],
              [("souurce", "A", 512), ("souurce", "B", 512), ("A", "C", 512), ("B", "C", 512), ("C", "siink", 256)])
    buf = {(e.src, e.dst): "mem" for e in g.edges}
    pes = {"souurce": "A53_0", "A": "A53_0", "B": "A53_1", "C": "A53_0", "siink": "A53_0"}
    m, sim = run(g, one_bus(2), pes, buf)
    idx = g.index()
    assert sim.finish[idx["A"]] == pytest.approx(2.56e-6, rel=REL)
    assert sim.finish[idx["B"]] == pytest.approx(4.0e-6, rel=REL)
    assert m["latency_s"] == pytest.approx(6.56e-6, rel=REL)


def test_accelerator_saves_exactly():
    # A: 100000 A53 cycles = 100 us on the A53; 1000 IP cycles at 100 MHz = 10 us on its IP;
    # its 400 B in and out take 1 us, so both runs are compute-bound: 90 us saved.
    g = graph([("A", 100000, 1000, 50.0, 1000.0)], [("souurce", "A", 400), ("A", "siink", 400)])
    buf = {("souurce", "A"): "mem", ("A", "siink"): "mem"}
    hw = one_bus(extra=[ip("A_IP0_1_1_0", "A")])
    slow, _ = run(g, hw, {t: "A53_0" for t in g.task_names}, buf)
    fast, _ = run(g, hw, {"souurce": "A53_0", "A": "A_IP0_1_1_0", "siink": "A53_0"}, buf)
    assert slow["latency_s"] - fast["latency_s"] == pytest.approx(90e-6, rel=1e-9)
    assert fast["energy_a_ip0_1_1_0_j"] == pytest.approx(50.0 * 1e-15 * 0.064, rel=REL)
    assert fast["area_a_ip0_1_1_0_mm2"] == pytest.approx(1000.0 * 1e-6 * 0.0374, rel=REL)
    assert fast["area_a53_0_mm2"] == 0.0  # runs only pseudo-tasks


def test_accelerator_in_simulator_lowers_latency_by_computed_amount():
    sim = SoCSimulator("SOC_example_1p", "heft")
    assert "ip_participant0" not in sim.space  # SOC_example_1p has no IP column
    g = graph([("A", 100000, 1000, 50.0, 1000.0)], [("souurce", "A", 400), ("A", "siink", 400)])
    sim = SoCSimulator(g, "heft")
    base = sim.space.defaults()
    delta = sim.evaluate(base)["latency_s"] - sim.evaluate({**base, "ip_A": "yes"})["latency_s"]
    assert delta == pytest.approx(90e-6, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    cycles=st.lists(st.integers(1, 20000), min_size=1, max_size=4),
    nbytes=st.lists(st.integers(1, 200000), min_size=5, max_size=5),
    width=st.sampled_from([8, 16, 32, 64, 128]),
)
def test_halving_bus_bandwidth_never_speeds_a_chain(cycles, nbytes, width):
    names = [f"T{k}" for k in range(len(cycles))]
    seq = ["souurce", *names, "siink"]
    edges = [(a, b, nbytes[k]) for k, (a, b) in enumerate(zip(seq, seq[1:]))]
    g = graph(list(zip(names, cycles)), edges)
    pes = {t: "A53_0" for t in g.task_names}
    buf = {(e.src, e.dst): "mem" for e in g.edges}
    wide, _ = run(g, one_bus(bus_w=width, mem_w=128), pes, buf)
    narrow, _ = run(g, one_bus(bus_w=width // 2, mem_w=128), pes, buf)
    assert narrow["latency_s"] >= wide["latency_s"] * (1 - 1e-12)


def test_two_transfers_share_one_bus():
    g = graph([("A", 10), ("B", 10)], [("souurce", "A", 4000), ("souurce", "B", 4000),
                                       ("A", "siink", 4000), ("B", "siink", 4000)])
    pes = {"souurce": "A53_0", "A": "A53_0", "B": "A53_1", "siink": "A53_0"}
    shared, _ = run(g, one_bus(2), pes, {(e.src, e.dst): "mem" for e in g.edges})
    hw2 = HardwareGraph(
        [bus("b0", 4), bus("b1", 4), memory("m0", "sram", 4), memory("m1", "sram", 4), a53("A53_0"), a53("A53_1")],
        [("b0", "m0"), ("b1", "m1"), ("A53_0", "b0"), ("A53_1", "b1"), ("b0", "b1")],
    )
    split_buf = {("souurce", "A"): "m0", ("A", "siink"): "m0", ("souurce", "B"): "m1", ("B", "siink"): "m1"}
    split, _ = run(g, hw2, pes, split_buf)
    assert split["latency_s"] == pytest.approx(4000 / 4e8, rel=REL)
    assert shared["latency_s"] == pytest.approx(2 * 4000 / 4e8, rel=REL)
    assert shared["latency_s"] > split["latency_s"]


@pytest.mark.parametrize("workload", ["audio_decoder", "edge_detection", "hpvm_cava"])
@pytest.mark.parametrize("mode", ["heft", "agent"])
def test_area_is_sum_of_blocks_and_deterministic(workload, mode):
    sim = SoCSimulator(workload, mode)
    rng = np.random.default_rng(1)
    designs = [sim.space.defaults()] + [sim.space.sample(rng) for _ in range(15)]
    for d in designs:
        m = sim.evaluate(d)
        assert m == sim.evaluate(d)
        if not m.feasible:
            assert m.reason
            continue
        parts = sum(v for k, v in m.items() if k.startswith("area_") and k != "area_mm2")
        assert m["area_mm2"] == pytest.approx(parts, rel=1e-12)
        assert set(sim.metric_names) <= set(m)
        assert m["power_w"] >= m["avg_power_w"] * (1 - 1e-9)


def test_infeasible_designs_carry_reasons():
    sim = SoCSimulator("audio_decoder", "agent")
    d = {**sim.space.defaults(), "pe_FIR_left_fxp_cloned": "A53_3"}
    m = sim.evaluate(d)
    assert not m.feasible and "A53_3" in m.reason and "1 A53" in m.reason
    d = {**sim.space.defaults(), "buf_FIR_left_fxp_cloned__IFFT_left_fxp_cloned": 2}
    assert "memory 2" in sim.evaluate(d).reason
    g = CHAIN
    hw = one_bus(extra=[ip("B_IP0_1_1_0", "B")])
    with pytest.raises(Exception, match="not its accelerator"):
        compile_plan(g, hw, Mapping({"souurce": "A53_0", "A": "B_IP0_1_1_0", "B": "A53_0", "siink": "A53_0"},
                                    chain_buffers()))
    island = HardwareGraph([a53("A53_0"), bus("bus", 4), memory("mem", "sram", 4), memory("far", "sram", 4)],
                           [("A53_0", "bus"), ("bus", "mem")])
    with pytest.raises(Exception, match="no path to memory far"):
        compile_plan(g, island, Mapping({t: "A53_0" for t in g.task_names}, chain_buffers("far")))


def test_memory_sizing_frees_buffers():
    # A's 400 B for B are freed once B completes; source buffers are never freed (FARSI)
    _, sim = run(CHAIN, one_bus(), {t: "A53_0" for t in CHAIN.task_names}, chain_buffers())
    assert max(sim.peak_bytes.values()) == 800 + 400 + 100


def test_power_window_rule():
    from archgym.simulators.soc.costs import farsi_power

    assert farsi_power([0.001, 0.002], [1.0, 1.0]) == pytest.approx(2.0 / 0.003)
    # long phases: each phase above the remaining window closes a window -> peak phase power
    assert farsi_power([0.5, 0.25], [1.0, 1.0]) == pytest.approx(4.0)


def test_farsi_99_percent_rule_option():
    # B is 99.5 % done when A completes at 1 us: FARSI's rule ends it there
    g = graph([("A", 1000), ("B", 1005)], [("souurce", "A", 4), ("souurce", "B", 4), ("A", "siink", 4),
                                           ("B", "siink", 4)])
    pes = {"souurce": "A53_0", "A": "A53_0", "B": "A53_1", "siink": "A53_0"}
    plan = compile_plan(g, one_bus(2, 128, 128), Mapping(pes, {(e.src, e.dst): "mem" for e in g.edges}))
    assert simulate(plan).latency == pytest.approx(1.005e-6, rel=REL)
    assert simulate(plan, done_at=0.99).latency == pytest.approx(1.0e-6, rel=REL)


@pytest.mark.parametrize("workload", ["audio_decoder", "edge_detection", "hpvm_cava"])
def test_exact_completion_deviates_from_farsi_rule_below_one_percent(workload):
    sim = SoCSimulator(workload, "heft")
    rng = np.random.default_rng(7)
    for _ in range(25):
        built = sim.build(sim.space.sample(rng))
        plan = compile_plan(sim.graph, built.hw, built.mapping)
        exact, farsi = simulate(plan).latency, simulate(plan, done_at=0.99).latency
        assert abs(exact - farsi) <= 0.01 * exact


def test_zero_cycle_accelerator_is_transfer_bound():
    g = graph([("A", 1000, 0, 5.0, 10.0)], [("souurce", "A", 400), ("A", "siink", 400)])
    buf = {("souurce", "A"): "mem", ("A", "siink"): "mem"}
    m, _ = run(g, one_bus(extra=[ip("A_IP0_1_1_0", "A")]), {"souurce": "A53_0", "A": "A_IP0_1_1_0",
                                                          "siink": "A53_0"}, buf)
    assert m["latency_s"] == pytest.approx(400 / 4e8, rel=REL)
    assert m["energy_a_ip0_1_1_0_j"] == pytest.approx(5.0 * 1e-15 * 0.064, rel=REL)


def test_power_windows_follow_farsi_phase_list():
    # phases: FARSI's leading zero phase, souurce (0), A 20 ms, B 30 ms, C 40 ms, siink (0).
    # Each phase is longer than a 10 ms window, so FARSI closes a window at every phase, two
    # phases behind (the zero phases hold the first two slots): windows [0], [0], [A], [B, C, siink].
    # B (its IP burns 1 W) is then averaged with C; without the leading zero phase it would
    # stand alone and the peak would be 1 W.
    e_b = 0.03 / (1e-15 * 0.064)  # fJ: 0.03 J over 30 ms
    g = graph([("A", 20_000_000), ("B", 1, 3_000_000, e_b, 1.0), ("C", 40_000_000)],
              [("souurce", "A", 4), ("A", "B", 4), ("B", "C", 4), ("C", "siink", 4)])
    pes = {"souurce": "A53_0", "A": "A53_0", "B": "B_IP0_1_1_0", "C": "A53_0", "siink": "A53_0"}
    m, _ = run(g, one_bus(extra=[ip("B_IP0_1_1_0", "B")]), pes, {(e.src, e.dst): "mem" for e in g.edges})
    a53_w = 2e9 / 47019607843
    assert m["latency_s"] == pytest.approx(0.09, rel=1e-12)
    assert m["power_w"] == pytest.approx((0.03 + 0.04 * a53_w) / 0.07, rel=1e-6)


def test_farsi_area_rule_for_pseudo_tasks():
    # FARSI leaves a core area-free only when it runs nothing but souurce/siink
    g = TaskGraph("t", (Task("souurce", 0, role="source"), Task("A", 1000), Task("dummy_last", 0, role="dummy"),
                        Task("siink", 0, role="sink")),
                  (Edge("souurce", "A", 4), Edge("A", "dummy_last", 4), Edge("dummy_last", "siink", 1)), "dummy_last")
    buf = {(e.src, e.dst): "mem" for e in g.edges}
    only_pseudo = {"souurce": "A53_1", "A": "A53_0", "dummy_last": "A53_0", "siink": "A53_1"}
    m, _ = run(g, one_bus(2), only_pseudo, buf)
    assert m["area_a53_1_mm2"] == 0.0
    alone = {**only_pseudo, "dummy_last": "A53_1"}
    m, _ = run(g, one_bus(2), alone, buf)
    assert m["area_a53_1_mm2"] == 0.65


def test_layout_keeps_dummy_last_next_to_a_parent():
    sim = SoCSimulator("audio_decoder", "heft")
    rng = np.random.default_rng(5)
    for _ in range(20):
        built = sim.build(sim.space.sample(rng))
        pe = built.mapping.task_pe
        hosts = {pe[t.name] for t in sim.graph.tasks if not t.dummy}
        last = pe["dummy_last"]
        assert last in hosts or not any(p.startswith("A53") for p in hosts)
