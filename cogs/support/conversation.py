"""Opening a claimed request's conversation: a private thread with the member and the peer,
or the anonymous relay (the peer in a thread of their own, the member in DMs). When a thread
the member could use cannot be made, the relay is used and moderators are told why."""

from __future__ import annotations

import logging

import discord

from bot.services.peers import PeerSettings
from bot.services.requests import RequestRow
from bot.services.requests import notices as say
from bot.ui.lookup import find_channel, find_user
from bot.ui.requests import PING_USERS, member_label
from cogs.support.cards import SupportBase
from cogs.support.views import conversation_view

log = logging.getLogger(__name__)


async def member_can_see(channel: discord.TextChannel, user_id: int) -> bool:
    """Whether a member can view ``channel`` (and so a private thread under it), from their
    roles and the channel's overwrites. Unknown (not a member, lookup failed) counts as no."""
    member = channel.guild.get_member(user_id)
    if member is None:
        try:
            member = await channel.guild.fetch_member(user_id)
        except discord.HTTPException:
            return False
    return channel.permissions_for(member).view_channel


class ConversationRoom(SupportBase):
    async def _open_conversation(self, request: RequestRow, peer_id: int, lang: str = "en") -> str:
        """Open the conversation; the text tells the peer (in ``lang``) where it is."""
        cfg = await self.requests.config(request.guild_id)
        if request.relay:
            return await self._open_relay(request, peer_id, cfg, lang)
        parent = await find_channel(self.bot, cfg.thread_channel_id or cfg.peer_channel_id)
        if isinstance(parent, discord.TextChannel) and not await member_can_see(
            parent, request.requester_id
        ):
            # A private thread under a channel the member cannot view is invisible to them.
            await self._tell_moderators(
                request.guild_id,
                f"Request #{request.id}: the member can't see <#{parent.id}>, so a private "
                "thread there would be invisible to them. I used the DM relay. Choose a thread "
                "channel members can see with "
                "`/peers setup peer_role: peer_channel: thread_channel:` "
                "(with the peer role and channel you use now).",
            )
            return await self._open_relay(request, peer_id, cfg, lang)
        thread = await self._create_thread(request, peer_id, parent, cfg)
        if thread is None:
            return await self._open_relay(request, peer_id, cfg, lang)
        await self.requests.attach_conversation(request.id, thread.id)
        await self._welcome_thread(request, peer_id, thread)
        return say.thread_ready_text(thread.id, lang)

    async def _create_thread(
        self, request: RequestRow, peer_id: int, parent: object, cfg: PeerSettings
    ) -> discord.Thread | None:
        """The private thread with both in it, or None (moderators told) on failure."""
        try:
            if not isinstance(parent, discord.TextChannel):
                raise discord.NotFound  # type: ignore[misc]
            thread = await parent.create_thread(
                name=f"Support #{request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            await thread.add_user(discord.Object(request.requester_id))
            await thread.add_user(discord.Object(peer_id))
        except (discord.HTTPException, TypeError) as exc:
            log.warning("request %s: thread failed (%s); using the relay", request.id, exc)
            await self._tell_moderators(
                request.guild_id,
                f"I couldn't open a private thread for request #{request.id}: I need Create "
                "Private Threads, Send Messages in Threads and Manage Threads in "
                f"<#{cfg.thread_channel_id or cfg.peer_channel_id}>. I used the DM relay.",
            )
            return None
        return thread

    async def _welcome_thread(
        self, request: RequestRow, peer_id: int, thread: discord.Thread
    ) -> None:
        try:
            await thread.send(
                f"<@{request.requester_id}>, <@{peer_id}> is here with you. This thread is "
                "private: only the two of you (and the moderators who run this server) can see "
                "it. Either of you can close it with the button or `/support action:close`.",
                view=conversation_view(request.id, transcript=True),
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            # Both are already in the thread; the welcome is a courtesy, the claim stands.
            log.warning("request %s: welcome message failed (%s)", request.id, exc.status)
            await self._tell_moderators(
                request.guild_id,
                f"I opened <#{thread.id}> for request #{request.id} but can't write in it: I "
                "need Send Messages in Threads there.",
            )

    async def _open_relay(
        self, request: RequestRow, peer_id: int, cfg: PeerSettings, lang: str = "en"
    ) -> str:
        """The peer talks in a private thread of their own; the member in DMs. The bot carries
        messages across, so the peer never sees who the member is."""
        thread = await self._create_relay_thread(request, peer_id, cfg)
        if thread is None:
            # Without a relay thread the member's words would reach nobody: give the request
            # back to the queue rather than leave it claimed and silent.
            await self.requests.unclaim(request.id, peer_id)
            await self._tell_moderators(
                request.guild_id,
                f"I couldn't open a relay thread for request #{request.id} in "
                f"<#{cfg.peer_channel_id}>: I need Create Private Threads and Send Messages in "
                "Threads there. The request is back in the queue.",
            )
            return say.relay_unavailable_text(lang)
        await self.requests.attach_conversation(request.id, thread.id, relay=True)
        await self._welcome_relay(request, peer_id, thread)
        return say.relay_thread_text(thread.id, lang)

    async def _create_relay_thread(
        self, request: RequestRow, peer_id: int, cfg: PeerSettings
    ) -> discord.Thread | None:
        parent = await find_channel(self.bot, cfg.peer_channel_id)
        if not isinstance(parent, discord.TextChannel):
            return None
        try:
            thread = await parent.create_thread(
                name=f"Relay #{request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
            await thread.add_user(discord.Object(peer_id))
        except discord.HTTPException:
            return None
        return thread

    async def _welcome_relay(
        self, request: RequestRow, peer_id: int, thread: discord.Thread
    ) -> None:
        try:
            member = await find_user(self.bot, request.requester_id)
            lang = await self.services.safety.language_for(request.requester_id)
            await member.send(
                say.relay_picked_up_text(request.id, request.anonymous, lang),
                view=conversation_view(request.id, transcript=True, lang=lang),
            )
        except discord.HTTPException:
            await self._tell_moderators(
                request.guild_id,
                f"I can't DM the member of request #{request.id} (their DMs may be closed).",
            )
        try:
            await thread.send(
                f"<@{peer_id}>, you're connected with {member_label(request)}. Write here and "
                "I'll relay it to them; their replies appear here.",
                view=conversation_view(request.id, transcript=False),
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            log.warning("request %s: relay welcome failed (%s)", request.id, exc.status)
