"""Channel check-ins, their posts and anonymous moods; personal check-ins and moods."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database
from bot.db.repositories.core import encode_value


@dataclass(frozen=True)
class CheckinRow:
    id: int
    guild_id: int
    channel_id: int
    schedule: str
    tz: str
    title: str
    prompts: tuple[str, ...]
    prompt_index: int
    use_thread: bool
    show_summary: bool
    paused: bool
    pause_reason: str | None
    created_by: int | None
    last_run_at: datetime | None


@dataclass(frozen=True)
class PersonalRow:
    id: int
    user_id: int
    guild_id: int | None
    channel_id: int | None
    schedule: str
    tz: str
    quiet_start: str | None
    quiet_end: str | None
    paused: bool
    pause_reason: str | None
    share_with: int | None
    last_run_at: datetime | None
    #: set without ``tz``: ``tz`` is the member's own zone and moves with ``/timezone set``
    tz_follows: bool = False


def _checkin(r: Any) -> CheckinRow:
    return CheckinRow(
        id=r["id"],
        guild_id=r["guild_id"],
        channel_id=r["channel_id"],
        schedule=r["schedule"],
        tz=r["tz"],
        title=r["title"],
        prompts=tuple(json.loads(r["prompts"])),
        prompt_index=r["prompt_index"],
        use_thread=bool(r["use_thread"]),
        show_summary=bool(r["show_summary"]),
        paused=bool(r["paused"]),
        pause_reason=r["pause_reason"],
        created_by=r["created_by"],
        last_run_at=from_db_or_none(r["last_run_at"]),
    )


def _personal(r: Any) -> PersonalRow:
    return PersonalRow(
        id=r["id"],
        user_id=r["user_id"],
        guild_id=r["guild_id"],
        channel_id=r["channel_id"],
        schedule=r["schedule"],
        tz=r["tz"],
        quiet_start=r["quiet_start"],
        quiet_end=r["quiet_end"],
        paused=bool(r["paused"]),
        pause_reason=r["pause_reason"],
        share_with=r["share_with"],
        last_run_at=from_db_or_none(r["last_run_at"]),
        tz_follows=bool(r["tz_follows"]),
    )


CHECKIN_FIELDS = {
    "channel_id",
    "schedule",
    "tz",
    "title",
    "prompts",
    "prompt_index",
    "use_thread",
    "show_summary",
    "paused",
    "pause_reason",
    "last_run_at",
}
PERSONAL_FIELDS = {
    "schedule",
    "tz",
    "quiet_start",
    "quiet_end",
    "paused",
    "pause_reason",
    "share_with",
    "last_run_at",
    "guild_id",
    "channel_id",
}


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: encode_value(value) for key, value in fields.items()}


class CheckinRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._salt: str | None = None

    async def salt(self) -> str:
        """The key for anonymous voter hashes. It lives only in this process's memory, never in
        the database or a backup, so a stored vote can't be linked to a member by hashing every
        member id. The price: after a restart, a member can vote once more on an older post."""
        if self._salt is None:
            self._salt = secrets.token_hex(16)
        return self._salt

    # -- channel check-ins ----------------------------------------------------------------
    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        schedule: str,
        tz: str,
        title: str,
        prompts: list[str],
        use_thread: bool,
        show_summary: bool,
        created_by: int,
        now: datetime,
    ) -> CheckinRow:
        checkin_id = await self.db.insert(
            "INSERT INTO checkins (guild_id, channel_id, schedule, tz, title, prompts,"
            " use_thread, show_summary, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                schedule,
                tz,
                title,
                json.dumps(prompts),
                int(use_thread),
                int(show_summary),
                created_by,
                to_db(now),
            ),
        )
        row = await self.get(checkin_id)
        assert row is not None
        return row

    async def get(self, checkin_id: int) -> CheckinRow | None:
        r = await self.db.fetchone("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return None if r is None else _checkin(r)

    async def for_guild(self, guild_id: int) -> list[CheckinRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM checkins WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_checkin(r) for r in rows]

    async def count_for_guild(self, guild_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT COUNT(*) FROM checkins WHERE guild_id = ?", (guild_id,))
        )

    async def update(self, checkin_id: int, **fields: Any) -> None:
        if not fields or set(fields) - CHECKIN_FIELDS:
            raise ValueError(f"cannot update {set(fields) - CHECKIN_FIELDS}")
        encoded = _encode(fields)
        sets = ", ".join(f"{k} = ?" for k in encoded)
        await self.db.execute(
            f"UPDATE checkins SET {sets} WHERE id = ?", (*encoded.values(), checkin_id)
        )

    async def delete(self, checkin_id: int) -> bool:
        return bool(await self.db.execute("DELETE FROM checkins WHERE id = ?", (checkin_id,)))

    async def claim_post(self, checkin: CheckinRow, scheduled_for: datetime) -> int | None:
        """Reserve the post for one scheduled time; None if it was already posted."""
        async with self.db.transaction() as tx:
            # UNIQUE (checkin_id, scheduled_for): of any number of racers, one gets the row.
            post_id = await tx.fetchval(
                "INSERT INTO checkin_posts (checkin_id, guild_id, channel_id, scheduled_for)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (checkin.id, checkin.guild_id, checkin.channel_id, to_db(scheduled_for)),
            )
            if post_id is None:
                return None
            await tx.execute(
                "UPDATE checkins SET last_run_at = ?, prompt_index = prompt_index + 1 WHERE id = ?",
                (to_db(scheduled_for), checkin.id),
            )
        return int(post_id)

    async def release_post(self, post_id: int) -> None:
        """Posting failed: free the slot so a retry can post it (still at most once)."""
        await self.db.execute(
            "DELETE FROM checkin_posts WHERE id = ? AND message_id IS NULL", (post_id,)
        )

    async def mark_posted(self, post_id: int, message_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE checkin_posts SET message_id = ?, posted_at = ? WHERE id = ?",
            (message_id, to_db(now), post_id),
        )

    async def posts(self, checkin_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT * FROM checkin_posts WHERE checkin_id = ? ORDER BY scheduled_for",
            (checkin_id,),
        )
        return [dict(r) for r in rows]

    async def post(self, post_id: int) -> dict[str, Any] | None:
        r = await self.db.fetchone("SELECT * FROM checkin_posts WHERE id = ?", (post_id,))
        return None if r is None else dict(r)

    async def vote(self, post_id: int, voter: str, mood: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_moods (post_id, voter, mood, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (post_id, voter) DO UPDATE SET mood = excluded.mood",
            (post_id, voter, mood, to_db(now)),
        )

    async def mood_counts(
        self, checkin_id: int, since: datetime, before: datetime
    ) -> dict[int, int]:
        rows = await self.db.fetchall(
            "SELECT m.mood, COUNT(*) AS n FROM checkin_moods m JOIN checkin_posts p"
            " ON p.id = m.post_id WHERE p.checkin_id = ? AND p.scheduled_for >= ?"
            " AND p.scheduled_for < ? GROUP BY m.mood",
            (checkin_id, to_db(since), to_db(before)),
        )
        return {int(r["mood"]): int(r["n"]) for r in rows}

    # -- personal check-ins ------------------------------------------------------------------
    async def upsert_personal(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        schedule: str,
        tz: str,
        quiet_start: str | None,
        quiet_end: str | None,
        now: datetime,
        tz_follows: bool = False,
    ) -> PersonalRow:
        await self.db.execute(
            "INSERT INTO personal_checkins (user_id, guild_id, channel_id, schedule, tz,"
            " tz_follows, quiet_start, quiet_end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET guild_id = excluded.guild_id,"
            " channel_id = excluded.channel_id, schedule = excluded.schedule, tz = excluded.tz,"
            " tz_follows = excluded.tz_follows,"
            " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, paused = 0,"
            " pause_reason = NULL",
            (
                user_id,
                guild_id,
                channel_id,
                schedule,
                tz,
                int(tz_follows),
                quiet_start,
                quiet_end,
                to_db(now),
            ),
        )
        row = await self.personal_for(user_id)
        assert row is not None
        return row

    async def personal_for(self, user_id: int) -> PersonalRow | None:
        r = await self.db.fetchone("SELECT * FROM personal_checkins WHERE user_id = ?", (user_id,))
        return None if r is None else _personal(r)

    async def personal(self, personal_id: int) -> PersonalRow | None:
        r = await self.db.fetchone("SELECT * FROM personal_checkins WHERE id = ?", (personal_id,))
        return None if r is None else _personal(r)

    async def follow_zone(self, user_id: int, tz: str) -> PersonalRow | None:
        """Move the member's personal check-in that follows their zone to ``tz``; the row
        if it moved (None: none, one with its own zone, or already in ``tz``)."""
        moved = await self.db.execute(
            "UPDATE personal_checkins SET tz = ? WHERE user_id = ? AND tz_follows = 1 AND tz <> ?",
            (tz, user_id, tz),
        )
        return await self.personal_for(user_id) if moved else None

    async def following_in(self, guild_id: int) -> list[PersonalRow]:
        """The personal check-ins set in a server that follow their member's zone."""
        rows = await self.db.fetchall(
            "SELECT * FROM personal_checkins WHERE guild_id = ? AND tz_follows = 1 ORDER BY id",
            (guild_id,),
        )
        return [_personal(r) for r in rows]

    async def update_personal(self, personal_id: int, **fields: Any) -> None:
        if not fields or set(fields) - PERSONAL_FIELDS:
            raise ValueError(f"cannot update {set(fields) - PERSONAL_FIELDS}")
        encoded = _encode(fields)
        sets = ", ".join(f"{k} = ?" for k in encoded)
        await self.db.execute(
            f"UPDATE personal_checkins SET {sets} WHERE id = ?", (*encoded.values(), personal_id)
        )

    async def delete_personal(self, user_id: int) -> bool:
        return bool(
            await self.db.execute("DELETE FROM personal_checkins WHERE user_id = ?", (user_id,))
        )

    async def add_personal_mood(
        self, user_id: int, mood: int, now: datetime, message_id: int | None = None
    ) -> bool:
        """Store a mood; False when this DM (``message_id``) already holds this mood."""
        return bool(
            await self.db.execute(
                "INSERT INTO personal_moods (user_id, mood, created_at, message_id)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (user_id, mood, to_db(now), message_id),
            )
        )

    async def personal_moods(self, user_id: int, since: datetime) -> list[tuple[datetime, int]]:
        rows = await self.db.fetchall(
            "SELECT mood, created_at FROM personal_moods WHERE user_id = ? AND created_at >= ?"
            " ORDER BY created_at",
            (user_id, to_db(since)),
        )
        return [(from_db(r["created_at"]), int(r["mood"])) for r in rows]

    async def delete_user(self, user_id: int) -> int:
        async with self.db.transaction() as tx:
            n = await tx.execute("DELETE FROM personal_checkins WHERE user_id = ?", (user_id,))
            n += await tx.execute("DELETE FROM personal_moods WHERE user_id = ?", (user_id,))
            # someone who shared their check-ins with the forgotten person no longer does
            n += await tx.execute(
                "UPDATE personal_checkins SET share_with = NULL WHERE share_with = ?", (user_id,)
            )
        return n
