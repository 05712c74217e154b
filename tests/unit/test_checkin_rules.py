"""Check-in rules that used to live in the Discord layer (issue #11): which check-ins a server
has, letting a run go when Discord could not be asked, where moderators hear about a stopped
check-in, whose server answers a personal mood, the server's minimum interval, what a summary
counts, and prompt and title input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import to_db
from bot.errors import InvalidInputError
from bot.schedules import parse_schedule
from bot.services import Services
from bot.services.checkins import (
    LOW,
    LOWEST,
    MAX_PROMPT,
    MAX_PROMPTS,
    MAX_TITLE,
    MOODS,
    RETRY,
    RETRY_AFTER,
    CheckinRow,
    CheckinSettings,
    GivenUp,
    PersonalRow,
    PostPlan,
    TimerRow,
    summary_since,
)
from bot.services.checkins.rules import parse_prompts, parse_title, previous_run
from bot.services.peers import PeerSettings
from bot.text import has_visible
from tests.unit.conftest import FakeClock

GUILD, OTHER_GUILD, CHANNEL, MOD_CHANNEL, MOD = 10, 11, 20, 21, 30
ALICE = 404142434445


async def make(services: Services, guild_id: int = GUILD, **overrides):
    options = {
        "guild_id": guild_id,
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


async def due_plan(services: Services, clock: FakeClock):
    timer = await services.scheduler.get("checkin:1")
    assert timer is not None
    clock.now = timer.due_at
    plan = await services.checkins.due(timer)
    assert plan is not None
    return plan


def test_row_types_come_from_the_service_layer() -> None:
    from bot.db.repositories import checkins, core

    assert (CheckinRow, PersonalRow) == (checkins.CheckinRow, checkins.PersonalRow)
    assert TimerRow is core.TimerRow


# -- choosing a check-in ----------------------------------------------------------------------
async def test_for_guild_lists_only_that_servers_checkins_paused_too(services: Services) -> None:
    await make(services, title="Morning")
    await make(services, guild_id=OTHER_GUILD, title="Elsewhere")
    await make(services, title="Evening", schedule="daily 19:00")
    await services.checkins.pause(3, GUILD)
    rows = await services.checkins.for_guild(GUILD)
    assert [(r.id, r.title, r.paused) for r in rows] == [
        (1, "Morning", False),
        (3, "Evening", True),
    ]
    assert await services.checkins.for_guild(99) == []


# -- a run Discord could not be asked about ---------------------------------------------------
async def test_skip_frees_the_run_and_keeps_the_schedule(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    plan = await due_plan(services, clock)
    assert len(await services.checkins.repo.posts(1)) == 1  # claimed
    await services.checkins.skip(plan)
    assert await services.checkins.repo.posts(1) == []
    row = await services.checkins.get(1, GUILD)
    assert not row.paused  # unlike a missing channel or permission
    nxt = await services.scheduler.get("checkin:1")
    assert nxt is not None and nxt.due_at == plan.scheduled_for + timedelta(days=1)
    assert await retries(services, 1) == []  # unlike retry_later


# -- a run Discord refused for a moment (429, 5xx) --------------------------------------------
async def retries(services: Services, checkin_id: int) -> list[TimerRow]:
    return [
        t
        for t in await services.scheduler.timers.all()
        if t.kind == RETRY and t.payload["checkin_id"] == checkin_id
    ]


async def test_a_scheduled_run_and_a_run_now_failing_together_are_each_retried_and_posted_once(
    services: Services, clock: FakeClock
) -> None:
    """Both runs wait for their retry at once: neither replaces the other, each is posted
    once, and a retry that fires again posts nothing."""
    await make(services)
    scheduled = await due_plan(services, clock)
    await services.checkins.retry_later(scheduled)  # Discord answered 5xx
    clock.advance(seconds=20)
    now = await services.checkins.run_now(1, GUILD)
    await services.checkins.retry_later(now)  # and again, before the first retry ran
    assert scheduled.scheduled_for != now.scheduled_for
    assert await services.checkins.repo.posts(1) == []  # both slots free for their retries
    pending = await retries(services, 1)
    assert sorted(t.payload["scheduled_for"] for t in pending) == sorted(
        [scheduled.scheduled_for.isoformat(), now.scheduled_for.isoformat()]
    )
    clock.advance(seconds=60)
    for n, timer in enumerate(pending, start=100):
        plan = await services.checkins.due_retry(timer)
        assert plan is not None
        await services.checkins.posted(plan.post_id, n)
    for timer in pending:  # a retry running twice (e.g. a restart) posts nothing more
        assert await services.checkins.due_retry(timer) is None
    stored = await services.checkins.repo.posts(1)
    assert [(p["scheduled_for"], p["message_id"] is not None) for p in stored] == [
        (to_db(scheduled.scheduled_for), True),
        (to_db(now.scheduled_for), True),
    ]


async def test_a_run_failing_again_replaces_only_its_own_retry(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    plan = await due_plan(services, clock)
    await services.checkins.retry_later(plan)
    clock.advance(seconds=60)
    [first] = await retries(services, 1)
    again = await services.checkins.due_retry(first)
    assert again is not None
    await services.checkins.retry_later(again)  # Discord is still failing
    [second] = await retries(services, 1)
    assert second.payload == first.payload and second.due_at > first.due_at


async def test_the_last_try_within_the_grace_time_says_so_and_giving_up_keeps_the_schedule(
    services: Services, clock: FakeClock
) -> None:
    """Retried each minute while the grace time lasts: the try whose retry would come beyond
    it is ``final``; given up, its slot is free, nothing is retried and the check-in is not
    paused (its next run stays stored)."""
    await make(services)
    plan = await due_plan(services, clock)
    assert not plan.final
    grace = services.scheduler.misfire_grace
    finals = []
    while not plan.final:
        await services.checkins.retry_later(plan)
        [timer] = await retries(services, 1)
        clock.now = timer.due_at
        again = await services.checkins.due_retry(timer)
        assert isinstance(again, PostPlan)
        plan = again
        await services.scheduler.timers.delete(timer.id)  # the handler succeeded
        finals.append(plan.final)
    assert finals[-1] and not any(finals[:-1])
    assert clock.now - plan.scheduled_for <= grace
    assert clock.now + RETRY_AFTER - plan.scheduled_for > grace
    await services.checkins.gave_up(plan)
    assert await services.checkins.repo.posts(1) == []
    assert await retries(services, 1) == []
    assert not (await services.checkins.get(1, GUILD)).paused
    nxt = await services.scheduler.get("checkin:1")
    assert nxt is not None and nxt.due_at == plan.scheduled_for + timedelta(days=1)
    assert not (await services.checkins.run_now(1, GUILD)).final  # a run-now's first try


async def test_a_retry_that_comes_beyond_the_grace_time_is_given_up_not_posted_late(
    services: Services, clock: FakeClock
) -> None:
    await make(services)
    plan = await due_plan(services, clock)
    await services.checkins.retry_later(plan)
    [timer] = await retries(services, 1)
    clock.now = plan.scheduled_for + services.scheduler.misfire_grace + timedelta(minutes=10)
    late = await services.checkins.due_retry(timer)
    assert isinstance(late, GivenUp) and late.scheduled_for == plan.scheduled_for
    assert late.checkin.id == 1
    assert await services.checkins.repo.posts(1) == []  # nothing claimed


@pytest.mark.parametrize("stop", ["pause", "delete"])
async def test_pausing_or_deleting_drops_every_pending_retry_of_that_checkin_only(
    services: Services, clock: FakeClock, stop: str
) -> None:
    for _ in range(12):  # check-in 1's timers must not take check-in 12's with them
        await make(services)
    plan = await due_plan(services, clock)
    await services.checkins.retry_later(plan)
    other = await services.checkins.run_now(12, GUILD)
    await services.checkins.retry_later(other)
    clock.advance(seconds=20)
    await services.checkins.retry_later(await services.checkins.run_now(1, GUILD))
    assert len(await retries(services, 1)) == 2
    await getattr(services.checkins, stop)(1, GUILD)
    assert await retries(services, 1) == []
    assert await services.scheduler.get("checkin:1") is None
    assert len(await retries(services, 12)) == 1
    assert await services.scheduler.get("checkin:12") is not None


# -- telling moderators -----------------------------------------------------------------------
async def test_moderators_hear_in_their_channel_unless_it_is_unset_or_the_broken_one(
    services: Services,
) -> None:
    row = (await make(services)).checkin
    assert await services.checkins.moderator_channel(row) is None  # unset: DM the creator
    await services.settings.update(GUILD, PeerSettings, MOD, mod_channel_id=CHANNEL)
    assert await services.checkins.moderator_channel(row) is None  # the channel that failed
    await services.settings.update(GUILD, PeerSettings, MOD, mod_channel_id=MOD_CHANNEL)
    assert await services.checkins.moderator_channel(row) == MOD_CHANNEL
    other = (await make(services, guild_id=OTHER_GUILD)).checkin
    assert await services.checkins.moderator_channel(other) is None  # per server


# -- personal moods ---------------------------------------------------------------------------
async def test_a_personal_mood_is_answered_from_the_server_it_was_set_up_in(
    services: Services,
) -> None:
    # no personal check-in: the server the button was pressed in (None in a DM)
    assert await services.checkins.personal_guild(ALICE, OTHER_GUILD) == OTHER_GUILD
    assert await services.checkins.personal_guild(ALICE, None) is None
    await services.checkins.set_personal(
        user_id=ALICE, guild_id=GUILD, channel_id=CHANNEL, schedule="daily 20:00",
        tz="UTC", quiet=None,
    )  # fmt: skip
    assert await services.checkins.personal_guild(ALICE, None) == GUILD
    assert await services.checkins.personal_guild(ALICE, OTHER_GUILD) == GUILD
    # set up in a DM: no server's peers or region, wherever it is pressed
    await services.checkins.set_personal(
        user_id=ALICE, guild_id=None, channel_id=None, schedule="daily 20:00",
        tz="UTC", quiet=None,
    )  # fmt: skip
    assert await services.checkins.personal_guild(ALICE, OTHER_GUILD) is None


def test_mood_levels_behind_the_replies() -> None:
    assert sorted(MOODS) == [1, 2, 3, 4, 5]
    assert LOWEST == 1 and MOODS[LOWEST] == "Struggling"  # crisis lines
    assert LOW == 2 and MOODS[LOW] == "Low"  # an offer of a peer


# -- the server's minimum interval ------------------------------------------------------------
async def test_min_interval_is_validated_audited_and_applied(services: Services) -> None:
    with pytest.raises(InvalidInputError, match="min_interval_minutes"):
        await services.checkins.set_min_interval(GUILD, MOD, 5)
    await services.checkins.set_min_interval(GUILD, MOD, 180)
    cfg = await services.settings.get(GUILD, CheckinSettings)
    assert cfg.min_interval_minutes == 180
    (entry,) = await services.audit.recent(GUILD)
    assert entry.actor_id == MOD and entry.detail == {"checkins.min_interval_minutes": 180}
    with pytest.raises(InvalidInputError, match="once every 3 hours") as often:
        await make(services, schedule="every 2 hours")
    assert often.value.message_in("es").startswith(
        "Ese horario se repite más a menudo de lo que permite este servidor (como mucho una vez "
        "cada 3 horas)."
    ), often.value.message_in("es")
    await make(services, guild_id=OTHER_GUILD, schedule="every 2 hours")  # only this server


# -- summaries, prompts and titles ------------------------------------------------------------
@pytest.mark.parametrize(
    ("schedule", "zone", "at", "since"),
    [
        # several runs a day, daily: the day before
        ("hourly", "UTC", datetime(2026, 11, 26, 9, 0), datetime(2026, 11, 25, 9, 0)),
        ("daily 09:00, 21:00", "UTC", datetime(2026, 11, 26, 9, 0), datetime(2026, 11, 25, 9, 0)),
        ("daily 09:00", "UTC", datetime(2026, 11, 26, 9, 0), datetime(2026, 11, 25, 9, 0)),
        # twice a week: back to the previous post, Monday's on Thursday, Thursday's on Monday
        ("mon,thu 10:00", "UTC", datetime(2026, 11, 26, 10, 0), datetime(2026, 11, 23, 10, 0)),
        ("mon,thu 10:00", "UTC", datetime(2026, 11, 30, 10, 0), datetime(2026, 11, 26, 10, 0)),
        ("weekdays 09:00", "UTC", datetime(2026, 11, 30, 9, 0), datetime(2026, 11, 27, 9, 0)),
        ("weekly on sunday 17:00", "UTC", datetime(2026, 11, 29, 17, 0),
         datetime(2026, 11, 22, 17, 0)),
        ("cron: 0 0 1 * *", "UTC", datetime(2026, 12, 1, 0, 0), datetime(2026, 11, 1, 0, 0)),
        # the clocks go back: yesterday's 09:00 BST was 25 hours before today's 09:00 GMT
        ("daily 09:00", "Europe/London", datetime(2026, 10, 25, 9, 0),
         datetime(2026, 10, 24, 8, 0)),
        ("weekly on sunday 09:00", "Europe/London", datetime(2026, 10, 25, 9, 0),
         datetime(2026, 10, 18, 8, 0)),
        # the clocks go forward: 23 hours back is less than a day, the day is counted
        ("daily 09:00", "Europe/London", datetime(2026, 3, 29, 8, 0), datetime(2026, 3, 28, 8, 0)),
    ],
)  # fmt: skip
def test_a_summary_counts_back_to_the_previous_run_at_least_a_day(
    schedule: str, zone: str, at: datetime, since: datetime
) -> None:
    """What a post's summary counts starts at the schedule's previous run (the previous
    post's answers, however far back), a day back at least."""
    assert summary_since(
        parse_schedule(schedule), ZoneInfo(zone), at.replace(tzinfo=UTC)
    ) == since.replace(tzinfo=UTC)


def test_a_fortnightly_summary_counts_back_two_weeks() -> None:
    schedule = parse_schedule("every 2 weeks on sun 17:00").anchored(
        datetime(2026, 11, 1, tzinfo=UTC), ZoneInfo("UTC")
    )
    first, second = schedule.next_runs(datetime(2026, 11, 1, tzinfo=UTC), ZoneInfo("UTC"), 2)
    assert summary_since(schedule, ZoneInfo("UTC"), second) == first


ZONES = [
    ZoneInfo(z)
    for z in ("UTC", "Europe/London", "America/Santiago", "Australia/Lord_Howe", "Pacific/Apia")
]
SCHEDULES = [
    "hourly", "daily 09:00", "daily 00:30, 13:15", "mon,thu 09:00", "weekdays 18:30",
    "weekly on sunday 02:30", "every 2 weeks on sat 01:00", "cron: 0 0 1 * *",
    "cron: 30 2 * * 0", "cron: 0 12 29 2 *",
]  # fmt: skip


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    text=st.sampled_from(SCHEDULES),
    zone=st.sampled_from(ZONES),
    at=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1),
                    timezones=st.just(UTC)),
)  # fmt: skip
def test_the_previous_run_is_the_last_run_before(text: str, zone: ZoneInfo, at: datetime) -> None:
    """Over schedules and zones with odd clock changes: the previous run is a run of the
    schedule, before ``at``, with no run between it and ``at``; a summary counts back to it
    and at least a day."""
    schedule = parse_schedule(text).anchored(datetime(2000, 1, 1, tzinfo=UTC), zone)
    previous = previous_run(schedule, zone, at)
    assert previous is not None and previous < at
    assert schedule.next_run(previous - timedelta(microseconds=1), zone) == previous
    assert schedule.next_run(previous, zone) >= at
    since = summary_since(schedule, zone, at)
    assert since <= previous and since <= at - timedelta(days=1)
    assert since == previous or since == at - timedelta(days=1)


def test_prompts_split_on_bars_within_limits() -> None:
    assert parse_prompts(None) == []
    assert parse_prompts("  ") == []
    assert parse_prompts(" How are you? | | What helped? ") == ["How are you?", "What helped?"]
    assert len(parse_prompts("|".join(["p"] * MAX_PROMPTS))) == MAX_PROMPTS
    with pytest.raises(InvalidInputError, match=f"At most {MAX_PROMPTS} prompts"):
        parse_prompts("|".join(["p"] * (MAX_PROMPTS + 1)))
    with pytest.raises(InvalidInputError, match=f"one has {MAX_PROMPT + 1}"):
        parse_prompts("ok | " + "x" * (MAX_PROMPT + 1))


def test_a_spoiler_stays_inside_its_prompt() -> None:
    spoiler = "What was hard? ||It's okay if it was everything.||"
    assert parse_prompts(spoiler) == [spoiler]
    assert parse_prompts(f"{spoiler} | How did you rest?") == [spoiler, "How did you rest?"]
    assert parse_prompts(f"{spoiler}|How did you rest?") == [spoiler, "How did you rest?"]
    assert parse_prompts(f"How did you rest?|{spoiler}") == ["How did you rest?", spoiler]
    assert parse_prompts("||a|| and ||b||") == ["||a|| and ||b||"]
    assert parse_prompts("a | | b") == ["a", "b"]


_PLAIN = st.text(st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), max_size=12)
_WORDS = _PLAIN.filter(has_visible)  # a prompt shows something (else it is no prompt)


@st.composite
def prompts_with_spoilers(draw: st.DrawFn) -> str:
    """A prompt without a lone bar: words and ``||spoilers||`` (never empty ones), not blank
    at either end."""
    parts = draw(st.lists(st.tuples(_WORDS, st.booleans()), min_size=1, max_size=4))
    return "".join(f"||{p}||" if spoiler else p for p, spoiler in parts).strip()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    prompts=st.lists(prompts_with_spoilers(), min_size=1, max_size=MAX_PROMPTS),
    separator=st.sampled_from(["|", " | ", "  |  ", "\n|\n"]),
)
def test_prompts_with_spoilers_round_trip(prompts: list[str], separator: str) -> None:
    """Prompts written with spoilers and joined with a lone ``|``, spaced or not (a spoiler
    right before or after it too), come back as they were."""
    assert parse_prompts(separator.join(prompts)) == prompts


@settings(max_examples=100, deadline=None, derandomize=True)
@given(prompts=st.lists(st.one_of(prompts_with_spoilers(), st.just(" ")), min_size=1, max_size=9))
def test_blank_prompts_between_spaced_bars_are_left_out(prompts: list[str]) -> None:
    kept = [p for p in prompts if p.strip()]
    assert parse_prompts(" | ".join(prompts)) == kept


_INVISIBLE = st.text(
    st.sampled_from(
        ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u3164",
         "\u2800", "\U000e0041", " ", "\t", "\n", "\u00a0", "\u3000"]
    ),
    max_size=20,
)  # fmt: skip


def test_prompts_and_titles_of_only_invisible_characters_are_none() -> None:
    assert parse_prompts("\u200b") == []
    assert parse_prompts("\u200b | \u2060\u200b") == []
    assert parse_prompts("\u200b | How did you rest?") == ["How did you rest?"]
    assert parse_title("\u200b\u200b") == "Check-in"
    assert parse_title(" \u200b Monday circle ") == "\u200b Monday circle"  # as written


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pieces=st.lists(_INVISIBLE, min_size=1, max_size=MAX_PROMPTS + 5))
def test_invisible_only_input_never_yields_a_prompt_or_a_title(pieces: list[str]) -> None:
    """However many prompts of only spaces and invisible characters (zero-width, joiners,
    bidi overrides, fillers, stray tags) a moderator separates with bars, none is a prompt
    (the built-in ones rotate) and the title is "Check-in"."""
    assert parse_prompts(" | ".join(pieces)) == []  # ("||" unspaced would be a spoiler)
    assert parse_title("".join(pieces)) == "Check-in"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(prompts=st.lists(st.one_of(prompts_with_spoilers(), _INVISIBLE), min_size=1, max_size=9))
def test_every_prompt_kept_shows_something(prompts: list[str]) -> None:
    kept = parse_prompts(" | ".join(prompts))
    assert kept == [p for p in prompts if has_visible(p)]
    assert all(has_visible(p) for p in kept)


def test_titles_default_and_are_limited() -> None:
    assert parse_title(None) == "Check-in"
    assert parse_title("   ") == "Check-in"
    assert parse_title("  Monday circle ") == "Monday circle"
    assert parse_title("t" * MAX_TITLE) == "t" * MAX_TITLE
    with pytest.raises(InvalidInputError, match=f"at most {MAX_TITLE} characters"):
        parse_title("t" * (MAX_TITLE + 1))
