"""Forged button ids from another server (issue #10), for every registered dynamic item.

A moderator of server B (not a member of server A) crafts custom ids that point at server A's
request, alert, check-in post and guild, and presses them on a message in B. Nothing in A may
change, and every answer must be a kind, private one. A new dynamic item without a forged
sample here fails the test.
"""

from __future__ import annotations

import re

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_groups import allow_groups, create_group, join
from tests.e2e.test_safety import command
from tests.e2e.test_support import ask, go_on_duty, setup_peers


def forged_ids(world: World, post_id: int) -> list[str]:
    a, member = world.guild.id, world.member.id
    return [
        *(f"kindred:req:{action}:1" for action in
          ("claim", "unclaim", "transfer", "backup", "close", "transcript")),
        "kindred:fb:helped:1",
        "kindred:relayto:1",
        f"kindred:talk:{a}",
        "kindred:safety:notnow",
        "kindred:alert:1",
        "kindred:notconcern:1",
        "kindred:respite:en",
        f"kindred:mood:{post_id}:1",
        "kindred:pmood:3",
        f"kindred:handoff:keep:{a}",
        f"kindred:handoff:give:{a}",
        f"kindred:sh:n:{a}:1:grounding",
        "kindred:goal:done:1",
        "kindred:goal:pause:1",
        "kindred:plan:part:2",
        f"kindred:plan:delete:{member}",
        f"kindred:forget:delete:{member}",
        f"kindred:forget:keep:{member}",
        *(f"kindred:grp:{action}:1" for action in ("join", "leave", "read")),
        "kindred:grp:accept:1:s0",
        *(f"kindred:mtg:{action}:1" for action in ("here", "remind", "stop")),
        "kindred:mtg:swap:1:yes",
        "kindred:mtg:swap:1:no",
    ]  # fmt: skip


async def open_a_meeting_with_a_swap_asked(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Meeting 1 of group 1 is open (so "I'm here" would count), swap request 1 is waiting."""
    for user in (world.peer, world.peer2):
        await command(
            emulator, world.mod, world.general, "group facilitator add",
            group="Grief circle", member=user.id,
        )  # fmt: skip
    await command(
        emulator, world.mod, world.general, "group meeting add", group="Grief circle",
        name="Circle", schedule="daily 23:59", tz="UTC",
    )  # fmt: skip
    meetings = kindred.services.meetings
    await meetings.ask_swap(world.guild.id, "Grief circle", world.peer.id, world.peer2.id)
    timer = await kindred.services.scheduler.get("meeting:1:open")
    await meetings.on_open(timer)  # opened now, as the timer would
    assert (await meetings.repo.get(1)).is_open


async def state(kindred: Kindred, world: World) -> tuple:
    services = kindred.services
    request = await services.peers.requests.get(1)
    alert = await services.db.fetchone("SELECT responder_id, dismissed_by FROM safety_alerts")
    moods = await services.db.fetchall("SELECT * FROM checkin_moods")
    duty = await services.peers.duty.on_duty(world.guild.id)
    goals = await services.selfhelp.goals.mine(world.member.id)
    plan = await services.selfhelp.plans.get(world.member.id)
    in_group = tuple(await services.groups.members(1))
    accepted = await services.db.fetchall("SELECT user_id FROM group_acceptances")
    meeting = await services.meetings.repo.get(1)
    optins = await services.db.fetchall("SELECT * FROM meeting_reminder_optins")
    swaps = await services.db.fetchall("SELECT status FROM facilitator_swaps")
    turns = await services.meetings.repo.swapped_turns(1)
    return (
        request.status, request.claimed_by, request.feedback_given,
        tuple(alert), len(moods), tuple(sorted(r.user_id for r in duty)),
        tuple((g.id, g.status) for g in goals), plan.answers if plan else None,
        in_group, len(accepted), meeting.attendance, meeting.is_open, len(optins),
        tuple(r["status"] for r in swaps), tuple(sorted(turns.items())),
    )  # fmt: skip


async def test_forged_ids_from_another_server_change_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await emulator.send_message(world.member2, world.general, "honestly i want to kill myself")
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await command(
        emulator, world.mod, world.general, "checkin create",
        channel=world.general.id, schedule="daily 09:00", tz="UTC",
    )  # fmt: skip
    await command(emulator, world.mod, world.general, "checkin run-now", checkin=1)
    await emulator.wait_for_message(
        world.general, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids)
    )
    await command(
        emulator, world.member, world.general, "goal set",
        text="walk", schedule="daily 09:00", tz="UTC",
    )  # fmt: skip
    await kindred.services.selfhelp.plans.save_part(world.member.id, 1, {"well": "calm"})
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    await open_a_meeting_with_a_swap_asked(emulator, world, kindred)
    (post,) = await kindred.services.checkins.repo.posts(1)
    ids = forged_ids(world, post["id"])
    templates = list(kindred.bot._connection._view_store._dynamic_items)  # compiled patterns
    for template in templates:  # every registered dynamic item has a forged sample
        assert any(template.fullmatch(c) for c in ids), template.pattern

    other = emulator.create_guild("Elsewhere")
    intruder = emulator.user(other.owner_id)
    channel = emulator.create_channel(other, "general")
    await emulator.gateway_idle()
    before = await state(kindred, world)
    for custom_id in ids:
        bait = await emulator.send_message(intruder, channel, "look")
        bait.components = [
            {"type": 1, "components": [
                {"type": 2, "style": 1, "label": "x", "custom_id": custom_id}]}
        ]  # fmt: skip
        answer = await (await emulator.press_button(intruder, bait, custom_id)).response()
        if answer.is_modal:  # "Talk to a peer" opens the form; submitting must be refused
            submitted = await (await emulator.press_button(intruder, bait, custom_id)).response()
            assert submitted.is_modal
            continue
        # The shift hand-off prompt is a DM to the peer: its buttons answer by updating that
        # prompt (types 6 and 7). For anyone else "keep" is a no-op and "give" hands off nothing.
        updates_itself = custom_id.startswith("kindred:handoff:") and answer.type in (6, 7)
        assert answer.ephemeral or updates_itself, custom_id
        assert "something went wrong" not in answer.text, (custom_id, answer.text)
    assert await state(kindred, world) == before
    public = [
        m
        for m in emulator.messages_in(channel)
        if m.author.id == emulator.bot_user.id and not m.ephemeral
    ]
    assert not public, [m.text for m in public]


def test_the_samples_match_their_templates() -> None:
    assert re.fullmatch(r"kindred:req:(?P<action>[a-z]+):(?P<id>\d+)", "kindred:req:claim:1")
