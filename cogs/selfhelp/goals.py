"""``/goal``: set, list, done, drop, resume, share and unshare; and the nudge buttons."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import InvalidInputError
from bot.i18n import N_, gettext_for
from bot.services import Services
from bot.services.selfhelp import (
    MAX_TEXT,
    GoalRow,
    SelfHelpServices,
    celebration,
    paused_text,
    still_working_text,
)
from bot.services.selfhelp.messages import (
    dropped_text,
    goal_resumed_text,
    goal_set_text,
    goals_list_text,
    goals_shared_text,
    goals_unshared_text,
    no_goals_text,
    shared_goals_text,
)
from bot.ui.replies import reader_language, send_private
from cogs.selfhelp.groups import goal, goal_autocomplete, zone_autocomplete
from cogs.selfhelp.sharing import GOALS_APART, GOALS_GONE, require_together, together
from cogs.selfhelp.text import goal_line, local, shared_goal_line, when

GONE_PEER = N_(
    "{peer} (no longer in a server with you, so they can't see them: `/goal unshare` to remove)"
)


def _someone_else(user: discord.abc.User, me: discord.abc.User) -> None:
    if user.bot or user.id == me.id:
        raise InvalidInputError(N_("Choose another member (not yourself or a bot)."))


class GoalsRoom:
    """Mixed into the ``SelfHelp`` cog; ``GoalButton`` calls ``on_goal_button``."""

    bot: discord.Client
    services: Services
    selfhelp: SelfHelpServices

    async def _lines(self, goals: list[GoalRow], lang: str) -> list[str]:
        service = self.selfhelp.goals
        return [goal_line(g, await service.next_nudges(g, 1), lang) for g in goals]

    @goal.command(name="set")
    @app_commands.describe(
        text=f"Your goal in a few words (at most {MAX_TEXT} characters)",
        schedule="When to nudge you by DM, e.g. `daily 09:00` or `mon,thu 18:00` (optional)",
        tz="Your time zone (default: your personal check-in's, else the server's)",
    )
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def goal_set(
        self,
        interaction: discord.Interaction,
        text: str,
        schedule: str | None = None,
        tz: str | None = None,
    ) -> None:
        """Set yourself a goal, with gentle nudges by DM if you like (private unless you share)."""
        result = await self.selfhelp.goals.set(
            interaction.user.id, interaction.guild_id, text, schedule, tz
        )
        row, runs = result.goal, result.next_runs
        nxt = runs[0] if runs else None
        lang = await reader_language(interaction)
        text = goal_set_text(
            row,
            when(nxt) if nxt else None,
            local(nxt, row.tz, lang) if nxt and row.tz else None,
            lang,
            result.zone_source,
        )
        await send_private(interaction, text)

    @goal.command(name="list")
    @app_commands.describe(member="Someone who chose to share their goals with you (optional)")
    async def goal_list(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        """Your goals, or the goals a member chose to share with you."""
        service = self.selfhelp.goals
        lang = await reader_language(interaction)  # the reader's: a peer's for shared goals
        if member is not None and member.id != interaction.user.id:
            if interaction.user.id in {s.peer_id for s in await service.shares(member.id)}:
                # shared in a community: not read by someone no longer in one with the member
                await require_together(self.bot, interaction, member, GOALS_GONE)
            goals = await service.shared_goals(member.id, interaction.user.id)
            # the goals and their progress only: their nudges (schedule, zone, paused or
            # why, `/goal resume`) are the member's own
            lines = [shared_goal_line(g, lang) for g in goals]
            await send_private(interaction, shared_goals_text(member.mention, lines, lang))
            return
        goals = await service.mine(interaction.user.id)
        if not goals:
            await send_private(interaction, no_goals_text(lang))
            return
        shares = await service.shares(interaction.user.id)
        _ = gettext_for(lang)
        mentions = []
        for share in shares:
            mention = f"<@{share.peer_id}>"
            # marked when Discord says they no longer share a server; the share stays theirs
            if await together(self.bot, interaction, share.peer_id) is False:
                mention = _(GONE_PEER).format(peer=mention)
            mentions.append(mention)
        lines = await self._lines(goals, lang)
        await send_private(interaction, goals_list_text(lines, mentions, lang))

    @goal.command(name="done")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_done(self, interaction: discord.Interaction, goal: int) -> None:
        """Mark one of your goals as done, and take a moment to celebrate it."""
        row = await self.selfhelp.goals.done(interaction.user.id, goal)
        await send_private(interaction, celebration(row, await reader_language(interaction)))

    @goal.command(name="drop")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_drop(self, interaction: discord.Interaction, goal: int) -> None:
        """Let go of a goal: it and its nudges are deleted."""
        row = await self.selfhelp.goals.drop(interaction.user.id, goal)
        await send_private(interaction, dropped_text(row.text, await reader_language(interaction)))

    @goal.command(name="resume")
    @app_commands.describe(goal="One of your goals whose nudges are paused")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_resume(self, interaction: discord.Interaction, goal: int) -> None:
        """Start a paused goal's nudges again."""
        result = await self.selfhelp.goals.resume(interaction.user.id, goal)
        nxt = when(result.next_runs[0]) if result.next_runs else None
        lang = await reader_language(interaction)
        await send_private(interaction, goal_resumed_text(result.goal.text, nxt, lang))

    @goal.command(name="share")
    @app_commands.describe(peer="Someone you trust, who may then see your goals")
    async def goal_share(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Let a peer you trust see your goals (not your nudge answers)."""
        _someone_else(peer, interaction.user)
        # shared in a community: someone who shares no server with the member could never read
        # them (`/goal list` would refuse), so nothing is shared
        await require_together(self.bot, interaction, peer, GOALS_APART)
        await self.selfhelp.goals.share(interaction.user.id, peer.id)
        lang = await reader_language(interaction)
        await send_private(interaction, goals_shared_text(peer.mention, lang))

    @goal.command(name="unshare")
    @app_commands.describe(peer="Someone you shared your goals with")
    async def goal_unshare(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Stop sharing your goals with someone."""
        await self.selfhelp.goals.unshare(interaction.user.id, peer.id)
        lang = await reader_language(interaction)
        await send_private(interaction, goals_unshared_text(peer.mention, lang))

    # -- the nudge buttons -----------------------------------------------------------------------
    async def on_goal_button(
        self, interaction: discord.Interaction, action: str, goal_id: int
    ) -> None:
        service, user_id = self.selfhelp.goals, interaction.user.id
        # the nudge was in the member's language: so is its answer
        lang = await reader_language(interaction)
        if action == "done":
            text = celebration(await service.done(user_id, goal_id), lang)
        elif action == "going":
            runs = await service.still_working(user_id, goal_id)
            row = await service.own(user_id, goal_id)
            text = still_working_text(row.text, when(runs[0]) if runs else None, lang)
        else:
            row = await service.pause(user_id, goal_id)
            text = paused_text(row.text, lang)
        # the nudge is answered: its buttons go, the answer takes its place
        await interaction.response.edit_message(content=text[:2000], view=None)
