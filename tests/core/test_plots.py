"""Plots are written without pyplot: the user's matplotlib backend and pyplot's figures are left alone."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import matplotlib
matplotlib.use("svg")  # the user's choice, which archgym must not switch
from archgym.history import Evaluation, History
from archgym.plots import convergence_plot
h = History(env_id="e", workload="w", objective="o", agent="a", seed=0)
for i, ok in enumerate([True, False, True]):
    h.add(Evaluation(step=i, design=dict(), metrics=dict(), feasible=ok, reason="" if ok else "no", reward=float(i)))
convergence_plot(h, {path!r})
import sys
print(matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules)
"""


def test_convergence_plot_keeps_the_users_backend(tmp_path):
    path = tmp_path / "c.png"
    out = subprocess.run([sys.executable, "-c", CODE.format(path=str(path))], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["svg", "False"]
    assert path.read_bytes().startswith(b"\x89PNG")
