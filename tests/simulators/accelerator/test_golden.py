"""Golden results of the accelerator model, compared bit for bit: optimisations may not change one result.

The record holds random designs x every workload (batch form), per-layer
metrics of a few designs, and a digest of every candidate table.
``python tests/simulators/accelerator/test_golden.py`` rewrites
``data/golden.json``; do that only for an intended change of the model.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archgym.simulators.accelerator import SPACE, AcceleratorSimulator, tiling
from archgym.simulators.accelerator.workloads import WORKLOADS, load_workload

PATH = Path(__file__).resolve().parent / "data" / "golden.json"
SEED = 20240611
N_DESIGNS = 200

#: user layers beyond the shipped networks: grouped, batched, strided, odd and tiny shapes
USER_LAYERS: list[dict[str, Any]] = [
    {"name": "grouped", "K": 96, "C": 96, "OY": 28, "OX": 28, "FY": 3, "FX": 3, "groups": 3},
    {"name": "batched", "K": 64, "C": 48, "OY": 14, "OX": 14, "FY": 3, "FX": 3, "B": 6},
    {"name": "strided", "K": 40, "C": 3, "OY": 55, "OX": 57, "FY": 11, "FX": 7, "stride": 4},
    {"name": "odd", "K": 1000, "C": 777, "OY": 1, "OX": 1},
    {"name": "tiny", "K": 1, "C": 1, "OY": 1, "OX": 1},
    {"name": "gemm", "K": 3072, "C": 768, "OY": 1, "OX": 129, "B": 3},
    {"name": "dw", "K": 144, "C": 144, "OY": 56, "OX": 56, "FY": 3, "FX": 3, "stride": 2, "groups": 144},
]


def designs() -> list[dict[str, Any]]:
    """The default design plus ``N_DESIGNS`` random ones, drawn with a fixed seed."""
    rng = random.Random(SEED)
    out = [{}]
    for _ in range(N_DESIGNS):
        out.append({p.name: rng.choice(p.choices) for p in SPACE})
    return out


def workloads() -> dict[str, Any]:
    """Every shipped workload, the user layers as one network, and each user layer alone."""
    out: dict[str, Any] = {name: name for name in WORKLOADS}
    out["user"] = USER_LAYERS
    out.update({f"user:{layer['name']}": layer for layer in USER_LAYERS})
    return out


def _metrics(m) -> str | list[str]:
    """A JSON-exact record of one Metrics: its values by repr (they round-trip bit for bit), or its reason."""
    if not m.feasible:
        return m.reason
    return [repr(float(m[k])) for k in AcceleratorSimulator().metric_names]


def table_digests() -> dict[str, str]:
    """SHA-256 of every candidate table the workloads build, keyed by layer shape."""
    shapes = sorted({layer.shape for spec in workloads().values() for layer in load_workload(spec).layers})
    out = {}
    for shape, table in zip(shapes, tiling.candidate_tables(shapes)):
        h = hashlib.sha256()
        for name in table.__dataclass_fields__:
            arr = np.ascontiguousarray(getattr(table, name), dtype=np.int64)
            h.update(name.encode())
            h.update(arr.tobytes())
        out[",".join(map(str, shape))] = h.hexdigest()
    return out


def compute() -> dict[str, Any]:
    """The golden record: designs, per-workload metrics of each (batch form), per-layer metrics, table digests."""
    sim = AcceleratorSimulator()
    ds = designs()
    results = {name: [_metrics(m) for m in sim.evaluate_batch(ds, spec)] for name, spec in workloads().items()}
    per_layer = {
        name: [[[lname, _metrics(m)] for lname, m in sim.evaluate_layers(d, spec)] for d in ds[:8]]
        for name, spec in (("resnet18", "resnet18"), ("mobilenetv2", "mobilenetv2"), ("user", USER_LAYERS))
    }
    return {"metric_names": list(AcceleratorSimulator().metric_names), "designs": ds, "results": results,
            "per_layer": per_layer, "tables": table_digests()}



@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(PATH.read_text())


def test_designs_unchanged(stored):
    assert stored["designs"] == designs()


def test_metrics_bit_for_bit(stored):
    tiling.clear_caches()
    now = compute()
    assert now["metric_names"] == stored["metric_names"]
    for name, rows in stored["results"].items():
        assert now["results"][name] == rows, name
    assert now["per_layer"] == stored["per_layer"]
    assert now["tables"] == stored["tables"]


if __name__ == "__main__":
    PATH.write_text(json.dumps(compute(), separators=(",", ":"), sort_keys=True) + "\n")
