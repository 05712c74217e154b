"""Outside probe, round 30: what members, peers and moderators met that earlier rounds did not
(each test says what a member did and what went wrong before its fix; a probe that found no
defect says so)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import Start, command, run_at, start_at  # noqa: F401
from tests.e2e.test_meetings import MONDAY_NOON, add_facilitator, add_meeting, dm, ready
from tests.e2e.test_selfhelp import button, footer
from tests.e2e.test_support import setup_peers

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
    french = await (
        await emulator.run_command(
            world.mod, world.general, "checkin settings min-interval", options={"minutes": 300},
            locale="fr",
        )
    ).response()  # fmt: skip
    assert "Le check-in **#1** (`hourly`) passe plus souvent" in french.text, french.text
    assert "#2" not in french.text and "runs more often" not in french.text, french.text


async def _facilitator_told_of_tuesday(emulator: DiscordEmulator, world: World, start: Start):
    """Tuesday 19:00's meeting of Grief circle, facilitated by world.peer (the rotation's
    first), who got the day-before heads-up on Monday at 19:00; the member asked no
    reminders."""
    traveller, kindred = await start(MONDAY_NOON)
    await ready(emulator, world, kindred, events=False)
    await add_facilitator(emulator, world, world.peer)
    await add_meeting(emulator, world, world.mod, schedule="every tuesday at 19:00")
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    notice = await dm(emulator, world.peer, "your turn to facilitate")
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, tzinfo=UTC))
    return kindred, notice


async def test_the_facilitator_reminded_of_a_meeting_is_told_when_a_moderator_moves_it(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """The facilitator got Monday's heads-up for Tuesday 19:00 ("your turn to facilitate",
    with the time); later that evening a moderator moves the meeting to Tuesday 17:00. The
    heads-up for the new time would have been due Monday 17:00, already past, so none comes.
    Defect: members who asked for reminders are told of the move, the facilitator who holds
    the space is not, and turns up two hours late. Expected: they are told the new time by
    DM, as a reminded member is."""
    kindred, notice = await _facilitator_told_of_tuesday(emulator, world, start_at)
    edited = await command(emulator, world.mod, world.general, "group meeting edit",
                           meeting=1, schedule="every tuesday at 17:00")  # fmt: skip
    assert edited.ephemeral, edited.text
    assert await kindred.quiet()
    after = [m for m in emulator.bot_messages(emulator.dm_channel(world.peer)) if m.id > notice.id]
    old = int(datetime(2026, 11, 24, 19, 0, tzinfo=UTC).timestamp())
    new = int(datetime(2026, 11, 24, 17, 0, tzinfo=UTC).timestamp())
    assert [m for m in after if f"<t:{old}:F>" in m.text and f"<t:{new}:F>" in m.text], [
        m.text for m in after
    ]


async def test_the_facilitator_reminded_of_a_meeting_is_told_when_it_is_removed(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """As above, but the moderator removes the meeting: the facilitator is told it is
    cancelled (once), instead of turning up to an empty channel."""
    kindred, notice = await _facilitator_told_of_tuesday(emulator, world, start_at)
    removing = await emulator.run_command(
        world.mod, world.general, "group meeting remove", options={"meeting": 1}
    )
    removed = await removing.answer()
    assert "is removed" in removed.text, removed.text
    assert await kindred.quiet()
    after = [m for m in emulator.bot_messages(emulator.dm_channel(world.peer)) if m.id > notice.id]
    old = int(datetime(2026, 11, 24, 19, 0, tzinfo=UTC).timestamp())
    told = [m for m in after if "cancelled" in m.text and f"<t:{old}:F>" in m.text]
    assert len(told) == 1 and len(after) == 1, [m.text for m in after]


async def test_a_page_a_spanish_member_shares_is_posted_in_english_for_everyone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member who chose Spanish (`/language set es`) shares `/selfhelp topic:breathing
    share:True` in the server's channel. Defect: the post everyone reads carried the sharer's
    labels ("Página 1 de 2", "Siguiente ▶", "Hablar con un compañero") and a Talk to a peer
    button that carried Spanish (`kindred:talk:<server>:es`), so an English member who pressed
    it got the support form in Spanish and their request, its DMs and thread, in Spanish.
    Expected: a channel post stays English, as the peer panel does, and its Talk to a peer
    button answers each reader in their own language. The sharer's own answer is in Spanish."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "language set", language="es")
    shared = await command(
        emulator, world.member, world.general, "selfhelp", topic="breathing", share=True
    )
    assert shared.ephemeral and shared.text.startswith("Publiqué"), shared.text
    post = await emulator.wait_for_message(
        world.general, predicate=lambda m: not m.ephemeral and bool(m.embeds)
    )
    assert footer(post).startswith("Page 1 of 2 · Reviewed"), footer(post)
    assert button(post, "kindred:sh:n:")["label"] == "Next ▶"
    talk = button(post, "kindred:talk:")
    assert talk["label"] == "Talk to a peer", talk
    pressed = await emulator.press_button(world.member2, post, talk["custom_id"])
    form = await pressed.response()
    assert form.is_modal and form.title == "Talk to a peer", form.title
