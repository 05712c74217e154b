"""Keeping groups whole: what Discord lost (a deleted channel or role, noticed live from the
gateway and again at start-up), ``/group repair``, telling moderators, and the start-up
reconciliation of memberships with Discord's roles.

Reconciliation is cheap by design (the bot has no members intent): channels and roles come from
the gateway's cache (no REST); memberships cost one role-count call per server with groups, and
member look-ups only for groups whose counts differ from Kindred's."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import KindredError
from bot.i18n import N_
from bot.services import Services
from bot.services.groups import GroupRow, GroupService, Problem, channel_slug
from bot.ui.checks import moderator_only
from bot.ui.lookup import find_channel
from bot.ui.replies import localized, send_private
from cogs.groups import discord_ops as ops
from cogs.groups.groups import group as group_cmd
from cogs.groups.groups import group_autocomplete

log = logging.getLogger(__name__)


def problem_text(problem: Problem, *, meetings: bool = False) -> str:
    """The moderators' report (English: a post in their channel). ``meetings``: the group has
    meetings, whose reminders are held back while its channel is gone."""
    what = " and ".join(f"its {m}" for m in sorted(problem.missing))
    verb = "was" if len(problem.missing) == 1 else "were"
    text = (
        f"Support group **{problem.group.name}**: {what} {verb} deleted on Discord. "
        f"`/group repair {problem.group.name}` makes new ones (members, guidelines and settings "
        f"are kept), or `/group archive {problem.group.name}` ends the group."
    )
    if meetings and "channel" in problem.missing:
        text += (
            " Its meetings' reminders are paused until `/group repair` gives it a channel "
            "again, so nobody is sent to a channel that no longer exists."
        )
    return text


def repair_summary(new_role: bool, members: int, new_channel: bool) -> str:
    """What ``/group repair`` did, as one whole sentence (marked ``N_()``; its values are
    ``group``, ``role``, ``count`` and ``channel``)."""
    if new_role and new_channel:
        if members == 1:
            return N_(
                "**{group}**: I made a new role <@&{role}>, gave it back to {count} member, "
                "made a new channel <#{channel}>, checked who can see the channel."
            )
        return N_(
            "**{group}**: I made a new role <@&{role}>, gave it back to {count} members, "
            "made a new channel <#{channel}>, checked who can see the channel."
        )
    if new_role:
        if members == 1:
            return N_(
                "**{group}**: I made a new role <@&{role}>, gave it back to {count} member, "
                "checked who can see the channel."
            )
        return N_(
            "**{group}**: I made a new role <@&{role}>, gave it back to {count} members, "
            "checked who can see the channel."
        )
    if new_channel:
        return N_(
            "**{group}**: I made a new channel <#{channel}>, checked who can see the channel."
        )
    return N_("**{group}**: I checked who can see the channel.")


class UpkeepCommands:
    """Mixed into the ``Groups`` cog."""

    bot: commands.Bot
    services: Services
    service: GroupService
    reconciliation: asyncio.Task[None] | None
    reconciling: asyncio.Event
    reconcile_stats: dict[str, float]
    _apply_access: Callable[..., Awaitable[None]]  # from the manage room

    # -- telling moderators ----------------------------------------------------------------------
    async def _report(self, guild_id: int, text: str) -> None:
        channel = await find_channel(self.bot, await self.service.moderator_channel(guild_id))
        if channel is None:
            log.warning(
                "groups: a problem in guild %s, and no moderator channel to say so", guild_id
            )
            return
        try:
            await channel.send(text[:2000])
        except discord.HTTPException:
            log.warning("groups: could not report to the moderator channel of %s", guild_id)

    async def _report_problem(self, problem: Problem) -> None:
        meetings = bool(await self.services.meetings.for_group(problem.group.id))
        await self._report(problem.group.guild_id, problem_text(problem, meetings=meetings))

    # -- live events (the GUILDS intent delivers these) --------------------------------------------
    @commands.Cog.listener("on_guild_channel_delete")
    async def _groups_channel_deleted(self, channel: discord.abc.GuildChannel) -> None:
        problem = await self.service.channel_gone(channel.guild.id, channel.id)
        if problem is not None:
            await self._report_problem(problem)

    @commands.Cog.listener("on_guild_role_delete")
    async def _groups_role_deleted(self, role: discord.Role) -> None:
        problem = await self.service.role_gone(role.guild.id, role.id)
        if problem is not None:
            await self._report_problem(problem)

    @commands.Cog.listener("on_raw_member_remove")
    async def _groups_member_left(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Only delivered with the members intent; without it, reconciliation and the 404s
        when giving or taking a role clean up instead."""
        await self.service.member_gone(payload.guild_id, payload.user.id)

    @commands.Cog.listener("on_kindred_group_access")
    async def _groups_access_changed(self, guild_id: int, group_ids: list[int]) -> None:
        """The peer or moderator role changed: these groups' channels let the new one in (and
        the old one out). A refusal is told to moderators with the way to try again."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return
        for group_id in group_ids:
            group = await self.service.find(group_id)
            if group is None or group.guild_id != guild_id:
                continue
            try:
                await self._apply_access(guild, group)
            except KindredError as exc:
                await self._report(
                    guild_id,
                    f"I couldn't update who can see <#{group.channel_id}> (support group "
                    f"**{group.name}**) for the new role: {exc.user_message} "
                    f"`/group repair {group.name}` tries again.",
                )

    # -- start-up --------------------------------------------------------------------------------
    @commands.Cog.listener("on_ready")
    async def _groups_ready(self) -> None:
        if self.reconciliation is None or self.reconciliation.done():
            self.reconciliation = asyncio.create_task(self.reconcile_all(), name="groups-reconcile")
            self.reconciling.set()

    async def wait_reconciled(self) -> None:
        """Tests and benchmarks: wait until the start-up reconciliation is over."""
        await self.reconciling.wait()
        assert self.reconciliation is not None
        await self.reconciliation

    async def reconcile_all(self) -> None:
        started = time.perf_counter()
        totals: Counter[str] = Counter()
        for guild_id in await self.service.guilds_with_groups():
            guild = self.bot.get_guild(guild_id)
            if guild is None or guild.unavailable:
                continue
            try:
                totals.update(await self.reconcile_guild(guild))
                totals["guilds"] += 1
            except Exception:
                log.exception("groups: reconciling guild %s failed", guild_id)
        self.reconcile_stats = {**totals, "seconds": time.perf_counter() - started}

    async def reconcile_guild(self, guild: discord.Guild) -> dict[str, int]:
        """Structure from the cache, then memberships: one role-count call, and member
        look-ups only where counts differ. Returns counts of what it did (for logs and tests)."""
        found = await self.service.check_structure(
            guild.id, {c.id for c in guild.channels}, {r.id for r in guild.roles}
        )
        for problem in found:
            await self._report_problem(problem)
        try:
            counts = await guild.role_member_counts()
        except discord.HTTPException as exc:
            log.warning("groups: no role counts for guild %s (%s)", guild.id, exc.status)
            if isinstance(exc, discord.Forbidden):
                await self._report(
                    guild.id,
                    "I can't keep support groups' memberships in step with their roles: I'm "
                    "missing the **Manage Roles** permission. A server admin can turn it on in "
                    f"Server Settings → Roles → **{guild.me.top_role.name}**.",
                )
            return {"problems": len(found), "checked": 0}
        plan = await self.service.reconciliation(guild.id, {r.id: n for r, n in counts.items()})
        changed = 0
        for user_id in plan.pending():
            roles = await self._member_roles(guild, user_id)
            if roles is False:
                continue
            sync = await self.service.sync_member(guild.id, user_id, roles)
            plan.record(sync)
            changed += sync.changed
        log.info(
            "groups: guild %s reconciled (%d groups differ, %d members looked up, %d changed)",
            guild.id, plan.differing, len(plan.checked), changed,
        )  # fmt: skip
        return {"problems": len(found), "differing": plan.differing, "checked": len(plan.checked)}

    async def _member_roles(self, guild: discord.Guild, user_id: int) -> list[int] | bool | None:
        """The member's role ids; None when they left; False when Discord failed (skip)."""
        try:
            member = await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except discord.HTTPException:
            return False
        return [r.id for r in member.roles]

    # -- /group repair -----------------------------------------------------------------------------
    @group_cmd.command(name="repair")
    @moderator_only()
    @app_commands.describe(name="Which group")
    @app_commands.autocomplete(name=group_autocomplete)
    async def repair(self, interaction: discord.Interaction, name: str) -> None:
        """Make a new channel or role for a group whose ones were deleted (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        group = await self.service.by_name(guild.id, name)
        ops.require_manage(guild)
        await interaction.response.defer(ephemeral=True, thinking=True)
        role = guild.get_role(group.role_id or 0)
        new_role = None
        back = 0
        if role is None:
            role = new_role = await ops.create_role(guild, group.name)
            back = await self._regrant(guild, group, role)
        channel = guild.get_channel(group.channel_id or 0)
        new_channel = None
        if channel is None:
            access = await self.service.access_for(group, guild.me.id, role_id=role.id)
            slug = channel_slug(group.name)
            new_channel = await ops.create_channel(guild, slug, group.description, access, role)
        row = await self.service.repaired(
            group.id, guild.id, interaction.user.id,
            channel_id=new_channel.id if new_channel else None,
            role_id=new_role.id if new_role else None,
        )  # fmt: skip
        await self._apply_access(guild, row, role)
        text = repair_summary(new_role is not None, back, new_channel is not None)
        await send_private(
            interaction,
            await localized(
                interaction,
                text,
                group=row.name,
                role=role.id,
                count=back,
                channel=new_channel.id if new_channel else 0,
            ),
        )

    async def _regrant(self, guild: discord.Guild, group: GroupRow, role: discord.Role) -> int:
        given = 0
        for user_id in await self.service.members(group.id):
            try:
                await ops.give_role(self.bot, guild, user_id, role)
                given += 1
            except ops.MemberGoneError:
                await self.service.member_gone(guild.id, user_id)
        return given
