"""Kindred as real OS processes in a cluster (issue #14): ``python -m bot run`` three times
(``[cluster] id`` 0, 1, 2 of ``count = 3``, ``shard_count = 3``) plus a standby for id 1, on
one throwaway PostgreSQL database, against one emulator with 3 shards and 12 servers served
over real sockets from this test.

Members on every shard open support requests and two peers race to claim each; an anonymous
relay carries messages both ways; check-ins are made due while the test runs. Then the
process owning shard 1 is killed (``kill -9``) while it holds the leases of its due check-in
timers, its handlers held up in the middle (the test holds the advisory lock their
transactions wait for). The standby takes over shard 1 (connects, IDENTIFY), the orphaned
timers run once after their lease runs out, and work goes on. Counted from what the emulator
received and from the database: no claim, relay or check-in post twice, no due timer lost.

(tests/e2e/test_cluster.py runs three bots in this test's event loop instead.)
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from bot.clock import to_db, utcnow
from bot.config import shard_of
from bot.db.repositories.core import TIMERS_CHANNEL
from bot.db.sql import lock_key
from bot.sandbox import World, build_world
from emulator import DiscordEmulator
from emulator.models import Message, User
from tests.helpers.postgres import Cluster
from tests.helpers.processes import bot_env, spawn_bot, stop_processes

pytestmark = [pytest.mark.pg, pytest.mark.slow]

SHARDS = 3
PER_SHARD = 4
VICTIM = 1  # the cluster id (and shard) whose process is killed
LEASE = 4  # seconds: [cluster] timer_lease_seconds, short so the orphans run soon
WAIT = 60.0  # generous: four Python processes start on a shared 2-core machine
T = TypeVar("T")


@dataclass
class Proc:
    name: str
    cluster_id: int
    log: Path
    process: asyncio.subprocess.Process | None = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Cluster3:
    emu: DiscordEmulator
    url: str
    folder: Path
    procs: list[Proc] = field(default_factory=list)

    def env(self, cluster_id: int) -> dict[str, str]:
        return bot_env(
            self.emu,
            KINDRED_DATABASE__URL=self.url,
            KINDRED_CLUSTER__ID=str(cluster_id),
            KINDRED_CLUSTER__COUNT=str(SHARDS),
            KINDRED_CLUSTER__SHARD_COUNT=str(SHARDS),
            KINDRED_CLUSTER__TIMER_LEASE_SECONDS=str(LEASE),
            KINDRED_CLUSTER__TIMER_POLL_SECONDS="1",
        )

    async def spawn(self, name: str, cluster_id: int) -> Proc:
        proc = Proc(name, cluster_id, self.folder / f"{name}.log")
        proc.process = await spawn_bot(self.env(cluster_id), proc.log)
        self.procs.append(proc)
        return proc

    async def stop_all(self) -> None:
        await stop_processes(p.process for p in self.procs if p.process)

    def logs(self) -> str:
        """Each process's warnings and errors, and the end of its log."""
        out = []
        for p in self.procs:
            lines = p.text().splitlines()
            bad = [line for line in lines if " WARNING " in line or " ERROR " in line]
            out.append(f"--- {p.name} ---\n" + "\n".join([*bad[-40:], "...", *lines[-40:]]))
        return "\n".join(out)


async def poll(check: Callable[[], Awaitable[T]], what: str, timeout: float = WAIT) -> T:
    """For conditions the emulator cannot see (the database, the processes' logs)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


def in_log(proc: Proc, text: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return text in await asyncio.to_thread(proc.text)

    return check


def build_worlds(emu: DiscordEmulator) -> dict[int, list[World]]:
    """PER_SHARD set-up servers on each shard (snowflakes carry milliseconds, so servers built
    a moment apart land on different shards; the few extra ones stay unused)."""
    found: dict[int, list[World]] = {i: [] for i in range(SHARDS)}
    for _ in range(300):
        if all(len(found[i]) >= PER_SHARD for i in found):
            break
        world = build_world(emu)
        shard = shard_of(world.guild.id, SHARDS)
        if len(found[shard]) < PER_SHARD:
            found[shard].append(world)
        time.sleep(0.002)
    assert all(len(found[i]) == PER_SHARD for i in found)
    return found


@pytest.fixture
async def cluster(
    emulator: DiscordEmulator, pg_cluster: Cluster, tmp_path: Path
) -> AsyncIterator[Cluster3]:
    emulator.shard_count = SHARDS
    emulator.max_concurrency = SHARDS  # one IDENTIFY bucket per shard: no turns to wait for
    emulator.interaction_ack_timeout = None  # a loaded machine answers late, not never
    running = Cluster3(emulator, await pg_cluster.create_database(), tmp_path)
    try:
        yield running
    finally:
        await running.stop_all()


# -- member and peer actions ---------------------------------------------------------------
async def answer(emu: DiscordEmulator, user, where, name: str, **options) -> str:
    interaction = await emu.run_command(user, where, name, options=options)
    return (await interaction.response(timeout=WAIT)).text


async def set_up(emu: DiscordEmulator, w: World) -> None:
    text = await answer(
        emu, w.mod, w.general, "peers setup",
        peer_role=w.peer_role.id, peer_channel=w.peers.id,
        moderator_channel=w.mods.id, thread_channel=w.support.id,
    )  # fmt: skip
    assert "Peer support is set up" in text, text
    for peer in (w.peer, w.peer2):
        text = await answer(emu, peer, w.general, "duty on")
        assert "You're on duty" in text, text
    text = await answer(
        emu, w.mod, w.general, "checkin create",
        channel=w.general.id, schedule="daily 09:00", tz="UTC", title="Morning",
    )  # fmt: skip
    assert "09:00" in text, text


async def ask_and_race(
    emu: DiscordEmulator, w: World, member, *, anonymous: bool = False
) -> tuple[int, list[str]]:
    """``member`` asks for support; both peers press Claim at once. The request id and what
    each peer was told."""
    opened = await emu.run_command(member, w.general, "support")
    modal = await opened.response(timeout=WAIT)
    assert modal.is_modal, modal.text
    topic = f"topic of {member.username} {member.id}"
    fields = {"topic": topic, "summary": "", "tags": "", "anonymous": "yes" if anonymous else "no"}
    # A person takes a moment to fill the form in; and discord.py keeps the modal to match
    # the submission only once its own process has read Discord's answer to the callback.
    await asyncio.sleep(1.5)
    submitted = await opened.submit_modal(fields)
    reply = (await submitted.response(timeout=WAIT)).text
    assert "request #" in reply, reply
    card = await emu.wait_for_message(
        w.peers, predicate=lambda m: topic in m.text and "Support request #" in m.text,
        since=0, timeout=WAIT,
    )  # fmt: skip
    claim_id = next(c for c in card.custom_ids if c.startswith("kindred:req:claim:"))
    request_id = int(claim_id.rsplit(":", 1)[1])
    presses = await asyncio.gather(
        emu.press_button(w.peer, card, claim_id), emu.press_button(w.peer2, card, claim_id)
    )
    told = [(await p.original_response(timeout=WAIT)).text for p in presses]
    return request_id, told


async def relay_both_ways(
    emu: DiscordEmulator, db: asyncpg.Connection, relays: list[tuple[User, int]], when: str
) -> None:
    """Each anonymous member writes by DM (which arrives at shard 0's process) and sees their
    peer's answer from the request's private thread (in its own shard's process)."""
    for member, request_id in relays:
        request = await db.fetchrow(
            "SELECT thread_id, claimed_by FROM support_requests WHERE id = $1", request_id
        )
        await emu.send_dm(member, f"member says {when} {request_id}")
        await emu.wait_for_message(
            request["thread_id"],
            predicate=lambda m, r=request_id: f"member says {when} {r}" in m.text,
            since=0, timeout=WAIT,
        )  # fmt: skip
        await emu.send_message(
            request["claimed_by"], request["thread_id"], f"peer says {when} {request_id}"
        )
        await emu.wait_for_message(
            emu.dm_channel(member),
            predicate=lambda m, r=request_id: f"peer says {when} {r}" in m.text,
            since=0, timeout=WAIT,
        )  # fmt: skip


def checkin_posts(emu: DiscordEmulator, w: World) -> list[Message]:
    return [m for m in emu.bot_messages(w.general) if any("mood:" in c for c in m.custom_ids)]


# -- the run --------------------------------------------------------------------------------
async def test_kill_9_of_a_process_holding_leased_timers_a_standby_takes_over_nothing_twice(
    emulator: DiscordEmulator, cluster: Cluster3
) -> None:
    emu = emulator
    worlds = build_worlds(emu)
    every = [w for shard in range(SHARDS) for w in worlds[shard]]
    owners = [await cluster.spawn(f"owner{i}", i) for i in range(SHARDS)]
    db = await asyncpg.connect(cluster.url)
    locker: asyncpg.Connection | None = None
    try:
        # Each owner connects its own shard.
        await emu.wait_until(
            lambda: {s.shard for s in emu._live_sessions() if s.delivered}
            >= {(i, SHARDS) for i in range(SHARDS)},
            timeout=WAIT, what="the three processes to connect their shards",
        )  # fmt: skip
        await emu.wait_until(lambda: emu.command("checkin"), timeout=WAIT, what="commands")
        standby = await cluster.spawn("standby1", VICTIM)
        await poll(in_log(standby, f"cluster id {VICTIM}: waiting to own"), "the standby to wait")

        await asyncio.gather(*(set_up(emu, w) for w in every))

        # Requests on every shard; two peers race for each.
        before = await asyncio.gather(*(ask_and_race(emu, w, w.member) for w in every))
        # An anonymous relay on every shard: the member writes in DMs (shard 0), the peer in
        # a private thread of the request's server.
        relayed = await asyncio.gather(
            *(ask_and_race(emu, worlds[s][0], worlds[s][0].member2, anonymous=True)
              for s in range(SHARDS))
        )  # fmt: skip
        relays = [(worlds[s][0].member2, request_id) for s, (request_id, _) in enumerate(relayed)]
        await relay_both_ways(emu, db, relays, "before")

        # Every check-in made due now. Shard 1's handlers are held in the middle (after their
        # lease, before their first write) by an advisory lock this test holds.
        checkins = {
            r["guild_id"]: r["id"] for r in await db.fetch("SELECT id, guild_id FROM checkins")
        }
        assert set(checkins) == {w.guild.id for w in every}
        victim_keys = [f"checkin:{checkins[w.guild.id]}" for w in worlds[VICTIM]]
        locker = await asyncpg.connect(cluster.url)
        held_keys = {lock_key("timer", key) & 0xFFFF_FFFF_FFFF_FFFF for key in victim_keys}
        for key in victim_keys:
            await locker.execute("SELECT pg_advisory_lock($1)", lock_key("timer", key))
        due = to_db(utcnow())
        await db.execute(
            "UPDATE timers SET due_at = $1 WHERE key = ANY($2::text[])",
            due, [f"checkin:{i}" for i in checkins.values()],
        )  # fmt: skip
        for guild_id in checkins:
            await db.execute("SELECT pg_notify($1, $2)", TIMERS_CHANNEL, str(guild_id))
        others = [w for w in every if shard_of(w.guild.id, SHARDS) != VICTIM]
        await emu.wait_until(
            lambda: all(checkin_posts(emu, w) for w in others),
            timeout=WAIT, what="the check-ins of shards 0 and 2",
        )  # fmt: skip

        async def held() -> bool:
            leased = await db.fetchval(
                "SELECT count(*) FROM timers WHERE key = ANY($1::text[]) AND leased_by IS NOT"
                " NULL AND leased_until > $2", victim_keys, to_db(utcnow()),
            )  # fmt: skip
            waiting = {
                (r["classid"] << 32) | r["objid"]
                for r in await db.fetch(
                    "SELECT classid::bigint, objid::bigint FROM pg_locks"
                    " WHERE locktype = 'advisory' AND NOT granted"
                )
            }
            return leased == len(victim_keys) and waiting >= held_keys

        await poll(held, "shard 1's process to lease its check-ins and wait in their handlers")
        assert not any(checkin_posts(emu, w) for w in worlds[VICTIM])

        # kill -9 of the owner of shard 1, holding those leases.
        victim = owners[VICTIM].process
        assert victim is not None
        identified = len([p for p in emu.identify_payloads if p.get("shard") == [VICTIM, SHARDS]])
        victim.kill()
        killed = time.monotonic()
        await victim.wait()
        await locker.close()  # the held-up transactions of the dead process end
        locker = None

        await poll(in_log(standby, f"cluster id {VICTIM}: owner after"), "the standby to own")
        await emu.wait_until(
            lambda: len([p for p in emu.identify_payloads if p.get("shard") == [VICTIM, SHARDS]])
            > identified
            and any(s.shard == (VICTIM, SHARDS) and s.delivered for s in emu._live_sessions()),
            timeout=WAIT, what="the standby to connect shard 1",
        )  # fmt: skip
        took_over = time.monotonic() - killed
        await emu.wait_until(
            lambda: all(checkin_posts(emu, w) for w in worlds[VICTIM]),
            timeout=WAIT, what="the orphaned check-ins to run",
        )  # fmt: skip
        orphan_delay = time.monotonic() - killed
        print(f"take-over (connected) {took_over:.2f} s, orphans posted {orphan_delay:.2f} s")

        # Work goes on, on every shard, including the one taken over.
        await relay_both_ways(emu, db, relays, "after")
        after = await asyncio.gather(
            *(ask_and_race(emu, w, w.member2) for w in worlds[VICTIM][1:]),
            *(ask_and_race(emu, worlds[s][1], worlds[s][1].member2) for s in (0, 2)),
        )
        await asyncio.sleep(LEASE + 1.5)  # anything that could still run twice would by now
        await emu.gateway_idle(WAIT)

        # -- counted from the emulator --
        for w in every:
            assert len(checkin_posts(emu, w)) == 1, w.guild.name
        for request_id, told in before + relayed + after:
            assert sum(f"You claimed request #{request_id}" in t for t in told) == 1, told
            assert sum("Already claimed by" in t for t in told) == 1, told
        threads = Counter(c.parent_id for c in emu.channels.values() if c.type == 12)
        requests = len(before) + len(relayed) + len(after)
        assert sum(threads.values()) == requests  # one conversation per request
        for member, request_id in relays:
            thread_id = await db.fetchval(
                "SELECT thread_id FROM support_requests WHERE id = $1", request_id
            )
            for when in ("before", "after"):
                carried = [
                    m for m in emu.messages_in(thread_id)
                    if f"member says {when} {request_id}" in m.text
                ]  # fmt: skip
                back = [
                    m for m in emu.messages_in(emu.dm_channel(member))
                    if f"peer says {when} {request_id}" in m.text
                    and m.author.id == emu.bot_user.id
                ]  # fmt: skip
                assert len(carried) == 1 and len(back) == 1, (when, request_id)

        # -- counted from the database --
        claimed = await db.fetch(
            "SELECT id, status, claimed_by, thread_id FROM support_requests ORDER BY id"
        )
        assert len(claimed) == requests
        assert all(r["status"] == "claimed" and r["thread_id"] for r in claimed)
        posts = await db.fetch(
            "SELECT checkin_id, count(*) AS n, count(message_id) AS posted, min(scheduled_for)"
            " AS at FROM checkin_posts GROUP BY checkin_id"
        )
        assert {r["checkin_id"] for r in posts} == set(checkins.values())
        assert all(r["n"] == 1 and r["posted"] == 1 and r["at"] == due for r in posts)
        rearmed = await db.fetch(
            "SELECT key, due_at, leased_by FROM timers WHERE key = ANY($1::text[])",
            [f"checkin:{i}" for i in checkins.values()],
        )
        assert len(rearmed) == len(checkins)  # each stored its next run, once
        assert all(r["due_at"] > due and r["leased_by"] is None for r in rearmed)
        overdue = await db.fetch(
            "SELECT kind, due_at FROM timers WHERE due_at <= $1", to_db(utcnow())
        )
        assert not overdue  # every due timer ran

        # The standby really took shard 1 over; the survivors never lost theirs.
        assert victim.returncode == -signal.SIGKILL
        assert standby.process is not None and standby.process.returncode is None
        for proc in (owners[0], owners[2], standby):
            assert "Traceback" not in proc.text(), cluster.logs()
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        if locker is not None:
            await locker.close()
        await db.close()
        await cluster.stop_all()
    for proc in (owners[0], owners[2], standby):
        assert proc.process is not None and proc.process.returncode == 0, cluster.logs()
