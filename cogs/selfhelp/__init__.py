"""Self-help: the library (``/selfhelp``), goals with gentle nudges (``/goal``) and the
wellness plan (``/plan``).

Thin Discord layer over ``bot.services.selfhelp``. Rooms: ``library`` (the topic list and
pages), ``goals`` (commands and nudge answers), ``plans`` (forms, view, export, delete,
sharing), ``sharing`` (whether a peer still shares a server with the member whose goals or
plan they read), ``timers`` (DMing the nudges), ``views`` (buttons and forms), ``text`` (how
it reads), ``groups`` (the command groups and autocompletes).
"""

from __future__ import annotations

from discord.ext import commands

from bot.services import Services
from bot.services.selfhelp import NUDGE, NUDGE_RETRY
from cogs.selfhelp import groups
from cogs.selfhelp.goals import GoalsRoom
from cogs.selfhelp.library import LibraryRoom
from cogs.selfhelp.plans import PlansRoom
from cogs.selfhelp.timers import TimersRoom
from cogs.selfhelp.views import GoalButton, PageButton, PlanDeleteButton, PlanPartButton

DYNAMIC_ITEMS = (PageButton, GoalButton, PlanPartButton, PlanDeleteButton)


class SelfHelp(LibraryRoom, GoalsRoom, PlansRoom, TimersRoom, commands.Cog):
    goal = groups.goal
    plan = groups.plan

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.selfhelp = self.services.selfhelp

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.services.scheduler.register(NUDGE, self._on_nudge)
        self.services.scheduler.register(NUDGE_RETRY, self._on_nudge_retry)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SelfHelp(bot))
