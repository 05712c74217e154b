"""Kindred's copies of a member's words in a peer's relay thread (ids only, never words):
/forgetme deletes them from Discord (the member can't: they are Kindred's messages); and the
thread's welcome naming a (non-anonymous) member, which /forgetme edits to a line naming nobody."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db.connection import Database, Transaction
from bot.db.repositories.core import CardClearing, arm_card_clear

#: The ``card`` of a ``privacy.card_clear`` timer deleting such a copy (not edited: deleted).
RELAY_COPY = "relay"
#: The ``card`` of a ``privacy.card_clear`` timer editing the relay thread's welcome, which
#: names the member, to a line naming nobody.
RELAY_WELCOME = "relay_welcome"
#: ``relay_thread_copies.kind``: a copy of the member's words, or the thread's welcome.
COPY, WELCOME = "copy", "welcome"


async def add_thread_copy(
    db: Database,
    message_id: int,
    request_id: int,
    channel_id: int,
    now: datetime,
    kind: str = COPY,
) -> bool:
    """Kindred's message ``message_id`` in the relay thread ``channel_id`` carries the
    member's words of request ``request_id`` (``kind`` ``WELCOME``: the thread's welcome,
    naming the member); False when the request is gone already (the member forgot
    meanwhile: the caller takes the message off at once)."""
    return bool(
        await db.execute(
            "INSERT INTO relay_thread_copies"
            " (message_id, request_id, channel_id, created_at, kind)"
            " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM support_requests WHERE id = ?)"
            " ON CONFLICT DO NOTHING",
            (message_id, request_id, channel_id, to_db(now), kind, request_id),
        )
    )


async def arm_copies_deletion(tx: Transaction, clearing: CardClearing, requester_id: int) -> None:
    """In /forgetme's transaction, before the member's requests (and these rows with them)
    are deleted: the deletion of each copy of their words, and the edit of each welcome
    naming them, a stored timer (ids only)."""
    copies = await tx.fetchall(
        "SELECT c.message_id, c.channel_id, c.request_id, c.kind, r.guild_id"
        " FROM relay_thread_copies c JOIN support_requests r ON r.id = c.request_id"
        " WHERE r.requester_id = ? ORDER BY c.message_id",
        (requester_id,),
    )
    for c in copies:
        await arm_card_clear(
            tx,
            clearing,
            c["guild_id"],
            c["channel_id"],
            c["message_id"],
            RELAY_WELCOME if c["kind"] == WELCOME else RELAY_COPY,
            number=c["request_id"],
        )


async def add_copy_source(
    db: Database, copy_id: int, source_id: int, request_id: int, channel_id: int, now: datetime
) -> None:
    """Kindred's relayed copy ``copy_id`` (in ``channel_id``) carries the message
    ``source_id`` of request ``request_id`` (ids only); nothing when the request is gone."""
    await db.execute(
        "INSERT INTO relay_copy_sources (copy_id, source_id, request_id, channel_id, created_at)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM support_requests WHERE id = ?)"
        " ON CONFLICT DO NOTHING",
        (copy_id, source_id, request_id, channel_id, to_db(now), request_id),
    )


async def copies_of(db: Database, source_id: int) -> list[tuple[int, int, int]]:
    """The copies carrying the message ``source_id``, in the order they were sent:
    (request id, channel id, copy id) each."""
    rows = await db.fetchall(
        "SELECT request_id, channel_id, copy_id FROM relay_copy_sources"
        " WHERE source_id = ? ORDER BY copy_id",
        (source_id,),
    )
    return [(r["request_id"], r["channel_id"], r["copy_id"]) for r in rows]


async def drop_copies(db: Database, copy_ids: list[int]) -> list[int]:
    """Forget these copies (withdrawn): those this caller took, in order (a second delivery
    of the same deletion takes none)."""
    taken = []
    for copy_id in sorted(copy_ids):
        if await db.execute("DELETE FROM relay_copy_sources WHERE copy_id = ?", (copy_id,)):
            taken.append(copy_id)
    return taken
