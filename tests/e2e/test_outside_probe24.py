"""Outside probe, round 24: probes that found no defect, kept for their coverage."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import command
from tests.e2e.test_support import setup_peers

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


async def test_a_shift_that_crosses_midnight_keeps_the_peer_on_duty_until_it_ends(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A night peer adds a Monday 22:00-02:00 shift. Expected: it is accepted, starts Monday
    22:00, keeps them on duty past midnight and ends Tuesday 02:00."""
    with time_machine.travel(NOON, tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="monday", start="22:00", end="02:00", tz="UTC",
        )  # fmt: skip
        assert "Shift added" in added.text, added.text
        clock.move_to(datetime(2026, 11, 23, 22, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 24, 2, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)


async def test_a_sunday_night_shift_ends_on_monday_morning_across_the_week(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A Sunday 22:00-02:00 shift (the week wraps at midnight): on duty from Sunday 22:00 until
    Monday 02:00, then off."""
    with time_machine.travel(datetime(2026, 11, 22, 12, 0, tzinfo=UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="sunday", start="22:00", end="02:00", tz="Europe/Lisbon",
        )  # fmt: skip
        assert "Shift added" in added.text, added.text
        clock.move_to(datetime(2026, 11, 22, 22, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 23, 2, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        listed = await command(emulator, world.peer, world.general, "duty shift list")
        assert "22:00" in listed.text and "02:00" in listed.text, listed.text


async def test_a_shift_added_mid_shift_past_midnight_puts_the_peer_on_duty_now(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """At 00:30 on Tuesday a peer adds a Monday 22:00-02:00 shift (they are in it now):
    they are on duty at once, until 02:00."""
    with time_machine.travel(datetime(2026, 11, 24, 0, 30, tzinfo=UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        added = await command(
            emulator, world.peer, world.general, "duty shift add",
            weekday="monday", start="22:00", end="02:00", tz="UTC",
        )  # fmt: skip
        assert "Shift added" in added.text, added.text
        await kindred.settle()
        assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
        clock.move_to(datetime(2026, 11, 24, 2, 0, 5, tzinfo=UTC))
        await kindred.settle()
        assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
