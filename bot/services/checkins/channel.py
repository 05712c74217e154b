"""Channel check-ins that moderators set: create, edit, pause, resume, delete, run now; the
timer rules (post when due, skip a run missed beyond the grace time, store the next run, retry
a run Discord refused for a moment); and the anonymous moods on each post.

A run is never posted twice: each (check-in, scheduled time) pair is claimed in the database
before posting.
"""

from __future__ import annotations

import hashlib
import logging
import zoneinfo
from datetime import datetime, timedelta

from bot.crashpoints import crash_point
from bot.db.repositories.checkins import CheckinRow
from bot.db.repositories.core import TimerRow
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.schedules import Schedule
from bot.services.checkins.rules import (
    BUILTIN_PROMPTS,
    LOWEST,
    MAX_PER_GUILD,
    MOODS,
    POST,
    RETRY,
    RETRY_AFTER,
    CheckinBase,
    CheckinSettings,
    GivenUp,
    PostPlan,
    Preview,
    _schedule,
    _zone,
    parse_prompts,
    parse_title,
    summary_since,
)
from bot.services.peers import PeerSettings

log = logging.getLogger(__name__)


def retry_key(checkin_id: int, scheduled_for: datetime) -> str:
    """The stored retry of one run of a check-in (under the ``checkin:<id>:`` prefix)."""
    return f"checkin:{checkin_id}:retry:{scheduled_for.isoformat()}"


class ChannelCheckins(CheckinBase):
    # -- moderators' commands ----------------------------------------------------------------
    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        schedule: str,
        tz: str,
        prompt: str | None,
        title: str | None,
        use_thread: bool,
        show_summary: bool,
        actor_id: int,
    ) -> Preview:
        parsed, zone = await self._validated(guild_id, schedule, tz)
        if await self.repo.count_for_guild(guild_id) >= MAX_PER_GUILD:
            raise InvalidInputError(
                N_("This server has {count} check-ins already; delete one first."),
                count=MAX_PER_GUILD,
            )
        row = await self.repo.create(
            guild_id=guild_id,
            channel_id=channel_id,
            schedule=parsed.canonical(),
            tz=zone.key,
            title=parse_title(title),
            prompts=parse_prompts(prompt),
            use_thread=use_thread,
            show_summary=show_summary,
            created_by=actor_id,
            now=self.clock(),
        )
        await self._arm(row, parsed, zone)
        return await self.preview(row.id, guild_id)

    async def edit(
        self,
        checkin_id: int,
        guild_id: int,
        *,
        channel_id: int | None = None,
        schedule: str | None = None,
        tz: str | None = None,
        prompt: str | None = None,
        title: str | None = None,
        use_thread: bool | None = None,
        show_summary: bool | None = None,
    ) -> Preview:
        row = await self.get(checkin_id, guild_id)
        parsed, zone = await self._validated(guild_id, schedule or row.schedule, tz or row.tz)
        changes: dict = {"schedule": parsed.canonical(), "tz": zone.key}
        if channel_id is not None:
            changes["channel_id"] = channel_id
        if prompt is not None:
            changes["prompts"] = parse_prompts(prompt)
        if title is not None:
            changes["title"] = parse_title(title)
        if use_thread is not None:
            changes["use_thread"] = use_thread
        if show_summary is not None:
            changes["show_summary"] = show_summary
        await self.repo.update(checkin_id, **changes)
        fresh = await self.get(checkin_id, guild_id)
        if not fresh.paused:
            await self._arm(fresh, parsed, zone)
        return await self.preview(checkin_id, guild_id)

    async def get(self, checkin_id: int, guild_id: int) -> CheckinRow:
        row = await self.repo.get(checkin_id)
        if row is None or row.guild_id != guild_id:
            raise NotFoundError(
                N_("There is no check-in #{number} in this server. `/checkin list` shows them."),
                number=checkin_id,
            )
        return row

    async def for_guild(self, guild_id: int) -> list[CheckinRow]:
        """This server's check-ins (for choosing one), without their timers."""
        return await self.repo.for_guild(guild_id)

    async def list(self, guild_id: int) -> list[tuple[CheckinRow, datetime | None]]:
        out = []
        for row in await self.repo.for_guild(guild_id):
            timer = await self.scheduler.get(f"checkin:{row.id}")
            out.append((row, None if row.paused or timer is None else timer.due_at))
        return out

    async def preview(self, checkin_id: int, guild_id: int, count: int = 5) -> Preview:
        row = await self.get(checkin_id, guild_id)
        parsed = _schedule(row.schedule)
        runs = parsed.next_runs(self.clock(), _zone(row.tz), count)
        return Preview(row, parsed, runs)

    async def pause(
        self, checkin_id: int, guild_id: int, reason: str = "paused by a moderator"
    ) -> CheckinRow:
        await self.get(checkin_id, guild_id)
        await self.repo.update(checkin_id, paused=True, pause_reason=reason)
        await self._cancel_timers(checkin_id)
        return await self.get(checkin_id, guild_id)

    async def resume(self, checkin_id: int, guild_id: int) -> Preview:
        row = await self.get(checkin_id, guild_id)
        await self.repo.update(checkin_id, paused=False, pause_reason=None)
        await self._arm(row, _schedule(row.schedule), _zone(row.tz))
        return await self.preview(checkin_id, guild_id)

    async def delete(self, checkin_id: int, guild_id: int) -> None:
        await self.get(checkin_id, guild_id)
        await self._cancel_timers(checkin_id)
        await self.repo.delete(checkin_id)

    async def set_min_interval(
        self, guild_id: int, actor_id: int, minutes: int
    ) -> list[CheckinRow]:
        """The server's shortest gap between two runs of a check-in (validated, audited). It
        is checked when a check-in is created or edited: the check-ins stored already that run
        more often keep their schedules, and are returned, so the moderator is told which."""
        await self.settings.update(
            guild_id, CheckinSettings, actor_id, min_interval_minutes=minutes
        )
        minimum = timedelta(minutes=minutes)
        return [
            row
            for row in await self.repo.for_guild(guild_id)
            if _schedule(row.schedule).min_interval() < minimum
        ]

    async def moderator_channel(self, row: CheckinRow) -> int | None:
        """Where to tell moderators a check-in stopped: the server's moderator channel, unless
        it is unset or the very channel the check-in cannot post in."""
        cfg = await self.settings.get(row.guild_id, PeerSettings)
        if cfg.mod_channel_id and cfg.mod_channel_id != row.channel_id:
            return cfg.mod_channel_id
        return None

    # -- runs --------------------------------------------------------------------------------
    async def _cancel_timers(self, checkin_id: int) -> None:
        """Drop the next run and every pending retry (``checkin:<id>:retry:<run>``); the
        trailing colon keeps check-in 1 from cancelling check-in 12's retries."""
        await self.scheduler.cancel(f"checkin:{checkin_id}")
        await self.scheduler.cancel_prefix(f"checkin:{checkin_id}:")

    async def _arm(
        self,
        row: CheckinRow,
        schedule: Schedule,
        zone: zoneinfo.ZoneInfo,
        after: datetime | None = None,
    ) -> datetime | None:
        nxt = schedule.next_run(max(after or self.clock(), self.clock()), zone)
        if nxt is None:  # e.g. a cron date that never comes again
            await self.repo.update(row.id, paused=True, pause_reason="no future runs")
            return None
        await self.scheduler.schedule_once(
            POST, nxt, {"checkin_id": row.id}, guild_id=row.guild_id, key=f"checkin:{row.id}"
        )
        return nxt

    def _prompt_for(self, row: CheckinRow) -> str:
        prompts = row.prompts or BUILTIN_PROMPTS
        return prompts[row.prompt_index % len(prompts)]

    async def due(self, timer: TimerRow) -> PostPlan | None:
        """Timer handler body: claim this run (or skip it), and store the next one."""
        row = await self.repo.get(timer.payload["checkin_id"])
        if row is None or row.paused:
            return None
        schedule, zone = _schedule(row.schedule), _zone(row.tz)
        await self._arm(row, schedule, zone, after=timer.due_at)
        if self.scheduler.too_late(timer):
            log.warning(
                "check-in %s: run at %s missed by more than the grace time; skipped",
                row.id,
                timer.due_at.isoformat(),
            )
            return None
        return await self._plan(row, timer.due_at, final=self._last_try(timer.due_at))

    def _last_try(self, scheduled_for: datetime) -> bool:
        """Whether a try now is the run's last: its retry would come beyond the grace time."""
        return self.clock() + RETRY_AFTER - scheduled_for > self.scheduler.misfire_grace

    async def retry_later(self, plan: PostPlan) -> None:
        """Discord failed this run (rate limits, 5xx): free its slot and try the same run
        again shortly, while it is still within the misfire grace time. Each run has its own
        retry (keyed by its scheduled time): a scheduled run and a ``run-now`` failing
        together are both retried; a run failing again replaces only its own retry."""
        await self.repo.release_post(plan.post_id)
        row = plan.checkin
        await self.scheduler.schedule_once(
            RETRY,
            self.clock() + RETRY_AFTER,
            {"checkin_id": row.id, "scheduled_for": plan.scheduled_for.isoformat()},
            guild_id=row.guild_id,
            key=retry_key(row.id, plan.scheduled_for),
        )

    async def due_retry(self, timer: TimerRow) -> PostPlan | GivenUp | None:
        """The run Discord failed, tried again (the last try says so: ``PostPlan.final``); a
        retry that comes beyond the grace time (Kindred was stopped meanwhile) is not posted
        late but given up (``GivenUp``), so the moderators hear of it."""
        row = await self.repo.get(timer.payload["checkin_id"])
        if row is None or row.paused:
            return None
        scheduled_for = datetime.fromisoformat(timer.payload["scheduled_for"])
        if self.clock() - scheduled_for > self.scheduler.misfire_grace:
            log.warning(
                "check-in %s: run at %s could not be posted within the grace time; given up",
                row.id,
                scheduled_for.isoformat(),
            )
            return GivenUp(row, scheduled_for)
        # the claim keeps it from posting twice
        return await self._plan(row, scheduled_for, final=self._last_try(scheduled_for))

    async def run_now(self, checkin_id: int, guild_id: int) -> PostPlan:
        row = await self.get(checkin_id, guild_id)
        plan = await self._plan(row, self.clock().replace(microsecond=0))
        if plan is None:
            raise InvalidInputError(N_("That check-in was just posted; try again in a moment."))
        return plan

    async def _plan(
        self, row: CheckinRow, scheduled_for: datetime, *, final: bool = False
    ) -> PostPlan | None:
        post_id = await self.repo.claim_post(row, scheduled_for)
        if post_id is None:
            log.info("check-in %s at %s was already posted", row.id, scheduled_for)
            return None
        crash_point("checkin.claimed")
        summary = period = None
        if row.show_summary:
            since = summary_since(_schedule(row.schedule), _zone(row.tz), scheduled_for)
            period = scheduled_for - since
            summary = await self.repo.mood_counts(row.id, since, scheduled_for)
        prompt = self._prompt_for(row)
        return PostPlan(row, post_id, scheduled_for, prompt, summary, period, final=final)

    async def posted(self, post_id: int, message_id: int) -> None:
        await self.repo.mark_posted(post_id, message_id, self.clock())

    async def skip(self, plan: PostPlan) -> None:
        """Discord could not even be asked (e.g. the channel lookup failed): free this run's
        slot and let it go; the next run is already stored."""
        await self.repo.release_post(plan.post_id)

    async def gave_up(self, plan: PostPlan) -> None:
        """Discord failed this run's last try too: free its slot and let it go (the check-in
        is not paused; its next run is already stored)."""
        await self.repo.release_post(plan.post_id)
        log.warning(
            "check-in %s: run at %s kept failing; given up",
            plan.checkin.id,
            plan.scheduled_for.isoformat(),
        )

    async def post_failed(self, plan: PostPlan, reason: str) -> None:
        """The channel is gone or permissions are missing: pause, free the slot, keep data."""
        await self.repo.release_post(plan.post_id)
        await self.repo.update(plan.checkin.id, paused=True, pause_reason=reason)
        await self._cancel_timers(plan.checkin.id)

    # -- anonymous moods -----------------------------------------------------------------------
    async def _voter(self, post_id: int, user_id: int) -> str:
        salt = await self.repo.salt()
        return hashlib.sha256(f"{salt}:{post_id}:{user_id}".encode()).hexdigest()

    async def vote(
        self, post_id: int, user_id: int, mood: int, *, guild_id: int | None = None
    ) -> bool:
        """Record an anonymous mood; return True for the lowest mood (show resources).
        ``guild_id`` is where the button was pressed: a vote on another server's post (a
        forged button id) counts as a missing post."""
        if mood not in MOODS:
            raise InvalidInputError(N_("Choose a mood from 1 to 5."))
        post = await self.repo.post(post_id)
        if post is None or (guild_id is not None and post["guild_id"] != guild_id):
            raise NotFoundError(N_("That check-in no longer exists."))
        await self.repo.vote(post_id, await self._voter(post_id, user_id), mood, self.clock())
        return mood == LOWEST
