"""Run the real Kindred against the Discord emulator: a community-shaped test server and a
runner that starts, stops and restarts the bot on one database file.

Used by the end-to-end tests, the benchmarks, and anyone who wants to try Kindred locally
without a Discord account. The bot is pointed at the emulator with the same settings production
uses to choose its endpoints (``[discord] api_base_url`` / ``gateway_url``).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bot import KindredBot
from bot.config import Settings
from bot.services import build_services
from emulator import DiscordEmulator, Overwrite
from emulator.models import Channel, Guild, Role, User
from emulator.permissions import P


@dataclass
class World:
    guild: Guild
    moderator_role: Role
    peer_role: Role
    general: Channel
    peers: Channel
    mods: Channel
    support: Channel
    member: User
    member2: User
    peer: User
    peer2: User
    mod: User


def build_world(emu: DiscordEmulator) -> World:
    guild = emu.create_guild("Haven")
    moderator_role = emu.create_role(guild, "Moderators", permissions=int(P.MANAGE_GUILD))
    peer_role = emu.create_role(guild, "Peer supporters")
    hidden = Overwrite(id=guild.id, type=0, allow=0, deny=int(P.VIEW_CHANNEL))
    peers_only = Overwrite(id=peer_role.id, type=0, allow=int(P.VIEW_CHANNEL), deny=0)
    mods_only = Overwrite(id=moderator_role.id, type=0, allow=int(P.VIEW_CHANNEL), deny=0)
    # As a moderator does when inviting Kindred: its role may see the private channels.
    assert guild.bot_role_id is not None
    bot_sees = Overwrite(id=guild.bot_role_id, type=0, allow=int(P.VIEW_CHANNEL), deny=0)
    world = World(
        guild=guild,
        moderator_role=moderator_role,
        peer_role=peer_role,
        general=emu.create_channel(guild, "general"),
        peers=emu.create_channel(guild, "peer-room", overwrites=[hidden, peers_only, bot_sees]),
        mods=emu.create_channel(guild, "mod-room", overwrites=[hidden, mods_only, bot_sees]),
        support=emu.create_channel(guild, "support"),
        member=emu.create_user("alice"),
        member2=emu.create_user("bo"),
        peer=emu.create_user("pat"),
        peer2=emu.create_user("quinn"),
        mod=emu.create_user("maya"),
    )
    emu.add_member(guild, world.member)
    emu.add_member(guild, world.member2)
    emu.add_member(guild, world.peer, roles=[peer_role])
    emu.add_member(guild, world.peer2, roles=[peer_role])
    emu.add_member(guild, world.mod, roles=[moderator_role])
    return world


class KindredRunner:
    """Start, stop and restart the real bot against the emulator on one database file."""

    def __init__(
        self, emu: DiscordEmulator, db_path: Path, *, discord_settings: dict | None = None
    ) -> None:
        self.emu = emu
        self.db_path = db_path
        self.discord_settings = discord_settings or {}
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
        services = await build_services(self.settings())
        bot = KindredBot(services, guild_ready_timeout=0.05)
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
