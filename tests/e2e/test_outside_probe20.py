"""Outside probe, round 20: probes that found no defect, kept for coverage (/forgetme while
relayed words wait for Discord; personal check-ins in half-hour zones, across DST and a
pause)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import Start, command, run_at, start_at  # noqa: F401  (a fixture)
from tests.e2e.test_core import forget
from tests.e2e.test_forget_scan import holders
from tests.e2e.test_support import relayed_conversation
from tests.unit.test_forgetting import MODERATION_RECORDS


async def test_words_waiting_for_discord_are_not_relayed_after_the_member_forgets(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member's DM waits for Discord (503 on the relay thread); they run /forgetme. Their
    words must never reach the peer afterwards, and nothing stored holds their id."""
    relay, _ = await relayed_conversation(emulator, world, kindred)
    emulator.inject_fault("POST", f"/channels/{relay.id}/messages", status=503, times=None)
    await emulator.send_dm(world.member, "my sister's name is Ruthanne")
    await kindred.quiet()
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is not None
    await forget(emulator, world.member, world.general)
    await kindred.quiet()
    emulator.clear_faults()
    await kindred.settle()
    await kindred.quiet()
    assert not any("Ruthanne" in m.text for m in emulator.messages_in(relay))
    left = await holders(kindred, world.member.id)
    assert left <= MODERATION_RECORDS, sorted(left - MODERATION_RECORDS)
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is None


async def test_a_peers_words_waiting_for_discord_do_not_reach_a_member_who_forgot(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The peer's words wait for Discord (503 on the member's DMs); the member runs
    /forgetme: the conversation ended, so the peer's words are not sent to them later."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    emulator.inject_fault("POST", f"/channels/{dm.id}/messages", status=503, times=None)
    await emulator.send_message(world.peer, relay, "I'm here whenever you want to talk")
    await kindred.quiet()
    assert await kindred.services.scheduler.get("request:1:relay_to_member") is not None
    await forget(emulator, world.member, world.general)
    await kindred.quiet()
    emulator.clear_faults()
    await kindred.settle()
    await kindred.quiet()
    assert not any("whenever you want" in m.text for m in emulator.bot_messages(dm))
    assert await kindred.services.scheduler.get("request:1:relay_to_member") is None


async def test_a_personal_checkin_in_india_comes_at_the_half_hour_and_status_says_so(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member in India (UTC+5:30) with /timezone set gets `daily 20:00` at 14:30 UTC."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "timezone set", zone="Asia/Kolkata")
    set_ = await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00",
        quiet_hours="22:30-07:30",
    )  # fmt: skip
    assert "Asia/Kolkata" in set_.text, set_.text
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    dm = emulator.dm_channel(world.member)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 14, 30, 5, tzinfo=UTC))
    await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    status = await command(emulator, world.member, world.general, "checkin me status")
    assert "20:00" in status.text, status.text


async def test_a_personal_checkin_in_newfoundland_keeps_its_local_time_across_dst_and_pause(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """Newfoundland (UTC-3:30, -2:30 in summer): `daily 09:00` stays at 09:00 local across the
    March change, also after pause and resume."""
    traveller, kindred = await start_at(datetime(2027, 3, 12, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "timezone set", zone="America/St_Johns")
    await command(emulator, world.member, world.general, "checkin me every", schedule="daily 09:00")
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == datetime(2027, 3, 12, 12, 30, tzinfo=UTC)  # standard time
    await command(emulator, world.member, world.general, "checkin me pause")
    traveller.move_to(datetime(2027, 3, 15, 0, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "checkin me resume")
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == datetime(2027, 3, 15, 11, 30, tzinfo=UTC)  # daylight time
