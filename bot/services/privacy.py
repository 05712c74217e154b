"""Privacy: ``/forgetme`` and the retention purge.

Every feature that stores something about a member registers a deletion hook; ``forget`` runs
them all. Features that keep message content register a retention purge; a daily timer deletes
content older than ``[privacy] retention_days``. The timer needs no Discord, so this service
registers its own handler and arms it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository, TimerRow
from bot.db.repositories.events import HandledEventRepository
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


DataDeleter = Callable[[int], Awaitable[int | Deleted]]
RetentionPurge = Callable[[datetime], Awaitable[int]]

PURGE, PURGE_KEY = "privacy.purge", "privacy:purge"
#: The claim of a /forgetme question answered with "Delete everything" (keyed by the
#: question's message id: ids only, purged with the other handled-event keys after a day).
FORGET_ANSWERED = "forgetme"
#: The first purge after a start with none stored; then one a day.
FIRST_PURGE_AFTER = timedelta(minutes=1)
PURGE_EVERY = timedelta(days=1)


@dataclass
class PrivacyService:
    """Runs every feature's deletion hook for a member (``/forgetme``), and the retention
    purges that delete stored content older than ``[privacy] retention_days``."""

    prefs: MemberPrefsRepository
    scheduler: Scheduler
    retention_days: int
    clock: Clock = utcnow
    deleters: dict[str, DataDeleter] = field(default_factory=dict)
    purges: dict[str, RetentionPurge] = field(default_factory=dict)
    #: where a /forgetme question's "Delete everything" is claimed once (None: never claimed)
    answers: HandledEventRepository | None = None

    def register(self, name: str, deleter: DataDeleter) -> None:
        self.deleters[name] = deleter

    def register_retention(self, name: str, purge: RetentionPurge) -> None:
        self.purges[name] = purge

    async def purge(self, cutoff: datetime) -> dict[str, int]:
        return {name: await purge(cutoff) for name, purge in self.purges.items()}

    async def forget(self, user_id: int, follow_ups: list[object] | None = None) -> dict[str, int]:
        """Run every deletion hook; what each deleted, by name. The hooks' follow-ups (what
        Discord still shows of the deleted rows) are added to ``follow_ups`` when given."""
        removed = {"preferences": await self.prefs.delete_user(user_id)}
        for name, deleter in self.deleters.items():
            result = await deleter(user_id)
            if isinstance(result, Deleted):
                if follow_ups is not None:
                    follow_ups.append(result.follow_up)
                result = result.count
            removed[name] = result
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
        removed = await self.purge(self.clock() - timedelta(days=self.retention_days))
        log.info("retention purge removed %s", removed)
        return removed
