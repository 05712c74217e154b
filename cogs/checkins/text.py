"""How check-ins read in Discord: run times in the check-in's own zone, list lines, previews,
mood counts and a member's personal check-in status."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import discord

from bot.services.checkins import MOODS, CheckinRow, Preview

MOOD_EMOJI = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}


def local_time(moment: datetime, tz: str) -> str:
    """The wall-clock text in the check-in's own zone, e.g. ``Mon 30 Mar 2026, 09:00 BST``."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M %Z")


def run_time_lines(runs: list[datetime], tz: str) -> list[str]:
    """One line per run: the reader's own time (a Discord timestamp), then the check-in's."""
    return [f"• {discord.utils.format_dt(r, 'F')} — {local_time(r, tz)} ({tz})" for r in runs]


def run_lines(runs: list[datetime], tz: str) -> str:
    if not runs:
        return "No future runs."
    return "\n".join(run_time_lines(runs, tz))


def checkin_line(row: CheckinRow, nxt: datetime | None) -> str:
    state = (
        f"paused ({row.pause_reason})"
        if row.paused
        else (f"next {discord.utils.format_dt(nxt, 'R')}" if nxt else "no next run")
    )
    return f"**#{row.id}** {row.title} in <#{row.channel_id}>: `{row.schedule}` {row.tz} · {state}"


def preview_text(head: str, preview: Preview) -> str:
    row = preview.checkin
    extras = []
    if row.use_thread:
        extras.append("a thread for replies")
    if row.show_summary:
        extras.append("a summary of earlier moods")
    prompts = f"{len(row.prompts)} prompt(s) of yours" if row.prompts else "the built-in prompts"
    text = (
        f"{head} It is **check-in #{row.id}**: use `{row.id}` with `/checkin edit`, `pause`, "
        "`resume`, `delete` or `run-now`.\n"
        f"**#{row.id} {row.title}** in <#{row.channel_id}>: {preview.description} "
        f"({row.tz}), with {prompts}" + (", " + " and ".join(extras) if extras else "") + ".\n"
    )
    if row.paused:
        text += (
            f"It is paused ({row.pause_reason}). `/checkin resume` restarts it.\nIt would run:\n"
        )
    else:
        text += "Next runs:\n"
    return text + run_lines(preview.next_runs, row.tz)


def summary_text(summary: dict[int, int]) -> str:
    total = sum(summary.values())
    if not total:
        return "No answers last time."
    return " · ".join(f"{MOOD_EMOJI[m]} {MOODS[m]}: {summary.get(m, 0)}" for m in sorted(MOODS))
