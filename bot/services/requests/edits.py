"""Edits and deletions of relayed messages: what Kindred carried across follows its writer.

Part of :class:`bot.services.requests.RequestService` (a mixin). Each copy Kindred sends of a
relayed message (the peer's words in the member's DMs, the member's DM in the relay thread;
each part of a long message its own copy) is recorded with the message it carries (ids only,
``relay_copy_sources``). When its writer edits the message, the copies are edited to the new
words; when they delete it, the copies are deleted too, so words written in the wrong place
(or regretted) don't stay with the other person. A message never relayed has no copies:
nothing happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.relay_copies import add_copy_source, copies_of, drop_copies
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.i18n import gettext_for
from bot.services.requests.relay import TO_MEMBER, TO_PEER


@dataclass(frozen=True)
class RelayedCopies:
    """Kindred's copies of one relayed message."""

    request: RequestRow
    to: str  # TO_MEMBER: the copies are in the member's DMs; TO_PEER: in the relay thread
    copies: tuple[tuple[int, int], ...]  # (channel id, copy id) each, in the order sent
    lang: str  # the member's language: their DMs' labels and notes


class RelayEdits:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    clock: Clock

    if TYPE_CHECKING:

        async def language_for(self, request: RequestRow, detected: str | None = None) -> str: ...

    async def copy_made(
        self, request: RequestRow, copy_id: int, source_id: int, channel_id: int
    ) -> None:
        """Kindred's copy ``copy_id`` (in ``channel_id``) carries the message ``source_id``
        (or a part of it) of ``request``'s conversation."""
        await add_copy_source(
            self.requests.db, copy_id, source_id, request.id, channel_id, self.clock()
        )

    async def relayed_in(self, source_id: int) -> int | None:
        """The request whose conversation relayed (or is relaying) the message ``source_id``,
        or None: the caller takes that direction's relay lock before reading its copies, so
        an edit or deletion never misses a copy still being sent."""
        return await self.requests.relayed_request_of(source_id)

    async def relayed_copies(self, source_id: int, *, from_member: bool) -> RelayedCopies | None:
        """The copies of the relayed message ``source_id`` (a member's DM when
        ``from_member``, else a message in a relay thread), to follow its edit; None when it
        was never relayed (or its copies are forgotten: deleted, purged, or the member's data
        forgotten)."""
        rows = await copies_of(self.requests.db, source_id)
        return await self._copies(rows, from_member)

    async def withdraw_copies(self, source_id: int, *, from_member: bool) -> RelayedCopies | None:
        """Its writer deleted the relayed message ``source_id``: its copies, taken once (a
        second delivery of the deletion finds none), for the caller to delete."""
        rows = await copies_of(self.requests.db, source_id)
        taken = set(await drop_copies(self.requests.db, [copy_id for _, _, copy_id in rows]))
        return await self._copies([row for row in rows if row[2] in taken], from_member)

    async def copies_dropped(self, copy_ids: Sequence[int]) -> None:
        """These copies were deleted (an edit made the message shorter)."""
        await drop_copies(self.requests.db, list(copy_ids))

    async def _copies(
        self, rows: list[tuple[int, int, int]], from_member: bool
    ) -> RelayedCopies | None:
        if not rows:
            return None
        request = await self.requests.get(rows[0][0])
        if request is None:
            return None
        return RelayedCopies(
            request=request,
            to=TO_PEER if from_member else TO_MEMBER,
            copies=tuple((channel_id, copy_id) for _, channel_id, copy_id in rows),
            lang=await self.language_for(request),
        )


def relay_edited_peer_prefix(lang: str = "en") -> str:
    """What starts the peer's corrected words in the member's DMs when Kindred's copy
    couldn't be edited and the correction goes as a new message."""
    _ = gettext_for(lang)
    return _("**Peer (edited):** ")


def relay_not_withdrawn_text(lang: str = "en") -> str:
    """The member deleted a DM Kindred had passed on, and Discord refused to delete the copy
    in their peer's thread."""
    _ = gettext_for(lang)
    return _("I couldn't take back the message you deleted: your peer supporter already has it.")
