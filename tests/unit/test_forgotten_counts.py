"""Moderators' figures after the rows they were read from go: a member's /forgetme and
retention leave anonymous counts (server, UTC day or hour, a kind, a number), so
`/safety status` and `/peers stats` don't shrink after the fact, and no id survives."""

from __future__ import annotations

from bot.services import Services
from bot.services.peers import PeerSettings

GUILD, OTHER_GUILD, U, OTHER, PEER, MOD = 10, 11, 4242424242, 101, 201, 300
KEPT = ("safety_event_counts", "support_request_counts", "support_claim_waits")


async def event(services: Services, clock, user: int, label: str, guild: int = GUILD) -> None:
    await services.safety.repo.add_event(guild, 55, user, label, 2, False, False, clock.now)


async def no_id_kept(services: Services) -> None:
    for table in KEPT:
        for row in await services.db.fetchall(f"SELECT * FROM {table}"):
            assert not {U, OTHER, PEER, 55} & {row[k] for k in row.keys()}, (table, row)  # noqa: SIM118


async def test_safety_counts_stay_after_forgetme(services: Services, clock) -> None:
    await event(services, clock, U, "crisis_self")
    await event(services, clock, U, "crisis_self")
    await event(services, clock, U, "distress", guild=OTHER_GUILD)
    await event(services, clock, OTHER, "crisis_self")
    before = await services.safety.status(GUILD)
    assert before.counts == {"crisis_self": 3}
    await services.privacy.forget(U)
    assert not await services.db.fetchall("SELECT * FROM safety_events WHERE user_id = ?", (U,))
    assert (await services.safety.status(GUILD)).counts == before.counts
    assert (await services.safety.status(OTHER_GUILD)).counts == {"distress": 1}
    await no_id_kept(services)
    # the anonymous count leaves the 30-day window as the events would have
    clock.advance(days=32)
    assert (await services.safety.status(GUILD)).counts == {}


async def test_safety_counts_stay_after_retention(services: Services, clock) -> None:
    await event(services, clock, U, "crisis_self")
    clock.advance(days=5)
    await event(services, clock, OTHER, "distress")
    assert await services.safety.purge(days=3) == 1
    assert (await services.safety.status(GUILD)).counts == {"crisis_self": 1, "distress": 1}
    # forgetting after the purge counts nothing twice
    await services.privacy.forget(U)
    assert (await services.safety.status(GUILD)).counts == {"crisis_self": 1, "distress": 1}
    await no_id_kept(services)


async def test_peers_stats_stay_after_forgetme(services: Services, clock) -> None:
    await services.settings.update(
        GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6, max_open_per_peer=3
    )
    peers = services.peers
    await peers.duty.go_on(GUILD, PEER, None)
    first = (await peers.requests.open(GUILD, U, summary="words")).request
    clock.advance(minutes=4)
    await peers.requests.claim(first.id, PEER)
    await peers.requests.close(first.id, PEER)
    clock.advance(hours=2)
    await peers.requests.open(GUILD, U, summary="again")  # never claimed
    other = (await peers.requests.open(GUILD, OTHER, summary="theirs")).request
    clock.advance(minutes=10)
    await peers.requests.claim(other.id, PEER)
    before = await peers.requests.stats(GUILD, 30)
    assert (before.opened, before.claimed, before.closed) == (3, 2, 1)
    await services.privacy.forget(U)
    assert not await services.db.fetchall(
        "SELECT * FROM support_requests WHERE requester_id = ?", (U,)
    )
    after = await peers.requests.stats(GUILD, 30)
    assert after == before  # counts, median wait, busiest hours
    await no_id_kept(services)
    clock.advance(days=2)
    assert (await peers.requests.stats(GUILD, 1)).opened == 0
