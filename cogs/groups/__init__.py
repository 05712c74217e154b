"""Support groups: moderators create groups (a channel and a role each), members join after
accepting the group's guidelines, post anonymously where a group allows it, and Kindred keeps
memberships in step with Discord's roles.

Thin Discord layer over ``bot.services.groups``. Rooms: ``manage`` (create, edit, archive,
unarchive, list, panel), ``membership`` (join, leave, the panel's buttons, "I accept"),
``guidelines`` (the modal and ``show``), ``settings`` (slowmode, anonymous posts, content notes,
and the slowmode timer), ``posting`` (anonymous posts, reveal, content notes and roles noticed in
passing), ``upkeep`` (deleted channels and roles, repair, start-up reconciliation),
``discord_ops`` (roles, channels, overwrites and Discord's refusals), ``views`` (cards and the
dynamic buttons), ``groups`` (the ``/group`` command groups and autocompletes). Meetings:
``meetings`` (``/group meeting``, the meeting buttons), ``facilitators`` (``/group facilitator``,
swap answers), ``meeting_delivery`` (the meeting timers, channel lock, scheduled events),
``meeting_views`` (reminders, open and close posts, buttons) over ``bot.services.meetings``.
"""

from __future__ import annotations

import asyncio

from discord.ext import commands

from bot.services import Services
from bot.services.groups import SLOWMODE_OFF
from cogs.groups import groups
from cogs.groups.facilitators import FacilitatorCommands
from cogs.groups.guidelines import GuidelinesCommands
from cogs.groups.manage import ManageCommands
from cogs.groups.meeting_delivery import MeetingDelivery
from cogs.groups.meeting_views import MEETING_ITEMS
from cogs.groups.meetings import MeetingCommands
from cogs.groups.membership import MembershipCommands
from cogs.groups.posting import PostingCommands
from cogs.groups.settings import SettingsCommands
from cogs.groups.upkeep import UpkeepCommands
from cogs.groups.views import DYNAMIC_ITEMS


class Groups(
    ManageCommands,
    MembershipCommands,
    GuidelinesCommands,
    SettingsCommands,
    PostingCommands,
    UpkeepCommands,
    MeetingCommands,
    FacilitatorCommands,
    MeetingDelivery,
    commands.Cog,
):
    group = groups.group

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.service = self.services.groups
        self.reconciliation: asyncio.Task[None] | None = None
        self.reconciling = asyncio.Event()  # set once the start-up reconciliation has begun
        self.reconcile_stats: dict[str, float] = {}
        self._listening = False

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, *MEETING_ITEMS)
        self.services.scheduler.register(SLOWMODE_OFF, self._on_slowmode_off)
        self.register_meeting_timers()
        await self._listen_if_needed()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, *MEETING_ITEMS)
        if self._listening:
            self.bot.remove_listener(self._groups_on_message, "on_message")
        if self.reconciliation is not None:
            self.reconciliation.cancel()


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Groups(bot))
