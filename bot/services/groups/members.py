"""Members' side of support groups: joining (guidelines first), leaving, and keeping Kindred's
membership records in step with the roles Discord holds.

**Discord wins, both ways.** A role taken away by hand ends the membership; a role given by hand
makes one (``source = 'role'``). Moderators act on Discord, and Kindred never fights them: it
does not re-grant a role a person removed, nor strip a role a person gave. A member who left the
server loses their memberships and acceptances there.

Kindred has no members intent, so it cannot list who holds a role. It reconciles cheaply:
at start-up one role-count call per server, and member look-ups only for groups whose counts
differ; between start-ups, a member's roles arrive with their own messages and interactions
(``observe``, at most once an hour per member). A 404 when giving or taking a role means the
member left, and cleans up too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from bot.db.repositories.groups import GroupRow
from bot.errors import ConflictError
from bot.i18n import N_
from bot.services.groups.base import GroupBase, _require_active
from bot.services.groups.rules import Guidelines

OBSERVE_EVERY = timedelta(hours=1)
_OBSERVE_CAP = 50_000


@dataclass(frozen=True)
class JoinPlan:
    group: GroupRow
    guidelines: Guidelines
    needs_acceptance: bool


class StaleGuidelinesError(ConflictError):
    """The member pressed "I accept" under guidelines that have since changed."""

    def __init__(self, plan: JoinPlan) -> None:
        super().__init__(
            N_(
                "The guidelines of **{group}** changed since you opened them; "
                "here is the new version."
            ),
            group=plan.group.name,
        )
        self.plan = plan


@dataclass(frozen=True)
class MemberSync:
    """What a reconciliation changed for one member."""

    ended: tuple[GroupRow, ...] = ()
    adopted: tuple[GroupRow, ...] = ()
    gone: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.ended or self.adopted or self.gone)


# A group Discord lost part of can't take anyone in until /group repair (or /group archive):
# a whole text per case of what is missing
_BROKEN = {
    frozenset({"role"}): N_(
        "**{group}** lost its role on Discord. Moderators were told and can fix it with "
        "`/group repair`; please try again later."
    ),
    frozenset({"channel"}): N_(
        "**{group}** lost its channel on Discord, so it can't welcome anyone just now. "
        "Moderators were told and can fix it with `/group repair`; please try again later."
    ),
    frozenset({"channel", "role"}): N_(
        "**{group}** lost its role and its channel on Discord, so it can't welcome anyone just "
        "now. Moderators were told and can fix it with `/group repair`; please try again later."
    ),
}


class GroupUnavailableError(ConflictError):
    """A group whose channel or role Discord lost (``missing``): nobody joins it until it is
    repaired or archived, and the member is told kindly."""

    def __init__(self, group: GroupRow, missing: Collection[str] = ()) -> None:
        gone = frozenset(missing) | group.problems
        if not group.role_id:
            gone |= {"role"}
        key = gone & {"channel", "role"} or frozenset({"role"})
        super().__init__(_BROKEN[key], group=group.name)
        self.group = group


def _require_whole(group: GroupRow) -> None:
    if group.problems or not group.role_id:
        raise GroupUnavailableError(group)


class Membership(GroupBase):
    # -- joining -------------------------------------------------------------------------------
    async def plan_join(
        self, guild_id: int, group_id: int, user_id: int, role_ids: Collection[int]
    ) -> JoinPlan:
        """What joining takes: the guidelines to accept first, or nothing. Raises when the
        member is already in (their role says so)."""
        group = await self.get(group_id, guild_id)
        _require_active(group)
        _require_whole(group)
        member = await self.repo.is_member(group.id, user_id)
        if group.role_id in role_ids:
            if not member:  # given by hand: Discord wins
                await self.repo.add_member(group.id, guild_id, user_id, "role", self.clock())
            if group.channel_id:
                raise ConflictError(
                    N_("You're already in **{group}**: {channel}"),
                    group=group.name,
                    channel=f"<#{group.channel_id}>",
                )
            raise ConflictError(N_("You're already in **{group}**."), group=group.name)
        if member:  # the role was taken away by hand: Discord wins
            await self.repo.remove_member(group.id, user_id)
        guidelines = await self.guidelines_for(group)
        return JoinPlan(group, guidelines, not await self.has_accepted(group, user_id, guidelines))

    async def has_accepted(
        self, group: GroupRow, user_id: int, guidelines: Guidelines | None = None
    ) -> bool:
        current = guidelines or await self.guidelines_for(group)
        accepted = await self.repo.acceptance(group.id, user_id)
        return accepted is not None and (accepted.scope, accepted.version) == (
            current.scope,
            current.version,
        )

    async def accept(self, guild_id: int, group_id: int, user_id: int, tag: str) -> JoinPlan:
        """Store that the member accepted the version they were shown (``tag``); if the
        guidelines changed meanwhile, raise ``StaleGuidelinesError`` with the new ones."""
        group = await self.get(group_id, guild_id)
        _require_active(group)
        _require_whole(group)  # a card shown before the channel or role went
        guidelines = await self.guidelines_for(group)
        if guidelines.tag != tag:
            raise StaleGuidelinesError(JoinPlan(group, guidelines, True))
        await self.repo.accept(
            group.id, user_id, guidelines.scope, guidelines.version, self.clock()
        )
        return JoinPlan(group, guidelines, False)

    async def joined(self, group: GroupRow, user_id: int) -> None:
        """The cog gave the role: the membership is recorded."""
        await self.repo.add_member(group.id, group.guild_id, user_id, "joined", self.clock())

    # -- leaving -------------------------------------------------------------------------------
    async def plan_leave(
        self, guild_id: int, group_id: int, user_id: int, role_ids: Collection[int]
    ) -> GroupRow:
        group = await self.get(group_id, guild_id)
        in_discord = group.role_id in role_ids
        if not in_discord and not await self.repo.is_member(group.id, user_id):
            raise ConflictError(N_("You're not in **{group}**."), group=group.name)
        return group

    async def left(self, group: GroupRow, user_id: int) -> None:
        await self.repo.remove_member(group.id, user_id)

    async def member_gone(self, guild_id: int, user_id: int) -> int:
        """The member left the server (a 404 from Discord, or the event when the members
        intent is on): their memberships and acceptances there go."""
        return await self.repo.remove_from_guild(guild_id, user_id)

    # -- reconciliation ------------------------------------------------------------------------
    async def sync_member(
        self, guild_id: int, user_id: int, role_ids: Collection[int] | None
    ) -> MemberSync:
        """Make the member's records match their roles on Discord (``None``: they left)."""
        rows = await self.repo.groups_of(guild_id, user_id)
        if role_ids is None:
            await self.member_gone(guild_id, user_id)
            index = await self.index(guild_id)
            left = tuple(g for g in index.by_role.values() if g.id in rows)
            return MemberSync(ended=left, gone=True)
        roles = set(role_ids)
        ended, adopted = [], []
        for group in (await self.index(guild_id)).by_role.values():
            if "role" in group.problems:
                continue
            holds, recorded = group.role_id in roles, group.id in rows
            if recorded and not holds:
                await self.repo.remove_member(group.id, user_id)
                ended.append(group)
            elif holds and not recorded:
                await self.repo.add_member(group.id, guild_id, user_id, "role", self.clock())
                adopted.append(group)
        return MemberSync(tuple(ended), tuple(adopted))

    async def observe(
        self, guild_id: int, user_id: int, role_ids: Collection[int]
    ) -> MemberSync | None:
        """A member's roles seen in passing (a message, an interaction): reconcile them at
        most once an hour, and only in servers that have groups."""
        if not (await self.index(guild_id)).by_role:
            return None
        now = self.clock()
        key = (guild_id, user_id)
        seen = self._seen.get(key)
        if seen is not None and now - seen < OBSERVE_EVERY:
            return None
        if len(self._seen) > _OBSERVE_CAP:
            self._seen = {k: v for k, v in self._seen.items() if now - v < OBSERVE_EVERY}
        self._seen[key] = now
        return await self.sync_member(guild_id, user_id, role_ids)

    async def reconciliation(self, guild_id: int, counts: dict[int, int]) -> Reconciliation:
        """What to look up after Discord's role counts (``{role_id: holders}``): the members of
        each group with fewer holders on Discord than members in Kindred (someone lost the
        role or left the server), until the counts meet.

        Equal counts are taken as "nothing changed". More holders than members (a role given
        by hand) cannot be listed without the members intent: those members are adopted when
        next seen (``observe``), as is a swap of one member for another by hand."""
        stored = await self.repo.member_counts(guild_id)
        plan = Reconciliation(stored=stored)
        for group in (await self.index(guild_id)).by_role.values():
            if "role" in group.problems or group.role_id not in counts:
                continue
            holders = counts[group.role_id]
            if holders != stored.get(group.id, 0):
                plan.differing += 1
            if holders < stored.get(group.id, 0):
                plan.discord[group.id] = holders
                plan.queue.append((group, await self.repo.members(group.id)))
        return plan


@dataclass
class Reconciliation:
    """The member look-ups a start-up needs, group by group, stopping each group as soon as
    Kindred's count meets Discord's; one look-up fixes every group of that member."""

    stored: dict[int, int]
    discord: dict[int, int] = field(default_factory=dict)
    queue: list[tuple[GroupRow, list[int]]] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)
    differing: int = 0

    def pending(self) -> Iterator[int]:
        for group, users in self.queue:
            for user_id in users:
                if self.stored.get(group.id, 0) <= self.discord[group.id]:
                    break
                if user_id in self.checked:
                    continue
                self.checked.add(user_id)
                yield user_id

    def record(self, sync: MemberSync) -> None:
        for group in sync.ended:
            self.stored[group.id] = self.stored.get(group.id, 0) - 1
        for group in sync.adopted:
            self.stored[group.id] = self.stored.get(group.id, 0) + 1
