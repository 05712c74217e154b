"""A member's own time zone (``/timezone set``): what their times are read and shown in."""

from __future__ import annotations

import zoneinfo

import pytest

from bot.errors import InvalidInputError, NotFoundError
from bot.schedules import InvalidTimezoneError, parse_timezone
from bot.services import Services
from bot.services.settings import CoreSettings
from bot.services.zones import ZONE_KEY
from tests.unit.conftest import FakeClock

GUILD, MEMBER, MOD = 10, 42, 7


async def test_own_zone_then_fallback_then_server_then_utc(services: Services) -> None:
    zones = services.zones
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="America/New_York")
    assert await zones.zone_for(MEMBER, None) == zoneinfo.ZoneInfo("UTC")
    assert await zones.zone_for(MEMBER, GUILD) == zoneinfo.ZoneInfo("America/New_York")
    assert await zones.zone_for(MEMBER, GUILD, "Europe/Paris") == zoneinfo.ZoneInfo("Europe/Paris")
    assert await zones.set(MEMBER, "  Asia/Tokyo ") == "Asia/Tokyo"
    assert await zones.own(MEMBER) == "Asia/Tokyo"
    # the member's own choice wins over a check-in's zone and the server's
    assert await zones.zone_for(MEMBER, GUILD, "Europe/Paris") == zoneinfo.ZoneInfo("Asia/Tokyo")
    await zones.clear(MEMBER)
    assert await zones.own(MEMBER) is None
    assert await zones.zone_for(MEMBER, GUILD) == zoneinfo.ZoneInfo("America/New_York")


@pytest.mark.parametrize("bad", ["", "US", "Mars/Olympus_Mons", "Europe/" + "x" * 3000, "../etc"])
async def test_an_unknown_zone_is_refused_kindly_and_nothing_is_stored(
    services: Services, bad: str
) -> None:
    await services.zones.set(MEMBER, "Europe/Lisbon")
    with pytest.raises(InvalidInputError) as refused:
        await services.zones.set(MEMBER, bad)
    assert "Europe/London" in refused.value.user_message  # says what a name looks like
    assert len(refused.value.user_message) < 300  # never echoes 3,000 characters back
    assert await services.zones.own(MEMBER) == "Europe/Lisbon"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("europe/paris", "Europe/Paris"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("EST", "America/New_York"),  # as /checkin reads it: New York's zone, never UTC-5
        ("gmt", "UTC"),
        ("`Europe/Lisbon`", "Europe/Lisbon"),  # pasted as the guides show it
        (' "Asia/Tokyo" ', "Asia/Tokyo"),
        ("“Europe/Paris”", "Europe/Paris"),
    ],
)
async def test_a_zone_is_read_like_every_zone_input_and_stored_canonically(
    services: Services, typed: str, stored: str
) -> None:
    assert await services.zones.set(MEMBER, typed) == stored
    assert await services.zones.own(MEMBER) == stored
    assert stored == parse_timezone(typed).key  # the one parser /checkin and /duty use


@pytest.mark.parametrize("empty", ["", "   ", "``", "` `", '""'])
async def test_an_empty_zone_is_asked_for_never_shown_as_an_empty_code_span(
    services: Services, empty: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.zones.set(MEMBER, empty)
    assert refused.value.user_message.startswith("Type a time zone"), refused.value.user_message
    assert "``" not in refused.value.user_message
    with pytest.raises(InvalidInputError) as parsed:
        parse_timezone(empty)
    assert parsed.value.user_message.startswith("Type a time zone")


@pytest.mark.parametrize("empty", ["", "   ", "``", '""'])
async def test_an_empty_server_zone_is_asked_for_as_a_members_is(
    services: Services, empty: str
) -> None:
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Asia/Tokyo")
    with pytest.raises(InvalidInputError) as refused:
        await services.settings.update(GUILD, CoreSettings, MOD, timezone=empty)
    with pytest.raises(InvalidInputError) as mine:
        await services.zones.set(MEMBER, empty)
    assert refused.value.user_message == mine.value.user_message
    assert refused.value.user_message.startswith("Type a time zone to set")
    assert (await services.settings.get(GUILD, CoreSettings)).timezone == "Asia/Tokyo"


async def test_a_backtick_inside_a_wrong_zone_never_breaks_its_code_span(
    services: Services,
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.zones.set(MEMBER, "Mars`Olympus")
    assert "`Mars'Olympus`" in refused.value.user_message, refused.value.user_message


async def test_a_mistyped_zone_suggests_near_names(services: Services) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await services.zones.set(MEMBER, "Europe/Pariss")
    assert "Did you mean `Europe/Paris`" in refused.value.user_message


async def test_the_near_zones_are_listed_as_the_readers_language_lists_them(
    services: Services,
) -> None:
    """English as always ("`A` or `B` or `C`"); in Spanish "`A`, `B` o `C`" (Babel's "or"
    lists), not the English " or " inside a Spanish sentence."""
    with pytest.raises(InvalidInputError) as refused:
        await services.zones.set(MEMBER, "Europe/Pariss")
    near = [f"`{z}`" for z in parse_timezone_suggestions("Europe/Pariss")[:3]]
    assert len(near) == 3
    english = refused.value.user_message
    assert f"Did you mean {near[0]} or {near[1]} or {near[2]}? Pick" in english, english
    spanish = refused.value.message_in("es")
    assert f"¿Querías decir {near[0]}, {near[1]} o {near[2]}?" in spanish, spanish
    assert " or " not in spanish
    assert f"{near[0]}, {near[1]} ou {near[2]}" in refused.value.message_in("fr")
    assert f"{near[0]}, {near[1]} oder {near[2]}" in refused.value.message_in("de")


def parse_timezone_suggestions(name: str) -> list[str]:
    with pytest.raises(InvalidTimezoneError) as wrong:
        parse_timezone(name)
    return list(wrong.value.suggestions)


async def test_a_servers_unknown_zone_or_region_is_refused_in_the_readers_language(
    services: Services,
) -> None:
    """The server's zone and region are refused as a member's are (whole translated
    sentences, the near region named with region_name), not the settings layer's English."""
    with pytest.raises(InvalidInputError) as zone:
        await services.settings.update(GUILD, CoreSettings, MOD, timezone="Europe/Pariss")
    assert zone.value.user_message.startswith(
        "I don't know the time zone `Europe/Pariss`. Did you mean `Europe/Paris`"
    ), zone.value.user_message
    assert zone.value.message_in("es").startswith(
        "No conozco el huso horario `Europe/Pariss`. ¿Querías decir `Europe/Paris`"
    ), zone.value.message_in("es")
    with pytest.raises(InvalidInputError) as region:
        await services.settings.update(GUILD, CoreSettings, MOD, default_region="Germny")
    assert region.value.user_message == (
        "I don't recognise the region “Germny”. Did you mean Germany (DE)? Try a country such "
        "as “UK” or “Canada”, or a US state such as “NY”."
    )
    assert "¿Querías decir Alemania (DE)?" in region.value.message_in("es")
    assert "Tu voulais dire Allemagne (DE) ?" in region.value.message_in("fr")
    settings = await services.settings.get(GUILD, CoreSettings)
    assert settings.timezone == "UTC" and settings.default_region is None


async def test_a_stored_legacy_abbreviation_reads_as_the_parsers_zone(
    services: Services, clock: FakeClock
) -> None:
    await services.prefs.set(MEMBER, ZONE_KEY, "EST", clock.now)  # stored before the fix
    assert await services.zones.own(MEMBER) == "America/New_York"


async def test_a_stored_zone_that_no_longer_exists_counts_as_none(
    services: Services, clock: FakeClock
) -> None:
    await services.prefs.set(MEMBER, ZONE_KEY, "Atlantis/Capital", clock.now)
    assert await services.zones.own(MEMBER) is None
    assert await services.zones.zone_for(MEMBER, None) == zoneinfo.ZoneInfo("UTC")


async def test_goals_and_duty_read_the_members_own_zone(services: Services) -> None:
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="America/New_York")
    goals, shifts = services.selfhelp.goals, services.peers.shifts
    assert await goals.member_zone(MEMBER, GUILD) == zoneinfo.ZoneInfo("America/New_York")
    await services.zones.set(MEMBER, "Australia/Sydney")
    assert await goals.member_zone(MEMBER, GUILD) == zoneinfo.ZoneInfo("Australia/Sydney")
    assert await shifts.member_timezone(MEMBER, GUILD) == zoneinfo.ZoneInfo("Australia/Sydney")


async def test_forgetting_the_member_removes_their_zone(services: Services) -> None:
    await services.zones.set(MEMBER, "Europe/Berlin")
    await services.privacy.forget(MEMBER)
    assert await services.zones.own(MEMBER) is None


async def test_a_personal_checkin_without_tz_takes_the_members_zone_or_asks(
    services: Services,
) -> None:
    checkins = services.checkins
    with pytest.raises(InvalidInputError) as asked:
        await checkins.set_personal(
            user_id=MEMBER, guild_id=GUILD, channel_id=None, schedule="daily 20:00", tz=None,
            quiet=None,
        )  # fmt: skip
    assert "/timezone set" in asked.value.user_message
    with pytest.raises(NotFoundError):  # nothing was stored
        await checkins.personal_status(MEMBER)
    await services.zones.set(MEMBER, "Europe/Lisbon")
    row, _ = await checkins.set_personal(
        user_id=MEMBER, guild_id=GUILD, channel_id=None, schedule="daily 20:00", tz="  ",
        quiet=None,
    )  # fmt: skip
    assert row.tz == "Europe/Lisbon"


async def test_what_was_set_without_tz_follows_a_new_zone_and_a_given_tz_stays(
    services: Services, clock: FakeClock
) -> None:
    """A personal check-in and goal nudges set without ``tz`` move with ``/timezone set``
    (their next run planned again in the new zone); a goal given its own ``tz`` keeps it.
    ``set_followed`` names what moved; the same zone again moves nothing."""
    from datetime import UTC, datetime

    await services.zones.set(MEMBER, "Europe/Paris")
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=GUILD, channel_id=None, schedule="daily 20:00", tz=None, quiet=None
    )
    goals = services.selfhelp.goals
    walk = (await goals.set(MEMBER, GUILD, "walk", "daily 09:00")).goal
    tokyo = (await goals.set(MEMBER, GUILD, "call", "daily 10:00", "Asia/Tokyo")).goal
    assert walk.tz_follows and not tokyo.tz_follows
    zone, moved = await services.zones.set_followed(MEMBER, "America/New_York")
    assert (zone, moved) == ("America/New_York", ["checkin", "goals"])
    row = await services.checkins.repo.personal_for(MEMBER)
    assert row is not None and row.tz == "America/New_York"
    timer = await services.scheduler.get(f"pcheckin:{row.id}")
    assert timer is not None and timer.due_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert (await goals.own(MEMBER, walk.id)).tz == "America/New_York"
    nudge = await services.scheduler.get(f"goal:{walk.id}")
    assert nudge is not None and nudge.due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert (await goals.own(MEMBER, tokyo.id)).tz == "Asia/Tokyo"
    assert await services.zones.set_followed(MEMBER, "America/New_York") == (
        "America/New_York",
        [],
    )
    # given its own zone, a check-in stays there
    await services.checkins.set_personal(
        user_id=MEMBER,
        guild_id=GUILD,
        channel_id=None,
        schedule="daily 20:00",
        tz="Europe/Paris",
        quiet=None,
    )
    assert (await services.zones.set_followed(MEMBER, "Asia/Tokyo"))[1] == ["goals"]
    row = await services.checkins.repo.personal_for(MEMBER)
    assert row is not None and row.tz == "Europe/Paris" and not row.tz_follows


async def test_clearing_the_zone_moves_what_followed_it_to_the_servers(
    services: Services, clock: FakeClock
) -> None:
    """``/timezone clear``: a personal check-in and goal nudges set without ``tz`` move to the
    zone now used for them, the server's (their next run planned again in it); a goal given
    its own ``tz`` stays. ``clear_followed`` names what moved; clearing again moves nothing."""
    from datetime import UTC

    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Europe/London")
    await services.zones.set(MEMBER, "Asia/Tokyo")
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=GUILD, channel_id=None, schedule="daily 20:00", tz=None, quiet=None
    )
    goals = services.selfhelp.goals
    walk = (await goals.set(MEMBER, GUILD, "walk", "daily 09:00")).goal
    tokyo = (await goals.set(MEMBER, GUILD, "call", "daily 10:00", "Asia/Tokyo")).goal
    assert walk.tz == "Asia/Tokyo" and walk.tz_follows
    assert await services.zones.clear_followed(MEMBER) == ["checkin", "goals"]
    assert await services.zones.own(MEMBER) is None
    row = await services.checkins.repo.personal_for(MEMBER)
    assert row is not None and row.tz == "Europe/London" and row.tz_follows
    timer = await services.scheduler.get(f"pcheckin:{row.id}")
    assert timer is not None and timer.due_at.hour == 20 and timer.due_at.tzinfo == UTC
    assert (await goals.own(MEMBER, walk.id)).tz == "Europe/London"
    nudge = await services.scheduler.get(f"goal:{walk.id}")
    assert nudge is not None and nudge.due_at.astimezone(UTC).hour == 9, nudge.due_at
    assert nudge.due_at > clock.now
    assert (await goals.own(MEMBER, tokyo.id)).tz == "Asia/Tokyo"
    assert await services.zones.clear_followed(MEMBER) == []


async def test_after_clearing_the_zone_each_goal_is_said_to_come_in_its_own_servers_zone(
    services: Services,
) -> None:
    """Goals set without ``tz`` in two servers with different home zones: ``/timezone clear``
    moves each to its own server's zone, and ``zones_of`` names both (the answer names where
    they really went, not the zone of wherever the member ran the command). A paused goal's
    zone is not said, as its nudges don't come."""
    guild2 = GUILD + 1
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Europe/Paris")
    await services.settings.update(guild2, CoreSettings, MOD, timezone="America/Chicago")
    await services.zones.set(MEMBER, "Asia/Tokyo")
    goals = services.selfhelp.goals
    await goals.set(MEMBER, GUILD, "walk", "daily 09:00")
    await goals.set(MEMBER, guild2, "read", "daily 21:00")
    paused = (await goals.set(MEMBER, guild2 + 1, "call", "daily 10:00")).goal
    await goals.pause(MEMBER, paused.id)
    moved = await services.zones.clear_followed(MEMBER)
    assert moved == ["goals"]
    assert await services.zones.zones_of(MEMBER, moved) == {
        "goals": ["America/Chicago", "Europe/Paris"]
    }


async def test_a_new_server_zone_moves_what_members_without_their_own_zone_set_there(
    services: Services,
) -> None:
    """``/kindred set timezone``: nudges set in the server's zone (a member with no zone of
    their own, no ``tz``) move to the new one, and so does a personal check-in that went back
    to the server's zone with ``/timezone clear``; a member's own zone, a ``tz`` given and
    another server's goals stay."""
    other, third, guild2 = MEMBER + 1, MEMBER + 2, GUILD + 1
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Europe/London")
    goals = services.selfhelp.goals
    walk = (await goals.set(MEMBER, GUILD, "walk", "daily 09:00")).goal
    given = (await goals.set(MEMBER, GUILD, "call", "daily 10:00", "Europe/London")).goal
    elsewhere = (await goals.set(MEMBER, guild2, "read", "daily 21:00")).goal
    await services.zones.set(other, "Europe/Paris")
    theirs = (await goals.set(other, GUILD, "walk", "daily 09:00")).goal
    await services.zones.set(third, "Europe/Paris")
    await services.checkins.set_personal(
        user_id=third, guild_id=GUILD, channel_id=None, schedule="daily 20:00", tz=None, quiet=None
    )
    await services.zones.clear_followed(third)
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Asia/Tokyo")
    assert await services.zones.server_zone_changed(GUILD) == ["checkin", "goals"]
    assert (await goals.own(MEMBER, walk.id)).tz == "Asia/Tokyo"
    nudge = await services.scheduler.get(f"goal:{walk.id}")
    assert nudge is not None and nudge.due_at.hour == 0, nudge.due_at  # 09:00 in Tokyo
    row = await services.checkins.repo.personal_for(third)
    assert row is not None and row.tz == "Asia/Tokyo"
    assert (await goals.own(MEMBER, given.id)).tz == "Europe/London"
    assert (await goals.own(MEMBER, elsewhere.id)).tz == "UTC"
    assert (await goals.own(other, theirs.id)).tz == "Europe/Paris"
    assert await services.zones.server_zone_changed(GUILD) == []


async def test_rows_stored_before_0031_in_the_members_current_zone_follow_it(
    database_url: str, tmp_path
) -> None:
    """Migration 0031: a check-in or goal stored before it, in the zone the member set with
    ``/timezone set``, was set in it (its zone copied): it follows; another zone stays."""
    import shutil

    from bot.db import Database, apply_migrations
    from bot.db.migrate import MIGRATIONS_DIR

    old = tmp_path / "before"
    old.mkdir()
    for path in MIGRATIONS_DIR.iterdir():
        if path.name[:4].isdigit() and int(path.name[:4]) < 31:
            shutil.copy(path, old / path.name)
    db = Database(database_url)
    await db.connect()
    try:
        await apply_migrations(db, old)
        now = "2026-11-23T12:00:00+00:00"
        for user, zone in ((1, "Europe/Paris"), (2, "Asia/Tokyo")):
            await db.execute(
                "INSERT INTO member_prefs (user_id, guild_id, key, value, updated_at)"
                " VALUES (?, 0, 'timezone', ?, ?)",
                (user, f'"{zone}"', now),
            )
        for user, zone in ((1, "Europe/Paris"), (2, "Europe/Paris"), (3, "Europe/Paris")):
            await db.execute(
                "INSERT INTO personal_checkins (user_id, schedule, tz, created_at)"
                " VALUES (?, 'daily 20:00', ?, ?)",
                (user, zone, now),
            )
            await db.execute(
                "INSERT INTO goals (user_id, text, schedule, tz, created_at)"
                " VALUES (?, 'walk', 'daily 09:00', ?, ?)",
                (user, zone, now),
            )
        await db.execute(
            "INSERT INTO goals (user_id, text, created_at) VALUES (1, 'no nudges', ?)", (now,)
        )
        await apply_migrations(db)
        rows = await db.fetchall("SELECT user_id, tz_follows FROM personal_checkins")
        assert {r["user_id"]: r["tz_follows"] for r in rows} == {1: 1, 2: 0, 3: 0}
        rows = await db.fetchall("SELECT user_id, text, tz_follows FROM goals")
        assert {(r["user_id"], r["text"]): r["tz_follows"] for r in rows} == {
            (1, "walk"): 1,
            (2, "walk"): 0,
            (3, "walk"): 0,
            (1, "no nudges"): 0,
        }
    finally:
        await db.close()
