"""Configuration: TOML + environment, one clear line on any problem, no secrets in files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.config import ConfigError, Secrets, load_secrets, load_settings, masked_dump


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kindred.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_example_is_valid_and_matches_defaults() -> None:
    settings, path = load_settings(PROJECT_ROOT / "config.example.toml")
    assert path.name == "config.example.toml"
    assert settings.discord.api_base_url == "https://discord.com/api/v10"
    assert settings.discord.gateway_url is None
    assert settings.database.resolved_path() == PROJECT_ROOT / "data" / "kindred.db"


def test_every_setting_is_documented_in_the_example() -> None:
    text = (PROJECT_ROOT / "config.example.toml").read_text()
    settings, _ = load_settings(PROJECT_ROOT / "config.example.toml")
    for section, model in settings:
        assert f"[{section}]" in text
        for key in type(model).model_fields:
            assert key in text, f"{section}.{key} is not documented in config.example.toml"


def test_environment_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[discord]\napi_base_url = "http://file.example/api/v10"\n')
    monkeypatch.setenv("KINDRED_DISCORD__API_BASE_URL", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("KINDRED_LOGGING__LEVEL", "debug")
    settings, _ = load_settings(path)
    assert settings.discord.api_base_url == "http://127.0.0.1:9/api/v10"
    assert settings.logging.level == "DEBUG"


def test_relative_database_path_resolves_against_project_root(tmp_path: Path) -> None:
    settings, _ = load_settings(write(tmp_path, '[database]\npath = "data/x.db"\n'))
    assert settings.database.resolved_path() == PROJECT_ROOT / "data" / "x.db"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[discord]\nfoo = 1\n", "discord.foo: unknown key"),
        ('[database]\nbusy_timeout_ms = "soon"\n', "database.busy_timeout_ms: Input should be"),
        ("[discord\n", "not valid TOML"),
        ('[scheduler]\ndefault_timezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ('[discord]\ngateway_url = "http://x"\n', "discord.gateway_url: must start with ws://"),
        ('[discord]\ntoken = "abc"\n', "set DISCORD_TOKEN instead"),
        ("[nonsense]\nx = 1\n", "nonsense: unknown key"),
        ('[database]\nurl = "mysql://db/k"\n', "database.url: must start with postgresql://"),
        ("discord = 5\n", "discord: must be a section ([discord] followed by its keys)"),
        ('discord = "my-token"\n', "discord: must be a section ([discord] followed by its"),
        ("logging = [1]\n", "logging: must be a section ([logging] followed by its keys)"),
        ("cluster = true\n", "cluster: must be a section ([cluster] followed by its keys)"),
        ('[health]\ntoken = "abc"\n', "token: the bot token must not be in a file"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message
    assert expected in message
    assert "\n" not in message


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "kindred.toml"
    path.write_bytes(b'[logging]\nlevel = "INFO"\n# caf\xe9 settings\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == (
        f"{path}: not UTF-8 text (line 3 has a byte UTF-8 cannot read); save the file as UTF-8"
    )


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kindred.toml"
    path.write_bytes('\ufeff[logging]\nlevel = "DEBUG"\n# café\n'.encode())
    settings, _ = load_settings(path)
    assert settings.logging.level == "DEBUG"


def test_an_env_file_that_is_not_utf8_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .env saved in Latin-1 is named in one line (the loader raised UnicodeDecodeError);
    a UTF-8 one, with or without a byte order mark, gives its token."""
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    path = tmp_path / ".env"
    path.write_bytes(b"# caf\xe9\nDISCORD_TOKEN=abc\n")
    with pytest.raises(ConfigError) as info:
        load_secrets(path)
    assert str(info.value) == (
        f"{path}: not UTF-8 text (line 1 has a byte UTF-8 cannot read); save the file as UTF-8"
    )
    for text in ("# café\nDISCORD_TOKEN=abc\n", "\ufeffDISCORD_TOKEN=abc\n"):
        path.write_bytes(text.encode())
        token = load_secrets(path).discord_token
        assert token is not None and token.get_secret_value() == "abc"
    assert load_secrets(tmp_path / "absent.env").discord_token is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "absent.toml")


def test_token_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2.secret-part.more-secret")
    settings, _ = load_settings(PROJECT_ROOT / "config.example.toml")
    dumped = masked_dump(settings, Secrets())
    assert "secret" not in str(dumped)
    assert dumped["DISCORD_TOKEN"].startswith("MTIz")


def test_database_url_picks_the_backend_and_its_password_is_masked(tmp_path: Path) -> None:
    default, _ = load_settings(PROJECT_ROOT / "config.example.toml")
    assert default.database.backend == "sqlite"
    assert default.database.target() == str(PROJECT_ROOT / "data" / "kindred.db")
    url = "postgresql://kindred:s3cret-pw@db.internal:5432/kindred"
    settings, _ = load_settings(write(tmp_path, f'[database]\nurl = "{url}"\n'))
    assert settings.database.backend == "postgres"
    assert settings.database.target() == url
    dumped = masked_dump(settings, Secrets())
    assert "s3cret" not in str(dumped)
    assert dumped["database"]["url"] == "postgresql://kindred:***@db.internal:5432/kindred"
    lite, _ = load_settings(write(tmp_path, '[database]\nurl = "sqlite:///data/y.db"\n'))
    assert (lite.database.backend, lite.database.resolved_path()) == (
        "sqlite",
        PROJECT_ROOT / "data" / "y.db",
    )


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    base = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=base,
        timeout=60,
        check=False,
    )


def test_cli_bad_config_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "[discord]\nfoo = 1\n[database]\npath = '" + str(tmp_path) + "/k.db'\n")
    result = _cli("--config", str(path), "run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "discord.foo: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "k.db").exists()


def test_cli_without_token_explains_how_to_get_one(tmp_path: Path) -> None:
    path = write(tmp_path, f"[database]\npath = '{tmp_path}/k.db'\n")
    result = _cli("--config", str(path), env={"DISCORD_TOKEN": ""})
    assert result.returncode == 1
    assert "DISCORD_TOKEN" in result.stderr
    assert "Message Content Intent" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_check_config_masks_token(tmp_path: Path) -> None:
    result = _cli(
        "--config",
        str(PROJECT_ROOT / "config.example.toml"),
        "check-config",
        env={"DISCORD_TOKEN": "abcd-very-secret-token"},
    )
    assert result.returncode == 0
    assert "very-secret" not in result.stdout
    assert '"api_base_url": "https://discord.com/api/v10"' in result.stdout


@pytest.mark.parametrize("zone", ["US", "Europe", "x" * 5000, "../../etc/passwd", "", "UTC\x00"])
def test_guild_time_zone_is_checked_against_the_zone_list(zone: str) -> None:
    from pydantic import ValidationError

    from bot.services.settings import CoreSettings

    with pytest.raises(ValidationError) as info:
        CoreSettings.model_validate({"timezone": zone})
    assert len(str(info.value)) < 600  # the echo is short, whatever was typed


def test_guild_default_region_is_normalised_or_refused() -> None:
    from pydantic import ValidationError

    from bot.services.settings import CoreSettings

    assert CoreSettings.model_validate({"default_region": "uk"}).default_region == "GB"
    assert CoreSettings.model_validate({"default_region": "new york"}).default_region == "US-NY"
    with pytest.raises(ValidationError):
        CoreSettings.model_validate({"default_region": "x" * 3000})
