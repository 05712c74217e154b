"""Three Kindred processes on one PostgreSQL database against one emulator with 3 shards
(issue #14): each process owns one shard, gets only its guilds' events and interactions, DMs
arrive at shard 0 only, and timers run once each, in the process owning the guild's shard.

The three bots share this test's event loop (separate clients, databases and schedulers);
take-over after ``kill -9`` is measured in tests/unit/test_cluster_ownership.py."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bot import ShardedKindredBot
from bot.clock import utcnow
from bot.config import Settings, shard_of
from bot.db.repositories.core import TimerRow
from bot.sandbox import KindredRunner
from emulator import DiscordEmulator
from emulator.models import Guild, User
from tests.helpers.postgres import Cluster

pytestmark = pytest.mark.pg

SHARDS = 3
PER_SHARD = 4


class ClusterRunner(KindredRunner):
    def __init__(self, emu: DiscordEmulator, url: str, cluster_id: int) -> None:
        super().__init__(emu, Path("unused.db"))
        self.url = url
        self.cluster_id = cluster_id

    def settings(self) -> Settings:
        base = super().settings().model_dump()
        base["database"] = {"url": self.url}
        base["cluster"] = {"id": self.cluster_id, "count": SHARDS, "shard_count": SHARDS}
        return Settings(**base)


async def make_guilds(emu: DiscordEmulator) -> dict[int, list[tuple[Guild, User, int]]]:
    """At least PER_SHARD guilds on each shard, each with a channel and a member."""
    found: dict[int, list[tuple[Guild, User, int]]] = {i: [] for i in range(SHARDS)}
    for n in range(500):
        if all(len(found[i]) >= PER_SHARD for i in found):
            break
        guild = emu.create_guild(f"Haven {n}")
        member = emu.create_user(f"member{n}")
        emu.add_member(guild, member)
        channel = emu.create_channel(guild, "general")
        found[shard_of(guild.id, SHARDS)].append((guild, member, channel.id))
        await asyncio.sleep(0.002)  # snowflakes carry milliseconds: spread the shards
    assert all(len(found[i]) >= PER_SHARD for i in found)
    return found


@pytest.fixture
async def cluster(
    emulator: DiscordEmulator, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[list[ClusterRunner]]:
    monkeypatch.setattr(ShardedKindredBot, "identify_spacing", 0.2)  # Discord's 5 s, shorter
    emulator.shard_count = SHARDS
    url = await pg_cluster.create_schema()
    runners = [ClusterRunner(emulator, url, i) for i in range(SHARDS)]
    try:
        yield runners
    finally:
        for runner in runners:
            await runner.stop()


async def test_three_processes_share_the_shards_events_and_timers(
    emulator: DiscordEmulator, cluster: list[ClusterRunner]
) -> None:
    guilds = await make_guilds(emulator)
    for runner in cluster:
        await runner.start()
    sessions = {s.shard: s for s in emulator._live_sessions()}
    assert set(sessions) == {(i, SHARDS) for i in range(SHARDS)}
    for i, runner in enumerate(cluster):
        bot = runner.bot
        assert isinstance(bot, ShardedKindredBot) and bot.shard_ids == [i]
        assert {g.id for g in bot.guilds} == {g.id for g, _, _ in guilds[i]}

    # Each guild's slash command reaches its own shard's process only, and is answered once.
    for shard, members in guilds.items():
        for guild, member, channel in members:
            interaction = await emulator.run_command(member, channel, "kindred about")
            response = await interaction.response()
            assert "peer support" in response.text
            got = [
                s.shard[0]
                for s in sessions.values()
                for _, event, data in s.events
                if event == "INTERACTION_CREATE" and data["id"] == str(interaction.id)
            ]
            assert got == [shard], guild.name

    # A DM arrives at shard 0 only.
    someone = guilds[1][0][1]
    message = await emulator.send_dm(someone, "hello")
    dm_sessions = [
        s.shard[0]
        for s in sessions.values()
        for _, event, data in s.events
        if event == "MESSAGE_CREATE" and data["id"] == str(message.id)
    ]
    assert dm_sessions == [0]

    # Timers stored by one process run once each, in the process owning the guild's shard.
    ran: Counter[tuple[int, int]] = Counter()
    for i, runner in enumerate(cluster):

        async def probe(row: TimerRow, i: int = i) -> None:
            ran[(i, row.payload["guild"])] += 1

        runner.services.scheduler.register("probe", probe)
    every = [g.id for members in guilds.values() for g, _, _ in members] + [0]
    for guild_id in every:
        await cluster[1].services.scheduler.schedule_once(
            "probe", utcnow(), {"guild": guild_id}, guild_id=guild_id or None
        )
    async with asyncio.timeout(30):
        while sum(ran.values()) < len(every):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # nothing runs twice, even a little later
    for runner in cluster:
        await runner.services.scheduler.idle()
    assert sum(ran.values()) == len(every)
    assert all(times == 1 for times in ran.values())
    assert {(shard_of(g, SHARDS), g) for g in every} == set(ran)


async def test_processes_starting_together_take_turns_to_identify(
    emulator: DiscordEmulator, cluster: list[ClusterRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One IDENTIFY per bucket per interval across processes: none is refused (op 9).
    (Without the turns, the same start saw hundreds of op 9 refusals.)"""
    await make_guilds(emulator)
    emulator.identify_interval = 1.0
    monkeypatch.setattr(ShardedKindredBot, "identify_spacing", 1.1)
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(runner.start() for runner in cluster))
    took = asyncio.get_running_loop().time() - started
    assert emulator.identify_refused == 0
    assert len(emulator.identify_payloads) == SHARDS
    assert sorted(p["shard"][0] for p in emulator.identify_payloads) == [0, 1, 2]
    assert took >= 2 * 1.0  # three turns of one bucket
    for runner in cluster:
        assert runner.bot is not None and runner.bot.is_ready()
