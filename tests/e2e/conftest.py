"""End-to-end harness: the real KindredBot, on a temporary database, against the emulator.

``world`` builds a server the way a community would have it (``bot.sandbox.build_world``):
members, peer supporters and moderators, a public channel, a private peer channel, a moderator
channel and a support channel for private threads. ``kindred`` starts the bot and can restart
it on the same file; ``kindred.settle()`` runs due timers after a test moved the clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import discord.gateway
import discord.http
import pytest

from bot.sandbox import KindredRunner as Kindred
from bot.sandbox import World, build_world
from emulator import DiscordEmulator
from emulator.pytest_plugin import emulator  # noqa: F401  (fixture re-export)

__all__ = ["Kindred", "World"]


@pytest.fixture
def world(emulator: DiscordEmulator) -> World:  # noqa: F811
    return build_world(emulator)


@pytest.fixture
async def kindred(
    emulator: DiscordEmulator,  # noqa: F811
    world: World,
    tmp_path: Path,
) -> AsyncIterator[Kindred]:
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    runner = Kindred(emulator, tmp_path / "kindred.db")
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
