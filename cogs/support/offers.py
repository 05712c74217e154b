"""What Kindred answers in DMs to someone outside any conversation: to a DM like "I need to
talk" (or "I need to see a therapist"), the request form for each server they share with
Kindred where peer support is set up and they are not blocked; to any other DM the crisis
detector left unanswered that only asks for help, says hello ("help", "hello",
"/support" typed as text) or asks what Kindred is or does ("what is this bot?", "who are
you", "qué es esto"), a short note that
Kindred is a bot, how to reach a peer (the same buttons) and `/crisis`, at most once an hour
(the rule: ``RequestService.dm_help_due``). Blocked everywhere they would be offered: the kind
blocked-member answer with the lines, at once.

While the Safety cog reads DMs, a plea waits for its decision (``SafetyService.decides_dm_pleas``):
crisis words, or a respite or a warmline asked for beside it, get the Safety cog's one reply
with these buttons under it (``bot/ui/offers.py``); otherwise it dispatches
``kindred_unanswered_dm`` and the offer comes from here. Without the Safety cog, at once."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.services.requests.messages import dm_help_text
from bot.ui.offers import MAX_OFFERED, offer_text, peer_offer
from cogs.support.cards import SupportBase

__all__ = ["MAX_OFFERED", "IntakeOffers"]


class IntakeOffers(SupportBase):
    @commands.Cog.listener("on_kindred_unanswered_dm")
    async def on_unanswered_dm(self, message: discord.Message) -> None:
        """A DM the crisis detector did not answer (the Safety cog dispatches it): a plea
        gets the offer of a peer; "help" the note on how to reach one, when the service
        says it is due."""
        route = await self.requests.plea_route(message.author.id, message.content)
        if route.offer_intake or route.professional:
            lang = await self.services.safety.language_for(message.author.id, route.lang)
            await self._offer_intake(message, lang, professional=route.professional)
            return
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
        offer = await peer_offer(self.bot, self.services, message.author.id, lang)
        if offer.buttons:
            view = discord.ui.View(timeout=None)
            for button in offer.buttons:
                view.add_item(button)
            if help_note:
                text = dm_help_text(lang, offered=True)
            else:
                text = offer_text(offer, lang, professional=professional)
            await message.channel.send(text, view=view)
        elif offer.blocked is not None:
            resources = await self._resources_text(
                offer.blocked[0], message.author.id, intro=False, waiting=False, lang=lang
            )
            await message.channel.send(offer_text(offer, lang) + "\n\n" + resources)
        elif help_note:
            await message.channel.send(dm_help_text(lang, offered=False))
        else:
            await message.channel.send(offer_text(offer, lang, professional=professional))
