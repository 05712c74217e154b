"""Members' resource commands: /crisis, /resources, /respite, /warmline, /region, and the
server's own resources (/safety resources add|remove|list). Answers are private."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_
from bot.safety.listings import listing, no_region_listing, respite_needs_state
from bot.safety.messages import crisis_command_reply, format_entry
from bot.services import Services
from bot.services.resources import NotAUSStateError, RegionPlace, region_name
from bot.services.safety import (
    GUILD_RESOURCE_KINDS,
    MAX_RESOURCE_CONTACT,
    MAX_RESOURCE_HOURS,
    MAX_RESOURCE_NAME,
    RegionNeededError,
)
from bot.ui.checks import guild_only, moderator_only
from bot.ui.replies import (
    error_text,
    localized,
    reader_language,
    send_private,
    send_private_pages,
)
from bot.ui.resources import safe_embed
from cogs.safety.groups import REGION, RESOURCES
from cogs.safety.views import talk_view

COMMON_REGIONS = [
    "US", "GB", "IE", "CA", "AU", "NZ", "IN", "DE", "AT", "CH", "FR", "BE", "ES", "PT", "BR",
    "MX", "AR", "US-CA", "US-NY", "US-TX", "US-FL", "US-MA", "US-VT", "US-WI",
]  # fmt: skip


async def region_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    needle = current.strip().upper()[:10]
    return [app_commands.Choice(name=c, value=c) for c in COMMON_REGIONS if needle in c][:25]


class ResourcesMixin:
    """Resource commands (part of the Safety cog)."""

    services: Services

    @app_commands.command(name="crisis")
    @app_commands.describe(region="Optional: a country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def crisis(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Crisis lines for your region, shown only to you."""
        safety = self.services.safety
        lang = await reader_language(interaction)
        ctx = await safety.crisis_context(
            interaction.guild_id, interaction.user.id, region=region, language=lang
        )
        guild_id = interaction.guild_id
        peers_ready = guild_id is not None and await safety.peers_ready(
            guild_id, interaction.user.id
        )
        message = crisis_command_reply(
            ctx.lines,
            ctx.directory,
            ctx.region_known,
            ctx.stale,
            ctx.unverified,
            emergency=ctx.emergency,
            last_checked=ctx.last_checked,
            region_label=region_name(ctx.region, lang) if ctx.region else None,
            unrecognised=ctx.unrecognised,
            suggestion=(
                region_name(ctx.suggested_code, lang) if ctx.suggested_code else ctx.suggestion
            ),
            suggested_code=ctx.suggested_code,
            peer_button=peers_ready,
            lang=lang,
        )
        view = talk_view(guild_id, lang) if guild_id is not None and peers_ready else None
        await send_private(interaction, embed=safe_embed(message), view=view)

    async def _listing(
        self, interaction: discord.Interaction, kind: str, where: str, entries
    ) -> None:
        lang = await reader_language(interaction)
        url = self.services.safety.international_directory().contacts[0].value
        message = listing(
            kind,
            where,
            entries,
            self.services.clock().date(),
            lang,
            directory_url=url.removeprefix("https://").rstrip("/"),
            label=region_name(where, lang),
        )
        # every line, over several messages if needed: a server's own resources are listed
        # first, and a cut could take a phone number or the shipped lines after them
        await send_private_pages(
            interaction, message.title, "\n".join(message.body), footer=message.footer
        )

    async def _no_region(
        self, interaction: discord.Interaction, kind: str, error: RegionNeededError
    ) -> None:
        """No region known: ask for one, and still give the worldwide directory, /crisis and
        a peer (never only a form to fill in)."""
        lang = await reader_language(interaction)
        message = no_region_listing(
            kind,
            await error_text(interaction, error),
            self.services.safety.international_directory(),
            self.services.clock().date(),
            lang,
        )
        await send_private_pages(
            interaction, message.title, "\n".join(message.body), footer=message.footer
        )

    @app_commands.command(name="resources")
    @app_commands.describe(region="A country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def resources(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Crisis lines, warmlines and referral services for a region."""
        try:
            code, entries = await self.services.safety.resources_listing(
                interaction.guild_id, interaction.user.id, region
            )
        except RegionNeededError as exc:
            await self._no_region(interaction, "resources", exc)
            return
        await self._listing(interaction, "resources", code, entries)

    @app_commands.command(name="respite")
    @app_commands.describe(state="A US state, e.g. NY or Vermont")
    async def respite(self, interaction: discord.Interaction, state: str) -> None:
        """Peer respites (short, voluntary, non-clinical stays) in a US state."""
        try:
            code, entries = await self.services.safety.respites_listing(interaction.guild_id, state)
        except NotAUSStateError as exc:
            lang = await reader_language(interaction)
            near = exc.suggested_code
            text = respite_needs_state(
                exc.text,
                region=exc.region,
                suggestion=region_name(near, lang) if near else exc.suggestion,
                lang=lang,
            )
            await send_private(interaction, text)
            return
        await self._listing(interaction, "respite", code, entries)

    @app_commands.command(name="warmline")
    @app_commands.describe(region="A country or US state, e.g. US-CA")
    @app_commands.autocomplete(region=region_autocomplete)
    async def warmline(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Warmlines: peer-run lines for when you want to talk, before things are a crisis."""
        try:
            code, entries = await self.services.safety.warmlines_listing(
                interaction.guild_id, interaction.user.id, region
            )
        except RegionNeededError as exc:
            await self._no_region(interaction, "warmline", exc)
            return
        await self._listing(interaction, "warmline", code, entries)

    @REGION.command(name="set")
    @app_commands.describe(region="Your country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def region_set(self, interaction: discord.Interaction, region: str) -> None:
        """Tell Kindred where you are, so it shows the right lines (stored only for this)."""
        code = await self.services.safety.set_region(interaction.user.id, region)
        text = N_("Your region is **{region}**. `/region clear` removes it.")
        place = RegionPlace(code)  # named in the member's language, with its code
        await send_private(interaction, await localized(interaction, text, region=place))

    @REGION.command(name="clear")
    async def region_clear(self, interaction: discord.Interaction) -> None:
        """Forget your region."""
        await self.services.safety.clear_region(interaction.user.id)
        await send_private(interaction, await localized(interaction, N_("Your region is cleared.")))

    # -- the server's own resources ------------------------------------------------------------
    @RESOURCES.command(name="add")
    @moderator_only()
    @app_commands.describe(
        kind="crisis_line, warmline, respite, referral or directory",
        contact="A phone number or web address",
        region="Where it applies (e.g. US-NY); empty for everyone",
        source_url="Where you verified it",
    )
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in GUILD_RESOURCE_KINDS])
    async def resources_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_RESOURCE_NAME],
        kind: str,
        contact: app_commands.Range[str, 1, MAX_RESOURCE_CONTACT],
        region: str = "*",
        hours: app_commands.Range[str, 0, MAX_RESOURCE_HOURS] = "",
        source_url: str | None = None,
    ) -> None:
        """Add a local resource; it is shown before the shipped directory."""
        assert interaction.guild_id is not None
        entry = await self.services.safety.add_resource(
            interaction.guild_id,
            name=name,
            kind=kind,
            contact=contact,
            region=region,
            hours=hours,
            source_url=source_url,
            actor_id=interaction.user.id,
        )
        text = N_("Added: {entry} (#{number}).")
        params = {"entry": format_entry(entry), "number": entry.id[6:]}
        await send_private(interaction, await localized(interaction, text, **params))

    @RESOURCES.command(name="remove")
    @moderator_only()
    async def resources_remove(self, interaction: discord.Interaction, resource_id: int) -> None:
        """Remove a local resource by its number."""
        assert interaction.guild_id is not None
        await self.services.safety.remove_resource(interaction.guild_id, resource_id)
        text = N_("Removed local resource #{number}.")
        await send_private(interaction, await localized(interaction, text, number=resource_id))

    @RESOURCES.command(name="list")
    @guild_only()
    async def resources_list(self, interaction: discord.Interaction) -> None:
        """This server's own resources."""
        assert interaction.guild_id is not None
        entries = await self.services.safety.guild_resources(interaction.guild_id, every=True)
        text = "\n".join(f"#{e.id[6:]} {format_entry(e)}" for e in entries)
        if not text:
            text = await localized(interaction, N_("No local resources yet."))
        await send_private(interaction, text)
