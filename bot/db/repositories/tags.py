"""Topic and lived-experience tags: the server's list and each peer's choice."""

from __future__ import annotations

from bot.db.connection import Database


class TagRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def guild_tags(self, guild_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT tag FROM guild_tags WHERE guild_id = ? ORDER BY tag", (guild_id,)
        )
        return [r["tag"] for r in rows]

    async def add_guild_tag(self, guild_id: int, tag: str) -> bool:
        return bool(
            await self.db.execute(
                "INSERT INTO guild_tags (guild_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (guild_id, tag),
            )
        )

    async def remove_everywhere(self, guild_id: int, key: str) -> tuple[list[str], int]:
        """Remove every spelling of a tag (``key``: compared trimmed, in any case) from the
        server's list and from every peer who shares it, in one transaction: the spellings
        removed and how many peers had it."""
        async with self.db.transaction() as tx:
            await tx.lock("guild_tags", guild_id)
            spellings = [
                r["tag"]
                for r in await tx.fetchall(
                    "SELECT tag FROM guild_tags WHERE guild_id = ? ORDER BY tag", (guild_id,)
                )
                if r["tag"].strip().casefold() == key
            ]
            if not spellings:
                return [], 0
            held = [
                (r["user_id"], r["tag"])
                for r in await tx.fetchall(
                    "SELECT user_id, tag FROM peer_tags WHERE guild_id = ?", (guild_id,)
                )
                if r["tag"].strip().casefold() == key
            ]
            for user_id, tag in held:
                await tx.execute(
                    "DELETE FROM peer_tags WHERE guild_id = ? AND user_id = ? AND tag = ?",
                    (guild_id, user_id, tag),
                )
            for tag in spellings:
                await tx.execute(
                    "DELETE FROM guild_tags WHERE guild_id = ? AND tag = ?", (guild_id, tag)
                )
        return spellings, len({user_id for user_id, _ in held})

    async def peer_tags(self, guild_id: int, user_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT tag FROM peer_tags WHERE guild_id = ? AND user_id = ? ORDER BY tag",
            (guild_id, user_id),
        )
        return [r["tag"] for r in rows]

    async def set_peer_tags(self, guild_id: int, user_id: int, tags: list[str]) -> None:
        async with self.db.transaction() as tx:
            await tx.lock("peer_tags", guild_id, user_id)  # two saves at once: the last wins
            await tx.execute(
                "DELETE FROM peer_tags WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            for tag in tags:
                await tx.execute(
                    "INSERT INTO peer_tags (guild_id, user_id, tag) VALUES (?, ?, ?)",
                    (guild_id, user_id, tag),
                )

    async def peers_with_any(self, guild_id: int, tags: list[str]) -> set[int]:
        """Peers sharing one of ``tags``, compared in any case (a peer's "grief" matches a
        request's "Grief", also when both spellings were stored). Folded here rather than with
        SQL's LOWER, which on SQLite folds ASCII letters only."""
        wanted = {t.strip().casefold() for t in tags}
        if not wanted:
            return set()
        rows = await self.db.fetchall(
            "SELECT user_id, tag FROM peer_tags WHERE guild_id = ?", (guild_id,)
        )
        return {r["user_id"] for r in rows if r["tag"].strip().casefold() in wanted}
