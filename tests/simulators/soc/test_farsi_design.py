"""FARSI's CSV design form: read errors, export, and round trips through evaluate_farsi."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from archgym.errors import UserError
from archgym.simulators.soc import SoCSimulator, evaluate_farsi, read_hardware_graph
from archgym.simulators.soc.hardware import block_from_farsi_name


def test_block_names():
    assert block_from_farsi_name("LMEM_ic_2_1_sr1").width == 16
    assert block_from_farsi_name("LMEM_0_1_ta10").subtype == "sram"
    assert block_from_farsi_name("GMEM_5_1_x").width == 128
    assert block_from_farsi_name("LMEM_ic_0_0").kind == "ic"  # old name without the frequency field
    assert block_from_farsi_name("FIR_IP0_1_1_0", ["FIR"]).ip_task == "FIR"
    with pytest.raises(UserError, match="unknown library block"):
        block_from_farsi_name("XYZ_1")


def test_hardware_header_error(farsi_ref, tmp_path):
    # audio_decoder's shipped graph has the wrong header cell (a known FARSI input problem)
    with pytest.raises(UserError, match=r"row 1, column 1: header cell must be 'Block Name'"):
        read_hardware_graph(farsi_ref / "audio_decoder" / "hardware_graph.csv")


def test_mapping_errors(farsi_ref, tmp_path):
    d = tmp_path / "d"
    shutil.copytree(farsi_ref / "SOC_example_1p", d)
    m = d / "task_to_hardware_mapping.csv"
    m.write_text(m.read_text().replace("participant0 -> siink", "participant0 to siink"))
    with pytest.raises(UserError, match=r"row 3, column .LMEM_2_1_ta10.: .participant0 to siink."):
        evaluate_farsi("SOC_example_1p", d / "hardware_graph.csv", m)
    m.write_text((farsi_ref / "SOC_example_1p" / "task_to_hardware_mapping.csv").read_text().replace(
        "participant0,,", "ghost,,"))
    with pytest.raises(UserError, match=r"row 4, column 'A53_0': 'ghost'"):
        evaluate_farsi("SOC_example_1p", d / "hardware_graph.csv", m)


def test_hpvm_cava_shipped_design(farsi_ref):
    d = farsi_ref / "hpvm_cava"
    m = evaluate_farsi("hpvm_cava", d / "hardware_graph.csv", d / "task_to_hardware_mapping.csv")
    assert m.feasible
    # one A53 runs the chain; gamut_map alone is 81.3e9 cycles = 81.3 s
    assert m["latency_s"] > 81.3


@pytest.mark.parametrize("workload", ["audio_decoder", "hpvm_cava", "SOC_example_8p"])
def test_export_round_trip_agent_mode(tmp_path, workload):
    sim = SoCSimulator(workload, "agent")
    rng = np.random.default_rng(0)
    n = 0
    for _ in range(200):
        d = sim.space.sample(rng)
        ours = sim.evaluate(d)
        if not ours.feasible:
            continue
        hw_csv, map_csv = sim.export_farsi(d, tmp_path / f"d{n}")
        theirs = evaluate_farsi(workload, hw_csv, map_csv)
        for k in ("latency_s", "power_w", "energy_j", "area_mm2"):
            assert theirs[k] == pytest.approx(ours[k], rel=1e-12)
        n += 1
        if n == 3:
            break
    assert n == 3


def test_export_heft_design_reads_back(tmp_path):
    sim = SoCSimulator("audio_decoder", "heft")
    d = {**sim.space.defaults(), "a53_cores": 3, "bus_count": 2, "ip_FIR_left_fxp_cloned": "yes"}
    hw_csv, map_csv = sim.export_farsi(d, tmp_path)
    m = evaluate_farsi("audio_decoder", hw_csv, map_csv)
    assert m.feasible
    # FARSI's form has no queue order; HEFT's order may differ from the task order only in ties
    assert m["area_mm2"] == pytest.approx(sim.evaluate(d)["area_mm2"], rel=1e-12)


def test_export_infeasible(tmp_path):
    sim = SoCSimulator("audio_decoder", "agent")
    with pytest.raises(UserError, match="infeasible"):
        sim.export_farsi({"pe_FIR_left_fxp_cloned": "A53_3"}, tmp_path)
