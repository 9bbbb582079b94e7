"""The FARSI converter reproduces the shipped workloads and reports bad tables precisely."""

from __future__ import annotations

import json
import shutil

import pytest

from archgym.errors import UserError
from archgym.simulators.soc import convert_farsi, load_workload, read_farsi_workload, shipped_workloads
from archgym.simulators.soc.taskgraph import DATA_DIR, TaskGraph


@pytest.mark.parametrize("name", shipped_workloads())
def test_converter_matches_shipped(farsi_ref, tmp_path, name):
    out = tmp_path / f"{name}.json"
    convert_farsi(farsi_ref / name, out)
    assert json.loads(out.read_text()) == json.loads((DATA_DIR / f"{name}.json").read_text())


def test_shipped_set():
    names = set(shipped_workloads())
    assert {"audio_decoder", "edge_detection", "hpvm_cava", "SOC_example_1p", "SOC_example_8p"} <= names


def test_shipped_credit_farsi():
    for name in shipped_workloads():
        assert "FARSI" in load_workload(name).source


def test_prefix_layout(farsi_ref, tmp_path):
    sheets = {
        "task_data_movement.csv": "Task Data Movement.csv",
        "task_pe_performance.csv": "Task PE Performance.csv",
        "task_pe_energy.csv": "Task PE Energy.csv",
        "task_pe_area.csv": "Task PE Area.csv",
        "task_itr_count.csv": "Task Itr Count.csv",
    }
    for normal, farsi in sheets.items():
        shutil.copy(farsi_ref / "audio_decoder" / normal, tmp_path / f"audio_decoder_database - {farsi}")
    shutil.copy(farsi_ref / "misc" / "budget.csv", tmp_path / "misc_database - Budget.csv")
    shutil.copy(farsi_ref / "misc" / "last_tasks.csv", tmp_path / "misc_database - Last Tasks.csv")
    g = read_farsi_workload(tmp_path / "audio_decoder_database")
    assert g.to_dict() == load_workload("audio_decoder").to_dict()


def test_units_and_roles():
    g = load_workload("audio_decoder")
    assert g.last_task == "dummy_last"
    assert g.task("souurce").role == "source" and g.task("siink").role == "sink"
    assert g.task("dummy_last").role == "dummy"
    fir = g.task("FIR_left_fxp_cloned")
    assert (fir.a53_cycles, fir.ip_cycles, fir.ip_energy_fj, fir.ip_area_um2) == (679206, 19261, 38.597, 19496.0)
    assert g.budgets == {"latency_s": 0.021, "power_w": 0.008737, "area_mm2": pytest.approx(17.475)}


def _copy(farsi_ref, tmp_path, name="SOC_example_1p"):
    dst = tmp_path / name
    shutil.copytree(farsi_ref / name, dst)
    return dst


def test_bad_number_names_file_row_column(farsi_ref, tmp_path):
    folder = _copy(farsi_ref, tmp_path)
    p = folder / "task_pe_performance.csv"
    p.write_text(p.read_text().replace("1046", "lots"))
    with pytest.raises(UserError, match=r"task_pe_performance.csv: row 3, column 'A53': 'lots'"):
        read_farsi_workload(folder)


def test_unknown_consumer_names_row_column(farsi_ref, tmp_path):
    folder = _copy(farsi_ref, tmp_path)
    p = folder / "task_data_movement.csv"
    p.write_text(p.read_text().replace("souurce,,6400,", "souurce,5,6400,"))
    with pytest.raises(UserError, match=r"task_data_movement.csv: row 2, column 'source'"):
        read_farsi_workload(folder)


def test_unknown_task_row(farsi_ref, tmp_path):
    folder = _copy(farsi_ref, tmp_path)
    p = folder / "task_pe_area.csv"
    p.write_text(p.read_text() + "ghost,1\n")
    with pytest.raises(UserError, match=r"task_pe_area.csv: row 5, column 'Task Name': 'ghost'"):
        read_farsi_workload(folder)


def test_missing_folder():
    with pytest.raises(UserError, match="no FARSI workload"):
        read_farsi_workload("/nonexistent/thing")


def test_json_errors(tmp_path):
    bad = tmp_path / "w.json"
    bad.write_text("{ nope")
    with pytest.raises(UserError, match=r"w.json: line 1, column 3"):
        load_workload(bad)
    data = load_workload("SOC_example_1p").to_dict()
    data["tasks"][1]["a53_cycles"] = "x"
    with pytest.raises(UserError, match=r"tasks\[1\].a53_cycles"):
        TaskGraph.from_dict(data, "w.json")
    data = load_workload("SOC_example_1p").to_dict()
    data["edges"].append({"src": "siink", "dst": "souurce", "bytes": 1})
    with pytest.raises(UserError, match="cycle"):
        TaskGraph.from_dict(data)


def test_unknown_name():
    with pytest.raises(UserError, match="valid choices"):
        load_workload("no_such_workload")
