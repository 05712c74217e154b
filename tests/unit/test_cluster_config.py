"""[cluster] settings: several processes need PostgreSQL; one process is today's Kindred."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import EXIT_CONFIG, main
from bot.config import ConfigError, load_settings, shard_of

PG = '[database]\nurl = "postgresql://kindred@db/kindred"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kindred.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_process_is_the_default(tmp_path: Path) -> None:
    settings, _ = load_settings(write(tmp_path, ""))
    assert settings.cluster.count == 1 and not settings.cluster.clustered
    assert settings.cluster.shard_ids() == [0]


def test_several_processes_on_sqlite_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[cluster]\nid = 0\ncount = 3\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}: cluster.count = 3 needs PostgreSQL")
    assert "SQLite serves one process only" in str(err.value)


def test_refusal_names_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINDRED_CLUSTER__COUNT", "2")
    with pytest.raises(ConfigError, match="environment variable KINDRED_CLUSTER__COUNT: "):
        load_settings(write(tmp_path, ""))


def test_check_config_and_start_up_refuse_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[cluster]\ncount = 2\n")
    for command in ("check-config", "run", "migrate"):
        assert main([command, "--config", str(path)]) == EXIT_CONFIG
        assert "needs PostgreSQL" in capsys.readouterr().err


def test_cluster_on_postgres_owns_every_count_th_shard(tmp_path: Path) -> None:
    text = PG + "[cluster]\nid = 1\ncount = 3\nshard_count = 8\n"
    settings, _ = load_settings(write(tmp_path, text))
    assert settings.cluster.shard_ids() == [1, 4, 7]
    text = PG + "[cluster]\nid = 2\ncount = 3\n"
    settings, _ = load_settings(write(tmp_path, text))
    assert settings.cluster.shard_ids() == [2]


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("id = 3\ncount = 3", "id 3 must be below count 3"),
        ("count = 4\nshard_count = 2", "shard_count 2 is below count 4"),
        ("count = 0", "greater than or equal to 1"),
    ],
)
def test_inconsistent_cluster_settings(tmp_path: Path, section: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_settings(write(tmp_path, PG + "[cluster]\n" + section + "\n"))


def test_shard_formula() -> None:
    assert shard_of(None, 3) == 0
    assert shard_of(0, 3) == 0
    guild = (5 << 22) | 12345
    assert shard_of(guild, 3) == 2
    assert shard_of(guild, 1) == 0
