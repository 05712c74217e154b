"""Running Kindred for real: JSON logs without message text or tokens, the health endpoint and
``python -m bot health``, and a backup restored into a fresh bot."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot import PROJECT_ROOT
from bot.logs import setup_logging
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import ask, go_on_duty, setup_peers
from tests.helpers.processes import clean_env
from tests.unit.test_health import free_port

CRISIS = "honestly i want to kill myself"
DM_CRISIS = "i can't go on, i want to end my life tonight"


@contextmanager
def json_logs(secrets: list[str]) -> Iterator[io.StringIO]:
    """Kindred's own logging set-up writing JSON into a buffer; the test's logging restored."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("discord").level)
    buffer = io.StringIO()
    handler = setup_logging("DEBUG", "json", secrets=secrets, stream=buffer)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        for old in saved[0]:
            root.addHandler(old)
        root.setLevel(saved[1])
        logging.getLogger("discord").setLevel(saved[2])


async def test_json_logs_of_a_crisis_flow_parse_and_hold_no_text_or_token(
    emulator: DiscordEmulator, world: World, tmp_path: Path
) -> None:
    with json_logs([emulator.token]) as buffer:
        kindred = Kindred(emulator, tmp_path / "kindred.db")
        await kindred.start()
        try:
            await setup_peers(emulator, world)
            await go_on_duty(emulator, world, world.peer)
            await emulator.send_message(world.member, world.general, CRISIS)
            await emulator.wait_for_message(emulator.dm_channel(world.member))
            await emulator.wait_for_message(
                world.peers, predicate=lambda m: "may need support" in m.text
            )
            await emulator.send_dm(world.member2, DM_CRISIS)
            await emulator.wait_for_message(
                emulator.dm_channel(world.member2), predicate=lambda m: "automated" in m.text
            )
            await kindred.settle()
        finally:
            await kindred.stop()
    text = buffer.getvalue()
    lines = text.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    loggers = {e["logger"] for e in entries}
    assert any(name.startswith("cogs.safety") for name in loggers), loggers
    assert any("label=crisis_self" in e["message"] for e in entries)
    for secret in (CRISIS, DM_CRISIS, "kill myself", "end my life", emulator.token):
        assert secret not in text


def runner_with(emulator: DiscordEmulator, db: Path, **sections: dict) -> Kindred:
    """The test runner with some deployment settings changed (e.g. ``health={...}``)."""
    runner = Kindred(emulator, db)
    base = Kindred.settings(runner)
    changed = base.model_copy(
        update={
            name: getattr(base, name).model_copy(update=values) for name, values in sections.items()
        }
    )
    runner.settings = lambda: changed  # type: ignore[method-assign]
    return runner


async def _cli_health(port: int) -> tuple[int, str, str]:
    env = clean_env(KINDRED_HEALTH__ENABLED="true", KINDRED_HEALTH__PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "health",
        "--config",
        str(PROJECT_ROOT / "config.example.toml"),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_health_endpoint_answers_and_the_health_command_exits_0_then_1(
    emulator: DiscordEmulator, world: World, tmp_path: Path
) -> None:
    port = free_port()
    runner = runner_with(emulator, tmp_path / "kindred.db", health={"enabled": True, "port": port})
    await runner.start()
    try:
        code, out, err = await _cli_health(port)
        assert code == 0, err
        status, _, body = out.strip().partition(" ")
        report = json.loads(body)
        assert status == "200"
        assert report["healthy"] is True
        assert report["gateway"]["connected"] is True
        assert report["database"] == {"writable": True, "error": None}
        assert report["timers"]["lag_seconds"] == 0.0
    finally:
        await runner.stop()
    code, out, err = await _cli_health(port)
    assert code == 1
    assert f"no answer from http://127.0.0.1:{port}/health" in err


async def _a_request_a_check_in_and_a_backup(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> Path:
    await setup_peers(emulator, world)
    answer = await ask(emulator, world, world.member, topic="rough week")
    assert "peer" in answer.text
    created = await (
        await emulator.run_command(
            world.mod,
            world.general,
            "checkin create",
            options={"channel": world.general, "schedule": "daily 09:00", "tz": "Europe/Paris"},
        )
    ).response()
    assert "#1" in created.text, created.text
    return await kindred.services.backup.backup_now()  # what the daily timer runs


async def test_a_backup_restored_into_a_fresh_bot_keeps_a_request_and_a_check_in(
    emulator: DiscordEmulator, world: World, tmp_path: Path
) -> None:
    kindred = runner_with(emulator, tmp_path / "kindred.db", backup={"folder": tmp_path / "b"})
    await kindred.start()
    try:
        backup = await _a_request_a_check_in_and_a_backup(emulator, world, kindred)
    finally:
        await kindred.stop()
    assert backup.parent == tmp_path / "b"

    # The restore docs/self-hosting.md describes: Kindred stopped, the copy put in place of
    # the database file (no -wal or -shm beside it), Kindred started.
    restored = tmp_path / "restored" / "kindred.db"
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    fresh = Kindred(emulator, restored)
    await fresh.start()
    try:
        requests = await fresh.services.db.fetchall("SELECT * FROM support_requests")
        assert [(r["requester_id"], r["status"]) for r in requests] == [(world.member.id, "open")]
        checkins = await fresh.services.checkins.list(world.guild.id)
        assert [(row.channel_id, row.schedule) for row, _ in checkins] == [
            (world.general.id, "daily 09:00")
        ]
        assert checkins[0][1] is not None, "the check-in's next run is still stored"
        listing = await (
            await emulator.run_command(world.mod, world.general, "checkin list")
        ).response()
        assert "**#1**" in listing.text and "daily 09:00" in listing.text
    finally:
        await fresh.stop()


async def test_debug_logging_never_writes_a_members_request_topic_or_summary(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With ``[logging] level = "DEBUG"`` (a documented setting, for a host chasing a problem)
    no log line at any level holds a member's words: the libraries that print payloads
    (discord.py's gateway events and request bodies; aiosqlite's and asyncpg's statements with
    their parameters, such as "INSERT INTO support_requests ... 'my husband Tobias left'") are
    held at INFO whatever the configured level."""
    topic, summary = "marmalade-divorce", "my husband Tobias left"
    root = logging.getLogger()
    old_handlers, old_level = list(root.handlers), root.level
    chatty = {n: logging.getLogger(n).level for n in ("discord", "aiosqlite", "asyncpg")}
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    try:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        answer = await ask(emulator, world, world.member, topic=topic, summary=summary)
        assert "request #1" in answer.text, answer.text
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Support request #1" in m.text
        )
        await kindred.quiet()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in old_handlers:
            root.addHandler(handler)
        root.setLevel(old_level)
        for name, level in chatty.items():
            logging.getLogger(name).setLevel(level)
    logged = stream.getvalue()
    assert logged, "nothing was logged: the capture is broken"
    leaks = [line for line in logged.splitlines() if topic in line or "Tobias" in line]
    assert not leaks, leaks[:3]
