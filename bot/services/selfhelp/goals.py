"""Members' own goals, with gentle nudges by DM on a schedule of their choosing.

The nudges ride on the check-in engine: the same schedule language and IANA zones
(``bot.schedules`` through ``bot.services.checkins.rules``), a stored ``goal.nudge`` timer per
goal re-armed from its handler in the goal's zone, and the member's personal check-in: its zone
is the default and its quiet hours hold a nudge back until they end. Goals are private; a member
may let chosen peers see them (``share``), and takes that back with ``unshare``.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.core import TimerRow
from bot.db.repositories.goals import GoalRepository, GoalRow
from bot.db.repositories.plans import ShareRow
from bot.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.i18n import N_
from bot.schedules import Schedule
from bot.services.checkins import (
    RETRY_AFTER,
    CheckinService,
    PersonalRow,
    in_quiet_hours,
    next_delivery,
    quiet_end,
    quiet_of,
    upcoming_deliveries,
)
from bot.services.checkins.rules import _schedule, _zone
from bot.services.zones import MemberZones
from bot.text import clean_line
from bot.timers import Scheduler

log = logging.getLogger(__name__)

NUDGE = "goal.nudge"
#: A nudge Discord failed for a moment (5xx, 429): that run tried again (never rename).
NUDGE_RETRY = "goal.nudge_retry"
MAX_TEXT = 200
MAX_OPEN = 10
#: Finished goals kept to look back on; older ones are deleted when a new one is finished.
MAX_DONE_KEPT = 20
MAX_SHARES = 3
#: Nudges are gentle: at most one a day.
MIN_GAP = timedelta(days=1)


def nudge_key(goal_id: int) -> str:
    return f"goal:{goal_id}"


def nudge_retry_key(goal_id: int, scheduled_for: datetime) -> str:
    """The stored retry of one run of a goal's nudge (under ``goal:<id>:``)."""
    return f"goal:{goal_id}:retry:{scheduled_for.isoformat()}"


@dataclass(frozen=True)
class GoalSet:
    goal: GoalRow
    next_runs: list[datetime]
    #: Whose zone the nudges use: "member" (given with ``tz``, ``/timezone set`` or their
    #: personal check-in), "server" (the server's home zone) or "default" (UTC).
    zone_source: str = "member"


@dataclass(frozen=True)
class GoalNudge:
    goal: GoalRow
    scheduled_for: datetime
    #: When this run was due to go out (its run, or the end of quiet hours that held it):
    #: a retry is sent only within the grace time of it.
    due_at: datetime | None = None


class GoalService:
    def __init__(
        self,
        repo: GoalRepository,
        checkins: CheckinService,
        zones: MemberZones,
        scheduler: Scheduler,
        clock: Clock = utcnow,
    ) -> None:
        self.repo = repo
        self.zones = zones
        self.checkins = checkins
        self.scheduler = scheduler
        self.clock = clock

    # -- zones and schedules, as personal check-ins have them -----------------------------------
    async def _personal(self, user_id: int) -> PersonalRow | None:
        try:
            return await self.checkins.personal_status(user_id)
        except NotFoundError:
            return None

    async def member_zone(self, user_id: int, guild_id: int | None) -> zoneinfo.ZoneInfo:
        """The member's own zone (``/timezone set``), else their personal check-in's, else
        their server's home zone, else UTC."""
        return (await self._zone_and_source(user_id, guild_id))[0]

    async def _zone_and_source(
        self, user_id: int, guild_id: int | None
    ) -> tuple[zoneinfo.ZoneInfo, str]:
        personal = await self._personal(user_id)
        return await self.zones.zone_and_source(
            user_id, guild_id, personal.tz if personal is not None else None
        )

    def _parsed(self, text: str, zone: zoneinfo.ZoneInfo) -> Schedule:
        schedule = _schedule(text)
        if schedule.anchor is None:
            schedule = schedule.anchored(self.clock(), zone)
        if schedule.min_interval() < MIN_GAP:
            raise InvalidInputError(
                N_(
                    "Goal nudges come at most once a day. "
                    "Try e.g. `daily 09:00` or `mon,thu 18:00`."
                )
            )
        return schedule

    async def _quiet(self, user_id: int) -> tuple[tuple[str, str] | None, str | None]:
        """The member's check-in quiet hours and the zone they were set in (none: None)."""
        personal = await self._personal(user_id)
        return quiet_of(personal), personal.tz if personal is not None else None

    async def _arm(self, goal: GoalRow, after: datetime | None = None) -> datetime | None:
        """Store the next nudge, as personal check-ins do (same zone and quiet-hours rules)."""
        if goal.schedule is None or goal.tz is None or goal.status != "active":
            return None
        quiet, quiet_tz = await self._quiet(goal.user_id)
        start = max(after or self.clock(), self.clock())
        planned = next_delivery(goal.schedule, goal.tz, quiet, start, quiet_tz)
        if planned is None:
            return None
        nxt, due = planned
        await self.scheduler.schedule_once(
            NUDGE,
            due,
            {"goal_id": goal.id, "user_id": goal.user_id, "scheduled_for": nxt.isoformat()},
            key=nudge_key(goal.id),
        )
        return due

    async def replan(self, user_id: int) -> None:
        """The member's quiet hours changed: each pending nudge goes out at its run, or at the
        end of the new quiet hours (never before now); the schedule itself is unchanged."""
        quiet, quiet_tz = await self._quiet(user_id)
        for goal in await self.repo.for_user(user_id):
            timer = await self.scheduler.get(nudge_key(goal.id))
            if timer is None or goal.status != "active" or goal.tz is None:
                continue
            if timer.due_at <= self.clock():
                continue  # already going out: ``on_nudge`` checks the quiet hours itself
            run = datetime.fromisoformat(timer.payload["scheduled_for"])
            due = in_quiet_hours(run, _zone(quiet_tz or goal.tz), quiet) or run
            due = max(due, self.clock())
            if due != timer.due_at:
                await self.scheduler.schedule_once(
                    NUDGE, due, dict(timer.payload), key=nudge_key(goal.id)
                )

    async def follow_zone(self, user_id: int, zone: str | None) -> bool:
        """The member set their zone: goals whose nudges were set without ``tz`` move to it
        (their next nudge planned again in it); True if the nudges of any goal going on now
        come in it (a paused goal moves too, and says nothing of nudges). ``zone`` None: they
        cleared it, and each moves to the zone a goal set now would use (their personal
        check-in's, else its server's home zone, else UTC)."""
        if zone is None:
            return await self._refollow(await self.repo.following(user_id=user_id))
        moved = await self.repo.follow_zone(user_id, zone)
        for goal in moved:
            await self._arm(goal)
        return any(goal.status == "active" for goal in moved)

    async def follow_server(self, guild_id: int) -> bool:
        """The server's home zone changed: nudges set there without ``tz`` by members who have
        no zone of their own (nor a personal check-in's) move to it, as they were set in it."""
        following = await self.repo.following(guild_id=guild_id)
        own = {user: await self.zones.own(user) for user in {g.user_id for g in following}}
        return await self._refollow([g for g in following if own[g.user_id] is None])

    async def followed_zones(self, user_id: int) -> list[str]:
        """The zones the nudges of the member's goals going on come in, of those that follow
        their zone (each its own: set in two servers, two home zones)."""
        goals = await self.repo.following(user_id=user_id)
        return sorted({g.tz for g in goals if g.status == "active" and g.tz is not None})

    async def _refollow(self, goals: list[GoalRow]) -> bool:
        """Move each goal that follows its member's zone to the zone used for it now (its
        next nudge planned again); True if any going on moved."""
        moved = False
        for goal in goals:
            zone = (await self._zone_and_source(goal.user_id, goal.guild_id))[0].key
            fresh = await self.repo.move_zone(goal.id, zone)
            if fresh is not None:
                await self._arm(fresh)
                moved = moved or fresh.status == "active"
        return moved

    async def next_nudges(self, goal: GoalRow, count: int = 3) -> list[datetime]:
        if goal.schedule is None or goal.tz is None or goal.status != "active":
            return []
        quiet, quiet_tz = await self._quiet(goal.user_id)
        return upcoming_deliveries(goal.schedule, goal.tz, quiet, self.clock(), count, quiet_tz)

    # -- the member's own goals ---------------------------------------------------------------
    async def set(
        self,
        user_id: int,
        guild_id: int | None,
        text: str,
        schedule: str | None = None,
        tz: str | None = None,
    ) -> GoalSet:
        goal_text = clean_line(text)
        if not goal_text:
            raise InvalidInputError(N_("Write your goal in a few words, e.g. `walk ten minutes`."))
        if len(goal_text) > MAX_TEXT:
            raise InvalidInputError(N_("A goal can be at most {count} characters."), count=MAX_TEXT)
        canonical = zone_name = None
        source = "member"
        if schedule is not None and schedule.strip():
            if tz and tz.strip():
                zone = _zone(tz)
            else:
                zone, source = await self._zone_and_source(user_id, guild_id)
            canonical, zone_name = self._parsed(schedule, zone).canonical(), zone.key
        elif tz and tz.strip():
            _zone(tz)  # a bad zone is still worth saying, even without a schedule

        def check(goals: list[GoalRow]) -> None:
            """Read with the insert in one transaction: two goals set at once (a command sent
            twice) can't both pass as new, nor both fit under the limit."""
            if any(g.status != "done" and g.text.lower() == goal_text.lower() for g in goals):
                raise ConflictError(
                    N_("You already have that goal. `/goal list` shows your goals.")
                )
            if sum(g.status != "done" for g in goals) >= MAX_OPEN:
                raise LimitReachedError(
                    N_(
                        "You have {count} open goals, the most Kindred keeps. Finish or drop "
                        "one first (`/goal done`, `/goal drop`)."
                    ),
                    count=MAX_OPEN,
                )

        goal = await self.repo.create(
            user_id=user_id,
            guild_id=guild_id,
            text=goal_text,
            schedule=canonical,
            tz=zone_name,
            now=self.clock(),
            check=check,
            tz_follows=zone_name is not None and not (tz and tz.strip()),
        )
        await self._arm(goal)
        return GoalSet(goal, await self.next_nudges(goal), source)

    async def mine(self, user_id: int) -> list[GoalRow]:
        return await self.repo.for_user(user_id)

    async def own(self, user_id: int, goal_id: int) -> GoalRow:
        """The member's goal; someone else's (or none) is "not found", whoever asks."""
        goal = await self.repo.get(goal_id)
        if goal is None or goal.user_id != user_id:
            raise NotFoundError(N_("I can't find that goal among yours. `/goal list` shows them."))
        return goal

    async def done(self, user_id: int, goal_id: int) -> GoalRow:
        goal = await self.own(user_id, goal_id)
        if goal.status == "done":
            raise ConflictError(N_("That goal is already done. Well done, again!"))
        await self._cancel_nudges(goal.id)
        if not await self.repo.update_unless_done(
            goal.id, status="done", done_at=self.clock(), pause_reason=None
        ):  # done meanwhile (another device)
            raise ConflictError(N_("That goal is already done. Well done, again!"))
        await self.repo.prune_done(user_id, MAX_DONE_KEPT)
        return await self.own(user_id, goal_id)

    async def still_working(self, user_id: int, goal_id: int) -> list[datetime]:
        """The answer to a nudge: nothing changes; the next nudges, for the reply."""
        goal = await self.own(user_id, goal_id)
        if goal.status == "done":
            raise ConflictError(N_("That goal is already done. Well done!"))
        return await self.next_nudges(goal)

    async def pause(self, user_id: int, goal_id: int, reason: str = "paused by you") -> GoalRow:
        goal = await self.own(user_id, goal_id)
        if goal.status == "done":
            raise ConflictError(N_("That goal is already done; there is nothing to pause."))
        await self._cancel_nudges(goal.id)
        if not await self.repo.update_unless_done(goal.id, status="paused", pause_reason=reason):
            raise ConflictError(N_("That goal is already done; there is nothing to pause."))
        return await self.own(user_id, goal_id)

    async def resume(self, user_id: int, goal_id: int) -> GoalSet:
        goal = await self.own(user_id, goal_id)
        if goal.status == "done":
            raise ConflictError(N_("That goal is already done."))
        if not await self.repo.update_unless_done(goal.id, status="active", pause_reason=None):
            raise ConflictError(N_("That goal is already done."))
        goal = await self.own(user_id, goal_id)
        await self._arm(goal)
        return GoalSet(goal, await self.next_nudges(goal))

    async def drop(self, user_id: int, goal_id: int) -> GoalRow:
        goal = await self.own(user_id, goal_id)
        await self._cancel_nudges(goal.id)
        await self.repo.delete(goal.id)
        return goal

    # -- nudges ---------------------------------------------------------------------------------
    async def on_nudge(self, timer: TimerRow) -> GoalNudge | None:
        """A nudge is due: inside the member's quiet hours (set after it was planned) it waits
        for their end; otherwise arm the next one first, then say whether to send this one."""
        goal = await self.repo.get(int(timer.payload["goal_id"]))
        if goal is None or goal.status != "active" or goal.schedule is None:
            return None
        scheduled = datetime.fromisoformat(timer.payload["scheduled_for"])
        held = quiet_end(await self._personal(goal.user_id), self.clock())
        if held is not None and not self.scheduler.too_late(timer):
            # the same nudge, moved to the end of the quiet hours (its next one follows it)
            await self.scheduler.schedule_once(
                NUDGE, held, dict(timer.payload), key=nudge_key(goal.id)
            )
            log.info("goal %s: nudge due in quiet hours; moved to their end", goal.id)
            return None
        await self._arm(goal, after=max(scheduled, timer.due_at))
        if self.scheduler.too_late(timer):
            log.info("goal %s: nudge missed by more than the grace time; skipped", goal.id)
            return None
        await self.repo.update(goal.id, last_nudge_at=timer.due_at)
        return GoalNudge(goal, scheduled, timer.due_at)

    async def nudge_retry_later(self, nudge: GoalNudge) -> None:
        """Discord failed this nudge for a moment (rate limits, 5xx): the same run is sent
        again shortly, while still within the misfire grace time, as a personal check-in's DM
        is. One retry per run (keyed by its time): a retry failing again replaces only
        itself, so the nudge goes out once."""
        goal = nudge.goal
        due = nudge.due_at or nudge.scheduled_for
        await self.scheduler.schedule_once(
            NUDGE_RETRY,
            self.clock() + RETRY_AFTER,
            {
                "goal_id": goal.id,
                "user_id": goal.user_id,
                "scheduled_for": nudge.scheduled_for.isoformat(),
                "due_at": due.isoformat(),
            },
            key=nudge_retry_key(goal.id, nudge.scheduled_for),
        )

    async def on_nudge_retry(self, timer: TimerRow) -> GoalNudge | None:
        """A nudge Discord refused for a moment, to send again: the same run, unless the goal
        was paused, done or dropped meanwhile, or the grace time since it was due has passed
        (the next run is stored already)."""
        goal = await self.repo.get(int(timer.payload["goal_id"]))
        if goal is None or goal.status != "active" or goal.schedule is None:
            return None
        scheduled = datetime.fromisoformat(timer.payload["scheduled_for"])
        due = datetime.fromisoformat(timer.payload.get("due_at") or timer.payload["scheduled_for"])
        if self.clock() - due > self.scheduler.misfire_grace:
            log.info("goal %s: nudge could not be sent within the grace time; skipped", goal.id)
            return None
        return GoalNudge(goal, scheduled, due)

    async def _cancel_nudges(self, goal_id: int) -> None:
        """Drop the next nudge and every pending retry (``goal:<id>:retry:<run>``); the
        trailing colon keeps goal 1 from cancelling goal 12's retries."""
        await self.scheduler.cancel(nudge_key(goal_id))
        await self.scheduler.cancel_prefix(f"goal:{goal_id}:")

    async def nudge_failed(self, goal_id: int) -> None:
        """The DM could not be delivered (closed DMs, a gone account): pause, say why later."""
        goal = await self.repo.get(goal_id)
        if goal is not None and goal.status == "active":
            await self.pause(goal.user_id, goal.id, reason="your DMs are closed to me")

    # -- sharing ----------------------------------------------------------------------------------
    async def share(self, user_id: int, peer_id: int) -> bool:
        if peer_id == user_id:
            raise InvalidInputError(N_("Choose someone else to share your goals with."))
        added = await self.repo.share(user_id, peer_id, self.clock(), limit=MAX_SHARES)
        if added is None:
            raise LimitReachedError(
                N_(
                    "You share your goals with {count} people already; "
                    "`/goal unshare` someone first."
                ),
                count=MAX_SHARES,
            )
        return added

    async def unshare(self, user_id: int, peer_id: int) -> None:
        if not await self.repo.unshare(user_id, peer_id, self.clock()):
            raise NotFoundError(N_("You don't share your goals with them."))

    async def shares(self, user_id: int) -> list[ShareRow]:
        return await self.repo.shares(user_id)

    async def shared_goals(self, member_id: int, peer_id: int) -> list[GoalRow]:
        """A member's goals, for a peer they chose to share them with; refused otherwise."""
        if member_id == peer_id:
            return await self.mine(peer_id)
        if not await self.repo.is_shared(member_id, peer_id):
            raise PermissionDeniedError(
                N_("That member has not chosen to share their goals with you.")
            )
        return await self.repo.for_user(member_id)

    async def forget(self, user_id: int) -> int:
        for goal in await self.repo.for_user(user_id):
            await self._cancel_nudges(goal.id)
        return await self.repo.forget(user_id)
