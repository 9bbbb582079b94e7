"""``import archgym`` stays light: no torch, optuna, matplotlib, pandas, pyarrow or sklearn."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "optuna", "matplotlib", "pandas", "pyarrow", "sklearn", "stable_baselines3", "dask", "numba")


def test_import_archgym_loads_no_heavy_module():
    code = f"import sys, archgym; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_registers_env_ids():
    code = "import gymnasium, archgym; print('archgym/Accelerator-v1' in gymnasium.registry)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
