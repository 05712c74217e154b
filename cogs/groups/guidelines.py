"""``/group guidelines set`` (a modal, moderators) and ``/group guidelines show``.

A new version never removes anyone: each group it applies to gets one notice in its channel
with a button to read it, and anyone who joins (or rejoins) accepts it first. No DMs."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import N_, gettext_for
from bot.services import Services
from bot.services.groups import MAX_GUIDELINES, GroupService, Guidelines
from bot.ui.checks import moderator_only
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from bot.ui.views import KindredModal, text_input
from cogs.groups.groups import group_autocomplete
from cogs.groups.groups import guidelines as guidelines_cmd
from cogs.groups.views import (
    guidelines_embed,
    guidelines_footer,
    guidelines_notice,
    guidelines_text,
)

log = logging.getLogger(__name__)

# The answer to a saved version, a whole text per case: whose guidelines, how many notices
SAVED = {
    ("group", True): N_(
        "Saved: this group's own guidelines, version {version} for this group. Everyone keeps "
        "their place; anyone who joins accepts this version first. A notice went to {posted} "
        "group channel."
    ),
    ("group", False): N_(
        "Saved: this group's own guidelines, version {version} for this group. Everyone keeps "
        "their place; anyone who joins accepts this version first. A notice went to {posted} "
        "group channels."
    ),
    ("server", True): N_(
        "Saved: the server's guidelines, version {version} for the server's groups that use the "
        "default. Everyone keeps their place; anyone who joins accepts this version first. A "
        "notice went to {posted} group channel."
    ),
    ("server", False): N_(
        "Saved: the server's guidelines, version {version} for the server's groups that use the "
        "default. Everyone keeps their place; anyone who joins accepts this version first. A "
        "notice went to {posted} group channels."
    ),
    # a group's own guidelines cleared: it follows the server's again
    ("default", True): N_(
        "Saved: this group follows the server's guidelines again, version {version}. Everyone "
        "keeps their place; anyone who joins accepts this version first. A notice went to "
        "{posted} group channel."
    ),
    ("default", False): N_(
        "Saved: this group follows the server's guidelines again, version {version}. Everyone "
        "keeps their place; anyone who joins accepts this version first. A notice went to "
        "{posted} group channels."
    ),
}
# The form a moderator fills in, in their language (shown within Discord's 45 characters)
MODAL_TITLE = N_("Group guidelines")
MODAL_LABEL = N_("Guidelines (empty: use the default)")


class GuidelinesModal(KindredModal, title=MODAL_TITLE):
    text: discord.ui.Label = discord.ui.Label(
        text=MODAL_LABEL,
        component=discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=MAX_GUIDELINES,
            required=False,
            custom_id="text",
        ),
    )

    def __init__(
        self, cog: GuidelinesCommands, group_id: int | None, current: Guidelines, lang: str = "en"
    ) -> None:
        super().__init__(custom_id="kindred:grp:guidelines")
        self.cog = cog
        self.group_id = group_id
        self.field.default = current.text[:MAX_GUIDELINES]
        _ = gettext_for(lang)
        self.title = _(MODAL_TITLE)[:45]
        self.text.text = _(MODAL_LABEL)[:45]

    @property
    def field(self) -> discord.ui.TextInput:
        return text_input(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.save_guidelines(interaction, self.group_id, self.field.value)


class GuidelinesCommands:
    """Mixed into the ``Groups`` cog."""

    bot: commands.Bot
    services: Services
    service: GroupService

    @guidelines_cmd.command(name="set")
    @moderator_only()
    @app_commands.describe(name="A group (leave empty for the server's default guidelines)")
    @app_commands.autocomplete(name=group_autocomplete)
    async def set_(self, interaction: discord.Interaction, name: str | None = None) -> None:
        """Write a group's guidelines, or the server's default ones (moderators)."""
        assert interaction.guild_id is not None
        lang = await reader_language(interaction)
        if name:
            group = await self.service.by_name(interaction.guild_id, name)
            current = await self.service.guidelines_for(group)
            modal = GuidelinesModal(self, group.id, current, lang)
        else:
            current = await self.service.server_guidelines(interaction.guild_id)
            modal = GuidelinesModal(self, None, current, lang)
        await interaction.response.send_modal(modal)

    async def save_guidelines(
        self, interaction: discord.Interaction, group_id: int | None, text: str
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.service.set_guidelines(
            interaction.guild_id, group_id, text, interaction.user.id
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = 0
        for group in change.groups:
            channel = interaction.guild.get_channel(group.channel_id or 0)  # type: ignore[union-attr]
            if channel is None:
                continue
            notice, view = guidelines_notice(group, change.guidelines)
            try:
                await channel.send(notice, view=view)
                posted += 1
            except discord.HTTPException:
                log.warning("guidelines notice: could not post in channel %s", channel.id)
        # a group's own version, the server's that the groups using the default get, or a
        # group whose own were cleared and that follows the server's again
        if group_id is None:
            scope = "server"
        else:
            scope = "group" if change.guidelines.scope == "group" else "default"
        text = SAVED[(scope, posted == 1)]
        answer = await localized(
            interaction, text, version=change.guidelines.version, posted=posted
        )
        await send_private(interaction, answer)

    @guidelines_cmd.command(name="show", extras={"server_only": True})
    @app_commands.describe(name="A group (leave empty for the server's default guidelines)")
    @app_commands.autocomplete(name=group_autocomplete)
    async def show(self, interaction: discord.Interaction, name: str | None = None) -> None:
        """Read a group's guidelines (or the server's default ones)."""
        lang = await reader_language(interaction)
        _ = gettext_for(lang)
        if interaction.guild_id is None:
            await send_private(interaction, _("Groups live in a server; run this there."))
            return
        if not name:
            current = await self.service.server_guidelines(interaction.guild_id)
            embed = discord.Embed(
                title=_("Group guidelines (server default)"),
                description=guidelines_text(current, lang)[:4000],
                colour=COLOUR,
            )
            embed.set_footer(text=guidelines_footer(current, case="read", lang=lang))
            await send_private(interaction, embed=embed)
            return
        group = await self.service.by_name(interaction.guild_id, name)
        guidelines = await self.service.guidelines_for(group)
        accepted = await self.service.has_accepted(group, interaction.user.id, guidelines)
        note = _("You've accepted this version.") if accepted else None
        embed = guidelines_embed(group, guidelines, case="read", lang=lang)
        await send_private(interaction, note, embed=embed)
