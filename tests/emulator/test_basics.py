from __future__ import annotations

import discord
from discord.ext import commands

from emulator import DiscordEmulator, connected_client


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
