"""Each of the ten knobs changes the model's behaviour, in the direction DRAMSys documents.

Every test uses a small trace built to exercise one mechanism.
"""

from __future__ import annotations

import numpy as np
import pytest
from dram_helpers import REFI, RFC, addr, random_trace, sequential_trace, trace

from archgym.simulators.dram import DRAMSimulator, run, simulate
from archgym.simulators.dram.workloads import PATTERNS

NO_REF = {"RefreshPolicy": "NoRefresh"}
SEQ = sequential_trace(1500)
RANDOM = random_trace(1500, seed=3, write_frac=0.3)
#: A(row 0), B(row 1), A'(row 0) in one bank, repeated: FR-FCFS serves A' before B
REORDER = trace(np.repeat(np.arange(100) * 200, 3),
                [addr(row=r + 2 * i) for i in range(100) for r in (0, 1, 0)])
#: one request at a time to a new row of bank 0, with idle gaps
SPARSE_CONFLICTS = trace(np.arange(200) * 200, [addr(row=i % 50) for i in range(200)])


def sim(t, **design):
    return simulate(t, {**NO_REF, **design})


class TestPagePolicy:
    def test_open_beats_closed_on_sequential_traffic(self):
        op, cl = sim(SEQ, PagePolicy="Open"), sim(SEQ, PagePolicy="Closed")
        assert op["row_hit_rate"] > 0.9 > 0.1 > cl["row_hit_rate"]
        assert op["bandwidth_gbps"] > 2 * cl["bandwidth_gbps"]
        assert op["act_count"] < cl["act_count"]

    def test_closed_hides_precharge_on_sparse_conflicts(self):
        op, cl = sim(SPARSE_CONFLICTS, PagePolicy="Open"), sim(SPARSE_CONFLICTS, PagePolicy="Closed")
        assert cl["latency_ns"] < op["latency_ns"]

    def test_closed_adaptive_keeps_rows_with_queued_hits_open(self):
        ca, cl = sim(SEQ, PagePolicy="ClosedAdaptive"), sim(SEQ, PagePolicy="Closed")
        assert ca["row_hit_rate"] > cl["row_hit_rate"] + 0.5
        # ... but closes a row when no queued request hits it, like Closed
        assert sim(SPARSE_CONFLICTS, PagePolicy="ClosedAdaptive")["latency_ns"] == pytest.approx(
            sim(SPARSE_CONFLICTS, PagePolicy="Closed")["latency_ns"])

    def test_open_adaptive_precharges_only_when_queued_requests_all_miss(self):
        # no queued request on sparse traffic: behaves like Open (row left open)
        assert sim(SPARSE_CONFLICTS, PagePolicy="OpenAdaptive")["latency_ns"] == pytest.approx(
            sim(SPARSE_CONFLICTS, PagePolicy="Open")["latency_ns"])
        # queued misses: auto-precharge saves the PRE command slots that Open spends
        oa, op = sim(RANDOM, PagePolicy="OpenAdaptive"), sim(RANDOM, PagePolicy="Open")
        assert oa["bandwidth_gbps"] > op["bandwidth_gbps"]


class TestScheduler:
    def test_frfcfs_serves_row_hits_first(self):
        fifo, fr = run(REORDER, {**NO_REF, "Scheduler": "Fifo"}), run(REORDER, {**NO_REF, "Scheduler": "FrFcfs"})
        assert fr.metrics["row_hit_rate"] > fifo.metrics["row_hit_rate"]
        assert fr.metrics["act_count"] < fifo.metrics["act_count"]
        assert fr.complete[2] < fr.complete[1] and fifo.complete[1] < fifo.complete[2]

    def test_frfcfs_never_worse_than_fifo_on_conflict_heavy_traffic(self):
        for seed in range(3):
            t = random_trace(800, seed=seed, span_rows=4)  # few rows per bank: hits to find among conflicts
            assert sim(t, Scheduler="FrFcfs")["bandwidth_gbps"] >= sim(t, Scheduler="Fifo")["bandwidth_gbps"]

    def test_grouping_reads_and_writes_avoids_turnarounds(self):
        n = 64  # alternating reads and writes to one open row
        t = trace(np.zeros(n, int), [addr(row=0, col=8 * i) for i in range(n)], [i % 2 == 1 for i in range(n)])
        grp = sim(t, Scheduler="FrFcfsGrp", RequestBufferSize=64)
        fr = sim(t, Scheduler="FrFcfs", RequestBufferSize=64)
        assert grp["total_time_ns"] < 0.6 * fr["total_time_ns"]


class TestBuffers:
    def test_bankwise_buffers_hold_more_than_a_shared_one(self):
        assert sim(RANDOM, SchedulerBuffer="Bankwise")["bandwidth_gbps"] > sim(RANDOM, SchedulerBuffer="Shared")[
            "bandwidth_gbps"]

    def test_readwrite_buffers_hold_reads_and_writes_separately(self):
        assert sim(RANDOM, SchedulerBuffer="ReadWrite")["bandwidth_gbps"] > sim(RANDOM, SchedulerBuffer="Shared")[
            "bandwidth_gbps"]

    def test_deeper_buffers_raise_bandwidth(self):
        bw = [sim(RANDOM, SchedulerBuffer="Shared", RequestBufferSize=d)["bandwidth_gbps"] for d in (1, 2, 4, 8, 16)]
        assert all(b2 >= 0.99 * b1 for b1, b2 in zip(bw, bw[1:]))
        assert bw[-1] > 1.5 * bw[0]


class TestResponses:
    def test_reorder_queue_restores_request_order(self):
        fifo = run(REORDER, {**NO_REF, "RespQueue": "Fifo"})
        reo = run(REORDER, {**NO_REF, "RespQueue": "Reorder"})
        assert (np.diff(reo.deliver) >= 0).all() and not (np.diff(fifo.deliver) >= 0).all()
        assert reo.metrics["latency_ns"] > fifo.metrics["latency_ns"]
        assert reo.metrics["total_time_ns"] == fifo.metrics["total_time_ns"]


class TestRefresh:
    BUSY = random_trace(6000, seed=5, gap=5)  # ~3 tREFI of saturating traffic

    def test_postponing_moves_refreshes_out_of_busy_periods(self):
        design = {"RefreshMaxPulledin": 1}
        p1 = run(self.BUSY, {**design, "RefreshMaxPostponed": 1})
        p8 = run(self.BUSY, {**design, "RefreshMaxPostponed": 8})
        assert p8.metrics["latency_ns"] < p1.metrics["latency_ns"]
        assert p8.metrics["ref_count"] >= p1.metrics["ref_count"] - 1  # postponed, not skipped

    def test_refreshes_owed_at_the_end_are_issued_then_pulled_in(self):
        # every trigger falls in the busy trace and is postponed (8 allowed); when the last request is
        # answered the idle manager catches all of them up, back to back, then pulls in RefreshMaxPulledin
        res = {k: run(self.BUSY, {"RefreshMaxPulledin": k}) for k in (1, 8)}
        none = run(self.BUSY, NO_REF)
        last = int(none.deliver.max())
        owed = last // REFI  # triggers at REFI, 2 REFI, ... up to the last response
        for k, r in res.items():
            assert (r.deliver == none.deliver).all()  # no refresh interrupted a request
            assert r.metrics["ref_count"] == owed + k
            # PREA, then the REFs tRFC apart; the window ends with the last one
            end = round(r.metrics["total_time_ns"] / r.device.tck_ns)
            assert end >= last + (owed + k) * RFC
        assert res[8].metrics["energy_pj"] > res[1].metrics["energy_pj"] > none.metrics["energy_pj"]

    def test_pulling_in_during_idle_time_spares_busy_periods(self):
        busy = random_trace(9000, seed=6, gap=5)
        t = trace(np.r_[0, busy.cycle + int(1.2 * REFI)], np.r_[addr(row=1), busy.address])
        lo = run(t, {"RefreshMaxPostponed": 1, "RefreshMaxPulledin": 1})
        hi = run(t, {"RefreshMaxPostponed": 1, "RefreshMaxPulledin": 8})
        assert hi.metrics["latency_ns"] < lo.metrics["latency_ns"]
        assert hi.deliver.max() < lo.deliver.max()  # the last response; the owed refreshes follow it

    def test_refresh_limits_do_nothing_without_refresh(self):
        a = sim(self.BUSY, RefreshMaxPostponed=1, RefreshMaxPulledin=1)
        b = sim(self.BUSY, RefreshMaxPostponed=8, RefreshMaxPulledin=8)
        assert a == b


class TestArbiter:
    def test_max_active_transactions_throttles_fifo_arbiter(self):
        few = sim(RANDOM, Arbiter="Fifo", MaxActiveTransactions=2)
        many = sim(RANDOM, Arbiter="Fifo", MaxActiveTransactions=128)
        assert few["bandwidth_gbps"] < 0.5 * many["bandwidth_gbps"]
        bw = [sim(RANDOM, Arbiter="Fifo", MaxActiveTransactions=k)["bandwidth_gbps"] for k in (1, 4, 16, 64)]
        assert bw == sorted(bw)

    def test_max_active_transactions_ignored_by_simple_arbiter(self):
        assert sim(RANDOM, Arbiter="Simple", MaxActiveTransactions=1) == sim(RANDOM, Arbiter="Simple",
                                                                              MaxActiveTransactions=128)

    def test_simple_arbiter_has_no_transaction_limit(self):
        t = random_trace(3000, seed=7, span_rows=64)  # more buffered requests, more row hits to find
        simple = sim(t, Arbiter="Simple", RequestBufferSize=64)
        fifo = sim(t, Arbiter="Fifo", RequestBufferSize=64, MaxActiveTransactions=128)
        assert simple["bandwidth_gbps"] > fifo["bandwidth_gbps"]
        assert simple["latency_ns"] < fifo["latency_ns"]

    def test_reorder_arbiter_returns_responses_in_order(self):
        fifo = run(REORDER, {**NO_REF, "Arbiter": "Fifo"})
        reo = run(REORDER, {**NO_REF, "Arbiter": "Reorder"})
        assert (np.diff(reo.deliver) >= 0).all()
        assert reo.metrics["latency_ns"] > fifo.metrics["latency_ns"]


#: a base design under which the knob applies (MaxActiveTransactions needs a limiting arbiter)
_CONTEXT = {"MaxActiveTransactions": {"Arbiter": "Fifo"}}


@pytest.mark.parametrize("workload", PATTERNS)
def test_every_knob_moves_a_metric_on_every_default_workload(workload):
    """On ArchGym's four workloads (at lighter loads the scheduler has rarely a queued row hit to prefer)."""
    sim = DRAMSimulator()
    wl = sim.load_workload(workload)
    inert = []
    for knob in sim.space:
        base = {**sim.space.defaults(), **_CONTEXT.get(knob.name, {})}
        seen = {tuple(sim.evaluate({**base, knob.name: v}, wl).items()) for v in knob.choices}
        if len(seen) < 2:
            inert.append(knob.name)
    assert not inert, f"on {workload}, no value of {inert} changes any metric"
