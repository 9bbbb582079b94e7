"""Golden outputs of the controller model: the cases, how to compute them, and the fixture file.

The fixture ``data/golden.json`` holds the designs and, for every trace and
design, the headline metrics (JSON floats round-trip exactly) and a SHA-256
of everything the run produced: every metric bit for bit, the command
counters and the per-request arrival, completion and delivery times. It pins the model's results: an optimisation
of the event loop must reproduce them exactly.

Regenerate it only on a deliberate change of the model's behaviour::

    python tests/simulators/dram/golden.py
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from archgym.simulators.dram import PRESETS, SPACE, prepare
from archgym.simulators.dram.model import Prepared, SimResult, run_prepared
from archgym.simulators.dram.trace import Trace
from archgym.simulators.dram.workloads import PATTERNS

FIXTURE = Path(__file__).parent / "data" / "golden.json"


def designs() -> list[dict[str, Any]]:
    """The default design, every one-knob variant of it, and 16 random designs."""
    base = SPACE.defaults()
    out = [dict(base)]
    for knob in SPACE.names:
        for v in SPACE[knob].choices if hasattr(SPACE[knob], "choices") else ():
            if v != base[knob]:
                out.append({**base, knob: v})
    out += [{**base, "Arbiter": "Fifo", "MaxActiveTransactions": m} for m in (1, 4, 16)]
    out += [{**base, "Arbiter": "Reorder", "MaxActiveTransactions": 8},
            {**base, "RespQueue": "Reorder", "Scheduler": "FrFcfsGrp", "SchedulerBuffer": "ReadWrite"}]
    rng = np.random.default_rng(1234)
    out += [SPACE.sample(rng) for _ in range(16)]
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in d.items()} for d in out]


def _extra_traces() -> dict[str, Prepared]:
    """Light load with writes, long enough to force refreshes, and a two-rank device."""
    rng = np.random.default_rng(7)
    n = 3000
    addr = rng.integers(0, (1 << 30) // 64, n).astype(np.uint64) * np.uint64(64)
    light = Trace(np.arange(n, dtype=np.int64) * 37, rng.random(n) < 0.3, addr, name="light")
    two_rank = replace(PRESETS["DDR4-2400"], ranks=2, name="DDR4-2400-2R")
    return {"light": prepare(light), "random-2rank": prepare("random", two_rank)}


def traces() -> dict[str, Prepared]:
    """The prepared traces the golden outputs cover."""
    out = {w: prepare(w) for w in (*PATTERNS, "cloud-1@25", "random@50")}
    out.update(_extra_traces())
    return out


HEADLINE = ("latency_ns", "bandwidth_gbps", "row_hit_rate", "energy_pj")


def digest(res: SimResult) -> dict[str, Any]:
    """The headline metrics and a hash of everything a result says, exactly."""
    h = hashlib.sha256()
    for a in (res.arrival, res.complete, res.deliver):
        h.update(np.ascontiguousarray(a, dtype=np.int64).tobytes())
    for k, v in sorted(res.metrics.items()):
        h.update(f"{k}={float(v).hex()};".encode())
    for k, v in sorted(res.counters.items()):
        if k != "iterations":
            h.update(f"{k}={v};".encode())
    return {**{k: float(res.metrics[k]) for k in HEADLINE}, "sha256": h.hexdigest()[:32]}


def compute(ds: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("trace/design index", digest)`` for every trace and design."""
    for name, prep in traces().items():
        for i, d in enumerate(ds):
            yield f"{name}/{i}", digest(run_prepared(prep, d))


def load() -> dict[str, Any]:
    """The fixture: ``{"designs": [...], "results": {"trace/i": digest}}``."""
    return json.loads(FIXTURE.read_text())


def main() -> None:
    # keep the pinned designs (the design space has grown since: PerBank/SameBank are infeasible on DDR4)
    ds = load()["designs"] if FIXTURE.exists() else designs()
    out = {"designs": ds, "results": dict(compute(ds))}
    FIXTURE.write_text(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
