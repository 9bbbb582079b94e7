"""Learning curves of PPO, A2C and DQN on each RL formulation of the accelerator and DRAM envs.

For every (env, formulation, policy, seed) it trains the archgym agent
(``ppo``, ``a2c``, ``dqn`` with their default hyperparameters) on
``gymnasium.make(env, formulation=F)`` for a fixed number of simulator
evaluations, and a uniformly random policy on the same env for as many, and
logs every finished episode: its return and the evaluations made so far.
Episode returns are in the formulation's own reward (``"archgym"``: the raw
objective summed over a 10-design episode; ``"bandit"``: the scaled reward of
one design; ``"edit"``: the scaled improvement over a 10-edit episode). DQN
learns the complete-design formulations knob by knob
(:class:`~archgym.envs.wrappers.SequentialDesign`, one design per episode),
so its ``"archgym"`` episodes are rescaled to 10 designs (mean reward per
design x 10) like everyone's.

Output: ``curves.json`` (resumable cache), ``learning_curves.png`` (mean
episode return in windows of evaluations, median over seeds with a min..max
band) and a table of the last window's return per policy.

Usage::

    python benchmarks/rl/learning_curves.py                         # 300 evaluations, 3 seeds
    python benchmarks/rl/learning_curves.py --budget 1000 --formulations edit --window 100 \
        --plot benchmarks/rl/learning_curves_edit.png                 # the edit formulation for longer
    python benchmarks/rl/learning_curves.py --budget 100 --seeds 2 --envs archgym/Accelerator-v1
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ENVS = ("archgym/Accelerator-v1", "archgym/DRAM-v1")
FORMULATIONS = ("archgym", "bandit", "edit")
POLICIES = ("random", "ppo", "a2c", "dqn")


def episode_recorder(env: Any, log: list[tuple[int, float, int]]) -> Any:
    """``env`` wrapped so each finished episode appends (evaluations so far, return, length) to ``log``."""
    import gymnasium

    class Record(gymnasium.Wrapper):
        def __init__(self, inner: Any):
            super().__init__(inner)
            self.ret, self.length = 0.0, 0

        def _flush(self) -> None:
            if self.length:
                log.append((self.env.unwrapped.n_evaluations, self.ret, self.length))
            self.ret, self.length = 0.0, 0

        def reset(self, **kwargs: Any):
            self._flush()
            return self.env.reset(**kwargs)

        def step(self, action: Any):
            obs, reward, terminated, truncated, info = self.env.step(action)
            self.ret += float(reward)
            self.length += 1
            if terminated or truncated:
                self._flush()
            return obs, reward, terminated, truncated, info

    return Record(env)


def run_one(env_id: str, formulation: str, policy: str, seed: int, budget: int) -> dict[str, Any]:
    """One training run (or random-policy run) and its episode log."""
    import gymnasium
    import torch

    import archgym  # noqa: F401
    from archgym.agents import make_agent

    torch.set_num_threads(1)
    log: list[tuple[int, float, int]] = []
    env = episode_recorder(gymnasium.make(env_id, formulation=formulation), log)
    t0 = time.perf_counter()
    if policy == "random":
        base = env.unwrapped
        env.action_space.seed(seed)
        env.reset(seed=seed)
        while base.n_evaluations < budget:
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
        history_best = None
    else:
        history = make_agent(policy).run(env, budget=budget, seed=seed)
        history_best = history.best.reward if history.best else None
    return {"env": env_id, "formulation": formulation, "policy": policy, "seed": seed, "budget": budget,
            "episodes": log, "best": history_best, "wall_s": time.perf_counter() - t0}


def curve(run: dict[str, Any], window: int, max_steps: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Mean episode return per window of ``window`` evaluations (episodes binned by when they ended)."""
    edges = np.arange(window, run["budget"] + window, window)
    ys = np.full(len(edges), np.nan)
    eps = run["episodes"]
    for i, hi in enumerate(edges):
        lo = hi - window
        rets = [r * (max_steps / n if run["formulation"] == "archgym" else 1.0)
                for e, r, n in eps if lo < e <= hi]
        if rets:
            ys[i] = float(np.mean(rets))
    return edges, ys


def plot(runs: list[dict[str, Any]], envs: list[str], path: Path, window: int,
         formulations: tuple[str, ...] = FORMULATIONS) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"random": "grey", "ppo": "tab:blue", "a2c": "tab:orange", "dqn": "tab:green"}
    fig, axes = plt.subplots(len(envs), len(formulations), figsize=(max(8, 5 * len(formulations)), 4.2 * len(envs)),
                             dpi=100, squeeze=False)
    for r_i, env in enumerate(envs):
        for c_i, form in enumerate(formulations):
            ax = axes[r_i][c_i]
            for policy in POLICIES:
                rs = [r for r in runs if r["env"] == env and r["formulation"] == form and r["policy"] == policy]
                if not rs:
                    continue
                xs = curve(rs[0], window)[0]
                ys = np.vstack([curve(r, window)[1] for r in rs])
                with np.errstate(all="ignore"):
                    import warnings

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        med, lo, hi = np.nanmedian(ys, 0), np.nanmin(ys, 0), np.nanmax(ys, 0)
                ax.plot(xs, med, color=colours[policy], lw=1.6, label=policy)
                ax.fill_between(xs, lo, hi, color=colours[policy], alpha=0.15)
            ax.set_title(f"{env} — {form}", fontsize=10)
            ax.set_xlabel("simulator evaluations")
            ax.set_ylabel("mean episode return" + (" (10 designs)" if form == "archgym" else ""))
            if form == "archgym":
                ax.set_yscale("symlog", linthresh=200)
            ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8)
    fig.suptitle(f"episode return in windows of {window} evaluations: median and min..max over seeds", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def table(runs: list[dict[str, Any]], envs: list[str], window: int,
          formulations: tuple[str, ...] = FORMULATIONS) -> str:
    """Markdown: first- and last-window return per (env, formulation, policy), median over seeds."""
    lines = ["| env | formulation | policy | seeds | first window: median return | last window: median (min .. max) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for env in envs:
        for form in formulations:
            for policy in POLICIES:
                rs = [r for r in runs if r["env"] == env and r["formulation"] == form and r["policy"] == policy]
                if not rs:
                    continue
                ys = np.vstack([curve(r, window)[1] for r in rs])
                first, last = ys[:, 0], ys[:, -1]
                lines.append(f"| {env} | {form} | {policy} | {len(rs)} | {np.nanmedian(first):.4g} | "
                             f"{np.nanmedian(last):.4g} ({np.nanmin(last):.4g} .. {np.nanmax(last):.4g}) |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=300, help="simulator evaluations per run")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--window", type=int, default=50, help="evaluations per point of a curve")
    ap.add_argument("--envs", default=",".join(ENVS))
    ap.add_argument("--formulations", default=",".join(FORMULATIONS))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--runs", type=Path, default=HERE / "curves.json", help="cache of finished runs (resumable)")
    ap.add_argument("--plot", type=Path, default=HERE / "learning_curves.png")
    args = ap.parse_args()
    envs = args.envs.split(",")
    forms = tuple(args.formulations.split(","))
    done = json.loads(args.runs.read_text()) if args.runs.exists() else []
    have = {(r["env"], r["formulation"], r["policy"], r["seed"], r["budget"]) for r in done}
    # seed-major order, so an interrupted run still has every cell for the first seeds
    todo = [(e, f, p, s, args.budget) for s in range(args.seeds) for e in envs for f in forms
            for p in POLICIES if (e, f, p, s, args.budget) not in have]
    with ProcessPoolExecutor(args.workers) as pool:
        for run in pool.map(run_one, *zip(*todo)) if todo else []:
            done.append(run)
            args.runs.write_text(json.dumps(done))
            print(f"done {run['env']} {run['formulation']} {run['policy']} seed {run['seed']} "
                  f"({run['wall_s']:.1f} s)", flush=True)
    runs = [r for r in done if r["budget"] == args.budget and r["env"] in envs and r["seed"] < args.seeds
            and r["formulation"] in forms]
    plot(runs, envs, args.plot, args.window, forms)
    print(table(runs, envs, args.window, forms))


if __name__ == "__main__":
    main()
