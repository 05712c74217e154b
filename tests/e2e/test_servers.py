"""A server that removes Kindred: its people are told privately, its scheduled work waits,
its data is kept for ``[privacy] departed_server_days`` (back within them, everything resumes
and the moderators are told once) and then deleted; a restart keeps it departed, and a server
removed while Kindred was offline counts as departed from the next start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from bot.services import away
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_checkins import Start, create, posts, run_at, start_at, wait_post  # noqa: F401
from tests.e2e.test_forget_scan import holders
from tests.e2e.test_groups import anonymous_group
from tests.e2e.test_groups import command as group_command
from tests.e2e.test_safety import CRISIS, stored_timers, until_stored
from tests.e2e.test_support import ask, go_on_duty, press_claim, setup_peers

GONE = "has removed Kindred"


def guild_paths(emulator: DiscordEmulator, world: World) -> set[str]:
    """Every id a REST path on the server would carry: the guild's and its channels'."""
    return {str(world.guild.id)} | {
        str(ch.id) for ch in emulator.channels.values() if ch.guild_id == world.guild.id
    }


def calls_on_server(emulator: DiscordEmulator, world: World, since: int) -> list:
    ids = guild_paths(emulator, world)
    return [c for c in emulator.calls[since:] if any(f"/{i}" in c.path for i in ids)]


def told(emulator: DiscordEmulator, user) -> list[str]:
    return [m.text for m in emulator.bot_messages(emulator.dm_channel(user)) if GONE in m.text]


async def claimed_request(emulator: DiscordEmulator, world: World, kindred: Kindred) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, summary="a rough week")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    await press_claim(emulator, world.peer, card, 1)
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "claimed", request


async def test_removal_mid_request_tells_the_member_and_the_peer_once_and_touches_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await claimed_request(emulator, world, kindred)
    await kindred.quiet()
    mark = len(emulator.calls)
    emulator.remove_bot(world.guild)
    member_dm = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    assert "request #1" in member_dm.text
    assert "Worldwide helplines" in member_dm.text  # the support they can reach now
    assert len(told(emulator, world.member)) == 1
    assert len(told(emulator, world.peer)) == 1
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "closed" and request.close_reason == "server_left"
    assert await kindred.services.peers.duty.on_duty(world.guild.id) == []
    assert await kindred.services.servers.is_departed(world.guild.id)
    # the member writes on in their DMs: nothing is passed to the gone server
    await emulator.send_dm(world.member, "are you still there?")
    await kindred.quiet()
    kindred.services.scheduler.wakeup()
    await kindred.settle()
    assert calls_on_server(emulator, world, mark) == []
    # a second GUILD_DELETE (a replayed event) tells nobody twice
    assert await kindred.services.servers.departed(world.guild.id) is None


async def test_a_checkin_due_while_away_is_skipped_and_the_next_posts_after_the_reinvite(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    created = await create(emulator, world, schedule="daily 09:00", tz="UTC")
    assert "Check-in created" in created.text
    mark = len(emulator.calls)
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    await run_at(traveller, kindred, datetime(2026, 5, 5, 9, 0, 5, tzinfo=UTC))
    await kindred.quiet()
    assert posts(emulator, world.general) == []
    assert calls_on_server(emulator, world, mark) == []
    timer = await kindred.services.scheduler.get("checkin:1")
    assert timer is not None and timer.attempts == 0  # waiting, never failed nor retried
    traveller.move_to(datetime(2026, 5, 5, 12, 0, tzinfo=UTC))
    emulator.invite_bot(world.guild)
    notice = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Kindred is back" in m.text, since=0
    )
    assert "settings were kept" in notice.text
    assert "1 scheduled item" in notice.text
    await kindred.settle()
    await kindred.quiet()
    assert posts(emulator, world.general) == []  # the morning's run, long past, is skipped
    await run_at(traveller, kindred, datetime(2026, 5, 6, 9, 0, 5, tzinfo=UTC))
    await wait_post(emulator, world.general)
    assert len(posts(emulator, world.general)) == 1
    back = [m for m in emulator.bot_messages(world.mods) if "Kindred is back" in m.text]
    assert len(back) == 1
    assert not await kindred.services.servers.is_departed(world.guild.id)
    assert await kindred.services.scheduler.get(f"guild.purge:{world.guild.id}") is None


async def test_after_the_grace_period_no_row_holds_the_server(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    channel = await anonymous_group(emulator, world, kindred)
    posted = await group_command(emulator, world.member, channel, "group post", text="hard days")
    assert "Posted" in posted.text, posted.text
    await claimed_request(emulator, world, kindred)
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    await emulator.run_command(
        world.member, world.general, "goal set", options={"text": "walk", "schedule": "daily 20:00"}
    )
    await emulator.run_command(world.member, world.general, "region set", options={"region": "GB"})
    await kindred.quiet()
    before = await holders(kindred, world.guild.id)
    assert len(before) >= 9, before
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    await run_at(traveller, kindred, datetime(2026, 6, 2, 12, 0, tzinfo=UTC))
    assert await holders(kindred, world.guild.id) != set()  # 29 days: still kept
    await run_at(traveller, kindred, datetime(2026, 6, 3, 12, 1, tzinfo=UTC))
    await kindred.quiet()
    assert await holders(kindred, world.guild.id) == set()
    # the member's own goal stays theirs, no longer tied to the server
    goals = await kindred.services.db.fetchall("SELECT * FROM goals")
    assert [(g["user_id"], g["guild_id"]) for g in goals] == [(world.member.id, None)]
    # invited back afterwards, it starts afresh: no notice of kept settings
    emulator.invite_bot(world.guild)
    await kindred.quiet()
    assert not [m for m in emulator.bot_messages(world.mods) if "Kindred is back" in m.text]


async def test_a_restart_during_the_absence_keeps_the_server_departed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await claimed_request(emulator, world, kindred)
    emulator.remove_bot(world.guild)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    await kindred.restart()
    await kindred.quiet()
    assert await kindred.services.servers.is_departed(world.guild.id)
    assert await kindred.services.scheduler.get(f"guild.purge:{world.guild.id}") is not None
    assert len(told(emulator, world.member)) == 1  # not told again
    assert len(told(emulator, world.peer)) == 1


async def test_a_server_absent_from_ready_counts_as_departed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await claimed_request(emulator, world, kindred)
    await kindred.quiet()
    await kindred.stop()
    emulator.remove_bot(world.guild)
    await kindred.start()
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    assert await kindred.services.servers.is_departed(world.guild.id)
    assert len(told(emulator, world.peer)) == 1
    # invited back while Kindred is offline: the next start finds it back, moderators told
    await kindred.stop()
    emulator.invite_bot(world.guild)
    await kindred.start()
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Kindred is back" in m.text, since=0
    )
    assert not await kindred.services.servers.is_departed(world.guild.id)


async def test_the_member_and_the_peer_are_told_in_their_own_languages(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await claimed_request(emulator, world, kindred)
    for user, code in ((world.member, "fr"), (world.peer, "de")):
        chosen = await emulator.run_command(
            user, world.general, "language set", options={"language": code}
        )
        await chosen.response()
    emulator.remove_bot(world.guild)
    member_dm = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "a retiré Kindred" in m.text
    )
    assert "demande #1" in member_dm.text
    peer_dm = await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "hat Kindred entfernt" in m.text
    )
    assert "Anfrage #1" in peer_dm.text


async def test_a_crisis_reply_discord_refused_still_reaches_the_member_after_the_removal(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 23: a member's crisis reply that Discord refused for a moment (503) is a stored
    retry tagged with the server; the server then removed Kindred, and the retry waited with
    the server's other work (and would have gone with its purge): the member in crisis never
    got the lines. A DM to a person runs on while the server is away, without the server's
    parts (no Talk to a peer button for a server Kindred is not in)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", "/users/@me/channels", status=503, times=1)
        await emulator.send_message(world.member, world.general, CRISIS)
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "may need support" in m.text
        )
        await until_stored(kindred, "safety.reply_retry")
        await detector_settled(kindred)
        await kindred.quiet()
        assert emulator.bot_messages(emulator.dm_channel(world.member)) == []
        emulator.remove_bot(world.guild)
        await kindred.quiet()
        assert await kindred.services.servers.is_departed(world.guild.id)
        clock.shift(timedelta(minutes=2))
        await kindred.settle()
        dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
        await kindred.quiet()
    assert "Worldwide helplines" in dm.text or "findahelpline" in dm.text, dm.text
    assert not any(f":{world.guild.id}" in c for c in dm.custom_ids), dm.custom_ids
    assert not await stored_timers(kindred, "safety.reply_retry")


async def test_every_timer_kind_the_bot_registers_is_decided_for_a_server_that_is_away(
    kindred: Kindred,
) -> None:
    """bot/services/away.py decides what each kind of scheduled work does while its server
    has removed Kindred (runs, waits, dropped when late, or never the server's): a kind
    added without deciding fails here."""
    registered = set(kindred.services.scheduler._handlers)
    assert registered, "no timer kinds registered: the test would prove nothing"
    assert registered - away.classified() == set()


async def test_back_after_the_grace_period_ran_out_while_offline_starts_afresh(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """Probe 23: removed, then invited back after its 30 days while Kindred was offline: the
    next start found it listed and welcomed it back with everything kept, though the member
    was promised their data goes after 30 days. The data is purged first, and the server
    starts afresh (no 'Kindred is back' with the kept settings)."""
    traveller, kindred = await start_at(datetime(2026, 5, 4, 12, 0, tzinfo=UTC))
    await claimed_request(emulator, world, kindred)
    await kindred.quiet()
    emulator.remove_bot(world.guild)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    await kindred.stop()
    traveller.move_to(datetime(2026, 6, 10, 12, 0, tzinfo=UTC))
    emulator.invite_bot(world.guild)
    await kindred.start()
    await kindred.settle()
    await kindred.quiet()
    assert not [m for m in emulator.bot_messages(world.mods) if "Kindred is back" in m.text]
    assert await holders(kindred, world.guild.id) == set()
    assert not await kindred.services.servers.is_departed(world.guild.id)
    assert await kindred.services.scheduler.get(f"guild.purge:{world.guild.id}") is None


async def test_talk_to_a_peer_on_an_older_dm_opens_nothing_in_a_server_that_removed_kindred(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 23: a DM's Talk to a peer outlives the server's removal of Kindred; pressed
    afterwards it opened the form, and the form opened a request in a server Kindred is not
    in (nobody could ever take it). It answers kindly, privately, with the lines."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_dm(world.member, "hey, I need to talk to someone")
    offer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    custom_id = f"kindred:talk:{world.guild.id}:en"
    assert custom_id in offer.custom_ids
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    answer = await (await emulator.press_button(world.member, offer, custom_id)).response()
    assert not answer.is_modal
    assert answer.ephemeral and "has removed Kindred" in answer.text, answer.text
    assert "findahelpline" in answer.text, answer.text
    await kindred.quiet()
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None


async def test_a_form_open_when_the_server_removed_kindred_queues_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The form was open when the server removed Kindred, and sent after: nothing is
    queued there, and the member is answered kindly, in the form's language, with lines."""
    await setup_peers(emulator, world)
    await emulator.send_dm(world.member, "necesito hablar con alguien")
    offer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    pressed = await emulator.press_button(world.member, offer, f"kindred:talk:{world.guild.id}:es")
    assert (await pressed.response()).is_modal
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    fields = {"topic": "mala noche", "summary": "", "tags": "", "anonymous": "no"}
    answer = await (await pressed.submit_modal(fields)).response()
    assert answer.ephemeral and "Kindred" in answer.text, answer.text
    assert "has removed Kindred" not in answer.text, answer.text  # Spanish, not English
    assert "findahelpline" in answer.text, answer.text
    await kindred.quiet()
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None
    assert await kindred.services.db.fetchval("SELECT COUNT(*) FROM support_requests") == 0


async def test_a_personal_checkin_set_in_a_server_that_removed_kindred_offers_no_peers_there(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """Probe 23: a member's personal check-in, set up in a server that later removed
    Kindred, still comes (it is the member's own); a low mood offered Talk to a peer for
    that server (Discord's 403 on the membership lookup read as 'can't say'). It gives the
    lines and no button for a server Kindred is not in."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.run_command(
        world.member,
        world.general,
        "checkin me every",
        options={"schedule": "daily 20:00", "tz": "UTC"},
    )
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    dm = emulator.dm_channel(world.member)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    check = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    reply = await (await emulator.press_button(world.member, check, "kindred:pmood:1")).response()
    assert reply.ephemeral and "findahelpline" in reply.text, reply.text
    assert not any(c.startswith("kindred:talk:") for c in reply.message.custom_ids), (
        reply.message.custom_ids
    )


async def test_request_cards_closed_at_the_removal_show_closed_after_the_return(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 23: a waiting request closed when the server removed Kindred, but its card
    (never edited: Kindred was not there) still showed Claim after the return. The return
    brings the card up to date: closed, no buttons, saying why."""
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member, summary="a rough week")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    assert "kindred:req:claim:1" in card.custom_ids
    emulator.remove_bot(world.guild)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    assert "kindred:req:claim:1" in emulator.messages[card.id].custom_ids  # untouched meanwhile
    emulator.invite_bot(world.guild)
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" not in emulator.messages[card.id].custom_ids,
        what="the closed request's card to lose its Claim button",
    )
    assert "this server removed Kindred" in emulator.messages[card.id].text
    assert emulator.messages[card.id].custom_ids == []


async def test_claim_on_a_closed_requests_stale_card_refreshes_it_and_claims_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The card could not be brought up to date on the return (Discord refused the edit),
    so it still shows Claim: pressed, it claims nothing, tells the peer privately, and the
    card is shown as it is now."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, summary="a rough week")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    emulator.remove_bot(world.guild)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: GONE in m.text
    )
    await kindred.quiet()
    emulator.inject_fault(
        "PATCH", "/channels/{channel_id}/messages/{message_id}", status=503, times=None
    )
    emulator.invite_bot(world.guild)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Kindred is back" in m.text, since=0
    )
    await kindred.quiet()
    emulator.clear_faults()
    assert "kindred:req:claim:1" in emulator.messages[card.id].custom_ids
    await go_on_duty(emulator, world, world.peer)
    answer = await press_claim(emulator, world.peer, emulator.messages[card.id], 1)
    assert "no longer open" in answer.text, answer.text
    await kindred.quiet()
    assert (await kindred.services.peers.requests.get(1)).status == "closed"
    assert emulator.messages[card.id].custom_ids == []
    assert "this server removed Kindred" in emulator.messages[card.id].text
