"""``archgym sweep report``: PNG figures and a Markdown report of a results folder.

Draws the hyperparameter-lottery figure (as in ArchGym's paper: the
distribution, over hyperparameter settings, of the best reward each agent
reached), best-so-far curves (median and IQR against simulator calls) and each
agent's sensitivity to each hyperparameter, and writes ``report.md`` with the
tables of :mod:`archgym.sweep.analysis` embedding the figures, plus
``trials.csv`` with one row per trial.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from archgym.sweep import analysis

log = logging.getLogger(__name__)


def write_report(folder: str | Path, out: str | Path | None = None, fraction: float = 0.9) -> Path:
    """Write ``report.md``, its figures and ``trials.csv`` into ``out`` (default ``folder/report``)."""
    folder = Path(folder)
    out = Path(out) if out is not None else folder / "report"
    out.mkdir(parents=True, exist_ok=True)
    df = analysis.load_results(folder)
    df.drop(columns=["curve", "hp_values"]).to_csv(out / "trials.csv", index=False)
    lottery = analysis.lottery(df)
    bands = analysis.curve_bands(df)
    sensitivity = analysis.sensitivity_table(df)
    figures = {
        "lottery": lottery_figure(lottery, out / "lottery.png"),
        "curves": curves_figure(bands, out / "curves.png"),
        "sensitivity": sensitivity_figure(sensitivity, out / "sensitivity.png"),
    }
    text = _markdown(folder, df, lottery, sensitivity, figures, fraction)
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    log.info("report written to %s", path)
    return path


# -- figures --------------------------------------------------------------------------------------


def _grid(n: int, width: float = 5.5, height: float = 3.6) -> tuple[Any, np.ndarray]:
    from archgym.plots import _pyplot

    plt = _pyplot()
    cols = min(2, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), dpi=110, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig: Any, path: Path) -> str:
    from archgym.plots import _pyplot

    fig.tight_layout()
    fig.savefig(path)
    _pyplot().close(fig)
    return path.name


def lottery_figure(lottery: pd.DataFrame, path: Path) -> str | None:
    """Per env: for each agent, a box and the dots of its hyperparameter settings' best rewards."""
    if lottery.empty:
        return None
    envs = sorted(set(lottery["env"]))
    fig, axes = _grid(len(envs))
    rng = np.random.default_rng(0)
    for ax, env in zip(axes, envs):
        sub = lottery[lottery["env"] == env]
        agents = sorted(set(sub["agent"]))
        data = [sub.loc[sub["agent"] == a, "median"].dropna().to_numpy() for a in agents]
        ax.boxplot([d if len(d) else [np.nan] for d in data], showfliers=False, widths=0.5)
        for i, d in enumerate(data, start=1):
            ax.scatter(i + rng.uniform(-0.15, 0.15, len(d)), d, s=12, alpha=0.6, color="tab:blue", zorder=3)
        ax.set_xticks(range(1, len(agents) + 1), [f"{a}\n({len(d)})" for a, d in zip(agents, data)], fontsize=8)
        ax.set_ylabel("best reward (median over seeds)")
        ax.set_title(env, fontsize=9)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("hyperparameter lottery: one dot per hyperparameter setting (count in brackets)", fontsize=10)
    return _save(fig, path)


def curves_figure(bands: dict[str, dict[str, np.ndarray]], path: Path) -> str | None:
    """Per env: each agent's median best-so-far reward with its IQR band, against simulator calls."""
    if not bands:
        return None
    fig, axes = _grid(len(bands))
    for ax, (env, agents) in zip(axes, bands.items()):
        for i, (agent, (lo, mid, hi)) in enumerate(agents.items()):
            steps = np.arange(1, len(mid) + 1)
            color = f"C{i % 10}"
            ax.plot(steps, mid, color=color, lw=1.6, label=agent)
            ax.fill_between(steps, lo, hi, color=color, alpha=0.2, lw=0)
        ax.set_xlabel("simulator calls")
        ax.set_ylabel("best reward so far")
        ax.set_title(env, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("best-so-far reward: median and inter-quartile range over seeds and settings", fontsize=10)
    return _save(fig, path)


def sensitivity_figure(sensitivity: pd.DataFrame, path: Path) -> str | None:
    """Per env: eta² of each (agent, hyperparameter)."""
    if sensitivity.empty:
        return None
    envs = sorted(set(sensitivity["env"]))
    fig, axes = _grid(len(envs), height=max(2.5, 0.35 * sensitivity.groupby("env").size().max() + 1.2))
    for ax, env in zip(axes, envs):
        sub = sensitivity[sensitivity["env"] == env]
        labels = [f"{a}.{h}" for a, h in zip(sub["agent"], sub["hyperparameter"])]
        ax.barh(labels, sub["eta2"], color="tab:orange")
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_xlabel("eta² (share of best-reward variance explained)")
        ax.set_title(env, fontsize=9)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("sensitivity of each agent to each hyperparameter", fontsize=10)
    return _save(fig, path)


# -- markdown -------------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return "-" if not np.isfinite(v) else f"{v + 0.0:.4g}"
    return str(v)


def _table(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """A Markdown table of some columns."""
    if frame.empty:
        return "_none_\n"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(row[c]).replace("|", "\\|") for c in columns) + " |"
              for _, row in frame.iterrows()]
    return "\n".join(lines) + "\n"


def completeness(folder: str | Path) -> str:
    """"N of M planned trials", marked incomplete while trials are left (or plain N when nothing was planned)."""
    from archgym.sweep.store import ResultStore

    done, planned = ResultStore(folder).progress()
    if planned is None:
        return f"{done:,} finished trials (the planned number is not recorded in this folder)"
    if done < planned:
        return (f"**Incomplete study: {done:,} of {planned:,} planned trials finished**; rerun "
                "`archgym sweep run` with the same file and --out to finish it")
    return f"{done:,} of {planned:,} planned trials finished"


def _markdown(folder: Path, df: pd.DataFrame, lottery: pd.DataFrame, sensitivity: pd.DataFrame,
              figures: dict[str, str | None], fraction: float) -> str:
    failed = df[df["status"] != "ok"]
    best = analysis.best_reward_table(df)
    spread = (lottery.groupby(["env", "agent"], sort=True)["median"]
              .agg(settings="count", worst="min", median="median", best="max").reset_index())
    parts = [
        f"# Sweep report: {folder}\n",
        completeness(folder) + "\n",
        f"{len(df):,} trials ({len(df) - len(failed):,} ok, {len(failed):,} failed); "
        f"{df['env'].nunique()} envs, {df['agent'].nunique()} agents, {df['seed'].nunique()} seeds, "
        f"budget {', '.join(map(str, sorted(df['budget'].unique())))} simulator calls per trial.\n",
        "## Best reward per agent\n",
        "Best reward of each trial's feasible designs within the objective's budgets; median and "
        "inter-quartile range over all seeds and hyperparameter settings (higher is better; rewards are "
        "comparable only within an env). `no_result`: trials that found no feasible design within budget.\n",
        _table(best, ["env", "agent", "trials", "failed", "no_result", "settings", "median", "q25", "q75", "iqr",
                      "max"]),
        "## Hyperparameter lottery\n",
        "Each setting's best reward (median over seeds): how much an agent's result depends on its "
        "hyperparameters.\n",
    ]
    if figures["lottery"]:
        parts.append(f"![hyperparameter lottery]({figures['lottery']})\n")
    parts += [_table(spread, ["env", "agent", "settings", "worst", "median", "best"]),
              "## Success at reaching the target\n",
              "Only objectives with a goal (target specs) can succeed; minimize, weighted and pareto "
              "objectives have none, with or without budgets.\n",
              _table(analysis.success_table(df), ["env", "agent", "trials", "success_rate", "median_calls"]),
              "## Best-so-far curves\n"]
    if figures["curves"]:
        parts.append(f"![best-so-far curves]({figures['curves']})\n")
    parts += [f"## Sample efficiency ({fraction:.0%} of the best known)\n",
              f"Simulator calls to reach `ref + {fraction:g} * (best - ref)`, with `ref` the median first "
              "feasible reward and `best` the best reward any trial found in that env.\n",
              _table(analysis.efficiency_table(df, fraction), ["env", "agent", "threshold", "reached",
                                                              "median_calls"]),
              "## Sensitivity to hyperparameters\n",
              "eta²: share of the best-reward variance explained by one hyperparameter's value.\n"]
    if figures["sensitivity"]:
        parts.append(f"![sensitivity]({figures['sensitivity']})\n")
    sens = sensitivity.assign(medians=[", ".join(f"{k}: {v:.4g}" for k, v in m.items())
                                       for m in sensitivity["medians"]])
    parts.append(_table(sens, ["env", "agent", "hyperparameter", "eta2", "medians"]))
    if len(failed):
        parts += ["## Failed trials\n",
                  _table(failed.head(50), ["key", "env", "agent", "hp", "seed", "error"])]
    return "\n".join(parts)
