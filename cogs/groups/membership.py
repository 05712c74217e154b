"""Joining and leaving: ``/group join`` and ``/group leave``, the panel's buttons, reading the
guidelines and "I accept". The role is given only after the member accepted the version of the
guidelines that applies now."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ConflictError, NotFoundError, PermissionDeniedError
from bot.i18n import N_, render
from bot.services import Services
from bot.services.groups import (
    GroupRow,
    GroupService,
    GroupUnavailableError,
    JoinPlan,
    Problem,
    StaleGuidelinesError,
)
from bot.ui.replies import error_text, localized, reader_language, send_private
from cogs.groups import discord_ops as ops
from cogs.groups.groups import group as group_cmd
from cogs.groups.groups import group_autocomplete, my_group_autocomplete
from cogs.groups.views import CardCase, accept_view, guidelines_embed

log = logging.getLogger(__name__)

# "I accept" pressed by a member who already has the role: a whole text per whose guidelines
THANKS = {
    "group": N_(
        "Thank you: you've accepted this group's own guidelines, version {version} of **{group}**."
    ),
    "server": N_(
        "Thank you: you've accepted the server's guidelines, version {version} of **{group}**."
    ),
}


# The welcome after a join, a whole text per case of the group's channel: none, one the member
# sees, or one the server keeps to some roles (say, verified members)
WELCOME = {
    "none": N_("Welcome to **{group}**. You can leave any time with `/group leave`."),
    "channel": N_(
        "Welcome to **{group}**. Your group's channel: {channel}. You can leave any time with "
        "`/group leave`."
    ),
    "hidden": N_(
        "Welcome to **{group}**. Its channel, {channel}, is open to the people this server has "
        "let into it, so you may not see it yet; a moderator can tell you more. You can leave "
        "any time with `/group leave`."
    ),
}
LEFT = N_("You've left **{group}**. You're welcome back any time.")
IN_A_SERVER = N_("Groups live in a server; run this there.")
BUTTON_IN_A_SERVER = N_("That button belongs to a server.")


def _role_ids(interaction: discord.Interaction) -> list[int]:
    return [r.id for r in getattr(interaction.user, "roles", [])]


class MembershipCommands:
    """Mixed into the ``Groups`` cog; the buttons call ``on_group_button`` and ``on_accept``."""

    bot: commands.Bot
    services: Services
    service: GroupService

    # from the upkeep room (cogs/groups/upkeep.py)
    _report: Callable[[int, str], Awaitable[None]]
    _report_problem: Callable[[Problem], Awaitable[None]]

    @group_cmd.command(name="join", extras={"server_only": True})
    @app_commands.describe(name="Which group (start typing to see them)")
    @app_commands.autocomplete(name=group_autocomplete)
    async def join(self, interaction: discord.Interaction, name: str) -> None:
        """Join a support group (you'll read and accept its guidelines first)."""
        if interaction.guild_id is None:
            await send_private(interaction, await localized(interaction, IN_A_SERVER))
            return
        group = await self.service.active(interaction.guild_id, name)
        await self._join(interaction, group.id)

    @group_cmd.command(name="leave", extras={"server_only": True})
    @app_commands.describe(name="Which group")
    @app_commands.autocomplete(name=my_group_autocomplete)
    async def leave(self, interaction: discord.Interaction, name: str) -> None:
        """Leave a support group. You can come back any time."""
        if interaction.guild_id is None:
            await send_private(interaction, await localized(interaction, IN_A_SERVER))
            return
        group = await self.service.by_name(interaction.guild_id, name)
        await self._leave(interaction, group.id)

    async def on_group_button(
        self, interaction: discord.Interaction, action: str, group_id: int
    ) -> None:
        if interaction.guild_id is None:  # a forged id in DMs: nothing to do
            raise NotFoundError(BUTTON_IN_A_SERVER)
        if action == "join":
            await self._join(interaction, group_id)
        elif action == "leave":
            await self._leave(interaction, group_id)
        else:
            await self._read(interaction, group_id)

    async def on_accept(self, interaction: discord.Interaction, group_id: int, tag: str) -> None:
        if interaction.guild_id is None:
            raise NotFoundError(BUTTON_IN_A_SERVER)
        try:
            plan = await self.service.accept(
                interaction.guild_id, group_id, interaction.user.id, tag
            )
        except StaleGuidelinesError as stale:
            await self._show_guidelines(
                interaction,
                stale.plan,
                await error_text(interaction, stale),
                member=stale.plan.group.role_id in _role_ids(interaction),
            )
            return
        group = plan.group
        if group.role_id in _role_ids(interaction):
            await self.service.joined(group, interaction.user.id)
            thanks = await localized(
                interaction,
                THANKS[plan.guidelines.scope],
                version=plan.guidelines.version,
                group=group.name,
            )
            await send_private(interaction, thanks)
            return
        await self._grant(interaction, group)

    # -- the steps -----------------------------------------------------------------------------
    async def _join(self, interaction: discord.Interaction, group_id: int) -> None:
        assert interaction.guild_id is not None
        plan = await self.service.plan_join(
            interaction.guild_id, group_id, interaction.user.id, _role_ids(interaction)
        )
        if plan.needs_acceptance:
            await self._show_guidelines(interaction, plan)
        else:
            await self._grant(interaction, plan.group)

    async def _read(self, interaction: discord.Interaction, group_id: int) -> None:
        assert interaction.guild_id is not None
        group = await self.service.get(group_id, interaction.guild_id)
        guidelines = await self.service.guidelines_for(group)
        if await self.service.has_accepted(group, interaction.user.id, guidelines):
            lang = await reader_language(interaction)
            embed = guidelines_embed(group, guidelines, case="read", lang=lang)
            note = render(lang, N_("You've accepted these already."))
            await send_private(interaction, note, embed=embed)
            return
        # a member (their role says so) keeps their place: asked to accept the new version,
        # never told to join
        member = group.role_id in _role_ids(interaction)
        await self._show_guidelines(interaction, JoinPlan(group, guidelines, True), member=member)

    async def _show_guidelines(
        self,
        interaction: discord.Interaction,
        plan: JoinPlan,
        note: str | None = None,
        *,
        member: bool = False,
    ) -> None:
        lang = await reader_language(interaction)
        case: CardCase = "member" if member else "join"
        embed = guidelines_embed(plan.group, plan.guidelines, case=case, lang=lang)
        await send_private(interaction, note, embed=embed, view=accept_view(plan, lang))

    async def _grant(self, interaction: discord.Interaction, group: GroupRow) -> None:
        assert interaction.guild is not None
        if group.channel_id and interaction.guild.get_channel(group.channel_id) is None:
            await self._channel_missing(interaction.guild, group)
        await self._change_role(interaction.guild, group, interaction.user.id, add=True)
        await self.service.joined(group, interaction.user.id)
        case = "channel" if group.channel_id else "none"
        channel = interaction.guild.get_channel(group.channel_id or 0)
        member = interaction.user
        if (
            channel is not None
            and isinstance(member, discord.Member)
            and not group.private
            and not channel.permissions_for(member).view_channel
        ):  # an open group on a channel the server keeps to some roles (say, verified members)
            case = "hidden"
        welcome = await localized(
            interaction, WELCOME[case], group=group.name, channel=f"<#{group.channel_id}>"
        )
        await send_private(interaction, welcome)

    async def _leave(self, interaction: discord.Interaction, group_id: int) -> None:
        guild = interaction.guild
        assert guild is not None
        group = await self.service.plan_leave(
            guild.id, group_id, interaction.user.id, _role_ids(interaction)
        )
        if group.role_id in _role_ids(interaction) and guild.get_role(group.role_id or 0):
            await self._change_role(guild, group, interaction.user.id, add=False)
        await self.service.left(group, interaction.user.id)
        await send_private(interaction, await localized(interaction, LEFT, group=group.name))

    async def _change_role(
        self, guild: discord.Guild, group: GroupRow, user_id: int, *, add: bool
    ) -> None:
        """Give or take the group's role; a refusal whose fix is the moderators' is reported
        to them, and the member gets a short, kind answer."""
        role = guild.get_role(group.role_id or 0)
        if role is None:
            await self._role_missing(guild, group)
        assert role is not None
        try:
            await (ops.give_role if add else ops.take_role)(self.bot, guild, user_id, role)
        except ops.MemberGoneError:
            await self.service.member_gone(guild.id, user_id)
            raise
        except ops.RoleGoneError:
            await self._role_missing(guild, group)
        except PermissionDeniedError as exc:
            await self._report(guild.id, f"**{group.name}**: {exc.user_message}")
            if add:
                text = N_(
                    "I couldn't give you the **{group}** role: Discord refused. Moderators were "
                    "told how to fix it; please try again later."
                )
            else:
                text = N_(
                    "I couldn't take back the **{group}** role: Discord refused. Moderators "
                    "were told how to fix it; please try again later."
                )
            raise ConflictError(text, group=group.name) from exc

    async def _role_missing(self, guild: discord.Guild, group: GroupRow) -> NoReturn:
        problem = await self.service.role_gone(guild.id, group.role_id or 0)
        if problem is not None:
            await self._report_problem(problem)
        raise GroupUnavailableError(group, {"role"})

    async def _channel_missing(self, guild: discord.Guild, group: GroupRow) -> NoReturn:
        """The group's channel is gone and no deletion event told Kindred: the moderators are
        told now, and nobody is welcomed to a channel that no longer exists."""
        problem = await self.service.channel_gone(guild.id, group.channel_id or 0)
        if problem is not None:
            await self._report_problem(problem)
        raise GroupUnavailableError(group, {"channel"})
