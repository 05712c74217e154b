"""Safety events (metadata only), peer alerts and guild-local resources."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.db.connection import Database
from bot.db.repositories.core import CardClearing, arm_card_clear, write_audit
from bot.db.repositories.forgotten import keep_safety_counts, safety_counts
from bot.db.retention import Cutoffs


@dataclass(frozen=True)
class SafetyEvent:
    id: int
    guild_id: int
    channel_id: int
    user_id: int
    label: str
    tier: int
    replied: bool
    alerted: bool
    created_at: datetime


@dataclass(frozen=True)
class MemberWindow:
    """A member's events since a moment, per label: replied to, and the highest tier of
    those that alerted (what the cooldown rules ask, from one query)."""

    replied: frozenset[str]  # labels of events that got a reply
    # the highest tier among events about the member's risk that alerted; None: none did (a
    # harassment alert is about what they did to others, never a cooldown on their own care)
    alerted_tier: int | None
    acted: frozenset[str]  # labels of events that got a reply or alerted

    def replied_to(self, labels: tuple[str, ...] | None = None) -> bool:
        return bool(self.replied) if labels is None else not self.replied.isdisjoint(labels)


@dataclass(frozen=True)
class GuildResource:
    id: int
    guild_id: int
    name: str
    kind: str
    contact: str
    region: str
    hours: str
    source_url: str | None
    created_at: datetime


@dataclass(frozen=True)
class AlertRow:
    """Who an alert is about and who acted on it (at most one of responder and dismisser).
    ``state`` is ``open``, ``taken`` or ``dismissed``; it stays when /forgetme clears who."""

    id: int
    guild_id: int
    user_id: int
    responder_id: int | None
    dismissed_by: int | None
    state: str = "open"


@dataclass(frozen=True)
class ReopenedAlert:
    """An alert given back to the peers: where its card is (None: posted before Kindred kept
    that) and whether it pinged (``level`` ``alert``) or was a quiet item (``soft``)."""

    id: int
    guild_id: int
    user_id: int
    level: str
    posted_channel_id: int | None
    posted_message_id: int | None


# An alert is open until one peer takes it or marks it "not a concern": each of those is a
# conditional UPDATE from this state, so of two presses at once exactly one changes the row
# (on PostgreSQL the second waits for the first's row lock, then finds the row no longer open).
# The state, not the ids, says so: /forgetme clears who acted, never that someone did.
ALERT_OPEN = "state = 'open'"


def _event(r: Any) -> SafetyEvent:
    return SafetyEvent(
        r["id"],
        r["guild_id"],
        r["channel_id"],
        r["user_id"],
        r["label"],
        r["tier"],
        bool(r["replied"]),
        bool(r["alerted"]),
        from_db(r["created_at"]),
    )


MEMBER_WINDOW_SQL = (
    "SELECT label, MAX(replied) AS replied,"
    " MAX(CASE WHEN alerted = 1 AND label <> 'harassment' THEN tier END) AS alerted_tier"
    " FROM safety_events WHERE guild_id = ? AND user_id = ? AND created_at >= ?"
    " AND (replied = 1 OR alerted = 1) GROUP BY label"
)


def last_in_channel_query(
    guild_id: int, channel_id: int, since: datetime, label: str | None, *, noted: bool
) -> tuple[str, list[Any]]:
    """``SafetyRepository.last_in_channel``'s statement: its filters match the partial
    indexes ``safety_events_channel_acted`` and ``safety_events_channel_noted``."""
    acted = "noted = 1" if noted else "(replied = 1 OR alerted = 1)"
    sql = (
        "SELECT * FROM safety_events WHERE guild_id = ? AND channel_id = ?"
        f" AND created_at >= ? AND {acted}"
    )
    params: list[Any] = [guild_id, channel_id, to_db(since)]
    if label is not None:
        sql += " AND label = ?"
        params.append(label)
    return sql + " ORDER BY id DESC LIMIT 1", params


def notes_in_channel_query(
    guild_id: int, channel_id: int, since: datetime, limit: int
) -> tuple[str, list[Any]]:
    """``SafetyRepository.notes_in_channel``'s statement (the partial index
    ``safety_events_channel_noted``)."""
    sql = (
        "SELECT user_id FROM safety_events WHERE guild_id = ? AND channel_id = ?"
        " AND created_at >= ? AND noted = 1 ORDER BY id DESC LIMIT ?"
    )
    return sql, [guild_id, channel_id, to_db(since), limit]


class SafetyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_event(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        label: str,
        tier: int,
        replied: bool,
        alerted: bool,
        now: datetime,
        reply_outcome: str | None = None,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO safety_events (guild_id, channel_id, user_id, label, tier, replied,"
            " alerted, created_at, reply_outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                user_id,
                label,
                tier,
                int(replied),
                int(alerted),
                to_db(now),
                reply_outcome,
            ),
        )

    async def set_outcome(
        self,
        event_id: int,
        *,
        replied: bool,
        alerted: bool,
        noted: bool,
        reply_outcome: str | None = None,
    ) -> None:
        """What reached people; ``reply_outcome`` None keeps the one recorded."""
        await self.db.execute(
            "UPDATE safety_events SET replied = ?, alerted = ?, noted = ?,"
            " reply_outcome = COALESCE(?, reply_outcome) WHERE id = ?",
            (int(replied), int(alerted), int(noted), reply_outcome, event_id),
        )

    async def event_reply(self, event_id: int) -> tuple[bool, str | None] | None:
        """The event's private reply: whether it is recorded as sent (or being sent) and its
        outcome (None on events recorded before outcomes were); None when the event is gone
        (forgotten, or purged)."""
        row = await self.db.fetchone(
            "SELECT replied, reply_outcome FROM safety_events WHERE id = ?", (event_id,)
        )
        return None if row is None else (bool(row["replied"]), row["reply_outcome"])

    async def set_reply_outcome(self, event_id: int, outcome: str) -> None:
        """The private reply's final outcome; ``replied`` follows (a reply not sent must not
        hold back the next one)."""
        await self.db.execute(
            "UPDATE safety_events SET replied = ?, reply_outcome = ? WHERE id = ?",
            (int(outcome in ("pending", "sent")), outcome, event_id),
        )

    async def event_replied(self, event_id: int) -> bool | None:
        """Whether the event's private reply is recorded as sent (or being sent); None when
        the event is gone (forgotten, or purged)."""
        value = await self.db.fetchval(
            "SELECT replied FROM safety_events WHERE id = ?", (event_id,)
        )
        return None if value is None else bool(value)

    async def set_replied(self, event_id: int, replied: bool) -> None:
        await self.db.execute(
            "UPDATE safety_events SET replied = ? WHERE id = ?", (int(replied), event_id)
        )

    async def member_window(self, guild_id: int, user_id: int, since: datetime) -> MemberWindow:
        """What the member cooldown rules ask, in one query: each label's replies and its
        highest alerting tier since ``since``. Only events that replied or alerted can
        answer either, so only those are read (the partial index ``safety_events_acted``):
        a member whose messages keep being noticed does not slow the next decision."""
        rows = await self.db.fetchall(MEMBER_WINDOW_SQL, (guild_id, user_id, to_db(since)))
        tiers = [r["alerted_tier"] for r in rows if r["alerted_tier"] is not None]
        return MemberWindow(
            frozenset(r["label"] for r in rows if r["replied"]),
            max(tiers) if tiers else None,
            frozenset(r["label"] for r in rows),  # the query reads only events that acted
        )

    async def last_in_channel(
        self,
        guild_id: int,
        channel_id: int,
        since: datetime,
        label: str | None = None,
        *,
        noted: bool = False,
    ) -> SafetyEvent | None:
        """The last event that acted here; with ``noted``, only brief channel notes count."""
        sql, params = last_in_channel_query(guild_id, channel_id, since, label, noted=noted)
        row = await self.db.fetchone(sql, params)
        return None if row is None else _event(row)

    async def notes_in_channel(
        self, guild_id: int, channel_id: int, since: datetime, limit: int
    ) -> list[int]:
        """Whom the last ``limit`` brief channel notes here since ``since`` were for (member
        ids, newest first)."""
        sql, params = notes_in_channel_query(guild_id, channel_id, since, limit)
        return [int(r["user_id"]) for r in await self.db.fetchall(sql, params)]

    async def counts(self, guild_id: int, since: datetime) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT label, COUNT(*) AS n FROM safety_events WHERE guild_id = ?"
            " AND created_at >= ? GROUP BY label",
            (guild_id, to_db(since)),
        )
        counts = {r["label"]: int(r["n"]) for r in rows}
        # events forgotten or purged, counted without them (whole UTC days)
        for label, n in (await safety_counts(self.db, guild_id, since)).items():
            counts[label] = counts.get(label, 0) + n
        return counts

    async def purge_before(self, cutoff: datetime | Cutoffs) -> int:
        """Retention: detection events and alerts older than the cutoff (their server's own
        when it keeps them for less)."""
        cutoffs = Cutoffs.of(cutoff)
        n = 0
        async with self.db.transaction() as tx:
            for table in ("safety_events", "safety_alerts"):
                older, params = cutoffs.older("created_at", f"{table}.guild_id")
                if table == "safety_events":  # /safety status keeps counting them
                    await keep_safety_counts(tx, older, params)
                n += await tx.execute(f"DELETE FROM {table} WHERE {older}", params)
        return n

    async def add_alert(
        self,
        guild_id: int,
        user_id: int,
        tier: int,
        now: datetime,
        *,
        level: str = "alert",
        sources: tuple[str, ...] = (),
    ) -> int:
        """Record an alert and count it for each source that raised it, in one transaction."""
        async with self.db.transaction() as tx:
            alert_id = await tx.insert(
                "INSERT INTO safety_alerts (guild_id, user_id, tier, created_at, level, sources)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, tier, to_db(now), level, " ".join(sources)),
            )
            for source in sources:
                await tx.execute(
                    "INSERT INTO safety_feedback (guild_id, source, alerts, dismissed)"
                    " VALUES (?, ?, 1, 0) ON CONFLICT (guild_id, source)"
                    " DO UPDATE SET alerts = safety_feedback.alerts + 1",
                    (guild_id, source),
                )
        return alert_id

    async def dismiss_alert(self, alert_id: int, guild_id: int, by: int) -> bool:
        """Mark an open alert "not a concern" and count it for each of its sources, in one
        transaction. False (nothing changed) when it is taken, marked, or not this guild's."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE safety_alerts SET dismissed_by = ?, state = 'dismissed'"
                " WHERE id = ? AND guild_id = ? AND " + ALERT_OPEN,
                (by, alert_id, guild_id),
            )
            if not changed:
                return False
            sources = await tx.fetchval(
                "SELECT sources FROM safety_alerts WHERE id = ?", (alert_id,)
            )
            for source in str(sources or "").split():
                await tx.execute(
                    "UPDATE safety_feedback SET dismissed = dismissed + 1"
                    " WHERE guild_id = ? AND source = ?",
                    (guild_id, source),
                )
        return True

    async def feedback(self, guild_id: int) -> list[tuple[str, int, int, int]]:
        """(source, alerts, taken, not a concern) per source, most alerts first."""
        rows = await self.db.fetchall(
            "SELECT source, alerts, taken, dismissed FROM safety_feedback WHERE guild_id = ?"
            " ORDER BY alerts DESC, source",
            (guild_id,),
        )
        return [
            (str(r["source"]), int(r["alerts"]), int(r["taken"]), int(r["dismissed"])) for r in rows
        ]

    async def take_alert(self, alert_id: int, guild_id: int, responder_id: int) -> bool:
        """Record the responder of an open alert and count it taken for each of its sources,
        in one transaction. False (nothing changed) when it is taken, marked, or not this
        guild's."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE safety_alerts SET responder_id = ?, state = 'taken'"
                " WHERE id = ? AND guild_id = ? AND " + ALERT_OPEN,
                (responder_id, alert_id, guild_id),
            )
            if changed:
                await _count_taken(tx, alert_id, guild_id, taken=True)
        return bool(changed)

    async def alert_posted(self, alert_id: int, channel_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE safety_alerts SET posted_channel_id = ?, posted_message_id = ? WHERE id = ?",
            (channel_id, message_id, alert_id),
        )

    async def alert_cards(self, alert_ids: list[int]) -> list[tuple[int, int]]:
        """Where these alerts' cards are, ``(channel id, message id)``, for those posted since
        Kindred kept that (an alert gone or not yet posted has none)."""
        cards = []
        for alert_id in alert_ids:
            row = await self.db.fetchone(
                "SELECT posted_channel_id, posted_message_id FROM safety_alerts WHERE id = ?",
                (alert_id,),
            )
            if row is not None and row["posted_message_id"] is not None:
                cards.append((int(row["posted_channel_id"]), int(row["posted_message_id"])))
        return cards

    async def reopen_taken_by(
        self, guild_id: int | None, responder_id: int, since: datetime, now: datetime
    ) -> list[tuple[int, int]]:
        """Open again the alerts (raised since ``since``) that ``responder_id`` took, in one
        server or (``guild_id`` None: the peer asked to be forgotten) in every one, each with
        its ``safety.alert_reopened`` audit entry (ids only; the peer's id only when they are
        not being forgotten) in the same transaction: ``(alert id, guild id)`` of those
        reopened."""
        where = "responder_id = ? AND state = 'taken' AND created_at >= ?"
        params: tuple = (responder_id, to_db(since))
        if guild_id is not None:
            where, params = "guild_id = ? AND " + where, (guild_id, *params)
        reopened = []
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT id, guild_id FROM safety_alerts WHERE " + where + " ORDER BY id", params
            )
            for row in rows:
                changed = await tx.execute(
                    "UPDATE safety_alerts SET responder_id = NULL, state = 'open'"
                    " WHERE id = ? AND responder_id = ? AND state = 'taken'",
                    (row["id"], responder_id),
                )
                if changed:
                    await _count_taken(tx, int(row["id"]), int(row["guild_id"]), taken=False)
                    detail = {"alert": row["id"]}
                    if guild_id is not None:
                        detail["peer"] = responder_id
                    await write_audit(
                        tx, int(row["guild_id"]), None, "safety.alert_reopened", detail, now
                    )
                    reopened.append((int(row["id"]), int(row["guild_id"])))
        return reopened

    async def reopened_alert(self, alert_id: int) -> ReopenedAlert | None:
        """The alert if it is open (nobody took or marked it since it was reopened)."""
        row = await self.db.fetchone(
            "SELECT id, guild_id, user_id, level, posted_channel_id, posted_message_id"
            " FROM safety_alerts WHERE id = ? AND " + ALERT_OPEN,
            (alert_id,),
        )
        if row is None:
            return None
        return ReopenedAlert(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["level"],
            row["posted_channel_id"],
            row["posted_message_id"],
        )

    async def get_alert(self, alert_id: int) -> AlertRow | None:
        row = await self.db.fetchone(
            "SELECT id, guild_id, user_id, responder_id, dismissed_by, state FROM safety_alerts"
            " WHERE id = ?",
            (alert_id,),
        )
        if row is None:
            return None
        return AlertRow(
            row["id"],
            row["guild_id"],
            row["user_id"],
            row["responder_id"],
            row["dismissed_by"],
            row["state"],
        )

    async def delete_user(self, user_id: int, clearing: CardClearing | None = None) -> int:
        """A member's events and alerts go; with ``clearing``, the clearing of each alert card
        posted about them is armed in the same transaction (ids only), so it is never lost."""
        async with self.db.transaction() as tx:
            await keep_safety_counts(tx, "user_id = ?", (user_id,))  # /safety status keeps them
            n = await tx.execute("DELETE FROM safety_events WHERE user_id = ?", (user_id,))
            rows = await tx.fetchall(
                "DELETE FROM safety_alerts WHERE user_id = ?"
                " RETURNING guild_id, posted_channel_id, posted_message_id, level",
                (user_id,),
            )
            n += len(rows)
            for row in rows if clearing is not None else ():
                channel_id, message_id = row["posted_channel_id"], row["posted_message_id"]
                if channel_id is not None and message_id is not None:
                    # a possible-concern item (level "soft") is cleared as what it was
                    concern = {"concern": True} if row["level"] == "soft" else {}
                    await arm_card_clear(
                        tx,
                        clearing,
                        int(row["guild_id"]),
                        channel_id,
                        message_id,
                        "alert",
                        **concern,
                    )
            # who acted is forgotten; that someone did (``state``) stays, so the alert stays
            # closed
            n += await tx.execute(
                "UPDATE safety_alerts SET responder_id = NULL WHERE responder_id = ?", (user_id,)
            )
            n += await tx.execute(
                "UPDATE safety_alerts SET dismissed_by = NULL WHERE dismissed_by = ?", (user_id,)
            )
            # Kindred's own entry for an alert reopened when they lost the peer role named
            # them: it stays (an alert was reopened), without who
            entries = await tx.fetchall(
                "SELECT id, detail FROM audit_log WHERE action = 'safety.alert_reopened'"
                " AND detail LIKE ?",
                (f'%"peer": {user_id}%',),
            )
            for entry in entries:
                detail = json.loads(entry["detail"])
                if detail.get("peer") == user_id:
                    del detail["peer"]
                    n += await tx.execute(
                        "UPDATE audit_log SET detail = ? WHERE id = ?",
                        (json.dumps(detail, sort_keys=True), entry["id"]),
                    )
        return n

    # -- guild resources ----------------------------------------------------------------------
    async def add_resource(
        self,
        guild_id: int,
        name: str,
        kind: str,
        contact: str,
        region: str,
        hours: str,
        source_url: str | None,
        added_by: int,
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO guild_resources (guild_id, name, kind, contact, region, hours,"
            " source_url, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, name, kind, contact, region, hours, source_url, added_by, to_db(now)),
        )

    async def remove_resource(self, guild_id: int, resource_id: int) -> bool:
        return bool(
            await self.db.execute(
                "DELETE FROM guild_resources WHERE guild_id = ? AND id = ?", (guild_id, resource_id)
            )
        )

    async def resources(self, guild_id: int) -> list[GuildResource]:
        rows = await self.db.fetchall(
            "SELECT * FROM guild_resources WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [
            GuildResource(
                r["id"],
                r["guild_id"],
                r["name"],
                r["kind"],
                r["contact"],
                r["region"],
                r["hours"],
                r["source_url"],
                from_db(r["created_at"]),
            )
            for r in rows
        ]


_TAKEN = "UPDATE safety_feedback SET taken = taken + 1 WHERE guild_id = ? AND source = ?"
_NO_LONGER_TAKEN = (
    "UPDATE safety_feedback SET taken = taken - 1 WHERE guild_id = ? AND source = ? AND taken > 0"
)


async def _count_taken(tx: Any, alert_id: int, guild_id: int, *, taken: bool) -> None:
    """Count an alert taken (or no longer taken: reopened) for each source that raised it."""
    sources = await tx.fetchval("SELECT sources FROM safety_alerts WHERE id = ?", (alert_id,))
    for source in str(sources or "").split():
        await tx.execute(_TAKEN if taken else _NO_LONGER_TAKEN, (guild_id, source))
