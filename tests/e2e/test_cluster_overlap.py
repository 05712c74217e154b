"""Overlap (issue #14): during a rolling restart the old process is still connected while the
new one identifies for the same shard, and Discord sends each of that shard's events to both.

The setup, the simplest honest one: two Kindred processes configured with the same cluster id
(0 of 3) on one PostgreSQL database, both started without waiting for the ownership lock (as
the new process of a rolling restart connects while the old one has not yet gone), so both
hold shard 0 in the emulator's overlap mode. The server and every DM are on shard 0, so both
processes receive every message, DM and interaction below. A burst of crisis messages, claims
by button, DM relays both ways and check-in posts must each reach Discord once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.bot import ShardedKindredBot
from bot.clock import utcnow
from bot.sandbox import World
from emulator import DiscordEmulator
from tests.e2e.test_cluster import ClusterRunner
from tests.e2e.test_cluster_dms import received_by, world_on_shard
from tests.e2e.test_support import go_on_duty, setup_peers
from tests.helpers.postgres import Cluster

pytestmark = pytest.mark.pg

CRISIS = "honestly i want to kill myself"
MEMBERS = 4


@pytest.fixture
async def overlap(
    emulator: DiscordEmulator, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[World, list[ClusterRunner]]]:
    monkeypatch.setattr(ShardedKindredBot, "identify_spacing", 0.2)
    emulator.shard_count = 3
    emulator.allow_overlap = True
    world = await world_on_shard(emulator, 0)
    url = await pg_cluster.create_schema()
    old, new = ClusterRunner(emulator, url, 0), ClusterRunner(emulator, url, 0)
    try:
        await old.start()
        await new.start()
        yield world, [old, new]
    finally:
        for runner in (old, new):
            await runner.stop()


def callbacks(emu: DiscordEmulator) -> Counter[int]:
    """Interaction callbacks (first answers) Discord received, per interaction id."""
    return Counter(
        int(call.path.split("/")[2])
        for call in emu.calls_matching(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback"
        )
    )


async def settle(emu: DiscordEmulator, runners: list[ClusterRunner]) -> None:
    for runner in runners:
        await runner.quiet()
    await asyncio.sleep(0.3)  # nothing arrives twice, even a little later
    for runner in runners:
        await runner.quiet()


async def test_two_processes_on_one_shard_act_once(
    emulator: DiscordEmulator, overlap: tuple[World, list[ClusterRunner]]
) -> None:
    world, runners = overlap
    assert len(emulator.holders(0)) == 2 and emulator.overlap_identifies == 1
    for runner in runners:
        assert world.guild.id in {g.id for g in runner.bot.guilds}
    await setup_peers(emulator, world, conversation="relay")
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    members = []
    for n in range(MEMBERS):
        member = emulator.create_user(f"sam{n}")
        emulator.add_member(world.guild, member)
        members.append(member)

    # Crisis messages, all at once: one private reply each, one peer alert each.
    said = await asyncio.gather(*(emulator.send_message(m, world.general, CRISIS) for m in members))
    for message in said:
        assert received_by(emulator, "MESSAGE_CREATE", message.id) == [0, 0]  # both sessions
    for member in members:
        await emulator.wait_for_message(
            emulator.dm_channel(member), predicate=lambda m: "automated bot" in m.text
        )
    for message in said:
        await emulator.wait_for_message(
            world.peers,
            predicate=lambda m, i=message.id: "may need support" in m.text and str(i) in m.text,
        )

    # Two members ask (relay), two peers claim by button at the same moment.
    asking = members[:2]
    for member in asking:
        opened = await emulator.run_command(member, world.general, "support")
        assert (await opened.response()).is_modal
        fields = {"topic": "", "summary": "", "tags": "", "anonymous": "yes"}
        assert "request #" in (await (await opened.submit_modal(fields)).response()).text
    cards = [
        await emulator.wait_for_message(
            world.peers, predicate=lambda m, i=i: f"Support request #{i}" in m.text, since=0
        )
        for i in (1, 2)
    ]
    presses = await asyncio.gather(
        emulator.press_button(world.peer, cards[0], "kindred:req:claim:1"),
        emulator.press_button(world.peer2, cards[1], "kindred:req:claim:2"),
        emulator.press_button(world.peer2, cards[0], "kindred:req:claim:1"),
    )
    answers = [await p.original_response() for p in presses]
    assert sum("You claimed request" in a.text for a in answers) == 2
    requests = runners[0].services.peers.requests
    first, second = await requests.get(1), await requests.get(2)
    assert first.status == second.status == "claimed" and first.thread_id and second.thread_id

    # Relays both ways, several messages each.
    relays = {1: emulator.channels[first.thread_id], 2: emulator.channels[second.thread_id]}
    peers = {1: first.claimed_by, 2: second.claimed_by}
    for request_id, member in zip((1, 2), asking, strict=True):
        for n in range(3):
            await emulator.send_dm(member, f"member {request_id} note {n}")
            await emulator.send_message(
                emulator.users[peers[request_id]], relays[request_id], f"peer {request_id} note {n}"
            )
    for request_id, member in zip((1, 2), asking, strict=True):
        await emulator.wait_for_messages(
            3, relays[request_id], predicate=lambda m, r=request_id: f"member {r} note" in m.text
        )
        await emulator.wait_for_messages(
            3,
            emulator.dm_channel(member),
            predicate=lambda m, r=request_id: f"peer {r} note" in m.text,
        )

    # Check-in posts: three due at once, run by whichever process leases each timer.
    for title in ("Morning", "Noon", "Evening"):
        made = await (
            await emulator.run_command(
                world.mod,
                world.general,
                "checkin create",
                options={
                    "channel": world.support.id,
                    "schedule": "daily 09:00",
                    "tz": "UTC",
                    "title": title,
                },
            )
        ).response()
        assert "#" in made.text, made.text
    scheduler = runners[1].services.scheduler
    for row in await scheduler.timers.due(utcnow().replace(year=utcnow().year + 1), 100):
        if row.kind == "checkin.post":
            await scheduler.schedule_once(
                row.kind, utcnow(), row.payload, key=row.key, guild_id=row.guild_id
            )
    await emulator.wait_for_messages(
        3, world.support, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids)
    )
    await settle(emulator, runners)

    # What Discord received: everything once.
    for member in members:
        replies = [
            m
            for m in emulator.bot_messages(emulator.dm_channel(member))
            if "automated bot" in m.text
        ]
        assert len(replies) == 1, member.username
    alerts = [m for m in emulator.bot_messages(world.peers) if "may need support" in m.text]
    assert sorted(next(str(s.id) for s in said if str(s.id) in a.text) for a in alerts) == sorted(
        str(s.id) for s in said
    )
    assert len(alerts) == MEMBERS
    for request_id, member in zip((1, 2), asking, strict=True):
        to_peer = Counter(
            m.text
            for m in emulator.bot_messages(relays[request_id])
            if f"member {request_id} note" in m.text
        )
        to_member = Counter(
            m.text
            for m in emulator.bot_messages(emulator.dm_channel(member))
            if f"peer {request_id} note" in m.text
        )
        assert len(to_peer) == len(to_member) == 3
        assert set(to_peer.values()) == set(to_member.values()) == {1}
    card_posts = [m for m in emulator.bot_messages(world.peers) if "Support request #" in m.text]
    assert len(card_posts) == 2
    posts = [
        m
        for m in emulator.bot_messages(world.support)
        if any("kindred:mood:" in c for c in m.custom_ids)
    ]
    assert len(posts) == 3
    answered = callbacks(emulator)
    assert set(answered) == set(emulator.interactions)
    assert set(answered.values()) == {1}  # each interaction answered once, by one process
    refused = [
        c
        for c in emulator.calls_matching(
            "POST", "/interactions/{interaction_id}/{interaction_token}/callback"
        )
        if c.status >= 400
    ]
    assert refused == []

    # What is stored: one claim each, one safety event per message, keys for what was handled.
    db = runners[0].services.db
    rows = await db.fetchall("SELECT * FROM safety_events")
    crisis = [r for r in rows if r["label"] == "crisis_self"]
    assert sorted(r["user_id"] for r in crisis) == sorted(m.id for m in members)
    assert await db.fetchval("SELECT COUNT(*) FROM relayed_messages") == 12
    assert await db.fetchval("SELECT COUNT(*) FROM checkin_posts WHERE message_id IS NOT NULL") == 3
    handled = await db.fetchval("SELECT COUNT(*) FROM handled_events WHERE kind = 'interaction'")
    assert handled == len(emulator.interactions)


def bot_dms(emu: DiscordEmulator, user) -> list:
    return emu.bot_messages(emu.dm_channel(user))


@pytest.mark.pg
async def test_a_crisis_dm_to_kindred_is_answered_once_during_an_overlap(
    emulator: DiscordEmulator,
    overlap: tuple[World, list[ClusterRunner]],
) -> None:
    """a member DMs Kindred crisis words while two processes hold shard 0. Expected:
    one private reply with lines, not two."""
    world, runners = overlap
    await setup_peers(emulator, world)
    await emulator.send_dm(world.member, CRISIS)
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "automated bot" in m.text
    )
    await settle(emulator, runners)
    replies = [m for m in bot_dms(emulator, world.member) if "automated bot" in m.text]
    assert len(replies) == 1, [m.text[:60] for m in bot_dms(emulator, world.member)]


@pytest.mark.pg
async def test_stop_these_by_dm_is_answered_once_during_an_overlap(
    emulator: DiscordEmulator,
    overlap: tuple[World, list[ClusterRunner]],
) -> None:
    """ "stop these" DMed while two processes hold shard 0. one answer."""
    world, runners = overlap
    await emulator.send_dm(world.member, "stop these")
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await settle(emulator, runners)
    assert len(bot_dms(emulator, world.member)) == 1, [
        m.text[:60] for m in bot_dms(emulator, world.member)
    ]


@pytest.mark.pg
async def test_the_channel_note_for_closed_dms_is_posted_once_during_an_overlap(
    emulator: DiscordEmulator,
    overlap: tuple[World, list[ClusterRunner]],
) -> None:
    """a member whose DMs are closed writes a crisis line while two processes hold the
    shard. one brief channel note mentioning them, not two."""
    world, runners = overlap
    await setup_peers(emulator, world)
    emulator.user_dms_open(world.member, False)
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(world.general, predicate=lambda m: "/crisis" in m.text)
    await settle(emulator, runners)
    notes = [m for m in emulator.bot_messages(world.general) if "/crisis" in m.text]
    assert len(notes) == 1


@pytest.mark.pg
async def test_i_need_to_talk_by_dm_is_offered_a_peer_once_during_an_overlap(
    emulator: DiscordEmulator,
    overlap: tuple[World, list[ClusterRunner]],
) -> None:
    """ "I need to talk" DMed while two processes hold shard 0. one offer."""
    world, runners = overlap
    await setup_peers(emulator, world)
    await emulator.send_dm(world.member, "I need to talk")
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await settle(emulator, runners)
    assert len(bot_dms(emulator, world.member)) == 1, [
        m.text[:60] for m in bot_dms(emulator, world.member)
    ]
