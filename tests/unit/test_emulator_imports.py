"""The emulator's modules import one way: each imports alone, and no two import each other.

Every ``import`` in a module counts, wherever it is (top level, inside a function, under
``if TYPE_CHECKING``): an import moved into a function to dodge a circle is still a circle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "emulator"

# Import each module alone without running emulator/__init__.py (which imports every module
# and would decide the import order for all of them): a stand-in package object points at the
# folder. One fresh interpreter imports them one after another, forgetting every emulator
# module between two (third-party packages stay loaded: starting ~30 interpreters that each
# import aiohttp took ~15 s), and prints what failed as JSON.
ALONE = """
import importlib, json, sys, traceback, types
failures = {{}}
for name in {mods!r}:
    for loaded in [m for m in sys.modules if m == {pkg!r} or m.startswith({pkg!r} + ".")]:
        del sys.modules[loaded]
    if name != {pkg!r}:
        pkg = types.ModuleType({pkg!r})
        pkg.__path__ = [{path!r}]
        sys.modules[{pkg!r}] = pkg
    try:
        importlib.import_module(name)
    except BaseException as error:
        failures[name] = traceback.format_exception_only(error)[-1].strip()
print(json.dumps(failures))
"""


def emulator_modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the emulator package (packages included)."""
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The emulator modules that module ``name`` imports, anywhere in its source."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = here.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # ``from . import x`` / ``from .rest import users`` import submodules too
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    modules = emulator_modules()
    known = set(modules)
    return {name: imported_modules(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, ..., a]``) in ``graph``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_relative_and_function_level_imports_are_seen(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from .a import x\n"
        "from ..b import y\n"
        "if TYPE_CHECKING:\n    from .c import z\n"
        "def f():\n    from . import d\n    import emulator.e\n",
        encoding="utf-8",
    )
    known = {"emulator.pkg.a", "emulator.b", "emulator.pkg.c", "emulator.pkg.d", "emulator.e"}
    assert imported_modules("emulator.pkg.mod", source, known) == known


def test_no_import_cycle_among_emulator_modules() -> None:
    graph = import_graph()
    assert {"emulator", "emulator.server", "emulator.state", "emulator.rest.handler"} <= set(graph)
    # the package's __init__ re-exports everything; nothing inside may import it back
    assert not [name for name, deps in graph.items() if PACKAGE in deps]
    cycle = find_cycle(graph)
    assert cycle is None, "emulator import cycle: " + " -> ".join(cycle or [])


def import_each_alone(names: list[str]) -> dict[str, str]:
    """Import each of ``names`` with no other emulator module loaded, in a fresh
    interpreter; the last line of each error, by module."""
    code = ALONE.format(pkg=PACKAGE, path=str(ROOT / PACKAGE), mods=names)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_each_emulator_module_imports_alone_in_a_fresh_interpreter() -> None:
    names = list(emulator_modules())
    failures = import_each_alone(names)
    assert not failures, f"emulator modules that do not import alone: {failures}"
