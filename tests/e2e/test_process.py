"""The real command line: ``python -m bot`` connects to the emulator, answers, and shuts down
gracefully on SIGTERM; ``python -m bot migrate`` applies migrations once; given a wrong path or
URL (a file that is not a database, a folder, a newer database, a database URL Kindred does not
speak), ``run``, ``migrate``, ``backup`` and ``copy-db`` say so in one line and exit; so does
``run`` given a mistaken configuration file (a section written as a value, a file not in
UTF-8, a ``.env`` not in UTF-8) or a Discord address it cannot reach, that refuses the token
or that answers with another HTTP error."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot import PROJECT_ROOT
from bot.db import available_migrations
from bot.sandbox import build_world
from emulator import DiscordEmulator
from tests.helpers.processes import bot_env, clean_env

EXAMPLE = str(PROJECT_ROOT / "config.example.toml")


def _env(emu: DiscordEmulator, db: Path) -> dict[str, str]:
    return bot_env(emu, KINDRED_DATABASE__PATH=str(db))


async def test_run_answers_and_stops_gracefully_on_sigterm(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    world = build_world(emulator)
    db = tmp_path / "kindred.db"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=PROJECT_ROOT,
        env=_env(emulator, db),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await emulator.wait_until(
            lambda: emulator.command("kindred") is not None,
            timeout=30,
            what="Kindred to sync its commands",
        )
        await emulator.wait_until(
            lambda: emulator.identify_payloads, timeout=30, what="Kindred to connect"
        )
        await emulator.gateway_idle(30)
        response = await (
            await emulator.run_command(world.member, world.general, "kindred about")
        ).response(timeout=15)
        assert "peer support" in response.text
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    # Closed cleanly: the last connection checkpointed and removed the WAL file.
    assert not await asyncio.to_thread(Path(f"{db}-wal").exists)
    with sqlite3.connect(db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [m.version for m in available_migrations()]


async def test_migrate_command_applies_once(tmp_path: Path, emulator: DiscordEmulator) -> None:
    env = _env(emulator, tmp_path / "m.db")
    for expected in (b"applied migrations", b"database is up to date"):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "migrate",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0
        assert expected in stdout


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str] | None:
    """``python -m bot ARGS`` with the example settings; None when it was still running after
    60 s (then killed). A command that behaves is done in a few seconds: the bound only
    catches a hang."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args, "--config", EXAMPLE],
            check=False,
            cwd=PROJECT_ROOT,
            env=clean_env(**env),
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        return None


def not_a_database(tmp_path: Path) -> Path:
    path = tmp_path / "kindred.db"
    path.write_text("this is not a SQLite database\n")
    return path


def one_line_error(done: subprocess.CompletedProcess[str] | None, *names: str) -> str:
    """The command exited non-zero with one line on stderr naming each of ``names``."""
    assert done is not None, "the command was still running after 60 s"
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_run_on_a_file_that_is_not_a_database_exits_with_one_line(
    tmp_path: Path, command: str
) -> None:
    """`python -m bot run` (or migrate) whose [database] path is a file that is not SQLite (a
    wrong path, a truncated copy) prints one line naming the file and the problem and exits
    non-zero at once: aiosqlite's connection thread is closed when the first statement fails,
    so a container or systemd unit restarts or reports instead of hanging."""
    db = not_a_database(tmp_path)
    done = cli(command, DISCORD_TOKEN="x", KINDRED_DATABASE__PATH=str(db))
    one_line_error(done, str(db), "is not a SQLite database")


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_run_on_a_folder_exits_with_one_line(tmp_path: Path, command: str) -> None:
    """A [database] path that is a folder is named as one, in one line, not a traceback."""
    folder = tmp_path / "kindred.db"
    folder.mkdir()
    done = cli(command, DISCORD_TOKEN="x", KINDRED_DATABASE__PATH=str(folder))
    one_line_error(done, str(folder), "is a folder")


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_run_on_a_newer_database_says_to_upgrade_in_one_line(tmp_path: Path, command: str) -> None:
    """A database migrated by a newer Kindred is refused in one line (upgrade Kindred), not a
    traceback, and left as it was."""
    db = tmp_path / "kindred.db"
    migrated = cli("migrate", KINDRED_DATABASE__PATH=str(db))
    assert migrated is not None and migrated.returncode == 0, migrated
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (9999, 'future', '2030-01-01')")
    done = cli(command, DISCORD_TOKEN="x", KINDRED_DATABASE__PATH=str(db))
    one_line_error(done, "version 9999", "upgrade Kindred")
    with sqlite3.connect(db) as conn:
        newest = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    assert newest == 9999


def test_backup_of_a_file_that_is_not_a_database_says_so_in_one_line(tmp_path: Path) -> None:
    """`python -m bot backup` when the configured database file is not SQLite says
    "backup failed: … is not a SQLite database" and exits 1, as for a missing database, and
    leaves no copy behind."""
    db = not_a_database(tmp_path)
    copies = tmp_path / "copies"
    done = cli("backup", "--to", str(copies), KINDRED_DATABASE__PATH=str(db))
    line = one_line_error(done, str(db), "is not a SQLite database")
    assert done is not None and done.returncode == 1
    assert line.startswith("backup failed:"), line
    assert not copies.exists() or not any(copies.iterdir())


def test_copy_db_onto_a_place_that_cannot_be_written_says_so_in_one_line(tmp_path: Path) -> None:
    """`python -m bot copy-db --to /proc/x.db` (a path SQLite cannot create) says so in one
    line and that nothing was copied, with a non-zero exit."""
    source = tmp_path / "source.db"
    migrated = cli("migrate", KINDRED_DATABASE__PATH=str(source))
    assert migrated is not None and migrated.returncode == 0, migrated
    done = cli("copy-db", "--from", str(source), "--to", "/proc/x.db")
    line = one_line_error(done, "/proc/x.db", "nothing was copied")
    assert line.startswith("copy-db:"), line


def test_copy_db_from_a_file_that_is_not_a_database_says_so_in_one_line(tmp_path: Path) -> None:
    db = not_a_database(tmp_path)
    target = tmp_path / "target.db"
    done = cli("copy-db", "--from", str(db), "--to", str(target))
    one_line_error(done, str(db), "is not a SQLite database", "nothing was copied")


@pytest.mark.parametrize(
    "url", ["mysql://probe-host/kindred", "postgressql://kindred:s3cret@probe-host/kindred"]
)
def test_copy_db_to_an_unsupported_url_is_refused(tmp_path: Path, url: str) -> None:
    """`python -m bot copy-db --to mysql://host/db` (or a typo such as `postgressql://…`) is
    not taken as a relative SQLite path: it is refused with a message naming the accepted
    forms (the rule of [database] url), a non-zero exit, its password masked, and nothing
    written (no folder named after the scheme)."""
    source = tmp_path / "source.db"
    migrated = cli("migrate", KINDRED_DATABASE__PATH=str(source))
    assert migrated is not None and migrated.returncode == 0, migrated
    scheme = url.split("//", maxsplit=1)[0]
    stray = PROJECT_ROOT / scheme
    done = cli("copy-db", "--from", str(source), "--to", url)
    try:
        line = one_line_error(done, "postgresql://", "sqlite:///", "nothing was copied")
        assert "s3cret" not in line
        assert not stray.exists()
    finally:
        if stray.exists():
            shutil.rmtree(stray)


def run_with(config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        check=False,
        cwd=PROJECT_ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=90,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], *names: str) -> str:
    """Exit non-zero, no traceback, one line on stderr besides the log's INFO and WARNING
    lines (a run that got as far as migrating logs them), naming each of ``names``."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if " INFO " not in line and " WARNING " not in line]
    assert len(errors) == 1, done.stderr
    for name in names:
        assert name in errors[0], errors[0]
    return errors[0]


def test_a_section_written_as_a_plain_value_is_named_in_one_line(tmp_path: Path) -> None:
    """A config.toml whose `discord` is a value instead of a table (`discord = 5`, e.g. a
    mistyped `[discord]` header) is named in one line (it should be a section), not a
    TypeError traceback from the token check; a string that contains "token" is not taken
    for a token written in the file."""
    config = tmp_path / "config.toml"
    for text in ("discord = 5\n", 'discord = "my-token"\n'):
        config.write_text(text, encoding="utf-8")
        done = run_with(config, DISCORD_TOKEN="x", KINDRED_DATABASE__PATH=str(tmp_path / "k.db"))
        line = assert_one_line(done, str(config), "discord", "must be a section")
        assert "DISCORD_TOKEN" not in line
    assert not (tmp_path / "k.db").exists()


def test_a_config_file_that_is_not_utf8_is_named_in_one_line(tmp_path: Path) -> None:
    """A config.toml saved in Latin-1 (an editor's default on some systems; here a comment
    with "café") is named in one line saying it is not UTF-8 text, not a UnicodeDecodeError
    traceback."""
    config = tmp_path / "config.toml"
    config.write_bytes(b'[logging]\nlevel = "INFO"\n# caf\xe9 settings\n')
    done = run_with(config, DISCORD_TOKEN="x", KINDRED_DATABASE__PATH=str(tmp_path / "k.db"))
    assert_one_line(done, str(config), "not UTF-8", "line 3")


def test_a_dotenv_file_that_is_not_utf8_is_named_in_one_line(tmp_path: Path) -> None:
    """A `.env` beside Kindred saved in Latin-1 (here a comment with "café" above the token)
    is named in one line saying it is not UTF-8 text, exit non-zero, by `check-config` and
    `run` alike, instead of a UnicodeDecodeError traceback from the token's loader. The
    `.env` is the project's own, so Kindred runs from a copy of its code (`bot/`) here: one
    written beside this checkout would be read by every other test running meanwhile."""
    home = tmp_path / "kindred"
    shutil.copytree(
        PROJECT_ROOT / "bot", home / "bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    env_file = home / ".env"
    env_file.write_bytes(b"# caf\xe9 token\nDISCORD_TOKEN=x\n")
    db = tmp_path / "k.db"
    for command in ("check-config", "run"):
        done = subprocess.run(
            [sys.executable, "-m", "bot", command, "--config", EXAMPLE],
            check=False,
            cwd=home,
            env=clean_env(KINDRED_DATABASE__PATH=str(db)),
            capture_output=True,
            text=True,
            timeout=90,
        )
        line = one_line_error(done, str(env_file), "not UTF-8", "line 1")
        assert "save the file as UTF-8" in line, line
    assert not db.exists()


def closed_port() -> int:
    with socket.socket() as s:  # a port that is closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_discord_address_that_refuses_is_named_in_one_line(tmp_path: Path) -> None:
    """When the Discord REST address refuses connections (a wrong `discord.api_base_url` or
    proxy, the network down at boot), `run` says in one line which address it could not
    reach and what to check, exits non-zero, and closes the database it had migrated (no
    WAL file left: its connection thread ended), instead of two chained tracebacks."""
    port = closed_port()
    db = tmp_path / "k.db"
    done = run_with(
        PROJECT_ROOT / "config.example.toml",
        DISCORD_TOKEN="x",
        KINDRED_DATABASE__PATH=str(db),
        KINDRED_DISCORD__API_BASE_URL=f"http://127.0.0.1:{port}/api/v10",
    )
    line = assert_one_line(done, f"http://127.0.0.1:{port}/api/v10", "api_base_url", "proxy")
    assert line.startswith("Kindred could not reach Discord at"), line
    assert db.exists()
    assert not Path(f"{db}-wal").exists()


async def test_a_token_discord_refuses_is_said_in_one_line(tmp_path: Path) -> None:
    """A REST address that answers 401 to the login (a wrong or reset token) is said in one
    line (copy the token again), exit non-zero, the database closed."""

    async def unauthorized(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    db = tmp_path / "k.db"
    try:
        done = await asyncio.to_thread(
            run_with,
            PROJECT_ROOT / "config.example.toml",
            DISCORD_TOKEN="x",
            KINDRED_DATABASE__PATH=str(db),
            KINDRED_DISCORD__API_BASE_URL=f"http://127.0.0.1:{port}/api/v10",
        )
    finally:
        await runner.cleanup()
    assert_one_line(done, "Discord refused the token in DISCORD_TOKEN")
    assert not await asyncio.to_thread(Path(f"{db}-wal").exists)


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (404, "api_base_url"),
        (403, "api_base_url"),
        (503, "in a few minutes"),
        (500, "in a few minutes"),
    ],
)
async def test_a_discord_address_answering_an_error_is_named_in_one_line(
    tmp_path: Path, status: int, advice: str
) -> None:
    """A REST address that answers the login with an HTTP error other than 401 (a 404 from a
    wrong `[discord] api_base_url` path, a 403 from a proxy, a 5xx: Discord or a proxy in
    trouble, 500 after discord.py's own tries) is said in one line naming the address, the
    status and what to do, exit non-zero, the database closed, instead of a traceback."""

    async def failing(request: web.Request) -> web.Response:
        return web.Response(text="<html>no such page</html>\n", status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", failing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    db = tmp_path / "k.db"
    address = f"http://127.0.0.1:{port}/wrong/v10"
    try:
        done = await asyncio.to_thread(
            run_with,
            PROJECT_ROOT / "config.example.toml",
            DISCORD_TOKEN="x",
            KINDRED_DATABASE__PATH=str(db),
            KINDRED_DISCORD__API_BASE_URL=address,
        )
    finally:
        await runner.cleanup()
    line = assert_one_line(done, address, str(status), advice)
    assert line.startswith(f"Discord at {address} answered {status} "), line
    assert "no such page" not in line and "DISCORD_TOKEN" not in line, line
    assert await asyncio.to_thread(db.exists)
    assert not await asyncio.to_thread(Path(f"{db}-wal").exists)
