"""``make sandbox`` / ``python -m bot sandbox``: the emulator, the real Kindred on a temporary
database, the demo community, and a console, interactive (prompt_toolkit: line editing,
history, tab completion) or running a script (``--script docs/demo.txt``) into a transcript.

The temporary folder (database and all) is removed on every way out: end of script, ``quit``,
Ctrl-D, Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from rich.console import Console as RichConsole
from rich.text import Text

from emulator import DiscordEmulator, patch_discord

from .completion import complete
from .console import Console
from .events import Handles, HintLine
from .render import emit, make_console, render
from .runner import KindredRunner, SandboxClock
from .world import DEMO_PEOPLE, DEMO_SETUP, build_demo

# A Monday morning, so the demo's transcript (dates, check-in times) is the same on every run.
DEMO_START = datetime(2027, 1, 4, 8, 30, tzinfo=UTC)
TRANSCRIPT_WIDTH = 100

BANNER = """\
Kindred sandbox: the real bot against a local Discord emulator, on a temporary database.
Server "Kindred Demo": {people}.
Channels: {channels}. Kindred is set up (peers, threads in #support).
Type help for examples, Tab to complete, Ctrl-D to leave (the database is removed)."""


@contextlib.asynccontextmanager
async def open_sandbox(
    folder: Path, *, start: datetime | None = None, out: RichConsole | None = None
) -> AsyncIterator[Console]:
    """Start the emulator and Kindred in ``folder``, build and set up the demo community."""
    emu = DiscordEmulator()
    await emu.start()
    runner: KindredRunner | None = None
    try:
        with patch_discord(emu):  # KindredBot points discord.py here too; restored after
            demo = build_demo(emu)
            clock = SandboxClock(start)
            runner = KindredRunner(emu, folder / "kindred.db", clock=clock)
            await runner.start()
            console = Console(emu, runner, demo.guild, clock, zones=demo.zones)
            for line in DEMO_SETUP:
                for event in await console.run(line):
                    if isinstance(event, HintLine) and out is not None:
                        emit(out, render(event))
            console.mark_seen()
            console.handles = Handles()  # the session's first message is m1
            yield console
    finally:
        if runner is not None:
            await runner.stop()
        await emu.stop()


async def run_script(lines: Iterable[str], console: Console, out: RichConsole) -> int:
    """Run each line, printing it and what happened; returns how many lines got a hint."""
    hints = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.strip() and not line.lstrip().startswith("#"):
            emit(out, Text("> " + line, style="bold"))
        events = await console.run(line)
        hints += any(isinstance(e, HintLine) for e in events)
        for event in events:
            emit(out, render(event))
        if console.finished:
            break
    return hints


class SandboxCompleter(Completer):
    def __init__(self, console: Console) -> None:
        self.console = console

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        word = document.text_before_cursor.split(" ")[-1]
        try:
            candidates = complete(self.console, document.text_before_cursor)
        except Exception:  # a completion must never break the prompt
            return
        for candidate in candidates:
            yield Completion(candidate, start_position=-len(word))


async def interact(console: Console, out: RichConsole) -> None:
    session: PromptSession[str] = PromptSession(
        history=InMemoryHistory(), completer=SandboxCompleter(console), complete_in_thread=False
    )
    while not console.finished:
        try:
            line = await session.prompt_async(f"{console.clock():%a %H:%M} › ")
        except (EOFError, KeyboardInterrupt):
            break
        for event in await console.run(line):
            emit(out, render(event))


def _banner(console: Console) -> str:
    people = ", ".join(f"{p.name} ({p.role}, {p.zone})" for p in DEMO_PEOPLE)
    channels = ", ".join("#" + c for c in console.names.channels(threads=False))
    return BANNER.format(people=people, channels=channels)


async def _session(folder: Path, lines: list[str] | None, start: datetime | None) -> int:
    tty = sys.stdout.isatty()
    out = make_console(width=None if tty else TRANSCRIPT_WIDTH)
    async with open_sandbox(folder, start=start, out=out) as console:
        if lines is None:
            emit(out, Text(_banner(console), style="dim"))
            await interact(console, out)
            return 0
        hints = await run_script(lines, console, out)
        emit(out, Text(f"-- end of script: {len(lines)} lines, {hints} with a hint", style="dim"))
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot sandbox", description=__doc__)
    parser.add_argument("--script", help="run these console lines (- for stdin) and exit")
    parser.add_argument(
        "--start",
        help="where the bot's clock starts: an ISO time (UTC if no zone) or 'now'; "
        f"default: {DEMO_START:%Y-%m-%d %H:%M} UTC for a script, now when interactive",
    )
    return parser


def _start(text: str | None, scripted: bool) -> datetime | None:
    if text is None:
        return DEMO_START if scripted else None
    if text == "now":
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _script_lines(path: str | None, stdin: IO[str]) -> list[str] | None:
    if path == "-" or (path is None and not stdin.isatty()):
        return stdin.read().splitlines()
    if path is None:
        return None
    return Path(path).read_text(encoding="utf-8").splitlines()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        lines = _script_lines(args.script, sys.stdin)
        start = _start(args.start, lines is not None)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"sandbox: {exc}\n")
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # discord.py warns at every start that voice libraries are missing; Kindred has no voice.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="kindred-sandbox-"))
    try:
        return asyncio.run(_session(folder, lines, start))
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(folder, ignore_errors=True)
