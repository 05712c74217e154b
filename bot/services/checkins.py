"""Scheduled check-ins: channel check-ins that moderators set, personal ones members opt into.

Every check-in's next run is a stored timer (see ``bot.scheduling``): the handler posts, then
stores the following run, computed in the check-in's IANA zone so "09:00 Europe/London" stays at
09:00 local across DST. A run missed by more than the grace time (the bot was down) is skipped
and logged; a run is never posted twice because each (check-in, scheduled time) pair is claimed
in the database before posting.
"""

from __future__ import annotations

import hashlib
import logging
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import ClassVar

from pydantic import Field

from bot.clock import Clock, utcnow
from bot.crashpoints import crash_point
from bot.db.repositories.checkins import CheckinRepository, CheckinRow, PersonalRow
from bot.db.repositories.core import TimerRow
from bot.errors import InvalidInputError, NotFoundError
from bot.schedules import Schedule, ScheduleError, parse_schedule, parse_timezone
from bot.scheduling import Scheduler
from bot.services.settings import GuildSettingsService, SettingsSection

log = logging.getLogger(__name__)

POST = "checkin.post"
RETRY = "checkin.retry"
RETRY_AFTER = timedelta(seconds=60)
PERSONAL = "checkin.personal"
MAX_PROMPT = 1000
MAX_PROMPTS = 25
MAX_TITLE = 100
MAX_PER_GUILD = 50
MOODS = {1: "Struggling", 2: "Low", 3: "Okay", 4: "Good", 5: "Great"}
LOWEST = 1

#: Built-in prompts drawn from the recovery themes in the project's seeds: relationships,
#: community, learning, movement, peace, and recognising the need for support.
BUILTIN_PROMPTS = (
    "How are you doing today, really? One word is enough.",
    "Who is someone you felt connected to this week?",
    "What's one small thing you learned or tried lately?",
    "Did you get to move your body today, even a little? How did it feel?",
    "What brings you a moment of peace right now?",
    "Is there something you could use support with this week? It's okay to ask.",
    "What's one thing that went a bit better than expected?",
    "What would make tomorrow a little easier?",
)


class CheckinSettings(SettingsSection):
    section: ClassVar[str] = "checkins"
    title: ClassVar[str] = "Check-ins"

    min_interval_minutes: int = Field(60, ge=15, le=10080)


@dataclass(frozen=True)
class Preview:
    checkin: CheckinRow
    description: str
    next_runs: list[datetime]


@dataclass(frozen=True)
class PostPlan:
    checkin: CheckinRow
    post_id: int
    scheduled_for: datetime
    prompt: str
    summary: dict[int, int] | None
    #: The span the summary counts (a day, a week, or the gap of a rarer schedule).
    summary_period: timedelta | None = None


@dataclass(frozen=True)
class PersonalPlan:
    personal: PersonalRow
    scheduled_for: datetime
    prompt: str


def _schedule(text: str) -> Schedule:
    try:
        return parse_schedule(text)
    except ScheduleError as exc:
        raise InvalidInputError(exc.user_message) from exc


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return parse_timezone(name)
    except ScheduleError as exc:
        raise InvalidInputError(exc.user_message) from exc


def _clock(text: str) -> time:
    from bot.schedules import parse_clock

    try:
        return parse_clock(text)
    except ScheduleError as exc:
        raise InvalidInputError(exc.user_message) from exc


def parse_quiet_hours(text: str | None) -> tuple[str, str] | None:
    """``22:00-08:00`` → ("22:00", "08:00"); empty or "none" → None."""
    if text is None or text.strip().lower() in ("", "none", "off"):
        return None
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if len(parts) != 2:
        raise InvalidInputError("Quiet hours look like `22:00-08:00`.")
    start, end = _clock(parts[0]), _clock(parts[1])
    if start == end:
        raise InvalidInputError("Quiet hours need a different start and end.")
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def in_quiet_hours(
    moment: datetime, tz: zoneinfo.ZoneInfo, quiet: tuple[str, str] | None
) -> datetime | None:
    """If ``moment`` falls in quiet hours, the instant they end; else None."""
    if quiet is None:
        return None
    start, end = time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])
    local = moment.astimezone(tz)
    now_t = local.time()
    inside = (start <= now_t < end) if start < end else (now_t >= start or now_t < end)
    if not inside:
        return None
    end_day = local.date() if now_t < end else local.date() + timedelta(days=1)
    end_local = datetime.combine(end_day, end, tzinfo=tz)
    return end_local.astimezone(moment.tzinfo)


class CheckinService:
    def __init__(
        self,
        repo: CheckinRepository,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        clock: Clock = utcnow,
    ) -> None:
        self.repo = repo
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock

    # -- validation --------------------------------------------------------------------------
    async def _validated(
        self, guild_id: int | None, schedule_text: str, tz: str
    ) -> tuple[Schedule, zoneinfo.ZoneInfo]:
        zone = _zone(tz)
        # "every N weeks" is pinned to the weeks starting from now, then stored canonically;
        # an already pinned schedule (an edit that keeps it) keeps its weeks.
        schedule = _schedule(schedule_text)
        if schedule.anchor is None:
            schedule = schedule.anchored(self.clock(), zone)
        minimum = timedelta(minutes=60)
        if guild_id is not None:
            cfg = await self.settings.get(guild_id, CheckinSettings)
            minimum = timedelta(minutes=cfg.min_interval_minutes)
        if schedule.min_interval() < minimum:
            raise InvalidInputError(
                f"That schedule runs more often than this server allows (at most once every "
                f"{_minutes_text(minimum)}). Try e.g. `daily 09:00` or `weekdays 18:30`."
            )
        return schedule, zone

    @staticmethod
    def _prompts(prompt: str | None) -> list[str]:
        if prompt is None or not prompt.strip():
            return []
        prompts = [p.strip() for p in prompt.split("|") if p.strip()]
        if len(prompts) > MAX_PROMPTS:
            raise InvalidInputError(f"At most {MAX_PROMPTS} prompts (separate them with `|`).")
        for p in prompts:
            if len(p) > MAX_PROMPT:
                raise InvalidInputError(
                    f"A prompt can be at most {MAX_PROMPT} characters; one has {len(p)}."
                )
        return prompts

    @staticmethod
    def _title(title: str | None) -> str:
        title = (title or "Check-in").strip() or "Check-in"
        if len(title) > MAX_TITLE:
            raise InvalidInputError(f"A title can be at most {MAX_TITLE} characters.")
        return title

    # -- channel check-ins -------------------------------------------------------------------
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
                f"This server has {MAX_PER_GUILD} check-ins already; delete one first."
            )
        row = await self.repo.create(
            guild_id=guild_id,
            channel_id=channel_id,
            schedule=parsed.canonical(),
            tz=zone.key,
            title=self._title(title),
            prompts=self._prompts(prompt),
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
            changes["prompts"] = self._prompts(prompt)
        if title is not None:
            changes["title"] = self._title(title)
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
                f"There is no check-in #{checkin_id} in this server. `/checkin list` shows them."
            )
        return row

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
        return Preview(row, parsed.describe(), runs)

    async def pause(
        self, checkin_id: int, guild_id: int, reason: str = "paused by a moderator"
    ) -> CheckinRow:
        await self.get(checkin_id, guild_id)
        await self.repo.update(checkin_id, paused=True, pause_reason=reason)
        await self.scheduler.cancel(f"checkin:{checkin_id}")
        return await self.get(checkin_id, guild_id)

    async def resume(self, checkin_id: int, guild_id: int) -> Preview:
        row = await self.get(checkin_id, guild_id)
        await self.repo.update(checkin_id, paused=False, pause_reason=None)
        await self._arm(row, _schedule(row.schedule), _zone(row.tz))
        return await self.preview(checkin_id, guild_id)

    async def delete(self, checkin_id: int, guild_id: int) -> None:
        await self.get(checkin_id, guild_id)
        await self.scheduler.cancel(f"checkin:{checkin_id}")
        await self.repo.delete(checkin_id)

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
        return await self._plan(row, timer.due_at)

    async def retry_later(self, plan: PostPlan) -> None:
        """Discord failed this run (rate limits, 5xx): free its slot and try the same run
        again shortly, while it is still within the misfire grace time."""
        await self.repo.release_post(plan.post_id)
        row = plan.checkin
        await self.scheduler.schedule_once(
            RETRY,
            self.clock() + RETRY_AFTER,
            {"checkin_id": row.id, "scheduled_for": plan.scheduled_for.isoformat()},
            guild_id=row.guild_id,
            key=f"checkin:{row.id}:retry",
        )

    async def due_retry(self, timer: TimerRow) -> PostPlan | None:
        row = await self.repo.get(timer.payload["checkin_id"])
        if row is None or row.paused:
            return None
        scheduled_for = datetime.fromisoformat(timer.payload["scheduled_for"])
        if self.clock() - scheduled_for > self.scheduler.misfire_grace:
            log.warning(
                "check-in %s: run at %s could not be posted within the grace time; skipped",
                row.id,
                scheduled_for.isoformat(),
            )
            return None
        return await self._plan(row, scheduled_for)  # the claim keeps it from posting twice

    async def run_now(self, checkin_id: int, guild_id: int) -> PostPlan:
        row = await self.get(checkin_id, guild_id)
        plan = await self._plan(row, self.clock().replace(microsecond=0))
        if plan is None:
            raise InvalidInputError("That check-in was just posted; try again in a moment.")
        return plan

    async def _plan(self, row: CheckinRow, scheduled_for: datetime) -> PostPlan | None:
        post_id = await self.repo.claim_post(row, scheduled_for)
        if post_id is None:
            log.info("check-in %s at %s was already posted", row.id, scheduled_for)
            return None
        crash_point("checkin.claimed")
        summary = period = None
        if row.show_summary:
            # Yesterday's moods for daily or more frequent check-ins, last week's for weekly
            # ones; a rarer schedule (every 2 weeks) counts back to its previous post.
            gap = _schedule(row.schedule).min_interval()
            period = max(gap, timedelta(days=7)) if gap >= timedelta(days=7) else timedelta(days=1)
            summary = await self.repo.mood_counts(row.id, scheduled_for - period, scheduled_for)
        return PostPlan(row, post_id, scheduled_for, self._prompt_for(row), summary, period)

    async def posted(self, post_id: int, message_id: int) -> None:
        await self.repo.mark_posted(post_id, message_id, self.clock())

    async def post_failed(self, plan: PostPlan, reason: str) -> None:
        """The channel is gone or permissions are missing: pause, free the slot, keep data."""
        await self.repo.release_post(plan.post_id)
        await self.repo.update(plan.checkin.id, paused=True, pause_reason=reason)
        await self.scheduler.cancel(f"checkin:{plan.checkin.id}")

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
            raise InvalidInputError("Choose a mood from 1 to 5.")
        post = await self.repo.post(post_id)
        if post is None or (guild_id is not None and post["guild_id"] != guild_id):
            raise NotFoundError("That check-in no longer exists.")
        await self.repo.vote(post_id, await self._voter(post_id, user_id), mood, self.clock())
        return mood == LOWEST

    # -- personal check-ins --------------------------------------------------------------------
    async def set_personal(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        schedule: str,
        tz: str,
        quiet: str | None,
    ) -> tuple[PersonalRow, list[datetime]]:
        parsed, zone = await self._validated(None, schedule, tz)
        quiet_hours = parse_quiet_hours(quiet)
        runs = parsed.next_runs(self.clock(), zone, 20)
        if quiet_hours and all(in_quiet_hours(r, zone, quiet_hours) for r in runs):
            raise InvalidInputError(
                "Every check-in time falls inside your quiet hours; "
                "choose another time or other quiet hours."
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
        )
        await self._arm_personal(row)
        return row, await self.personal_next(user_id, 3)

    async def personal_status(self, user_id: int) -> PersonalRow:
        row = await self.repo.personal_for(user_id)
        if row is None:
            raise NotFoundError("You have no personal check-in. `/checkin me every` sets one.")
        return row

    async def personal_next(self, user_id: int, count: int = 3) -> list[datetime]:
        row = await self.personal_status(user_id)
        if row.paused:
            return []
        zone = _zone(row.tz)
        quiet = (row.quiet_start, row.quiet_end) if row.quiet_start and row.quiet_end else None
        out: list[datetime] = []
        after = self.clock()
        for run in _schedule(row.schedule).next_runs(after, zone, count * 3):
            moved = in_quiet_hours(run, zone, quiet) or run
            if moved not in out:
                out.append(moved)
            if len(out) == count:
                break
        return out

    async def pause_personal(self, user_id: int, reason: str = "paused by you") -> PersonalRow:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, paused=True, pause_reason=reason)
        await self.scheduler.cancel(f"pcheckin:{row.id}")
        return await self.personal_status(user_id)

    async def resume_personal(self, user_id: int) -> list[datetime]:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, paused=False, pause_reason=None)
        await self._arm_personal(await self.personal_status(user_id))
        return await self.personal_next(user_id, 3)

    async def stop_personal(self, user_id: int) -> None:
        row = await self.personal_status(user_id)
        await self.scheduler.cancel(f"pcheckin:{row.id}")
        await self.repo.delete_personal(user_id)

    async def _arm_personal(self, row: PersonalRow, after: datetime | None = None) -> None:
        zone = _zone(row.tz)
        nxt = _schedule(row.schedule).next_run(max(after or self.clock(), self.clock()), zone)
        if nxt is None:
            return
        quiet = (row.quiet_start, row.quiet_end) if row.quiet_start and row.quiet_end else None
        due = in_quiet_hours(nxt, zone, quiet) or nxt
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
        prompt = BUILTIN_PROMPTS[int(timer.due_at.timestamp() // 86400) % len(BUILTIN_PROMPTS)]
        return PersonalPlan(row, timer.due_at, prompt)

    async def personal_dm_failed(self, user_id: int) -> PersonalRow:
        return await self.pause_personal(user_id, reason="your DMs are closed to me")

    async def personal_mood(self, user_id: int, mood: int) -> bool:
        if mood not in MOODS:
            raise InvalidInputError("Choose a mood from 1 to 5.")
        await self.repo.add_personal_mood(user_id, mood, self.clock())
        return mood == LOWEST

    async def history(self, user_id: int, days: int = 30) -> list[tuple[datetime, int]]:
        return await self.repo.personal_moods(user_id, self.clock() - timedelta(days=days))

    async def share_with(self, user_id: int, peer_id: int | None) -> None:
        row = await self.personal_status(user_id)
        await self.repo.update_personal(row.id, share_with=peer_id)

    async def shared_history(
        self, member_id: int, peer_id: int, days: int = 30
    ) -> list[tuple[datetime, int]]:
        row = await self.repo.personal_for(member_id)
        if row is None or row.share_with != peer_id:
            raise NotFoundError("That member has not chosen to share their check-ins with you.")
        return await self.history(member_id, days)

    async def forget(self, user_id: int) -> int:
        row = await self.repo.personal_for(user_id)
        if row is not None:
            await self.scheduler.cancel(f"pcheckin:{row.id}")
        return await self.repo.delete_user(user_id)


def _minutes_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minutes"


SPARK = "▁▂▄▆█"


def sparkline(moods: list[tuple[datetime, int]]) -> str:
    """A text trend for ``/checkin me history``: one block per mood, oldest first."""
    return "".join(SPARK[m - 1] for _, m in moods[-60:])
