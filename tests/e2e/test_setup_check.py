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


async def test_setup_check_says_kindred_cannot_read_a_channel_members_talk_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred's role is denied View Channel in #general, where every member talks: Discord
    sends a bot no messages from a channel it cannot view, so crisis language there is never
    read (the emulator delivers such messages anyway, so this checks the report only). The
    check names the channel with the fix; excluded on purpose (the channel or its category),
    it is not named again."""
    await setup_peers(emulator, world)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(world.general, bot_role, allow=0, deny=int(P.VIEW_CHANNEL))
    await emulator.gateway_idle()
    report = await setup_check(emulator, world, user=world.mod)
    general = f"<#{world.general.id}>"
    assert general in report, report
    assert (
        f"Members (@everyone) can read {general}, but Kindred can't, so crisis language there "
        "goes unnoticed."
    ) in report
    assert f"add **{bot_role.name}** → allow View Channel" in report
    assert "`/safety exclude channel:`" in report
    await command(emulator, world, "safety exclude", channel=world.general.id)
    assert general not in await setup_check(emulator, world, user=world.mod)
    # a channel in an excluded category is left out too
    category = emulator.create_category(world.guild, "Venting")
    vent = emulator.create_channel(world.guild, "vent-1", category=category)
    emulator.set_overwrite(vent, bot_role, allow=0, deny=int(P.VIEW_CHANNEL))
    await emulator.gateway_idle()
    assert f"<#{vent.id}>" in await setup_check(emulator, world, user=world.mod)
    await command(emulator, world, "safety exclude", channel=category.id)
    assert f"<#{vent.id}>" not in await setup_check(emulator, world, user=world.mod)


async def test_setup_check_does_not_ask_for_manage_messages_kindred_never_needs(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord lets a bot delete its own messages without Manage Messages, and Kindred deletes
    only its own (the brief crisis pointer, panel pages, relay copies) and pins nothing: with
    every permission of its invite link but Manage Messages, nothing about it is reported, and
    the invite link doesn't ask for it."""
    from bot.permissions import INVITE, Perm, invite_permissions

    await setup_peers(emulator, world)
    wanted = 0
    for asked in INVITE:
        if asked.perm is not Perm.MANAGE_MESSAGES:
            wanted |= int(asked.perm)
    emulator.set_role_permissions(world.guild, world.guild.bot_role, wanted)
    await emulator.gateway_idle()
    report = await setup_check(emulator, world)
    assert "Manage Messages" not in report, report
    assert not invite_permissions() & Perm.MANAGE_MESSAGES


async def test_a_peer_alert_channel_every_member_can_read_is_warned_about(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/safety settings peer_alert_channel:#general` (a channel @everyone can read): every
    crisis alert, which names the member, their tier and a jump link to their message, would
    be posted where the whole server reads it. The answer and the set-up check say so at once,
    with the fix (make the channel private, or choose another)."""
    from tests.e2e.test_safety import CRISIS
    from tests.e2e.test_safety import command as run
    from tests.e2e.test_support import go_on_duty

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    answer = await run(
        emulator, world.mod, world.mods, "safety settings", peer_alert_channel=world.general
    )
    await emulator.send_message(world.member, world.general, CRISIS)
    public = await emulator.wait_for_message(
        world.general, predicate=lambda m: "may need support" in m.text
    )
    assert f"<@{world.member.id}>" in public.text  # what every member now reads
    general = f"<#{world.general.id}>"
    problems = [f["value"] for f in answer.embeds[0]["fields"] if "Problem" in f["name"]]
    assert any(general in p for p in problems), answer.embeds[0]["fields"]
    seen = (
        f"Members (@everyone) can read {general}, where crisis alerts for peers are posted: each "
        "names the member and links to their message."
    )
    assert any(seen in p and "`/safety settings peer_alert_channel:`" in p for p in problems)
    report = await setup_check(emulator, world)
    assert general in report, report
    assert seen in report
    # the same for the moderator alert channel
    answer = await run(
        emulator, world.mod, world.mods, "safety settings", moderator_alert_channel=world.support
    )
    problems = [f["value"] for f in answer.embeds[0]["fields"] if "Problem" in f["name"]]
    support = f"<#{world.support.id}>"
    assert any(
        f"Members (@everyone) can read {support}, where urgent crisis alerts for moderators" in p
        for p in problems
    ), problems
    # alerts back in the private peer and moderator channels: nothing to say
    await kindred.services.settings.update(
        world.guild.id,
        SafetySettings,
        world.mod.id,
        peer_alert_channel_id=None,
        mod_alert_channel_id=None,
    )
    report = await setup_check(emulator, world)
    assert "where crisis alerts" not in report and "where urgent crisis" not in report, report


async def test_the_peer_channel_members_can_read_is_warned_about_when_alerts_go_there(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With no alert channel of its own, crisis alerts go to the peer channel from /peers
    setup: one @everyone can read is named by the set-up check."""
    await setup_peers(emulator, world)
    emulator.set_overwrite(world.peers, emulator.role(world.guild, world.guild.id), deny=0)
    await emulator.gateway_idle()
    report = await setup_check(emulator, world)
    peers = f"<#{world.peers.id}>"
    assert f"Members (@everyone) can read {peers}, where crisis alerts for peers" in report
