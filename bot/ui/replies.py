"""How Kindred answers: privately by default, kindly, and never pinging anyone by accident."""

from __future__ import annotations

import logging
import secrets

import discord

from bot.errors import KindredError
from bot.i18n import N_, lang_from_locale
from bot.text import DISCORD_LIMIT, EMBED_DESCRIPTION, prefixed_messages

log = logging.getLogger(__name__)

COLOUR = discord.Colour.from_rgb(94, 129, 172)
WARM = discord.Colour.from_rgb(208, 135, 112)


async def reader_language(interaction: discord.Interaction) -> str:
    """The language to answer the person behind ``interaction`` in: the one they chose
    (``/language set``), else their Discord app's, else English."""
    services = interaction.client.services  # type: ignore[attr-defined]
    return await services.safety.language_for(
        interaction.user.id, lang_from_locale(interaction.locale)
    )


async def carried_language(interaction: discord.Interaction, carried: str | None) -> str:
    """The language to answer a button under one of Kindred's private replies in: the one the
    member chose (``/language set``), else the reply's own (``carried`` in the button's custom
    id), else their Discord app's (a button sent before it carried one), else English."""
    if not carried:
        return await reader_language(interaction)
    services = interaction.client.services  # type: ignore[attr-defined]
    return await services.safety.language_for(interaction.user.id, carried)


async def error_text(
    interaction: discord.Interaction, error: KindredError, carried: str | None = None
) -> str:
    """A service's error, in the language of the person who met it (English if unsure); met
    under one of Kindred's private replies whose button carries its language (``carried``),
    in that language as the button's own answer would be (``carried_language``)."""
    try:
        lang = await carried_language(interaction, carried)
    except Exception:  # the preference could not be read: the English text still helps
        log.exception("could not read the language for an error reply")
        return error.user_message
    return error.message_in(lang)


async def localized(interaction: discord.Interaction, text: str, /, **params: object) -> str:
    """A text the Discord layer writes itself (marked ``N_()``, values as ``{placeholders}``
    and keyword arguments), in the reader's language, with a service error's fallbacks:
    English when untranslated, broken, or when the language cannot be read."""
    return await error_text(interaction, KindredError(text, **params))


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
    Text longer than one message goes as several private messages, cut after a line break or
    a space (``bot/text.py``), so nothing in it is lost (a list of people's words, an echo of
    long input); the embed goes with the first, the view with the last."""
    pieces: list[str | None] = [content]
    if content is not None and len(content) > DISCORD_LIMIT:
        pieces = list(prefixed_messages("", content))
    for i, piece in enumerate(pieces):
        kwargs: dict = {"ephemeral": True}
        if piece is not None:
            kwargs["content"] = piece
        if embed is not None and i == 0:
            kwargs["embed"] = embed
        if view is not None and i == len(pieces) - 1:
            kwargs["view"] = view
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)
        else:
            await interaction.response.send_message(**kwargs)


async def send_private_pages(
    interaction: discord.Interaction,
    title: str,
    text: str,
    *,
    colour: discord.Colour = COLOUR,
    footer: str | None = None,
) -> None:
    """A long listing as private embeds, one per message: the description is cut after a
    blank line or a line break (never inside a line when lines fit), the title says which
    part, the footer goes on the last. Nothing in ``text`` is left out."""
    parts = prefixed_messages("", text, EMBED_DESCRIPTION) or [""]
    for i, part in enumerate(parts):
        name = title if len(parts) == 1 else f"{title} ({i + 1}/{len(parts)})"
        embed = discord.Embed(title=name, description=part or None, colour=colour)
        if footer and i == len(parts) - 1:
            embed.set_footer(text=footer)
        await send_private(interaction, embed=embed)


UNEXPECTED = N_(
    "Sorry, something went wrong on my side and nothing was changed. "
    "If it keeps happening, tell a moderator the incident id **{incident}**."
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
        await send_private(interaction, await localized(interaction, UNEXPECTED, incident=incident))
    except discord.HTTPException:
        log.warning("could not tell the user about incident %s", incident)
