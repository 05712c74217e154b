"""Scheduled check-ins: moderators' channel check-ins and members' personal DM check-ins.

Thin Discord layer over ``bot.services.checkins``: commands, the posted check-in with its
anonymous mood buttons, the personal DM, and the timer handlers that post them. Mood buttons are
``DynamicItem``s whose custom id carries what they need, so they keep working after a restart.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.repositories.checkins import CheckinRow, PersonalRow
from bot.db.repositories.core import TimerRow
from bot.errors import InvalidInputError
from bot.safety.messages import format_entry
from bot.schedules import timezone_choices
from bot.services import Services
from bot.services.checkins import (
    MOODS,
    PERSONAL,
    POST,
    RETRY,
    CheckinSettings,
    PersonalPlan,
    PostPlan,
    Preview,
    sparkline,
)
from bot.services.peers import PeerSettings
from bot.ui.checks import is_moderator, moderator_only
from bot.ui.lookup import find_channel, find_user
from bot.ui.replies import COLOUR, send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.resources import context as crisis_context
from bot.ui.views import GuardedCallback

log = logging.getLogger(__name__)

MOOD_EMOJI = {1: "😣", 2: "😕", 3: "😐", 4: "🙂", 5: "😄"}
NEEDED = ("View Channel", "Send Messages", "Embed Links")
PERSONAL_PROMPT = "Time for your check-in. How are you feeling right now? Only you see this."


# -- formatting ---------------------------------------------------------------------------------
def _local(moment: datetime, tz: str) -> str:
    """The wall-clock text in the check-in's own zone, e.g. ``Mon 30 Mar 2026, 09:00 BST``."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    return local.strftime("%a %d %b %Y, %H:%M %Z")


def _run_lines(runs: list[datetime], tz: str) -> str:
    if not runs:
        return "No future runs."
    return "\n".join(f"• {discord.utils.format_dt(r, 'F')} — {_local(r, tz)} ({tz})" for r in runs)


def _checkin_line(row: CheckinRow, nxt: datetime | None) -> str:
    state = (
        f"paused ({row.pause_reason})"
        if row.paused
        else (f"next {discord.utils.format_dt(nxt, 'R')}" if nxt else "no next run")
    )
    return f"**#{row.id}** {row.title} in <#{row.channel_id}>: `{row.schedule}` {row.tz} · {state}"


def _preview_text(head: str, preview: Preview) -> str:
    row = preview.checkin
    extras = []
    if row.use_thread:
        extras.append("a thread for replies")
    if row.show_summary:
        extras.append("a summary of earlier moods")
    prompts = f"{len(row.prompts)} prompt(s) of yours" if row.prompts else "the built-in prompts"
    text = (
        f"{head} It is **check-in #{row.id}**: use `{row.id}` with `/checkin edit`, `pause`, "
        "`resume`, `delete` or `run-now`.\n"
        f"**#{row.id} {row.title}** in <#{row.channel_id}>: {preview.description} "
        f"({row.tz}), with {prompts}" + (", " + " and ".join(extras) if extras else "") + ".\n"
    )
    if row.paused:
        text += (
            f"It is paused ({row.pause_reason}). `/checkin resume` restarts it.\nIt would run:\n"
        )
    else:
        text += "Next runs:\n"
    return (text + _run_lines(preview.next_runs, row.tz))[:2000]


def _summary_text(summary: dict[int, int]) -> str:
    total = sum(summary.values())
    if not total:
        return "No answers last time."
    return " · ".join(f"{MOOD_EMOJI[m]} {MOODS[m]}: {summary.get(m, 0)}" for m in sorted(MOODS))


def post_embed(plan: PostPlan) -> discord.Embed:
    embed = discord.Embed(title=plan.checkin.title, description=plan.prompt, colour=COLOUR)
    if plan.summary is not None:
        days = plan.summary_period.days if plan.summary_period else 1
        name = {1: "Yesterday's moods", 7: "Last week's moods"}.get(
            days, f"Moods over the last {days} days"
        )
        embed.add_field(name=f"{name} (anonymous counts)", value=_summary_text(plan.summary))
    embed.set_footer(text="Tap how you feel: answers are anonymous, only totals are kept.")
    return embed


# -- buttons ------------------------------------------------------------------------------------
class MoodButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:mood:(?P<post>\d+):(?P<level>[1-5])",
):
    """A mood on a posted channel check-in; recorded anonymously."""

    def __init__(self, post_id: int, level: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=MOODS[level],
                emoji=MOOD_EMOJI[level],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:mood:{post_id}:{level}",
            )
        )
        self.post_id = post_id
        self.level = level

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> MoodButton:
        return cls(int(match["post"]), int(match["level"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Checkins")
        if cog is None:
            raise InvalidInputError("Check-ins are not available right now.")
        await cog.on_mood(interaction, self.post_id, self.level)


class PersonalMoodButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:pmood:(?P<level>[1-5])",
):
    """A mood on a personal DM check-in; stored for the member alone."""

    def __init__(self, level: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=MOODS[level],
                emoji=MOOD_EMOJI[level],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:pmood:{level}",
            )
        )
        self.level = level

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> PersonalMoodButton:
        return cls(int(match["level"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Checkins")
        if cog is None:
            raise InvalidInputError("Check-ins are not available right now.")
        await cog.on_personal_mood(interaction, self.level)


def mood_view(post_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for level in sorted(MOODS):
        view.add_item(MoodButton(post_id, level))
    return view


def personal_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for level in sorted(MOODS):
        view.add_item(PersonalMoodButton(level))
    return view


# -- autocomplete -------------------------------------------------------------------------------
async def checkin_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    if interaction.guild_id is None or not await is_moderator(interaction):
        return []
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    needle = current.strip().lower().lstrip("#")
    out = []
    for row in await services.checkins.repo.for_guild(interaction.guild_id):
        name = f"#{row.id} {row.title} ({row.schedule}, {row.tz})"
        if not needle or needle in name.lower():
            out.append(app_commands.Choice(name=name[:100], value=row.id))
    return out[:25]


async def zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]


class Checkins(commands.Cog):
    checkin = app_commands.Group(name="checkin", description="Scheduled check-ins.")
    settings_group = app_commands.Group(
        name="settings", description="Check-in settings for this server.", parent=checkin
    )
    me = app_commands.Group(
        name="me", description="Your own check-in, sent to you by DM.", parent=checkin
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.service = self.services.checkins

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(MoodButton, PersonalMoodButton)
        self.services.scheduler.register(POST, self._on_post)
        self.services.scheduler.register(RETRY, self._on_retry)
        self.services.scheduler.register(PERSONAL, self._on_personal)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(MoodButton, PersonalMoodButton)

    # -- moderators: channel check-ins ---------------------------------------------------------
    @checkin.command(name="create")
    @moderator_only()
    @app_commands.describe(
        channel="Where the check-in is posted",
        schedule="e.g. `weekdays 09:00`, `mon,wed,fri 18:30`, `every 2 weeks on sunday 17:00`",
        tz="IANA time zone, e.g. Europe/London",
        prompt="Your prompts, separated by | (they rotate); empty for the built-in ones",
        title="Title of the post (default: Check-in)",
        thread="Open a thread for replies under each post",
        summary="Show counts of earlier anonymous moods in each post",
    )
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def create(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        schedule: str,
        tz: str,
        prompt: str | None = None,
        title: str | None = None,
        thread: bool = False,
        summary: bool = False,
    ) -> None:
        """Schedule a check-in post in a channel (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.create(
            guild_id=interaction.guild_id,
            channel_id=channel.id,
            schedule=schedule,
            tz=tz,
            prompt=prompt,
            title=title,
            use_thread=thread,
            show_summary=summary,
            actor_id=interaction.user.id,
        )
        await send_private(interaction, _preview_text("Check-in created.", preview))

    @checkin.command(name="list")
    @moderator_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """This server's check-ins (moderators)."""
        assert interaction.guild_id is not None
        rows = await self.service.list(interaction.guild_id)
        text = "\n".join(_checkin_line(row, nxt) for row, nxt in rows)
        await send_private(
            interaction, text[:2000] or "No check-ins yet. `/checkin create` adds one."
        )

    @checkin.command(name="edit")
    @moderator_only()
    @app_commands.describe(
        checkin="Which check-in",
        channel="A new channel",
        schedule="A new schedule",
        tz="A new time zone",
        prompt="New prompts, separated by | (`-` for the built-in ones)",
        title="A new title",
        thread="Open a thread for replies",
        summary="Show counts of earlier moods",
    )
    @app_commands.autocomplete(checkin=checkin_autocomplete, tz=zone_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        checkin: int,
        channel: discord.TextChannel | None = None,
        schedule: str | None = None,
        tz: str | None = None,
        prompt: str | None = None,
        title: str | None = None,
        thread: bool | None = None,
        summary: bool | None = None,
    ) -> None:
        """Change a check-in (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.edit(
            checkin,
            interaction.guild_id,
            channel_id=channel.id if channel else None,
            schedule=schedule,
            tz=tz,
            prompt="" if prompt is not None and prompt.strip() == "-" else prompt,
            title=title,
            use_thread=thread,
            show_summary=summary,
        )
        await send_private(interaction, _preview_text("Check-in updated.", preview))

    @checkin.command(name="preview")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def preview(self, interaction: discord.Interaction, checkin: int) -> None:
        """Show a check-in's next five run times (moderators)."""
        assert interaction.guild_id is not None
        preview = await self.service.preview(checkin, interaction.guild_id)
        await send_private(interaction, _preview_text("Check-in preview.", preview))

    @checkin.command(name="pause")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def pause(self, interaction: discord.Interaction, checkin: int) -> None:
        """Pause a check-in; nothing is deleted (moderators)."""
        assert interaction.guild_id is not None
        row = await self.service.pause(checkin, interaction.guild_id)
        await send_private(
            interaction, f"Check-in #{row.id} is paused. `/checkin resume` restarts it."
        )

    @checkin.command(name="resume")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def resume(self, interaction: discord.Interaction, checkin: int) -> None:
        """Resume a paused check-in (moderators)."""
        assert interaction.guild_id is not None
        row = await self.service.get(checkin, interaction.guild_id)
        missing = await self._missing_permissions(row.channel_id, row.use_thread)
        if missing:
            raise InvalidInputError(
                f"I still can't post in <#{row.channel_id}>: "
                + (
                    "the channel is gone. `/checkin edit` can move the check-in."
                    if missing == ["channel"]
                    else f"I'm missing {', '.join(missing)} there."
                )
            )
        preview = await self.service.resume(checkin, interaction.guild_id)
        await send_private(interaction, _preview_text("Check-in resumed.", preview))

    @checkin.command(name="delete")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def delete(self, interaction: discord.Interaction, checkin: int) -> None:
        """Delete a check-in; posts already made stay (moderators)."""
        assert interaction.guild_id is not None
        await self.service.delete(checkin, interaction.guild_id)
        await send_private(interaction, f"Check-in #{checkin} deleted.")

    @checkin.command(name="run-now")
    @moderator_only()
    @app_commands.autocomplete(checkin=checkin_autocomplete)
    async def run_now(self, interaction: discord.Interaction, checkin: int) -> None:
        """Post a check-in now, once, without changing its schedule (moderators)."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        plan = await self.service.run_now(checkin, interaction.guild_id)
        message = await self._post(plan)
        if message is None:
            await interaction.followup.send(
                f"I couldn't post in <#{plan.checkin.channel_id}>; the check-in is paused and "
                "moderators were told why.",
                ephemeral=True,
            )
        else:
            await interaction.followup.send(f"Posted: {message.jump_url}", ephemeral=True)

    @settings_group.command(name="min-interval")
    @moderator_only()
    @app_commands.describe(minutes="Shortest time between two runs of a check-in (15 to 10080)")
    async def min_interval(self, interaction: discord.Interaction, minutes: int) -> None:
        """Set how often check-ins may run at most in this server (moderators)."""
        assert interaction.guild_id is not None
        await self.services.settings.update(
            interaction.guild_id,
            CheckinSettings,
            interaction.user.id,
            min_interval_minutes=minutes,
        )
        await send_private(
            interaction, f"Check-ins here may now run at most once every {minutes} minutes."
        )

    # -- members: personal check-ins -----------------------------------------------------------
    @me.command(name="every")
    @app_commands.describe(
        schedule="e.g. `daily 20:00` or `weekdays 08:30`",
        tz="Your IANA time zone, e.g. America/Chicago",
        quiet_hours="e.g. `22:00-08:00`: a check-in due then waits until they end",
    )
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def me_every(
        self,
        interaction: discord.Interaction,
        schedule: str,
        tz: str,
        quiet_hours: str | None = None,
    ) -> None:
        """Get a private check-in by DM on your own schedule."""
        row, runs = await self.service.set_personal(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id if interaction.guild_id else None,
            schedule=schedule,
            tz=tz,
            quiet=quiet_hours,
        )
        quiet = f" Quiet hours {row.quiet_start}–{row.quiet_end}." if row.quiet_start else ""
        await send_private(
            interaction,
            f"Your check-in is set: `{row.schedule}` ({row.tz}).{quiet} I'll DM you; your answers "
            "are yours alone. Next:\n"
            + _run_lines(runs, row.tz)
            + "\n`/checkin me pause`, `stop` or `history` at any time.",
        )

    @me.command(name="status")
    async def me_status(self, interaction: discord.Interaction) -> None:
        """Your personal check-in: schedule, next times, who you share it with."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.personal_next(interaction.user.id, 3)
        await send_private(interaction, self._personal_text(row, runs))

    @me.command(name="pause")
    async def me_pause(self, interaction: discord.Interaction) -> None:
        """Pause your personal check-in."""
        await self.service.pause_personal(interaction.user.id)
        await send_private(interaction, "Paused. `/checkin me resume` starts it again.")

    @me.command(name="resume")
    async def me_resume(self, interaction: discord.Interaction) -> None:
        """Resume your personal check-in."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.resume_personal(interaction.user.id)
        await send_private(interaction, "Resumed. Next:\n" + _run_lines(runs, row.tz))

    @me.command(name="stop")
    async def me_stop(self, interaction: discord.Interaction) -> None:
        """Stop your personal check-in (your history stays until `/forgetme`)."""
        await self.service.stop_personal(interaction.user.id)
        await send_private(
            interaction,
            "Stopped. Your past answers stay visible to you in `/checkin me history`; "
            "`/forgetme` deletes them.",
        )

    @me.command(name="history")
    async def me_history(self, interaction: discord.Interaction) -> None:
        """Your own mood trend over the last 30 days (only you see it)."""
        moods = await self.service.history(interaction.user.id)
        if not moods:
            await send_private(interaction, "No answers in the last 30 days yet.")
            return
        counts = {m: sum(1 for _, v in moods if v == m) for m in MOODS}
        await send_private(
            interaction,
            f"Your last 30 days, oldest first (▁ {MOODS[1]} … █ {MOODS[5]}):\n"
            f"`{sparkline(moods)}`\n"
            + " · ".join(f"{MOODS[m]}: {counts[m]}" for m in sorted(MOODS)),
        )

    @me.command(name="share")
    @app_commands.describe(peer="Someone who may see your trend; leave empty to stop sharing")
    async def me_share(
        self, interaction: discord.Interaction, peer: discord.User | None = None
    ) -> None:
        """Choose a peer who may see your check-in trend, or stop sharing."""
        if peer is not None and (peer.bot or peer.id == interaction.user.id):
            raise InvalidInputError("Choose another member (not yourself or a bot).")
        await self.service.share_with(interaction.user.id, peer.id if peer else None)
        if peer is None:
            await send_private(interaction, "You share your check-ins with nobody.")
        else:
            await send_private(
                interaction,
                f"{peer.mention} may now see your check-in trend (never your words). "
                "`/checkin me share` with no peer takes that back at any time.",
            )

    @checkin.command(name="shared")
    @app_commands.describe(member="A member who chose to share their check-in trend with you")
    async def shared(self, interaction: discord.Interaction, member: discord.User) -> None:
        """See the mood trend a member chose to share with you (only you see it)."""
        moods = await self.service.shared_history(member.id, interaction.user.id)
        if not moods:
            await send_private(interaction, f"{member.mention} has no answers in 30 days.")
            return
        await send_private(
            interaction,
            f"{member.mention}'s last 30 days, shared with you by their choice "
            f"(▁ {MOODS[1]} … █ {MOODS[5]}):\n`{sparkline(moods)}`",
        )

    @staticmethod
    def _personal_text(row: PersonalRow, runs: list[datetime]) -> str:
        quiet = f"quiet hours {row.quiet_start}–{row.quiet_end}" if row.quiet_start else "none"
        state = f"paused ({row.pause_reason})" if row.paused else "active"
        shared = f"<@{row.share_with}>" if row.share_with else "nobody"
        text = (
            f"Your check-in: `{row.schedule}` ({row.tz}), {state}. Quiet hours: {quiet}. "
            f"Shared with: {shared}."
        )
        if runs:
            text += "\nNext:\n" + _run_lines(runs, row.tz)
        return text

    # -- buttons -------------------------------------------------------------------------------
    async def _crisis_lines(self, guild_id: int | None, user_id: int) -> list[str]:
        """Crisis lines for the member's region (theirs, else the server's), from the dated
        resource directory; the worldwide directory when the region is unknown."""
        region = await self.services.safety.region_for(guild_id, user_id)
        ctx = crisis_context(region, self.services.clock())
        lines = []
        if ctx.lines:
            lines.append("**In crisis?** " + " · ".join(format_entry(e) for e in ctx.lines[:3]))
        lines.append(f"Worldwide helplines: {format_entry(ctx.directory, with_hours=False)}")
        danger = ctx.emergency.contacts[0].value if ctx.emergency else "your local emergency number"
        lines.append(f"In immediate danger? Call {danger}.")
        return lines

    async def _mood_reply(
        self,
        interaction: discord.Interaction,
        level: int,
        lowest: bool,
        guild_id: int | None,
        head: str,
    ) -> None:
        lines = [head]
        if lowest:
            lines.append(
                "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
                "listen, and you choose what to share."
            )
            lines.extend(await self._crisis_lines(guild_id, interaction.user.id))
        elif level <= 2:
            lines.append("If you'd like someone to listen, a peer is a button away.")
        view = None
        if guild_id is not None:
            view = discord.ui.View(timeout=None)
            view.add_item(TalkToPeerButton(guild_id))
        await send_private(interaction, "\n".join(lines)[:2000], view=view)

    async def on_mood(self, interaction: discord.Interaction, post_id: int, level: int) -> None:
        # channel posts live in a server: a press anywhere else is a forged id
        lowest = await self.service.vote(
            post_id, interaction.user.id, level, guild_id=interaction.guild_id or 0
        )
        await self._mood_reply(
            interaction,
            level,
            lowest,
            interaction.guild_id,
            f"Thank you. “{MOODS[level]}” is counted anonymously: only totals are kept, and you "
            "can change it by tapping again.",
        )

    async def on_personal_mood(self, interaction: discord.Interaction, level: int) -> None:
        lowest = await self.service.personal_mood(interaction.user.id, level)
        row = await self.service.repo.personal_for(interaction.user.id)
        await self._mood_reply(
            interaction,
            level,
            lowest,
            row.guild_id if row else interaction.guild_id,
            f"Noted: “{MOODS[level]}”. Only you see it (`/checkin me history`).",
        )

    # -- posting -------------------------------------------------------------------------------
    async def _missing_permissions(self, channel_id: int, use_thread: bool) -> list[str]:
        """What stops me posting there: ["channel"] when it is gone, else permission names."""
        channel = await find_channel(self.bot, channel_id, strict=True)
        if channel is None:
            return ["channel"]
        guild = getattr(channel, "guild", None)
        if guild is None or guild.me is None:
            return []
        perms = channel.permissions_for(guild.me)
        wanted = [
            ("View Channel", perms.view_channel),
            ("Send Messages", perms.send_messages),
            ("Embed Links", perms.embed_links),
        ]
        if use_thread:
            wanted.append(("Create Public Threads", perms.create_public_threads))
        return [name for name, ok in wanted if not ok]

    async def _post(self, plan: PostPlan) -> discord.Message | None:
        """Post a planned check-in; on a missing channel or permission pause it and say so."""
        row = plan.checkin
        try:
            channel = await find_channel(self.bot, row.channel_id, strict=True)
        except discord.HTTPException:
            # Discord itself failing: free the slot (the next run is already stored).
            await self.service.repo.release_post(plan.post_id)
            log.warning("check-in %s: channel lookup failed; skipped this run", row.id)
            return None
        if channel is None:
            await self._post_failed(plan, gone=True)
            return None
        if await self._missing_permissions(row.channel_id, use_thread=False):
            # Known from the cache: e.g. without Embed Links the post would arrive empty.
            await self._post_failed(plan, gone=False)
            return None
        try:
            message = await channel.send(  # type: ignore[union-attr]
                embed=post_embed(plan), view=mood_view(plan.post_id)
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            await self._post_failed(plan, gone=isinstance(exc, discord.NotFound))
            return None
        except discord.HTTPException as exc:
            # Discord itself failing (429/5xx after discord.py's retries): this run is tried
            # again shortly (never twice: the claim guards it); the next run is stored too.
            await self.service.retry_later(plan)
            log.warning("check-in %s: posting failed (%s); will retry", row.id, exc.status)
            return None
        await self.service.posted(plan.post_id, message.id)
        if row.use_thread:
            local = plan.scheduled_for.astimezone(zoneinfo.ZoneInfo(row.tz))
            try:
                await message.create_thread(
                    name=f"{row.title} · {local:%a %d %b}"[:100], auto_archive_duration=1440
                )
            except discord.HTTPException as exc:
                log.warning("check-in %s: could not open a thread: %s", row.id, exc)
        return message

    async def _post_failed(self, plan: PostPlan, *, gone: bool) -> None:
        row = plan.checkin
        missing = [] if gone else await self._missing_permissions(row.channel_id, row.use_thread)
        if gone or missing == ["channel"]:
            reason = "the channel is gone"
            problem = (
                f"<#{row.channel_id}> was deleted or I can no longer see it (I need "
                f"{', '.join(NEEDED)} there). Move it with `/checkin edit`"
            )
        else:
            names = missing or list(NEEDED)
            reason = "missing permission: " + ", ".join(names)
            problem = (
                f"I'm missing {', '.join(names)} in <#{row.channel_id}> (I need "
                f"{', '.join(NEEDED)} there). Fix the channel permissions"
            )
        await self.service.post_failed(plan, reason)
        log.warning("check-in %s paused: %s", row.id, reason)
        await self._tell_moderators(
            row,
            f"Check-in #{row.id} “{row.title}” is paused: {problem}, then `/checkin resume "
            f"checkin:{row.id}`.",
        )

    async def _tell_moderators(self, row: CheckinRow, text: str) -> None:
        cfg = await self.services.settings.get(row.guild_id, PeerSettings)
        if cfg.mod_channel_id and cfg.mod_channel_id != row.channel_id:
            channel = await find_channel(self.bot, cfg.mod_channel_id, strict=True)
            if channel is not None:
                try:
                    await channel.send(text[:2000])  # type: ignore[union-attr]
                    return
                except discord.HTTPException as exc:
                    log.warning("guild %s: moderator channel refused: %s", row.guild_id, exc)
        if row.created_by is None:
            return
        try:
            user = await find_user(self.bot, row.created_by)
            await user.send(text[:2000])
        except discord.HTTPException as exc:
            log.warning(
                "could not tell moderator %s about check-in %s: %s", row.created_by, row.id, exc
            )

    # -- timers --------------------------------------------------------------------------------
    async def _on_post(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due(timer)
        if plan is not None:
            await self._post(plan)

    async def _on_retry(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due_retry(timer)
        if plan is not None:
            await self._post(plan)

    async def _on_personal(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due_personal(timer)
        if plan is not None:
            await self._send_personal(plan)

    async def _send_personal(self, plan: PersonalPlan) -> None:
        row = plan.personal
        try:
            user = await find_user(self.bot, row.user_id)
            await user.send(f"{PERSONAL_PROMPT}\n> {plan.prompt}", view=personal_view())
        except discord.Forbidden:
            await self.service.personal_dm_failed(row.user_id)
            await self._tell_member_dms_closed(row)
        except discord.NotFound:  # the account is gone
            await self.service.personal_dm_failed(row.user_id)
        except discord.HTTPException:
            log.warning("personal check-in %s: DM failed; skipped this run", row.id)

    async def _tell_member_dms_closed(self, row: PersonalRow) -> None:
        if row.channel_id is None:
            return
        channel = await find_channel(self.bot, row.channel_id, strict=True)
        if channel is None:
            return
        try:
            await channel.send(  # type: ignore[union-attr]
                f"<@{row.user_id}> I couldn't DM you your check-in (your DMs are closed to me), "
                "so I paused it. Open DMs from server members, then `/checkin me resume`.",
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(row.user_id)], roles=False, everyone=False
                ),
            )
        except discord.HTTPException as exc:
            log.info("could not tell member %s their DMs are closed: %s", row.user_id, exc)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Checkins(bot))
