"""How self-help reads in Discord: library pages and the topic list, goals, and plans."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.i18n import gettext_for, local_datetime
from bot.services.selfhelp import (
    INSPIRED,
    PARTS,
    GoalRow,
    Matches,
    Page,
    PlanRow,
    Reading,
    SharedWith,
    questions,
)
from bot.services.selfhelp.messages import goal_state_text, shared_goal_state_text
from bot.ui.replies import COLOUR, WARM

FIELD = 1024


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


def _reviewed(day: object, lang: str) -> str:
    # English keeps its "02 Mar 2026"; other languages read an unambiguous number date
    return f"{day:%d %b %Y}" if lang == "en" else f"{day:%Y-%m-%d}"


def page_embed(reading: Reading, lang: str = "en") -> discord.Embed:
    """A library page; its text is the page as shipped, the labels around it in ``lang``."""
    _ = gettext_for(lang)
    page = reading.topic
    embed = discord.Embed(title=page.title, description=reading.text, colour=COLOUR)
    if reading.last:
        embed.add_field(name=_("Sources"), value=sources_text(page), inline=False)
    footer = _(
        "Page {page} of {count} · Reviewed {reviewed} · Not medical advice · "
        "Talk to a peer: /support · Urgent: /crisis"
    )
    embed.set_footer(
        text=footer.format(
            page=reading.index + 1,
            count=reading.count,
            reviewed=_reviewed(page.meta.reviewed, lang),
        )
    )
    return embed


def index_embed(topics: list[Page], lang: str = "en") -> discord.Embed:
    """Every topic, one line each, as many as fit (the autocomplete finds the rest)."""
    _ = gettext_for(lang)
    head = (
        _(
            "Short pages in plain language from the Kindred project (and this server, if it added "
            "its own), each with its sources. Open one with `/selfhelp topic:` (start typing to "
            "search)."
        )
        + "\n\n"
    )
    lines = []
    for page in topics:
        summary = f": {page.meta.summary}" if page.meta.summary else ""
        lines.append(f"• **{page.title}**{summary} (`{page.slug}`)")
    text = head
    for i, line in enumerate(lines):
        if len(text) + len(line) + 80 > 4000:
            more = _("…and {count} more: type in the topic box to find them.")
            text += more.format(count=len(lines) - i)
            break
        text += line + "\n"
    embed = discord.Embed(title=_("Self-help library"), description=text.strip(), colour=COLOUR)
    embed.set_footer(text=_("Only you can see this. Talk to a peer: /support · Urgent: /crisis"))
    return embed


def matches_text(matches: Matches, lang: str = "en") -> str:
    """The pages matching a topic no page is called (a tag, a word of a summary), each with
    how to open it; whole sentences in ``lang``, the pages' titles in theirs."""
    _ = gettext_for(lang)
    lines = [_("No topic is called exactly that, but these pages match it:")]
    for page in matches.pages:
        lines.append(f"• **{page.title}**: `/selfhelp topic:{page.slug}`")
    if matches.more:
        lines.append(
            _("…and {count} more: `/selfhelp` with no topic lists them all.").format(
                count=matches.more
            )
        )
    return "\n".join(lines)


# -- goals -----------------------------------------------------------------------------------------
def when(moment: datetime) -> str:
    return discord.utils.format_dt(moment, "f")


def local(moment: datetime, tz: str, lang: str = "en") -> str:
    """The goal's own wall-clock time in the reader's language (``Thu 03 Dec, 09:00``)."""
    return local_datetime(moment, tz, lang, year=False)


def goal_line(goal: GoalRow, runs: list[datetime], lang: str = "en") -> str:
    mark = "✅ " if goal.status == "done" else ""
    done_when = when(goal.done_at) if goal.done_at else None
    nxt = discord.utils.format_dt(runs[0], "R") if runs else None
    return f"**#{goal.id}** {mark}{goal.text} · {goal_state_text(goal, done_when, nxt, lang)}"


def shared_goal_line(goal: GoalRow, lang: str = "en") -> str:
    """A goal as the person it is shared with reads it: its number (so they can talk about
    it), the member's words and its progress; nothing about its nudges."""
    mark = "✅ " if goal.status == "done" else ""
    done_when = when(goal.done_at) if goal.done_at else None
    return f"**#{goal.id}** {mark}{goal.text} · {shared_goal_state_text(goal, done_when, lang)}"


# -- plans -------------------------------------------------------------------------------------
def plan_embed(plan: PlanRow, *, title: str, intro: str, lang: str = "en") -> discord.Embed:
    """A wellness plan: ``title`` and ``intro`` already in ``lang``, the parts' names too."""
    _ = gettext_for(lang)
    embed = discord.Embed(title=title, description=intro[:4096], colour=WARM)
    for part, name in PARTS.items():
        for question in questions(part):
            answer = plan.answers.get(question.key)
            if answer:
                embed.add_field(
                    name=f"{_(name)} · {_(question.label)}"[:256],
                    value=answer[:FIELD],
                    inline=False,
                )
    embed.set_footer(text=_(INSPIRED))
    return embed


def shared_lines(shares: list[SharedWith], lang: str = "en", gone: set[int] | None = None) -> str:
    """Who may read the member's plan, as the intro of ``/plan view`` says it (whole
    sentences in ``lang``); a peer in ``gone`` no longer shares a server with the member."""
    _ = gettext_for(lang)
    if not shares:
        return _(
            "Only you can see this. Shared with: nobody (`/plan share` lets a peer you trust "
            "read it).\n`/plan write` changes it; `/plan export` sends you a copy."
        )
    parts = []
    for share in shares:
        if share.peer_id in (gone or set()):
            if share.last_read:
                item = _(
                    "{peer} (since {since}, last read {read}; no longer in a server with you, "
                    "so they can't read it: `/plan unshare` to remove)"
                )
            else:
                item = _(
                    "{peer} (since {since}, not read yet; no longer in a server with you, "
                    "so they can't read it: `/plan unshare` to remove)"
                )
        elif share.last_read:
            item = _("{peer} (since {since}, last read {read})")
        else:
            item = _("{peer} (since {since}, not read yet)")
        read = when(share.last_read) if share.last_read else ""
        parts.append(item.format(peer=f"<@{share.peer_id}>", since=when(share.since), read=read))
    text = _(
        "Only you can see this. Shared with: {peers}. `/plan unshare` takes it back.\n"
        "`/plan write` changes it; `/plan export` sends you a copy."
    )
    return text.format(peers="; ".join(parts))
