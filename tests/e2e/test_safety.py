"""Crisis language end to end: private replies, peer alerts, fallbacks, cooldowns, no spam."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.safety.messages import opt_out_text
from bot.services.safety import SafetySettings
from emulator import DiscordEmulator, P
from emulator.models import ChannelType
from tests.e2e.conftest import Kindred, World, detector_settled, every_answer
from tests.e2e.test_checkins import portuguese, pt_answer
from tests.e2e.test_support import ask, go_on_duty, press_claim, setup_peers

CRISIS = "honestly i want to kill myself"


async def command(emu: DiscordEmulator, user, where, command_name: str, **options):
    return await (await emu.run_command(user, where, command_name, options=options)).response()


def public_bot_messages(emu: DiscordEmulator, channel) -> list:
    return [
        m for m in emu.messages_in(channel) if m.author.id == emu.bot_user.id and not m.ephemeral
    ]


async def test_crisis_message_gets_private_reply_and_peer_alert_nothing_public(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await command(emulator, world.member, world.general, "region set", region="UK")
    message = await emulator.send_message(world.member, world.general, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "automated bot" in dm.text
    assert "116 123" in dm.text  # Samaritans, for the member's region
    assert "findahelpline.com" in dm.text
    assert "stop these" in dm.text
    assert f"kindred:talk:{world.guild.id}:en" in dm.custom_ids
    assert "kindred:safety:optout:en" in dm.custom_ids
    body = [line for line in dm.embeds[0]["description"].split("\n") if line.strip()]
    assert len(body) <= 6
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert f"<@{world.member.id}>" in alert.text
    assert f"<@{world.peer.id}>" in alert.text
    assert str(message.id) in alert.text  # jump link
    assert "Tier 2" in alert.text
    assert CRISIS not in alert.text  # content is not copied by default
    assert public_bot_messages(emulator, world.general) == []
    assert not emulator.messages[message.id].deleted
    rows = await kindred.services.db.fetchall("SELECT * FROM safety_events")
    assert len(rows) == 1 and rows[0]["label"] == "crisis_self" and rows[0]["tier"] == 2

    first = await emulator.press_button(
        world.peer, alert, next(c for c in alert.custom_ids if c.startswith("kindred:alert:"))
    )
    await first.response()
    assert "is reaching out" in emulator.messages[alert.id].text


async def test_dms_closed_brief_channel_note_is_deleted_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    emulator.user_dms_open(world.member, False)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await emulator.send_message(world.member, world.general, CRISIS)
        note = await emulator.wait_for_message(world.general)
        assert note.text.startswith(f"<@{world.member.id}>")
        assert "/crisis" in note.text
        assert CRISIS not in note.text
        sent = [
            c
            for c in emulator.calls_matching("POST", "/channels/{channel_id}/messages")
            if c.path.endswith(f"/channels/{world.general.id}/messages")
        ]
        mentions = sent[-1].json["allowed_mentions"]
        assert mentions["users"] == [str(world.member.id)] or mentions["users"] == [world.member.id]
        assert mentions["parse"] == []  # never @everyone or roles
        await kindred.restart()  # the deletion is stored, not kept in memory
        clock.shift(timedelta(seconds=130))
        await kindred.settle()
        await emulator.wait_until(
            lambda: emulator.messages[note.id].deleted, what="the note to be deleted"
        )


async def test_a_second_member_with_closed_dms_in_the_same_channel_still_gets_a_brief_note(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The brief note's cooldown was the channel's: a second member with closed DMs writing
    crisis words in #general within 30 minutes of another's note got no reply at all. Each
    member in crisis is now pointed to /crisis once, in a note mentioning only them."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    emulator.user_dms_open(world.member2, False)
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(
        world.general, predicate=lambda m: f"<@{world.member.id}>" in m.text
    )
    await emulator.send_message(world.member2, world.general, "i want to die, i mean it")
    await emulator.wait_for_message(
        world.peers,
        predicate=lambda m: "may need support" in m.text and f"<@{world.member2.id}>" in m.text,
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    notes = [m.text for m in emulator.bot_messages(world.general)]
    assert any(t.startswith(f"<@{world.member2.id}>") and "/crisis" in t for t in notes), notes
    second = next(t for t in notes if t.startswith(f"<@{world.member2.id}>"))
    assert f"<@{world.member.id}>" not in second  # only them
    # the first member writing again is not pointed to /crisis a second time
    await emulator.send_message(world.member, world.general, "i really want to kill myself")
    await detector_settled(kindred)
    assert await kindred.quiet()
    again = [m.text for m in emulator.bot_messages(world.general)]
    assert sum(t.startswith(f"<@{world.member.id}>") for t in again) == 1, again


async def test_cooldown_suppresses_the_second_reply_but_higher_tier_alerts(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await emulator.send_message(world.member, world.general, "i really do want to kill myself")
    await emulator.gateway_idle()
    await emulator.send_message(
        world.member, world.general, "this is my goodbye. i am ending it tonight"
    )
    mods = await emulator.wait_for_message(world.mods, predicate=lambda m: "Tier 3" in m.text)
    assert f"<@{world.member.id}>" in mods.text
    alerts = [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
    assert len(alerts) == 2  # the tier-2 repeat was quiet; tier 3 broke the cooldown
    assert len([m for m in emulator.messages_in(dm) if m.author.id == emulator.bot_user.id]) == 1


async def test_idioms_quotes_code_and_gaming_produce_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    for text in (
        "this boss fight is killing me lol",
        "> i want to kill myself\nthat line from the book hit hard",
        "```\nkill -9 1234\n```",
        "i'm dying to see the new trailer",
        "my battery died again",
        "we watched Suicide Squad last night",
    ):
        await emulator.send_message(world.member, world.general, text)
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert emulator.messages_in(emulator.dm_channel(world.member)) == []
    assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
    assert public_bot_messages(emulator, world.general) == []


async def test_a_member_saying_morning_all_twice_gets_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An earlier model called "morning all" a possible concern (a private check-in and a
    peer item), and the member's second one, raised by that context, a tier-3 alert."""
    await setup_peers(emulator, world)
    for text in ("morning all", "morning all", "gm chat ☀️"):
        await emulator.send_message(world.member, world.general, text)
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert emulator.messages_in(emulator.dm_channel(world.member)) == []
    assert [
        m for m in emulator.messages_in(world.peers) if m.author.id == emulator.bot_user.id
    ] == []
    assert [
        m for m in emulator.messages_in(world.mods) if m.author.id == emulator.bot_user.id
    ] == []
    assert public_bot_messages(emulator, world.general) == []


async def test_harassment_alerts_moderators_only(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await emulator.send_message(world.member2, world.general, f"<@{world.member.id}> kys")
    alert = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Possible harassment" in m.text
    )
    assert f"<@{world.member2.id}>" in alert.text
    assert emulator.messages_in(emulator.dm_channel(world.member2)) == []
    assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]


async def test_concern_for_a_friend_gets_how_to_help(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await emulator.send_message(world.member, world.general, "my friend says she wants to die")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "Helping a friend" in dm.text
    assert "Look after yourself too" in dm.text


async def test_concern_for_a_friend_names_the_local_emergency_number_in_whole_sentences(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With no emergency number known, the reply about a friend says to call the local one in
    a whole sentence of its own in the member's language (it was a phrase put into the
    sentence's number slot: 'llama al número de emergencias de tu zona')."""
    await emulator.send_message(world.member, world.general, "my friend says she wants to die")
    english = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "If they are in immediate danger, call your local emergency number. " in english.text
    chosen = await command(emulator, world.member2, world.general, "language set", language="es")
    assert chosen.ephemeral
    await emulator.send_message(world.member2, world.general, "my friend says she wants to die")
    spanish = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "Si está en peligro inmediato, llama al número de emergencias local." in spanish.text
    assert "llama al número de emergencias de tu zona" not in spanish.text, spanish.text


async def test_excluded_channel_and_opt_out_are_honoured(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    venting = emulator.create_channel(world.guild, "venting")
    await emulator.gateway_idle()
    excluded = await command(
        emulator, world.mod, world.general, "safety exclude", channel=venting.id
    )
    assert f"<#{venting.id}>" in excluded.text
    await emulator.send_message(world.member, venting, CRISIS)
    await emulator.gateway_idle()
    await command(emulator, world.member, world.general, "kindred about")
    assert emulator.messages_in(emulator.dm_channel(world.member)) == []

    await command(emulator, world.member2, world.general, "safety optout")
    await emulator.send_message(world.member2, world.general, CRISIS)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    assert emulator.messages_in(emulator.dm_channel(world.member2)) == []
    crisis = await command(emulator, world.member2, world.general, "crisis")
    assert "findahelpline.com" in crisis.text  # /crisis keeps working


async def test_a_venting_forum_can_be_excluded_from_crisis_replies(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/safety exclude channel:` takes a forum (the commonest place a peer-support server
    wants no bot: a venting forum) and a voice channel's text chat, not only text channels:
    a crisis line in one of the forum's posts (a thread under it) then gets no DM, and
    `/safety settings` lists both exclusions."""
    await setup_peers(emulator, world)
    forum = emulator.create_channel(world.guild, "vent", type=ChannelType.GUILD_FORUM)
    voice = emulator.create_channel(world.guild, "late-night", type=ChannelType.GUILD_VOICE)
    await emulator.gateway_idle()
    done = await (
        await emulator.run_command(
            world.mod, world.general, "safety exclude", {"channel": forum.id}
        )
    ).answer()
    assert (
        forum.id in (await kindred.services.safety.config(world.guild.id)).excluded_channel_ids
    ), done.text
    await command(emulator, world.mod, world.general, "safety exclude", channel=voice.id)
    shown = await command(emulator, world.mod, world.general, "safety settings")
    fields = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert f"<#{forum.id}>" in fields["Excluded"] and f"<#{voice.id}>" in fields["Excluded"]
    post = emulator.create_thread(forum, "rough night", owner=world.member, private=False)
    await emulator.send_message(world.member, post, CRISIS)
    await emulator.send_message(world.member2, voice, CRISIS)
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert bot_dms(emulator, world.member) == [] and bot_dms(emulator, world.member2) == []


async def test_excluding_a_category_is_understood(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator picks a whole "Venting" category in `/safety exclude channel:` (Discord's
    channel picker offers categories): it is excluded with its channels and their threads (as
    a forum is with its posts), not refused as something Kindred couldn't understand."""
    await setup_peers(emulator, world)
    category = emulator.create_category(world.guild, "Venting")
    vent = emulator.create_channel(world.guild, "vent-1", category=category)
    await emulator.gateway_idle()
    ran = await emulator.run_command(
        world.mod, world.general, "safety exclude", {"channel": category.id}
    )
    answer = await ran.answer()
    excluded = (await kindred.services.safety.config(world.guild.id)).excluded_channel_ids
    assert "couldn't understand" not in answer.text, answer.text
    assert category.id in excluded or "categor" in answer.text.lower(), answer.text
    assert category.id in excluded
    fields = {f["name"]: f["value"] for f in answer.embeds[0]["fields"]}
    assert f"<#{category.id}>" in fields["Excluded"]
    thread = emulator.create_thread(vent, "rough night", owner=world.member, private=False)
    await emulator.send_message(world.member, vent, CRISIS)
    await emulator.send_message(world.member2, thread, CRISIS)
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert bot_dms(emulator, world.member) == [] and bot_dms(emulator, world.member2) == []
    # a channel outside the category is answered as before
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_until(lambda: bot_dms(emulator, world.member), what="a private reply")


async def request_card(emu: DiscordEmulator, world: World, request_id: int):
    """The request's card in the peer channel (test_support_flows.card: importing it here
    would be an import circle)."""
    return await emu.wait_for_message(
        world.peers, predicate=lambda m: f"Support request #{request_id}" in m.text, since=0
    )


async def test_crisis_words_said_to_ones_peer_in_a_private_support_thread_are_not_broadcast(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """In a claimed support conversation held in a private thread ("only the two of you ...
    can see it"), a member telling their peer "i want to kill myself" is talking to the peer
    who is with them, as in a DM relay conversation (`dm_action` returns "relay"): Kindred
    sends no automated crisis DM and posts no alert in the peer channel naming the member and
    linking their private thread. The privacy a member gets never depends on the
    conversation's mode; the peer with them has /crisis and the peer guide's resources."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await request_card(emulator, world, 1), 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await emulator.send_message(world.member, thread, CRISIS)
    await detector_settled(kindred)
    assert await kindred.quiet()
    dm = emulator.dm_channel(world.member)
    crisis_dms = [m for m in emulator.bot_messages(dm) if "automated bot" in m.text]
    alerts = [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
    assert (crisis_dms, [a.text for a in alerts]) == ([], [])


async def test_crisis_words_in_a_support_thread_once_closed_are_answered_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Only a claimed conversation is the member's and their peer's: once the request is
    closed, crisis words in its thread get the private reply and the peer alert as anywhere."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await request_card(emulator, world, 1), 1)
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    await kindred.services.peers.requests.close(1, world.peer.id)
    await emulator.send_message(world.member, thread, CRISIS)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "automated bot" in m.text
    )
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)


async def test_a_peer_in_crisis_who_is_the_only_one_on_duty_is_not_left_to_alert_themself(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """When the only peer on duty writes a crisis line (tier 2), the alert about them pings
    nobody (they are rightly left out of its pings), and the one person on duty to read it in
    the peer channel is the person it is about. As when nobody is on duty, the alert reaches
    someone who can act: the moderators are told (naming nobody with a ping)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.peer, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    pinged_someone = "<@" in emulator.messages[alert.id].text.split("A member may need")[0]
    to_mods = [m for m in emulator.messages_in(world.mods) if f"<@{world.peer.id}>" in m.text]
    assert pinged_someone or to_mods, emulator.messages[alert.id].text
    (report,) = to_mods
    assert "Tier 2 (active thoughts or intent) crisis signal from" in report.text, report.text
    assert "no one on duty can reach out: the peers' alert pings no one." in report.text
    assert "please make sure a peer reaches out" in report.text


async def test_a_crisis_alert_with_nobody_on_duty_reaches_the_moderators_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nobody on duty at all: the alert in the peer channel pings no one, so the moderators
    are told (pinging no one, naming the member), once per alert as the alert's cooldown
    holds; a peer on duty gets the pings and the moderators nothing below tier 3."""
    await setup_peers(emulator, world)
    await emulator.send_message(world.member, world.general, CRISIS)
    report = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "no one on duty can reach out" in m.text
    )
    assert f"<@{world.member.id}>" in report.text
    assert "Kindred is trying to reach the member privately" in report.text
    call = next(
        c
        for c in reversed(emulator.calls_matching("POST", "/channels/{channel_id}/messages"))
        if c.path.endswith(f"/channels/{world.mods.id}/messages")
    )
    assert call.json["allowed_mentions"]["parse"] == [] and not call.json["allowed_mentions"].get(
        "users"
    )
    await emulator.send_message(world.member, world.general, "i really do want to kill myself")
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member2, world.general, CRISIS)
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: f"<@{world.member2.id}>" in m.text
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    reports = [m for m in emulator.bot_messages(world.mods) if "crisis signal" in m.text]
    assert reports == [report]


def kindred_dms(emu: DiscordEmulator, user) -> list:
    return [m for m in emu.messages_in(emu.dm_channel(user)) if m.author.id == emu.bot_user.id]


async def test_a_reply_retried_after_the_member_opted_out_is_not_sent(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A private reply Discord refused for a moment (503) is stored as a retry timer; the
    member then runs ``/safety optout`` ("no more automatic messages"): when the retry comes
    due it is dropped, not sent. Opting out is honoured for every automatic message, those
    already queued included."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )

        async def retry_stored() -> list:
            return await kindred.services.db.fetchall(
                "SELECT id FROM timers WHERE kind = 'safety.reply_retry'"
            )

        async with asyncio.timeout(60):
            while not await retry_stored():
                await asyncio.sleep(0.05)
        opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
        assert "no more automatic messages" in opted.text, opted.text
        clock.shift(timedelta(minutes=2))
        await kindred.settle()
        await kindred.quiet()
        assert not await retry_stored(), "the retry never ran: the test did not reach it"
        sent = kindred_dms(emulator, world.member)
        assert sent == [], [m.text[:80] for m in sent]


async def test_the_peer_alert_does_not_claim_kindred_is_reaching_out_to_a_member_who_opted_out(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member who opted out of automatic messages writes crisis words: Kindred rightly sends
    them nothing, and the peers' alert says so (Kindred is not messaging them, they asked it
    not to, so a person reaching out matters all the more) instead of "Kindred is reaching out
    to them privately with support lines", which would let peers believe the member already
    has the lines. The tier-3 report to the moderators says the same."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
    assert "no more automatic messages" in opted.text, opted.text
    await emulator.send_message(world.member, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    await detector_settled(kindred)
    await kindred.quiet()
    assert kindred_dms(emulator, world.member) == []  # opted out: nothing was sent to them
    assert "reaching out to them privately" not in alert.text, alert.text
    assert (
        "Kindred is not messaging them: they opted out of its automatic messages, so a person "
        "reaching out matters all the more."
    ) in alert.text, alert.text
    await emulator.send_message(
        world.member, world.general, "this is my goodbye. i am ending it tonight"
    )
    mods = await emulator.wait_for_message(world.mods, predicate=lambda m: "Tier 3" in m.text)
    assert "Kindred is reaching out" not in mods.text, mods.text
    assert (
        "On-duty peers are alerted. Kindred is not messaging the member: they opted out of its "
        "automatic messages."
    ) in mods.text, mods.text
    await detector_settled(kindred)
    await kindred.quiet()
    assert kindred_dms(emulator, world.member) == []


async def test_the_peer_alert_says_kindred_could_not_reach_a_member_whose_dms_are_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The alert goes out before Kindred's private reply (help first); when the reply then
    meets closed DMs, the alert and the tier-3 report are edited to say Kindred couldn't reach
    the member privately, and the alert keeps its buttons and a peer's "reaching out" line."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    await emulator.send_message(
        world.member, world.general, "this is my goodbye. i am ending it tonight"
    )
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    closed = (
        "Kindred couldn't reach them privately: their DMs are closed, so a person reaching "
        "out matters all the more."
    )
    await emulator.wait_until(
        lambda: closed in emulator.messages[alert.id].text, what="the alert to say DMs are closed"
    )
    card = emulator.messages[alert.id]
    assert "Kindred is reaching out to them privately" not in card.text, card.text
    assert alert_button(card, "alert") in card.custom_ids  # still takeable
    mods = await emulator.wait_for_message(world.mods, predicate=lambda m: "Tier 3" in m.text)
    await emulator.wait_until(
        lambda: (
            "Kindred couldn't reach the member privately: their DMs are closed."
            in emulator.messages[mods.id].text
        ),
        what="the moderators' report to say DMs are closed",
    )
    assert kindred_dms(emulator, world.member) == []
    taken = await emulator.press_button(world.peer, card, alert_button(card, "alert"))
    await taken.response()
    marked = emulator.messages[alert.id].text
    assert closed in marked and marked.endswith(f"✅ <@{world.peer.id}> is reaching out.")


async def test_everyone_cannot_be_excluded_from_crisis_replies(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Every member has @everyone, so `/safety exclude role:@everyone` (a slip in the role
    picker) would silently end crisis replies for the whole server. It is refused kindly,
    pointing to `/safety settings enabled:` for turning them off openly; nothing is stored
    and a member writing in crisis is still answered."""
    await setup_peers(emulator, world)
    everyone = emulator.role(world.guild, world.guild.id)
    refused = await command(emulator, world.mod, world.general, "safety exclude", role=everyone)
    assert refused.ephemeral and refused.text.startswith(
        "Excluding `@everyone` would leave every member without Kindred's crisis replies."
    ), refused.text
    assert "`/safety settings enabled:False`" in refused.text
    cfg = await kindred.services.safety.config(world.guild.id)
    assert cfg.excluded_role_ids == []
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(emulator.dm_channel(world.member), since=0)


async def test_stop_these_in_dm_opts_out(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await emulator.send_dm(world.member, "stop these")
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "won't send" in m.text
    )
    assert await kindred.services.safety.opted_out(world.member.id)


async def test_stop_these_is_answered_in_the_language_the_member_chose(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    chosen = await command(emulator, world.member, world.general, "language set", language="es")
    assert chosen.ephemeral, chosen.text
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, "not now")
    later = await emulator.wait_for_message(dm, author=emulator.bot_user, since=0)
    assert later.text == (
        "De acuerdo. Aquí estoy si me necesitas: `/crisis` o `/support`, a cualquier hora."
    )
    await emulator.send_dm(world.member, "stop these")
    answer = await emulator.wait_for_message(dm, author=emulator.bot_user, since=later)
    assert "won't send" not in answer.text, answer.text
    assert answer.text.startswith("De acuerdo, no te enviaré más estos mensajes."), answer.text
    assert "`/safety optout enabled:false`" in answer.text  # how to turn them back on
    assert await kindred.services.safety.opted_out(world.member.id)


async def test_not_now_and_stop_these_are_understood_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    chosen = await command(emulator, world.member, world.general, "language set", language="de")
    assert chosen.ephemeral, chosen.text
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = emulator.dm_channel(world.member)
    reply = await emulator.wait_for_message(dm, author=emulator.bot_user)
    assert "**jetzt nicht**" in reply.text and "**diese stoppen**" in reply.text, reply.text
    assert "**not now**" not in reply.text, reply.text
    await emulator.send_dm(world.member, "Jetzt nicht.")
    later = await emulator.wait_for_message(dm, author=emulator.bot_user, since=reply)
    assert later.text == opt_out_text("notnow", "de") != opt_out_text("notnow", "en")
    assert not await kindred.services.safety.opted_out(world.member.id)
    await emulator.send_dm(world.member, "diese stoppen")
    stopped = await emulator.wait_for_message(dm, author=emulator.bot_user, since=later)
    assert stopped.text == opt_out_text("optout", "de"), stopped.text
    assert await kindred.services.safety.opted_out(world.member.id)
    # typed in Portuguese, accent left out, no language chosen: understood, answered in it
    await emulator.send_dm(world.member2, "agora nao")
    answer = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert answer.text == opt_out_text("notnow", "pt"), answer.text
    assert not await kindred.services.safety.opted_out(world.member2.id)


async def test_crisis_respite_and_resources_commands(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    crisis = await command(emulator, world.member, world.general, "crisis", region="US")
    assert crisis.ephemeral
    assert "988" in crisis.text and "findahelpline.com" in crisis.text
    assert "911" in crisis.text
    assert "press 3" not in crisis.text.lower()
    unknown = await command(emulator, world.member, world.general, "crisis")
    assert "findahelpline.com" in unknown.text
    respite = await command(emulator, world.member, world.general, "respite", state="NY")
    assert respite.ephemeral and "Rose House" in respite.text
    await command(emulator, world.member, world.general, "region set", region="Australia")
    resources = await command(emulator, world.member, world.general, "resources")
    assert "13 11 14" in resources.text
    bad = await command(emulator, world.member, world.general, "region set", region="Atlantis")
    assert bad.ephemeral and "Atlantis" in bad.text


async def test_crisis_answers_ask_to_press_talk_to_a_peer_only_when_the_button_is_there(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19 (the same pattern as the needs reply): in a server where peer support is not
    set up, `/crisis`, the private reply to crisis words and the reply to a member worried
    about a friend said "press **Talk to a peer**" with no such button under them. The line
    comes only with the button; once peers are set up, both are there."""
    await command(emulator, world.member, world.general, "region set", region="UK")
    crisis = await command(emulator, world.member, world.general, "crisis")
    assert "116 123" in crisis.text, crisis.text
    assert "Talk to a peer" not in crisis.text and not crisis.components, crisis.text
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "116 123" in m.text
    )
    assert not any(c.startswith("kindred:talk:") for c in dm.custom_ids), dm.custom_ids
    assert "Talk to a peer" not in dm.text, dm.text
    await emulator.send_message(world.member2, world.general, "my friend says she wants to die")
    friend = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "**Look after yourself too.**" in friend.text, friend.text
    assert "Talk to a peer" not in friend.text, friend.text
    assert not any(c.startswith("kindred:talk:") for c in friend.custom_ids)

    await setup_peers(emulator, world)
    crisis = await command(emulator, world.member, world.general, "crisis")
    assert "press **Talk to a peer**" in crisis.text, crisis.text
    assert f"kindred:talk:{world.guild.id}" in str(crisis.components)


async def test_resources_names_each_entrys_source_and_the_day_it_was_checked(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/resources (the full listing) shows under each shipped entry where the project checked
    it and when ("Source: 988lifeline.org · checked 2026-11-23"), in the reader's language; a
    server's own entry is marked local instead, and /crisis stays short."""
    await setup_peers(emulator, world)
    await command(
        emulator, world.mod, world.general, "safety resources add", name="Harbour Line",
        kind="warmline", contact="555-0100", region="US-NY",
    )  # fmt: skip
    listed = await command(emulator, world.member, world.general, "resources", region="US-NY")
    lines = listed.text.split("\n")
    at = next(i for i, line in enumerate(lines) if "**988 Suicide & Crisis Lifeline**" in line)
    assert lines[at + 1] == "  *Source: 988lifeline.org · checked 2026-11-23*", lines[at : at + 2]
    entries = [i for i, line in enumerate(lines) if line.startswith("• ")]
    for i in entries:
        if "*(local)*" in lines[i]:
            assert not lines[i + 1].lstrip().startswith("*Source:"), lines[i : i + 2]
        else:
            assert lines[i + 1].startswith("  *Source: ") and " · checked 20" in lines[i + 1], (
                lines[i : i + 2]
            )
    assert any("Harbour Line" in lines[i] for i in entries), listed.text
    spanish = await in_language(
        emulator, world.member, world.general, "resources", "es-ES", region="US-NY"
    )
    assert "  *Fuente: 988lifeline.org · revisado el 2026-11-23*" in spanish.text, spanish.text
    assert "Source:" not in spanish.text
    crisis = await command(emulator, world.member, world.general, "crisis", region="US-NY")
    assert "988" in crisis.text and "Source:" not in crisis.text


async def in_language(emu: DiscordEmulator, user, where, command_name: str, locale: str, **options):
    """A command run from a Discord client set to ``locale`` (Kindred answers in its language)."""
    return await (
        await emu.run_command(user, where, command_name, options=options, locale=locale)
    ).response()


async def test_crisis_lines_show_their_hours_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/crisis region:BR` for a Portuguese member is Portuguese throughout, the Brazilian
    line's hours too: "Pode Falar (UNICEF): … (seg.-sáb., 8h-22h (horário de Brasília), exceto
    feriados)", not the English "Mon-Sat 8:00-22:00 (Brasília time), except holidays" (an
    entry's `hours_local`); in a crisis answer every word should be readable. A German reader
    of Germany's lines reads German hours; English readers the English as written."""
    await portuguese(emulator, world)
    lines = await pt_answer(emulator, world.member, world.general, "crisis", region="BR")
    assert lines.text.startswith("Linhas de crise"), lines.text
    assert "Pode Falar" in lines.text, lines.text
    for english in ("Mon-Sat", "except holidays", "Brasília time"):
        assert english not in lines.text, lines.text
    assert "(seg.-sáb., 8h-22h (horário de Brasília), exceto feriados)" in lines.text, lines.text
    german = await in_language(emulator, world.member2, world.general, "crisis", "de", region="DE")
    assert "(Mo-Sa 14-20 Uhr (deutsche Zeit))" in german.text, german.text
    english = await command(emulator, world.member2, world.general, "crisis", region="BR")
    assert "(Mon-Sat 8:00-22:00 (Brasília time), except holidays)" in english.text, english.text


async def test_crisis_names_a_region_it_does_not_recognise_and_still_helps(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    unknown = await command(emulator, world.member, world.general, "crisis", region="Atlantis")
    assert unknown.ephemeral
    assert "I didn't recognise “Atlantis”" in unknown.text
    assert "findahelpline.com" in unknown.text  # never refused: the worldwide directory
    assert "local emergency number" in unknown.text  # and what to do in danger
    assert "`/crisis region:UK`" in unknown.text and "`/crisis UK`" not in unknown.text
    near = await command(emulator, world.member, world.general, "crisis", region="Germny")
    assert "I didn't recognise “Germny”" in near.text
    assert "Did you mean **Germany (DE)**?" in near.text and "`/crisis region:DE`" in near.text
    assert "findahelpline.com" in near.text
    nothing = await command(emulator, world.member, world.general, "crisis")
    assert "`/crisis region:UK`" in nothing.text and "recognise" not in nothing.text
    spanish = await in_language(
        emulator, world.member, world.general, "crisis", "es-ES", region="Atlantis"
    )
    assert spanish.ephemeral and "No reconocí «Atlantis»" in spanish.text
    assert "findahelpline.com" in spanish.text and "número de emergencias" in spanish.text
    assert "`/crisis region:UK`" in spanish.text
    german = await in_language(emulator, world.member, world.general, "crisis", "de")
    assert "`/crisis region:UK`" in german.text and "`/crisis UK`" not in german.text


async def test_a_region_is_named_in_the_readers_language_with_its_code(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "CA" alone is ambiguous (Canada or California): listings and /crisis name the place in
    the reader's language and keep the code visible, so members can type it."""
    english = await command(emulator, world.member, world.general, "resources", region="CA")
    assert english.ephemeral and "Resources for Canada (CA)" in english.text, english.text
    spanish = await in_language(
        emulator, world.member, world.general, "resources", "es-ES", region="CA"
    )
    assert spanish.ephemeral and "Recursos para Canadá (CA)" in spanish.text, spanish.text
    crisis = await command(emulator, world.member, world.general, "crisis", region="CA")
    assert "Free, confidential support for Canada (CA):" in crisis.text, crisis.text
    crisis = await in_language(
        emulator, world.member, world.general, "crisis", "es-ES", region="CA"
    )
    assert "Apoyo gratuito y confidencial en Canadá (CA):" in crisis.text, crisis.text
    state = await command(emulator, world.member, world.general, "warmline", region="US-CA")
    assert "Warmlines for California, United States (US-CA)" in state.text, state.text
    state = await in_language(
        emulator, world.member, world.general, "warmline", "de", region="US-CA"
    )
    assert "California, Vereinigte Staaten (US-CA)" in state.text, state.text


async def test_respite_asks_for_a_us_state_not_a_country(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    unknown = await command(emulator, world.member, world.general, "respite", state="ZZ")
    assert unknown.ephemeral and "I don't recognise “ZZ” as a US state" in unknown.text
    assert "`NY`" in unknown.text and "`Vermont`" in unknown.text
    assert "country" not in unknown.text and "Canada" not in unknown.text
    near = await command(emulator, world.member, world.general, "respite", state="Vermnt")
    assert "Did you mean **Vermont, United States (US-VT)**?" in near.text
    abroad = await command(emulator, world.member, world.general, "respite", state="UK")
    assert "all in the US" in abroad.text and "`Vermont`" in abroad.text
    german = await in_language(emulator, world.member, world.general, "respite", "de", state="ZZ")
    assert german.ephemeral and "„ZZ“ kenne ich nicht als US-Bundesstaat" in german.text
    assert "`NY`" in german.text and "`Vermont`" in german.text


async def test_an_empty_warmline_list_says_where_else_to_turn(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    empty = await command(emulator, world.member, world.general, "warmline", region="FR")
    assert empty.ephemeral and "Nothing listed" not in empty.text
    assert "I don't have a warmline listed for France (FR) yet" in empty.text
    assert "findahelpline.com" in empty.text  # the worldwide directory
    assert "`/crisis`" in empty.text and "`/support`" in empty.text
    french = await in_language(emulator, world.member, world.general, "warmline", "fr", region="FR")
    assert "Je n'ai pas encore de ligne d'écoute répertoriée pour France (FR)" in french.text
    assert "findahelpline.com" in french.text
    assert "`/crisis`" in french.text and "`/support`" in french.text
    listed = await command(emulator, world.member, world.general, "warmline", region="US-CA")
    assert "warmline listed" not in listed.text  # a list with entries is just the list


@pytest.mark.parametrize("command_name", ["resources", "warmline"])
async def test_resources_and_warmline_without_any_region_still_give_somewhere_to_turn(
    emulator: DiscordEmulator, world: World, kindred: Kindred, command_name: str
) -> None:
    """From probe 12: a member with no region, in a server with no default region, read only
    "Tell me a region…". They are still asked for one, and given the worldwide directory
    (with where and when it was checked), `/crisis` and a peer, in their language."""
    answer = await (await emulator.run_command(world.member, world.general, command_name)).answer()
    assert answer.ephemeral
    text = answer.text
    assert "Tell me a region" in text and "`/region set`" in text, text
    assert "findahelpline.com" in text, text
    assert "Source: " in text and " · checked 20" in text and "Last checked 20" in text, text
    assert "`/crisis`" in text, text
    assert "/support" in text or "Talk to a peer" in text, text
    french = await in_language(emulator, world.member, world.general, command_name, "fr")
    assert "findahelpline.com" in french.text
    assert "`/crisis`" in french.text and "`/support`" in french.text
    assert "Tell me a region" not in french.text, french.text


async def test_stale_data_is_flagged(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime(2029, 6, 1, tzinfo=UTC), tick=True):
        crisis = await command(emulator, world.member, world.general, "crisis", region="US")
        assert "12 months" in crisis.text or "over a year" in crisis.text
        status = await command(emulator, world.mod, world.general, "safety status")
        assert "Stale resource data" in status.text
        assert "988" in status.text


UNCONFIRMED = "Entries marked unverified could not be confirmed from a source."


@pytest.mark.parametrize("region", ["AR", "CO"])
async def test_crisis_marks_an_unconfirmed_emergency_number_as_resources_does(
    emulator: DiscordEmulator, world: World, kindred: Kindred, region: str
) -> None:
    listed = await command(emulator, world.member, world.general, "resources", region=region)
    assert "Emergency services" in listed.text and "*(unverified)*" in listed.text
    crisis = await command(emulator, world.member, world.general, "crisis", region=region)
    number = {"AR": "911", "CO": "123"}[region]
    assert f"In immediate danger? Call **{number}** *(unverified)*." in crisis.text
    assert UNCONFIRMED in crisis.text  # the footer says what the mark means
    spanish = await in_language(
        emulator, world.member, world.general, "crisis", "es-ES", region=region
    )
    assert f"**{number}** *(no verificado)*" in spanish.text
    assert "no se pudieron confirmar" in spanish.text
    # a confirmed emergency number stays as it was, with no mark and no footer note
    confirmed = await command(emulator, world.member, world.general, "crisis", region="UK")
    assert "In immediate danger? Call **999**." in confirmed.text
    assert "unverified" not in confirmed.text


async def test_the_crisis_dm_marks_an_unconfirmed_emergency_number(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await command(emulator, world.member, world.general, "region set", region="AR")
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "If you are in immediate danger, call 911 *(unverified)*." in dm.text
    assert UNCONFIRMED in dm.text
    await command(emulator, world.member2, world.general, "region set", region="CO")
    await emulator.send_message(world.member2, world.general, "my friend says she wants to die")
    friend = await emulator.wait_for_message(emulator.dm_channel(world.member2))
    assert "Helping a friend" in friend.text
    assert "If they are in immediate danger, call 123 *(unverified)*." in friend.text
    assert UNCONFIRMED in friend.text


async def test_resources_explains_what_unverified_means_as_crisis_does(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    crisis = await command(emulator, world.member, world.general, "crisis", region="IE")
    assert UNCONFIRMED in crisis.text
    listed = await command(emulator, world.member, world.general, "resources", region="IE")
    assert "*(unverified)*" in listed.text
    assert UNCONFIRMED in listed.text
    french = await in_language(
        emulator, world.member, world.general, "resources", "fr", region="IE"
    )
    assert "n'ont pas pu être confirmées" in french.text
    # a listing with nothing unverified says nothing about it
    confirmed = await command(emulator, world.member, world.general, "resources", region="UK")
    assert "unverified" not in confirmed.text


async def test_guild_resources_show_first(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    added = await command(
        emulator,
        world.mod,
        world.general,
        "safety resources add",
        name="Haven Night Line",
        kind="crisis_line",
        contact="555-0100",
        region="US",
    )
    assert "Haven Night Line" in added.text
    crisis = await command(emulator, world.member, world.general, "crisis", region="US")
    assert crisis.text.index("Haven Night Line") < crisis.text.index("988")
    refused = await command(
        emulator,
        world.member,
        world.general,
        "safety resources add",
        name="x",
        kind="crisis_line",
        contact="1",
    )
    assert "for moderators" in refused.text


async def test_a_javascript_contact_is_refused_not_shown_to_members_as_a_number_to_call(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`javascript:alert(1)` was stored and a member in crisis read "call javascript:alert(1)".
    Refused now, naming the forms accepted; a text line is shown as the shipped ones."""
    refused = await command(
        emulator, world.mod, world.general, "safety resources add",
        name="Haven Line", kind="crisis_line", contact="javascript:alert(1)", region="US",
    )  # fmt: skip
    assert refused.ephemeral and "phone number or short code" in refused.text
    assert "`text HOME to 741741`" in refused.text and "`https://…`" in refused.text
    crisis = await command(emulator, world.member, world.general, "crisis", region="US")
    assert "javascript:" not in crisis.text, crisis.text
    assert await kindred.services.safety.guild_resources(world.guild.id) == []
    await command(
        emulator, world.mod, world.general, "safety resources add",
        name="Haven Text Line", kind="crisis_line", contact="text HAVEN to 55501", region="US",
    )  # fmt: skip
    crisis = await command(emulator, world.member, world.general, "crisis", region="US")
    assert "**Haven Text Line**: text HAVEN to 55501" in crisis.text, crisis.text


async def test_a_resource_name_cannot_put_a_masked_link_in_a_members_crisis_reply(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A name was put in `**…**` as written: `[Call 988 now](https://…)` became a masked link
    to another address in the crisis lines a member reads. Refused at input; one stored
    before is shown as typed, its markdown escaped."""
    masked = "[Call 988 now](https://example.invalid/x)"
    refused = await command(
        emulator, world.mod, world.general, "safety resources add",
        name=masked, kind="crisis_line", contact="555-0100", region="US",
    )  # fmt: skip
    assert refused.ephemeral and "plain words without links" in refused.text
    assert await kindred.services.safety.guild_resources(world.guild.id) == []
    await kindred.services.safety.repo.add_resource(  # stored before the check
        world.guild.id, masked, "crisis_line", "555-0100", "US", "", None, world.mod.id,
        datetime.now(UTC),
    )  # fmt: skip
    crisis = await command(emulator, world.member, world.general, "crisis", region="US")
    assert masked not in crisis.text, crisis.text
    assert r"**\[Call 988 now\]\(https://example.invalid/x\)**: call 555-0100" in crisis.text


async def test_peer_alert_pings_only_on_duty_peers_never_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    call = next(
        c
        for c in reversed(emulator.calls_matching("POST", "/channels/{channel_id}/messages"))
        if c.path.endswith(f"/channels/{world.peers.id}/messages")
    )
    mentions = call.json["allowed_mentions"]
    assert [str(u) for u in mentions["users"]] == [str(world.peer.id)]
    assert mentions["parse"] == []
    assert f"<@{world.member.id}>" in alert.text  # named, but not pinged


async def test_crisis_dms_to_the_bot_get_one_reply_per_cooldown_and_stop_alone_is_no_opt_out(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, CRISIS)
    await emulator.wait_for_message(dm, predicate=lambda m: "automated bot" in m.text)
    await emulator.send_dm(world.member, "i really want to kill myself")
    await emulator.send_dm(world.member, "stop")
    await emulator.gateway_idle()
    await detector_settled(kindred)
    replies = [m for m in emulator.messages_in(dm) if m.author.id == emulator.bot_user.id]
    assert len(replies) == 1
    assert not await kindred.services.safety.opted_out(world.member.id)


# -- who may act on an alert, and only once ---------------------------------------------------


async def alert_about(emulator: DiscordEmulator, world: World, who):
    await emulator.send_message(who, world.general, CRISIS)
    return await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text and f"<@{who.id}>" in m.text
    )


def alert_button(alert, kind: str) -> str:
    """The custom id of "I'll reach out" (``alert``) or "Not a concern" (``notconcern``)."""
    return next(c for c in alert.custom_ids if c.startswith(f"kindred:{kind}:"))


async def test_safety_status_counts_one_alert_and_measures_precision_over_reviewed_ones(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """One alert raised read "1 alerts, 0 not a concern → 100%": an alert nobody reviewed
    counted as right. Now the figure is over the alerts peers took or marked, the others
    counted apart, and one alert is "1 alert"."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    first = await alert_about(emulator, world, world.member)
    status = await command(emulator, world.mod, world.general, "safety status")
    assert status.ephemeral and "1 alerts" not in status.text, status.text
    assert "Measured precision (of the alerts peers reviewed)" in status.text
    assert ": 1 alert, not reviewed yet" in status.text and "%" not in status.text
    await (await emulator.press_button(world.peer, first, alert_button(first, "alert"))).response()
    status = await command(emulator, world.mod, world.general, "safety status")
    assert ": 1 alert, 1 taken, 0 not a concern → 100%" in status.text, status.text
    second = await alert_about(emulator, world, world.member2)
    status = await command(emulator, world.mod, world.general, "safety status")
    assert ": 2 alerts: 1 taken, 0 not a concern, 1 not reviewed → 100% of those reviewed" in (
        status.text
    )
    pressed = await emulator.press_button(world.peer2, second, alert_button(second, "notconcern"))
    await pressed.response()
    status = await command(emulator, world.mod, world.general, "safety status")
    assert ": 2 alerts: 1 taken, 1 not a concern, 0 not reviewed → 50% of those reviewed" in (
        status.text
    )


async def test_a_peer_cannot_mark_an_alert_about_themself_not_a_concern(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    alert = await alert_about(emulator, world, world.peer2)
    pressed = await emulator.press_button(world.peer2, alert, alert_button(alert, "notconcern"))
    refused = await pressed.response()
    assert refused.ephemeral and "about you" in refused.text
    row = await kindred.services.db.fetchone("SELECT dismissed_by FROM safety_alerts")
    assert row["dismissed_by"] is None, emulator.messages[alert.id].text
    assert "➖" not in emulator.messages[alert.id].text
    feedback = await kindred.services.db.fetchall("SELECT dismissed FROM safety_feedback")
    assert feedback and all(r["dismissed"] == 0 for r in feedback)  # precision untouched
    # it stays open for the other peers
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[alert.id].text


async def test_a_peer_cannot_take_an_alert_about_themself(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    alert = await alert_about(emulator, world, world.peer2)
    pressed = await emulator.press_button(world.peer2, alert, alert_button(alert, "alert"))
    refused = await pressed.response()
    assert refused.ephemeral and "about you" in refused.text
    assert f"<@{world.peer2.id}> is reaching out" not in emulator.messages[alert.id].text
    row = await kindred.services.db.fetchone("SELECT responder_id FROM safety_alerts")
    assert row["responder_id"] is None
    # it stays open for the other peers
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[alert.id].text


async def test_a_spanish_app_user_refused_on_an_alert_button_reads_the_refusal_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 18: pressing "I'll reach out" or "Not a concern" without the peer role (a member,
    or a peer who lost the role) was answered with a hard-coded English sentence, whatever the
    person's language. The refusal comes privately in the reader's language; English as
    before."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    alert = await alert_about(emulator, world, world.member2)
    emulator.set_member_roles(world.guild, world.peer2, [])  # peer2 lost the role
    await emulator.gateway_idle()
    for kind in ("alert", "notconcern"):
        pressed = await emulator.press_button(
            world.peer2, emulator.messages[alert.id], alert_button(alert, kind), locale="es-ES"
        )
        refused = await pressed.answer()
        assert refused.ephemeral
        assert "Only this server" not in refused.text, refused.text
        assert "compañeros" in refused.text or "moderación" in refused.text, refused.text
    english = {
        "alert": "Only this server's peer supporters and moderators can take alerts.",
        "notconcern": "Only this server's peer supporters and moderators can mark alerts.",
    }
    for kind, text in english.items():
        pressed = await emulator.press_button(
            world.member, emulator.messages[alert.id], alert_button(alert, kind)
        )
        refused = await pressed.answer()
        assert refused.ephemeral and refused.text == text, refused.text
    assert emulator.messages[alert.id].custom_ids == alert.custom_ids  # nobody acted


@pytest.mark.parametrize("first", ["alert", "notconcern"])
async def test_reach_out_and_not_a_concern_pressed_together_only_one_sticks(
    emulator: DiscordEmulator, world: World, kindred: Kindred, first: str
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    alert = await alert_about(emulator, world, world.member)
    second = "notconcern" if first == "alert" else "alert"
    # Both presses reach the bot before it answers either (no await on an answer between).
    presses = {
        world.peer.id: await emulator.press_button(world.peer, alert, alert_button(alert, first)),
        world.peer2.id: await emulator.press_button(
            world.peer2, alert, alert_button(alert, second)
        ),
    }
    answers = {who: await pressed.response() for who, pressed in presses.items()}
    row = await kindred.services.db.fetchone("SELECT responder_id, dismissed_by FROM safety_alerts")
    text = emulator.messages[alert.id].text
    assert (row["responder_id"] is None) != (row["dismissed_by"] is None), (dict(row), text)
    feedback = await kindred.services.db.fetchall("SELECT dismissed FROM safety_feedback")
    if row["responder_id"] is not None:
        winner = row["responder_id"]
        assert f"✅ <@{winner}> is reaching out." in text and "➖" not in text
        told = f"<@{winner}> is already reaching out"
        assert all(r["dismissed"] == 0 for r in feedback)
    else:
        winner = row["dismissed_by"]
        assert f"➖ Marked not a concern by <@{winner}>" in text and "✅" not in text
        told = f"<@{winner}> already marked this one not a concern"
        assert feedback and all(r["dismissed"] == 1 for r in feedback)
    (loser,) = set(answers) - {winner}
    assert not answers[winner].ephemeral
    assert answers[loser].ephemeral and told in answers[loser].text


async def test_an_alert_taken_by_a_peer_who_lost_the_role_is_offered_to_the_others_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer said "I'll reach out", then lost the peer role: once Kindred learns it (here at
    a peer command), the alert's card offers "I'll reach out" again and the on-duty peers are
    pinged once, without naming the member beyond the card; the change is audited."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    alert = await alert_about(emulator, world, world.member)
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[alert.id].text
    before = len(emulator.bot_messages(world.peers))
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    refused = await (
        await emulator.run_command(world.peer, world.general, "duty status")
    ).response()
    assert "for peer supporters" in refused.text  # Kindred noticed the role is gone
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "needs a peer again" in m.text
    )
    card = emulator.messages[alert.id]
    assert any(c.startswith("kindred:alert:") for c in card.custom_ids), card.custom_ids
    assert f"✅ <@{world.peer.id}>" not in card.text
    assert "can't continue, so this alert is open again" in card.text
    assert f"<@{world.member.id}>" in card.text  # the card keeps its words
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    assert f"<@{world.member.id}>" not in ping.text
    assert f"/{world.peers.id}/{alert.id})" in ping.text  # a link to the card
    assert await kindred.quiet()
    assert len(emulator.bot_messages(world.peers)) == before + 1  # pinged once
    row = await kindred.services.db.fetchone("SELECT responder_id, state FROM safety_alerts")
    assert row["responder_id"] is None and row["state"] == "open"
    entries = await kindred.services.audit.recent(world.guild.id, limit=20)
    assert "safety.alert_reopened" in [e.action for e in entries]
    # the other peer can take it now
    again = await emulator.press_button(world.peer2, card, alert_button(card, "alert"))
    await again.response()
    assert f"✅ <@{world.peer2.id}> is reaching out" in emulator.messages[alert.id].text


async def test_an_alert_taken_by_a_peer_who_forgets_themselves_is_offered_to_the_others_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer said "I'll reach out", then ran /forgetme: as when a peer loses the role, the
    card offers "I'll reach out" again and the on-duty peers are pinged once; nothing the
    bot keeps names the peer any more."""
    from tests.e2e.test_core import forget

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    alert = await alert_about(emulator, world, world.member)
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[alert.id].text
    before = len(emulator.bot_messages(world.peers))
    await forget(emulator, world.peer, world.general)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "needs a peer again" in m.text
    )
    card = emulator.messages[alert.id]
    assert any(c.startswith("kindred:alert:") for c in card.custom_ids), card.custom_ids
    assert f"<@{world.peer.id}>" not in card.text
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    assert await kindred.quiet()
    assert len(emulator.bot_messages(world.peers)) == before + 1  # pinged once
    row = await kindred.services.db.fetchone("SELECT responder_id, state FROM safety_alerts")
    assert row["responder_id"] is None and row["state"] == "open"
    entries = await kindred.services.audit.recent(world.guild.id, limit=20)
    assert str(world.peer.id) not in str([e.detail for e in entries])
    again = await emulator.press_button(world.peer2, card, alert_button(card, "alert"))
    await again.response()
    assert f"✅ <@{world.peer2.id}> is reaching out" in emulator.messages[alert.id].text


# -- an alert channel that refuses Kindred ----------------------------------------------------


def unpostable(emulator: DiscordEmulator, world: World, name: str = "quiet-room"):
    """A channel Kindred can see but not send in."""
    channel = emulator.create_channel(world.guild, name)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(channel, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES))
    return channel


async def test_a_crisis_alert_refused_by_the_chosen_alert_channel_goes_to_the_peer_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer alert channel Kindred can't post in (403: no retry changes that): the alert goes
    at once to the peer channel from /peers setup, with its pings and buttons, and the
    moderators are told at once which channel refuses and how to fix it, once per channel
    (not per alert); nothing is left to retry."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    channel = unpostable(emulator, world)
    await emulator.gateway_idle()
    await command(emulator, world.mod, world.general, "safety settings", peer_alert_channel=channel)
    first = await alert_about(emulator, world, world.member)  # in the peer channel
    assert f"<@{world.peer.id}>" in first.text
    assert any(c.startswith("kindred:alert:") for c in first.custom_ids)
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: f"<#{channel.id}>" in m.text
    )
    assert "refuses" in told.text and "Send Messages" in told.text
    assert "/safety settings peer_alert_channel:" in told.text
    assert f"<#{world.peers.id}>" in told.text  # where alerts go meanwhile
    second = await alert_about(emulator, world, world.member2)
    assert any(c.startswith("kindred:alert:") for c in second.custom_ids)
    assert await kindred.quiet()
    reports = [m for m in emulator.bot_messages(world.mods) if f"<#{channel.id}>" in m.text]
    assert len(reports) == 1  # once per channel, not per alert
    assert not any("could not deliver" in m.text for m in emulator.bot_messages(world.mods))
    assert not emulator.bot_messages(channel)
    assert (
        await kindred.services.db.fetchval(
            "SELECT COUNT(*) FROM timers WHERE kind = 'safety.alert_retry'"
        )
        == 0
    )


async def test_a_crisis_alert_refused_by_the_peer_channel_itself_reaches_the_moderators_at_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """No other channel to fall back to: the moderators hear of the alert and of the refusal at
    once, instead of after minutes of retries."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(
        world.peers, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
    )
    await emulator.gateway_idle()
    await emulator.send_message(world.member, world.general, CRISIS)
    undelivered = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "could not deliver a crisis alert" in m.text
    )
    assert f"<@{world.member.id}>" in undelivered.text
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: f"<#{world.peers.id}>" in m.text and "refuses" in m.text
    )
    assert "/peers setup peer_role: peer_channel:" in told.text


async def test_an_undelivered_alert_does_not_tell_the_moderators_the_member_was_answered(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The moderators' report of an alert no channel took is posted before the member's
    private reply is tried: with the member's DMs closed it must not say they were answered
    privately (it said "The member was answered privately"): once the reply finds their DMs
    closed, the report says Kindred couldn't reach them."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await command(emulator, world.mod, world.general, "safety settings", reply_mode="dm_only")
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(
        world.peers, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
    )
    emulator.user_dms_open(world.member, False)
    await emulator.gateway_idle()
    await emulator.send_message(world.member, world.general, CRISIS)
    undelivered = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "could not deliver a crisis alert" in m.text
    )
    assert await kindred.quiet()
    assert not emulator.bot_messages(emulator.dm_channel(world.member))  # never answered
    assert "was answered privately" not in undelivered.text, undelivered.text
    closed = "Kindred couldn't reach the member privately (their DMs are closed)"
    await emulator.wait_until(
        lambda: closed in emulator.messages[undelivered.id].text, what="the report to say so"
    )


async def test_choosing_a_peer_alert_channel_kindred_cannot_post_in_is_warned_at_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The choice is saved, as /peers setup saves its channels, and the answer says at once
    what the set-up check would: Kindred lacks Send Messages there, and the fix. A channel
    Kindred can use gets no warning."""
    await setup_peers(emulator, world)
    channel = unpostable(emulator, world)
    await emulator.gateway_idle()
    answer = await command(
        emulator, world.mod, world.general, "safety settings", peer_alert_channel=channel
    )
    assert answer.ephemeral
    fields = {f["name"]: f["value"] for f in answer.embeds[0]["fields"]}
    warning = fields["1. Problem"]
    assert f"In <#{channel.id}> (the peer alert channel) Kindred lacks Send Messages" in warning
    assert "Edit Channel → Permissions" in warning and "allow Send Messages" in warning
    cfg = await kindred.services.settings.get(world.guild.id, SafetySettings)
    assert cfg.peer_alert_channel_id == channel.id  # saved all the same
    # a channel Kindred can use, private to the peers (members can't read crisis alerts)
    fine = emulator.create_channel(world.guild, "alerts")
    emulator.set_overwrite(
        fine, emulator.role(world.guild, world.guild.id), deny=int(P.VIEW_CHANNEL)
    )
    for role in (world.peer_role, world.guild.bot_role):
        emulator.set_overwrite(fine, role, allow=int(P.VIEW_CHANNEL))
    await emulator.gateway_idle()
    answer = await command(
        emulator, world.mod, world.general, "safety settings", peer_alert_channel=fine
    )
    names = [f["name"] for f in answer.embeds[0]["fields"]]
    assert not any("Problem" in n for n in names), names


TIER3 = "this is my goodbye. i am ending it tonight"


async def test_a_tier3_alert_still_reaches_moderators_when_their_alert_channel_was_deleted(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator alert channel chosen with /safety settings, later deleted: a tier-3 report
    was dropped with a log line. As for the peer alert channel, it goes at once to the
    moderator channel from /peers setup, and the moderators are told there which channel
    refuses and how to fix it, once per channel (not per report)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    chan = emulator.create_channel(world.guild, "mod-alerts")
    await emulator.gateway_idle()
    await command(
        emulator, world.mod, world.general, "safety settings", moderator_alert_channel=chan
    )
    emulator.delete_channel(chan)
    await emulator.gateway_idle()
    await emulator.send_message(world.member, world.general, TIER3)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await detector_settled(kindred)
    assert await kindred.quiet()
    told = [m.text for m in emulator.bot_messages(world.mods)]
    assert any(f"<@{world.member.id}>" in t and "Tier 3" in t for t in told), told
    refused = [t for t in told if f"<#{chan.id}>" in t and "refuses" in t]
    assert len(refused) == 1, told
    assert "/safety settings moderator_alert_channel:" in refused[0]
    assert f"<#{world.mods.id}>" in refused[0]  # where reports go meanwhile
    await emulator.send_message(world.member2, world.general, TIER3)
    await emulator.wait_until(
        lambda: any(
            f"<@{world.member2.id}>" in m.text and "Tier 3" in m.text
            for m in emulator.bot_messages(world.mods)
        ),
        what="the second report in the moderator channel",
    )
    assert await kindred.quiet()
    reports = [m for m in emulator.bot_messages(world.mods) if f"<#{chan.id}>" in m.text]
    assert len(reports) == 1  # told once per channel, not per report


async def test_a_spanish_moderator_is_warned_about_an_unusable_alert_channel_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    channel = unpostable(emulator, world)
    await emulator.gateway_idle()
    answer = await in_language(
        emulator, world.mod, world.general, "safety settings", "es-ES", peer_alert_channel=channel
    )
    values = " ".join(f["value"] for f in answer.embeds[0]["fields"])
    assert f"En <#{channel.id}> (" in values and "a Kindred le falta Send Messages" in values
    assert "Kindred lacks" not in values


# -- long text: an alert, a server's own resources --------------------------------------------


async def test_an_alert_with_many_peers_on_duty_keeps_its_words_and_every_ping(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Ninety peers on duty: the pings filled the alert's 2,000 characters and the alert itself
    was cut off. Now the alert is whole (its quote of a long message shortened visibly, the
    jump link has it all), the pings that don't fit follow, and the press line fits."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    others = [900_000_000_000_000_000 + n for n in range(90)]
    for peer in others:
        await kindred.services.peers.duty.go_on(world.guild.id, peer, None)
    await kindred.services.settings.update(
        world.guild.id, SafetySettings, world.mod.id, copy_content=True
    )
    words = CRISIS + ". " + "i can't see a way through this anymore and " * 10 + "that's it"
    await emulator.send_message(world.member, world.general, words)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert "Kindred is reaching out to them privately with support lines." in alert.text
    quoted = alert.text.split("\n> ", 1)[1]
    assert quoted.endswith("…") and len(quoted) <= 300
    assert words.startswith(quoted.removesuffix("…")) and words[len(quoted) - 1] == " "
    wanted = [f"<@{p}>" for p in [world.peer.id, *others]]

    def pinged() -> bool:
        said = "\n".join(m.text for m in public_bot_messages(emulator, world.peers))
        return all(w in said for w in wanted)

    await emulator.wait_until(pinged, what="every on-duty peer pinged")
    assert all(len(m.text) <= 2000 for m in public_bot_messages(emulator, world.peers))
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    marked = emulator.messages[alert.id].text
    assert marked.endswith(f"✅ <@{world.peer.id}> is reaching out.")
    assert "Kindred is reaching out to them privately" in marked


async def test_a_servers_long_resources_are_all_listed_and_one_too_long_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """25 local resources as long as they may be: /safety resources list stopped at 2,000
    characters and /resources (its ten entries) at 4,000, silently. Each is whole now, over
    several private messages; and a contact longer than its 200 characters can't be sent (it
    was stored cut: a wrong phone number or address)."""
    names = [f"Resource {n:02d} " + "night line for the county " * 4 for n in range(25)]
    names = [(name * 2)[:100].strip() for name in names]
    for n, name in enumerate(names):
        await kindred.services.safety.add_resource(
            world.guild.id, name=name, kind="warmline",
            contact=f"https://example.org/{n:02d}/" + "a" * 177, region="US",
            hours="every evening and every weekend " * 3, source_url=None, actor_id=world.mod.id,
        )  # fmt: skip
    listed = await emulator.run_command(world.mod, world.general, "safety resources list")
    answers = await every_answer(emulator, listed, names)
    assert len(answers) > 1 and all(a.ephemeral for a in answers)
    shown = await emulator.run_command(world.member, world.general, "resources", {"region": "US"})
    answers = await every_answer(emulator, shown, names[:10])  # a member sees ten, each whole
    assert len(answers) > 1 and all(a.ephemeral for a in answers)
    with pytest.raises(ValueError, match="'contact' is longer than 200"):
        await emulator.run_command(
            world.mod, world.general, "safety resources add",
            options={"name": "Haven", "kind": "crisis_line", "contact": "5" * 201},
        )  # fmt: skip
    assert len(await kindred.services.safety.guild_resources(world.guild.id)) == 25


async def test_a_cut_listing_says_how_many_more_and_how_to_see_them(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A server with twelve resources of its own for Vermont: /respite, /resources and
    /warmline show ten entries each, and said nothing of the rest; /respite titled its list
    with the text as typed, upper-cased ("VERMONT")."""
    for n in range(11):
        await command(
            emulator, world.mod, world.general, "safety resources add",
            name=f"Green Mountain Respite {n:02d}", kind="respite", contact=f"555-01{n:02d}",
            region="US-VT",
        )  # fmt: skip
    await command(
        emulator, world.mod, world.general, "safety resources add",
        name="Vermont Evening Warmline", kind="warmline", contact="555-0199", region="US-VT",
    )  # fmt: skip
    assert len(await kindred.services.safety.guild_resources(world.guild.id)) == 12

    respite = await emulator.run_command(
        world.member, world.general, "respite", {"state": "Vermont"}
    )
    answers = await every_answer(emulator, respite, ["Green Mountain Respite 09", "more"])
    assert all(a.ephemeral for a in answers)
    said = "\n".join(a.text for a in answers)
    assert "Peer respites: Vermont, United States (US-VT)" in said and "VERMONT" not in said
    assert "Green Mountain Respite 10" not in said  # the eleventh is left out...
    assert "…and 5 more not shown here." in said  # ...and counted, with Vermont's four
    assert "`/safety resources list` shows all of this server's own resources." in said

    everything = await emulator.run_command(
        world.member, world.general, "resources", {"region": "US-VT"}
    )
    title = "Resources for Vermont, United States (US-VT)"
    said = "\n".join(a.text for a in await every_answer(emulator, everything, [title, "more"]))
    assert "…and 15 more not shown here." in said
    assert "`/crisis region:US-VT` shows only crisis lines" in said
    assert "`/warmline region:US-VT` only warmlines" in said
    assert "`/respite state:VT` only peer respites" in said
    assert "`/safety resources list`" in said

    warmlines = await command(emulator, world.member, world.general, "warmline", region="US-VT")
    assert "Vermont Evening Warmline" in warmlines.text
    assert "more not shown" not in warmlines.text  # nothing left out, nothing said

    spanish = await emulator.run_command(
        world.member, world.general, "respite", {"state": "VT"}, locale="es-ES"
    )
    said = "\n".join(a.text for a in await every_answer(emulator, spanish, ["…y 5 más"]))
    assert "Casas de respiro: Vermont, Estados Unidos (US-VT)" in said
    assert "…y 5 más que no aparecen aquí." in said
    assert "`/safety resources list` muestra todos los recursos propios de este servidor." in said
    assert "more not shown" not in said
    spanish = await emulator.run_command(
        world.member, world.general, "resources", {"region": "US-VT"}, locale="es-ES"
    )
    said = "\n".join(a.text for a in await every_answer(emulator, spanish, ["…y 15 más"]))
    assert "`/crisis region:US-VT` muestra solo las líneas de crisis" in said
    assert "`/respite state:VT` solo las casas de respiro" in said


async def test_a_spanish_member_reads_region_and_local_resource_answers_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/region set and clear and the empty list of local resources follow the reader's
    language; an English app reads them word for word as before."""
    es = "es-ES"
    chosen = await in_language(emulator, world.member, world.general, "region set", es, region="UK")
    assert chosen.ephemeral
    assert chosen.text == "Tu región es **Reino Unido (GB)**. `/region clear` la quita.", (
        chosen.text
    )
    cleared = await in_language(emulator, world.member, world.general, "region clear", es)
    assert cleared.text == "Tu región se ha borrado."
    none = await in_language(emulator, world.member, world.general, "safety resources list", es)
    assert none.ephemeral and none.text == "Aún no hay recursos locales."

    # English, word for word
    chosen = await command(emulator, world.member2, world.general, "region set", region="UK")
    assert chosen.text == "Your region is **United Kingdom (GB)**. `/region clear` removes it."
    cleared = await command(emulator, world.member2, world.general, "region clear")
    assert cleared.text == "Your region is cleared."
    none = await command(emulator, world.member2, world.general, "safety resources list")
    assert none.text == "No local resources yet."


async def test_a_country_named_as_kindred_itself_names_it_in_the_members_language_is_understood(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 19: Kindred names countries in the reader's language (CLDR: "Estados Unidos
    (US)", "Reino Unido (GB)"), but `/region set region:Estados Unidos` answered "No reconozco
    la región «Estados Unidos»", so a Spanish-speaking member in the US could not set the
    region whose lines they need. A country's name in any of Kindred's languages, as Kindred
    itself writes it, is understood."""
    refused = []
    for locale, name, code in (
        ("es-ES", "Estados Unidos", "(US)"),
        ("de", "Vereinigte Staaten", "(US)"),
        ("fr", "États-Unis", "(US)"),
        ("pt-BR", "Reino Unido", "(GB)"),
        ("de", "Vereinigtes Königreich", "(GB)"),
    ):
        answer = await in_language(
            emulator, world.member, world.general, "region set", locale, region=name
        )
        if code not in answer.text:
            refused.append((name, answer.text))
    assert refused == [], refused
    assert await kindred.services.safety.region_for(world.guild.id, world.member.id) == "GB"


async def test_a_spanish_moderator_reads_safety_settings_and_status_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/safety settings and /safety status follow the moderator's language (the counts'
    kinds, sources and resources' names stay as stored); English word for word."""
    await command(emulator, world.mod, world.general, "language set", language="es")
    shown = await command(emulator, world.mod, world.general, "safety settings", peer_items=False)
    embed = shown.embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == "Ajustes de lenguaje de crisis"
    assert fields["Respuesta"] == "Mensaje privado y nota breve en el canal"
    assert fields["Avisos discretos a compañeros"] == "desactivado"
    assert fields["Alertas a compañeros"] == "el canal de compañeros"
    assert fields["Excluidos"] == "ninguna"
    assert fields["Esperas"].startswith("miembro ") and " min · canal " in fields["Esperas"]
    with time_machine.travel(datetime(2029, 6, 1, tzinfo=UTC), tick=True):
        status = (await command(emulator, world.mod, world.general, "safety status")).embeds[0]
    names = [f["name"] for f in status["fields"]]
    assert status["title"] == "Recursos de crisis: estado"
    assert names[0] == "Últimos 30 días" and "Datos de recursos desactualizados" in names[-1]
    assert "(revisado el " in status["fields"][-1]["value"]

    # English, word for word
    await command(emulator, world.mod, world.general, "language clear")
    shown = await command(emulator, world.mod, world.general, "safety settings", peer_items=True)
    embed = shown.embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == "Crisis-language settings"
    assert fields["Reply"] == "DM, then brief channel note"
    assert fields["Quiet peer items"] == "on"
    assert fields["Peer alerts"] == "the peer channel" and fields["Excluded"] == "none"
    assert fields["Enabled"] == "yes"
    with time_machine.travel(datetime(2029, 6, 1, tzinfo=UTC), tick=True):
        status = (await command(emulator, world.mod, world.general, "safety status")).embeds[0]
    assert status["title"] == "Crisis resources: status"
    assert status["fields"][0]["name"] == "Last 30 days"
    assert status["fields"][-1]["name"] == "Stale resource data (over 12 months)"
    assert "(checked " in status["fields"][-1]["value"]


def bot_dms(emu: DiscordEmulator, user) -> list:
    return [m for m in emu.messages_in(emu.dm_channel(user)) if m.author.id == emu.bot_user.id]


def peer_alerts(emu: DiscordEmulator, world: World) -> list:
    return [m for m in emu.messages_in(world.peers) if "may need support" in m.text]


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "not-cached"])
async def test_a_message_edited_into_a_crisis_line_gets_the_private_reply_and_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred, cached: bool
) -> None:
    """A member who edits "ok I'm fine" into a crisis line is in the same danger as one who
    typed it first: Kindred reads edits (MESSAGE_UPDATE) too, of messages it no longer keeps
    in its cache as well."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    message = await emulator.send_message(world.member, world.general, "ok i'm fine, really")
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert bot_dms(emulator, world.member) == []
    if not cached:
        kindred.bot._connection._messages.clear()  # type: ignore[union-attr]
    await emulator.edit_message_as_user(message, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "automated bot" in dm.text
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert str(message.id) in alert.text  # the jump link to the edited message
    assert CRISIS not in alert.text
    assert public_bot_messages(emulator, world.general) == []


async def test_a_link_preview_added_to_a_message_is_not_read_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord sends an update when a link's preview appears under a message: nobody wrote
    anything new, so the detector is not given the words a second time, cached or not."""
    await setup_peers(emulator, world)
    message = await emulator.send_message(
        world.member, world.general, f"{CRISIS} https://example.org/page"
    )
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await emulator.gateway_idle()
    await detector_settled(kindred)
    worker = kindred.bot.get_cog("Safety").worker  # type: ignore[union-attr]
    read = worker.submitted
    await emulator.unfurl_embeds(message, [{"type": "link", "title": "A page"}])
    await emulator.gateway_idle()
    await detector_settled(kindred)
    kindred.bot._connection._messages.clear()  # type: ignore[union-attr]
    await emulator.unfurl_embeds(message, [{"type": "link", "title": "A page, again"}])
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert worker.submitted == read
    rows = await kindred.services.db.fetchall("SELECT * FROM safety_events")
    assert len(rows) == 1
    assert len(bot_dms(emulator, world.member)) == 1


async def test_editing_an_answered_crisis_message_into_another_gets_no_second_dm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An edit is read as a new message is, so the member's cooldown holds across a message
    and its edits: one private reply for one crisis, however it is reworded."""
    await setup_peers(emulator, world)
    message = await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    worker = kindred.bot.get_cog("Safety").worker  # type: ignore[union-attr]
    await emulator.gateway_idle()
    await detector_settled(kindred)
    read = worker.submitted
    await emulator.edit_message_as_user(message, "i really do want to kill myself")
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert worker.submitted > read  # the edit was read
    rows = await kindred.services.db.fetchall("SELECT * FROM safety_events ORDER BY id")
    assert len(rows) == 2 and rows[1]["label"] == "crisis_self"
    assert not rows[1]["replied"]
    assert len(bot_dms(emulator, world.member)) == 1
    assert len(peer_alerts(emulator, world)) == 1


async def test_forgetme_takes_the_members_name_and_quoted_words_off_their_crisis_alert_cards(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """After a member's /forgetme, every peer alert card Kindred posted about them (their
    mention and, with the server's ``copy_content`` on, a quote of their words) becomes one
    line naming nobody and quoting nothing, as their request cards do
    (docs/member-guide.md), without buttons."""
    from tests.e2e.test_core import forget

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await kindred.services.settings.update(
        world.guild.id, SafetySettings, world.mod.id, copy_content=True
    )
    words = "honestly i want to kill myself, Tobias will not even notice"
    await emulator.send_message(world.member, world.general, words)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    assert "Tobias" in alert.text and str(world.member.id) in alert.text, alert.text
    done = await forget(emulator, world.member, world.general)
    assert done.text.startswith("Done. I deleted "), done.text
    await kindred.quiet()
    shown = emulator.messages[alert.id]
    assert str(world.member.id) not in shown.text and "Tobias" not in shown.text, shown.text
    assert shown.text == "This crisis alert was withdrawn." and not shown.components


async def test_an_alert_cards_clearing_after_forgetme_is_retried_when_discord_fails(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The alert card's clearing is stored with the deletion and tried again with backoff
    when Discord answers the edit with a 503."""
    from tests.e2e.test_core import forget

    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await emulator.send_message(world.member, world.general, "i want to kill myself")
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )
        fault = emulator.inject_fault(
            "PATCH", f"/channels/{world.peers.id}/messages/{alert.id}", status=503, times=2
        )
        await forget(emulator, world.member, world.general)
        await emulator.wait_until(lambda: fault.hits >= 1, what="the card edit to be refused")
        for _ in range(3):
            clock.shift(timedelta(minutes=10))
            await kindred.settle()
            await kindred.quiet()
        assert fault.hits == 2
        shown = emulator.messages[alert.id]
        assert shown.text == "This crisis alert was withdrawn.", shown.text


async def stored_timers(kindred: Kindred, kind: str) -> list:
    return await kindred.services.db.fetchall(
        "SELECT id, payload FROM timers WHERE kind = ?", (kind,)
    )


async def until_stored(kindred: Kindred, kind: str, count: int = 1) -> list:
    """Wait (generously) until ``count`` timers of ``kind`` are stored; their rows."""
    async with asyncio.timeout(60):
        while len(rows := await stored_timers(kindred, kind)) < count:
            await asyncio.sleep(0.05)
    return rows


async def test_a_stored_alert_retry_says_the_members_dms_turned_out_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails the peer alert for a moment (503), so it is stored for a retry while
    Kindred is still trying to reach the member; their DMs turn out closed. When the retry
    posts the alert, it says what is true then (Kindred couldn't reach them), never "Kindred
    is reaching out to them privately"; the moderators' report, posted at once, was edited."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        await until_stored(kindred, "safety.alert_retry")
        await detector_settled(kindred)
        assert await kindred.quiet()
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text, timeout=30
        )
    assert "Kindred couldn't reach them privately: their DMs are closed" in alert.text, alert.text
    assert "Kindred is reaching out" not in alert.text
    assert f"<@{world.peer.id}>" in alert.text
    assert not await stored_timers(kindred, "safety.alert_retry")


async def test_a_stored_alert_retry_says_so_when_the_replys_own_retry_found_dms_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails both the alert and the private reply for a while (503s): both are stored
    for a retry. Meanwhile the member closes their DMs, which the reply's retry finds: the
    alert posted by its own later retry says Kindred couldn't reach them."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=503, times=2)
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        await until_stored(kindred, "safety.alert_retry")
        (reply,) = await until_stored(kindred, "safety.reply_retry")
        assert "kill" not in reply["payload"]  # ids, kinds and the language only
        await detector_settled(kindred)
        assert await kindred.quiet()
        emulator.user_dms_open(world.member, False)
        clock.shift(timedelta(seconds=25))  # the reply finds DMs closed; the alert fails again
        await kindred.settle()
        assert await kindred.quiet()
        assert not await stored_timers(kindred, "safety.reply_retry")
        assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
        clock.shift(timedelta(seconds=60))  # the alert's retry backs off 30 s
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text, timeout=30
        )
    assert "Kindred couldn't reach them privately: their DMs are closed" in alert.text, alert.text
    assert "Kindred is reaching out" not in alert.text
    assert kindred_dms(emulator, world.member) == []


async def test_a_stored_alert_retry_says_the_member_opted_out_when_the_replys_retry_was_dropped(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails both the alert and the private reply for a while (503s): both are stored
    for a retry. Meanwhile the member opts out of automatic messages, so the reply's retry is
    dropped: the alert posted by its own later retry says they opted out, never that their
    DMs are closed (they are open) nor that Kindred is reaching out."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=503, times=2)
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        await until_stored(kindred, "safety.alert_retry")
        await until_stored(kindred, "safety.reply_retry")
        await detector_settled(kindred)
        assert await kindred.quiet()
        opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
        assert "no more automatic messages" in opted.text, opted.text
        clock.shift(timedelta(seconds=25))  # the reply is dropped; the alert fails again
        await kindred.settle()
        assert await kindred.quiet()
        assert not await stored_timers(kindred, "safety.reply_retry")
        assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]
        clock.shift(timedelta(seconds=60))  # the alert's retry backs off 30 s
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text, timeout=30
        )
    said = "Kindred is not messaging them: they opted out of its automatic messages"
    assert said in alert.text, alert.text
    assert "DMs are closed" not in alert.text
    assert "Kindred is reaching out" not in alert.text
    assert f"<@{world.peer.id}>" in alert.text
    assert kindred_dms(emulator, world.member) == []


async def test_posted_alerts_say_so_when_the_replys_retry_finds_the_dms_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails the private reply for a moment (503): the peer alert and the tier-3
    report are posted at once saying Kindred is reaching out. The member then closes their
    DMs, which the reply's stored retry finds: both are edited to say Kindred couldn't reach
    them (the alert still takeable)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(
            world.member, world.general, "this is my goodbye. i am ending it tonight"
        )
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )
        mods = await emulator.wait_for_message(world.mods, predicate=lambda m: "Tier 3" in m.text)
        (reply,) = await until_stored(kindred, "safety.reply_retry")
        assert "goodbye" not in reply["payload"]  # ids only
        await detector_settled(kindred)
        assert await kindred.quiet()
        assert "Kindred is reaching out to them privately" in emulator.messages[alert.id].text
        emulator.user_dms_open(world.member, False)
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        closed = "Kindred couldn't reach them privately: their DMs are closed"
        await emulator.wait_until(
            lambda: closed in emulator.messages[alert.id].text,
            what="the alert to say the DMs turned out closed",
        )
        await emulator.wait_until(
            lambda: (
                "Kindred couldn't reach the member privately: their DMs are closed."
                in emulator.messages[mods.id].text
            ),
            what="the moderators' report to say the DMs turned out closed",
        )
    card = emulator.messages[alert.id]
    assert "Kindred is reaching out" not in card.text, card.text
    assert alert_button(card, "alert") in card.custom_ids
    assert "reaching out to the member privately" not in emulator.messages[mods.id].text
    assert not await stored_timers(kindred, "safety.reply_retry")
    assert kindred_dms(emulator, world.member) == []


async def test_a_posted_alert_says_so_when_the_retried_reply_is_dropped_for_an_opt_out(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The private reply is stored for a retry (503) after the alert said Kindred is reaching
    out; the member opts out meanwhile, so the retry is dropped: the alert now says Kindred
    is not messaging them (they opted out)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )
        await until_stored(kindred, "safety.reply_retry")
        await detector_settled(kindred)
        assert await kindred.quiet()
        opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
        assert "no more automatic messages" in opted.text, opted.text
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        said = "Kindred is not messaging them: they opted out of its automatic messages"
        await emulator.wait_until(
            lambda: said in emulator.messages[alert.id].text,
            what="the alert to say the member opted out",
        )
    assert "Kindred is reaching out" not in emulator.messages[alert.id].text
    assert not await stored_timers(kindred, "safety.reply_retry")
    assert kindred_dms(emulator, world.member) == []


async def test_a_posted_alert_says_so_when_the_reply_fails_every_retry(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails the private reply on its first try and on every stored retry (503s):
    after the last one, the alert posted at once saying Kindred is reaching out says instead
    that Kindred tried and can't tell whether it got through."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=100)
        await emulator.send_message(world.member, world.general, CRISIS)
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )
        await until_stored(kindred, "safety.reply_retry")
        await detector_settled(kindred)
        assert await kindred.quiet()
        for _ in range(10):  # the scheduler's tries, backing off 30 s, 60 s, 120 s...
            if not await stored_timers(kindred, "safety.reply_retry"):
                break
            clock.shift(timedelta(minutes=10))
            await kindred.settle()
            assert await kindred.quiet()
        assert not await stored_timers(kindred, "safety.reply_retry")
        said = "Kindred tried to reach them privately with support lines and can't tell"
        await emulator.wait_until(
            lambda: said in emulator.messages[alert.id].text,
            what="the alert to say the reply's outcome is unknown",
        )
    assert "Kindred is reaching out" not in emulator.messages[alert.id].text
    assert kindred_dms(emulator, world.member) == []


async def test_a_rate_limit_on_the_peers_channel_does_not_hold_back_the_members_crisis_reply(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord rate-limits the peers' channel (429, retry after 15 s) as a member writes crisis
    words: the member's private reply goes out at once, not after the peers' alert, which
    follows when Discord takes it (the alert and the reply never wait on each other). From
    probe 13."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.peers.id}/messages", status=429, times=1, retry_after=15
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member), since=0)
    waited = loop.time() - started
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    assert fault.hits == 1
    assert "automated bot" in dm.text
    assert waited < 5, f"the crisis lines reached the member only after {waited:.1f} s"


async def test_a_slow_alert_still_says_the_members_dms_turned_out_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member's DMs are closed and the peers' channel is rate-limited (429, 3 s): the
    reply's outcome is known before the alert is posted, and the alert, once posted, says
    Kindred couldn't reach them, never that it is reaching out."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    emulator.inject_fault(
        "POST", f"/channels/{world.peers.id}/messages", status=429, times=1, retry_after=3
    )
    await emulator.send_message(world.member, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    text = emulator.messages[alert.id].text
    assert "Kindred couldn't reach them privately: their DMs are closed" in text, text
    assert "Kindred is reaching out" not in text


async def test_dms_closed_and_channel_note_refused_peers_read_that_nobody_reached_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member's DMs are closed and Kindred may not post in the channel either: the peer
    alert does not say Kindred is reaching out to them."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    quiet = emulator.create_channel(world.guild, "quiet-corner")
    emulator.set_overwrite(quiet, emulator.bot_user, deny=P.SEND_MESSAGES)
    await emulator.send_message(world.member, quiet, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    await detector_settled(kindred)
    assert await kindred.quiet()
    text = emulator.messages[alert.id].text
    assert "reaching out to them privately" not in text, text


async def test_safety_status_stays_coherent_after_the_member_forgets_their_data(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """After the member an alert was about used /forgetme, `/safety status` said "Last 30
    days: nothing noticed" while its measured precision, in the same answer, still counted
    "1 alert, 0 taken, 1 not a concern" raised in those days: the 30-day counts were read
    from the events /forgetme deletes. An anonymous count (server, day, label, a number)
    stays, like the precision counts."""
    from tests.e2e.test_core import forget  # test_core imports this module, through groups

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member2, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "may need support" in m.text
    )
    await (await emulator.press_button(world.peer, alert, "kindred:notconcern:1")).answer()

    async def status() -> str:
        run = await emulator.run_command(world.mod, world.general, "safety status")
        return (await run.answer()).text

    before = await status()
    assert "crisis_self: 1" in before and "1 alert" in before, before
    await forget(emulator, world.member2, world.general)
    after = await status()
    assert "1 alert, 0 taken, 1 not a concern" in after, after
    assert "nothing noticed" not in after, after
    assert "crisis_self: 1" in after, after
