"""The Safety cog: the detector's worker, its dynamic items and timers, and the rooms'
commands and listener gathered into one cog (``get_cog("Safety")``)."""

from __future__ import annotations

import asyncio

import discord
from discord.ext import commands

from bot.safety.assess import Assessor
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.resources import default_directory
from cogs.safety import alerts, views
from cogs.safety.anonymous import AnonymousPostsMixin
from cogs.safety.groups import LANGUAGE, REGION, RESOURCES, SAFETY
from cogs.safety.listener import ListenerMixin
from cogs.safety.resources import ResourcesMixin
from cogs.safety.settings import SettingsMixin
from cogs.safety.timers import TimersMixin

DYNAMIC_ITEMS = (*views.DYNAMIC_ITEMS, *alerts.DYNAMIC_ITEMS)


class Safety(
    ListenerMixin,
    AnonymousPostsMixin,
    TimersMixin,
    ResourcesMixin,
    SettingsMixin,
    commands.Cog,
):
    safety = SAFETY
    resources_group = RESOURCES
    region = REGION
    language = LANGUAGE

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.worker: AssessWorker | None = None
        self._tasks: set[asyncio.Task] = set()

    async def _on_message_listener(self, message: discord.Message) -> None:
        self.on_message_hook(message)

    @property
    def detector(self) -> Assessor | None:
        return self.worker.assessor if self.worker else None

    async def cog_load(self) -> None:
        # Reading and compiling the phrase lists, the model and resource files is file I/O
        # and CPU: off the loop. Detection itself runs in the worker thread.
        assessor = await asyncio.to_thread(Assessor.default)
        self.worker = AssessWorker(assessor)
        self.worker.start()
        self.loop = asyncio.get_running_loop()
        if hasattr(self.bot, "add_message_hook"):
            self.bot.add_message_hook(self.on_message_hook)
        else:  # a plain discord.py bot (tests): a listener, one task a message
            self.bot.add_listener(self._on_message_listener, "on_message")
        await asyncio.to_thread(default_directory)
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self._register_timers()
        self._register_anonymous_timers()
        self.services.safety.listen_to_dms(True)  # a DM plea waits for this cog's decision

    async def cog_unload(self) -> None:
        self.services.safety.listen_to_dms(False)  # the Support cog offers a peer at once
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        if hasattr(self.bot, "remove_message_hook"):
            self.bot.remove_message_hook(self.on_message_hook)
        else:
            self.bot.remove_listener(self._on_message_listener, "on_message")
        if self.worker is not None:
            await self.worker.stop()  # what was queued is assessed first
        await asyncio.sleep(0)  # its results' callbacks run, starting their decisions
        if self._tasks:  # let decisions under way finish before the database closes
            await asyncio.wait(set(self._tasks), timeout=5)
