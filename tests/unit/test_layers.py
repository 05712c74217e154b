"""The layer rules of docs/architecture.md, checked on the source.

This is an example for the next contributor more than a wall: each failure says where the code
belongs instead. Read the imports and a few attribute uses with ``ast``; nothing is imported.

    cogs/<feature>/   Discord only: commands, views, modals → service calls
    bot/ui/           shared Discord pieces
    bot/services/     rules, timers, audits (no discord)
    bot/db/           SQL only
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The only modules under bot/ that may import discord.py: the client wiring, the command-line
# entry point that starts it, and the shared Discord pieces.
DISCORD_ALLOWED = ("bot/bot.py", "bot/__main__.py", "bot/ui/")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str
    advice: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}\n    → {self.advice}"


def _modules(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import, at any depth (function-level imports count too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from bot import db`` names a module through its parent
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _feature_of(root: Path, path: Path) -> str:
    """``cogs/support/claims.py`` → ``support``; ``cogs/core.py`` → ``core``."""
    parts = path.relative_to(root / "cogs").parts
    return parts[0].removesuffix(".py")


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# Services that must not depend on another service: (folder, package it never imports, advice).
SERVICE_APART = (
    (
        "bot/services/safety/",
        "bot.services.requests",
        "safety must not depend on the support requests: what both read (which DMs plead for "
        "a peer or a professional) lives in bot/services/dm_asks.py, and what safety asks of "
        "requests is the Conversations protocol in bot/services/safety/base.py",
    ),
)


def bot_findings(root: Path = ROOT) -> list[Finding]:
    out: list[Finding] = []
    for path in _modules(root, "bot"):
        rel = _rel(root, path)
        for line, module in _imports(_parse(path)):
            for folder, package, advice in SERVICE_APART:
                if rel.startswith(folder) and _is(module, package):
                    out.append(Finding(rel, line, f"imports {module}", advice))
            if _is(module, "discord") and not rel.startswith(DISCORD_ALLOWED):
                out.append(
                    Finding(
                        rel,
                        line,
                        f"imports {module}",
                        "rules stay free of discord.py so they have fast unit tests: return plain "
                        "values (a dataclass outcome) and let the cog or bot/ui turn them into "
                        "Discord messages",
                    )
                )
            if _is(module, "cogs"):
                out.append(
                    Finding(
                        rel,
                        line,
                        f"imports {module}",
                        "bot/ is below cogs/: move the shared piece to bot/ui/ (Discord) or "
                        "bot/services/ (rules)",
                    )
                )
            if rel.startswith(("bot/services/", "bot/db/", "bot/safety/")) and _is(
                module, "bot.ui"
            ):
                out.append(
                    Finding(
                        rel,
                        line,
                        f"imports {module}",
                        "services and storage never use Discord pieces; the cog does",
                    )
                )
            if rel.startswith("bot/db/") and _is(module, "bot.services"):
                out.append(
                    Finding(
                        rel,
                        line,
                        f"imports {module}",
                        "bot/db is SQL only and sits below the services: pass values in",
                    )
                )
    return out


# Attribute names a cog must not reach for: the repository or the timer queue behind a service.
REACH_THROUGH = {
    "repo": "call a service method instead of the repository behind it",
    "schedule_once": "timers belong to services: the service arms it with the change it follows",
    "audit": "audit entries are written by the service, in the change's transaction",
    "prefs": "member preferences are read through a service method",
}


def cog_findings(root: Path = ROOT) -> list[Finding]:
    out: list[Finding] = []
    for path in _modules(root, "cogs"):
        rel = _rel(root, path)
        if rel == "cogs/__init__.py":
            continue
        tree = _parse(path)
        own = _feature_of(root, path)
        for line, module in _imports(tree):
            if _is(module, "bot.db"):
                out.append(
                    Finding(
                        rel,
                        line,
                        f"imports {module}",
                        "cogs never touch storage: ask a service, and import row types from the "
                        "service module that returns them",
                    )
                )
            if _is(module, "cogs") and module not in ("cogs", f"cogs.{own}"):
                other = module.split(".")[1]
                if other != own:
                    out.append(
                        Finding(
                            rel,
                            line,
                            f"imports {module}",
                            "no cog imports another cog: shared Discord pieces live in bot/ui/, "
                            "shared rules in bot/services/",
                        )
                    )
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in REACH_THROUGH:
                out.append(
                    Finding(rel, node.lineno, f"uses .{node.attr}", REACH_THROUGH[node.attr])
                )
    return out


def _report(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings)


def test_bot_layers_hold() -> None:
    findings = bot_findings()
    assert not findings, "layer rules broken under bot/:\n" + _report(findings)


def test_cogs_only_translate() -> None:
    findings = cog_findings()
    assert not findings, "layer rules broken in cogs/:\n" + _report(findings)


def test_the_checker_sees_each_kind_of_violation(tmp_path: Path) -> None:
    """The checks can fail: a small tree breaking every rule once gives one finding each."""
    files = {
        "cogs/__init__.py": "",
        "cogs/alpha/__init__.py": "from cogs.alpha import views\n",  # own package: fine
        "cogs/alpha/views.py": (
            "from bot.db.repositories.core import TimerRow\n"
            "from cogs.beta import Thing\n"
            "async def f(services):\n"
            "    await services.checkins.repo.for_guild(1)\n"
            "    await services.scheduler.schedule_once('k', None)\n"
        ),
        "cogs/beta.py": "import discord\n",  # discord in a cog: fine
        "bot/services/gamma.py": "import discord\nfrom bot.ui import replies\n",
        "bot/db/delta.py": "from bot.services import gamma\n",
        "bot/services/safety/epsilon.py": "from bot.services.requests.rules import x\n",
        "bot/engine.py": "def load():\n    import cogs.alpha\n",
        "bot/ui/pieces.py": "import discord\n",  # allowed
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    cogs = {(f.path, f.what) for f in cog_findings(tmp_path)}
    assert cogs == {
        ("cogs/alpha/views.py", "imports bot.db.repositories.core"),
        ("cogs/alpha/views.py", "imports bot.db.repositories.core.TimerRow"),
        ("cogs/alpha/views.py", "imports cogs.beta"),
        ("cogs/alpha/views.py", "imports cogs.beta.Thing"),
        ("cogs/alpha/views.py", "uses .repo"),
        ("cogs/alpha/views.py", "uses .schedule_once"),
    }
    bot = {(f.path, f.what) for f in bot_findings(tmp_path)}
    assert bot == {
        ("bot/services/gamma.py", "imports discord"),
        ("bot/services/gamma.py", "imports bot.ui"),
        ("bot/services/gamma.py", "imports bot.ui.replies"),
        ("bot/db/delta.py", "imports bot.services"),
        ("bot/db/delta.py", "imports bot.services.gamma"),
        ("bot/services/safety/epsilon.py", "imports bot.services.requests.rules"),
        ("bot/services/safety/epsilon.py", "imports bot.services.requests.rules.x"),
        ("bot/engine.py", "imports cogs.alpha"),
    }


def test_no_module_is_a_god_file() -> None:
    """No module over ~500 lines in bot/ and cogs/ (the issue's bound, with a little slack)."""
    long = [
        f"{_rel(ROOT, p)}: {n} lines"
        for folder in ("bot", "cogs")
        for p in _modules(ROOT, folder)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 560
    ]
    assert not long, "split these by concern (one room per job):\n" + "\n".join(long)


def long_functions(root: Path = ROOT, limit: int = 60) -> list[str]:
    """Functions (with their decorators) longer than ``limit`` lines in bot/ and cogs/."""
    out = []
    for folder in ("bot", "cogs"):
        for path in _modules(root, folder):
            for node in ast.walk(_parse(path)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    length = (node.end_lineno or node.lineno) - first + 1
                    if length > limit:
                        out.append(f"{_rel(root, path)}:{node.lineno} {node.name}: {length} lines")
    return out


def test_no_function_is_a_wall_of_code() -> None:
    """No function over ~60 lines: name its steps as functions of their own."""
    long = long_functions()
    assert not long, "split these into named steps:\n" + "\n".join(long)


def test_the_length_checks_can_fail(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    (tmp_path / "bot").mkdir()
    (tmp_path / "cogs").mkdir()
    (tmp_path / "bot" / "wall.py").write_text(f"def wall():\n{body}\n", encoding="utf-8")
    assert long_functions(tmp_path) == ["bot/wall.py:1 wall: 71 lines"]
