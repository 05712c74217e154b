"""The compose examples cannot drift from the code: every ``KINDRED_*`` setting they (and the
Dockerfile under them) set exists in bot/config.py and validates, the commands they run exist,
and the clustered example is a whole cluster: PostgreSQL with a health check, one migrate
step, then the processes ``0 … count - 1`` on one database, each with a health check.

No YAML library is installed, so a small reader of the subset these files use is below; it
refuses anything else (anchors, multi-line strings, flow mappings), which keeps the files
plain. No container engine runs here; tests/unit/test_container.py builds the image where
one does."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from bot import PROJECT_ROOT
from bot.__main__ import _parser
from bot.config import ENV_PREFIX, ConfigError, Settings, load_settings
from tests.unit.test_container import instructions

COMPOSE = PROJECT_ROOT / "compose.yaml"
CLUSTER = PROJECT_ROOT / "compose.cluster.yaml"


# -- a reader for the YAML subset of the compose files -------------------------------------------
def _strip_comment(line: str) -> str:
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str) -> Any:
    text = text.strip()
    if text[:1] in ("&", "*", "|", ">", "{", "!") or text.startswith("<<"):
        raise ValueError(f"not in the subset this test reads: {text!r}")
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError(f"a flow list must end on its line: {text!r}")
        items = re.findall(r'\s*("[^"]*"|\'[^\']*\'|[^,]+)\s*(?:,|$)', text[1:-1])
        return [_scalar(item) for item in items if item.strip()]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_yaml(text: str) -> Any:
    lines = []
    for raw in text.splitlines():
        line = _strip_comment(raw)
        if line.strip():
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise ValueError(f"tab in indentation: {raw!r}")
            lines.append((len(line) - len(line.lstrip()), line.strip()))
    value, end = _block(lines, 0, 0)
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return value


def _block(lines: list[tuple[int, str]], at: int, indent: int) -> tuple[Any, int]:
    if lines[at][1].startswith("- "):
        items = []
        while at < len(lines) and lines[at][0] == indent and lines[at][1].startswith("- "):
            items.append(_scalar(lines[at][1][2:]))
            at += 1
        return items, at
    mapping: dict[str, Any] = {}
    while at < len(lines) and lines[at][0] == indent:
        key, colon, rest = lines[at][1].partition(":")
        if not colon or (rest and not rest.startswith(" ")) or key in mapping:
            raise ValueError(f"not a new 'key: value' line: {lines[at][1]!r}")
        at += 1
        if rest.strip():
            mapping[key] = _scalar(rest)
        elif at < len(lines) and lines[at][0] > indent:
            mapping[key], at = _block(lines, at, lines[at][0])
        elif at < len(lines) and lines[at][0] == indent and lines[at][1].startswith("- "):
            mapping[key], at = _block(lines, at, indent)  # a list at the key's own indent
        else:
            mapping[key] = None
    return mapping, at


def test_the_reader_reads_the_subset_and_refuses_the_rest() -> None:
    text = 'a:\n  b: "x # y"  # note\n  c: [CMD, "p q"]\n  d:\n    - e\n    - f\nz:\n'
    assert parse_yaml(text) == {
        "a": {"b": "x # y", "c": ["CMD", "p q"], "d": ["e", "f"]},
        "z": None,
    }
    for bad in ("a: &anchor 1\n", "a: |\n  text\n", "a: {b: 1}\n", "a: 1\na: 2\n"):
        with pytest.raises(ValueError):
            parse_yaml(bad)


# -- what the files promise -----------------------------------------------------------------------
def dockerfile_env() -> dict[str, str]:
    env = {}
    for word, args in instructions():
        if word == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", args))
    return env


def unknown_settings(env: dict[str, str]) -> list[str]:
    """``KINDRED_SECTION__KEY`` names that are not a setting in bot/config.py."""
    found = []
    for name in env:
        if not name.startswith(ENV_PREFIX) or name == "KINDRED_CONFIG":
            continue
        section, _, key = name.removeprefix(ENV_PREFIX).lower().partition("__")
        field = Settings.model_fields.get(section)
        if field is None or key not in field.annotation.model_fields:  # type: ignore[union-attr]
            found.append(name)
    return found


def _filled(value: str) -> str:
    """``${DISCORD_TOKEN:?…}`` as the shell would fill it in (any non-empty value)."""
    return re.sub(r"\$\{[^}]*\}", "filled-in", value)


def cluster_problems(compose: dict[str, Any]) -> list[str]:
    found = []
    services = compose.get("services") or {}
    postgres = services.get("postgres") or {}
    if "pg_isready" not in str((postgres.get("healthcheck") or {}).get("test")):
        found.append("PostgreSQL has no pg_isready health check")
    migrate = services.get("migrate") or {}
    if migrate.get("command") != ["python", "-m", "bot", "migrate"]:
        found.append("no migrate step running python -m bot migrate")
    if ((migrate.get("depends_on") or {}).get("postgres") or {}).get(
        "condition"
    ) != "service_healthy":
        found.append("migrate does not wait for a healthy PostgreSQL")
    processes = {
        n: s for n, s in services.items() if "KINDRED_CLUSTER__ID" in (s.get("environment") or {})
    }
    envs = [processes[n]["environment"] for n in sorted(processes)]
    counts = {int(e.get("KINDRED_CLUSTER__COUNT", 1)) for e in envs}
    ids = sorted(int(e["KINDRED_CLUSTER__ID"]) for e in envs)
    if len(counts) != 1 or ids != list(range(counts.pop() if len(counts) == 1 else 0)):
        found.append(f"the processes' ids {ids} are not 0 … count - 1 of one count")
    for key in ("KINDRED_DATABASE__URL", "KINDRED_CLUSTER__SHARD_COUNT"):
        if len({e.get(key) for e in envs}) != 1:
            found.append(f"the processes differ in {key}")
    for name, service in processes.items():
        if (service.get("depends_on") or {}).get("migrate", {}).get(
            "condition"
        ) != "service_completed_successfully":
            found.append(f"{name} starts before the migrate step has finished")
        test = (service.get("healthcheck") or {}).get("test") or []
        if "bot" not in test or test[test.index("bot") + 1 :][:1] != ["health"]:
            found.append(f"{name} has no health check running python -m bot health")
    if len(processes) < 2:
        found.append("fewer than two Kindred processes")
    return found


def test_the_cluster_example_is_postgres_a_migrate_step_and_two_processes() -> None:
    compose = parse_yaml(CLUSTER.read_text(encoding="utf-8"))
    assert cluster_problems(compose) == []
    processes = [
        s for s in compose["services"].values() if "KINDRED_CLUSTER__ID" in s["environment"]
    ]
    assert len(processes) == 2
    for service in processes:
        assert service["environment"]["KINDRED_DATABASE__URL"].startswith("postgresql://")
        assert service["environment"]["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN:?")
        assert "PASSWORD" not in service["environment"]["KINDRED_DATABASE__URL"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('KINDRED_CLUSTER__ID: "1"', 'KINDRED_CLUSTER__ID: "0"'), "ids"),
        (('KINDRED_CLUSTER__COUNT: "2"\n', 'KINDRED_CLUSTER__COUNT: "3"\n'), "ids"),
        (("condition: service_completed_successfully", "condition: service_started"), "migrate"),
        (('"pg_isready', '"true'), "pg_isready"),
        (('"bot", "health"', '"bot", "run"'), "health check"),
    ],
)
def test_the_cluster_check_can_fail(change: tuple[str, str], expected: str) -> None:
    text = CLUSTER.read_text(encoding="utf-8")
    assert change[0] in text
    assert any(expected in p for p in cluster_problems(parse_yaml(text.replace(*change, 1))))


@pytest.mark.parametrize("path", [COMPOSE, CLUSTER], ids=lambda p: p.name)
def test_every_setting_a_compose_file_uses_exists_and_validates(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = parse_yaml(path.read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        env = dict(service.get("environment") or {})
        if str(service.get("image", "")).startswith("kindred"):
            env = {**dockerfile_env(), **env}  # what the container really has
        assert unknown_settings(env) == [], f"{path.name}: {name}"
        if not any(k.startswith(ENV_PREFIX) for k in env):
            continue  # PostgreSQL's own container
        for variable in list(os.environ):
            if variable.startswith(ENV_PREFIX):
                monkeypatch.delenv(variable)
        for key, value in env.items():
            monkeypatch.setenv(key, _filled(str(value)))
        settings, _ = load_settings(PROJECT_ROOT / "config.example.toml")
        if "KINDRED_CLUSTER__ID" in env:
            assert settings.cluster.id == int(env["KINDRED_CLUSTER__ID"])
            assert settings.database.backend == "postgres"


def test_the_unknown_setting_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    assert unknown_settings({"KINDRED_CLUSTER__PROCESSES": "2", "KINDRED_CLUSTRE__ID": "0"}) == [
        "KINDRED_CLUSTER__PROCESSES",
        "KINDRED_CLUSTRE__ID",
    ]
    monkeypatch.setenv("KINDRED_CLUSTER__COUNT", "2")  # exists, but not on SQLite
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        load_settings(PROJECT_ROOT / "config.example.toml")


def test_the_commands_they_run_exist() -> None:
    commands = []
    for path in (COMPOSE, CLUSTER):
        for service in parse_yaml(path.read_text(encoding="utf-8"))["services"].values():
            for words in (service.get("command"), (service.get("healthcheck") or {}).get("test")):
                if isinstance(words, list) and "bot" in words:
                    commands.append(words[words.index("bot") + 1 :])
    assert {c[0] for c in commands} == {"migrate", "health"}
    for command in commands:
        assert _parser().parse_args(command).command == command[0]


def test_the_guide_shows_both_ways() -> None:
    guide = (PROJECT_ROOT / "docs" / "self-hosting.md").read_text(encoding="utf-8")
    assert "compose.cluster.yaml" in guide
    assert "One process (SQLite)" in guide and "Clustered (PostgreSQL)" in guide
