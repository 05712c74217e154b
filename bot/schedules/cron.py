"""5-field crontab expressions (``cron: 0 9 * * 1-5``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.i18n import N_
from bot.schedules.errors import ScheduleParseError, why

_CRON_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_CRON_DOWS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _CRON_MONTHS),
    ("day of week", 0, 7, _CRON_DOWS),
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class CronSpec:
    """A 5-field crontab: ``minute hour day-of-month month day-of-week``.

    ``dows`` use Monday=0 like the rest of this module (cron's 0 and 7 are Sunday = 6 here).
    As in Vixie cron, when both day fields are restricted a day matches either of them.
    """

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    doms: frozenset[int]
    months: frozenset[int]
    dows: frozenset[int]
    dom_star: bool
    dow_star: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        dom_ok = day.day in self.doms
        dow_ok = day.weekday() in self.dows
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok


def _parse_cron(expression: str, original: str) -> CronSpec:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleParseError(
            original,
            why(
                N_(
                    "a cron expression needs exactly 5 fields (minute hour day month weekday), "
                    "got {count}"
                ),
                count=len(fields),
            ),
        )
    values: list[frozenset[int]] = []
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        values.append(_parse_cron_field(text, name, low, high, names, original))
    minutes, hours, doms, months, raw_dows = values
    dows = frozenset((d - 1) % 7 for d in raw_dows)  # cron 0/7 = Sunday -> 6; 1 = Monday -> 0
    spec = CronSpec(
        expression=" ".join(fields),
        minutes=minutes,
        hours=hours,
        doms=doms,
        months=months,
        dows=dows,
        dom_star=fields[2].startswith("*"),
        dow_star=fields[4].startswith("*"),
    )
    either_day = not spec.dom_star and not spec.dow_star  # a weekday can always match
    if not either_day and not any(d <= _DAYS_IN_MONTH[m - 1] for m in months for d in doms):
        raise ScheduleParseError(
            original, why(N_("that day of the month never happens in those months"))
        )
    return spec


def _parse_cron_field(
    text: str, name: str, low: int, high: int, names: dict[str, int], original: str
) -> frozenset[int]:
    def number(token: str) -> int:
        if token in names:
            return names[token]
        if not re.fullmatch(r"\d{1,2}", token, re.ASCII):
            raise ScheduleParseError(
                original,
                why(N_("“{token}” isn't valid in the cron {name} field"), token=token, name=name),
            )
        value = int(token)
        if not low <= value <= high:
            raise ScheduleParseError(
                original,
                why(
                    N_("the cron {name} field takes {low}-{high}, not {value}"),
                    name=name,
                    low=low,
                    high=high,
                    value=value,
                ),
            )
        return value

    result: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not re.fullmatch(r"\d{1,2}", step_text, re.ASCII) or int(step_text) == 0:
                raise ScheduleParseError(
                    original,
                    why(N_("“{item}” has a bad step in the cron {name}"), item=item, name=name),
                )
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = number(first), number(last)
            if start > end:
                raise ScheduleParseError(
                    original,
                    why(N_("“{base}” is a backwards range in the {name}"), base=base, name=name),
                )
        else:
            start = number(base)
            end = high if step_text else start
        result.update(range(start, end + 1, step))
    if not result:  # pragma: no cover - every branch adds at least one value
        raise ScheduleParseError(original, why(N_("the cron {name} field is empty"), name=name))
    return frozenset(result)
