"""Waiting for the bot: its messages since the last member action, or any condition.

``wait_until`` itself lives on :class:`~emulator.state.EmulatorState`, the gateway waits in
:mod:`emulator.gateway_server` and the interaction waits on
:class:`~emulator.interactions.Interaction`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import DEFAULT_WAIT
from .models import Message
from .state import ChannelLike, MessageLike, UserLike
from .store import MessageStore


class WaitsMixin(MessageStore):
    """``bot_messages`` and ``wait_for_message(s)``."""

    def bot_messages(self, channel: ChannelLike | None = None, **kwargs: Any) -> list[Message]:
        if channel is None:
            return [
                m
                for m in self.messages.values()
                if m.author.id == self.bot_user.id and not m.deleted
            ]
        return self.messages_in(channel, author=self.bot_user, **kwargs)

    async def wait_for_message(
        self,
        channel: ChannelLike | None = None,
        *,
        predicate: Callable[[Message], bool] | None = None,
        author: UserLike | None = None,
        since: MessageLike | int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
        include_ephemeral: bool = True,
    ) -> Message:
        """Wait for a message (by default: sent by the bot) created after ``since``.

        ``since`` defaults to the last user action performed through the emulator
        (``send_message``, ``run_command``, ``press_button``, ...), so a reply the
        bot sent before this call started waiting is still found."""
        msgs = await self.wait_for_messages(
            1,
            channel,
            predicate=predicate,
            author=author,
            since=since,
            timeout=timeout,
            include_ephemeral=include_ephemeral,
        )
        return msgs[0]

    async def wait_for_messages(
        self,
        n: int,
        channel: ChannelLike | None = None,
        *,
        predicate: Callable[[Message], bool] | None = None,
        author: UserLike | None = None,
        since: MessageLike | int | None = None,
        timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109
        include_ephemeral: bool = True,
    ) -> list[Message]:
        ch_id = self.channel(channel).id if channel is not None else None
        author_id = self.user(author).id if author is not None else self.bot_user.id
        if since is None:
            since_id = self._action_mark
        else:
            since_id = since.id if isinstance(since, Message) else int(since)

        def find() -> list[Message]:
            found = [
                m
                for m in self.messages.values()
                if m.id > since_id
                and not m.deleted
                and m.author.id == author_id
                and (ch_id is None or m.channel_id == ch_id)
                and (include_ephemeral or not m.ephemeral)
                and (predicate is None or predicate(m))
            ]
            return found if len(found) >= n else []

        where = f" in channel {ch_id}" if ch_id else ""
        return await self.wait_until(find, timeout=timeout, what=f"{n} message(s){where}")
