"""Who may do what. Checks run at the edge, before any service is called."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.services.settings import CoreSettings


class RefusedError(app_commands.CheckFailure):
    """A check said no; ``user_message`` says why, kindly. (Checks must raise CheckFailure
    subclasses: discord.py only routes AppCommandErrors to the tree's error handler.)"""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotModeratorError(app_commands.CheckFailure):
    user_message = (
        "This command is for moderators (Manage Server, or the moderator role set with "
        "`/kindred set moderator-role`)."
    )


class GuildOnlyError(app_commands.CheckFailure):
    user_message = "This command works inside a server, not in DMs."


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server (as Discord resolved it for this interaction) or the configured role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    services = interaction.client.services  # type: ignore[attr-defined]
    core = await services.settings.get(interaction.guild_id, CoreSettings)
    return core.moderator_role_id is not None and any(
        role.id == core.moderator_role_id for role in interaction.user.roles
    )


def moderator_only():
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        if not await is_moderator(interaction):
            raise NotModeratorError()
        return True

    predicate.audience = "moderator"  # type: ignore[attr-defined]  # read by /kindred help
    return app_commands.check(predicate)


def audience_of(command: app_commands.Command) -> str:
    """member, peer or moderator: from the command's checks or its ``extras``."""
    if "audience" in command.extras:
        return str(command.extras["audience"])
    for check in command.checks:
        audience = getattr(check, "audience", None)
        if audience:
            return str(audience)
    return "member"


def guild_only():
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        return True

    return app_commands.check(predicate)


async def is_peer_or_moderator(interaction: discord.Interaction) -> bool:
    """The presser holds this guild's peer role, or is a moderator here."""
    from bot.services.peers import PeerSettings

    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if await is_moderator(interaction):
        return True
    services = interaction.client.services  # type: ignore[attr-defined]
    cfg = await services.settings.get(interaction.guild_id, PeerSettings)
    return cfg.peer_role_id is not None and any(
        role.id == cfg.peer_role_id for role in interaction.user.roles
    )
