"""The dataset and proxy commands, end to end: collect -> info -> train -> report, and their errors."""

from __future__ import annotations

import json

import gymnasium
import pytest
from typer.testing import CliRunner

from archgym.cli import app, main

TOY = "archgym-test/Toy-v0"
runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_collect_info_merge_export_train_report(tmp_path):
    data, other = tmp_path / "data", tmp_path / "other"
    out = _ok("dataset", "collect", "--env", TOY, "--samples", "150", "--out", str(data), "--agent", "random",
              "--quiet")
    assert "added" in out
    _ok("dataset", "collect", "--env", TOY, "--samples", "30", "--out", str(other), "--agent", "lhs",
        "--workload", "double", "--quiet")
    info = json.loads(_ok("dataset", "info", str(data), "--json", "--verify"))
    assert info["rows"] > 0 and info["problems"] == [] and "colour" in {c["knob"] for c in info["coverage"]}
    assert "knob coverage" in _ok("dataset", "info", str(data))
    assert "duplicates" in _ok("dataset", "merge", str(data), str(other), "--out", str(tmp_path / "m"))
    _ok("dataset", "export", str(data), "--format", "csv", "--out", str(tmp_path / "d.csv"))
    assert (tmp_path / "d.csv").exists()
    model = tmp_path / "toy.proxy"
    out = _ok("proxy", "train", str(data), "--target", "latency_cycles", "--target", "area_mm2", "--out", str(model))
    assert "Spearman" in out and "speed-up" in out
    out = _ok("proxy", "report", str(model), "--plot", str(tmp_path / "p.png"))
    assert "RMSE" in out and (tmp_path / "p.png").exists()
    env = gymnasium.make(TOY, cost_model="proxy", proxy=str(model))
    env.reset(seed=0)
    assert env.step(env.action_space.sample())[-1]["predicted"]
    out = _ok("run", "--env", TOY, "--budget", "5", "--env-arg", "cost_model=proxy", "--env-arg", f"proxy={model}",
              "--objective", "minimize:latency_cycles", "--out", str(tmp_path / "run"), "--quiet")
    assert "metrics are predicted by a proxy model" in " ".join(out.split())
    assert json.loads((tmp_path / "run" / "best.json").read_text())["predicted"] is True


def test_verify_exits_1_on_a_damaged_shard(tmp_path):
    data = tmp_path / "data"
    _ok("dataset", "collect", "--env", TOY, "--samples", "40", "--out", str(data), "--quiet")
    shard = sorted(data.glob("*.parquet"))[0]
    raw = bytearray(shard.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    shard.write_bytes(bytes(raw))
    result = runner.invoke(app, ["dataset", "info", str(data), "--verify"])
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "checksum differs" in text and "--verify found" in text


@pytest.mark.parametrize("argv, message", [
    (["dataset", "info", "/nonexistent/data"], "no dataset folder"),
    (["dataset", "collect", "--env", "archgym/Nope-v0", "--samples", "3", "--out", "/tmp/x"], "unknown env"),
    (["dataset", "export", ".", "--format", "xml"], "unknown --format"),
    (["proxy", "report", "/nonexistent/model.proxy"], "no proxy model file"),
])
def test_user_errors_exit_2_with_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) <= 2
