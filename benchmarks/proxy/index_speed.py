"""Proxy batch speed: design dicts against action-index arrays, side by side with the simulator.

For each env and model kind this trains a proxy on the cached benchmark dataset
(``run.py`` collects it under ``--data``; the first ``--n`` records), takes
``--batch`` feasible held-out designs (as ``run.py``'s speed table does) as a
``(n, n_knobs)`` array of action indices, and prints the time per design of

* the simulator's ``evaluate_batch`` on the decoded design dicts,
* the proxy on design dicts (``ProxyModel.predict``: dicts -> feature matrix -> models),
* the proxy on the index array without the poly look-up tables (``predict_encoded(encoder(idx))``:
  table encoding -> models, what ``predict_indices`` did before the tables),
* the proxy on the index array (``ProxyModel.predict_indices``: table look-up -> models, poly
  targets from per-knob-pair tables),
* ``ProxySimulator.evaluate_indices`` (the index path plus one ``Metrics`` per design,
  what ``DesignVectorEnv.step`` calls),

and the largest relative difference between the index and the dict paths' predictions
(0 except for ``poly`` targets, which the index path sums from per-knob-pair tables).

Usage:
    python benchmarks/proxy/index_speed.py [--envs ID ...] [--models auto mlp poly] [--n 3000] [--batch 2000]
"""

from __future__ import annotations

import argparse
import logging
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np
from run import dataset, one_thread  # run.py beside this file: the cached benchmark datasets

from archgym import proxy
from archgym.data.collect import make_env
from archgym.proxy import timing

HERE = Path(__file__).parent


def per_design(fn: Callable[[], object], n: int) -> float:
    """Seconds per design of ``fn`` (a batch of ``n``): one warm-up call, then the best of >= 1 s of runs."""
    fn()  # the first call of a process is slower (caches, lazily built tables)
    return timing._per_eval(fn, n, min_time=1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--envs", nargs="*", default=["archgym/DRAM-v1", "archgym/Accelerator-v1", "archgym/SoC-v1"])
    ap.add_argument("--models", nargs="*", default=["auto", "mlp", "poly"])
    ap.add_argument("--n", type=int, default=3000, help="training records")
    ap.add_argument("--batch", type=int, default=2000, help="designs per batch call")
    ap.add_argument("--data", type=Path, default=HERE / ".data", help="dataset cache folder (run.py's)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    one_thread()
    print("| env | model | simulator batch µs | proxy dict-batch µs | index-batch, no tables µs | "
          "proxy index-batch µs | evaluate_indices µs | speed-up dict | speed-up index, no tables | "
          "speed-up index | index vs dict (max rel diff) | estimators |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for env_id in args.envs:
        df = dataset(env_id, args.data, args.n + 2 * args.batch)
        env = make_env(env_id, workload=str(df["workload"].iloc[0]))  # the dataset's workload
        base = env.unwrapped
        space, sim, workload = base.design_space, base.simulator, base.workload
        held_out = df.iloc[args.n:]
        held_out = held_out[held_out["feasible"].astype(bool)].tail(args.batch)
        idx = np.stack([space.encode(d) for d in proxy.designs_of(held_out, space.names)])
        designs = space.decode_batch(idx)
        sim_s = per_design(partial(sim.evaluate_batch, designs, workload), len(designs))
        for kind in args.models:
            m = proxy.train(df.iloc[:args.n], None, kind, seed=0, measure_speed=False)
            wl = base.workload_name
            enc = m.index_encoder(space, wl)
            psim = proxy.ProxySimulator(m, sim)
            dict_s = per_design(partial(m.predict, designs, wl), len(designs))
            plain_s = per_design(lambda m=m, enc=enc, idx=idx: m.predict_encoded(enc(idx)), len(designs))
            index_s = per_design(partial(m.predict_indices, idx, enc), len(designs))
            metrics_s = per_design(partial(psim.evaluate_indices, idx, wl), len(designs))
            (a, fa), (b, fb) = m.predict(designs, wl), m.predict_indices(idx, enc)
            assert (fa == fb).all()
            diff = max(float(np.max(np.abs(a[t] - b[t]) / np.abs(a[t]))) for t in a)
            est = ", ".join(f"{t} {e}" for t, e in m.transforms()["estimators"].items())
            print(f"| {env_id} | {kind} | {1e6 * sim_s:.1f} | {1e6 * dict_s:.2f} | {1e6 * plain_s:.3f} | "
                  f"{1e6 * index_s:.3f} | {1e6 * metrics_s:.2f} | {sim_s / dict_s:.0f}x | {sim_s / plain_s:.0f}x | "
                  f"{sim_s / index_s:.0f}x | {diff:.1e} | {est} |", flush=True)
        env.close()


if __name__ == "__main__":
    main()
