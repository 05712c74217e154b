"""KindredBot.dispatch's short path for the events it has no handler of its own for: every
listener still gets each event, and ``wait_for`` still sees it."""

from __future__ import annotations

import asyncio

import discord

from bot.bot import _NO_HANDLER
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World


async def test_the_short_path_is_taken_only_for_events_kindred_has_no_handler_for(
    kindred: Kindred,
) -> None:
    """The short path skips discord.py's look-up of ``on_<event>``: it holds only while the
    bot has no such handler (a cog's listener is not one: it is in ``extra_events``)."""
    assert kindred.bot is not None
    for event in _NO_HANDLER:
        assert getattr(kindred.bot, "on_" + event, None) is None, event


async def test_listeners_and_waiters_still_get_every_message_and_gateway_event(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    bot = kindred.bot
    assert bot is not None
    heard: list[str] = []
    kinds: list[str] = []

    async def on_message(message: discord.Message) -> None:
        heard.append(message.content)

    async def on_socket_event_type(kind: str) -> None:
        kinds.append(kind)

    bot.add_listener(on_message, "on_message")
    bot.add_listener(on_socket_event_type, "on_socket_event_type")
    try:
        waiting = asyncio.ensure_future(
            bot.wait_for("message", check=lambda m: m.content == "second", timeout=30)
        )
        await asyncio.sleep(0)
        await emulator.send_message(world.member, world.general, "first")
        await emulator.send_message(world.member, world.general, "second")
        waited = await waiting
        assert waited.content == "second"
        await emulator.wait_until(lambda: heard == ["first", "second"], what="both messages")
        assert kinds.count("MESSAGE_CREATE") >= 2, kinds
    finally:
        bot.remove_listener(on_message, "on_message")
        bot.remove_listener(on_socket_event_type, "on_socket_event_type")
