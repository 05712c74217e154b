"""Delivering what the check-in timers decide: the service says whether and what to post
(``due``, ``due_retry``, ``due_personal``, ``due_personal_retry``); this room posts it to the
channel or DMs it, and on a missing channel or permission asks the service to pause and tells
moderators why (closed DMs pause a personal check-in, and the member reads why privately, never
in a channel); on Discord failing for a moment it asks for a retry, and when the run's last try
within the grace time fails too it tells the moderators once (the schedule carries on)."""

from __future__ import annotations

import enum
import logging
import zoneinfo

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.checkins import (
    CheckinRow,
    CheckinService,
    GivenUp,
    PersonalPlan,
    PostPlan,
    TimerRow,
    personal_checkin_text,
)
from bot.text import shorten
from bot.ui.lookup import find_channel, find_user
from cogs.checkins.views import mood_view, personal_view, post_embed

log = logging.getLogger(__name__)

NEEDED = ("View Channel", "Send Messages", "Embed Links")
THREADS = "Create Public Threads"  # only for the thread: without it the post still goes out


class NotPosted(enum.Enum):
    """Why ``_post`` posted nothing, so an answer can say what really happened."""

    PAUSED = "paused"  # the channel is gone or a permission is missing; moderators were told
    RETRYING = "retrying"  # Discord failed for a moment; this run is tried again shortly
    SKIPPED = "skipped"  # Discord failed when looking the channel up; this run is let go
    GAVE_UP = "gave up"  # Discord failed the last try too; moderators told (never a run-now)


def kept_failing_notice(row: CheckinRow) -> str:
    """To the moderators (English, in their channel) when Discord kept failing a run's post
    (5xx, 429) until its grace time ran out: nothing to fix, the schedule carries on."""
    return (
        f"Check-in #{row.id} “{row.title}” wasn't posted in <#{row.channel_id}> this time: "
        "Discord kept failing my post (I tried for a few minutes). The schedule carries on and "
        "the next run is posted as usual; nothing needs fixing on your side unless it happens "
        "again."
    )


class TimerHandlers:
    """Mixed into the ``Checkins`` cog, which registers ``_on_post``, ``_on_retry``,
    ``_on_personal`` and ``_on_personal_retry`` with the scheduler."""

    bot: commands.Bot
    services: Services
    service: CheckinService

    async def _on_post(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due(timer)
        if plan is not None:
            await self._post(plan)

    async def _on_retry(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due_retry(timer)
        if isinstance(plan, GivenUp):  # its retry came too late to post it
            await self._tell_moderators(plan.checkin, kept_failing_notice(plan.checkin))
        elif plan is not None:
            await self._post(plan)

    async def _on_personal(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due_personal(timer)
        if plan is not None:
            await self._send_personal(plan)

    async def _on_personal_retry(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.service.due_personal_retry(timer)
        if plan is not None:
            await self._send_personal(plan)

    # -- channel posts -------------------------------------------------------------------------
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
            wanted.append((THREADS, perms.create_public_threads))
        return [name for name, ok in wanted if not ok]

    async def _post(self, plan: PostPlan) -> discord.Message | NotPosted:
        """Post a planned check-in; on a missing channel or permission pause it and say so.
        Without a message, says why nothing was posted."""
        row = plan.checkin
        try:
            channel = await find_channel(self.bot, row.channel_id, strict=True)
        except discord.HTTPException:
            # Discord itself failing: free the slot (the next run is already stored).
            await self.service.skip(plan)
            log.warning("check-in %s: channel lookup failed; skipped this run", row.id)
            return NotPosted.SKIPPED
        if channel is None:
            await self._post_failed(plan, gone=True)
            return NotPosted.PAUSED
        if await self._missing_permissions(row.channel_id, use_thread=False):
            # Known from the cache: e.g. without Embed Links the post would arrive empty.
            await self._post_failed(plan, gone=False)
            return NotPosted.PAUSED
        try:
            message = await channel.send(  # type: ignore[union-attr]
                embed=post_embed(plan), view=mood_view(plan.post_id)
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            await self._post_failed(plan, gone=isinstance(exc, discord.NotFound))
            return NotPosted.PAUSED
        except discord.HTTPException as exc:
            if plan.final:  # the last try within the grace time: given up, said once
                await self.service.gave_up(plan)
                await self._tell_moderators(row, kept_failing_notice(row))
                return NotPosted.GAVE_UP
            # Discord itself failing (429/5xx after discord.py's retries): this run is tried
            # again shortly (never twice: the claim guards it); the next run is stored too.
            await self.service.retry_later(plan)
            log.warning("check-in %s: posting failed (%s); will retry", row.id, exc.status)
            return NotPosted.RETRYING
        await self.service.posted(plan.post_id, message.id)
        if row.use_thread:
            await self._open_thread(plan, message)
        return message

    async def _open_thread(self, plan: PostPlan, message: discord.Message) -> None:
        row = plan.checkin
        local = plan.scheduled_for.astimezone(zoneinfo.ZoneInfo(row.tz))
        day = f" · {local:%a %d %b}"
        # a thread name holds 100 characters: a long title is shortened visibly (the post
        # above the thread has it whole), the day always shows
        name = shorten(row.title, 100 - len(day)) + day
        try:
            await message.create_thread(name=name, auto_archive_duration=1440)
        except discord.HTTPException as exc:
            log.warning("check-in %s: could not open a thread: %s", row.id, exc)

    async def _post_failed(self, plan: PostPlan, *, gone: bool) -> None:
        row = plan.checkin
        # Create Public Threads is never why a post failed: it is not named here.
        missing = [] if gone else await self._missing_permissions(row.channel_id, False)
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
        mod_channel_id = await self.service.moderator_channel(row)
        if mod_channel_id:
            channel = await find_channel(self.bot, mod_channel_id, strict=True)
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

    # -- personal DMs ----------------------------------------------------------------------------
    async def _send_personal(self, plan: PersonalPlan) -> None:
        row = plan.personal
        lang = await self.services.safety.language_for(row.user_id)
        shared = f"<@{row.share_with}>" if row.share_with else None
        try:
            user = await find_user(self.bot, row.user_id)
            await user.send(
                personal_checkin_text(plan.prompt, lang, shared), view=personal_view(lang)
            )
        except (discord.Forbidden, discord.NotFound):
            # closed DMs (or the account is gone): paused, and nothing is said in a channel,
            # where it would tell others the member keeps a check-in; their next `/checkin me`
            # answer tells them privately
            await self.service.personal_dm_failed(row.user_id)
            log.info("personal check-in %s: DM refused; paused", row.id)
        except discord.HTTPException as exc:
            # Discord itself failing (429/5xx after discord.py's retries): this run is sent
            # again shortly (its own retry, replaced if it fails again); the next run is stored.
            await self.service.personal_retry_later(plan)
            log.warning("personal check-in %s: DM failed (%s); will retry", row.id, exc.status)
