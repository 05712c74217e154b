"""Opening a claimed request's conversation: a private thread with the member and the peer,
or the anonymous relay (the peer in a thread of their own, the member in DMs). When a thread
the member could use cannot be made, the relay is used and moderators are told why."""

from __future__ import annotations

import contextlib
import logging
from typing import NoReturn

import discord

from bot.errors import ConflictError
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.requests import PICKED_UP, TO_MEMBER, RequestRow
from bot.services.requests import notices as say
from bot.ui.lookup import ARCHIVED_THREAD, find_channel
from bot.ui.requests import PING_USERS, member_label, relay_welcome_cleared_text
from cogs.support.cards import SupportBase
from cogs.support.relay import _transient, picked_up_refused_text, send_picked_up
from cogs.support.views import conversation_view

log = logging.getLogger(__name__)


async def _undo_thread(thread: discord.Thread, member_id: int | None) -> None:
    """A thread Kindred made but could not finish: deleted, or if Discord refuses that too,
    the member (if added) taken out of it, so nobody is left in a thread nobody answers."""
    try:
        await thread.delete()
        return
    except (discord.HTTPException, discord.RateLimited) as exc:
        log.warning("thread %s: could not delete a half-made thread (%s)", thread.id, exc)
    if member_id is None:
        return
    try:
        await thread.remove_user(discord.Object(member_id))
    except (discord.HTTPException, discord.RateLimited) as exc:
        log.warning("thread %s: could not take the member out (%s)", thread.id, exc)


async def _take_back(welcome: discord.Message, thread: discord.Thread) -> None:
    """Delete the welcome. Discord refuses that in an archived thread (a close that came
    right after the welcome archived it): the thread is unarchived a moment for it, then
    archived and locked again."""
    try:
        await welcome.delete()
        return
    except discord.HTTPException as exc:
        if exc.code != ARCHIVED_THREAD:
            raise
    await thread.edit(archived=False)
    await welcome.delete()
    await thread.edit(archived=True, locked=True)


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
        if not await self.requests.conversation_opened(request.id, peer_id, thread.id, relay=False):
            await self._ended_meanwhile(thread, request.requester_id)
        welcome = await self._welcome_thread(request, peer_id, thread)
        if not await self.requests.conversation_goes_on(request.id, peer_id, thread.id):
            await self._ended_while_welcomed(request, thread, welcome)
        return say.thread_ready_text(thread.id, lang)

    @staticmethod
    async def _ended_meanwhile(thread: discord.Thread, member_id: int | None) -> None:
        """The request ended (the member cancelled, a moderator closed it) or left the peer
        while its thread was being made: the thread, where nothing was said yet, is taken
        down, and the peer told it is no longer open (their claim's answer)."""
        await _undo_thread(thread, member_id)
        raise ConflictError(N_("This request is no longer open."))

    async def _ended_while_welcomed(
        self,
        request: RequestRow,
        thread: discord.Thread,
        welcome: discord.Message | None,
        told: discord.Message | None = None,
    ) -> NoReturn:
        """The request ended while its welcome was on its way: the welcome (and a relay's
        "a peer picked up your request" DM, ``told``) is taken back and the peer told it is
        no longer open. Whatever ended it closes the thread off (its closing line, archived
        and locked); when that came first, the welcome opened the thread again (a message
        sent to an archived thread unarchives it), so it is archived again; when it is still
        to come, it finds the thread as it left it."""
        if told is not None:
            with contextlib.suppress(discord.HTTPException, discord.RateLimited):
                await told.delete()
        try:
            if welcome is not None:
                await _take_back(welcome, thread)
            fresh = await self.bot.fetch_channel(thread.id)
            if isinstance(fresh, discord.Thread) and fresh.locked and not fresh.archived:
                await fresh.edit(archived=True, locked=True)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.warning("request %s: could not close its thread again (%s)", request.id, exc)
        raise ConflictError(N_("This request is no longer open."))

    async def _create_thread(
        self, request: RequestRow, peer_id: int, parent: object, cfg: PeerSettings
    ) -> discord.Thread | None:
        """The private thread with both in it, or None (moderators told) on failure. A thread
        made but not finished (Discord failed adding one of them) is deleted, or at least the
        member taken out of it: the conversation goes on in one place, the relay."""
        where = f"<#{cfg.thread_channel_id or cfg.peer_channel_id}>"
        thread = None
        try:
            if not isinstance(parent, discord.TextChannel):
                raise TypeError("the thread channel is not a text channel")
            thread = await parent.create_thread(
                name=f"Support #{request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            await thread.add_user(discord.Object(request.requester_id))
            await thread.add_user(discord.Object(peer_id))
        except (discord.HTTPException, discord.RateLimited, TypeError) as exc:
            log.warning("request %s: thread failed (%s); using the relay", request.id, exc)
            if thread is not None:
                await _undo_thread(thread, request.requester_id)
            if _transient(exc):
                text = (
                    f"Discord had a problem when I opened a private thread for request "
                    f"#{request.id} in {where} (not a permission missing). I used the DM relay."
                )
            else:
                text = (
                    f"I couldn't open a private thread for request #{request.id}: I need Create "
                    f"Private Threads, Send Messages in Threads and Manage Threads in {where}. "
                    "I used the DM relay."
                )
            await self._tell_moderators(request.guild_id, text)
            return None
        return thread

    async def _welcome_thread(
        self, request: RequestRow, peer_id: int, thread: discord.Thread
    ) -> discord.Message | None:
        # both read it: the request's language first, then the English for the peer
        lang = await self.requests.language_for(request)
        try:
            return await thread.send(
                say.thread_welcome_text(f"<@{request.requester_id}>", f"<@{peer_id}>", lang),
                view=conversation_view(request.id, transcript=True, lang=lang, shared=True),
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
            return None

    async def _open_relay(
        self, request: RequestRow, peer_id: int, cfg: PeerSettings, lang: str = "en"
    ) -> str:
        """The peer talks in a private thread of their own; the member in DMs. The bot carries
        messages across, so the peer never sees who the member is."""
        thread = await self._create_relay_thread(request, peer_id, cfg)
        if not isinstance(thread, discord.Thread):
            # Without a relay thread the member's words would reach nobody: give the request
            # back to the queue rather than leave it claimed and silent.
            await self.requests.unclaim(request.id, peer_id)
            if thread is not None and _transient(thread):
                text = (
                    f"Discord had a problem when I opened a relay thread for request "
                    f"#{request.id} in <#{cfg.peer_channel_id}> (not a permission missing). "
                    "The request is back in the queue."
                )
            else:
                text = (
                    f"I couldn't open a relay thread for request #{request.id} in "
                    f"<#{cfg.peer_channel_id}>: I need Create Private Threads and Send "
                    "Messages in Threads there. The request is back in the queue."
                )
            await self._tell_moderators(request.guild_id, text)
            return say.relay_unavailable_text(lang)
        if not await self.requests.conversation_opened(request.id, peer_id, thread.id, relay=True):
            await self._ended_meanwhile(thread, None)  # the member is not in a relay thread
        told, welcome = await self._welcome_relay(request, peer_id, thread)
        if not await self.requests.conversation_goes_on(request.id, peer_id, thread.id):
            await self._ended_while_welcomed(request, thread, welcome, told)
        return say.relay_thread_text(thread.id, lang)

    async def _create_relay_thread(
        self, request: RequestRow, peer_id: int, cfg: PeerSettings
    ) -> discord.Thread | Exception | None:
        """The peer's relay thread, or why not: Discord's error, or None when the peers'
        channel is not a text channel Kindred finds. A thread made without its peer is
        deleted."""
        parent = await find_channel(self.bot, cfg.peer_channel_id)
        if not isinstance(parent, discord.TextChannel):
            return None
        thread = None
        try:
            thread = await parent.create_thread(
                name=f"Relay #{request.id}",
                type=discord.ChannelType.private_thread,
                invitable=False,
            )
            await thread.add_user(discord.Object(peer_id))
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.warning("request %s: relay thread failed (%s)", request.id, exc)
            if thread is not None:
                await _undo_thread(thread, None)
            return exc
        return thread

    async def _welcome_relay(
        self, request: RequestRow, peer_id: int, thread: discord.Thread
    ) -> tuple[discord.Message | None, discord.Message | None]:
        """The member told a peer picked their request up, the peer welcomed in the relay
        thread: those two messages (None for one that could not be sent)."""
        told = None
        # Under the lock of the words to the member: the peer's first words wait behind it.
        async with self.requests.relay_lock(request.id, TO_MEMBER):
            try:
                told = await send_picked_up(self.bot, self.services, request)
            except (discord.HTTPException, discord.RateLimited) as exc:
                if _transient(exc):
                    # Discord failed for a moment: tried again as relayed words are
                    log.info("request %s: picked-up DM held (%s)", request.id, exc)
                    await self.requests.hold_relay(request, TO_MEMBER, thread.id, PICKED_UP)
                else:
                    text = picked_up_refused_text(request.id, getattr(exc, "status", None))
                    await self._tell_moderators(request.guild_id, text)
        try:
            welcome = await thread.send(
                f"<@{peer_id}>, you're connected with {member_label(request)}. Write here and "
                "I'll relay it to them; their replies appear here.",
                view=conversation_view(request.id, transcript=False),
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            log.warning("request %s: relay welcome failed (%s)", request.id, exc.status)
            return told, None
        if request.anonymous:
            return told, welcome  # it names nobody
        # it names the member: its ids, for /forgetme to edit it to a line naming nobody
        if not await self.requests.relay_welcomed(request, welcome.id, thread.id):
            with contextlib.suppress(discord.HTTPException):  # the member forgot meanwhile
                await welcome.edit(content=relay_welcome_cleared_text(request.id), view=None)
        return told, welcome
