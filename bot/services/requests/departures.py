"""The member of a private-thread conversation left the server.

Part of :class:`bot.services.requests.RequestService` (a mixin). Discord takes someone who
leaves a server out of its threads, so their peer would go on writing to nobody. Kindred has no
members intent: it learns of the leave when its peer writes in the thread (the member is looked
up, at most every :data:`MEMBER_RECHECK` per conversation) or, where the event is delivered,
as it happens. The conversation then goes on by the DM relay, in the same thread (only the
peer and the moderators are left in it), as it does when a member left before the claim; if
the member can't be reached by DM it is closed. The texts here are the member's DM and the
peer's note, in each reader's language; no discord imports.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.i18n import gettext_for

# A conversation's member is looked up at most this often when their peer writes (one REST
# call a minute at most per conversation, however much the peer writes).
MEMBER_RECHECK = timedelta(minutes=1)
LEFT = "member_left"  # the close reason when the member can't be reached by DM either


class Departures:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    clock: Clock
    members_seen: dict[int, datetime]
    relay_locks: dict[tuple[int, str], asyncio.Lock]

    if TYPE_CHECKING:

        async def _get(self, request_id: int) -> RequestRow: ...
        async def _cancel(self, request_id: int, *what: str) -> None: ...
        def relay_lock(self, request_id: int, to: str) -> asyncio.Lock: ...

    async def member_to_check(self, thread_id: int, author_id: int) -> RequestRow | None:
        """Someone wrote in a thread: the claimed private-thread request whose member the
        Discord layer should look up now (its peer wrote and the member wasn't looked up for
        :data:`MEMBER_RECHECK`; the look-up counts until its answer comes), else None."""
        request = await self.requests.by_thread(thread_id)
        if request is None or request.status != "claimed" or request.relay:
            return None
        if author_id != request.claimed_by:
            return None
        now = self.clock()
        for key in [k for k, at in self.members_seen.items() if now - at >= MEMBER_RECHECK]:
            del self.members_seen[key]
        if request.id in self.members_seen:
            return None
        self.members_seen[request.id] = now
        return request

    async def member_left_thread(self, guild_id: int, member_id: int) -> RequestRow | None:
        """The member's claimed private-thread request in this server (the leave event)."""
        request = await self.requests.live_for_member(guild_id, member_id)
        if request is None or request.status != "claimed" or request.relay:
            return None
        return request

    async def member_left(
        self, request_id: int, message_id: int | None = None
    ) -> RequestRow | None:
        """The member of a claimed private-thread conversation is out of the server: it goes on
        by the DM relay in the same thread. The request as it is now, or None when it was no
        such conversation any more (closed, back in the queue, switched already).

        ``message_id``: the peer's message that found the member gone. It is the departure's
        to carry (after the member is told, and only if they can be reached): taken before the
        switch, so the relay, reading the thread as switched, never carries it on its own;
        given back when the conversation wasn't switched here."""
        async with self.relay_lock(request_id, LEFT):
            taken = message_id is not None and await self.requests.claim_relay(
                message_id, request_id, self.clock()
            )
            # one conditional update: a Close pressed meanwhile, or another process switching
            # it first, leaves it alone (the lock only orders this process's callers)
            if not await self.requests.switch_to_relay(request_id):
                if taken and message_id is not None:
                    await self.requests.release_relay(message_id)
                return None
            self.members_seen.pop(request_id, None)
            return await self._get(request_id)

    async def closed_member_left(self, request_id: int) -> bool:
        """Whether the conversation was closed because its member left and can't be reached
        (words to them waiting meanwhile are not tried)."""
        request = await self._get(request_id)
        return request.status == "closed" and request.close_reason == LEFT

    async def close_member_left(self, request_id: int) -> RequestRow | None:
        """The member left and can't be reached by DM: the conversation is closed (None when
        it was closed or changed meanwhile)."""
        request = await self._get(request_id)
        if request.status != "claimed":
            return None
        if not await self.requests.close(
            request_id,
            "closed",
            None,
            LEFT,
            self.clock(),
            expect_status="claimed",
            expect_claimed_by=request.claimed_by,
        ):
            return None
        await self._cancel(request_id, "escalate", "idle", "open")
        return await self._get(request_id)


def member_left_member_text(request_id: int, anonymous: bool, lang: str = "en") -> str:
    """To the member who left the server, by DM: their conversation goes on here."""
    _ = gettext_for(lang)
    if anonymous:
        text = _(
            "You're no longer in the server where you asked for support (request #{number}), "
            "so your conversation with your peer supporter continues here. Just reply here: "
            "I'll pass your messages on without your name. Close the conversation whenever "
            "you like."
        )
    else:
        text = _(
            "You're no longer in the server where you asked for support (request #{number}), "
            "so your conversation with your peer supporter continues here. Just reply here: "
            "I'll pass your messages on. Close the conversation whenever you like."
        )
    return text.format(number=request_id)


def member_left_peer_text(request_id: int, lang: str = "en", *, reached: bool = True) -> str:
    """To the peer, in their conversation's thread: the member is no longer in the server;
    ``reached``: whether the member could be told by DM (else the conversation is closed)."""
    _ = gettext_for(lang)
    if reached:
        text = _(
            "The member of request #{number} is no longer in this server, so they can't read "
            "this thread. I've moved your conversation to their DMs: what you write here is "
            "passed on to them, and their replies appear here."
        )
    else:
        text = _(
            "The member of request #{number} is no longer in this server, and I can't reach "
            "them by DM, so this conversation is closed. Thank you for the support you gave."
        )
    return text.format(number=request_id)


def member_removed_peer_text(request_id: int, lang: str = "en") -> str:
    """To the peer, in their conversation's thread: the server banned the member, so the
    conversation closes instead of going on by DM (what the server decided is not Kindred's
    to work around; nothing more about it is said)."""
    _ = gettext_for(lang)
    return _(
        "The member of request #{number} is no longer in this server and can't come back to "
        "it, so this conversation is closed and nothing more is passed on to them. Thank you "
        "for the support you gave."
    ).format(number=request_id)


def member_left_unsure_text(request_id: int, lang: str = "en") -> str:
    """To the peer: the member left and Discord failed for a moment when Kindred DMed them."""
    _ = gettext_for(lang)
    return _(
        "The member of request #{number} is no longer in this server, so they can't read this "
        "thread. I've moved your conversation to their DMs: what you write here is passed on "
        "to them, but Discord had a problem when I told them, so they may not know yet."
    ).format(number=request_id)
