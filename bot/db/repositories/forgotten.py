"""Anonymous counts of what moderators' figures counted, kept when the rows they were read
from go (a member's /forgetme, retention): per server and UTC day or hour, a kind and a
number; never a member, channel or message id, never text. Written in the transaction that
deletes the rows, so a figure is never counted twice nor lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.clock import to_db
from bot.db.connection import Database

if TYPE_CHECKING:
    from bot.db.repositories.requests import RequestRow

# the escalation step from which /peers stats counts a request as past the alert threshold
PAST_THRESHOLD = 3
COUNTS = ("opened", "claimed", "closed", "cancelled", "past_threshold")


def _hour(moment: datetime) -> str:
    return to_db(moment)[:13]  # YYYY-MM-DDTHH, UTC


async def keep_safety_counts(tx: Any, where: str, params: tuple[Any, ...]) -> None:
    """Count the safety events ``where`` selects (about to be deleted) by server, day and
    label. The ``WHERE`` keeps SQLite's upsert after a SELECT unambiguous."""
    await tx.execute(
        "INSERT INTO safety_event_counts (guild_id, day, label, events)"
        " SELECT guild_id, substr(created_at, 1, 10), label, COUNT(*) FROM safety_events"
        f" WHERE {where} GROUP BY guild_id, substr(created_at, 1, 10), label"
        " ON CONFLICT (guild_id, day, label)"
        " DO UPDATE SET events = safety_event_counts.events + excluded.events",
        params,
    )


async def safety_counts(db: Database, guild_id: int, since: datetime) -> dict[str, int]:
    """Forgotten events per label from the UTC day ``since`` falls on (whole days)."""
    rows = await db.fetchall(
        "SELECT label, SUM(events) AS n FROM safety_event_counts"
        " WHERE guild_id = ? AND day >= ? GROUP BY label",
        (guild_id, to_db(since)[:10]),
    )
    return {r["label"]: int(r["n"]) for r in rows}


async def keep_request_counts(tx: Any, requests: Iterable[RequestRow]) -> None:
    """Count requests (about to be deleted) by server and the UTC hour they were opened in,
    as they stand, and each claimed one's wait in whole seconds."""
    buckets: dict[tuple[int, str], Counter[str]] = {}
    waits: Counter[tuple[int, str, int]] = Counter()
    for r in requests:
        key = (r.guild_id, _hour(r.created_at))
        counts = buckets.setdefault(key, Counter())
        counts["opened"] += 1
        counts["closed"] += r.status == "closed"
        counts["cancelled"] += r.status == "cancelled"
        counts["past_threshold"] += r.escalation >= PAST_THRESHOLD
        if r.claimed_at is not None:
            counts["claimed"] += 1
            waits[(*key, round((r.claimed_at - r.created_at).total_seconds()))] += 1
    for (guild_id, hour), c in buckets.items():
        await tx.execute(
            "INSERT INTO support_request_counts (guild_id, hour, opened, claimed, closed,"
            " cancelled, past_threshold) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, hour) DO UPDATE SET "
            + ", ".join(f"{k} = support_request_counts.{k} + excluded.{k}" for k in COUNTS),
            (guild_id, hour, *(c[k] for k in COUNTS)),
        )
    for (guild_id, hour, seconds), n in waits.items():
        await tx.execute(
            "INSERT INTO support_claim_waits (guild_id, hour, seconds, requests)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, hour, seconds)"
            " DO UPDATE SET requests = support_claim_waits.requests + excluded.requests",
            (guild_id, hour, seconds, n),
        )


async def request_counts(db: Database, guild_id: int, since: datetime) -> dict[str, Any]:
    """Forgotten requests opened from the UTC hour ``since`` falls in (whole hours): the
    counts, each claimed one's wait, and the start of the hour each was opened in."""
    start = _hour(since)
    rows = await db.fetchall(
        "SELECT hour, opened, claimed, closed, cancelled, past_threshold"
        " FROM support_request_counts WHERE guild_id = ? AND hour >= ?",
        (guild_id, start),
    )
    data: dict[str, Any] = {k: sum(int(r[k]) for r in rows) for k in COUNTS}
    data["opened_at"] = [
        datetime.fromisoformat(r["hour"] + ":00:00").replace(tzinfo=UTC)
        for r in rows
        for _ in range(int(r["opened"]))
    ]
    waits = await db.fetchall(
        "SELECT seconds, requests FROM support_claim_waits WHERE guild_id = ? AND hour >= ?",
        (guild_id, start),
    )
    data["claim_seconds"] = [float(w["seconds"]) for w in waits for _ in range(int(w["requests"]))]
    return data
