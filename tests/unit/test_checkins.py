"""CheckinService rules: scheduling in local time, at-most-once posts, anonymous moods,
personal check-ins with quiet hours, consent to share, and deletion."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.db.repositories.core import TimerRow
from bot.errors import InvalidInputError, NotFoundError
from bot.services import Services
from bot.services.checkins import (
    BUILTIN_PROMPTS,
    MAX_PER_GUILD,
    RETRY_AFTER,
    SPARK,
    CheckinSettings,
    by_day,
    in_quiet_hours,
    next_delivery,
    parse_quiet_hours,
    sparkline,
)
from bot.services.checkins.messages import (
    dms_closed_text,
    personal_checkin_text,
    personal_mood_head,
    personal_set_text,
)
from tests.unit.conftest import FakeClock

GUILD = 10
CHANNEL = 20
MOD = 30
ALICE = 404142434445
BO = 515253545556
LONDON = zoneinfo.ZoneInfo("Europe/London")


async def make(services: Services, **overrides):
    options = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "schedule": "daily 09:00",
        "tz": "Europe/London",
        "prompt": None,
        "title": None,
        "use_thread": False,
        "show_summary": False,
        "actor_id": MOD,
    }
    options.update(overrides)
    return await services.checkins.create(**options)


async def timer(services: Services, key: str) -> TimerRow:
    row = await services.scheduler.get(key)
    assert row is not None
    return row


async def fire(services: Services, clock: FakeClock, key: str = "checkin:1", late=timedelta()):
    row = await timer(services, key)
    clock.now = row.due_at + late
    return await services.checkins.due(row)


# -- creating and previewing ------------------------------------------------------------------
async def test_create_stores_canonical_schedule_and_arms_the_next_run(
    services: Services, clock: FakeClock
) -> None:
    preview = await make(services, schedule="Weekdays 9am", tz="europe/london")
    assert preview.checkin.schedule == "weekdays 09:00"
    assert preview.checkin.tz == "Europe/London"
    assert preview.checkin.title == "Check-in"
    assert len(preview.next_runs) == 5
    assert preview.description == "Weekdays at 09:00"
    assert preview.describe("fr") == "Du lundi au vendredi à 09:00"  # in the reader's language
    # 2026-11-23 is a Monday, 12:00 UTC: the next weekday 09:00 London (GMT) is Tuesday
    assert (await timer(services, "checkin:1")).due_at == datetime(2026, 11, 24, 9, tzinfo=UTC)


async def test_runs_keep_local_time_across_dst(services: Services, clock: FakeClock) -> None:
    clock.now = datetime(2026, 3, 27, 12, tzinfo=UTC)
    preview = await make(services)
    assert preview.next_runs[:3] == [
        datetime(2026, 3, 28, 9, tzinfo=UTC),
        datetime(2026, 3, 29, 8, tzinfo=UTC),
        datetime(2026, 3, 30, 8, tzinfo=UTC),
    ]
    await fire(services, clock)
    assert (await timer(services, "checkin:1")).due_at == datetime(2026, 3, 29, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"schedule": "whenever"}, "couldn't read"),
        ({"tz": "Europe/Londn"}, "Europe/London"),
        ({"schedule": "*/20 * * * *"}, "at most once every 1 hour"),
        ({"prompt": "x" * 1001}, "at most 1000 characters"),
        ({"prompt": "|".join(["p"] * 26)}, "At most 25 prompts"),
        ({"title": "t" * 101}, "at most 100 characters"),
    ],
)
async def test_bad_input_says_what_is_allowed(
    services: Services, options: dict, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        await make(services, **options)
    assert message in caught.value.user_message
    assert await services.checkins.repo.count_for_guild(GUILD) == 0


async def test_guild_minimum_interval_is_a_setting(services: Services) -> None:
    await services.settings.update(GUILD, CheckinSettings, MOD, min_interval_minutes=15)
    await make(services, schedule="*/20 * * * *", tz="UTC")
    await services.settings.update(GUILD, CheckinSettings, MOD, min_interval_minutes=180)
    with pytest.raises(InvalidInputError, match="3 hours"):
        await make(services, schedule="daily 09:00,11:00")


async def test_per_guild_limit(services: Services) -> None:
    for _ in range(MAX_PER_GUILD):
        await make(services)
    with pytest.raises(InvalidInputError, match="delete one first"):
        await make(services)
    await make(services, guild_id=GUILD + 1)


async def test_other_guilds_cannot_see_or_touch_a_checkin(services: Services) -> None:
    await make(services)
    for call in (
        services.checkins.preview(1, GUILD + 1),
        services.checkins.pause(1, GUILD + 1),
        services.checkins.delete(1, GUILD + 1),
        services.checkins.run_now(1, GUILD + 1),
    ):
        with pytest.raises(NotFoundError):
            await call


async def test_edit_keeps_the_fortnight_weeks(services: Services, clock: FakeClock) -> None:
    preview = await make(services, schedule="every 2 weeks on sunday 17:00")
    stored = preview.checkin.schedule
    assert "from 2026-11-23" in stored
    clock.advance(days=9)  # a week later "now" would pin the other weeks
    edited = await services.checkins.edit(1, GUILD, title="Fortnightly")
    assert edited.checkin.schedule == stored
    assert edited.next_runs[0] == datetime(2026, 12, 13, 17, tzinfo=UTC)


async def test_pause_resume_delete(services: Services, clock: FakeClock) -> None:
    await make(services)
    paused = await services.checkins.pause(1, GUILD)
    assert paused.paused and await services.scheduler.get("checkin:1") is None
    edited = await services.checkins.edit(1, GUILD, schedule="daily 10:00")
    assert edited.checkin.paused and await services.scheduler.get("checkin:1") is None
    await services.checkins.resume(1, GUILD)
    assert (await timer(services, "checkin:1")).due_at == datetime(2026, 11, 24, 10, tzinfo=UTC)
    listed = await services.checkins.list(GUILD)
    assert listed[0][1] == datetime(2026, 11, 24, 10, tzinfo=UTC)
    await services.checkins.delete(1, GUILD)
    assert await services.scheduler.get("checkin:1") is None
    assert await services.checkins.list(GUILD) == []


# -- running --------------------------------------------------------------------------------------
async def test_a_run_is_claimed_once_and_rearms(services: Services, clock: FakeClock) -> None:
    await make(services, prompt="How are you? | What helped today?")
    row = await timer(services, "checkin:1")
    plan = await fire(services, clock)
    assert plan is not None
    assert plan.scheduled_for == row.due_at and plan.prompt == "How are you?"
    assert plan.summary is None
    again = await services.checkins.due(row)  # the same run handed over twice (a restart)
    assert again is None
    assert (await timer(services, "checkin:1")).due_at == row.due_at + timedelta(days=1)
    second = await fire(services, clock)
    assert second is not None and second.prompt == "What helped today?"
    third = await fire(services, clock)
    assert third is not None and third.prompt == "How are you?"
    assert len(await services.checkins.repo.posts(1)) == 3


async def test_builtin_prompts_rotate(services: Services, clock: FakeClock) -> None:
    await make(services)
    prompts = [(await fire(services, clock)).prompt for _ in range(3)]
    assert prompts == list(BUILTIN_PROMPTS[:3])


async def test_run_missed_beyond_grace_is_skipped_but_the_next_is_stored(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    first = await timer(services, "checkin:1")
    assert await fire(services, clock, late=timedelta(hours=2)) is None
    assert await services.checkins.repo.posts(1) == []
    assert (await timer(services, "checkin:1")).due_at == first.due_at + timedelta(days=1)


async def test_run_late_within_grace_still_posts(services: Services, clock: FakeClock) -> None:
    await make(services)
    assert await fire(services, clock, late=timedelta(seconds=30)) is not None


async def test_paused_or_deleted_checkin_does_not_run(services: Services, clock: FakeClock) -> None:
    await make(services)
    row = await timer(services, "checkin:1")
    await services.checkins.pause(1, GUILD)
    clock.now = row.due_at
    assert await services.checkins.due(row) is None
    await services.checkins.delete(1, GUILD)
    assert await services.checkins.due(row) is None


async def test_run_now_posts_once_per_moment_and_keeps_the_schedule(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    before = await timer(services, "checkin:1")
    plan = await services.checkins.run_now(1, GUILD)
    assert plan.scheduled_for == clock.now
    with pytest.raises(InvalidInputError, match="just posted"):
        await services.checkins.run_now(1, GUILD)
    assert (await timer(services, "checkin:1")).due_at == before.due_at


async def test_post_failed_pauses_frees_the_slot_and_resume_rearms(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    plan = await fire(services, clock)
    await services.checkins.post_failed(plan, "missing permission: Send Messages")
    row = await services.checkins.get(1, GUILD)
    assert row.paused and row.pause_reason == "missing permission: Send Messages"
    assert await services.scheduler.get("checkin:1") is None
    assert await services.checkins.repo.posts(1) == []
    await services.checkins.resume(1, GUILD)
    assert await services.scheduler.get("checkin:1") is not None


# -- moods ----------------------------------------------------------------------------------------
async def test_votes_are_anonymous_one_per_member_and_summarised(
    services: Services, clock: FakeClock
) -> None:
    await make(services, show_summary=True)
    first = await fire(services, clock)
    assert first.summary == {}
    assert await services.checkins.vote(first.post_id, ALICE, 1) is True
    assert await services.checkins.vote(first.post_id, ALICE, 2) is False  # changed their mind
    assert await services.checkins.vote(first.post_id, BO, 5) is False
    rows = await services.db.fetchall("SELECT voter, mood FROM checkin_moods")
    assert sorted(r["mood"] for r in rows) == [2, 5]
    assert all(str(ALICE) not in r["voter"] and len(r["voter"]) == 64 for r in rows)
    second = await fire(services, clock)
    assert second.summary == {2: 1, 5: 1}
    await services.checkins.vote(second.post_id, ALICE, 3)
    hashes = await services.db.fetchall("SELECT voter FROM checkin_moods")
    assert len({r["voter"] for r in hashes}) == 3  # not linkable across posts
    third = await fire(services, clock)
    assert third.summary == {3: 1}  # only the previous day


async def test_weekly_checkin_summarises_the_last_week(
    services: Services, clock: FakeClock
) -> None:
    await make(services, schedule="mon 09:00", show_summary=True)
    first = await fire(services, clock)
    await services.checkins.vote(first.post_id, ALICE, 4)
    second = await fire(services, clock)
    assert second.summary == {4: 1}


async def test_vote_checks_its_input(services: Services, clock: FakeClock) -> None:
    await make(services)
    plan = await fire(services, clock)
    with pytest.raises(InvalidInputError):
        await services.checkins.vote(plan.post_id, ALICE, 6)
    with pytest.raises(NotFoundError):
        await services.checkins.vote(999, ALICE, 3)


async def test_vote_key_never_reaches_the_database(services: Services) -> None:
    """Anyone with the database file must not be able to re-hash member ids to votes."""
    salt = await services.checkins.repo.salt()
    assert await services.checkins.repo.salt() == salt  # stable within the process
    dumped = "\n".join(str(tuple(row)) for row in await services.db.fetchall("SELECT * FROM kv"))
    assert salt not in dumped
    services.checkins.repo._salt = None  # a restart
    assert await services.checkins.repo.salt() != salt


# -- personal check-ins ---------------------------------------------------------------------------
def test_quiet_hours_parse_and_wrap_midnight() -> None:
    assert parse_quiet_hours("22:00-08:00") == ("22:00", "08:00")
    assert parse_quiet_hours("10pm – 7am") == ("22:00", "07:00")
    assert parse_quiet_hours(" none ") is None
    with pytest.raises(InvalidInputError, match="22:00-08:00"):
        parse_quiet_hours("late")
    with pytest.raises(InvalidInputError, match="different"):
        parse_quiet_hours("08:00-08:00")
    quiet = ("22:00", "08:00")
    night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert in_quiet_hours(night, LONDON, quiet) == datetime(2026, 11, 24, 8, tzinfo=UTC)
    early = datetime(2026, 11, 24, 6, tzinfo=UTC)
    assert in_quiet_hours(early, LONDON, quiet) == datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert in_quiet_hours(datetime(2026, 11, 24, 12, tzinfo=UTC), LONDON, quiet) is None
    assert in_quiet_hours(night, LONDON, None) is None
    day_quiet = ("12:00", "14:00")
    noon = datetime(2026, 11, 24, 13, tzinfo=UTC)
    assert in_quiet_hours(noon, LONDON, day_quiet) == datetime(2026, 11, 24, 14, tzinfo=UTC)


def _transitions(zone: zoneinfo.ZoneInfo) -> list[datetime]:
    """The instants in 2026 and 2027 when ``zone``'s UTC offset changes (to the minute)."""
    found = []
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year < 2028:
        later = moment + timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            lo, hi = moment, later
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                same = mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset()
                lo, hi = (mid, hi) if same else (lo, mid)
            found.append(hi)
        moment = later
    return found


#: Zones whose clocks jump: by an hour at 02:00 or 03:00 (Sydney, London, New York, Berlin),
#: at midnight (Santiago, Havana), by half an hour (Lord Howe), on the other side of the date
#: line (Auckland, Chatham at :45).
DST_ZONES = [
    zoneinfo.ZoneInfo(name)
    for name in (
        "Australia/Sydney",
        "America/Santiago",
        "Europe/London",
        "America/New_York",
        "Europe/Berlin",
        "America/Havana",
        "Australia/Lord_Howe",
        "Pacific/Auckland",
        "Pacific/Chatham",
    )
]
JUMPS = [(zone, at) for zone in DST_ZONES for at in _transitions(zone)]


def _quiet_at(moment: datetime, zone: zoneinfo.ZoneInfo, start: time, end: time) -> bool:
    wall = moment.astimezone(zone).time()
    return (start <= wall < end) if start < end else (wall >= start or wall < end)


def _first_end(moment: datetime, zone: zoneinfo.ZoneInfo, start: time, end: time) -> datetime:
    """Found the slow way: the first minute after ``moment`` at which the quiet hours are over
    because the clock reached (or jumped past) their end; the clock turning back to before
    their start does not end them."""
    step = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while True:
        before = step - timedelta(seconds=1)
        if (
            _quiet_at(before, zone, start, end)
            and not _quiet_at(step, zone, start, end)
            and step.astimezone(zone).utcoffset() >= before.astimezone(zone).utcoffset()
        ):
            return step
        step += timedelta(minutes=1)


@given(
    jump=st.sampled_from(JUMPS),
    offset=st.integers(min_value=-36 * 3600, max_value=36 * 3600),
    start=st.integers(min_value=0, max_value=24 * 60 - 1),
    end=st.integers(min_value=0, max_value=24 * 60 - 1),
)
@example(
    jump=(zoneinfo.ZoneInfo("Australia/Sydney"), datetime(2026, 10, 3, 16, tzinfo=UTC)),
    offset=-1,
    start=121,
    end=120,
)  # every free minute skipped: the next day's end
@example(
    jump=(zoneinfo.ZoneInfo("Australia/Sydney"), datetime(2026, 4, 4, 16, tzinfo=UTC)),
    offset=-1,
    start=121,
    end=0,
)  # back to before their start: still quiet till the end
@example(
    jump=(zoneinfo.ZoneInfo("Australia/Sydney"), datetime(2026, 4, 4, 16, tzinfo=UTC)),
    offset=-1,
    start=122,
    end=121,
)  # 02:59:59 before the clocks go back to 02:00: the repeated 02:01, not tomorrow's
@settings(max_examples=300, deadline=None)
def test_quiet_hours_release_at_their_first_end_across_every_clock_change(
    jump: tuple[zoneinfo.ZoneInfo, datetime], offset: int, start: int, end: int
) -> None:
    """Whatever the clocks do, a held check-in is released when quiet hours end: never inside
    them, never later than the first instant after they end (a skipped end: at the jump)."""
    assume(start != end)
    zone, at = jump
    moment = at + timedelta(seconds=offset)
    quiet_start, quiet_end_ = time(start // 60, start % 60), time(end // 60, end % 60)
    quiet = (quiet_start.strftime("%H:%M"), quiet_end_.strftime("%H:%M"))
    release = in_quiet_hours(moment, zone, quiet)
    if not _quiet_at(moment, zone, quiet_start, quiet_end_):
        assert release is None
        return
    assert release is not None and release > moment
    assert not _quiet_at(release, zone, quiet_start, quiet_end_), release.astimezone(zone)
    assert release == _first_end(moment, zone, quiet_start, quiet_end_), release.astimezone(zone)


@pytest.mark.parametrize(
    ("zone", "night", "quiet", "release"),
    [
        # Sydney, 4 Oct 2026: 02:00 AEST → 03:00 AEDT; quiet hours end at 02:30, never shown
        ("Australia/Sydney", datetime(2026, 10, 3, 12, tzinfo=UTC), ("21:00", "02:30"),
         datetime(2026, 10, 3, 16, tzinfo=UTC)),
        # Santiago, 6 Sep 2026: 00:00 -04 → 01:00 -03; they end at 00:30, never shown
        ("America/Santiago", datetime(2026, 9, 6, 3, 30, tzinfo=UTC), ("23:00", "00:30"),
         datetime(2026, 9, 6, 4, tzinfo=UTC)),
        # London, 25 Oct 2026: 01:00-02:00 twice; a moment in the second pass waits for the
        # second 01:30
        ("Europe/London", datetime(2026, 10, 25, 1, 10, tzinfo=UTC), ("00:00", "01:30"),
         datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_quiet_hours_ending_in_a_skipped_or_repeated_time_release_at_the_right_instant(
    zone: str, night: datetime, quiet: tuple[str, str], release: datetime
) -> None:
    assert in_quiet_hours(night, zoneinfo.ZoneInfo(zone), quiet) == release


def test_goal_nudges_held_by_quiet_hours_ending_in_the_skipped_hour_come_at_the_jump() -> None:
    """Goal nudges plan with the same rule, their quiet hours read in the check-in's zone."""
    planned = next_delivery(  # 15:00 London (BST) is 00:00 in Sydney, inside its quiet hours
        "daily 15:00",
        "Europe/London",
        ("21:00", "02:30"),
        datetime(2026, 10, 3, 3, tzinfo=UTC),
        quiet_tz="Australia/Sydney",
    )
    assert planned == (datetime(2026, 10, 3, 14, tzinfo=UTC), datetime(2026, 10, 3, 16, tzinfo=UTC))


async def personal(services: Services, **overrides):
    options = {
        "user_id": ALICE,
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "schedule": "daily 07:00,20:00",
        "tz": "Europe/London",
        "quiet": "22:00-08:00",
    }
    options.update(overrides)
    return await services.checkins.set_personal(**options)


async def test_personal_runs_inside_quiet_hours_move_to_their_end(
    services: Services, clock: FakeClock
) -> None:
    row, runs = await personal(services)
    assert (row.quiet_start, row.quiet_end) == ("22:00", "08:00")
    assert runs == [
        datetime(2026, 11, 23, 20, tzinfo=UTC),
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 20, tzinfo=UTC),
    ]
    first = await timer(services, "pcheckin:1")
    clock.now = first.due_at
    plan = await services.checkins.due_personal(first)
    assert plan is not None and plan.prompt in BUILTIN_PROMPTS
    moved = await timer(services, "pcheckin:1")
    assert moved.due_at == datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert moved.payload["scheduled_for"].startswith("2026-11-24T07:00")
    clock.now = moved.due_at
    assert await services.checkins.due_personal(moved) is not None
    assert (await timer(services, "pcheckin:1")).due_at == datetime(2026, 11, 24, 20, tzinfo=UTC)


async def test_personal_refuses_a_schedule_entirely_in_quiet_hours(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="quiet hours"):
        await personal(services, schedule="daily 23:00")
    with pytest.raises(InvalidInputError):
        await personal(services, schedule="*/20 * * * *")


async def test_personal_dm_failure_pauses_until_resumed(
    services: Services, clock: FakeClock
) -> None:
    await personal(services)
    assert not await services.checkins.paused_for_closed_dms(ALICE)
    row = await services.checkins.personal_dm_failed(ALICE)
    assert row.paused and "DMs" in row.pause_reason
    assert await services.checkins.paused_for_closed_dms(ALICE)
    assert await services.scheduler.get("pcheckin:1") is None
    assert await services.checkins.personal_next(ALICE) == []
    stale = TimerRow(1, "checkin.personal", "pcheckin:1", clock.now, {"personal_id": 1,
                     "scheduled_for": clock.now.isoformat()}, None, 0)  # fmt: skip
    assert await services.checkins.due_personal(stale) is None
    runs = await services.checkins.resume_personal(ALICE)
    assert len(runs) == 3 and await services.scheduler.get("pcheckin:1") is not None
    assert not await services.checkins.paused_for_closed_dms(ALICE)
    await services.checkins.pause_personal(ALICE)  # paused by the member: nothing to tell
    assert not await services.checkins.paused_for_closed_dms(ALICE)


async def test_a_refused_personal_dm_is_retried_once_within_the_grace_time(
    services: Services, clock: FakeClock
) -> None:
    await personal(services)
    first = await timer(services, "pcheckin:1")
    clock.now = first.due_at
    plan = await services.checkins.due_personal(first)
    assert plan is not None
    await services.checkins.personal_retry_later(plan)
    key = f"pcheckin:1:retry:{plan.scheduled_for.isoformat()}"
    retry = await timer(services, key)
    assert retry.due_at == clock.now + RETRY_AFTER
    clock.now = retry.due_at
    again = await services.checkins.due_personal_retry(retry)
    assert again is not None and (again.scheduled_for, again.prompt) == (
        plan.scheduled_for,
        plan.prompt,
    )  # the same run, the same prompt
    await services.checkins.personal_retry_later(again)  # refused again: replaces itself
    assert len([t for t in await services.scheduler.timers.all() if t.key == key]) == 1
    assert (await timer(services, "pcheckin:1")).due_at > plan.scheduled_for  # next run stands
    late = await timer(services, key)
    clock.now = plan.scheduled_for + services.scheduler.misfire_grace + timedelta(seconds=1)
    assert await services.checkins.due_personal_retry(late) is None  # too late: let go
    clock.now = retry.due_at
    await services.checkins.personal_retry_later(plan)
    await services.checkins.pause_personal(ALICE)  # pausing drops the pending retry too
    assert await services.scheduler.get(key) is None
    assert await services.checkins.due_personal_retry(late) is None


async def test_personal_history_sparkline_share_and_revoke(
    services: Services, clock: FakeClock
) -> None:
    await personal(services)
    for mood in (1, 3, 5, 2):
        assert await services.checkins.personal_mood(ALICE, mood) is (mood == 1)
        clock.advance(hours=12)
    history = await services.checkins.history(ALICE)
    assert [m for _, m in history] == [1, 3, 5, 2]
    assert sparkline(history) == "▁▄█▂"
    with pytest.raises(NotFoundError):
        await services.checkins.shared_history(ALICE, BO)
    assert await services.checkins.sharing_with(ALICE) is None
    await services.checkins.share_with(ALICE, BO)
    assert await services.checkins.sharing_with(ALICE) == BO
    assert len(await services.checkins.shared_history(ALICE, BO)) == 4
    await services.checkins.share_with(ALICE, None)
    assert await services.checkins.sharing_with(ALICE) is None
    with pytest.raises(NotFoundError):
        await services.checkins.shared_history(ALICE, BO)
    clock.advance(days=31)
    assert await services.checkins.history(ALICE) == []


@given(
    answers=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30 * 24 * 60 - 1), st.integers(1, 5)),
        max_size=200,
    ),
    zone=st.sampled_from(["UTC", "Europe/Paris", "Pacific/Auckland", "America/Los_Angeles"]),
)
@settings(max_examples=200, deadline=None)
def test_a_trend_draws_every_answer_or_every_day_never_only_the_latest(
    answers: list[tuple[int, int]], zone: str
) -> None:
    """Up to 60 answers, a block each; more, a block per day of the zone, each between the
    day's lowest and highest mood: the whole 30 days either way (it once drew only the
    latest 60 answers under "Your last 30 days")."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    moods = sorted((start + timedelta(minutes=m), mood) for m, mood in answers)
    tz = zoneinfo.ZoneInfo(zone)
    spark = sparkline(moods, tz)
    if not by_day(moods):
        assert spark == "".join(SPARK[m - 1] for _, m in moods)
        return
    days: dict = {}
    for at, mood in moods:
        days.setdefault(at.astimezone(tz).date(), []).append(mood)
    assert len(spark) == len(days)
    for block, (_, day) in zip(spark, sorted(days.items()), strict=True):
        assert min(day) <= SPARK.index(block) + 1 <= max(day), (block, day)


async def test_a_personal_mood_is_stored_once_per_check_in_message_and_mood(
    services: Services, clock: FakeClock
) -> None:
    """The same mood pressed again on the same DM (a double tap, or later) stores nothing
    more; another mood on that DM, the same mood on another DM, and a press with no message
    (an old caller) are each stored. The lowest mood is reported every time."""
    await personal(services)
    assert await services.checkins.personal_mood(ALICE, 1, message_id=900) is True
    assert await services.checkins.personal_mood(ALICE, 1, message_id=900) is True
    clock.advance(hours=1)
    assert await services.checkins.personal_mood(ALICE, 1, message_id=900) is True
    await services.checkins.personal_mood(ALICE, 4, message_id=900)
    await services.checkins.personal_mood(ALICE, 1, message_id=901)
    await services.checkins.personal_mood(BO, 1, message_id=900)
    await services.checkins.personal_mood(ALICE, 3)
    await services.checkins.personal_mood(ALICE, 3)
    assert [m for _, m in await services.checkins.history(ALICE)] == [1, 4, 1, 3, 3]
    assert [m for _, m in await services.checkins.history(BO)] == [1]


async def test_a_personal_mood_offers_no_peers_of_a_server_the_member_has_left(
    services: Services,
) -> None:
    """The check-in's server answers a mood (its region's lines); its peers are offered
    only while the member is in it. Discord unable to say offers them (the form asks again)."""
    await personal(services)
    guild_id = await services.checkins.personal_guild(ALICE, None)
    assert guild_id == GUILD
    assert services.checkins.peers_offered(guild_id, True) == GUILD
    assert services.checkins.peers_offered(guild_id, None) == GUILD
    assert services.checkins.peers_offered(guild_id, False) is None
    assert services.checkins.peers_offered(None, True) is None


async def test_stop_and_forget(services: Services, clock: FakeClock) -> None:
    await personal(services)
    await services.checkins.personal_mood(ALICE, 4)
    await services.checkins.stop_personal(ALICE)
    assert await services.scheduler.get("pcheckin:1") is None
    with pytest.raises(NotFoundError):
        await services.checkins.personal_status(ALICE)
    assert len(await services.checkins.history(ALICE)) == 1
    await personal(services)
    removed = await services.privacy.forget(ALICE)
    assert removed["personal check-ins and moods"] == 2
    assert await services.checkins.history(ALICE) == []
    assert await services.scheduler.get("pcheckin:2") is None


async def test_fortnightly_summary_reaches_back_to_the_previous_post(
    services: Services, clock: FakeClock
) -> None:
    await make(services, schedule="every 2 weeks on mon 09:00", show_summary=True)
    first = await fire(services, clock)
    await services.checkins.vote(first.post_id, ALICE, 3)
    second = await fire(services, clock)
    assert second.scheduled_for - first.scheduled_for == timedelta(days=14)
    assert second.summary_period == timedelta(days=14)
    assert second.summary == {3: 1}


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_a_shared_trend_is_named_wherever_only_you_was_said(lang: str) -> None:
    """While the trend is shared, the check-in DM, the answer to a mood and `/checkin me
    every` name the peer instead of saying only the member sees it, in five languages."""
    peer = "<@77>"
    prompt = BUILTIN_PROMPTS[0]
    pairs = [
        (personal_checkin_text(prompt, lang), personal_checkin_text(prompt, lang, peer)),
        (personal_mood_head(2, lang), personal_mood_head(2, lang, peer)),
        (
            personal_set_text("daily 20:00", "UTC", None, [], lang),
            personal_set_text("daily 20:00", "UTC", None, [], lang, peer),
        ),
    ]
    for alone, shared in pairs:
        assert peer not in alone and peer in shared and alone != shared
    english = personal_mood_head(2, "en", peer)
    assert (personal_mood_head(2, lang, peer) == english) is (lang == "en")
    assert (dms_closed_text(lang) == dms_closed_text("en")) is (lang == "en")
    assert "`/checkin me resume`" in dms_closed_text(lang)


def test_a_mood_answer_without_a_peer_button_says_how_to_ask_instead() -> None:
    """No Talk to a peer under the answer (a DM check-in with no one server to offer): the
    offer names `/support` in their server, never a button; with it, the texts as before."""
    from bot.services.checkins import mood_support_lines

    lowest = mood_support_lines(1, True, lang="en", peer_button=False)
    assert "run `/support` in your server" in lowest[0] and "button" not in " ".join(lowest)
    assert mood_support_lines(2, False, peer_button=False) == [
        "If you'd like someone to listen, run `/support` in your server to ask a peer."
    ]
    assert mood_support_lines(2, False) == [
        "If you'd like someone to listen, a peer is a button away."
    ]
    assert mood_support_lines(1, True)[0] == (
        "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
        "listen, and you choose what to share."
    )


def test_a_mood_answer_where_peer_support_is_not_set_up_offers_no_peer() -> None:
    """A server without peer support: no peer promised (no button, no `/support`), but
    someone they trust and `/selfhelp`; the crisis lines stay."""
    from bot.services.checkins import mood_support_lines

    lowest = mood_support_lines(1, True, peer_button=False, peer_support=False)
    assert "someone you trust can listen" in lowest[0]
    assert "peer" not in " ".join(lowest) and "/support" not in " ".join(lowest)
    assert lowest[-1] == "In immediate danger? Call your local emergency number."
    low = mood_support_lines(2, False, peer_button=False, peer_support=False)
    assert low == [
        "If you'd like someone to listen, someone you trust may help; `/selfhelp` "
        "has short guides for a hard day."
    ]
    assert mood_support_lines(4, False, peer_support=False) == []
