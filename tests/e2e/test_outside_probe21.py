"""Outside probe, round 21: probes that found no defect, kept for their coverage."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_checkins import Start, start_at  # noqa: F401  (start_at: a fixture)
from tests.e2e.test_detector import ScriptedModel, bot_dms, use_model
from tests.e2e.test_meetings import add_facilitator, add_meeting, events_of, ready
from tests.e2e.test_support import go_on_duty, setup_peers


async def test_several_uncertain_lines_in_a_row_from_one_member_make_one_quiet_item(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    use_model(kindred, ScriptedModel({"grey": {"crisis_1": 0.4}}))
    for i in range(4):
        await emulator.send_message(world.member, world.general, f"everything is grey {i}")
    await detector_settled(kindred)
    assert await kindred.quiet()
    items = [m for m in emulator.messages_in(world.peers) if "Possible concern" in m.text]
    assert len(items) == 1 and len(bot_dms(emulator, world.member)) == 1


async def test_a_meeting_in_a_half_hour_zone_is_listed_at_its_utc_instant(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await ready(emulator, world, kindred)
    await add_facilitator(emulator, world, world.peer)
    added = await add_meeting(emulator, world, world.peer, tz="Asia/Kolkata")
    assert "Mondays at 19:00 (Asia/Kolkata)" in added.text, added.text
    (event,) = events_of(emulator, world)
    assert event["scheduled_start_time"].startswith("2026-11-23T13:30")
