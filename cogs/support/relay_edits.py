"""Edits and deletions in a relayed conversation reach the other person: a member editing a
DM Kindred passed on (or a peer editing their words in the relay thread) has Kindred's copy
edited to the new words, and deleting it has the copy deleted. When a copy can't be edited,
the correction goes as a new message marked as an edit; when it can't be deleted, the writer
is told privately that the other person already has it. Raw events, so that messages no
longer in discord.py's cache count too; a message never relayed has no copies and changes
nothing."""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.ext import commands

from bot.services.requests import TO_MEMBER, TO_PEER, TimerRow
from bot.services.requests import notices as say
from bot.services.requests.edits import (
    CopyToWithdraw,
    EditToRetry,
    RelayedCopies,
    relay_edited_peer_prefix,
    relay_not_withdrawn_text,
)
from bot.text import prefixed_messages
from bot.ui.events import edited_words
from bot.ui.lookup import ARCHIVED_THREAD
from bot.ui.requests import member_label
from cogs.support.relay import RelayRoom, _note, _transient

log = logging.getLogger(__name__)

# The peer's note in their relay thread (English, as Kindred's other notes there).
NOT_WITHDRAWN_NOTE = "I couldn't take that message back: the member already has it."
#: What became of one copy's deletion.
DELETED, LATER, REFUSED = "deleted", "later", "refused"


def _uneditable(error: Exception) -> bool:
    """Discord won't ever edit this copy (refused, gone, in an archived thread): only then
    does the correction go as a new message. Failing for a moment (429, 5xx) is not that."""
    if not isinstance(error, discord.HTTPException):
        return False
    return error.status in (403, 404) or error.code == ARCHIVED_THREAD


class RelayEditsRoom(RelayRoom):
    def _may_be_relayed(self, channel_id: int, guild_id: int | None) -> bool:
        """A DM, or a message in a thread (or a channel not cached): ordinary server chat is
        never looked up."""
        if guild_id is None:
            return True
        channel = self.bot.get_channel(channel_id)
        return channel is None or isinstance(channel, discord.Thread)

    @commands.Cog.listener("on_raw_message_edit")
    async def on_relayed_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A relayed message edited by its writer: its copies are edited to the new words.
        Only when the words changed (Discord also sends updates for embeds and pins), and only
        while its conversation goes on where it was written."""
        if not self._may_be_relayed(payload.channel_id, payload.guild_id):
            return
        message = edited_words(payload)
        if message is None:
            return
        from_member = payload.guild_id is None
        request_id = await self.requests.relayed_in(message.id)
        if request_id is None:
            return  # never relayed
        # after a copy still being sent (the relay holds the lock meanwhile)
        async with self.requests.relay_lock(request_id, TO_PEER if from_member else TO_MEMBER):
            await self.requests.transcript_edited(message.id, message.content)
            copies = await self.requests.relayed_copies(
                message.id, from_member=from_member, source_channel_id=payload.channel_id
            )
            if copies is not None:
                await self._edit_copies(copies, message, payload.channel_id)

    async def _edit_copies(
        self,
        copies: RelayedCopies,
        source: discord.Message,
        source_channel_id: int,
        *,
        retry: bool = True,
    ) -> None:
        """Each copy gets its part of the new words; parts beyond the old ones are sent after
        them (unless the message still waits in the relay's retry, which reads it again when
        it sends the rest), copies beyond the new parts deleted. A copy Discord won't ever
        edit (deleted by a moderator, refused, archived): the whole correction goes as a new
        message marked as an edit. Discord failing for a moment: tried once more later
        (``retry``; a stored timer, ids only), else the copy keeps its words."""
        parts = prefixed_messages(self._prefix(copies, edited=False), source.content)
        channel_id = copies.copies[0][0]
        channel = self.bot.get_partial_messageable(channel_id)
        for part, (_, copy_id) in zip(parts, copies.copies, strict=False):
            try:
                await channel.get_partial_message(copy_id).edit(content=part)
            except (discord.HTTPException, discord.RateLimited) as exc:
                status = getattr(exc, "status", exc)
                log.info("request %s: a copy was not edited (%s)", copies.request.id, status)
                if isinstance(exc, discord.NotFound):
                    await self.requests.copies_dropped([copy_id])
                if _uneditable(exc):
                    await self._send_correction(copies, channel, source)
                elif retry and _transient(exc):
                    edit = EditToRetry(
                        copies.request.id, source.id, source_channel_id, copies.to == TO_PEER
                    )
                    await self.requests.edit_later(edit, copies.request.guild_id)
                return
        for _, copy_id in copies.copies[len(parts) :]:
            copy = CopyToWithdraw(
                copies.request.id, channel_id, copy_id, source_channel_id, copies.to == TO_PEER
            )
            await self._withdraw(copy, copies.request.guild_id)
        if len(parts) > len(copies.copies) and not await self._still_waiting(copies, source.id):
            await self._send_new_copies(copies, channel, source.id, parts[len(copies.copies) :])

    async def _on_copy_edit(self, timer: TimerRow) -> None:
        """An edit Discord failed for a moment, tried once more: the message's words read
        again from Discord (the writer may have edited or deleted it since), its copies edited
        only while the conversation still goes on where it was written."""
        await self.bot.wait_until_ready()
        edit = self.requests.on_copy_edit(timer)
        to = TO_PEER if edit.from_member else TO_MEMBER
        async with self.requests.relay_lock(edit.request_id, to):
            copies = await self.requests.relayed_copies(
                edit.source_id,
                from_member=edit.from_member,
                source_channel_id=edit.source_channel_id,
            )
            if copies is None:
                return  # the conversation ended, or the message and its copies are gone
            channel = self.bot.get_partial_messageable(edit.source_channel_id)
            try:
                source = await channel.fetch_message(edit.source_id)
            except (discord.HTTPException, discord.RateLimited) as exc:
                status = getattr(exc, "status", exc)
                log.info(
                    "request %s: an edit's retry found no message (%s)", edit.request_id, status
                )
                return
            if source.content:
                await self._edit_copies(copies, source, edit.source_channel_id, retry=False)

    async def _still_waiting(self, copies: RelayedCopies, source_id: int) -> bool:
        """The message is only partly delivered: its rest waits in the relay's retry."""
        backlog = await self.requests.relay_backlog(copies.request.id, copies.to)
        return backlog is not None and any(p.message_id == source_id for p in backlog.pending)

    async def _send_correction(
        self, copies: RelayedCopies, channel: discord.PartialMessageable, source: discord.Message
    ) -> None:
        parts = prefixed_messages(self._prefix(copies, edited=True), source.content)
        await self._send_new_copies(copies, channel, source.id, parts)

    async def _send_new_copies(
        self,
        copies: RelayedCopies,
        channel: discord.PartialMessageable,
        source_id: int,
        parts: list[str],
    ) -> None:
        """New copies of the message, each recorded as the live relay records its copies (for
        /forgetme, a later edit or deletion, and a reply in the member's DMs)."""
        try:
            for part in parts:
                sent = await channel.send(part, allowed_mentions=discord.AllowedMentions.none())
                await self._record(copies, sent, source_id, channel.id)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info("request %s: an edit was not passed on (%s)", copies.request.id, exc)

    async def _record(
        self, copies: RelayedCopies, sent: discord.Message, source_id: int, channel_id: int
    ) -> None:
        request = copies.request
        if copies.to == TO_MEMBER:
            await self.requests.relayed_copy(request, sent.id, source_id, channel_id)
        elif not await self.requests.relayed_to_peer(request, sent.id, channel_id, source_id):
            with contextlib.suppress(discord.HTTPException):
                await sent.delete()  # the member forgot meanwhile: their words go too

    @staticmethod
    def _prefix(copies: RelayedCopies, *, edited: bool) -> str:
        """Whose words these are, as the copy's label: the peer's in the member's language,
        the member's (English, in the peer's thread)."""
        if copies.to == TO_MEMBER:
            if edited:
                return relay_edited_peer_prefix(copies.lang)
            return say.relay_peer_prefix(copies.lang)
        label = member_label(copies.request)
        return f"**{label} (edited):** " if edited else f"**{label}:** "

    @commands.Cog.listener("on_raw_message_delete")
    async def on_relayed_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A relayed message deleted: its copies are deleted too, whatever became of the
        conversation. One Discord won't delete (a refusal, not a copy already gone): its
        writer is told that the other person already has it; one Discord failed to delete
        for a moment is deleted later (a stored retry, ids only)."""
        if not self._may_be_relayed(payload.channel_id, payload.guild_id):
            return
        from_member = payload.guild_id is None
        request_id = await self.requests.relayed_in(payload.message_id)
        if request_id is None:
            return  # never relayed
        async with self.requests.relay_lock(request_id, TO_PEER if from_member else TO_MEMBER):
            copies = await self.requests.withdraw_copies(
                payload.message_id, from_member=from_member
            )
            if copies is None:
                return
            withdrawn = True
            for channel_id, copy_id in copies.copies:
                copy = CopyToWithdraw(
                    copies.request.id, channel_id, copy_id, payload.channel_id, from_member
                )
                if await self._withdraw(copy, copies.request.guild_id) == REFUSED:
                    withdrawn = False
        if not withdrawn:
            await self._tell_not_withdrawn(payload.channel_id, from_member, copies.lang)

    async def _withdraw(self, copy: CopyToWithdraw, guild_id: int) -> str:
        """Delete one copy: DELETED (or gone already; its record dropped), LATER (Discord
        failed for a moment: a stored retry) or REFUSED."""
        outcome = await self._delete_copy(copy)
        if outcome == LATER:
            await self.requests.withdraw_later(copy, guild_id)
        return outcome

    async def _delete_copy(self, copy: CopyToWithdraw) -> str:
        message = self.bot.get_partial_messageable(copy.channel_id).get_partial_message(
            copy.copy_id
        )
        try:
            await message.delete()
        except discord.NotFound:
            pass  # gone already
        except (discord.HTTPException, discord.RateLimited) as exc:
            status = getattr(exc, "status", exc)
            log.info("request %s: a relayed copy was not withdrawn (%s)", copy.request_id, status)
            return LATER if _transient(exc) else REFUSED
        await self.requests.copies_dropped([copy.copy_id])
        return DELETED

    async def _on_copy_withdraw(self, timer: TimerRow) -> None:
        """A copy whose deletion Discord failed for a moment, deleted again: later still when
        it fails again (given up after a week), its writer told when Discord refuses it."""
        await self.bot.wait_until_ready()
        copy = self.requests.on_copy_withdraw(timer)
        outcome = await self._delete_copy(copy)
        if outcome == LATER:
            await self.requests.copy_withdraw_later(timer)
        elif outcome == REFUSED:
            lang = await self.requests.withdraw_language(copy.request_id)
            if lang is not None:
                await self._tell_not_withdrawn(copy.source_channel_id, copy.from_member, lang)

    async def _tell_not_withdrawn(self, channel_id: int, from_member: bool, lang: str) -> None:
        """The writer of a deleted message: the other person still has its copy (the member
        privately in their language, the peer in their thread)."""
        source = self.bot.get_partial_messageable(channel_id)
        text = relay_not_withdrawn_text(lang) if from_member else NOT_WITHDRAWN_NOTE
        await _note(source, None, text)
