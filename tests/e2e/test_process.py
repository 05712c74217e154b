"""The real command line: ``python -m bot`` connects to the emulator, answers, and shuts down
gracefully on SIGTERM; ``python -m bot migrate`` applies migrations once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from bot import PROJECT_ROOT
from bot.db import available_migrations
from bot.sandbox import build_world
from emulator import DiscordEmulator
from tests.helpers.processes import bot_env


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
