"""The proxy report plot: predicted against simulated values on the test split."""

from __future__ import annotations

import math
import os
from pathlib import Path

from archgym.proxy.bundle import ProxyModel


def report_plot(model: ProxyModel, path: str | os.PathLike[str]) -> Path:
    """Predicted against simulated values on the test split, one panel per target."""
    from archgym.plots import subplots

    names = list(model.test_predictions)
    cols = min(3, max(1, len(names)))
    rows = math.ceil(len(names) / cols)
    fig, axes = subplots(rows, cols, figsize=(4.2 * cols, 4 * rows), dpi=110, squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        y, yhat = model.test_predictions[name]
        m = model.metrics[name]
        ax.scatter(y, yhat, s=6, alpha=0.5)
        lo, hi = float(min(y.min(), yhat.min())), float(max(y.max(), yhat.max()))
        ax.plot([lo, hi], [lo, hi], color="black", lw=1)
        if lo > 0 and hi / lo > 100:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel(f"simulated {name}")
        ax.set_ylabel(f"predicted {name}")
        ax.set_title(f"RMSE {m['rmse_pct_of_mean']:.2f}% of mean, Spearman {m['spearman']:.3f}", fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle(f"{model.kind} proxy of {model.env_id} [{', '.join(model.workloads)}] (test split)", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    return out
