"""Support groups: the groups, their members, accepted guidelines, pseudonyms and the mapping of
anonymous posts. A moderator's change and its audit entry are written in one transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database
from bot.db.repositories.core import update_columns, write_audit
from bot.db.retention import Cutoffs


@dataclass(frozen=True)
class GroupRow:
    id: int
    guild_id: int
    name: str
    description: str
    tags: tuple[str, ...]
    private: bool
    channel_id: int | None
    role_id: int | None
    adopted: bool
    status: str
    guidelines: str | None
    guidelines_version: int
    slowmode_seconds: int
    anonymous_posts: bool
    content_notes: bool
    problem: str | None
    created_by: int | None
    created_at: datetime
    archived_at: datetime | None
    #: An adopted channel as it was (see migration 0016): @everyone's overwrite among the
    #: permissions Kindred manages, and the roles that could see it. None: not known.
    adopted_everyone_allow: frozenset[str] | None = None
    adopted_everyone_deny: frozenset[str] | None = None
    adopted_viewer_roles: frozenset[int] = frozenset()

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def problems(self) -> frozenset[str]:
        """What Discord lost: ``channel`` and/or ``role``."""
        return frozenset(p for p in (self.problem or "").split(",") if p)


@dataclass(frozen=True)
class Acceptance:
    scope: str
    version: int
    accepted_at: datetime


@dataclass(frozen=True)
class AnonymousPost:
    message_id: int
    group_id: int
    user_id: int
    posted_at: datetime


def _group(r: Any) -> GroupRow:
    return GroupRow(
        id=r["id"],
        guild_id=r["guild_id"],
        name=r["name"],
        description=r["description"],
        tags=tuple(json.loads(r["tags"])),
        private=bool(r["private"]),
        channel_id=r["channel_id"],
        role_id=r["role_id"],
        adopted=bool(r["adopted"]),
        status=r["status"],
        guidelines=r["guidelines"],
        guidelines_version=r["guidelines_version"],
        slowmode_seconds=r["slowmode_seconds"],
        anonymous_posts=bool(r["anonymous_posts"]),
        content_notes=bool(r["content_notes"]),
        problem=r["problem"],
        created_by=r["created_by"],
        created_at=from_db(r["created_at"]),
        archived_at=from_db_or_none(r["archived_at"]),
        adopted_everyone_allow=_names(r["adopted_everyone_allow"]),
        adopted_everyone_deny=_names(r["adopted_everyone_deny"]),
        adopted_viewer_roles=frozenset(json.loads(r["adopted_viewer_roles"] or "[]")),
    )


def _names(stored: str | None) -> frozenset[str] | None:
    return None if stored is None else frozenset(json.loads(stored))


#: Columns a moderator's change may set (``update``).
FIELDS = {
    "name",
    "name_key",
    "description",
    "tags",
    "private",
    "adopted",
    "channel_id",
    "role_id",
    "status",
    "guidelines",
    "guidelines_version",
    "slowmode_seconds",
    "anonymous_posts",
    "content_notes",
    "problem",
    "archived_at",
    "adopted_everyone_allow",
    "adopted_everyone_deny",
    "adopted_viewer_roles",
}


class GroupRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- groups --------------------------------------------------------------------------------
    async def create(
        self,
        *,
        guild_id: int,
        name: str,
        name_key: str,
        description: str,
        tags: tuple[str, ...],
        private: bool,
        channel_id: int,
        role_id: int,
        adopted: bool,
        created_by: int,
        now: datetime,
        as_adopted: tuple[frozenset[str], frozenset[str], frozenset[int]] | None = None,
    ) -> GroupRow:
        """A new group, audited as ``groups.create``; ``as_adopted``: its adopted channel as it
        was (@everyone's allowed and denied permissions, the roles that could see it)."""
        kept = [None, None, None] if as_adopted is None else [sorted(p) for p in as_adopted]
        async with self.db.transaction() as tx:
            group_id = await tx.insert(
                "INSERT INTO support_groups (guild_id, name, name_key, description, tags,"
                " private, channel_id, role_id, adopted, created_by, created_at,"
                " adopted_everyone_allow, adopted_everyone_deny, adopted_viewer_roles)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    name,
                    name_key,
                    description,
                    json.dumps(list(tags)),
                    int(private),
                    channel_id,
                    role_id,
                    int(adopted),
                    created_by,
                    to_db(now),
                    *(None if k is None else json.dumps(k) for k in kept),
                ),
            )
            detail = {"group": group_id, "private": private, "adopted": adopted}
            await write_audit(tx, guild_id, created_by, "groups.create", detail, now)
        row = await self.get(group_id)
        assert row is not None
        return row

    async def update(
        self,
        group_id: int,
        *,
        actor_id: int | None,
        action: str | None,
        now: datetime,
        **changes: Any,
    ) -> GroupRow | None:
        """Change a group's columns; with ``action``, audited in the same transaction."""
        unknown = set(changes) - FIELDS
        if unknown:
            raise ValueError(f"unknown group fields: {sorted(unknown)}")
        row = await self.get(group_id)
        if row is None:
            return None
        async with self.db.transaction() as tx:
            await update_columns(tx, "support_groups", "id", group_id, changes)
            if action is not None:
                detail = {"group": group_id, **_audit_detail(changes)}
                await write_audit(tx, row.guild_id, actor_id, action, detail, now)
        return await self.get(group_id)

    async def get(self, group_id: int) -> GroupRow | None:
        row = await self.db.fetchone("SELECT * FROM support_groups WHERE id = ?", (group_id,))
        return None if row is None else _group(row)

    async def by_name_key(self, guild_id: int, name_key: str) -> GroupRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM support_groups WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key),
        )
        return None if row is None else _group(row)

    async def by_channel(self, channel_id: int) -> GroupRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM support_groups WHERE channel_id = ? ORDER BY id DESC LIMIT 1",
            (channel_id,),
        )
        return None if row is None else _group(row)

    async def for_guild(self, guild_id: int) -> list[GroupRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM support_groups WHERE guild_id = ? ORDER BY name_key", (guild_id,)
        )
        return [_group(r) for r in rows]

    async def count_for_guild(self, guild_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM support_groups WHERE guild_id = ?", (guild_id,)
            )
        )

    async def guilds(self) -> list[int]:
        """Servers with at least one active group."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT guild_id FROM support_groups WHERE status = 'active' ORDER BY guild_id"
        )
        return [r["guild_id"] for r in rows]

    # -- guidelines ----------------------------------------------------------------------------
    async def server_guidelines(self, guild_id: int) -> tuple[str, int] | None:
        row = await self.db.fetchone(
            "SELECT text, version FROM group_guidelines WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else (row["text"], row["version"])

    async def set_server_guidelines(
        self, guild_id: int, text: str, actor_id: int, now: datetime
    ) -> int:
        """Store the server's guidelines as a new version (audited); return the version."""
        async with self.db.transaction() as tx:
            version = 1 + int(
                await tx.fetchval(
                    "SELECT COALESCE(MAX(version), 0) FROM group_guidelines WHERE guild_id = ?",
                    (guild_id,),
                )
            )
            await tx.execute(
                "INSERT INTO group_guidelines (guild_id, text, version, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " text = excluded.text, version = excluded.version,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (guild_id, text, version, actor_id, to_db(now)),
            )
            detail = {"scope": "server", "version": version}
            await write_audit(tx, guild_id, actor_id, "groups.guidelines", detail, now)
        return version

    async def accept(
        self, group_id: int, user_id: int, scope: str, version: int, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO group_acceptances (group_id, user_id, scope, version, accepted_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE SET"
            " scope = excluded.scope, version = excluded.version,"
            " accepted_at = excluded.accepted_at",
            (group_id, user_id, scope, version, to_db(now)),
        )

    async def acceptance(self, group_id: int, user_id: int) -> Acceptance | None:
        row = await self.db.fetchone(
            "SELECT scope, version, accepted_at FROM group_acceptances"
            " WHERE group_id = ? AND user_id = ?",
            (group_id, user_id),
        )
        if row is None:
            return None
        return Acceptance(row["scope"], row["version"], from_db(row["accepted_at"]))

    # -- members -------------------------------------------------------------------------------
    async def add_member(
        self, group_id: int, guild_id: int, user_id: int, source: str, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO group_members (group_id, guild_id, user_id, source, joined_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, user_id) DO UPDATE SET"
            " source = excluded.source",
            (group_id, guild_id, user_id, source, to_db(now)),
        )

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
            > 0
        )

    async def is_member(self, group_id: int, user_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
        )

    async def members(self, group_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id",
            (group_id,),
        )
        return [r["user_id"] for r in rows]

    async def member_counts(self, guild_id: int) -> dict[int, int]:
        """Members per group of a server, in one indexed query."""
        rows = await self.db.fetchall(
            "SELECT group_id, COUNT(*) AS n FROM group_members WHERE guild_id = ?"
            " GROUP BY group_id",
            (guild_id,),
        )
        return {r["group_id"]: r["n"] for r in rows}

    async def groups_of(self, guild_id: int, user_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT group_id FROM group_members WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return {r["group_id"] for r in rows}

    async def remove_from_guild(self, guild_id: int, user_id: int) -> int:
        """A member left the server: their memberships and acceptances there go."""
        async with self.db.transaction() as tx:
            removed = await tx.execute(
                "DELETE FROM group_members WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            await tx.execute(
                "DELETE FROM group_acceptances WHERE user_id = ? AND group_id IN"
                " (SELECT id FROM support_groups WHERE guild_id = ?)",
                (user_id, guild_id),
            )
        return removed

    # -- pseudonyms and anonymous posts --------------------------------------------------------
    async def pseudonym(self, group_id: int, user_id: int) -> str | None:
        return await self.db.fetchval(
            "SELECT pseudonym FROM group_pseudonyms WHERE group_id = ? AND user_id = ?",
            (group_id, user_id),
        )

    async def add_pseudonym(self, group_id: int, user_id: int, name: str, now: datetime) -> bool:
        """False when the name is taken in this group (or the member already has one)."""
        return (
            await self.db.execute(
                "INSERT INTO group_pseudonyms (group_id, user_id, pseudonym, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (group_id, user_id, name, to_db(now)),
            )
            > 0
        )

    async def record_post(
        self, message_id: int, group_id: int, user_id: int, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO group_anonymous_posts (message_id, group_id, user_id, posted_at)"
            " VALUES (?, ?, ?, ?)",
            (message_id, group_id, user_id, to_db(now)),
        )

    async def post(self, message_id: int) -> AnonymousPost | None:
        row = await self.db.fetchone(
            "SELECT * FROM group_anonymous_posts WHERE message_id = ?", (message_id,)
        )
        if row is None:
            return None
        return AnonymousPost(
            row["message_id"], row["group_id"], row["user_id"], from_db(row["posted_at"])
        )

    async def audit(
        self, guild_id: int, actor_id: int | None, action: str, detail: dict, now: datetime
    ) -> None:
        """An audit entry with no other change (a reveal)."""
        async with self.db.transaction() as tx:
            await write_audit(tx, guild_id, actor_id, action, detail, now)

    async def purge_posts_before(self, cutoff: datetime | Cutoffs) -> int:
        """Retention: which anonymous posts were whose, posted before the cutoff (the
        group's server's own when it keeps them for less)."""
        older, params = Cutoffs.of(cutoff).older(
            "posted_at",
            "(SELECT g.guild_id FROM support_groups g WHERE g.id = group_anonymous_posts.group_id)",
        )
        return await self.db.execute(f"DELETE FROM group_anonymous_posts WHERE {older}", params)

    # -- /forgetme -----------------------------------------------------------------------------
    async def forget(self, user_id: int) -> int:
        """Everything about a member, in every server: memberships, accepted guidelines,
        pseudonyms and which anonymous posts were theirs."""
        removed = 0
        async with self.db.transaction() as tx:
            for table in (
                "group_members",
                "group_acceptances",
                "group_pseudonyms",
                "group_anonymous_posts",
            ):
                removed += await tx.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        return removed


def _audit_detail(changes: dict[str, Any]) -> dict[str, Any]:
    """What an audit entry says about a change: which settings, never guideline text."""
    detail: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("name_key", "guidelines", "description", "archived_at"):
            continue
        detail[key] = list(value) if isinstance(value, tuple) else _jsonable(value)
    if "guidelines" in changes:
        detail["guidelines"] = "own" if changes["guidelines"] is not None else "server"
    return detail


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    return value
