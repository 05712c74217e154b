"""Goals and plans pressed or shared twice at once (outside probe 29): what is stored agrees
with what the member was told, and the share limits hold."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import Start, command, run_at, start_at  # noqa: F401

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_done_and_pause_pressed_at_once_on_two_devices_leave_a_celebrated_goal_done(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member's goal nudge is open on their phone and their computer; they press **Done**
    on one and **Pause these nudges** on the other at the same moment. What they experience:
    the nudge ends up celebrating the goal as done, yet it is stored as paused: `/goal list`
    shows it paused with its nudges stopped, not done (the celebration lost). Expected:
    the answers agree with what is stored: once a goal is done, a pause pressed at the same
    time is refused ("That goal is already done"), as it is when pressed a moment later.
    Cause: ``GoalService.done`` and ``GoalService.pause`` (bot/services/selfhelp/goals.py)
    each read the goal, then write its status unconditionally, with no check that it is
    still active in the write."""
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "goal set", text="walk", schedule="daily 09:00",
        tz="UTC",
    )  # fmt: skip
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    nudge = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    pressed = await asyncio.gather(
        emulator.press_button(world.member, nudge, "kindred:goal:done:1"),
        emulator.press_button(world.member, nudge, "kindred:goal:pause:1"),
    )
    answers = [await p.response() for p in pressed]
    await kindred.quiet()
    texts = [a.text for a in answers]
    (goal,) = await kindred.services.selfhelp.goals.mine(world.member.id)
    celebrated = any(mark in t for t in texts for mark in ("🎉", "🌱", "✨"))
    assert celebrated, texts
    assert goal.status == "done", (goal.status, texts)
    assert await kindred.services.scheduler.get("goal:1") is None


async def test_two_goal_shares_sent_at_once_never_pass_the_limit_of_three(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member shares their goals with two people, then (two devices, or a double send)
    shares them with two more at the same moment. What they experience: both are accepted
    ("… can now see your goals"), and four people can read goals that the limit says may be
    shared with at most three (sent one after the other, the fourth is refused). Expected: at
    most three shares, one of the two told to `/goal unshare` someone first. Cause:
    ``GoalService.share`` (bot/services/selfhelp/goals.py) counts the shares and then
    inserts, outside one transaction (``/plan share`` has the same check-then-insert)."""
    member = world.member
    for peer in (world.peer, world.peer2):
        shared = await command(emulator, member, world.general, "goal share", peer=peer.id)
        assert "can now see" in shared.text, shared.text
    ran = await asyncio.gather(
        emulator.run_command(
            member, world.general, "goal share", options={"peer": world.member2.id}
        ),
        emulator.run_command(member, world.general, "goal share", options={"peer": world.mod.id}),
    )
    texts = [(await r.answer()).text for r in ran]
    await kindred.quiet()
    shares = await kindred.services.selfhelp.goals.shares(member.id)
    assert len(shares) <= 3, (len(shares), texts)


async def test_two_plan_shares_sent_at_once_never_pass_the_limit_of_three(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same race for the wellness plan: shared with two people, then with two more at
    the same moment, both are accepted ("… can now read your plan") and four people can read
    a plan the limit says may be shared with at most three. Expected: at most three, one of
    the two told to `/plan unshare` someone first. Cause: ``PlanService.share``
    (bot/services/selfhelp/plans.py) counts, then inserts, outside one transaction."""
    member = world.member
    await kindred.services.selfhelp.plans.save_part(member.id, 1, {"well": "calm"})
    for peer in (world.peer, world.peer2):
        shared = await command(emulator, member, world.general, "plan share", peer=peer.id)
        assert "can now read" in shared.text, shared.text
    ran = await asyncio.gather(
        emulator.run_command(
            member, world.general, "plan share", options={"peer": world.member2.id}
        ),
        emulator.run_command(member, world.general, "plan share", options={"peer": world.mod.id}),
    )
    texts = [(await r.answer()).text for r in ran]
    await kindred.quiet()
    shares = await kindred.services.selfhelp.plans.shares(member.id)
    assert len(shares) <= 3, (len(shares), texts)
