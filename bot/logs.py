"""Log output: one readable line per event by default, or one JSON object per line
(``[logging] format = "json"``) for log shippers.

Kindred's own log calls carry ids and counts, never message text. Two guards stand behind that
convention: the loggers of the libraries that print payloads never go below INFO, whatever the
configured level (discord.py's DEBUG output prints whole gateway events and request bodies,
message text included; aiosqlite's and asyncpg's print SQL statements with their parameters,
a member's words among them), and the bot token is replaced wherever it would appear in a
line.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import IO, Any

HUMAN_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
REDACTED = "[redacted]"
#: Loggers that print payloads (message text, SQL parameters) at DEBUG; kept at INFO or above.
CHATTY = ("discord", "aiosqlite", "asyncpg")


class Redactor(logging.Filter):
    """Replace secrets (the token) wherever they would appear in a record's text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class HumanFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__(HUMAN_FORMAT)
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the
    traceback when there is one."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redactor.scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.redactor.scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.redactor.scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: str = "INFO",
    fmt: str = "human",
    *,
    secrets: Iterable[str] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) in the chosen format; return the handler."""
    redactor = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redactor) if fmt == "json" else HumanFormatter(redactor))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    floor = max(logging.getLevelName(level), logging.INFO)
    for name in CHATTY:
        logging.getLogger(name).setLevel(floor)
    return handler


class EveryWhile:
    """A log line that would repeat for every message (a server with no moderator channel
    has one for each crisis it reports) is written once per ``key`` per ``seconds``, with how
    many were left out since; the other calls write nothing. Bounded: the oldest keys go."""

    def __init__(
        self, seconds: float = 600.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self._last: dict[Hashable, tuple[float, int]] = {}  # key → (written at, left out)

    def due(self, key: Hashable) -> int | None:
        """How many were left out since the last one written for ``key`` when this one is
        to be written; None when it is to be left out."""
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.seconds:
            self._last[key] = (last[0], last[1] + 1)
            return None
        if last is None and len(self._last) >= 10_000:
            del self._last[next(iter(self._last))]
        self._last[key] = (now, 0)
        return 0 if last is None else last[1]
