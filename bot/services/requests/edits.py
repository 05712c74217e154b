"""Edits and deletions of relayed messages: what Kindred carried across follows its writer.

Part of :class:`bot.services.requests.RequestService` (a mixin). Each copy Kindred sends of a
relayed message (the peer's words in the member's DMs, the member's DM in the relay thread;
each part of a long message its own copy) is recorded with the message it carries (ids only,
``relay_copy_sources``). When its writer edits the message, the copies are edited to the new
words; when they delete it, the copies are deleted too, so words written in the wrong place
(or regretted) don't stay with the other person. Its transcript line, kept when the member
asked for a transcript, follows the same way (edited, or gone). A message never relayed has no
copies: nothing happens.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.core import TimerRow
from bot.db.repositories.relay_copies import add_copy_source, copies_of, drop_copies
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.i18n import gettext_for
from bot.services.privacy import CARD_CLEAR_GIVE_UP_AFTER, card_clear_wait
from bot.services.requests.relay import MAX_RELAY_TEXT
from bot.services.requests.relay_retry import TO_MEMBER, TO_PEER
from bot.services.requests.timers import timer_key
from bot.timers import Scheduler

log = logging.getLogger(__name__)

#: A copy its writer's deletion should take but Discord failed to delete for a moment (429,
#: 5xx): deleted again later, with the waits of privacy's card clearing (30 s, doubling, up to
#: an hour apart, given up after a week). Ids only. Key ``request:copy:<copy id>``.
COPY_WITHDRAW = "request.copy_withdraw"
#: An edit Discord failed for a moment to make to a relayed message's copies (429, 5xx):
#: tried once more, :data:`COPY_EDIT_AFTER` later, with the message's words read again from
#: Discord then (ids only, never the words), and only while the conversation goes on.
COPY_EDIT = "request.copy_edit"
COPY_EDIT_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class EditToRetry:
    """A ``request.copy_edit`` timer's edit: the relayed message ``source_id`` (in
    ``source_channel_id``: the member's DMs when ``from_member``, else the relay thread) whose
    copies are to say its current words. Ids only."""

    request_id: int
    source_id: int
    source_channel_id: int
    from_member: bool


@dataclass(frozen=True)
class CopyToWithdraw:
    """A ``request.copy_withdraw`` timer's copy: where it is, whose conversation, and where
    its writer wrote (to tell them if Discord refuses it outright). Ids only."""

    request_id: int
    channel_id: int
    copy_id: int
    source_channel_id: int
    from_member: bool


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
    scheduler: Scheduler

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

    async def relayed_copies(
        self, source_id: int, *, from_member: bool, source_channel_id: int | None = None
    ) -> RelayedCopies | None:
        """The copies of the relayed message ``source_id`` (a member's DM when
        ``from_member``, else a message in a relay thread, ``source_channel_id``), to follow
        its edit; None when it was never relayed (or its copies are forgotten: deleted,
        purged, or the member's data forgotten), and when the conversation it was written in
        is no longer going on: an edit travels only while the relay is on (claimed), toward
        the peer only into the request's current relay thread, from the peer only from it
        (the request ended, went back to the queue, or another peer holds it now)."""
        rows = await copies_of(self.requests.db, source_id)
        copies = await self._copies(rows, from_member)
        if copies is None:
            return None
        request = copies.request
        if request.status != "claimed" or not request.relay or not request.thread_id:
            return None
        if not from_member:
            if source_channel_id is not None and source_channel_id != request.thread_id:
                return None
            return copies
        current = tuple(c for c in copies.copies if c[0] == request.thread_id)
        if not current:
            return None
        return RelayedCopies(copies.request, copies.to, current, copies.lang)

    async def withdraw_copies(self, source_id: int, *, from_member: bool) -> RelayedCopies | None:
        """Its writer deleted the relayed message ``source_id``: its copies, for the caller to
        delete, whatever became of the conversation (withdrawing words is always right).
        Each stays recorded until Discord deleted it (:meth:`copies_dropped`), or a retry
        holds it (:meth:`withdraw_later`). Its transcript line goes at once: the words
        its writer took back never reach the member's transcript."""
        await self.requests.drop_relay_message(source_id)
        rows = await copies_of(self.requests.db, source_id)
        return await self._copies(rows, from_member)

    async def transcript_edited(self, source_id: int, content: str) -> None:
        """Its writer edited the relayed message ``source_id``: its transcript line (kept when
        the member asked for a transcript) says the new words, whatever became of the
        conversation (the copies follow only while it goes on)."""
        if content.strip():
            await self.requests.edit_relay_message(source_id, content[:MAX_RELAY_TEXT])

    async def copies_dropped(self, copy_ids: Sequence[int]) -> None:
        """These copies were deleted (an edit made the message shorter, or its writer
        deleted it), or are gone from Discord already."""
        await drop_copies(self.requests.db, list(copy_ids))

    async def withdraw_later(
        self, copy: CopyToWithdraw, guild_id: int, tries: int = 0
    ) -> datetime | None:
        """Discord failed for a moment to delete ``copy`` (429, 5xx): a stored retry (ids
        only), waiting longer each time; None when it failed for a week (given up, the copy's
        record kept with the request)."""
        if sum((card_clear_wait(n) for n in range(1, tries + 1)), timedelta()) >= (
            CARD_CLEAR_GIVE_UP_AFTER
        ):
            log.warning("request %s: a relayed copy's deletion given up", copy.request_id)
            return None
        due = self.clock() + card_clear_wait(tries + 1)
        payload = {
            "request_id": copy.request_id,
            "channel_id": copy.channel_id,
            "copy_id": copy.copy_id,
            "source_channel_id": copy.source_channel_id,
            "from_member": copy.from_member,
            "tries": tries + 1,
        }
        await self.scheduler.schedule_once(
            COPY_WITHDRAW, due, payload, guild_id=guild_id, key=f"request:copy:{copy.copy_id}"
        )
        return due

    @staticmethod
    def on_copy_withdraw(timer: TimerRow) -> CopyToWithdraw:
        """A stored copy deletion is due: the copy, for the Discord layer to delete."""
        p = timer.payload
        return CopyToWithdraw(
            request_id=int(p["request_id"]),
            channel_id=int(p["channel_id"]),
            copy_id=int(p["copy_id"]),
            source_channel_id=int(p["source_channel_id"]),
            from_member=bool(p["from_member"]),
        )

    async def copy_withdraw_later(self, timer: TimerRow) -> datetime | None:
        """The stored deletion failed for a moment again: later still (None: given up)."""
        return await self.withdraw_later(
            self.on_copy_withdraw(timer), int(timer.guild_id or 0), int(timer.payload["tries"])
        )

    async def edit_later(self, edit: EditToRetry, guild_id: int) -> datetime:
        """Discord failed for a moment to edit the copies of ``edit``'s message: one stored
        retry (ids only; under the request's prefix, so /forgetme drops it with the request).
        A later edit failing too replaces it: the retry reads the words as they are then."""
        due = self.clock() + COPY_EDIT_AFTER
        payload = {
            "request_id": edit.request_id,
            "source_id": edit.source_id,
            "source_channel_id": edit.source_channel_id,
            "from_member": edit.from_member,
        }
        key = timer_key(edit.request_id, f"copy_edit:{edit.source_id}")
        await self.scheduler.schedule_once(COPY_EDIT, due, payload, guild_id=guild_id, key=key)
        return due

    @staticmethod
    def on_copy_edit(timer: TimerRow) -> EditToRetry:
        """A stored edit is due: which message's copies to edit, for the Discord layer (it
        asks :meth:`relayed_copies`, so nothing is sent once the conversation ended)."""
        p = timer.payload
        return EditToRetry(
            request_id=int(p["request_id"]),
            source_id=int(p["source_id"]),
            source_channel_id=int(p["source_channel_id"]),
            from_member=bool(p["from_member"]),
        )

    async def withdraw_language(self, request_id: int) -> str | None:
        """The member's language for a note that a copy stayed (None: the request is gone,
        with the member's data: nobody to tell)."""
        request = await self.requests.get(request_id)
        return None if request is None else await self.language_for(request)

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
