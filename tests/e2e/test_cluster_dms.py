"""DMs in a cluster (issue #14): Discord delivers every DM, and every interaction in a DM, to
shard 0, so the process owning shard 0 handles a member's DMs even when the server they ask
in lives on another process's shard. Three Kindred processes on one PostgreSQL database and
an emulator with 3 shards; the member's server is on shard 2.

Asserted on what the emulator really received (messages, REST calls, which session got which
event) and on what is stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.bot import ShardedKindredBot
from bot.clock import utcnow
from bot.config import shard_of
from bot.sandbox import World, build_world
from emulator import DiscordEmulator
from emulator.models import Message
from tests.e2e.test_cluster import SHARDS, ClusterRunner
from tests.e2e.test_support import go_on_duty, press_claim, setup_peers
from tests.e2e.test_support_flows import give_id
from tests.helpers.postgres import Cluster

pytestmark = pytest.mark.pg

HOME = 2  # the shard of the member's server: not shard 0, where their DMs arrive


async def world_on_shard(emu: DiscordEmulator, shard: int) -> World:
    """The tests' server (build_world), created again until its id falls on ``shard``."""
    for _ in range(200):
        world = build_world(emu)
        if shard_of(world.guild.id, SHARDS) == shard:
            return world
        await asyncio.sleep(0.002)  # snowflakes carry milliseconds: move on
    raise AssertionError(f"no guild landed on shard {shard}")


@pytest.fixture
async def cluster(
    emulator: DiscordEmulator, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[World, list[ClusterRunner]]]:
    monkeypatch.setattr(ShardedKindredBot, "identify_spacing", 0.2)
    emulator.shard_count = SHARDS
    world = await world_on_shard(emulator, HOME)
    url = await pg_cluster.create_schema()
    runners = [ClusterRunner(emulator, url, i) for i in range(SHARDS)]
    try:
        for runner in runners:
            await runner.start()
        yield world, runners
    finally:
        for runner in runners:
            await runner.stop()


def received_by(emu: DiscordEmulator, event: str, object_id: int) -> list[int]:
    """The shards whose sessions were sent this event (by its object's id)."""
    return sorted(s.shard[0] for s in emu.sessions_sent(event, object_id) if s.shard is not None)


def cards(emu: DiscordEmulator, world: World, request_id: int) -> list[Message]:
    return [m for m in emu.bot_messages(world.peers) if f"Support request #{request_id}" in m.text]


def card_posts(emu: DiscordEmulator, world: World) -> int:
    """POSTs of a message with a Claim button in the peers' channel (what Discord received)."""
    return sum(
        1
        for call in emu.calls_matching("POST", "/channels/{channel_id}/messages")
        if call.path == f"/channels/{world.peers.id}/messages"
        and "kindred:req:claim:" in str(call.json)
    )


async def ask_by_dm(emu: DiscordEmulator, world: World, user, offer: Message) -> str:
    """Press the offered "Talk to a peer" button in the DM and send the form."""
    custom_id = f"kindred:talk:{world.guild.id}:en"
    assert custom_id in offer.custom_ids, offer.custom_ids
    pressed = await emu.press_button(user, offer, custom_id)
    assert received_by(emu, "INTERACTION_CREATE", pressed.id) == [0]
    assert (await pressed.response()).is_modal
    submitted = await pressed.submit_modal(
        {"topic": "rough week", "summary": "", "tags": "", "anonymous": "no"}
    )
    assert received_by(emu, "INTERACTION_CREATE", submitted.id) == [0]
    return (await submitted.response()).text


async def test_dm_intake_card_claim_and_relay_across_processes(
    emulator: DiscordEmulator, cluster: tuple[World, list[ClusterRunner]]
) -> None:
    world, runners = cluster
    home = runners[HOME]
    assert world.guild.id in {g.id for g in home.bot.guilds}
    assert world.guild.id not in {g.id for g in runners[0].bot.guilds}
    await setup_peers(emulator, world, conversation="relay")
    await go_on_duty(emulator, world, world.peer)

    # The plea arrives at shard 0, whose process does not have the server in its cache.
    dm = emulator.dm_channel(world.member)
    plea = await emulator.send_dm(world.member, "hey, I need to talk to someone")
    assert received_by(emulator, "MESSAGE_CREATE", plea.id) == [0]
    offer = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids))
    assert world.guild.name in str(offer.components)
    answer = await ask_by_dm(emulator, world, world.member, offer)
    assert "request #1" in answer

    card = await emulator.wait_for_message(world.peers, predicate=lambda m: "#1" in m.text)
    assert f"<@{world.peer.id}>" in (card.content or "")  # the on-duty peer is pinged
    await home.quiet()
    assert len(cards(emulator, world, 1)) == 1 and card_posts(emulator, world) == 1
    stored = await home.services.peers.requests.get(1)
    assert stored.card_message_id == card.id and stored.status == "open"

    # The peer claims in the server (its own process); the relay opens.
    claimed = await press_claim(emulator, world.peer, card, 1)
    assert "You claimed request #1" in claimed.text
    picked = await emulator.wait_for_message(dm, predicate=lambda m: "picked up" in m.text)
    assert picked.author.id == emulator.bot_user.id
    request = await runners[0].services.peers.requests.get(1)
    assert request.status == "claimed" and request.relay and request.thread_id
    relay = emulator.channels[request.thread_id]

    # Member → peer: the DM (shard 0) reaches the relay thread in the shard-2 server, once.
    said = await emulator.send_dm(world.member, "it has been a long week")
    forwarded = await emulator.wait_for_message(relay, predicate=lambda m: "long week" in m.text)
    assert forwarded.author.id == emulator.bot_user.id
    # Peer → member: the thread message (shard 2) reaches the member's DM, once.
    answered = await emulator.send_message(world.peer, relay, "I'm here, take your time")
    back = await emulator.wait_for_message(dm, predicate=lambda m: "take your time" in m.text)
    assert back.text.startswith("**Peer:**")
    assert received_by(emulator, "MESSAGE_CREATE", answered.id) == [HOME]
    for runner in runners:
        await runner.quiet()
    assert len([m for m in emulator.bot_messages(relay) if "long week" in m.text]) == 1
    assert len([m for m in emulator.bot_messages(dm) if "take your time" in m.text]) == 1
    assert len(cards(emulator, world, 1)) == 1 and card_posts(emulator, world) == 1
    relayed = await home.services.db.fetchall(
        "SELECT message_id FROM relayed_messages ORDER BY message_id"
    )
    assert [r[0] for r in relayed] == sorted([said.id, answered.id])

    # The member closes from the DM (shard 0): the card in the shard-2 server says so, the
    # relay thread is archived, and the member is asked for feedback, once.
    close = await emulator.press_button(world.member, picked, "kindred:req:close:1")
    assert received_by(emulator, "INTERACTION_CREATE", close.id) == [0]
    assert "Closed" in (await close.response()).text
    await emulator.wait_for_message(dm, predicate=lambda m: "Did it help?" in m.text)
    for runner in runners:
        await runner.quiet()
    assert (await home.services.peers.requests.get(1)).status == "closed"
    assert "Closed" in emulator.messages[card.id].text
    assert emulator.channels[relay.id].archived
    assert len([m for m in emulator.bot_messages(dm) if "Did it help?" in m.text]) == 1


async def test_personal_checkin_answered_by_dm_and_talk_button(
    emulator: DiscordEmulator, cluster: tuple[World, list[ClusterRunner]]
) -> None:
    world, runners = cluster
    home = runners[HOME]
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    set_ = await (
        await emulator.run_command(
            world.member2,
            world.general,
            "checkin me every",
            options={"schedule": "daily 20:00", "tz": "UTC"},
        )
    ).response()
    assert "Your check-in is set" in set_.text
    # Bring the stored check-in forward to now (it is guild-less work: shard 0's process).
    timer = await home.services.scheduler.get("pcheckin:1")
    assert timer is not None and timer.guild_id is None
    await home.services.scheduler.schedule_once(
        timer.kind, utcnow(), timer.payload, key=timer.key, guild_id=timer.guild_id
    )
    dm = emulator.dm_channel(world.member2)
    prompt = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:1" in m.custom_ids, since=0
    )
    low = await emulator.press_button(world.member2, prompt, "kindred:pmood:1")
    assert received_by(emulator, "INTERACTION_CREATE", low.id) == [0]
    reply = await low.response()
    assert "findahelpline" in reply.text
    moods = await home.services.checkins.history(world.member2.id)
    assert [m for _, m in moods] == [1]

    # The reply's "Talk to a peer" button (in the DM) opens a request in the shard-2 server.
    answer = await ask_by_dm(emulator, world, world.member2, reply.message)
    assert "request #1" in answer
    card = await emulator.wait_for_message(world.peers, predicate=lambda m: "#1" in m.text)
    assert f"<@{world.peer.id}>" in (card.content or "")
    for runner in runners:
        await runner.quiet()
    assert len(cards(emulator, world, 1)) == 1 and card_posts(emulator, world) == 1
    assert len([m for m in emulator.bot_messages(dm) if "kindred:pmood:1" in m.custom_ids]) == 1


async def test_shift_end_hand_off_pressed_in_a_dm(
    emulator: DiscordEmulator, cluster: tuple[World, list[ClusterRunner]]
) -> None:
    """The hand-off buttons come by DM: pressed there (shard 0), the card in the shard-2
    server shows the request open again and the next on-duty peer is pinged."""
    world, runners = cluster
    home = runners[HOME]
    await setup_peers(emulator, world)
    on = await (
        await emulator.run_command(world.peer, world.general, "duty on", options={"until": "2h"})
    ).response()
    assert "You're on duty" in on.text
    opened = await emulator.run_command(world.member, world.general, "support")
    assert (await opened.response()).is_modal
    await (
        await opened.submit_modal({"topic": "", "summary": "", "tags": "", "anonymous": "no"})
    ).response()
    card = await emulator.wait_for_message(world.peers, predicate=lambda m: "#1" in m.text)
    await press_claim(emulator, world.peer, card, 1)
    await go_on_duty(emulator, world, world.peer2)
    expiry = next(
        t
        for t in await home.services.scheduler.timers.due(utcnow() + timedelta(hours=3), 100)
        if t.kind == "duty.expire"
    )
    # the end time comes now: the row's end moves to now and its timer runs (a timer that
    # ran before the end that counts would rightly leave duty alone)
    duty = home.services.peers.duty
    row = await duty.repo.get(world.guild.id, world.peer.id)
    assert row is not None
    await duty.repo.set_on(
        world.guild.id, world.peer.id, row.since, utcnow(), row.source, row.shift_until
    )
    await home.services.scheduler.schedule_once(
        expiry.kind, utcnow(), expiry.payload, key=expiry.key, guild_id=expiry.guild_id
    )
    dm = emulator.dm_channel(world.peer)
    ended = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids))
    give = give_id(ended, world.guild.id)
    press = await emulator.press_button(world.peer, ended, give)
    assert received_by(emulator, "INTERACTION_CREATE", press.id) == [0]
    await emulator.wait_until(
        lambda: "Handed 1 request" in emulator.messages[ended.id].text,
        what="the hand-off to finish",
    )
    notice = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "handed on at the end of a shift" in m.text
    )
    assert f"<@{world.peer2.id}>" in notice.text
    assert "kindred:req:claim:1" in emulator.messages[card.id].custom_ids
    assert (await home.services.peers.requests.get(1)).status == "open"
