"""Edits and deletions in a relayed conversation reach the other person: a member editing a
DM Kindred passed on (or a peer editing their words in the relay thread) has Kindred's copy
edited to the new words, and deleting it has the copy deleted. When a copy can't be edited,
the correction goes as a new message marked as an edit; when it can't be deleted, the writer
is told privately that the other person already has it. Raw events, so that messages no
longer in discord.py's cache count too; a message never relayed has no copies and changes
nothing."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services.requests import TO_MEMBER, TO_PEER
from bot.services.requests import notices as say
from bot.services.requests.edits import (
    RelayedCopies,
    relay_edited_peer_prefix,
    relay_not_withdrawn_text,
)
from bot.text import prefixed_messages
from bot.ui.requests import member_label
from cogs.support.relay import RelayRoom, _note

log = logging.getLogger(__name__)

# The peer's note in their relay thread (English, as Kindred's other notes there).
NOT_WITHDRAWN_NOTE = "I couldn't take that message back: the member already has it."


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
        Only when the words changed (Discord also sends updates for embeds and pins)."""
        if "content" not in payload.data:
            return
        if not self._may_be_relayed(payload.channel_id, payload.guild_id):
            return
        message = payload.message
        if message.author.bot or not message.content:
            return
        before = payload.cached_message
        if before is not None:
            if before.content == message.content:
                return
        elif message.edited_at is None:  # not cached: only a real edit says when it was made
            return
        from_member = payload.guild_id is None
        request_id = await self.requests.relayed_in(message.id)
        if request_id is None:
            return  # never relayed
        # after a copy still being sent (the relay holds the lock meanwhile)
        async with self.requests.relay_lock(request_id, TO_PEER if from_member else TO_MEMBER):
            copies = await self.requests.relayed_copies(message.id, from_member=from_member)
            if copies is not None:
                await self._edit_copies(copies, message.id, message.content)

    async def _edit_copies(self, copies: RelayedCopies, source_id: int, content: str) -> None:
        """Each copy gets its part of the new words; parts beyond the old ones are sent after
        them, copies beyond the new parts deleted. A copy Discord won't edit (deleted by a
        moderator, refused): the whole correction goes as a new message marked as an edit."""
        parts = prefixed_messages(self._prefix(copies, edited=False), content)
        channel_id = copies.copies[0][0]
        channel = self.bot.get_partial_messageable(channel_id)
        try:
            for index, (_, copy_id) in enumerate(copies.copies):
                message = channel.get_partial_message(copy_id)
                if index < len(parts):
                    await message.edit(content=parts[index])
                else:
                    await message.delete()
                    await self.requests.copies_dropped([copy_id])
            for part in parts[len(copies.copies) :]:
                sent = await channel.send(part)
                await self.requests.copy_made(copies.request, sent.id, source_id, channel_id)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info(
                "request %s: a relayed copy could not be edited (%s)",
                copies.request.id,
                getattr(exc, "status", exc),
            )
            await self._send_correction(copies, channel, content)

    async def _send_correction(
        self, copies: RelayedCopies, channel: discord.PartialMessageable, content: str
    ) -> None:
        try:
            for part in prefixed_messages(self._prefix(copies, edited=True), content):
                await channel.send(part)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info("request %s: a correction was not passed on (%s)", copies.request.id, exc)

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
        """A relayed message deleted: its copies are deleted too. One Discord won't delete
        (a refusal, not a copy already gone): its writer is told privately that the other
        person already has it."""
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
            if copies is None or await self._delete_copies(copies):
                return
        source = self.bot.get_partial_messageable(payload.channel_id)
        text = relay_not_withdrawn_text(copies.lang) if from_member else NOT_WITHDRAWN_NOTE
        await _note(source, None, text)

    async def _delete_copies(self, copies: RelayedCopies) -> bool:
        """False when Discord refused to delete one of them."""
        withdrawn = True
        for channel_id, copy_id in copies.copies:
            message = self.bot.get_partial_messageable(channel_id).get_partial_message(copy_id)
            try:
                await message.delete()
            except discord.NotFound:
                continue  # gone already
            except (discord.HTTPException, discord.RateLimited) as exc:
                log.info(
                    "request %s: a relayed copy could not be withdrawn (%s)",
                    copies.request.id,
                    getattr(exc, "status", exc),
                )
                withdrawn = False
        return withdrawn
