"""Discord says no, or is slow, or falls over: Kindred explains, and loses nothing."""

from __future__ import annotations

import asyncio

from emulator import DiscordEmulator
from emulator.models import Role
from emulator.permissions import P
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import ask, go_on_duty, setup_peers


def bot_role(emu: DiscordEmulator, world: World) -> Role:
    assert world.guild.bot_role_id is not None
    return emu.role(world.guild, world.guild.bot_role_id)


async def test_missing_send_permission_in_peer_channel_is_named_and_request_kept(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    emulator.set_overwrite(
        world.peers, bot_role(emulator, world), allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
    )
    await emulator.gateway_idle()
    answer = await ask(emulator, world, world.member)
    assert "request #1" in answer.text
    alert = await emulator.wait_for_message(world.mods, predicate=lambda m: "#1" in m.text)
    assert "Send Messages" in alert.text and "stays queued" in alert.text
    assert (await kindred.services.peers.requests.get(1)).status == "open"


async def test_server_error_on_card_is_retried_and_the_card_arrives_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    fault = emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=500)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, timeout=10
    )
    assert fault.hits == 1
    assert (
        len([m for m in emulator.messages_in(world.peers) if "Support request #1" in m.text]) == 1
    )
    async with asyncio.timeout(5):  # the card id is stored right after Discord answers
        while (await kindred.services.peers.requests.get(1)).card_message_id != card.id:
            await asyncio.sleep(0.02)


async def test_thread_creation_refused_falls_back_to_the_relay_and_tells_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.inject_fault("POST", f"/channels/{world.support.id}/threads", status=403, code=50013)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    claim = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    claimed = await claim.original_response()
    assert "I relay it" in claimed.text
    alert = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "private thread" in m.text
    )
    assert "Create Private Threads" in alert.text
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "picked up your request" in m.text
    )


async def test_slow_discord_answer_still_completes(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", delay=1.0)
    answer = await ask(emulator, world, world.member)
    assert "request #1" in answer.text
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, timeout=10
    )


async def test_member_who_left_before_the_claim_is_not_lost(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    emulator.remove_member(world.guild, world.member)
    await emulator.gateway_idle()
    claim = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    claimed = await claim.original_response()
    assert "You claimed request #1" in claimed.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "claimed"
    # Kindred still reaches the member by DM (a thread they can't see would lose them).
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "picked up your request" in m.text
    )


async def test_card_that_failed_is_posted_again_at_the_next_reminder(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        role = bot_role(emulator, world)
        emulator.set_overwrite(
            world.peers, role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
        )
        await emulator.gateway_idle()
        await ask(emulator, world, world.member)
        await emulator.wait_for_message(world.mods, predicate=lambda m: "#1" in m.text)
        emulator.set_overwrite(world.peers, role, allow=int(P.VIEW_CHANNEL | P.SEND_MESSAGES))
        await emulator.gateway_idle()
        clock.shift(timedelta(minutes=11))
        await kindred.settle()
        card = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Support request #1" in m.text
        )
        assert "kindred:req:claim:1" in card.custom_ids
        assert (await kindred.services.peers.requests.get(1)).card_message_id == card.id
