"""Anonymous posts in groups that allow them, the moderators' audited reveal, and content
notes (a private reminder to use spoiler tags for heavy topics).

A member posts through Kindred under a pseudonym that is stable per member and group
(``Willow 7``). Kindred stores which post was whose (message id, never the text) so that a
moderator can reveal it with a reason: the reveal is written to the audit log and the member
is told. The link is deleted after the retention period and on ``/forgetme``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.repositories.groups import GroupRow
from bot.db.retention import Cutoffs
from bot.errors import ConflictError, NotFoundError, PermissionDeniedError
from bot.i18n import N_
from bot.services.groups.base import GroupBase, _require_active
from bot.services.groups.rules import (
    needs_content_note,
    new_pseudonym,
    parse_message_ref,
    parse_post,
    parse_reason,
)

NOTE_EVERY = timedelta(hours=6)  # at most one content-note reminder per member and group
_NOTE_CAP = 20_000


@dataclass(frozen=True)
class AnonymousPlan:
    group: GroupRow
    user_id: int
    pseudonym: str
    text: str


@dataclass(frozen=True)
class Reveal:
    group: GroupRow
    user_id: int
    pseudonym: str | None
    message_id: int
    reason: str


class AnonymousPosts(GroupBase):
    async def plan_post(
        self, guild_id: int, group_id: int, user_id: int, text: str | None
    ) -> AnonymousPlan:
        group = await self.get(group_id, guild_id)
        _require_active(group)
        if not group.anonymous_posts:
            raise ConflictError(
                N_(
                    "**{group}** doesn't take anonymous posts. A moderator can turn them on "
                    "with `/group settings anonymous`."
                ),
                group=group.name,
            )
        if not await self.repo.is_member(group.id, user_id):
            raise PermissionDeniedError(
                N_(
                    "Anonymous posts are for members of **{group}**. "
                    "`/group join` lets you in first."
                ),
                group=group.name,
            )
        if "channel" in group.problems:
            raise ConflictError(
                N_("**{group}** has no channel right now; moderators were told."), group=group.name
            )
        clean = parse_post(text)
        return AnonymousPlan(group, user_id, await self.pseudonym_for(group.id, user_id), clean)

    async def pseudonym_for(self, group_id: int, user_id: int) -> str:
        """The member's pseudonym in this group, made on first use and then kept."""
        existing = await self.repo.pseudonym(group_id, user_id)
        if existing is not None:
            return existing
        for attempt in range(60):
            if await self.repo.add_pseudonym(
                group_id, user_id, new_pseudonym(attempt), self.clock()
            ):
                break
        found = await self.repo.pseudonym(group_id, user_id)
        if found is None:  # sixty clashes in a row: practically impossible
            raise ConflictError(N_("I couldn't find a free pseudonym; please try again."))
        return found

    async def posted(self, plan: AnonymousPlan, message_id: int) -> None:
        await self.repo.record_post(message_id, plan.group.id, plan.user_id, self.clock())

    async def reveal(self, guild_id: int, message: str, actor_id: int, reason: str) -> Reveal:
        """Who wrote an anonymous post, for a moderator, audited as ``groups.reveal`` (the
        entry names the group and the message, not the member)."""
        _, message_id = parse_message_ref(message)
        why = parse_reason(reason)
        post = await self.repo.post(message_id)
        group = await self.repo.get(post.group_id) if post is not None else None
        if post is None or group is None or group.guild_id != guild_id:
            raise NotFoundError(
                N_(
                    "That isn't an anonymous group post I can trace in this server (the link "
                    "to its author is deleted after the retention period, or when they use "
                    "`/forgetme`)."
                )
            )
        detail = {"group": group.id, "message": message_id, "reason": why}
        await self.repo.audit(guild_id, actor_id, "groups.reveal", detail, self.clock())
        pseudonym = await self.repo.pseudonym(group.id, post.user_id)
        return Reveal(group, post.user_id, pseudonym, message_id, why)

    # -- content notes -------------------------------------------------------------------------
    async def note_due(
        self, guild_id: int, channel_id: int, user_id: int, text: str
    ) -> GroupRow | None:
        """The group to remind the author about, when this message in a group that asks for
        content notes names a heavy topic with no spoiler tags (and they weren't reminded in
        the last few hours). Never to a member who opted out of Kindred's automatic messages
        (``/safety optout``): a content note is one. Cheap: memory lookups and one regular
        expression (and the member's opt-out once a note would be due)."""
        group = (await self.index(guild_id)).by_channel.get(channel_id)
        if group is None or not group.content_notes or not needs_content_note(text):
            return None
        now = self.clock()
        key = (group.id, user_id)
        last = self._noted.get(key)
        if last is not None and now - last < NOTE_EVERY:
            return None
        if self.opted_out is not None and await self.opted_out(user_id):
            return None
        if len(self._noted) > _NOTE_CAP:
            self._noted = {k: v for k, v in self._noted.items() if now - v < NOTE_EVERY}
        self._noted[key] = now
        return group

    # -- privacy -------------------------------------------------------------------------------
    async def forget(self, user_id: int) -> int:
        """``/forgetme``: memberships, accepted guidelines, pseudonyms and post links."""
        self._seen = {k: v for k, v in self._seen.items() if k[1] != user_id}
        self._noted = {k: v for k, v in self._noted.items() if k[1] != user_id}
        return await self.repo.forget(user_id)

    async def purge_posts_before(self, cutoff: datetime | Cutoffs) -> int:
        return await self.repo.purge_posts_before(cutoff)
