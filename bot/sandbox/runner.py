"""Run the real Kindred against the Discord emulator: a runner that starts, stops and restarts
the bot on one database file, a clock the sandbox moves, and waits for the bot to settle.

Used by the end-to-end tests, the benchmarks and ``make sandbox``. The bot is pointed at the
emulator with the same settings production uses to choose its endpoints (``[discord]
api_base_url`` / ``gateway_url``).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bot import KindredBot, make_bot
from bot.clock import Clock, utcnow
from bot.config import Settings
from bot.services import build_services
from emulator import DiscordEmulator

# Tasks that mean "the bot is still reacting": discord.py's event handlers, slash commands,
# buttons and modals (the names discord.py gives them).
_BUSY_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-")
_NOT_BUSY = ("discord-ui-view-timeout",)


class SandboxClock:
    """The bot's clock in the sandbox: the wall clock plus an offset that ``advance`` grows.

    ``start`` (aware) sets where the clock begins; the demo starts at a fixed instant so its
    transcript is the same on every run."""

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = timedelta(0) if start is None else start - utcnow()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = moment - utcnow()


class KindredRunner:
    """Start, stop and restart the real bot against the emulator on one database file."""

    def __init__(
        self,
        emu: DiscordEmulator,
        db_path: Path,
        *,
        discord_settings: dict | None = None,
        clock: Clock | None = None,
        relay_retry_after: tuple[timedelta, ...] | None = None,
    ) -> None:
        self.emu = emu
        self.db_path = db_path
        self.discord_settings = discord_settings or {}
        self.clock: Clock = clock or utcnow
        # None: production's waits between tries of a refused relayed message (tests shorten)
        self.relay_retry_after = relay_retry_after
        self.bot: KindredBot | None = None
        self._task: asyncio.Task[None] | None = None

    def settings(self) -> Settings:
        return Settings(
            discord={
                "api_base_url": self.emu.api_base_url,
                "gateway_url": self.emu.gateway_url,
                **self.discord_settings,
            },
            database={"path": self.db_path},
            scheduler={"misfire_grace_seconds": 300},
        )

    async def start(self) -> KindredBot:
        services = await build_services(
            self.settings(), clock=self.clock, relay_retry_after=self.relay_retry_after
        )
        bot = make_bot(services, guild_ready_timeout=0.05)
        await bot.__aenter__()
        self._task = asyncio.create_task(bot.start(self.emu.token), name="kindred")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED
        )
        if self._task in done:
            ready.cancel()
            self._task.result()
            raise RuntimeError("Kindred stopped before it was ready")
        if ready not in done:
            raise TimeoutError("Kindred was not ready in time")
        await self.emu.gateway_idle(10)
        self.bot = bot
        return bot

    async def stop(self) -> None:
        bot, self.bot = self.bot, None
        if bot is not None:
            await bot.close()
            await bot.__aexit__(None, None, None)
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=5)
            self._task = None

    async def restart(self) -> KindredBot:
        await self.stop()
        return await self.start()

    @property
    def services(self) -> Any:
        assert self.bot is not None
        return self.bot.services

    async def settle(self) -> None:
        """Run due timers now and wait for their handlers (after moving the clock)."""
        scheduler = self.services.scheduler
        scheduler.wakeup()
        await asyncio.sleep(0)
        await scheduler.idle()
        await self.emu.gateway_idle(5)

    async def quiet(self, *, timeout: float = 20.0, calm: float = 0.15) -> bool:  # noqa: ASYNC109
        """Wait until the bot has finished reacting: the gateway drained, no event handler,
        command, button or timer running, and no REST call for ``calm`` seconds. False if it
        was still busy after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen, since = -1, loop.time()
        while loop.time() < deadline:
            calls = len(self.emu.calls)
            if calls != seen or self._busy():
                seen, since = calls, loop.time()
            elif loop.time() - since >= calm:
                return True
            await asyncio.sleep(0.03)
        return False

    def _busy(self) -> bool:
        if not self.emu.sessions or not all(s.delivered for s in self.emu._live_sessions()):
            return True
        if self.bot is not None and self.services.scheduler._tasks:
            return True
        for task in asyncio.all_tasks():
            name = task.get_name()
            if name.startswith(_BUSY_TASKS) and not name.startswith(_NOT_BUSY):
                return True
        return False

    async def advance(self, clock: SandboxClock, delta: timedelta, *, limit: int = 500) -> int:
        """Move ``clock`` forward by ``delta`` the way time passes: stop at every stored timer
        due on the way (so recurring work is on time, not skipped as missed), let it run, then
        go on. Returns how many stops were made."""
        target = clock() + delta
        stops = 0
        while stops < limit:
            nxt = await self.services.scheduler.timers.next_due(set())
            if nxt is None or nxt > target:
                break
            clock.move_to(max(nxt, clock()))
            await self.settle()
            await self.quiet()
            stops += 1
        clock.move_to(max(target, clock()))
        await self.settle()
        await self.quiet()
        return stops
