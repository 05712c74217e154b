"""Noticing: each message goes to the detector (``AssessWorker``, off the loop), the safety
service decides, and this room carries the decision out through Discord.

The alerts and the member's private reply go out side by side, neither waiting on the other:
a slow or failing DM (rate limits, closed DMs) must not delay or stop the humans who can help,
and a rate-limited peers' channel must not hold back the crisis lines from the person who wrote
the words. Each fails on its own. Nothing of the text is stored or logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord.ext import commands

from bot.safety.assess import Assessment
from bot.safety.detector import Label
from bot.safety.messages import opt_out_text
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.safety import Decision, DmPlea, ReplyOutcome, dm_words
from bot.ui.events import edited_words
from bot.ui.lookup import only_shared_guild
from bot.ui.offers import offer_text, peer_offer_within
from cogs.safety.alerts import AlertsMixin
from cogs.safety.replies import RepliesMixin

log = logging.getLogger("cogs.safety")


class ListenerMixin(AlertsMixin, RepliesMixin):
    """The message listener (part of the Safety cog)."""

    bot: commands.Bot
    services: Services
    worker: AssessWorker | None
    loop: asyncio.AbstractEventLoop
    _tasks: set[asyncio.Task]

    def on_message_hook(self, message: discord.Message) -> None:
        """Every message, synchronously (``KindredBot.add_message_hook``, no task): the
        text goes to the worker, and only a message the detector noticed starts a task."""
        if message.author.bot or not message.content or self.worker is None:
            return
        if message.guild is None:
            self._spawn(self._on_dm(message))
            return
        # Context (the member's recent risk here) can only matter to a message whose own
        # risk reaches the soft level, so it is looked up once the worker says so, not
        # for every message; such a message is assessed again with it (see _assessed).
        self.worker.submit(message.content, 0.0, self._assessed, message, self.loop, quiet=True)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A message edited in a server is read as a new one is (the same worker, decision
        and cooldowns): "ok I'm fine" edited into a crisis line is noticed. Raw, so that
        messages no longer cached count too. Only when the words changed: Discord also sends
        edits for a link's embed unfurling, pins and the like, which change nothing anyone
        wrote. Server messages only: a DM to Kindred is read when it arrives, not when edited
        (inside a support relay its words are the peer's to read, not the detector's)."""
        if payload.guild_id is None or self.worker is None:
            return
        message = edited_words(payload)
        if message is None:
            return
        self.worker.submit(message.content, 0.0, self._assessed, message, self.loop, quiet=True)

    def _assessed(self, message: discord.Message, result: Assessment) -> None:
        """On the loop, when the worker is done. A message the detector found nothing in
        (no label, no need: most chat) is not even called back (``quiet``), unless it
        arrives as a plain ``none`` (phrase hits that came to nothing, or a batch that
        fell back): it ends here. One at the soft level or above whose member's recent
        messages here reached it too goes back to the worker with that context (it may
        become an alert; see ``_assessed_in_context``)."""
        if result.label is Label.NONE and not result.needs:
            return
        assert self.worker is not None and message.guild is not None
        assessor = self.worker.assessor
        if assessor.context_can_raise(result):
            risk = self.services.safety.context_risk(
                message.guild.id, message.channel.id, message.author.id
            )
            if assessor.context_counts(risk):
                self.worker.submit(
                    message.content, risk, self._assessed_in_context, message, self.loop
                )
                return
        self._spawn(self._on_assessed(message, result))

    def _assessed_in_context(self, message: discord.Message, result: Assessment) -> None:
        self._spawn(self._on_assessed(message, result))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("safety listener failed", exc_info=task.exception())

    async def _on_assessed(self, message: discord.Message, result: Assessment) -> None:
        assert message.guild is not None
        safety = self.services.safety
        channel = message.channel
        guild_id, user_id = message.guild.id, message.author.id
        decision = await safety.notice(
            guild_id=guild_id,
            channel_id=channel.id,
            parent_channel_id=getattr(channel, "parent_id", None),
            user_id=user_id,
            category_id=_category_id(channel),
            role_ids=[r.id for r in getattr(message.author, "roles", [])],
            label=str(result.label),
            tier=result.tier,
            possible_concern=result.possible_concern,
            needs=result.needs,
            risk=result.risk,
            message_id=message.id,
            edited_at=message.edited_at,
        )
        if decision is None:
            return
        # Metadata only: never the text, never the matched phrase.
        log.info(
            "safety guild=%s channel=%s label=%s tier=%s level=%s acts=%s",
            guild_id,
            channel.id,
            result.label,
            result.tier,
            result.level,
            decision.acts,
        )
        if decision.acts:
            await self._act(message, result, decision)

    async def _act(self, message: discord.Message, result: Assessment, decision: Decision) -> None:
        # The alerts and the reply run as two tasks at once, each failing on its own. The
        # alerts say truthfully whether Kindred is messaging the member (the decision's
        # outreach); a DM found closed is said on what was posted, by editing it once both
        # are done; a reply Discord failed for a moment stores its retry once the alerts are
        # out, so the retry knows every card to correct if it is never sent.
        posted: list[discord.Message] = []
        alert_ids: list[int] = []
        alerts = asyncio.ensure_future(self._alerts(message, result, decision, posted, alert_ids))
        replying: asyncio.Future[tuple[ReplyOutcome, bool]] | None = None
        if decision.reply:
            replying = asyncio.ensure_future(
                self._reply(message, decision, result.lang, posted, alert_ids, alerts_out=alerts)
            )
        both = {alerts} if replying is None else {alerts, replying}
        try:
            await asyncio.wait(both)
        except asyncio.CancelledError:  # shutting down: neither outlives the decision
            for task in both:
                task.cancel()
            raise
        alerted = _outcome(alerts, "alerts", False)
        reply: ReplyOutcome | None = None
        noted = False
        if replying is not None:
            reply, noted = _outcome(replying, "private reply", ("unknown", False))
            if reply == "dms_closed" and posted:
                await self._say_dms_closed(posted)
        await self.services.safety.record_outcome(
            decision,
            replied=reply in ("sent", "pending"),
            alerted=alerted,
            noted=noted,
            reply=reply,
        )

    async def _alerts(
        self,
        message: discord.Message,
        result: Assessment,
        decision: Decision,
        posted: list[discord.Message],
        alert_ids: list[int],
    ) -> bool:
        """The decision's alerts, item and report, one after another; whether any went out
        (or is stored to go out)."""
        alerted = False
        outreach = decision.outreach
        event_id = decision.event_id
        if decision.alert_peers:
            alerted |= await self._alert_peers(
                message, result, outreach, posted, event_id, alert_ids
            )
        if decision.quiet_item:
            alerted |= await self._quiet_item(
                message, result, outreach, posted, event_id, alert_ids
            )
        if decision.alert_moderators:
            alerted |= await self._alert_moderators(
                message, result, outreach, posted, nobody_on_duty=decision.nobody_on_duty
            )
        return alerted

    async def _on_dm(self, message: discord.Message) -> None:
        safety = self.services.safety
        action = await safety.dm_action(message.author.id, message.content)
        if action in ("stopped", "not_now"):
            # the same answer as the buttons', in the member's language: the one they chose,
            # else that of the words they typed ("ahora no": Spanish)
            words = dm_words(message.content)
            lang = await safety.language_for(message.author.id, words[1] if words else "en")
            what = "optout" if action == "stopped" else "notnow"
            await message.channel.send(opt_out_text(what, lang))
            return
        if action != "assess":  # inside a support relay: the words are for the peer
            return
        plea = await safety.dm_plea(message.author.id, message.content)
        try:
            result, decision = await self._dm_decision(message, plea)
        except Exception:
            # never silence: a plea still gets the Support cog's offer, "help" its note
            log.exception("safety: a DM could not be assessed")
            self.bot.dispatch("kindred_unanswered_dm", message)
            return
        if decision.reply is None:
            if plea is not None or result.label not in (Label.CRISIS_SELF, Label.CONCERN_OTHER):
                # nothing said to "help" or "hello": the Support cog says how to reach a
                # peer if its rules let it (not to crisis words in a cooldown: answered); to
                # a plea ("I need to talk") it offers a peer, the one answer
                self.bot.dispatch("kindred_unanswered_dm", message)
            return
        await self._answer_dm(message, decision, plea, result.lang)

    async def _dm_decision(
        self, message: discord.Message, plea: DmPlea | None
    ) -> tuple[Assessment, Decision]:
        """The detector's reading of a DM and the service's decision on it. A plea's needs
        are read in its other words alone (``plea.beside``): "I need to talk" asks for a
        peer, which the offer under the reply gives, whatever a model reads in it."""
        assert self.worker is not None
        result = await self.worker.assess(message.content)
        plea_needs: tuple[str, ...] | None = None
        if plea is not None:
            plea_needs = (await self.worker.assess(plea.beside)).needs if plea.beside else ()
        decision = await self.services.safety.assess_dm(
            channel_id=message.channel.id,
            user_id=message.author.id,
            label=str(result.label),
            tier=result.tier,
            possible_concern=result.possible_concern,
            needs=result.needs,
            message_id=message.id,
            text=message.content,
            plea_needs=plea_needs,
        )
        return result, decision

    async def _answer_dm(
        self, message: discord.Message, decision: Decision, plea: DmPlea | None, read: str
    ) -> None:
        """The one private answer to a DM: the decision's reply and, to a plea, the offer of a
        peer in each server the member may ask in (its words above, its buttons below). Both
        look-ups are bounded: a slow or rate-limited Discord never holds a crisis reply back
        (no server's entries then; a plea's offer then comes from the Support cog after)."""
        author = message.author
        lang = await self.services.safety.language_for(author.id, plea.lang if plea else read)
        needs = tuple(decision.needs)
        # only a need's answer uses the server
        looked_up = await asyncio.gather(
            self._needs_server(author.id) if needs else _nothing(),
            peer_offer_within(self.bot, self.services, author.id, lang) if plea else _nothing(),
        )
        server, offer = looked_up
        content = None
        if plea is not None and offer is not None:
            content = offer_text(offer, lang, professional=plea.professional)
        await self._send_reply(
            author,
            None,
            str(decision.reply),
            needs,
            lang,
            needs_guild_id=server,
            offer=offer,
            content=content,
        )
        if plea is not None and offer is None:
            self.bot.dispatch("kindred_unanswered_dm", message)

    async def _needs_server(self, user_id: int) -> int | None:
        """The one server a DM's needs are answered for (``only_shared_guild``, bounded in
        time); None, never an error, when it can't be told."""
        try:
            return await only_shared_guild(self.bot, user_id)
        except Exception:
            log.exception("safety: could not look up a DM's shared server")
            return None


async def _nothing() -> None:
    return None


def _outcome(task: asyncio.Future, what: str, failed: Any) -> Any:
    """A finished task's result; ``failed`` (logged) when it raised."""
    if task.cancelled():
        return failed
    exc = task.exception()
    if exc is not None:
        log.error("safety: the %s failed", what, exc_info=exc)
        return failed
    return task.result()


def _category_id(channel: object) -> int | None:
    """The category of a message's channel, or of a thread's channel (an excluded category
    leaves both alone); None when the thread's channel isn't cached."""
    try:
        return getattr(channel, "category_id", None)
    except discord.ClientException:
        return None
