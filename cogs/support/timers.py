"""Delivering what the request timers decided (``bot.services.requests.timers``): the service
changes the state and re-arms; these handlers only say it on Discord."""

from __future__ import annotations

import contextlib
import dataclasses
import logging

import discord

from bot.services.requests import (
    ESCALATE,
    HANDOVER,
    IDLE,
    OPEN_CHECK,
    RELAY_RETRY,
    EscalationStep,
    TimerRow,
)
from bot.services.requests import notices as say
from bot.services.requests.edits import COPY_EDIT, COPY_WITHDRAW
from bot.services.requests.messages import escalation_update_text
from bot.ui.lookup import find_channel, find_user, gone_as_peer
from bot.ui.requests import PING_USERS
from cogs.support.claims import ClaimsRoom
from cogs.support.views import mentions

log = logging.getLogger(__name__)


class TimersRoom(ClaimsRoom):
    def register_timers(self) -> None:
        scheduler = self.services.scheduler
        scheduler.register(ESCALATE, self._on_escalate)
        scheduler.register(IDLE, self._on_idle)
        scheduler.register(OPEN_CHECK, self._on_open_check)
        scheduler.register(HANDOVER, self._on_handover)
        scheduler.register(RELAY_RETRY, self._on_relay_retry)  # cogs.support.relay
        scheduler.register(COPY_WITHDRAW, self._on_copy_withdraw)  # cogs.support.relay_edits
        scheduler.register(COPY_EDIT, self._on_copy_edit)  # cogs.support.relay_edits

    async def _on_escalate(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        step = await self.requests.on_escalate(timer)
        if step is None:
            return
        step = await self._without_ex_peers(step)
        request = step.request
        # Moderators first: this step's timer is already replaced by the next one, so nothing
        # below may stop the alert (each Discord call fails on its own).
        moderators = "later" if step.moderators_ahead else "none"
        if step.alert_moderators and await self._tell_moderators(
            request.guild_id,
            f"Request #{request.id} has waited {step.waited_minutes} min without a peer "
            f"({len(step.on_duty_for_moderators)} on duty).",
        ):
            moderators = "told"
        pinged = False
        if step.repost_card:
            pinged = await self._post_card(request, step.on_duty, ping=step.ping)
        elif step.ping:
            pinged = await self._reping(step)
        # the member is told what was really done at this step, nothing more
        await self._update_member(
            step, reminded=len(step.others_pinged) if pinged else 0, moderators=moderators
        )

    async def _without_ex_peers(self, step: EscalationStep) -> EscalationStep:
        """Without the members intent a removed peer role goes unseen: before pinging, the
        on-duty peers not seen as peers lately are looked up, and one who lost the role (or
        left) goes off duty, gives back what they held, and is neither pinged nor counted.
        Discord failing to answer says nothing about them: they stay."""
        guild_id = step.request.guild_id
        to_check = self.requests.on_duty_to_check(guild_id, step.on_duty)
        gone = {user_id for user_id in to_check if await gone_as_peer(self.bot, guild_id, user_id)}
        if not gone:
            return step
        return dataclasses.replace(
            step,
            on_duty=[p for p in step.on_duty if p not in gone],
            ping=[p for p in step.ping if p not in gone],
        )

    async def _reping(self, step: EscalationStep) -> bool:
        """Ping the step's peers under the card; whether the ping was posted."""
        request = step.request
        channel = await find_channel(self.bot, request.card_channel_id)
        if channel is None:
            return False
        try:
            await channel.send(
                mentions(step.ping)
                + f" Request #{request.id} has waited {step.waited_minutes} min for a peer.",
                allowed_mentions=PING_USERS,
            )
        except discord.HTTPException as exc:
            log.warning("request %s: re-ping failed (%s)", request.id, exc.status)
            return False
        return True

    async def _update_member(self, step: EscalationStep, *, reminded: int, moderators: str) -> None:
        request = step.request
        lang = await self.requests.language_for(request)
        text = escalation_update_text(
            request.id,
            step.position,
            reminded=reminded,
            on_duty=len(step.others_on_duty),
            moderators=moderators,
            lang=lang,
        )
        try:
            member = await find_user(self.bot, request.requester_id)
            await member.send(text)
        except discord.HTTPException:
            pass

    async def _on_idle(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        # Quiet, perhaps, because its peer lost the role (or left) and can't see it any more:
        # then it goes back to the queue rather than being reminded or closed.
        if await self._holder_gone(int(timer.payload["request_id"])):
            return
        outcome = await self.requests.on_idle(timer)
        if outcome is None:
            return
        if outcome.stage != "remind":
            await self._after_close(outcome.request)
            return
        for user_id in outcome.remind:  # a DM each, in its reader's language
            try:
                user = await find_user(self.bot, user_id)
                if user_id == outcome.request.requester_id:  # the member: the request's
                    lang = await self.requests.language_for(outcome.request)
                else:
                    lang = await self.services.safety.language_for(user_id)
                await user.send(say.idle_reminder_text(outcome.request.id, lang))
            except discord.HTTPException:
                pass

    async def _on_open_check(self, timer: TimerRow) -> None:
        """A claim whose conversation never opened (e.g. the bot was killed in between)."""
        requeued = await self.requests.on_open_check(timer)
        if requeued is None:
            return
        await self.bot.wait_until_ready()
        fresh = requeued.request
        await self._refresh_card(fresh)
        channel = await find_channel(self.bot, fresh.card_channel_id)
        if channel is not None:
            with contextlib.suppress(discord.HTTPException):
                await channel.send(
                    mentions(requeued.ping)
                    + f" Request #{fresh.id} is back in the queue: its conversation never "
                    "opened (Kindred was interrupted). It needs a peer.",
                    allowed_mentions=PING_USERS,
                )

    async def _on_handover(self, timer: TimerRow) -> None:
        """A transfer whose hand-over was interrupted (e.g. the bot was killed): finish it."""
        handover = await self.requests.on_handover(timer)
        if handover is None:
            return
        await self.bot.wait_until_ready()
        await self._hand_over(handover.request, handover.from_peer, handover.to_peer)
