"""Moderators' side of support groups: create (or adopt a channel), edit, archive and bring
back, per-group settings (slowmode with an optional end, anonymous posts, content notes),
guidelines, and the problems Discord can cause (a deleted channel or role) and their repair.

Discord work (channels, roles, overwrites) happens in the cog between a ``prepare_*`` that
validates and the call that stores: never inside a transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.db.repositories.core import TimerRow
from bot.db.repositories.groups import GroupRow
from bot.errors import ConflictError, InvalidInputError, LimitReachedError
from bot.i18n import N_
from bot.services.groups.base import GroupBase, _require_active, adopted_as
from bot.services.groups.rules import (
    BUILTIN_GUIDELINES,
    MAX_GROUPS,
    MAX_SLOWMODE,
    MAX_SLOWMODE_MINUTES,
    AsAdopted,
    Guidelines,
    channel_slug,
    name_key,
    parse_description,
    parse_group_name,
    parse_guidelines,
    parse_tags,
)

SLOWMODE_OFF = "groups.slowmode_off"


@dataclass(frozen=True)
class NewGroup:
    """A validated ``/group create``: what the cog creates on Discord, then stores."""

    guild_id: int
    name: str
    key: str
    slug: str
    description: str
    tags: tuple[str, ...]
    private: bool
    adopt_channel_id: int | None


@dataclass(frozen=True)
class GroupEdit:
    group: GroupRow
    changes: dict[str, Any]

    @property
    def renamed(self) -> bool:
        return "name" in self.changes

    @property
    def slug(self) -> str:
        return channel_slug(self.changes.get("name", self.group.name))

    @property
    def access_changed(self) -> bool:
        return "private" in self.changes


@dataclass(frozen=True)
class Problem:
    """A group whose channel and/or role Discord no longer has (``missing``: newly noticed)."""

    group: GroupRow
    missing: frozenset[str]


@dataclass(frozen=True)
class GuidelinesChange:
    guidelines: Guidelines
    groups: list[GroupRow]
    """Active groups the new version applies to (their channels get a notice)."""


class GroupAdmin(GroupBase):
    # -- create and edit -----------------------------------------------------------------------
    async def prepare_create(
        self,
        *,
        guild_id: int,
        name: str,
        description: str,
        tags: str | None,
        private: bool,
        channel_id: int | None,
    ) -> NewGroup:
        clean = parse_group_name(name)
        new = NewGroup(
            guild_id=guild_id,
            name=clean,
            key=name_key(clean),
            slug=channel_slug(clean),
            description=parse_description(description),
            tags=parse_tags(tags),
            private=bool(private),
            adopt_channel_id=channel_id,
        )
        await self._check_free(guild_id, new.key, clean, channel_id)
        if await self.repo.count_for_guild(guild_id) >= MAX_GROUPS:
            raise LimitReachedError(
                N_("This server has {count} groups; archive one first."), count=MAX_GROUPS
            )
        return new

    async def _check_free(
        self, guild_id: int, key: str, name: str, channel_id: int | None, *, skip: int = 0
    ) -> None:
        same = await self.repo.by_name_key(guild_id, key)
        if same is not None and same.id != skip:
            raise ConflictError(
                N_("There is already a group called **{group}** here."), group=same.name
            )
        if channel_id is not None:
            user = await self.repo.by_channel(channel_id)
            if user is not None and user.id != skip and user.guild_id == guild_id:
                raise ConflictError(
                    N_("{channel} is already the channel of **{group}**."),
                    channel=f"<#{channel_id}>",
                    group=user.name,
                )

    async def create(
        self,
        new: NewGroup,
        *,
        channel_id: int,
        role_id: int,
        actor_id: int,
        as_adopted: AsAdopted | None = None,
    ) -> GroupRow:
        """Store a group whose channel and role the cog has made (or adopted) and checked;
        ``as_adopted``: the adopted channel as it was before Kindred wrote to it (what "open"
        gives back)."""
        await self._check_free(new.guild_id, new.key, new.name, channel_id)
        adopted = new.adopt_channel_id is not None
        kept = as_adopted if adopted else None
        row = await self.repo.create(
            guild_id=new.guild_id,
            name=new.name,
            name_key=new.key,
            description=new.description,
            tags=new.tags,
            private=new.private,
            channel_id=channel_id,
            role_id=role_id,
            adopted=adopted,
            created_by=actor_id,
            now=self.clock(),
            as_adopted=None if kept is None else (kept.allow, kept.deny, kept.viewers),
        )
        self._changed(new.guild_id)
        return row

    def needs_adopted_state(self, group: GroupRow) -> bool:
        """A group adopted before Kindred kept how its channel was, open now: its channel is
        still as the server has it (but a meeting lock), so the cog reads it before hiding it."""
        return (
            group.adopted
            and adopted_as(group) is None
            and group.active
            and not group.private
            and group.channel_id is not None
        )

    async def remember_adopted(self, group: GroupRow, kept: AsAdopted) -> GroupRow:
        """Keep how an adopted channel was (``needs_adopted_state``), once."""
        if not self.needs_adopted_state(group):
            return group
        return await self._update(group, None, None, **_kept_columns(kept))

    async def prepare_edit(
        self,
        group_id: int,
        guild_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        tags: str | None = None,
        private: bool | None = None,
    ) -> GroupEdit:
        group = await self.get(group_id, guild_id)
        changes: dict[str, Any] = {}
        if name is not None:
            clean = parse_group_name(name)
            if clean != group.name:
                await self._check_free(guild_id, name_key(clean), clean, None, skip=group.id)
                changes.update(name=clean, name_key=name_key(clean))
        if description is not None:
            changes["description"] = parse_description(description)
        if tags is not None:
            changes["tags"] = parse_tags(tags)
        if private is not None and private != group.private:
            changes["private"] = private
        if not changes:
            raise InvalidInputError(
                N_("Nothing to change: give a new name, description, tags or privacy.")
            )
        return GroupEdit(group, changes)

    async def apply_edit(self, edit: GroupEdit, actor_id: int) -> GroupRow:
        return await self._update(edit.group, actor_id, "groups.edit", **edit.changes)

    async def to_archive(self, guild_id: int, name: str) -> GroupRow:
        """The group a moderator names to archive; one archived already is refused with how
        to bring it back (they are the moderator who can)."""
        group = await self.by_name(guild_id, name)
        _not_archived_yet(group)
        return group

    async def archive(self, group_id: int, guild_id: int, actor_id: int) -> GroupRow:
        """The group stops taking members; its channel is locked and hidden, its role kept
        (members can still read their group's history). A timed slowmode ends with it (its
        timer goes, and the cog lifts it on Discord when ``slowmode_seconds`` dropped to 0); one
        without an end stays for when the group comes back."""
        group = await self.get(group_id, guild_id)
        _not_archived_yet(group)
        timed = await self.scheduler.cancel(_slowmode_key(group.id))
        ended = {"slowmode_seconds": 0} if timed else {}
        return await self._update(
            group, actor_id, "groups.archive", status="archived", archived_at=self.clock(), **ended
        )

    async def unarchive(self, group_id: int, guild_id: int, actor_id: int) -> GroupRow:
        group = await self.get(group_id, guild_id)
        if group.active:
            raise ConflictError(N_("**{group}** isn't archived."), group=group.name)
        return await self._update(
            group, actor_id, "groups.unarchive", status="active", archived_at=None
        )

    async def _update(
        self, group: GroupRow, actor_id: int | None, action: str | None, **changes: Any
    ) -> GroupRow:
        row = await self.repo.update(
            group.id, actor_id=actor_id, action=action, now=self.clock(), **changes
        )
        self._changed(group.guild_id)
        assert row is not None
        return row

    # -- settings ------------------------------------------------------------------------------
    async def set_slowmode(
        self, group_id: int, guild_id: int, seconds: int, minutes: int | None, actor_id: int
    ) -> GroupRow:
        """Slow the channel down (seconds between a member's messages); with ``minutes``, a
        stored timer lifts it again, across restarts."""
        group = await self.get(group_id, guild_id)
        _require_active(group)
        if not 0 <= seconds <= MAX_SLOWMODE:
            raise InvalidInputError(
                N_("Slowmode is 0 to {count} seconds (6 hours)."), count=MAX_SLOWMODE
            )
        if minutes is not None and not 1 <= minutes <= MAX_SLOWMODE_MINUTES:
            raise InvalidInputError(
                N_("Slowmode can last 1 to {count} minutes."), count=MAX_SLOWMODE_MINUTES
            )
        key = _slowmode_key(group.id)
        if seconds and minutes:
            await self.scheduler.schedule_once(
                SLOWMODE_OFF,
                self.clock() + timedelta(minutes=minutes),
                {"group_id": group.id},
                guild_id=guild_id,
                key=key,
            )
        else:
            await self.scheduler.cancel(key)
        return await self._update(group, actor_id, "groups.settings", slowmode_seconds=seconds)

    async def slowmode_until(self, group_id: int) -> TimerRow | None:
        return await self.scheduler.get(_slowmode_key(group_id))

    async def on_slowmode_off(self, timer: TimerRow) -> GroupRow | None:
        """The heavy moment is over: slowmode goes back to off (the cog edits the channel)."""
        group = await self.repo.get(int(timer.payload["group_id"]))
        if group is None or not group.active:
            return None
        return await self._update(group, None, "groups.settings", slowmode_seconds=0)

    async def set_anonymous(
        self, group_id: int, guild_id: int, enabled: bool, actor_id: int
    ) -> GroupRow:
        group = await self.get(group_id, guild_id)
        return await self._update(group, actor_id, "groups.settings", anonymous_posts=enabled)

    async def set_content_notes(
        self, group_id: int, guild_id: int, enabled: bool, actor_id: int
    ) -> GroupRow:
        group = await self.get(group_id, guild_id)
        return await self._update(group, actor_id, "groups.settings", content_notes=enabled)

    # -- guidelines ----------------------------------------------------------------------------
    async def set_guidelines(
        self, guild_id: int, group_id: int | None, text: str | None, actor_id: int
    ) -> GuidelinesChange:
        """A new version of a group's guidelines (empty: the group follows the server's again)
        or of the server's (empty: Kindred's built-in text). Members are asked to accept the
        new version when they next join; nobody loses their place."""
        clean = parse_guidelines(text)
        if group_id is None:
            await self.repo.set_server_guidelines(
                guild_id, clean or BUILTIN_GUIDELINES, actor_id, self.clock()
            )
            current = await self.server_guidelines(guild_id)
            groups = [g for g in await self.for_guild(guild_id) if g.guidelines is None]
            return GuidelinesChange(current, groups)
        group = await self.get(group_id, guild_id)
        if clean is None:
            row = await self._update(group, actor_id, "groups.guidelines", guidelines=None)
        else:
            row = await self._update(
                group,
                actor_id,
                "groups.guidelines",
                guidelines=clean,
                guidelines_version=group.guidelines_version + 1,
            )
        return GuidelinesChange(await self.guidelines_for(row), [row] if row.active else [])

    # -- what Discord lost, and repairs --------------------------------------------------------
    async def check_structure(
        self, guild_id: int, channel_ids: set[int], role_ids: set[int]
    ) -> list[Problem]:
        """Compare the server's groups with the channels and roles Discord has (from the
        gateway's cache: no REST). Returns the problems not reported before."""
        found = []
        for group in await self.for_guild(guild_id):
            missing = set()
            if group.channel_id not in channel_ids:
                missing.add("channel")
            if group.role_id not in role_ids:
                missing.add("role")
            problem = await self._mark(group, missing)
            if problem is not None:
                found.append(problem)
        return found

    async def channel_gone(self, guild_id: int, channel_id: int) -> Problem | None:
        group = await self.repo.by_channel(channel_id)
        if group is None or group.guild_id != guild_id:
            return None
        return await self._mark(group, {"channel"})

    async def role_gone(self, guild_id: int, role_id: int) -> Problem | None:
        group = (await self.index(guild_id)).by_role.get(role_id)
        if group is None:
            return None
        return await self._mark(await self.get(group.id, guild_id), {"role"})

    async def _mark(self, group: GroupRow, missing: set[str]) -> Problem | None:
        """Record what is missing; a Problem when it is new and the group active."""
        now_missing = group.problems | missing
        if now_missing == group.problems:
            return None
        row = await self._update(group, None, None, problem=",".join(sorted(now_missing)))
        return Problem(row, frozenset(now_missing - group.problems)) if row.active else None

    async def repaired(
        self,
        group_id: int,
        guild_id: int,
        actor_id: int,
        *,
        channel_id: int | None = None,
        role_id: int | None = None,
    ) -> GroupRow:
        """The cog made a new channel and/or role for a group: store them, clear the problem."""
        group = await self.get(group_id, guild_id)
        changes: dict[str, Any] = {"problem": None}
        if channel_id is not None:
            # a channel Kindred makes; one made for an adopted channel keeps how that was
            changes.update(channel_id=channel_id, adopted=False)
        if role_id is not None:
            changes["role_id"] = role_id
        return await self._update(group, actor_id, "groups.repair", **changes)


def _kept_columns(kept: AsAdopted) -> dict[str, Any]:
    return {
        "adopted_everyone_allow": sorted(kept.allow),
        "adopted_everyone_deny": sorted(kept.deny),
        "adopted_viewer_roles": sorted(kept.viewers),
    }


def _slowmode_key(group_id: int) -> str:
    return f"group:{group_id}:slowmode"


def _not_archived_yet(group: GroupRow) -> None:
    if not group.active:
        raise ConflictError(
            N_("**{group}** is archived already; `/group unarchive` brings it back."),
            group=group.name,
        )
