"""What ``auto`` would choose per target at several tree margins, and how each choice scores on held-out designs.

For each env, training size and target this fits every ``auto`` candidate
(``proxy.CANDIDATES["auto"]``) exactly as :func:`archgym.proxy.train` does (same
split, features, target transform, seed), records its validation RMSE and its
RMSE (% of mean) and Spearman on ``run.py``'s fixed held-out test set, and
prints, per margin, the candidate ``auto`` keeps (a tree's validation RMSE is
divided by the margin; 0 = never a tree, the ``auto`` of before) next to
``rf``.

Usage:
    python benchmarks/proxy/auto_choice.py [--envs ID ...] [--sizes 1000 3000 10000] [--margins 0 0.9 1]
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from run import dataset, targets_of  # run.py beside this file: the cached datasets and targets

from archgym import proxy
from archgym.proxy import training

HERE = Path(__file__).parent


def candidates(env_id: str, data: Path, sizes: list[int], n_test: int = 2000) -> list[dict[str, Any]]:
    """Validation and held-out test figures of every ``auto`` candidate, per training size and target."""
    df = dataset(env_id, data, max(sizes) + n_test)
    targets = targets_of(env_id)
    perm = np.random.default_rng(0).permutation(len(df))  # run.py's held-out split
    test, pool = df.iloc[perm[:n_test]], df.iloc[perm[n_test:]]
    test = test[test["feasible"].astype(bool)]
    out = []
    for n in sizes:
        d = proxy.training_frame(pool.iloc[:n])
        schema = proxy.FeatureSchema.from_frame(d, with_workload=False)
        schema = replace(schema, derived=proxy.derived_features(env_id, [str(d["workload"].iloc[0])], schema.knobs))
        rows = np.flatnonzero(d["feasible"].astype(bool).to_numpy())
        x, x_test = schema.encode_frame(d)[rows], schema.encode_frame(test)
        tr, va, _ = proxy.split_indices(len(rows), 0)
        for t in targets:
            y = d[f"metric.{t}"].to_numpy(dtype=float)[rows]
            y_test = test[f"metric.{t}"].to_numpy(dtype=float)
            for cand in proxy.CANDIDATES["auto"]:
                params = dict(cand)
                kind = params.pop("estimator")
                log_target = params.pop("target", "log") == "log" and bool(np.all(y > 0))
                z = np.log(y) if log_target else y
                mean, scale = float(np.mean(z[tr])), float(np.std(z[tr])) or 1.0
                with training._one_thread():
                    est = training._estimator(kind, 0, params, raw_columns=schema.log_columns)
                    est.fit(x[tr], (z[tr] - mean) / scale)
                tm = proxy.TargetModel(est, log_target, mean, scale, dict(cand))
                with np.errstate(over="ignore", invalid="ignore"):
                    val = float(np.sqrt(np.mean((tm.predict(x[va]) - y[va]) ** 2)))
                    s = proxy.score(y_test, tm.predict(x_test))
                out.append({"env": env_id, "n": n, "target": t, "kind": kind, "candidate": cand, "val_rmse": val,
                            "rmse_pct": s["rmse_pct_of_mean"], "spearman": s["spearman"]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envs", nargs="*", default=["archgym/DRAM-v1", "archgym/Accelerator-v1", "archgym/SoC-v1"])
    ap.add_argument("--sizes", nargs="*", type=int, default=[1000, 3000, 10000])
    ap.add_argument("--margins", nargs="*", type=float, default=[0.0, 0.9, 1.0])
    ap.add_argument("--data", type=Path, default=HERE / ".data", help="dataset cache folder (run.py's)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print("| env | n | target | rf | " + " | ".join(f"auto, margin {m:g}" for m in args.margins) + " |")
    print("| --- | --- | --- | --- | " + " | ".join("---" for _ in args.margins) + " |")
    for env_id in args.envs:
        rows = candidates(env_id, args.data, args.sizes)
        for n in args.sizes:
            for t in dict.fromkeys(r["target"] for r in rows):
                group = [r for r in rows if r["n"] == n and r["target"] == t]
                rf = next(r for r in group if r["kind"] == "rf")
                cells = []
                for m in args.margins:
                    def adjusted(r: dict[str, Any], m: float = m) -> float:
                        if r["kind"] not in ("rf", "gbt"):
                            return r["val_rmse"]
                        return r["val_rmse"] / m if m > 0 else float("inf")
                    c = min(group, key=adjusted)
                    cells.append(f"{c['kind']} {c['rmse_pct']:.2f}% / {c['spearman']:.3f}")
                print(f"| {env_id} | {n} | {t} | {rf['rmse_pct']:.2f}% / {rf['spearman']:.3f} | "
                      + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
