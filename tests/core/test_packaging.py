"""pyproject.toml lists every package and ships every data file, so a wheel install works too."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # standard library from Python 3.11

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _package_folders() -> dict[str, Path]:
    """Installed package name -> source folder, derived from package-dir."""
    out = {}
    for name in CONFIG["packages"]:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in CONFIG["package-dir"]:
                out[name] = ROOT / CONFIG["package-dir"][prefix] / Path(*parts[i:])
                break
    return out


def test_every_python_package_folder_is_listed():
    listed = {p.resolve() for p in _package_folders().values()}
    for top in ("archgym", "simulators", "envs", "agents"):
        for init in (ROOT / top).rglob("__init__.py"):
            if "data" not in init.parts:
                assert init.parent.resolve() in listed, f"{init.parent} is a package missing from pyproject.toml"


def test_every_data_file_matches_a_package_data_glob():
    globs = CONFIG["package-data"]["*"]
    for name, folder in _package_folders().items():
        for f in folder.rglob("*"):
            if f.is_dir() or f.suffix in (".py", ".pyc") or "__pycache__" in f.parts:
                continue
            rel = f.relative_to(folder).as_posix()
            sub_pkg = any(f.is_relative_to(other) and other != folder for other in _package_folders().values()
                          if other.is_relative_to(folder))
            if sub_pkg:
                continue
            assert any(fnmatch.fnmatch(rel, g) for g in globs), f"{name}: {rel} would be left out of the wheel"
