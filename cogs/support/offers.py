"""What Kindred answers in DMs to someone outside any conversation: to a DM like "I need to
talk" (or "I need to see a therapist"), the request form for each server they share with
Kindred where peer support is set up and they are not blocked; to any other DM the crisis
detector left unanswered that only asks for help, says hello ("help", "hello",
"/support" typed as text) or asks what Kindred is or does ("what is this bot?", "who are
you", "qué es esto"), a short note that
Kindred is a bot, how to reach a peer (the same buttons) and `/crisis`, at most once an hour
(the rule: ``RequestService.dm_help_due``). Blocked everywhere they would be offered: the kind
blocked-member answer with the lines, at once."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.services.requests import BlockedError
from bot.services.requests.messages import (
    blocked_dm_text,
    dm_help_text,
    intake_offer_text,
    no_shared_server_text,
    professional_no_server_text,
    professional_offer_text,
    talk_button_label,
)
from bot.ui.lookup import shared_guild_name
from bot.ui.requests import TalkToPeerButton
from cogs.support.cards import SupportBase

MAX_OFFERED = 5  # buttons in one row


class IntakeOffers(SupportBase):
    @commands.Cog.listener("on_kindred_unanswered_dm")
    async def on_unanswered_dm(self, message: discord.Message) -> None:
        """A DM the crisis detector did not answer (the Safety cog dispatches it): the note
        on how to reach a peer, when the service says it is due."""
        said = await self.requests.dm_help_due(message.author.id, message.content)
        if said is None:
            return
        lang = await self.services.safety.language_for(message.author.id, said)
        await self._offer_intake(message, lang, help_note=True)

    async def _offer_intake(
        self,
        message: discord.Message,
        lang: str,
        *,
        professional: bool = False,
        help_note: bool = False,
    ) -> None:
        """A DM like "I need to talk": offer the same form for each server that has peer
        support set up *and* that the writer belongs to (never reveal other servers) and is
        not blocked in. To "I need to see a therapist", the same, saying first that Kindred
        can't connect them with one; to "help" (``help_note``), saying Kindred is a bot."""
        view, blocked = await self._offered(message.author.id, lang)
        if view.children:
            if help_note:
                text = dm_help_text(lang, offered=True)
            else:
                text = (professional_offer_text if professional else intake_offer_text)(lang)
            await message.channel.send(text, view=view)
        elif blocked is not None:
            guild_id, name = blocked
            resources = await self._resources_text(
                guild_id, message.author.id, intro=False, waiting=False, lang=lang
            )
            await message.channel.send(blocked_dm_text(name, lang) + "\n\n" + resources)
        elif help_note:
            await message.channel.send(dm_help_text(lang, offered=False))
        else:
            none = professional_no_server_text if professional else no_shared_server_text
            await message.channel.send(none(lang))

    async def _offered(
        self, user_id: int, lang: str
    ) -> tuple[discord.ui.View, tuple[int, str] | None]:
        """A "Talk to a peer in <server>" button per server the writer shares with Kindred
        where peer support is set up and they may ask (the service's block rule), and the
        first server left out for a block (its id and name), if any."""
        view = discord.ui.View(timeout=None)
        blocked: tuple[int, str] | None = None
        for guild_id in await self.requests.support_guilds():
            name = await shared_guild_name(self.bot, guild_id, user_id)
            if name is None:
                continue
            try:
                await self.requests.refuse_blocked(guild_id, user_id)
            except BlockedError:
                blocked = blocked or (guild_id, name)
                continue
            item = TalkToPeerButton(guild_id, lang=lang)
            item.item.label = talk_button_label(name, lang)
            view.add_item(item)
            if len(view.children) == MAX_OFFERED:
                break
        return view, blocked
