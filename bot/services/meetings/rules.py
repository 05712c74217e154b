"""The rules of group meetings that need no storage: when a meeting happens (the schedule
language, or a one-off date and time), how long it lasts, when reminders go out, and whose turn
it is to facilitate (the rotation, with swapped turns)."""

from __future__ import annotations

import calendar
import json
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.errors import InvalidInputError, KindredError
from bot.i18n import N_
from bot.schedules import (
    SCHEDULE_EXAMPLES,
    ClockChange,
    Duration,
    Schedule,
    ScheduleError,
    ScheduleParseError,
    clock_change,
    once_text,
    parse_clock,
    parse_duration,
    parse_schedule,
    parse_timezone,
    resolve_local,
)

REMIND = "meeting.remind"
OPEN = "meeting.open"
CLOSE = "meeting.close"
FACILITATOR_REMIND = "meeting.facilitator_remind"
REMIND_RETRY = "meeting.remind_retry"  # one member's reminder DM, tried again alone
OPEN_POST = "meeting.open_post"  # the opening post of a meeting already open, tried again
SWAP_CHECK = "meeting.swap_check"  # an Accept press never finished (the process died): undone
KINDS = (REMIND, OPEN, CLOSE, FACILITATOR_REMIND, REMIND_RETRY, OPEN_POST, SWAP_CHECK)

DEFAULT_DURATION = timedelta(hours=1)
MIN_DURATION, MAX_DURATION = timedelta(minutes=10), timedelta(hours=8)
DEFAULT_REMINDERS = (24 * 60, 15)  # minutes before the start
MAX_REMINDERS = 3
MAX_REMINDER = 7 * 24 * 60
FACILITATOR_NOTICE = timedelta(days=1)
MIN_NAME, MAX_NAME = 2, 60
MAX_PROMPT = 300
MAX_MEETINGS = 10  # per group
MAX_FACILITATORS = 25  # per group
DEFAULT_PROMPT = (
    "Check-in round: your name, how you're arriving today, and anything you'd like from the "
    "group. Passing is always fine."
)

_ONE_OFF = re.compile(
    r"^(?:once\s+)?(?:on\s+)?(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:at|t|,)?\s*)(?P<time>.+)$"
)


@dataclass(frozen=True)
class When:
    """A meeting's timing: a recurring ``schedule`` (canonical text) or a one-off ``once_at``
    (UTC), in the IANA zone ``tz``."""

    schedule: str | None
    once_at: datetime | None
    tz: str

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz)

    def next_start(self, after: datetime) -> datetime | None:
        """The first start strictly after ``after`` (None: a one-off that has passed)."""
        if self.schedule is None:
            return self.once_at if self.once_at is not None and self.once_at > after else None
        return parse_schedule(self.schedule).next_run(after, self.zone())

    def describe(self, lang: str | None = None) -> str:
        """``Tuesdays at 19:00 (Europe/Lisbon)``, ``Once, Mon 04 May 2026 at 19:00
        (Europe/Lisbon)``: in ``lang`` (English by default; the zone's name as it is)."""
        if self.schedule is None:
            assert self.once_at is not None
            return once_text(self.once_at.astimezone(self.zone()), self.tz).message_in(lang)
        return f"{parse_schedule(self.schedule).describe(lang)} ({self.tz})"


EXAMPLE_AHEAD = timedelta(weeks=4)


def one_off_example(now: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A one-off date and time to show as an example: 19:00 on the day four weeks after today
    in ``zone`` (``2026-12-30 19:00``), so it is always in the future and accepted as typed."""
    day = now.astimezone(zone).date() + EXAMPLE_AHEAD
    return f"{day:%Y-%m-%d} 19:00"


class OneOffHintError(InvalidInputError):
    """A schedule the schedule language refused, followed by how a one-off meeting is
    written (``example``, a date ahead); both halves in the reader's language (each where it
    is translated)."""

    def __init__(self, problem: KindredError, example: str) -> None:
        super().__init__(
            N_("{problem} A one-off meeting looks like `{example}`."),
            problem=problem.user_message,
            example=example,
        )
        self.problem = problem
        self.example = example

    def message_in(self, lang: str | None) -> str:
        hint = InvalidInputError(
            self.template, problem=self.problem.message_in(lang), example=self.example
        )
        return hint.message_in(lang)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return parse_timezone(name)
    except ScheduleError as exc:
        raise InvalidInputError(exc.template, **exc.params) from exc


def parse_when(text: str, tz: str, now: datetime) -> When:
    """``every monday at 19:00``, ``mon,thu 18:30``, ``every 2 weeks on sunday 17:00`` (the
    schedule language), or a one-off ``2026-05-04 19:00`` / ``once 2026-05-04 at 7pm``
    (errors show a one-off example four weeks after ``now``).

    Recurring schedules must leave at least a day between meetings; a one-off must be in the
    future."""
    zone = _zone(tz)
    example = one_off_example(now, zone)
    value = " ".join(str(text or "").split()).lower()
    one_off = _ONE_OFF.match(value)
    if one_off:
        return When(None, _one_off(one_off, zone, now, text), zone.key)
    try:
        schedule = parse_schedule(value)
    except ScheduleParseError as exc:
        raise OneOffHintError(_as_meeting(exc), example) from exc
    except ScheduleError as exc:
        raise OneOffHintError(exc, example) from exc
    if schedule.kind == "hourly" or schedule.min_interval() < timedelta(days=1):
        raise InvalidInputError(
            N_(
                "Meetings can be at most once a day. Try `every monday at 19:00`, "
                "`tue,thu 18:30` or a one-off date like `{example}`."
            ),
            example=example,
        )
    schedule = _anchored(schedule, now, zone)
    return When(schedule.canonical(), None, zone.key)


def _as_meeting(refused: ScheduleParseError) -> KindredError:
    """The schedule language's refusal with examples a meeting accepts (the language's own,
    `daily 09:00, 21:00` or `every 3 hours`, run more than once a day)."""
    if type(refused) is not ScheduleParseError:  # a time of day, a day: its own examples
        return refused
    return KindredError(
        N_(
            "I couldn't read “{text}” as a schedule: {reason}. Try `every monday at 19:00`, "
            "`tue,thu 18:30` or `every 2 weeks on sunday 17:00`."
        ),
        **refused.params,
    )


def _anchored(schedule: Schedule, now: datetime, zone: zoneinfo.ZoneInfo) -> Schedule:
    return schedule.anchored(now, zone) if schedule.anchor is None else schedule


def _one_off(match: re.Match[str], zone: zoneinfo.ZoneInfo, now: datetime, text: str) -> datetime:
    year, month, number = (int(p) for p in match["date"].split("-"))
    if year >= 1 and not _on_calendar(year, month, number):
        raise _no_such_day(match["date"], year, month)
    try:
        day = date(year, month, number)
        clock = parse_clock(match["time"].strip())
    except (ValueError, ScheduleError):
        shown = " ".join(str(text).split())[:40]
        raise InvalidInputError(
            N_("I couldn't read “{text}” as a date and time; write it like `{example}`."),
            text=shown,
            example=one_off_example(now, zone),
        ) from None
    wall = datetime.combine(day, clock)
    change = clock_change(wall, zone)
    if change is not None:
        raise _clock_change_error(wall, zone, change)
    start = resolve_local(wall, zone)
    if start <= now:
        raise InvalidInputError(N_("That date and time has already passed; choose a future one."))
    if start - now > timedelta(days=366):
        raise InvalidInputError(N_("A one-off meeting can be up to a year ahead."))
    return start


def _clock_change_error(
    wall: datetime, zone: zoneinfo.ZoneInfo, change: ClockChange
) -> InvalidInputError:
    """A one-off at a time the clocks skip or repeat is refused rather than moved or guessed:
    what happens then, and a time that happens once (the first past the change)."""
    params = {
        "time": f"{wall:%H:%M}",
        "date": f"{wall:%Y-%m-%d}",
        "zone": zone.key,
        "example": f"{change.after:%Y-%m-%d %H:%M}",
    }
    if change.skipped:
        return InvalidInputError(
            N_(
                "{time} doesn't exist on {date} in {zone}: the clocks go forward then. "
                "Choose another time, for example `{example}`."
            ),
            **params,
        )
    return InvalidInputError(
        N_(
            "{time} happens twice on {date} in {zone}: the clocks go back then, so I can't "
            "tell which one you mean. Choose another time, for example `{example}`."
        ),
        **params,
    )


def _days_in(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else calendar.mdays[month]


def _on_calendar(year: int, month: int, number: int) -> bool:
    return 1 <= month <= 12 and 1 <= number <= _days_in(year, month)


def _no_such_day(typed: str, year: int, month: int) -> InvalidInputError:
    """A date written right that isn't on the calendar (30 February, a 13th month)."""
    if not 1 <= month <= 12:
        return InvalidInputError(
            N_("{date} doesn't exist: months go from 1 to 12. Check the date and try again."),
            date=typed,
        )
    return InvalidInputError(
        N_("{date} doesn't exist: that month has {count} days. Check the date and try again."),
        date=typed,
        count=_days_in(year, month),
    )


def parse_meeting_duration(text: str | None) -> timedelta:
    if text is None or not str(text).strip():
        return DEFAULT_DURATION
    try:
        duration = parse_duration(str(text))
    except ScheduleError as exc:
        raise InvalidInputError(exc.template, **exc.params) from exc
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidInputError(N_("A meeting lasts from 10 minutes to 8 hours, e.g. `90m`."))
    return duration


def parse_reminders(text: str | None) -> tuple[int, ...]:
    """``24h, 15m`` → (1440, 15): minutes before the start, largest first; ``none`` → ()."""
    if text is None or not str(text).strip():
        return DEFAULT_REMINDERS
    value = str(text).strip().lower()
    if value in ("none", "off", "no"):
        return ()
    minutes: set[int] = set()
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        try:
            delta = parse_duration(part)
        except ScheduleError:
            raise InvalidInputError(
                N_(
                    "Reminders are times before the meeting, separated by commas, e.g. "
                    "`24h, 15m` (or `none`)."
                )
            ) from None
        whole = int(delta.total_seconds() // 60)
        if not 5 <= whole <= MAX_REMINDER:
            raise InvalidInputError(N_("Each reminder is from 5 minutes to 7 days before."))
        minutes.add(whole)
    if len(minutes) > MAX_REMINDERS:
        raise InvalidInputError(N_("Up to {count} reminders, please."), count=MAX_REMINDERS)
    return tuple(sorted(minutes, reverse=True))


def reminder_lengths(reminders: Sequence[int]) -> KindredError:
    """``24 hours, 15 minutes`` as a phrase: ``str()`` the English, ``message_in(lang)`` each
    length in the reader's language."""
    return _Lengths([Duration(timedelta(minutes=m)) for m in reminders])


class _Lengths(KindredError):
    def __init__(self, lengths: list[Duration]) -> None:
        self.lengths = lengths
        super().__init__(", ".join(str(length) for length in lengths))

    def message_in(self, lang: str | None) -> str:
        return ", ".join(length.message_in(lang) for length in self.lengths)


def encode_reminders(reminders: Sequence[int]) -> str:
    return json.dumps(list(reminders))


def parse_meeting_name(text: str | None) -> str:
    name = " ".join(str(text or "").split())
    if not MIN_NAME <= len(name) <= MAX_NAME:
        raise InvalidInputError(
            N_("A meeting's name is {least} to {most} characters long."),
            least=MIN_NAME,
            most=MAX_NAME,
        )
    if any(c in name for c in "@#<>`|*_~"):
        raise InvalidInputError(N_("A meeting's name may not use @ # < > ` | * _ or ~."))
    return name


def parse_prompt(text: str | None) -> str | None:
    """The check-in round prompt; empty (or ``-``, as ``/group meeting edit`` takes it) means
    the built-in one."""
    value = " ".join(str(text or "").split())
    if not value or value == "-":
        return None
    if len(value) > MAX_PROMPT:
        raise InvalidInputError(
            N_("Keep the check-in prompt under {count} characters."), count=MAX_PROMPT
        )
    return value


def check_fits(when: When, duration: timedelta) -> None:
    """A recurring meeting must end before its next one starts."""
    if when.schedule is None:
        return
    if parse_schedule(when.schedule).min_interval() <= duration:
        raise InvalidInputError(N_("The meeting would run into its next one; make it shorter."))


def next_reminder(
    start: datetime,
    reminders: Sequence[int],
    now: datetime,
    *,
    below: int | None = None,
    grace: timedelta = timedelta(0),
) -> tuple[datetime, int] | None:
    """The next reminder for a meeting starting at ``start``: the largest offset (under
    ``below``, when one was just due) whose time is still ahead, or passed by less than
    ``grace`` (after a downtime, a reminder still on time is sent late rather than never; an
    older one is skipped). Only a reminder timer's own step passes ``grace``: arming afresh
    (an edit) never sends again a reminder that has just gone out."""
    for minutes in sorted(reminders, reverse=True):
        if below is not None and minutes >= below:
            continue
        due = start - timedelta(minutes=minutes)
        if due > now - grace:
            return due, minutes
    return None


def reminded(start: datetime | None, reminders: Sequence[int], now: datetime) -> bool:
    """Has a reminder of the meeting starting at ``start`` gone out (its first one due by
    ``now``, the meeting still ahead)? Then cancelling or moving it is told to the members
    who asked for the group's reminders."""
    if start is None or not reminders or start <= now:
        return False
    return start - timedelta(minutes=max(reminders)) <= now


def facilitator_notice(start: datetime, now: datetime, *, at_once: bool = False) -> datetime | None:
    """When the facilitator is reminded: the day before, if that is still ahead. ``at_once``
    (the date was just set: a meeting added or moved, or the next date of one that just opened
    or was skipped): a date less than a day ahead is told now, while it is still ahead, so a
    daily meeting's facilitators and one set up for tonight hear of their turn too."""
    due = start - FACILITATOR_NOTICE
    if due > now:
        return due
    return now if at_once and start > now else None


# -- the rotation -----------------------------------------------------------------------------
def facilitator_at(order: Sequence[int], swaps: Mapping[int, int], slot: int) -> int | None:
    """Who facilitates turn ``slot``: a swapped turn, else the rotation in order."""
    if slot in swaps:
        return swaps[slot]
    return order[slot % len(order)] if order else None


def next_turn_of(
    order: Sequence[int], swaps: Mapping[int, int], start: int, user_id: int
) -> int | None:
    """The first turn from ``start`` that is ``user_id``'s (None: not in the rotation)."""
    if user_id not in order and user_id not in swaps.values():
        return None
    horizon = start + len(order) * (len(swaps) + 2) + len(swaps) + 1
    for slot in range(start, horizon):
        if facilitator_at(order, swaps, slot) == user_id:
            return slot
    return None


def swap_turns(
    order: Sequence[int], swaps: Mapping[int, int], start: int, a: int, b: int
) -> dict[int, int]:
    """``a``'s next turn goes to ``b`` and ``b``'s next turn to ``a``; the rest of the rotation
    is unchanged. Swaps that undo themselves leave no trace."""
    if a == b:
        raise InvalidInputError(N_("Swap with another facilitator, not yourself."))
    slot_a, slot_b = next_turn_of(order, swaps, start, a), next_turn_of(order, swaps, start, b)
    if slot_a is None or slot_b is None:
        raise InvalidInputError(N_("Both of you need to be in this group's rotation."))
    new = dict(swaps)
    new[slot_a], new[slot_b] = b, a
    for slot in (slot_a, slot_b):
        if order and new[slot] == order[slot % len(order)]:
            del new[slot]
    return new


def when_text(moment: datetime) -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    stamp = int(moment.astimezone(UTC).timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


EXAMPLES = SCHEDULE_EXAMPLES
