"""Acting as members: posting in channels, threads and DMs, editing, deleting and reacting.

Each action marks the moment it happened, so ``wait_for_message`` finds the bot's answer."""

from __future__ import annotations

from typing import Any

from .models import JSON, Message
from .permissions import P
from .state import ChannelLike, MessageLike, UserLike
from .store import MessageStore
from .world import WorldMixin


class MemberActions(WorldMixin, MessageStore):
    """What a human does in the Discord client, as the gateway events the bot receives."""

    async def send_message(
        self,
        author: UserLike,
        channel: ChannelLike,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        reply_to: MessageLike | None = None,
        check_permissions: bool = True,
    ) -> Message:
        """A user posts in a channel (guild channel, thread, or DM channel): MESSAGE_CREATE."""
        u = self.user(author)
        ch = self.channel(channel)
        if ch.is_dm:
            if not any(r.id == u.id for r in ch.recipients):
                raise ValueError(f"{u.username} is not a recipient of DM channel {ch.id}")
        elif check_permissions:
            need = P.VIEW_CHANNEL | (
                P.SEND_MESSAGES_IN_THREADS if ch.is_thread else P.SEND_MESSAGES
            )
            if (self.permissions_for(u, ch) & need) != need:
                raise PermissionError(f"{u.username} cannot send messages in #{ch.name}")
        self._mark_action()
        body: JSON = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(self.message(reply_to).id)}
        m = self._build_message(ch, u, body, [])
        if ch.is_thread and ch.archived and not ch.locked:
            ch.archived = False
            self.dispatch("THREAD_UPDATE", ch.to_payload())
        return self._store_message(m)

    async def send_dm(self, user: UserLike, content: str = "", **kwargs: Any) -> Message:
        """``user`` writes to the bot in DMs (the DM channel is created if needed)."""
        return await self.send_message(user, self.dm_channel(user), content, **kwargs)

    async def edit_message_as_user(self, message: MessageLike, content: str) -> Message:
        m = self.message(message)
        self._mark_action()
        self._apply_edit(m, {"content": content}, [])
        self._dispatch_message_update(m)
        return m

    async def unfurl_embeds(self, message: MessageLike, embeds: list[JSON]) -> Message:
        """Discord adds a link's preview to a member's message: a MESSAGE_UPDATE whose words
        and ``edited_timestamp`` are unchanged (nobody edited anything)."""
        m = self.message(message)
        self._mark_action()
        m.embeds = list(embeds)
        self._dispatch_message_update(m)
        return m

    async def delete_message_as_user(self, message: MessageLike) -> None:
        self._mark_action()
        self._delete_message(self.message(message))

    async def add_reaction(self, user: UserLike, message: MessageLike, emoji: str) -> None:
        u = self.user(user)
        m = self.message(message)
        self._mark_action()
        m.reactions.setdefault(emoji, set()).add(u.id)
        self.dispatch("MESSAGE_REACTION_ADD", self._reaction_payload(m, u, emoji))
