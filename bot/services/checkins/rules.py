"""What every check-in shares: limits, moods, built-in prompts, the server setting, the plans
handed to the Discord layer, input parsing (schedule, zone, prompts, title, quiet hours), and
the base the channel and personal halves of ``CheckinService`` build on."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import ClassVar

from pydantic import Field

from bot.clock import Clock, utcnow
from bot.db.repositories.checkins import CheckinRepository, CheckinRow, PersonalRow
from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.schedules import (
    Schedule,
    ScheduleError,
    parse_clock,
    parse_schedule,
    parse_timezone,
    resolve_local,
)
from bot.services.settings import GuildSettingsService, SettingsSection
from bot.services.zones import MemberZones
from bot.text import has_visible
from bot.timers import Scheduler

POST = "checkin.post"
RETRY = "checkin.retry"
RETRY_AFTER = timedelta(seconds=60)
PERSONAL = "checkin.personal"
PERSONAL_RETRY = "checkin.personal_retry"
MAX_PROMPT = 1000
MAX_PROMPTS = 25
MAX_TITLE = 100
MAX_PER_GUILD = 50
#: English; marked for the catalogues, translated where a member reads them (``messages``).
MOODS = {1: N_("Struggling"), 2: N_("Low"), 3: N_("Okay"), 4: N_("Good"), 5: N_("Great")}
LOWEST = 1
#: A mood at or below this (but above the lowest) is answered with a gentle offer of a peer.
LOW = 2

#: Built-in prompts drawn from the recovery themes in the project's seeds: relationships,
#: community, learning, movement, peace, and recognising the need for support.
BUILTIN_PROMPTS = (
    N_("How are you doing today, really? One word is enough."),
    N_("Who is someone you felt connected to this week?"),
    N_("What's one small thing you learned or tried lately?"),
    N_("Did you get to move your body today, even a little? How did it feel?"),
    N_("What brings you a moment of peace right now?"),
    N_("Is there something you could use support with this week? It's okay to ask."),
    N_("What's one thing that went a bit better than expected?"),
    N_("What would make tomorrow a little easier?"),
)


class CheckinSettings(SettingsSection):
    section: ClassVar[str] = "checkins"
    title: ClassVar[str] = "Check-ins"

    min_interval_minutes: int = Field(60, ge=15, le=10080)


@dataclass(frozen=True)
class Preview:
    """A check-in, its parsed schedule and its next runs; the schedule is described in the
    reader's language where it is shown (``describe(lang)``)."""

    checkin: CheckinRow
    schedule: Schedule
    next_runs: list[datetime]

    @property
    def description(self) -> str:
        """The schedule in English."""
        return self.schedule.describe()

    def describe(self, lang: str | None = None) -> str:
        return self.schedule.describe(lang)


@dataclass(frozen=True)
class PostPlan:
    checkin: CheckinRow
    post_id: int
    scheduled_for: datetime
    prompt: str
    summary: dict[int, int] | None
    #: The span the summary counts: back to the previous run, at least a day.
    summary_period: timedelta | None = None
    #: The last try within the misfire grace time: if Discord fails it for a moment too, the
    #: run is given up (``gave_up``) and the moderators are told once; never a run-now's.
    final: bool = False


@dataclass(frozen=True)
class GivenUp:
    """A run whose stored retry came too late (beyond the grace time, e.g. after a restart):
    Discord failed its post, and it is given up; the moderators are told once."""

    checkin: CheckinRow
    scheduled_for: datetime


@dataclass(frozen=True)
class PersonalPlan:
    personal: PersonalRow
    scheduled_for: datetime
    prompt: str


# -- parsing ------------------------------------------------------------------------------------
def _schedule(text: str) -> Schedule:
    try:
        return parse_schedule(text)
    except ScheduleError as exc:
        raise InvalidInputError(exc.template, **exc.params) from exc


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return parse_timezone(name)
    except ScheduleError as exc:
        raise InvalidInputError(exc.template, **exc.params) from exc


def _clock(text: str) -> time:
    try:
        return parse_clock(text)
    except ScheduleError as exc:
        raise InvalidInputError(exc.template, **exc.params) from exc


def split_prompts(text: str) -> list[str]:
    """Cut ``text`` at each lone ``|``; Discord's spoiler markup ``||…||`` stays inside its
    prompt. In a run of an odd number of bars one is a separator: inside a spoiler, the one
    after the spoiler's closing ``||`` (``a ||b|||c``), else the first (``a|||b|| c``); a run
    of an even number is text. Pieces are kept as they are (not stripped, empties kept)."""
    pieces: list[str] = []
    current: list[str] = []
    spoiler = False
    for token in re.split(r"(\|+)", text):
        bars = token
        if token.startswith("|") and len(token) % 2:
            closing = "||" if spoiler and len(token) >= 3 else ""
            pieces.append("".join([*current, closing]))
            if closing:
                spoiler = False
            bars = token[len(closing) + 1 :]
            current = []
        current.append(bars)
        if bars.startswith("|"):
            spoiler ^= (len(bars) // 2) % 2 == 1  # each "||" opens or closes a spoiler
    pieces.append("".join(current))
    return pieces


def parse_prompts(prompt: str | None) -> list[str]:
    """``a | b`` → ["a", "b"]; empty → [] (the built-in prompts). Only a lone ``|``
    separates prompts: a spoiler ``||…||`` stays in its prompt (``split_prompts``). A prompt
    is kept as written (edges trimmed); one of only spaces and invisible characters (a
    zero-width space: ``bot.text.has_visible``, as for goals and group guidelines) is no
    prompt, so a post never asks nothing."""
    if prompt is None or not has_visible(prompt):
        return []
    prompts = [p.strip() for p in split_prompts(prompt) if has_visible(p)]
    if len(prompts) > MAX_PROMPTS:
        raise InvalidInputError(
            N_("At most {count} prompts (separate them with `|`)."), count=MAX_PROMPTS
        )
    for p in prompts:
        if len(p) > MAX_PROMPT:
            raise InvalidInputError(
                N_("A prompt can be at most {count} characters; one has {length}."),
                count=MAX_PROMPT,
                length=len(p),
            )
    return prompts


def parse_title(title: str | None) -> str:
    """The title as written (edges trimmed); none, or one of only spaces and invisible
    characters, is "Check-in"."""
    title = title.strip() if title and has_visible(title) else "Check-in"
    if len(title) > MAX_TITLE:
        raise InvalidInputError(N_("A title can be at most {count} characters."), count=MAX_TITLE)
    return title


def parse_quiet_hours(text: str | None) -> tuple[str, str] | None:
    """``22:00-08:00`` → ("22:00", "08:00"); empty or "none" → None."""
    if text is None or text.strip().lower() in ("", "none", "off"):
        return None
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if len(parts) != 2:
        raise InvalidInputError(N_("Quiet hours look like `22:00-08:00`."))
    start, end = _clock(parts[0]), _clock(parts[1])
    if start == end:
        raise InvalidInputError(N_("Quiet hours need a different start and end."))
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def _quiet_at(wall: time, start: time, end: time) -> bool:
    return (start <= wall < end) if start < end else (wall >= start or wall < end)


def in_quiet_hours(
    moment: datetime, tz: zoneinfo.ZoneInfo, quiet: tuple[str, str] | None
) -> datetime | None:
    """If ``moment`` falls in quiet hours, the instant they end; else None.

    The end is read like a schedule's time (``resolve_local``): an end the clocks skip is the
    first moment after the jump; an end the clocks repeat is its first occurrence, or its
    second for a moment already in the repeated hour past the first. If the jump skips all
    the time between their end and their next start, they end the next day."""
    if quiet is None:
        return None
    start, end = time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])
    local = moment.astimezone(tz)
    now_t = local.time()
    if not _quiet_at(now_t, start, end):
        return None
    for release in _end_instants(local.date(), end, tz):
        # the first time the clock reads their end after ``moment``, unless a jump skipped
        # every minute between their end and their next start (then the next day's)
        if release > moment and not _quiet_at(release.astimezone(tz).time(), start, end):
            return release.astimezone(moment.tzinfo)
    raise AssertionError("quiet hours without an end")  # pragma: no cover - 4 days suffice


def _end_instants(day: date, end: time, tz: zoneinfo.ZoneInfo) -> Iterator[datetime]:
    """In order, each instant from ``day`` on (four days) at which the clock reads ``end``:
    both times of an end the clocks repeat (a moment in the first pass of the repeated hour,
    past its first end, is released at the second: 02:59 before the clocks go back from 03:00
    to 02:00 waits for the 02:01 that comes two minutes later, not tomorrow's), and the first
    moment after the jump for an end the clocks skip (``resolve_local``)."""
    for offset in range(4):
        wall = datetime.combine(day + timedelta(days=offset), end)
        first = resolve_local(wall, tz)
        yield first
        second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
        if second > first and second.astimezone(tz).replace(tzinfo=None) == wall:
            yield second


def next_delivery(
    schedule: str,
    tz: str,
    quiet: tuple[str, str] | None,
    after: datetime,
    quiet_tz: str | None = None,
) -> tuple[datetime, datetime] | None:
    """A member's next run after ``after`` and when to deliver it: at the run, or when their
    quiet hours end. Personal check-ins and goal nudges both arm their timers with it. The
    quiet hours are read in ``quiet_tz`` (the zone they were set in) if given, else in ``tz``."""
    zone = _zone(tz)
    nxt = _schedule(schedule).next_run(after, zone)
    if nxt is None:
        return None
    return nxt, in_quiet_hours(nxt, _zone(quiet_tz) if quiet_tz else zone, quiet) or nxt


def upcoming_deliveries(
    schedule: str,
    tz: str,
    quiet: tuple[str, str] | None,
    after: datetime,
    count: int,
    quiet_tz: str | None = None,
) -> list[datetime]:
    """The next ``count`` delivery times (runs inside quiet hours move to their end; several
    moved to the same end are delivered once). Quiet hours are read as in ``next_delivery``."""
    zone = _zone(tz)
    quiet_zone = _zone(quiet_tz) if quiet_tz else zone
    out: list[datetime] = []
    for run in _schedule(schedule).next_runs(after, zone, count * 3):
        moved = in_quiet_hours(run, quiet_zone, quiet) or run
        if moved not in out:
            out.append(moved)
        if len(out) == count:
            break
    return out


def previous_run(schedule: Schedule, zone: zoneinfo.ZoneInfo, before: datetime) -> datetime | None:
    """The schedule's last run strictly before ``before`` (its real occurrence in ``zone``,
    so across a clock change too), or None when it had none in about four years."""
    for span in (timedelta(days=2), timedelta(days=9), timedelta(days=35), timedelta(days=1500)):
        last = None
        for run in schedule.iter_runs(before - span, zone):
            if run >= before:
                break
            last = run
        if last is not None:
            return last
    return None


def summary_since(schedule: Schedule, zone: zoneinfo.ZoneInfo, scheduled_for: datetime) -> datetime:
    """Where a post's summary starts counting: at the schedule's previous run, so the answers
    to the previous post are counted however far back it was (Monday's on Thursday, the last
    one of a fortnightly check-in) and across a clock change; a check-in that runs several
    times a day counts the posts of the day before it."""
    day = scheduled_for - timedelta(days=1)
    previous = previous_run(schedule, zone, scheduled_for)
    return day if previous is None else min(previous, day)


def _too_often(minimum: timedelta) -> InvalidInputError:
    """A schedule more frequent than the server's minimum, the minimum in hours when whole."""
    minutes = int(minimum.total_seconds() // 60)
    if minutes % 60:
        return InvalidInputError(
            N_(
                "That schedule runs more often than this server allows (at most once every "
                "{count} minutes). Try e.g. `daily 09:00` or `weekdays 18:30`."
            ),
            count=minutes,
        )
    if minutes == 60:
        return InvalidInputError(
            N_(
                "That schedule runs more often than this server allows (at most once every "
                "1 hour). Try e.g. `daily 09:00` or `weekdays 18:30`."
            )
        )
    return InvalidInputError(
        N_(
            "That schedule runs more often than this server allows (at most once every "
            "{count} hours). Try e.g. `daily 09:00` or `weekdays 18:30`."
        ),
        count=minutes // 60,
    )


SPARK = "▁▂▄▆█"


SPARK_ANSWERS = 60  # answers shown one block each; more (an hourly check-in): a block a day


def by_day(moods: list[tuple[datetime, int]]) -> bool:
    """Does :func:`sparkline` draw these answers a block a day (too many for one each)?"""
    return len(moods) > SPARK_ANSWERS


def sparkline(moods: list[tuple[datetime, int]], zone: tzinfo | None = None) -> str:
    """A text trend for ``/checkin me history``, oldest first: one block per answer, or, for
    more than :data:`SPARK_ANSWERS` answers, one block per day of ``zone`` (UTC without one)
    at the day's average mood, rounded half up, so the whole period is drawn, never only its
    latest answers."""
    if not by_day(moods):
        return "".join(SPARK[m - 1] for _, m in moods)
    days: dict[date, list[int]] = {}
    for at, mood in moods:
        days.setdefault(at.astimezone(zone or UTC).date(), []).append(mood)
    return "".join(SPARK[int(sum(v) / len(v) + 0.5) - 1] for _, v in sorted(days.items()))


# -- the shared base ------------------------------------------------------------------------------
class CheckinBase:
    """Storage, settings, timers and clock, and the schedule check both halves use."""

    def __init__(
        self,
        repo: CheckinRepository,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        zones: MemberZones,
        clock: Clock = utcnow,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock
        self.zones = zones
        #: Called with a member's id after their quiet hours may have changed.
        self.quiet_watchers: list[Callable[[int], Awaitable[None]]] = []
        #: Has the server removed Kindred? (``ServerPresence.is_departed``, wired at start)
        self.server_away: Callable[[int], Awaitable[bool]] | None = None

    async def _validated(
        self, guild_id: int | None, schedule_text: str, tz: str
    ) -> tuple[Schedule, zoneinfo.ZoneInfo]:
        zone = _zone(tz)
        # "every N weeks" is pinned to the weeks starting from now, then stored canonically;
        # an already pinned schedule (an edit that keeps it) keeps its weeks.
        schedule = _schedule(schedule_text)
        if schedule.anchor is None:
            schedule = schedule.anchored(self.clock(), zone)
        minimum = timedelta(minutes=60)
        if guild_id is not None:
            cfg = await self.settings.get(guild_id, CheckinSettings)
            minimum = timedelta(minutes=cfg.min_interval_minutes)
        if schedule.min_interval() < minimum:
            raise _too_often(minimum)
        return schedule, zone
