"""The anonymous DM relay: a peer's words in their relay thread go to the member by DM, and
the member's DMs to the peer's thread, whole (a long message goes as several, each under its
label). A DM like "I need to talk" (in any language Kindred speaks) from someone without a
conversation gets the request form for each server they share with Kindred (and one asking
for a therapist or counsellor the same, said honestly: Kindred can't connect them with one);
a DM while their relayed request still waits for a peer gets an honest note (once, then at
most every ten minutes)."""

from __future__ import annotations

import discord
from discord.ext import commands

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
from bot.ui.requests import TalkToPeerButton, member_label
from cogs.support.cards import SupportBase

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
            thread = await find_channel(self.bot, request.thread_id)
            if thread is not None:
                for part in prefixed_messages(f"**{member_label(request)}:** ", message.content):
                    await thread.send(part, allowed_mentions=discord.AllowedMentions.none())
        elif route.waiting is not None:
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await message.channel.send(waiting_text(route.waiting.id, route.position, lang))
        elif route.offer_intake or route.professional:
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await self._offer_intake(message, lang, professional=route.professional)

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
