"""Probes from outside that found no defect, kept so what they checked stays true: the same
crisis line in three channels, spoilers, a deleted message, buttons pressed twice or by two
people at once, a language changed mid-flow, a relay thread locked or deleted, DMs closed."""

from __future__ import annotations

import asyncio

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_core import answer, forget_id
from tests.e2e.test_safety import CRISIS, bot_dms
from tests.e2e.test_support import (
    ask,
    card_for,
    go_on_duty,
    press_claim,
    relayed_conversation,
    setup_peers,
)


def alerts(emu: DiscordEmulator, world: World) -> list:
    return [m for m in emu.messages_in(world.peers) if "may need support" in m.text]


async def claimed_thread(emulator: DiscordEmulator, world: World, kindred: Kindred):
    """Request #1, asked by the member and claimed by the peer (peer2 on duty too): its
    private thread and its card."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    request = await kindred.services.peers.requests.get(1)
    return emulator.channels[request.thread_id], card_for(emulator, world, 1)


async def test_a_crisis_line_in_three_channels_within_a_minute_is_one_dm_and_one_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    second = emulator.create_channel(world.guild, "chat-2")
    third = emulator.create_channel(world.guild, "chat-3")
    for channel in (world.general, second, third):
        await emulator.send_message(world.member, channel, CRISIS)
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await emulator.gateway_idle()
    await detector_settled(kindred)
    await emulator.gateway_idle()
    assert len(bot_dms(emulator, world.member)) == 1, [
        m.text for m in bot_dms(emulator, world.member)
    ]
    assert len(alerts(emulator, world)) == 1, [m.text for m in alerts(emulator, world)]


async def test_a_crisis_line_in_spoiler_bars_is_noticed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, f"||{CRISIS}||")
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "automated bot" in dm.text


async def test_a_crisis_line_deleted_right_after_sending_still_reaches_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Deleting a hard message at once is common (regret, shame); the member still gets the
    private lines, and the peers' alert does not point at nothing without saying so."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    message = await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.delete_message_as_user(message)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "automated bot" in dm.text


async def test_close_pressed_by_member_and_peer_at_once_closes_once_and_answers_both_kindly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    thread, card = await claimed_thread(emulator, world, kindred)
    opening = next(m for m in emulator.messages_in(thread) if "kindred:req:close:1" in m.custom_ids)
    first, second = await asyncio.gather(
        emulator.press_button(world.member, opening, "kindred:req:close:1"),
        emulator.press_button(world.peer, card, "kindred:req:close:1"),
    )
    answers = [await first.answer(), await second.answer()]
    texts = [a.text for a in answers]
    assert all(a.ephemeral for a in answers), texts
    assert all("went wrong" not in t.lower() and "error" not in t.lower() for t in texts), texts
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)
    await emulator.gateway_idle()
    asked = [m for m in emulator.bot_messages(dm) if "Did it help" in m.text]
    assert len(asked) == 1, [m.text for m in emulator.bot_messages(dm)]
    # the second presser is told it was already closed, not "Closed" as if they did it
    assert sum("already" in t.lower() for t in texts) == 1, texts


async def test_close_pressed_twice_on_the_card_sends_one_feedback_question(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    _, card = await claimed_thread(emulator, world, kindred)
    first = await emulator.press_button(world.peer, card, "kindred:req:close:1")
    second = await emulator.press_button(world.peer, card, "kindred:req:close:1")
    texts = [(await first.answer()).text, (await second.answer()).text]
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)
    await emulator.gateway_idle()
    asked = [m for m in emulator.bot_messages(dm) if "Did it help" in m.text]
    assert len(asked) == 1, texts
    assert sum("already" in t.lower() for t in texts) == 1, texts


async def test_transfer_chosen_twice_hands_over_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    thread, card = await claimed_thread(emulator, world, kindred)
    transfer = await emulator.press_button(world.peer, card, "kindred:req:transfer:1")
    chooser = await transfer.response()
    select_id = chooser.message.custom_ids[0]
    first = await emulator.select(world.peer, chooser.message, select_id, [str(world.peer2.id)])
    second = await emulator.select(world.peer, chooser.message, select_id, [str(world.peer2.id)])
    texts = [(await first.answer()).text, (await second.answer()).text]
    await emulator.wait_for_message(thread, predicate=lambda m: "is taking over" in m.text)
    await emulator.wait_until(
        lambda: world.peer.id not in emulator.channels[thread.id].thread_members,
        what="the old peer out of the thread",
    )
    await emulator.gateway_idle()
    await kindred.quiet()
    takeovers = [m for m in emulator.bot_messages(thread) if "is taking over" in m.text]
    assert len(takeovers) == 1, [m.text for m in takeovers]
    assert sum("Transferred request #1" in t for t in texts) == 1, texts


async def test_delete_everything_and_keep_my_data_pressed_together_never_says_nothing_was_deleted(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await answer(emulator, world.member, world.general, "timezone set", zone="Europe/Paris")
    asked = await answer(emulator, world.member, world.general, "forgetme")
    delete = await emulator.press_button(world.member, asked.message, forget_id(world.member))
    keep = await emulator.press_button(world.member, asked.message, forget_id(world.member, "keep"))
    await delete.response()
    await keep.response()
    await emulator.gateway_idle()
    assert await kindred.services.zones.own(world.member.id) is None  # it was deleted
    final = emulator.messages[asked.message.id].text
    assert "Nothing was deleted" not in final, final


async def test_a_member_writing_after_a_moderator_locked_the_relay_thread_is_told(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, dm = await relayed_conversation(emulator, world, kindred)
    thread = emulator.channels[relay.id]
    thread.archived = True
    thread.locked = True
    emulator.dispatch("THREAD_UPDATE", thread.to_payload(me_id=emulator.bot_user.id))
    await emulator.gateway_idle()
    before = len(emulator.bot_messages(dm))
    await emulator.send_dm(world.member, "hello? are you there")
    await kindred.quiet()
    relayed = [m for m in emulator.bot_messages(relay) if "hello? are you there" in m.text]
    after = emulator.bot_messages(dm)[before:]
    assert relayed or after, "the member's words went nowhere and they were not told"


async def test_crisis_dm_buttons_pressed_after_language_set_answer_in_the_new_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import go_on_duty, setup_peers

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    chosen = await (
        await emulator.run_command(
            world.member, world.general, "language set", options={"language": "es"}
        )
    ).response()
    assert chosen.ephemeral
    talk = next(c for c in dm.custom_ids if c.startswith("kindred:talk:"))
    opened = await (await emulator.press_button(world.member, dm, talk)).response()
    assert opened.is_modal
    assert opened.title and "support" not in opened.title.lower(), opened.title
    optout = await (
        await emulator.press_button(world.member, dm, "kindred:safety:optout:en")
    ).response()
    assert "mensajes" in optout.text.lower() or "no te" in optout.text.lower(), optout.text


async def test_a_peer_closes_a_request_whose_thread_went_while_kindred_missed_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The thread is gone but Kindred never heard (offline then): the request is still
    claimed, and Close still works. (With the event, the request goes back to the queue:
    tests/e2e/test_support.py.)"""
    thread, card = await claimed_thread(emulator, world, kindred)
    emulator.channel(thread).deleted = True  # no THREAD_DELETE event
    await emulator.gateway_idle()
    pressed = await emulator.press_button(world.peer, card, "kindred:req:close:1")
    closed = await pressed.answer()
    assert "went wrong" not in closed.text.lower() and "incident" not in closed.text.lower()
    assert (await kindred.services.peers.requests.get(1)).status == "closed"
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)


async def test_a_member_with_dms_closed_closes_the_thread_and_is_answered(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:

    thread, _ = await claimed_thread(emulator, world, kindred)
    emulator.user_dms_open(world.member, False)
    closing = await emulator.run_command(
        world.member, thread, "support", options={"action": "close"}
    )
    said = await closing.answer()
    assert "Closed" in said.text, said.text
    assert (await kindred.services.peers.requests.get(1)).status == "closed"
