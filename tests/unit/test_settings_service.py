"""GuildSettingsService: typed sections with defaults, validation that names the setting, and an
audit entry written in the same transaction as the change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from pydantic import Field, ValidationError

from bot.clock import utcnow
from bot.db import Database, apply_migrations
from bot.db.repositories.core import AuditRepository, GuildSettingsRepository
from bot.errors import InvalidInputError
from bot.services import Services
from bot.services.checkins import CheckinSettings
from bot.services.peers import PeerSettings
from bot.services.safety import SafetySettings
from bot.services.settings import (
    CoreSettings,
    GuildSettingsService,
    SettingsSection,
    require_role,
)
from tests.unit.conftest import FakeClock

GUILD, OTHER_GUILD, MOD = 10, 11, 30


class Sample(SettingsSection):
    section: ClassVar[str] = "sample"
    title: ClassVar[str] = "Sample"

    count: int = Field(3, ge=1, le=10)
    mode: Literal["thread", "relay"] = "thread"
    enabled: bool = True
    channel_id: int | None = None
    names: tuple[str, ...] = ()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "k.db")
    await database.connect()
    await apply_migrations(database)
    yield database
    await database.close()


@pytest.fixture
def settings(db: Database, clock: FakeClock) -> GuildSettingsService:
    service = GuildSettingsService(GuildSettingsRepository(db), clock)
    service.register(Sample)
    return service


async def audit_rows(db: Database, guild_id: int = GUILD):
    return await AuditRepository(db).recent(guild_id)


# -- defaults and typed sections --------------------------------------------------------------
async def test_an_untouched_guild_reads_the_defaults(settings: GuildSettingsService) -> None:
    sample = await settings.get(GUILD, Sample)
    assert sample == Sample()
    assert (sample.count, sample.mode, sample.enabled, sample.channel_id) == (
        3,
        "thread",
        True,
        None,
    )
    core = await settings.get(GUILD, CoreSettings)
    assert (core.moderator_role_id, core.timezone, core.default_region) == (None, "UTC", None)


async def test_core_is_always_registered_and_sections_list_in_order(db: Database) -> None:
    service = GuildSettingsService(GuildSettingsRepository(db))
    assert list(service.sections) == ["core"]
    service.register(Sample)
    sections = await service.all_sections(GUILD)
    assert [type(s) for s in sections] == [CoreSettings, Sample]
    assert all(s == type(s)() for s in sections)


async def test_the_bot_registers_every_features_section(services: Services) -> None:
    sections = await services.settings.all_sections(GUILD)
    kinds = {type(s) for s in sections}
    assert {CoreSettings, PeerSettings, SafetySettings, CheckinSettings} <= kinds
    assert (await services.settings.get(GUILD, CheckinSettings)).min_interval_minutes == 60


async def test_update_returns_the_typed_section_and_get_sees_it(
    settings: GuildSettingsService,
) -> None:
    updated = await settings.update(GUILD, Sample, MOD, count=7, mode="relay", channel_id=99)
    assert isinstance(updated, Sample)
    assert (updated.count, updated.mode, updated.channel_id) == (7, "relay", 99)
    assert updated.enabled is True  # untouched fields keep their defaults
    assert await settings.get(GUILD, Sample) == updated
    # sections are frozen: a change goes through update (validated and audited)
    with pytest.raises(ValidationError):
        updated.count = 8  # type: ignore[misc]


async def test_settings_are_per_guild(settings: GuildSettingsService) -> None:
    await settings.update(GUILD, Sample, MOD, count=9)
    assert (await settings.get(OTHER_GUILD, Sample)).count == 3
    assert await settings.guilds_with(Sample, "count") == [GUILD]
    assert await settings.guilds_with(Sample, "channel_id") == []


async def test_only_the_changed_fields_are_stored_as_section_keys(
    settings: GuildSettingsService, db: Database
) -> None:
    await settings.update(GUILD, Sample, MOD, count=5, names=["a", "b"])
    stored = await GuildSettingsRepository(db).get_all(GUILD)
    assert stored == {"sample.count": 5, "sample.names": ["a", "b"]}
    assert (await settings.get(GUILD, Sample)).names == ("a", "b")


async def test_values_are_normalised_by_their_section(settings: GuildSettingsService) -> None:
    core = await settings.update(GUILD, CoreSettings, MOD, default_region="gb")
    assert core.default_region == "GB"
    core = await settings.update(GUILD, CoreSettings, MOD, timezone="America/Chicago")
    assert core.timezone == "America/Chicago"
    assert (await settings.get(GUILD, CoreSettings)).default_region == "GB"


async def test_zone_settings_are_read_by_the_one_zone_parser(
    settings: GuildSettingsService, db: Database
) -> None:
    """The server's zone and the office-hours zone read zones as /checkin does: any letter
    case, and ``EST`` as New York's zone; the canonical name is what is stored."""
    core = await settings.update(GUILD, CoreSettings, MOD, timezone="europe/paris")
    assert core.timezone == "Europe/Paris"
    peers = await settings.update(GUILD, PeerSettings, MOD, office_tz="EST")
    assert peers.office_tz == "America/New_York"
    stored = await GuildSettingsRepository(db).get_all(GUILD)
    assert stored["core.timezone"] == "Europe/Paris"
    assert stored["peers.office_tz"] == "America/New_York"


# -- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("section", "changes", "named"),
    [
        (Sample, {"count": 0}, "`count`"),
        (Sample, {"count": 11}, "`count`"),
        (Sample, {"mode": "carrier pigeon"}, "`mode`"),
        # the server's zone and region are refused in whole translated sentences naming the
        # value (as a member's own zone and region are), not "`timezone`: unknown time zone"
        (CoreSettings, {"timezone": "Mars/Olympus"}, "I don't know the time zone `Mars/Olympus`."),
        (CoreSettings, {"timezone": "US"}, "I don't know the time zone `US`."),
        (CoreSettings, {"default_region": "Atlantis"}, "I don't recognise the region “Atlantis”."),
        (CheckinSettings, {"min_interval_minutes": 5}, "`min_interval_minutes`"),
    ],
)
async def test_bad_values_raise_a_user_error_naming_the_setting(
    settings: GuildSettingsService, db: Database, section, changes, named
) -> None:
    settings.register(CheckinSettings)
    with pytest.raises(InvalidInputError) as err:
        await settings.update(GUILD, section, MOD, **changes)
    assert named in err.value.user_message
    # nothing was stored, nothing audited
    assert await GuildSettingsRepository(db).get_all(GUILD) == {}
    assert await audit_rows(db) == []


async def test_unknown_settings_are_refused_by_name(
    settings: GuildSettingsService, db: Database
) -> None:
    with pytest.raises(InvalidInputError) as err:
        await settings.update(GUILD, Sample, MOD, count=4, colour="blue", size=2)
    assert err.value.user_message == "Unknown setting: colour, size."
    assert await GuildSettingsRepository(db).get_all(GUILD) == {}
    assert await audit_rows(db) == []


async def test_a_stored_value_that_no_longer_validates_falls_back_per_field(
    settings: GuildSettingsService, db: Database, clock: FakeClock
) -> None:
    # e.g. a row hand-edited or written by an older version with wider limits
    await GuildSettingsRepository(db).set_many(
        GUILD, {"sample.count": 99, "sample.mode": "relay"}, None, clock()
    )
    sample = await settings.get(GUILD, Sample)
    assert sample.count == 3  # the bad field reads as its default
    assert sample.mode == "relay"  # the good one is kept


async def test_a_stored_field_the_section_no_longer_has_is_ignored(
    settings: GuildSettingsService, db: Database, clock: FakeClock
) -> None:
    await GuildSettingsRepository(db).set_many(
        GUILD, {"sample.retired": True, "sample.count": 4}, None, clock()
    )
    assert await settings.get(GUILD, Sample) == Sample(count=4)


# -- the audit log ----------------------------------------------------------------------------
async def test_a_change_writes_one_audit_entry_with_who_what_and_when(
    settings: GuildSettingsService, db: Database, clock: FakeClock
) -> None:
    await settings.update(GUILD, Sample, MOD, count=6, enabled=False)
    clock.advance(minutes=5)
    await settings.update(GUILD, CoreSettings, None, timezone="Europe/Paris")
    newest, first = await audit_rows(db)
    assert first.action == newest.action == "settings.update"
    assert first.actor_id == MOD
    assert first.detail == {"sample.count": 6, "sample.enabled": False}
    assert first.created_at == clock() - timedelta(minutes=5)
    assert newest.actor_id is None  # a change made by the bot itself
    assert newest.detail == {"core.timezone": "Europe/Paris"}
    assert newest.created_at == clock()
    assert await audit_rows(db, OTHER_GUILD) == []


async def test_the_change_and_its_audit_entry_are_one_transaction(
    settings: GuildSettingsService, db: Database
) -> None:
    await settings.update(GUILD, Sample, MOD, count=2)
    await db.execute(
        "CREATE TEMP TRIGGER audit_down BEFORE INSERT ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
    )
    with pytest.raises(Exception, match="audit log unavailable"):
        await settings.update(GUILD, Sample, MOD, count=8, mode="relay")
    await db.execute("DROP TRIGGER audit_down")
    # the failed change left neither the settings nor the log half-written
    assert await GuildSettingsRepository(db).get_all(GUILD) == {"sample.count": 2}
    assert (await settings.get(GUILD, Sample)).count == 2
    assert len(await audit_rows(db)) == 1


async def test_an_update_is_seen_at_once_despite_the_cache(
    settings: GuildSettingsService, db: Database
) -> None:
    assert (await settings.get(GUILD, Sample)).count == 3  # now cached
    await settings.update(GUILD, Sample, MOD, count=4)
    assert (await settings.get(GUILD, Sample)).count == 4
    # a second service over the same database (a restart) reads the stored value
    fresh = GuildSettingsService(GuildSettingsRepository(db))
    assert (await fresh.get(GUILD, Sample)).count == 4


async def test_a_section_is_validated_once_until_it_changes(
    settings: GuildSettingsService, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Each noticed message reads several sections: validated once and shared (frozen), not
    again each time; a change, a purge or another process's change drops them."""
    first = await settings.get(GUILD, Sample)
    assert await settings.get(GUILD, Sample) is first
    assert await settings.get(OTHER_GUILD, Sample) is not first
    await settings.update(GUILD, Sample, MOD, count=5)
    changed = await settings.get(GUILD, Sample)
    assert changed is not first and changed.count == 5
    await GuildSettingsRepository(db).set_many(GUILD, {"sample.count": 99}, MOD, utcnow())
    assert (await settings.get(GUILD, Sample)).count == 5  # cached: this process wrote no 99
    settings.forget_cached(GUILD)  # as a purge, or another process's change, does
    with caplog.at_level("WARNING", logger="bot.services.settings"):
        assert (await settings.get(GUILD, Sample)).count == 3  # 99 is out of range: default
        assert (await settings.get(GUILD, Sample)).count == 3
    warned = [r for r in caplog.records if "stored sample settings invalid" in r.getMessage()]
    assert len(warned) == 1  # once, not at every read


async def test_peer_limits_refuse_an_idle_reminder_that_could_never_come(
    services: Services,
) -> None:
    """The reminder after N quiet hours must come before the close: refused together, nothing
    saved (a half-saved pair would leave settings that don't mean what they say)."""
    from bot.services.peers import update_limits

    settings = services.settings
    with pytest.raises(InvalidInputError) as late:
        await update_limits(settings, GUILD, MOD, idle_remind_hours=720, idle_close_hours=1)
    assert late.value.user_message == (
        "Nothing was saved: `idle_remind_hours` (720) has to be less than `idle_close_hours` (1), "
        "or the reminder would only come after the quiet conversation had closed."
    )
    assert late.value.message_in("es").startswith("No se guardó nada"), late.value.message_in("es")
    with pytest.raises(InvalidInputError, match=r"\(72\)"):  # against the stored close (72)
        await update_limits(settings, GUILD, MOD, idle_remind_hours=72)
    cfg = await settings.get(GUILD, PeerSettings)
    assert (cfg.idle_remind_hours, cfg.idle_close_hours) == (24, 72)
    assert await services.audit.recent(GUILD) == []
    cfg = await update_limits(settings, GUILD, MOD, idle_remind_hours=2, idle_close_hours=3)
    assert (cfg.idle_remind_hours, cfg.idle_close_hours) == (2, 3)
    with pytest.raises(InvalidInputError, match=r"\(2\).*\(2\)"):
        await update_limits(settings, GUILD, MOD, idle_close_hours=2)
    cfg = await update_limits(settings, GUILD, MOD, max_open_per_peer=5)  # other limits as before
    assert cfg.max_open_per_peer == 5


@pytest.mark.parametrize("purpose", ["moderator", "peer"])
def test_a_role_every_member_has_or_discord_gives_cannot_be_a_settings_role(purpose) -> None:
    """@everyone (whose id is the server's) and a managed role are refused, naming which."""
    with pytest.raises(InvalidInputError, match=f"`@everyone` can't be the {purpose} role"):
        require_role(purpose, GUILD, GUILD, managed=False, name="@everyone")
    with pytest.raises(InvalidInputError) as managed:
        require_role(purpose, GUILD, 77, managed=True, name="Kindred")
    assert managed.value.user_message.startswith(f"**Kindred** can't be the {purpose} role")
    assert "bot or an integration" in managed.value.message_in("en")
    assert "Kindred" in managed.value.message_in("es") and "no puede ser" in (
        managed.value.message_in("es")
    )
    require_role(purpose, GUILD, 77, managed=False, name="Helpers")  # an ordinary role
