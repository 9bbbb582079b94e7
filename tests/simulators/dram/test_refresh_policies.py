"""LPDDR4-3200 preset and the PerBank/SameBank refresh policies (infeasible where the device lacks them)."""

from __future__ import annotations

import json

import gymnasium
import numpy as np
import pytest
from dram_helpers import trace

import archgym  # noqa: F401
from archgym.simulators.dram import PRESETS, SPACE, read_memspec, run, simulate
from archgym.simulators.dram.design import read_mcconfig, write_mcconfig
from archgym.simulators.dram.knobs import REFRESH_POLICIES
from archgym.simulators.dram.mapping import default_mapping
from archgym.simulators.dram.trace import Trace

LP = PRESETS["LPDDR4-3200"]
#: LPDDR4-3200 preset timings (clock cycles of 0.625 ns)
RCD, RL, BL2, RFCAB, RFCPB, REFI, REFIPB, RRD = 29, 28, 8, 448, 224, 6246, 780, 16
#: only one REFpb per trigger and none postponed: the first REFpb (bank 0) issues at tREFIpb
ONE_AT_A_TIME = {"RefreshMaxPostponed": 0, "RefreshMaxPulledin": 0}


def lp_addr(row: int = 0, bank: int = 0, col: int = 0) -> int:
    """Byte address under the LPDDR4 preset's default row-bank-column mapping (x16: 2 bytes a column)."""
    return (row << 14) | (bank << 11) | (col << 1)


def test_lp_addr_matches_the_default_mapping():
    d = default_mapping(LP).decode(np.array([lp_addr(5, 3, 16), lp_addr(0, 1, 0)], dtype=np.uint64), LP)
    assert list(d.bank) == [3, 1] and list(d.row) == [5, 0] and list(d.bank_group) == [0, 0]


def test_lpddr4_preset_values_are_the_cited_jedec_and_dramsys_figures():
    assert (LP.memory_type, LP.banks, LP.bank_groups, LP.burst_length, LP.width) == ("LPDDR4", 8, 1, 16, 16)
    assert "JEDEC_8Gb_LPDDR4-3200_16bit.json" in LP.source and "JESD209-4" in LP.source
    t, ns = LP.timings, LP.tck_ns
    assert ns == pytest.approx(0.625)
    # JESD209-4B at 3200 MT/s, 8 Gb per channel
    assert t["RFCab"] * ns == pytest.approx(280.0) and t["RFCpb"] * ns == pytest.approx(140.0)
    assert t["REFI"] * ns == pytest.approx(3903.75) and t["REFIpb"] == t["REFI"] // LP.banks
    assert t["RRD_S"] == t["RRD_L"] == RRD and t["FAW"] * ns == pytest.approx(40.0) and t["PPD"] == 4
    assert (t["RP"], t["RPab"], t["RC"], t["RFC"], t["CL"]) == (t["RPpb"], 34, t["RCpb"], RFCAB, RL)
    p = LP.power
    assert (p["vdd2"], p["vdd1"], p["idd02"], p["idd4r2"], p["idd52"]) == (1.1, 1.8, 45e-3, 275e-3, 90e-3)
    assert (p["vdd"], p["idd0"], p["vpp"], p["ipp0"]) == (p["vdd2"], p["idd02"], p["vdd1"], p["idd01"])
    assert LP.peak_bandwidth_gbps == pytest.approx(6.4)


def test_lpddr4_memspec_round_trip_uses_lpddr4_names(tmp_path):
    spec = LP.to_memspec()["memspec"]
    assert {"RFCab", "RFCpb", "RPpb", "RPab", "REFIpb", "CCD", "RRD", "WTR"} <= spec["memtimingspec"].keys()
    assert not {"RFC", "RP", "RC", "CL", "RRD_S"} & spec["memtimingspec"].keys()
    assert "vdd" not in spec["mempowerspec"] and spec["mempowerspec"]["vdd2"] == 1.1
    p = tmp_path / "lp.json"
    p.write_text(json.dumps(LP.to_memspec()))
    assert read_memspec(p) == LP


def test_refresh_policy_choices_are_appended_after_the_original_ones():
    assert REFRESH_POLICIES == ("NoRefresh", "AllBank", "PerBank", "SameBank")
    assert tuple(SPACE["RefreshPolicy"].choices) == REFRESH_POLICIES
    assert SPACE.defaults()["RefreshPolicy"] == "AllBank"


def test_device_refresh_support():
    assert LP.refresh_policies == ("NoRefresh", "AllBank", "PerBank")
    for name in ("DDR4-2400", "DDR4-1866", "DDR3-1600"):
        assert PRESETS[name].refresh_policies == ("NoRefresh", "AllBank")


@pytest.mark.parametrize("device,policy,words", [
    ("DDR4-2400", "PerBank", ("PerBank", "DDR4-2400", "tRFCpb")),
    ("DDR3-1600", "PerBank", ("PerBank", "DDR3-1600")),
    ("DDR4-2400", "SameBank", ("SameBank", "DDR5", "DDR4-2400")),
    ("LPDDR4-3200", "SameBank", ("SameBank", "DDR5", "LPDDR4-3200")),
])
def test_unsupported_refresh_policy_is_infeasible_with_a_reason(device, policy, words):
    m = simulate(trace([0, 10], [0, 64]), {"RefreshPolicy": policy}, device=device)
    assert not m.feasible
    assert all(w in m.reason for w in words), m.reason
    with pytest.raises(KeyError, match="infeasible"):
        m["latency_ns"]


def test_env_offers_only_the_refresh_policies_of_its_device():
    env = gymnasium.make("archgym/DRAM-v1", workload="random")
    assert env.unwrapped.design_space["RefreshPolicy"].choices == ("NoRefresh", "AllBank")
    assert env.unwrapped.design_space.size == 442_368  # DRAMGym's space
    with pytest.raises(ValueError, match="RefreshPolicy.*PerBank.*NoRefresh.*AllBank"):
        env.unwrapped.evaluate({"RefreshPolicy": "PerBank"})
    lp = gymnasium.make("archgym/DRAM-v1", workload="random", device="LPDDR4-3200")
    assert lp.unwrapped.design_space["RefreshPolicy"].choices == ("NoRefresh", "AllBank", "PerBank")
    assert lp.unwrapped.evaluate({"RefreshPolicy": "PerBank"}).feasible
    # the model itself still answers a design naming an unsupported policy as infeasible, with the reason
    m = simulate("random", {"RefreshPolicy": "PerBank"})
    assert not m.feasible and "PerBank" in m.reason


def test_perbank_design_round_trips_through_mcconfig(tmp_path):
    d = {"RefreshPolicy": "PerBank", "RefreshMaxPostponed": 2}
    assert read_mcconfig(write_mcconfig(d, tmp_path / "mc.json"))["RefreshPolicy"] == "PerBank"


def _one_read(cycle: int, bank: int, design: dict) -> int:
    r = run(trace([cycle], [lp_addr(0, bank)]), design, device=LP)
    return int(r.latency_cycles[0])


def test_idle_read_latency_on_lpddr4():
    assert _one_read(100, 0, {"RefreshPolicy": "NoRefresh"}) == RCD + RL + BL2


def test_perbank_refresh_lets_other_banks_serve():
    """Bank 0 refreshes at tREFIpb for tRFCpb; a read to bank 1 during it is unaffected, bank 0 waits."""
    during = REFIPB + 20
    pb = {"RefreshPolicy": "PerBank", **ONE_AT_A_TIME}
    assert _one_read(during, 1, pb) == RCD + RL + BL2
    assert _one_read(during, 0, pb) == (REFIPB + RFCPB - during) + RCD + RL + BL2
    # the all-bank REF (at tREFI) blocks every bank for tRFCab
    ab = {"RefreshPolicy": "AllBank", **ONE_AT_A_TIME}
    assert _one_read(REFI + 20, 1, ab) == (REFI + RFCAB - (REFI + 20)) + RCD + RL + BL2
    # REFpb to ACT of another bank respects tRRD
    assert _one_read(REFIPB + 1, 1, pb) == (REFIPB + RRD - (REFIPB + 1)) + RCD + RL + BL2


def _light(n: int = 12000, gap: int = 60) -> Trace:
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 4096, n)
    banks = rng.integers(0, 8, n)
    a = (rows.astype(np.uint64) << np.uint64(14)) | (banks.astype(np.uint64) << np.uint64(11))
    return Trace(np.arange(n, dtype=np.int64) * gap, rng.random(n) < 0.3, a, name="light-lp")


@pytest.mark.parametrize("limit", [1, 4])
def test_refpb_count_matches_banks_times_duration_over_trefi(limit):
    m = simulate(_light(), {"RefreshPolicy": "PerBank", "RefreshMaxPostponed": limit,
                            "RefreshMaxPulledin": limit}, device=LP)
    expected = LP.banks * (m["total_time_ns"] / LP.tck_ns) / REFI
    assert expected > 100
    # postponed/pulled-in refreshes may be outstanding at the end: at most limit x banks (plus one)
    assert abs(m["ref_count"] - expected) <= limit * LP.banks + 1


def test_perbank_refresh_beats_allbank_on_latency_and_costs_the_same_refresh_energy():
    tr = _light()
    none, ab, pb = (run(tr, {"RefreshPolicy": p}, device=LP) for p in ("NoRefresh", "AllBank", "PerBank"))
    assert none.metrics["latency_ns"] <= pb.metrics["latency_ns"] < ab.metrics["latency_ns"]
    assert pb.metrics["latency_p99_ns"] < ab.metrics["latency_p99_ns"]
    # one REFpb costs an all-bank REF's energy over the banks
    per_ref_pb = pb.energy.ref_pj / pb.counters["ref"]
    per_ref_ab = ab.energy.ref_pj / ab.counters["ref"]
    assert per_ref_pb == pytest.approx(per_ref_ab / LP.banks)


@pytest.mark.parametrize("workload", ["stream", "random"])
def test_perbank_conserves_requests_and_limits_move_the_count(workload):
    base = {"RefreshPolicy": "PerBank"}
    r = run(workload, base, device=LP)
    assert (r.deliver >= r.arrival).all() and r.counters["rd"] + r.counters["wr"] == r.deliver.size
    counts = {simulate(workload, {**base, "RefreshMaxPostponed": k, "RefreshMaxPulledin": k},
                       device=LP)["ref_count"] for k in (1, 8)}
    assert len(counts) == 2
