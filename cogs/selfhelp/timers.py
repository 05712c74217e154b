"""Delivering goal nudges: the service decides whether a nudge is due (``on_nudge``); this
room DMs it with its answer buttons, in the member's language (the goal in their own words),
on closed DMs asks the service to pause the goal, and when Discord fails for a moment asks it
to try that run again shortly (``goal.nudge_retry``)."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.selfhelp import GoalNudge, SelfHelpServices, TimerRow, nudge_text
from bot.ui.lookup import find_user
from cogs.selfhelp.views import goal_view

log = logging.getLogger(__name__)


class TimersRoom:
    """Mixed into the ``SelfHelp`` cog, which registers ``_on_nudge`` and
    ``_on_nudge_retry``."""

    bot: commands.Bot
    services: Services
    selfhelp: SelfHelpServices

    async def _on_nudge(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        nudge = await self.selfhelp.goals.on_nudge(timer)
        if nudge is not None:
            await self._send_nudge(nudge)

    async def _on_nudge_retry(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        nudge = await self.selfhelp.goals.on_nudge_retry(timer)
        if nudge is not None:
            await self._send_nudge(nudge)

    async def _send_nudge(self, nudge: GoalNudge) -> None:
        goal = nudge.goal
        lang = await self.services.safety.language_for(goal.user_id)
        try:
            user = await find_user(self.bot, goal.user_id)
            await user.send(nudge_text(goal.text, lang), view=goal_view(goal.id, lang))
        except (discord.Forbidden, discord.NotFound):
            # closed DMs or a gone account: pause; `/goal list` says why
            await self.selfhelp.goals.nudge_failed(goal.id)
            log.info("goal %s: nudge not delivered; paused", goal.id)
        except discord.HTTPException as exc:
            # Discord itself failing (429/5xx after discord.py's retries): this run is sent
            # again shortly, within the grace time (its own retry, replaced if it fails again)
            await self.selfhelp.goals.nudge_retry_later(nudge)
            log.warning("goal %s: nudge DM failed (%s); will retry", goal.id, exc.status)
