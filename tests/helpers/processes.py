"""Kindred as a real process in the tests and benchmarks: its environment, start and stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path

from bot import PROJECT_ROOT
from emulator import DiscordEmulator

__all__ = ["bot_env", "clean_env", "spawn_bot", "stop_processes"]


def clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment without any ``KINDRED_*`` setting of its own, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINDRED_")}
    env.update(extra)
    return env


def bot_env(emu: DiscordEmulator, **settings: str) -> dict[str, str]:
    """The environment of ``python -m bot run`` against ``emu``: the example configuration,
    the emulator's token and endpoints, then ``settings`` (``KINDRED_*`` names)."""
    return clean_env(
        DISCORD_TOKEN=emu.token,
        KINDRED_CONFIG=str(PROJECT_ROOT / "config.example.toml"),
        KINDRED_DISCORD__API_BASE_URL=emu.api_base_url,
        KINDRED_DISCORD__GATEWAY_URL=emu.gateway_url,
        **settings,
    )


async def spawn_bot(
    env: dict[str, str], log: Path, *, append: bool = False
) -> asyncio.subprocess.Process:
    """``python -m bot run`` with its output in ``log`` (a file, not a pipe nobody reads
    while it runs)."""
    with log.open("ab" if append else "wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip


async def stop_processes(
    processes: Iterable[asyncio.subprocess.Process], grace: float = 30
) -> None:
    """SIGTERM every process still running, wait up to ``grace`` seconds for each, and kill
    the ones that did not stop."""
    running = [p for p in processes if p.returncode is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
