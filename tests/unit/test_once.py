"""One handler per Discord event in a cluster (issue #14): ``services.once``, the
``handled_events`` keys behind it, and the safety decision that uses it. On both backends."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.db.repositories.events import HandledEventRepository
from bot.services import Services, build_services
from bot.services.once import OnceService
from bot.services.safety import SafetyService, SafetySettings
from tests.unit.conftest import FakeClock

GUILD, MEMBER, MOD = 10, 20, 30


def shared(services: Services) -> OnceService:
    """The service as a clustered process builds it."""
    return OnceService(HandledEventRepository(services.db), services.clock, shared=True)


async def crisis(
    safety: SafetyService,
    message_id: int,
    user_id: int = MEMBER,
    edited_at: datetime | None = None,
    tier: int = 2,
):
    """The decision on a server message (or an edit of it) the detector read as crisis."""
    return await safety.notice(
        guild_id=GUILD,
        channel_id=5,
        parent_channel_id=None,
        user_id=user_id,
        role_ids=[],
        label="crisis_self",
        tier=tier,
        message_id=message_id,
        edited_at=edited_at,
    )


async def count(services: Services) -> int:
    return await services.db.fetchval("SELECT COUNT(*) FROM handled_events")


async def test_one_process_always_handles_and_stores_nothing(services: Services) -> None:
    assert not services.once.shared  # SQLite or PostgreSQL without [cluster]: one process
    assert await services.once.first("interaction", 1)
    assert await services.once.first("interaction", 1)
    assert await count(services) == 0


async def test_only_the_first_of_two_processes_handles_an_event(services: Services) -> None:
    a, b = shared(services), shared(services)
    results = await asyncio.gather(*(p.first("interaction", 42) for p in (a, b, a, b)))
    assert sorted(results) == [False, False, False, True]
    # kinds are separate: the same id as a message is a different event
    assert await b.first("dm", 42)
    assert not await a.first("dm", 42)
    assert await count(services) == 2


async def test_keys_are_purged_after_a_day(services: Services, clock: FakeClock) -> None:
    once = shared(services)
    assert await once.first("dm", 1)
    clock.advance(hours=23)
    assert await once.first("dm", 2)
    clock.advance(hours=2)
    # the retention purge runs with its own (older) cutoff; a day is the keys' limit
    removed = await once.purge(clock() - timedelta(days=30))
    assert removed == 1 and await count(services) == 1
    assert await once.first("dm", 1)  # long gone: nothing can deliver it again anyway


async def test_the_retention_purge_includes_the_keys(services: Services, clock: FakeClock) -> None:
    services.once.shared = True
    await services.once.first("interaction", 7)
    clock.advance(days=2)
    removed = await services.privacy.purge(clock() - timedelta(days=30))
    assert removed["handled event ids"] == 1


async def test_a_crisis_message_seen_by_two_processes_is_decided_once(
    services: Services,
) -> None:
    await services.settings.update(GUILD, SafetySettings, MOD, enabled=True)
    services.safety.once = shared(services)
    first, second = await crisis(services.safety, 900), await crisis(services.safety, 900)
    assert first is not None and first.reply == "crisis" and first.event_id is not None
    assert second is not None and not second.acts and second.event_id is None
    rows = await services.db.fetchval("SELECT COUNT(*) FROM safety_events")
    assert rows == 1
    dm = await services.safety.assess_dm(
        channel_id=6, user_id=MEMBER + 1, label="crisis_self", tier=2, message_id=901
    )
    again = await services.safety.assess_dm(
        channel_id=6, user_id=MEMBER + 1, label="crisis_self", tier=2, message_id=901
    )
    assert dm.reply == "crisis" and again.reply is None


async def test_each_edit_of_a_message_is_decided_once_apart_from_the_message(
    services: Services,
) -> None:
    """An edited message is read as a new one: two processes seeing the same edit decide it
    once, and neither the message's own key nor an earlier edit's holds a later edit back."""
    await services.settings.update(GUILD, SafetySettings, MOD, enabled=True)
    services.safety.once = shared(services)
    first = await crisis(services.safety, 950)
    assert first is not None and first.reply == "crisis"
    edit = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    # tier 3 breaks the cooldown, so a decision taken shows as an alert
    edited = await crisis(services.safety, 950, edited_at=edit, tier=3)
    again = await crisis(services.safety, 950, edited_at=edit, tier=3)
    assert edited is not None and edited.event_id is not None and edited.alert_moderators
    assert again is not None and not again.acts and again.event_id is None
    later = await crisis(services.safety, 950, edited_at=edit + timedelta(minutes=1), tier=3)
    assert later is not None and later.event_id is not None
    assert await services.db.fetchval("SELECT COUNT(*) FROM safety_events") == 3


async def test_two_processes_deciding_two_messages_of_one_member_reply_once(
    services: Services,
) -> None:
    """Two processes holding one shard may each get a *different* crisis message of the same
    member at the same moment: one decides at a time across the cluster, so the cooldown
    holds and the member gets one crisis reply. (On SQLite there is only ever one process.)"""
    if services.db.dialect != "postgres":
        pytest.skip("one process on SQLite: its in-process lock already serialises")
    await services.settings.update(GUILD, SafetySettings, MOD, enabled=True)
    first_process = services.safety
    first_process.once = shared(services)
    second_process = copy.copy(first_process)
    second_process._locks = {}  # its own memory: only the database is shared
    second_process.once = shared(services)

    for attempt in range(5):  # a fresh start each round: the race gets several chances
        decisions = await asyncio.gather(
            crisis(first_process, 1000 + 2 * attempt), crisis(second_process, 1001 + 2 * attempt)
        )
        assert sorted(d.reply == "crisis" for d in decisions) == [False, True]
        await services.db.execute("DELETE FROM safety_events")


async def test_a_burst_of_different_members_never_takes_the_whole_pool(
    database_url: str, clock: FakeClock
) -> None:
    """Each cluster-wide member lock keeps a pooled connection while its decision needs
    others: a burst of more members than the pool has connections must still finish (the
    cluster benchmark once hung here with 1,200 members and a pool of 10)."""
    if not database_url.startswith("postgres"):
        pytest.skip("one process on SQLite: no cluster-wide lock")
    config = Settings(
        database={"url": database_url, "pool_max_size": 4},
        cluster={"id": 0, "count": 2, "shard_count": 2},
    )
    built = await build_services(config, clock=clock)  # wired as a clustered process is
    try:
        assert built.safety.once is built.once and built.once.shared
        await built.settings.update(GUILD, SafetySettings, MOD, enabled=True)

        decisions = await asyncio.wait_for(
            asyncio.gather(
                *(crisis(built.safety, 5000 + member, member) for member in range(100, 130))
            ),
            timeout=60,
        )
        assert all(d.reply == "crisis" for d in decisions)
    finally:
        await built.close()
