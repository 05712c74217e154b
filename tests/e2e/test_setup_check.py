"""``/kindred setup``: checks the server's set-up and words each problem with its exact fix."""

from __future__ import annotations

from emulator import DiscordEmulator
from emulator.permissions import P
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_groups import allow_groups, create_group, sees
from tests.e2e.test_support import setup_peers


async def setup_check(emu: DiscordEmulator, world: World, user=None) -> str:
    ran = await emu.run_command(user or world.mod, world.general, "kindred setup")
    answer = await ran.original_response()
    assert answer.ephemeral
    (embed,) = answer.embeds
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def command(emu: DiscordEmulator, world: World, name: str, **options) -> str:
    ran = await emu.run_command(world.mod, world.general, name, options=options)
    return (await ran.response()).text


async def test_reports_a_missing_permission_and_a_hidden_thread_parent_with_fixes(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    # Private threads would be created under the peer room, which members can't see.
    await setup_peers(emulator, world, thread_channel=world.peers.id)
    bot_role = world.guild.bot_role
    assert bot_role is not None
    emulator.set_overwrite(world.mods, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.EMBED_LINKS))
    await emulator.gateway_idle(5)
    text = await setup_check(emulator, world)
    assert "to fix" in text.splitlines()[0]
    mods, peers = f"<#{world.mods.id}>", f"<#{world.peers.id}>"
    assert f"In {mods} (the moderator channel) Kindred lacks Embed Links." in text
    assert f"{mods}: Edit Channel → Permissions → add **{bot_role.name}** → allow Embed Links" in (
        text
    )
    assert f"Members (@everyone) can't see {peers}, but their private support threads" in text
    assert "`/peers setup thread_channel:`" in text
    assert "All good" not in text and "all good" not in text


async def test_a_well_set_up_server_is_all_good(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    assert "GB" in await command(emulator, world, "kindred set region", region="GB")
    await command(emulator, world, "kindred set timezone", timezone="Europe/London")
    text = await setup_check(emulator, world)
    assert text.splitlines()[0] == "Kindred set-up check: all good ✅"
    assert f"the peer channel <#{world.peers.id}>" in text
    assert f"the thread channel <#{world.support.id}>" in text
    assert f"the peer role <@&{world.peer_role.id}>" in text


async def test_a_new_server_is_told_where_to_start(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    text = await setup_check(emulator, world)
    assert "Peer support isn't set up" in text
    assert "`/peers setup peer_role: peer_channel:`" in text
    assert "No default region" in text
    assert "`/kindred set region region:`" in text
    assert "Worth a look" in text and "time zone is UTC" in text


async def test_a_deleted_channel_and_a_peer_role_that_cannot_see_its_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world, "kindred set region", region="GB")
    emulator.set_overwrite(world.peers, world.peer_role, deny=int(P.VIEW_CHANNEL))
    emulator.delete_channel(world.mods)
    await emulator.gateway_idle(5)
    text = await setup_check(emulator, world)
    peers, mods = f"<#{world.peers.id}>", f"<#{world.mods.id}>"
    assert f"Peer supporters (<@&{world.peer_role.id}>) can't see {peers}" in text
    assert f"add <@&{world.peer_role.id}> → allow View Channel" in text
    assert f"The moderator channel ({mods}) is gone, or Kindred can't see it." in text
    assert "Choose another with `/peers setup moderator_channel:`" in text


async def test_a_private_group_the_peer_role_cannot_see_is_reported_and_repaired(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    _, channel, _ = await create_group(emulator, world, kindred, private=True)
    emulator.set_overwrite(channel, world.peer_role)  # someone took the peers' access by hand
    await emulator.gateway_idle(5)
    assert not sees(emulator, world.peer, channel)
    text = await setup_check(emulator, world)
    gap = f"Peer supporters (<@&{world.peer_role.id}>) can't see <#{channel.id}>"
    assert gap in text and "they facilitate the group" in text
    assert "`/group repair name:Grief circle` sets the channel's permissions again." in text
    ran = await emulator.run_command(
        world.mod, world.general, "group repair", options={"name": "Grief circle"}
    )
    assert "checked who can see the channel" in (await ran.original_response()).text
    assert sees(emulator, world.peer, channel) and not sees(emulator, world.member, channel)
    assert gap not in await setup_check(emulator, world)


async def test_members_are_refused_kindly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    ran = await emulator.run_command(world.member, world.general, "kindred setup")
    answer = await ran.response()
    assert answer.ephemeral and "for moderators" in answer.text
