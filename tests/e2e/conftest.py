"""End-to-end harness: the real KindredBot, on a temporary database, against the emulator.

``world`` builds a server the way a community would have it (``bot.sandbox.build_world``):
members, peer supporters and moderators, a public channel, a private peer channel, a moderator
channel and a support channel for private threads. ``kindred`` starts the bot and can restart
it on the same file; ``kindred.settle()`` runs due timers after a test moved the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord.http
import pytest

from bot.sandbox import KindredRunner as Kindred
from bot.sandbox import World, build_world
from bot.services.requests.relay_retry import RELAY_RETRY_AFTER
from emulator import DiscordEmulator
from emulator.errors import DEFAULT_WAIT
from emulator.pytest_plugin import emulator  # noqa: F401  (fixture re-export)
from emulator.testing import discord_endpoints_kept

__all__ = ["Kindred", "World", "detector_settled", "every_answer"]


@pytest.fixture(autouse=True)
def _discord_endpoints_kept() -> Iterator[None]:
    """Kindred points discord.py's process-wide REST base and gateway URL at the emulator
    when it starts: every test gets them back as they were, after its fixtures stopped."""
    with discord_endpoints_kept():
        yield


class _QuickSleeps:
    """``asyncio`` as discord.http sees it, with its sleeps a tenth as long."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def sleep(delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(delay / 10, result)


@pytest.fixture
def quick_discord_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py tries a request Discord answered 500 five times, waiting 1, 3, 5, 7 and 9 s
    (25 s of real clock) before it raises: a test of what Kindred does once it raised gets
    the same five tries, a tenth as far apart. Every sleep of discord.http is shortened, so
    only for tests whose faults are 5xx (the emulator keeps no rate-limit buckets)."""
    monkeypatch.setattr(discord.http, "asyncio", _QuickSleeps())


@pytest.fixture
def world(emulator: DiscordEmulator) -> World:  # noqa: F811
    return build_world(emulator)


# Production waits 5 s, then 10 s, 20 s... (about 35 minutes in all) before each next try of a
# relayed message Discord refused; tests wait a tenth of that: a retry still comes later, not
# at once, and a refusal that lasts still outlives a test (over three minutes in all).
QUICK_RELAY_RETRIES = tuple(d / 10 for d in RELAY_RETRY_AFTER)


@pytest.fixture
async def kindred(
    emulator: DiscordEmulator,  # noqa: F811
    world: World,
    tmp_path: Path,
) -> AsyncIterator[Kindred]:
    runner = Kindred(emulator, tmp_path / "kindred.db", relay_retry_after=QUICK_RELAY_RETRIES)
    await runner.start()
    try:
        yield runner
        _batch_path_held(runner)
    finally:
        await runner.stop()


def _batch_path_held(runner: Kindred) -> None:
    """A failing detector batch falls back to one message at a time and the member never
    notices; in a test that hides a broken model or fake (it did: scripted models without
    ``scores_tokens``), so every end-to-end test checks it did not happen."""
    cog = runner.bot.get_cog("Safety") if runner.bot is not None else None
    worker = getattr(cog, "worker", None)
    assert worker is None or worker.fallbacks == 0, (
        f"{worker.fallbacks} messages fell back from the detector's batch path"
    )


async def detector_settled(runner: Kindred, timeout: float = 30.0) -> None:
    """Every message given to the detector is assessed and what it started has finished.

    A check that the bot did *nothing* must wait for this: the worker gathers messages for
    its linger (40 ms) before it assesses them, so a quick round trip can come back before
    the detector has even looked, and the check would pass whatever the detector does."""
    cog = runner.bot.get_cog("Safety") if runner.bot is not None else None
    worker = cog.worker
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    calm = 0
    while calm < 3:  # three looks in a row: a delivery may still be on its way to the loop
        if loop.time() > deadline:
            raise AssertionError("the detector was still busy after the timeout")
        await asyncio.sleep(0.02)
        idle = worker.items >= worker.submitted and not cog._tasks
        calm = calm + 1 if idle else 0
    await runner.emu.gateway_idle(5)


async def every_answer(
    emu: DiscordEmulator, interaction, wanted: list[str], timeout: float = DEFAULT_WAIT
) -> list:
    """All the private messages an interaction was answered with (the callback's and its
    followups), once every text in ``wanted`` is in one of them. A long answer comes as
    several messages; this waits for the part that carries the last of ``wanted``."""
    first = await interaction.response()

    def said() -> list:
        return [first, *interaction.followup_messages]

    def complete() -> bool:
        text = "\n".join(m.text for m in said())
        return all(w in text for w in wanted)

    await emu.wait_until(complete, timeout=timeout, what=f"an answer naming all of {wanted}")
    return said()
