"""Delivering goal nudges: the service decides whether a nudge is due (``on_nudge``); this
room DMs it with its answer buttons, in the member's language (the goal in their own words),
and on closed DMs asks the service to pause the goal."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.selfhelp import SelfHelpServices, TimerRow, nudge_text
from bot.ui.lookup import find_user
from cogs.selfhelp.views import goal_view

log = logging.getLogger(__name__)


class TimersRoom:
    """Mixed into the ``SelfHelp`` cog, which registers ``_on_nudge``."""

    bot: commands.Bot
    services: Services
    selfhelp: SelfHelpServices

    async def _on_nudge(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        nudge = await self.selfhelp.goals.on_nudge(timer)
        if nudge is None:
            return
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
            log.warning("goal %s: nudge DM failed (%s); skipped this one", goal.id, exc.status)
