"""Graded responses end to end: possible concern, needs, language, context, "not a concern".

Tests that pin the *level* use a scripted classifier inside the real bot (the Discord path is
what they test); tests of the shipped model's judgement use the model itself.
"""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.errors import NotFoundError
from bot.safety.assess import Assessor, Thresholds
from bot.safety.classifier import CLASSES, NEEDS, Scores
from emulator import DiscordEmulator, P
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_safety import command, public_bot_messages, unpostable
from tests.e2e.test_support import go_on_duty, setup_peers

TH = Thresholds(alert=0.6, concern=0.6, harassment=0.6, soft=0.3, distress=0.7, need=0.5)


class ScriptedModel:
    """Scores chosen per message text (substring → class probabilities)."""

    version = "ft-scripted"
    meta: dict = {}

    def __init__(self, script: dict[str, dict[str, float]], lang: str = "en") -> None:
        self.script = script
        self.lang = lang

    def scores(self, text: str) -> Scores:
        classes = dict.fromkeys(CLASSES, 0.0)
        needs = dict.fromkeys(NEEDS, 0.0)
        classes["none"] = 0.9
        for key, probs in self.script.items():
            if key in text:
                classes["none"] = 0.1
                for name, value in probs.items():
                    if name.startswith("need_"):
                        needs[name[5:]] = value
                    else:
                        classes[name] = value
        return Scores(classes, needs, self.lang, 0.9)

    def scores_tokens(self, token_lists: list[list[str]], quiet=None, pause=None) -> list[Scores]:
        """What the worker's batch path calls (the words as the phrase engine split them:
        lowercased, markup gone; the script's keys are lowercase words)."""
        return [self.scores(" ".join(tokens)) for tokens in token_lists]


def use_model(kindred: Kindred, model: ScriptedModel) -> None:
    cog = kindred.bot.get_cog("Safety")
    assert cog is not None and cog.worker is not None
    cog.worker.assessor = Assessor(cog.worker.assessor.detector, model, TH)  # type: ignore[arg-type]


def bot_dms(emu: DiscordEmulator, user) -> list:
    return [m for m in emu.messages_in(emu.dm_channel(user)) if m.author.id == emu.bot_user.id]


async def test_possible_concern_gets_a_gentle_dm_and_a_quiet_peer_item_that_can_be_dismissed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    text = "everything is grey lately and i keep giving my stuff away"
    message = await emulator.send_message(world.member, world.general, text)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Just checking in" in dm.text and "automated bot" in dm.text
    assert "read it wrong" in dm.text  # says it may be wrong
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids
    item = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Possible concern" in m.text
    )
    assert str(message.id) in item.text and text not in item.text
    sent = [
        c
        for c in emulator.calls_matching("POST", "/channels/{channel_id}/messages")
        if c.path.endswith(f"/channels/{world.peers.id}/messages")
    ]
    mentions = sent[-1].json["allowed_mentions"]
    assert mentions["parse"] == [] and not mentions.get("users")  # quiet: nobody pinged
    assert emulator.messages_in(world.mods) == []  # no moderator ping
    assert public_bot_messages(emulator, world.general) == []
    dismiss = next(c for c in item.custom_ids if c.startswith("kindred:notconcern:"))
    # a member who is not a peer cannot mark it
    refused = await (await emulator.press_button(world.member, item, dismiss)).response()
    assert refused.ephemeral and "peer supporters" in refused.text
    await (await emulator.press_button(world.peer, item, dismiss)).response()
    edited = emulator.messages[item.id]
    assert "not a concern" in edited.text and edited.custom_ids == []
    status = await command(emulator, world.mod, world.general, "safety status")
    assert "model:ft-scripted" in status.text and "1 not a concern" in status.text
    rows = await kindred.services.db.fetchall("SELECT * FROM safety_feedback")
    assert {r["source"]: (r["alerts"], r["dismissed"]) for r in rows} == {
        "model:ft-scripted": (1, 1)
    }


async def test_forgetme_withdraws_a_possible_concern_item_as_what_it_was(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """After a member's /forgetme, the quiet possible-concern item about them says it was a
    possible-concern item (it never was a crisis alert) and names nobody; a crisis alert
    card still says it was a crisis alert (test_safety.py)."""
    from tests.e2e.test_core import forget

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    text = "everything is grey lately and i keep giving my stuff away"
    await emulator.send_message(world.member, world.general, text)
    item = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Possible concern" in m.text
    )
    assert str(world.member.id) in item.text, item.text
    done = await forget(emulator, world.member, world.general)
    assert done.text.startswith("Done. I deleted "), done.text
    await kindred.quiet()
    shown = emulator.messages[item.id]
    assert shown.text == "This possible-concern item was withdrawn.", shown.text
    assert str(world.member.id) not in shown.text and not shown.components
    assert "crisis" not in shown.text


async def test_a_farewell_after_earlier_distress_reaches_the_alert_level(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    use_model(
        kindred,
        ScriptedModel(
            {
                "so tired of all of it": {"crisis_1": 0.35},
                "thanks for everything": {"crisis_3": 0.4},
            }
        ),
    )
    # On its own the farewell is only a possible concern (for a second member)...
    await emulator.send_message(world.member2, world.general, "thanks for everything guys")
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Possible concern" in m.text)
    # ...but after the same member's distress it is an alert.
    await emulator.send_message(world.member, world.general, "so tired of all of it")
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await emulator.send_message(world.member, world.general, "thanks for everything guys")
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert f"<@{world.member.id}>" in alert.text and "Tier 3" in alert.text
    assert any(c.startswith("kindred:notconcern:") for c in alert.custom_ids)


async def test_alert_level_with_the_shipped_model_is_unchanged(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await emulator.send_message(world.member, world.general, "honestly i want to kill myself")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Checking in: you're not alone" in dm.text
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert {c.split(":")[1] for c in alert.custom_ids} == {"alert", "notconcern"}


async def test_asking_for_a_respite_instead_of_hospital_names_one_in_the_members_state(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    await emulator.send_message(
        world.member,
        world.general,
        "i really don't want to go back to the hospital. is there a peer respite or somewhere "
        "i could stay for a few days instead?",
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Peer respites" in dm.text
    assert "Alyssum" in dm.text or "Rosewood Cottage" in dm.text
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids
    assert "988" not in dm.text  # no crisis lines without crisis language
    assert public_bot_messages(emulator, world.general) == []


async def test_respite_need_without_a_known_state_asks_with_a_select(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_message(world.member, world.general, "does anyone know a peer respite?")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "pick yours below" in dm.text
    select_id = next(c for c in dm.custom_ids if c.startswith("kindred:respite:"))
    answer = await (await emulator.select(world.member, dm, select_id, ["US-VT"])).response()
    assert answer.ephemeral and "Alyssum" in answer.text


async def test_a_forged_respite_menu_never_shows_another_servers_own_respites(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The respite menu's custom id names the server whose own respites it lists
    (``kindred:respite:<lang>:<guild>``), and it was trusted: a forged id read another
    server's local entries. Pressed in a server, it must be that server; in a DM, the presser
    must be a member of it; otherwise the shipped entries only."""
    await setup_peers(emulator, world)
    await command(
        emulator,
        world.mod,
        world.general,
        "safety resources add",
        name="Casa Local",
        kind="respite",
        contact="https://casalocal.example.org",
        region="US-VT",
    )
    elsewhere = emulator.create_guild("Elsewhere")
    stranger = emulator.create_user("stranger")
    emulator.add_member(elsewhere, stranger)
    await emulator.gateway_idle()

    def forged(guild_id: int) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        view.add_item(
            discord.ui.Select(
                custom_id=f"kindred:respite:en:{guild_id}",
                options=[discord.SelectOption(label="VT", value="US-VT")],
            )
        )
        return view

    # in a DM, by someone who isn't a member of that server
    user = await kindred.bot.fetch_user(stranger.id)
    await user.send("A respite menu", view=forged(world.guild.id))
    sent = await emulator.wait_for_message(
        emulator.dm_channel(stranger), predicate=lambda m: "A respite menu" in m.text
    )
    custom_id = f"kindred:respite:en:{world.guild.id}"
    in_dm = await (await emulator.select(stranger, sent, custom_id, ["US-VT"])).response()
    assert in_dm.ephemeral and "Alyssum" in in_dm.text, in_dm.text
    assert "Casa Local" not in in_dm.text, in_dm.text
    # in another server: Elsewhere's channel, naming Haven
    channel = emulator.create_channel(elsewhere, "lobby")
    await emulator.gateway_idle()
    posted = await kindred.bot.get_channel(channel.id).send("A menu", view=forged(world.guild.id))
    message = await emulator.wait_for_message(channel, predicate=lambda m: m.id == posted.id)
    there = await (await emulator.select(stranger, message, custom_id, ["US-VT"])).response()
    assert there.ephemeral and "Alyssum" in there.text, there.text
    assert "Casa Local" not in there.text, there.text
    # the server's own member, in its own channel, still reads them
    own = await kindred.bot.get_channel(world.general.id).send("Menu", view=forged(world.guild.id))
    mine = await emulator.wait_for_message(world.general, predicate=lambda m: m.id == own.id)
    here = await (await emulator.select(world.member, mine, custom_id, ["US-VT"])).response()
    assert "Casa Local" in here.text, here.text


async def test_a_respite_menu_in_a_dm_answers_in_time_while_discord_rate_limits_the_lookup(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Pressed in a DM, the respite menu asked Discord whether the presser is a member of the
    menu's server with one unbounded call: a long rate limit held the answer past the 3
    seconds Discord gives an interaction ("interaction failed"). The look-up is bounded:
    the answer comes in time, with the shipped entries (the server's own can't be checked)."""
    await setup_peers(emulator, world)
    await command(
        emulator,
        world.mod,
        world.general,
        "safety resources add",
        name="Casa Local",
        kind="respite",
        contact="https://casalocal.example.org",
        region="US-VT",
    )
    menu = discord.ui.View(timeout=None)
    custom_id = f"kindred:respite:en:{world.guild.id}"
    menu.add_item(
        discord.ui.Select(
            custom_id=custom_id, options=[discord.SelectOption(label="VT", value="US-VT")]
        )
    )
    member = await kindred.bot.fetch_user(world.member.id)
    await member.send("A respite menu", view=menu)
    sent = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "A respite menu" in m.text
    )
    emulator.inject_fault(
        "GET", "/guilds/{guild_id}/members/{user_id}", status=429, retry_after=30, times=None
    )
    try:
        answer = await (await emulator.select(world.member, sent, custom_id, ["US-VT"])).response()
    finally:
        emulator.clear_faults()
    assert answer.ephemeral and "Alyssum" in answer.text, answer.text
    assert "Casa Local" not in answer.text, answer.text


async def test_a_respite_reply_names_the_members_state_in_their_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The reply to a respite need named the state by its bare code ("near NY"); it is named
    as other replies name regions, in the member's language with its code."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-NY")
    await command(emulator, world.member2, world.general, "region set", region="US-NY")
    await command(emulator, world.member2, world.general, "language set", language="es")
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_message(world.member, world.general, "is there a peer respite near me")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "**Peer respites** near New York, United States (US-NY) (short" in dm.text, dm.text
    assert "near NY " not in dm.text and "Rose Houses" in dm.text, dm.text
    await emulator.send_message(world.member2, world.general, "any peer respite around here")
    spanish = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "**Casas de respiro** cerca de New York, Estados Unidos (US-NY) (" in spanish.text, (
        spanish.text
    )
    assert "cerca de NY " not in spanish.text, spanish.text


async def test_warmline_need_offers_warmlines_and_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"just to talk": {"need_warmline": 0.9}}))
    await emulator.send_message(
        world.member, world.general, "is there a number i can call just to talk, not a hotline"
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Warmlines" in dm.text and "Talk to a peer" in str(dm.components)


async def test_a_needs_reply_never_tells_the_member_to_press_a_talk_button_it_did_not_send(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19: in a server where peer support is not set up, the answer to a member asking
    for a warmline ended with "A peer from this community can talk with you: press **Talk to
    a peer**." while the message carried no such button (``reply_view`` leaves it out when
    peers are not ready). The peer line is shown only with the button."""
    use_model(kindred, ScriptedModel({"just talk": {"need_warmline": 0.9}}))
    await command(emulator, world.member, world.general, "region set", region="US-CA")
    await emulator.send_message(world.member, world.general, "is there a line i can just talk to")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Warmlines" in dm.text, dm.text  # the reply itself came
    has_button = any(c.startswith("kindred:talk:") for c in dm.custom_ids)
    assert has_button or "Talk to a peer" not in dm.text, (dm.text, dm.custom_ids)
    assert not has_button  # peers are not set up here: the case this test is about


async def test_the_respite_state_picker_shows_the_servers_own_respites_for_that_state(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19: a moderator added a local peer respite for Vermont. `/respite state:VT`
    listed it first, but a member who picked Vermont in a respite reply's state menu was shown
    only the shipped ones (the menu's custom id carried no server). The picker's answer lists
    what `/respite` lists for that state in that server, local entries first."""
    await setup_peers(emulator, world)
    added = await command(
        emulator,
        world.mod,
        world.general,
        "safety resources add",
        name="Casa Local",
        kind="respite",
        contact="https://casalocal.example.org",
        region="US-VT",
    )
    assert "Casa Local" in added.text, added.text
    listed = await command(emulator, world.member, world.general, "respite", state="VT")
    assert "Casa Local" in listed.text, listed.text
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_message(world.member, world.general, "does anyone know a peer respite")
    dm = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "pick yours below" in m.text
    )
    select_id = next(c for c in dm.custom_ids if c.startswith("kindred:respite:"))
    answer = await (await emulator.select(world.member, dm, select_id, ["US-VT"])).response()
    assert "Alyssum" in answer.text, answer.text
    assert "Casa Local" in answer.text, answer.text
    assert answer.text.index("Casa Local") < answer.text.index("Alyssum"), answer.text
    # a menu sent before the server was in its custom id still answers (shipped entries)
    earlier = discord.ui.View(timeout=None)
    earlier.add_item(
        discord.ui.Select(
            custom_id="kindred:respite:en",
            options=[discord.SelectOption(label="VT", value="US-VT")],
        )
    )
    member = await kindred.bot.fetch_user(world.member.id)
    await member.send("An earlier respite reply", view=earlier)
    sent = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "An earlier" in m.text
    )
    old = await (
        await emulator.select(world.member, sent, "kindred:respite:en", ["US-VT"])
    ).response()
    assert old.ephemeral and "Alyssum" in old.text, old.text
    assert "Casa Local" not in old.text, old.text


async def test_the_respite_state_pickers_answer_names_the_state_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19: the answer to picking a state in the respite menu said "Peer respites in VT:"
    (Spanish: "… en VT") with the bare code, while `/respite` and the respite reply itself
    name places in the reader's language with their code. The state is named as
    ``region_name`` names it."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "language set", language="es")
    use_model(kindred, ScriptedModel({"respiro": {"need_respite": 0.9}}, lang="es"))
    await emulator.send_message(world.member, world.general, "alguien conoce una casa de respiro")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    select_id = next(c for c in dm.custom_ids if c.startswith("kindred:respite:"))
    answer = await (await emulator.select(world.member, dm, select_id, ["US-VT"])).response()
    assert "Alyssum" in answer.text, answer.text
    assert "Vermont, Estados Unidos (US-VT)" in answer.text, answer.text


async def test_a_member_who_opted_out_gets_no_automatic_reply_to_a_need_they_mention(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """After ``/safety optout`` ("Okay, no more automatic messages") a member who writes in a
    channel that they wish they had someone to talk to gets no automatic DM (no warmline or
    peer answer), as the crisis, concern and distress replies already held back; the same
    words from someone who did not opt out are answered. ``/warmline``, ``/respite`` and
    ``/crisis`` still answer the member when they ask."""
    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"someone to talk": {"need_warmline": 0.9}}))
    opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
    assert "no more automatic messages" in opted.text, opted.text
    await emulator.send_message(
        world.member, world.general, "i wish i had someone to talk to tonight"
    )
    await detector_settled(kindred)
    await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert sent == [], [m.text[:120] for m in sent]
    # the same words from someone who did not opt out are answered (the path is reached)
    await emulator.send_message(
        world.member2, world.general, "i wish i had someone to talk to tonight"
    )
    answered = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "Support you asked about" in answered.text, answered.text
    # asking still works
    warmline = await command(emulator, world.member, world.general, "warmline", region="US-CA")
    assert warmline.ephemeral and "Warmlines for California" in warmline.text, warmline.text
    respite = await command(emulator, world.member, world.general, "respite", state="NY")
    assert respite.ephemeral and "Rose House" in respite.text, respite.text
    crisis = await command(emulator, world.member, world.general, "crisis")
    assert crisis.ephemeral and "findahelpline.com" in crisis.text, crisis.text
    assert bot_dms(emulator, world.member) == []


async def test_language_setting_and_discord_locale_choose_the_reply_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    german = await (
        await emulator.run_command(
            world.member, world.general, "crisis", options={"region": "DE"}, locale="de"
        )
    ).response()
    assert "Krisen" in german.text or "Notfall" in german.text
    spanish = await (
        await emulator.run_command(
            world.member, world.general, "resources", options={"region": "ES"}, locale="es-ES"
        )
    ).response()
    assert "Recursos para España (ES)" in spanish.text and "024" in spanish.text
    chosen = await command(emulator, world.member, world.general, "language set", language="fr")
    assert "`fr`" in chosen.text
    french = await command(emulator, world.member, world.general, "crisis", region="FR")
    assert "3114" in french.text and "danger" in french.text.lower()


async def test_spanish_message_gets_a_spanish_reply_with_spanish_and_local_lines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="ES")
    await emulator.send_message(
        world.member, world.general, "ya no aguanto más, quiero matarme de verdad"
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Soy Kindred" in dm.text  # the Spanish catalogue
    assert "024" in dm.text  # Spain's line
    assert "findahelpline.com" in dm.text
    labels = str(dm.components)
    assert "Hablar con" in labels  # the buttons are translated too


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("quiero morir", "Soy Kindred"),
        ("je veux mourir", "Je suis Kindred"),
        ("ich will sterben", "Ich bin Kindred"),
        ("quero morrer", "Eu sou o Kindred"),
    ],
)
async def test_a_short_crisis_line_is_answered_in_its_own_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, opening: str
) -> None:
    """No language or region set: the message's own language chooses the reply's. These
    shortest lines were read as English until the phrase engine's lines joined training
    with their real language."""
    await setup_peers(emulator, world)
    await emulator.send_message(world.member, world.general, text)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert opening in dm.text
    assert "I'm Kindred" not in dm.text


async def test_a_crisis_line_spaced_out_letter_by_letter_gets_the_crisis_dm_and_a_peer_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Letters spaced out to slip past a filter: the model reads the joined run as words
    (bot/safety/segment.py). Before, this line got no reply at all."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, "q u i e r o m o r i r")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Soy Kindred" in dm.text and f"kindred:talk:{world.guild.id}:es" in dm.custom_ids
    alert = await emulator.wait_for_message(world.peers)
    assert str(world.member.id) in alert.text or world.member.name in alert.text
    assert "q u i e r o" not in alert.text
    assert not public_bot_messages(emulator, world.general)


GREY = "everything is grey lately and i keep giving my stuff away"


async def test_a_possible_concern_refused_by_the_alert_channel_goes_to_the_peer_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The chosen alert channel refuses Kindred (403): the possible-concern item goes to the
    peer channel with its buttons, and the moderators are told once which channel refuses
    and how to fix it (before: the item was dropped with a log line)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    channel = unpostable(emulator, world)
    await emulator.gateway_idle()
    await command(emulator, world.mod, world.general, "safety settings", peer_alert_channel=channel)
    for user in (world.member, world.member2):
        message = await emulator.send_message(user, world.general, GREY)
        item = await emulator.wait_for_message(
            world.peers,
            predicate=lambda m, u=user: "Possible concern" in m.text and f"<@{u.id}>" in m.text,
        )
        assert str(message.id) in item.text and GREY not in item.text
        assert any(c.startswith("kindred:alert:") for c in item.custom_ids), item.custom_ids
    told = await emulator.wait_for_message(
        world.mods,
        predicate=lambda m: f"<#{channel.id}>" in m.text and "refuses" in m.text,
        since=0,
    )
    assert "possible-concern items" in told.text and "Send Messages" in told.text, told.text
    assert f"<#{world.peers.id}>" in told.text, told.text
    assert await kindred.quiet()
    reports = [m for m in emulator.bot_messages(world.mods) if f"<#{channel.id}>" in m.text]
    assert len(reports) == 1, [m.text for m in reports]  # once per channel, not per item
    assert not emulator.bot_messages(channel)
    # nobody is named in public and the member's words are nowhere
    for public in public_bot_messages(emulator, world.general):
        assert f"<@{world.member.id}>" not in public.text and GREY not in public.text


async def test_a_possible_concern_the_peer_channel_refuses_reaches_the_moderators_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """No other channel to fall back to: the item, with its buttons, goes to the moderators'
    channel and they are told once of the refusal; its alert stays open to take or dismiss."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(
        world.peers, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
    )
    await emulator.gateway_idle()
    await emulator.send_message(world.member, world.general, GREY)
    item = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "could not post a possible-concern item" in m.text
    )
    assert f"<@{world.member.id}>" in item.text and GREY not in item.text, item.text
    assert any(c.startswith("kindred:alert:") for c in item.custom_ids), item.custom_ids
    told = await emulator.wait_for_message(
        world.mods,
        predicate=lambda m: f"<#{world.peers.id}>" in m.text and "refuses" in m.text,
        since=0,
    )
    assert "/peers setup peer_role: peer_channel:" in told.text, told.text
    await emulator.send_message(world.member2, world.general, GREY)
    await emulator.wait_for_message(
        world.mods,
        predicate=lambda m: (
            "possible-concern item" in m.text and f"<@{world.member2.id}>" in m.text
        ),
    )
    assert await kindred.quiet()
    refusals = [m for m in emulator.bot_messages(world.mods) if "refuses" in m.text]
    assert len(refusals) == 1, [m.text for m in refusals]
    row = await kindred.services.db.fetchone("SELECT state FROM safety_alerts ORDER BY id LIMIT 1")
    assert row["state"] == "open"


async def test_moderators_can_turn_the_soft_level_off(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    shown = await command(
        emulator,
        world.mod,
        world.general,
        "safety settings",
        soft_replies=False,
        peer_items=False,
        needs_replies=False,
    )
    assert "Gentle check-ins" in shown.text and shown.ephemeral
    refused = await command(
        emulator, world.member, world.general, "safety settings", soft_replies=True
    )
    assert refused.ephemeral and "moderators" in refused.text
    use_model(
        kindred,
        ScriptedModel(
            {
                "grey": {"crisis_1": 0.4},
                "respite": {"need_respite": 0.9},
                "kill myself": {"crisis_2": 0.9},
            }
        ),
    )
    await emulator.send_message(world.member, world.general, "everything is grey")
    await emulator.send_message(world.member2, world.general, "any peer respite around here?")
    await emulator.send_message(world.peer2, world.general, "honestly i want to kill myself")
    # the alert level still works while the soft level is off
    await emulator.wait_for_message(emulator.dm_channel(world.peer2))
    await emulator.gateway_idle()
    assert bot_dms(emulator, world.member) == [] and bot_dms(emulator, world.member2) == []
    assert not [m for m in emulator.messages_in(world.peers) if "Possible concern" in m.text]


async def test_a_peer_alert_lost_to_a_429_storm_arrives_when_the_storm_ends(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        storm = emulator.inject_fault(
            "POST", f"/channels/{world.peers.id}/messages", status=429, times=None
        )
        await emulator.send_message(world.member, world.general, "honestly i want to kill myself")
        dm = await emulator.wait_for_message(emulator.dm_channel(world.member), timeout=30)
        assert "Checking in" in dm.text  # the member is answered whatever the storm
        await detector_settled(kindred)  # the reply goes out before the alert gives up
        await kindred.settle()
        assert storm.hits >= 1
        assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
        rows = await kindred.services.db.fetchall(
            "SELECT payload FROM timers WHERE kind = ?", ("safety.alert_retry",)
        )
        assert len(rows) == 1 and "kill myself" not in rows[0]["payload"]  # ids only
        emulator.clear_faults()
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text, timeout=30
        )
        assert f"<@{world.peer.id}>" in alert.text
        assert any(c.startswith("kindred:alert:") for c in alert.custom_ids)


async def test_an_alert_that_never_gets_through_reaches_the_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    await setup_peers(emulator, world)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault(
            "POST", f"/channels/{world.peers.id}/messages", status=429, times=None
        )
        await emulator.send_message(world.member, world.general, "honestly i want to kill myself")
        await emulator.wait_for_message(emulator.dm_channel(world.member), timeout=30)
        await detector_settled(kindred)  # the alert's retry is stored (after the reply)
        for _ in range(6):  # the scheduler's backoff: 30 s, 60 s, 120 s, 240 s
            clock.shift(timedelta(seconds=300))
            await kindred.settle()
        notice = await emulator.wait_for_message(
            world.mods, predicate=lambda m: "could not deliver" in m.text, timeout=30
        )
        assert f"<@{world.member.id}>" in notice.text


async def test_only_this_servers_peers_can_take_or_dismiss_an_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await emulator.send_message(world.member, world.general, "honestly i want to kill myself")
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    take = next(c for c in alert.custom_ids if c.startswith("kindred:alert:"))
    # the member (or anyone without the peer role) cannot take it
    refused = await (await emulator.press_button(world.member2, alert, take)).response()
    assert refused.ephemeral and "peer supporters" in refused.text
    assert "✅" not in emulator.messages[alert.id].text
    row = await kindred.services.db.fetchone("SELECT responder_id FROM safety_alerts")
    assert row["responder_id"] is None
    # an alert id forged in another server is refused by the service
    alert_id = int(take.rsplit(":", 1)[1])
    with pytest.raises(NotFoundError):
        await kindred.services.safety.reach_out(alert_id, world.peer.id, 424242)
    assert (await kindred.services.safety.repo.get_alert(alert_id)).responder_id is None
    await (await emulator.press_button(world.peer, alert, take)).response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[alert.id].text


async def test_a_storm_on_every_route_loses_neither_the_reply_nor_the_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """429s on every Discord route for a while: when it ends, the member gets their private
    reply and the on-duty peers their alert, once each."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        storm = emulator.inject_fault("*", "*", status=429, times=None)
        await emulator.send_message(world.member, world.general, "honestly i want to kill myself")
        await kindred.settle()
        await emulator.wait_until(lambda: storm.hits >= 10, what="the storm to hit")
        import asyncio

        wanted = {"safety.alert_retry", "safety.reply_retry"}
        async with asyncio.timeout(30):  # both failures are stored, not dropped
            while True:
                rows = await kindred.services.db.fetchall("SELECT kind FROM timers")
                if wanted <= {r["kind"] for r in rows}:
                    break
                await asyncio.sleep(0.05)
        emulator.clear_faults()
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        dm = await emulator.wait_for_message(emulator.dm_channel(world.member), timeout=30)
        assert "Checking in" in dm.text
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text, timeout=30
        )
        await kindred.settle()
        assert len(bot_dms(emulator, world.member)) == 1
        assert (
            len([m for m in emulator.messages_in(world.peers) if "may need support" in m.text]) == 1
        )


async def test_a_possible_concern_asking_for_a_warmline_gets_the_warmline_not_crisis_lines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Crisis lines only when crisis language is present too: when Kindred is unsure and the
    member asked for someone to talk to, the answer is the warmline, a peer and the
    international directory; the same unsure message without the question gets the lines."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(
        kindred,
        ScriptedModel(
            {
                "rough week": {"crisis_1": 0.4},
                "just to talk": {"crisis_1": 0.4, "need_warmline": 0.9},
            }
        ),
    )
    await emulator.send_message(
        world.member, world.general, "rough few days, is there a number i can call just to talk"
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Just checking in" in dm.text and "Warmlines" in dm.text
    assert "findahelpline.com" in dm.text and "988" not in dm.text
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids

    await command(emulator, world.member2, world.general, "region set", region="US-VT")
    await emulator.send_message(world.member2, world.general, "such a rough week honestly")
    other_dm = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "Just checking in" in other_dm.text and "988" in other_dm.text
    assert public_bot_messages(emulator, world.general) == []


async def test_two_peers_dismissing_a_possible_concern_at_once_count_it_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    await emulator.send_message(world.member, world.general, "everything is grey lately")
    item = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Possible concern" in m.text
    )
    dismiss = next(c for c in item.custom_ids if c.startswith("kindred:notconcern:"))
    presses = [
        await emulator.press_button(world.peer, item, dismiss),
        await emulator.press_button(world.peer2, item, dismiss),
        await emulator.press_button(world.peer, item, dismiss),
    ]
    answers = [await p.response() for p in presses]
    assert sum(not a.ephemeral for a in answers) == 1, [a.text for a in answers]
    rows = await kindred.services.db.fetchall("SELECT alerts, dismissed FROM safety_feedback")
    assert [(r["alerts"], r["dismissed"]) for r in rows] == [(1, 1)]
    assert emulator.messages[item.id].text.count("Marked not a concern") == 1


async def test_a_possible_concern_item_discord_fails_for_a_moment_is_posted_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord answers the possible-concern item with a 503: it is stored for a retry (ids and
    the link only: neither the member's words nor their id) and posted once Discord answers,
    with its buttons, no pings, saying Kindred sent the member a check-in."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=503, times=1)
        text = "everything is grey lately and i keep giving my stuff away"
        message = await emulator.send_message(world.member, world.general, text)
        await emulator.wait_for_message(emulator.dm_channel(world.member), timeout=30)
        await detector_settled(kindred)
        assert await kindred.quiet()
        rows = await kindred.services.db.fetchall(
            "SELECT payload FROM timers WHERE kind = 'safety.quiet_retry'"
        )
        assert len(rows) == 1, rows
        assert "grey" not in rows[0]["payload"] and str(world.member.id) not in rows[0]["payload"]
        assert not [m for m in emulator.messages_in(world.peers) if "Possible concern" in m.text]
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        item = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Possible concern" in m.text, timeout=30
        )
        await kindred.settle()
        assert await kindred.quiet()
    assert f"<@{world.member.id}>" in item.text and str(message.id) in item.text
    assert "Kindred sent them a gentle private check-in." in item.text, item.text
    assert text not in item.text
    assert any(c.startswith("kindred:notconcern:") for c in item.custom_ids)
    assert len([m for m in emulator.messages_in(world.peers) if "Possible concern" in m.text]) == 1
    assert not await kindred.services.db.fetchall(
        "SELECT id FROM timers WHERE kind = 'safety.quiet_retry'"
    )


async def test_a_possible_concern_item_that_never_gets_through_goes_to_the_moderators_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord keeps failing the peer channel (503 every time): the stored retry backs off and
    after its last try the item, with its buttons, goes to the moderators' channel, once."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"everything is grey": {"crisis_1": 0.4}}))
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault(
            "POST", f"/channels/{world.peers.id}/messages", status=503, times=None
        )
        await emulator.send_message(world.member, world.general, "everything is grey lately")
        await emulator.wait_for_message(emulator.dm_channel(world.member), timeout=30)
        await detector_settled(kindred)  # the alert's retry is stored (after the reply)
        for _ in range(6):  # the scheduler's backoff: 30 s, 60 s, 120 s, 240 s
            clock.shift(timedelta(seconds=300))
            await kindred.settle()
        report = await emulator.wait_for_message(
            world.mods, predicate=lambda m: "possible-concern item" in m.text, timeout=30
        )
        await kindred.settle()
        assert await kindred.quiet()
    assert f"<@{world.member.id}>" in report.text
    assert any(c.startswith("kindred:notconcern:") for c in report.custom_ids)
    reports = [m for m in emulator.messages_in(world.mods) if "possible-concern item" in m.text]
    assert len(reports) == 1


CRISIS = "honestly i want to kill myself"


async def test_a_reply_quoting_another_members_crisis_words_does_not_flag_the_worried_replier(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """From probe 12: bob replies to alice's crisis message, quoting her words in quotation
    marks to say he is worried. Those words are alice's, not bob's: no alert names bob as
    someone who may need support and bob gets no crisis DM; at most he is helped as someone
    worried about a friend (docs/detector.md, 'Someone else's words')."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    first = await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: f"<@{world.member.id}> in" in m.text
    )
    await emulator.send_message(
        world.member2,
        world.general,
        'when you said "i want to kill myself" it scared me, please talk to someone',
        reply_to=first,
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    about_bob = [
        m
        for m in emulator.messages_in(world.peers)
        if "may need support" in m.text and f"<@{world.member2.id}>" in m.text
    ]
    assert about_bob == [], [m.text for m in about_bob]
    crisis_dms = [
        m
        for m in emulator.bot_messages(emulator.dm_channel(world.member2))
        if "you're not alone" in m.text
    ]
    assert crisis_dms == [], [m.text for m in crisis_dms]


@pytest.mark.parametrize(
    ("text", "friend", "crisis"),
    [
        (
            'she told me "i want to kill myself" and i dont know what to do',
            "Helping a friend who is struggling",
            "you're not alone",
        ),
        (
            "il m'a dit « je veux mourir » et je ne sais pas quoi faire",
            "Aider un proche qui traverse un moment difficile",
            "tu n'es pas seul",
        ),
    ],
)
async def test_someone_elses_crisis_words_quoted_get_the_help_for_a_worried_friend(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, friend: str, crisis: str
) -> None:
    """Reported speech of someone else's crisis words is worry about them: the writer gets
    the help for a worried friend, never the crisis DM as if they were at risk."""
    await emulator.send_message(world.member2, world.general, text)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    await detector_settled(kindred)
    assert await kindred.quiet()
    texts = [m.text for m in emulator.bot_messages(emulator.dm_channel(world.member2))]
    assert texts == [dm.text]
    assert crisis not in dm.text
    assert friend in dm.text


async def test_a_member_quoting_their_own_thoughts_still_gets_the_crisis_response(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Quotation marks around the writer's own thoughts are not someone else's words: the
    alert names them and they get the crisis DM, as for any crisis message."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member2, world.general, 'I keep thinking "I want to die"')
    await emulator.wait_for_message(
        world.peers,
        predicate=lambda m: "may need support" in m.text and f"<@{world.member2.id}>" in m.text,
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "you're not alone" in dm.text


def _peer_alerts(emu: DiscordEmulator, world: World) -> list:
    return [m for m in emu.bot_messages(world.peers) if "may need support" in m.text]


async def _said(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str
) -> tuple[int, int]:
    """The member says ``text`` in #general: (private replies, peer alerts); never public."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, text)
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert public_bot_messages(emulator, world.general) == []
    return len(bot_dms(emulator, world.member)), len(_peer_alerts(emulator, world))


RAID = "we played the new raid last night and the loot was fine honestly."


async def test_a_plan_for_tonight_followed_by_a_sentence_about_a_raid_is_still_an_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "i am going to kill myself tonight." alone is a tier-3 alert (phrase en.self.tonight);
    one ordinary sentence about last night's raid after it made the model's "none" win and
    the member got nothing. A tier-3 phrase hit whose own sentence is a crisis alert is never
    silenced by gaming words elsewhere: one private reply, one peer alert, the moderators."""
    text = "i am going to kill myself tonight. " + RAID
    assert await _said(emulator, world, kindred, text) == (1, 1)
    assert any(f"<@{world.member.id}>" in m.text for m in emulator.bot_messages(world.mods))


async def test_a_german_plan_for_tonight_followed_by_a_sentence_about_a_raid_is_an_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "ich werde mich heute nacht umbringen." before an ordinary sentence about a raid got
    nothing: the phrase list had no German plan with a time between the verb and
    "umbringen", so the sentence floor had no phrase hit to work from. It is now a tier-3
    phrase (de.self.tonight): one private reply in German, one peer alert, the moderators."""
    text = (
        "ich werde mich heute nacht umbringen. "
        "wir haben gestern den neuen raid gespielt, die beute war okay."
    )
    assert await _said(emulator, world, kindred, text) == (1, 1)
    assert "Du bist nicht allein" in bot_dms(emulator, world.member)[0].text
    assert any(f"<@{world.member.id}>" in m.text for m in emulator.bot_messages(world.mods))


async def test_a_french_plan_for_tonight_alone_is_an_alert_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "je vais me tuer ce soir" alone, one sentence, is a tier-3 phrase hit (fr.self.tonight)
    but the model reads it under the alert level and a phrase hit adds only phrase_boost, so
    the member got only the gentle check-in. An imminent plan in the writer's own words is a
    tier-3 alert whatever the model says (the plan floor): the crisis DM in French, one peer
    alert, the moderators told."""
    assert await _said(emulator, world, kindred, "je vais me tuer ce soir") == (1, 1)
    dm = bot_dms(emulator, world.member)[0].text
    assert "tu n'es pas seul" in dm and "danger immédiat" in dm, dm
    assert "you're not alone" not in dm
    assert any(f"<@{world.member.id}>" in m.text for m in emulator.bot_messages(world.mods))


@pytest.mark.parametrize(
    ("text", "check_in"),
    [
        ("si je rate l'exam je me tue ce soir mdr", "Je prends de tes nouvelles"),
        ("me mato esta noche jajaja", "Solo quería saber cómo estás"),
    ],
)
async def test_a_joked_plan_for_tonight_gets_the_gentle_check_in_not_an_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, check_in: str
) -> None:
    """ "si je rate l'exam je me tue ce soir mdr" became a tier-3 alert with the moderators
    pinged once the plan floor made every first-person tier-3 phrase an alert: the time
    phrases were not banter-sensitive. They are now (laughter lowers them, the model
    decides), but a plan lowered by banter still gets the gentle private check-in, in the
    member's language, and a quiet item for peers: "lol" can mask a real plan."""
    assert await _said(emulator, world, kindred, text) == (1, 0)
    assert check_in in bot_dms(emulator, world.member)[0].text
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Possible concern" in m.text)
    assert not any(f"<@{world.member.id}>" in m.text for m in emulator.bot_messages(world.mods))


@pytest.mark.parametrize(
    ("text", "check_in"),
    [
        ("i want to die. " + RAID, "Just checking in"),
        (
            "quiero morir. anoche jugamos la nueva raid y el botín estuvo bien.",
            "Solo quería saber cómo estás",
        ),
        (
            "ich will sterben. wir haben gestern den neuen raid gespielt, die beute war okay.",
            "Ich wollte nur nach dir sehen",
        ),
    ],
)
async def test_i_want_to_die_followed_by_a_sentence_about_a_raid_still_gets_a_check_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, check_in: str
) -> None:
    """A first-person tier-2 phrase ("i want to die", "quiero morir", "ich will sterben")
    followed by an ordinary sentence about a raid got nothing at all. Its own sentence alone
    is a crisis alert, so the message is at least the soft level: the gentle private check-in
    and a quiet item for peers (not a full alert: on validation that would have cost two
    false alarms for one crisis line, docs/detector.md)."""
    assert await _said(emulator, world, kindred, text) == (1, 0)
    assert check_in in bot_dms(emulator, world.member)[0].text  # in the member's language
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Possible concern" in m.text)


@pytest.mark.parametrize(
    ("text", "check_in"),
    [
        ("das Essen war gut. i c h w i l l s t e r b e n", "Ich wollte nur nach dir sehen"),
        ("fui ao mercado hoje. v o u m e m a t a r", "Só queria saber como você está"),
    ],
)
async def test_a_spaced_out_crisis_sentence_after_an_ordinary_one_still_gets_a_check_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, check_in: str
) -> None:
    """The same words typed plainly get the gentle check-in (their own sentence alone is a
    crisis alert); spaced out letter by letter they got nothing, because that sentence was
    read alone without splitting its joined letters into words. Now: one private check-in
    in the member's language and a quiet item for peers, nothing public."""
    assert await _said(emulator, world, kindred, text) == (1, 0)
    assert check_in in bot_dms(emulator, world.member)[0].text
    item = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Possible concern" in m.text
    )
    assert "s t e r b e n" not in item.text and "m a t a r" not in item.text


async def test_crying_emoji_between_the_words_of_i_want_to_die_is_still_heard(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member wrote "i 😭 want 😭 to 😭 die" and got nothing, while "i want to die 😭" is
    a tier-2 alert: the emoji split the phrase engine's match and the model read it as none.
    Emoji between words are skipped before reading: one private reply and one peer alert."""
    assert await _said(emulator, world, kindred, "i 😭 want 😭 to 😭 die") == (1, 1)


@pytest.mark.parametrize(
    "text",
    ["i 😭 want 😭 to 😭 kill 😭 myself", "i😭want😭to😭kill😭myself", "i 🙏 want ✨ to ❤️ die"],
)
async def test_emoji_between_the_words_of_a_crisis_line_still_get_an_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str
) -> None:
    """The member wrote "i 😭 want 😭 to 😭 kill 😭 myself" and got only a gentle check-in,
    no peer alert; emoji without spaces, or different ones, are set aside the same way."""
    assert await _said(emulator, world, kindred, text) == (1, 1)


async def test_a_member_who_dms_kindred_asking_for_a_respite_gets_an_answer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19: a member who DMs Kindred "is there a peer respite I could stay at instead of
    the hospital?" got no answer at all (``assess_dm`` returned nothing for a need without
    crisis words, and the DM listener sent needs ``()`` even when it replied), while the
    same words in a channel are answered. The same private respite answer now comes in the
    DM: the member's state's respites, and the talk button of the one server they share
    with Kindred, where peer support is set up."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_dm(
        world.member, "is there a peer respite i could stay at instead of the hospital?"
    )
    await detector_settled(kindred)
    await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert any("Alyssum" in m.text or "respite" in m.text.lower() for m in sent), [
        m.text[:200] for m in sent
    ]
    assert len(sent) == 1, [m.text[:200] for m in sent]
    assert "Support you asked about" in sent[0].text and "Alyssum" in sent[0].text
    assert "988" not in sent[0].text  # no crisis lines without crisis language
    assert f"kindred:talk:{world.guild.id}:en" in sent[0].custom_ids, sent[0].custom_ids


@pytest.mark.parametrize(
    ("words", "needs", "expected"),
    [
        ("is there a line i can just talk to", ("need_warmline",), "Warmlines"),
        (
            "is there a line i can just talk to or a peer from here",
            ("need_warmline", "need_peer"),
            "A peer from this community",
        ),
    ],
)
async def test_a_warmline_or_a_peer_asked_for_by_dm_is_answered_once_per_cooldown(
    emulator: DiscordEmulator,
    world: World,
    kindred: Kindred,
    words: str,
    needs: tuple[str, ...],
    expected: str,
) -> None:
    """A warmline (and a peer with it) asked for by DM gets the needs reply a channel
    message gets (with the talk button of the one server the member shares with Kindred),
    once per member cooldown as in channels; an ordinary DM still gets nothing."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"just talk": dict.fromkeys(needs, 0.9)}))
    await emulator.send_dm(world.member, words)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Support you asked about" in dm.text and expected in dm.text, dm.text
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids, dm.custom_ids
    await emulator.send_dm(world.member, words + " please")
    await emulator.send_dm(world.member, "see you all at the game tonight")
    await detector_settled(kindred)
    await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert len(sent) == 1, [m.text[:200] for m in sent]


async def test_a_peer_asked_for_by_dm_gets_one_answer_the_offer_of_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer asked for alone by DM is answered by the Support cog's offer of a peer (a
    "Talk to a peer" button per server the member shares with Kindred), as before: not
    also by a second, needs reply ("help" gets the help note, "I need to talk to my boss"
    nothing: test_support_flows.py)."""
    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"talk to a peer": {"need_peer": 0.9}}))
    await emulator.send_dm(world.member, "can i talk to a peer please")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids, (dm.text, dm.custom_ids)
    await detector_settled(kindred)
    await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert len(sent) == 1, [m.text[:200] for m in sent]
    assert "Support you asked about" not in sent[0].text, sent[0].text


async def test_an_ordinary_dm_still_gets_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_dm(world.member, "see you all at the game tonight, bring snacks")
    await detector_settled(kindred)
    await kindred.quiet()
    assert bot_dms(emulator, world.member) == []


async def test_a_need_asked_for_by_dm_is_answered_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    await command(emulator, world.member, world.general, "language set", language="es")
    use_model(kindred, ScriptedModel({"hablar": {"need_warmline": 0.9}}, lang="es"))
    await emulator.send_dm(world.member, "hay alguna línea para hablar sin más")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "El apoyo que buscabas" in dm.text and "**Líneas de escucha**" in dm.text, dm.text
    assert "Support you asked about" not in dm.text, dm.text


async def test_a_dm_with_crisis_words_and_a_need_keeps_the_crisis_reply_with_the_needs_entries(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(
        kindred,
        ScriptedModel({"kill myself": {"crisis_2": 0.95}, "respite": {"need_respite": 0.9}}),
    )
    await emulator.send_dm(
        world.member, "honestly i want to kill myself. is there a peer respite instead?"
    )
    await detector_settled(kindred)
    await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert len(sent) == 1, [m.text[:200] for m in sent]
    assert "Checking in: you're not alone" in sent[0].text, sent[0].text
    assert "988" in sent[0].text and "Alyssum" in sent[0].text, sent[0].text


async def test_a_crisis_dm_with_a_need_is_answered_at_once_when_discord_is_rate_limited(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A crisis DM that also names a need waited for the look-up of the one server the member
    shares with Kindred (one member call per server, one after the other); Discord rate
    limiting those calls for half a minute held the crisis reply back as long. The look-up
    is bounded: the crisis lines come at once, without that server's entries or button."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(
        kindred,
        ScriptedModel({"kill myself": {"crisis_2": 0.95}, "respite": {"need_respite": 0.9}}),
    )
    emulator.inject_fault(
        "GET", "/guilds/{guild_id}/members/{user_id}", status=429, retry_after=30, times=None
    )
    started = asyncio.get_running_loop().time()
    await emulator.send_dm(
        world.member, "honestly i want to kill myself. is there a peer respite instead?"
    )
    dm = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "988" in m.text
    )
    waited = asyncio.get_running_loop().time() - started
    assert waited < 10, waited  # the rate limit lasts 30 s
    assert "Checking in: you're not alone" in dm.text and "Alyssum" in dm.text, dm.text
    assert not any(c.startswith("kindred:talk:") for c in dm.custom_ids), dm.custom_ids
    emulator.clear_faults()


async def test_a_need_by_dm_shows_the_local_entries_of_the_one_server_shared_only(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Which server's own entries a DM's answer shows: those of the one server the member
    shares with Kindred; with two, neither (nor a talk button): the member's region and
    Kindred's shipped entries only."""
    await setup_peers(emulator, world)
    added = await command(
        emulator,
        world.mod,
        world.general,
        "safety resources add",
        name="Casa Local",
        kind="respite",
        contact="https://casalocal.example.org",
        region="US-VT",
    )
    assert "Casa Local" in added.text, added.text
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"respite": {"need_respite": 0.9}}))
    await emulator.send_dm(world.member, "is there a peer respite around")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Casa Local" in dm.text and "Alyssum" in dm.text, dm.text
    elsewhere = emulator.create_guild("Elsewhere")
    emulator.add_member(elsewhere, world.member2)
    await emulator.gateway_idle()
    await command(emulator, world.member2, world.general, "region set", region="US-VT")
    await emulator.send_dm(world.member2, "is there a peer respite around")
    other = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "Alyssum" in other.text and "Casa Local" not in other.text, other.text
    assert not any(c.startswith("kindred:talk:") for c in other.custom_ids), other.custom_ids


FRENCH_CRISIS = "je ne veux plus vivre, je pense à en finir ce soir"


async def _french_crisis_reply(emulator: DiscordEmulator, world: World, kindred: Kindred):
    """A crisis line written in French by a member whose Discord app is in English (no
    /language set): Kindred's private reply is in French."""
    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"en finir": {"crisis_2": 0.9}}, lang="fr"))
    await emulator.send_message(world.member, world.general, FRENCH_CRISIS)
    reply = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Parler à quelqu'un d'ici" in reply.text, reply.text
    return reply


async def test_talk_to_a_peer_pressed_on_a_french_crisis_reply_opens_the_form_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 21: the button on a reply Kindred wrote in French opened the form, and answered
    it, in the presser's app language (English). It carries the reply's language in its custom
    id (``kindred:talk:<guild>:fr``): the form and its answer are French, and the request keeps
    fr for its DMs."""
    reply = await _french_crisis_reply(emulator, world, kindred)
    talk = f"kindred:talk:{world.guild.id}:fr"
    assert talk in reply.custom_ids, reply.custom_ids
    opened = await emulator.press_button(world.member, reply, talk)
    form = await opened.response()
    assert form.is_modal
    fields = {"topic": "", "summary": "", "tags": "", "anonymous": "no"}
    answer = await (await opened.submit_modal(fields)).response()
    labels = [i.get("label") for i in form.inputs]
    assert "Topic (optional)" not in labels, labels
    assert "Sujet (facultatif)" in labels, labels
    assert not answer.text.startswith("Your request #1 is in"), answer.text
    assert answer.text.startswith("Ta demande #1 est envoyée"), answer.text
    assert (await kindred.services.peers.requests.get(1)).lang == "fr"
    assert bot_dms(emulator, world.member)


async def test_not_now_and_stop_pressed_on_a_french_crisis_reply_answer_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The crisis reply's other buttons carry its language too: "Not now" and "Stop these
    messages" on a French reply answer in French to a member whose app is in English."""
    reply = await _french_crisis_reply(emulator, world, kindred)
    assert "kindred:safety:notnow:fr" in reply.custom_ids, reply.custom_ids
    not_now = await (
        await emulator.press_button(world.member, reply, "kindred:safety:notnow:fr")
    ).response()
    assert not_now.ephemeral and not_now.text.startswith("D'accord. Je suis là"), not_now.text
    stop = await (
        await emulator.press_button(world.member, reply, "kindred:safety:optout:fr")
    ).response()
    assert stop.text.startswith("D'accord, je ne t'enverrai plus"), stop.text
    assert await kindred.services.safety.opted_out(world.member.id)


async def test_an_error_met_from_a_french_replys_talk_button_is_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The errors the central handler answers (here support requests unavailable) under a
    Talk to a peer button on a French reply were in the presser's app language (English):
    they follow the reply's language, as the form does, whether met on the form it opened
    or on the button itself."""
    reply = await _french_crisis_reply(emulator, world, kindred)
    talk = f"kindred:talk:{world.guild.id}:fr"
    opened = await emulator.press_button(world.member, reply, talk)
    assert (await opened.response()).is_modal
    await kindred.bot.unload_extension("cogs.support")
    fields = {"topic": "", "summary": "", "tags": "", "anonymous": "no"}
    french = "Les demandes de soutien ne sont pas disponibles pour le moment."
    submitted = await (await opened.submit_modal(fields)).response()
    assert submitted.ephemeral and submitted.text == french, submitted.text
    pressed = await (await emulator.press_button(world.member, reply, talk)).response()
    assert pressed.ephemeral and not pressed.is_modal
    assert pressed.text == french, pressed.text
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None


async def test_talk_and_not_now_buttons_sent_before_they_carried_a_language_still_work(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Buttons already sent (``kindred:talk:<guild>``, ``kindred:safety:notnow``) still answer
    after the change, in the presser's language as before."""
    from bot.ui.requests import TalkToPeerButton

    await setup_peers(emulator, world)
    earlier = discord.ui.View(timeout=None)
    earlier.add_item(TalkToPeerButton(world.guild.id))
    earlier.add_item(discord.ui.Button(label="Not now", custom_id="kindred:safety:notnow"))
    member = await kindred.bot.fetch_user(world.member.id)
    await member.send("An earlier crisis reply", view=earlier)
    sent = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "An earlier" in m.text
    )
    assert f"kindred:talk:{world.guild.id}" in sent.custom_ids, sent.custom_ids
    not_now = await (
        await emulator.press_button(world.member, sent, "kindred:safety:notnow", locale="es-ES")
    ).response()
    assert not_now.text.startswith("De acuerdo. Aquí estoy"), not_now.text
    opened = await emulator.press_button(
        world.member, sent, f"kindred:talk:{world.guild.id}", locale="fr"
    )
    form = await opened.response()
    assert form.is_modal and "Sujet (facultatif)" in [i.get("label") for i in form.inputs]


async def test_a_recovery_milestone_gets_no_crisis_reply_and_a_relapse_still_does(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member celebrating time without self-harm or suicidal thoughts in a server channel
    gets no crisis DM and no peer alert (the phrase engine's recovery cues, fourteenth
    session; before, the phrase hit's boost made these alerts); the same member saying the
    risk came back gets the crisis DM and the peers' alert."""
    await setup_peers(emulator, world)
    for text in (
        "6 months clean from self harm today 🎉",
        "seit zwei Jahren keine Suizidgedanken mehr",
    ):
        await emulator.send_message(world.member, world.general, text)
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert emulator.bot_messages(emulator.dm_channel(world.member)) == []
    assert [m.text for m in emulator.messages_in(world.peers) if "may need support" in m.text] == []
    await emulator.send_message(
        world.member, world.general, "relapsed yesterday after 6 months clean from self harm"
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Checking in: you're not alone" in dm.text
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)


@pytest.mark.parametrize(
    ("text", "crisis", "friend"),
    [
        (
            'she said "it gets better" but i want to kill myself',
            "you're not alone",
            "Helping a friend who is struggling",
        ),
        (
            'ella me dijo "todo va a estar bien" pero quiero morir',
            "No estás a solas con esto",
            "Ayudar a alguien que lo está pasando mal",
        ),
    ],
)
async def test_a_members_own_crisis_after_someone_elses_words_gets_the_crisis_response(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str, crisis: str, friend: str
) -> None:
    """Words quoted from someone else do not make the writer's own "but i want to kill
    myself" someone else's: the alert names the writer and they get the crisis DM in their
    language, never the help for a worried friend (bot/safety/attribution.py)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member2, world.general, text)
    await emulator.wait_for_message(
        world.peers,
        predicate=lambda m: "may need support" in m.text and f"<@{world.member2.id}>" in m.text,
    )
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert crisis in dm.text
    assert friend not in dm.text
