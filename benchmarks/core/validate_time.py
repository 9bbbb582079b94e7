"""What checking a run costs against making it: ``archgym run`` vs ``validate`` vs ``replay``, side by side.

For each (env, agent, budget) below and each repeat, in this order in one process:

1. run it as ``archgym run`` does (the CLI in-process, ``--quiet``); its search time
   (env, records and agent, not the plot) is what ``best.json`` records as ``seconds``;
2. ``archgym.reproduce.validate_run`` on the run folder (read records and best.json,
   rebuild env and agent, re-run, compare every step) - must reproduce;
3. ``archgym.reproduce.replay`` on the same folder (re-simulate every record in one batch) - must agree.

One untimed warm-up repeat comes first (imports, caches). Prints medians over the repeats
with min-max spreads, and the ratios validate/run and replay/run of the medians. The
configurations run interleaved, repeat after repeat.

Run: ``python benchmarks/core/validate_time.py [--repeats 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

CONFIGS = [
    ("archgym/Accelerator-v1", "random", 200),
    ("archgym/DRAM-v1", "ga", 100),
    ("archgym/SoC-v1", "tpe", 60),
    ("archgym/Accelerator-v1", "ppo", 128),
]


def one_repeat(env_id: str, agent: str, budget: int, out: Path) -> tuple[float, float, float]:
    """Seconds of the run's search, its validation and its replay."""
    from archgym.cli import main
    from archgym.reproduce import replay, validate_run

    with contextlib.redirect_stdout(io.StringIO()):  # the run's own tables
        main(["run", "--env", env_id, "--agent", agent, "--budget", str(budget), "--seed", "0", "--out", str(out),
              "--quiet"])
    run_s = json.loads((out / "best.json").read_text())["seconds"]
    t = time.perf_counter()
    checked = validate_run(out)
    validate_s = time.perf_counter() - t
    if not checked.ok:
        raise SystemExit(f"validation failed: {checked.message()}")
    t = time.perf_counter()
    report = replay(out)
    replay_s = time.perf_counter() - t
    if not report.ok:
        raise SystemExit(f"replay failed: {report.summary()}")
    return run_s, validate_s, replay_s


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} s [{min(values):.2f}-{max(values):.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    times: dict[int, list[tuple[float, float, float]]] = {i: [] for i in range(len(CONFIGS))}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(-1, args.repeats):  # repeat -1 warms imports and caches up and is not counted
            for i, (env_id, agent, budget) in enumerate(CONFIGS):
                result = one_repeat(env_id, agent, budget, Path(tmp) / f"r{r}-c{i}")
                if r >= 0:
                    times[i].append(result)
    print(f"median of {args.repeats} repeats [min-max]; every validation reproduced, every replay agreed")
    print(f"{'env':24} {'agent':6} {'budget':>6}  {'run (search)':>22}  {'validate':>22}  {'replay':>22}"
          f"  validate/run  replay/run")
    for i, (env_id, agent, budget) in enumerate(CONFIGS):
        run_s, val_s, rep_s = (list(col) for col in zip(*times[i]))
        ratio_v = statistics.median(val_s) / statistics.median(run_s)
        ratio_r = statistics.median(rep_s) / statistics.median(run_s)
        print(f"{env_id:24} {agent:6} {budget:6d}  {spread(run_s)}  {spread(val_s)}  {spread(rep_s)}"
              f"  {ratio_v:11.2f}x  {ratio_r:9.2f}x")


if __name__ == "__main__":
    main()
