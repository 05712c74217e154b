"""Moderators set up peer support; peers go on and off duty and keep a rota.

The ``Peers`` cog is put together from rooms: ``settings`` (set-up, limits, the panel),
``tags``, ``moderation`` (stats, blocks, reveal, debrief), ``duty`` and ``shifts``, with the
hand-off buttons and DMs in ``views``. The rules and timers live in ``bot.services.peers.shifts``,
``bot.services.peers.blocks`` and ``bot.services.peers.tags``.
"""

from __future__ import annotations

from discord.ext import commands

from bot.services import Services
from bot.services.peers.shifts import (
    DUTY_DM_RETRY,
    DUTY_EXPIRE,
    SHIFT_END,
    SHIFT_REMIND,
    SHIFT_START,
)
from cogs.peers import groups
from cogs.peers.settings import SettingsCommands

# isort: split
# The rooms add their commands in this order, after the set-up commands (the order /peers
# lists them in, as before the split).
from cogs.peers.duty import DutyCommands
from cogs.peers.moderation import ModerationCommands
from cogs.peers.shifts import ShiftCommands
from cogs.peers.tags import TagCommands
from cogs.peers.views import HandoffButton


class Peers(
    SettingsCommands, TagCommands, ModerationCommands, DutyCommands, ShiftCommands, commands.Cog
):
    peers = groups.peers
    tags = groups.tags
    duty = groups.duty
    shift = groups.shift

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]

    async def cog_load(self) -> None:
        scheduler = self.services.scheduler
        scheduler.register(DUTY_EXPIRE, self._on_duty_expire)
        scheduler.register(SHIFT_START, self._on_shift_start)
        scheduler.register(SHIFT_END, self._on_shift_end)
        scheduler.register(SHIFT_REMIND, self._on_shift_remind)
        scheduler.register(DUTY_DM_RETRY, self._on_duty_dm_retry)
        self.bot.add_dynamic_items(HandoffButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(HandoffButton)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Peers(bot))
