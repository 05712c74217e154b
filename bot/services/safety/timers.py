"""Stored work that makes sure help arrives: retries of refused replies and alerts, and the
removal of brief channel notes. Timers hold ids, kinds and languages only, never text.

Kinds (never rename: stored rows must keep working): ``safety.reply_retry``,
``safety.alert_retry``, ``safety.quiet_retry`` (a possible-concern item),
``safety.anonymous_retry`` (an anonymous group post's alert), ``safety.delete_fallback``,
``safety.alert_reopened``. The cog registers
a handler per kind that calls ``on_<kind>`` here, then delivers the outcome through Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.db.repositories.core import TimerRow
from bot.services.safety.base import SafetyBase
from bot.services.safety.model import (
    ALERT_REOPENED,
    ALERT_RETRY,
    ALERT_RETRY_SECONDS,
    ANONYMOUS_RETRY,
    DELETE_FALLBACK,
    QUIET_RETRY,
    REPLY_RETRY,
    AlertReopened,
    AlertRetry,
    AnonymousAlert,
    AnonymousRetry,
    Decision,
    FallbackNote,
    Outreach,
    PeerAlert,
    QuietItem,
    QuietRetry,
    ReplyOutcome,
    ReplyRetry,
)
from bot.timers import MAX_ATTEMPTS

log = logging.getLogger(__name__)


def _last_try(timer: TimerRow) -> bool:
    """Whether this run of a stored retry is the scheduler's last: a failure then reaches
    the moderators instead of being retried."""
    return timer.attempts + 1 >= MAX_ATTEMPTS


#: A taken alert is offered again when its peer loses the role within this time of it being
#: raised; an older one was a moment long past (the peer most likely reached out).
REOPEN_WITHIN = timedelta(days=1)


class TimersMixin(SafetyBase):
    if TYPE_CHECKING:

        async def alert_pings(self, guild_id: int, member_id: int | None) -> list[int]: ...

        async def opted_out(self, user_id: int) -> bool: ...

    # -- private replies ---------------------------------------------------------------------
    async def _retry_later(self, kind: str, guild_id: int, payload: dict) -> None:
        """One stored safety retry (ids only in ``payload``), first tried again after
        ``ALERT_RETRY_SECONDS``; the scheduler backs off after that."""
        await self.scheduler.schedule_once(
            kind,
            self.clock() + timedelta(seconds=ALERT_RETRY_SECONDS),
            payload,
            guild_id=guild_id,
        )

    async def retry_reply_later(
        self,
        guild_id: int,
        user_id: int,
        kind: str,
        needs: tuple[str, ...],
        lang: str,
        event_id: int | None = None,
        *,
        cards: Sequence[tuple[int, int]] = (),
        alert_ids: Sequence[int] = (),
    ) -> None:
        """Rate limits or Discord errors: the answer is not lost. A stored timer (ids, the
        kind of reply and its language: no text) sends it when Discord answers again; the
        decision's event (``event_id``) records what became of it. ``cards`` (channel and
        message ids of the alerts and reports posted saying Kindred is reaching out) and
        ``alert_ids`` (the decision's alerts, whose cards may be posted later by their own
        retry) are where the reply's final outcome is said if it is not sent."""
        payload: dict = {"user_id": user_id, "kind": kind, "needs": list(needs), "lang": lang}
        if event_id is not None:
            payload["event_id"] = event_id
        if cards:
            payload["cards"] = [[int(c), int(m)] for c, m in cards]
        if alert_ids:
            payload["alerts"] = [int(a) for a in alert_ids]
        await self._retry_later(REPLY_RETRY, guild_id, payload)

    async def reply_refused(self, timer: TimerRow) -> list[tuple[int, int]]:
        """A stored reply found the member's DMs closed: see :meth:`reply_not_sent`."""
        return await self.reply_not_sent(timer, "dms_closed")

    async def reply_not_sent(self, timer: TimerRow, outcome: ReplyOutcome) -> list[tuple[int, int]]:
        """A stored reply's final outcome is that it was not sent (``outcome``: the member's
        DMs closed, they opted out meanwhile, or Discord failed every try): recorded on its
        event, so an alert still waiting for its own retry says what is true. Returns where
        the alerts and reports already posted are, ``(channel id, message id)``, for the
        Discord layer to say so on them (the same card once)."""
        payload = timer.payload
        event_id = payload.get("event_id")
        if event_id is not None:
            await self.repo.set_reply_outcome(int(event_id), outcome)
        cards = [(int(c), int(m)) for c, m in payload.get("cards", ())]
        alert_ids = [int(a) for a in payload.get("alerts", ())]
        if alert_ids:
            cards += await self.repo.alert_cards(alert_ids)
        return list(dict.fromkeys(cards))

    async def reply_sent(self, timer: TimerRow) -> None:
        """A stored reply was sent after all: recorded on its event."""
        event_id = timer.payload.get("event_id")
        if event_id is not None:
            await self.repo.set_reply_outcome(int(event_id), "sent")

    async def outreach_now(self, outreach: Outreach, event_id: int | None) -> Outreach:
        """What an alert posted later may truthfully say of the private reply: a reply that
        was being sent when the alert was stored is read again from its event (sent or still
        being sent, the member opted out meanwhile, DMs closed, or Discord failed every try);
        an event gone gives the neutral "unknown". Rows stored before alerts knew their event
        keep what they said; an event recorded before its reply's outcome was kept and not
        sent says "unknown" (DMs closed, an opt-out or every try failed: it can't tell)."""
        if outreach != "reply" or event_id is None:
            return outreach
        reply = await self.repo.event_reply(int(event_id))
        if reply is None:
            return "unknown"
        replied, outcome = reply
        if outcome in ("opted_out", "dms_closed", "unknown"):
            return outcome
        if outcome is None and not replied:
            return "unknown"
        return "reply"

    async def on_reply_retry(self, timer: TimerRow) -> ReplyRetry | None:
        """The reply to send again; None when the member has since opted out of automatic
        messages (``/safety optout``): a reply already queued is dropped too."""
        payload = timer.payload
        if await self.opted_out(int(payload["user_id"])):
            log.info("safety guild=%s: reply retry dropped, the member opted out", timer.guild_id)
            return None
        guild_id = timer.guild_id
        if (
            guild_id is not None
            and self.server_away is not None
            and await self.server_away(guild_id)
        ):
            guild_id = None  # the server removed Kindred: the reply a DM to Kindred gets
        return ReplyRetry(
            user_id=int(payload["user_id"]),
            guild_id=guild_id,
            kind=str(payload["kind"]),
            needs=tuple(payload.get("needs", ())),
            lang=str(payload.get("lang", "en")),
            final=_last_try(timer),
        )

    # -- the brief channel note when DMs are closed --------------------------------------------
    async def wants_channel_note(self, guild_id: int, decision: Decision) -> bool:
        """A crisis reply that could not be DMed: a brief channel note, if this channel had
        none within the cooldown and the guild allows notes."""
        if decision.reply != "crisis" or not decision.channel_fallback:
            return False
        return (await self.config(guild_id)).reply_mode == "dm_then_channel"

    async def note_posted(self, guild_id: int, channel_id: int, message_id: int) -> None:
        """Stored, so the note is removed even if the bot restarts in between."""
        cfg = await self.config(guild_id)
        await self.scheduler.schedule_once(
            DELETE_FALLBACK,
            self.clock() + timedelta(seconds=cfg.fallback_delete_seconds),
            {"channel_id": channel_id, "message_id": message_id},
            guild_id=guild_id,
        )

    async def on_delete_fallback(self, timer: TimerRow) -> FallbackNote:
        return FallbackNote(timer.payload["channel_id"], timer.payload["message_id"])

    # -- peer alerts --------------------------------------------------------------------------
    async def retry_alert_later(self, alert: PeerAlert) -> None:
        """Never dropped: a stored timer retries (the scheduler backs off), and moderators are
        told if it still cannot be delivered. Only ids and the link are stored."""
        await self._retry_later(ALERT_RETRY, alert.guild_id, alert.stored_payload())

    async def on_alert_retry(self, timer: TimerRow) -> AlertRetry:
        """The alert to deliver again, saying what is true now of the private reply;
        ``final`` on the scheduler's last attempt, when a failure must reach the moderators
        instead of being retried."""
        alert = PeerAlert.from_payload(int(timer.guild_id or 0), dict(timer.payload))
        alert = replace(alert, outreach=await self.outreach_now(alert.outreach, alert.event_id))
        return AlertRetry(alert=alert, final=_last_try(timer))

    # -- possible-concern items ----------------------------------------------------------------
    async def retry_quiet_later(self, item: QuietItem) -> None:
        """A possible-concern item Discord failed for a moment (5xx, 429): a stored timer
        (ids and the link; not even the member's id) posts it later, the scheduler backing
        off, and the moderators get it after the last try."""
        await self._retry_later(QUIET_RETRY, item.guild_id, item.stored_payload())

    async def on_quiet_retry(self, timer: TimerRow) -> QuietRetry | None:
        """The item to post again (the member read from its alert's row, the reply's outcome
        from its event); None when the alert is gone (the member used /forgetme)."""
        payload = timer.payload
        alert = await self.repo.get_alert(int(payload["alert_id"]))
        if alert is None:
            log.info("safety guild=%s: possible-concern retry dropped, alert gone", timer.guild_id)
            return None
        event_id = payload.get("event_id")
        item = QuietItem(
            guild_id=alert.guild_id,
            alert_id=alert.id,
            peer_channel_id=int(payload["peer_channel_id"]),
            member_id=alert.user_id,
            channel_id=int(payload["channel_id"]),
            jump_url=str(payload["jump_url"]),
            outreach=await self.outreach_now(payload.get("outreach") or "reply", event_id),
            event_id=event_id,
        )
        return QuietRetry(item=item, final=_last_try(timer))

    # -- anonymous group posts ------------------------------------------------------------------
    async def retry_anonymous_later(self, alert: AnonymousAlert) -> None:
        """An anonymous post's alert Discord failed for a moment (5xx, 429): a stored timer
        (ids and the post's link: no words, no author) posts it later with backoff."""
        await self._retry_later(ANONYMOUS_RETRY, alert.guild_id, alert.stored_payload())

    async def on_anonymous_retry(self, timer: TimerRow) -> AnonymousRetry:
        """The anonymous post's alert to post again, pinging every on-duty peer now (an alert;
        nobody for a quiet item or the moderators' copy); ``final`` on the last try."""
        alert = AnonymousAlert.from_payload(int(timer.guild_id or 0), dict(timer.payload))
        pings = await self.alert_pings(alert.guild_id, None) if alert.pings else []
        return AnonymousRetry(alert=alert, pings=pings, final=_last_try(timer))

    # -- alerts whose peer can no longer reach out ---------------------------------------------
    async def peer_lost_role(self, guild_id: int, peer_id: int) -> list[int]:
        """Someone found without the peer role (when their requests go back to the queue):
        the alerts they said "I'll reach out" on within :data:`REOPEN_WITHIN` are open again
        (audited with the change), and a stored timer per alert has the Discord layer offer
        it to the others (ids only). The alerts' ids."""
        return await self._reopen(guild_id, peer_id)

    async def _reopen(self, guild_id: int | None, peer_id: int) -> list[int]:
        """Reopen the alerts ``peer_id`` took within :data:`REOPEN_WITHIN` (in one server, or
        in all with ``None``) and store the timers that offer each to the others again."""
        now = self.clock()
        reopened = await self.repo.reopen_taken_by(guild_id, peer_id, now - REOPEN_WITHIN, now)
        for alert_id, alert_guild in reopened:
            await self.scheduler.schedule_once(
                ALERT_REOPENED,
                now,
                {"alert_id": alert_id},
                guild_id=alert_guild,
                key=f"safety:reopened:{alert_id}",
            )
        return [alert_id for alert_id, _ in reopened]

    async def on_alert_reopened(self, timer: TimerRow) -> AlertReopened | None:
        """The reopened alert to offer again, with the on-duty peers to ping (a quiet item
        pings nobody, as when it was posted); None once someone took or marked it."""
        alert = await self.repo.reopened_alert(int(timer.payload["alert_id"]))
        if alert is None:
            return None
        pings = []
        if alert.level == "alert":
            pings = await self.alert_pings(alert.guild_id, alert.user_id)
        return AlertReopened(
            guild_id=alert.guild_id,
            alert_id=alert.id,
            channel_id=alert.posted_channel_id,
            message_id=alert.posted_message_id,
            pings=pings,
        )

    async def alert_posted(self, alert_id: int, channel_id: int, message_id: int) -> None:
        """Where an alert's card is, so it can be offered again on it."""
        await self.repo.alert_posted(alert_id, channel_id, message_id)
