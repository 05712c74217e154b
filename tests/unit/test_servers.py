"""A server that removes Kindred: the rules of bot/services/servers.py on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import Services, away
from bot.services.checkins import POST
from bot.services.peers import PeerSettings
from bot.services.peers.shifts import DUTY_DM_RETRY
from bot.services.requests import ServerAwayError
from bot.services.safety.model import ALERT_RETRY, REPLY_RETRY
from bot.services.servers import PURGE, SERVER_LEFT, member_text, moderators_back_text, purge_key
from tests.unit.conftest import FakeClock

GUILD, OTHER_GUILD = 10, 11
MEMBER, MEMBER2, PEER, MOD = 100, 101, 200, 300


@pytest.fixture
async def set_up(services: Services) -> Services:
    for guild in (GUILD, OTHER_GUILD):
        await services.settings.update(
            guild, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6, mod_channel_id=7
        )
    return services


async def test_a_departure_closes_live_requests_takes_peers_off_duty_and_arms_the_purge(
    set_up: Services, clock: FakeClock
) -> None:
    requests = set_up.peers.requests
    await set_up.peers.duty.go_on(GUILD, PEER, None)
    claimed = (await requests.open(GUILD, MEMBER, lang="fr")).request
    await requests.claim(claimed.id, PEER)
    waiting = (await requests.open(GUILD, MEMBER2)).request
    elsewhere = (await requests.open(OTHER_GUILD, MEMBER)).request
    gone = await set_up.servers.departed(GUILD)
    assert gone is not None
    told = {(t.user_id, t.request.id, t.member, t.lang) for t in gone.told}
    assert told == {
        (MEMBER, claimed.id, True, "fr"),
        (PEER, claimed.id, False, "en"),
        (MEMBER2, waiting.id, True, "en"),
    }
    assert gone.off_duty == [PEER]
    for request_id in (claimed.id, waiting.id):
        closed = await requests.get(request_id)
        assert (closed.status, closed.close_reason) == ("closed", SERVER_LEFT)
    assert (await requests.get(elsewhere.id)).live
    purge = await set_up.scheduler.get(purge_key(GUILD))
    assert purge is not None and purge.kind == PURGE
    assert purge.due_at == clock() + timedelta(days=set_up.config.privacy.departed_server_days)
    assert await set_up.servers.departed(GUILD) is None  # recorded once, told once


async def test_a_departed_servers_timers_wait_and_run_when_it_returns(
    set_up: Services, clock: FakeClock
) -> None:
    scheduler = set_up.scheduler
    await scheduler.schedule_once("test.work", clock(), {}, guild_id=GUILD, key="w:gone")
    await scheduler.schedule_once("test.work", clock(), {}, guild_id=OTHER_GUILD, key="w:here")
    await scheduler.schedule_once("test.work", clock(), {}, key="w:none")
    await set_up.servers.departed(GUILD)
    clock.advance(minutes=1)
    due = {t.key for t in await scheduler.timers.due(clock(), 50)}
    assert due == {"w:here", "w:none"}
    back = await set_up.servers.returned(GUILD)
    assert back is not None and back.waited == 1 and back.moderator_channel_id == 7
    due = {t.key for t in await scheduler.timers.due(clock(), 50)}
    assert due == {"w:gone", "w:here", "w:none"}
    assert await scheduler.get(purge_key(GUILD)) is None
    assert await set_up.servers.returned(GUILD) is None  # told once


async def test_the_purge_waits_for_the_grace_period_and_keeps_members_own_goals(
    set_up: Services, clock: FakeClock
) -> None:
    await set_up.peers.requests.open(GUILD, MEMBER)
    await set_up.db.execute(
        "INSERT INTO goals (user_id, guild_id, text, created_at) VALUES (?, ?, 'walk', '2026')",
        (MEMBER, GUILD),
    )
    await set_up.servers.departed(GUILD)
    purge = await set_up.scheduler.get(purge_key(GUILD))
    await set_up.servers.on_purge(purge)  # early (a clock moved back): nothing goes
    assert await set_up.db.fetchval("SELECT COUNT(*) FROM support_requests") == 1
    clock.advance(days=set_up.config.privacy.departed_server_days, seconds=1)
    await set_up.servers.on_purge(purge)
    for table in ("support_requests", "guild_settings", "departed_guilds"):
        rows = await set_up.db.fetchall(f"SELECT * FROM {table} WHERE guild_id = ?", (GUILD,))
        assert rows == [], table
    assert await set_up.scheduler.get(purge_key(GUILD)) is None
    goal = await set_up.db.fetchone("SELECT user_id, guild_id FROM goals")
    assert (goal["user_id"], goal["guild_id"]) == (MEMBER, None)
    assert await set_up.settings.guilds_with(PeerSettings, "peer_role_id") == [OTHER_GUILD]


async def test_at_start_an_absent_server_departs_and_a_listed_departed_one_returns(
    set_up: Services,
) -> None:
    servers = set_up.servers
    gone, back = await servers.at_start({OTHER_GUILD}, lambda guild: True)
    assert [d.guild_id for d in gone] == [GUILD] and back == []
    gone, back = await servers.at_start({OTHER_GUILD}, lambda guild: True)
    assert gone == [] and back == []  # still departed; nobody told twice
    gone, back = await servers.at_start({GUILD, OTHER_GUILD}, lambda guild: True)
    assert gone == [] and [r.guild_id for r in back] == [GUILD]
    # another process's shard: left to that process
    gone, back = await servers.at_start(set(), lambda guild: guild != GUILD)
    assert [d.guild_id for d in gone] == [OTHER_GUILD]
    assert not await servers.is_departed(GUILD)


def test_the_member_is_told_in_their_language_and_the_moderators_in_english() -> None:
    assert "request #4" in member_text(4, "en") and "removed Kindred" in member_text(4)
    assert member_text(4, "fr").startswith("Le serveur où tu as demandé du soutien (demande #4)")
    notice = moderators_back_text(datetime(2026, 5, 1, 9, 30, tzinfo=UTC), 2)
    assert "since 2026-05-01 09:30 UTC" in notice
    assert notice.startswith("Kindred is back.") and "2 scheduled items" in notice


def test_each_timer_kind_has_one_rule_while_its_server_is_away() -> None:
    sets = (away.RUNS, away.LATE_DROPPED, away.WAITS, away.NO_SERVER)
    assert sum(len(s) for s in sets) == len(away.classified())  # no kind in two sets


async def test_a_dm_to_a_person_runs_while_away_and_outlives_the_purge(
    set_up: Services, clock: FakeClock
) -> None:
    scheduler = set_up.scheduler
    payload = {"user_id": MEMBER, "kind": "crisis", "needs": [], "lang": "en"}
    await scheduler.schedule_once(REPLY_RETRY, clock(), payload, guild_id=GUILD, key="reply")
    await scheduler.schedule_once(ALERT_RETRY, clock(), {}, guild_id=GUILD, key="alert")
    await set_up.servers.departed(GUILD)
    clock.advance(minutes=1)
    assert {t.key for t in await scheduler.timers.due(clock(), 50)} == {"reply"}
    retry = await set_up.safety.on_reply_retry(await scheduler.get("reply"))
    assert retry is not None and retry.guild_id is None  # no server's parts
    clock.advance(days=set_up.config.privacy.departed_server_days, seconds=1)
    await set_up.servers.on_purge(await scheduler.get(purge_key(GUILD)))
    kept = await scheduler.get("reply")
    assert kept is not None and kept.guild_id is None
    assert await scheduler.get("alert") is None


async def test_notices_held_past_their_moment_are_dropped_on_return(
    set_up: Services, clock: FakeClock
) -> None:
    scheduler = set_up.scheduler
    await set_up.servers.departed(GUILD)
    await scheduler.schedule_once(ALERT_RETRY, clock(), {}, guild_id=GUILD, key="old alert")
    await scheduler.schedule_once(POST, clock(), {}, guild_id=GUILD, key="post")
    clock.advance(hours=23)
    await scheduler.schedule_once(ALERT_RETRY, clock(), {}, guild_id=GUILD, key="alert")
    await scheduler.schedule_once(DUTY_DM_RETRY, clock(), {}, guild_id=GUILD, key="old dm")
    clock.advance(hours=1, minutes=50)
    await scheduler.schedule_once(DUTY_DM_RETRY, clock(), {}, guild_id=GUILD, key="dm")
    clock.advance(minutes=10)
    back = await set_up.servers.returned(GUILD)
    assert back is not None and back.waited == 5
    assert await scheduler.get("old alert") is None  # a day late: not asked of peers now
    assert await scheduler.get("alert") is not None  # two hours: a peer can still reach out
    assert await scheduler.get("old dm") is None  # a notice two hours late: dropped
    assert await scheduler.get("dm") is not None  # ten minutes late: still sent
    assert await scheduler.get("post") is not None  # recurring: its handler skips the run


async def test_back_after_the_grace_period_the_data_is_purged_first(
    set_up: Services, clock: FakeClock
) -> None:
    await set_up.peers.requests.open(GUILD, MEMBER)
    await set_up.servers.departed(GUILD)
    clock.advance(days=set_up.config.privacy.departed_server_days, minutes=1)
    assert await set_up.servers.returned(GUILD) is None  # starts afresh: nobody welcomed back
    rows = await set_up.db.fetchall("SELECT * FROM support_requests WHERE guild_id = ?", (GUILD,))
    assert rows == []
    assert not await set_up.servers.is_departed(GUILD)
    assert await set_up.scheduler.get(purge_key(GUILD)) is None
    assert await set_up.settings.guilds_with(PeerSettings, "peer_role_id") == [OTHER_GUILD]


async def test_no_request_opens_and_no_peers_are_offered_for_a_server_that_is_away(
    set_up: Services,
) -> None:
    await set_up.checkins.set_personal(
        user_id=MEMBER,
        guild_id=GUILD,
        channel_id=None,
        schedule="daily 20:00",
        tz="UTC",
        quiet=None,
    )
    assert await set_up.checkins.personal_guild(MEMBER, None) == GUILD
    await set_up.servers.departed(GUILD)
    with pytest.raises(ServerAwayError):
        await set_up.peers.requests.open(GUILD, MEMBER)
    with pytest.raises(ServerAwayError):
        await set_up.peers.requests.refuse_away(GUILD)
    assert await set_up.checkins.personal_guild(MEMBER, None) is None
    await set_up.peers.requests.open(OTHER_GUILD, MEMBER)  # elsewhere as before
    await set_up.servers.returned(GUILD)
    await set_up.peers.requests.refuse_away(GUILD)
    assert await set_up.checkins.personal_guild(MEMBER, None) == GUILD
