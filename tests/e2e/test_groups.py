"""Support groups end to end: a private group's channel and role, guidelines before the role,
joining and leaving by command and by panel, new guideline versions, anonymous posts and the
audited reveal, deleted channels and roles, missing permissions, restarts and reconciliation."""

from __future__ import annotations

from emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, P
from emulator.models import Message
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import setup_peers

MANAGE = int(P.MANAGE_ROLES | P.MANAGE_CHANNELS)


async def allow_groups(emu: DiscordEmulator, world: World, kindred: Kindred) -> None:
    """A server admin gives Kindred's role Manage Roles and Manage Channels."""
    emu.set_role_permissions(world.guild, world.guild.bot_role_id, DEFAULT_BOT_PERMISSIONS | MANAGE)
    guild = kindred.bot.get_guild(world.guild.id)
    await emu.wait_until(
        lambda: guild.me.guild_permissions.manage_roles, what="Kindred's new permissions"
    )


async def command(emu: DiscordEmulator, user, where, cmd: str, **options):
    """Run a command; the answer (the followup when the bot deferred first)."""
    interaction = await emu.run_command(user, where, cmd, options=options)
    answer = await interaction.response()
    if answer.deferred:
        followups = await interaction.followups(1)
        return followups[-1]
    return answer


def message_of(answer) -> Message:
    return answer if isinstance(answer, Message) else answer.message


async def create_group(emu: DiscordEmulator, world: World, kindred: Kindred, **options):
    options.setdefault("name", "Grief circle")
    options.setdefault("description", "For anyone living with a loss.")
    answer = await command(emu, world.mod, world.general, "group create", **options)
    assert "is ready" in answer.text, answer.text
    group = await kindred.services.groups.by_name(world.guild.id, options["name"])
    return group, emu.channel(group.channel_id), emu.role(world.guild, group.role_id)


async def join(emu: DiscordEmulator, world: World, user, name: str = "Grief circle"):
    """/group join, read the guidelines, press "I accept": the final answer."""
    card = message_of(await command(emu, user, world.general, "group join", name=name))
    accept = next(c for c in card.custom_ids if c.startswith("kindred:grp:accept:"))
    pressed = await emu.press_button(user, card, accept)
    return await pressed.response()


def sees(emu: DiscordEmulator, user, channel) -> bool:
    return bool(emu.permissions_for(user, channel) & P.VIEW_CHANNEL)


async def test_private_group_hides_its_channel_until_a_member_accepts_the_guidelines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred, private=True)
    # overwrites as Discord holds them: hidden from @everyone; role, peers, mods and Kindred in
    overwrites = {ow.id: ow for ow in channel.overwrites}
    assert overwrites[world.guild.id].deny & P.VIEW_CHANNEL
    assert overwrites[role.id].allow & P.VIEW_CHANNEL
    assert overwrites[world.peer_role.id].allow & P.VIEW_CHANNEL
    assert overwrites[emulator.bot_user.id].allow & P.VIEW_CHANNEL
    assert emulator.calls_matching("GET", f"/channels/{channel.id}")  # read back and checked
    assert not sees(emulator, world.member, channel)
    assert sees(emulator, world.peer, channel)  # facilitators

    card = await command(emulator, world.member, world.general, "group join", name="grief CIRCLE")
    assert card.ephemeral and "guidelines" in card.text.lower()
    assert role.id not in emulator.member(world.guild, world.member).roles  # not before accepting
    welcome = await join(emulator, world, world.member)
    assert welcome.ephemeral and "Welcome to **Grief circle**" in welcome.text
    assert role.id in emulator.member(world.guild, world.member).roles
    assert sees(emulator, world.member, channel)
    assert not sees(emulator, world.member2, channel)
    accepted = await kindred.services.groups.repo.acceptance(group.id, world.member.id)
    assert (accepted.scope, accepted.version) == ("server", 0) and accepted.accepted_at
    assert await kindred.services.groups.is_member(group.id, world.member.id)
