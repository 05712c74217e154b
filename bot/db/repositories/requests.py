"""Support requests and their relay messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database
from bot.db.repositories.core import CardClearing, arm_card_clear
from bot.db.repositories.forgotten import (
    COUNTS,
    PAST_THRESHOLD,
    keep_request_counts,
    request_counts,
)
from bot.db.repositories.relay_copies import arm_copies_deletion
from bot.db.repositories.relay_log import RelayLog
from bot.db.retention import Cutoffs

LIVE = ("open", "claimed")


@dataclass(frozen=True)
class RequestRow:
    id: int
    guild_id: int
    requester_id: int
    status: str
    topic: str
    tags: tuple[str, ...]
    summary: str | None
    anonymous: bool
    preferred_peer: int | None
    source: str
    created_at: datetime
    claimed_by: int | None
    claimed_at: datetime | None
    closed_at: datetime | None
    closed_by: int | None
    close_reason: str | None
    escalation: int
    card_channel_id: int | None
    card_message_id: int | None
    thread_id: int | None
    relay: bool
    last_activity: datetime
    feedback_given: bool  # that the member answered the feedback question; never what
    transcript: bool
    lang: str | None = None  # the language the request was asked in (a code), if known

    @property
    def live(self) -> bool:
        return self.status in LIVE


def _request(row: Any) -> RequestRow:
    return RequestRow(
        id=row["id"],
        guild_id=row["guild_id"],
        requester_id=row["requester_id"],
        status=row["status"],
        topic=row["topic"],
        tags=tuple(json.loads(row["tags"])),
        summary=row["summary"],
        anonymous=bool(row["anonymous"]),
        preferred_peer=row["preferred_peer"],
        source=row["source"],
        created_at=from_db(row["created_at"]),
        claimed_by=row["claimed_by"],
        claimed_at=from_db_or_none(row["claimed_at"]),
        closed_at=from_db_or_none(row["closed_at"]),
        closed_by=row["closed_by"],
        close_reason=row["close_reason"],
        escalation=row["escalation"],
        card_channel_id=row["card_channel_id"],
        card_message_id=row["card_message_id"],
        thread_id=row["thread_id"],
        relay=bool(row["relay"]),
        last_activity=from_db(row["last_activity"]),
        feedback_given=bool(row["feedback_given"]),
        transcript=bool(row["transcript"]),
        lang=row["lang"],
    )


def _wait_seconds(row: Any) -> float:
    """How long a request waited for its claim (computed here: date arithmetic is dialect)."""
    return (from_db(row["claimed_at"]) - from_db(row["created_at"])).total_seconds()


class RequestRepository(RelayLog):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        *,
        guild_id: int,
        requester_id: int,
        topic: str,
        tags: list[str],
        summary: str | None,
        anonymous: bool,
        preferred_peer: int | None,
        source: str,
        relay: bool,
        now: datetime,
        lang: str | None = None,
    ) -> RequestRow | None:
        """Insert a request; None when the member already has a live one (unique index)."""
        cursor_sql = (
            "INSERT INTO support_requests (guild_id, requester_id, topic, tags, summary,"
            " anonymous, preferred_peer, source, relay, created_at, last_activity, lang)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING *"
        )
        params = (
            guild_id,
            requester_id,
            topic,
            json.dumps(tags),
            summary,
            int(anonymous),
            preferred_peer,
            source,
            int(relay),
            to_db(now),
            to_db(now),
            lang,
        )
        row = await self.db.fetchone(cursor_sql, params)
        return None if row is None else _request(row)

    async def get(self, request_id: int) -> RequestRow | None:
        row = await self.db.fetchone("SELECT * FROM support_requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    async def live_for_member(self, guild_id: int, requester_id: int) -> RequestRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM support_requests WHERE guild_id = ? AND requester_id = ?"
            " AND status IN ('open', 'claimed')",
            (guild_id, requester_id),
        )
        return None if row is None else _request(row)

    async def live_for_user_anywhere(self, requester_id: int) -> list[RequestRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE requester_id = ?"
            " AND status IN ('open', 'claimed') ORDER BY id",
            (requester_id,),
        )
        return [_request(r) for r in rows]

    async def by_thread(self, thread_id: int) -> RequestRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM support_requests WHERE thread_id = ? ORDER BY id DESC LIMIT 1",
            (thread_id,),
        )
        return None if row is None else _request(row)

    async def count_since(self, guild_id: int, requester_id: int, since: datetime) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM support_requests WHERE guild_id = ? AND requester_id = ?"
                " AND created_at >= ?",
                (guild_id, requester_id, to_db(since)),
            )
        )

    async def queue_position(self, request: RequestRow) -> int:
        ahead = await self.db.fetchval(
            "SELECT COUNT(*) FROM support_requests WHERE guild_id = ? AND status = 'open'"
            " AND id < ?",
            (request.guild_id, request.id),
        )
        return int(ahead) + 1

    async def open_queue(self, guild_id: int) -> list[RequestRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE guild_id = ? AND status = 'open' ORDER BY id",
            (guild_id,),
        )
        return [_request(r) for r in rows]

    async def claimed_by(self, guild_id: int, peer_id: int) -> list[RequestRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE guild_id = ? AND claimed_by = ?"
            " AND status = 'claimed' ORDER BY id",
            (guild_id, peer_id),
        )
        return [_request(r) for r in rows]

    async def held_counts(self, guild_id: int) -> dict[int, int]:
        """How many conversations each peer of the server holds now."""
        rows = await self.db.fetchall(
            "SELECT claimed_by, COUNT(*) FROM support_requests WHERE guild_id = ?"
            " AND status = 'claimed' AND claimed_by IS NOT NULL GROUP BY claimed_by",
            (guild_id,),
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def closed_since(self, guild_id: int, reason: str, since: datetime) -> list[RequestRow]:
        """The server's requests closed for ``reason`` at or after ``since`` with a card."""
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE guild_id = ? AND close_reason = ?"
            " AND closed_at >= ? AND card_message_id IS NOT NULL ORDER BY id",
            (guild_id, reason, to_db(since)),
        )
        return [_request(r) for r in rows]

    async def live_all(self) -> list[RequestRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE status IN ('open', 'claimed') ORDER BY id"
        )
        return [_request(r) for r in rows]

    async def claim(self, request_id: int, peer_id: int, max_open: int, now: datetime) -> str:
        """Atomically claim: 'ok', 'taken', 'limit', 'own' or 'missing'."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT guild_id, requester_id, status FROM support_requests WHERE id = ?",
                (request_id,),
            )
            if row is None:
                return "missing"
            if row["requester_id"] == peer_id:
                return "own"
            if row["status"] != "open":
                return "taken"
            # Count, then update: only safe while no other claim by this peer in this guild
            # runs in between (SQLite: BEGIN IMMEDIATE; PostgreSQL: this lock).
            await tx.lock("claim", row["guild_id"], peer_id)
            held = await tx.fetchval(
                "SELECT COUNT(*) FROM support_requests WHERE guild_id = ? AND claimed_by = ?"
                " AND status = 'claimed'",
                (row["guild_id"], peer_id),
            )
            if held >= max_open:
                return "limit"
            changed = await tx.execute(
                "UPDATE support_requests SET status = 'claimed', claimed_by = ?, claimed_at = ?,"
                " last_activity = ? WHERE id = ? AND status = 'open'",
                (peer_id, to_db(now), to_db(now), request_id),
            )
        return "ok" if changed else "taken"

    async def unclaim(self, request_id: int, peer_id: int, now: datetime) -> bool:
        return bool(
            await self.db.execute(
                "UPDATE support_requests SET status = 'open', claimed_by = NULL,"
                " claimed_at = NULL, escalation = 0, last_activity = ?"
                " WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
                (to_db(now), request_id, peer_id),
            )
        )

    async def transfer(self, request_id: int, from_peer: int, to_peer: int, now: datetime) -> bool:
        return bool(
            await self.db.execute(
                "UPDATE support_requests SET claimed_by = ?, claimed_at = ?, last_activity = ?"
                " WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
                (to_peer, to_db(now), to_db(now), request_id, from_peer),
            )
        )

    async def close(
        self,
        request_id: int,
        status: str,
        by_user: int | None,
        reason: str,
        now: datetime,
        *,
        expect_status: str | None = None,
        expect_claimed_by: int | None = None,
    ) -> bool:
        """Close a live request; with ``expect_*``, only if it is still in the state the
        caller decided on (a claim or transfer in between makes this a no-op)."""
        sql = (
            "UPDATE support_requests SET status = ?, closed_at = ?, closed_by = ?,"
            " close_reason = ? WHERE id = ? AND status IN ('open', 'claimed')"
        )
        params: list = [status, to_db(now), by_user, reason, request_id]
        if expect_status is not None:
            sql += " AND status = ?"
            params.append(expect_status)
            if expect_claimed_by is None:
                sql += " AND claimed_by IS NULL"
            else:
                sql += " AND claimed_by = ?"
                params.append(expect_claimed_by)
        return bool(await self.db.execute(sql, params))

    async def update(self, request_id: int, **fields: Any) -> None:
        allowed = {
            "card_channel_id",
            "card_message_id",
            "thread_id",
            "relay",
            "escalation",
            "transcript",
            "summary",
        }
        if not fields or set(fields) - allowed:
            raise ValueError(f"cannot update {set(fields) - allowed}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self.db.execute(
            f"UPDATE support_requests SET {assignments} WHERE id = ?",
            (*fields.values(), request_id),
        )

    async def attach_held(self, request_id: int, peer_id: int, thread_id: int, relay: bool) -> bool:
        """The conversation ``peer_id`` opened for their claim: recorded only while they still
        hold the request (not once it was closed, cancelled or let go meanwhile)."""
        return bool(
            await self.db.execute(
                "UPDATE support_requests SET thread_id = ?, relay = ?"
                " WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
                (thread_id, int(relay), request_id, peer_id),
            )
        )

    async def switch_to_relay(self, request_id: int) -> bool:
        """The claimed private-thread conversation goes on by the DM relay: True for the one
        caller that switched it (never a closed or requeued request, never twice)."""
        return bool(
            await self.db.execute(
                "UPDATE support_requests SET relay = 1 WHERE id = ? AND status = 'claimed'"
                " AND relay = 0 AND thread_id IS NOT NULL",
                (request_id,),
            )
        )

    async def touch(self, request_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE support_requests SET last_activity = ? WHERE id = ?", (to_db(now), request_id)
        )

    async def recent_claim_seconds(self, guild_id: int, limit: int = 20) -> list[float]:
        rows = await self.db.fetchall(
            "SELECT created_at, claimed_at FROM support_requests"
            " WHERE guild_id = ? AND claimed_at IS NOT NULL ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_wait_seconds(r) for r in rows]

    async def last_peer_for(self, guild_id: int, requester_id: int) -> int | None:
        return await self.db.fetchval(
            "SELECT claimed_by FROM support_requests WHERE guild_id = ? AND requester_id = ?"
            " AND claimed_by IS NOT NULL ORDER BY id DESC LIMIT 1",
            (guild_id, requester_id),
        )

    async def stats(self, guild_id: int, since: datetime) -> dict[str, Any]:
        row = await self.db.fetchone(
            "SELECT COUNT(*) AS opened,"
            " COUNT(claimed_at) AS claimed,"
            " SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed,"
            " SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,"
            " SUM(CASE WHEN escalation >= ? THEN 1 ELSE 0 END) AS past_threshold"
            " FROM support_requests WHERE guild_id = ? AND created_at >= ?",
            (PAST_THRESHOLD, guild_id, to_db(since)),
        )
        # when each request came in and was claimed (times only): the waits, and the service
        # groups the arrivals by the reader's hour
        times = await self.db.fetchall(
            "SELECT created_at, claimed_at FROM support_requests WHERE guild_id = ?"
            " AND created_at >= ?",
            (guild_id, to_db(since)),
        )
        waits = [_wait_seconds(t) for t in times if t["claimed_at"] is not None]
        data = {key: int(row[key] or 0) for key in row.keys()} if row else {}  # noqa: SIM118 - Row iterates values
        # requests their members forgot, counted without them (whole UTC hours)
        kept = await request_counts(self.db, guild_id, since)
        for key in COUNTS:
            data[key] = data.get(key, 0) + kept[key]
        data["claim_seconds"] = sorted([*waits, *kept["claim_seconds"]])
        data["opened_at"] = [from_db(t["created_at"]) for t in times] + kept["opened_at"]
        return data

    async def count_feedback(self, request_id: int, guild_id: int, month: str, answer: str) -> bool:
        """Count a member's answer, once per request: the request keeps only that it was
        answered, the count only the server, month and answer. False if already answered."""
        async with self.db.transaction() as tx:
            if not await tx.execute(
                "UPDATE support_requests SET feedback_given = 1"
                " WHERE id = ? AND feedback_given = 0",
                (request_id,),
            ):
                return False
            await tx.execute(
                "INSERT INTO support_feedback_counts (guild_id, month, answer, answers)"
                " VALUES (?, ?, ?, 1) ON CONFLICT (guild_id, month, answer)"
                " DO UPDATE SET answers = support_feedback_counts.answers + 1",
                (guild_id, month, answer),
            )
        return True

    async def feedback_counts(self, guild_id: int, since_month: str) -> dict[str, int]:
        """Answers per kind in the months from ``since_month`` (YYYY-MM) on."""
        rows = await self.db.fetchall(
            "SELECT answer, SUM(answers) AS n FROM support_feedback_counts"
            " WHERE guild_id = ? AND month >= ? GROUP BY answer",
            (guild_id, since_month),
        )
        return {r["answer"]: int(r["n"]) for r in rows}

    async def live_relays(self) -> list[RequestRow]:
        """Every relayed conversation going on (claimed, with its relay thread), oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE relay = 1 AND status = 'claimed'"
            " AND thread_id IS NOT NULL ORDER BY id"
        )
        return [_request(r) for r in rows]

    async def purge_content_before(self, cutoff: datetime | Cutoffs) -> int:
        """Retention: drop stored conversation text, and the words a member typed in the
        form (topic and summary) of a request closed before the cutoff (its server's own
        when it keeps them for less); its counts and tags (for /peers stats) stay."""
        cutoffs = Cutoffs.of(cutoff)
        removed = 0
        async with self.db.transaction() as tx:
            tables = ("relay_messages", "relayed_messages", "relay_copies", "relay_held_dms")
            for table in (*tables, "relay_copy_sources"):
                older, params = cutoffs.older(
                    "created_at",
                    f"(SELECT r.guild_id FROM support_requests r WHERE r.id = {table}.request_id)",
                )
                removed += await tx.execute(f"DELETE FROM {table} WHERE {older}", params)
            older, params = cutoffs.older("closed_at", "support_requests.guild_id")
            removed += await tx.execute(
                "UPDATE support_requests SET summary = NULL, topic = ''"
                " WHERE (summary IS NOT NULL OR topic <> '')"
                f" AND status IN ('closed', 'cancelled') AND {older}",
                params,
            )
        return removed

    async def live_claimed_by_anywhere(self, peer_id: int) -> list[RequestRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_requests WHERE claimed_by = ? AND status = 'claimed'",
            (peer_id,),
        )
        return [_request(r) for r in rows]

    async def forget_peer(self, peer_id: int) -> int:
        """A peer's id leaves other members' (ended) requests: who held, closed or was asked
        for them is forgotten; the requests themselves stay for their members."""
        async with self.db.transaction() as tx:
            n = await tx.execute(
                "UPDATE support_requests SET claimed_by = NULL WHERE claimed_by = ?", (peer_id,)
            )
            n += await tx.execute(
                "UPDATE support_requests SET closed_by = NULL WHERE closed_by = ?", (peer_id,)
            )
            n += await tx.execute(
                "UPDATE support_requests SET preferred_peer = NULL WHERE preferred_peer = ?",
                (peer_id,),
            )
        return n

    async def delete_member(
        self, user_id: int, clearing: CardClearing | None = None
    ) -> list[RequestRow]:
        """Delete a member's requests (their relay lines go with them) and return the rows as
        they were, read by the same statement: what Discord still shows of them (cards,
        conversations) is known exactly for the rows that are gone. With ``clearing``, each
        card's clearing, and the deletion of each copy of their words in a relay thread, is
        armed in the same transaction (ids only), so it is never lost."""
        # A moderator's block (support_blocks) is a moderation record: it survives /forgetme,
        # otherwise forgetting would be a way around it. docs/member-guide.md says so.
        async with self.db.transaction() as tx:
            if clearing is not None:  # their words Kindred copied into a relay thread
                await arm_copies_deletion(tx, clearing, user_id)
            rows = await tx.fetchall(
                "DELETE FROM support_requests WHERE requester_id = ? RETURNING *", (user_id,)
            )
            deleted = sorted((_request(r) for r in rows), key=lambda r: r.id)
            await keep_request_counts(tx, deleted)  # /peers stats keeps counting them
            for r in deleted if clearing is not None else ():
                if r.card_channel_id is not None and r.card_message_id is not None:
                    await arm_card_clear(
                        tx,
                        clearing,
                        r.guild_id,
                        r.card_channel_id,
                        r.card_message_id,
                        "request",
                        number=r.id,
                        live=r.live,
                    )
        return deleted
