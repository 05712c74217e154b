"""The ``/group`` command groups and their autocompletes, shared by the cog's rooms."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import N_
from bot.services import Services
from bot.ui.checks import GuildOnlyError, RefusedError, is_moderator

group = app_commands.Group(
    name="group", description="Support groups: join, leave, post; moderators create and run them."
)
guidelines = app_commands.Group(
    name="guidelines",
    description="Group guidelines: read them; moderators edit them.",
    parent=group,
)
settings = app_commands.Group(
    name="settings", description="A group's settings (moderators).", parent=group
)


def _services(interaction: discord.Interaction) -> Services:
    return interaction.client.services  # type: ignore[attr-defined]


def _choices(names: list[str], current: str) -> list[app_commands.Choice[str]]:
    needle = " ".join(current.split()).casefold()
    return [
        app_commands.Choice(name=n[:100], value=n[:100])
        for n in names
        if not needle or needle in n.casefold()
    ][:25]


async def group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """This server's active groups (and, for moderators, archived ones)."""
    if interaction.guild_id is None:
        return []
    archived = await is_moderator(interaction)
    rows = await _services(interaction).groups.for_guild(
        interaction.guild_id, include_archived=archived
    )
    return _choices([r.name for r in rows], current)


async def my_group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The groups the member is in."""
    if interaction.guild_id is None:
        return []
    rows = await _services(interaction).groups.groups_of(interaction.guild_id, interaction.user.id)
    return _choices([r.name for r in rows], current)


# -- meetings and facilitators ----------------------------------------------------------------
meeting = app_commands.Group(
    name="meeting", description="A group's meetings: when, reminders, attendance.", parent=group
)
facilitator = app_commands.Group(
    name="facilitator", description="Who facilitates a group's meetings, in turn.", parent=group
)


def moderator_or_facilitator():
    """Moderators, or a facilitator of the group named (``group``) or of the meeting's group
    (``meeting``) in the command's options."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        if await is_moderator(interaction):
            return True
        options = interaction.namespace
        if await _services(interaction).meetings.can_manage(
            interaction.guild_id,
            interaction.user.id,
            group_name=getattr(options, "group", None),
            meeting_id=getattr(options, "meeting", None),
        ):
            return True
        raise RefusedError(N_("This command is for moderators and the group's facilitators."))

    predicate.audience = "moderator"  # type: ignore[attr-defined]  # read by /kindred help
    predicate.server_only = True  # type: ignore[attr-defined]  # read by /kindred help
    return app_commands.check(predicate)


async def meeting_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """This server's meetings: ``#3 Grief circle: Monday circle``."""
    if interaction.guild_id is None:
        return []
    services = _services(interaction)
    names = {g.id: g.name for g in await services.groups.for_guild(interaction.guild_id)}
    needle = " ".join(current.split()).casefold().lstrip("#")
    out = []
    for row in await services.meetings.for_guild(interaction.guild_id):
        label = f"#{row.id} {names.get(row.group_id, '?')}: {row.name}"
        if not needle or needle in label.casefold():
            out.append(app_commands.Choice(name=label[:100], value=row.id))
    return out[:25]
