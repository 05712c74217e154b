"""``/kindred setup``: checks the server's set-up and words each problem with its exact fix."""

from __future__ import annotations

from bot.services.peers import PeerSettings
from bot.services.safety import SafetySettings
from bot.services.settings import CoreSettings
from emulator import DiscordEmulator
from emulator.permissions import P
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_groups import allow_groups, create_group, sees
from tests.e2e.test_support import setup_peers


async def setup_check(emu: DiscordEmulator, world: World, user=None, locale: str = "en-US") -> str:
    ran = await emu.run_command(user or world.mod, world.general, "kindred setup", locale=locale)
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
    assert "`/peers setup peer_role: peer_channel: thread_channel:`" in text
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
    assert "Choose another with `/peers setup peer_role: peer_channel: moderator_channel:`" in text


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


async def a_channel_and_a_thread_parent_to_fix(emu: DiscordEmulator, world: World) -> str:
    """Embed Links taken from Kindred in the moderator channel, threads under the peer room
    (which members can't see), no region, and the server's zone left at UTC."""
    await setup_peers(emu, world, thread_channel=world.peers.id)
    bot_role = world.guild.bot_role
    assert bot_role is not None
    emu.set_overwrite(world.mods, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.EMBED_LINKS))
    await emu.gateway_idle(5)
    return bot_role.name


async def test_a_french_moderator_reads_each_finding_and_its_fix_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    bot_role = await a_channel_and_a_thread_parent_to_fix(emulator, world)
    text = await setup_check(emulator, world, locale="fr")
    mods, peers = f"<#{world.mods.id}>", f"<#{world.peers.id}>"
    lines = text.splitlines()
    assert lines[0] == "Vérification de la configuration de Kindred : 3 points à corriger", text
    assert lines[1] == "Chacun est accompagné de sa solution. Relance `/kindred setup` ensuite."
    assert "1. Problème" in lines and "4. À regarder" in lines, text
    assert (
        f"Les membres (@everyone) ne voient pas {peers}, alors que leurs fils d'entraide privés "
        "y sont créés (en attendant, Kindred passe par le relais en message privé)."
    ) in lines
    # Discord's permission names stay as discord.py writes them; the sentence is French
    assert f"Dans {mods} (le salon de modération), Kindred n'a pas Embed Links." in lines
    assert (
        f"**Solution :** {mods} : Modifier le salon → Permissions → ajoute **{bot_role}** → "
        "autorise Embed Links."
    ) in lines
    assert "Pas de région par défaut" in text and "Le fuseau horaire du serveur est UTC" in text
    for english in ("Problem\n", "Worth a look", "Fix:", "can't see", "lacks", "No default"):
        assert english not in text, (english, text)


async def test_an_english_moderator_reads_the_findings_word_for_word(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    bot_role = await a_channel_and_a_thread_parent_to_fix(emulator, world)
    mods, peers = f"<#{world.mods.id}>", f"<#{world.peers.id}>"
    assert await setup_check(emulator, world) == "\n".join(
        [
            "Kindred set-up check: 3 things to fix",
            "Each comes with its fix. Run `/kindred setup` again afterwards.",
            "1. Problem",
            f"Members (@everyone) can't see {peers}, but their private support threads are "
            "created there (until they can, Kindred uses the DM relay instead).",
            "**Fix:** Choose a channel members can see with `/peers setup peer_role: "
            "peer_channel: thread_channel:` (and the peer role and channel you use now); only "
            "the member and their peer are added to each private thread.",
            "2. Problem",
            f"In {mods} (the moderator channel) Kindred lacks Embed Links.",
            f"**Fix:** {mods}: Edit Channel → Permissions → add **{bot_role}** → allow Embed "
            "Links.",
            "3. Problem",
            "No default region: members who haven't chosen theirs get only the international "
            "directory of crisis lines, not local ones.",
            "**Fix:** `/kindred set region region:` with your community's country, e.g. `US`, "
            "`GB`, `CA`, `AU`, or a state such as `US-NY` (members can still choose their own "
            "with `/region set region:`).",
            "4. Worth a look",
            "The server's time zone is UTC (the default); Kindred uses it for members who "
            "haven't set their own.",
            "**Fix:** If most members live elsewhere: `/kindred set timezone timezone:`, e.g. "
            "`Europe/London` or `America/Chicago`.",
        ]
    )


async def test_a_french_moderator_reads_all_good_and_what_was_checked_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world, "kindred set region", region="GB")
    await command(emulator, world, "kindred set timezone", timezone="Europe/London")
    text = await setup_check(emulator, world, locale="fr")
    lines = text.splitlines()
    assert lines[0] == "Vérification de la configuration de Kindred : tout est en ordre ✅", text
    assert lines[1].startswith("Kindred a ce qu'il lui faut. Vérifié : "), text
    assert f"le salon de l'équipe d'entraide <#{world.peers.id}>" in lines[1]
    assert f"le salon des fils <#{world.support.id}>" in lines[1]
    assert f"le rôle d'entraide <@&{world.peer_role.id}>" in lines[1]
    assert "the peer" not in text and "Checked" not in text


async def test_members_are_refused_kindly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    ran = await emulator.run_command(world.member, world.general, "kindred setup")
    answer = await ran.response()
    assert answer.ephemeral and "for moderators" in answer.text


async def roles_stored_before_the_refusal(
    kindred: Kindred, world: World, moderator_role: int, peer_role: int
) -> None:
    """Role settings `settings.require_role` (and `/safety exclude`) refuse today, stored before
    it did: straight through the services, as an older Kindred would have."""
    guild = world.guild.id
    await kindred.services.settings.update(
        guild, CoreSettings, world.mod.id, moderator_role_id=moderator_role
    )
    peers = await kindred.services.settings.get(guild, PeerSettings)
    assert peers.peer_role_id is not None  # set up with a real role first
    await kindred.services.settings.update(
        guild, PeerSettings, world.mod.id, peer_role_id=peer_role
    )
    await kindred.services.settings.update(
        guild, SafetySettings, world.mod.id, excluded_role_ids=[guild]
    )


async def test_everyone_or_a_bots_role_stored_as_moderator_peer_or_excluded_role_is_reported(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    bots = world.guild.bot_role_id
    await roles_stored_before_the_refusal(kindred, world, world.guild.id, bots)
    text = await setup_check(emulator, world)
    assert "to fix" in text.splitlines()[0], text
    assert (
        "The moderator role is `@everyone`: every member has it, so everyone can use moderator "
        "commands (like `/group reveal`).\n**Fix:** Choose a role only your moderators have "
        "with `/kindred set moderator-role role:`."
    ) in text
    assert (
        f"The peer role (<@&{bots}>) belongs to a bot or an integration, so Discord decides who "
        "sees support requests and can take them.\n**Fix:** Choose a role only your peer "
        "supporters have with `/peers setup peer_role: peer_channel:`."
    ) in text
    assert (
        "`@everyone` is excluded from crisis replies, so no member gets Kindred's private "
        "replies to crisis language.\n**Fix:** `/safety exclude role:@everyone remove:True`; to "
        "turn crisis replies off, `/safety settings enabled:False` does it openly."
    ) in text
    # the roles as they should be: no such finding
    await command(emulator, world, "kindred set moderator-role", role=world.peer_role)
    await setup_peers(emulator, world)
    everyone = emulator.role(world.guild, world.guild.id)
    await command(emulator, world, "safety exclude", role=everyone, remove=True)
    text = await setup_check(emulator, world)
    for gone in ("The moderator role", "The peer role (", "is excluded from crisis replies"):
        assert gone not in text, text


async def test_a_spanish_moderator_reads_the_wrong_roles_findings_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    bots = world.guild.bot_role_id
    await roles_stored_before_the_refusal(kindred, world, bots, world.guild.id)
    text = await setup_check(emulator, world, locale="es-ES")
    assert f"(<@&{bots}>)" in text and "`/kindred set moderator-role role:`" in text
    assert "`/peers setup peer_role: peer_channel:`" in text and "`@everyone`" in text
    assert "`/safety exclude role:@everyone remove:True`" in text
    for english in ("moderator role", "peer role", "belongs to", "is excluded", "Choose a role"):
        assert english not in text, (english, text)
