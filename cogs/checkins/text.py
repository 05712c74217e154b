"""How check-ins read in Discord: run times in the check-in's own zone, list lines, previews,
mood counts and a member's personal check-in status."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.i18n import N_, gettext_for, local_datetime
from bot.services.checkins import MOODS, CheckinRow, Preview

MOOD_EMOJI = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}


def local_time(moment: datetime, tz: str, lang: str = "en") -> str:
    """The wall-clock text in the check-in's own zone in the reader's language, e.g.
    ``Mon 30 Mar 2026, 09:00 BST`` (``seg., 30 de mar. de 2026 09:00 BST``)."""
    return local_datetime(moment, tz, lang)


def run_time_lines(runs: list[datetime], tz: str, lang: str = "en") -> list[str]:
    """One line per run: the reader's own time (a Discord timestamp), then the check-in's."""
    return [f"• {discord.utils.format_dt(r, 'F')} — {local_time(r, tz, lang)} ({tz})" for r in runs]


def run_lines(runs: list[datetime], tz: str, lang: str = "en") -> str:
    if not runs:
        return gettext_for(lang)("No future runs.")
    return "\n".join(run_time_lines(runs, tz, lang))


#: ``/checkin list``: one whole line per check-in; ``state`` is its pause, next run or none.
CHECKIN_LINE = N_("**#{id}** {title} in {channel}: `{schedule}` {tz} · {state}")


def checkin_line(row: CheckinRow, nxt: datetime | None, lang: str = "en") -> str:
    """A moderator's list line, in their language (the schedule, zone and a stored pause
    reason as they are)."""
    _ = gettext_for(lang)
    state = (
        _("paused ({reason})").format(reason=row.pause_reason)
        if row.paused
        else (
            _("next {when}").format(when=discord.utils.format_dt(nxt, "R"))
            if nxt
            else _("no next run")
        )
    )
    return _(CHECKIN_LINE).format(
        id=row.id,
        title=row.title,
        channel=f"<#{row.channel_id}>",
        schedule=row.schedule,
        tz=row.tz,
        state=state,
    )


# What a check-in has, one whole sentence per case: its own prompts or the built-in ones,
# with a thread and a summary or without.
_DETAILS = {
    (True, False, False): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz}), with {count} prompt(s) of yours."
    ),
    (True, True, False): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with {count} prompt(s) of yours, a thread for replies."
    ),
    (True, False, True): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with {count} prompt(s) of yours, a summary of earlier moods."
    ),
    (True, True, True): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with {count} prompt(s) of yours, a thread for replies and a summary of earlier moods."
    ),
    (False, False, False): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz}), with the built-in prompts."
    ),
    (False, True, False): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with the built-in prompts, a thread for replies."
    ),
    (False, False, True): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with the built-in prompts, a summary of earlier moods."
    ),
    (False, True, True): N_(
        "**#{id} {title}** in {channel}: {schedule} ({tz})"
        ", with the built-in prompts, a thread for replies and a summary of earlier moods."
    ),
}


def preview_text(head: str, preview: Preview, lang: str = "en", warning: str | None = None) -> str:
    """A moderator's answer about a check-in: ``head`` (already in their language), a
    ``warning`` on the lines after it, what it is (the schedule described in their language)
    and its next runs."""
    _ = gettext_for(lang)
    row = preview.checkin
    details = _DETAILS[(bool(row.prompts), row.use_thread, row.show_summary)]
    text = (
        head
        + " "
        + _(
            "It is **check-in #{id}**: use `{id}` with `/checkin edit`, `pause`, `resume`, "
            "`delete` or `run-now`."
        ).format(id=row.id)
        + "\n"
        + (f"{warning}\n" if warning else "")
        + _(details).format(
            id=row.id,
            title=row.title,
            channel=f"<#{row.channel_id}>",
            schedule=preview.describe(lang),
            tz=row.tz,
            count=len(row.prompts),
        )
        + "\n"
    )
    if row.paused:
        text += (
            _("It is paused ({reason}). `/checkin resume` restarts it.").format(
                reason=row.pause_reason
            )
            + "\n"
            + _("It would run:")
            + "\n"
        )
    else:
        text += _("Next runs:") + "\n"
    return text + run_lines(preview.next_runs, row.tz, lang)


def summary_text(summary: dict[int, int]) -> str:
    total = sum(summary.values())
    if not total:
        return "No answers last time."
    return " · ".join(f"{MOOD_EMOJI[m]} {MOODS[m]}: {summary.get(m, 0)}" for m in sorted(MOODS))
