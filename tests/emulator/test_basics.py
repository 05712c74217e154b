from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands

from emulator import DiscordEmulator, connected_client
from emulator.errors import DEFAULT_WAIT


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


async def test_login_ready_and_cache(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven")
    mod = emulator.create_role(
        g, "Moderator", permissions=int(discord.Permissions(manage_messages=True).value)
    )
    general = emulator.create_channel(g, "general")
    alice = emulator.create_user("alice")
    emulator.add_member(g, alice, roles=[mod])
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        assert guild is not None and guild.name == "Haven"
        assert guild.get_channel(general.id).name == "general"
        assert guild.get_role(mod.id).name == "Moderator"
        assert guild.default_role.id == g.id
        assert guild.me is not None and guild.me.id == emulator.bot_user.id
        assert guild.get_member(alice.id).roles[-1].id == mod.id
        assert bot.application_id == emulator.application_id


def test_default_wait_is_generous_and_configurable(monkeypatch) -> None:
    from emulator import errors

    assert errors.DEFAULT_WAIT >= 15  # a slow shared CI machine must never flake
    monkeypatch.setenv("EMULATOR_WAIT", "42")
    assert errors._default_wait() == 42.0
    monkeypatch.setenv("EMULATOR_WAIT", "nonsense")
    assert errors._default_wait() == 20.0


def test_command_localisations_are_kept_to_discords_length() -> None:
    from emulator.errors import RestError
    from emulator.validation import validate_command

    option = {"type": 3, "name": "kind", "description": "Which kind", "choices": []}
    option["description_localizations"] = {"fr": "Quel type"}
    option["choices"] = [{"name": "warmline", "value": "w", "name_localizations": {"de": "x"}}]
    body = {"name": "crisis", "description": "Lines", "options": [option]}
    validate_command({**body, "description_localizations": {"es-ES": "Líneas"}})
    long_choice = {**option["choices"][0], "name_localizations": {"pt-BR": "y" * 101}}
    for bad in (
        {**body, "description_localizations": {"fr": "x" * 101}},
        {**body, "options": [{**option, "description_localizations": {"de": ""}}]},
        {**body, "options": [{**option, "choices": [long_choice]}]},
    ):
        with pytest.raises(RestError):
            validate_command(bad)


async def test_removing_the_bot_sends_guild_delete_and_refuses_rest_until_invited_again(
    emulator: DiscordEmulator,
) -> None:
    g = emulator.create_guild("Haven")
    general = emulator.create_channel(g, "general")
    alice = emulator.create_user("alice")
    emulator.add_member(g, alice)
    removed: list[int] = []
    joined: list[int] = []
    changed = asyncio.Event()
    async with connected_client(emulator, make_bot) as bot:

        async def on_guild_remove(guild: discord.Guild) -> None:
            removed.append(guild.id)
            changed.set()

        async def on_guild_join(guild: discord.Guild) -> None:
            joined.append(guild.id)
            changed.set()

        bot.add_listener(on_guild_remove)
        bot.add_listener(on_guild_join)
        channel = bot.get_channel(general.id)
        emulator.remove_bot(g)
        await asyncio.wait_for(changed.wait(), DEFAULT_WAIT)
        changed.clear()
        assert removed == [g.id]
        assert bot.get_guild(g.id) is None
        deletes = [d for s in emulator.sessions.values() for _, e, d in s.events
                   if e == "GUILD_DELETE"]  # fmt: skip
        assert deletes and all("unavailable" not in d for d in deletes)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("hello")
        assert refused.value.code == 50001
        with pytest.raises(discord.HTTPException):
            await bot.fetch_guild(g.id)
        await emulator.send_message(alice, general, "nobody hears this")
        emulator.invite_bot(g)
        await asyncio.wait_for(changed.wait(), DEFAULT_WAIT)
        assert joined == [g.id]
        assert bot.get_guild(g.id) is not None
        await bot.get_channel(general.id).send("back")
    assert [m.text for m in emulator.bot_messages(general)] == ["back"]
    assert not any(e == "MESSAGE_CREATE" and d.get("content") == "nobody hears this"
                   for s in emulator.sessions.values() for _, e, d in s.events)  # fmt: skip
