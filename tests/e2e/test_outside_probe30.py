"""Outside probe, round 30: what members, peers and moderators met that earlier rounds did not
(each test says what a member did and what went wrong before its fix; a probe that found no
defect says so)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import Start, command, start_at  # noqa: F401

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_timezone_clear_in_dms_names_the_zone_a_goals_nudges_moved_to(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """The server's home zone is Europe/Paris. A member sets their own zone (Asia/Tokyo) and a
    goal `daily 09:00` in the server without `tz:`, then runs `/timezone clear` in their DMs
    with Kindred. The nudge moves to the goal's server's zone, 09:00 Paris. Defect: the answer
    said the nudges now come at their times in **UTC** (the zone of a goal set in the DMs),
    which is not where they went."""
    _traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.mod, world.general, "kindred set timezone", timezone="Europe/Paris"
    )
    await command(emulator, world.member, world.general, "timezone set", zone="Asia/Tokyo")
    await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    cleared = await command(emulator, world.member, emulator.dm_channel(world.member),
                            "timezone clear")  # fmt: skip
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer is not None
    # 09:00 in Paris is 08:00 UTC in November: the nudge went to the server's zone
    assert timer.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC), timer.due_at
    assert "Europe/Paris" in cleared.text and "UTC" not in cleared.text, cleared.text


async def test_a_raised_checkin_minimum_names_the_checkins_that_still_run_more_often(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator has an hourly check-in (#1) and a daily one (#2), then sets
    `/checkin settings min-interval 240`. Check-ins already stored keep their schedules (the
    minimum is checked when one is created or edited), so #1 goes on posting every hour.
    Defect: the answer said only "Check-ins here may now run at most once every 240
    minutes", false of #1, and nothing told the moderator. Expected: the answer names #1 (not
    #2) as running more often, and how to change it."""
    await command(emulator, world.mod, world.general, "checkin create",
                  channel=world.general, schedule="hourly", tz="UTC")  # fmt: skip
    await command(emulator, world.mod, world.general, "checkin create",
                  channel=world.general, schedule="daily 09:00", tz="UTC")  # fmt: skip
    answer = await command(
        emulator, world.mod, world.general, "checkin settings min-interval", minutes=240
    )
    assert answer.ephemeral, answer.text
    assert "240 minutes" in answer.text, answer.text
    assert "#1" in answer.text and "#2" not in answer.text, answer.text
    assert "/checkin edit" in answer.text, answer.text
