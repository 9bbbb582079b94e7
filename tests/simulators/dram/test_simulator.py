"""The ``DRAMSimulator`` contract: design space, metrics, workloads, evaluation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from dram_helpers import sequential_trace

from archgym.errors import UserError
from archgym.simulators.dram import SPACE, WORKLOADS, DRAMSimulator, write_trace

#: the issue's table of DRAMGym knobs and DRAMSys value sets
KNOBS = {
    "PagePolicy": ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive"),
    "Scheduler": ("Fifo", "FrFcfs", "FrFcfsGrp"),
    "SchedulerBuffer": ("Bankwise", "ReadWrite", "Shared"),
    "RequestBufferSize": (1, 2, 4, 8, 16, 32, 64, 128),
    "RespQueue": ("Fifo", "Reorder"),
    "RefreshPolicy": ("NoRefresh", "AllBank", "PerBank", "SameBank"),
    "RefreshMaxPostponed": (1, 2, 4, 8),
    "RefreshMaxPulledin": (1, 2, 4, 8),
    "Arbiter": ("Simple", "Fifo", "Reorder"),
    "MaxActiveTransactions": (1, 2, 4, 8, 16, 32, 64, 128),
}


def test_space_matches_dramsys_names_and_values():
    assert {k.name: k.choices for k in SPACE} == KNOBS
    assert "Arbiter=Fifo|Reorder" in SPACE["MaxActiveTransactions"].note
    assert "RefreshPolicy=AllBank" in SPACE["RefreshMaxPostponed"].note


def test_simulator_contract():
    sim = DRAMSimulator()
    assert (sim.name, sim.version, sim.default_workload) == ("dram", "0.1.0", "cloud-1")
    assert sim.workloads() == list(WORKLOADS)
    wl = sim.load_workload("cloud-1")
    assert sim.workload_name(wl) == "cloud-1"
    m = sim.evaluate({"PagePolicy": "Closed"}, wl)
    assert m.feasible and list(m) == sim.metric_names
    assert m.unit("latency_ns") == "ns" and m.unit("power_mw") == "mW"
    assert m == sim.evaluate({"PagePolicy": "Closed"}, "cloud-1")  # deterministic


def test_evaluate_batch_matches_evaluate():
    sim = DRAMSimulator()
    wl = sim.load_workload("stream")
    designs = [sim.space.sample(np.random.default_rng(i)) for i in range(4)]
    assert sim.evaluate_batch(designs, wl) == [sim.evaluate(d, wl) for d in designs]



#: one design per row that the model must run alike: the knobs that differ are switched off by the others
ALIKE = [
    [{"Arbiter": "Simple", "MaxActiveTransactions": m} for m in (1, 8, 128)],
    [{"Arbiter": a, "RespQueue": r, "MaxActiveTransactions": 4}
     for a, r in (("Fifo", "Reorder"), ("Reorder", "Fifo"), ("Reorder", "Reorder"))],
    [{"RefreshPolicy": "NoRefresh", "RefreshMaxPostponed": p, "RefreshMaxPulledin": q} for p, q in ((1, 1), (8, 2))],
]


@pytest.mark.parametrize("alike", ALIKE)
def test_designs_the_kernel_runs_alike_share_one_canonical_config_and_their_results(alike):
    """The kernel itself, given each design's own (not canonical) configuration, gives the same results,
    so evaluate_batch may simulate them once; the canonical configs of designs that differ do differ."""
    from dram_helpers import random_trace

    from archgym.simulators.dram.controller import get_kernel
    from archgym.simulators.dram.design import controller_config
    from archgym.simulators.dram.model import interval_capacity, kernel_config, prepare

    p = prepare(random_trace(400, seed=5, write_frac=0.4, gap=2))
    dev = p.device
    base = {"PagePolicy": "OpenAdaptive", "RequestBufferSize": 2, "SchedulerBuffer": "Shared"}
    raw = []
    for d in alike:
        out = get_kernel()(p.arrival, p.is_write, p.bank, p.rank, p.row, p.column, p.relative,
                           dev.kernel_timings(), controller_config({**base, **d}), dev.banks * dev.ranks,
                           dev.bank_groups * dev.ranks, dev.ranks, dev.bank_groups, interval_capacity(len(p)))
        raw.append([np.asarray(x).tolist() for x in out])
    assert all(r == raw[0] for r in raw)
    assert len({kernel_config({**base, **d}).tobytes() for d in alike}) == 1
    sim = DRAMSimulator()
    batch = [{**sim.space.defaults(), **base, **d} for d in alike]
    assert sim.evaluate_batch(batch, p) == [sim.evaluate(d, p) for d in batch]
    # a knob that is on is part of the configuration
    limited = kernel_config({"Arbiter": "Fifo", "MaxActiveTransactions": 4})
    assert limited.tobytes() != kernel_config({"Arbiter": "Fifo", "MaxActiveTransactions": 8}).tobytes()
    assert limited.tobytes() != kernel_config({"Arbiter": "Fifo", "MaxActiveTransactions": 4,
                                               "RespQueue": "Reorder"}).tobytes()


def test_every_sampled_design_runs_on_every_workload():
    sim = DRAMSimulator()
    rng = np.random.default_rng(1)
    for w in WORKLOADS:
        wl = sim.load_workload(w)
        for _ in range(6):
            d = sim.space.sample(rng)
            m = sim.evaluate(d, wl)
            assert m["latency_ns"] > 0 and 0 < m["bandwidth_gbps"] <= 19.21 and m["power_mw"] > 0


def test_user_trace_and_device(tmp_path):
    p = write_trace(sequential_trace(500), tmp_path / "mine.stl")
    sim = DRAMSimulator(device="DDR3-1600")
    m = sim.evaluate({}, sim.load_workload(str(p)))
    assert m["rd_count"] == 500


def test_bad_inputs():
    sim = DRAMSimulator()
    with pytest.raises(UserError, match="unknown DRAM workload 'cloud-3'"):
        sim.load_workload("cloud-3")
    with pytest.raises(UserError, match="knob 'RequestBufferSize': 3 is not allowed"):
        sim.evaluate({"RequestBufferSize": 3}, "stream")


def test_import_is_cheap():
    code = "import sys, archgym.simulators.dram; print('numba' in sys.modules, 'gymnasium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False"


def test_a_trace_beyond_the_event_key_range_is_refused_with_a_clear_error():
    from dram_helpers import addr, trace

    from archgym.simulators.dram import simulate

    far = trace([0, 1, 1 << 60], [addr(row=1), addr(row=2), addr(row=3)], name="far")
    with pytest.raises(UserError, match="too long for the DRAM model"):
        simulate(far, {"RefreshPolicy": "NoRefresh"})
    # the same requests closer together run
    near = trace([0, 1, 1 << 30], [addr(row=1), addr(row=2), addr(row=3)], name="near")
    assert simulate(near, {"RefreshPolicy": "NoRefresh"})["rd_count"] == 3


def test_a_run_that_outgrows_its_interval_room_is_rerun_with_more_and_gives_the_same_result(monkeypatch):
    from dram_helpers import random_trace

    from archgym.simulators.dram import model

    tr = random_trace(300, seed=3, write_frac=0.3, gap=3)
    expected = model.run(tr, {"PagePolicy": "Closed"})
    monkeypatch.setattr(model, "interval_capacity", lambda n: 2)
    got = model.run(tr, {"PagePolicy": "Closed"})
    assert got.counters["act"] == 300 > 2
    assert dict(got.metrics.items()) == dict(expected.metrics.items())
    assert (got.deliver == expected.deliver).all() and got.counters == expected.counters


def test_threaded_batches_give_the_serial_results_in_order():
    rng = np.random.default_rng(4)
    designs = [DRAMSimulator().space.sample(rng) for _ in range(12)]
    serial = DRAMSimulator().evaluate_batch(designs, "cloud-2")
    threaded = DRAMSimulator(threads=3).evaluate_batch(designs, "cloud-2")
    assert [dict(m.items()) if m.feasible else m.reason for m in threaded] == \
           [dict(m.items()) if m.feasible else m.reason for m in serial]


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_threads_must_be_a_positive_integer(bad):
    with pytest.raises(UserError, match="threads must be a positive integer"):
        DRAMSimulator(threads=bad)


def test_loading_a_workload_compiles_the_model_before_any_evaluation():
    """The compile (or cache load) happens in load_workload, so no evaluation's wall_time_s carries it."""
    code = ("from archgym.simulators.dram import DRAMSimulator\n"
            "from archgym.simulators.dram.controller import get_kernel\n"
            "assert not getattr(get_kernel(), 'signatures', [1])\n"
            "DRAMSimulator().load_workload('cloud-1')\n"
            "print(len(getattr(get_kernel(), 'signatures', [1])))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) >= 1
