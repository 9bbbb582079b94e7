"""MARL vs single-agent RL on DRAM controller design: the comparison of Krishnan et al. (arXiv 2211.16385).

The study's claim: one agent per DRAMSys knob (independent learners sharing
the reward, ArchGym's ``macme`` formulation) consistently beats single-agent
RL (PPO, SAC) at reaching low-power and low-latency targets. Here, at equal
budgets of simulator evaluations, on ``archgym/DRAM-v1``:

- ``ippo``: independent PPO, one learner per knob (the MARL formulation);
- ``ippo-shared``: the same with one network shared by all agents;
- ``ippo-single``: the same code with one agent choosing the whole design
  (isolates the multi-agent formulation from the implementation);
- ``ppo``: stable-baselines3 PPO, one ``MultiDiscrete`` action per design;
- ``ppo-seq``: stable-baselines3 PPO on the sequential per-knob formulation
  (:class:`~archgym.envs.wrappers.SequentialDesign`, one knob per step, one
  design per episode, 16 designs per rollout, gamma 0.99);
- ``random`` and ``tpe`` for context.

Tasks are (workload, objective) pairs. Objectives are ArchGym's DRAMGym
reward formulations (``reward_formulation`` ``power``, ``latency``,
``both``: ``target / |value - target|``, their product for both). Targets are
*low* targets, set per workload at 90% of the lowest power and of the lowest
mean read latency among 1,000 uniformly random designs (seeded; recorded in
the results). (A percentile of the random designs is no target: many designs
share exactly the same power or latency, since some knobs do not change
them on a trace, so every agent hits such a target exactly.) Below every
design random search finds, the targets make each task a minimisation, and
``both`` a trade-off between the two.

Score: the best design's (by the reward the agent optimises) closeness to
the targets, ``prod 1 / (1 + |value - target| / target)`` (ArchGym's
``target-norm``, in (0, 1], 1 on target), reported x100, after every
evaluation (the run's best-so-far curve). The report gives it after the
whole budget and after an eighth of it, the evaluations each agent needed to
reach the best score any run found, and an aggregate over tasks. Means over
seeds with 95% percentile bootstrap intervals (10,000 resamples); the
difference ippo - ppo per task with a bootstrap interval; the aggregate by
stratified bootstrap (seeds resampled within each task).

Runs are interleaved (seed-major: every agent and task for seed 0, then
seed 1, ...) and each finished run is appended to ``results.jsonl`` at once,
so a stopped benchmark resumes where it stopped and a report can be made of
whatever has finished.

Usage::

    python benchmarks/marl/compare.py run                       # full size: 500 evals, 10 seeds, 4 workloads
    python benchmarks/marl/compare.py run --budget 300 --workloads stream,random,cloud-1 --workers 2
    python benchmarks/marl/compare.py report --write            # tables from results.jsonl -> RESULTS.md
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ENV_ID = "archgym/DRAM-v1"
WORKLOADS = ("stream", "random", "cloud-1", "cloud-2")
OBJECTIVES = ("power", "latency", "both")
#: agent label -> (registered agent, hyperparameters, per-knob sequential wrapper)
AGENTS: dict[str, tuple[str, dict[str, Any], bool]] = {
    "ippo": ("ippo", {}, False),
    "ippo-shared": ("ippo", {"share_parameters": True}, False),
    "ippo-single": ("ippo", {"agents": "single"}, False),
    "ppo": ("ppo", {}, False),
    "ppo-seq": ("ppo", {"gamma": 0.99}, True),  # n_steps/batch_size set per env: 16 designs of n_knobs steps
    "random": ("random", {}, False),
    "tpe": ("tpe", {}, False),
}
TARGET_FRACTION = 0.9
TARGET_SAMPLES = 1000
TARGET_SEED = 20221129  # the study's arXiv date
BOOTSTRAP = 10_000


def targets(workload: str) -> dict[str, float]:
    """Low power and latency targets for a workload: 90% of the lowest among seeded random designs."""
    import gymnasium

    import archgym  # noqa: F401

    env = gymnasium.make(ENV_ID, workload=workload).unwrapped
    rng = np.random.default_rng(TARGET_SEED)
    power, latency = [], []
    for _ in range(TARGET_SAMPLES):
        m = env.evaluate(env.design_space.sample(rng))
        if m.feasible:
            power.append(m["power_mw"])
            latency.append(m["latency_ns"])
    return {"power_mw": TARGET_FRACTION * min(power), "latency_ns": TARGET_FRACTION * min(latency)}


def score(metrics: dict[str, float], goal: dict[str, float]) -> float:
    """``prod 1 / (1 + |value - target| / target)`` over the objective's targets (1 on target)."""
    out = 1.0
    for name, target in goal.items():
        out /= 1.0 + abs(metrics[name] - target) / target
    return out


def goal_of(objective: str, target: dict[str, float]) -> dict[str, float]:
    if objective == "power":
        return {"power_mw": target["power_mw"]}
    if objective == "latency":
        return {"latency_ns": target["latency_ns"]}
    return dict(target)


def run_one(workload: str, objective: str, target: dict[str, float], label: str, seed: int,
            budget: int) -> dict[str, Any]:
    """One search run; the score of its best-so-far design at a quarter, half and all of the budget."""
    import gymnasium

    import archgym  # noqa: F401
    from archgym.agents import make_agent
    from archgym.envs.wrappers import SequentialDesign

    name, hp, sequential = AGENTS[label]
    env = gymnasium.make(ENV_ID, workload=workload, reward_formulation=objective,
                         target_power_mw=target["power_mw"], target_latency_ns=target["latency_ns"])
    hp = dict(hp)
    if sequential:
        env = SequentialDesign(env, one_design_per_episode=True)
        hp.update(n_steps=16 * env.n_knobs, batch_size=16 * env.n_knobs)
    t0 = time.perf_counter()
    history = make_agent(name, **hp).run(env, budget=budget, seed=seed)
    wall = time.perf_counter() - t0
    goal = goal_of(objective, target)
    curve = []  # score of the best design so far (by the reward the agent optimises), after each evaluation
    best_reward, best = -np.inf, None
    for e in history:
        if e.feasible and e.reward > best_reward:
            best_reward, best = e.reward, e
        curve.append(round(score(best.metrics, goal), 8) if best is not None else 0.0)
    assert best is not None
    return {"workload": workload, "objective": objective, "agent": label, "seed": seed, "budget": budget,
            "target": target, "best_reward": float(best.reward), "best_design": dict(best.design),
            "best_metrics": {k: best.metrics[k] for k in goal}, "curve": curve,
            "wall_s": wall, "sim_s": float(sum(e.wall_time_s for e in history))}


def _key(r: dict[str, Any]) -> tuple:
    return (r["workload"], r["objective"], r["agent"], r["seed"], r["budget"])


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    done = set()
    if out.exists():
        done = {_key(json.loads(line)) for line in out.read_text().splitlines() if line.strip()}
    workloads, objectives, agents = args.workloads.split(","), args.objectives.split(","), args.agents.split(",")
    tgt = {w: targets(w) for w in workloads}
    jobs = [(w, o, tgt[w], a, s, args.budget) for s in range(args.seeds) for w in workloads
            for o in objectives for a in agents if (w, o, a, s, args.budget) not in done]
    print(f"{len(jobs)} runs to do ({len(done)} already in {out}); targets {json.dumps(tgt)}", flush=True)
    t0 = time.time()
    with ProcessPoolExecutor(args.workers) as pool, out.open("a") as f:
        pending = set()
        queue = list(jobs)
        finished = 0
        while queue or pending:
            while queue and len(pending) < 2 * args.workers:
                pending.add(pool.submit(run_one, *queue.pop(0)))
            ready, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in ready:
                r = fut.result()
                f.write(json.dumps(r) + "\n")
                f.flush()
                finished += 1
                print(f"[{time.time() - t0:7.0f}s {finished}/{len(jobs)}] {r['workload']} {r['objective']} "
                      f"{r['agent']} seed {r['seed']}: score {r['curve'][-1]:.4f} "
                      f"({r['wall_s']:.1f}s)", flush=True)


def bootstrap_mean(x: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mean and its 95% percentile-bootstrap interval."""
    idx = rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))
    means = x[idx].mean(1)
    return float(x.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def bootstrap_diff(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """Difference of means x - y (independent runs) and its 95% bootstrap interval."""
    dx = x[rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))].mean(1)
    dy = y[rng.integers(0, len(y), size=(BOOTSTRAP, len(y)))].mean(1)
    d = dx - dy
    return float(x.mean() - y.mean()), float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5))


def evals_to(curve: list[float], level: float) -> float:
    """Evaluations until the best-so-far score first reaches ``level`` (inf if never)."""
    hits = np.flatnonzero(np.asarray(curve) >= level)
    return float(hits[0] + 1) if len(hits) else float("inf")


def report(args: argparse.Namespace) -> str:
    runs = [json.loads(line) for line in Path(args.out).read_text().splitlines() if line.strip()]
    budget = max(r["budget"] for r in runs)
    runs = [r for r in runs if r["budget"] == budget]
    agents = [a for a in AGENTS if any(r["agent"] == a for r in runs)]
    tasks = sorted({(r["workload"], r["objective"]) for r in runs},
                   key=lambda t: (WORKLOADS.index(t[0]) if t[0] in WORKLOADS else 99, OBJECTIVES.index(t[1])))
    by_task = {t: [r for r in runs if (r["workload"], r["objective"]) == t] for t in tasks}
    #: best score any run reached on the task, and the level counted as reaching it (within 0.1 points of 100)
    best_known = {t: max(max(r["curve"]) for r in rs) for t, rs in by_task.items()}
    rng = np.random.default_rng(0)
    early = max(1, budget // 8)

    def scores(task: tuple[str, str], agent: str, at: int) -> np.ndarray:
        return np.array([r["curve"][at - 1] for r in by_task[task] if r["agent"] == agent]) * 100

    def reach(task: tuple[str, str], agent: str) -> np.ndarray:
        level = best_known[task] - 0.001
        return np.array([evals_to(r["curve"], level) for r in by_task[task] if r["agent"] == agent])

    def table(at: int) -> tuple[list[str], dict[str, list]]:
        out = ["| workload | objective | " + " | ".join(agents) + " | ippo - ppo |",
               "| --- | --- | " + " | ".join("---" for _ in agents) + " | --- |"]
        verdict: dict[str, list] = {"better": [], "worse": [], "tie": []}
        for task in tasks:
            cells = []
            for a in agents:
                x = scores(task, a, at)
                m, lo, hi = bootstrap_mean(x, rng) if len(x) else (np.nan,) * 3
                cells.append(f"{m:.2f} [{lo:.2f}, {hi:.2f}]")
            x, y = scores(task, "ippo", at), scores(task, "ppo", at)
            if len(x) and len(y):
                d, lo, hi = bootstrap_diff(x, y, rng)
                verdict["better" if lo > 0 else "worse" if hi < 0 else "tie"].append(task)
                cells.append(f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]")
            else:
                cells.append("-")
            out.append(f"| {task[0]} | {task[1]} | " + " | ".join(cells) + " |")
        return out, verdict

    def say(verdict: dict[str, list]) -> list[str]:
        text = [f"ippo vs ppo (95% CI of the difference excludes 0): better on {len(verdict['better'])}, "
                f"worse on {len(verdict['worse'])}, no significant difference on {len(verdict['tie'])} "
                f"of {len(tasks)} tasks."]
        for kind in ("better", "worse"):
            if verdict[kind]:
                text.append(f"ippo {kind}: " + ", ".join(f"{w}/{o}" for w, o in verdict[kind]) + ".")
        return [" ".join(text), ""]

    seeds = sorted({r["seed"] for r in runs})
    n_runs = {a: len([r for r in runs if r["agent"] == a]) for a in agents}
    lines = [f"Budget {budget} evaluations per run, seeds {seeds[0]}..{seeds[-1]} ({len(seeds)}); runs per agent: "
             + ", ".join(f"{a} {n}" for a, n in n_runs.items()) + ".", "",
             "Score x100 of the best design found (100 = exactly on target; the targets lie below every design, "
             "so the best possible is under 100). Mean over seeds [95% bootstrap CI].", "",
             f"### After all {budget} evaluations", ""]
    final, verdict_final = table(budget)
    lines += final + [""] + say(verdict_final)
    lines += [f"### After {early} evaluations (an eighth of the budget)", ""]
    first, verdict_early = table(early)
    lines += first + [""] + say(verdict_early)
    lines += ["### Evaluations to reach the best score any run found on the task",
              "", "Median over seeds (runs that never reach it count as beyond the budget); "
              "reached: how many runs got there.", "",
              "| workload | objective | best known | " + " | ".join(agents) + " |",
              "| --- | --- | --- | " + " | ".join("---" for _ in agents) + " |"]
    for task in tasks:
        cells = []
        for a in agents:
            e = reach(task, a)
            med = np.median(e) if len(e) else np.nan
            shown = f">{budget}" if np.isinf(med) else f"{med:.0f}"
            cells.append(f"{shown} ({int(np.isfinite(e).sum())}/{len(e)})")
        lines.append(f"| {task[0]} | {task[1]} | {100 * best_known[task]:.2f} | " + " | ".join(cells) + " |")
    lines += ["", "### Aggregate over tasks", "",
              "Mean score x100 over tasks (stratified bootstrap over seeds within each task):", "",
              "| agent | " + " | ".join(f"{b} evals" for b in (early, budget // 4, budget // 2, budget)) + " |",
              "| --- | --- | --- | --- | --- |"]
    for a in agents:
        cells = []
        for at in (early, budget // 4, budget // 2, budget):
            per_task = [x for x in (scores(t, a, at) for t in tasks) if len(x)]
            boot = np.mean([x[rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))].mean(1) for x in per_task], axis=0)
            mean = float(np.mean([x.mean() for x in per_task]))
            cells.append(f"{mean:.2f} [{np.percentile(boot, 2.5):.2f}, {np.percentile(boot, 97.5):.2f}]")
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    targets_seen = {r["workload"]: r["target"] for r in runs}
    lines += ["", "Targets (90% of the lowest of 1,000 seeded random designs): " + ", ".join(
        f"{w}: {t['power_mw']:.1f} mW, {t['latency_ns']:.0f} ns" for w, t in targets_seen.items()) + ".", ""]
    wall = {a: np.median([r["wall_s"] for r in runs if r["agent"] == a]) for a in agents}
    lines.append("Median wall time per run (s; two runs at a time on a machine shared with other jobs, so "
                 "indicative only): " + ", ".join(f"{a} {w:.1f}" for a, w in wall.items()) + ".")
    text = "\n".join(lines)
    print(text)
    return text


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--budget", type=int, default=500)
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--workloads", default=",".join(WORKLOADS))
    r.add_argument("--objectives", default=",".join(OBJECTIVES))
    r.add_argument("--agents", default=",".join(AGENTS))
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--out", default=str(HERE / "results.jsonl"))
    rep = sub.add_parser("report")
    rep.add_argument("--out", default=str(HERE / "results.jsonl"))
    rep.add_argument("--write", action="store_true", help="also write the tables to tables.md (RESULTS.md quotes them)")
    args = p.parse_args()
    if args.cmd == "run":
        run(args)
    else:
        text = report(args)
        if args.write:
            (HERE / "tables.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
