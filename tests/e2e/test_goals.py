"""Goals end to end: a goal with nudges at the member's local time on a controlled clock, the
nudge's buttons (still working, done with a celebration, pause), quiet hours borrowed from the
personal check-in, resume and drop, closed DMs, bad input, and sharing with a peer by consent."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from emulator import DiscordEmulator
from emulator.models import Message
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import (  # noqa: F401
    ENGLISH_DATE,
    Start,
    command,
    labels,
    portuguese,
    pt_answer,
    run_at,
    start_at,
)

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def press(emulator: DiscordEmulator, user, message: Message, custom_id: str):
    return await (await emulator.press_button(user, message, custom_id)).response()


def nudges(emulator: DiscordEmulator, world: World) -> list[Message]:
    dm = emulator.dm_channel(world.member)
    return [m for m in emulator.bot_messages(dm) if any("kindred:goal:" in c for c in m.custom_ids)]


async def test_a_goal_nudges_at_local_time_and_done_is_celebrated(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    saved = await command(
        emulator, world.member, world.general, "goal set",
        text="walk ten minutes", schedule="every day at 9:00", tz="Europe/Paris",
    )  # fmt: skip
    assert saved.ephemeral and "Saved your goal **#1**" in saved.text
    assert "daily 09:00" in saved.text and "Europe/Paris" in saved.text
    # 09:00 in Paris is 08:00 UTC in November
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    await run_at(traveller, kindred, datetime(2026, 11, 24, 7, 59, tzinfo=UTC))
    assert nudges(emulator, world) == []
    await run_at(traveller, kindred, datetime(2026, 11, 24, 8, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    first = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    assert "walk ten minutes" in first.text and "How is it going?" in first.text
    assert first.custom_ids == [f"kindred:goal:{a}:1" for a in ("done", "going", "pause")]

    going = await press(emulator, world.member, first, "kindred:goal:going:1")
    assert going.type == 7 and "Thanks for checking in" in first.text and not first.custom_ids
    nxt = await kindred.services.scheduler.get("goal:1")
    assert nxt.due_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

    await run_at(traveller, kindred, datetime(2026, 11, 25, 8, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=first)
    second = nudges(emulator, world)[-1]
    done = await press(emulator, world.member, second, "kindred:goal:done:1")
    assert done.type == 7 and "walk ten minutes" in second.text
    assert any(mark in second.text for mark in ("🎉", "🌱", "✨"))
    assert await kindred.services.scheduler.get("goal:1") is None
    (goal,) = await kindred.services.selfhelp.goals.mine(world.member.id)
    assert goal.status == "done"
    listed = await command(emulator, world.member, world.general, "goal list")
    assert "✅ walk ten minutes" in listed.text
    # no more nudges for a finished goal (the two answered ones lost their buttons)
    await run_at(traveller, kindred, datetime(2026, 11, 26, 8, 0, 5, tzinfo=UTC))
    assert len(emulator.bot_messages(dm)) == 2 and nudges(emulator, world) == []


async def test_a_nudge_waits_for_the_quiet_hours_of_the_members_personal_check_in(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "checkin me every",
        schedule="daily 20:00", tz="Europe/Paris", quiet_hours="22:00-08:00",
    )  # fmt: skip
    # no zone given: the personal check-in's zone; 07:00 Paris is inside the quiet hours
    await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 07:00"
    )
    (goal,) = await kindred.services.selfhelp.goals.mine(world.member.id)
    assert goal.tz == "Europe/Paris"
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris
    await run_at(traveller, kindred, datetime(2026, 11, 24, 6, 0, 5, tzinfo=UTC))
    assert nudges(emulator, world) == []
    await run_at(traveller, kindred, datetime(2026, 11, 24, 7, 0, 5, tzinfo=UTC))
    assert len(nudges(emulator, world)) == 1


async def test_a_nudge_held_by_quiet_hours_ending_in_the_skipped_hour_comes_at_the_jump(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    # Sydney, 4 Oct 2026: 02:00 AEST → 03:00 AEDT; the quiet hours end at 02:30, never shown
    traveller, kindred = await start_at(datetime(2026, 10, 3, 3, 0, tzinfo=UTC))  # 13:00 AEST
    await command(
        emulator, world.member, world.general, "checkin me every",
        schedule="daily 12:00", tz="Australia/Sydney", quiet_hours="21:00-02:30",
    )  # fmt: skip
    await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 23:00"
    )
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 10, 3, 16, 0, tzinfo=UTC)  # 03:00 AEDT, the jump
    await run_at(traveller, kindred, datetime(2026, 10, 3, 16, 0, 5, tzinfo=UTC))
    assert len(nudges(emulator, world)) == 1


async def test_nudges_and_their_answers_are_in_the_language_the_member_chose(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    await command(emulator, world.member, world.general, "language set", language="de")
    await command(
        emulator, world.member, world.general, "goal set",
        text="drink water", schedule="daily 13:00", tz="UTC",
    )  # fmt: skip
    await run_at(traveller, kindred, datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    first = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    assert first.text.startswith("Hallo! Du hast mich gebeten, nach deinem Ziel zu fragen:")
    assert "\n> drink water\n" in first.text  # the goal in the member's own words
    assert "How is it going" not in first.text and "Wie läuft es?" in first.text
    assert labels(first.components) == [
        "Geschafft 🎉",
        "Bin noch dran",
        "Diese Erinnerungen pausieren",
    ]
    assert first.custom_ids == [f"kindred:goal:{a}:1" for a in ("done", "going", "pause")]
    going = await press(emulator, world.member, first, "kindred:goal:going:1")
    assert going.type == 7 and first.text.startswith("Danke, dass du dich meldest."), first.text
    assert "„drink water“" in first.text and "Ich frage wieder nach: <t:" in first.text

    await run_at(traveller, kindred, datetime(2026, 11, 24, 13, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=first)
    second = nudges(emulator, world)[-1]
    paused = await press(emulator, world.member, second, "kindred:goal:pause:1")
    assert paused.type == 7 and second.text.startswith("Die Erinnerungen für „drink water“")
    await command(emulator, world.member, world.general, "goal resume", goal=1)

    await run_at(traveller, kindred, datetime(2026, 11, 25, 13, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=second)
    third = nudges(emulator, world)[-1]
    done = await press(emulator, world.member, third, "kindred:goal:done:1")
    # goal 1: the second of the celebrations
    assert done.type == 7 and third.text == (
        "🌱 „drink water“ ist erledigt. Kleine Schritte summieren sich, und du bist jeden davon "
        "gegangen."
    )


async def test_pause_resume_and_drop(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "goal set",
        text="drink water", schedule="daily 13:00", tz="UTC",
    )  # fmt: skip
    await run_at(traveller, kindred, datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    nudge = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    await kindred.restart()  # the buttons outlive the process
    paused = await press(emulator, world.member, nudge, "kindred:goal:pause:1")
    assert paused.type == 7 and "/goal resume" in nudge.text
    assert await kindred.services.scheduler.get("goal:1") is None
    listed = await command(emulator, world.member, world.general, "goal list")
    assert "nudges paused" in listed.text

    resumed = await command(emulator, world.member, world.general, "goal resume", goal=1)
    assert "Resumed" in resumed.text
    assert (await kindred.services.scheduler.get("goal:1")).due_at == datetime(
        2026, 11, 24, 13, 0, tzinfo=UTC
    )
    choices = await emulator.autocomplete(
        world.member, world.general, "goal drop", focused="goal", value="water"
    )
    assert [c["value"] for c in choices] == [1]
    dropped = await command(emulator, world.member, world.general, "goal drop", goal=1)
    assert dropped.ephemeral and "Dropped" in dropped.text
    assert await kindred.services.selfhelp.goals.mine(world.member.id) == []
    assert await kindred.services.scheduler.get("goal:1") is None


async def test_closed_dms_pause_the_goal_and_the_list_says_why(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "goal set",
        text="read a page", schedule="daily 20:00", tz="UTC",
    )  # fmt: skip
    emulator.user_dms_open(world.member, False)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    (goal,) = await kindred.services.selfhelp.goals.mine(world.member.id)
    assert goal.status == "paused" and goal.pause_reason == "your DMs are closed to me"
    assert await kindred.services.scheduler.get("goal:1") is None
    listed = await command(emulator, world.member, world.general, "goal list")
    assert "your DMs are closed to me" in listed.text


async def test_a_goal_nudge_discord_failed_for_a_moment_is_sent_again_shortly(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
    quick_discord_backoff: None,
) -> None:
    """A nudge DM Discord answers with a 5xx (after discord.py's five tries) is not dropped:
    as for a personal check-in, that run is tried again a minute later, within the grace
    time, so it arrives once, a little late; the goal is not paused (5xx is not closed DMs).
    From probe 13."""
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "goal set",
        text="drink water", schedule="daily 20:00", tz="UTC",
    )  # fmt: skip
    dm = emulator.dm_channel(world.member)
    fault = emulator.inject_fault("POST", f"/channels/{dm.id}/messages", status=500, times=5)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    await kindred.quiet()
    assert fault.hits == 5, f"the nudge was not tried: {fault.hits}"
    assert nudges(emulator, world) == []
    (goal,) = await kindred.services.selfhelp.goals.mine(world.member.id)
    assert goal.status != "paused", "a 5xx is not closed DMs"
    emulator.clear_faults()
    for minute in (1, 2, 3, 5):
        await run_at(traveller, kindred, datetime(2026, 11, 23, 20, minute, 10, tzinfo=UTC))
    await kindred.quiet()
    assert len(nudges(emulator, world)) == 1, (
        "the nudge Discord failed for a moment was never sent again; the next one is tomorrow"
    )
    assert await kindred.services.scheduler.get("goal:1") is not None  # tomorrow's, as usual


async def test_bad_goal_input_gets_clear_messages_and_stores_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    async def say(**options) -> str:
        answer = await command(emulator, world.member, world.general, "goal set", **options)
        assert answer.ephemeral
        return answer.text

    assert "at most once a day" in await say(text="sip water", schedule="hourly")
    assert "200 characters" in await say(text="x" * 201)
    assert "few words" in await say(text="\u200b\u202e ")
    assert "Europe/London" in await say(text="walk", schedule="daily 09:00", tz="Europe/Atlantis")
    assert "daily" in await say(text="walk", schedule="whenever")
    assert await kindred.services.selfhelp.goals.mine(world.member.id) == []
    for n in range(10):
        await say(text=f"goal {n}")
    assert "10 open goals" in await say(text="one more")
    assert "already have that goal" in await say(text="GOAL 3")
    someone_elses = await command(emulator, world.member2, world.general, "goal done", goal=1)
    assert "can't find that goal" in someone_elses.text
    assert (await kindred.services.selfhelp.goals.own(world.member.id, 1)).status == "active"


async def read_list(emulator: DiscordEmulator, kindred: Kindred, user, where, **options) -> list:
    """``/goal list`` as the person reads it: the answer and its followups (a long list is
    several private messages)."""
    ran = await emulator.run_command(user, where, "goal list", options=options)
    first = await ran.response()
    assert await kindred.quiet()
    return [first, *ran.followup_messages]


async def test_the_goal_list_shows_every_open_goal_and_who_can_see_them(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    for n in range(10):
        said = await command(
            emulator, world.member, world.general, "goal set",
            text=f"goal {n} " + "steady small steps " * 10, schedule="daily 09:00", tz="UTC",
        )  # fmt: skip
        assert "Saved" in said.text, said.text
    await command(emulator, world.member, world.general, "goal share", peer=world.peer)
    for reader, options, last_line in (
        (world.member, {}, f"Shared with: <@{world.peer.id}>"),
        (world.peer, {"member": world.member}, "**#10**"),
    ):
        messages = await read_list(emulator, kindred, reader, world.general, **options)
        assert len(messages) > 1  # ~2,700 characters: more than one message can hold
        assert all(m.ephemeral and len(m.text) <= 2000 for m in messages)
        text = "\n".join(m.text for m in messages)
        missing = [n for n in range(1, 11) if f"**#{n}**" not in text]
        assert missing == [], text[-300:]
        assert [text.index(f"**#{n}**") for n in range(1, 11)] == sorted(
            text.index(f"**#{n}**") for n in range(1, 11)
        )
        assert text.count("steady small steps") == 100  # every goal whole
        assert last_line in messages[-1].text, messages[-1].text[-300:]


async def test_a_peer_sees_shared_goals_only_with_consent(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await command(emulator, world.member, world.general, "goal set", text="call my sister")
    refused = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert refused.ephemeral and "has not chosen to share" in refused.text
    assert "call my sister" not in refused.text
    shared = await command(emulator, world.member, world.general, "goal share", peer=world.peer)
    assert "can now see your goals" in shared.text
    seen = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert seen.ephemeral and "call my sister" in seen.text and "by their choice" in seen.text
    other = await command(emulator, world.peer2, world.general, "goal list", member=world.member)
    assert "has not chosen to share" in other.text
    mine = await command(emulator, world.member, world.general, "goal list")
    assert f"<@{world.peer.id}>" in mine.text
    entries = await kindred.services.db.fetchall(
        "SELECT actor_id, action, detail FROM audit_log WHERE action LIKE 'goals.%'"
    )
    assert [(e["actor_id"], e["action"]) for e in entries] == [(world.member.id, "goals.share")]
    await command(emulator, world.member, world.general, "goal unshare", peer=world.peer)
    again = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert "has not chosen to share" in again.text
    bot_peer = await command(
        emulator, world.member, world.general, "goal share", peer=emulator.bot_user
    )
    assert "not yourself or a bot" in bot_peer.text


async def test_a_peer_reading_shared_goals_is_not_shown_the_members_nudge_state(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A goal paused because the member's DMs are closed is the member's own business: the
    peer it is shared with reads the goal and its progress, not "your DMs are closed" nor
    `/goal resume` (an instruction only the member can follow)."""
    await command(
        emulator, world.member, world.general, "goal set",
        text="walk ten minutes", schedule="daily 09:00", tz="Europe/Lisbon",
    )  # fmt: skip
    await command(emulator, world.member, world.general, "goal set", text="call my sister")
    await command(emulator, world.member, world.general, "goal share", peer=world.peer)
    walk, call = await kindred.services.selfhelp.goals.mine(world.member.id)
    await kindred.services.selfhelp.goals.nudge_failed(walk.id)
    await kindred.services.selfhelp.goals.done(world.member.id, call.id)
    shared = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert shared.ephemeral and "walk ten minutes · in progress" in shared.text, shared.text
    assert "✅ call my sister · done <t:" in shared.text, shared.text
    for private in ("/goal resume", "DMs are closed", "paused", "nudges"):
        assert private not in shared.text, shared.text
    # the member still reads why, and what to do about it
    mine = await command(emulator, world.member, world.general, "goal list")
    assert "your DMs are closed to me" in mine.text and "/goal resume" in mine.text, mine.text


async def test_shared_goals_do_not_show_the_peer_the_members_schedule_or_time_zone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The zone is stored only for the member's nudges and hints where they live: the peer
    the goals are shared with sees neither it nor the nudge schedule."""
    await command(
        emulator, world.member, world.general, "goal set",
        text="walk ten minutes", schedule="daily 09:00", tz="Europe/Lisbon",
    )  # fmt: skip
    await command(emulator, world.member, world.general, "goal share", peer=world.peer)
    shared = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert "walk ten minutes" in shared.text, shared.text
    for private in ("Europe/Lisbon", "Lisbon", "daily 09:00", "next <t:"):
        assert private not in shared.text, shared.text
    mine = await command(emulator, world.member, world.general, "goal list")
    assert "daily 09:00" in mine.text and "Europe/Lisbon" in mine.text, mine.text


async def test_quiet_hours_set_after_the_goal_still_hold_its_nudge_back(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.member, world.general, "goal set",
        text="stretch", schedule="daily 07:00", tz="Europe/Paris",
    )  # fmt: skip
    # armed before any quiet hours: 07:00 Paris is 06:00 UTC
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    # then the member sets quiet hours on their personal check-in
    await command(
        emulator, world.member, world.general, "checkin me every",
        schedule="daily 20:00", tz="Europe/Paris", quiet_hours="22:00-08:00",
    )  # fmt: skip
    listed = await command(emulator, world.member, world.general, "goal list")
    assert "<t:1795503600:R>" in listed.text  # the list already says 08:00 Paris
    # 07:00 Paris is inside the quiet hours: nothing now, the nudge waits for their end
    await run_at(traveller, kindred, datetime(2026, 11, 24, 6, 0, 30, tzinfo=UTC))
    assert nudges(emulator, world) == []
    moved = await kindred.services.scheduler.get("goal:1")
    assert moved.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris
    await run_at(traveller, kindred, datetime(2026, 11, 24, 7, 0, 30, tzinfo=UTC))
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: bool(m.custom_ids), since=0
    )
    assert len(nudges(emulator, world)) == 1
    # the next one is computed as usual, from the schedule, and also waits for 08:00
    following = await kindred.services.scheduler.get("goal:1")
    assert following.due_at == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


async def in_german(emulator: DiscordEmulator, world: World, name: str, **options):
    """A /goal command from a member whose Discord app is in German (no /language set)."""
    return await (
        await emulator.run_command(
            world.member, world.general, "goal " + name, options=options, locale="de"
        )
    ).response()


async def test_goal_replies_follow_the_discord_app_language(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    await start_at(NOON)
    empty = await in_german(emulator, world, "list")
    assert empty.ephemeral and empty.text == (
        "Du hast noch keine Ziele. `/goal set` speichert eines, privat."
    )
    saved = await in_german(
        emulator, world, "set", text="walk {daily}", schedule="daily 13:00", tz="UTC"
    )
    assert saved.text.startswith("Dein Ziel **#1** ist gespeichert: walk {daily}\n"), saved.text
    assert "„Wie läuft es?“, `daily 13:00` in UTC" in saved.text
    assert saved.text.endswith("Nur du siehst deine Ziele, außer du teilst sie mit `/goal share`.")
    await in_german(emulator, world, "set", text="call my sister")
    shared = await in_german(emulator, world, "share", peer=world.peer)
    assert shared.text.startswith(f"<@{world.peer.id}> kann jetzt deine Ziele sehen")
    listed = await in_german(emulator, world, "list")
    assert listed.text.startswith("Deine Ziele (nur du siehst sie):\n**#1** walk {daily} · "), (
        listed.text
    )
    assert "Erinnerungen `daily 13:00` (UTC), nächste <t:" in listed.text
    assert "**#2** call my sister · keine Erinnerungen" in listed.text
    assert listed.text.endswith(f"Geteilt mit: <@{world.peer.id}>.")
    # the peer reads the shared goals in their own language (English here)
    seen = await command(emulator, world.peer, world.general, "goal list", member=world.member)
    assert seen.text.startswith(f"<@{world.member.id}>'s goals, shared with you by their choice")
    unshared = await in_german(emulator, world, "unshare", peer=world.peer)
    assert unshared.text == f"<@{world.peer.id}> kann deine Ziele nicht mehr sehen."
    resumed = await in_german(emulator, world, "resume", goal=1)
    assert resumed.text.startswith("„walk {daily}“ geht weiter. Nächste Erinnerung: <t:")
    dropped = await in_german(emulator, world, "drop", goal=2)
    assert dropped.text.startswith("„call my sister“ ist losgelassen."), dropped.text
    done = await in_german(emulator, world, "done", goal=1)
    # goal 1: the second of the celebrations
    assert done.text == (
        "🌱 „walk {daily}“ ist erledigt. Kleine Schritte summieren sich, und du bist jeden davon "
        "gegangen."
    )
    listed = await in_german(emulator, world, "list")
    assert "**#1** ✅ walk {daily} · geschafft <t:" in listed.text, listed.text
    assert "Geteilt mit: niemandem." in listed.text


async def test_goal_replies_are_in_the_language_the_member_chose(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    await start_at(NOON)
    await command(emulator, world.member, world.general, "language set", language="es")
    saved = await command(emulator, world.member, world.general, "goal set", text="leer")
    assert saved.text.startswith("Guardé tu meta **#1**: leer\nSin recordatorios"), saved.text
    listed = await command(emulator, world.member, world.general, "goal list")
    assert listed.text == (
        "Tus metas (solo tú las ves):\n**#1** leer · sin recordatorios\nCompartidas con: nadie."
    )
    done = await command(emulator, world.member, world.general, "goal done", goal=1)
    assert done.text.startswith("🌱 «leer»"), done.text


async def test_a_spanish_member_reads_goal_errors_in_spanish_an_english_one_in_english(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    await start_at(NOON)
    await command(emulator, world.member, world.general, "language set", language="es")
    unknown = await command(emulator, world.member, world.general, "goal done", goal=7)
    assert unknown.ephemeral
    assert unknown.text == "No encuentro esa meta entre las tuyas. `/goal list` te las muestra."
    too_long = await command(emulator, world.member, world.general, "goal set", text="x" * 201)
    assert too_long.text == "Una meta puede tener como mucho 200 caracteres.", too_long.text
    english = await command(emulator, world.member2, world.general, "goal done", goal=7)
    assert english.ephemeral
    assert english.text == "I can't find that goal among yours. `/goal list` shows them."


async def test_a_peer_who_left_the_only_shared_server_no_longer_sees_shared_goals(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """As with a plan: goals are shared in a community. A peer who no longer shares a server
    with the member is refused kindly (from a DM) and shown nothing; the member's /goal list
    marks them and keeps the share (theirs to take back)."""
    await command(emulator, world.member, world.general, "goal set", text="call my sister")
    await command(emulator, world.member, world.general, "goal share", peer=world.peer)
    await command(emulator, world.member, world.general, "goal share", peer=world.peer2)
    dm = emulator.dm_channel(world.peer)
    listed = await emulator.run_command(
        world.peer, dm, "goal list", options={"member": world.member}
    )
    assert "call my sister" in (await listed.answer()).text  # from a DM, still in a server

    emulator.remove_member(world.guild, world.peer)
    await emulator.gateway_idle()
    listed = await emulator.run_command(
        world.peer, dm, "goal list", options={"member": world.member}
    )
    refused = await listed.answer()
    assert refused.ephemeral and "call my sister" not in refused.text, refused.text
    assert "You no longer share a server with" in refused.text, refused.text

    mine = await (await emulator.run_command(world.member, world.general, "goal list")).answer()
    assert (
        f"<@{world.peer.id}> (no longer in a server with you, so they can't see them: "
        "`/goal unshare` to remove)"
    ) in mine.text, mine.text
    assert f"<@{world.peer2.id}>." in mine.text  # still here: unmarked
    shares = await kindred.services.selfhelp.goals.shares(world.member.id)
    assert {s.peer_id for s in shares} == {world.peer.id, world.peer2.id}  # not deleted


async def test_goals_are_not_shared_with_someone_who_shares_no_server_with_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/goal share` took anyone Discord could name: someone in no server with the member (a
    stranger, or the owner of another server where the member is not), who could then never
    read the goals (`/goal list` refuses them). Now it is refused kindly at share time, in the
    member's language, and nothing is stored; someone the member does share a server with is
    still accepted, from a DM too (Kindred's servers asked)."""
    await command(emulator, world.member, world.general, "goal set", text="call my sister")
    stranger = emulator.create_user("stranger")
    elsewhere = emulator.create_guild("Elsewhere")
    owner = emulator.user(elsewhere.owner_id)
    await emulator.gateway_idle()
    for other in (stranger, owner):
        shared = await emulator.run_command(
            world.member, world.general, "goal share", options={"peer": other}
        )
        refused = await shared.answer()
        assert refused.ephemeral and refused.text == (
            f"You don't share a server with <@{other.id}> where Kindred is, so they couldn't see "
            "your goals. Nothing was shared: choose someone from your community."
        ), refused.text
    assert await kindred.services.selfhelp.goals.shares(world.member.id) == []
    bot_peer = await command(
        emulator, world.member, world.general, "goal share", peer=emulator.bot_user
    )
    assert "not yourself or a bot" in bot_peer.text

    await portuguese(emulator, world)
    refused = await pt_answer(emulator, world.member, world.general, "goal share", peer=stranger)
    assert refused.ephemeral and f"<@{stranger.id}>" in refused.text, refused.text
    assert "Kindred" in refused.text and "where Kindred is" not in refused.text, refused.text
    assert await kindred.services.selfhelp.goals.shares(world.member.id) == []

    dm = emulator.dm_channel(world.member)
    accepted = await emulator.run_command(
        world.member, dm, "goal share", options={"peer": world.peer}
    )
    assert f"<@{world.peer.id}>" in (await accepted.answer()).text
    shares = await kindred.services.selfhelp.goals.shares(world.member.id)
    assert [s.peer_id for s in shares] == [world.peer.id]


async def test_a_double_submitted_goal_is_saved_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same `/goal set` sent twice at once (a laggy client, two quick presses of Enter)
    saves the goal once: "you already have that goal" and the ten-open-goals limit are checked
    and the goal stored in one step, so the second submission is refused as a duplicate and
    only one goal is stored."""
    first, second = await asyncio.gather(
        emulator.run_command(world.member, world.general, "goal set", options={"text": "walk"}),
        emulator.run_command(world.member, world.general, "goal set", options={"text": "walk"}),
    )
    answers = [(await first.response()).text, (await second.response()).text]
    assert sum("Saved your goal" in a for a in answers) >= 1, answers
    goals = await kindred.services.selfhelp.goals.mine(world.member.id)
    assert [g.text for g in goals] == ["walk"], answers


async def test_goals_set_at_once_stop_at_the_open_goals_limit(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Twelve different goals sent at once store ten: the open-goals limit holds under the
    same race, and the others are told kindly why."""
    sent = await asyncio.gather(
        *(
            emulator.run_command(
                world.member, world.general, "goal set", options={"text": f"goal {n}"}
            )
            for n in range(12)
        )
    )
    answers = [(await i.response()).text for i in sent]
    assert sum("Saved your goal" in a for a in answers) == 10, answers
    assert sum("10 open goals" in a for a in answers) == 2, answers
    assert len(await kindred.services.selfhelp.goals.mine(world.member.id)) == 10


async def test_a_goal_nudge_zone_kindred_guessed_is_not_called_the_members_time(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member who never told Kindred their time zone (no `/timezone set`, no personal
    check-in, no `tz:`) sets a goal with `daily 09:00`: the answer names the zone as the
    server's and says how to choose theirs (`tz:` or `/timezone set`), never "your time" for
    a zone the member did not give. A zone they gave is still their time."""
    await command(emulator, world.mod, world.general, "kindred set timezone", timezone="Asia/Tokyo")
    saved = await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    assert "Saved your goal" in saved.text, saved.text
    assert "Asia/Tokyo" in saved.text, saved.text
    assert "your time" not in saved.text, saved.text
    assert "server's time zone" in saved.text, saved.text
    assert "`tz:`" in saved.text and "/timezone set" in saved.text, saved.text
    given = await command(
        emulator, world.member, world.general, "goal set",
        text="read", schedule="daily 21:00", tz="Europe/Lisbon",
    )  # fmt: skip
    assert "Europe/Lisbon" in given.text and "21:00 your time" in given.text, given.text
    assert "server's" not in given.text, given.text
    await command(emulator, world.member2, world.general, "timezone set", zone="America/Chicago")
    own = await command(
        emulator, world.member2, world.general, "goal set", text="walk", schedule="daily 09:00"
    )
    assert "America/Chicago" in own.text and "09:00 your time" in own.text, own.text
    assert "server's" not in own.text, own.text


async def test_a_spanish_member_reads_that_the_nudge_zone_is_the_servers_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The server's zone named as such, and how to choose theirs, in the member's language."""
    await command(emulator, world.mod, world.general, "kindred set timezone", timezone="Asia/Tokyo")
    await command(emulator, world.member, world.general, "language set", language="es")
    saved = await command(
        emulator, world.member, world.general, "goal set", text="estirar", schedule="daily 09:00"
    )
    assert "en Asia/Tokyo, la zona horaria de este servidor" in saved.text, saved.text
    assert "¿Vives en otro lugar?" in saved.text and "/timezone set" in saved.text, saved.text
    assert "tu hora" not in saved.text, saved.text


async def test_goal_set_shows_the_next_nudge_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/goal set ... schedule:daily 09:00` says when the next nudge comes in the goal's own
    time written in the member's language ("Próximo: <t:…:f> (qui., 3 de dez. 09:00 em
    UTC)"), never an English weekday and month ("Thu 03 Dec") inside a Portuguese sentence."""
    await portuguese(emulator, world)
    saved = await pt_answer(
        emulator, world.member, world.general, "goal set", text="caminhar", schedule="daily 09:00"
    )
    assert saved.text.startswith("Salvei sua meta"), saved.text
    assert not ENGLISH_DATE.search(saved.text), saved.text
    assert re.search(r"\((seg|ter|qua|qui|sex|sáb|dom)\., \d{1,2} de \w+\. 09:00 ", saved.text), (
        saved.text
    )


async def test_a_goal_set_in_the_servers_zone_follows_the_servers_new_zone(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member who never gave a zone sets `daily 09:00`; Kindred tells them it used the
    server's zone (Asia/Tokyo). A moderator then changes the server's home zone to
    Europe/London. Defect: the nudge keeps coming at 09:00 Tokyo (00:00 in London, the middle
    of the night where the community now says it lives), though the member was told "the
    server's zone", not a zone they chose. Expected: nudges that use the server's zone (and
    anything else that was told the member "the server's zone") move with it, at 09:00 London,
    as a member's own `/timezone set` moves nudges set without `tz:`."""
    _traveller, kindred = await start_at(NOON)
    await command(emulator, world.mod, world.general, "kindred set timezone", timezone="Asia/Tokyo")
    saved = await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    assert "server's time zone" in saved.text and "Asia/Tokyo" in saved.text, saved.text
    moved = await command(
        emulator, world.mod, world.general, "kindred set timezone", timezone="Europe/London"
    )
    assert "Europe/London" in moved.text, moved.text
    await kindred.settle()
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer is not None
    assert timer.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC), timer.due_at


async def test_timezone_clear_moves_goal_nudges_back_to_the_servers_zone(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """The server's home zone is Europe/London. A member sets `/timezone set Asia/Tokyo`, then
    a goal `daily 09:00` without `tz:` (it follows their zone), then runs `/timezone clear`
    ("the server's home zone is used again"). Defect: the nudge stays at 09:00 Tokyo
    (00:00 in London): clearing moves nothing, though setting a zone moves nudges set without
    `tz:`. Expected: after `/timezone clear`, nudges (and a personal check-in) set without
    `tz:` follow the zone now used for the member, the server's, at 09:00 London, and the
    answer says what moved, as `/timezone set` does."""
    _traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.mod, world.general, "kindred set timezone", timezone="Europe/London"
    )
    await command(emulator, world.member, world.general, "timezone set", zone="Asia/Tokyo")
    saved = await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    assert "Asia/Tokyo" in saved.text and "your time" in saved.text, saved.text
    cleared = await command(emulator, world.member, world.general, "timezone clear")
    assert cleared.ephemeral, cleared.text
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer is not None
    assert timer.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC), (timer.due_at, cleared.text)


async def test_timezone_clear_says_what_moved_to_the_servers_zone(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member with their own zone (Asia/Tokyo), a personal check-in and a goal set without
    `tz:` clears it: both move to the server's zone (Europe/London), and the answer says so in
    one sentence, as `/timezone set` does."""
    _traveller, kindred = await start_at(NOON)
    await command(
        emulator, world.mod, world.general, "kindred set timezone", timezone="Europe/London"
    )
    await command(emulator, world.member, world.general, "timezone set", zone="Asia/Tokyo")
    await command(emulator, world.member, world.general, "checkin me every", schedule="daily 20:00")
    await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    cleared = await command(emulator, world.member, world.general, "timezone clear")
    assert cleared.ephemeral
    assert cleared.text == (
        "Your time zone is cleared; the server's is used.\nYour personal check-in and your "
        "goals' nudges now come at their times in **Europe/London**."
    ), cleared.text
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert row is not None and row.tz == "Europe/London"
    checkin = await kindred.services.scheduler.get(f"pcheckin:{row.id}")
    assert checkin is not None and checkin.due_at == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    again = await command(emulator, world.member, world.general, "timezone clear")
    assert again.text == "Your time zone is cleared; the server's is used.", again.text


async def test_a_new_server_zone_leaves_a_members_own_zone_and_says_what_follows_it(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member who set their own zone keeps their nudges there when the server's zone
    changes; the moderator's answer says which times follow the server's zone (naming
    nobody), in their language."""
    _traveller, kindred = await start_at(NOON)
    await command(emulator, world.mod, world.general, "kindred set timezone", timezone="Asia/Tokyo")
    await command(emulator, world.member, world.general, "timezone set", zone="Europe/Paris")
    await command(
        emulator, world.member, world.general, "goal set", text="stretch", schedule="daily 09:00"
    )
    moved = await command(
        emulator, world.mod, world.general, "kindred set timezone", timezone="Europe/London"
    )
    assert moved.ephemeral
    assert moved.text == (
        "Server time zone set to **Europe/London**.\nGoal nudges and personal check-ins that "
        "members set here without a time zone of their own now come at their times in "
        "**Europe/London**."
    ), moved.text
    timer = await kindred.services.scheduler.get("goal:1")
    assert timer is not None and timer.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    spanish = await (
        await emulator.run_command(
            world.mod, world.general, "kindred set timezone",
            options={"timezone": "Europe/Lisbon"}, locale="es-ES",
        )
    ).response()  # fmt: skip
    assert spanish.text == (
        "Zona horaria del servidor: **Europe/Lisbon**.\nLos recordatorios de metas y los check-ins "
        "personales que los miembros configuraron aquí sin una zona horaria propia llegan ahora a "
        "sus horas en **Europe/Lisbon**."
    ), spanish.text
