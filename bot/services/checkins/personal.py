"""Personal check-ins members opt into: their own schedule and zone, quiet hours that hold a
DM back until they end, a private mood history, and consent to share the trend with one peer."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.db.repositories.checkins import PersonalRow
from bot.db.repositories.core import TimerRow
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.services.checkins.messages import DMS_CLOSED
from bot.services.checkins.rules import (
    BUILTIN_PROMPTS,
    LOWEST,
    MOODS,
    PERSONAL,
    PERSONAL_RETRY,
    RETRY_AFTER,
    CheckinBase,
    PersonalPlan,
    _zone,
    in_quiet_hours,
    next_delivery,
    parse_quiet_hours,
    upcoming_deliveries,
)

log = logging.getLogger(__name__)


def quiet_of(row: PersonalRow | None) -> tuple[str, str] | None:
    """A personal check-in's quiet hours (also honoured by the member's goal nudges)."""
    if row is None or not (row.quiet_start and row.quiet_end):
        return None
    return row.quiet_start, row.quiet_end


def quiet_end(row: PersonalRow | None, moment: datetime) -> datetime | None:
    """If ``moment`` falls inside this personal check-in's quiet hours (read in the check-in's
    own zone), the instant they end; else None. Checked when a DM that honours them is about
    to go out, so quiet hours set or changed after it was planned still hold it back."""
    quiet = quiet_of(row)
    if row is None or quiet is None:
        return None
    return in_quiet_hours(moment, _zone(row.tz), quiet)


def personal_retry_key(personal_id: int, scheduled_for: datetime) -> str:
    """The stored retry of one run of a personal check-in (under ``pcheckin:<id>:``)."""
    return f"pcheckin:{personal_id}:retry:{scheduled_for.isoformat()}"


class PersonalCheckins(CheckinBase):
    async def set_personal(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        schedule: str,
        tz: str | None,
        quiet: str | None,
    ) -> tuple[PersonalRow, list[datetime]]:
        """Set (or replace) the member's personal check-in. Without ``tz``, the zone they
        set with ``/timezone set``; a member who set none is asked for one (never a silent
        guess: the server's zone may not be theirs); such a check-in follows their zone
        when they set another (``follow_zone``), a ``tz`` given stays."""
        follows = not (tz and tz.strip())
        if follows:
            tz = await self.zones.own(user_id)
            if tz is None:
                raise InvalidInputError(
                    N_(
                        "Which time zone are you in? Add `tz:` (e.g. `Europe/London`), or set "
                        "yours once with `/timezone set`."
                    )
                )
        parsed, zone = await self._validated(None, schedule, tz)
        quiet_hours = parse_quiet_hours(quiet)
        runs = parsed.next_runs(self.clock(), zone, 20)
        if quiet_hours and all(in_quiet_hours(r, zone, quiet_hours) for r in runs):
            raise InvalidInputError(
                N_(
                    "Every check-in time falls inside your quiet hours; "
                    "choose another time or other quiet hours."
                )
            )
        row = await self.repo.upsert_personal(
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            schedule=parsed.canonical(),
            tz=zone.key,
            quiet_start=quiet_hours[0] if quiet_hours else None,
            quiet_end=quiet_hours[1] if quiet_hours else None,
            now=self.clock(),
            tz_follows=follows,
        )
        await self._arm_personal(row)
        await self._quiet_changed(user_id)
        return row, await self.personal_next(user_id, 3)

    async def follow_zone(self, user_id: int, zone: str | None) -> bool:
        """The member set their zone: a personal check-in set without ``tz`` moves to it (its
        next run planned again in it, its quiet hours read in it); True if it moved and comes
        (a paused one moves for when it is resumed, and says nothing of times to come).
        ``zone`` None: they cleared it, and it moves to the home zone of the server it was set
        in, as the answer says (one set in DMs, with no server's zone, stays where it is)."""
        if zone is None:
            row = await self.repo.personal_for(user_id)
            if row is None or not row.tz_follows or row.guild_id is None:
                return False
            zone = await self.zones.home_zone(row.guild_id)
        row = await self.repo.follow_zone(user_id, zone)
        if row is None:
            return False
        await self.scheduler.cancel(f"pcheckin:{row.id}")
        if not row.paused:
            await self._arm_personal(row)
        await self._quiet_changed(user_id)
        return not row.paused

    async def follow_server(self, guild_id: int) -> bool:
        """The server's home zone changed: personal check-ins set there that follow the zone
        of members who now have none of their own move to it."""
        moved = False
        for row in await self.repo.following_in(guild_id):
            if await self.zones.own(row.user_id) is None:
                moved = await self.follow_zone(row.user_id, None) or moved
        return moved

    async def followed_zones(self, user_id: int) -> list[str]:
        """The zone the member's check-in comes in, if it follows their zone and comes (not
        paused)."""
        row = await self.repo.personal_for(user_id)
        if row is None or not row.tz_follows or row.paused:
            return []
        return [row.tz]

    def watch_quiet_hours(self, callback: Callable[[int], Awaitable[None]]) -> None:
        """``callback(user_id)`` runs after a member's personal check-in (and so their quiet
        hours) is set, replaced or stopped; goal nudges re-plan their pending one with it."""
        self.quiet_watchers.append(callback)

    async def _quiet_changed(self, user_id: int) -> None:
        for callback in self.quiet_watchers:
            await callback(user_id)

    async def personal_status(self, user_id: int) -> PersonalRow:
        row = await self.repo.personal_for(user_id)
        if row is None:
            raise NotFoundError(N_("You have no personal check-in. `/checkin me every` sets one."))
        return row

    async def personal_next(self, user_id: int, count: int = 3) -> list[datetime]:
        row = await self.personal_status(user_id)
        if row.paused:
            return []
        return upcoming_deliveries(row.schedule, row.tz, quiet_of(row), self.clock(), count)

    async def pause_personal(self, user_id: int, reason: str = "paused by you") -> PersonalRow:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, paused=True, pause_reason=reason)
        await self._cancel_personal_timers(row.id)
        return await self.personal_status(user_id)

    async def resume_personal(self, user_id: int) -> list[datetime]:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, paused=False, pause_reason=None)
        await self._arm_personal(await self.personal_status(user_id))
        return await self.personal_next(user_id, 3)

    async def stop_personal(self, user_id: int) -> None:
        row = await self.personal_status(user_id)
        await self._cancel_personal_timers(row.id)
        await self.repo.delete_personal(user_id)
        await self._quiet_changed(user_id)

    async def _cancel_personal_timers(self, personal_id: int) -> None:
        """Drop the next run and every pending retry (``pcheckin:<id>:retry:<run>``); the
        trailing colon keeps check-in 1 from cancelling check-in 12's retries."""
        await self.scheduler.cancel(f"pcheckin:{personal_id}")
        await self.scheduler.cancel_prefix(f"pcheckin:{personal_id}:")

    async def _arm_personal(self, row: PersonalRow, after: datetime | None = None) -> None:
        start = max(after or self.clock(), self.clock())
        planned = next_delivery(row.schedule, row.tz, quiet_of(row), start)
        if planned is None:
            return
        nxt, due = planned
        await self.scheduler.schedule_once(
            PERSONAL,
            due,
            {"personal_id": row.id, "scheduled_for": nxt.isoformat()},
            key=f"pcheckin:{row.id}",
        )

    async def due_personal(self, timer: TimerRow) -> PersonalPlan | None:
        row = await self.repo.personal(timer.payload["personal_id"])
        if row is None or row.paused:
            return None
        scheduled = datetime.fromisoformat(timer.payload["scheduled_for"])
        await self._arm_personal(row, after=max(scheduled, timer.due_at))
        if self.scheduler.too_late(timer):
            log.info("personal check-in %s missed by more than the grace time; skipped", row.id)
            return None
        await self.repo.update_personal(row.id, last_run_at=timer.due_at)
        return self._personal_plan(row, timer.due_at)

    @staticmethod
    def _personal_plan(row: PersonalRow, delivery: datetime) -> PersonalPlan:
        prompt = BUILTIN_PROMPTS[int(delivery.timestamp() // 86400) % len(BUILTIN_PROMPTS)]
        return PersonalPlan(row, delivery, prompt)

    async def personal_retry_later(self, plan: PersonalPlan) -> None:
        """Discord failed this DM for a moment (rate limits, 5xx): send the same run again
        shortly, while it is still within the misfire grace time. One retry per run (keyed by
        its time): a retry failing again replaces only itself, so the DM goes out once."""
        row = plan.personal
        await self.scheduler.schedule_once(
            PERSONAL_RETRY,
            self.clock() + RETRY_AFTER,
            {"personal_id": row.id, "scheduled_for": plan.scheduled_for.isoformat()},
            key=personal_retry_key(row.id, plan.scheduled_for),
        )

    async def due_personal_retry(self, timer: TimerRow) -> PersonalPlan | None:
        """A refused DM's retry: the same run and prompt, unless the check-in was paused
        or stopped meanwhile, or the grace time has passed."""
        row = await self.repo.personal(timer.payload["personal_id"])
        if row is None or row.paused:
            return None
        scheduled_for = datetime.fromisoformat(timer.payload["scheduled_for"])
        if self.clock() - scheduled_for > self.scheduler.misfire_grace:
            log.info(
                "personal check-in %s: run at %s could not be sent within the grace time; skipped",
                row.id,
                scheduled_for.isoformat(),
            )
            return None
        return self._personal_plan(row, scheduled_for)

    async def personal_dm_failed(self, user_id: int) -> PersonalRow:
        """The member's DMs are closed: pause. Nobody is told in a channel (that would tell
        others the member keeps a check-in); their next ``/checkin me`` answer says so
        (``paused_for_closed_dms``)."""
        return await self.pause_personal(user_id, reason=DMS_CLOSED)

    async def paused_for_closed_dms(self, user_id: int) -> bool:
        """Whether the member's check-in is paused because a DM to them was refused."""
        row = await self.repo.personal_for(user_id)
        return row is not None and row.paused and row.pause_reason == DMS_CLOSED

    async def sharing_with(self, user_id: int) -> int | None:
        """The peer the member shares their mood trend with, or None."""
        row = await self.repo.personal_for(user_id)
        return row.share_with if row is not None else None

    # -- moods and sharing ---------------------------------------------------------------------
    async def personal_mood(self, user_id: int, mood: int, message_id: int | None = None) -> bool:
        """Store a mood from a personal check-in; True for the lowest. One answer per DM
        (``message_id``) and mood: pressing the same mood again on the same DM, a double tap
        or later, stores nothing more (another mood on it is a new answer). Without a
        message id every press is stored."""
        if mood not in MOODS:
            raise InvalidInputError(N_("Choose a mood from 1 to 5."))
        if not await self.repo.add_personal_mood(user_id, mood, self.clock(), message_id):
            log.info("personal mood already stored for this check-in message; not stored again")
        return mood == LOWEST

    async def personal_guild(self, user_id: int, pressed_in: int | None) -> int | None:
        """The server whose peers and region answer a personal mood: the one the member set
        their check-in up in, else where the button was pressed (None in a DM, or when that
        server has removed Kindred: its peers can't be reached through Kindred)."""
        row = await self.repo.personal_for(user_id)
        guild_id = row.guild_id if row else pressed_in
        if (
            guild_id is not None
            and self.server_away is not None
            and await self.server_away(guild_id)
        ):
            return None
        return guild_id

    @staticmethod
    def peers_offered(guild_id: int | None, in_server: bool | None) -> int | None:
        """The server whose peers a mood's answer offers: the check-in's, never one the member
        is no longer in (its peers couldn't reach them; ``in_server`` False). Discord unable
        to say (None) says nothing about them: offered, and the form asks again."""
        return None if in_server is False else guild_id

    async def history(self, user_id: int, days: int = 30) -> list[tuple[datetime, int]]:
        return await self.repo.personal_moods(user_id, self.clock() - timedelta(days=days))

    async def history_zone(self, user_id: int) -> zoneinfo.ZoneInfo | None:
        """The zone a member's trend is drawn in, a block a day: their check-in's."""
        row = await self.repo.personal_for(user_id)
        return _zone(row.tz) if row is not None and row.tz else None

    async def share_with(self, user_id: int, peer_id: int | None) -> None:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, share_with=peer_id)

    async def shared_history(
        self, member_id: int, peer_id: int, days: int = 30
    ) -> list[tuple[datetime, int]]:
        row = await self.repo.personal_for(member_id)
        if row is None or row.share_with != peer_id:
            raise NotFoundError(N_("That member has not chosen to share their check-ins with you."))
        return await self.history(member_id, days)

    async def forget(self, user_id: int) -> int:
        row = await self.repo.personal_for(user_id)
        if row is not None:
            await self._cancel_personal_timers(row.id)
        return await self.repo.delete_user(user_id)
