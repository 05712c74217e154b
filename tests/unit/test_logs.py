"""Log output: human lines by default, JSON lines on request; the token never appears and
discord.py's payload-printing debug output stays off."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.logs import REDACTED, EveryWhile, setup_logging

TOKEN = "MTIzNDU2Nzg5.abcdef.very-secret-part"


@contextmanager
def captured(fmt: str, level: str = "DEBUG") -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("discord").level)
    buffer = io.StringIO()
    handler = setup_logging(level, fmt, secrets=[TOKEN], stream=buffer)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        for old in saved[0]:
            root.addHandler(old)
        root.setLevel(saved[1])
        logging.getLogger("discord").setLevel(saved[2])


def test_human_lines_by_default_with_the_token_redacted() -> None:
    with captured("human") as out:
        logging.getLogger("bot.test").info("connected with %s", TOKEN)
    line = out.getvalue().strip()
    assert "INFO" in line and "bot.test: connected with " + REDACTED in line
    assert TOKEN not in line


def test_json_lines_parse_and_carry_the_exception() -> None:
    with captured("json") as out:
        log = logging.getLogger("bot.test")
        log.warning("guild=%s count=%d", 42, 3)
        try:
            raise ValueError(f"bad token {TOKEN}")
        except ValueError:
            log.exception("failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["level"] == "WARNING" and first["logger"] == "bot.test"
    assert first["message"] == "guild=42 count=3"
    assert first["time"].endswith("+00:00")
    assert "ValueError: bad token " + REDACTED in second["exception"]
    assert TOKEN not in out.getvalue()


def test_discord_debug_output_stays_off_even_at_debug() -> None:
    with captured("json", "DEBUG") as out:
        logging.getLogger("discord.gateway").debug("WebSocket Event: {'content': 'hello'}")
        logging.getLogger("bot.test").debug("kept")
    messages = [json.loads(line)["message"] for line in out.getvalue().splitlines()]
    assert messages == ["kept"]


def test_a_line_repeated_for_every_message_is_written_once_a_while_with_a_count() -> None:
    now = [1000.0]
    every = EveryWhile(600.0, clock=lambda: now[0])
    assert every.due(1) == 0  # the first is written
    assert every.due(1) is None and every.due(1) is None  # left out
    assert every.due(2) == 0  # another server is its own
    now[0] += 599.0
    assert every.due(1) is None
    now[0] += 1.0
    assert every.due(1) == 3  # written again, with the three left out since
    assert every.due(1) is None
    now[0] += 600.0
    assert every.due(1) == 1
    assert every.due(2) == 0  # nothing left out for this one


def test_the_throttles_memory_is_bounded() -> None:
    every = EveryWhile(600.0, clock=lambda: 0.0)
    for key in range(10_050):
        assert every.due(key) == 0
    assert len(every._last) == 10_000
    assert every.due(10_049) is None  # the newest are kept
    assert every.due(0) == 0  # the oldest went: written as new
