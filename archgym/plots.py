"""Plots people would rather look at than read (matplotlib, headless)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from archgym.history import History


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def convergence_plot(history: "History", path: str | os.PathLike[str]) -> None:
    """Best-so-far reward against simulator evaluations, over every evaluated design."""
    plt = _pyplot()
    steps = np.arange(1, len(history) + 1)
    rewards = history.rewards
    feasible = history.feasible
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    ax.scatter(steps[feasible], rewards[feasible], s=10, alpha=0.45, color="tab:blue", label="feasible design")
    if (~feasible).any():
        lo = np.nanmin(rewards[feasible]) if feasible.any() else 0.0
        ax.scatter(steps[~feasible], np.full((~feasible).sum(), lo), s=10, marker="x", color="tab:red",
                   alpha=0.6, label="infeasible (plotted at the lowest reward)")
    ax.step(steps, history.best_so_far(), where="post", color="black", lw=1.8, label="best so far")
    ax.set_xlabel("simulator evaluations")
    ax.set_ylabel("reward (higher is better)")
    ax.set_title(f"{history.agent} on {history.env_id} [{history.workload}], seed {history.seed}\n"
                 f"objective {history.objective}", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
