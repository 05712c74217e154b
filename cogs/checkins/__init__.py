"""Scheduled check-ins: moderators' channel check-ins and members' personal DM check-ins.

Thin Discord layer over ``bot.services.checkins``. Rooms: ``channel`` (moderators' commands),
``personal`` (members' own check-ins), ``moods`` (answering a mood press), ``timers``
(posting and DMing what the timers decide), ``views`` (the post embed and mood buttons),
``text`` (how check-ins read), ``groups`` (the ``/checkin`` groups and autocompletes).
"""

from __future__ import annotations

from discord.ext import commands

from bot.services import Services
from bot.services.checkins import PERSONAL, PERSONAL_RETRY, POST, RETRY
from cogs.checkins import groups
from cogs.checkins.channel import ChannelCommands
from cogs.checkins.moods import MoodReplies
from cogs.checkins.personal import PersonalCommands
from cogs.checkins.timers import TimerHandlers
from cogs.checkins.views import MoodButton, PersonalMoodButton


class Checkins(ChannelCommands, PersonalCommands, MoodReplies, TimerHandlers, commands.Cog):
    checkin = groups.checkin
    settings_group = groups.settings_group
    me = groups.me

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.service = self.services.checkins

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(MoodButton, PersonalMoodButton)
        self.services.scheduler.register(POST, self._on_post)
        self.services.scheduler.register(RETRY, self._on_retry)
        self.services.scheduler.register(PERSONAL, self._on_personal)
        self.services.scheduler.register(PERSONAL_RETRY, self._on_personal_retry)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(MoodButton, PersonalMoodButton)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Checkins(bot))
