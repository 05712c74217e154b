"""Support requests over time and at the edges: escalation across a restart, shifts and
hand-off, limits, DM intake, panel, transfer, block, stats, reveal, idle close, /forgetme."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from babel.dates import format_date

from bot.clock import to_db
from bot.sandbox.world import _private_to
from bot.services.peers import PeerSettings
from bot.services.requests import CATCH_UP_MAX
from bot.services.requests.messages import dm_help_text
from bot.services.requests.notices import catch_up_lost_text, peer_gone_member_text
from emulator import DiscordEmulator, P
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_checkins import Start, start_at  # noqa: F401  (start_at: a fixture)
from tests.e2e.test_core import forget
from tests.e2e.test_support import (
    ask,
    card_for,
    caught_up,
    go_on_duty,
    press_claim,
    relayed_conversation,
    setup_peers,
)


async def command(emu: DiscordEmulator, user, where, name: str, **options):
    return await (await emu.run_command(user, where, name, options=options)).response()


async def in_locale(emu: DiscordEmulator, user, where, name: str, locale: str, **options):
    """What ``user`` reads after a command run from a Discord app in ``locale``."""
    return await (await emu.run_command(user, where, name, options=options, locale=locale)).answer()


def give_id(message, guild_id: int) -> str:
    """The "hand them off" button's custom id on a duty-ended DM: the server's id and the
    time the requests were counted (unix seconds), nothing else."""
    ids = [c for c in message.custom_ids if c.startswith("kindred:handoff:give:")]
    assert len(ids) == 1, message.custom_ids
    assert re.fullmatch(rf"kindred:handoff:give:{guild_id}:\d+", ids[0]), ids
    return ids[0]


async def card(emu: DiscordEmulator, world: World, request_id: int):
    return await emu.wait_for_message(
        world.peers, predicate=lambda m: f"Support request #{request_id}" in m.text, since=0
    )


async def test_escalation_steps_fire_on_the_clock_and_survive_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        await card(emulator, world, 1)
        dm = emulator.dm_channel(world.member)

        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        reping = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "has waited" in m.text
        )
        assert f"<@{world.peer.id}>" in reping.text
        update = await emulator.wait_for_message(dm, predicate=lambda m: "An update" in m.text)
        assert "number 1 in the queue" in update.text

        await kindred.restart()  # the next steps are stored, not in memory
        clock.shift(timedelta(minutes=10))
        await kindred.settle()
        await emulator.wait_for_messages(
            2, world.peers, predicate=lambda m: "has waited" in m.text, since=0
        )
        assert not [m for m in emulator.messages_in(world.mods) if "#1" in m.text]

        clock.shift(timedelta(minutes=30))
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.mods, predicate=lambda m: "Request #1 has waited" in m.text, since=0
        )
        assert "without a peer" in alert.text
        request = await kindred.services.peers.requests.get(1)
        assert request.escalation == 3 and request.status == "open"


async def test_escalation_neither_pings_nor_counts_an_on_duty_peer_who_lost_the_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Without the members intent a removed role goes unseen: at the escalation step the
    on-duty peers not seen as peers lately are looked up, and one without the role goes off
    duty instead of being pinged, and the member is not told they were reminded."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await go_on_duty(emulator, world, world.peer2)
        emulator.set_member_roles(world.guild, world.peer, [])  # no event reaches Kindred
        await emulator.gateway_idle()
        await ask(emulator, world, world.member)
        await card(emulator, world, 1)
        dm = emulator.dm_channel(world.member)

        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        reping = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "has waited" in m.text
        )
        assert f"<@{world.peer2.id}>" in reping.text
        assert f"<@{world.peer.id}>" not in reping.text, reping.text
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer2.id)
        update = await emulator.wait_for_message(dm, predicate=lambda m: "An update" in m.text)
        assert "1 peer(s) are on duty" in update.text, update.text


async def test_the_waiting_members_update_is_in_the_language_they_chose(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await command(emulator, world.member, world.general, "language set", language="es")
        await ask(emulator, world, world.member)
        await card(emulator, world, 1)
        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        dm = emulator.dm_channel(world.member)
        update = await emulator.wait_for_message(dm, predicate=lambda m: "cola" in m.text)
        assert update.text == (
            "Novedades sobre tu solicitud #1: eres el número 1 en la cola. Ahora mismo no hay "
            "ningún compañero de guardia; si nadie la atiende pronto, se avisará a los "
            "moderadores. `/crisis` está ahí si necesitas a alguien ahora mismo."
        ), update.text


async def test_a_waiting_member_is_not_told_moderators_know_when_no_moderator_was_told(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With nobody on duty and no moderator channel, no moderator is ever told: neither the
    answer to the form nor any escalation update says moderators will be told or know the
    member is waiting (with a moderator channel, the updates before the moderators' step
    say they will be told, not that they know)."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        answer = await command(
            emulator, world.mod, world.general, "peers setup",
            peer_role=world.peer_role.id, peer_channel=world.peers.id,
            thread_channel=world.support.id,
        )  # fmt: skip
        assert "Peer support is set up" in answer.text, answer.text
        intake = await ask(emulator, world, world.member)
        assert "moderators will be told" not in intake.text, intake.text
        assert "stays in the queue" in intake.text, intake.text
        await card(emulator, world, 1)
        for minutes in (11, 10, 30):  # every step of the chain, the moderators' one included
            clock.shift(timedelta(minutes=minutes))
            await kindred.settle()
        assert await kindred.quiet()
        assert (await kindred.services.peers.requests.get(1)).escalation == 3
        assert not emulator.bot_messages(world.mods)  # no moderator was told anything
        dm = emulator.dm_channel(world.member)
        updates = [m.text for m in emulator.bot_messages(dm) if "An update" in m.text]
        assert updates, "the member got no update"
        told = [t for t in updates if "moderators know" in t or "moderators will" in t]
        assert told == [], told


async def test_setup_run_again_without_thread_channel_warns_about_the_channel_threads_use(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The moderator guide's `/peers setup` with only what changes (office hours): the
    stored `thread_channel` is kept and claims open private threads there, so the answer
    doesn't warn that threads go to the peer channel members can't see and the DM relay is
    used (it did: it looked at the peer channel whenever `thread_channel` was left out). A
    stored thread channel members can't see is still warned about, by its name."""
    await setup_peers(emulator, world)  # thread_channel: world.support, which members see
    again = await command(
        emulator, world.mod, world.general, "peers setup",
        peer_role=world.peer_role.id, peer_channel=world.peers.id,
        office_hours="mon-sun 00:00-23:59",
    )  # fmt: skip
    assert "Peer support is set up" in again.text, again.text
    assert f"private threads in <#{world.support.id}>" in again.text
    assert "Members can't see this channel" not in again.text, again.text
    assert "DM relay" not in again.text, again.text
    # what the answer says is what happens: a claim opens a private thread there
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text)
    await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)
    request = await kindred.services.peers.requests.get(1)
    assert request.thread_id is not None and not request.relay
    assert emulator.channel(request.thread_id).parent_id == world.support.id
    # the stored thread channel hidden from members: warned about, by its name
    everyone = world.guild.everyone_role
    emulator.set_overwrite(world.support, everyone, deny=int(P.VIEW_CHANNEL))
    guild = kindred.bot.get_guild(world.guild.id)
    await emulator.wait_until(
        lambda: (
            not guild.get_channel(world.support.id).permissions_for(guild.default_role).view_channel
        ),
        what="the thread channel hidden",
    )
    hidden = await command(
        emulator, world.mod, world.general, "peers setup",
        peer_role=world.peer_role.id, peer_channel=world.peers.id,
    )  # fmt: skip
    assert "Members can't see this channel" in hidden.text, hidden.text
    assert f"Private threads are created in <#{world.support.id}>" in hidden.text


async def test_an_escalation_does_not_ping_a_peer_who_already_holds_the_most_allowed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who holds `max_open_per_peer` requests (the limit set "for your own
    wellbeing", peer guide) can't claim another: an escalation step neither pings them about
    the waiting request nor counts them as available, and the member is told honestly that
    no peer on duty is free yet."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await command(emulator, world.mod, world.general, "peers limits", max_open_per_peer=1)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        await ask(emulator, world, world.member2)
        await card(emulator, world, 2)
        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        update = await emulator.wait_for_message(
            emulator.dm_channel(world.member2), predicate=lambda m: "An update" in m.text
        )
        assert await kindred.quiet()
        repings = [m.text for m in emulator.bot_messages(world.peers) if "has waited" in m.text]
        assert not [t for t in repings if f"<@{world.peer.id}>" in t], (repings, update.text)
        assert "have been reminded" not in update.text, update.text
        assert "No peer on duty is free to pick it up yet" in update.text, update.text


async def test_the_form_answer_says_peers_on_duty_are_busy_when_each_is_at_their_limit(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The only peer on duty already holds `max_open_per_peer` requests, so they are not
    pinged: the member's answer does not count them as someone who will come soon ("1
    peer(s) on duty now"); it says the peers on duty are busy, that the request waits in
    the queue with peers reminded and the moderators told if nobody picks it up, and shows
    the lines they can reach meanwhile."""
    await setup_peers(emulator, world)
    await command(emulator, world.mod, world.general, "peers limits", max_open_per_peer=1)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    intake = await ask(emulator, world, world.member2)
    assert intake.ephemeral
    assert "peer(s) on duty now" not in intake.text, intake.text
    assert "can pick it up now" not in intake.text, intake.text
    assert (
        "1 peer(s) are on duty, but each is already with as many members as they can be, so "
        "none is free to pick it up yet. Your request stays in the queue: peers are reminded "
        "while it waits, and moderators will be told if nobody picks it up soon."
    ) in intake.text, intake.text
    assert "Recently, peers picked" not in intake.text
    assert "Nobody is on duty" not in intake.text
    await card(emulator, world, 2)


async def test_the_form_answer_counts_only_the_peers_on_duty_who_can_take_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two peers on duty, one already at `max_open_per_peer`: the answer says one of the two
    can pick it up now; with both free it still says "2 peer(s) on duty now"."""
    await setup_peers(emulator, world)
    await command(emulator, world.mod, world.general, "peers limits", max_open_per_peer=1)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    first = await ask(emulator, world, world.member)
    assert "2 peer(s) on duty now." in first.text, first.text
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    intake = await ask(emulator, world, world.member2)
    assert "1 of the 2 peer(s) on duty can pick it up now." in intake.text, intake.text
    assert "peer(s) on duty now" not in intake.text, intake.text
    assert "none is free" not in intake.text


async def test_claim_stops_escalation(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        message = await card(emulator, world, 1)
        await press_claim(emulator, world.peer, message, 1)
        clock.shift(timedelta(hours=2))
        await kindred.settle()
        assert not [m for m in emulator.messages_in(world.peers) if "has waited" in m.text]


async def test_a_weekly_shift_does_not_put_someone_without_the_peer_role_on_duty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The role was removed after the shift was added (unseen: no members intent): at the
    shift's start Kindred looks them up, and they are neither on duty nor told it started."""
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
    with time_machine.travel(start, tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="monday", start="09:00", end="10:00", tz="UTC",
        )  # fmt: skip
        assert "Shift added" in added.text
        emulator.set_member_roles(world.guild, world.peer, [])
        await emulator.gateway_idle()
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        looked_up = emulator.calls_matching("GET", "/guilds/{guild_id}/members/{user_id}")
        assert [c for c in looked_up if c.path.endswith(f"/members/{world.peer.id}")]
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        dm = emulator.dm_channel(world.peer)
        assert not [m for m in emulator.messages_in(dm) if "shift has started" in m.text]
        # the shift itself stays (the role may come back)
        assert await kindred.services.peers.duty.shift(1) is not None


async def test_shift_starts_and_ends_by_itself_and_offers_hand_off(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
    with time_machine.travel(start, tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator,
            world.peer,
            world.general,
            "duty shift add",
            weekday="monday",
            start="09:00",
            end="10:00",
            tz="Europe/London",
        )
        assert "Shift added" in added.text
        dm = emulator.dm_channel(world.peer)
        clock.move_to(datetime(2026, 11, 23, 8, 51, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "starts in 10 minutes" in m.text)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "shift has started" in m.text)
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)

        await ask(emulator, world, world.member)
        message = await card(emulator, world, 1)
        await press_claim(emulator, world.peer, message, 1)

        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        ended = await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)
        assert "hand them to the next on-duty peer" in ended.text
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        give = give_id(ended, world.guild.id)
        assert ended.custom_ids == [f"kindred:handoff:keep:{world.guild.id}", give]
        await go_on_duty(emulator, world, world.peer2)
        await kindred.restart()  # the choice still works after a restart
        press = await emulator.press_button(world.peer, ended, give)
        assert (await press.response()).deferred  # answered at once, work follows
        await emulator.wait_until(
            lambda: "Handed 1 request" in emulator.messages[ended.id].text,
            what="the hand-off to finish",
        )
        assert (await kindred.services.peers.requests.get(1)).status == "open"
        notice = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "handed on at the end of a shift" in m.text
        )
        assert f"<@{world.peer2.id}>" in notice.text
        assert "kindred:req:claim:1" in emulator.messages[message.id].custom_ids
        nxt = await kindred.services.scheduler.get(f"shift:{1}:start")
        assert nxt is not None and nxt.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


MONDAY_8 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday; London is on UTC


async def add_shift_9_to_10(emulator: DiscordEmulator, world: World, where=None) -> None:
    added = await command(
        emulator, world.peer, where or world.general, "duty shift add",
        weekday="monday", start="09:00", end="10:00", tz="Europe/London",
    )  # fmt: skip
    assert "Shift added" in added.text, added.text


async def test_a_request_handed_back_at_shift_end_tells_the_member_and_closes_the_old_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer's shift ends while they hold a private-thread conversation; they press "hand
    them to the next on-duty peer". Defect: the request is back in the queue, but the member
    is not told (they keep writing in a thread whose peer has gone off duty) and the old
    thread is neither given a last line nor closed, the ex-peer still in it. Expected: as
    Unclaim does (peer guide, "Requests"): the member is told by DM that their request is
    back in the queue, and the private thread gets its last line, the ex-peer taken out, and
    it is archived and locked, so the next peer opens a new one."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="monday", start="09:00", end="10:00", tz="Europe/London",
        )  # fmt: skip
        assert "Shift added" in added.text, added.text
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        claimed = await kindred.services.peers.requests.get(1)
        thread_id = claimed.thread_id
        assert thread_id is not None and not claimed.relay
        member_dm = emulator.dm_channel(world.member)
        before = len(emulator.bot_messages(member_dm))

        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        dm = emulator.dm_channel(world.peer)
        ended = await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)
        await go_on_duty(emulator, world, world.peer2)
        give = give_id(ended, world.guild.id)
        await (await emulator.press_button(world.peer, ended, give)).response()
        await emulator.wait_until(
            lambda: "Handed 1 request" in emulator.messages[ended.id].text,
            what="the hand-off to finish",
        )
        assert (await kindred.services.peers.requests.get(1)).status == "open"
        await kindred.quiet()
        told = [m.text for m in emulator.bot_messages(member_dm)[before:]]
        assert any("back in the queue" in t for t in told), told
        thread = emulator.channels[thread_id]
        assert thread.archived and thread.locked, (thread.archived, thread.locked)


async def test_a_relayed_request_handed_back_at_shift_end_tells_the_member_and_closes_the_relay(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same hand-off for an anonymous request carried by the DM relay: the member is told
    by DM that their request is back in the queue, and the peer's relay thread gets its note,
    loses the ex-peer and is archived and locked, as Unclaim does."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        await ask(emulator, world, world.member, anonymous="yes")
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        claimed = await kindred.services.peers.requests.get(1)
        relay_id = claimed.thread_id
        assert relay_id is not None and claimed.relay
        member_dm = emulator.dm_channel(world.member)
        await emulator.wait_for_message(member_dm, predicate=lambda m: "picked up" in m.text)
        before = len(emulator.bot_messages(member_dm))

        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        dm = emulator.dm_channel(world.peer)
        ended = await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)
        await go_on_duty(emulator, world, world.peer2)
        give = give_id(ended, world.guild.id)
        await (await emulator.press_button(world.peer, ended, give)).response()
        await emulator.wait_until(
            lambda: "Handed 1 request" in emulator.messages[ended.id].text,
            what="the hand-off to finish",
        )
        assert (await kindred.services.peers.requests.get(1)).status == "open"
        await kindred.quiet()
        told = [m.text for m in emulator.bot_messages(member_dm)[before:]]
        assert any("back in the queue" in t for t in told), told
        relay = emulator.channels[relay_id]
        assert relay.archived and relay.locked, (relay.archived, relay.locked)
        notes = [m.text for m in emulator.bot_messages(relay)]
        assert any("This relay is closed" in t for t in notes), notes
        assert world.peer.id not in relay.thread_members, relay.thread_members


async def test_a_shift_starting_does_not_cut_short_an_open_ended_duty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who went `/duty on` with no end (on duty until they say otherwise) and whose
    weekly shift then starts stays on duty as they asked: the shift's end does not take them
    off duty nor ask about their requests. The start DM says the shift started and that they
    are on duty until they go off."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        on = await command(emulator, world.peer, world.general, "duty on")
        assert "You're on duty" in on.text, on.text
        dm = emulator.dm_channel(world.peer)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        started = await emulator.wait_for_message(
            dm, predicate=lambda m: "shift has started" in m.text
        )
        assert started.text == (
            "Your shift has started in Haven. You're on duty until you go off duty."
        ), started.text
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.quiet()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        assert not [m for m in emulator.bot_messages(dm) if "has ended" in m.text]


async def test_a_manual_end_before_the_shift_ends_does_not_end_the_shift_early(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer goes `/duty on until:90m` at 08:00 (until 09:30); their 09:00-10:00 shift starts
    and extends their duty to 10:00: the later end wins, so at 09:45 they are still on duty
    (members see someone on duty), and at 10:00 the shift's end takes them off with one DM."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        on = await command(emulator, world.peer, world.general, "duty on", until="90m")
        assert "You're on duty" in on.text, on.text
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 23, 9, 45, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.quiet()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        dm = emulator.dm_channel(world.peer)
        assert not [m for m in emulator.bot_messages(dm) if "has ended" in m.text]
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)
        assert await kindred.quiet()
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        assert len([m for m in emulator.bot_messages(dm) if "has ended" in m.text]) == 1


async def test_a_peer_who_went_off_duty_mid_shift_is_not_told_later_that_the_shift_ended(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer whose 09:00-10:00 shift started goes `/duty off` at 09:15 (their answer already
    says they are off duty): at 10:00 no "Your shift has ended" DM comes for a shift they
    already left."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        dm = emulator.dm_channel(world.peer)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "shift has started" in m.text)
        clock.move_to(datetime(2026, 11, 23, 9, 15, tzinfo=UTC))
        off = await command(emulator, world.peer, world.general, "duty off")
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.quiet()
        ended = [m.text for m in emulator.bot_messages(dm) if "has ended" in m.text]
        assert ended == [], (off.text, ended)
        nxt = await kindred.services.scheduler.get("shift:1:end")  # next week's still armed
        assert nxt is not None and nxt.due_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def second_server(emu: DiscordEmulator, peer) -> World:
    """A second community, "Riverside Circle", where ``peer`` is a peer supporter too."""
    guild = emu.create_guild("Riverside Circle")
    moderator_role = emu.create_role(guild, "Moderators", permissions=int(P.MANAGE_GUILD))
    peer_role = emu.create_role(guild, "Peer supporters")
    world = World(
        guild=guild,
        moderator_role=moderator_role,
        peer_role=peer_role,
        general=emu.create_channel(guild, "general"),
        peers=emu.create_channel(guild, "peer-room", overwrites=_private_to(guild, peer_role)),
        mods=emu.create_channel(guild, "mod-room", overwrites=_private_to(guild, moderator_role)),
        support=emu.create_channel(guild, "support"),
        member=emu.create_user("rio"),
        member2=emu.create_user("kai"),
        peer=peer,
        peer2=emu.create_user("lee"),
        mod=emu.create_user("noor"),
    )
    for user in (world.member, world.member2):
        emu.add_member(guild, user)
    emu.add_member(guild, peer, roles=[peer_role])
    emu.add_member(guild, world.peer2, roles=[peer_role])
    emu.add_member(guild, world.mod, roles=[moderator_role])
    return world


async def two_relays(emu: DiscordEmulator, world: World, kindred: Kindred):
    """``world.member`` in two anonymous (relayed) conversations at once: request #1 with
    ``world.peer`` here and request #2 with "ren" in Riverside Circle: (the relay thread of
    #1, that of #2, the member's DMs, the second world)."""
    thread_a, dm = await relayed_conversation(emu, world, kindred)
    world2 = second_server(emu, emu.create_user("ren"))
    emu.add_member(world2.guild, world.member)
    await setup_peers(emu, world2)
    await go_on_duty(emu, world2, world2.peer)
    await ask(emu, world2, world.member, anonymous="yes")
    card_b = await emu.wait_for_message(
        world2.peers, predicate=lambda m: "Support request #2" in m.text
    )
    await press_claim(emu, world2.peer, card_b, 2)
    await emu.wait_for_message(dm, predicate=lambda m: "request #2" in m.text)
    thread_b = emu.channels[(await kindred.services.peers.requests.get(2)).thread_id]
    return thread_a, thread_b, dm, world2


async def test_a_members_dm_reply_reaches_the_peer_it_answers_when_two_servers_relay(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member with anonymous (relayed) conversations in two servers at once who answers, as
    a Discord reply, the message of the first server's peer reaches that peer: their private
    words never go to a peer of another community because its conversation is the latest."""
    thread_a, thread_b, dm, _ = await two_relays(emulator, world, kindred)
    await emulator.send_message(world.peer, thread_a, "I'm here, take your time")
    from_a = await emulator.wait_for_message(dm, predicate=lambda m: "take your time" in m.text)
    await emulator.send_dm(world.member, "thank you, it's about my sister", reply_to=from_a)
    await emulator.wait_for_message(thread_a, predicate=lambda m: "my sister" in m.text)
    assert await kindred.quiet()
    in_b = [m.text for m in emulator.bot_messages(thread_b) if "my sister" in m.text]
    assert in_b == [], in_b
    assert not [m for m in emulator.bot_messages(dm) if "more than one" in m.text]


async def test_a_dm_that_answers_no_message_in_two_relays_is_held_until_the_member_chooses(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With two relayed conversations going on, a DM that is not a reply is never guessed:
    the member is asked privately which one it is for, with buttons naming each server (not
    the peer), and what they write meanwhile waits with it (only ids are kept); once they
    choose, their words reach that conversation in order, and nothing reaches the other."""
    thread_a, thread_b, dm, world2 = await two_relays(emulator, world, kindred)
    await emulator.send_dm(world.member, "first: about my sister")
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "more than one support conversation" in m.text
    )
    labels = {b["label"] for row in question.components for b in row["components"]}
    assert labels == {world.guild.name, world2.guild.name}, labels
    assert "<@" not in question.text, question.text  # names no one
    await emulator.send_dm(world.member, "second: she doesn't call")
    assert await kindred.quiet()
    asked = [m for m in emulator.bot_messages(dm) if "more than one" in m.text]
    assert len(asked) == 1, [m.text for m in asked]
    for thread in (thread_a, thread_b):
        assert not [m for m in emulator.bot_messages(thread) if "sister" in m.text]
    pressed = await emulator.press_button(world.member, question, "kindred:relayto:2")
    answer = await pressed.response()
    assert "passed your words on" in answer.text and world2.guild.name in answer.text
    await emulator.wait_for_message(thread_b, predicate=lambda m: "doesn't call" in m.text)
    got = [m.text for m in emulator.bot_messages(thread_b) if m.text.startswith("**Anonymous")]
    assert [("first" in t, "second" in t) for t in got] == [(True, False), (False, True)], got
    assert await kindred.quiet()
    assert not [m for m in emulator.bot_messages(thread_a) if "sister" in m.text]
    assert emulator.messages[question.id].custom_ids == []  # answered: no second choice


async def test_the_question_which_conversation_speaks_the_newest_requests_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member in two relayed conversations, the newer asked with their Discord app in
    Spanish (no ``/language set``), is asked which conversation a DM is for in Spanish, as
    that request's other DMs are (it was English, their general language)."""
    _, dm = await relayed_conversation(emulator, world, kindred)
    world2 = second_server(emulator, emulator.create_user("ren"))
    emulator.add_member(world2.guild, world.member)
    await setup_peers(emulator, world2)
    await go_on_duty(emulator, world2, world2.peer)
    opened = await emulator.run_command(world.member, world2.general, "support", locale="es-ES")
    assert (await opened.response()).is_modal
    fields = {"topic": "", "summary": "", "tags": "", "anonymous": "yes"}
    await (await opened.submit_modal(fields)).response()
    card = await emulator.wait_for_message(
        world2.peers, predicate=lambda m: "Support request #2" in m.text
    )
    await press_claim(emulator, world2.peer, card, 2)
    await emulator.wait_for_message(dm, predicate=lambda m: "kindred:req:close:2" in m.custom_ids)
    await emulator.send_dm(world.member, "no sé a quién escribir")
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:relayto:2" in m.custom_ids
    )
    assert question.text.startswith("Ahora mismo estás en más de una conversación de apoyo"), (
        question.text
    )
    assert "more than one" not in question.text, question.text


async def test_dms_missed_during_a_restart_in_two_relays_follow_the_live_rule(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred stops while a member has relayed conversations in two servers. What they wrote
    meanwhile is read back as it would have been live: a reply to the first server's peer
    reaches that peer only; the DMs that answer nothing are never guessed (not sent to the
    newest conversation): held, the member asked once which conversation they are for, and
    carried there in order once they choose."""
    thread_a, thread_b, dm, world2 = await two_relays(emulator, world, kindred)
    await emulator.send_message(world.peer, thread_a, "I'm here, take your time")
    from_a = await emulator.wait_for_message(dm, predicate=lambda m: "take your time" in m.text)
    assert await kindred.quiet()
    await kindred.stop()
    await emulator.send_dm(world.member, "away: it's about my sister", reply_to=from_a)
    await emulator.send_dm(world.member, "away first: I can't sleep")
    await emulator.send_dm(world.member, "away second: nights are long")
    await kindred.start()
    await emulator.wait_for_message(thread_a, predicate=lambda m: "my sister" in m.text, timeout=60)
    await caught_up(kindred)
    assert not [m for m in emulator.bot_messages(thread_b) if "my sister" in m.text]
    asked = [m for m in emulator.bot_messages(dm) if "more than one support conversation" in m.text]
    assert len(asked) == 1, [m.text for m in asked]  # once, not once per DM
    labels = {b["label"] for row in asked[0].components for b in row["components"]}
    assert labels == {world.guild.name, world2.guild.name}, labels
    for thread in (thread_a, thread_b):
        assert not [m for m in emulator.bot_messages(thread) if "away " in m.text]
    pressed = await emulator.press_button(world.member, asked[0], "kindred:relayto:2")
    answer = await pressed.response()
    assert "passed your words on" in answer.text and world2.guild.name in answer.text
    await emulator.wait_for_message(thread_b, predicate=lambda m: "nights are long" in m.text)
    assert await kindred.quiet()
    got = [m.text for m in emulator.bot_messages(thread_b) if m.text.startswith("**Anonymous")]
    assert [("sleep" in t, "nights" in t) for t in got] == [(True, False), (False, True)], got
    assert not [
        m for m in emulator.bot_messages(thread_a) if "away " in m.text and "sister" not in m.text
    ]


async def test_more_dms_missed_in_two_relays_than_a_catch_up_reads_are_told_to_the_member_only(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """More DMs written during a restart, in two relayed conversations, than a catch-up
    carries: the member is told how many could not be passed on, and no peer is told in
    their thread that the member's words to them were lost (whose they were isn't known)."""
    thread_a, thread_b, dm, _ = await two_relays(emulator, world, kindred)
    await kindred.stop()
    for i in range(CATCH_UP_MAX + 3):
        await emulator.send_dm(world.member, f"away {i}")
    await kindred.start()
    await caught_up(kindred)
    told = [m.text for m in emulator.bot_messages(dm) if m.text == catch_up_lost_text(3)]
    assert len(told) == 1, told
    asked = [m for m in emulator.bot_messages(dm) if "more than one support conversation" in m.text]
    assert len(asked) == 1
    for thread in (thread_a, thread_b):
        notes = [m.text for m in emulator.bot_messages(thread) if "could not" in m.text]
        assert notes == [], notes


async def test_a_dm_in_the_only_relayed_conversation_goes_to_it_without_a_question(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With one relayed conversation going on (another request waiting elsewhere), a DM goes
    to it as always: no question, whether or not it is a reply."""
    thread_a, dm = await relayed_conversation(emulator, world, kindred)
    world2 = second_server(emulator, emulator.create_user("ren"))
    emulator.add_member(world2.guild, world.member)
    await setup_peers(emulator, world2)
    await ask(emulator, world2, world.member, anonymous="yes")  # waits: nobody on duty there
    await emulator.send_dm(world.member, "just checking in")
    await emulator.wait_for_message(thread_a, predicate=lambda m: "just checking in" in m.text)
    assert await kindred.quiet()
    assert not [m for m in emulator.bot_messages(dm) if "more than one" in m.text]


async def test_a_shift_reminder_says_which_server_the_shift_is_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who volunteers in two communities reads in the reminder, the start and the end
    DMs which server the shift is in, so they know where they are expected and whose requests
    the hand-off question is about."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        there = second_server(emulator, world.peer)
        await setup_peers(emulator, world)
        await setup_peers(emulator, there)
        await add_shift_9_to_10(emulator, there)
        dm = emulator.dm_channel(world.peer)
        clock.move_to(datetime(2026, 11, 23, 8, 51, tzinfo=UTC))
        await kindred.settle()
        reminder = await emulator.wait_for_message(
            dm, predicate=lambda m: "starts in 10 minutes" in m.text
        )
        assert reminder.text == (
            "Your peer-support shift in Riverside Circle starts in 10 minutes."
        ), reminder.text
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        started = await emulator.wait_for_message(
            dm, predicate=lambda m: "shift has started" in m.text
        )
        until = f"<t:{int(datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp())}:t>"
        assert started.text == (
            f"Your shift has started in Riverside Circle: you're on duty until {until}."
        ), started.text
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        ended = await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)
        assert ended.text == "Your shift has ended in Riverside Circle. Thank you.", ended.text


# New York springs forward on Sunday 14 March 2027: 02:00 EST becomes 03:00 EDT.
SATURDAY_BEFORE_SPRING = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)


async def test_a_shift_inside_the_spring_forward_gap_does_not_keep_the_peer_on_duty_a_week(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A Sunday 02:00-03:00 America/New_York shift falls wholly in the hour that does not
    exist on the spring-forward Sunday (both ends are 03:00 EDT): that day's shift is skipped,
    with no reminder, no start DM and no duty (never next week's window taken at 03:00, which
    kept the peer on duty, counted and pinged, for a week), and next week's start is armed as
    usual."""
    with time_machine.travel(SATURDAY_BEFORE_SPRING, tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="sunday", start="02:00", end="03:00", tz="America/New_York",
        )  # fmt: skip
        assert "Shift added" in added.text, added.text
        clock.move_to(datetime(2027, 3, 14, 7, 0, 5, tzinfo=UTC))  # 03:00:05 EDT
        await kindred.settle()
        clock.move_to(datetime(2027, 3, 14, 12, 0, tzinfo=UTC))  # 08:00 EDT
        await kindred.settle()
        assert await kindred.quiet()
        row = await kindred.services.peers.duty.current(world.guild.id, world.peer.id)
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id), row
        assert not emulator.bot_messages(emulator.dm_channel(world.peer))
        start = await kindred.services.scheduler.get("shift:1:start")
        assert start is not None
        assert start.due_at == datetime(2027, 3, 21, 6, 0, tzinfo=UTC)  # 02:00 EDT next Sunday


async def test_the_same_shift_added_twice_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/duty shift add` refuses a shift identical to or overlapping one the peer already has
    in this server (in any zone), naming the shift it overlaps, and stores nothing: else the
    rota lists it twice and every week the peer gets two "starts in 10 minutes" DMs and two
    "shift has started" DMs. A shift starting as another ends is welcome, and another peer
    may keep the same hours."""
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=True):
        await setup_peers(emulator, world)
        options = {"weekday": "monday", "start": "18:00", "end": "22:00", "tz": "Europe/London"}
        first = await command(emulator, world.peer, world.general, "duty shift add", **options)
        assert "Shift added" in first.text, first.text
        second = await command(emulator, world.peer, world.general, "duty shift add", **options)
        shifts = await kindred.services.peers.shifts.shifts(world.guild.id, world.peer.id)
        assert len(shifts) == 1, second.text
        assert second.ephemeral and second.text == (
            "That overlaps a shift you already have: #1, Monday 18:00–22:00 (Europe/London). "
            "Nothing was added; choose other times, or remove that one first with "
            "`/duty shift remove`."
        ), second.text
        # 13:00-14:00 in New York is 18:00-19:00 in London in November
        elsewhere = {**options, "start": "13:00", "end": "14:00", "tz": "America/New_York"}
        third = await command(emulator, world.peer, world.general, "duty shift add", **elsewhere)
        assert "#1, Monday 18:00–22:00" in third.text, third.text
        after = {**options, "start": "22:00", "end": "23:00"}
        fourth = await command(emulator, world.peer, world.general, "duty shift add", **after)
        assert "Shift added: #2" in fourth.text, fourth.text
        theirs = await command(emulator, world.peer2, world.general, "duty shift add", **options)
        assert "Shift added: #3" in theirs.text, theirs.text
        shifts = await kindred.services.peers.shifts.shifts(world.guild.id, world.peer.id)
        assert [(s.start_time, s.end_time) for s in shifts] == [
            ("18:00", "22:00"),
            ("22:00", "23:00"),
        ]


async def test_an_idle_reminder_later_than_the_idle_close_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`idle_remind_hours:720 idle_close_hours:1`: the reminder could never come before the
    close; the moderator is told why and nothing is saved (in their language)."""
    await setup_peers(emulator, world)
    late = await command(
        emulator, world.mod, world.general, "peers limits", idle_remind_hours=720,
        idle_close_hours=1, max_open_per_peer=2,
    )  # fmt: skip
    assert late.ephemeral and late.text == (
        "Nothing was saved: `idle_remind_hours` (720) has to be less than `idle_close_hours` (1), "
        "or the reminder would only come after the quiet conversation had closed."
    ), late.text
    cfg = await kindred.services.settings.get(world.guild.id, PeerSettings)
    assert (cfg.idle_remind_hours, cfg.idle_close_hours, cfg.max_open_per_peer) == (24, 72, 3)
    saved = await command(
        emulator, world.mod, world.general, "peers limits", idle_remind_hours=12,
        idle_close_hours=48,
    )  # fmt: skip
    assert "remind 12 h · close 48 h" in saved.text + str(saved.embeds), saved.text
    await command(emulator, world.mod, world.general, "language set", language="es")
    spanish = await command(emulator, world.mod, world.general, "peers limits", idle_close_hours=6)
    assert spanish.text.startswith("No se guardó nada"), spanish.text


async def test_peer_limit_and_who_is_available(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    limits = await command(emulator, world.mod, world.general, "peers limits", max_open_per_peer=1)
    assert "1 open per peer" in limits.text
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await ask(emulator, world, world.member2)
    first, second = await card(emulator, world, 1), await card(emulator, world, 2)
    assert f"<@{world.peer.id}>" in second.text  # the card shows who is available
    await press_claim(emulator, world.peer, first, 1)
    refused = await emulator.press_button(world.peer, second, "kindred:req:claim:2")
    assert "the most this server allows" in (await refused.original_response()).text
    assert (await kindred.services.peers.requests.get(2)).status == "open"


async def test_a_french_moderator_reads_the_peers_limits_answer_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 18: `/peers limits` (and `/peers settings`, `/peers setup`, sharing
    `settings_embed`) answered a French moderator wholly in English ("Saved.", "Peer role",
    "Limits", "open per peer", "not set", "days"…, "Give at least one setting to change."),
    while `/kindred settings` answered the same moderator in French. The whole answer is in the
    reader's language (setting names stay as the commands spell them); English as before."""
    await setup_peers(emulator, world)
    french = await in_locale(emulator, world.mod, world.general, "kindred settings", "fr")
    assert "Paramètres" in french.text or "non défini" in french.text, french.text
    saved = await in_locale(
        emulator, world.mod, world.general, "peers limits", "fr", max_open_per_peer=4
    )
    assert saved.ephemeral
    english = ["Saved.", "Peer role", "open per peer", "requests per member a day", "not set"]
    assert not [w for w in english if w in saved.text], saved.text
    assert "4 demandes ouvertes par personne" in saved.text, saved.text
    empty = await in_locale(emulator, world.mod, world.general, "peers limits", "fr")
    assert "Give at least one setting" not in empty.text, empty.text
    assert empty.ephemeral and "au moins un réglage" in empty.text, empty.text
    noted = await in_locale(
        emulator, world.mod, world.general, "peers limits", "fr", reping_minutes=200
    )
    assert "Saved. Note" not in noted.text and "Enregistré." in noted.text, noted.text
    shown = await in_locale(emulator, world.mod, world.general, "peers settings", "fr")
    words = ["Peer support settings", "Limits", "Escalation", "Retention", "days", "private"]
    assert not [w for w in words if w in shown.text], shown.text
    assert "Réglages de l'entraide" in shown.text and f"<#{world.support.id}>" in shown.text
    again = await in_locale(
        emulator, world.mod, world.general, "peers setup", "fr",
        peer_role=world.peer_role.id, peer_channel=world.peers.id,
    )  # fmt: skip
    assert "is set up" not in again.text and "Office hours" not in again.text, again.text
    # English, word for word as before
    plain = await command(emulator, world.mod, world.general, "peers settings")
    for line in (
        "Peer support settings",
        "4 open per peer · 3 requests per member a day",
        "re-ping 200 min · all peers",
        f"private threads in <#{world.support.id}>",
        "Office hours\nnot set",
        "Feedback\non",
    ):
        assert line in plain.text, (line, plain.text)
    assert (
        "Give at least one setting to change."
        in (await command(emulator, world.mod, world.general, "peers limits")).text
    )


async def test_a_french_moderator_posting_the_peer_panel_is_answered_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 18: `/peers panel` answered with an f-string "Panel posted in #channel." that
    bypassed the catalogue, although the French catalogue has "Panneau publié dans
    <#{channel}>." (used by `/group panel`)."""
    await setup_peers(emulator, world)
    posted = await in_locale(
        emulator, world.mod, world.general, "peers panel", "fr", channel=world.general.id
    )
    assert posted.ephemeral
    assert posted.text == f"Panneau publié dans <#{world.general.id}>.", posted.text
    english = await command(
        emulator, world.mod, world.general, "peers panel", channel=world.support.id
    )
    assert english.text == f"Panel posted in <#{world.support.id}>.", english.text


async def test_dm_intake_panel_and_daily_limit(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await emulator.send_dm(world.member, "hey, I need to talk to someone")
    offer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    custom_id = f"kindred:talk:{world.guild.id}:en"
    assert custom_id in offer.custom_ids
    pressed = await emulator.press_button(world.member, offer, custom_id)
    assert (await pressed.response()).is_modal
    submitted = await pressed.submit_modal(
        {"topic": "", "summary": "", "tags": "", "anonymous": "no"}
    )
    assert "request #1" in (await submitted.response()).text

    posted = await command(
        emulator, world.mod, world.general, "peers panel", channel=world.support.id
    )
    assert "Panel posted" in posted.text
    panel = await emulator.wait_for_message(
        world.support, predicate=lambda m: "Talk to a peer" in m.text
    )
    panel_id = f"kindred:talk:{world.guild.id}"  # a channel post: the reader's language
    assert panel_id in panel.custom_ids
    await command(emulator, world.mod, world.general, "peers limits", max_requests_per_day=1)
    await command(emulator, world.member, world.general, "support", action="cancel")
    again = await emulator.press_button(world.member, panel, panel_id)
    limited = await again.submit_modal({"topic": "", "summary": "", "tags": "", "anonymous": "no"})
    assert "most requests this server allows in a day" in (await limited.response()).text


async def test_talk_to_a_peer_pressed_after_leaving_the_server_is_refused_kindly_with_lines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A DM's "Talk to a peer" outlives membership: pressed by someone who has left that
    server since, it opens no form (its peers couldn't reach them) and answers kindly,
    privately, with crisis and support lines."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_dm(world.member, "hey, I need to talk to someone")
    offer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    custom_id = f"kindred:talk:{world.guild.id}:en"
    assert custom_id in offer.custom_ids
    emulator.remove_member(world.guild, world.member)
    answer = await (await emulator.press_button(world.member, offer, custom_id)).response()
    assert not answer.is_modal
    assert answer.ephemeral and "no longer a member of it" in answer.text, answer.text
    assert "findahelpline" in answer.text, answer.text
    assert "your request is saved" not in answer.text.lower(), answer.text
    await kindred.quiet()
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None
    assert not [m for m in emulator.messages_in(world.peers) if "Support request" in m.text]


async def test_a_request_form_sent_after_leaving_the_server_is_refused_and_never_queued(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The form was opened from a DM, then its writer left the server before sending it:
    nothing is queued there, and they are answered kindly with the lines."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_dm(world.member, "hey, I need to talk to someone")
    offer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    pressed = await emulator.press_button(world.member, offer, f"kindred:talk:{world.guild.id}:en")
    assert (await pressed.response()).is_modal
    emulator.remove_member(world.guild, world.member)
    fields = {"topic": "bad night", "summary": "", "tags": "", "anonymous": "no"}
    answer = await (await pressed.submit_modal(fields)).response()
    assert answer.ephemeral and "no longer a member of it" in answer.text, answer.text
    assert "findahelpline" in answer.text, answer.text
    await kindred.quiet()
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None
    assert not [m for m in emulator.messages_in(world.peers) if "Support request" in m.text]


PLEAS = {  # language: (the member's DM, what Kindred's offer says, the button's label)
    "en": ("I need to talk to someone", "Press the button", "Talk to a peer in"),
    "es": ("necesito hablar con alguien", "Pulsa el botón", "Hablar con un compañero en"),
    "fr": ("j'ai besoin de parler à quelqu'un", "Appuie sur le bouton", "Parler à quelqu'un de"),
    "de": ("ich muss mit jemandem reden", "Drück auf den Knopf", "Mit jemandem aus"),
    "pt": ("preciso falar com alguém", "Clique no botão", "Conversar com alguém de"),
}


async def test_a_dm_plea_in_each_language_kindred_speaks_is_offered_a_peer_in_that_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    users = {lang: emulator.create_user(f"asker_{lang}") for lang in PLEAS}
    for user in users.values():
        emulator.add_member(world.guild, user)
    await emulator.gateway_idle()
    for lang, (plea, _, _) in PLEAS.items():
        await emulator.send_dm(users[lang], plea)
    for lang, (_, says, label) in PLEAS.items():
        custom_id = f"kindred:talk:{world.guild.id}:{lang}"  # the offer's language
        offer = await emulator.wait_for_message(
            emulator.dm_channel(users[lang]), predicate=lambda m, c=custom_id: c in m.custom_ids
        )
        assert says in offer.text, (lang, offer.text)
        button = offer.find_component(custom_id)
        assert button["label"].startswith(label), (lang, button["label"])
    custom_id = f"kindred:talk:{world.guild.id}:es"
    spanish = emulator.dm_channel(users["es"])
    offer = next(m for m in emulator.bot_messages(spanish) if custom_id in m.custom_ids)
    pressed = await emulator.press_button(users["es"], offer, custom_id)
    assert (await pressed.response()).is_modal


async def test_a_dm_about_talking_to_someone_named_is_not_taken_for_a_plea(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "I need to talk to my boss" is no wish for a peer: Kindred stays quiet; "is anyone
    there?" is, and gets the offer."""
    await setup_peers(emulator, world)
    for text in [
        "I need to talk to my boss",
        "I need to talk to my landlord about rent",
        "necesito hablar con mi jefe",
        "je dois parler à mon prof",
        "ich muss reden mit meinem Chef",
        "preciso falar com meu chefe",
    ]:
        await emulator.send_dm(world.member, text)
    assert await kindred.quiet()
    dm = emulator.dm_channel(world.member)
    assert [m.text for m in emulator.bot_messages(dm)] == []

    await emulator.send_dm(world.member, "hello? is anyone there?")
    custom_id = f"kindred:talk:{world.guild.id}:en"
    offer = await emulator.wait_for_message(dm, predicate=lambda m: custom_id in m.custom_ids)
    assert "Press the button" in offer.text
    assert await kindred.quiet()
    assert len(emulator.bot_messages(dm)) == 1


async def test_a_dm_asking_for_a_therapist_gets_an_honest_answer_and_a_peer_in_its_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred can't connect anyone with a therapist or counsellor: it says so, privately, in
    the member's language, offers a peer (the plea's button), /resources and /crisis. A
    therapist named in passing gets nothing."""
    await setup_peers(emulator, world)
    spanish = emulator.create_user("asker_es")
    emulator.add_member(world.guild, spanish)
    await emulator.gateway_idle()
    await emulator.send_dm(world.member, "I need to talk to a therapist")
    await emulator.send_dm(spanish, "necesito hablar con un psicólogo")
    cases = [
        (world.member, "I can't connect you with a therapist or counsellor", "Talk to a peer in"),
        (spanish, "No puedo ponerte en contacto con un terapeuta", "Hablar con un compañero en"),
    ]
    for user, says, label in cases:
        lang = "es" if user is spanish else "en"
        custom_id = f"kindred:talk:{world.guild.id}:{lang}"  # the answer's language
        answer = await emulator.wait_for_message(
            emulator.dm_channel(user), predicate=lambda m, c=custom_id: c in m.custom_ids
        )
        assert answer.text.startswith(says), answer.text
        assert "`/resources`" in answer.text and "`/crisis`" in answer.text, answer.text
        assert answer.find_component(custom_id)["label"].startswith(label)
    pressed = await emulator.press_button(spanish, answer, custom_id)
    assert (await pressed.response()).is_modal

    await emulator.send_dm(world.member2, "my therapist said hi")
    assert await kindred.quiet()
    assert emulator.bot_messages(emulator.dm_channel(world.member2)) == []
    for user in (world.member, spanish):
        assert len(emulator.bot_messages(emulator.dm_channel(user))) == 1


async def test_a_member_who_dms_help_gets_an_answer_pointing_to_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """(Probe 14.) "help" DMed to Kindred outside any request was met with silence: it gets a
    short private answer (Kindred is a bot, the Talk-to-a-peer button or `/support`, and
    `/crisis`), at most once an hour per member; "/support" typed as text and "hello" too."""
    await setup_peers(emulator, world)
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, "help")
    await detector_settled(kindred)
    assert await kindred.quiet()
    said = list(emulator.bot_messages(dm))
    assert said, "Kindred said nothing to a member who DMed 'help'"
    text = " ".join(m.text for m in said)
    assert "/support" in text or any("kindred:talk:" in c for m in said for c in m.custom_ids)
    assert "automated bot" in text and "`/crisis`" in text, text
    assert f"kindred:talk:{world.guild.id}:en" in said[0].custom_ids
    # not flooded: "hello" a moment later gets nothing more
    await emulator.send_dm(world.member, "hello?")
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert len(emulator.bot_messages(dm)) == 1
    for user, text in ((world.member2, "/support"), (world.peer2, "hello")):
        await emulator.send_dm(user, text)
        answer = await emulator.wait_for_message(emulator.dm_channel(user))
        assert "automated bot" in answer.text and "`/support`" in answer.text, answer.text


ABOUT_QUESTIONS = {  # language: what a member asks Kindred by DM, outside any conversation
    "en": "what is this bot?",
    "es": "¿quién eres?",  # (the detector's model takes "qué es esto" for a crisis alert and
    "fr": "c'est quoi ce bot ?",  # "o que é isso" for distress: it answers them, not this note)
    "de": "Was bist du?",
    "pt": "quem é você?",
}


async def test_a_member_who_dms_what_kindred_is_gets_the_help_note_in_their_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "what is this bot?", "who are you", "qué es esto", "c'est quoi ce bot", "was bist du",
    "o que é isso" were met with silence: each gets the DM help note (Kindred is a bot, the
    Talk-to-a-peer button, `/crisis`) in the language asked, once an hour as "help"; a
    question about something else still gets nothing."""
    await setup_peers(emulator, world)
    users = {lang: emulator.create_user(f"curious_{lang}") for lang in ABOUT_QUESTIONS}
    for user in users.values():
        emulator.add_member(world.guild, user)
    await emulator.gateway_idle()
    for lang, question in ABOUT_QUESTIONS.items():
        await emulator.send_dm(users[lang], question)
    for lang, user in users.items():
        note = await emulator.wait_for_message(
            emulator.dm_channel(user), predicate=lambda m: m.author.bot
        )
        assert note.text == dm_help_text(lang, offered=True), (lang, note.text)
        assert f"kindred:talk:{world.guild.id}:{lang}" in note.custom_ids, lang
    english = users["en"]
    await emulator.send_dm(english, "who are you?")  # within the hour: not again
    await emulator.send_dm(world.member, "what is this about my rent")
    await emulator.send_dm(world.member, "I need to talk to my boss")
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert len(emulator.bot_messages(emulator.dm_channel(english))) == 1
    assert emulator.bot_messages(emulator.dm_channel(world.member)) == []


async def test_request_buttons_pressed_while_support_is_unloaded_answer_kindly_in_the_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With the Support extension unloaded (an update, a failed load), a Talk-to-a-peer button
    and a request card's Claim got Discord's "interaction failed": Support's unload took the
    buttons away. They, and a request form that was open, answer privately that support
    requests are not available right now, a card's button in the reader's language, the Talk
    button under an English DM offer and the form it opened in the offer's language (English,
    whatever the app's); nothing is claimed or queued."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_dm(world.member, "I need to talk to someone")
    talk = f"kindred:talk:{world.guild.id}:en"
    offer = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: talk in m.custom_ids
    )
    opened = await emulator.run_command(world.member2, world.general, "support")
    assert (await opened.response()).is_modal
    fields = {"topic": "rough week", "summary": "", "tags": "", "anonymous": "no"}
    await (await opened.submit_modal(fields)).response()
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "kindred:req:claim:1" in m.custom_ids
    )
    form = await emulator.press_button(world.member, offer, talk, locale="de")
    assert (await form.response()).is_modal
    await kindred.bot.unload_extension("cogs.support")

    sent = await form.submit_modal(fields)  # the form was open when Support went away
    answer = await sent.response()
    assert answer.ephemeral
    # the form came from an English offer, so it was English: so is its error
    assert answer.text == "Support requests are not available right now.", answer.text
    pressed = await emulator.press_button(world.member, offer, talk, locale="es-ES")
    answer = await pressed.response()
    assert answer.ephemeral and not answer.is_modal
    assert answer.text == "Support requests are not available right now.", answer.text
    pressed = await emulator.press_button(world.peer, card, "kindred:req:claim:1", locale="fr")
    answer = await pressed.response()
    assert answer.ephemeral
    assert answer.text == "Les demandes de soutien ne sont pas disponibles pour le moment.", (
        answer.text
    )
    pressed = await emulator.press_button(world.peer2, card, "kindred:req:claim:1")
    answer = await pressed.response()
    assert answer.text == "Support requests are not available right now.", answer.text
    request = await kindred.services.peers.requests.live_for(world.guild.id, world.member2.id)
    assert request is not None and request.status == "open"
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None


async def test_help_dmed_again_an_hour_later_is_answered_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    dm = emulator.dm_channel(world.member)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await emulator.send_dm(world.member, "help")
        await emulator.wait_for_message(dm, predicate=lambda m: "automated bot" in m.text)
        clock.shift(timedelta(minutes=61))
        await emulator.send_dm(world.member, "help")
        await emulator.wait_for_message(dm, predicate=lambda m: "automated bot" in m.text)
    assert len(emulator.bot_messages(dm)) == 2


async def test_help_dmed_without_a_shared_server_says_how_to_reach_a_peer_and_crisis(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Peer support not set up anywhere the member is: the note still says what Kindred is,
    `/support` in a server where it is set up, and `/crisis`; no button."""
    await emulator.send_dm(world.member, "hola")
    answer = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert not answer.custom_ids
    assert "`/support`" in answer.text and "`/crisis`" in answer.text, answer.text


async def test_help_inside_a_relayed_conversation_goes_to_the_peer_and_gets_no_note(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before = len(emulator.bot_messages(dm))
    await emulator.send_dm(world.member, "help")
    await emulator.wait_for_message(relay, predicate=lambda m: m.text.endswith("help"))
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert [m.text for m in emulator.bot_messages(dm)][before:] == []


async def test_a_member_blocked_in_the_server_is_not_invited_to_write_to_a_peer_by_dm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """(Probe 14.) Blocked from peer support in the only server they share with Kindred, a
    member who DMs "I need to talk" was offered its button, and refused only after writing
    what is going on. No button for that server: at once, the kind answer with the lines."""
    await setup_peers(emulator, world)
    blocked = await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id, reason="spam"
    )
    assert "can no longer open peer requests" in blocked.text
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, "I need to talk")
    answer = await emulator.wait_for_message(dm, predicate=lambda m: m.author.bot)
    assert not any(c.startswith("kindred:talk:") for c in answer.custom_ids), answer.text
    assert "Press the button to ask a peer supporter" not in answer.text
    assert "You still matter" in answer.text and "findahelpline" in answer.text, answer.text
    assert world.guild.name in answer.text, answer.text


async def test_a_member_blocked_in_one_server_is_still_offered_the_other(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    world2 = second_server(emulator, emulator.create_user("ren"))
    emulator.add_member(world2.guild, world.member)
    await setup_peers(emulator, world2)
    await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id, reason="spam"
    )
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, "I need to talk")
    answer = await emulator.wait_for_message(dm, predicate=lambda m: m.author.bot)
    assert answer.custom_ids == [f"kindred:talk:{world2.guild.id}:en"], answer.custom_ids
    assert "Press the button to ask a peer supporter" in answer.text


async def test_transfer_unclaim_and_backup(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    await press_claim(emulator, world.peer, message, 1)
    message = emulator.messages[message.id]
    backup = await emulator.press_button(world.peer, message, "kindred:req:backup:1")
    assert "asked the on-duty peers" in (await backup.response()).text
    ask_backup = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "would like backup" in m.text
    )
    assert f"<@{world.peer2.id}>" in ask_backup.text
    not_yours = await emulator.press_button(world.peer2, message, "kindred:req:transfer:1")
    assert "Only the peer who holds" in (await not_yours.response()).text
    transfer = await emulator.press_button(world.peer, message, "kindred:req:transfer:1")
    chooser = await transfer.response()
    select_id = next(c for c in chooser.message.custom_ids)
    picked = await emulator.select(world.peer, chooser.message, select_id, [str(world.peer2.id)])
    assert "Transferred request #1" in (await picked.response()).text
    request = await kindred.services.peers.requests.get(1)
    assert request.claimed_by == world.peer2.id
    thread = emulator.channels[request.thread_id]
    await emulator.wait_until(  # the thread is updated right after the peer is answered
        lambda: (
            world.peer2.id in thread.thread_members and world.peer.id not in thread.thread_members
        ),
        what="the thread to change hands",
    )
    unclaim = await emulator.press_button(
        world.peer2, emulator.messages[message.id], "kindred:req:unclaim:1"
    )
    assert "back in the queue" in (await unclaim.response()).text
    assert (await kindred.services.peers.requests.get(1)).status == "open"


async def test_a_peer_whose_discord_app_is_spanish_reads_the_transfer_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 18: the emulator's select took no locale, so a pick from a Spanish app was never
    tested. The chooser and the answer to the pick are in Spanish."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    await press_claim(emulator, world.peer, message, 1)
    message = emulator.messages[message.id]
    transfer = await emulator.press_button(
        world.peer, message, "kindred:req:transfer:1", locale="es-ES"
    )
    chooser = await transfer.response()
    assert chooser.ephemeral
    select_id = next(c for c in chooser.message.custom_ids)
    picked = await emulator.select(
        world.peer, chooser.message, select_id, [str(world.peer2.id)], locale="es-ES"
    )
    assert picked.payload["locale"] == "es-ES"
    answer = await picked.answer()
    assert answer.ephemeral
    assert answer.text == f"Solicitud #1 transferida a <@{world.peer2.id}>.", answer.text
    assert (await kindred.services.peers.requests.get(1)).claimed_by == world.peer2.id


async def test_a_request_cannot_be_transferred_to_an_on_duty_peer_who_lost_the_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Transfer checks that the chosen on-duty peer still has the peer role (removed unseen:
    Kindred has no members intent), not only that they are on duty: someone who is no longer
    a peer supporter is never handed the member's private conversation nor added to its
    thread. The transfer is refused kindly, the one chosen is taken off duty (as at every
    other peer check) and the request stays with the peer who holds it."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    await press_claim(emulator, world.peer, message, 1)
    emulator.set_member_roles(world.guild, world.peer2, [])  # no event reaches Kindred
    await emulator.gateway_idle()
    transfer = await emulator.press_button(
        world.peer, emulator.messages[message.id], "kindred:req:transfer:1"
    )
    chooser = await transfer.response()
    select_id = next(c for c in chooser.message.custom_ids)
    picked = await emulator.select(world.peer, chooser.message, select_id, [str(world.peer2.id)])
    answer = await picked.response()
    assert answer.ephemeral, answer.text
    assert "no longer has the peer supporter role" in answer.text, answer.text
    assert "stays with you" in answer.text, answer.text
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    assert request.claimed_by == world.peer.id, answer.text
    assert world.peer2.id not in thread.thread_members
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer2.id)


async def test_blocked_member_gets_kindness_and_resources(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A blocked member's `/support` answers at once with kindness and the lines: no form to
    write what is going on in, only to be refused after sending it (as the Talk to a peer
    button already did)."""
    await setup_peers(emulator, world)
    blocked = await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id, reason="spam"
    )
    assert "still be shown crisis resources" in blocked.text
    answer = await (await emulator.run_command(world.member, world.general, "support")).response()
    assert not answer.is_modal and answer.ephemeral, answer.text
    assert "You still matter" in answer.text
    assert "findahelpline.com" in answer.text
    assert not [m for m in emulator.messages_in(world.peers) if "Support request" in m.text]


async def test_a_member_blocked_while_the_form_is_open_is_refused_kindly_when_sending_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    opened = await emulator.run_command(world.member, world.general, "support")
    assert (await opened.response()).is_modal
    await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id, reason="spam"
    )
    fields = {"topic": "", "summary": "my words", "tags": "", "anonymous": "no"}
    answer = await (await opened.submit_modal(fields)).response()
    assert "You still matter" in answer.text
    assert "findahelpline.com" in answer.text
    assert not [m for m in emulator.messages_in(world.peers) if "Support request" in m.text]


async def test_blocking_kindred_or_another_bot_or_yourself_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Bots never open requests, so a block on one (Kindred itself included) is refused, as
    /plan share refuses them; a moderator can't block themselves. Nothing is stored."""
    await setup_peers(emulator, world)
    me = emulator.bot_user
    answer = await command(emulator, world.mod, world.general, "peers block", member=me.id)
    assert answer.ephemeral and "bots never open peer requests" in answer.text, answer.text
    assert "can no longer open peer requests" not in answer.text, answer.text
    assert not await kindred.services.peers.blocks.is_blocked(world.guild.id, me.id)
    own = await command(emulator, world.mod, world.general, "peers block", member=world.mod.id)
    assert "You can't block yourself" in own.text, own.text
    assert not await kindred.services.peers.blocks.is_blocked(world.guild.id, world.mod.id)
    assert not await kindred.services.peers.blocks.blocked(world.guild.id)


async def test_blocking_a_member_with_a_waiting_request_tells_the_moderator_it_stays_open(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A block stops new requests. The member's request #1 waiting in the queue is left open
    for peers (cancelling it would leave someone who asked for support unheard, and tell them
    of the block); the moderator is told it is there. The member is told nothing."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    asked = await ask(emulator, world, world.member, topic="spam spam")
    assert "request #1" in asked.text
    dms_before = len(emulator.messages_in(emulator.dm_channel(world.member)))
    blocked = await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id, reason="spam"
    )
    assert blocked.ephemeral
    assert "request #1 is still waiting in the queue: it stays open" in blocked.text, blocked.text
    assert "Nobody is told about the block" in blocked.text, blocked.text
    assert (await kindred.services.peers.requests.get(1)).status == "open"
    assert len(emulator.messages_in(emulator.dm_channel(world.member))) == dms_before


async def test_blocking_a_member_in_a_conversation_says_it_goes_on_until_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    blocked = await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id
    )
    assert "request #1 is in a conversation with a peer" in blocked.text, blocked.text
    assert (await kindred.services.peers.requests.get(1)).status == "claimed"


async def test_a_blocks_reason_is_in_the_audit_log_and_listed_privately_for_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(
        emulator, world.mod, world.general, "peers block", member=world.member.id,
        reason="posted spam links in three requests",
    )  # fmt: skip
    rows = await kindred.services.db.fetchall(
        "SELECT detail FROM audit_log WHERE action = 'peers.block'"
    )
    assert rows and "spam links" in rows[0]["detail"], [r["detail"] for r in rows]
    await command(
        emulator, world.mod, world.general, "peers block", member=world.member2.id, reason="  "
    )
    listed = await command(emulator, world.mod, world.general, "peers blocks")
    assert listed.ephemeral
    assert f"<@{world.member.id}>, blocked " in listed.text, listed.text
    assert "Reason: posted spam links in three requests" in listed.text, listed.text
    assert f"by <@{world.mod.id}>" in listed.text, listed.text
    assert f"<@{world.member2.id}>, blocked " in listed.text, listed.text
    assert "No reason was given." in listed.text, listed.text
    peeked = await command(emulator, world.peer, world.general, "peers blocks")
    assert peeked.ephemeral and "spam links" not in peeked.text, peeked.text
    # a reason is kept whole in the audit log, so a long one is refused (by Discord: the
    # option holds 200 characters, as /peers reveal's), never cut
    with pytest.raises(ValueError, match="longer than 200"):
        await command(
            emulator, world.mod, world.general, "peers block",
            member=world.peer.id, reason="x" * 201,
        )  # fmt: skip
    assert not await kindred.services.peers.blocks.is_blocked(world.guild.id, world.peer.id)
    await command(emulator, world.mod, world.general, "peers unblock", member=world.member.id)
    await command(emulator, world.mod, world.general, "peers unblock", member=world.member2.id)
    empty = await command(emulator, world.mod, world.general, "peers blocks")
    assert "Nobody is blocked from opening peer requests here." in empty.text, empty.text


async def test_a_spanish_moderator_reads_blocks_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    run = await emulator.run_command(
        world.mod, world.general, "peers block", locale="es-ES",
        options={"member": world.member.id, "reason": "spam"},
    )  # fmt: skip
    blocked = (await run.response()).text
    assert blocked.startswith(f"<@{world.member.id}> ya no puede abrir"), blocked
    run = await emulator.run_command(world.mod, world.general, "peers blocks", locale="es-ES")
    assert "Motivo: spam" in (await run.response()).text


async def test_a_spanish_moderator_reads_peers_stats_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/peers stats answered its moderator in English only: its title, fields and counts are
    whole sentences in the moderator's language (one day is one day), the month the feedback
    is counted from in their own short form; English word for word as before."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    run = await emulator.run_command(
        world.mod, world.general, "peers stats", locale="es-ES", options={"days": 7}
    )
    answer = await run.response()
    assert answer.ephemeral and len(answer.embeds) == 1
    embed = answer.embeds[0]
    assert embed["title"] == "Apoyo entre compañeros, últimos 7 días", embed["title"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    since = (kindred.services.clock() - timedelta(days=7)).date().replace(day=1)
    feedback = f"Opiniones (contadas por mes, desde {format_date(since, 'd MMM y', locale='es')})"
    assert list(fields) == [
        "Solicitudes",
        "Espera mediana hasta ser aceptada",
        "Esperaron más allá del aviso a moderación",
        feedback,
        "Horas con más solicitudes",
    ], list(fields)
    assert fields["Solicitudes"] == "abiertas 1 · aceptadas 0 · cerradas 0 · retiradas 0"
    assert fields[feedback] == "ayudó 0 · algo 0 · no mucho 0", fields[feedback]
    assert "opened" not in str(embed) and "Feedback" not in str(embed), embed
    one = await emulator.run_command(
        world.mod, world.general, "peers stats", locale="es-ES", options={"days": 1}
    )
    assert (await one.response()).embeds[0]["title"] == "Apoyo entre compañeros, último día"
    # English, word for word
    english = (await command(emulator, world.mod, world.general, "peers stats", days=7)).embeds[0]
    assert english["title"] == "Peer support, last 7 days"
    fields = {f["name"]: f["value"] for f in english["fields"]}
    assert fields["Requests"] == "opened 1 · claimed 0 · closed 0 · withdrawn 0"
    assert f"Feedback (counted by month, since {since.day} {since:%b %Y})" in fields, fields
    assert fields["Median time to claim"] == "—" and fields["Busiest hours"].endswith(" UTC (1)")


async def test_peers_stats_busiest_hours_are_listed_as_the_moderators_language_lists_them(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The busiest hours were joined with ", " whatever the reader's language: a Spanish
    moderator reads them as a Spanish list ("…, … y …"); English as before."""
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member)
    await ask(emulator, world, world.member2)
    # the first request opened an hour earlier (stored times are ISO-8601 UTC text)
    first = await kindred.services.peers.requests.get(1)
    earlier = first.created_at - timedelta(hours=1)
    await kindred.services.db.execute(
        "UPDATE support_requests SET created_at = ? WHERE id = ?", (to_db(earlier), 1)
    )
    hours = sorted({f"{first.created_at.hour:02d}:00", f"{earlier.hour:02d}:00"})
    run = await emulator.run_command(
        world.mod, world.general, "peers stats", locale="es-ES", options={"days": 7}
    )
    fields = {f["name"]: f["value"] for f in (await run.response()).embeds[0]["fields"]}
    busiest = fields["Horas con más solicitudes"]
    assert busiest in (
        f"{hours[0]} UTC (1) y {hours[1]} UTC (1)",
        f"{hours[1]} UTC (1) y {hours[0]} UTC (1)",
    ), busiest
    english = (await command(emulator, world.mod, world.general, "peers stats", days=7)).embeds[0]
    fields = {f["name"]: f["value"] for f in english["fields"]}
    assert fields["Busiest hours"] in (
        f"{hours[0]} UTC (1), {hours[1]} UTC (1)",
        f"{hours[1]} UTC (1), {hours[0]} UTC (1)",
    ), fields["Busiest hours"]


async def test_peers_stats_busiest_hours_are_in_the_moderators_own_zone(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """``/peers stats`` showed its busiest hours in UTC ("12:00 UTC (2)") even to a moderator
    who set ``/timezone set America/Mexico_City``, whose requests came in at 06:00 their time
    (probe 17); every other time Kindred shows them is in their zone. Now by their clock, or
    the server's zone when they set none (UTC here, as before)."""
    await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    zone = await (
        await emulator.run_command(
            world.mod, world.general, "timezone set", options={"zone": "America/Mexico_City"}
        )
    ).answer()
    assert "America/Mexico_City" in zone.text
    await ask(emulator, world, world.member, topic="one")
    await ask(emulator, world, world.member2, topic="two")
    stats = await (
        await emulator.run_command(world.mod, world.mods, "peers stats", options={"days": 7})
    ).answer()
    (busiest,) = [f for f in stats.embeds[0]["fields"] if "busiest" in f["name"].lower()]
    assert "06:00" in busiest["value"], busiest
    assert "12:00 UTC" not in busiest["value"], busiest
    assert busiest["value"] == "06:00 America/Mexico_City (2)", busiest
    # without a zone of their own, the server's: here half an hour off UTC (12:00 is 17:30)
    for name, options in (
        ("timezone clear", {}),
        ("kindred set timezone", {"timezone": "Asia/Kolkata"}),
    ):
        await (await emulator.run_command(world.mod, world.general, name, options=options)).answer()
    stats = await (
        await emulator.run_command(world.mod, world.mods, "peers stats", options={"days": 7})
    ).answer()
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["Busiest hours"] == "17:00 Asia/Kolkata (2)", fields


async def test_a_blocked_member_reads_resources_titled_for_someone_who_is_not_waiting(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.mod, world.general, "peers block", member=world.member.id,
                  reason="spam")  # fmt: skip
    answer = await (await emulator.run_command(world.member, world.general, "support")).response()
    assert answer.ephemeral and not answer.is_modal
    assert "\n\n**Support you can reach now**\n" in answer.text, answer.text
    assert "wait" not in answer.text.lower(), answer.text


async def test_a_blocked_member_is_answered_in_their_language_with_resources_in_it_too(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.mod, world.general, "peers block", member=world.member.id,
                  reason="spam")  # fmt: skip
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    opened = await emulator.run_command(world.member, world.general, "support", locale="es-ES")
    answered = await opened.response()  # at once: no form to fill in only to be refused
    assert not answered.is_modal
    text = answered.text
    assert text.startswith(
        "Ahora mismo no puedo abrir una solicitud para ti en este servidor. Sigues importando"
    ), text
    assert "**¿Quieres hablar ahora?** Líneas de escucha atendidas por pares:" in text, text
    assert "**¿En crisis?**" in text and "¿En peligro inmediato? Llama al **911**." in text, text
    assert "\n\n**Apoyo al que puedes acudir ahora**\n" in text and "esperas" not in text, text
    # no request was opened: nothing says it was saved, in any language
    assert "Tu solicitud está guardada" not in text and "request is saved" not in text, text
    assert "You still matter" not in text and "While you wait" not in text, text
    assert "In immediate danger" not in text and "Worldwide" not in text, text


async def test_stats_and_audited_reveal(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    stats = await command(emulator, world.mod, world.general, "peers stats", days=7)
    assert "opened 1" in stats.text
    assert str(world.member.id) not in stats.text
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="safety concern"
    )
    assert f"<@{world.member.id}>" in reveal.text
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "looked up who opened" in m.text
    )
    assert "safety concern" in told.text
    audit = await kindred.services.audit.recent(world.guild.id)
    assert audit[0].action == "peers.reveal" and audit[0].actor_id == world.mod.id
    refused = await command(
        emulator, world.peer, world.general, "peers reveal", request_id=1, reason="curious"
    )
    assert "for moderators" in refused.text


async def test_a_peer_cannot_read_stats_or_block_a_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/peers stats and /peers block are for moderators: a peer is refused privately, reads
    no figures, and the member is not blocked (nothing audited)."""
    await setup_peers(emulator, world)
    stats = await command(emulator, world.peer, world.general, "peers stats", days=7)
    assert stats.ephemeral and "for moderators" in stats.text, stats.text
    assert "Peer support, last" not in stats.text and not stats.embeds, stats.text
    block = await command(
        emulator, world.peer, world.general, "peers block", member=world.member2.id, reason="spam"
    )
    assert block.ephemeral and "for moderators" in block.text, block.text
    assert "can no longer open" not in block.text
    assert not await kindred.services.peers.blocks.is_blocked(world.guild.id, world.member2.id)
    audit = await kindred.services.audit.recent(world.guild.id, limit=100)
    assert "peers.block" not in [e.action for e in audit]


async def test_a_reveal_with_a_reason_of_only_spaces_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A reveal needs a reason (logged and told to the member): one of only spaces was stripped
    to nothing and the identity shown anyway, logged with an empty reason. It is refused as a
    group reveal's is: nothing shown, logged or told."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="   "
    )
    assert reveal.ephemeral and "Say why (it is kept in the audit log)." in reveal.text
    assert f"<@{world.member.id}>" not in reveal.text, reveal.text
    entries = await kindred.services.audit.recent(world.guild.id)
    assert not [e for e in entries if e.action == "peers.reveal"]
    dms = emulator.messages_in(emulator.dm_channel(world.member))
    assert not [m for m in dms if "looked up who opened" in m.text]


async def test_a_reveal_the_member_could_not_be_told_of_says_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """With the member's DMs closed the DM failed silently and the moderator still read "the
    member was told"; now they read that the member could not be told."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    emulator.user_dms_open(world.member, False)
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="safety concern"
    )
    assert f"Request #1 was opened by <@{world.member.id}>." in reveal.text, reveal.text
    assert "member was told" not in reveal.text, reveal.text
    assert "the member could not be told" in reveal.text, reveal.text
    entries = await kindred.services.audit.recent(world.guild.id)
    assert [e.detail["reason"] for e in entries if e.action == "peers.reveal"] == ["safety concern"]


async def test_the_reveal_dm_names_the_server_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The DM said "A moderator of this server" (a DM has no server: which one?) and was
    English whatever the member chose with /language set; the moderator reads their own."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await command(emulator, world.member, world.general, "language set", language="es")
    await ask(emulator, world, world.member, anonymous="yes")
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="seguridad"
    )
    assert "This was logged and the member was told." in reveal.text, reveal.text
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "seguridad" in m.text
    )
    assert f"**{world.guild.name}**" in told.text, told.text
    assert "la solicitud #1" in told.text and "anónima" in told.text, told.text
    assert "looked up who opened" not in told.text and "this server" not in told.text


async def test_the_reveal_dm_speaks_the_language_the_request_was_asked_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member whose Discord app is in German asked anonymously (no ``/language set``): the
    DM telling them a moderator looked up who opened it was English, their general
    language, while every other DM of that request speaks German (the request's own). It is
    German now; the moderator reads their own answer in English."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support", locale="de")
    assert (await opened.response()).is_modal
    fields = {"topic": "", "summary": "", "tags": "", "anonymous": "yes"}
    answer = await (await opened.submit_modal(fields)).response()
    assert answer.text.startswith("Deine Anfrage #1 ist angekommen"), answer.text
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="Sicherheit"
    )
    assert "This was logged and the member was told." in reveal.text, reveal.text
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "Sicherheit" in m.text
    )
    assert told.text == (
        f"Jemand aus der Moderation von **{world.guild.name}** hat nachgesehen, wer Anfrage #1 "
        "geöffnet hat, die du anonym gestellt hattest. Angegebener Grund: Sicherheit"
    ), told.text


async def test_a_request_that_was_never_anonymous_is_not_revealed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Any request could be "revealed", and the member was then told it was one "which you had
    made anonymous". A request that wasn't anonymous has nothing to reveal (its card names the
    member): the moderator is told so, nothing is logged and the member is not messaged."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="no")
    before = len(emulator.messages_in(emulator.dm_channel(world.member)))
    reveal = await command(
        emulator, world.mod, world.general, "peers reveal", request_id=1, reason="checking"
    )
    assert reveal.ephemeral and "Request #1 wasn't anonymous" in reveal.text, reveal.text
    assert "card already names who opened it" in reveal.text, reveal.text
    entries = await kindred.services.audit.recent(world.guild.id)
    assert not [e for e in entries if e.action == "peers.reveal"]
    await emulator.gateway_idle()
    assert len(emulator.messages_in(emulator.dm_channel(world.member))) == before


async def test_a_debrief_without_a_moderator_channel_says_nobody_could_be_told(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/peers debrief` with no moderator channel set posted nowhere, yet told the peer "A
    moderator will check in with you."; now it says nobody could be told and what they can
    do."""
    opts = {"peer_role": world.peer_role.id, "peer_channel": world.peers.id}
    await command(emulator, world.mod, world.general, "peers setup", **opts)
    answer = await command(emulator, world.peer, world.general, "peers debrief", note="hard")
    assert answer.ephemeral and answer.text.startswith("Thank you for what you do."), answer.text
    assert "will check in with you" not in answer.text, answer.text
    assert "No moderator channel is set up in this server" in answer.text, answer.text
    assert "talk to a moderator directly" in answer.text and "`/crisis`" in answer.text
    assert answer.text.endswith("Your note was not stored."), answer.text
    assert not [m for m in emulator.bot_messages(world.mods) if "asked for support" in m.text]


async def test_a_debrief_the_moderator_channel_refuses_says_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A debrief reaches the moderator channel and the peer is told a moderator will check in;
    when Kindred can't post there, the peer is told nobody was told (was: the promise)."""
    await setup_peers(emulator, world)
    asked = await command(emulator, world.peer, world.general, "peers debrief")
    assert asked.text == "Thank you for what you do. A moderator will check in with you."
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: f"<@{world.peer.id}> asked for support" in m.text
    )
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    allow, deny = int(P.VIEW_CHANNEL), int(P.SEND_MESSAGES)
    emulator.set_overwrite(world.mods, bot_role, allow=allow, deny=deny)
    await emulator.gateway_idle()
    refused = await command(emulator, world.peer2, world.general, "peers debrief")
    assert "will check in with you" not in refused.text, refused.text
    assert "I couldn't post in the moderator channel" in refused.text, refused.text
    assert "talk to a moderator directly" in refused.text and "`/crisis`" in refused.text
    posted = [m for m in emulator.bot_messages(world.mods) if "asked for support" in m.text]
    assert len(posted) == 1


async def test_a_member_who_is_not_a_peer_cannot_send_moderators_a_peer_debrief(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/peers debrief` is a peer supporter's command (README, peer guide) but had no peer
    check: any member ran it, was thanked "for what you do", and the moderator channel was told
    they "asked for support after a peer conversation" they never had (probe 14). Now, as at
    `/duty status`, a member without the peer role is told kindly it is for peer supporters,
    pointed to `/support` for their own support, in their language; nothing reaches the
    moderators, and `/kindred help` lists it for peer supporters, not for everyone."""
    await setup_peers(emulator, world)
    answer = await command(emulator, world.member, world.general, "peers debrief")
    assert await kindred.quiet()
    posted = [m for m in emulator.bot_messages(world.mods) if "peer conversation" in m.text]
    assert not posted, posted[0].text
    assert "Thank you for what you do" not in answer.text, answer.text
    role = world.peer_role.id
    assert answer.ephemeral and answer.text == (
        f"This is for peer supporters (the <@&{role}> role), after a conversation they held. "
        "If you'd like support yourself, `/support` asks for it privately."
    ), answer.text
    spanish = await (
        await emulator.run_command(world.member2, world.general, "peers debrief", locale="es-ES")
    ).response()
    assert spanish.ephemeral and "`/support`" in spanish.text, spanish.text
    assert "peer supporters" not in spanish.text and f"<@&{role}>" in spanish.text, spanish.text
    assert await kindred.quiet()
    assert not [m for m in emulator.bot_messages(world.mods) if "peer conversation" in m.text]
    members = await command(emulator, world.member, world.general, "kindred help")
    assert "`/peers debrief`:" not in str(members.embeds[0]), members.embeds[0]
    peers = await command(emulator, world.peer, world.general, "kindred help", audience="peer")
    assert "`/peers debrief`:" in str(peers.embeds[0]), peers.embeds[0]
    asked = await command(emulator, world.peer, world.general, "peers debrief")
    assert asked.text == "Thank you for what you do. A moderator will check in with you."


async def test_idle_conversation_reminds_then_closes(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        message = await card(emulator, world, 1)
        await press_claim(emulator, world.peer, message, 1)
        clock.shift(timedelta(hours=25))
        await kindred.settle()
        await emulator.wait_for_message(
            emulator.dm_channel(world.member), predicate=lambda m: "quiet for a while" in m.text
        )
        await emulator.wait_for_message(
            emulator.dm_channel(world.peer), predicate=lambda m: "quiet for a while" in m.text
        )
        clock.shift(timedelta(hours=49))
        await kindred.settle()
        request = await kindred.services.peers.requests.get(1)
        assert request.status == "closed" and request.close_reason == "idle"
        await emulator.wait_for_message(
            emulator.dm_channel(world.member), predicate=lambda m: "Did it help" in m.text
        )


async def test_the_idle_reminder_reaches_a_spanish_member_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The "quiet for a while" reminder of an idle conversation is a DM to each of them in
    their own language (the member guide promises a support conversation's DMs in the
    language set with /language set): the Spanish member reads it in Spanish, the peer who
    chose none in English."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await command(emulator, world.member, world.general, "language set", language="es")
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        clock.shift(timedelta(hours=25))
        await kindred.settle()
        dm = emulator.dm_channel(world.member)
        reminder = await emulator.wait_for_message(dm, predicate=lambda m: "#1" in m.text)
        assert "quiet for a while" not in reminder.text, reminder.text
        assert "close by itself" not in reminder.text, reminder.text
        await emulator.wait_for_message(
            emulator.dm_channel(world.peer), predicate=lambda m: "quiet for a while" in m.text
        )


async def test_a_relayed_conversation_closed_for_quiet_tells_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An anonymous (relayed) conversation closed by the idle timer, in a server that turned
    feedback off: the member's only window on it is their DMs, so they are told by DM that
    it was closed because it had been quiet, and how to ask again (else what they write next
    reaches no peer, unannounced)."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await relayed_conversation(emulator, world, kindred)
        await command(emulator, world.mod, world.general, "peers limits", feedback=False)
        dm = emulator.dm_channel(world.member)
        clock.shift(timedelta(hours=25))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "quiet for a while" in m.text)
        before = len(emulator.bot_messages(dm))
        clock.shift(timedelta(hours=49))
        await kindred.settle()
        assert await kindred.quiet()
        request = await kindred.services.peers.requests.get(1)
        assert request.status == "closed" and request.close_reason == "idle"
        after = [m.text for m in emulator.bot_messages(dm)][before:]
        assert any("#1" in t or "closed" in t.lower() for t in after), after
        told = [t for t in after if "closed because it had been quiet" in t]
        assert told and "`/support`" in told[0], after


async def claimed_then_role_gone(
    emu: DiscordEmulator, world: World, kindred: Kindred, *, left: bool = False, **values
):
    """``world.peer`` claims the member's request, then loses the peer role (or leaves the
    server) and never acts again; ``world.peer2`` is on duty. Returns the old conversation."""
    await setup_peers(emu, world)
    await go_on_duty(emu, world, world.peer)
    await go_on_duty(emu, world, world.peer2)
    await ask(emu, world, world.member, **values)
    await press_claim(emu, world.peer, await card(emu, world, 1), 1)
    old = emu.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    if left:
        emu.remove_member(world.guild, world.peer)
    else:
        emu.set_member_roles(world.guild, world.peer, [])
    await emu.gateway_idle()
    return old


async def assert_back_in_the_queue(
    emu: DiscordEmulator, world: World, kindred: Kindred, old_thread
) -> None:
    """Request #1 is open again: the member told, the on-duty peer pinged (not the ex-peer),
    the ex-peer off duty, the old conversation closed off and the card offering Claim."""
    told = await emu.wait_for_message(
        emu.dm_channel(world.member), predicate=lambda m: "back in the queue" in m.text
    )
    assert "Another peer will pick it up" in told.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open" and request.claimed_by is None, request
    assert await kindred.services.scheduler.get("request:1:escalate") is not None
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
    ping = await emu.wait_for_message(
        world.peers, predicate=lambda m: "back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    await emu.wait_until(
        lambda: old_thread.archived and world.peer.id not in old_thread.thread_members,
        what="the old conversation to be closed off",
    )
    message = await card(emu, world, 1)
    await emu.wait_until(
        lambda: "kindred:req:claim:1" in emu.messages[message.id].custom_ids,
        what="the card to offer Claim again",
    )


@pytest.mark.parametrize("left", [False, True], ids=["role-removed", "left-the-server"])
async def test_a_peer_who_lost_the_role_and_never_acts_again_gives_the_request_back_at_the_reminder(
    emulator: DiscordEmulator, world: World, kindred: Kindred, left: bool
) -> None:
    """Without the members intent the role change goes unseen; the idle reminder looks the
    holder up, and the member no longer waits (until the idle close) on someone who can't
    read them."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        old = await claimed_then_role_gone(emulator, world, kindred, left=left)
        clock.shift(timedelta(hours=25))
        await kindred.settle()
        await assert_back_in_the_queue(emulator, world, kindred, old)
        for user in (world.member, world.peer):  # a requeue, not the quiet-conversation nudge
            assert not [
                m
                for m in emulator.messages_in(emulator.dm_channel(user))
                if "quiet for a while" in m.text
            ]


async def test_a_failed_look_up_of_the_peer_is_not_taken_for_a_lost_role(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        # a 503: discord.py gives up at once (a 500 it retries for half a minute)
        emulator.inject_fault("GET", "/guilds/{guild_id}/members/{user_id}", status=503, times=None)
        clock.shift(timedelta(hours=25))
        await kindred.settle()
        await emulator.wait_for_message(
            emulator.dm_channel(world.member), predicate=lambda m: "quiet for a while" in m.text
        )
        looked_up = emulator.calls_matching("GET", "/guilds/{guild_id}/members/{user_id}")
        assert [c for c in looked_up if c.path.endswith(f"/members/{world.peer.id}")]
        request = await kindred.services.peers.requests.get(1)
        assert request.status == "claimed" and request.claimed_by == world.peer.id


async def test_a_member_talking_with_a_peer_does_not_have_the_peer_looked_up_at_every_message(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The claim showed the peer with the role: the member's next messages cost no look-up."""
    relay, _ = await relayed_conversation(emulator, world, kindred)
    for n in range(4):
        await emulator.send_dm(world.member, f"message {n}")
    await emulator.wait_for_messages(
        4, relay, predicate=lambda m: m.text.startswith("**Anonymous member"), since=0
    )
    looked_up = [
        c
        for c in emulator.calls_matching("GET", "/guilds/{guild_id}/members/{user_id}")
        if c.path.endswith(f"/members/{world.peer.id}")
    ]
    assert not looked_up
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "claimed" and request.claimed_by == world.peer.id


@pytest.mark.parametrize("anonymous", ["no", "yes"], ids=["thread", "relay"])
async def test_the_member_writing_to_a_peer_who_lost_the_role_gets_the_request_back_in_the_queue(
    emulator: DiscordEmulator, world: World, kindred: Kindred, anonymous: str
) -> None:
    """The member's messages keep the idle reminder away: they look the holder up (at most
    every few minutes), and their words never reach the ex-peer's relay thread."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        old = await claimed_then_role_gone(emulator, world, kindred, anonymous=anonymous)
        clock.shift(timedelta(minutes=11))
        if anonymous == "yes":
            await emulator.send_dm(world.member, "are you still there?")
        else:
            await emulator.send_message(world.member, old, "are you still there?")
        await assert_back_in_the_queue(emulator, world, kindred, old)
        if anonymous == "yes":
            assert not [m for m in emulator.bot_messages(old) if "still there" in m.text]


async def test_forgetme_deletes_requests(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member, summary="something private")
    done = await forget(emulator, world.member, world.general)
    assert "I deleted" in done.text
    assert await kindred.services.peers.requests.live_for(world.guild.id, world.member.id) is None
    rows = await kindred.services.db.fetchall("SELECT * FROM support_requests")
    assert rows == []


async def test_after_forgetme_the_card_no_longer_shows_the_members_words_or_claim(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme deletes the member's requests: the card in the peer channel keeps neither
    their mention, topic nor summary, and offers no Claim on a request that no longer exists."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(
        emulator, world, world.member, topic="my brother's drinking again", summary="he shouts"
    )
    posted = await card(emulator, world, 1)
    await forget(emulator, world.member, world.general)
    assert await kindred.services.peers.requests.requests.get(1) is None
    await emulator.wait_until(
        lambda: emulator.messages[posted.id].text == "Request #1 was withdrawn.",
        what="the forgotten request's card to become a neutral line",
    )
    now = emulator.messages[posted.id]
    assert now.custom_ids == [] and now.embeds == []
    for words in ("brother's drinking", "he shouts", f"<@{world.member.id}>"):
        assert words not in now.text


async def test_forgetme_in_another_server_withdraws_the_card_in_this_one(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme deletes the member's data in every server: run in another server they share
    with Kindred, it still turns this server's card into a neutral line."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="my brother's drinking again")
    posted = await card(emulator, world, 1)
    other = emulator.create_guild("Elsewhere")
    lobby = emulator.create_channel(other, "lobby")
    emulator.add_member(other, world.member)
    await emulator.gateway_idle()
    await forget(emulator, world.member, lobby)
    assert await kindred.services.peers.requests.requests.get(1) is None
    await emulator.wait_until(
        lambda: emulator.messages[posted.id].text == "Request #1 was withdrawn.",
        what="the forgotten request's card in Haven to become a neutral line",
    )
    now = emulator.messages[posted.id]
    assert now.custom_ids == [] and now.embeds == []
    assert "brother's drinking" not in now.text and f"<@{world.member.id}>" not in now.text


async def test_after_forgetme_an_ended_requests_card_keeps_no_words_either(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member, topic="exam stress")
    posted = await card(emulator, world, 1)
    await command(emulator, world.member, world.general, "support", action="close")
    await emulator.wait_until(
        lambda: "Withdrawn by the member" in emulator.messages[posted.id].text,
        what="the card to show the withdrawal",
    )
    await forget(emulator, world.member, world.general)
    await emulator.wait_until(
        lambda: emulator.messages[posted.id].text == "Request #1 ended.",
        what="the ended request's card to become a neutral line",
    )
    assert "exam stress" not in emulator.messages[posted.id].text


async def test_forgetme_clears_the_request_card_even_if_discord_fails_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme stores the clearing of the member's request card with the deletion (ids
    only); when Discord answers the edit with a 503, it is tried again with backoff until
    Discord takes it, so the member's name and words leave the peers' channel."""
    topic = "marmalade-divorce"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await ask(emulator, world, world.member, topic=topic, summary="my husband Tobias left")
        message = await card(emulator, world, 1)
        assert topic in message.text
        fault = emulator.inject_fault(
            "PATCH", f"/channels/{world.peers.id}/messages/{message.id}", status=503, times=1
        )
        done = await forget(emulator, world.member, world.general)
        assert done.text.startswith("Done. I deleted "), done.text
        await emulator.wait_until(lambda: fault.hits >= 1, what="the card edit to be refused")
        for _ in range(3):
            clock.shift(timedelta(minutes=10))
            await kindred.settle()
            await kindred.quiet()
        shown = emulator.messages[message.id]
        assert topic not in shown.text and str(world.member.id) not in shown.text, shown.text
        assert shown.text == "Request #1 was withdrawn.", shown.text


async def test_a_card_clearing_stored_by_forgetme_survives_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The card clearing is a stored timer (channel id, message id, kind; no words): Discord
    failing until the process stops, it is done after the restart."""
    topic = "marmalade-divorce"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await ask(emulator, world, world.member, topic=topic)
        message = await card(emulator, world, 1)
        route = f"/channels/{world.peers.id}/messages/{message.id}"
        fault = emulator.inject_fault("PATCH", route, status=503, times=1000)
        await forget(emulator, world.member, world.general)
        await emulator.wait_until(lambda: fault.hits >= 1, what="the card edit to be refused")
        await kindred.quiet()
        (stored,) = [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "privacy.card_clear"
        ]
        assert set(stored.payload) <= {
            "channel_id",
            "message_id",
            "card",
            "number",
            "live",
            "tries",
        }
        assert topic not in str(stored.payload) and str(world.member.id) not in str(stored.payload)
        await kindred.restart()
        emulator.clear_faults()
        clock.shift(timedelta(hours=1))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[message.id].text == "Request #1 was withdrawn."
        assert not [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "privacy.card_clear"
        ]


async def test_a_card_discord_refuses_to_edit_after_forgetme_is_told_to_the_moderators_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord refusing the edit (403) is not retried: the moderators are told once, naming
    no one, with a link to the message to delete; a second card refused there tells them no
    more; nothing is left stored."""
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member, topic="first")
    await ask(emulator, world, world.member2, topic="second")
    cards = [await card(emulator, world, 1), await card(emulator, world, 2)]
    for message in cards:
        emulator.inject_fault(
            "PATCH", f"/channels/{world.peers.id}/messages/{message.id}", status=403, times=5
        )
    await forget(emulator, world.member, world.general)
    told = await emulator.wait_for_message(world.mods, predicate=lambda m: "/forgetme" in m.text)
    assert f"/{cards[0].id}" in told.text and str(world.member.id) not in told.text, told.text
    await forget(emulator, world.member2, world.general)
    await kindred.quiet()
    reports = [m for m in emulator.bot_messages(world.mods) if "/forgetme" in m.text]
    assert len(reports) == 1, [m.text for m in reports]
    assert not [
        t for t in await kindred.services.scheduler.timers.all() if t.kind == "privacy.card_clear"
    ]


async def test_a_card_discord_keeps_failing_to_edit_is_given_up_after_a_week_and_told_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord answering every edit of a forgotten member's card with a 503: tried again with
    backoff for a week, then given up: nothing is left stored, the moderators are told once
    (English, naming no one, quoting nothing, with a link to delete it by hand), and the
    audit log records it with ids only."""
    from bot.services.privacy import CARD_CLEAR_GAVE_UP

    topic = "marmalade-divorce"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await ask(emulator, world, world.member, topic=topic, summary="my husband Tobias left")
        message = await card(emulator, world, 1)
        route = f"/channels/{world.peers.id}/messages/{message.id}"
        fault = emulator.inject_fault("PATCH", route, status=503, times=100_000)
        await forget(emulator, world.member, world.general)
        await emulator.wait_until(lambda: fault.hits >= 1, what="the card edit to be refused")
        await kindred.quiet()

        async def clearing() -> list:
            timers = await kindred.services.scheduler.timers.all()
            return [t for t in timers if t.kind == "privacy.card_clear"]

        started, hours = datetime.now(UTC), 0
        while await clearing():
            assert hours < 24 * 8, "the card clearing was still tried after eight days"
            clock.shift(timedelta(hours=1))
            hours += 1
            await kindred.settle()
        assert hours >= 24 * 7, hours  # a week of tries first
        assert datetime.now(UTC) - started >= timedelta(days=7)
        await kindred.quiet()
        tries = fault.hits
        reports = [m for m in emulator.bot_messages(world.mods) if "/forgetme" in m.text]
        assert [m.text for m in reports] == [
            f"I couldn't take a member's details off one of my messages in <#{world.peers.id}>: "
            "they deleted their data with `/forgetme`, but Discord kept failing when I tried to "
            "edit it, so after a week I've stopped trying. Please delete it yourselves: "
            f"https://discord.com/channels/{world.guild.id}/{world.peers.id}/{message.id}"
        ]
        (entry,) = [
            e
            for e in await kindred.services.audit.recent(world.guild.id, limit=100)
            if e.action == CARD_CLEAR_GAVE_UP
        ]
        assert entry.actor_id is None
        assert entry.detail == {
            "channel_id": world.peers.id,
            "message_id": message.id,
            "card": "request",
            "tries": tries - 1,
        }
        clock.shift(timedelta(days=1))
        await kindred.settle()
        await kindred.quiet()
        assert fault.hits == tries  # no try after giving up
        assert len([m for m in emulator.bot_messages(world.mods) if "/forgetme" in m.text]) == 1


async def test_forgetme_during_a_claimed_conversation_closes_it_and_tells_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The request is deleted under a conversation in progress: the thread is closed as a
    close would, the peer is told privately why (only that), the member gets no feedback
    question, and a Close pressed in the old thread answers kindly."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="my brother's drinking again")
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    await forget(emulator, world.member, world.general)
    assert await kindred.services.peers.requests.requests.get(1) is None
    await emulator.wait_until(
        lambda: thread.archived and thread.locked, what="the conversation's thread to close"
    )
    assert any("This conversation is closed" in m.text for m in emulator.bot_messages(thread))
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "request #1" in m.text
    )
    assert told.text == (
        "The member of request #1 ended your conversation and deleted their data from "
        "Kindred, so it is closed. Thank you for being there for them. If this one stayed with "
        "you, `/peers debrief` lets you ask a moderator for support."
    )
    timers = await kindred.services.scheduler.timers.all()
    assert not [t for t in timers if (t.key or "").startswith("request:1:")]
    pressed = await emulator.press_button(world.peer, welcome, "kindred:req:close:1")
    answer = await pressed.answer()
    assert answer.ephemeral
    assert answer.text == "This conversation has already ended, so there's nothing left to close."
    await emulator.gateway_idle()
    member_dms = emulator.messages_in(emulator.dm_channel(world.member))
    assert not [m for m in member_dms if any(c.startswith("kindred:fb:") for c in m.custom_ids)]


async def test_forgetme_during_a_relayed_conversation_closes_the_peers_relay_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await forget(emulator, world.member, world.general)
    await emulator.wait_until(
        lambda: relay.archived and relay.locked, what="the relay thread to close"
    )
    await emulator.wait_for_message(
        emulator.dm_channel(world.peer),
        predicate=lambda m: "ended your conversation and deleted their data" in m.text,
    )
    # the member's Close in their DMs, pressed after it, is answered kindly too
    close = next(m for m in emulator.messages_in(dm) if "kindred:req:close:1" in m.custom_ids)
    pressed = await emulator.press_button(world.member, close, "kindred:req:close:1")
    assert "already ended" in (await pressed.answer()).text


async def test_forgetme_takes_the_members_relayed_words_out_of_the_peers_relay_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """In a relayed conversation Kindred copies the member's DMs, word for word, into the
    peer's relay thread as its own messages (the member can't delete them). /forgetme
    deletes those copies (a stored privacy.card_clear per copy, ids only), as it clears the
    member's request card. From probe 13."""
    await setup_peers(emulator, world, conversation="relay")
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="family")
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "picked up" in m.text, since=0)
    words = "my brother Tobias hits me when he drinks"
    await emulator.send_dm(world.member, words)
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await emulator.wait_for_message(relay, predicate=lambda m: words in m.text, since=0)
    await forget(emulator, world.member, world.general)
    await emulator.wait_for_message(relay, predicate=lambda m: "closed" in m.text, since=0)
    await kindred.quiet()
    left = [m for m in emulator.messages_in(relay) if words in m.text and not m.deleted]
    assert left == [], "the member's words are still in the relay thread after /forgetme"


async def test_a_relayed_copy_discord_fails_to_delete_after_forgetme_is_deleted_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The deletion of a relayed copy of the member's words is a stored timer (ids only):
    Discord failing it (503) until the process stops, it is done after the restart."""
    words = "my brother Tobias hits me when he drinks"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        relay, _dm = await relayed_conversation(emulator, world, kindred)
        await emulator.send_dm(world.member, words)
        copy = await emulator.wait_for_message(relay, predicate=lambda m: words in m.text)
        route = f"/channels/{relay.id}/messages/{copy.id}"
        fault = emulator.inject_fault("DELETE", route, status=503, times=1000)
        await forget(emulator, world.member, world.general)
        await emulator.wait_until(lambda: fault.hits >= 1, what="the copy's deletion to fail")
        await kindred.quiet()
        stored = [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "privacy.card_clear" and t.payload["card"] == "relay"
        ]
        assert [t.payload["message_id"] for t in stored] == [copy.id]
        assert set(stored[0].payload) <= {"channel_id", "message_id", "card", "number", "tries"}
        assert "Tobias" not in str(stored[0].payload)
        assert str(world.member.id) not in str(stored[0].payload)
        await kindred.restart()
        emulator.clear_faults()
        clock.shift(timedelta(hours=1))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[copy.id].deleted
        assert not [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "privacy.card_clear"
        ]


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_a_relayed_copy_still_there_once_the_thread_is_archived_is_deleted_all_the_same(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/forgetme archives and locks the relay thread at once, and Discord refuses to delete a
    message in an archived thread (400, code 50083): a copy whose deletion comes after that
    (here Discord failed it until then) is deleted by unarchiving the thread (it stays
    locked), and the thread is archived again."""
    words = "my brother Tobias hits me when he drinks"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        relay, _dm = await relayed_conversation(emulator, world, kindred)
        await emulator.send_dm(world.member, words)
        copy = await emulator.wait_for_message(relay, predicate=lambda m: words in m.text)
        route = f"/channels/{relay.id}/messages/{copy.id}"
        fault = emulator.inject_fault("DELETE", route, status=503, times=1000)
        await forget(emulator, world.member, world.general)
        await emulator.wait_until(
            lambda: fault.hits >= 1 and relay.archived, what="the thread archived, the copy kept"
        )
        await kindred.quiet()
        assert relay.archived and relay.locked and not emulator.messages[copy.id].deleted
        emulator.clear_faults()
        clock.shift(timedelta(hours=1))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[copy.id].deleted, "the member's words are still in the thread"
        assert relay.archived and relay.locked, "the relay thread was left open"
        assert not [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "privacy.card_clear"
        ]


async def test_forgetme_takes_the_member_off_the_relay_threads_welcome(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The relay thread's welcome names a member who isn't anonymous (a mention): /forgetme
    edits it to a line naming nobody (a stored privacy.card_clear, ids only), although the
    thread is archived and locked at once."""
    await setup_peers(emulator, world, conversation="relay")
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="family")
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        relay, predicate=lambda m: "you're connected with" in m.text, since=0
    )
    mention = f"<@{world.member.id}>"
    assert mention in welcome.text
    await forget(emulator, world.member, world.general)
    await emulator.wait_until(
        lambda: mention not in emulator.messages[welcome.id].text and relay.archived,
        what="the welcome to name nobody",
    )
    await kindred.quiet()
    cleared = emulator.messages[welcome.id]
    assert cleared.text == "This relay thread was for request #1, which has ended."
    assert cleared.custom_ids == []
    left = [m for m in emulator.messages_in(relay) if str(world.member.id) in m.text]
    assert left == [], "the relay thread still names the member"
    assert relay.archived and relay.locked
    assert not [
        t for t in await kindred.services.scheduler.timers.all() if t.kind == "privacy.card_clear"
    ]


def assert_card_waits_without(message, ex_peer: int) -> None:
    """The card as it is now (its embed: the mention in its text is the ping from when it was
    posted) waits for a peer and names the ex-peer nowhere."""
    (embed,) = message.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Status"] == "Waiting for a peer", fields
    assert f"<@{ex_peer}>" not in str(embed)
    assert "Claimed by" not in message.text


async def test_a_peer_who_forgets_themselves_gives_a_private_conversation_back_to_the_queue(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer's /forgetme while they hold a request: it is back in the queue as when a peer
    loses the role (card back to Claim, the on-duty peers pinged, the old thread closed off
    without them), and the member is told, in their language, only that their peer is no
    longer available."""
    await setup_peers(emulator, world)
    await kindred.services.safety.set_language(world.member.id, "es")
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="exam stress")
    posted = await card(emulator, world, 1)
    await press_claim(emulator, world.peer, posted, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await emulator.wait_until(
        lambda: f"<@{world.peer.id}>" in emulator.messages[posted.id].text,
        what="the card to show who claimed it",
    )
    await go_on_duty(emulator, world, world.peer2)
    await forget(emulator, world.peer, world.general)
    back = await kindred.services.peers.requests.get(1)
    assert back.status == "open" and back.claimed_by is None
    assert back.preferred_peer is None and back.closed_by is None
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[posted.id].custom_ids,
        what="the card to offer Claim again",
    )
    assert_card_waits_without(emulator.messages[posted.id], world.peer.id)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "#1 is back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    spanish = peer_gone_member_text(1, "es")
    assert spanish != peer_gone_member_text(1, "en")
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: m.text == spanish
    )
    assert peer_gone_member_text(1) == (
        "The peer supporter who picked up your request #1 is no longer available, so your "
        "request is back in the queue and keeps its place. Another peer will pick it up; you "
        "don't need to do anything. If you need someone right now, `/crisis` shows lines you "
        "can reach."
    )
    await emulator.wait_until(
        lambda: thread.archived and thread.locked and world.peer.id not in thread.thread_members,
        what="the old thread to be closed off without the ex-peer",
    )
    assert any("can't continue" in m.text for m in emulator.bot_messages(thread))
    # the escalation chain starts again, and another peer picks it up in a new thread
    assert await kindred.services.scheduler.get("request:1:escalate") is not None
    await press_claim(emulator, world.peer2, emulator.messages[posted.id], 1)
    taken = await kindred.services.peers.requests.get(1)
    assert taken.claimed_by == world.peer2.id and taken.thread_id != thread.id


async def test_a_peer_who_forgets_themselves_gives_a_relayed_conversation_back_to_the_queue(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, dm = await relayed_conversation(emulator, world, kindred)
    posted = await card(emulator, world, 1)
    await go_on_duty(emulator, world, world.peer2)
    await forget(emulator, world.peer, world.general)
    assert (await kindred.services.peers.requests.get(1)).status == "open"
    told = await emulator.wait_for_message(
        dm, predicate=lambda m: "is no longer available" in m.text
    )
    assert told.text == peer_gone_member_text(1)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "#1 is back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    await emulator.wait_until(
        lambda: relay.archived and relay.locked and world.peer.id not in relay.thread_members,
        what="the relay thread to be closed off without the ex-peer",
    )
    assert any("This relay is closed" in m.text for m in emulator.bot_messages(relay))
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[posted.id].custom_ids,
        what="the card to offer Claim again",
    )
    assert_card_waits_without(emulator.messages[posted.id], world.peer.id)
    # the member's DMs no longer go to the ex-peer's relay thread
    route = await kindred.services.peers.requests.route_dm(world.member.id, "still there?")
    assert route.relay_to is None


async def test_thread_transcript_on_request_and_same_peer_preference(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    first = await card(emulator, world, 1)
    await press_claim(emulator, world.peer2, first, 1)
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    welcome = await emulator.wait_for_message(thread, predicate=lambda m: "is here" in m.text)
    wants = await emulator.press_button(world.member, welcome, "kindred:req:transcript:1")
    assert "transcript" in (await wants.response()).text
    await emulator.send_message(world.member, thread, "I keep thinking about last week")
    await emulator.send_message(world.peer2, thread, "that sounds heavy")
    await emulator.gateway_idle()
    await command(emulator, world.peer2, thread, "support", action="close")
    dm = emulator.dm_channel(world.member)
    transcript = await emulator.wait_for_message(
        dm, predicate=lambda m: "Your transcript of request #1" in m.text
    )
    assert "You: I keep thinking about last week" in transcript.text
    assert "Peer: that sounds heavy" in transcript.text

    answer = await ask(emulator, world, world.member, same_peer="yes")
    assert "request #2" in answer.text
    second = await card(emulator, world, 2)
    assert f"<@{world.peer2.id}>" in (second.content or "")
    assert f"<@{world.peer.id}>" not in (second.content or "")


async def test_transcript_button_after_close_sends_the_thread_transcript_now(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:transcript:1" in m.custom_ids, since=0
    )
    await emulator.send_message(world.member, thread, "it has been a long week")
    await emulator.send_message(world.peer, thread, "I'm here, tell me more")
    await emulator.gateway_idle()
    closed = await command(emulator, world.member, thread, "support", action="close")
    assert "Closed" in closed.text
    # the member now presses the old "Send me a transcript" button on the welcome message
    pressed = await emulator.press_button(world.member, welcome, "kindred:req:transcript:1")
    answer = await pressed.answer()
    assert answer.ephemeral
    assert "when the conversation closes" not in answer.text, answer.text
    assert "DMed you its transcript now" in answer.text, answer.text
    transcript = await emulator.wait_for_message(
        emulator.dm_channel(world.member),
        predicate=lambda m: "Your transcript of request #1" in m.text,
    )
    assert "You: it has been a long week" in transcript.text
    assert "Peer: I'm here, tell me more" in transcript.text


async def test_transcript_button_after_a_relay_closed_says_none_was_kept(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    dm = emulator.dm_channel(world.member)
    hello = await emulator.wait_for_message(dm, predicate=lambda m: "picked up" in m.text)
    await emulator.send_dm(world.member, "nobody asked to keep these words")
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await emulator.wait_for_message(relay, predicate=lambda m: "nobody asked" in m.text)
    await command(emulator, world.member, dm, "support", action="close")
    pressed = await emulator.press_button(world.member, hello, "kindred:req:transcript:1")
    answer = await pressed.answer()
    assert "when the conversation closes" not in answer.text, answer.text
    assert "already closed" in answer.text and "no transcript" in answer.text, answer.text
    assert not any("Your transcript" in m.text for m in emulator.bot_messages(dm))
    assert await kindred.services.peers.requests.transcript(1) == []


async def test_pressing_close_twice_says_it_is_already_closed_not_try_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    first = await (
        await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    ).answer()
    assert "Closed" in first.text
    second = await (
        await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    ).answer()
    assert second.ephemeral
    assert "try again" not in second.text, second.text
    assert "already closed" in second.text, second.text
    assert (await kindred.services.peers.requests.get(1)).status == "closed"


async def test_stored_content_is_purged_after_the_retention_period(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world, conversation="relay")
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member, summary="what I chose to share")
        message = await card(emulator, world, 1)
        await press_claim(emulator, world.peer, message, 1)
        dm = emulator.dm_channel(world.member)
        intro = await emulator.wait_for_message(dm, predicate=lambda m: "picked up" in m.text)
        await (
            await emulator.press_button(world.member, intro, "kindred:req:transcript:1")
        ).response()
        await emulator.send_dm(world.member, "words worth keeping for a while")
        request = await kindred.services.peers.requests.get(1)
        relay = emulator.channels[request.thread_id]
        await emulator.wait_for_message(relay, predicate=lambda m: "worth keeping" in m.text)
        assert len(await kindred.services.peers.requests.transcript(1)) == 1
        await command(emulator, world.member, dm, "support", action="close")

        clock.shift(timedelta(days=31))
        await kindred.settle()
        assert await kindred.services.peers.requests.transcript(1) == []
        assert (await kindred.services.peers.requests.get(1)).summary is None
        purge = await kindred.services.scheduler.get("privacy:purge")
        assert purge is not None and purge.due_at > datetime.now(UTC)


async def test_a_closed_requests_topic_does_not_outlive_the_retention_period(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The topic a member typed in the /support form ("marmalade-divorce": often the most
    revealing words they give, e.g. who hurt them) goes with the summary and the
    conversation text after ``retention_days`` (docs/self-hosting.md: no message text is kept
    beyond the retention period); the closed request keeps its counts and tags for
    /peers stats, no words the member wrote."""
    topic = "marmalade-divorce"
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member, topic=topic, summary="my husband Tobias left")
        message = await card(emulator, world, 1)
        await press_claim(emulator, world.peer, message, 1)
        request = await kindred.services.peers.requests.get(1)
        thread = emulator.channels[request.thread_id]
        closing = await emulator.run_command(
            world.member, thread, "support", options={"action": "close"}
        )
        assert "Closed" in (await closing.response()).text
        await kindred.quiet()
        days = kindred.services.privacy.retention_days
        clock.shift(timedelta(days=days + 2))
        await kindred.settle()
        await kindred.quiet()
        row = await kindred.services.db.fetchone(
            "SELECT topic, summary FROM support_requests WHERE id = 1"
        )
        assert row is not None
        assert row["summary"] is None, "the purge did not run: the test did not reach the defect"
        assert topic not in (row["topic"] or ""), dict(row)


async def test_a_servers_shorter_retention_days_deletes_the_transcript_by_then(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """``/peers limits retention_days:7`` is accepted and shown back ("Retention 7 days",
    described as "Days any stored conversation text is kept"): the purge keeps a member's
    transcript and typed summary in that server for 7 days, not the deployment's upper bound
    (``[privacy] retention_days``, 30). From probe 13."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world, conversation="relay")
        answer = await command(emulator, world.mod, world.general, "peers limits", retention_days=7)
        assert "7" in (answer.text + str(answer.embeds)), answer.text
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member, summary="what I chose to share")
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        dm = emulator.dm_channel(world.member)
        intro = await emulator.wait_for_message(dm, predicate=lambda m: "picked up" in m.text)
        await (
            await emulator.press_button(world.member, intro, "kindred:req:transcript:1")
        ).response()
        await emulator.send_dm(world.member, "words kept only a week, I was told")
        request = await kindred.services.peers.requests.get(1)
        relay = emulator.channels[request.thread_id]
        await emulator.wait_for_message(relay, predicate=lambda m: "only a week" in m.text)
        assert len(await kindred.services.peers.requests.transcript(1)) == 1
        await command(emulator, world.member, dm, "support", action="close")
        await kindred.quiet()

        for _ in range(9):  # nine daily purges pass
            clock.shift(timedelta(days=1))
            await kindred.settle()
        await kindred.quiet()
        assert await kindred.services.peers.requests.transcript(1) == [], (
            "the server's 7-day retention was ignored: the transcript is still stored after 9 days"
        )
        assert (await kindred.services.peers.requests.get(1)).summary is None


async def test_peers_settings_show_the_retention_really_kept(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """None set: the deployment's period; more than the deployment keeps (its upper bound):
    the deployment's, said so; less: the server's own."""
    await setup_peers(emulator, world)
    days = kindred.services.privacy.retention_days

    def retention(answer) -> str:
        return {f["name"]: f["value"] for f in answer.embeds[0]["fields"]}["Retention"]

    shown = await command(emulator, world.mod, world.general, "peers settings")
    assert retention(shown) == f"{days} days"
    longer = await command(
        emulator, world.mod, world.general, "peers limits", retention_days=days + 30
    )
    assert retention(longer) == f"{days} days (the most this Kindred keeps anything)"
    shorter = await command(emulator, world.mod, world.general, "peers limits", retention_days=7)
    assert retention(shorter) == "7 days"


async def test_claim_button_works_after_a_restart_and_double_click_is_harmless(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    await kindred.restart()
    first, again = await asyncio.gather(  # a double click: both presses hit the old card
        emulator.press_button(world.peer, message, "kindred:req:claim:1"),
        emulator.press_button(world.peer, message, "kindred:req:claim:1"),
    )
    texts = sorted([(await first.original_response()).text, (await again.original_response()).text])
    assert "Already claimed by" in texts[0] and "You claimed request #1" in texts[1]
    threads = [c for c in emulator.channels.values() if c.type == 12]
    assert len(threads) == 1


async def test_dm_intake_only_offers_servers_the_writer_belongs_to(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    stranger = emulator.create_user("stranger")
    await emulator.send_dm(stranger, "i need to talk")
    reply = await emulator.wait_for_message(emulator.dm_channel(stranger))
    assert reply.custom_ids == []
    assert "Haven" not in reply.text
    assert "couldn't find a server we share" in reply.text and "/crisis" in reply.text


async def test_a_reason_or_a_tag_too_long_cannot_be_sent_and_nothing_is_kept_cut(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A reveal's reason is logged and told to the member, a tag is what members choose from:
    both were stored cut (at 200 and 40 characters) without a word. Discord now refuses them
    at input (the options' lengths), and a reason of exactly 200 reaches the member whole."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    with pytest.raises(ValueError, match="'reason' is longer than 200"):
        await emulator.run_command(
            world.mod, world.general, "peers reveal",
            options={"request_id": 1, "reason": "a safety worry " * 14},
        )  # fmt: skip
    with pytest.raises(ValueError, match="'tag' is longer than 40"):
        await emulator.run_command(
            world.mod, world.general, "peers tags add",
            options={"tag": "people who have lost someone to suicide"  + " recently"},
        )  # fmt: skip
    assert await kindred.services.peers.tags.guild_tags(world.guild.id) == []
    entries = await kindred.services.audit.recent(world.guild.id)
    assert not [e for e in entries if e.action == "peers.reveal"]
    reason = ("a safety worry " * 14)[:199] + "!"
    await command(emulator, world.mod, world.general, "peers reveal", request_id=1, reason=reason)
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "looked up who opened" in m.text
    )
    assert told.text.endswith(reason)
    assert (await kindred.services.audit.recent(world.guild.id))[0].detail["reason"] == reason


async def test_the_resources_while_nobody_is_on_duty_are_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "language set", language="fr")
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    answer = (await ask(emulator, world, world.member)).text
    assert "Personne de l'équipe d'entraide n'est disponible pour l'instant" in answer, answer
    block = answer[answer.index("**En attendant**") :]
    assert block.splitlines()[1].startswith(
        "**Envie de parler maintenant ?** Lignes d'écoute tenues par des personnes qui sont "
        "passées par là : "
    ), block
    assert "**Besoin d'une pause dans un endroit sûr ?** Lieux de répit : " in block, block
    assert "**En crise ?** **988 Suicide & Crisis Lifeline**: appelle ou envoie un SMS 988" in block
    assert "Lignes d'écoute dans le monde entier : findahelpline.com" in block, block
    assert "En danger immédiat ? Appelle le **911**." in block, block
    assert "-# Kindred est un bot d'entraide entre pairs" in block, block
    for english in ("While you wait", "Want to talk", "Peer respites", "In crisis", "Worldwide"):
        assert english not in answer, answer


def form_words(modal) -> str:
    """Every word a member reads on a form: title, labels, placeholders, options."""
    words = [modal.title or ""]

    def walk(component: dict) -> None:
        for key in ("label", "placeholder", "text"):
            if component.get(key):
                words.append(str(component[key]))
        for option in component.get("options", []):
            words.append(str(option["label"]))
        if component.get("component"):
            walk(component["component"])
        for child in component.get("components", []):
            walk(child)

    for component in modal.data.get("components", []):
        walk(component)
    return "\n".join(words)


async def test_the_talk_to_a_peer_form_and_its_answer_are_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    chosen = await command(emulator, world.member, world.general, "language set", language="fr")
    assert chosen.ephemeral, chosen.text
    await command(emulator, world.mod, world.general, "peers panel", channel=world.support.id)
    custom_id = f"kindred:talk:{world.guild.id}"
    panel = await emulator.wait_for_message(
        world.support, predicate=lambda m: custom_id in m.custom_ids
    )
    pressed = await emulator.press_button(world.member, panel, custom_id)
    modal = await pressed.response()
    assert modal.is_modal
    words = form_words(modal)
    assert modal.title == "Parler à quelqu'un d'ici", words
    assert "Sujet (facultatif)" in words and "Rester anonyme" in words, words
    assert "Topic" not in words and "anonymous" not in words, words
    submitted = await pressed.submit_modal(
        {"topic": "", "summary": "", "tags": "deuil", "anonymous": "yes"}
    )
    answer = (await submitted.response()).text
    assert answer.startswith("Ta demande #1 est envoyée."), answer
    assert "tu restes anonyme" in answer and "Ta place dans la file : **1**." in answer, answer
    assert "**deuil** n'est pas une étiquette d'ici" in answer, answer
    assert "Your request" not in answer and "What happens next" not in answer, answer
    # a member whose Discord app is in German, with nobody on duty, reads German too
    await command(emulator, world.peer, world.general, "duty off")
    opened = await emulator.run_command(world.member2, world.general, "support", locale="de")
    form = await opened.response()
    assert form.title == "Mit jemandem hier reden" and "Thema (optional)" in form_words(form)
    answered = await opened.submit_modal(
        {"topic": "", "summary": "", "tags": "", "anonymous": "no"}
    )
    text = (await answered.response()).text
    assert text.startswith("Deine Anfrage #2 ist angekommen."), text
    assert "Gerade ist niemand aus dem Unterstützungsteam da" in text, text


def labels(message) -> dict[str, str]:
    """A message's buttons: custom id → the label the reader sees."""
    return {c["custom_id"]: c.get("label", "") for c in message.iter_components()}


async def close_a_relay_with_a_transcript(
    emulator: DiscordEmulator, world: World, kindred: Kindred, language: str | None
):
    """An anonymous request: the member (in ``language``, if chosen) asks for a transcript,
    talks, closes, and answers the feedback question. Returns (the picked-up DM, the
    transcript DM, the feedback buttons' labels, the answer to the feedback button)."""
    await setup_peers(emulator, world)
    if language:
        chosen = await emulator.run_command(
            world.member, world.general, "language set", options={"language": language}
        )
        assert (await chosen.response()).ephemeral
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    dm = emulator.dm_channel(world.member)
    hello = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:req:close:1" in m.custom_ids
    )
    await (await emulator.press_button(world.member, hello, "kindred:req:transcript:1")).answer()
    await emulator.send_dm(world.member, "a small thing went well today")
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await emulator.wait_for_message(relay, predicate=lambda m: "went well" in m.text)
    await command(emulator, world.member, dm, "support", action="close")
    transcript = await emulator.wait_for_message(
        dm, predicate=lambda m: "#1" in m.text and "went well" in m.text
    )
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids
    )
    asked = labels(question)  # read before the answer takes the buttons away
    pressed = await emulator.press_button(world.member, question, "kindred:fb:helped:1")
    return hello, transcript, asked, await pressed.response()


async def test_a_spanish_members_dm_buttons_transcript_and_feedback_are_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Chosen when each DM is sent: the relay DM's Close and transcript buttons, the
    transcript's header and the feedback buttons speak the member's language; the custom ids
    (what the buttons do, also after a restart) never change."""
    hello, transcript, question, thanks = await close_a_relay_with_a_transcript(
        emulator, world, kindred, "es"
    )
    assert labels(hello) == {
        "kindred:req:close:1": "Cerrar",
        "kindred:req:transcript:1": "Envíame una transcripción",
    }
    assert transcript.text.splitlines()[0] == "Tu transcripción de la solicitud #1:", (
        transcript.text
    )
    # each line's label is hers too; her words themselves are never translated
    assert "Tú: a small thing went well today" in transcript.text.splitlines(), transcript.text
    assert "You:" not in transcript.text, transcript.text
    assert question == {
        "kindred:fb:helped:1": "Me ayudó",
        "kindred:fb:somewhat:1": "Un poco",
        "kindred:fb:not_really:1": "No mucho",
    }
    assert thanks.text == "Gracias. Tu respuesta se cuenta de forma anónima.", thanks.text
    stats = await kindred.services.peers.requests.stats(world.guild.id, 7)
    assert stats.feedback["helped"] == 1
    # the peer's relay thread is shared by no member: its buttons stay as they were
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = next(m for m in emulator.bot_messages(relay) if "kindred:req:close:1" in m.custom_ids)
    assert labels(welcome) == {"kindred:req:close:1": "Close"}


async def test_an_english_members_dm_buttons_transcript_and_feedback_read_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    hello, transcript, question, thanks = await close_a_relay_with_a_transcript(
        emulator, world, kindred, None
    )
    assert labels(hello) == {
        "kindred:req:close:1": "Close",
        "kindred:req:transcript:1": "Send me a transcript",
    }
    assert transcript.text.splitlines()[0] == "Your transcript of request #1:", transcript.text
    assert "You: a small thing went well today" in transcript.text.splitlines(), transcript.text
    assert question == {
        "kindred:fb:helped:1": "It helped",
        "kindred:fb:somewhat:1": "Somewhat",
        "kindred:fb:not_really:1": "Not really",
    }
    assert thanks.text == "Thank you. Your answer is counted anonymously.", thanks.text


async def test_a_german_peers_shift_dms_and_replies_are_in_german_an_english_ones_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/duty shift add, list and remove answer in the reader's language; the reminder, the
    start and the end DMs (with the hand-off buttons, naming the server) come in each peer's
    own language."""
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
    with time_machine.travel(start, tick=True) as clock:
        await setup_peers(emulator, world)
        chosen = await emulator.run_command(
            world.peer, world.general, "language set", options={"language": "de"}
        )
        assert (await chosen.response()).ephemeral
        shift = {"weekday": "monday", "start": "09:00", "end": "10:00", "tz": "Europe/London"}
        nxt = f"<t:{int(datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp())}:F>"
        added = await command(emulator, world.peer, world.general, "duty shift add", **shift)
        assert added.text == (
            f"Schicht hinzugefügt: #1 Montag 09:00–10:00 (Europe/London). Nächste: {nxt}."
        ), added.text
        added = await command(emulator, world.peer2, world.general, "duty shift add", **shift)
        assert added.text == (
            f"Shift added: #2 Monday 09:00–10:00 (Europe/London). Next: {nxt}."
        ), added.text
        listed = await command(emulator, world.peer, world.general, "duty shift list")
        assert listed.text == "#1 Montag 09:00–10:00 (Europe/London)", listed.text
        listed = await command(emulator, world.peer2, world.general, "duty shift list")
        assert listed.text == "#2 Monday 09:00–10:00 (Europe/London)", listed.text

        de, en = emulator.dm_channel(world.peer), emulator.dm_channel(world.peer2)
        clock.move_to(datetime(2026, 11, 23, 8, 51, tzinfo=UTC))
        await kindred.settle()
        reminder = await emulator.wait_for_message(de, predicate=lambda m: "10 Minuten" in m.text)
        assert reminder.text == "Deine Unterstützungsschicht in Haven beginnt in 10 Minuten."
        reminder = await emulator.wait_for_message(en, predicate=lambda m: "10 minutes" in m.text)
        assert reminder.text == "Your peer-support shift in Haven starts in 10 minutes."

        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        until = f"<t:{int(datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp())}:t>"
        started = await emulator.wait_for_message(de, predicate=lambda m: "begonnen" in m.text)
        assert started.text == (
            f"Deine Schicht in Haven hat begonnen: Du bist im Dienst bis {until}."
        ), started.text
        started = await emulator.wait_for_message(en, predicate=lambda m: "started" in m.text)
        assert started.text == f"Your shift has started in Haven: you're on duty until {until}."

        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        ended = await emulator.wait_for_message(de, predicate=lambda m: "zu Ende" in m.text)
        assert ended.text == (
            "Deine Schicht in Haven ist zu Ende. Danke. Du hast 1 offene Anfrage(n). Behalten "
            "oder an die nächste Person im Dienst übergeben?"
        ), ended.text
        keep = f"kindred:handoff:keep:{world.guild.id}"
        give = give_id(ended, world.guild.id)
        assert labels(ended) == {keep: "Behalten", give: "Übergeben"}
        ended_en = await emulator.wait_for_message(en, predicate=lambda m: "ended" in m.text)
        assert ended_en.text == "Your shift has ended in Haven. Thank you.", ended_en.text
        kept = await emulator.press_button(world.peer, ended, keep)
        assert (await kept.response()).text == "Du behältst deine offenen Anfragen. Danke."

        removed = await command(
            emulator, world.peer, world.general, "duty shift remove", shift_id=1
        )
        assert removed.text == "Schicht #1 entfernt.", removed.text
        listed = await command(emulator, world.peer, world.general, "duty shift list")
        assert listed.text == "Du hast keine Schichten. `/duty shift add` fügt eine hinzu."
        removed = await command(
            emulator, world.peer2, world.general, "duty shift remove", shift_id=2
        )
        assert removed.text == "Shift #2 removed.", removed.text
        listed = await command(emulator, world.peer2, world.general, "duty shift list")
        assert listed.text == "You have no shifts. `/duty shift add` adds one.", listed.text


async def test_a_claim_and_forgetme_at_the_same_moment_leave_no_conversation_behind(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member confirms /forgetme while a peer presses Claim: no conversation thread is
    opened for a request that no longer exists."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="my brother's drinking again")
    request = await card(emulator, world, 1)
    asked = await (await emulator.run_command(world.member, world.general, "forgetme")).response()
    forget_press = await emulator.press_button(
        world.member, asked.message, f"kindred:forget:delete:{world.member.id}"
    )
    claim_press = await emulator.press_button(world.peer, request, "kindred:req:claim:1")
    await forget_press.response()
    claimed = await claim_press.answer()
    assert "no longer exists" in claimed.text, claimed.text
    await emulator.gateway_idle()
    assert await kindred.services.peers.requests.requests.get(1) is None
    threads = [
        c
        for c in emulator.channels.values()
        if getattr(c, "parent_id", None) == world.support.id and not c.archived
    ]
    assert not threads


async def test_feedback_pressed_twice_is_counted_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Once the feedback question is answered its buttons are gone (no second answer can be
    given), and one answer is counted."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    request = await kindred.services.peers.requests.get(1)
    thread = emulator.channels[request.thread_id]
    closing = await emulator.run_command(
        world.member, thread, "support", options={"action": "close"}
    )
    await closing.response()
    dm = emulator.dm_channel(world.member)
    question = await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)
    first = await emulator.press_button(world.member, question, "kindred:fb:helped:1")
    assert "counted anonymously" in (await first.response()).text
    assert await kindred.quiet()
    assert emulator.messages[question.id].custom_ids == []
    stats = await kindred.services.peers.requests.stats(world.guild.id, 7)
    assert stats.feedback["helped"] == 1 and stats.feedback["not_really"] == 0


async def test_a_block_in_one_server_does_not_stop_requests_in_another(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A block is one community's decision: blocked in Haven, the member can still ask for a
    peer in Riverside Circle, and the card there says nothing about the block."""
    world2 = second_server(emulator, emulator.create_user("ren"))
    emulator.add_member(world2.guild, world.member)
    await setup_peers(emulator, world)
    await setup_peers(emulator, world2)
    await command(emulator, world.mod, world.general, "peers block", member=world.member.id)
    answer = await ask(emulator, world2, world.member)
    assert "request #1" in answer.text, answer.text
    posted = await emulator.wait_for_message(
        world2.peers, predicate=lambda m: "Support request #1" in m.text
    )
    assert "block" not in posted.text.lower()


async def test_a_peer_alone_on_duty_asking_for_support_is_not_told_a_peer_is_on_duty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The only peer on duty asks for support for themselves: they can't take their own
    request, so they get the honest "nobody on duty" answer, never "1 peer(s) on duty"."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    answer = await ask(emulator, world, world.peer, topic="my own rough week")
    assert "Your request #1 is in" in answer.text, answer.text
    await kindred.quiet()
    assert "1 peer(s) on duty now" not in answer.text, (
        "the peer who asked is counted as the peer on duty for their own request:\n" + answer.text
    )


async def test_escalation_steps_do_not_count_the_peer_who_asked_among_those_on_duty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The only peer on duty asks for themselves: they can't take their own request, so the
    updates tell them nobody is on duty (never that a peer on duty is busy) and the
    moderators' alert counts nobody on duty."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.peer, topic="my own rough week")
        await card(emulator, world, 1)
        for minutes in (11, 10, 30):  # every step of the chain, the moderators' one included
            clock.shift(timedelta(minutes=minutes))
            await kindred.settle()
        alert = await emulator.wait_for_message(
            world.mods, predicate=lambda m: "Request #1 has waited" in m.text, since=0
        )
        assert "(0 on duty)" in alert.text, alert.text
        dm = emulator.dm_channel(world.peer)
        await emulator.wait_for_messages(3, dm, predicate=lambda m: "An update" in m.text, since=0)
        updates = [m.text for m in emulator.bot_messages(dm) if "An update" in m.text]
        assert all("No peer is on duty right now" in t for t in updates), updates
        assert "moderators know you're waiting" in updates[-1], updates[-1]


async def test_an_anonymous_peer_alone_on_duty_is_not_told_a_peer_was_reminded(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An anonymous request pings every peer on duty, its member too (leaving them out would
    show peers who asked), but the member's own update never counts them as reminded."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.peer, topic="my own rough week", anonymous="yes")
        await card(emulator, world, 1)
        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        dm = emulator.dm_channel(world.peer)
        update = await emulator.wait_for_message(dm, predicate=lambda m: "An update" in m.text)
        assert "have been reminded" not in update.text, update.text
        assert "No peer is on duty right now" in update.text, update.text


async def test_peers_stats_do_not_rewrite_past_counts_when_a_member_forgets_their_data(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/peers stats` counted "opened 1 · claimed 1"; once the member used /forgetme it
    showed "opened 0 · claimed 0" and no median or busiest hour, as if the request (and the
    peer's work on it) never happened: the figures were read from the rows /forgetme
    deletes. The period's counts stay, kept without the member's identity."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member2)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text)
    await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)

    async def stats() -> str:
        run = await emulator.run_command(world.mod, world.general, "peers stats")
        return (await run.answer()).text

    before = await stats()
    assert "opened 1 · claimed 1" in before, before
    await forget(emulator, world.member2, world.general)
    after = await stats()
    assert "opened 1 · claimed 1" in after, after
    # the median wait and the busiest hour are still there, as before
    assert after == before, (before, after)


async def test_a_shift_end_hand_off_dm_discord_failed_for_a_moment_still_reaches_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """When a peer's shift ends while they hold a request, the "your shift has ended" DM with
    the Keep / Hand off buttons that Discord answered with a 503 is tried again later and
    arrives once (a refusal, 403, is given up: see the closed-DMs tests)."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        dm = emulator.dm_channel(world.peer)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(dm, predicate=lambda m: "shift has started" in m.text)
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
        fault = emulator.inject_fault("POST", f"/channels/{dm.id}/messages", status=503, times=None)
        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await kindred.quiet()
        assert fault.hits >= 1  # the DM was tried and Discord failed
        emulator.clear_faults()
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        for minute in (1, 2, 5, 10, 20, 40):
            clock.move_to(datetime(2026, 11, 23, 10, minute, 5, tzinfo=UTC))
            await kindred.settle()
        await kindred.quiet()
        ended = [m for m in emulator.bot_messages(dm) if "shift has ended" in m.text]
        assert len(ended) == 1, [m.text[:80] for m in emulator.bot_messages(dm)]
        assert any("kindred:handoff:give" in c for c in ended[0].custom_ids), ended[0].custom_ids


async def test_a_shift_start_dm_discord_failed_for_a_moment_arrives_once_after_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The shift's reminder to a peer whose DMs are closed is given up (no retry stored);
    "your shift has started", answered with a 503, is stored to try again, survives a
    restart, and arrives once."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        dm = emulator.dm_channel(world.peer)
        emulator.user_dms_open(world.peer, False)
        clock.move_to(datetime(2026, 11, 23, 8, 50, 5, tzinfo=UTC))
        await kindred.settle()
        await kindred.quiet()
        timers = await kindred.services.scheduler.timers.all()
        assert not [t for t in timers if t.kind == "duty.dm_retry"]  # a refusal: given up
        emulator.user_dms_open(world.peer, True)
        fault = emulator.inject_fault("POST", f"/channels/{dm.id}/messages", status=503, times=None)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await kindred.quiet()
        assert fault.hits >= 1
        timers = await kindred.services.scheduler.timers.all()
        assert [t.payload["dm"] for t in timers if t.kind == "duty.dm_retry"] == ["started"]
        emulator.clear_faults()
        await kindred.restart()
        for minute in (1, 2, 5, 10):
            clock.move_to(datetime(2026, 11, 23, 9, minute, 5, tzinfo=UTC))
            await kindred.settle()
        await kindred.quiet()
        started = [m for m in emulator.bot_messages(dm) if "shift has started" in m.text]
        assert len(started) == 1, [m.text[:80] for m in emulator.bot_messages(dm)]
        assert not [m for m in emulator.bot_messages(dm) if "starts in" in m.text.lower()]
