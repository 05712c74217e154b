"""Business rules, free of discord.py so they can be tested alone.

``Services`` is the container the bot hands to its cogs: no global bot instance, no cog-to-cog
calls. Features add their service here and, if they store anything about a member, register a
data-deletion hook so ``/forgetme`` reaches it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, utcnow
from bot.config import Settings
from bot.db import Database, apply_migrations
from bot.db.repositories.blocks import BlockRepository
from bot.db.repositories.checkins import CheckinRepository
from bot.db.repositories.core import (
    AuditRepository,
    GuildSettingsRepository,
    MemberPrefsRepository,
    ShardSet,
    TimerRepository,
)
from bot.db.repositories.departed import DepartedRepository
from bot.db.repositories.duty import DutyRepository
from bot.db.repositories.events import HandledEventRepository
from bot.db.repositories.goals import GoalRepository
from bot.db.repositories.groups import GroupRepository
from bot.db.repositories.meetings import MeetingRepository
from bot.db.repositories.notices import ModeratorNoticeRepository
from bot.db.repositories.plans import PlanRepository
from bot.db.repositories.requests import RequestRepository
from bot.db.repositories.safety import SafetyRepository
from bot.db.repositories.tags import TagRepository
from bot.services import away
from bot.services.backup import BackupService
from bot.services.checkins import CheckinService, CheckinSettings
from bot.services.doctor import DoctorService
from bot.services.doctor.needs import register_builtin
from bot.services.groups import GroupService
from bot.services.meetings import MeetingService
from bot.services.notices import ModeratorNotices
from bot.services.once import OnceService
from bot.services.peers import PeerSettings
from bot.services.peers.blocks import BlockService
from bot.services.peers.duty import DutyService
from bot.services.peers.shifts import ShiftService
from bot.services.peers.tags import TagService
from bot.services.privacy import PrivacyService
from bot.services.requests import RequestService
from bot.services.safety import SafetyService, SafetySettings
from bot.services.selfhelp import (
    GoalService,
    Library,
    LibraryService,
    PlanService,
    SelfHelpServices,
)
from bot.services.servers import ServerPresence
from bot.services.settings import GuildSettingsService
from bot.services.zones import MemberZones
from bot.timers import ClusterTimers, Scheduler

log = logging.getLogger(__name__)


@dataclass
class PeerServices:
    requests: RequestService
    duty: DutyService
    tags: TagService
    shifts: ShiftService
    blocks: BlockService


@dataclass
class Services:
    config: Settings
    db: Database
    clock: Clock
    settings: GuildSettingsService
    scheduler: Scheduler
    audit: AuditRepository
    prefs: MemberPrefsRepository
    privacy: PrivacyService
    zones: MemberZones
    peers: PeerServices
    safety: SafetyService
    checkins: CheckinService
    selfhelp: SelfHelpServices
    backup: BackupService
    doctor: DoctorService
    groups: GroupService
    meetings: MeetingService
    once: OnceService
    servers: ServerPresence

    async def start(self) -> None:
        if self.config.cluster.clustered:
            await self.settings.follow_other_processes()
        await self.backup.start()
        await self.scheduler.start()

    async def close(self) -> None:
        await self.scheduler.stop()
        await self.db.close()


async def open_database(config: Settings) -> Database:
    db = Database(config.database.target(), **config.database.options())
    await db.connect()
    try:
        await apply_migrations(db)
    except Exception:
        await db.close()
        raise
    return db


@dataclass
class _Core:
    """What every feature is built on: storage, settings, timers, privacy, the clock."""

    db: Database
    clock: Clock
    settings: GuildSettingsService
    scheduler: Scheduler
    prefs: MemberPrefsRepository
    audit: AuditRepository
    privacy: PrivacyService
    zones: MemberZones


def _peer_services(
    core: _Core, relay_retry_after: tuple[timedelta, ...] | None = None
) -> PeerServices:
    """Requests, duty, shifts, tags and blocks, with their deletion and retention hooks."""
    db, clock, settings, scheduler = core.db, core.clock, core.settings, core.scheduler
    settings.register(PeerSettings)
    duty_repo = DutyRepository(db)
    duty = DutyService(duty_repo, clock)
    tags = TagRepository(db)
    blocks = BlockRepository(db)
    retries = {} if relay_retry_after is None else {"relay_retry_after": relay_retry_after}
    requests = RequestService(
        RequestRepository(db), tags, blocks, duty, settings, scheduler, clock, **retries
    )
    shifts = ShiftService(duty, requests, core.zones, scheduler, clock)
    block_service = BlockService(blocks, requests, core.audit, clock)
    core.privacy.register("support requests", requests.forget)
    core.privacy.register("duty and shifts", duty_repo.delete_member)
    core.privacy.register_retention("conversation text", requests.requests.purge_content_before)
    return PeerServices(requests, duty, TagService(tags), shifts, block_service)


def _forget_scheduled_work(core: _Core) -> None:
    async def forget_timers(user_id: int) -> int:
        # Stored work that names the member: a duty expiry would still DM them; a pending
        # crisis-alert retry would still post their id; a meeting reminder or a duty DM
        # tried again.
        return await core.scheduler.timers.delete_for_user(
            user_id,
            ("duty.expire", "duty.dm_retry", "safety.alert_retry", "safety.reply_retry",
             "meeting.remind_retry"),
        )  # fmt: skip

    core.privacy.register("scheduled work", forget_timers)


def _once_service(core: _Core, config: Settings) -> OnceService:
    """In a cluster, one process handles an event that reached two (a rolling restart)."""
    once = OnceService(
        HandledEventRepository(core.db),
        core.clock,
        shared=config.cluster.clustered,
        holders=config.database.pool_max_size // 2,
    )
    core.privacy.register_retention("handled event ids", once.purge)
    return once


def _safety_service(core: _Core, peers: PeerServices, once: OnceService) -> SafetyService:
    core.settings.register(SafetySettings)
    safety = SafetyService(
        SafetyRepository(core.db),
        core.prefs,
        core.settings,
        core.clock,
        scheduler=core.scheduler,
        duty=peers.duty,
        requests=peers.requests,
        once=once,
        notices=core.privacy.notices,
    )
    peers.requests.role_lost_hooks.append(safety.peer_lost_role)
    peers.requests.member_language = safety.language_for
    core.privacy.register("crisis-alert records", safety.forget)
    core.privacy.register_retention("crisis-alert records", safety.repo.purge_before)
    return safety


def _checkin_service(core: _Core) -> CheckinService:
    core.settings.register(CheckinSettings)
    checkins = CheckinService(
        CheckinRepository(core.db), core.settings, core.scheduler, core.zones, core.clock
    )
    core.privacy.register("personal check-ins and moods", checkins.forget)
    core.zones.followed_by(
        "checkin", checkins.follow_zone, checkins.follow_server, checkins.followed_zones
    )
    return checkins


def _selfhelp_service(
    core: _Core, checkins: CheckinService, safety: SafetyService
) -> SelfHelpServices:
    """The library (checked now: a bad page stops start-up), goals and wellness plans."""
    goals = GoalService(GoalRepository(core.db), checkins, core.zones, core.scheduler, core.clock)
    plans = PlanService(PlanRepository(core.db), core.clock)
    checkins.watch_quiet_hours(goals.replan)
    core.zones.followed_by("goals", goals.follow_zone, goals.follow_server, goals.followed_zones)
    core.privacy.register("goals", goals.forget)
    core.privacy.register("wellness plan", plans.forget)
    return SelfHelpServices(LibraryService(Library.load(), safety.language_for), goals, plans)


def _backup_service(core: _Core, config: Settings) -> BackupService:
    """Daily backups of the database file (``[backup]``); the service arms its own timer.
    PostgreSQL has its own tools (pg_dump): the file backup stays off there."""
    backup = config.backup
    if config.database.backend == "postgres" and backup.enabled:
        log.warning("[backup] copies the SQLite file: off on PostgreSQL (use pg_dump)")
        backup = backup.model_copy(update={"enabled": False})
    return BackupService(config.database.resolved_path(), backup, core.scheduler, core.clock)


def _doctor_service(
    core: _Core, safety: SafetyService, checkins: CheckinService, groups: GroupService
) -> DoctorService:
    """``/kindred setup``: each feature says which channels and roles it uses."""
    doctor = DoctorService()
    register_builtin(doctor.register, core.settings, safety, checkins, groups)
    return doctor


def _group_service(core: _Core, safety: SafetyService) -> GroupService:
    groups = GroupService(
        GroupRepository(core.db),
        core.settings,
        core.scheduler,
        core.clock,
        opted_out=safety.opted_out,
    )
    core.privacy.register("support groups", groups.forget)
    core.privacy.register_retention("anonymous group post links", groups.purge_posts_before)
    return groups


def _meeting_service(core: _Core, groups: GroupService) -> MeetingService:
    meetings = MeetingService(MeetingRepository(core.db), groups, core.scheduler, core.clock)
    core.privacy.register("group meetings", meetings.forget)
    core.privacy.register_retention("named meeting attendance", meetings.purge_presence_before)
    return meetings


def _cluster_timers(config: Settings) -> ClusterTimers | None:
    """Several processes: each runs only its own shards' timers (leased); one: all of them."""
    cluster = config.cluster
    if not cluster.clustered:
        return None
    return ClusterTimers(
        ShardSet(cluster.total_shards(), tuple(cluster.shard_ids())),
        lease=timedelta(seconds=cluster.timer_lease_seconds),
        poll=timedelta(seconds=cluster.timer_poll_seconds),
    )


def _scheduler(db: Database, config: Settings, clock: Clock) -> Scheduler:
    return Scheduler(
        TimerRepository(db, runs_while_away=away.RUNS),
        misfire_grace=timedelta(seconds=config.scheduler.misfire_grace_seconds),
        clock=clock,
        cluster=_cluster_timers(config),
    )


# ``relay_retry_after``: the waits between tries of a relayed message Discord refused (None:
# production's, ``RELAY_RETRY_AFTER``); the end-to-end tests shorten them.
def _privacy_service(
    db: Database, prefs: MemberPrefsRepository, scheduler: Scheduler, config: Settings, clock: Clock
) -> PrivacyService:
    """/forgetme, the retention purge, and the moderators' notices remembered across restarts
    (shared with safety)."""
    return PrivacyService(
        prefs,
        scheduler,
        config.privacy.retention_days,
        clock,
        answers=HandledEventRepository(db),
        notices=ModeratorNotices(ModeratorNoticeRepository(db), clock),
        audit=AuditRepository(db),
        guild_settings=GuildSettingsRepository(db),
    )


def _server_presence(
    core: _Core,
    peers: PeerServices,
    safety: SafetyService,
    checkins: CheckinService,
    config: Settings,
) -> ServerPresence:
    """A server that removes Kindred: its work waits, its data kept a while, then purged (a
    crisis reply tried again meanwhile is sent without the server's parts)."""
    presence = ServerPresence(
        DepartedRepository(core.db),
        peers.requests,
        peers.duty,
        core.settings,
        core.scheduler,
        config.privacy.departed_server_days,
        core.clock,
        member_language=safety.language_for,
    )
    safety.server_away = presence.is_departed
    peers.requests.server_away = presence.is_departed
    checkins.server_away = presence.is_departed
    return presence


async def build_services(
    config: Settings,
    *,
    clock: Clock = utcnow,
    relay_retry_after: tuple[timedelta, ...] | None = None,
) -> Services:
    """Open the database (migrating it) and wire every feature's service.

    The order of the deletion hooks is the order ``/forgetme`` reports them in."""
    db = await open_database(config)
    prefs = MemberPrefsRepository(db)
    scheduler = _scheduler(db, config, clock)
    settings = GuildSettingsService(GuildSettingsRepository(db), clock)
    core = _Core(
        db=db,
        clock=clock,
        settings=settings,
        scheduler=scheduler,
        prefs=prefs,
        audit=AuditRepository(db),
        privacy=_privacy_service(db, prefs, scheduler, config, clock),
        zones=MemberZones(prefs, settings, clock),
    )
    peers = _peer_services(core, relay_retry_after)
    _forget_scheduled_work(core)
    once = _once_service(core, config)
    safety = _safety_service(core, peers, once)
    checkins = _checkin_service(core)
    try:
        selfhelp = _selfhelp_service(core, checkins, safety)
    except Exception:
        await db.close()
        raise
    groups = _group_service(core, safety)
    return Services(
        config=config,
        db=db,
        clock=clock,
        settings=core.settings,
        scheduler=scheduler,
        audit=core.audit,
        prefs=prefs,
        privacy=core.privacy,
        zones=core.zones,
        peers=peers,
        safety=safety,
        checkins=checkins,
        selfhelp=selfhelp,
        backup=_backup_service(core, config),
        doctor=_doctor_service(core, safety, checkins, groups),
        groups=groups,
        meetings=_meeting_service(core, groups),
        once=once,
        servers=_server_presence(core, peers, safety, checkins, config),
    )
