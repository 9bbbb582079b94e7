"""Plots people would rather look at than read (matplotlib, headless).

Figures are :class:`matplotlib.figure.Figure` objects made by :func:`subplots`
and saved with ``fig.savefig``: no pyplot, so archgym never switches the
user's matplotlib backend nor keeps figures in pyplot's global registry.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from archgym.history import History


def subplots(rows: int = 1, cols: int = 1, *, figsize: tuple[float, float], dpi: int, squeeze: bool = True
             ) -> tuple["Figure", Any]:
    """A new figure and its grid of axes, like ``pyplot.subplots`` without pyplot (saved with ``fig.savefig``)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    return fig, fig.subplots(rows, cols, squeeze=squeeze)


def convergence_plot(history: "History", path: str | os.PathLike[str]) -> None:
    """Best-so-far reward against simulator evaluations, over every evaluated design."""
    steps = np.arange(1, len(history) + 1)
    rewards = history.rewards
    feasible = history.feasible
    fig, ax = subplots(figsize=(7, 4), dpi=120)
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
