"""The base room of the Support cog: the peers' request card, moderator alerts and the
crisis lines shown when nobody is on duty. Every other room builds on it."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.requests import RequestRow
from bot.ui.lookup import find_channel, member_role_ids
from bot.ui.requests import PING_USERS, card_embed, card_view, refresh_card
from bot.ui.resources import nobody_on_duty_text
from cogs.support.views import mentions

log = logging.getLogger(__name__)


class SupportBase:
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.requests = self.services.peers.requests

    # -- is the holder still a peer? (the rule: bot/services/requests/holders.py) ---------------
    async def _holder_gone(self, request_id: int, *, member_wrote: bool = False) -> bool:
        """Look up the peer holding a claimed request (at one of its timers, or when the member
        wrote): without the peer role, or out of the server, they give back what they hold,
        and the ``kindred_requests_requeued`` listener tells everyone. True when this request
        went back to the queue. Discord failing says nothing about them: nothing changes."""
        request = await self.requests.holder_to_check(request_id, member_wrote=member_wrote)
        if request is None or request.claimed_by is None:
            return False
        try:
            role_ids = await member_role_ids(self.bot, request.guild_id, request.claimed_by)
        except discord.HTTPException as exc:
            log.info("request %s: could not look its peer up (%s)", request.id, exc.status)
            return False
        return await self._check_holder_roles(request.id, request.claimed_by, role_ids)

    async def _check_holder_roles(
        self, request_id: int, holder_id: int, role_ids: list[int] | None
    ) -> bool:
        """The holder's roles as Discord has them now (looked up, or carried by their message):
        True when they were no peer any more and this request went back to the queue."""
        requeued = await self.requests.check_holder(request_id, holder_id, role_ids)
        if requeued:
            self.bot.dispatch("kindred_requests_requeued", requeued, holder_id)
        return any(back.request.id == request_id for back in requeued)

    async def _resources_text(
        self,
        guild_id: int,
        user_id: int,
        *,
        intro: bool = True,
        waiting: bool = True,
        lang: str = "en",
    ) -> str:
        safety = self.services.safety
        region = await safety.region_for(guild_id, user_id)
        extras = await safety.guild_resources(guild_id)
        return nobody_on_duty_text(
            region, self.services.clock(), extras, intro=intro, waiting=waiting, lang=lang
        )

    async def _tell_moderators(self, guild_id: int, text: str) -> bool:
        """Post in the moderator channel; whether it was posted."""
        cfg = await self.requests.config(guild_id, require=False)
        channel = await find_channel(self.bot, cfg.mod_channel_id)
        if channel is None:
            log.warning("guild %s: no reachable moderator channel for an alert", guild_id)
            return False
        try:
            await channel.send(text[:2000])
        except discord.HTTPException as exc:
            log.warning("guild %s: moderator alert failed: %s", guild_id, exc.status)
            return False
        return True

    async def _post_card(self, request: RequestRow, on_duty: list[int], *, ping: list[int]) -> bool:
        """Post the request's card (pinging ``ping``); whether it was posted."""
        cfg = await self.requests.config(request.guild_id, require=False)
        channel = await find_channel(self.bot, cfg.peer_channel_id)
        content = mentions(ping) or None
        if channel is None:
            await self._tell_moderators(
                request.guild_id,
                f"Support request #{request.id} could not reach the peer channel (deleted or "
                "not visible to me). It stays queued. Fix it with `/peers setup`.",
            )
            return False
        try:
            message = await channel.send(
                content=content,
                embed=card_embed(request, on_duty, cfg),
                view=card_view(request),
                allowed_mentions=PING_USERS,
            )
        except discord.Forbidden:
            await self._tell_moderators(
                request.guild_id,
                f"I can't post request #{request.id} in <#{cfg.peer_channel_id}>: I need the "
                "View Channel, Send Messages and Embed Links permissions there. "
                "The request stays queued; I'll post its card again at its next reminder.",
            )
            return False
        except discord.HTTPException as exc:
            log.warning(
                "request %s: card not posted (%s); retried at the next reminder",
                request.id,
                exc.status,
            )
            return False
        await self.requests.attach_card(request.id, message.channel.id, message.id)
        return True

    async def _refresh_card(self, request: RequestRow) -> None:
        await refresh_card(self.bot, self.services, request)
