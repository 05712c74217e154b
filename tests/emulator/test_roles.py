"""The emulator's role routes and channel limits answer as Discord does: create, edit, delete,
member counts, the role hierarchy, the 250-role limit, overwrites the bot may not grant, and
slowmode bounds."""

from __future__ import annotations

import discord
import pytest
from discord.ext import commands

from emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, P, connected_client

MANAGE = int(P.MANAGE_ROLES | P.MANAGE_CHANNELS)


def make_bot() -> commands.Bot:
    return commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )


async def test_create_edit_count_and_delete_a_role(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | MANAGE)
    alice = emulator.create_user("alice")
    emulator.add_member(g, alice)
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        role = await guild.create_role(name="Grief circle")
        assert role.position == 1 and emulator.guild(g).roles[role.id].name == "Grief circle"
        # GUILD_ROLE_CREATE reaches the cache
        await emulator.wait_until(lambda: guild.get_role(role.id), what="the role in the cache")
        assert guild.me.top_role > guild.get_role(role.id)
        await guild.get_role(role.id).edit(name="Grief & loss")
        assert emulator.guild(g).roles[role.id].name == "Grief & loss"
        member = await guild.fetch_member(alice.id)
        await member.add_roles(role)
        counts = await guild.role_member_counts()
        assert {r.id: n for r, n in counts.items()}[role.id] == 1
        await role.delete()
        assert role.id not in emulator.guild(g).roles
        assert role.id not in emulator.member(g, alice).roles


async def test_roles_need_manage_roles_and_respect_the_hierarchy(
    emulator: DiscordEmulator,
) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | MANAGE)
    above = emulator.create_role(g, "Admins", position=50)
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        with pytest.raises(discord.Forbidden) as refused:
            await guild.get_role(above.id).edit(name="mine now")
        assert refused.value.code == 50013
        with pytest.raises(discord.Forbidden):
            await guild.get_role(above.id).delete()
        with pytest.raises(discord.Forbidden):  # a permission the bot does not hold
            await guild.create_role(name="x", permissions=discord.Permissions(administrator=True))
        emulator.set_role_permissions(g, g.bot_role_id, DEFAULT_BOT_PERMISSIONS & ~MANAGE)
        with pytest.raises(discord.Forbidden):
            await guild.create_role(name="no manage roles")
        with pytest.raises(discord.Forbidden):
            await guild.role_member_counts()


async def test_a_guild_holds_at_most_250_roles(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | MANAGE)
    for i in range(250 - len(g.roles)):
        emulator.create_role(g, f"r{i}", position=0)
    async with connected_client(emulator, make_bot) as bot:
        with pytest.raises(discord.HTTPException) as full:
            await bot.get_guild(g.id).create_role(name="one too many")
        assert full.value.code == 30005


async def test_overwrites_and_slowmode_are_checked(emulator: DiscordEmulator) -> None:
    g = emulator.create_guild("Haven", bot_permissions=DEFAULT_BOT_PERMISSIONS | MANAGE)
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        hidden = {guild.default_role: discord.PermissionOverwrite(view_channel=False)}
        channel = await guild.create_text_channel("private", overwrites=hidden)
        assert emulator.permissions_for(emulator.user(g.owner_id), channel.id)  # owner sees all
        with pytest.raises(discord.Forbidden) as unseen:  # hidden from the bot too
            await channel.edit(slowmode_delay=30)
        assert unseen.value.code == 50001
        with pytest.raises(discord.Forbidden):  # nor can it let itself in afterwards
            await channel.set_permissions(guild.me, view_channel=True)
        channel = await guild.create_text_channel(
            "private",
            overwrites={**hidden, guild.me: discord.PermissionOverwrite(view_channel=True)},
        )
        assert emulator.bot_permissions(channel.id) & P.VIEW_CHANNEL
        with pytest.raises(discord.Forbidden):  # Kick Members: not the bot's to grant
            await guild.create_text_channel(
                "nope",
                overwrites={guild.default_role: discord.PermissionOverwrite(kick_members=True)},
            )
        with pytest.raises(discord.HTTPException) as bad_name:
            await guild.create_text_channel("x" * 101)
        assert bad_name.value.code == 50035
        await channel.edit(slowmode_delay=30)
        assert emulator.channel(channel.id).rate_limit_per_user == 30
        with pytest.raises(discord.HTTPException) as too_slow:
            await channel.edit(slowmode_delay=21601)
        assert too_slow.value.code == 50035


async def test_a_ban_is_read_with_ban_members_and_unknown_otherwise(
    emulator: DiscordEmulator,
) -> None:
    g = emulator.create_guild("Haven")
    alice, bob = emulator.create_user("alice"), emulator.create_user("bob")
    emulator.add_member(g, alice)
    emulator.add_member(g, bob)
    emulator.ban_member(g, alice, reason="spam")
    assert alice.id not in emulator.guild(g).members
    async with connected_client(emulator, make_bot) as bot:
        guild = bot.get_guild(g.id)
        with pytest.raises(discord.Forbidden):  # Discord asks for Ban Members
            await guild.fetch_ban(discord.Object(alice.id))
        emulator.set_role_permissions(g, g.bot_role_id, DEFAULT_BOT_PERMISSIONS | P.BAN_MEMBERS)
        ban = await guild.fetch_ban(discord.Object(alice.id))
        assert ban.user.id == alice.id and ban.reason == "spam"
        with pytest.raises(discord.NotFound) as unknown:
            await guild.fetch_ban(discord.Object(bob.id))
        assert unknown.value.code == 10026
