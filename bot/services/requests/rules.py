"""Pure rules of a support request: no database, no Discord, so each has a fast unit test.

Who is pinged about a request, which DMs ask for support, who may act on a claimed
request, and how a transcript reads.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.db.repositories.requests import RequestRow
from bot.errors import PermissionDeniedError
from bot.services.peers import PeerSettings

if TYPE_CHECKING:
    from bot.schedules import WeeklyHours

INTAKE_PHRASES = re.compile(
    r"\b(i need to talk|need (some )?(help|support)|talk to (a|someone|a peer)|support please)\b",
    re.IGNORECASE,
)
MESSAGE_LIMIT = 1900  # a transcript message, with room to spare under Discord's 2000


def ping_list(request: RequestRow, on_duty: list[int]) -> list[int]:
    """On-duty peers to ping about a request. The requester is left out, except when they
    asked to stay anonymous: leaving them out would let peers compare the ping list with the
    on-duty list and see who the member is. (They cannot claim their own request.)"""
    if request.anonymous:
        return list(on_duty)
    return [p for p in on_duty if p != request.requester_id]


def wants_to_talk(text: str) -> bool:
    """A DM like "I need to talk": Kindred answers it by offering the request form."""
    return INTAKE_PHRASES.search(text) is not None


def require_holder(request: RequestRow, peer_id: int, doing: str) -> None:
    """Only the peer who holds a request may hand it on or ask for backup on it."""
    if request.claimed_by != peer_id:
        raise PermissionDeniedError(f"Only the peer who holds this request can {doing}.")


def relay_transcript(entries: Iterable[tuple[str, str, datetime]]) -> list[str]:
    """Stored relay lines, (author, text, when), as the member reads them."""
    return [
        f"{'You' if author == 'member' else 'Peer'}: {content}" for author, content, _ in entries
    ]


def thread_transcript(requester_id: int, messages: Iterable[tuple[int, bool, str]]) -> list[str]:
    """A thread's messages, (author id, written by a bot, text) oldest first, as the member
    reads them: Kindred's own messages and empty ones are left out."""
    return [
        f"{'You' if author_id == requester_id else 'Peer'}: {content}"
        for author_id, from_bot, content in messages
        if not from_bot and content
    ]


def transcript_messages(request_id: int, lines: list[str]) -> list[str]:
    """The transcript DMs: a header, then the lines, split without cutting one in two."""
    return chunks(f"Your transcript of request #{request_id}:", lines)


def chunks(header: str, lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into messages of at most ``limit`` characters without cutting a line in
    two (a longer line is shortened). No lines, no messages."""
    out, current = [], header
    for raw in lines:
        line = raw[:limit]
        if len(current) + len(line) + 1 > limit:
            out.append(current)
            current = line
        else:
            current += "\n" + line
    out.append(current)
    return out if lines else []


def office_tz(cfg: PeerSettings) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(cfg.office_tz)


def office_hours(cfg: PeerSettings) -> WeeklyHours | None:
    if not cfg.office_hours:
        return None
    from bot.schedules import WeeklyHours

    return WeeklyHours.parse(cfg.office_hours)
