"""The emulator's scheduled-event routes answer as Discord does: create, read, edit, delete,
the permission they need, the shape of stage, voice and external events, times in the past,
status transitions, and the gateway events that keep discord.py's cache in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest
from discord.ext import commands

from emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, P, connected_client
from emulator.models import ChannelType

EVENTS = int(P.MANAGE_EVENTS)


def make_bot() -> commands.Bot:
    return commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )


def later(hours: int) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


async def test_create_edit_read_and_delete_an_external_event(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | EVENTS)
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        event = await guild.create_scheduled_event(
            name="Grief circle", start_time=later(2), end_time=later(3),
            entity_type=discord.EntityType.external, location="#grief-circle",
            privacy_level=discord.PrivacyLevel.guild_only,
        )  # fmt: skip
        assert event.location == "#grief-circle"
        await emulator.wait_until(lambda: guild.get_scheduled_event(event.id), what="cached")
        await event.edit(start_time=later(5), end_time=later(6))
        fetched = await guild.fetch_scheduled_event(event.id)
        assert abs((fetched.start_time - later(5)).total_seconds()) < 60
        assert [e.id for e in await guild.fetch_scheduled_events()] == [event.id]
        await event.delete()
        assert emulator.guild(g).scheduled_events == {}
        with pytest.raises(discord.NotFound):
            await guild.fetch_scheduled_event(event.id)


async def test_voice_events_need_a_voice_channel_and_the_permission(
    emulator: DiscordEmulator,
) -> None:
    g = emulator.create_guild("Haven")  # without Manage Events
    voice = emulator.create_channel(g, "Circle", type=ChannelType.GUILD_VOICE)
    text = emulator.create_channel(g, "chat")
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        with pytest.raises(discord.Forbidden):
            await guild.create_scheduled_event(
                name="Circle", start_time=later(1), channel=guild.get_channel(voice.id),
                privacy_level=discord.PrivacyLevel.guild_only,
            )  # fmt: skip
        emulator.set_role_permissions(g, g.bot_role_id, DEFAULT_BOT_PERMISSIONS | EVENTS)
        await emulator.wait_until(lambda: guild.me.guild_permissions.manage_events, what="perms")
        event = await guild.create_scheduled_event(
            name="Circle", start_time=later(1), channel=guild.get_channel(voice.id),
            entity_type=discord.EntityType.voice, privacy_level=discord.PrivacyLevel.guild_only,
        )  # fmt: skip
        assert event.channel_id == voice.id and event.entity_type is discord.EntityType.voice
        # a text channel is not a voice channel; a start in the past is refused
        with pytest.raises(discord.HTTPException) as wrong:
            await bot.http.create_guild_scheduled_event(
                g.id, name="x", privacy_level=2, entity_type=2, channel_id=text.id,
                scheduled_start_time=later(1).isoformat(),
            )  # fmt: skip
        assert wrong.value.code == 50035
        with pytest.raises(discord.HTTPException) as past:
            await event.edit(start_time=later(-1))
        assert "past" in str(past.value)
        # status: scheduled → active → completed; then it can't be edited
        ended = await (await event.start()).end()
        assert ended.status is discord.EventStatus.completed
        with pytest.raises(discord.HTTPException) as finished:
            await ended.edit(name="again")
        assert finished.value.code == 180000


async def test_external_events_need_a_location_and_an_end(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | EVENTS)
    async with connected_client(emulator, make_bot) as bot:
        for body in (
            {"entity_metadata": {"location": "here"}},  # no end
            {"scheduled_end_time": later(3).isoformat()},  # no location
            {
                "entity_metadata": {"location": "x" * 101},
                "scheduled_end_time": later(3).isoformat(),
            },
        ):
            with pytest.raises(discord.HTTPException) as refused:
                await bot.http.create_guild_scheduled_event(
                    g.id, name="x", privacy_level=2, entity_type=3,
                    scheduled_start_time=later(2).isoformat(), **body,
                )  # fmt: skip
            assert refused.value.code == 50035
        assert emulator.guild(g).scheduled_events == {}
