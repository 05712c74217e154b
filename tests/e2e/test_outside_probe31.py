"""Outside probe, round 31: the peer-support and safety side, as members, peers and
moderators met it (each test says what someone did and what went wrong before its fix; a probe
that found no defect says so)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import ask, go_on_duty, press_claim, setup_peers
from tests.e2e.test_support_flows import MONDAY_8, add_shift_9_to_10, card, give_id


async def test_a_shift_end_hand_off_pressed_later_leaves_requests_claimed_since_with_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer's Monday shift ends while they hold request #1: Kindred DMs them "keep them or
    hand them to the next on-duty peer". They don't answer at once; later they go `/duty on`
    again and claim request #2, and are talking with its member. Then they press the old DM's
    **hand them on**, meaning the request of the shift that ended. Defect: every request they
    hold now was handed back, #2 too: its member, in the middle of a conversation, was told
    their request is back in the queue and their thread was closed. Expected: the hand-off
    is the answer to the question it came with: the requests held when that shift ended (#1)
    go back to the queue, one claimed since (#2) stays with the peer."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        await ask(emulator, world, world.member)
        await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)

        clock.move_to(datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
        await kindred.settle()
        dm = emulator.dm_channel(world.peer)
        ended = await emulator.wait_for_message(dm, predicate=lambda m: "shift has ended" in m.text)

        clock.move_to(datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member2)
        await press_claim(emulator, world.peer, await card(emulator, world, 2), 2)
        second = await kindred.services.peers.requests.get(2)
        assert second.status == "claimed" and second.thread_id is not None
        member2_dm = emulator.dm_channel(world.member2)
        before = len(emulator.bot_messages(member2_dm))

        clock.move_to(datetime(2026, 11, 23, 10, 45, tzinfo=UTC))
        await kindred.restart()  # a DM's button outlives a restart
        give = give_id(ended, world.guild.id)
        await (await emulator.press_button(world.peer, ended, give)).response()
        await emulator.wait_until(
            lambda: "Handed" in emulator.messages[ended.id].text,
            what="the hand-off to finish",
        )
        await kindred.quiet()
        handed = emulator.messages[ended.id].text
        assert "Handed 1 request" in handed, handed
        assert (await kindred.services.peers.requests.get(1)).status == "open"
        kept = await kindred.services.peers.requests.get(2)
        assert kept.status == "claimed" and kept.claimed_by == world.peer.id, kept
        told = [m.text for m in emulator.bot_messages(member2_dm)[before:]]
        assert not any("back in the queue" in t for t in told), told
        thread = emulator.channels[second.thread_id]
        assert not thread.archived and not thread.locked, (thread.archived, thread.locked)


async def test_a_peer_whose_shift_starts_is_told_of_the_members_waiting_as_duty_on_tells_them(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nobody is on duty at 08:00 on Monday; a peer's shift starts at 09:00. A member asks
    for support and is told the next peer is expected then; the escalation chain runs its
    course (the moderators are told at 08:45) and pings nobody after. At 09:00 the shift
    starts and Kindred DMs the peer. Defect: the DM said only "Your shift has started: you're
    on duty until 10:00", not that a member had been waiting for an hour, though `/duty on`
    says "1 request(s) are waiting in the peer channel"; nothing else pinged them, so the
    member the server promised a peer at 09:00 went on waiting unseen. Expected: the shift's
    DM says how many requests wait, as `/duty on` does."""
    with time_machine.travel(MONDAY_8, tick=True) as clock:
        await setup_peers(emulator, world)
        await add_shift_9_to_10(emulator, world)
        answer = await ask(emulator, world, world.member)
        assert "next peer is expected" in answer.text, answer.text
        clock.move_to(datetime(2026, 11, 23, 8, 50, tzinfo=UTC))
        await kindred.settle()
        await emulator.wait_for_message(world.mods, predicate=lambda m: "#1" in m.text)
        clock.move_to(datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
        await kindred.settle()
        dm = emulator.dm_channel(world.peer)
        started = await emulator.wait_for_message(
            dm, predicate=lambda m: "shift has started" in m.text
        )
        assert "1 request(s) are waiting in the peer channel" in started.text, started.text


async def test_a_member_who_cancels_while_the_claim_opens_their_thread_is_not_left_in_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer presses Claim; while Discord is slow to make the private thread, the member
    runs `/support action:cancel` (they changed their mind). The cancel comes first to the
    request: it is closed. Defect: the claim carried on as if nothing had happened: the thread
    was made with both in it, welcomed them with Close and transcript buttons, and stayed
    open, a live conversation for a request that is closed, whose Close then says it has
    already ended. Expected: a conversation for a request that ended meanwhile is closed off
    as a close would (its closing line, archived and locked)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    emulator.inject_fault("POST", f"/channels/{world.support.id}/threads", delay=2.0)
    claim = await emulator.press_button(world.peer, message, "kindred:req:claim:1")
    await emulator.wait_until(
        lambda: emulator.calls_matching("POST", f"/channels/{world.support.id}/threads"),
        what="the claim to ask for its thread",
    )
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    await cancelled.answer()
    told = await claim.original_response()
    assert "no longer open" in told.text, told.text
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    assert request.status in ("closed", "cancelled"), request.status
    threads = [c for c in emulator.channels.values() if getattr(c, "name", "") == "Support #1"]
    assert threads, "no thread was made"
    for thread in threads:
        member_inside = world.member.id in thread.thread_members
        assert thread.deleted or (thread.archived and thread.locked) or not member_inside, (
            thread.archived,
            thread.locked,
            thread.thread_members,
        )


async def test_a_member_who_cancels_while_the_claim_opens_the_relay_is_not_told_it_was_picked_up(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same race for an anonymous request: while Discord is slow to make the peer's relay
    thread, the member cancels. Defect: the relay opened all the same, and the member, who had
    just been told their request was closed, got a DM saying a peer had picked it up (their
    words would go nowhere: the request is closed). Expected: no "picked up" DM, the relay
    thread taken down, and the peer told the request is no longer open."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    message = await card(emulator, world, 1)
    emulator.inject_fault("POST", f"/channels/{world.peers.id}/threads", delay=2.0)
    claim = await emulator.press_button(world.peer, message, "kindred:req:claim:1")
    await emulator.wait_until(
        lambda: emulator.calls_matching("POST", f"/channels/{world.peers.id}/threads"),
        what="the claim to ask for its relay thread",
    )
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    await cancelled.answer()
    told = await claim.original_response()
    assert "no longer open" in told.text, told.text
    assert await kindred.quiet()
    member_dm = emulator.dm_channel(world.member)
    said = [m.text for m in emulator.bot_messages(member_dm)]
    assert not [t for t in said if "picked up" in t], said
    relays = [c for c in emulator.channels.values() if getattr(c, "name", "") == "Relay #1"]
    assert relays and all(r.deleted or (r.archived and r.locked) for r in relays), relays


async def test_a_peer_who_lost_the_role_pressing_an_alert_button_lets_go_of_what_they_held(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer on duty holds request #1 (member2's) and said "I'll reach out" on an alert about
    the member. Their peer role is taken away; the next thing they do is press "I'll reach
    out" on a new alert about member2. It is refused (they are no peer any more). Defect:
    nothing else happened: they stayed on duty, request #1 stayed with them (its member
    writing to someone who can no longer read the thread) and the member's alert stayed
    "being reached out to" by nobody, though the peer guide says the role is checked on every
    peer action, and without it you are taken off duty and what you hold is offered again.
    Expected: as at a request button: off duty, request #1 back in the queue (its member told),
    and the alert they took offered to the peers on duty again."""
    from tests.e2e.test_safety import alert_about, alert_button

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member2)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    taken = await alert_about(emulator, world, world.member)
    await (await emulator.press_button(world.peer, taken, alert_button(taken, "alert"))).response()
    assert f"✅ <@{world.peer.id}> is reaching out" in emulator.messages[taken.id].text

    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    fresh = await alert_about(emulator, world, world.member2)
    pressed = await emulator.press_button(world.peer, fresh, alert_button(fresh, "alert"))
    refused = await pressed.answer()
    # told, as a peer command tells them, which of their requests went back
    assert refused.ephemeral and "The requests you held (#1) are back in the queue" in (
        refused.text
    ), refused.text
    await emulator.wait_for_message(world.peers, predicate=lambda m: "needs a peer again" in m.text)
    assert await kindred.quiet()
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
    assert (await kindred.services.peers.requests.get(1)).status == "open"
    card_now = emulator.messages[taken.id]
    assert any(c.startswith("kindred:alert:") for c in card_now.custom_ids), card_now.custom_ids
    member2_dm = emulator.dm_channel(world.member2)
    assert any("back in the queue" in m.text for m in emulator.bot_messages(member2_dm))


async def test_the_crisis_reply_to_a_member_blocked_from_peer_support_offers_no_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator blocked a member from peer support (`/peers block`). Later the member
    writes in a channel that they want to kill themselves. Kindred's private reply said "A
    peer from this community can talk with you now: press **Talk to a peer**", with the
    button; pressed, it showed the request form, and only after the member had written what
    was going on were they told "I can't open a peer request for you in this server". Round
    14 fixed this very thing for a DM saying "I need to talk" (no button for a server where
    they are blocked); the crisis reply, to someone in crisis, was left offering it.
    Expected: the reply offers no peer in that server (no button, no line asking to press it)
    and keeps its lines; `/crisis` too; and a Talk to a peer button pressed anyway (an older
    reply, a panel) answers at once, kindly, with the lines, never with a form."""
    from tests.e2e.test_detector import CRISIS
    from tests.e2e.test_support_flows import command

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    talk = f"kindred:talk:{world.guild.id}:en"
    await emulator.send_message(world.member2, world.general, CRISIS)
    dm2 = emulator.dm_channel(world.member2)
    reply2 = await emulator.wait_for_message(dm2, predicate=lambda m: "automated bot" in m.text)
    assert talk in reply2.custom_ids  # not blocked: offered, as before

    await command(emulator, world.mod, world.general, "peers block",
                  member=world.member.id, reason="spam")  # fmt: skip
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = emulator.dm_channel(world.member)
    reply = await emulator.wait_for_message(dm, predicate=lambda m: "automated bot" in m.text)
    assert not any(c.startswith("kindred:talk:") for c in reply.custom_ids), reply.custom_ids
    assert "Talk to a peer" not in reply.text, reply.text
    assert "findahelpline.com" in reply.text, reply.text
    assert "kindred:safety:optout:en" in reply.custom_ids

    crisis = await command(emulator, world.member, world.general, "crisis")
    assert "kindred:talk:" not in str(crisis.components), crisis.components
    assert "Talk to a peer" not in crisis.text, crisis.text

    await command(emulator, world.mod, world.general, "peers panel", channel=world.general.id)
    panel = await emulator.wait_for_message(
        world.general, predicate=lambda m: f"kindred:talk:{world.guild.id}" in m.custom_ids
    )
    pressed = await emulator.press_button(world.member, panel, f"kindred:talk:{world.guild.id}")
    answer = await pressed.response()
    assert not answer.is_modal, "a blocked member was shown the request form"
    assert answer.ephemeral and "You still matter" in answer.text, answer.text
    assert "findahelpline.com" in answer.text, answer.text


async def test_a_peer_going_on_duty_is_not_counted_their_own_waiting_request(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who asked for support themselves (peers are people too) and then goes on duty
    was told their own request was among those waiting for them: it is not one they can
    take. Only the others are counted."""
    await setup_peers(emulator, world)
    await ask(emulator, world, world.peer, summary="my own week")
    await ask(emulator, world, world.member, summary="a member's words")
    answer = await (await emulator.run_command(world.peer2, world.general, "duty on")).response()
    assert "2 request(s) are waiting" in answer.text, answer.text
    own = await (await emulator.run_command(world.peer, world.general, "duty on")).response()
    assert "You're on duty" in own.text and "1 request(s) are waiting" in own.text, own.text


@pytest.mark.parametrize("slow_take_back", [False, True], ids=["quick", "slow-take-back"])
async def test_a_member_who_cancels_while_their_thread_is_welcomed_is_not_welcomed_after(
    emulator: DiscordEmulator, world: World, kindred: Kindred, slow_take_back: bool
) -> None:
    """The same race one step later: the private thread is made and recorded, and while
    Discord is slow to take the welcome, the member runs `/support action:cancel`. Defect:
    the welcome (with its Close and transcript buttons) stayed in the ended conversation, and
    the peer was told their thread was ready. Expected: the welcome taken back, the peer told
    the request is no longer open, and the thread closed off once (its closing line,
    archived and locked: the cancel's, whose messages to the thread wait behind the
    welcome). With ``slow_take_back`` Discord is slow to delete the welcome too, and the
    cancel's archiving lands first: Discord refuses to delete a message in an archived
    thread, so Kindred unarchives it a moment, takes the welcome back and archives it again."""
    if slow_take_back:
        emulator.inject_fault("DELETE", "/channels/{channel_id}/messages/{message_id}", delay=1.5)
    thread, claim = await _claim_with_a_slow_welcome(emulator, world)
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    await cancelled.answer()
    await _closed_off_without_a_welcome(emulator, world, kindred, thread, claim)


async def test_a_request_closed_by_another_process_while_its_thread_is_welcomed_stays_closed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """In a cluster another Kindred process may handle the cancel: its closing line and its
    archiving reach Discord while this process's welcome is still on its way (emulated here:
    the request closed in the database, the thread closed off as that process does). A
    message sent to an archived thread unarchives it. Defect: the welcome opened the ended
    conversation again under its closing line. Expected: the welcome taken back and the
    thread archived and locked again, the peer told the request is no longer open."""
    thread, claim = await _claim_with_a_slow_welcome(emulator, world)
    await kindred.services.peers.requests.cancel_own(world.guild.id, world.member.id)
    closing = emulator._build_message(
        thread, emulator.bot_user, {"content": "This conversation is closed. Take care."}, []
    )
    emulator._store_message(closing)
    thread.archived = thread.locked = True
    emulator.dispatch("THREAD_UPDATE", thread.to_payload(me_id=emulator.bot_user.id))
    await _closed_off_without_a_welcome(emulator, world, kindred, thread, claim)


async def _claim_with_a_slow_welcome(emulator: DiscordEmulator, world: World):
    """A peer claims request #1; its thread is made and recorded, its welcome slow (2 s)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    message = await card(emulator, world, 1)
    slow = emulator.inject_fault("POST", "/channels/{channel_id}/messages", delay=2.0)
    claim = await emulator.press_button(world.peer, message, "kindred:req:claim:1")
    thread = await emulator.wait_until(
        lambda: next(
            (c for c in emulator.channels.values() if getattr(c, "name", "") == "Support #1"),
            None,
        ),
        what="the claim's thread",
    )
    await emulator.wait_until(
        lambda: slow.hits and emulator.calls_matching("POST", f"/channels/{thread.id}/messages"),
        what="the welcome to be on its way (slowly)",
    )
    return thread, claim


async def _closed_off_without_a_welcome(emulator, world, kindred, thread, claim) -> None:
    told = await claim.original_response()
    assert "no longer open" in told.text, told.text
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    assert request.status in ("closed", "cancelled"), request.status
    assert thread.archived and thread.locked, (thread.archived, thread.locked)
    said = [m.text for m in emulator.bot_messages(thread)]
    assert said and "closed" in said[-1].lower(), said
    assert len([t for t in said if t == said[-1]]) == 1, said  # one closing line
    assert not [t for t in said if f"<@{world.peer.id}>" in t], said  # no welcome


async def test_a_member_who_cancels_while_told_a_peer_picked_up_is_not_left_told_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The relay's version of the race: the peer's relay thread is made and recorded, and
    while Discord is slow to take the member's "a peer picked up your request" DM, the member
    cancels (`/support action:cancel`). Defect: that DM, with its Close and transcript buttons,
    arrived after the member was told their request was cancelled, the peer's relay thread got
    its welcome after its closing line (which unarchives it: the ended relay open again), and
    the peer was told the relay was ready. Expected: the picked-up DM and the welcome taken
    back, the relay thread closed off once (archived and locked), the peer told the request
    is no longer open."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    message = await card(emulator, world, 1)
    slow = emulator.inject_fault("POST", "/channels/{channel_id}/messages", delay=2.0)
    claim = await emulator.press_button(world.peer, message, "kindred:req:claim:1")
    member_dm = emulator.dm_channel(world.member)
    await emulator.wait_until(
        lambda: slow.hits and emulator.calls_matching("POST", f"/channels/{member_dm.id}/messages"),
        what="the picked-up DM to be on its way (slowly)",
    )
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    await cancelled.answer()
    told = await claim.original_response()
    assert "no longer open" in told.text, told.text
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    assert request.status in ("closed", "cancelled"), request.status
    said = [m.text for m in emulator.bot_messages(member_dm)]
    assert not [t for t in said if "picked up" in t], said
    relays = [c for c in emulator.channels.values() if getattr(c, "name", "") == "Relay #1"]
    assert len(relays) == 1, relays
    relay = relays[0]
    assert relay.deleted or (relay.archived and relay.locked), (relay.archived, relay.locked)
    in_relay = [m.text for m in emulator.bot_messages(relay)]
    assert not [t for t in in_relay if "you're connected" in t], in_relay
