"""Devices, address mappings, traces and mcconfig files: reading, writing, and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from dram_helpers import REFERENCE, addr, trace

from archgym.errors import UserError
from archgym.simulators.dram import (
    PRESETS,
    SPACE,
    WORKLOADS,
    AddressMapping,
    default_mapping,
    generate,
    load_device,
    parse_stl,
    read_address_mapping,
    read_mcconfig,
    read_memspec,
    read_trace,
    run,
    simulate,
    write_mcconfig,
    write_trace,
)
from archgym.simulators.dram.workloads import PATTERNS, offered_load

# -- devices -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("preset,file", [
    ("DDR4-2400", "JEDEC_4Gb_DDR4-2400_8bit_A.json"),
    ("DDR4-1866", "JEDEC_4Gb_DDR4-1866_8bit_A.json"),
    ("DDR3-1600", "MICRON_1Gb_DDR3-1600_8bit_G.json"),
])
def test_presets_equal_dramsys_memspecs(preset, file):
    dev = read_memspec(REFERENCE / "memspec" / file)
    assert dev == PRESETS[preset]
    assert load_device(REFERENCE / "memspec" / file) == PRESETS[preset]


def test_memspec_round_trip(tmp_path):
    for dev in PRESETS.values():
        p = tmp_path / f"{dev.name}.json"
        p.write_text(json.dumps(dev.to_memspec()))
        assert read_memspec(p) == dev


def test_device_figures():
    d = PRESETS["DDR4-2400"]
    assert d.burst_bytes == 64 and d.burst_cycles == 4
    assert d.peak_bandwidth_gbps == pytest.approx(64 / (4 * 0.833))
    assert d.clock_mhz == pytest.approx(1200.48, rel=1e-4)


def test_bad_device_errors(tmp_path):
    with pytest.raises(UserError, match="unknown DRAM device 'DDR9'"):
        load_device("DDR9")
    bad = tmp_path / "bad.json"
    bad.write_text('{"memspec": {"memoryType": "DDR4"}}')
    with pytest.raises(UserError, match="not a DRAMSys memspec"):
        read_memspec(bad)
    bad.write_text("{not json")
    with pytest.raises(UserError, match="bad.json:1: not valid JSON"):
        read_memspec(bad)


# -- address mappings ----------------------------------------------------------------------------------------

def test_default_mapping_is_row_bank_column():
    dev = PRESETS["DDR4-2400"]
    dec = default_mapping(dev).decode(np.array([addr(row=5, bank=2, bg=3, col=16)]), dev)
    assert (dec.row[0], dec.bank[0], dec.bank_group[0], dec.column[0]) == (5, 3 * 4 + 2, 3, 16)


def test_reads_dramsys_mappings():
    dev = PRESETS["DDR4-2400"]
    am = read_address_mapping(REFERENCE / "addressmapping" / "am_ddr4_8x4Gbx8_dimm_p1KB_brc.json")
    a = (7 << 13) | (2 << 28) | (1 << 30) | (5 << 3)  # row 7, bank group 2, bank 1, column 5
    dec = am.decode(np.array([a]), dev)
    assert (dec.row[0], dec.bank_group[0], dec.bank[0], dec.column[0]) == (7, 2, 2 * 4 + 1, 5)
    ddr3 = read_address_mapping(REFERENCE / "addressmapping" / "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json")
    ddr3.check(PRESETS["DDR3-1600"])
    with pytest.raises(UserError, match="ROW_BIT has 14 bits but MICRON_4Gb_DDR4-2400_8bit_A needs 15"):
        ddr3.check(dev)


def test_xor_and_noncontiguous_bits():
    dev = PRESETS["DDR3-1600"]
    am = AddressMapping.from_dict({"addressmapping": {
        "BYTE_BIT": [0, 1, 2], "COLUMN_BIT": list(range(3, 13)),
        "BANK_BIT": [[13, 16], 14, 20], "ROW_BIT": [15, 16, 17, 18, 19] + list(range(21, 30)),
    }})
    am.check(dev)
    a = np.array([(1 << 13), (1 << 16), (1 << 13) | (1 << 16), (1 << 20) | (1 << 14)], dtype=np.uint64)
    dec = am.decode(a, dev)
    assert dec.bank.tolist() == [1, 1, 0, 6]
    assert dec.row.tolist() == [0, 2, 2, 0]


def test_mapping_errors(tmp_path):
    with pytest.raises(UserError, match="unknown field 'BANKS_BIT'"):
        AddressMapping.from_dict({"BANKS_BIT": [1]})
    with pytest.raises(UserError, match=r"bit\(s\) \[3\] are mapped to more than one field"):
        AddressMapping.from_dict({"BYTE_BIT": [0, 1, 2, 3], "COLUMN_BIT": [3, 4]})
    with pytest.raises(UserError, match="does not exist"):
        read_address_mapping(tmp_path / "none.json")


# -- traces --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,problem", [
    ("0: read 0x0\nfoo\n", "t.stl:2: expected '<cycle>: <read|write> <hex address>'"),
    ("x: read 0x0\n", "t.stl:1: timestamp 'x' is not a non-negative integer"),
    ("5: read 0x0\n-3: read 0x40\n", "t.stl:2: timestamp -3 is negative"),
    ("0: fetch 0x0\n", "t.stl:1: unknown command 'fetch'"),
    ("0: read 0xZZ\n", "t.stl:1: address '0xZZ' is not hexadecimal"),
    ("0: read\n", "t.stl:1: missing hex address"),
    ("0: (abc) read 0x0\n", "t.stl:1: length '\\(abc\\)'"),
    ("# only a comment\n", "t.stl: the trace holds no requests"),
    ("0: write 0x0 0xqq\n", "t.stl:1: data 'qq'|t.stl:1: data '0xqq'"),
])
def test_malformed_trace_names_file_line_and_problem(tmp_path, text, problem):
    p = tmp_path / "t.stl"
    p.write_text(text)
    with pytest.raises(UserError, match=problem):
        read_trace(p)


def test_stl_and_npz_round_trip(tmp_path):
    t = generate("random", 300)
    for suffix in (".stl", ".npz"):
        back = read_trace(write_trace(t, tmp_path / f"r{suffix}"))
        assert (back.cycle == t.cycle).all() and (back.address == t.address).all()
        assert (back.is_write == t.is_write).all()
    assert simulate(tmp_path / "r.stl") == simulate(t) == simulate(tmp_path / "r.npz")


def test_parses_dramsys_syntax():
    t = parse_stl("# c\n31:\tread\t0x400140\n33: (128) write 0x40 0xabcdef\n\n40: READ 0x80 # tail\n")
    assert t.cycle.tolist() == [31, 33, 40] and t.is_write.tolist() == [False, True, False]
    assert t.length.tolist() == [0, 128, 0]
    r = run(t)
    assert r.counters["wr"] == 2 and r.counters["rd"] == 2  # the 128-byte write is two bursts


def test_reads_dramsys_example_traces_on_ddr3():
    ref = REFERENCE
    m = simulate(ref / "traces" / "example.stl", read_mcconfig(ref / "mcconfig" / "fr_fcfs.json"),
                 device=ref / "memspec" / "MICRON_1Gb_DDR3-1600_8bit_G.json",
                 address_mapping=ref / "addressmapping" / "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json",
                 trace_clock_mhz=800)
    assert m["rd_count"] + m["wr_count"] == 1876
    m2 = simulate(ref / "traces" / "pct.stl", device="DDR3-1600")
    assert m2["wr_count"] + m2["rd_count"] == 100


def test_trace_clock_scales_timestamps():
    t = trace([0, 100], [addr(row=0), addr(row=0, col=8)])
    fast = run(t, trace_clock_mhz=PRESETS["DDR4-2400"].clock_mhz)
    slow = run(t, trace_clock_mhz=PRESETS["DDR4-2400"].clock_mhz / 2)
    assert fast.arrival.tolist() == [0, 100] and slow.arrival.tolist() == [0, 200]


def test_relative_trace_waits_for_previous_response(tmp_path):
    p = tmp_path / "r.rstl"
    p.write_text("0: read 0x0\n10: read 0x40\n10: read 0x80\n")
    r = run(p, {"RefreshPolicy": "NoRefresh"})
    assert r.arrival[1] == r.deliver[0] + 10 and r.arrival[2] == r.deliver[1] + 10


def test_workloads_are_deterministic_and_shaped_like_archgym():
    for w in WORKLOADS:
        a, b = generate(w), generate(w)
        assert len(a) == 10_000 and (a.address == b.address).all() and (a.cycle == b.cycle).all()
        assert int(a.address.max()) < 1 << 30 and (a.address % 64 == 0).all()
        if w in PATTERNS:
            assert (np.diff(a.cycle) == 1).all()
            continue
        # the pattern's requests, Poisson arrivals at the offered load (a 64-byte burst per 4 clocks is the peak)
        pattern = generate(w.split("@")[0])
        assert (a.address == pattern.address).all() and (a.is_write == pattern.is_write).all()
        assert a.clock_mhz == 1200.0 and offered_load(w) in (0.25, 0.5)
        assert a.cycle[-1] / (len(a) - 1) == pytest.approx(4 / offered_load(w), rel=0.03)
        gaps = np.diff(a.cycle)
        assert (gaps >= 0).all() and gaps.std() == pytest.approx(gaps.mean(), rel=0.05)  # exponential
    c1 = generate("cloud-1")
    assert (np.diff(c1.address[:50].astype(np.int64)) == 64).all() and not c1.is_write.any()
    assert generate("random").n_writes > 0 and generate("stream").n_writes == 10_000 // 3


# -- mcconfig ------------------------------------------------------------------------------------------------

def test_mcconfig_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    for _ in range(20):
        d = SPACE.sample(rng)
        assert read_mcconfig(write_mcconfig(d, tmp_path / "mc.json")) == d


def test_reads_dramsys_mcconfigs():
    d = read_mcconfig(REFERENCE / "mcconfig" / "fr_fcfs_grp.json")
    assert d["Scheduler"] == "FrFcfsGrp" and d["RequestBufferSize"] == 8 and d["Arbiter"] == "Simple"
    assert read_mcconfig(REFERENCE / "mcconfig" / "fr_fcfs.json")["RefreshMaxPostponed"] == 0
    with pytest.raises(UserError, match="fr_fcfs_refp2b.json: knob 'RefreshPolicy': 'Per2Bank' is not allowed"):
        read_mcconfig(REFERENCE / "mcconfig" / "fr_fcfs_refp2b.json")


def test_design_errors():
    with pytest.raises(UserError, match="unknown knob 'Pagepolicy'"):
        simulate(trace([0], [0]), {"Pagepolicy": "Open"})
    with pytest.raises(UserError, match="knob 'Scheduler': 'Lifo' is not allowed"):
        simulate(trace([0], [0]), {"Scheduler": "Lifo"})


def test_without_numba_the_model_runs_as_python_and_says_so_once(monkeypatch, caplog):
    from archgym import compiled
    from archgym.simulators.dram import controller

    monkeypatch.setattr(controller, "_COMPILED", False)
    monkeypatch.setattr(compiled, "AVAILABLE", False)
    monkeypatch.setattr(compiled, "_warned", [])
    with caplog.at_level("WARNING", logger="archgym.compiled"):
        assert controller.get_kernel() is controller._kernel
        controller.get_kernel()
    assert len(caplog.records) == 1 and "archgym[fast]" in caplog.text and "same results" in caplog.text


def test_dram_env_runs_without_numba_with_the_same_numbers():
    """The optional-numba policy end to end: a fresh interpreter where numba cannot be imported."""
    import json
    import subprocess
    import sys

    script = ("import sys, json; sys.modules['numba'] = None\n"
              "import gymnasium, archgym\n"
              "env = gymnasium.make('archgym/DRAM-v1', workload='stream')\n"
              "print(json.dumps(dict(env.unwrapped.evaluate({'PagePolicy': 'Closed', 'Scheduler': 'Fifo'}))))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "numba is not installed" in done.stderr and done.stderr.count("archgym[fast]") == 1
    import gymnasium

    env = gymnasium.make("archgym/DRAM-v1", workload="stream")
    assert json.loads(done.stdout) == dict(env.unwrapped.evaluate({"PagePolicy": "Closed", "Scheduler": "Fifo"}))
