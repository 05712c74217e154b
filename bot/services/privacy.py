"""Privacy: ``/forgetme`` and the retention purge.

Every feature that stores something about a member registers a deletion hook; ``forget`` runs
them all. Features that keep message content register a retention purge; a daily timer deletes
content older than ``[privacy] retention_days``, or than a server's own shorter period
(``/peers limits retention_days``) for that server's content. The timer needs no Discord, so
this service registers its own handler and arms it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.core import (
    AuditRepository,
    GuildSettingsRepository,
    MemberPrefsRepository,
    TimerRow,
)
from bot.db.repositories.events import HandledEventRepository
from bot.db.repositories.relay_copies import RELAY_COPY, RELAY_WELCOME
from bot.db.retention import RETENTION_SETTING, Cutoffs
from bot.services.notices import ModeratorNotices
from bot.timers import Scheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deleted:
    """A deletion hook's answer when Discord still shows something of what it deleted: how
    many items (``count``), and ``follow_up``, what the feature's own Discord layer needs to
    take it off Discord, read before the rows were gone (the cog that ran ``/forgetme`` hands
    every follow-up over with the ``kindred_member_forgotten`` event, after the deletion)."""

    count: int
    follow_up: object


@dataclass(frozen=True)
class CardToClear:
    """A ``privacy.card_clear`` timer's card: where it is, what it was (``card``: "request" or
    "alert", and ``RELAY_WELCOME``, a relay thread's welcome naming the member, edited to a
    line naming nobody; ``RELAY_COPY``, Kindred's copy of the member's words in a relay
    thread, deleted), a request's number and whether it was still live, and for an alert
    whether it was the quiet possible-concern item rather than a crisis alert (``concern``).
    Ids only."""

    guild_id: int
    channel_id: int
    message_id: int
    card: str
    number: int | None = None
    live: bool = False
    concern: bool = False

    @property
    def deleted(self) -> bool:
        """Deleted rather than edited: a copy of the member's words in a relay thread."""
        return self.card == RELAY_COPY

    @property
    def relay_welcome(self) -> bool:
        """A relay thread's welcome naming the member, edited to a line naming nobody."""
        return self.card == RELAY_WELCOME

    @property
    def jump_url(self) -> str:
        return f"https://discord.com/channels/{self.guild_id}/{self.channel_id}/{self.message_id}"


DataDeleter = Callable[[int], Awaitable[int | Deleted]]
#: A feature's retention purge: deletes what is older than its server's cutoff (a single
#: datetime: the same for every server).
RetentionPurge = Callable[[Cutoffs], Awaitable[int]]

PURGE, PURGE_KEY = "privacy.purge", "privacy:purge"
#: A card Discord still shows of what /forgetme deleted (a request card, a crisis alert card),
#: to be edited to a line naming nobody, or a copy of the member's words in a relay thread
#: (``RELAY_COPY``), to be deleted; stored by the deletion itself (ids only), retried
#: with backoff until Discord takes it. Key ``privacy:card:<channel id>:<message id>``.
CARD_CLEAR = "privacy.card_clear"
CARD_CLEAR_FIRST_RETRY = timedelta(seconds=30)
CARD_CLEAR_MAX_WAIT = timedelta(hours=1)
#: Discord failing the edit for this long (the waits between tries added up), the clearing is
#: given up: the moderators are told once, with a link to delete the card by hand, and the
#: audit log records it (ids only).
CARD_CLEAR_GIVE_UP_AFTER = timedelta(days=7)
CARD_CLEAR_GAVE_UP = "privacy.card_clear_gave_up"
#: How often moderators are told of one channel refusing Kindred's edits (per server; stored,
#: so a restart doesn't tell them again).
CARD_REFUSAL_TOLD_EVERY = timedelta(hours=6)
CARD_REFUSED = "privacy.card_refused"
#: The claim of a /forgetme question answered with "Delete everything" (keyed by the
#: question's message id: ids only, purged with the other handled-event keys after a day).
FORGET_ANSWERED = "forgetme"
#: The first purge after a start with none stored; then one a day.
FIRST_PURGE_AFTER = timedelta(minutes=1)
PURGE_EVERY = timedelta(days=1)


def card_clear_wait(tries: int) -> timedelta:
    """The wait before a card clearing's try number ``tries`` (1: the first retry)."""
    return min(CARD_CLEAR_FIRST_RETRY * 2 ** min(tries - 1, 16), CARD_CLEAR_MAX_WAIT)


@dataclass
class PrivacyService:
    """Runs every feature's deletion hook for a member (``/forgetme``), and the retention
    purges that delete stored content older than ``[privacy] retention_days``, or than a
    server's own shorter retention (never longer: the deployment's is the upper bound)."""

    prefs: MemberPrefsRepository
    scheduler: Scheduler
    retention_days: int
    clock: Clock = utcnow
    deleters: dict[str, DataDeleter] = field(default_factory=dict)
    purges: dict[str, RetentionPurge] = field(default_factory=dict)
    #: where a /forgetme question's "Delete everything" is claimed once (None: never claimed)
    answers: HandledEventRepository | None = None
    #: when moderators were last told of a channel refusing edits (None: in memory)
    notices: ModeratorNotices | None = None
    #: where a card clearing given up is recorded (None: not recorded)
    audit: AuditRepository | None = None
    #: where servers' own retention periods are read (None: the deployment's for all)
    guild_settings: GuildSettingsRepository | None = None

    def __post_init__(self) -> None:
        if self.notices is None:
            self.notices = ModeratorNotices(clock=self.clock)

    def register(self, name: str, deleter: DataDeleter) -> None:
        self.deleters[name] = deleter

    def register_retention(self, name: str, purge: RetentionPurge) -> None:
        self.purges[name] = purge

    async def purge(self, cutoff: datetime | Cutoffs) -> dict[str, int]:
        cutoffs = Cutoffs.of(cutoff)
        return {name: await purge(cutoffs) for name, purge in self.purges.items()}

    async def cutoffs(self) -> Cutoffs:
        """Now's cutoffs: the deployment's ``retention_days`` ago, and for each shorter period
        a server chose, that many days ago (a longer one, or none, is the deployment's)."""
        now = self.clock()
        stored = (
            []
            if self.guild_settings is None
            else (await self.guild_settings.distinct_values(RETENTION_SETTING))
        )
        shorter = sorted(
            {
                days
                for days in stored
                if isinstance(days, int)
                and not isinstance(days, bool)
                and 1 <= days < self.retention_days
            }
        )
        return Cutoffs(
            now - timedelta(days=self.retention_days),
            tuple((days, now - timedelta(days=days)) for days in shorter),
        )

    async def forget(self, user_id: int, follow_ups: list[object] | None = None) -> dict[str, int]:
        """Run every deletion hook; what each deleted, by name. The hooks' follow-ups (what
        Discord still shows of the deleted rows) are added to ``follow_ups`` when given."""
        removed = {"preferences": await self.prefs.delete_user(user_id)}
        try:
            for name, deleter in self.deleters.items():
                result = await deleter(user_id)
                if isinstance(result, Deleted):
                    if follow_ups is not None:
                        follow_ups.append(result.follow_up)
                    result = result.count
                removed[name] = result
        finally:
            self.scheduler.wakeup()  # the cards' clearing the deletions stored, due now
        return removed

    async def forget_once(
        self, user_id: int, question_id: int | None, follow_ups: list[object] | None = None
    ) -> dict[str, int] | None:
        """``forget`` for a press of "Delete everything" on the /forgetme question
        ``question_id``; None when that question was already answered so (a second or
        concurrent press: the first one's answer stands). A failed deletion gives the claim
        back, so pressing again tries again."""
        if self.answers is None or question_id is None:
            return await self.forget(user_id, follow_ups)
        if not await self.answers.claim(FORGET_ANSWERED, question_id, self.clock()):
            return None
        try:
            return await self.forget(user_id, follow_ups)
        except BaseException:
            await self.answers.release(FORGET_ANSWERED, question_id)
            raise

    async def forgotten_by(self, question_id: int | None) -> bool:
        """Whether "Delete everything" was pressed on the /forgetme question ``question_id``."""
        if self.answers is None or question_id is None:
            return False
        return await self.answers.claimed(FORGET_ANSWERED, question_id)

    # -- the cards /forgetme clears -----------------------------------------------------------
    def on_card_clear(self, timer: TimerRow) -> CardToClear:
        """A stored card clearing is due: the card, for the Discord layer to edit."""
        p = timer.payload
        return CardToClear(
            guild_id=int(timer.guild_id or 0),
            channel_id=int(p["channel_id"]),
            message_id=int(p["message_id"]),
            card=str(p.get("card", "request")),
            number=None if p.get("number") is None else int(p["number"]),
            live=bool(p.get("live", False)),
            concern=bool(p.get("concern", False)),
        )

    async def card_clear_later(self, timer: TimerRow) -> datetime | None:
        """Discord failed for a moment (5xx, 429, no answer): the same clearing again later,
        waiting twice as long each time (30 s, 1 min, ... up to an hour), until it is taken.
        After :data:`CARD_CLEAR_GIVE_UP_AFTER` of waits it is given up: None, nothing stored
        again, and the audit log records it (ids only); the Discord layer tells the
        moderators."""
        done = int(timer.payload.get("tries", 0))
        if sum((card_clear_wait(n) for n in range(1, done + 1)), timedelta()) >= (
            CARD_CLEAR_GIVE_UP_AFTER
        ):
            await self._record_given_up(timer, done)
            return None
        tries = done + 1
        due = self.clock() + card_clear_wait(tries)
        await self.scheduler.schedule_once(
            CARD_CLEAR,
            due,
            {**timer.payload, "tries": tries},
            guild_id=timer.guild_id,
            key=timer.key,
        )
        return due

    async def _record_given_up(self, timer: TimerRow, tries: int) -> None:
        card = self.on_card_clear(timer)
        log.warning("guild %s: a card clearing given up after %s tries", card.guild_id, tries)
        if self.audit is not None:
            detail = {"channel_id": card.channel_id, "message_id": card.message_id}
            detail |= {"card": card.card, "tries": tries}
            await self.audit.add(card.guild_id, None, CARD_CLEAR_GAVE_UP, detail, self.clock())

    async def card_refused_tell(self, card: CardToClear) -> bool:
        """Discord refuses the edit (403): no retry will change that; whether to tell the
        moderators now (once per channel per :data:`CARD_REFUSAL_TOLD_EVERY`, not per card;
        remembered in the database, so a restart doesn't tell them again)."""
        assert self.notices is not None
        return await self.notices.first_in(
            CARD_REFUSED, card.guild_id, card.channel_id, CARD_REFUSAL_TOLD_EVERY
        )

    # -- the retention purge timer -----------------------------------------------------------
    async def start_retention(self) -> None:
        """Handle the daily purge timer, and arm it shortly after start-up unless one is
        already stored (a restart keeps the stored time)."""
        self.scheduler.register(PURGE, self.on_purge)
        if await self.scheduler.get(PURGE_KEY) is None:
            await self.scheduler.schedule_once(
                PURGE, self.clock() + FIRST_PURGE_AFTER, key=PURGE_KEY
            )

    async def on_purge(self, timer: TimerRow) -> dict[str, int]:
        """Daily: delete stored content older than the retention period, then re-arm."""
        # Re-arm first: a failing purge must not end retention until the next restart.
        await self.scheduler.schedule_once(PURGE, self.clock() + PURGE_EVERY, key=PURGE_KEY)
        removed = await self.purge(await self.cutoffs())
        log.info("retention purge removed %s", removed)
        return removed
