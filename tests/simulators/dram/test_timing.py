"""Closed-form timing cases with exact expected cycle counts (DDR4-2400 preset, default mapping)."""

from __future__ import annotations

import numpy as np
import pytest
from dram_helpers import BL2, CL, RAS, RCD, REFI, RFC, RP, WL, addr, random_trace, sequential_trace, trace

from archgym.simulators.dram import PRESETS, WORKLOADS, run, simulate

NO_REF = {"RefreshPolicy": "NoRefresh"}


def test_idle_read_latencies_closed_hit_conflict():
    # a read to a precharged bank, a row hit after it, then a row conflict, each on an idle controller
    r = run(trace([0, 100, 200], [addr(row=0), addr(row=0, col=8), addr(row=5)]), NO_REF)
    assert list(r.latency_cycles) == [RCD + CL + BL2, CL + BL2, RP + RCD + CL + BL2]
    assert r.metrics["latency_ns"] == pytest.approx(np.mean([36, 20, 52]) * PRESETS["DDR4-2400"].tck_ns)
    assert r.counters["act"] == 2 and r.counters["pre"] == 1


def test_idle_write_latency():
    r = run(trace([0], [addr(row=3)], [True]), NO_REF)
    assert list(r.latency_cycles) == [RCD + WL + BL2]


def test_closed_page_makes_every_access_a_miss_without_conflict_penalty():
    r = run(trace([0, 100, 200], [addr(row=0), addr(row=0, col=8), addr(row=5)]),
            {**NO_REF, "PagePolicy": "Closed"})
    assert list(r.latency_cycles) == [RCD + CL + BL2] * 3


def test_back_to_back_hits_reach_peak_bandwidth():
    n = 400  # reads alternating over the four bank groups: one burst every BL/2 cycles
    a = [addr(row=0, bg=i % 4, col=(i // 4) * 8) for i in range(n)]
    r = run(trace(np.arange(n) // 8, a), NO_REF)
    spacing = np.diff(np.sort(r.complete))[16:-16]
    assert set(spacing.tolist()) == {BL2}
    dev = PRESETS["DDR4-2400"]
    assert 0.95 * dev.peak_bandwidth_gbps < r.metrics["bandwidth_gbps"] <= dev.peak_bandwidth_gbps


def test_same_bank_group_hits_are_limited_by_ccd_l():
    n = 120  # one row holds 128 bursts
    r = run(trace(np.zeros(n, int), [addr(row=0, col=8 * i) for i in range(n)]), NO_REF)
    assert set(np.diff(np.sort(r.complete))[4:-4].tolist()) == {PRESETS["DDR4-2400"].timings["CCD_L"]}


def test_refresh_inserts_trfc():
    # the second read arrives just after the REF of the first tREFI trigger (PREA at tREFI, REF tRP later)
    arrive = REFI + RP + 10
    r = run(trace([0, arrive], [addr(row=0), addr(row=3)]), {"RefreshMaxPulledin": 1})
    assert r.counters["ref"] == 1
    assert r.latency_cycles[1] == (REFI + RP) + RFC + RCD + CL + BL2 - arrive


def test_idle_refresh_not_yet_issued_is_postponed_when_a_request_arrives():
    # DRAMSys re-evaluates an unforced refresh until it issues: a request arriving between the PREA and
    # the REF makes the rank busy, so the refresh is postponed and the request only waits for tRP
    arrive = REFI + 10
    r = run(trace([0, arrive], [addr(row=0), addr(row=3)]), {"RefreshMaxPulledin": 1})
    assert r.latency_cycles[1] == (REFI + RP) + RCD + CL + BL2 - arrive
    # the postponed refresh is owed when the trace ends: issued after the last response (the bank
    # closed first), then one pulled in (RefreshMaxPulledin=1), the window ending with the second
    assert r.counters["ref"] == 2 and r.counters["prea"] == 2
    t_rd = int(r.deliver.max()) - CL - BL2  # the last RD; its row may close tRAS after its ACT
    assert round(r.metrics["total_time_ns"] / r.device.tck_ns) == t_rd + (RAS - RCD) + RP + 2 * RFC


def test_refresh_every_trefi_on_an_idle_channel():
    # sparse reads over ~10 tREFI: one REF per trigger, plus the pulled-in one after the first
    t = np.arange(0, 10 * REFI + 500, 1000)
    r = run(trace(t, [addr(row=int(i) % 7) for i in range(len(t))]),
            {"RefreshMaxPulledin": 1, "RefreshMaxPostponed": 1})
    assert r.counters["ref"] == 10 + 1


def test_depth_one_buffer_cannot_reorder():
    # A(row 0), B(row 1), A'(row 0) to one bank at once: FR-FCFS serves A' before B only with a deeper buffer
    t = trace([0, 0, 0], [addr(row=0), addr(row=1), addr(row=0, col=8)])
    shallow = run(t, {**NO_REF, "SchedulerBuffer": "Shared", "RequestBufferSize": 1})
    deep = run(t, {**NO_REF, "SchedulerBuffer": "Shared", "RequestBufferSize": 8})
    assert list(np.argsort(shallow.complete)) == [0, 1, 2]
    assert list(np.argsort(deep.complete)) == [0, 2, 1]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_conservation_and_bus_limit(workload):
    r = run(workload, {"SchedulerBuffer": "Shared", "RequestBufferSize": 16})
    n = len(r.arrival)
    assert n == 10_000
    assert (r.deliver >= r.arrival).all() and (r.complete >= r.arrival).all()
    assert r.counters["rd"] + r.counters["wr"] == n
    assert r.counters["rd"] == int((~r.is_write).sum())
    m = r.metrics
    assert m["bandwidth_gbps"] * m["total_time_ns"] == pytest.approx(n * 64)
    assert m["bandwidth_gbps"] <= PRESETS["DDR4-2400"].peak_bandwidth_gbps
    assert 0.0 <= m["row_hit_rate"] <= 1.0
    assert m["act_count"] >= round((1 - m["row_hit_rate"]) * n)


def test_no_refresh_is_never_slower():
    for t in (random_trace(4000, seed=1, gap=8), sequential_trace(3000, gap=10), random_trace(6000, seed=2, gap=5)):
        on = simulate(t, {"RefreshPolicy": "AllBank", "RefreshMaxPostponed": 1})
        off = simulate(t, {"RefreshPolicy": "NoRefresh"})
        assert off["total_time_ns"] <= on["total_time_ns"]
        assert off["latency_ns"] <= on["latency_ns"]
        assert off["ref_count"] == 0 and on["ref_count"] > 0


def test_multi_rank_device_and_rank_switching():
    from dataclasses import replace

    from archgym.simulators.dram.mapping import default_mapping

    dev = replace(PRESETS["DDR4-2400"], ranks=2, name="DDR4-2400-2R")
    am = default_mapping(dev)
    rank_bit = am.rank[0][0]
    n = 400
    a = [((i % 2) << rank_bit) | addr(row=0, bg=(i // 2) % 4, col=8 * (i // 8)) for i in range(n)]
    r = run(trace(np.arange(n) // 8, a), NO_REF, device=dev, address_mapping=am)
    assert r.counters["act"] == 8
    spacing = np.diff(np.sort(r.complete))[16:-16]
    assert spacing.min() >= BL2 and spacing.max() == BL2 + dev.timings["RTRS"]


def test_additive_latency_posts_the_column_command_without_changing_idle_latency():
    # posted CAS: RD issues tRCD - AL after ACT and its data comes RL = AL + CL later, so an idle
    # read still costs tRCD + CL + BL/2; a hit and a conflict likewise keep their closed forms plus AL
    from dataclasses import replace

    dev = PRESETS["DDR4-2400"]
    al = 3
    posted = replace(dev, name="DDR4-2400-AL3", timings={**dev.timings, "AL": al, "RL": dev.timings["CL"] + al})
    tr = trace([0, 100, 200], [addr(row=0), addr(row=0, col=8), addr(row=5)])
    r = run(tr, NO_REF, device=posted)
    assert list(r.latency_cycles) == [RCD + CL + BL2, CL + al + BL2, RP + RCD + CL + BL2]
