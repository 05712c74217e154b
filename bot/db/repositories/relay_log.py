"""Which Discord messages carry a support conversation: a message relayed once
(``relayed_messages``), Kindred's DM copies (``relay_copies``) and thread copies, a member's DMs
held for their choice (``relay_held_dms``), and the transcript lines (``relay_messages``).
A part of :class:`~bot.db.repositories.requests.RequestRepository`, which inherits it."""

from __future__ import annotations

from datetime import datetime

from bot.clock import from_db, to_db
from bot.db.connection import Database
from bot.db.repositories.relay_copies import COPY, add_thread_copy


class RelayLog:
    db: Database

    async def claim_relay(self, message_id: int, request_id: int, now: datetime) -> bool:
        """True for the first caller only: the message is this caller's to carry across."""
        return bool(
            await self.db.execute(
                "INSERT INTO relayed_messages (message_id, request_id, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (message_id, request_id, to_db(now)),
            )
        )

    async def release_relay(self, message_id: int) -> None:
        """Give back a message claimed with :meth:`claim_relay` and not carried after all."""
        await self.db.execute("DELETE FROM relayed_messages WHERE message_id = ?", (message_id,))

    async def add_relay_copy(self, message_id: int, request_id: int, now: datetime) -> None:
        """Kindred's DM carrying a peer's words to the member (its id only)."""
        await self.db.execute(
            "INSERT INTO relay_copies (message_id, request_id, created_at)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (message_id, request_id, to_db(now)),
        )

    async def add_thread_copy(
        self, message_id: int, request_id: int, channel_id: int, now: datetime, kind: str = COPY
    ) -> bool:
        """Kindred's message in the relay thread carrying the member's words, or (``kind``
        ``WELCOME``) its welcome naming them (ids only)."""
        return await add_thread_copy(self.db, message_id, request_id, channel_id, now, kind)

    async def relayed_request_of(self, message_id: int) -> int | None:
        """The request whose conversation this Discord message belongs to (Kindred's DM
        carrying the peer's words, or a member's DM relayed to the peer), or None."""
        found = await self.db.fetchval(
            "SELECT request_id FROM relay_copies WHERE message_id = ?", (message_id,)
        )
        if found is not None:
            return found
        return await self.db.fetchval(
            "SELECT request_id FROM relayed_messages WHERE message_id = ?", (message_id,)
        )

    async def hold_dm(self, message_id: int, request_id: int, now: datetime) -> bool:
        """Hold a member's DM until they choose its conversation: True for the first caller
        only (a second delivery of the same DM holds nothing)."""
        return bool(
            await self.db.execute(
                "INSERT INTO relay_held_dms (message_id, request_id, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (message_id, request_id, to_db(now)),
            )
        )

    async def held_dms(self, requester_id: int) -> list[int]:
        """The member's DMs held for their choice, oldest first (ids only)."""
        rows = await self.db.fetchall(
            "SELECT h.message_id FROM relay_held_dms h"
            " JOIN support_requests r ON r.id = h.request_id"
            " WHERE r.requester_id = ? ORDER BY h.message_id",
            (requester_id,),
        )
        return [r["message_id"] for r in rows]

    async def release_held_dms(self, message_ids: list[int]) -> list[int]:
        """Take these held DMs out (the member chose): those this caller took, oldest first."""
        taken = []
        for message_id in sorted(message_ids):
            if await self.db.execute(
                "DELETE FROM relay_held_dms WHERE message_id = ?", (message_id,)
            ):
                taken.append(message_id)
        return taken

    async def relayed_among(self, message_ids: list[int]) -> set[int]:
        """Which of these Discord messages were already relayed (or are waiting to be)."""
        if not message_ids:
            return set()
        marks = ", ".join("?" for _ in message_ids)
        rows = await self.db.fetchall(
            f"SELECT message_id FROM relayed_messages WHERE message_id IN ({marks})",
            tuple(message_ids),
        )
        return {r["message_id"] for r in rows}

    async def add_relay_message(
        self,
        request_id: int,
        author: str,
        content: str,
        now: datetime,
        source_id: int | None = None,
    ):
        """A transcript line, with the Discord message it was written from (``source_id``)."""
        await self.db.execute(
            "INSERT INTO relay_messages (request_id, author, content, created_at, source_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (request_id, author, content, to_db(now), source_id),
        )

    async def edit_relay_message(self, source_id: int, content: str) -> int:
        """The transcript lines written from the message ``source_id`` take its new words."""
        return await self.db.execute(
            "UPDATE relay_messages SET content = ? WHERE source_id = ?", (content, source_id)
        )

    async def drop_relay_message(self, source_id: int) -> int:
        """The transcript lines written from the message ``source_id`` go (its writer deleted
        it)."""
        return await self.db.execute("DELETE FROM relay_messages WHERE source_id = ?", (source_id,))

    async def relay_messages(self, request_id: int) -> list[tuple[str, str, datetime]]:
        rows = await self.db.fetchall(
            "SELECT author, content, created_at FROM relay_messages WHERE request_id = ?"
            " ORDER BY id",
            (request_id,),
        )
        return [(r["author"], r["content"], from_db(r["created_at"])) for r in rows]
