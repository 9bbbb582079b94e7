"""The numbers of a sweep report, as pandas tables (the figures and Markdown are in :mod:`archgym.sweep.report`).

Rewards of different envs are not comparable, so every statistic is per env
(an env id with its kwargs, e.g. a workload and objective). Within an env:

* **best reward** of a trial is the best reward of a feasible design within
  the objective's budgets; an agent's row gives the median and inter-quartile
  range over all its trials (every seed of every hyperparameter setting) and
  counts the trials that found no such design (``no_result``);
* **lottery**: the best reward of each hyperparameter setting (median over
  seeds) — the spread of these values is how much a study's conclusion depends
  on tuning;
* **success** is the share of trials that met the objective's goal (only for
  objectives that have one, :attr:`archgym.objectives.Objective.has_goal`: the
  target specs; budgets alone are no goal);
* **sample efficiency** is the number of simulator calls a trial needed to
  reach a fraction ``f`` of the way from a typical first design to the best
  design any trial found: ``ref + f * (best - ref)``, where ``ref`` is the
  median reward of the trials' first feasible design. This works for rewards
  of either sign;
* **sensitivity** of an agent to a hyperparameter is eta², the share of the
  variance of the best reward explained by that hyperparameter's value
  (0: no effect, 1: the value decides everything).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.errors import UserError
from archgym.sweep.store import ResultStore


def load_results(folder: str | Path) -> pd.DataFrame:
    """One row per finished trial of a results folder."""
    store = ResultStore(folder)
    rows = []
    for r in store.results():
        t = r["trial"]
        rows.append({
            "key": r["key"], "env": t.get("env_label") or t["env_id"], "env_id": t["env_id"],
            "agent": t["agent"], "hp": json.dumps(t["hp"], sort_keys=True), "hp_values": t["hp"],
            "seed": t["seed"], "budget": t["budget"], "status": r["status"], "error": r.get("error"),
            "best_reward": _num(r.get("best_reward")), "has_goal": bool(r.get("has_goal", False)),
            "target_met_step": r.get("target_met_step"), "objective": r.get("objective", ""),
            "curve": np.array([_num(v) for v in r.get("best_so_far") or []], dtype=float),
            "wall_time_s": _num(r.get("wall_time_s")),
        })
    if not rows:
        raise UserError(f"{folder} holds no trial results (expected {folder}/trials/*.json); "
                        "run `archgym sweep run FILE --out FOLDER` first")
    return pd.DataFrame(rows)


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def ok_trials(df: pd.DataFrame) -> pd.DataFrame:
    """The trials that finished without error."""
    return df[df["status"] == "ok"]


def best_reward_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per env and agent: trials, failures, trials without a result, settings, best-reward median, IQR, max."""
    rows = []
    for (env, agent), g in df.groupby(["env", "agent"], sort=True):
        r = g.loc[g["status"] == "ok", "best_reward"].dropna()
        q25, q50, q75 = (np.quantile(r, [0.25, 0.5, 0.75]) if len(r) else (np.nan,) * 3)
        rows.append({"env": env, "agent": agent, "trials": len(g), "failed": int((g["status"] != "ok").sum()),
                     "no_result": int((g["status"] == "ok").sum()) - len(r), "settings": g["hp"].nunique(),
                     "median": q50, "q25": q25, "q75": q75, "iqr": q75 - q25,
                     "max": r.max() if len(r) else np.nan})
    return pd.DataFrame(rows)


def lottery(df: pd.DataFrame) -> pd.DataFrame:
    """Per env, agent and hyperparameter setting: the median best reward over seeds."""
    ok = ok_trials(df)
    return (ok.groupby(["env", "agent", "hp"], sort=True)["best_reward"]
              .agg(median="median", seeds="count").reset_index())


def success_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per env (with a target) and agent: share of trials that met the target, and the median call that did."""
    ok = ok_trials(df)
    ok = ok[ok["has_goal"]]
    rows = []
    for (env, agent), g in ok.groupby(["env", "agent"], sort=True):
        steps = g["target_met_step"].dropna()
        rows.append({"env": env, "agent": agent, "trials": len(g), "success_rate": len(steps) / len(g),
                     "median_calls": float(np.median(steps)) if len(steps) else np.nan})
    return pd.DataFrame(rows, columns=["env", "agent", "trials", "success_rate", "median_calls"])


def curve_bands(df: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Per env, per agent: a (3, budget) array of the 25th, 50th and 75th percentile best-so-far curves."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for (env, agent), g in ok_trials(df).groupby(["env", "agent"], sort=True):
        curves = _stack(g["curve"])
        if curves.size:
            with np.errstate(all="ignore"):
                out.setdefault(env, {})[agent] = _nanquantile(curves, [0.25, 0.5, 0.75])
    return out


def _stack(curves: pd.Series) -> np.ndarray:
    """Curves as rows of one array, padded with their last value to the longest."""
    curves = [c for c in curves if len(c)]
    if not curves:
        return np.empty((0, 0))
    n = max(len(c) for c in curves)
    return np.array([np.concatenate([c, np.full(n - len(c), c[-1])]) for c in curves])


def _nanquantile(a: np.ndarray, q: list[float]) -> np.ndarray:
    """Column quantiles of best-so-far curves, NaN (no feasible design yet) ranking below every value.

    A trial without a result yet is the worst trial at that call, not a
    missing one: dropping it would let early quantiles stand on the few lucky
    trials and fall later. A quantile that lands on such trials is NaN (not
    drawn). Curves never decrease, so neither do the quantiles.
    """
    with np.errstate(invalid="ignore"):
        out = np.quantile(np.where(np.isnan(a), -np.inf, a), q, axis=0)
    return np.where(np.isfinite(out), out, np.nan)


def reference_points(df: pd.DataFrame) -> pd.DataFrame:
    """Per env: ``ref`` (median first feasible reward) and ``best`` (best reward of any trial)."""
    rows = []
    for env, g in ok_trials(df).groupby("env", sort=True):
        firsts = [c[np.isfinite(c)][0] for c in g["curve"] if np.isfinite(c).any()]
        rows.append({"env": env, "ref": float(np.median(firsts)) if firsts else np.nan,
                     "best": float(g["best_reward"].max())})
    return pd.DataFrame(rows, columns=["env", "ref", "best"]).set_index("env")


def efficiency_table(df: pd.DataFrame, fraction: float = 0.9) -> pd.DataFrame:
    """Per env and agent: share of trials reaching ``fraction`` of the best known, and the calls it took."""
    refs = reference_points(df)
    rows = []
    for (env, agent), g in ok_trials(df).groupby(["env", "agent"], sort=True):
        ref, best = refs.loc[env, "ref"], refs.loc[env, "best"]
        threshold = ref + fraction * (best - ref)
        calls = [int(np.argmax(c >= threshold)) + 1 for c in g["curve"] if np.any(c >= threshold)]
        rows.append({"env": env, "agent": agent, "threshold": threshold, "reached": len(calls) / len(g),
                     "median_calls": float(np.median(calls)) if calls else np.nan})
    return pd.DataFrame(rows, columns=["env", "agent", "threshold", "reached", "median_calls"])


def sensitivity_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per env, agent and varied hyperparameter: eta² and the median best reward of each value."""
    rows = []
    for (env, agent), g in ok_trials(df).groupby(["env", "agent"], sort=True):
        hp = pd.DataFrame(list(g["hp_values"]), index=g.index)
        y = g["best_reward"]
        for name in hp.columns:
            values = hp[name].astype(str)
            if values.nunique() < 2 or y.notna().sum() < 2:
                continue
            by = y.groupby(values)
            rows.append({"env": env, "agent": agent, "hyperparameter": name, "eta2": _eta2(y, values),
                         "medians": {k: float(v) for k, v in by.median().items()}})
    return pd.DataFrame(rows, columns=["env", "agent", "hyperparameter", "eta2", "medians"])


def _eta2(y: pd.Series, groups: pd.Series) -> float:
    """Share of the variance of ``y`` between the groups."""
    keep = y.notna()
    y, groups = y[keep], groups[keep]
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    between = float(sum(len(v) * (v.mean() - y.mean()) ** 2 for _, v in y.groupby(groups)))
    return between / total
