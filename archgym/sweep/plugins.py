"""User plugins a sweep imports in every process: modules or ``.py`` files registering envs and agents.

A sweep file's ``imports:`` list lets a study use environments and agents that
are not part of archgym (a new simulator, a new search method): each entry is
either a module name (``mylab.agents``) or a path to a Python file
(``my_agents.py``, relative to the sweep file). The file is loaded once per
process under a stable module name, so registry strings such as
``AGENTS["mine"] = f"{__name__}:Mine"`` resolve in worker processes too.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterable

from archgym.errors import UserError


def module_name_for(path: Path) -> str:
    """The stable module name a plugin file is loaded under (same in every process)."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"archgym_sweep_plugin_{path.stem.replace('-', '_')}_{digest}"


def load_plugin(entry: str) -> ModuleType:
    """Import one plugin (module name, or absolute path of a ``.py`` file); idempotent."""
    if not entry.endswith(".py"):
        try:
            return importlib.import_module(entry)
        except ImportError as exc:
            raise UserError(f"cannot import plugin module {entry!r}: {exc}") from None
    path = Path(entry)
    name = module_name_for(path)
    if name in sys.modules:
        return sys.modules[name]
    if not path.is_file():
        raise UserError(f"plugin file {entry} does not exist")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_plugins(entries: Iterable[str]) -> None:
    """Import every plugin in order."""
    for entry in entries:
        load_plugin(entry)
