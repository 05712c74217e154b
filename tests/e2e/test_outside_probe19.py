"""Outside probe 19: probes that found no defect, kept for coverage."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import World
from tests.e2e.test_checkins import Start, run_at, start_at  # noqa: F401  (a fixture)
from tests.e2e.test_groups import answer_of
from tests.e2e.test_meetings import MONDAY_NOON, add_facilitator, add_meeting, ready


async def de(emu: DiscordEmulator, user, where, cmd: str, **options):
    return await answer_of(await emu.run_command(user, where, cmd, options=options, locale="de"))


async def test_a_german_members_group_path_is_in_german_and_leaving_stops_the_reminders(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A German member (`/language set de`) browses, joins, accepts the guidelines, asks for
    meeting reminders, gets one in German, leaves: no reminder follows for that group."""
    traveller, kindred = await start_at(MONDAY_NOON)
    await ready(emulator, world, kindred)
    await add_facilitator(emulator, world, world.peer)
    await add_meeting(emulator, world, world.peer)
    m = world.member2
    await de(emulator, m, world.general, "language set", language="de")
    listed = await de(emulator, m, world.general, "group list")
    assert "Selbsthilfegruppen" in listed.text, listed.text
    card = (await de(emulator, m, world.general, "group join", name="Grief circle")).message
    assert "Richtlinien" in card.text, card.text
    accept = next(c for c in card.custom_ids if c.startswith("kindred:grp:accept:"))
    welcome = await (await emulator.press_button(m, card, accept, locale="de")).response()
    assert "Willkommen" in welcome.text, welcome.text
    remind = await de(
        emulator, m, world.general, "group meeting remind", group="Grief circle", state="on"
    )
    assert "Ich schreibe dir privat" in remind.text, remind.text
    await run_at(traveller, kindred, datetime(2026, 11, 23, 18, 45, 5, tzinfo=UTC))
    dm = emulator.dm_channel(m)
    reminder = await emulator.wait_for_message(dm, predicate=lambda x: "trifft sich" in x.text)
    assert "Erinnerungen stoppen" in str(reminder.components), reminder.components
    left = await de(emulator, m, world.general, "group leave", name="Grief circle")
    assert "verlassen" in left.text, left.text
    sent = len(emulator.bot_messages(dm))
    await run_at(traveller, kindred, datetime(2026, 11, 29, 19, 0, 5, tzinfo=UTC))
    await run_at(traveller, kindred, datetime(2026, 11, 30, 18, 45, 5, tzinfo=UTC))
    assert await kindred.quiet()
    assert len(emulator.bot_messages(dm)) == sent, [x.text[:80] for x in emulator.bot_messages(dm)]
