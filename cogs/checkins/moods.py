"""Answering a mood press, on a channel post (anonymous counts) or a personal DM (the member's
own history): a thank-you, a peer button, and crisis lines for the lowest mood, privately and
in the member's language (the one they chose, else their Discord app's)."""

from __future__ import annotations

import discord

from bot.safety.messages import button_labels
from bot.services import Services
from bot.services.checkins import (
    CheckinService,
    channel_mood_head,
    mood_support_lines,
    personal_mood_head,
)
from bot.ui.lookup import is_member, only_shared_guild
from bot.ui.replies import reader_language, send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.resources import context as crisis_context


class MoodReplies:
    """Mixed into the ``Checkins`` cog; the mood buttons call ``on_mood`` and
    ``on_personal_mood``."""

    bot: discord.Client
    services: Services
    service: CheckinService

    async def _support_lines(
        self,
        level: int,
        lowest: bool,
        guild_id: int | None,
        user_id: int,
        lang: str,
        peer_button: bool = True,
        peer_support: bool = True,
    ) -> list[str]:
        """For the lowest mood, crisis lines for the member's region (theirs, else the
        server's) from the dated resource directory, those in their language first; the
        worldwide directory when the region is unknown."""
        if not lowest:
            return mood_support_lines(
                level, lowest, lang=lang, peer_button=peer_button, peer_support=peer_support
            )
        region = await self.services.safety.region_for(guild_id, user_id)
        ctx = crisis_context(region, self.services.clock(), language=lang)
        return mood_support_lines(
            level,
            lowest,
            lines=ctx.lines,
            directory=ctx.directory,
            emergency=ctx.emergency,
            lang=lang,
            peer_button=peer_button,
            peer_support=peer_support,
        )

    async def _mood_reply(
        self,
        interaction: discord.Interaction,
        level: int,
        lowest: bool,
        guild_id: int | None,
        head: str,
        lang: str,
        *,
        peers_of: int | None,
    ) -> None:
        """The lines for ``guild_id``'s region; "Talk to a peer" for ``peers_of`` (if any),
        only where its peer support is set up (its button would open a form that can only be
        refused): else no peer is offered, and the answer says what there is instead."""
        peer_support = True
        if peers_of is not None and not await self.services.safety.peers_ready(
            peers_of, interaction.user.id
        ):
            peers_of, peer_support = None, False
        lines = [head]
        lines.extend(
            await self._support_lines(
                level,
                lowest,
                guild_id,
                interaction.user.id,
                lang,
                peers_of is not None,
                peer_support,
            )
        )
        view = None
        if peers_of is not None:
            view = discord.ui.View(timeout=None)
            view.add_item(TalkToPeerButton(peers_of, button_labels(lang)["talk"], lang))
        await send_private(interaction, "\n".join(lines), view=view)

    async def on_mood(self, interaction: discord.Interaction, post_id: int, level: int) -> None:
        # channel posts live in a server: a press anywhere else is a forged id
        lowest = await self.service.vote(
            post_id, interaction.user.id, level, guild_id=interaction.guild_id or 0
        )
        lang = await reader_language(interaction)
        head = channel_mood_head(level, lang)
        guild_id = interaction.guild_id
        await self._mood_reply(interaction, level, lowest, guild_id, head, lang, peers_of=guild_id)

    async def on_personal_mood(self, interaction: discord.Interaction, level: int) -> None:
        # the DM the button is on: a mood pressed again on the same check-in is one answer
        # (buttons carry no id of their own, so DMs sent before this keep working)
        message_id = interaction.message.id if interaction.message else None
        lowest = await self.service.personal_mood(interaction.user.id, level, message_id)
        guild_id = await self.service.personal_guild(interaction.user.id, interaction.guild_id)
        lang = await reader_language(interaction)
        peer = await self.service.sharing_with(interaction.user.id)
        head = personal_mood_head(level, lang, f"<@{peer}>" if peer else None)
        in_server: bool | None = True
        if guild_id is not None and guild_id != interaction.guild_id:
            # a DM outlives membership: Discord says whether they are still in that server
            in_server = await is_member(self.bot, guild_id, interaction.user.id)
        peers_of = self.service.peers_offered(guild_id, in_server)
        if guild_id is None:
            # set up and pressed in a DM: the one server they share with Kindred, if its
            # peer support is set up (as a need asked for by DM); else no button, and the
            # answer says to use /support in their server
            shared = await only_shared_guild(self.bot, interaction.user.id)
            if shared is not None and await self.services.safety.peers_ready(
                shared, interaction.user.id
            ):
                guild_id = peers_of = shared
        await self._mood_reply(interaction, level, lowest, guild_id, head, lang, peers_of=peers_of)
