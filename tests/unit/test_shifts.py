"""ShiftService: a weekly shift's timers, what each timer does and how it re-arms, going on
duty with an end time (24 hours at most, 36 by the clock), duty expiry, removing a shift, and
manual duty and shifts meeting (the later end wins; /duty off ends both)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.errors import ConflictError, InvalidInputError, NotFoundError
from bot.services import Services, build_services
from bot.services.peers import PeerSettings
from bot.services.peers.shifts import (
    DUTY_DM_RETRY,
    DUTY_EXPIRE,
    SHIFT_END,
    SHIFT_REMIND,
    SHIFT_START,
    DutyEnded,
    ShiftReminder,
    ShiftStarted,
    TimerRow,
)
from bot.services.settings import CoreSettings
from tests.unit.conftest import FakeClock

GUILD = 10
MEMBER, OTHER, PEER, PEER2, MOD = 100, 101, 200, 201, 300
# The fake clock starts on Monday 2026-11-23 at 12:00 UTC.
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def at(hour: int, minute: int = 0, *, weeks: int = 0) -> datetime:
    return MONDAY + timedelta(hours=hour, minutes=minute, weeks=weeks)


@pytest.fixture
async def peers(services: Services):
    await services.settings.update(
        GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6, max_open_per_peer=3
    )
    return services.peers


async def shift_timers(services: Services, shift_id: int) -> dict[str, TimerRow]:
    rows = await services.scheduler.timers.all()
    prefix = f"shift:{shift_id}:"
    return {t.key[len(prefix) :]: t for t in rows if t.key and t.key.startswith(prefix)}


async def add_evening_shift(peers, user_id: int = PEER, start="18:00", end="22:00"):
    return (await peers.shifts.add_shift(GUILD, user_id, "monday", start, end, "UTC")).shift


async def held_request(peers, peer_id: int = PEER, member_id: int = MEMBER) -> int:
    request = (await peers.requests.open(GUILD, member_id)).request
    await peers.requests.claim(request.id, peer_id)
    return request.id


# -- arming a shift -----------------------------------------------------------------------------
async def test_adding_a_shift_arms_its_start_reminder_and_end(peers, services: Services) -> None:
    added = await peers.shifts.add_shift(GUILD, PEER, "Monday", "18:00", "22:00", "UTC")
    assert added.next_start == at(18)
    timers = await shift_timers(services, added.shift.id)
    assert {part: (t.kind, t.due_at) for part, t in timers.items()} == {
        "start": (SHIFT_START, at(18)),
        "remind": (SHIFT_REMIND, at(17, 50)),
        "end": (SHIFT_END, at(22)),
    }
    assert all(t.payload == {"shift_id": added.shift.id} for t in timers.values())
    assert all(t.guild_id == GUILD for t in timers.values())


async def test_a_shift_added_during_its_own_time_starts_now_without_a_reminder(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers, start="11:00", end="13:00")
    timers = await shift_timers(services, shift.id)
    assert set(timers) == {"start", "end"}
    assert timers["start"].due_at == clock.now
    assert timers["end"].due_at == at(13)


async def test_no_reminder_is_armed_when_the_start_is_under_ten_minutes_away(
    peers, services: Services
) -> None:
    shift = await add_evening_shift(peers, start="12:05", end="13:00")
    timers = await shift_timers(services, shift.id)
    assert set(timers) == {"start", "end"}
    assert timers["start"].due_at == at(12, 5)


# -- the timers -------------------------------------------------------------------------------
async def test_start_puts_the_peer_on_duty_until_the_end_and_rearms_next_week(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    started = await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    assert started == ShiftStarted(GUILD, PEER, at(22))
    duty = await peers.duty.current(GUILD, PEER)
    assert duty is not None and duty.source == "shift" and duty.until == at(22)
    timers = await shift_timers(services, shift.id)
    assert timers["start"].due_at == at(18, weeks=1)
    assert timers["remind"].due_at == at(17, 50, weeks=1)
    assert timers["end"].due_at == at(22)  # this week's end still stands


async def test_a_start_run_after_the_shift_ended_only_rearms(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    start = (await shift_timers(services, shift.id))["start"]
    clock.now = at(22, 30)  # the bot was down for the whole shift
    assert await peers.shifts.on_shift_start(start) is None
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert (await shift_timers(services, shift.id))["start"].due_at == at(18, weeks=1)


async def test_reminder_within_the_grace_time_and_skipped_when_too_late(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    remind = (await shift_timers(services, shift.id))["remind"]
    clock.now = remind.due_at + timedelta(minutes=1)
    assert await peers.shifts.on_shift_remind(remind) == ShiftReminder(GUILD, PEER, at(18))
    clock.now = remind.due_at + timedelta(minutes=6)  # past the 5-minute misfire grace
    assert await peers.shifts.on_shift_remind(remind) is None


async def test_end_takes_the_peer_off_duty_counts_held_requests_and_rearms(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    await held_request(peers)
    clock.now = at(22)
    ended = await peers.shifts.on_shift_end((await shift_timers(services, shift.id))["end"])
    assert ended == DutyEnded(GUILD, PEER, held=1)
    assert await peers.duty.current(GUILD, PEER) is None
    assert (await shift_timers(services, shift.id))["end"].due_at == at(22, weeks=1)


async def test_end_after_the_duty_row_already_expired_still_asks_about_held_requests(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    await held_request(peers)
    clock.now = at(22)
    assert await peers.duty.on_duty(GUILD) == []  # any lookup at the end drops the row
    ended = await peers.shifts.on_shift_end((await shift_timers(services, shift.id))["end"])
    assert ended == DutyEnded(GUILD, PEER, held=1)


async def test_manual_duty_is_left_alone_at_shift_end(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    await peers.shifts.go_on(GUILD, PEER)  # by hand, without an end: stays on past the shift
    clock.now = at(22)
    assert await peers.shifts.on_shift_end((await shift_timers(services, shift.id))["end"]) is None
    duty = await peers.duty.current(GUILD, PEER)
    assert duty is not None and duty.source == "manual"
    assert await peers.duty.is_on_duty(GUILD, PEER)
    assert (await shift_timers(services, shift.id))["end"].due_at == at(22, weeks=1)


# -- overlapping shifts -------------------------------------------------------------------------
async def test_a_shift_overlapping_one_of_the_peers_own_is_refused_naming_it(
    peers, services: Services
) -> None:
    first = await add_evening_shift(peers)
    for weekday, start, end, tz in [
        ("monday", "18:00", "22:00", "UTC"),  # the same again
        ("monday", "21:59", "23:00", "UTC"),
        ("monday", "12:00", "18:01", "UTC"),
        ("sunday", "20:00", "19:00", "UTC"),  # overnight, into Monday evening
        ("monday", "13:00", "14:00", "America/New_York"),  # 18:00-19:00 UTC in November
    ]:
        with pytest.raises(ConflictError) as refused:
            await peers.shifts.add_shift(GUILD, PEER, weekday, start, end, tz)
        assert refused.value.params["number"] == first.id
        assert "#1, Monday 18:00–22:00 (UTC)" in refused.value.user_message
    assert await peers.shifts.shifts(GUILD, PEER) == [first]


async def test_two_overlapping_shifts_added_at_once_store_only_one(peers) -> None:
    """The overlap check and the insert are one locked transaction: two `/duty shift add` at
    the same instant can't both pass the check (the second reads the first)."""
    results = await asyncio.gather(
        peers.shifts.add_shift(GUILD, PEER, "monday", "18:00", "22:00", "UTC"),
        peers.shifts.add_shift(GUILD, PEER, "monday", "19:00", "23:00", "UTC"),
        return_exceptions=True,
    )
    (stored,) = await peers.shifts.shifts(GUILD, PEER)
    added = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert [a.shift for a in added] == [stored]
    assert len(refused) == 1 and isinstance(refused[0], ConflictError), refused
    assert refused[0].params["number"] == stored.id


async def test_shifts_that_only_touch_or_are_someone_elses_are_added(peers) -> None:
    await add_evening_shift(peers)
    await add_evening_shift(peers, start="22:00", end="23:00")  # starts as the first ends
    await add_evening_shift(peers, start="17:00", end="18:00")  # ends as the first starts
    await add_evening_shift(peers, user_id=PEER2)  # another peer's rota
    await peers.shifts.add_shift(GUILD + 1, PEER, "monday", "18:00", "22:00", "UTC")
    assert len(await peers.shifts.shifts(GUILD, PEER)) == 3


async def test_shifts_in_zones_that_change_clocks_on_different_days_are_compared_all_year(
    peers, clock: FakeClock
) -> None:
    """London 18:00-19:00 and New York 14:00-15:00 on Mondays are an hour apart most of the
    year, and meet in the week when London is back on GMT and New York not yet on EST."""
    clock.now = datetime(2027, 4, 5, 12, 0, tzinfo=UTC)  # both on summer time: an hour apart
    await peers.shifts.add_shift(GUILD, PEER, "monday", "18:00", "19:00", "Europe/London")
    with pytest.raises(ConflictError):  # in November's first week London is on GMT, NY not
        await peers.shifts.add_shift(GUILD, PEER, "monday", "14:00", "15:00", "America/New_York")


# -- a clock change's gap -----------------------------------------------------------------------
async def test_a_shift_in_a_spring_forward_gap_is_skipped_that_week(
    peers, services: Services, clock: FakeClock
) -> None:
    """Sunday 02:00-03:00 New York does not happen on 14 March 2027 (02:00 EST is 03:00 EDT):
    no reminder, no start, no duty that day; next week's are armed."""
    clock.now = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)
    added = await peers.shifts.add_shift(
        GUILD, PEER, "sunday", "02:00", "03:00", "America/New_York"
    )
    next_sunday = datetime(2027, 3, 21, 6, 0, tzinfo=UTC)  # 02:00 EDT
    assert added.next_start == next_sunday
    timers = await shift_timers(services, added.shift.id)
    assert {part: t.due_at for part, t in timers.items()} == {
        "start": next_sunday,
        "remind": next_sunday - timedelta(minutes=10),
        "end": next_sunday + timedelta(hours=1),
    }


async def test_a_start_timer_armed_in_the_gap_puts_nobody_on_duty_and_arms_next_week(
    peers, services: Services, clock: FakeClock
) -> None:
    """Timers stored for the gap (as before such days were skipped) find no shift that day: no
    reminder, no duty, no DM, and the start takes next week's start, not next week's window
    now."""
    clock.now = datetime(2027, 3, 13, 12, 0, tzinfo=UTC)
    added = await peers.shifts.add_shift(
        GUILD, PEER, "sunday", "02:00", "03:00", "America/New_York"
    )
    gap_end = datetime(2027, 3, 14, 7, 0, tzinfo=UTC)  # 03:00 EDT, where both ends fall
    await peers.shifts._at(SHIFT_REMIND, gap_end - timedelta(minutes=10), added.shift)
    clock.now = gap_end - timedelta(minutes=10)
    remind = (await shift_timers(services, added.shift.id))["remind"]
    assert await peers.shifts.on_shift_remind(remind) is None
    await peers.shifts._at(SHIFT_START, gap_end, added.shift)
    clock.now = gap_end + timedelta(seconds=5)
    timer = (await shift_timers(services, added.shift.id))["start"]
    assert await peers.shifts.on_shift_start(timer) is None
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await peers.duty.current(GUILD, PEER) is None
    timers = await shift_timers(services, added.shift.id)
    assert timers["start"].due_at == datetime(2027, 3, 21, 6, 0, tzinfo=UTC)


# -- removing a shift ---------------------------------------------------------------------------
async def test_removing_a_shift_cancels_its_timers_only(peers, services: Services) -> None:
    mine = await add_evening_shift(peers)
    other = await add_evening_shift(peers, user_id=PEER2)
    await peers.shifts.remove_shift(GUILD, PEER, mine.id)
    assert await shift_timers(services, mine.id) == {}
    assert set(await shift_timers(services, other.id)) == {"start", "remind", "end"}
    assert await peers.shifts.shifts(GUILD, PEER) == []


async def test_removing_someone_elses_shift_is_refused_and_keeps_its_timers(
    peers, services: Services
) -> None:
    shift = await add_evening_shift(peers)
    with pytest.raises(NotFoundError, match=f"no shift #{shift.id}"):
        await peers.shifts.remove_shift(GUILD, PEER2, shift.id)
    assert set(await shift_timers(services, shift.id)) == {"start", "remind", "end"}


async def test_timers_of_a_removed_shift_do_nothing(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    timers = await shift_timers(services, shift.id)
    await peers.shifts.remove_shift(GUILD, PEER, shift.id)
    clock.now = at(18)
    assert await peers.shifts.on_shift_start(timers["start"]) is None
    assert await peers.shifts.on_shift_remind(timers["remind"]) is None
    clock.now = at(22)
    assert await peers.shifts.on_shift_end(timers["end"]) is None
    assert await services.scheduler.timers.all() == []
    assert not await peers.duty.is_on_duty(GUILD, PEER)


# -- on duty by hand: the 24-hour cap and expiry -----------------------------------------------
async def test_duty_end_time_is_capped_at_24_hours(peers, services: Services) -> None:
    with pytest.raises(InvalidInputError, match="within 24 hours"):
        await peers.shifts.go_on(GUILD, PEER, "25h")
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await services.scheduler.timers.all() == []
    started = await peers.shifts.go_on(GUILD, PEER, "24h")
    assert started.until == at(12, weeks=0) + timedelta(hours=24)


async def test_tomorrow_9am_is_accepted_at_any_hour_today(
    peers, services: Services, clock: FakeClock
) -> None:
    """The guide's example works before 09:00 too, when tomorrow 09:00 is over 24 hours
    away: an end by the clock may be up to 36 hours away (a length of time stays at 24)."""
    clock.now = at(0, 30)  # 00:30: tomorrow 9am is 32.5 h away
    started = await peers.shifts.go_on(GUILD, PEER, "tomorrow 9am")
    assert started.until == at(9) + timedelta(days=1)
    timer = await services.scheduler.get(f"duty:{GUILD}:{PEER}")
    assert timer is not None and timer.due_at == started.until
    clock.now = at(8)
    assert (await peers.shifts.go_on(GUILD, PEER, "tomorrow 9am")).until == at(33)
    with pytest.raises(InvalidInputError, match="within 24 hours"):
        await peers.shifts.go_on(GUILD, PEER, "25h")  # a length of time: 24 hours at most


async def test_an_end_by_the_clock_more_than_36_hours_away_is_refused(
    peers, services: Services, clock: FakeClock
) -> None:
    clock.now = at(1)  # 01:00: tomorrow 17:00 is 40 hours away
    with pytest.raises(InvalidInputError, match="more than 36 hours away"):
        await peers.shifts.go_on(GUILD, PEER, "tomorrow 17:00")
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await services.scheduler.timers.all() == []


async def test_an_end_time_arms_the_expiry_and_going_on_again_replaces_it(
    peers, services: Services, clock: FakeClock
) -> None:
    await peers.requests.open(GUILD, MEMBER)
    started = await peers.shifts.go_on(GUILD, PEER, "2h")
    assert started.until == clock.now + timedelta(hours=2)
    assert started.waiting == 1
    timer = await services.scheduler.get(f"duty:{GUILD}:{PEER}")
    assert timer is not None
    assert timer.kind == DUTY_EXPIRE and timer.due_at == started.until
    assert timer.payload == {"guild_id": GUILD, "user_id": PEER}
    again = await peers.shifts.go_on(GUILD, PEER)  # no end time now: no expiry either
    assert again.until is None
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None


async def test_an_end_time_is_read_in_the_members_or_the_servers_zone(
    peers, services: Services, clock: FakeClock
) -> None:
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="America/New_York")
    started = await peers.shifts.go_on(GUILD, PEER, "17:00")
    assert started.until == at(22)  # 17:00 in New York (EST) is 22:00 UTC
    await services.prefs.set(PEER, "timezone", "Asia/Tokyo", clock.now)
    started = await peers.shifts.go_on(GUILD, PEER, "17:00")
    assert started.until == at(8, weeks=0) + timedelta(days=1)  # 17:00 JST tomorrow


async def test_expiry_takes_the_peer_off_duty_and_counts_what_they_hold(
    peers, services: Services, clock: FakeClock
) -> None:
    await peers.shifts.go_on(GUILD, PEER, "2h")
    await held_request(peers)
    timer = await services.scheduler.get(f"duty:{GUILD}:{PEER}")
    assert timer is not None
    clock.now = timer.due_at
    assert await peers.shifts.on_duty_expire(timer) == DutyEnded(GUILD, PEER, held=1)
    assert await peers.duty.current(GUILD, PEER) is None


async def test_going_off_duty_cancels_the_expiry_and_lists_held_requests(
    peers, services: Services
) -> None:
    await peers.shifts.go_on(GUILD, PEER, "2h")
    request_id = await held_request(peers)
    stopped = await peers.shifts.go_off(GUILD, PEER)
    assert stopped.was_on and stopped.held == [request_id]
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None
    assert not (await peers.shifts.go_off(GUILD, PEER)).was_on


async def test_hand_off_puts_held_requests_back_in_the_queue(peers) -> None:
    await peers.shifts.go_on(GUILD, PEER)
    await peers.shifts.go_on(GUILD, PEER2)
    first = await held_request(peers, member_id=MEMBER)
    second = await held_request(peers, member_id=OTHER)
    result = await peers.shifts.hand_off(GUILD, PEER)
    assert [r.id for r in result.handed] == [first, second]
    assert all(r.status == "open" and r.claimed_by is None for r in result.handed)
    assert result.on_duty == [PEER2]
    assert await peers.requests.held_by(GUILD, PEER) == []
    # the same requests as the peer held them: their conversations to close off
    assert [(r.id, r.claimed_by) for r in result.held] == [(first, PEER), (second, PEER)]


async def test_losing_the_peer_role_forgets_the_duty_end_time(peers, services: Services) -> None:
    """A peer who loses the role goes off duty at their next peer action; the end time they
    had set goes too, so no "your time on duty has ended" reaches them hours later."""
    from bot.errors import PermissionDeniedError

    await peers.shifts.go_on(GUILD, PEER, "2h")
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is not None
    with pytest.raises(PermissionDeniedError):
        await peers.requests.require_peer(GUILD, PEER, [])  # the role is gone
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None
    await peers.shifts.go_on(GUILD, PEER2, "2h")  # someone who keeps the role keeps theirs
    await peers.requests.require_peer(GUILD, PEER2, [5])
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER2}") is not None


async def test_losing_the_peer_role_puts_the_requests_held_back_in_the_queue(
    peers, services: Services, clock: FakeClock
) -> None:
    """Found at a request button: nobody else could take them (only the holder may unclaim
    or transfer, and a claimed request no longer escalates)."""
    from bot.services.requests import NotAPeerError

    await peers.shifts.go_on(GUILD, PEER)
    await peers.shifts.go_on(GUILD, PEER2)
    first = await held_request(peers, member_id=MEMBER)
    second = await held_request(peers, member_id=OTHER)
    kept = await held_request(peers, peer_id=PEER2, member_id=MOD)
    clock.advance(minutes=30)
    with pytest.raises(NotAPeerError) as lost:
        await peers.requests.require_peer(GUILD, PEER, [])  # the role is gone
    back = lost.value.requeued
    assert [b.request.id for b in back] == [first, second]
    assert all(b.request.status == "open" and b.request.claimed_by is None for b in back)
    assert all(b.ping == [PEER2] for b in back)  # the on-duty peers, not the ex-peer
    assert "#1, #2" in lost.value.user_message and "back in the queue" in lost.value.user_message
    assert await peers.requests.held_by(GUILD, PEER) == []
    assert [r.id for r in await peers.requests.held_by(GUILD, PEER2)] == [kept]
    for request_id in (first, second):  # the escalation chain starts again, from now
        timer = await services.scheduler.get(f"request:{request_id}:escalate")
        assert timer is not None and timer.payload["level"] == 1
        assert timer.payload["base"] == clock.now.isoformat()
        assert await services.scheduler.get(f"request:{request_id}:idle") is None
    with pytest.raises(NotAPeerError) as again:  # nothing left to give back
        await peers.requests.require_peer(GUILD, PEER, [])
    assert again.value.requeued == [] and again.value.user_message == (
        "Only peer supporters can do that."
    )


async def test_a_peer_command_without_the_role_gives_back_the_requests_held(peers) -> None:
    """Found at a peer command (``/duty ...``): the same hand-back, for the cog to announce."""
    await peers.shifts.go_on(GUILD, PEER)
    held = await held_request(peers)
    back = await peers.shifts.lost_role(GUILD, PEER)
    assert [b.request.id for b in back] == [held]
    assert (await peers.requests.get(held)).status == "open"
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await peers.shifts.lost_role(GUILD, PEER) == []


# -- manual duty and shifts meeting: the later end wins, /duty off ends both -------------------
async def run_due(services: Services, clock: FakeClock, until: datetime) -> list[DutyEnded]:
    """Run the stored duty and shift timers due up to ``until`` in order, as the scheduler
    would (each at its due time, then taken away unless its handler re-armed it)."""
    peers, ended = services.peers, []
    handlers = {
        SHIFT_START: peers.shifts.on_shift_start,
        SHIFT_REMIND: peers.shifts.on_shift_remind,
        SHIFT_END: peers.shifts.on_shift_end,
        DUTY_EXPIRE: peers.shifts.on_duty_expire,
    }
    while True:
        timers = await services.scheduler.timers.all()
        due = [t for t in timers if t.due_at <= until and t.kind in handlers]
        if not due:
            break
        timer = min(due, key=lambda t: (t.due_at, t.id))
        clock.now = max(clock.now, timer.due_at)
        outcome = await handlers[timer.kind](timer)
        if isinstance(outcome, DutyEnded):
            ended.append(outcome)
        again = await services.scheduler.get(timer.key) if timer.key else None
        if again is not None and again.due_at == timer.due_at:
            await services.scheduler.cancel(timer.key)
    clock.now = until
    return ended


async def test_a_shift_leaves_an_open_ended_duty_alone(
    peers, services: Services, clock: FakeClock
) -> None:
    await peers.shifts.go_on(GUILD, PEER)  # no end: until they go off
    await add_evening_shift(peers)
    clock.now = at(18)
    started = await peers.shifts.on_shift_start((await shift_timers(services, 1))["start"])
    assert started == ShiftStarted(GUILD, PEER, None)
    assert await run_due(services, clock, at(23)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)


async def test_a_shift_ending_later_outlasts_an_end_set_by_hand(
    peers, services: Services, clock: FakeClock
) -> None:
    await add_evening_shift(peers)
    clock.now = at(17)
    await peers.shifts.go_on(GUILD, PEER, "90m")  # 18:30, inside the 18:00-22:00 shift
    expire = await services.scheduler.get(f"duty:{GUILD}:{PEER}")
    assert expire is not None and expire.due_at == at(18, 30)
    assert await run_due(services, clock, at(18, 5)) == []
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None  # the shift's end counts
    # even the stored end time, had it run, leaves the shift's duty as it is
    clock.now = at(18, 30)
    assert await peers.shifts.on_duty_expire(expire) is None
    assert await run_due(services, clock, at(21, 59)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)
    assert await run_due(services, clock, at(22)) == [DutyEnded(GUILD, PEER, held=0)]
    assert not await peers.duty.is_on_duty(GUILD, PEER)


async def test_an_end_set_by_hand_after_the_shift_outlasts_it(
    peers, services: Services, clock: FakeClock
) -> None:
    await add_evening_shift(peers)
    clock.now = at(19)
    await run_due(services, clock, at(19))
    started = await peers.shifts.go_on(GUILD, PEER, "4h")  # 23:00, after the shift's 22:00
    assert started.until == at(23)
    assert await run_due(services, clock, at(22, 30)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)
    assert await run_due(services, clock, at(23)) == [DutyEnded(GUILD, PEER, held=0)]


async def test_an_earlier_end_by_hand_during_a_shift_keeps_the_shifts_end(
    peers, services: Services, clock: FakeClock
) -> None:
    await add_evening_shift(peers)
    await run_due(services, clock, at(19))
    started = await peers.shifts.go_on(GUILD, PEER, "30m")
    assert started.until == at(22)  # what they are told: the shift's end still counts
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None
    assert await run_due(services, clock, at(21, 59)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)


async def test_off_duty_mid_shift_hears_nothing_at_the_shifts_end(
    peers, services: Services, clock: FakeClock
) -> None:
    await add_evening_shift(peers)
    await run_due(services, clock, at(19))
    await held_request(peers)
    assert (await peers.shifts.go_off(GUILD, PEER)).was_on
    assert await run_due(services, clock, at(22, 1)) == []
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert (await shift_timers(services, 1))["end"].due_at == at(22, weeks=1)


async def test_overlapping_shifts_keep_the_peer_on_until_the_last_ends(
    peers, services: Services, clock: FakeClock
) -> None:
    """Overlapping shifts are refused now; ones stored before that still behave."""
    await add_evening_shift(peers, start="18:00", end="20:00")
    stored = await peers.duty.repo.add_shift(GUILD, PEER, 0, "19:00", "21:00", "UTC", clock.now)
    await peers.shifts.arm(stored)
    assert await run_due(services, clock, at(20, 30)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)
    assert await run_due(services, clock, at(21)) == [DutyEnded(GUILD, PEER, held=0)]


async def test_an_expired_row_is_not_counted_as_on_duty_nor_as_going_off(
    peers, services: Services, clock: FakeClock
) -> None:
    """The row stays a moment after its end, until its timer runs: on_duty leaves it out and
    /duty off says they were not on duty."""
    await peers.shifts.go_on(GUILD, PEER, "1h")
    clock.advance(hours=1)
    assert await peers.duty.on_duty(GUILD) == []
    assert not (await peers.shifts.go_off(GUILD, PEER)).was_on


# Any order of /duty on (with or without an end), /duty off and weekly shifts starting and
# ending: duty never ends before the latest end asked for (by hand or by the shift in
# progress) and never lasts past a /duty off; the end DM comes exactly when duty ends by a
# timer. Checked on SQLite against a model at every instant something happens, and just
# before it.
_STEP = st.tuples(
    st.integers(min_value=1, max_value=90),  # minutes until the step
    st.one_of(
        st.just(("off",)),
        st.tuples(st.just("on"), st.none() | st.integers(min_value=5, max_value=240)),
        st.tuples(
            st.just("shift"),
            st.integers(min_value=0, max_value=120),  # minutes from now to its start
            st.integers(min_value=10, max_value=180),  # its length
        ),
    ),
)


class DutyModel:
    def __init__(self) -> None:
        self.manual: datetime | str | None = "none"  # "none": not on by hand; None: no end
        self.shift_ends: list[datetime] = []

    def on_duty(self, now: datetime) -> bool:
        by_hand = self.manual is None or (isinstance(self.manual, datetime) and self.manual > now)
        return by_hand or any(end > now for end in self.shift_ends)

    def ends(self) -> list[datetime]:
        return self.shift_ends + ([self.manual] if isinstance(self.manual, datetime) else [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_STEP, min_size=1, max_size=10))
def test_duty_ends_at_the_latest_end_asked_for_and_never_after_duty_off(tmp_path_factory, steps):
    asyncio.run(_duty_scenario(tmp_path_factory.mktemp("duty") / "kindred.db", steps))


async def _duty_scenario(path, steps) -> None:
    clock = FakeClock(at(8))
    services = await build_services(Settings(database={"path": str(path)}), clock=clock)
    try:
        peers = services.peers
        await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
        model = DutyModel()
        shift_window: dict[int, tuple[datetime, datetime]] = {}

        async def advance(to: datetime) -> None:
            # from one instant where something happens to the next, checking just before each
            while True:
                timers = [
                    t
                    for t in await services.scheduler.timers.all()
                    if t.kind in (SHIFT_START, SHIFT_END, DUTY_EXPIRE) and t.due_at <= to
                ]
                ends = [e for e in model.ends() if clock.now < e <= to]
                nxt = max(clock.now, min([t.due_at for t in timers] + ends + [to]))
                if nxt - timedelta(minutes=1) > clock.now:
                    clock.now = nxt - timedelta(minutes=1)
                    assert await peers.duty.is_on_duty(GUILD, PEER) == model.on_duty(clock.now)
                before = model.on_duty(clock.now)
                for timer in timers:
                    if timer.kind == SHIFT_START and timer.due_at <= nxt:
                        model.shift_ends.append(shift_window[timer.payload["shift_id"]][1])
                ended = await run_due(services, clock, nxt)
                after = model.on_duty(nxt)
                assert await peers.duty.is_on_duty(GUILD, PEER) == after, (clock.now, steps)
                # the end DM exactly when duty ends by a timer, never for someone already off
                assert len(ended) == (1 if before and not after else 0), (clock.now, steps)
                if nxt >= to:
                    return

        for minutes, action in steps:
            await advance(clock.now + timedelta(minutes=minutes))
            if action[0] == "off":
                await peers.shifts.go_off(GUILD, PEER)
                model.manual, model.shift_ends = "none", []
            elif action[0] == "on":
                length = action[1]
                await peers.shifts.go_on(GUILD, PEER, None if length is None else f"{length}m")
                model.manual = None if length is None else clock.now + timedelta(minutes=length)
            else:
                start = clock.now + timedelta(minutes=action[1])
                end = start + timedelta(minutes=action[2])
                if start.date() != MONDAY.date() or end.date() != MONDAY.date():
                    continue  # the weekly shift of another day: out of this run
                if any(s < end and start < e for s, e in shift_window.values()):
                    with pytest.raises(ConflictError):  # overlaps one of theirs: refused
                        await peers.shifts.add_shift(
                            GUILD, PEER, "monday", f"{start:%H:%M}", f"{end:%H:%M}", "UTC"
                        )
                    continue
                shift = await peers.shifts.add_shift(
                    GUILD, PEER, "monday", f"{start:%H:%M}", f"{end:%H:%M}", "UTC"
                )
                shift_window[shift.shift.id] = (start, end)
            assert await peers.duty.is_on_duty(GUILD, PEER) == model.on_duty(clock.now), steps
        await advance(clock.now + timedelta(hours=5))
    finally:
        await services.close()


async def test_a_shift_starting_as_another_ends_carries_duty_on_without_an_end_dm(
    peers, services: Services, clock: FakeClock
) -> None:
    """Both timers are due at 20:00 and the end may run first: no "ended" between the two."""
    await add_evening_shift(peers, start="18:00", end="20:00")
    await add_evening_shift(peers, start="20:00", end="21:00")
    assert await run_due(services, clock, at(20, 30)) == []
    assert await peers.duty.is_on_duty(GUILD, PEER)
    assert await run_due(services, clock, at(21)) == [DutyEnded(GUILD, PEER, held=0)]


# -- a duty DM Discord failed for a moment ---------------------------------------------------------
async def dm_retry(services: Services, kind: str) -> TimerRow:
    (row,) = [t for t in await services.scheduler.timers.all() if t.kind == DUTY_DM_RETRY]
    assert row.key == f"dutydm:{GUILD}:{PEER}:{kind}" and row.guild_id == GUILD
    return row


async def test_a_shift_start_dm_retry_is_stored_and_sent_only_while_on_duty(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    started = await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    await peers.shifts.dm_later(started)
    row = await dm_retry(services, "started")
    assert row.due_at == at(18, 0) + timedelta(seconds=30)  # a stored timer: kept by a restart
    assert row.payload == {"dm": "started", "guild_id": GUILD, "user_id": PEER, "shift": True}
    assert await peers.shifts.on_dm_retry(row) == ShiftStarted(GUILD, PEER, at(22))
    await peers.shifts.go_off(GUILD, PEER)
    assert await peers.shifts.on_dm_retry(row) is None  # "your shift has started": no longer


async def test_a_shift_reminder_retry_is_not_sent_once_the_shift_started(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    remind = (await shift_timers(services, shift.id))["remind"]
    clock.now = remind.due_at
    await peers.shifts.dm_later(await peers.shifts.on_shift_remind(remind))
    row = await dm_retry(services, "remind")
    clock.now = at(17, 55)
    assert await peers.shifts.on_dm_retry(row) == ShiftReminder(GUILD, PEER, at(18))
    clock.now = at(18)
    assert await peers.shifts.on_dm_retry(row) is None


async def test_a_duty_ended_dm_retry_counts_what_is_held_then_and_not_once_back_on_duty(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    request_id = await held_request(peers)
    clock.now = at(22)
    ended = await peers.shifts.on_shift_end((await shift_timers(services, shift.id))["end"])
    await peers.shifts.dm_later(ended, shift=False)
    row = await dm_retry(services, "ended")
    assert row.payload["shift"] is False
    assert await peers.shifts.on_dm_retry(row) == DutyEnded(GUILD, PEER, held=1)
    await peers.shifts.hand_off(GUILD, PEER)
    assert request_id and await peers.shifts.on_dm_retry(row) == DutyEnded(GUILD, PEER, held=0)
    await peers.shifts.go_on(GUILD, PEER)
    assert await peers.shifts.on_dm_retry(row) is None


async def test_forgetme_takes_away_a_duty_dm_retry(
    peers, services: Services, clock: FakeClock
) -> None:
    shift = await add_evening_shift(peers)
    clock.now = at(18)
    started = await peers.shifts.on_shift_start((await shift_timers(services, shift.id))["start"])
    await peers.shifts.dm_later(started)
    await dm_retry(services, "started")
    await services.privacy.forget(PEER)
    assert not [t for t in await services.scheduler.timers.all() if t.kind == DUTY_DM_RETRY]
