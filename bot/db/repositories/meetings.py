"""Group meetings: the meetings, each group's meeting preferences and facilitator rotation,
swapped turns and swap requests, reminder opt-ins and "I'm here" presses. A moderator's or a
facilitator's change and its audit entry are written in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database, Transaction
from bot.db.repositories.core import encode_value, update_columns, write_audit
from bot.db.retention import Cutoffs


@dataclass(frozen=True)
class MeetingRow:
    id: int
    group_id: int
    guild_id: int
    name: str
    schedule: str | None
    once_at: datetime | None
    tz: str
    duration_minutes: int
    reminders: tuple[int, ...]
    prompt: str | None
    venue_id: int | None
    venue_kind: str | None
    next_at: datetime | None
    open_at: datetime | None
    open_slot: int | None
    open_channel_id: int | None
    open_message_id: int | None
    attendance: int
    last_started_at: datetime | None
    event_id: int | None
    created_at: datetime
    #: the date whose cancellation by archiving the group its reminded members were told of
    cancel_told_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.open_at is not None


@dataclass(frozen=True)
class MeetingPrefs:
    group_id: int
    locking: bool = False
    named_attendance: bool = False
    turn: int = 0


@dataclass(frozen=True)
class SwapRow:
    id: int
    group_id: int
    guild_id: int
    from_id: int
    to_id: int
    from_slot: int
    to_slot: int
    #: asked | accepting (an Accept press being answered) | accepted | declined
    status: str
    created_at: datetime


def _meeting(r: Any) -> MeetingRow:
    return MeetingRow(
        id=r["id"],
        group_id=r["group_id"],
        guild_id=r["guild_id"],
        name=r["name"],
        schedule=r["schedule"],
        once_at=from_db_or_none(r["once_at"]),
        tz=r["tz"],
        duration_minutes=r["duration_minutes"],
        reminders=tuple(json.loads(r["reminders"])),
        prompt=r["prompt"],
        venue_id=r["venue_id"],
        venue_kind=r["venue_kind"],
        next_at=from_db_or_none(r["next_at"]),
        open_at=from_db_or_none(r["open_at"]),
        open_slot=r["open_slot"],
        open_channel_id=r["open_channel_id"],
        open_message_id=r["open_message_id"],
        attendance=r["attendance"],
        last_started_at=from_db_or_none(r["last_started_at"]),
        event_id=r["event_id"],
        created_at=from_db(r["created_at"]),
        cancel_told_at=from_db_or_none(r["cancel_told_at"]),
    )


def _swap(r: Any) -> SwapRow:
    return SwapRow(
        id=r["id"], group_id=r["group_id"], guild_id=r["guild_id"], from_id=r["from_id"],
        to_id=r["to_id"], from_slot=r["from_slot"], to_slot=r["to_slot"], status=r["status"],
        created_at=from_db(r["created_at"]),
    )  # fmt: skip


#: Columns a change may set (``update``).
FIELDS = {
    "name", "schedule", "once_at", "tz", "duration_minutes", "reminders", "prompt", "venue_id",
    "venue_kind", "next_at", "open_at", "open_slot", "open_channel_id", "open_message_id",
    "attendance", "last_started_at", "event_id", "cancel_told_at",
}  # fmt: skip
PREFS = {"locking", "named_attendance", "turn"}


#: Audit actions a member causes by their own act, not a moderator's decision: /forgetme
#: deletes the rows naming them as the actor (a moderator's actions stay).
MEMBER_ACTIONS = ("meetings.facilitator_swap",)
#: Meetings a facilitator who is no moderator added, edited or removed: the row stays (the
#: group's record that it changed), /forgetme takes their id off it.
FACILITATOR_ACTIONS = ("meetings.add", "meetings.edit", "meetings.remove")
#: The mark in such a row's detail (JSON written with sorted keys: matched as text).
BY_FACILITATOR = {"by": "facilitator"}


async def forget_audit(tx: Transaction, user_id: int) -> int:
    """The audit rows of a member's own acts in meetings: a swap they accepted goes; a
    meeting they changed as a facilitator (no moderator) loses who did it."""
    marks = ", ".join("?" for _ in MEMBER_ACTIONS)
    n = await tx.execute(
        f"DELETE FROM audit_log WHERE action IN ({marks}) AND actor_id = ?",
        (*MEMBER_ACTIONS, user_id),
    )
    marks = ", ".join("?" for _ in FACILITATOR_ACTIONS)
    mark = json.dumps(BY_FACILITATOR)[1:-1]
    return n + await tx.execute(
        f"UPDATE audit_log SET actor_id = NULL WHERE action IN ({marks}) AND actor_id = ?"
        " AND detail LIKE ?",
        (*FACILITATOR_ACTIONS, user_id, f"%{mark}%"),
    )


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- meetings ------------------------------------------------------------------------------
    async def create(
        self, *, actor_id: int, now: datetime, by_facilitator: bool = False, **values: Any
    ) -> MeetingRow:
        """A new meeting, audited as ``meetings.add`` (``by_facilitator``: a facilitator who is
        no moderator, marked so that their /forgetme takes their id off the row)."""
        unknown = set(values) - FIELDS - {"group_id", "guild_id"}
        if unknown:
            raise ValueError(f"unknown meeting fields: {sorted(unknown)}")
        columns = [*values, "created_at"]
        params = [*(encode_value(v) for v in values.values()), to_db(now)]
        async with self.db.transaction() as tx:
            meeting_id = await tx.insert(
                f"INSERT INTO group_meetings ({', '.join(columns)})"
                f" VALUES ({', '.join('?' for _ in columns)})",
                tuple(params),
            )
            detail = {"meeting": meeting_id, "group": values["group_id"]}
            detail |= BY_FACILITATOR if by_facilitator else {}
            await write_audit(tx, values["guild_id"], actor_id, "meetings.add", detail, now)
        row = await self.get(meeting_id)
        assert row is not None
        return row

    async def update(
        self,
        meeting_id: int,
        *,
        actor_id: int | None = None,
        action: str | None = None,
        now: datetime | None = None,
        by_facilitator: bool = False,
        **changes: Any,
    ) -> MeetingRow | None:
        unknown = set(changes) - FIELDS
        if unknown:
            raise ValueError(f"unknown meeting fields: {sorted(unknown)}")
        row = await self.get(meeting_id)
        if row is None:
            return None
        async with self.db.transaction() as tx:
            await update_columns(tx, "group_meetings", "id", meeting_id, changes)
            if action is not None and now is not None:
                detail = {"meeting": meeting_id, "fields": sorted(changes)}
                detail |= BY_FACILITATOR if by_facilitator else {}
                await write_audit(tx, row.guild_id, actor_id, action, detail, now)
        return await self.get(meeting_id)

    async def delete(
        self, row: MeetingRow, actor_id: int, now: datetime, *, by_facilitator: bool = False
    ) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM group_meetings WHERE id = ?", (row.id,))
            detail = {"meeting": row.id, "group": row.group_id}
            detail |= BY_FACILITATOR if by_facilitator else {}
            await write_audit(tx, row.guild_id, actor_id, "meetings.remove", detail, now)

    async def get(self, meeting_id: int) -> MeetingRow | None:
        row = await self.db.fetchone("SELECT * FROM group_meetings WHERE id = ?", (meeting_id,))
        return None if row is None else _meeting(row)

    async def for_group(self, group_id: int) -> list[MeetingRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM group_meetings WHERE group_id = ? ORDER BY id", (group_id,)
        )
        return [_meeting(r) for r in rows]

    async def for_guild(self, guild_id: int) -> list[MeetingRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM group_meetings WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_meeting(r) for r in rows]

    # -- per-group preferences and the turn counter --------------------------------------------
    async def prefs(self, group_id: int) -> MeetingPrefs:
        row = await self.db.fetchone(
            "SELECT * FROM group_meeting_prefs WHERE group_id = ?", (group_id,)
        )
        if row is None:
            return MeetingPrefs(group_id)
        return MeetingPrefs(
            group_id, bool(row["locking"]), bool(row["named_attendance"]), row["turn"]
        )

    async def set_prefs(
        self,
        group_id: int,
        guild_id: int,
        *,
        actor_id: int | None,
        now: datetime,
        **changes: Any,
    ) -> MeetingPrefs:
        unknown = set(changes) - PREFS
        if unknown:
            raise ValueError(f"unknown meeting preferences: {sorted(unknown)}")
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO group_meeting_prefs (group_id) VALUES (?)"
                " ON CONFLICT (group_id) DO NOTHING",
                (group_id,),
            )
            await update_columns(tx, "group_meeting_prefs", "group_id", group_id, changes)
            if actor_id is not None:
                detail = {"group": group_id, **{k: encode_value(v) for k, v in changes.items()}}
                await write_audit(tx, guild_id, actor_id, "meetings.options", detail, now)
        return await self.prefs(group_id)

    async def take_turn(self, group_id: int) -> int:
        """The rotation's current turn, and move the counter on (one transaction)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO group_meeting_prefs (group_id) VALUES (?)"
                " ON CONFLICT (group_id) DO NOTHING",
                (group_id,),
            )
            turn = int(
                await tx.fetchval(
                    "SELECT turn FROM group_meeting_prefs WHERE group_id = ?", (group_id,)
                )
            )
            await tx.execute(
                "UPDATE group_meeting_prefs SET turn = ? WHERE group_id = ?", (turn + 1, group_id)
            )
            await tx.execute(
                "DELETE FROM facilitator_turns WHERE group_id = ? AND slot < ?", (group_id, turn)
            )
        return turn

    # -- facilitators --------------------------------------------------------------------------
    async def facilitators(self, group_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM group_facilitators WHERE group_id = ? ORDER BY position, user_id",
            (group_id,),
        )
        return [r["user_id"] for r in rows]

    async def swapped_turns(self, group_id: int) -> dict[int, int]:
        rows = await self.db.fetchall(
            "SELECT slot, user_id FROM facilitator_turns WHERE group_id = ?", (group_id,)
        )
        return {r["slot"]: r["user_id"] for r in rows}

    async def add_facilitator(
        self, group_id: int, guild_id: int, user_id: int, actor_id: int, now: datetime
    ) -> bool:
        async with self.db.transaction() as tx:
            position = 1 + int(
                await tx.fetchval(
                    "SELECT COALESCE(MAX(position), 0) FROM group_facilitators WHERE group_id = ?",
                    (group_id,),
                )
            )
            added = await tx.execute(
                "INSERT INTO group_facilitators (group_id, user_id, position, added_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO NOTHING",
                (group_id, user_id, position, to_db(now)),
            )
            if added:
                detail = {"group": group_id, "facilitator": user_id}
                await write_audit(tx, guild_id, actor_id, "meetings.facilitator_add", detail, now)
        return bool(added)

    async def remove_facilitator(
        self, group_id: int, guild_id: int, user_id: int, actor_id: int | None, now: datetime
    ) -> bool:
        async with self.db.transaction() as tx:
            removed = await tx.execute(
                "DELETE FROM group_facilitators WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
            await tx.execute(
                "DELETE FROM facilitator_turns WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
            await tx.execute(
                "DELETE FROM facilitator_swaps WHERE group_id = ? AND (from_id = ? OR to_id = ?)",
                (group_id, user_id, user_id),
            )
            if removed and actor_id is not None:
                detail = {"group": group_id, "facilitator": user_id}
                await write_audit(
                    tx, guild_id, actor_id, "meetings.facilitator_remove", detail, now
                )
        return bool(removed)

    async def is_facilitator_anywhere(self, guild_id: int, user_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM group_facilitators f JOIN support_groups g ON g.id = f.group_id"
            " WHERE g.guild_id = ? AND f.user_id = ?",
            (guild_id, user_id),
        )
        return row is not None

    # -- swaps ---------------------------------------------------------------------------------
    async def ask_swap(
        self, group_id: int, guild_id: int, from_id: int, to_id: int, slots: tuple[int, int],
        now: datetime,
    ) -> SwapRow:  # fmt: skip
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM facilitator_swaps WHERE group_id = ? AND from_id = ?"
                " AND status = 'asked'",
                (group_id, from_id),
            )
            swap_id = await tx.insert(
                "INSERT INTO facilitator_swaps (group_id, guild_id, from_id, to_id, from_slot,"
                " to_slot, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (group_id, guild_id, from_id, to_id, slots[0], slots[1], to_db(now)),
            )
        swap = await self.swap(swap_id)
        assert swap is not None
        return swap

    async def swap(self, swap_id: int) -> SwapRow | None:
        row = await self.db.fetchone("SELECT * FROM facilitator_swaps WHERE id = ?", (swap_id,))
        return None if row is None else _swap(row)

    async def claim_swap(self, swap_id: int, accepted: bool) -> bool:
        """Claim the answer, the first press counting: a decline is final here; an accept holds
        the request (``accepting``) until ``accept_swap`` or ``release_swap``. Accept again on
        a held request claims it too (a double tap, or a press after a restart mid-answer):
        only one ``accept_swap`` can succeed."""
        if accepted:
            sql = (
                "UPDATE facilitator_swaps SET status = 'accepting' WHERE id = ?"
                " AND status IN ('asked', 'accepting')"
            )
        else:
            sql = (
                "UPDATE facilitator_swaps SET status = 'declined' WHERE id = ? AND status = 'asked'"
            )
        return bool(await self.db.execute(sql, (swap_id,)))

    async def accept_swap(self, swap: SwapRow, turns: dict[int, int], now: datetime) -> bool:
        """Record a claimed acceptance (only once) with the swapped turns, audited."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE facilitator_swaps SET status = 'accepted' WHERE id = ?"
                " AND status = 'accepting'",
                (swap.id,),
            )
            if not changed:
                return False
            await tx.execute("DELETE FROM facilitator_turns WHERE group_id = ?", (swap.group_id,))
            for slot, user_id in sorted(turns.items()):
                await tx.execute(
                    "INSERT INTO facilitator_turns (group_id, slot, user_id) VALUES (?, ?, ?)",
                    (swap.group_id, slot, user_id),
                )
            detail = {"group": swap.group_id, "swap": swap.id}
            action = "meetings.facilitator_swap"
            await write_audit(tx, swap.guild_id, swap.to_id, action, detail, now)
        return True

    async def release_swap(self, swap_id: int) -> None:
        """An acceptance that could not be made: the request is unanswered again."""
        await self.db.execute(
            "UPDATE facilitator_swaps SET status = 'asked' WHERE id = ? AND status = 'accepting'",
            (swap_id,),
        )

    # -- reminders -----------------------------------------------------------------------------
    async def set_optin(self, group_id: int, user_id: int, on: bool, now: datetime) -> bool:
        """Turn reminders on or off; True if that changed anything."""
        if on:
            changed = await self.db.execute(
                "INSERT INTO meeting_reminder_optins (group_id, user_id, created_at)"
                " VALUES (?, ?, ?) ON CONFLICT (group_id, user_id) DO NOTHING",
                (group_id, user_id, to_db(now)),
            )
        else:
            changed = await self.db.execute(
                "DELETE FROM meeting_reminder_optins WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
        return bool(changed)

    async def opted_in(self, group_id: int) -> list[int]:
        """Who asked for reminders and is still a member of the group."""
        rows = await self.db.fetchall(
            "SELECT o.user_id FROM meeting_reminder_optins o JOIN group_members m"
            " ON m.group_id = o.group_id AND m.user_id = o.user_id"
            " WHERE o.group_id = ? ORDER BY o.user_id",
            (group_id,),
        )
        return [r["user_id"] for r in rows]

    async def has_optin(self, group_id: int, user_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM meeting_reminder_optins WHERE group_id = ? AND user_id = ?",
            (group_id, user_id),
        )
        return row is not None

    # -- attendance ----------------------------------------------------------------------------
    async def press_here(
        self, meeting_id: int, starts_at: datetime, user_id: int, named: bool, now: datetime
    ) -> int | None:
        """Count a press once per person: the new count, or None if they had pressed."""
        async with self.db.transaction() as tx:
            added = await tx.execute(
                "INSERT INTO meeting_presence (meeting_id, starts_at, user_id, named, pressed_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, starts_at, user_id) DO NOTHING",
                (meeting_id, to_db(starts_at), user_id, int(named), to_db(now)),
            )
            if not added:
                return None
            await tx.execute(
                "UPDATE group_meetings SET attendance = attendance + 1 WHERE id = ?",
                (meeting_id,),
            )
            count = await tx.fetchval(
                "SELECT attendance FROM group_meetings WHERE id = ?", (meeting_id,)
            )
            return int(count)

    async def close(self, meeting_id: int, starts_at: datetime) -> MeetingRow | None:
        """The meeting closes: its count stays, unnamed presses go."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE group_meetings SET open_at = NULL, open_slot = NULL,"
                " open_message_id = NULL, open_channel_id = NULL WHERE id = ?",
                (meeting_id,),
            )
            await tx.execute(
                "DELETE FROM meeting_presence WHERE meeting_id = ? AND starts_at = ? AND named = 0",
                (meeting_id, to_db(starts_at)),
            )
        return await self.get(meeting_id)

    async def named_attendees(self, meeting_id: int, starts_at: datetime) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM meeting_presence WHERE meeting_id = ? AND starts_at = ?"
            " AND named = 1 ORDER BY pressed_at",
            (meeting_id, to_db(starts_at)),
        )
        return [r["user_id"] for r in rows]

    async def purge_presence_before(self, cutoff: datetime | Cutoffs) -> int:
        """Retention: who pressed "I'm here" before the cutoff (the meeting's server's own
        when it keeps it for less)."""
        older, params = Cutoffs.of(cutoff).older(
            "pressed_at",
            "(SELECT m.guild_id FROM group_meetings m WHERE m.id = meeting_presence.meeting_id)",
        )
        return await self.db.execute(f"DELETE FROM meeting_presence WHERE {older}", params)

    # -- forgetting ----------------------------------------------------------------------------
    async def delete_user(self, user_id: int) -> int:
        """Everything about a member: opt-ins, presses, swap requests, their place in rotations,
        and the audit rows of their own acts (a swap they accepted)."""
        removed = 0
        async with self.db.transaction() as tx:
            for sql in (
                "DELETE FROM meeting_reminder_optins WHERE user_id = ?",
                "DELETE FROM meeting_presence WHERE user_id = ?",
                "DELETE FROM facilitator_swaps WHERE from_id = ? OR to_id = ?",
                "DELETE FROM facilitator_turns WHERE user_id = ?",
                "DELETE FROM group_facilitators WHERE user_id = ?",
            ):
                removed += await tx.execute(sql, (user_id,) * sql.count("?"))
            removed += await forget_audit(tx, user_id)
        return removed
