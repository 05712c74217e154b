"""Pure rules of a support request: no database, no Discord, so each has a fast unit test.

Who is pinged about a request, who may act on a claimed request, and how a transcript
reads. Which DMs ask for support is ``bot.services.dm_asks`` (the safety service reads it too).
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.db.repositories.requests import RequestRow
from bot.errors import ConflictError, PermissionDeniedError
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.requests.notices import (
    transcript_cut_text,
    transcript_header_text,
    transcript_line,
)
from bot.text import split_text

if TYPE_CHECKING:
    from bot.schedules import WeeklyHours

MESSAGE_LIMIT = 1900  # a transcript message, with room to spare under Discord's 2000
#: the most messages a private thread's transcript reads back from Discord (newest first)
TRANSCRIPT_HISTORY_MAX = 2000
#: the most characters of lines a transcript sends (about thirty DMs)
TRANSCRIPT_MAX_CHARS = 57_000


def ping_list(request: RequestRow, on_duty: list[int], at_limit: Collection[int] = ()) -> list[int]:
    """On-duty peers to ping about a request. The requester is left out, except when they
    asked to stay anonymous: leaving them out would let peers compare the ping list with the
    on-duty list and see who the member is. (They cannot claim their own request.) A peer
    who already holds the most conversations allowed (``at_limit``) can't claim it: they are
    neither pinged nor counted as free (the rule depends on what each holds, never on who
    asked)."""
    free = [p for p in on_duty if p not in at_limit]
    if request.anonymous:
        return free
    return others_than_member(request, free)


def others_than_member(request: RequestRow, peers: Iterable[int]) -> list[int]:
    """``peers`` but the member who asked (a peer asking for support can't take, or be counted
    for, their own request)."""
    return [p for p in peers if p != request.requester_id]


def require_holder(
    request: RequestRow, peer_id: int, doing: Literal["transfer it", "ask for backup"]
) -> None:
    """Only the peer who holds a request may hand it on or ask for backup on it."""
    if request.claimed_by == peer_id:
        return
    if doing == "transfer it":
        raise PermissionDeniedError(N_("Only the peer who holds this request can transfer it."))
    raise PermissionDeniedError(N_("Only the peer who holds this request can ask for backup."))


def already_closed(request: RequestRow) -> ConflictError:
    """The answer to closing what is no longer live: said plainly, not "try again"."""
    if request.status == "cancelled":
        return ConflictError(
            N_("Request #{number} was already withdrawn; there is nothing left to close."),
            number=request.id,
        )
    return ConflictError(
        N_("This conversation (request #{number}) is already closed."), number=request.id
    )


def relay_transcript(entries: Iterable[tuple[str, str, datetime]], lang: str = "en") -> list[str]:
    """Stored relay lines, (author, text, when), as the member reads them, labelled in the
    member's ``lang``."""
    return [transcript_line(author == "member", content, lang) for author, content, _ in entries]


def thread_transcript(
    requester_id: int, messages: Iterable[tuple[int, bool, str]], lang: str = "en"
) -> list[str]:
    """A thread's messages, (author id, written by a bot, text) oldest first, as the member
    reads them (labelled in their ``lang``): Kindred's own messages and empty ones are left
    out."""
    return [
        transcript_line(author_id == requester_id, content, lang)
        for author_id, from_bot, content in messages
        if not from_bot and content
    ]


def latest_lines(
    lines: list[str],
    *,
    more_before: bool = False,
    lang: str = "en",
    budget: int = TRANSCRIPT_MAX_CHARS,
) -> list[str]:
    """A transcript's lines within ``budget`` characters: all of them, or the latest that fit
    after a first line saying how many earlier ones are left out (``more_before``: Discord
    holds older messages than were read, so how many is unknown). The end of a conversation
    is never lost."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    left_out = len(lines) - len(kept)
    if not left_out and not more_before:
        return kept
    return [transcript_cut_text(0 if more_before else left_out, lang), *kept]


def transcript_messages(request_id: int, lines: list[str], lang: str = "en") -> list[str]:
    """The transcript DMs: a header (in the member's ``lang``), then the lines, split without
    cutting one in two."""
    return chunks(transcript_header_text(request_id, lang), lines)


def chunks(header: str, lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into messages of at most ``limit`` characters without cutting a line in
    two; a line longer than a message goes whole over several. No lines, no messages."""
    out, current = [], header
    for raw in lines:
        for line in split_text(raw, limit) or [""]:
            if len(current) + len(line) + 1 > limit:
                out.append(current)
                current = line
            else:
                current += "\n" + line
    out.append(current)
    return out if lines else []


def busiest_hours(
    opened_at: Iterable[datetime], zone: zoneinfo.ZoneInfo, top: int = 3
) -> list[tuple[int, int]]:
    """The ``top`` hours of the day by the clock in ``zone`` with the most requests opened
    (``(hour, count)``, most first, an earlier hour first on a tie). Each moment is read in
    the zone on its own date, so a half-hour or 45-minute offset and a change of the clocks
    move it to the hour the reader's clock showed then."""
    counts = Counter(moment.astimezone(zone).hour for moment in opened_at)
    return sorted(counts.items(), key=lambda hour_count: (-hour_count[1], hour_count[0]))[:top]


def office_tz(cfg: PeerSettings) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(cfg.office_tz)


def office_hours(cfg: PeerSettings) -> WeeklyHours | None:
    if not cfg.office_hours:
        return None
    from bot.schedules import WeeklyHours

    return WeeklyHours.parse(cfg.office_hours)
