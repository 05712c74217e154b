"""Newcomer snags: ``--config`` after the subcommand, bad ``KINDRED_*`` variables reported
by their own name rather than against the config file, and a Discord address that cannot be
reached at login, or answers it with an HTTP error, said in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import discord
import pytest
import yarl

from bot import PROJECT_ROOT
from bot.__main__ import DiscordUnreachable, _parser, _start
from bot.config import ConfigError, load_settings
from tests.helpers.processes import clean_env

EXAMPLE = PROJECT_ROOT / "config.example.toml"


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "a.toml", "run"],
        ["run", "--config", "a.toml"],
        ["migrate", "--config", "a.toml"],
        ["check-config", "--config", "a.toml"],
        ["backup", "--config", "a.toml", "--to", "x"],
        ["health", "--config", "a.toml"],
    ],
)
def test_config_is_accepted_before_or_after_the_subcommand(argv: list[str]) -> None:
    assert _parser().parse_args(argv).config == Path("a.toml")


def test_no_config_anywhere_leaves_the_default() -> None:
    assert _parser().parse_args(["run"]).config is None
    assert _parser().parse_args([]).config is None


def test_check_config_reads_the_file_named_after_the_subcommand(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('[logging]\nlevel = "debug"\n', encoding="utf-8")
    env = clean_env()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"# settings from {path}" in result.stdout
    assert '"level": "DEBUG"' in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("KINDRED_DATABASE__BUSY_TIMEOUT_MS", "soon", "Input should be a valid integer"),
        ("kindred_logging__level", "loud", "Input should be 'DEBUG'"),
        ("KINDRED_DATABASE__FOO", "1", "unknown key"),
        ("KINDRED_LOGING__LEVEL", "debug", "no such setting (sections: discord, database"),
        ("KINDRED_DATABASE", "oops", "not valid JSON for the whole section"),
        ("KINDRED_BACKUP__TIME", "25:00", "between 00:00 and 23:59"),
        ("KINDRED_HEALTH__PORT", "0", "greater than or equal to 1"),
    ],
)
def test_a_bad_environment_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(EXAMPLE)
    message = str(info.value)
    assert message.startswith(f"environment variable {name}: ")
    assert expected in message
    assert str(EXAMPLE) not in message
    assert "\n" not in message


def test_a_bad_value_in_the_file_is_still_reported_against_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KINDRED_LOGGING__LEVEL", "INFO")  # a good variable elsewhere
    path = tmp_path / "k.toml"
    path.write_text("[database]\nbusy_timeout_ms = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"k\.toml: database\.busy_timeout_ms: "):
        load_settings(path)


def test_kindred_config_itself_is_not_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINDRED_CONFIG", str(EXAMPLE))
    settings, path = load_settings()
    assert path == EXAMPLE
    assert settings.health.enabled is False


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (aiohttp.ConnectionTimeoutError("Connection timeout to host x"), "Connection timeout"),
        (TimeoutError(), "no answer in time"),
        (aiohttp.ServerDisconnectedError(), "Server disconnected"),
    ],
)
async def test_a_login_that_times_out_or_drops_is_one_line(error: Exception, reason: str) -> None:
    """A login with no answer in time (aiohttp's timeouts, asyncio's) or a connection dropped
    is said in one line naming the address and what to check, the password of a proxy's
    address masked."""

    async def start(token: str) -> None:
        raise error

    settings, _ = load_settings(EXAMPLE)
    settings = settings.model_copy(
        update={
            "discord": settings.discord.model_copy(
                update={"api_base_url": "http://me:s3cret@proxy.example:8080/api/v10"}
            )
        }
    )
    with pytest.raises(DiscordUnreachable) as info:
        await _start(SimpleNamespace(start=start), settings, "x")
    message = str(info.value)
    assert "\n" not in message
    assert "http://me:***@proxy.example:8080/api/v10" in message
    assert "s3cret" not in message
    assert reason in message
    assert "api_base_url" in message and "proxy" in message


@pytest.mark.parametrize(
    ("status", "reason", "advice"),
    [
        (404, "Not Found", "check [discord] api_base_url (Discord's own is"),
        (403, "Forbidden", "check [discord] api_base_url"),
        (502, "Bad Gateway", "start Kindred again in a few minutes"),
    ],
)
async def test_a_login_answered_with_an_http_error_is_one_line(
    status: int, reason: str, advice: str
) -> None:
    """An HTTP error other than 401 answering the login is said in one line naming the
    address (a proxy's password masked), the status and the request, with what to do; the
    answer's body (a proxy's HTML page, on several lines) is never printed."""
    response = SimpleNamespace(
        status=status,
        reason=reason,
        method="GET",
        url=yarl.URL("http://proxy.example:8080/api/v10/users/@me"),
    )
    error = discord.HTTPException(response, "<html>\n<p>the proxy's page</p>\n</html>")  # type: ignore[arg-type]

    async def start(token: str) -> None:
        raise error

    settings, _ = load_settings(EXAMPLE)
    settings = settings.model_copy(
        update={
            "discord": settings.discord.model_copy(
                update={"api_base_url": "http://me:s3cret@proxy.example:8080/api/v10"}
            )
        }
    )
    with pytest.raises(DiscordUnreachable) as info:
        await _start(SimpleNamespace(start=start), settings, "x")
    message = str(info.value)
    assert "\n" not in message and "s3cret" not in message and "proxy's page" not in message
    assert message.startswith(
        f"Discord at http://me:***@proxy.example:8080/api/v10 answered {status} {reason} when"
        " Kindred logged in (GET /api/v10/users/@me): "
    ), message
    assert advice in message, message
