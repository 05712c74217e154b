"""Outside probe, round 30: what members, peers and moderators met that earlier rounds did not
(each test says what a member did and what went wrong before its fix; a probe that found no
defect says so)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import World
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
