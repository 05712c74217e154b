"""``/selfhelp``: the library's topic list and its pages, turned with Previous / Next."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_
from bot.services.selfhelp import Matches, SelfHelpServices
from bot.ui.replies import localized, reader_language, send_private
from cogs.selfhelp.groups import topic_autocomplete
from cogs.selfhelp.text import index_embed, matches_text, page_embed
from cogs.selfhelp.views import page_view


class LibraryRoom:
    """Mixed into the ``SelfHelp`` cog; ``PageButton`` calls ``on_page_button``."""

    selfhelp: SelfHelpServices

    @app_commands.command(name="selfhelp")
    @app_commands.describe(
        topic="A topic, e.g. grounding, breathing, sleep (leave empty to list them all)",
        share="Also post it in this channel for others (default: only you see it)",
    )
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def selfhelp_command(
        self, interaction: discord.Interaction, topic: str | None = None, share: bool = False
    ) -> None:
        """Short self-help pages in plain language: grounding, breathing, sleep and more."""
        library = self.selfhelp.library
        if topic is None or not topic.strip():
            topics = await library.topics(interaction.guild_id, interaction.user.id)
            lang = await reader_language(interaction)
            await send_private(interaction, embed=index_embed(topics, lang))
            return
        reading = await library.look_up(interaction.guild_id, interaction.user.id, topic)
        lang = await reader_language(interaction)
        if isinstance(reading, Matches):
            # no page is called that, several match it: the member picks one
            await send_private(interaction, matches_text(reading, lang))
            return
        embed, view = page_embed(reading, lang), page_view(reading, interaction.guild_id, lang)
        if share and interaction.guild_id is not None and not interaction.permissions.send_messages:
            await send_private(
                interaction,
                await localized(
                    interaction, N_("You can't post in this channel, so here it is just for you.")
                ),
                embed=embed,
                view=view,
            )
            return
        if not share:
            await send_private(interaction, embed=embed, view=view)
            return
        if interaction.guild_id is None:
            # our DMs: nobody else reads them, so the page is shown once, just for them
            text = N_(
                "This is our private chat, so the page is just for you. In a server's channel, "
                "`share:True` posts it there for others."
            )
            await send_private(
                interaction, await localized(interaction, text), embed=embed, view=view
            )
            return
        text = N_(
            "Posted “{title}” here for everyone. Its buttons open a private copy "
            "for whoever presses them."
        )
        title = reading.topic.title
        await send_private(interaction, await localized(interaction, text, title=title))
        # a post everyone reads: English, and its Talk to a peer in each presser's language
        posted = page_embed(reading), page_view(reading, interaction.guild_id, posted=True)
        await interaction.followup.send(embed=posted[0], view=posted[1])

    async def on_page_button(
        self, interaction: discord.Interaction, scope: int, index: int, slug: str
    ) -> None:
        reading = await self.selfhelp.library.turn(
            scope, interaction.guild_id, interaction.user.id, slug, index
        )
        lang = await reader_language(interaction)
        embed, view = page_embed(reading, lang), page_view(reading, interaction.guild_id, lang)
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            # the reader's own private copy: turn the page in place
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            # a page posted for everyone: the presser gets their own copy, the post stays
            await send_private(interaction, embed=embed, view=view)
