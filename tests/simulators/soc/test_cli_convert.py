"""`archgym soc convert-farsi` turns FARSI's tables into a workload the SoC env runs."""

from __future__ import annotations

import gymnasium
import pytest

from archgym.cli import main


def test_convert_then_run(farsi_ref, tmp_path, capsys):
    src = farsi_ref / "SOC_example_1p"
    with pytest.raises(SystemExit) as exc:
        main(["soc", "convert-farsi", str(src), str(tmp_path / "wl.json")])
        raise SystemExit(0)
    assert exc.value.code == 0 and "converted" in capsys.readouterr().out
    env = gymnasium.make("archgym/SoC-v1", workload=str(tmp_path / "wl.json"))
    env.reset(seed=0)
    assert "feasible" in env.step(env.action_space.sample())[4]


def test_convert_missing_source_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["soc", "convert-farsi", str(tmp_path / "nope"), str(tmp_path / "wl.json")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "nope" in err and "Traceback" not in err
    assert not (tmp_path / "wl.json").exists()
