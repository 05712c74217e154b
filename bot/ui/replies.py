"""How Kindred answers: privately by default, kindly, and never pinging anyone by accident."""

from __future__ import annotations

import logging
import secrets

import discord

log = logging.getLogger(__name__)

COLOUR = discord.Colour.from_rgb(94, 129, 172)
WARM = discord.Colour.from_rgb(208, 135, 112)


def incident_id() -> str:
    return secrets.token_hex(4).upper()


async def send_private(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Answer ephemerally, whether or not the interaction has been answered already.
    Text is cut to Discord's 2,000 characters, so an echo of long input can never make the
    answer itself fail."""
    kwargs: dict = {"ephemeral": True}
    if content is not None:
        kwargs["content"] = content if len(content) <= 2000 else content[:1999] + "…"
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def unexpected_error_text(incident: str) -> str:
    return (
        "Sorry, something went wrong on my side and nothing was changed. "
        f"If it keeps happening, tell a moderator the incident id **{incident}**."
    )


async def report_unexpected(interaction: discord.Interaction, error: BaseException) -> None:
    incident = incident_id()
    log.error(
        "incident %s in %s (guild %s)",
        incident,
        getattr(interaction.command, "qualified_name", "component"),
        interaction.guild_id,
        exc_info=error,
    )
    try:
        await send_private(interaction, unexpected_error_text(incident))
    except discord.HTTPException:
        log.warning("could not tell the user about incident %s", incident)
