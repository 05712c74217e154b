"""How self-help reads in Discord: library pages and the topic list, goals, and plans."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import discord

from bot.services.selfhelp import (
    INSPIRED,
    PARTS,
    GoalRow,
    Page,
    PlanRow,
    Reading,
    SharedWith,
    questions,
)
from bot.services.selfhelp.messages import goal_state_text
from bot.ui.replies import COLOUR, WARM

FIELD = 1024
POINTER = "Talk to a peer: /support · Urgent: /crisis"


def _link_name(name: str) -> str:
    return name.replace("[", "(").replace("]", ")")


def sources_text(page: Page) -> str:
    """The page's sources as links, as many as fit in one embed field."""
    text = ""
    for source in page.meta.source:
        line = f"• [{_link_name(source.name)}]({source.url})\n"
        if len(text) + len(line) > FIELD:
            break
        text += line
    return text.strip() or "—"


def page_embed(reading: Reading) -> discord.Embed:
    page = reading.topic
    embed = discord.Embed(title=page.title, description=reading.text, colour=COLOUR)
    if reading.last:
        embed.add_field(name="Sources", value=sources_text(page), inline=False)
    embed.set_footer(
        text=f"Page {reading.index + 1} of {reading.count} · Reviewed {page.meta.reviewed:%d %b %Y}"
        f" · Not medical advice · {POINTER}"
    )
    return embed


def index_embed(topics: list[Page]) -> discord.Embed:
    """Every topic, one line each, as many as fit (the autocomplete finds the rest)."""
    head = (
        "Short pages in plain language from the Kindred project (and this server, if it added "
        "its own), each with its sources. Open one with `/selfhelp topic:` (start typing to "
        "search).\n\n"
    )
    lines = []
    for page in topics:
        summary = f": {page.meta.summary}" if page.meta.summary else ""
        lines.append(f"• **{page.title}**{summary} (`{page.slug}`)")
    text = head
    for i, line in enumerate(lines):
        if len(text) + len(line) + 80 > 4000:
            text += f"…and {len(lines) - i} more: type in the topic box to find them."
            break
        text += line + "\n"
    embed = discord.Embed(title="Self-help library", description=text.strip(), colour=COLOUR)
    embed.set_footer(text=f"Only you can see this. {POINTER}")
    return embed


# -- goals -----------------------------------------------------------------------------------------
def when(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "f")


def local(moment: datetime, tz: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%a %d %b, %H:%M")


def goal_line(goal: GoalRow, runs: list[datetime], lang: str = "en") -> str:
    mark = "✅ " if goal.status == "done" else ""
    done_when = when(goal.done_at) if goal.done_at else None
    nxt = discord.utils.format_dt(runs[0], "R") if runs else None
    return f"**#{goal.id}** {mark}{goal.text} · {goal_state_text(goal, done_when, nxt, lang)}"


# -- plans -------------------------------------------------------------------------------------
def plan_embed(plan: PlanRow, *, title: str, intro: str) -> discord.Embed:
    embed = discord.Embed(title=title, description=intro[:4096], colour=WARM)
    for part, name in PARTS.items():
        for question in questions(part):
            answer = plan.answers.get(question.key)
            if answer:
                embed.add_field(
                    name=f"{name} · {question.label}"[:256], value=answer[:FIELD], inline=False
                )
    embed.set_footer(text=INSPIRED)
    return embed


def shared_lines(shares: list[SharedWith]) -> str:
    if not shares:
        return "Shared with: nobody (`/plan share` lets a peer you trust read it)."
    parts = []
    for share in shares:
        seen = f", last read {when(share.last_read)}" if share.last_read else ", not read yet"
        parts.append(f"<@{share.peer_id}> (since {when(share.since)}{seen})")
    return "Shared with: " + "; ".join(parts) + ". `/plan unshare` takes it back."
