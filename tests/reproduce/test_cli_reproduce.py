"""``archgym replay`` and ``archgym validate``: summary lines and exit codes (0 all agree, 1 not, 2 bad input)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

_helpers = runpy.run_path(str(Path(__file__).with_name("conftest.py")))
only_shard, edit_shard = _helpers["only_shard"], _helpers["edit_shard"]
TOY = "archgym-test/Toy-v0"


def test_replay_and_validate_exit_codes(tmp_path, run_cli):
    out = tmp_path / "run"
    code, _, err = run_cli(["run", "--env", TOY, "--agent", "random", "--budget", "6", "--out", str(out), "--quiet"])
    assert code == 0, err
    code, text, _ = run_cli(["replay", str(out)])
    assert code == 0 and "OK 6 checked, 6 agree, 0 differ, 0 not replayable" in text
    code, text, _ = run_cli(["validate", str(out), "--json", str(tmp_path / "v.json")])
    assert code == 0 and "1 runs validated: 1 reproduced" in " ".join(text.split())
    assert json.loads((tmp_path / "v.json").read_text())["runs"][0]["steps"] == 6

    edit_shard(only_shard(out / "records"), "reward", 1, 7.0)
    code, text, _ = run_cli(["replay", str(out), "--json", str(tmp_path / "r.json")])
    text = " ".join(text.split())
    assert code == 1 and "step 2: DIFFERS (exactly): reward: recorded 7.0" in text
    assert "FAIL 6 checked, 5 agree, 1 differ, 0 not replayable" in text
    assert json.loads((tmp_path / "r.json").read_text())["counts"] == {"agree": 5, "differ": 1, "not replayable": 0}
    code, text, _ = run_cli(["validate", str(out)])
    assert code == 1 and "diverges at step 2" in " ".join(text.split())


def test_bad_paths_are_one_line_user_errors(tmp_path, run_cli):
    for args, message in [
        (["replay", str(tmp_path / "nope")], "no such file or folder"),
        (["replay", str(tmp_path)], "not a run folder"),
        (["validate", str(tmp_path / "nope")], "no such file or folder"),
    ]:
        code, _, err = run_cli(args)
        assert code == 2 and message in err and err.count("\n") == 1, err
