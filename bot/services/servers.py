"""A server that removes Kindred, and one that invites it back.

While a server is gone its scheduled work waits: the timer queue skips every timer of the
server (channel check-ins, meeting reminders, shift ends, alert follow-ups, retries), so
nothing is tried against a server Kindred is not in, except a DM to a person that needs
nothing of the server (a crisis reply Discord refused for a moment: ``bot.services.away``,
which decides every kind), which goes on and outlives the purge. Back in time, the notices
held longer than ``away.LATE_AFTER`` past their moment are dropped; back after the grace
period ran out while Kindred was offline, the data is purged first and the server starts
afresh. Its requests that were open or claimed are closed (their member and peer are told
privately, in their language, by the Discord layer), and its peers go off duty. Its data is
kept ``[privacy] departed_server_days``: back within them, the waiting work runs again
(recurring work that came due long ago skips that run and goes on from the next) and the
moderators are told once; after them the ``guild.purge`` timer deletes every row of the
server. The departure and the timer are stored, so a restart keeps both; a server Kindred
holds data for that is absent from a start-up's list of servers counts as departed from
then. No discord imports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.core import TimerRow
from bot.db.repositories.departed import DepartedRepository, DepartedRow
from bot.db.repositories.requests import RequestRow
from bot.i18n import gettext_for
from bot.services import away
from bot.services.peers.duty import DutyService
from bot.services.requests import RequestService
from bot.services.settings import GuildSettingsService
from bot.timers import Scheduler

log = logging.getLogger(__name__)

PURGE = away.SERVER_PURGE
SERVER_LEFT = "server_left"  # the close reason of a request whose server removed Kindred


def purge_key(guild_id: int) -> str:
    return f"{PURGE}:{guild_id}"


@dataclass(frozen=True)
class Told:
    """One person to DM about a closed conversation: the member or its peer."""

    user_id: int
    request: RequestRow
    lang: str
    member: bool


@dataclass
class Departure:
    guild_id: int
    purge_at: datetime
    told: list[Told] = field(default_factory=list)
    off_duty: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Return:
    guild_id: int
    departed_at: datetime
    waited: int  # scheduled work that came due while it was away
    moderator_channel_id: int | None
    # requests closed at the departure: their cards still show Claim (for the Discord layer)
    stale_cards: list[RequestRow] = field(default_factory=list)


class ServerPresence:
    def __init__(
        self,
        repo: DepartedRepository,
        requests: RequestService,
        duty: DutyService,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        keep_days: int,
        clock: Clock = utcnow,
        member_language: Callable | None = None,
    ) -> None:
        self.repo = repo
        self.requests = requests
        self.duty = duty
        self.settings = settings
        self.scheduler = scheduler
        self.keep = timedelta(days=keep_days)
        self.clock = clock
        self.member_language = member_language
        scheduler.register(PURGE, self.on_purge)

    async def is_departed(self, guild_id: int) -> bool:
        return await self.repo.get(guild_id) is not None

    async def departed(self, guild_id: int) -> Departure | None:
        """Kindred was removed from the server (or found it gone at start-up): its work
        waits, its live requests close, its peers go off duty, its purge is set. None when
        the departure was recorded already (nobody is told twice)."""
        now = self.clock()
        purge_at = now + self.keep
        if not await self.repo.mark(guild_id, now, purge_at):
            return None
        await self.scheduler.schedule_once(
            PURGE, purge_at, {"guild_id": guild_id}, key=purge_key(guild_id)
        )
        outcome = Departure(guild_id, purge_at)
        for request in await self.requests.close_for_departure(guild_id, SERVER_LEFT):
            lang = await self.requests.language_for(request)
            outcome.told.append(Told(request.requester_id, request, lang, member=True))
            if request.claimed_by is not None:
                peer_lang = await self._language(request.claimed_by)
                outcome.told.append(Told(request.claimed_by, request, peer_lang, member=False))
        for row in await self.duty.repo.on_duty(guild_id):
            if await self.duty.repo.set_off(guild_id, row.user_id):
                outcome.off_duty.append(row.user_id)
        log.info(
            "guild %s removed Kindred: %d people told, %d off duty; data kept until %s",
            guild_id, len(outcome.told), len(outcome.off_duty), purge_at,
        )  # fmt: skip
        return outcome

    async def _language(self, user_id: int) -> str:
        if self.member_language is None:
            return "en"
        return str(await self.member_language(user_id))

    async def returned(self, guild_id: int) -> Return | None:
        """Kindred is in the server again: within the grace period its departure and purge
        are forgotten and its waiting work runs (None: it had not departed, or its data was
        purged already and it starts afresh)."""
        now = self.clock()
        known = await self.repo.get(guild_id)
        if known is not None and known.purge_at <= now:
            # its grace period ended while Kindred was not running: the data goes first, as
            # the member was promised, and the server starts afresh
            await self._purge(guild_id)
            await self.scheduler.cancel(purge_key(guild_id))
            return None
        row = await self.repo.back(guild_id)
        if row is None:
            return None
        await self.scheduler.cancel(purge_key(guild_id))
        dropped = 0
        for late in set(away.LATE_AFTER.values()):
            kinds = frozenset(k for k, after in away.LATE_AFTER.items() if after == late)
            dropped += await self.repo.drop_late(guild_id, kinds, now - late)
        waited = await self.repo.waiting_timers(guild_id, now) + dropped
        if dropped:
            log.info("guild %s: %d notices held past their moment dropped", guild_id, dropped)
        self.scheduler.wakeup()
        cfg = await self.requests.config(guild_id, require=False)
        stale = await self.requests.closed_at_departure(guild_id, SERVER_LEFT, row.departed_at)
        log.info("guild %s invited Kindred back; %d timers waited", guild_id, waited)
        return Return(guild_id, row.departed_at, waited, cfg.mod_channel_id, stale)

    async def at_start(
        self, present: set[int], owned: Callable[[int], bool]
    ) -> tuple[list[Departure], list[Return]]:
        """At READY: the servers this process owns that Kindred holds data for and that
        READY doesn't list (removed while Kindred was offline) depart from now; the departed
        ones READY lists (invited back meanwhile) return."""
        gone: list[Departure] = []
        back: list[Return] = []
        departed = {row.guild_id for row in await self.repo.all()}
        for guild_id in sorted(await self.repo.known_guilds()):
            if owned(guild_id) and guild_id not in present and guild_id not in departed:
                outcome = await self.departed(guild_id)
                if outcome is not None:
                    gone.append(outcome)
        for guild_id in sorted(departed & present):
            if owned(guild_id):
                returned = await self.returned(guild_id)
                if returned is not None:
                    back.append(returned)
        return gone, back

    async def on_purge(self, timer: TimerRow) -> None:
        guild_id = int(timer.payload["guild_id"])
        row: DepartedRow | None = await self.repo.get(guild_id)
        if row is None or row.purge_at > self.clock():
            return  # came back meanwhile (or the purge was moved)
        await self._purge(guild_id)

    async def _purge(self, guild_id: int) -> None:
        deleted = await self.repo.purge(guild_id, keep_kinds=away.RUNS)
        self.settings.forget_cached(guild_id)
        log.info("guild %s: its data purged after its grace period (%s)", guild_id, deleted)


def member_text(request_id: int, lang: str = "en") -> str:
    """To the member of a request that was open or claimed when the server removed Kindred."""
    _ = gettext_for(lang)
    return _(
        "The server where you asked for support (request #{number}) has removed Kindred, so "
        "this conversation can't go on through Kindred and it is now closed. This isn't "
        "because of anything you did. If you'd like to talk to someone now, the support below "
        "is there for you."
    ).format(number=request_id)


def peer_text(request_id: int, lang: str = "en") -> str:
    """To the peer who held that conversation."""
    _ = gettext_for(lang)
    return _(
        "The server of request #{number} has removed Kindred, so your conversation can't go "
        "on through Kindred and it is now closed. The member has been told, with support they "
        "can reach. Thank you for the support you gave."
    ).format(number=request_id)


def moderators_back_text(departed_at: datetime, waited: int) -> str:
    """To the moderators' channel when Kindred is invited back (English, as channel posts)."""
    when = departed_at.strftime("%Y-%m-%d %H:%M UTC")
    skipped = (
        f" {waited} scheduled {'item' if waited == 1 else 'items'} (check-in posts, reminders,"
        " follow-ups) came due while it was away: those long past are skipped, and the next"
        " ones go ahead as planned."
        if waited
        else " Nothing scheduled came due while it was away."
    )
    return (
        f"Kindred is back. Your settings were kept while it was away (since {when}). "
        "Support requests that were open then were closed, their members told privately, "
        "and peers on duty went off duty." + skipped
    )
