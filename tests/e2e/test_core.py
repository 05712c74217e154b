"""The foundation, end to end: start-up, about/help, moderator gate, settings, faults."""

from __future__ import annotations

import json
import re

from discord import app_commands

from bot.services.peers import PeerSettings
from bot.services.settings import CoreSettings
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_groups import GRIEF, allow_groups, command, create_group, join
from tests.e2e.test_plans import write
from tests.e2e.test_support import ask, go_on_duty, setup_peers


async def test_bot_starts_syncs_commands_and_answers_about(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    assert kindred.bot is not None and kindred.bot.is_ready()
    names = {c.name for c in emulator.global_commands.values()}
    assert {"kindred", "forgetme"} <= names
    identify = emulator.identify_payloads[-1]
    intents = int(identify["intents"])
    assert intents & (1 << 15)  # message content
    assert not intents & (1 << 1)  # not the members intent
    interaction = await emulator.run_command(world.member, world.general, "kindred about")
    response = await interaction.response()
    assert response.ephemeral
    assert "peer support" in response.text
    assert "never diagnoses" in response.text


async def test_help_lists_commands_by_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    response = await (
        await emulator.run_command(world.member, world.general, "kindred help")
    ).response()
    assert response.ephemeral
    assert "/kindred about" in response.text
    assert "/crisis" in response.text and "/support" in response.text
    assert "/kindred settings" not in response.text
    moderators = await (
        await emulator.run_command(
            world.member, world.general, "kindred help", options={"audience": "moderator"}
        )
    ).response()
    assert "/kindred settings" in moderators.text and "/peers setup" in moderators.text
    peers = await (
        await emulator.run_command(
            world.member, world.general, "kindred help", options={"audience": "peer"}
        )
    ).response()
    assert "/duty on" in peers.text
    for page in (response, moderators, peers):
        assert sum(len(f["value"]) for f in page.embeds[0]["fields"]) < 6000


async def test_member_is_refused_a_moderator_command_kindly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    response = await (
        await emulator.run_command(world.member, world.general, "kindred settings")
    ).response()
    assert response.ephemeral
    assert "for moderators" in response.text
    mod_response = await (
        await emulator.run_command(world.mod, world.general, "kindred settings")
    ).response()
    assert mod_response.ephemeral
    assert "Kindred settings" in mod_response.text


async def test_a_french_moderator_reads_kindred_settings_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    ran = await emulator.run_command(world.mod, world.general, "kindred settings", locale="fr")
    shown = await ran.response()
    assert shown.ephemeral
    (embed,) = shown.embeds
    assert embed["title"] == "Réglages de Kindred"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert list(fields) == ["Général", "Entraide", "Ressources de crise", "Check-ins"]
    assert fields["Général"] == "`moderator_role_id`: non défini\n`timezone`: UTC\n" + (
        "`default_region`: non défini"
    )
    crisis = fields["Ressources de crise"]
    assert "`enabled`: activé" in crisis and "`copy_content`: désactivé" in crisis
    assert "`excluded_channel_ids`: aucune" in crisis
    assert "not set" not in shown.text and ": on" not in shown.text, shown.text


async def test_an_english_moderator_reads_kindred_settings_word_for_word(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    ran = await emulator.run_command(world.mod, world.general, "kindred settings")
    shown = await ran.response()
    (embed,) = shown.embeds
    assert embed["title"] == "Kindred settings"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert list(fields) == ["General", "Peer support", "Crisis resources", "Check-ins"]
    assert fields["General"] == (
        "`moderator_role_id`: not set\n`timezone`: UTC\n`default_region`: not set"
    )
    crisis = fields["Crisis resources"]
    assert "`enabled`: on" in crisis and "`copy_content`: off" in crisis
    assert "`excluded_channel_ids`: none" in crisis
    assert fields["Check-ins"] == "`min_interval_minutes`: 60"


async def test_a_french_member_refused_a_peer_command_reads_the_refusal_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    role = world.peer_role.id
    refused = await answer(emulator, world.member, world.general, "duty on", locale="fr")
    assert refused.ephemeral
    assert refused.text == f"C'est réservé à l'équipe d'entraide (le rôle <@&{role}>).", (
        refused.text
    )
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.member.id)
    english = await answer(emulator, world.member2, world.general, "duty on")
    assert english.text == f"This is for peer supporters (the <@&{role}> role)."


async def test_a_spanish_member_hitting_a_cooldown_reads_it_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    # no command has a cooldown today: give one to /kindred about, as a command would declare it
    assert kindred.bot is not None
    about = kindred.bot.tree.get_command("kindred").get_command("about")  # type: ignore[union-attr]
    app_commands.checks.cooldown(1, 600)(about)
    chosen = await answer(emulator, world.member, world.general, "language set", language="es")
    assert chosen.ephemeral
    first = await answer(emulator, world.member, world.general, "kindred about")
    assert "apoyo entre pares" in first.text  # the about itself, in the member's language
    again = await answer(emulator, world.member, world.general, "kindred about")
    assert again.ephemeral
    waited = re.fullmatch(r"Espera (\d+) s antes de volver a intentarlo\.", again.text)
    assert waited and 0 < int(waited[1]) <= 600, again.text
    english = await answer(emulator, world.member2, world.general, "kindred about")
    assert "peer support" in english.text
    english_again = await answer(emulator, world.member2, world.general, "kindred about")
    assert re.fullmatch(r"Please wait \d+ s before trying that again\.", english_again.text)


async def test_configured_moderator_role_grants_access(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    helper_role = emulator.create_role(world.guild, "Helpers")
    emulator.set_member_roles(world.guild, world.member2, [helper_role])
    await emulator.gateway_idle(5)
    refused = await (
        await emulator.run_command(world.member2, world.general, "kindred settings")
    ).response()
    assert "for moderators" in refused.text
    set_role = await (
        await emulator.run_command(
            world.mod, world.general, "kindred set moderator-role", options={"role": helper_role.id}
        )
    ).response()
    assert "Moderator role set" in set_role.text
    allowed = await (
        await emulator.run_command(world.member2, world.general, "kindred settings")
    ).response()
    assert "Kindred settings" in allowed.text


async def test_everyone_cannot_be_made_kindreds_moderator_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/kindred set moderator-role role:@everyone` (a slip in a role picker where @everyone is
    the first entry) would let every member pass Kindred's moderator checks: `/group reveal`,
    `/peers reveal`, `/peers block`, `/checkin delete`, and the private groups' channels. It
    is refused kindly and the setting is unchanged; so is a bot's managed role (Discord
    decides who has it); a plain member is still refused moderator commands."""
    before = await command(emulator, world.member, world.general, "checkin list")
    assert "moderator" in before.text.lower(), before.text  # refused, as it should be
    everyone = emulator.role(world.guild, world.guild.id)
    refused = await command(
        emulator, world.mod, world.general, "kindred set moderator-role", role=everyone
    )
    assert refused.ephemeral and refused.text.startswith(
        "`@everyone` can't be the moderator role: every member has it"
    ), refused.text
    assert "nothing was changed" in refused.text
    after = await command(emulator, world.member, world.general, "checkin list")
    assert "moderator" in after.text.lower(), after.text
    bots = emulator.role(world.guild, world.guild.bot_role_id)
    assert bots.managed
    managed = await command(
        emulator, world.mod, world.general, "kindred set moderator-role", role=bots
    )
    assert managed.text.startswith(
        f"**{bots.name}** can't be the moderator role: it belongs to a bot or an integration"
    ), managed.text
    settings = await kindred.services.settings.get(world.guild.id, CoreSettings)
    assert settings.moderator_role_id is None
    entries = await kindred.services.audit.recent(world.guild.id, limit=50)
    assert not [e for e in entries if "moderator_role_id" in json.dumps(e.detail)]


async def test_everyone_or_a_bots_role_cannot_be_the_peer_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/peers setup peer_role:@everyone` would show every member the peer channel's
    requests and let them claim them; a bot's managed role is given by Discord. Both are
    refused kindly, in the moderator's language, and nothing of the set-up is stored."""
    everyone = emulator.role(world.guild, world.guild.id)
    options = {"peer_role": everyone, "peer_channel": world.peers}
    refused = await command(emulator, world.mod, world.general, "peers setup", **options)
    assert refused.ephemeral and refused.text.startswith(
        "`@everyone` can't be the peer role: every member has it"
    ), refused.text
    await command(emulator, world.mod, world.general, "language set", language="es")
    bots = emulator.role(world.guild, world.guild.bot_role_id)
    options = {"peer_role": bots, "peer_channel": world.peers}
    spanish = await command(emulator, world.mod, world.general, "peers setup", **options)
    assert spanish.text.startswith(f"**{bots.name}** no puede ser"), spanish.text
    assert "can't" not in spanish.text
    cfg = await kindred.services.settings.get(world.guild.id, PeerSettings)
    assert cfg.peer_role_id is None and cfg.peer_channel_id is None
    # a role only peers have is still taken (answered in the moderator's Spanish)
    options = {"peer_role": world.peer_role, "peer_channel": world.peers}
    taken = await command(emulator, world.mod, world.general, "peers setup", **options)
    assert taken.text.startswith("El apoyo entre compañeros está configurado."), taken.text
    cfg = await kindred.services.settings.get(world.guild.id, PeerSettings)
    assert cfg.peer_role_id == world.peer_role.id and cfg.peer_channel_id == world.peers.id


async def test_setting_survives_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    response = await (
        await emulator.run_command(
            world.mod, world.general, "kindred set timezone", options={"timezone": "Europe/Lisbon"}
        )
    ).response()
    assert "Europe/Lisbon" in response.text
    await kindred.restart()
    shown = await (
        await emulator.run_command(world.mod, world.general, "kindred settings")
    ).response()
    assert "Europe/Lisbon" in shown.text


async def test_unknown_time_zone_is_refused_and_nothing_changes(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    response = await (
        await emulator.run_command(
            world.mod, world.general, "kindred set timezone", options={"timezone": "Mars/Olympus"}
        )
    ).response()
    assert response.ephemeral
    assert response.text == (
        "I don't know the time zone `Mars/Olympus`. Pick one from the list, or type a name like "
        "`Europe/London` or `America/Chicago`."
    ), response.text
    shown = await (
        await emulator.run_command(world.mod, world.general, "kindred settings")
    ).response()
    assert "`timezone`: UTC" in shown.text


async def answer(emu: DiscordEmulator, user, where, name: str, locale: str = "en-US", **options):
    """The first answer to a command run in the Discord app's ``locale``."""
    return await (
        await emu.run_command(user, where, name, options=options, locale=locale)
    ).response()


def forget_id(user, action: str = "delete") -> str:
    return f"kindred:forget:{action}:{user.id}"


async def forget(emu: DiscordEmulator, user, where, locale: str = "en-US"):
    """``/forgetme`` and "Delete everything" pressed, in the Discord app's ``locale``: the
    answer the member reads (the question, edited)."""
    asked = await answer(emu, user, where, "forgetme", locale=locale)
    assert asked.ephemeral and asked.message.custom_ids == [
        forget_id(user),
        forget_id(user, "keep"),
    ]
    pressed = await emu.press_button(user, asked.message, forget_id(user), locale=locale)
    assert (await pressed.response()).type == 7  # the question itself becomes the answer
    return asked.message


async def test_a_members_zone_is_read_in_any_letter_case_and_stored_canonically(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    done = await answer(emulator, world.member, world.general, "timezone set", zone="europe/paris")
    assert done.ephemeral and "**Europe/Paris**" in done.text, done.text
    assert await kindred.services.zones.own(world.member.id) == "Europe/Paris"
    again = await answer(emulator, world.member, world.general, "timezone set", zone="ASIA/TOKYO")
    assert "**Asia/Tokyo**" in again.text, again.text
    assert await kindred.services.zones.own(world.member.id) == "Asia/Tokyo"


async def test_est_means_new_yorks_zone_for_every_zone_input(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """One parser reads every zone: ``EST`` is New York's zone (with daylight saving) for a
    member's zone as for a check-in, never the fixed UTC-5 of the tz database's ``EST``."""
    mine = await answer(emulator, world.member, world.general, "timezone set", zone="EST")
    assert "**America/New_York**" in mine.text and "daylight saving" in mine.text, mine.text
    assert await kindred.services.zones.own(world.member.id) == "America/New_York"
    created = await answer(
        emulator,
        world.mod,
        world.general,
        "checkin create",
        channel=world.general,
        schedule="daily 09:00",
        tz="EST",
    )
    assert "(America/New_York)" in created.text, created.text
    assert (await kindred.services.checkins.repo.get(1)).tz == "America/New_York"
    server = await answer(
        emulator, world.mod, world.general, "kindred set timezone", timezone="est"
    )
    assert "**America/New_York**" in server.text, server.text
    shown = await answer(emulator, world.mod, world.general, "kindred settings")
    assert "`timezone`: America/New_York" in shown.text, shown.text


async def test_a_mistyped_zone_is_refused_with_near_names(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await answer(emulator, world.member, world.general, "timezone set", zone="Europe/Lisbon")
    refused = await answer(
        emulator, world.member, world.general, "timezone set", zone="Europe/Pariss"
    )
    assert refused.ephemeral and "`Europe/Paris`" in refused.text, refused.text
    assert await kindred.services.zones.own(world.member.id) == "Europe/Lisbon"


async def test_a_zone_pasted_in_backticks_or_quotes_is_read_and_an_empty_one_is_told_clearly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The guides show zones as `Europe/Lisbon`; pasted so (or in quotes) it is the zone, for
    a member's zone, the server's and a check-in's. An empty zone is asked for, never shown as
    an empty code span; what is shown of a wrong zone never breaks its code span."""
    pasted = await answer(
        emulator, world.member, world.general, "timezone set", zone="`Europe/Lisbon`"
    )
    assert "**Europe/Lisbon**" in pasted.text and "``" not in pasted.text, pasted.text
    assert await kindred.services.zones.own(world.member.id) == "Europe/Lisbon"
    quoted = await answer(
        emulator, world.member, world.general, "timezone set", zone=" “Asia/Tokyo” "
    )
    assert "**Asia/Tokyo**" in quoted.text, quoted.text
    empty = await answer(emulator, world.member, world.general, "timezone set", zone=" `` ")
    assert "Type a time zone" in empty.text and "``" not in empty.text, empty.text
    assert await kindred.services.zones.own(world.member.id) == "Asia/Tokyo"
    odd = await answer(emulator, world.member, world.general, "timezone set", zone="Mars`Olympus")
    assert "`Mars'Olympus`" in odd.text, odd.text
    server = await answer(
        emulator, world.mod, world.general, "kindred set timezone", timezone="`Europe/Lisbon`"
    )
    assert "**Europe/Lisbon**" in server.text, server.text
    created = await answer(
        emulator, world.mod, world.general, "checkin create",
        channel=world.general, schedule="daily 09:00", tz="'Europe/Lisbon'",
    )  # fmt: skip
    assert "(Europe/Lisbon)" in created.text, created.text
    blank = await answer(
        emulator, world.mod, world.general, "checkin create",
        channel=world.general, schedule="daily 09:00", tz="``",
    )  # fmt: skip
    assert "Type a time zone" in blank.text and "“”" not in blank.text, blank.text


async def test_an_empty_server_zone_is_asked_for_in_the_moderators_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """``/kindred set timezone`` with nothing in it gets /timezone set's clear answer in the
    moderator's language, never the settings layer's English "unknown time zone ''"."""
    await answer(emulator, world.mod, world.general, "kindred set timezone", timezone="Asia/Tokyo")
    asked = "Type a time zone to set: pick one from the list, or type a name like"
    for typed in ("", "   ", " `` "):
        empty = await answer(
            emulator, world.mod, world.general, "kindred set timezone", timezone=typed
        )
        assert empty.ephemeral and asked in empty.text, empty.text
        assert "unknown time zone" not in empty.text and "`timezone`" not in empty.text
    spanish = await answer(
        emulator, world.mod, world.general, "kindred set timezone", locale="es-ES", timezone=" "
    )
    assert "Escribe el huso horario que quieres" in spanish.text, spanish.text
    core = await kindred.services.settings.get(world.guild.id, CoreSettings)
    assert core.timezone == "Asia/Tokyo"


async def test_timezone_autocomplete(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    choices = await emulator.autocomplete(
        world.mod, world.general, "kindred set timezone", focused="timezone", value="europe/lon"
    )
    assert choices[0]["value"] == "Europe/London"


async def test_a_429_on_send_is_retried_and_the_answer_arrives_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    fault = emulator.inject_fault(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        status=429,
        retry_after=0.05,
    )
    interaction = await emulator.run_command(world.member, world.general, "kindred about")
    response = await interaction.response()
    assert fault.hits == 1
    assert "peer support" in response.text
    callbacks = emulator.calls_matching(
        "POST", "/interactions/{interaction_id}/{interaction_token}/callback"
    )
    assert [c.status for c in callbacks][-2:] == [429, 200]


async def test_gateway_drop_resumes_and_bot_keeps_answering(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await emulator.drop_gateway()
    await emulator.wait_for_resume()
    response = await (
        await emulator.run_command(world.member, world.general, "kindred about")
    ).response()
    assert "peer support" in response.text
    assert len(emulator.identify_payloads) == 1


async def test_unexpected_error_shows_an_incident_id(
    emulator: DiscordEmulator, world: World, kindred: Kindred, monkeypatch, caplog
) -> None:
    async def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(kindred.services.privacy, "forget", broken)
    asked = await answer(emulator, world.member, world.general, "forgetme")
    response = await (
        await emulator.press_button(world.member, asked.message, forget_id(world.member))
    ).response()
    assert response.ephemeral
    assert "incident id" in response.text
    incident = response.text.split("**")[1]
    assert any(incident in record.getMessage() for record in caplog.records)
    assert "database on fire" not in response.text


async def test_bot_never_pings_everyone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    assert kindred.bot is not None
    mentions = kindred.bot.allowed_mentions
    assert mentions is not None
    assert mentions.everyone is False and mentions.roles is False and mentions.users is False


async def test_dev_guild_syncs_commands_to_that_guild_only(
    emulator: DiscordEmulator, world: World, tmp_path
) -> None:
    import discord.gateway
    import discord.http

    old = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    runner = Kindred(
        emulator, tmp_path / "dev.db", discord_settings={"dev_guild_id": world.guild.id}
    )
    await runner.start()
    try:
        assert {c.name for c in emulator.guild_commands[world.guild.id].values()} >= {
            "kindred",
            "support",
            "crisis",
        }
        assert emulator.global_commands == {}
        response = await (
            await emulator.run_command(world.member, world.general, "kindred about")
        ).response()
        assert "peer support" in response.text
    finally:
        await runner.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old


async def test_a_spanish_member_reads_their_time_zone_and_forgetme_answers_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Members' confirmations follow the language they chose; another member's English app
    reads the same answers word for word as before."""
    chose = await answer(emulator, world.member, world.general, "language set", language="es")
    assert chose.text == "De acuerdo: los mensajes privados de Kindred para ti estarán en `es`."
    zone = await answer(emulator, world.member, world.general, "timezone set", zone="madrid")
    assert zone.ephemeral
    assert zone.text.startswith("Tu zona horaria es **Europe/Madrid** (allí son las "), zone.text
    assert zone.text.endswith(
        "Entendí `madrid` como esta zona, así que el horario de verano se tiene en cuenta por "
        "ti. `/timezone clear` vuelve a la del servidor."
    ), zone.text
    cleared = await answer(emulator, world.member, world.general, "timezone clear")
    assert cleared.text == "Tu zona horaria se ha borrado; se usa la del servidor."
    optout = await answer(emulator, world.member, world.general, "safety optout", enabled=True)
    assert optout.text == "De acuerdo, no más mensajes automáticos. `/crisis` siempre funciona."
    gone = await forget(emulator, world.member, world.general)
    # the language choice itself was deleted with the rest: the app's language (en-US) now
    assert gone.text.startswith("Done. I deleted "), gone.text

    gone = await forget(emulator, world.member, world.general, locale="es-ES")
    assert gone.text == (
        "Hecho. Borré 0 datos guardados sobre ti. Los recuentos anónimos (como los totales de "
        "check-in) no guardan ningún vínculo contigo."
    ), gone.text

    # English, word for word
    zone = await answer(emulator, world.member2, world.general, "timezone set", zone="madrid")
    assert zone.text.endswith(
        "there now). I read `madrid` as this zone, so daylight saving time is handled for you. "
        "`/timezone clear` goes back to the server's."
    ), zone.text
    cleared = await answer(emulator, world.member2, world.general, "timezone clear")
    assert cleared.text == "Your time zone is cleared; the server's is used."
    optout = await answer(emulator, world.member2, world.general, "safety optout", enabled=True)
    assert optout.text == "Okay, no more automatic messages. `/crisis` always works."
    gone = await forget(emulator, world.member2, world.general)
    assert gone.text == (
        "Done. I deleted 1 stored item about you. Anonymous counts (like check-in totals) keep "
        "no link to you."
    ), gone.text


async def test_a_spanish_member_reads_kindred_help_titled_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/kindred help's title and footer follow the reader's language; English word for word."""
    help_es = await answer(emulator, world.member, world.general, "kindred help", locale="es-ES")
    embed = help_es.embeds[0]
    assert embed["title"] == "Comandos de Kindred: todos"
    assert embed["footer"]["text"] == "Más: /kindred help peer, /kindred help moderator"
    assert "`/plan view`" in "".join(f["value"] for f in embed["fields"])

    help_en = await answer(emulator, world.member, world.general, "kindred help")
    assert help_en.embeds[0]["title"] == "Kindred commands: everyone"
    more = "More: /kindred help peer, /kindred help moderator"
    assert help_en.embeds[0]["footer"]["text"] == more
    peer = await answer(emulator, world.member, world.general, "kindred help", audience="peer")
    assert peer.embeds[0]["title"] == "Kindred commands: peer supporters"
    assert peer.embeds[0]["footer"]["text"] == (
        "More: /kindred help member, /kindred help moderator"
    )


async def test_help_lists_command_descriptions_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/kindred help` from a pt-BR Discord app lists every command with its Portuguese
    description (the one the app's command picker shows, its `description_localizations`),
    not only a Portuguese title and footer over English lines ("`/crisis`: Crisis lines for
    your region, shown only to you."); English readers keep the English descriptions."""
    helped = await answer(emulator, world.member, world.general, "kindred help", locale="pt-BR")
    assert helped.text.startswith("Comandos do Kindred"), helped.text
    crisis = next(c for c in emulator.global_commands.values() if c.name == "crisis")
    localized = crisis.to_payload().get("description_localizations") or {}
    assert localized.get("pt-BR"), ("Kindred ships a Portuguese description of /crisis", localized)
    assert "Crisis lines for your region, shown only to you." not in helped.text, helped.text
    assert "Delete everything Kindred stores about you" not in helped.text, helped.text
    assert f"`/crisis`: {localized['pt-BR']}" in helped.text, helped.text
    english = await answer(emulator, world.member, world.general, "kindred help")
    assert "`/crisis`: Crisis lines for your region, shown only to you." in english.text


async def test_safety_optout_off_says_automatic_messages_are_back_on(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/safety optout enabled:False` undoes "no more automatic messages": it says automatic
    messages are back on (not "automatic check-ins", which it never stopped), in the reader's
    language."""
    back = await answer(emulator, world.member, world.general, "safety optout", enabled=False)
    assert back.text == "Okay, automatic messages are back on. `/crisis` always works."
    back = await answer(
        emulator, world.member, world.general, "safety optout", locale="pt-BR", enabled=False
    )
    assert (
        back.text == "Tudo bem, as mensagens automáticas estão de volta. `/crisis` sempre funciona."
    )


async def test_help_in_a_dm_leaves_out_the_commands_that_only_work_inside_a_server(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    dm = emulator.dm_channel(world.member)
    refused = await (await emulator.run_command(world.member, dm, "support")).answer()
    assert "works inside a server" in refused.text
    helped = await answer(emulator, world.member, dm, "kindred help")
    assert helped.ephemeral
    embed = helped.embeds[0]
    listed = "".join(f["value"] for f in embed["fields"])
    for name in (
        "support",
        "peers tags list",
        "safety resources list",
        "peers debrief",
        "group list",
        "group join",
        "group meeting list",
        "group facilitator list",
    ):
        assert f"`/{name}`:" not in listed, name
    # what works in a DM is still there, and one line says where the rest works
    for name in ("crisis", "plan view", "goal set", "checkin me every", "forgetme"):
        assert f"`/{name}`:" in listed, name
    # /support is left out with the server's commands, but it is how a member reaches a
    # peer: the description names it first
    assert embed["description"] == (
        "To talk with a peer supporter, run `/support` inside your server: it asks for support "
        "privately.\nMore commands work inside a server: run `/kindred help` there to see them."
    )
    moderators = await answer(emulator, world.mod, dm, "kindred help", audience="moderator")
    assert "`/kindred settings`" not in str(moderators.embeds[0])
    assert "inside a server" in moderators.embeds[0]["description"]
    # a server-only command run in a DM is refused kindly (it crashed before), not an error
    listing = await answer(emulator, world.member, dm, "group meeting list")
    assert listing.ephemeral and "works inside a server" in listing.text, listing.text
    # in a server, nothing changes: every command, and no such line
    here = await answer(emulator, world.member, world.general, "kindred help")
    here_listed = "".join(f["value"] for f in here.embeds[0]["fields"])
    assert "`/support`:" in here_listed and "`/group list`:" in here_listed
    assert not here.embeds[0].get("description")


async def test_a_spanish_member_reads_in_a_dm_where_the_other_commands_work(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    dm = emulator.dm_channel(world.member)
    helped = await answer(emulator, world.member, dm, "kindred help", locale="es-ES")
    assert helped.embeds[0]["title"] == "Comandos de Kindred: todos"
    assert "servidor" in helped.embeds[0]["description"], helped.embeds[0]["description"]


async def test_help_in_a_dm_names_support_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/support only works inside a server, so help in a DM left it out with the others, yet
    it is how a member reaches a peer: the DM help names it, in the member's language."""
    dm = emulator.dm_channel(world.member)
    for locale, expected in (
        ("es-ES", "Para hablar con una persona de apoyo, usa `/support` dentro de tu servidor"),
        ("fr", "Pour parler avec quelqu'un de l'équipe d'entraide, lance `/support`"),
        ("en-US", "To talk with a peer supporter, run `/support` inside your server"),
    ):
        helped = await answer(emulator, world.member, dm, "kindred help", locale=locale)
        description = helped.embeds[0]["description"]
        assert description.startswith(expected), (locale, description)
    # in a server /support is listed with the other commands, and no such line is added
    here = await answer(emulator, world.member, world.general, "kindred help", locale="es-ES")
    assert not here.embeds[0].get("description")


async def test_a_wrong_server_time_zone_or_region_is_answered_in_the_moderators_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/kindred set timezone with a zone it doesn't know, and /kindred set region with a
    place it doesn't know, answered the settings layer's English ("`timezone`: unknown time
    zone ..."); they are whole sentences in the moderator's language, the near region named
    in it, and nothing changes."""
    await command(emulator, world.mod, world.general, "language set", language="es")
    zone = await command(emulator, world.mod, world.general, "kindred set timezone",
                         timezone="Mars/Olympus")  # fmt: skip
    assert zone.ephemeral and zone.text == (
        "No conozco el huso horario `Mars/Olympus`. Elige uno de la lista o escribe un nombre "
        "como `Europe/London` o `America/Chicago`."
    ), zone.text
    near = await command(emulator, world.mod, world.general, "kindred set timezone",
                         timezone="Europe/Lisbn")  # fmt: skip
    assert near.text.startswith("No conozco el huso horario `Europe/Lisbn`. ¿Querías decir "), (
        near.text
    )
    assert "`Europe/Lisbon`" in near.text and "unknown" not in near.text, near.text
    # the near names listed as Spanish lists them, not with an English "or"
    assert re.search(r"decir `[^`]+`, `[^`]+` o `[^`]+`\? ", near.text), near.text
    assert " or " not in near.text, near.text
    region = await command(emulator, world.mod, world.general, "kindred set region",
                           region="Vermnt")  # fmt: skip
    assert region.ephemeral and region.text == (
        "No reconozco la región «Vermnt». ¿Querías decir Vermont, Estados Unidos (US-VT)? "
        "Prueba con un país como «UK» o «Canada», o un estado de EE. UU. como «NY»."
    ), region.text
    settings = await kindred.services.settings.get(world.guild.id, CoreSettings)
    assert settings.timezone == "UTC" and settings.default_region is None
    done = await command(emulator, world.mod, world.general, "kindred set region", region="uk")
    assert done.text == "Región predeterminada: **Reino Unido (GB)**.", done.text
    # and for a member: /region set with a place it doesn't know
    mine = await command(emulator, world.mod, world.general, "region set", region="Germny")
    assert mine.text == (
        "No reconozco la región «Germny». ¿Querías decir Alemania (DE)? Prueba con un país "
        "como «UK» o «Canada», o un estado de EE. UU. como «NY»."
    ), mine.text


def _synced(emulator: DiscordEmulator, name: str) -> dict:
    return next(c for c in emulator.global_commands.values() if c.name == name).to_payload()


def _option(options: list[dict], name: str) -> dict:
    return next(o for o in options if o["name"] == name)


async def test_synced_commands_carry_descriptions_in_spanish_french_german_and_portuguese(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    crisis = _synced(emulator, "crisis")
    assert crisis["description"] == "Crisis lines for your region, shown only to you."
    localized = crisis["description_localizations"]
    assert {"es-ES", "es-419", "fr", "de", "pt-BR"} <= set(localized)
    assert localized["es-ES"] == localized["es-419"]
    for text in localized.values():
        assert text != crisis["description"] and 0 < len(text) <= 100
    # names stay English: the guides name the commands
    assert crisis["name"] == "crisis" and not crisis.get("name_localizations")

    kindred_group = _synced(emulator, "kindred")
    assert {"es-ES", "fr", "de", "pt-BR"} <= set(kindred_group["description_localizations"])
    about = _option(kindred_group["options"], "about")
    assert {"es-ES", "fr", "de", "pt-BR"} <= set(about["description_localizations"])

    support = _synced(emulator, "support")
    action = _option(support["options"], "action")
    assert action["name"] == "action" and not action.get("name_localizations")
    assert {"es-ES", "fr", "de", "pt-BR"} <= set(action["description_localizations"])
    ask = next(c for c in action["choices"] if c["value"] == "ask")
    assert ask["name"] == "ask for support"
    assert {"es-ES", "fr", "de", "pt-BR"} <= set(ask["name_localizations"])
    assert "ja" not in ask["name_localizations"]  # no catalogue: Discord shows English


async def test_forgetme_asks_first_and_keep_my_data_deletes_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme, which deletes the plan and much more, asks first as /plan delete does: only
    the member who ran it can answer, and "Keep my data" (or no answer) deletes nothing."""
    await write(emulator, world, kindred)
    await command(emulator, world.member, world.general, "goal set", text="walk daily")

    async def still_there() -> bool:
        services = kindred.services
        plan = await services.selfhelp.plans.get(world.member.id)
        return plan is not None and bool(await services.selfhelp.goals.mine(world.member.id))

    asked = await answer(emulator, world.member, world.general, "forgetme")
    assert asked.ephemeral
    assert "can't be undone" in asked.text and "wellness plan" in asked.text, asked.text
    assert "goals" in asked.text and "support group" in asked.text, asked.text
    confirm = asked.message
    assert confirm.custom_ids == [forget_id(world.member), forget_id(world.member, "keep")]
    labels = [confirm.find_component(c)["label"] for c in confirm.custom_ids]
    assert labels == ["Delete everything", "Keep my data"]
    assert await still_there(), "/forgetme deleted before the member confirmed: " + asked.text

    stranger = await (
        await emulator.press_button(world.member2, confirm, forget_id(world.member))
    ).response()
    assert stranger.ephemeral and "someone else" in stranger.text, stranger.text
    assert await still_there()

    kept = await (
        await emulator.press_button(world.member, confirm, forget_id(world.member, "keep"))
    ).response()
    assert kept.type == 7
    assert confirm.text == "Kept. Nothing was deleted; `/forgetme` asks again whenever you like."
    assert confirm.custom_ids == []
    assert await still_there()

    # a second question left unanswered deletes nothing either
    await answer(emulator, world.member, world.general, "forgetme")
    assert await still_there()


async def test_delete_everything_pressed_twice_keeps_the_first_answer_and_says_already_done(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two presses of "Delete everything" before the question became the answer (a double
    tap) delete once and report once: the question keeps the first "Done" (not "I deleted 0
    stored items"), the other press is told privately that it's already done."""
    await answer(emulator, world.member, world.general, "timezone set", zone="Europe/Paris")
    asked = await answer(emulator, world.member, world.general, "forgetme")
    confirm = asked.message
    first = await emulator.press_button(world.member, confirm, forget_id(world.member))
    second = await emulator.press_button(world.member, confirm, forget_id(world.member))
    replies = [await first.response(), await second.response()]
    assert sorted(r.type for r in replies) == [4, 7], [r.type for r in replies]
    other = next(r for r in replies if r.type == 4)
    already = "That's already done: I deleted what I held about you when you first pressed."
    assert other.ephemeral and other.text.startswith(already), other.text
    done = confirm.text
    assert done.startswith("Done. I deleted 1 stored item about you."), done
    assert await kindred.services.zones.own(world.member.id) is None
    await emulator.gateway_idle()
    assert confirm.text == done and confirm.custom_ids == []


async def test_a_spanish_member_pressing_delete_everything_again_reads_it_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await answer(emulator, world.member, world.general, "timezone set", zone="Europe/Madrid")
    asked = await answer(emulator, world.member, world.general, "forgetme", locale="es-ES")
    presses = [
        await emulator.press_button(
            world.member, asked.message, forget_id(world.member), locale="es-ES"
        )
        for _ in range(2)
    ]
    replies = [await p.response() for p in presses]
    again = next(r for r in replies if r.type == 4)
    assert again.ephemeral and again.text.startswith("Ya está hecho"), again.text
    await emulator.gateway_idle()
    assert asked.message.text.startswith("Hecho. Borré "), asked.message.text
    assert "Borré 0" not in asked.message.text, asked.message.text


async def test_a_spanish_member_is_asked_before_forgetme_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    asked = await answer(emulator, world.member, world.general, "forgetme", locale="es-ES")
    assert asked.text.startswith("¿Borrar todo lo que Kindred guarda sobre ti"), asked.text
    assert "No se puede deshacer" in asked.text, asked.text
    labels = [asked.message.find_component(c)["label"] for c in asked.message.custom_ids]
    assert labels == ["Borrar todo", "Conservar mis datos"]
    kept = await emulator.press_button(
        world.member, asked.message, forget_id(world.member, "keep"), locale="es-ES"
    )
    await kept.response()
    assert asked.message.text.startswith("Conservado. No se borró nada"), asked.message.text


# -- after /forgetme, no stored row names the member or holds their words --------------------
MARK = "zebrafinch"


def _names(value: object, user_id: int) -> bool:
    if value == user_id or value == str(user_id):
        return True
    if isinstance(value, str) and str(user_id) in value:
        try:
            return str(user_id) in json.dumps(json.loads(value))
        except ValueError:
            return True
    return False


async def rows_naming(kindred: Kindred, user_id: int, words: str) -> dict[str, list]:
    db = kindred.services.db
    found: dict[str, list] = {}
    for table in await db.tables():
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            values = tuple(row)
            if any(_names(v, user_id) for v in values) or words in str(values):
                found.setdefault(table, []).append(dict(row))
    return found


async def use_everything(emulator: DiscordEmulator, world: World, kindred: Kindred) -> None:
    member = world.member
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await command(emulator, member, world.general, "timezone set", zone="Australia/Sydney")
    await command(emulator, member, world.general, "region set", region="AU")
    await command(
        emulator, member, world.general, "checkin me every", schedule="daily 20:00",
        quiet_hours="22:00-08:00",
    )  # fmt: skip
    await command(
        emulator, member, world.general, "goal set", text=f"walk {MARK}", schedule="daily 09:00"
    )
    await command(emulator, member, world.general, "goal share", peer=world.peer)
    await write(emulator, world, kindred)
    await command(emulator, member, world.general, "plan share", peer=world.peer)
    await command(emulator, world.peer, world.general, "plan view", member=member)
    await allow_groups(emulator, world, kindred)
    _group, channel, _ = await create_group(emulator, world, kindred)
    await join(emulator, world, member)
    await command(
        emulator, world.mod, world.general, "group settings anonymous", name=GRIEF, enabled=True
    )
    await command(emulator, member, channel, "group post", text=f"a year {MARK}")
    await ask(emulator, world, member, topic=f"rough {MARK}", summary=f"work {MARK}")
    await emulator.send_message(
        member, world.general, "I keep thinking about ending my life, I don't want to be here"
    )
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text, since=0
    )


async def test_forgetme_confirmed_leaves_no_row_naming_the_member_or_holding_their_words(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await use_everything(emulator, world, kindred)
    before = await rows_naming(kindred, world.member.id, MARK)
    assert before, "the member's use left nothing to find: the scan is broken"
    done = await forget(emulator, world.member, world.general)
    assert done.text.startswith("Done. I deleted "), done.text
    left = await rows_naming(kindred, world.member.id, MARK)
    # moderation records may stay (docs/member-guide.md): the audit log of moderator actions
    if all(r["actor_id"] != world.member.id for r in left.get("audit_log", [])):
        left.pop("audit_log", None)
    assert not left, left


async def test_every_synced_command_and_option_description_is_translated(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme's and /safety resources add's descriptions (and every other command's and
    option's) reach Discord in es, fr, de and pt; only "…" (an option Discord requires a
    description for, which says nothing) reads the same in every language."""
    missing = []

    def walk(node: dict, path: str) -> None:
        lacking = {"es-ES", "es-419", "fr", "de", "pt-BR"} - set(
            node.get("description_localizations") or {}
        )
        if node.get("description") not in (None, "", "…") and lacking:
            missing.append((path, node["description"], sorted(lacking)))
        for option in node.get("options") or []:
            walk(option, f"{path} {option['name']}")

    for synced in emulator.global_commands.values():
        payload = synced.to_payload()
        walk(payload, payload["name"])
    assert not missing, missing
    forgetme = _synced(emulator, "forgetme")["description_localizations"]
    assert forgetme["es-ES"] == (
        "Borra todo lo que Kindred guarda sobre ti, en todos los servidores."
    )
    resources = _option(_synced(emulator, "safety")["options"], "resources")
    add = _option(resources["options"], "add")
    assert add["description_localizations"]["fr"] != add["description"]
    source = _option(add["options"], "source_url")
    assert source["description_localizations"]["de"] != source["description"]
