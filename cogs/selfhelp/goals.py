"""``/goal``: set, list, done, drop, resume, share and unshare; and the nudge buttons."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import InvalidInputError
from bot.i18n import lang_from_locale
from bot.services import Services
from bot.services.selfhelp import (
    MAX_TEXT,
    GoalRow,
    SelfHelpServices,
    celebration,
    paused_text,
    still_working_text,
)
from bot.ui.replies import send_private
from cogs.selfhelp.groups import goal, goal_autocomplete, zone_autocomplete
from cogs.selfhelp.text import goal_line, goal_set_text, when


def _someone_else(user: discord.abc.User, me: discord.abc.User) -> None:
    if user.bot or user.id == me.id:
        raise InvalidInputError("Choose another member (not yourself or a bot).")


class GoalsRoom:
    """Mixed into the ``SelfHelp`` cog; ``GoalButton`` calls ``on_goal_button``."""

    services: Services
    selfhelp: SelfHelpServices

    async def _lines(self, goals: list[GoalRow]) -> list[str]:
        service = self.selfhelp.goals
        return [goal_line(g, await service.next_nudges(g, 1)) for g in goals]

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
        """Set yourself a goal, with gentle nudges by DM if you like (only you see it)."""
        result = await self.selfhelp.goals.set(
            interaction.user.id, interaction.guild_id, text, schedule, tz
        )
        await send_private(interaction, goal_set_text(result.goal, result.next_runs))

    @goal.command(name="list")
    @app_commands.describe(member="Someone who chose to share their goals with you (optional)")
    async def goal_list(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        """Your goals, or the goals a member chose to share with you."""
        service = self.selfhelp.goals
        if member is not None and member.id != interaction.user.id:
            goals = await service.shared_goals(member.id, interaction.user.id)
            head = f"{member.mention}'s goals, shared with you by their choice:"
            body = "\n".join(await self._lines(goals)) or "No goals right now."
            await send_private(interaction, f"{head}\n{body}")
            return
        goals = await service.mine(interaction.user.id)
        if not goals:
            await send_private(
                interaction, "You have no goals yet. `/goal set` saves one, privately."
            )
            return
        shares = await service.shares(interaction.user.id)
        shared = ", ".join(f"<@{s.peer_id}>" for s in shares) or "nobody"
        await send_private(
            interaction,
            "Your goals (only you see them):\n"
            + "\n".join(await self._lines(goals))
            + f"\nShared with: {shared}.",
        )

    @goal.command(name="done")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_done(self, interaction: discord.Interaction, goal: int) -> None:
        """Mark one of your goals as done, and take a moment to celebrate it."""
        row = await self.selfhelp.goals.done(interaction.user.id, goal)
        await send_private(interaction, celebration(row))

    @goal.command(name="drop")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_drop(self, interaction: discord.Interaction, goal: int) -> None:
        """Let go of a goal: it and its nudges are deleted."""
        row = await self.selfhelp.goals.drop(interaction.user.id, goal)
        await send_private(
            interaction,
            f"Dropped “{row.text}”. Letting a goal go is a choice too; it's deleted, with its "
            "nudges.",
        )

    @goal.command(name="resume")
    @app_commands.describe(goal="One of your goals whose nudges are paused")
    @app_commands.autocomplete(goal=goal_autocomplete)
    async def goal_resume(self, interaction: discord.Interaction, goal: int) -> None:
        """Start a paused goal's nudges again."""
        result = await self.selfhelp.goals.resume(interaction.user.id, goal)
        nxt = f" Next nudge: {when(result.next_runs[0])}." if result.next_runs else ""
        await send_private(interaction, f"Resumed “{result.goal.text}”.{nxt}")

    @goal.command(name="share")
    @app_commands.describe(peer="Someone you trust, who may then see your goals")
    async def goal_share(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Let a peer you trust see your goals (not your nudge answers)."""
        _someone_else(peer, interaction.user)
        await self.selfhelp.goals.share(interaction.user.id, peer.id)
        await send_private(
            interaction,
            f"{peer.mention} can now see your goals (`/goal list` with you as the member). "
            "They can't change them. `/goal unshare` takes it back at any time.",
        )

    @goal.command(name="unshare")
    @app_commands.describe(peer="Someone you shared your goals with")
    async def goal_unshare(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Stop sharing your goals with someone."""
        await self.selfhelp.goals.unshare(interaction.user.id, peer.id)
        await send_private(interaction, f"{peer.mention} can no longer see your goals.")

    # -- the nudge buttons -----------------------------------------------------------------------
    async def on_goal_button(
        self, interaction: discord.Interaction, action: str, goal_id: int
    ) -> None:
        service, user_id = self.selfhelp.goals, interaction.user.id
        # the nudge was in the member's language: so is its answer
        lang = await self.services.safety.language_for(
            user_id, lang_from_locale(interaction.locale)
        )
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
