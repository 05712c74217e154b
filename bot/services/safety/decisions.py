"""Deciding what to do about one detected message: reply, alert, a quiet item, or nothing.

The guild's settings, the member's opt-out, exclusions and cooldowns decide; the decision and
what really reached people are recorded as metadata only (never the text).
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.db.repositories.safety import MemberWindow
from bot.services.dm_asks import (
    beside_the_plea,
    plea_language,
    professional_language,
    wants_to_talk,
)
from bot.services.safety.members import MembersMixin
from bot.services.safety.model import (
    CONTEXT_KEEP,
    CONTEXT_MINUTES,
    NEEDS,
    NOTES_PER_CHANNEL,
    NOTHING,
    REMEMBERED_LABELS,
    Decision,
    DmAction,
    DmPlea,
    ReplyOutcome,
    SafetySettings,
    note_due,
)
from bot.services.safety.words import dm_words

# In a DM to Kindred only these reach a reply: crisis, concern for someone, a possible concern
# (and a need asked for, on its own: see assess_dm).
DM_LABELS = ("crisis_self", "concern_other")
# The needs a DM to Kindred gets a needs reply for on their own (a peer: see assess_dm).
DM_OWN_NEEDS = ("respite", "warmline")
CONTEXT_WINDOW = timedelta(minutes=CONTEXT_MINUTES)


@dataclass(frozen=True)
class _Subject:
    """One member in one channel, and the start of each cooldown window."""

    guild_id: int
    channel_id: int
    user_id: int
    member_since: datetime
    channel_since: datetime


class DecisionsMixin(MembersMixin):
    if TYPE_CHECKING:

        async def alert_pings(self, guild_id: int, member_id: int | None) -> list[int]: ...

    async def notice(
        self,
        *,
        guild_id: int,
        channel_id: int,
        parent_channel_id: int | None,
        user_id: int,
        category_id: int | None = None,
        role_ids: list[int],
        label: str,
        tier: int,
        possible_concern: bool = False,
        needs: tuple[str, ...] | list[str] = (),
        risk: float = 0.0,
        message_id: int | None = None,
        edited_at: datetime | None = None,
    ) -> Decision | None:
        """A server message the detector read: None when it noticed nothing at all; else
        remember the member's risk (scores only) and decide (see ``assess``). An edited
        message is read as a new one, ``edited_at`` telling its edits apart."""
        if label == "none" and not needs:
            return None
        if parent_channel_id is not None and await self.in_own_conversation(
            guild_id, channel_id, user_id
        ):
            return None
        if label in REMEMBERED_LABELS:
            self.remember_risk(guild_id, channel_id, user_id, risk)
        return await self.assess(
            guild_id=guild_id,
            channel_id=channel_id,
            parent_channel_id=parent_channel_id,
            user_id=user_id,
            category_id=category_id,
            role_ids=role_ids,
            label=label,
            tier=tier,
            possible_concern=possible_concern,
            needs=needs,
            message_id=message_id,
            edited_at=edited_at,
        )

    async def dm_action(self, user_id: int, text: str) -> DmAction:
        """What a DM to Kindred is. Inside a support relay the member is talking with a peer:
        their words are for the peer, not commands or triggers for automatic replies."""
        live = await self.requests.live_anywhere(user_id)
        if any(r.relay and r.status == "claimed" for r in live):
            return "relay"
        answer = dm_words(text)
        if answer is None:
            return "assess"
        if answer[0] == "stopped":
            await self.set_opt_out(user_id, True)
        return answer[0]

    def listen_to_dms(self, on: bool) -> None:
        """The Safety cog's listener reads DMs to Kindred (``on``) or no longer does."""
        self.reading_dms = on

    def decides_dm_pleas(self) -> bool:
        """Whether a DM plea ("I need to talk", "I need to see a therapist") waits for the
        safety decision, so that the member gets one answer: the safety reply with the offer
        of a peer under it, or (no reply) the Support cog's offer alone, which the Safety cog
        asks for (``kindred_unanswered_dm``). While the listener doesn't read DMs (the Safety
        cog not loaded), the Support cog offers a peer at once."""
        return self.reading_dms

    async def dm_plea(self, user_id: int, text: str) -> DmPlea | None:
        """A DM that pleads for a peer or a professional, outside any relayed request (the
        relay answers those: the conversation, or its waiting note); None for any other."""
        professional = False
        lang = plea_language(text)
        if lang is None:
            lang, professional = professional_language(text), True
        if lang is None:
            return None
        if any(r.relay for r in await self.requests.live_anywhere(user_id)):
            return None
        return DmPlea(professional=professional, lang=lang, beside=beside_the_plea(text))

    async def in_own_conversation(self, guild_id: int, thread_id: int, user_id: int) -> bool:
        """Whether a message in this thread is said within the author's own support
        conversation: the thread of a claimed request, written by its member or the peer with
        them. As in a DM relay (``dm_action``), their words are for each other: no automatic
        reply, no alert naming the member and linking their private thread (the peer with them
        has /crisis and the peer guide's resources). Unclaimed or closed: as anywhere."""
        request = await self.requests.by_thread(thread_id)
        return (
            request is not None
            and request.guild_id == guild_id
            and request.status == "claimed"
            and user_id in (request.requester_id, request.claimed_by)
        )

    async def assess_dm(
        self,
        *,
        channel_id: int,
        user_id: int,
        label: str,
        tier: int,
        possible_concern: bool = False,
        needs: tuple[str, ...] | list[str] = (),
        message_id: int | None = None,
        text: str = "",
        plea_needs: tuple[str, ...] | list[str] | None = None,
    ) -> Decision:
        """A DM to Kindred: crisis, concern for someone, a possible concern, or a respite or
        a warmline asked for, with the same decisions and cooldowns as in a server, under a
        "no server" id of 0. Such a need said with other words (distress, harassment:
        unanswered in a DM) gets the needs reply of its own, once per cooldown (a peer asked
        for alongside rides along). A peer asked for alone is the Support cog's to answer in
        a DM ("I need to talk": the offer of a peer in each server shared; "help": the help
        note; "I need to talk to my boss": nothing), not a second reply of the detector's;
        so is a DM ``text`` the Support cog answers itself ("I need to talk", "I need to talk
        to a therapist"), whatever need the model reads in it, unless ``plea_needs`` says what
        its other words ask for (``dm_plea``'s ``beside``, read alone: "is there a respite near
        me? I need to talk" asks for a respite): those needs, in place of ``needs``, are
        answered as any DM's, and the Support cog's offer of a peer goes under that one reply."""
        if plea_needs is not None:
            needs = tuple(plea_needs)
        if label not in DM_LABELS and not (label == "distress" and possible_concern):
            if not any(n in DM_OWN_NEEDS for n in needs):
                return NOTHING
            if plea_needs is None and _support_answers(text):
                return NOTHING
            label, tier, possible_concern = "none", 0, False
        return await self.assess(
            guild_id=0,
            channel_id=channel_id,
            parent_channel_id=None,
            user_id=user_id,
            role_ids=[],
            label=label,
            tier=tier,
            possible_concern=possible_concern,
            needs=needs,
            message_id=message_id,
        )

    async def assess(
        self,
        *,
        guild_id: int,
        channel_id: int,
        parent_channel_id: int | None,
        user_id: int,
        category_id: int | None = None,
        role_ids: list[int],
        label: str,
        tier: int,
        possible_concern: bool = False,
        needs: tuple[str, ...] | list[str] = (),
        message_id: int | None = None,
        edited_at: datetime | None = None,
    ) -> Decision:
        """Decide and record (metadata only) what to do about one detected message.

        ``possible_concern`` marks a ``distress`` label that is really a low-confidence crisis
        or concern signal (the soft level); ``needs`` are resources the member asked for. In a
        cluster the same ``message_id`` may reach two processes: only the first decides (each
        edit, told apart by ``edited_at``, once too). The member's cooldown holds across a
        message and its edits as across messages.
        """
        needs = tuple(n for n in needs if n in NEEDS)
        if label == "none" and not needs:
            return NOTHING
        cfg = await self.config(guild_id)
        if not cfg.enabled:
            return NOTHING
        # the channel, a thread's channel (or a text channel's category), or the category
        if excluded_here(cfg.excluded_channel_ids, channel_id, parent_channel_id, category_id):
            return NOTHING
        if set(role_ids) & set(cfg.excluded_role_ids):
            return NOTHING
        # One member's burst of messages arrives as concurrent tasks: decide them one at a
        # time, so the second sees the first and the cooldown holds.
        async with self._lock_for(guild_id, user_id):
            if not await self._first_sight(message_id, edited_at):
                return NOTHING
            async with self._member_turn(guild_id, user_id):
                return await self._decide(
                    cfg, guild_id, channel_id, user_id, label, tier, possible_concern, needs
                )

    def _member_turn(self, guild_id: int, user_id: int) -> AbstractAsyncContextManager[None]:
        """In a cluster, two processes holding one shard may each get a different message of
        the same member at once: one decides at a time, so the second sees the first's
        decision and the cooldown holds there too."""
        if self.once is None:
            return nullcontext()
        return self.once.one_at_a_time("safety-member", guild_id, user_id)

    async def _first_sight(self, message_id: int | None, edited_at: datetime | None) -> bool:
        """False when another process already decided about this message, or this edit of
        it (a duplicate event while two sessions hold one shard)."""
        if message_id is None or self.once is None:
            return True
        kind = "safety" if edited_at is None else f"safety-edit:{edited_at.isoformat()}"
        return await self.once.first(kind, message_id)

    async def record_outcome(
        self,
        decision: Decision,
        *,
        replied: bool,
        alerted: bool,
        noted: bool,
        reply: ReplyOutcome | None = None,
    ) -> None:
        """What really reached people: a DM that bounced must not hold back the next one.
        ``reply``: what became of the private reply (None keeps the state recorded)."""
        if decision.event_id is not None:
            await self.repo.set_outcome(
                decision.event_id,
                replied=replied,
                alerted=alerted,
                noted=noted,
                reply_outcome=reply,
            )

    # -- context: recent risk per member and channel, in memory, scores only ---------------
    def context_risk(self, guild_id: int, channel_id: int, user_id: int) -> float:
        """The highest risk score of the member's recent messages in this channel."""
        recent = self._recent.get((guild_id, channel_id, user_id))
        if not recent:
            return 0.0
        since = self.clock() - CONTEXT_WINDOW
        highest = 0.0
        for at, risk in recent:  # at most CONTEXT_KEEP entries
            if risk > highest and at >= since:
                highest = risk
        return highest

    async def cared_for(self, guild_id: int, channel_id: int, user_id: int) -> bool:
        """Whether the detector noticed the member's risk in this channel lately and, in the
        last ``CONTEXT_MINUTES``, a decision about their risk in this server (crisis, concern
        for someone, distress) reached them or the peers: a private reply, an alert or a quiet
        item for peers. A label that got none of these (plain distress while the gentle
        pointer is off, a cooldown) is not care: a group's spoiler-tag reminder still goes to
        them. Nothing noticed here (``context_risk``, memory): no, without a query. Waits for
        a decision about the member under way in this process; in a cluster the recorded
        events answer, whichever process decided."""
        if self.context_risk(guild_id, channel_id, user_id) <= 0:
            return False
        async with self._lock_for(guild_id, user_id):
            window = await self.repo.member_window(guild_id, user_id, self.clock() - CONTEXT_WINDOW)
        return not window.acted.isdisjoint(REMEMBERED_LABELS)

    def remember_risk(self, guild_id: int, channel_id: int, user_id: int, risk: float) -> None:
        key = (guild_id, channel_id, user_id)
        if risk <= 0.0 and key not in self._recent:
            return
        if len(self._recent) > 20_000:  # bounded: keep only the last few minutes' keys
            since = self.clock() - CONTEXT_WINDOW
            self._recent = {k: v for k, v in self._recent.items() if v and v[-1][0] >= since}
        self._recent.setdefault(key, deque(maxlen=CONTEXT_KEEP)).append((self.clock(), risk))

    def forget_context(self, user_id: int) -> None:
        self._recent = {k: v for k, v in self._recent.items() if k[2] != user_id}

    def _lock_for(self, guild_id: int, user_id: int) -> asyncio.Lock:
        key = (guild_id, user_id)
        if key not in self._locks:
            if len(self._locks) > 10_000:  # bounded: drop idle locks
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            self._locks[key] = asyncio.Lock()
        return self._locks[key]

    # -- the decision, label by label --------------------------------------------------------
    async def _decide(
        self,
        cfg: SafetySettings,
        guild_id: int,
        channel_id: int,
        user_id: int,
        label: str,
        tier: int,
        possible_concern: bool = False,
        needs: tuple[str, ...] = (),
    ) -> Decision:
        now = self.clock()
        who = _Subject(
            guild_id,
            channel_id,
            user_id,
            member_since=now - timedelta(minutes=cfg.member_cooldown_minutes),
            channel_since=now - timedelta(minutes=cfg.channel_cooldown_minutes),
        )
        # the member's cooldown window, read once for every rule below (harassment is
        # the channel's business, not the member's)
        window = (
            await self.repo.member_window(guild_id, user_id, who.member_since)
            if label != "harassment"
            else None
        )
        decision = await self._decide_label(cfg, who, window, label, tier, possible_concern)
        # A member who opted out gets no automatic reply of any kind, a needs reply included
        # (/warmline, /respite and /crisis answer them when they ask).
        if needs and cfg.needs_replies and window is not None and not await self.opted_out(user_id):
            decision, label = self._with_needs(decision, window, label, needs)
        if label == "none":
            return NOTHING
        event_id = await self.repo.add_event(
            guild_id,
            channel_id,
            user_id,
            label,
            tier,
            replied=decision.reply is not None,
            alerted=decision.alert_peers or decision.alert_moderators or decision.quiet_item,
            now=now,
            reply_outcome=decision.reply_outcome,
        )
        return replace(decision, event_id=event_id)

    async def _decide_label(
        self,
        cfg: SafetySettings,
        who: _Subject,
        window: MemberWindow | None,
        label: str,
        tier: int,
        possible_concern: bool,
    ) -> Decision:
        if label == "harassment":
            return await self._harassment(who)
        if window is None or label == "none":
            return NOTHING
        if label == "crisis_self":
            return await self._crisis(cfg, who, window, tier)
        if label == "concern_other":
            return await self._concern_other(who, window)
        if label == "distress" and possible_concern:
            return await self._possible_concern(cfg, who, window)
        if label == "distress":
            return await self._distress(cfg, who, window)
        return NOTHING

    async def _crisis(
        self, cfg: SafetySettings, who: _Subject, window: MemberWindow, tier: int
    ) -> Decision:
        # Only an earlier crisis reply holds back the crisis lines: a gentle pointer or
        # a how-to-help-a-friend reply must never silence them.
        opted_out = await self.opted_out(who.user_id)
        wants_reply = not window.replied_to(("crisis_self",)) and not opted_out
        # A brief note in the channel is only a fallback for a crisis reply whose DM
        # fails, so the channel's notes matter only when there is a reply to send: one per
        # member, and a few per channel per cooldown (never a flood of them).
        fallback = wants_reply and cfg.reply_mode == "dm_then_channel"
        if fallback:
            noted = await self.repo.notes_in_channel(
                who.guild_id, who.channel_id, who.channel_since, NOTES_PER_CHANNEL
            )
            fallback = note_due(who.user_id, noted)
        # A higher tier than the last alert breaks the alert cooldown.
        escalates = window.alerted_tier is None or tier > window.alerted_tier
        # No one on duty but (perhaps) the member themself: the peers' alert pings no one, so
        # the moderators are told whatever the tier, as they are of a tier 3.
        nobody = (
            escalates
            and who.guild_id != 0
            and not await self.alert_pings(who.guild_id, who.user_id)
        )
        return Decision(
            reply="crisis" if wants_reply else None,
            channel_fallback=fallback,
            alert_peers=escalates,
            alert_moderators=escalates and (tier >= 3 or nobody),
            nobody_on_duty=nobody,
            tier=tier,
            label="crisis_self",
            opted_out=opted_out,
        )

    async def _concern_other(self, who: _Subject, window: MemberWindow) -> Decision:
        if not window.replied_to() and not await self.opted_out(who.user_id):
            return Decision(reply="concern_other", label="concern_other")
        return NOTHING

    async def _possible_concern(
        self, cfg: SafetySettings, who: _Subject, window: MemberWindow
    ) -> Decision:
        opted_out = await self.opted_out(who.user_id)
        wants_reply = cfg.soft_replies and not window.replied_to() and not opted_out
        return Decision(
            reply="possible_concern" if wants_reply else None,
            quiet_item=cfg.peer_items and window.alerted_tier is None,
            label="distress",
            opted_out=opted_out,
        )

    async def _distress(self, cfg: SafetySettings, who: _Subject, window: MemberWindow) -> Decision:
        if (
            cfg.distress_pointer
            and not window.replied_to()
            and not await self.opted_out(who.user_id)
        ):
            return Decision(reply="distress", label="distress")
        return NOTHING

    async def _harassment(self, who: _Subject) -> Decision:
        recent = await self.repo.last_in_channel(
            who.guild_id, who.channel_id, who.channel_since, label="harassment"
        )
        if recent is None:
            return Decision(alert_moderators=True, label="harassment")
        return NOTHING

    def _with_needs(
        self, decision: Decision, window: MemberWindow, label: str, needs: tuple[str, ...]
    ) -> tuple[Decision, str]:
        """Needs ride along with any reply; on their own they get a reply of their own (at
        most once per member cooldown), never for harassment."""
        if decision.reply is not None:
            return replace(decision, needs=needs), label
        if label == "harassment":
            return decision, label
        if not window.replied_to(("needs",)):
            decision = replace(decision, reply="needs", needs=needs)
            label = "needs" if label == "none" else label
        return decision, label


def excluded_here(excluded: list[int], *where: int | None) -> bool:
    """Whether a message in this channel, thread or category is left alone (``/safety
    exclude channel:`` takes a category too: every channel in it, and their threads)."""
    return any(place is not None and place in excluded for place in where)


def _support_answers(text: str) -> bool:
    """A DM the Support cog answers with its offer of a peer ("I need to talk") or its honest
    answer about professionals ("I need to talk to a therapist"): one reply, not two."""
    return bool(text) and (wants_to_talk(text) or professional_language(text) is not None)
