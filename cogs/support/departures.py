"""The member of a private-thread conversation left the server (the rule:
``bot/services/requests/departures.py``): found when their peer writes in the thread (the member
looked up, at most once a minute) or by the leave event where Discord delivers it (only with
the members intent). The conversation goes on by the DM relay in the same thread: the member is
told by DM in their language, the peer in the thread in theirs, and the peer's words are
carried to the member from then on. A member Kindred can't DM has the conversation closed, and
so has a member the server banned (asked of Discord when Kindred may: Ban Members; a kick
can't be told from leaving, and keeps the DM path)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.services.requests import TO_MEMBER, RequestRow
from bot.services.requests.departures import (
    member_left_member_text,
    member_left_peer_text,
    member_left_unsure_text,
    member_removed_peer_text,
)
from bot.ui.lookup import find_channel, find_user, is_banned, member_role_ids
from cogs.support.claims import ClaimsRoom
from cogs.support.relay import _note, _transient
from cogs.support.views import conversation_view

log = logging.getLogger(__name__)

REACHED, UNSURE, UNREACHABLE = "reached", "unsure", "unreachable"


class DeparturesRoom(ClaimsRoom):
    if TYPE_CHECKING:

        async def _from_thread(self, message: discord.Message) -> None: ...
        async def _pass_to_member(self, request: RequestRow, message: discord.Message) -> None: ...

    @commands.Cog.listener("on_kindred_conversation_message")
    async def _member_still_here(self, message: discord.Message) -> None:
        """The peer wrote in a private conversation thread: is its member still in the server?
        Discord failing to answer says nothing about them: nothing changes."""
        if message.author.bot or not isinstance(message.channel, discord.Thread):
            return
        request = await self.requests.member_to_check(message.channel.id, message.author.id)
        if request is None:
            return
        try:
            role_ids = await member_role_ids(self.bot, request.guild_id, request.requester_id)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info("request %s: could not look its member up (%s)", request.id, exc)
            return
        if role_ids is None:
            await self._member_gone(request, message)

    @commands.Cog.listener("on_raw_member_remove")
    async def _support_member_left(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Only delivered with the members intent; without it, the peer's next message finds
        the member gone."""
        request = await self.requests.member_left_thread(payload.guild_id, payload.user.id)
        if request is not None:
            await self._member_gone(request, None)

    async def _member_gone(self, request: RequestRow, message: discord.Message | None) -> None:
        """Switch the conversation to the DM relay (once), tell both, and carry the peer's
        ``message`` that found the member gone; closed if the member can't be DMed, or was
        banned (nothing carried to them). The words to the member wait behind all of it (their
        lock is held from the switch to the close): a peer's message is never tried as a DM,
        and reported undeliverable, before a member Kindred can't reach is found so."""
        if await is_banned(self.bot, request.guild_id, request.requester_id):
            await self._close_banned(request, message)
            return
        message_id = message.id if message else None
        async with self.requests.relay_lock(request.id, TO_MEMBER):
            moved = await self.requests.member_left(request.id, message_id)
            if moved is None or moved.claimed_by is None:
                closed = None
            else:
                closed = await self._move_to_dms(moved, moved.claimed_by, message)
        if moved is None and message is not None:
            await self._from_thread(message)  # switched elsewhere meanwhile: carried (once)
        if closed is not None:
            await self._after_close(closed)

    async def _move_to_dms(
        self, moved: RequestRow, peer_id: int, message: discord.Message | None
    ) -> RequestRow | None:
        """The member told by DM, the peer in the thread, the peer's ``message`` carried (the
        lock of the words to the member held); the request closed when the member can't be
        DMed (returned for its follow-up), else None."""
        log.info("request %s: its member left the server; the DM relay goes on", moved.id)
        reached = await self._tell_member_moved(moved)
        peer_lang = await self.services.safety.language_for(peer_id)
        thread = await find_channel(self.bot, moved.thread_id)
        message_id = message.id if message else None
        if reached == UNREACHABLE:
            closed = await self.requests.close_member_left(moved.id)
            if thread is not None:
                text = member_left_peer_text(moved.id, peer_lang, reached=False)
                await _note(thread, message_id, text)
            return closed
        if thread is not None:
            if reached == REACHED:
                text = member_left_peer_text(moved.id, peer_lang)
            else:
                text = member_left_unsure_text(moved.id, peer_lang)
            await _note(thread, message_id, text)
        if message is not None:  # written to the member: carried (the departure's own)
            await self.requests.record_relay(moved, "peer", message.content, message.id)
            await self._pass_to_member(moved, message)
        return None

    async def _close_banned(self, request: RequestRow, message: discord.Message | None) -> None:
        """The server banned the member: the conversation closes (reason ``member_left``),
        the peer told in the thread; the peer's words are not passed on."""
        closed = await self.requests.close_member_left(request.id)
        if closed is None or closed.claimed_by is None:
            return
        log.info("request %s: its member was banned; the conversation is closed", closed.id)
        thread = await find_channel(self.bot, closed.thread_id)
        if thread is not None:
            peer_lang = await self.services.safety.language_for(closed.claimed_by)
            text = member_removed_peer_text(closed.id, peer_lang)
            await _note(thread, message.id if message else None, text)
        await self._after_close(closed)

    async def _tell_member_moved(self, request: RequestRow) -> str:
        """The member's DM saying their conversation goes on here, with the Close button
        (the caller holds the lock of the words to them, so the peer's words wait behind it)."""
        try:
            member = await find_user(self.bot, request.requester_id)
            lang = await self.requests.language_for(request)
            await member.send(
                member_left_member_text(request.id, request.anonymous, lang),
                view=conversation_view(request.id, transcript=True, lang=lang),
            )
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info("request %s: the member who left can't be DMed (%s)", request.id, exc)
            return UNSURE if _transient(exc) else UNREACHABLE
        return REACHED
