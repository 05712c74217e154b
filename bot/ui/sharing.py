"""Whether something a member shared in a community (a mood trend, goals, a plan) may still be
read: the member and the reader must still share a server where Kindred is.

A share has no server (a member shares with a person), and Kindred has no members intent, so
it hears of nobody leaving: it asks Discord when it matters. A reader is looked up first in the
server the command came from, else in Kindred's servers; if they no longer share a server with
the member, the reading is refused and nothing is shown. The share itself stays: consent is
the member's.
"""

from __future__ import annotations

import discord

from bot.errors import ConflictError, PermissionDeniedError
from bot.i18n import N_
from bot.ui.lookup import is_member, share_a_server

UNSURE = N_(
    "I couldn't check with Discord just now whether you still share a server with {member}. "
    "Please try again in a moment."
)


async def together(
    bot: discord.Client, interaction: discord.Interaction, other: discord.abc.User | int
) -> bool | None:
    """Whether the person who pressed or typed and ``other`` are both in a server with Kindred
    (None when Discord could not say). A member the command resolved in this server is here;
    otherwise this server is asked first (one call), and only then, after deferring the answer
    (it may take a few calls), Kindred's other servers."""
    other_id = other if isinstance(other, int) else other.id
    here = interaction.guild
    if here is not None:
        if isinstance(other, discord.Member) and other.guild.id == here.id:
            return True
        if await is_member(bot, here.id, other_id):
            return True
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    return await share_a_server(
        bot, interaction.user.id, other_id, skip=here.id if here is not None else None
    )


async def require_together(
    bot: discord.Client, interaction: discord.Interaction, member: discord.abc.User, gone: str
) -> None:
    """Refuse kindly (``gone``, a marked text with ``{member}``, or try again) unless the
    reader still shares a server with the member whose share they read."""
    found = await together(bot, interaction, member)
    if found is None:
        raise ConflictError(UNSURE, member=member.mention)
    if not found:
        raise PermissionDeniedError(gone, member=member.mention)
