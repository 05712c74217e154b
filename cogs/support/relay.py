"""The anonymous DM relay: a peer's words in their relay thread go to the member by DM, and
the member's DMs to the peer's thread, whole (a long message goes as several, each under its
label). A DM like "I need to talk" (in any language Kindred speaks) from someone without a
conversation gets the request form for each server they share with Kindred (and one asking
for a therapist or counsellor the same, said honestly: Kindred can't connect them with one);
a DM while their relayed request still waits for a peer gets an honest note (once, then at
most every ten minutes). A conversation whose thread is deleted (or found gone when the
member writes) goes back to the queue: the member, the peer who held it and the on-duty peers
are told."""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.ext import commands

from bot.services.requests import GoneConversation, RequestRow
from bot.services.requests import notices as say
from bot.services.requests.messages import (
    intake_offer_text,
    no_shared_server_text,
    professional_no_server_text,
    professional_offer_text,
    talk_button_label,
    waiting_text,
)
from bot.text import prefixed_messages
from bot.ui.lookup import find_channel, find_user, shared_guild_name
from bot.ui.requests import PING_USERS, TalkToPeerButton, member_label
from cogs.support.cards import SupportBase
from cogs.support.views import mentions

log = logging.getLogger(__name__)

MAX_OFFERED = 5  # buttons in one row


class RelayRoom(SupportBase):
    # DMs and thread messages only (dispatched by KindredBot beside on_message): ordinary
    # server chat never starts a task here.
    @commands.Cog.listener("on_kindred_conversation_message")
    async def on_conversation_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content:
            return
        if message.guild is None:
            await self._from_member_dm(message)
        elif isinstance(message.channel, discord.Thread):
            await self._from_thread(message)

    async def _from_thread(self, message: discord.Message) -> None:
        if await self._holder_left(message):
            return
        request = await self.requests.thread_message(
            message.channel.id, message.author.id, message.content, message.id
        )
        if request is None:
            return
        try:
            member = await find_user(self.bot, request.requester_id)
            for part in prefixed_messages("**Peer:** ", message.content):
                await member.send(part)
        except discord.HTTPException:
            await message.channel.send("I couldn't deliver that: the member's DMs seem closed.")

    async def _holder_left(self, message: discord.Message) -> bool:
        """A message in a conversation thread shows whether its peer is still a peer: their own
        carries their roles; the member's has their peer looked up now and then. True when the
        request went back to the queue (the ex-peer's words then go no further)."""
        request = await self.requests.by_thread(message.channel.id)
        if request is None or request.claimed_by is None:
            return False
        if message.author.id != request.claimed_by:
            return await self._holder_gone(request.id, member_wrote=True)
        if not isinstance(message.author, discord.Member):
            return False  # their roles didn't come with it
        role_ids = [role.id for role in message.author.roles]
        return await self._check_holder_roles(request.id, message.author.id, role_ids)

    async def _from_member_dm(self, message: discord.Message) -> None:
        route = await self.requests.route_dm(message.author.id, message.content, message.id)
        if route.relay_to is not None:
            request = route.relay_to
            if await self._holder_gone(request.id, member_wrote=True):
                return  # not to the ex-peer: the member is told it's back in the queue
            await self._to_relay_thread(message, request)
        elif route.waiting is not None:
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await message.channel.send(waiting_text(route.waiting.id, route.position, lang))
        elif route.offer_intake or route.professional:
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await self._offer_intake(message, lang, professional=route.professional)

    async def _to_relay_thread(self, message: discord.Message, request: RequestRow) -> None:
        """Carry the member's DM to the peer's relay thread. A thread that is gone (deleted
        and the event missed, a restart) gives the request back to the queue, and the member
        is told their words were not passed on; Discord failing for a moment, that it didn't
        go through now. Never silence: their words stay in their DMs either way."""
        try:
            thread = await find_channel(self.bot, request.thread_id, strict=True)
            if thread is not None:
                for part in prefixed_messages(f"**{member_label(request)}:** ", message.content):
                    await thread.send(part, allowed_mentions=discord.AllowedMentions.none())
                return
        except discord.NotFound:
            pass  # deleted, though discord.py still had it
        except discord.HTTPException as exc:
            log.info("request %s: relay to the thread failed (%s)", request.id, exc.status)
            lang = await self.services.safety.language_for(message.author.id)
            with contextlib.suppress(discord.HTTPException):
                await message.channel.send(say.relay_not_now_text(lang))
            return
        gone = await self.requests.conversation_gone(request.thread_id)
        if gone is not None:
            await self._announce_gone(gone, tell_member=False)
        fresh = await self.requests.get(request.id)
        lang = await self.services.safety.language_for(message.author.id)
        with contextlib.suppress(discord.HTTPException):
            await message.channel.send(
                say.relay_undelivered_text(request.id, fresh.status == "open", lang)
            )

    # -- a conversation's thread deleted ----------------------------------------------------------
    @commands.Cog.listener("on_raw_thread_delete")
    async def on_thread_deleted(self, payload: discord.RawThreadDeleteEvent) -> None:
        """A moderator deleted a conversation's thread (private or relay): the service gives
        the request back to the queue, and everyone concerned is told."""
        gone = await self.requests.conversation_gone(payload.thread_id)
        if gone is not None:
            await self._announce_gone(gone, tell_member=True)

    async def _announce_gone(self, gone: GoneConversation, *, tell_member: bool) -> None:
        """The card shows Claim again, the on-duty peers are pinged, the peer who held it is
        told privately, and the member (unless they are being answered already) by DM."""
        request = gone.request
        await self._refresh_card(request)
        channel = await find_channel(self.bot, request.card_channel_id)
        if channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await channel.send(
                    (mentions(gone.ping) + " " if gone.ping else "")
                    + f"Request #{request.id} is back in the queue: its conversation thread "
                    "was deleted. It needs a peer.",
                    allowed_mentions=PING_USERS,
                )
        with contextlib.suppress(discord.HTTPException):
            peer = await find_user(self.bot, gone.peer_id)
            lang = await self.services.safety.language_for(gone.peer_id)
            await peer.send(say.conversation_gone_peer_text(request.id, lang))
        if tell_member:
            with contextlib.suppress(discord.HTTPException):
                member = await find_user(self.bot, request.requester_id)
                lang = await self.services.safety.language_for(request.requester_id)
                await member.send(say.conversation_gone_member_text(request.id, lang))

    async def _offer_intake(
        self, message: discord.Message, lang: str, *, professional: bool = False
    ) -> None:
        """A DM like "I need to talk": offer the same form for each server that has peer
        support set up *and* that the writer belongs to (never reveal other servers). To
        "I need to see a therapist", the same, saying first that Kindred can't connect them
        with one."""
        view = discord.ui.View(timeout=None)
        for guild_id in await self.requests.support_guilds():
            name = await shared_guild_name(self.bot, guild_id, message.author.id)
            if name is None:
                continue
            item = TalkToPeerButton(guild_id)
            item.item.label = talk_button_label(name, lang)
            view.add_item(item)
            if len(view.children) == MAX_OFFERED:
                break
        if not view.children:
            none = professional_no_server_text if professional else no_shared_server_text
            await message.channel.send(none(lang))
            return
        offer = professional_offer_text if professional else intake_offer_text
        await message.channel.send(offer(lang), view=view)
