"""What every room of the groups service stands on: its storage, settings, timers and clock,
and the lookups other features build on (a group by id or name, its members, channel, role,
guidelines, and who facilitates it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import Clock, utcnow
from bot.db.repositories.groups import GroupRepository, GroupRow
from bot.errors import ConflictError, NotFoundError
from bot.i18n import N_
from bot.services.groups.rules import (
    BUILTIN_GUIDELINES,
    Access,
    AsAdopted,
    Guidelines,
    name_key,
    plan_access,
)
from bot.services.peers import PeerSettings
from bot.services.settings import CoreSettings, GuildSettingsService
from bot.timers import Scheduler


@dataclass
class GuildIndex:
    """A server's active groups by role and by channel, kept in memory for the hot paths
    (every message: content notes and the passive membership check)."""

    by_role: dict[int, GroupRow] = field(default_factory=dict)
    by_channel: dict[int, GroupRow] = field(default_factory=dict)


class GroupBase:
    def __init__(
        self,
        repo: GroupRepository,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        clock: Clock = utcnow,
        *,
        opted_out: Callable[[int], Awaitable[bool]] | None = None,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock
        # Whether a member asked for no automatic messages (``/safety optout``; the safety
        # service's, passed in): content notes are such messages.
        self.opted_out = opted_out
        self._index: dict[int, GuildIndex] = {}
        # In memory only, bounded: when each member's roles were last reconciled in passing,
        # and when each member was last reminded about content notes in a group.
        self._seen: dict[tuple[int, int], datetime] = {}
        self._noted: dict[tuple[int, int], datetime] = {}

    # -- lookups -------------------------------------------------------------------------------
    async def find(self, group_id: int) -> GroupRow | None:
        return await self.repo.get(group_id)

    async def get(self, group_id: int, guild_id: int) -> GroupRow:
        """A group of this server (a group id from another server is "not found")."""
        row = await self.repo.get(group_id)
        if row is None or row.guild_id != guild_id:
            raise NotFoundError(N_("That group isn't in this server. `/group list` shows them."))
        return row

    async def by_name(self, guild_id: int, name: str) -> GroupRow:
        row = await self.repo.by_name_key(guild_id, name_key(" ".join(str(name).split())))
        if row is None:
            shown = str(name).strip()[:40]
            if not shown:
                raise NotFoundError(
                    N_("There's no group called “that” here. `/group list` shows the groups.")
                )
            raise NotFoundError(
                N_("There's no group called “{name}” here. `/group list` shows the groups."),
                name=shown,
            )
        return row

    async def active(self, guild_id: int, name: str) -> GroupRow:
        row = await self.by_name(guild_id, name)
        _require_active(row)
        return row

    async def for_guild(self, guild_id: int, *, include_archived: bool = False) -> list[GroupRow]:
        rows = await self.repo.for_guild(guild_id)
        return rows if include_archived else [r for r in rows if r.active]

    async def by_channel(self, guild_id: int, channel_id: int) -> GroupRow | None:
        """The active group whose channel this is (from memory)."""
        return (await self.index(guild_id)).by_channel.get(channel_id)

    async def guilds_with_groups(self) -> list[int]:
        """Servers with at least one active group (what start-up reconciles)."""
        return await self.repo.guilds()

    async def members(self, group_id: int) -> list[int]:
        return await self.repo.members(group_id)

    async def is_member(self, group_id: int, user_id: int) -> bool:
        return await self.repo.is_member(group_id, user_id)

    async def groups_of(self, guild_id: int, user_id: int) -> list[GroupRow]:
        ids = await self.repo.groups_of(guild_id, user_id)
        return [g for g in await self.repo.for_guild(guild_id) if g.id in ids]

    async def member_counts(self, guild_id: int) -> dict[int, int]:
        return await self.repo.member_counts(guild_id)

    async def facilitator_role(self, guild_id: int) -> int | None:
        """Groups are facilitated by peer supporters: the server's peer role."""
        return (await self.settings.get(guild_id, PeerSettings)).peer_role_id

    async def moderator_channel(self, guild_id: int) -> int | None:
        """Where problems with groups are reported: the peer-support moderator channel."""
        return (await self.settings.get(guild_id, PeerSettings)).mod_channel_id

    async def guidelines_for(self, group: GroupRow) -> Guidelines:
        if group.guidelines is not None:
            return Guidelines("group", group.guidelines_version, group.guidelines)
        return await self.server_guidelines(group.guild_id)

    async def server_guidelines(self, guild_id: int) -> Guidelines:
        stored = await self.repo.server_guidelines(guild_id)
        if stored is None:
            return Guidelines("server", 0, BUILTIN_GUIDELINES)
        return Guidelines("server", stored[1], stored[0])

    async def access_for(
        self,
        group: GroupRow,
        bot_id: int,
        *,
        role_id: int | None = None,
        locked: bool = False,
        roles: Collection[int] | None = None,
    ) -> list[Access]:
        """The overwrites the group's channel should carry (see ``rules.plan_access``);
        ``locked``: it locks between meetings and none is open (the meetings service knows);
        ``roles``: the server's roles now (an adopted channel's viewers that are gone are left
        out)."""
        kept = adopted_as(group)
        if kept is not None and roles is not None:
            kept = replace(kept, viewers=kept.viewers & frozenset(roles))
        return await self.plan_channel_access(
            group.guild_id,
            private=group.private,
            archived=not group.active,
            role_id=role_id or group.role_id or 0,
            bot_id=bot_id,
            locked=locked,
            adopted=kept,
            adopted_unknown=group.adopted and kept is None,
        )

    async def plan_channel_access(
        self,
        guild_id: int,
        *,
        private: bool,
        archived: bool,
        role_id: int,
        bot_id: int,
        locked: bool = False,
        adopted: AsAdopted | None = None,
        adopted_unknown: bool = False,
    ) -> list[Access]:
        peers = await self.settings.get(guild_id, PeerSettings)
        core = await self.settings.get(guild_id, CoreSettings)
        return plan_access(
            private=private,
            archived=archived,
            guild_id=guild_id,
            role_id=role_id,
            bot_id=bot_id,
            moderator_role_id=core.moderator_role_id,
            peer_role_id=peers.peer_role_id,
            locked=locked,
            adopted=adopted,
            adopted_unknown=adopted_unknown,
        )

    async def seen_by_role(
        self, guild_id: int, *, peer: bool = False, moderator: bool = False
    ) -> list[GroupRow]:
        """The groups whose channel names the peer role (active private groups) or the
        moderator role (those, and archived groups): their overwrites follow a new role."""
        if not (peer or moderator):
            return []
        rows = await self.for_guild(guild_id, include_archived=moderator)
        return [g for g in rows if g.channel_id and (g.private or not g.active)]

    # -- the in-memory index -------------------------------------------------------------------
    def cached_index(self, guild_id: int) -> GuildIndex | None:
        """The index if it is in memory (no await): the message listener's fast path."""
        return self._index.get(guild_id)

    async def index(self, guild_id: int) -> GuildIndex:
        index = self._index.get(guild_id)
        if index is None:
            index = GuildIndex()
            for row in await self.repo.for_guild(guild_id):
                if row.active:
                    if row.role_id:
                        index.by_role[row.role_id] = row
                    if row.channel_id:
                        index.by_channel[row.channel_id] = row
            if len(self._index) > 10_000:  # bounded: a bot in very many servers
                self._index.clear()
            self._index[guild_id] = index
        return index

    def _changed(self, guild_id: int) -> None:
        self._index.pop(guild_id, None)


def adopted_as(group: GroupRow) -> AsAdopted | None:
    """How the group's adopted channel was before Kindred changed it (kept for a channel
    ``/group repair`` made in its place); None when Kindred made the group's first channel or
    doesn't know (adopted before Kindred kept this)."""
    if group.adopted_everyone_allow is None:
        return None
    return AsAdopted(
        group.adopted_everyone_allow,
        group.adopted_everyone_deny or frozenset(),
        group.adopted_viewer_roles,
    )


def _require_active(row: GroupRow) -> None:
    if not row.active:
        raise ConflictError(
            N_("**{group}** is archived; a moderator can bring it back with `/group unarchive`."),
            group=row.name,
        )
