"""A member's own time zone: the one Kindred shows and reads their times in.

A member sets it once (``/timezone set``, read like every zone input by
``bot.schedules.parse_timezone``); it is what "on duty until 17:00", a goal's
"every day 09:00" and the times Kindred shows them mean. Without it, the zone of their
personal check-in (if they have one), then the server's home zone, then UTC. Stored in the
member's preferences (deleted with ``/forgetme``); no discord imports.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository
from bot.services.settings import (
    CoreSettings,
    GuildSettingsService,
    known_zone,
    validate_timezone,
)

__all__ = ["ZONE_KEY", "FollowedZones", "MemberZones", "ServerFollower", "ZoneFollower"]

ZONE_KEY = "timezone"  # stored under this name: never rename


#: ``follower(user_id, zone)`` moves what of the member's follows their zone (set without
#: ``tz``) to ``zone``; ``zone`` None: the member has no zone of their own now
#: (``/timezone clear``), so each moves to the zone now used for it (its server's home zone).
#: It returns whether what moved comes in it now (a paused check-in or goal, or a finished
#: goal, is never said to).
ZoneFollower = Callable[[int, str | None], Awaitable[bool]]
#: ``follower(guild_id)``: the server's home zone changed; what follows the zone of members
#: who have none of their own (set without ``tz``, in the server's zone) moves to the new one.
ServerFollower = Callable[[int], Awaitable[bool]]
#: ``where(user_id)``: the zones what of the member's follows their zone comes in now (only
#: what comes: a paused check-in, a paused or finished goal is not said to), so an answer
#: names where things really went (a goal moves to its own server's zone, not the one where
#: ``/timezone clear`` was run).
FollowedZones = Callable[[int], Awaitable[list[str]]]


class MemberZones:
    def __init__(
        self, prefs: MemberPrefsRepository, settings: GuildSettingsService, clock: Clock = utcnow
    ) -> None:
        self.prefs = prefs
        self.settings = settings
        self.clock = clock
        self.followers: dict[str, ZoneFollower] = {}
        self.server_followers: dict[str, ServerFollower] = {}
        self.followed_zones: dict[str, FollowedZones] = {}

    def followed_by(
        self,
        name: str,
        follower: ZoneFollower,
        server: ServerFollower | None = None,
        where: FollowedZones | None = None,
    ) -> None:
        """Register what moves with the member's zone (a personal check-in, goal nudges),
        ``server``, what moves with a server's home zone for members who set none, and
        ``where``, the zones it comes in now."""
        self.followers[name] = follower
        if server is not None:
            self.server_followers[name] = server
        if where is not None:
            self.followed_zones[name] = where

    async def zones_of(self, user_id: int, names: list[str]) -> dict[str, list[str]]:
        """For each follower in ``names`` (what moved), the zones it comes in now: after
        ``/timezone clear`` each moved to the zone used for it, its own server's, which need
        not be the server the member cleared it in, nor one zone for all."""
        found: dict[str, list[str]] = {}
        for name in names:
            where = self.followed_zones.get(name)
            found[name] = await where(user_id) if where is not None else []
        return found

    async def own(self, user_id: int) -> str | None:
        """The zone the member chose, if they did (and it still exists)."""
        mine = await self.prefs.get(user_id, ZONE_KEY)
        if isinstance(mine, str):
            try:
                return validate_timezone(mine)
            except ValueError:  # a zone the tz database dropped since: as if none
                return None
        return None

    async def set(self, user_id: int, text: str) -> str:
        """Remember the member's zone under its canonical IANA name, read by the parser every
        zone input uses (any letter case, ``London``, ``EST`` for New York's zone); a kind
        error, with near names, for anything else. Backticks and quotes around the zone (as
        the guides show it) are left out; an empty zone is told to type one."""
        return (await self.set_followed(user_id, text))[0]

    async def set_followed(self, user_id: int, text: str) -> tuple[str, list[str]]:
        """``set``, and the names of the followers (``followed_by``) that moved to the new
        zone: what the member set without ``tz:``, so their time stays their time."""
        zone = known_zone(text)
        await self.prefs.set(user_id, ZONE_KEY, zone, self.clock())
        moved = [name for name, follow in self.followers.items() if await follow(user_id, zone)]
        return zone, moved

    async def clear(self, user_id: int) -> None:
        await self.clear_followed(user_id)

    async def clear_followed(self, user_id: int) -> list[str]:
        """Forget the member's zone; the names of the followers that moved to the zone now
        used for them (their server's home zone), as ``set_followed`` does."""
        await self.prefs.delete(user_id, ZONE_KEY)
        return [name for name, follow in self.followers.items() if await follow(user_id, None)]

    async def server_zone_changed(self, guild_id: int) -> list[str]:
        """The server's home zone changed (``/kindred set timezone``): what members who have no
        zone of their own set there without ``tz`` moves to it; the names of what moved."""
        return [name for name, follow in self.server_followers.items() if await follow(guild_id)]

    async def zone_for(
        self, user_id: int, guild_id: int | None, fallback: str | None = None
    ) -> zoneinfo.ZoneInfo:
        """The member's own zone, else ``fallback`` (say their personal check-in's), else
        the server's home zone, else UTC."""
        return (await self.zone_and_source(user_id, guild_id, fallback))[0]

    async def zone_and_source(
        self, user_id: int, guild_id: int | None, fallback: str | None = None
    ) -> tuple[zoneinfo.ZoneInfo, str]:
        """``zone_for``'s zone and whose it is: ``"member"`` (their own, or ``fallback``,
        one they gave), ``"server"`` (the server's home zone) or ``"default"`` (UTC, no server):
        only a zone the member gave is "their time"."""
        mine = await self.own(user_id)
        if mine is None and fallback:
            mine = fallback
        if mine is not None:
            return zoneinfo.ZoneInfo(mine), "member"
        if guild_id is not None:
            home = (await self.settings.get(guild_id, CoreSettings)).timezone
            return zoneinfo.ZoneInfo(home or "UTC"), "server"
        return zoneinfo.ZoneInfo("UTC"), "default"

    async def home_zone(self, guild_id: int) -> str:
        """The server's home zone (UTC until its moderators set one)."""
        return (await self.settings.get(guild_id, CoreSettings)).timezone or "UTC"

    def local_now(self, zone: str) -> datetime:
        return self.clock().astimezone(zoneinfo.ZoneInfo(zone))
