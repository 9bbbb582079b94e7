"""The layers of DESIGN.md, checked on the source: who may import whom."""

from __future__ import annotations

import ast
from pathlib import Path

from archgym.simulator_check import forbidden_imports

ROOT = Path(__file__).resolve().parents[2]
LAZY_ONLY = ("archgym.envs", "archgym.agents")


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _module_level_imports(path: Path) -> list[tuple[int, str]]:
    """Imports run when the module is imported: its body, including ``if``/``try`` blocks, not ``TYPE_CHECKING``."""
    out: list[tuple[int, str]] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                out.extend((node.lineno, a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return out


def test_simulators_never_import_gymnasium_envs_or_agents():
    found = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p, line, m in
             forbidden_imports(_files("simulators"), ("gymnasium", "archgym.envs", "archgym.agents"))]
    assert not found, "simulators are pure cost models:\n" + "\n".join(found)


def test_envs_never_import_agents():
    found = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p, line, m in
             forbidden_imports(_files("envs"), ("archgym.agents",))]
    assert not found, "\n".join(found)


def test_core_reaches_envs_and_agents_only_lazily():
    """``import archgym`` and its features must not pull in the env and agent layers at import time.

    The worked example (``archgym/examples``) is an env itself and is left out.
    """
    found = []
    for path in _files("archgym"):
        if "examples" in path.relative_to(ROOT / "archgym").parts:
            continue
        for line, module in _module_level_imports(path):
            if any(module == m or module.startswith(m + ".") for m in LAZY_ONLY):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module} at module level")
    assert not found, "import it inside the function that needs it:\n" + "\n".join(found)


def test_the_checks_see_lazy_and_module_level_imports(tmp_path):
    """The checks themselves: a function-level import is found by forbidden_imports, not by the module-level scan."""
    f = tmp_path / "m.py"
    f.write_text("import numpy\nif TYPE_CHECKING:\n    import archgym.envs\n"
                 "def f():\n    from gymnasium import spaces\n")
    assert [(line, m) for _, line, m in forbidden_imports([f], ("gymnasium",))] == [(5, "gymnasium")]
    assert _module_level_imports(f) == [(1, "numpy")]
