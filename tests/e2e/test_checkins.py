"""Scheduled check-ins, end to end: posts on the local clock across DST, pause/resume, restarts,
anonymous mood buttons, personal DM check-ins with quiet hours, and the failure paths."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from bot.services.checkins import RETRY, TimerRow
from bot.services.peers import PeerSettings
from emulator import DiscordEmulator, P
from emulator.models import Message
from tests.e2e.conftest import Kindred, World, every_answer

Start = Callable[[datetime], Awaitable[tuple[Any, Kindred]]]


@pytest.fixture
async def start_at(emulator: DiscordEmulator, world: World, tmp_path: Path) -> AsyncIterator[Start]:
    """Enter a controllable clock at a fixed instant, then start Kindred inside it."""
    stack = contextlib.ExitStack()
    runners: list[Kindred] = []

    async def start(moment: datetime) -> tuple[Any, Kindred]:
        traveller = stack.enter_context(time_machine.travel(moment, tick=True))
        runner = Kindred(emulator, tmp_path / "kindred.db")
        await runner.start()
        runners.append(runner)
        return traveller, runner

    try:
        yield start
    finally:
        for runner in runners:
            await runner.stop()
        stack.close()


async def command(emu: DiscordEmulator, user, where, name: str, **options):
    return await (await emu.run_command(user, where, name, options=options)).response()


def posts(emu: DiscordEmulator, channel) -> list[Message]:
    return [m for m in emu.bot_messages(channel) if any("kindred:mood:" in c for c in m.custom_ids)]


async def wait_post(emu: DiscordEmulator, channel) -> Message:
    return await emu.wait_for_message(
        channel, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids), since=0
    )


async def create(emu: DiscordEmulator, world: World, **options):
    options.setdefault("channel", world.general)
    return await command(emu, world.mod, world.general, "checkin create", **options)


async def run_at(traveller, kindred: Kindred, moment: datetime) -> None:
    traveller.move_to(moment)
    await kindred.settle()


async def retries(kindred: Kindred, checkin_id: int) -> list[TimerRow]:
    """The check-in's stored retries (one per run Discord refused for a moment)."""
    return [
        t
        for t in await kindred.services.scheduler.timers.all()
        if t.kind == RETRY and t.payload["checkin_id"] == checkin_id
    ]


def labels(components: list) -> list[str]:
    """The labels of a message's (or an answer's) buttons, in order."""
    return [c.get("label", "") for row in components for c in row.get("components", [])]


# -- channel check-ins ----------------------------------------------------------------------------
async def test_daily_checkin_follows_local_time_across_dst_and_pause_resume(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    created = await create(
        emulator, world, schedule="daily 09:00", tz="Europe/London", title="Morning"
    )
    assert created.ephemeral
    assert "Check-in created" in created.text
    assert "It is **check-in #1**" in created.text.split("\n")[0]  # the number up front
    # five runs, as Discord timestamps and as the wall clock in the zone the moderator chose
    assert created.text.count("<t:") == 5
    assert "Sat 28 Mar 2026, 09:00 GMT" in created.text
    assert "Sun 29 Mar 2026, 09:00 BST" in created.text
    saturday = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert f"<t:{int(saturday.timestamp())}:F>" in created.text

    await run_at(traveller, kindred, datetime(2026, 3, 28, 8, 59, tzinfo=UTC))
    assert posts(emulator, world.general) == []
    await run_at(traveller, kindred, datetime(2026, 3, 28, 9, 0, 5, tzinfo=UTC))
    first = await wait_post(emulator, world.general)
    assert first.embeds[0]["title"] == "Morning"
    assert [c for c in first.custom_ids if c.startswith("kindred:mood:")] == [
        f"kindred:mood:1:{level}" for level in range(1, 6)
    ]
    # after the clocks go forward, 09:00 London is 08:00 UTC
    timer = await kindred.services.scheduler.get("checkin:1")
    assert timer.due_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    await run_at(traveller, kindred, datetime(2026, 3, 29, 8, 0, 5, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 2
    stored = await kindred.services.checkins.repo.posts(1)
    assert [p["scheduled_for"] for p in stored] == [
        "2026-03-28T09:00:00+00:00",
        "2026-03-29T08:00:00+00:00",
    ]
    assert all(p["message_id"] for p in stored)

    paused = await command(emulator, world.mod, world.general, "checkin pause", checkin=1)
    assert "paused" in paused.text
    await run_at(traveller, kindred, datetime(2026, 3, 30, 8, 0, 5, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 2
    resumed = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "Check-in resumed" in resumed.text
    assert "Tue 31 Mar 2026, 09:00 BST" in resumed.text
    await run_at(traveller, kindred, datetime(2026, 3, 31, 8, 0, 5, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 3


async def test_restart_while_a_run_is_due_posts_exactly_once(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="weekdays 09:00", tz="UTC")
    await kindred.stop()
    traveller.move_to(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))  # due while the bot was down
    await kindred.start()
    await kindred.settle()
    await kindred.settle()
    await wait_post(emulator, world.general)
    await kindred.restart()
    await kindred.settle()
    assert len(posts(emulator, world.general)) == 1
    assert len(await kindred.services.checkins.repo.posts(1)) == 1
    timer = await kindred.services.scheduler.get("checkin:1")
    assert timer.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_mood_buttons_record_anonymously_and_lowest_mood_offers_support(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import setup_peers  # it imports this module

    await create(emulator, world, schedule="daily 09:00", tz="UTC", summary=True, thread=True)
    await setup_peers(emulator, world)  # a peer is offered where peers are set up
    ran = await (
        await emulator.run_command(
            world.mod, world.general, "checkin run-now", options={"checkin": 1}
        )
    ).followups()
    assert "Posted" in ran[0].text
    post = await wait_post(emulator, world.general)
    assert len(posts(emulator, world.general)) == 1  # run-now posts once
    assert [t for t in world.guild.threads if t.parent_id == world.general.id]

    okay = await (await emulator.press_button(world.member, post, "kindred:mood:1:3")).response()
    assert okay.ephemeral and "anonymously" in okay.text
    assert "kindred:talk:" + str(world.guild.id) in str(okay.components)
    again = await (await emulator.press_button(world.member, post, "kindred:mood:1:4")).response()
    assert again.ephemeral
    low = await (await emulator.press_button(world.member2, post, "kindred:mood:1:1")).response()
    assert low.ephemeral
    assert "findahelpline" in low.text and "In immediate danger" in low.text
    assert "No peer is on duty" not in low.text  # a mood, not a support request
    assert "kindred:talk:" in str(low.components)

    rows = await kindred.services.db.fetchall(
        "SELECT mood, COUNT(*) AS n FROM checkin_moods GROUP BY mood ORDER BY mood"
    )
    assert [(r["mood"], r["n"]) for r in rows] == [(1, 1), (4, 1)]  # a changed vote counts once
    voters = await kindred.services.db.fetchall("SELECT voter FROM checkin_moods")
    assert all(str(world.member.id) not in r["voter"] for r in voters)

    # buttons survive a restart
    await kindred.restart()
    after = await (await emulator.press_button(world.peer, post, "kindred:mood:1:5")).response()
    assert "anonymously" in after.text


async def test_summary_of_earlier_moods_in_the_next_post(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="UTC", summary=True)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    first = await wait_post(emulator, world.general)
    await (await emulator.press_button(world.member, first, "kindred:mood:1:2")).response()
    await (await emulator.press_button(world.member2, first, "kindred:mood:1:5")).response()
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    second = posts(emulator, world.general)[-1]
    summary = second.embeds[0]["fields"][0]["value"]
    assert "Low: 1" in summary and "Great: 1" in summary and "Okay: 0" in summary


async def test_a_twice_weekly_checkins_summary_counts_the_previous_posts_answers(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """With `summary:true` a post counts the answers to the previous post, however far back
    the schedule's previous run was: on a `mon,thu 09:00` check-in Thursday's post counts
    Monday's answers (it used to count only the day before and said "No answers last time",
    something false about the community)."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # a Monday
    made = await create(emulator, world, schedule="mon,thu 09:00", tz="UTC", summary=True)
    assert "Tap" not in made.text  # created (the reply lists the runs)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    monday = await wait_post(emulator, world.general)
    await (await emulator.press_button(world.member, monday, "kindred:mood:1:2")).response()
    await (await emulator.press_button(world.member2, monday, "kindred:mood:1:4")).response()
    await run_at(traveller, kindred, datetime(2026, 11, 26, 9, 0, 5, tzinfo=UTC))  # Thursday
    await emulator.wait_until(lambda: len(posts(emulator, world.general)) == 2, what="Thursday")
    thursday = posts(emulator, world.general)[-1]
    summary = thursday.embeds[0]["fields"][0]
    assert "Low: 1" in summary["value"] and "Good: 1" in summary["value"], summary
    assert summary["name"] == "Moods over the last 3 days (anonymous counts)", summary


async def test_a_daily_summary_after_the_clocks_go_back_counts_yesterdays_post(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """The day the clocks go back, yesterday's 09:00 was 25 hours before today's: the summary
    still counts its answers (it counts back to the schedule's previous run, not 24 hours)."""
    traveller, kindred = await start_at(datetime(2026, 10, 24, 7, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="Europe/London", summary=True)
    await run_at(traveller, kindred, datetime(2026, 10, 24, 8, 0, 5, tzinfo=UTC))  # 09:00 BST
    saturday = await wait_post(emulator, world.general)
    await (await emulator.press_button(world.member, saturday, "kindred:mood:1:3")).response()
    await run_at(traveller, kindred, datetime(2026, 10, 25, 9, 0, 5, tzinfo=UTC))  # 09:00 GMT
    await emulator.wait_until(lambda: len(posts(emulator, world.general)) == 2, what="Sunday")
    summary = posts(emulator, world.general)[-1].embeds[0]["fields"][0]
    assert summary["name"] == "Yesterday's moods (anonymous counts)", summary
    assert "Okay: 1" in summary["value"], summary


async def test_preview_list_edit_delete_and_autocomplete(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await create(emulator, world, schedule="mon,wed,fri 18:30", tz="America/New_York", title="Eve")
    preview = await command(emulator, world.mod, world.general, "checkin preview", checkin=1)
    assert preview.text.count("<t:") == 5 and "18:30 EST" in preview.text
    choices = await emulator.autocomplete(
        world.mod, world.general, "checkin preview", focused="checkin", value="eve"
    )
    assert choices[0]["value"] == 1 and "Eve" in choices[0]["name"]
    assert not await emulator.autocomplete(
        world.member, world.general, "checkin preview", focused="checkin", value=""
    )
    zones = await emulator.autocomplete(
        world.mod, world.general, "checkin create", focused="tz", value="europe/lon"
    )
    assert zones[0]["value"] == "Europe/London"
    edited = await command(
        emulator, world.mod, world.general, "checkin edit", checkin=1, schedule="daily 07:15"
    )
    assert "Every day at 07:15" in edited.text
    listed = await command(emulator, world.mod, world.general, "checkin list")
    assert "**#1** Eve" in listed.text and "daily 07:15" in listed.text
    gone = await command(emulator, world.mod, world.general, "checkin delete", checkin=1)
    assert "deleted" in gone.text
    assert await kindred.services.scheduler.get("checkin:1") is None
    missing = await command(emulator, world.mod, world.general, "checkin preview", checkin=1)
    assert "no check-in #1" in missing.text


async def test_checkin_list_shows_every_checkin_however_long_their_titles(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Titles a moderator wrote (up to 100 characters): the list was cut at 2,000 characters,
    mid-title, and the later check-ins were left out without a word. Every one is listed now,
    over several private messages."""
    titles = [f"#{n:02d} " + "Evening wind-down for the whole community " * 3 for n in range(14)]
    titles = [title[:100].strip() for title in titles]
    for title in titles:
        await kindred.services.checkins.create(
            guild_id=world.guild.id, channel_id=world.general.id, schedule="daily 21:00",
            tz="Europe/London", prompt=None, title=title, use_thread=False, show_summary=False,
            actor_id=world.mod.id,
        )  # fmt: skip
    listed = await emulator.run_command(world.mod, world.general, "checkin list")
    answers = await every_answer(emulator, listed, titles)
    assert len(answers) > 1 and all(a.ephemeral and len(a.text) <= 2000 for a in answers)


async def test_bad_input_is_refused_with_what_is_allowed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    unreadable = await create(emulator, world, schedule="whenever", tz="UTC")
    assert unreadable.ephemeral and "couldn't read" in unreadable.text and "Try" in unreadable.text
    zone = await create(emulator, world, schedule="daily 09:00", tz="Europe/Londn")
    assert "isn't a time zone" in zone.text and "Europe/London" in zone.text
    often = await create(emulator, world, schedule="*/20 * * * *", tz="UTC")
    assert "more often than this server allows" in often.text and "1 hour" in often.text
    hourly = await create(emulator, world, schedule="hourly", tz="UTC")
    assert hourly.text  # hourly is exactly the default minimum: allowed
    set_min = await command(
        emulator, world.mod, world.general, "checkin settings min-interval", minutes=120
    )
    assert "120 minutes" in set_min.text
    too_often = await create(emulator, world, schedule="every 1 hours at :30", tz="UTC")
    assert "more often than this server allows" in too_often.text
    long_prompt = await create(emulator, world, schedule="daily 09:00", tz="UTC", prompt="x" * 1001)
    assert "at most 1000 characters" in long_prompt.text
    refused = await command(emulator, world.member, world.general, "checkin list")
    assert "for moderators" in refused.text
    assert await kindred.services.checkins.repo.count_for_guild(world.guild.id) == 1


async def test_the_schedules_a_refusal_suggests_are_themselves_accepted(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "every 1 minute" suggested `cron: */30 * * * *`, which the server's minimum of an hour
    refuses: every schedule a refusal suggests must create a check-in."""
    refused = await create(emulator, world, schedule="every 1 minute", tz="UTC")
    assert refused.ephemeral and "not by the minute" in refused.text, refused.text
    assert "*/30" not in refused.text, refused.text
    suggested = re.findall(r"`([^`]+)`", refused.text)
    assert "every 3 hours" in suggested and len(suggested) == 7, suggested
    for schedule in suggested:
        answer = await create(emulator, world, schedule=schedule, tz="UTC")
        assert answer.text.startswith("Check-in created."), (schedule, answer.text)


async def test_deleted_channel_pauses_and_tells_moderators_then_resume_after_fixing(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    room = emulator.create_channel(world.guild, "checkins")
    await emulator.gateway_idle(5)
    await create(emulator, world, channel=room, schedule="daily 09:00", tz="UTC")
    emulator.delete_channel(room)
    await emulator.gateway_idle(5)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.mod)  # no moderator channel set: the creator hears
    told = await emulator.wait_for_message(dm, predicate=lambda m: "is paused" in m.text, since=0)
    assert "View Channel, Send Messages, Embed Links" in told.text
    row = await kindred.services.checkins.repo.get(1)
    assert row.paused and "gone" in row.pause_reason
    assert await kindred.services.scheduler.get("checkin:1") is None
    assert await kindred.services.checkins.repo.posts(1) == []
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    assert len([m for m in emulator.bot_messages(dm) if "is paused" in m.text]) == 1

    still = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "can't post" in still.text
    moved = await command(
        emulator, world.mod, world.general, "checkin edit", checkin=1, channel=world.general
    )
    assert "paused" in moved.text
    resumed = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "Check-in resumed" in resumed.text
    await run_at(traveller, kindred, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 1


async def test_lost_permission_names_it_in_the_moderator_channel(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await kindred.services.settings.update(
        world.guild.id, PeerSettings, None, mod_channel_id=world.mods.id
    )
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(world.general, bot_role, deny=int(P.EMBED_LINKS))
    await emulator.gateway_idle(5)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "is paused" in m.text, since=0
    )
    assert "missing Embed Links" in told.text
    assert posts(emulator, world.general) == []
    assert (await kindred.services.checkins.repo.get(1)).paused


async def test_forbidden_answer_on_send_pauses_without_retrying_forever(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=403, times=None
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    emulator.clear_faults()
    assert fault.hits >= 1
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.mod), predicate=lambda m: "is paused" in m.text, since=0
    )
    assert "View Channel, Send Messages, Embed Links" in told.text
    assert (await kindred.services.checkins.repo.get(1)).paused
    assert await kindred.services.scheduler.get("checkin:1") is None
    assert await kindred.services.checkins.repo.posts(1) == []  # the slot is free again
    hits = fault.hits
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    assert fault.hits == hits and posts(emulator, world.general) == []
    resumed = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "Check-in resumed" in resumed.text
    await run_at(traveller, kindred, datetime(2026, 11, 25, 9, 0, 5, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 1


async def test_resume_of_a_thread_checkin_without_thread_permission_posts_without_a_thread(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A thread is extra: without Create Public Threads the post still goes out (docs), so
    resume resumes and says kindly that posts go out without a thread until it is given."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="UTC", thread=True)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(world.general, bot_role, deny=int(P.CREATE_PUBLIC_THREADS))
    await emulator.gateway_idle(5)
    await command(emulator, world.mod, world.general, "checkin pause", checkin=1)
    resumed = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert resumed.ephemeral and "Check-in resumed" in resumed.text, resumed.text
    assert "without a thread until I have Create Public Threads" in resumed.text, resumed.text
    assert not (await kindred.services.checkins.repo.get(1)).paused
    assert await kindred.services.scheduler.get("checkin:1") is not None
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    await wait_post(emulator, world.general)
    assert not (await kindred.services.checkins.repo.get(1)).paused


async def test_resume_still_names_a_missing_permission_a_post_needs(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await create(emulator, world, schedule="daily 09:00", tz="UTC", thread=True)
    await command(emulator, world.mod, world.general, "checkin pause", checkin=1)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(
        world.general, bot_role, deny=int(P.EMBED_LINKS) | int(P.CREATE_PUBLIC_THREADS)
    )
    await emulator.gateway_idle(5)
    still = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "can't post" in still.text and "Embed Links" in still.text, still.text
    assert "Create Public Threads" not in still.text, still.text
    assert (await kindred.services.checkins.repo.get(1)).paused


async def test_a_checkin_created_in_a_channel_kindred_cannot_post_in_is_warned_at_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The set-up check's findings for the chosen channel come with "Check-in created." (the
    check-in stays), in the moderator's language; a channel that works gets no warning."""
    quiet = emulator.create_channel(world.guild, "quiet-room")
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(quiet, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES))
    await emulator.gateway_idle()
    answer = await create(emulator, world, channel=quiet, schedule="daily 09:00", tz="UTC")
    assert answer.ephemeral and answer.text.startswith("Check-in created. It is **check-in #1**")
    assert "`run-now`.\n⚠️ Heads up: " in answer.text, answer.text
    assert (
        f"In <#{quiet.id}> (check-in #1 “Check-in”) Kindred lacks Send Messages and Embed Links."
        in (answer.text)
    ), answer.text
    assert "**Fix:**" in answer.text and "allow Send Messages" in answer.text, answer.text
    assert (await kindred.services.checkins.repo.get(1)).channel_id == quiet.id
    fine = await create(emulator, world, schedule="daily 10:00", tz="UTC")
    assert "⚠️" not in fine.text and "lacks" not in fine.text, fine.text
    # moved into the quiet channel by /checkin edit: the same warning
    moved = await command(
        emulator, world.mod, world.general, "checkin edit", checkin=2, channel=quiet
    )
    assert moved.text.startswith("Check-in updated.") and "`run-now`.\n⚠️ " in moved.text, moved.text
    assert "Kindred lacks Send Messages" in moved.text, moved.text
    await command(emulator, world.mod, world.general, "language set", language="es")
    spanish = await create(emulator, world, channel=quiet, schedule="daily 11:00", tz="UTC")
    assert spanish.text.startswith("Check-in creado.") and "`run-now`.\n⚠️ " in spanish.text, (
        spanish.text
    )
    assert "Kindred can't" not in spanish.text and "**Fix:**" not in spanish.text, spanish.text


async def test_run_now_on_a_server_error_says_it_will_retry_and_does_not_pause(
    emulator: DiscordEmulator, world: World, start_at: Start, quick_discord_backoff: None
) -> None:
    """A 5xx is Discord having a moment: nothing is paused, no moderator is told, the run is
    tried again shortly, and the moderator is told exactly that."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await kindred.services.settings.update(
        world.guild.id, PeerSettings, None, mod_channel_id=world.mods.id
    )
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=500, times=None
    )
    ran = await emulator.run_command(
        world.mod, world.general, "checkin run-now", options={"checkin": 1}
    )
    answer = (await ran.followups(1, timeout=90))[-1]
    emulator.clear_faults()
    assert fault.hits == 5, fault.hits  # discord.py's own five tries, then Kindred's answer
    assert answer.ephemeral and "paused" not in answer.text, answer.text
    assert "Discord had a problem" in answer.text and "try again" in answer.text, answer.text
    row = await kindred.services.checkins.repo.get(1)
    assert not row.paused and row.pause_reason is None
    assert await kindred.services.scheduler.get("checkin:1") is not None  # schedule kept
    assert len(await retries(kindred, 1)) == 1
    assert [m for m in emulator.bot_messages(world.mods) if "is paused" in m.text] == []
    assert emulator.bot_messages(emulator.dm_channel(world.mod)) == []
    await run_at(traveller, kindred, datetime(2026, 11, 23, 8, 2, 30, tzinfo=UTC))
    post = await wait_post(emulator, world.general)  # the retry it promised
    (stored,) = await kindred.services.checkins.repo.posts(1)
    assert stored["message_id"] == post.id


async def test_a_scheduled_run_and_a_run_now_both_refused_by_a_server_error_each_post_once(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Each refused run waits for its own retry: a run-now failing while the 09:00 run waits
    for its retry does not replace it, and once Discord answers again both are posted, once."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    # 503: discord.py raises DiscordServerError at once, the error it raises after retrying a
    # 500 for ~25 s (that path is covered by the run-now test above); Kindred sees the same
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=503, times=None
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    assert fault.hits >= 1 and posts(emulator, world.general) == []
    assert len(await retries(kindred, 1)) == 1  # the 09:00 run waits for its retry
    ran = await emulator.run_command(
        world.mod, world.general, "checkin run-now", options={"checkin": 1}
    )
    answer = (await ran.followups(1, timeout=90))[-1]
    assert "Discord had a problem" in answer.text and "try again" in answer.text, answer.text
    pending = await retries(kindred, 1)
    assert len(pending) == 2  # the run-now's retry did not replace the 09:00 run's
    emulator.clear_faults()
    last = max(t.due_at for t in pending)
    await run_at(traveller, kindred, last + timedelta(seconds=5))
    both = await emulator.wait_for_messages(
        2, world.general, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids),
        since=0,
    )  # fmt: skip
    stored = await kindred.services.checkins.repo.posts(1)
    assert sorted(p["message_id"] for p in stored) == sorted(m.id for m in both)
    assert stored[0]["scheduled_for"].startswith("2026-11-23T09:00:00")  # the scheduled run
    assert await retries(kindred, 1) == []
    await run_at(traveller, kindred, last + timedelta(minutes=3))
    assert len(posts(emulator, world.general)) == 2  # neither posted twice
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    await emulator.wait_for_messages(
        3, world.general, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids),
        since=0,
    )  # fmt: skip
    assert len(posts(emulator, world.general)) == 3  # and the schedule went on


async def test_a_scheduled_post_discord_keeps_failing_is_told_to_the_moderators(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Discord answers a scheduled check-in's post with 503 every time: Kindred tries again
    each minute within the misfire grace time, and at the last try tells the moderator
    channel once (naming the check-in and its channel, and that the schedule carries on);
    the check-in is not paused and its next run is posted as usual (from probe 12)."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await kindred.services.settings.update(
        world.guild.id, PeerSettings, None, mod_channel_id=world.mods.id
    )
    await create(emulator, world, schedule="daily 09:00", tz="UTC", title="Morning")
    emulator.inject_fault("POST", f"/channels/{world.general.id}/messages", status=503, times=None)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    for minute in range(1, 16):  # well past the five-minute grace
        await run_at(traveller, kindred, datetime(2026, 11, 23, 9, minute, 30, tzinfo=UTC))
    await emulator.gateway_idle()
    assert await kindred.quiet()
    told = [
        m.text
        for m in [
            *emulator.bot_messages(world.mods),
            *emulator.bot_messages(emulator.dm_channel(world.mod)),
        ]
        if "Morning" in m.text or "#1" in m.text
    ]
    assert len(told) == 1, told
    (text,) = told
    assert "Morning" in text and f"<#{world.general.id}>" in text, text
    assert "Discord" in text and "carries on" in text, text
    assert "paused" not in text, text
    assert not (await kindred.services.checkins.repo.get(1)).paused
    assert await retries(kindred, 1) == []
    assert await kindred.services.checkins.repo.posts(1) == []  # the slot is free again
    emulator.clear_faults()
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    await wait_post(emulator, world.general)  # the schedule carried on
    assert len(posts(emulator, world.general)) == 1
    assert len([m for m in emulator.bot_messages(world.mods) if "Morning" in m.text]) == 1


async def test_a_failed_post_whose_retry_comes_too_late_is_told_not_posted_late(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Discord failed the 09:00 post and Kindred was stopped until its grace time was long
    over: the retry does not post it late; the moderators are told once, as at a last try,
    and a later refusal (403) still pauses the check-in as before."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await kindred.services.settings.update(
        world.guild.id, PeerSettings, None, mod_channel_id=world.mods.id
    )
    await create(emulator, world, schedule="daily 09:00", tz="UTC", title="Morning")
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=503, times=None
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    assert fault.hits >= 1 and len(await retries(kindred, 1)) == 1
    await kindred.stop()
    emulator.clear_faults()
    traveller.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    await kindred.start()
    await kindred.settle()
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Morning" in m.text, since=0
    )
    assert "Discord kept failing" in told.text and "carries on" in told.text, told.text
    assert await kindred.quiet()
    assert posts(emulator, world.general) == []  # not posted an hour late
    assert await retries(kindred, 1) == []
    assert not (await kindred.services.checkins.repo.get(1)).paused
    refused = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=403, times=None
    )
    await run_at(traveller, kindred, datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(world.mods, predicate=lambda m: "is paused" in m.text, since=0)
    assert refused.hits >= 1 and (await kindred.services.checkins.repo.get(1)).paused
    assert len([m for m in emulator.bot_messages(world.mods) if "Morning" in m.text]) == 2


async def test_run_now_when_the_channel_lookup_fails_says_so_and_does_not_pause(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    assert kindred.bot is not None
    guild = kindred.bot.get_guild(world.guild.id)
    assert guild is not None
    # Not in discord.py's cache (as for a channel it has not seen), so it asks Discord.
    guild._remove_channel(guild.get_channel(world.general.id))
    # 503: the DiscordServerError discord.py raises after retrying a 500 for ~25 s, at once
    emulator.inject_fault("GET", f"/channels/{world.general.id}", status=503, times=None)
    ran = await emulator.run_command(
        world.mod, world.general, "checkin run-now", options={"checkin": 1}
    )
    answer = (await ran.followups(1, timeout=90))[-1]
    emulator.clear_faults()
    assert "paused" not in answer.text, answer.text
    assert "Discord didn't answer" in answer.text and "nothing was posted" in answer.text
    assert not (await kindred.services.checkins.repo.get(1)).paused
    assert await kindred.services.scheduler.get("checkin:1") is not None
    assert await kindred.services.checkins.repo.posts(1) == []  # the slot is free again
    assert emulator.bot_messages(emulator.dm_channel(world.mod)) == []


# -- personal check-ins ---------------------------------------------------------------------------
async def test_personal_checkin_dm_quiet_hours_history_and_share(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    from tests.e2e.test_support import setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)  # a peer is offered where peers are set up
    set_ = await command(
        emulator,
        world.member,
        world.general,
        "checkin me every",
        schedule="daily 07:00,20:00",
        tz="Europe/Paris",
        quiet_hours="22:00-08:00",
    )
    assert set_.ephemeral and "Quiet hours 22:00–08:00" in set_.text
    dm = emulator.dm_channel(world.member)
    # 20:00 Paris = 19:00 UTC
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    first = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    assert first.custom_ids[:5] == [f"kindred:pmood:{level}" for level in range(1, 6)]
    # 07:00 Paris falls in quiet hours: it arrives when they end, at 08:00 Paris (07:00 UTC)
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    await run_at(traveller, kindred, datetime(2026, 11, 24, 6, 1, tzinfo=UTC))
    assert len(emulator.bot_messages(dm)) == 1
    await run_at(traveller, kindred, datetime(2026, 11, 24, 7, 0, 5, tzinfo=UTC))
    assert len([m for m in emulator.bot_messages(dm) if m.custom_ids]) == 2

    low = await (await emulator.press_button(world.member, first, "kindred:pmood:1")).response()
    assert "findahelpline" in low.text and "kindred:talk:" in str(low.components)
    await (await emulator.press_button(world.member, first, "kindred:pmood:4")).response()
    history = await command(emulator, world.member, world.general, "checkin me history")
    assert history.ephemeral and "▁█" not in history.text and "▁▆" in history.text

    shared = await command(
        emulator, world.member, world.general, "checkin me share", peer=world.peer
    )
    assert "may now see" in shared.text
    assert await kindred.services.checkins.shared_history(world.member.id, world.peer.id)
    await command(emulator, world.member, world.general, "checkin me share")
    status = await command(emulator, world.member, world.general, "checkin me status")
    assert "Shared with: nobody" in status.text

    await command(emulator, world.member, world.general, "checkin me pause")
    assert await kindred.services.scheduler.get("pcheckin:1") is None
    await command(emulator, world.member, world.general, "checkin me stop")
    gone = await command(emulator, world.member, world.general, "checkin me status")
    assert "no personal check-in" in gone.text


async def test_a_trend_of_more_answers_than_one_block_each_draws_all_30_days_a_block_a_day(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """An hourly check-in answered for three days (72 answers) said "Your last 30 days" but
    drew only the latest 60 answers, two and a half days. Over 60 answers the trend is a block
    a day, each day of the member's check-in zone at its average mood (rounded half up), and
    says so; the peer it is shared with sees the same."""
    _, kindred = await start_at(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every",
        schedule="daily 07:00", tz="Europe/Paris",
    )  # fmt: skip
    repo = kindred.services.checkins.repo
    first = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 00:30 on the 23rd in Paris
    moods = [1] * 24 + [5] * 24 + [2, 3] * 12  # the 23rd low, the 24th high, the 25th 2.5
    for hour, mood in enumerate(moods):
        await repo.add_personal_mood(world.member.id, mood, first + timedelta(hours=hour))
    history = await command(emulator, world.member, world.general, "checkin me history")
    assert history.ephemeral and "a block a day at its average mood" in history.text
    assert "`▁█▄`" in history.text, history.text  # in UTC the days would split otherwise
    assert "Struggling: 24 · Low: 12 · Okay: 12 · Good: 0 · Great: 24" in history.text
    await command(emulator, world.member, world.general, "checkin me share", peer=world.peer)
    shared = await command(
        emulator, world.peer, world.general, "checkin shared", member=world.member
    )
    assert "a block a day" in shared.text and "`▁█▄`" in shared.text, shared.text


async def test_a_double_tap_on_a_personal_mood_is_one_answer_and_the_next_dm_another(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """One answer per check-in DM and mood: the same mood pressed twice on one DM (a double
    tap) is stored once, and both presses are answered kindly; the next day's DM is a new
    check-in, so the same mood there is a new answer."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    dm = emulator.dm_channel(world.member)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    check = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    first = await emulator.press_button(world.member, check, "kindred:pmood:1")
    second = await emulator.press_button(world.member, check, "kindred:pmood:1")
    for press in (first, second):
        reply = await press.response()
        assert reply.ephemeral and "findahelpline" in reply.text, reply.text

    async def moods() -> list[int]:
        rows = await kindred.services.db.fetchall("SELECT mood FROM personal_moods")
        return [int(r["mood"]) for r in rows]

    assert await moods() == [1], "one check-in, one tap meant"

    await run_at(traveller, kindred, datetime(2026, 11, 24, 20, 0, 5, tzinfo=UTC))
    checks = [m for m in emulator.bot_messages(dm) if "kindred:pmood:1" in m.custom_ids]
    assert len(checks) == 2
    again = await emulator.press_button(world.member, checks[1], "kindred:pmood:1")
    assert "findahelpline" in (await again.response()).text
    assert await moods() == [1, 1]


async def test_a_mood_shared_with_a_peer_is_not_answered_only_you_see_it(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """While a member shares their trend with a peer (`/checkin me share peer:@pat`), the
    check-in DM and the answer to a mood say who else sees it ("Only you and @pat, who you
    share your trend with, see it"), never "Only you see", which would promise a privacy the
    member gave up by consent, maybe weeks ago and forgotten."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    await command(emulator, world.member, world.general, "checkin me share", peer=world.peer)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    checkin = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    noted = await (await emulator.press_button(world.member, checkin, "kindred:pmood:2")).response()
    seen = await command(emulator, world.peer, world.general, "checkin shared", member=world.member)
    assert "▂" in seen.text or "`" in seen.text, seen.text  # the peer does see the answer
    assert "Only you see" not in noted.text, noted.text
    assert "Only you see" not in checkin.text, checkin.text
    peer = f"<@{world.peer.id}>"
    assert f"Only you and {peer}, who you share your trend with, see it" in noted.text, noted.text
    assert f"Only you and {peer}, who you share your trend with, see this" in checkin.text
    again = await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    assert "yours alone" not in again.text and peer in again.text, again.text
    # in the member's language too; and "only you" again once they stop sharing
    await command(emulator, world.member, world.general, "language set", language="es")
    es = await (await emulator.press_button(world.member, checkin, "kindred:pmood:3")).response()
    assert peer in es.text and "Noted" not in es.text, es.text
    await command(emulator, world.member, world.general, "checkin me share")
    alone = await (await emulator.press_button(world.member, checkin, "kindred:pmood:4")).response()
    assert peer not in alone.text, alone.text


@pytest.mark.parametrize(
    ("zone", "now", "schedule", "quiet", "expected"),
    [
        # 13:00 local, so the next run is the evening one.
        # Sydney, 4 Oct 2026: 02:00 AEST → 03:00 AEDT; quiet hours end at 02:30 (skipped)
        ("Australia/Sydney", datetime(2026, 10, 3, 3, 0, tzinfo=UTC), "daily 12:00, 22:00",
         "21:00-02:30", datetime(2026, 10, 3, 16, 0, tzinfo=UTC)),  # 03:00 AEDT
        # Santiago, 6 Sep 2026: 00:00 -04 → 01:00 -03; quiet hours end at 00:30 (skipped)
        ("America/Santiago", datetime(2026, 9, 5, 17, 0, tzinfo=UTC), "daily 12:00, 23:30",
         "23:00-00:30", datetime(2026, 9, 6, 4, 0, tzinfo=UTC)),  # 01:00 -03
    ],
)  # fmt: skip
async def test_a_checkin_held_by_quiet_hours_ending_in_the_skipped_hour_comes_at_the_jump(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,
    zone: str,
    now: datetime,
    schedule: str,
    quiet: str,
    expected: datetime,
) -> None:
    """A time the clocks skip happens at the first moment after the jump (schedules.md): quiet
    hours ending then release the check-in at the jump, not an hour later."""
    _traveller, kindred = await start_at(now)
    answer = await command(
        emulator, world.member, world.general, "checkin me every",
        schedule=schedule, tz=zone, quiet_hours=quiet,
    )  # fmt: skip
    assert answer.ephemeral and "Quiet hours" in answer.text, answer.text
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == expected, (timer.due_at, expected)


async def test_personal_checkin_dm_is_in_the_language_the_member_chose(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    from tests.e2e.test_support import setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)  # a peer is offered where peers are set up
    chosen = await command(emulator, world.member, world.general, "language set", language="es")
    # "/language set: Choose the language of crisis and check-in messages Kindred sends you"
    assert "es" in chosen.text
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    check = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    english = set(check.text.lower().split()) & {"how", "are", "you", "today", "your", "the"}
    assert not english, check.text
    assert check.text.startswith("Es hora de ver cómo estás."), check.text
    assert "\n> ¿" in check.text  # the built-in prompt, in Spanish too
    assert labels(check.components) == ["Me cuesta", "Bajo de ánimo", "Regular", "Bien", "Genial"]
    assert check.custom_ids[:5] == [f"kindred:pmood:{level}" for level in range(1, 6)]

    low = await (await emulator.press_button(world.member, check, "kindred:pmood:1")).response()
    assert low.ephemeral and low.text.startswith("Anotado: «Me cuesta»."), low.text
    assert "No tienes que cargarlo a solas" in low.text
    assert "¿En peligro inmediato?" in low.text and "findahelpline" in low.text
    assert "Hablar con un compañero" in labels(low.components)
    assert "kindred:talk:" in str(low.components)
    okay = await (await emulator.press_button(world.member, check, "kindred:pmood:2")).response()
    assert okay.text.startswith("Anotado: «Bajo de ánimo».") and "a un botón" in okay.text


async def test_a_mood_press_on_a_channel_post_is_answered_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import setup_peers  # it imports this module

    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    await setup_peers(emulator, world)  # a peer is offered where peers are set up
    await (
        await emulator.run_command(
            world.mod, world.general, "checkin run-now", options={"checkin": 1}
        )
    ).followups()
    post = await wait_post(emulator, world.general)
    await command(emulator, world.member, world.general, "language set", language="fr")
    low = await (await emulator.press_button(world.member, post, "kindred:mood:1:1")).response()
    assert low.ephemeral and low.text.startswith("Merci. « En difficulté » est compté anonymement")
    assert "En danger immédiat ?" in low.text and "findahelpline" in low.text
    assert "Parler à quelqu'un d'ici" in labels(low.components)
    # the post itself is public: it stays as the server has it
    assert "Struggling" in labels(post.components)


async def test_a_low_mood_in_a_server_without_peer_support_offers_no_peer_button(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A personal check-in set up in a server whose peer support is not set up offered
    **Talk to a peer** for "Struggling" and "Low": its form could only be refused after the
    member wrote. No button and no peer promised there, but what is: someone they trust,
    the crisis lines, `/selfhelp`. A channel check-in's post answers the same way."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    sent = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:1" in m.custom_ids, since=0
    )
    low = await (await emulator.press_button(world.member, sent, "kindred:pmood:1")).response()
    assert low.ephemeral and "findahelpline" in low.text, low.text
    assert not any(c.startswith("kindred:talk:") for c in low.message.custom_ids)
    assert "someone you trust can listen" in low.text, low.text
    assert "a peer" not in low.text and "button" not in low.text, low.text
    meh = await (await emulator.press_button(world.member, sent, "kindred:pmood:2")).response()
    assert not any(c.startswith("kindred:talk:") for c in meh.message.custom_ids)
    assert "`/selfhelp`" in meh.text and "a peer" not in meh.text, meh.text

    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    await (
        await emulator.run_command(
            world.mod, world.general, "checkin run-now", options={"checkin": 1}
        )
    ).followups()
    post = await wait_post(emulator, world.general)
    hard = await (await emulator.press_button(world.member2, post, "kindred:mood:1:1")).response()
    assert hard.ephemeral and "findahelpline" in hard.text, hard.text
    assert not any(c.startswith("kindred:talk:") for c in hard.message.custom_ids)
    assert "someone you trust can listen" in hard.text, hard.text


async def test_personal_checkin_with_closed_dms_pauses_and_tells_the_member_privately(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A personal check-in whose DM is refused (closed DMs) pauses; the member learns it
    privately, in the answer to their next `/checkin me` command (paused, why, and how to
    resume), and nothing is said in the channel where they set it."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.support, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    emulator.user_dms_open(world.member, False)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert row.paused
    await run_at(traveller, kindred, datetime(2026, 11, 24, 20, 0, 5, tzinfo=UTC))
    assert [m.text for m in emulator.bot_messages(world.support) if not m.ephemeral] == []
    told = await command(emulator, world.member, world.general, "checkin me history")
    assert told.ephemeral and "your DMs are closed to me" in told.text, told.text
    assert "`/checkin me resume`" in told.text, told.text
    status = await command(emulator, world.member, world.general, "checkin me status")
    assert "paused (your DMs are closed to me)" in status.text, status.text
    emulator.user_dms_open(world.member, True)
    resumed = await command(emulator, world.member, world.support, "checkin me resume")
    assert "Resumed" in resumed.text
    await run_at(traveller, kindred, datetime(2026, 11, 25, 20, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(emulator.dm_channel(world.member), since=0)
    after = await command(emulator, world.member, world.general, "checkin me history")
    assert "closed" not in after.text, after.text


async def test_closed_dms_do_not_announce_a_members_private_checkin_in_a_public_channel(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """When a personal check-in DM is refused (closed DMs), nothing that names the private
    check-in is posted where others can read it (it used to say in the channel where the
    member ran `/checkin me every`: "@alice I couldn't DM you your check-in … so I paused
    it"), as the member guide promises: "Everything it says to you about your own wellbeing is
    private (only you see it)"."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    emulator.user_dms_open(world.member, False)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    assert (await kindred.services.checkins.repo.personal_for(world.member.id)).paused
    public = [m.text for m in emulator.bot_messages(world.general) if not m.ephemeral]
    assert not [t for t in public if "check-in" in t.lower()], public


async def test_a_personal_checkin_refused_for_a_moment_by_discord_still_reaches_the_member(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A DM Discord refuses with a 5xx is sent again shortly (like a channel post), once."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    # 503: discord.py raises DiscordServerError at once (after a 500 it retries, then raises)
    emulator.inject_fault("POST", "/channels/{channel_id}/messages", status=503, times=1)
    at = datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC)
    await run_at(traveller, kindred, at)
    dm = emulator.dm_channel(world.member)
    for minutes in (2, 5, 10, 20, 30):
        await run_at(traveller, kindred, at + timedelta(minutes=minutes))
    delivered = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    assert delivered.custom_ids[:5] == [f"kindred:pmood:{level}" for level in range(1, 6)]
    assert len([m for m in emulator.bot_messages(dm) if m.custom_ids]) == 1
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert not row.paused  # a moment's failure is not closed DMs
    pending = [t.key for t in await kindred.services.scheduler.timers.all()]
    assert [k for k in pending if k.startswith("pcheckin:")] == ["pcheckin:1"], pending
    tomorrow = await kindred.services.scheduler.get("pcheckin:1")  # the retry is done
    assert tomorrow.due_at == datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


async def test_personal_bad_input(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    quiet = await command(
        emulator,
        world.member,
        world.general,
        "checkin me every",
        schedule="daily 23:00",
        tz="UTC",
        quiet_hours="22:00-08:00",
    )
    assert "inside your quiet hours" in quiet.text
    bad = await command(
        emulator,
        world.member,
        world.general,
        "checkin me every",
        schedule="daily 20:00",
        tz="UTC",
        quiet_hours="late",
    )
    assert "22:00-08:00" in bad.text
    none = await command(emulator, world.member, world.general, "checkin me pause")
    assert "no personal check-in" in none.text


async def test_a_prompt_with_spoiler_tags_stays_one_prompt(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Only a lone `|` separates prompts: Discord's spoiler markup `||…||` (which Kindred
    itself asks communities to use for heavy topics) stays inside its prompt, which is stored
    and posted as written (it used to be torn into two prompts that rotated day by day)."""
    prompt = "What was hard this week? ||It's okay if the answer is everything.||"
    made = await command(
        emulator, world.mod, world.general, "checkin create",
        channel=world.general, schedule="daily 09:00", tz="UTC", prompt=prompt,
    )  # fmt: skip
    assert "09:00" in made.text, made.text
    (row,) = await kindred.services.checkins.for_guild(world.guild.id)
    assert list(row.prompts) == [prompt], row.prompts
    await command(emulator, world.mod, world.general, "checkin run-now", checkin=row.id)
    post = await wait_post(emulator, world.general)
    assert post.embeds[0]["description"] == prompt, post.embeds
    two = f"{prompt} | How did you rest?"
    await command(emulator, world.mod, world.general, "checkin edit", checkin=row.id, prompt=two)
    (row,) = await kindred.services.checkins.for_guild(world.guild.id)
    assert list(row.prompts) == [prompt, "How did you rest?"], row.prompts


async def test_a_prompt_and_title_of_only_invisible_characters_fall_back_to_the_built_in_ones(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A prompt or title of only zero-width characters is no prompt and no title, as text of
    only invisible characters is elsewhere (group guidelines, anonymous posts): the built-in
    prompts rotate and the title is "Check-in"; posts never go out blank (from probe 12)."""
    invisible = "\u200b"
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    created = await create(
        emulator, world, schedule="daily 09:00", tz="UTC", prompt=invisible,
        title=invisible * 2,
    )  # fmt: skip
    assert created.ephemeral
    (row,) = await kindred.services.checkins.for_guild(world.guild.id)
    assert list(row.prompts) == [] and row.title == "Check-in", row
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    post = await wait_post(emulator, world.general)
    embed = post.embeds[0]
    assert embed.get("title", "").replace(invisible, "").strip(), embed
    assert embed.get("description", "").replace(invisible, "").strip(), embed
    assert "Check-in" in embed["title"], embed


async def test_peer_sees_a_shared_trend_only_with_consent(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await kindred.services.checkins.personal_mood(world.member.id, 2)
    await kindred.services.checkins.personal_mood(world.member.id, 4)
    refused = await command(
        emulator, world.peer, world.general, "checkin shared", member=world.member
    )
    assert refused.ephemeral and "has not chosen to share" in refused.text
    await command(
        emulator,
        world.member,
        world.general,
        "checkin me every",
        schedule="daily 20:00",
        tz="UTC",
    )
    await command(emulator, world.member, world.general, "checkin me share", peer=world.peer)
    shown = await command(
        emulator, world.peer, world.general, "checkin shared", member=world.member
    )
    assert "shared with you by their choice" in shown.text and "▂▆" in shown.text
    other = await command(
        emulator, world.peer2, world.general, "checkin shared", member=world.member
    )
    assert "has not chosen to share" in other.text


async def test_a_shared_mood_trend_is_not_shown_to_someone_no_longer_in_a_server_with_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/checkin shared` shows a member's mood trend to the peer they chose only while the two
    still share a server with Kindred: after that peer left (or was removed from) every server
    they shared, the reading is refused kindly, as for goals and the wellness plan, the other
    things shared by consent, and no trend is shown."""
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 09:00", tz="UTC"
    )
    await kindred.services.checkins.personal_mood(world.member.id, 1, 4242)
    await command(emulator, world.member, world.general, "checkin me share", peer=world.peer)
    emulator.remove_member(world.guild, world.peer)  # removed from the only server they shared
    dm = emulator.dm_channel(world.peer)
    asked = await emulator.run_command(world.peer, dm, "checkin shared", {"member": world.member})
    read = await asked.answer()
    assert "no longer share a server" in read.text, read.text
    assert "▁" not in read.text and "`" not in read.text, read.text
    # the share is the member's: it stays until they take it back
    assert await kindred.services.checkins.sharing_with(world.member.id) == world.peer.id


async def test_a_mood_trend_is_not_shared_with_someone_who_shares_no_server_with_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/checkin me share` took anyone Discord could name: someone in no server with the member
    (a stranger, or the owner of another server where the member is not), who could then never
    see the trend (`/checkin shared` refuses them). Now it is refused kindly at share time, in
    the member's language, and nothing changes (a share already chosen stays); someone the
    member does share a server with is still accepted, from a DM too (Kindred's servers
    asked)."""
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 09:00", tz="UTC"
    )
    await kindred.services.checkins.personal_mood(world.member.id, 4, 4243)
    stranger = emulator.create_user("stranger")
    elsewhere = emulator.create_guild("Elsewhere")
    owner = emulator.user(elsewhere.owner_id)
    await emulator.gateway_idle()
    for other in (stranger, owner):
        asked = await emulator.run_command(
            world.member, world.general, "checkin me share", options={"peer": other}
        )
        refused = await asked.answer()
        assert refused.ephemeral and refused.text == (
            f"You don't share a server with <@{other.id}> where Kindred is, so they couldn't see "
            "your check-in trend. Nothing changed: choose someone from your community."
        ), refused.text
    assert await kindred.services.checkins.sharing_with(world.member.id) is None
    bot_peer = await command(
        emulator, world.member, world.general, "checkin me share", peer=emulator.bot_user
    )
    assert "not yourself or a bot" in bot_peer.text

    dm = emulator.dm_channel(world.member)
    accepted = await (
        await emulator.run_command(world.member, dm, "checkin me share", {"peer": world.peer})
    ).answer()
    assert f"<@{world.peer.id}>" in accepted.text and "may now see" in accepted.text
    assert await kindred.services.checkins.sharing_with(world.member.id) == world.peer.id

    await portuguese(emulator, world)
    refused = await pt_answer(
        emulator, world.member, world.general, "checkin me share", peer=stranger
    )
    assert refused.ephemeral and f"<@{stranger.id}>" in refused.text, refused.text
    assert "Kindred" in refused.text and "where Kindred is" not in refused.text, refused.text
    # the share the member chose stays
    assert await kindred.services.checkins.sharing_with(world.member.id) == world.peer.id
    shown = await command(
        emulator, world.peer, world.general, "checkin shared", member=world.member
    )
    assert "shared with you by their choice" in shown.text, shown.text


async def test_a_rate_limit_storm_at_post_time_delays_the_check_in_but_never_loses_or_doubles_it(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await create(emulator, world, schedule="daily 09:00", tz="UTC")
    storm = emulator.inject_fault("*", "*", status=429, times=None)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC))
    assert storm.hits >= 1 and posts(emulator, world.general) == []
    assert len(await retries(kindred, 1)) == 1
    emulator.clear_faults()
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 1, 10, tzinfo=UTC))
    post = await wait_post(emulator, world.general)
    (row,) = await kindred.services.checkins.repo.posts(1)
    assert row["message_id"] == post.id  # the 09:00 run, posted once, late
    await run_at(traveller, kindred, datetime(2026, 11, 23, 9, 3, 0, tzinfo=UTC))
    assert len(posts(emulator, world.general)) == 1


async def test_personal_checkin_without_tz_uses_the_members_own_zone_or_asks(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """``tz`` may be left out once the member set their zone (``/timezone set``); before
    that Kindred asks for it instead of guessing, and nothing is stored."""
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    asked = await command(
        emulator, world.member, world.support, "checkin me every", schedule="daily 20:00"
    )
    assert asked.ephemeral and "/timezone set" in asked.text, asked.text
    assert await kindred.services.checkins.repo.personal_for(world.member.id) is None
    await command(emulator, world.member, world.support, "timezone set", zone="Asia/Tokyo")
    done = await command(
        emulator, world.member, world.support, "checkin me every", schedule="daily 20:00"
    )
    assert "Asia/Tokyo" in done.text, done.text
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert row is not None and row.tz == "Asia/Tokyo"
    # 20:00 in Tokyo is 11:00 UTC: the check-in arrives then, not at 20:00 UTC
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    assert emulator.bot_messages(emulator.dm_channel(world.member)) == []
    await run_at(traveller, kindred, datetime(2026, 11, 24, 11, 0, 5, tzinfo=UTC))
    await emulator.wait_for_message(emulator.dm_channel(world.member), since=0)


async def test_checkin_me_replies_are_in_the_language_the_member_chose(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "language set", language="es")
    me = "checkin me "
    every = await command(
        emulator, world.member, world.general, me + "every",
        schedule="daily 20:00", tz="UTC", quiet_hours="22:00-08:00",
    )  # fmt: skip
    assert every.ephemeral and every.text.startswith(
        "Tu check-in está listo: `daily 20:00` (UTC). Horas de silencio 22:00–08:00."
    ), every.text
    assert "<t:" in every.text and "`/checkin me pause`, `stop` o `history`" in every.text
    status = await command(emulator, world.member, world.general, me + "status")
    assert status.text.startswith("Tu check-in: `daily 20:00` (UTC), activo."), status.text
    assert "Compartido con: nadie." in status.text and "Próximas:" in status.text
    paused = await command(emulator, world.member, world.general, me + "pause")
    assert paused.text == "En pausa. `/checkin me resume` lo vuelve a activar."
    status = await command(emulator, world.member, world.general, me + "status")
    assert "en pausa (pausado por ti)" in status.text, status.text
    resumed = await command(emulator, world.member, world.general, me + "resume")
    assert resumed.text.startswith("Reanudado. Próximas:\n• <t:"), resumed.text
    empty = await command(emulator, world.member, world.general, me + "history")
    assert empty.text == "Aún no hay respuestas en los últimos 30 días."

    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    check = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    await (await emulator.press_button(world.member, check, "kindred:pmood:4")).response()
    history = await command(emulator, world.member, world.general, me + "history")
    assert history.text.startswith(
        "Tus últimos 30 días, de más antiguo a más reciente (▁ Me cuesta … █ Genial):"
    ), history.text
    assert "Bien: 1" in history.text and "Good" not in history.text

    shared = await command(emulator, world.member, world.general, me + "share", peer=world.peer)
    assert shared.text.startswith(f"<@{world.peer.id}> ahora puede ver la tendencia"), shared.text
    unshared = await command(emulator, world.member, world.general, me + "share")
    assert unshared.text == "No compartes tus check-ins con nadie."
    stopped = await command(emulator, world.member, world.general, me + "stop")
    assert stopped.text.startswith("Detenido. Tus respuestas anteriores siguen visibles")


async def test_checkin_me_replies_follow_the_discord_app_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    every = await (
        await emulator.run_command(
            world.member, world.general, "checkin me every",
            options={"schedule": "daily 20:00", "tz": "UTC"}, locale="de",
        )
    ).response()  # fmt: skip
    assert every.ephemeral and every.text.startswith("Dein Check-in steht: `daily 20:00` (UTC).")
    assert "Ich schreibe dir per Direktnachricht" in every.text, every.text
    paused = await (
        await emulator.run_command(world.member, world.general, "checkin me pause", locale="de")
    ).response()
    assert paused.text == "Pausiert. `/checkin me resume` startet ihn wieder."


async def test_a_spanish_member_reads_a_bad_time_zone_in_spanish_an_english_one_in_english(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "language set", language="es")
    bad = await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00",
        tz="Mars/Olympus",
    )  # fmt: skip
    assert bad.ephemeral
    assert bad.text.startswith("«Mars/Olympus» no es un huso horario que conozca."), bad.text
    assert "`Europe/London`" in bad.text and "time zone" not in bad.text
    english = await command(
        emulator, world.member2, world.general, "checkin me every", schedule="daily 20:00",
        tz="Mars/Olympus",
    )  # fmt: skip
    assert english.text == (
        "“Mars/Olympus” isn't a time zone I know. Use an IANA zone name such as "
        "`Europe/London`, `America/New_York` or `Asia/Kolkata` (or `UTC`), so daylight saving "
        "time is handled for you."
    )
    assert await kindred.services.checkins.repo.personal_for(world.member.id) is None


async def test_a_spanish_member_reads_a_malformed_schedule_in_spanish_an_english_one_in_english(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """The sentence, why the schedule couldn't be read and why its time couldn't (nested)."""
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "language set", language="es")
    bad = await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 25:00",
        tz="UTC",
    )  # fmt: skip
    assert bad.ephemeral
    assert bad.text == (
        "No pude leer «daily 25:00» como un horario: «25:00» no es una hora válida: las horas "
        "van de 00 a 23. Prueba `daily 20:00`, `weekdays 9am`, `mon,wed,fri 18:30`, "
        "`daily 09:00, 21:00`, `every 2 weeks on sunday 17:00`, `every 3 hours` o "
        "`cron: 0 9 * * 1-5`."
    ), bad.text
    english = await command(
        emulator, world.member2, world.general, "checkin me every", schedule="daily 25:00",
        tz="UTC",
    )  # fmt: skip
    assert english.text == (
        "I couldn't read “daily 25:00” as a schedule: “25:00” isn't a valid time: hours go "
        "from 00 to 23. Try `daily 20:00`, `weekdays 9am`, `mon,wed,fri 18:30`, "
        "`daily 09:00, 21:00`, `every 2 weeks on sunday 17:00`, `every 3 hours` or "
        "`cron: 0 9 * * 1-5`."
    ), english.text
    assert await kindred.services.checkins.repo.personal_for(world.member.id) is None


async def test_a_portuguese_moderator_configures_a_channel_checkin_in_portuguese(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """The moderator's answers follow their Discord app (pt-BR); the same commands from an
    English app read exactly as before. The post in the channel stays as it was."""
    await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))

    async def run(name: str, locale: str, **options):
        return await (
            await emulator.run_command(
                world.mod, world.general, name, options=options, locale=locale
            )
        ).response()

    created = await run(
        "checkin create", "pt-BR", channel=world.general, schedule="daily 09:00", tz="UTC",
        title="Manhã", thread=True,
    )  # fmt: skip
    assert created.ephemeral
    lines = created.text.split("\n")
    assert lines[0] == (
        "Check-in criado. É o **check-in #1**: use `1` com `/checkin edit`, `pause`, `resume`, "
        "`delete` ou `run-now`."
    ), created.text
    assert lines[1].startswith(f"**#1 Manhã** em <#{world.general.id}>: "), created.text
    assert lines[1].endswith("(UTC), com as perguntas embutidas, um tópico para respostas."), (
        created.text
    )
    assert lines[2] == "Próximas execuções:" and created.text.count("<t:") == 5
    paused = await run("checkin pause", "pt-BR", checkin=1)
    assert paused.text == "O check-in #1 está pausado. `/checkin resume` o retoma."
    interval = await run("checkin settings min-interval", "pt-BR", minutes=120)
    assert interval.text == (
        "Os check-ins daqui agora podem rodar no máximo uma vez a cada 120 minutos."
    )
    deleted = await run("checkin delete", "pt-BR", checkin=1)
    assert deleted.text == "Check-in #1 excluído."
    empty = await run("checkin list", "pt-BR")
    assert empty.text == "Ainda não há check-ins. `/checkin create` adiciona um."

    # an English moderator's app: word for word as before
    created = await run(
        "checkin create", "en-US", channel=world.general, schedule="daily 09:00", tz="UTC",
        title="Morning", thread=True,
    )  # fmt: skip
    lines = created.text.split("\n")
    assert lines[0] == (
        "Check-in created. It is **check-in #2**: use `2` with `/checkin edit`, `pause`, "
        "`resume`, `delete` or `run-now`."
    ), created.text
    assert lines[1].startswith(f"**#2 Morning** in <#{world.general.id}>: "), created.text
    assert lines[1].endswith("(UTC), with the built-in prompts, a thread for replies.")
    assert lines[2] == "Next runs:"
    paused = await run("checkin pause", "en-US", checkin=2)
    assert paused.text == "Check-in #2 is paused. `/checkin resume` restarts it."
    interval = await run("checkin settings min-interval", "en-US", minutes=90)
    assert interval.text == "Check-ins here may now run at most once every 90 minutes."
    deleted = await run("checkin delete", "en-US", checkin=2)
    assert deleted.text == "Check-in #2 deleted."
    empty = await run("checkin list", "en-US")
    assert empty.text == "No check-ins yet. `/checkin create` adds one."


async def test_checkin_list_reads_whole_in_the_moderators_language(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """For a Spanish-speaking moderator ``/checkin list`` read "**#1** Check-in in <#…>:
    `daily 09:00` Europe/Madrid · próximo …": "in" was English in the middle of a Spanish
    line (probe 17), while ``/checkin create`` says "**#1 Check-in** en <#…>". Now the whole
    line is in their language; the title, schedule and zone stay as written. English as
    before, word for word."""

    async def answer(locale: str, name: str, **options: Any):
        run = await emulator.run_command(
            world.mod, world.general, name, options=options, locale=locale
        )
        return await run.answer()

    await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    created = await answer(
        "es-ES", "checkin create", channel=world.general.id, schedule="daily 09:00",
        tz="Europe/Madrid",
    )  # fmt: skip
    assert "Check-in creado" in created.text, created.text
    listed = await answer("es-ES", "checkin list")
    assert "próximo" in listed.text, listed.text
    assert f" en <#{world.general.id}>" in listed.text, listed.text
    assert f" in <#{world.general.id}>" not in listed.text, listed.text
    assert listed.text.startswith(
        f"**#1** Check-in en <#{world.general.id}>: `daily 09:00` Europe/Madrid · próximo <t:"
    ), listed.text
    await answer("es-ES", "checkin pause", checkin=1)
    paused = await answer("fr", "checkin list")
    assert paused.text.startswith(f"**#1** Check-in dans <#{world.general.id}> : "), paused.text
    english = await answer("en-US", "checkin list")
    assert english.text.startswith(
        f"**#1** Check-in in <#{world.general.id}>: `daily 09:00` Europe/Madrid · paused ("
    ), english.text


async def test_a_french_moderator_reads_the_checkin_schedule_in_french_an_english_one_in_english(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The schedule inside a moderator's private /checkin answers (create, preview, edit,
    resume) is described in their language; the channel's posts stay English. An English
    moderator reads exactly what they read before."""
    await command(emulator, world.mod, world.general, "language set", language="fr")
    created = await create(emulator, world, schedule="mon,wed,fri 18:30", tz="UTC", title="Soir")
    line = created.text.split("\n")[1]
    assert line.startswith(f"**#1 Soir** dans <#{world.general.id}>"), created.text
    assert "Chaque semaine : lundi, mercredi et vendredi à 18:30 (UTC)" in line, line
    preview = await command(emulator, world.mod, world.general, "checkin preview", checkin=1)
    assert preview.text.split("\n")[1] == line
    edited = await command(
        emulator, world.mod, world.general, "checkin edit", checkin=1, schedule="daily 07:15"
    )
    assert "Tous les jours à 07:15 (UTC)" in edited.text.split("\n")[1], edited.text
    await command(emulator, world.mod, world.general, "checkin pause", checkin=1)
    resumed = await command(emulator, world.mod, world.general, "checkin resume", checkin=1)
    assert "Tous les jours à 07:15 (UTC)" in resumed.text.split("\n")[1], resumed.text
    assert "Every day" not in edited.text + resumed.text + preview.text

    # an English moderator: word for word
    await command(emulator, world.mod, world.general, "language clear")
    preview = await command(emulator, world.mod, world.general, "checkin preview", checkin=1)
    assert preview.text.split("\n")[1] == (
        f"**#1 Soir** in <#{world.general.id}>: Every day at 07:15 (UTC), with the built-in "
        "prompts."
    ), preview.text
    edited = await command(
        emulator, world.mod, world.general, "checkin edit", checkin=1, schedule="mon,wed,fri 18:30"
    )
    assert edited.text.split("\n")[1] == (
        f"**#1 Soir** in <#{world.general.id}>: Mondays, Wednesdays and Fridays at 18:30 (UTC), "
        "with the built-in prompts."
    ), edited.text


def _subcommand(emulator: DiscordEmulator, *path: str) -> dict:
    """A synced subcommand's payload: ``_subcommand(emu, "checkin", "me", "history")``."""
    node = next(c for c in emulator.global_commands.values() if c.name == path[0]).to_payload()
    for name in path[1:]:
        node = next(o for o in node["options"] if o["name"] == name)
    return node


async def test_the_trend_commands_do_not_say_only_you_see_it_as_a_trend_can_be_shared(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member can share their mood trend with a peer (`/checkin me share`), so `/checkin me
    history` and `/checkin shared` don't say "only you see it"; in every language too."""
    history = _subcommand(emulator, "checkin", "me", "history")
    assert history["description"] == (
        "Your own mood trend over the last 30 days (private unless you share it with a peer)."
    )
    shared = _subcommand(emulator, "checkin", "shared")
    assert shared["description"] == (
        "See the mood trend a member chose to share with you (shown privately to you)."
    )
    for node in (history, shared):
        localized = node["description_localizations"]
        assert {"es-ES", "es-419", "fr", "de", "pt-BR"} <= set(localized), node
        for text in [node["description"], *localized.values()]:
            assert "only you see it" not in text and 0 < len(text) <= 100, text


# -- a Portuguese-speaking member (Discord app in pt-BR, `/language set pt`) ------------------
PT = "pt-BR"
ENGLISH_DATE = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)


async def portuguese(emu: DiscordEmulator, world: World, user=None) -> None:
    """The member chooses Portuguese for good (their Discord app is in pt-BR too)."""
    chosen = await emu.run_command(
        user or world.member, world.general, "language set", options={"language": "pt"}, locale=PT
    )
    assert "`pt`" in (await chosen.answer()).text


async def pt_answer(emu: DiscordEmulator, user, where, name: str, **options):
    return await (await emu.run_command(user, where, name, options=options, locale=PT)).answer()


async def test_checkin_me_replies_show_next_runs_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/checkin me every`, `status` and `resume` list the next runs with the weekday and
    month in the member's language ("qua., 2 de dez. de 2026 20:00 UTC"), as `/group meeting
    list` does, never English names ("Wed 02 Dec 2026") inside a Portuguese reply."""
    await portuguese(emulator, world)
    replies = [
        await pt_answer(
            emulator,
            world.member,
            world.general,
            "checkin me every",
            schedule="daily 20:00",
            tz="UTC",
        ),
        await pt_answer(emulator, world.member, world.general, "checkin me status"),
        await pt_answer(emulator, world.member, world.general, "checkin me pause"),
        await pt_answer(emulator, world.member, world.general, "checkin me resume"),
    ]
    assert replies[0].text.startswith("Seu check-in está pronto"), replies[0].text
    english = [r.text for r in replies if ENGLISH_DATE.search(r.text)]
    assert not english, english
    assert re.search(r"\b(seg|ter|qua|qui|sex|sáb|dom)\., \d{1,2} de ", replies[1].text), replies[1]
    # English readers keep the dates as they were
    again = await command(emulator, world.member2, world.general, "checkin me every",
                          schedule="daily 20:00", tz="UTC")  # fmt: skip
    assert re.search(r"— (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d \w{3} \d{4}, 20:00 UTC", again.text)


async def test_checkin_me_status_names_quiet_hours_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/checkin me status` says "Quiet hours: 22:00–07:00", the label once (not "Quiet hours:
    quiet hours 22:00–07:00"), in every language."""
    await command(emulator, world.member, world.general, "checkin me every",
                  schedule="daily 20:00", tz="UTC", quiet_hours="22:00-07:00")  # fmt: skip
    status = await command(emulator, world.member, world.general, "checkin me status")
    assert "Quiet hours: 22:00–07:00." in status.text, status.text
    assert "quiet hours 22" not in status.text.lower(), status.text
    await portuguese(emulator, world)
    status = await pt_answer(emulator, world.member, world.general, "checkin me status")
    assert "22:00–07:00" in status.text and "quiet hours" not in status.text.lower(), status.text


async def test_a_member_who_left_the_server_is_not_offered_its_peers_from_a_check_in(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A member set their personal check-in up in Haven, then left it (the only server they
    shared with Kindred). Tapping *Struggling* gives the crisis and support lines but no
    **Talk to a peer** for Haven: its peers couldn't reach someone no longer in the server,
    and no request is queued there."""
    from tests.e2e.test_support import go_on_duty, setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00", tz="UTC"
    )
    emulator.remove_member(world.guild, world.member)
    await kindred.quiet()
    dm = emulator.dm_channel(world.member)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC))
    check = await emulator.wait_for_message(dm, predicate=lambda m: bool(m.custom_ids), since=0)
    reply = await (await emulator.press_button(world.member, check, "kindred:pmood:1")).response()
    assert reply.ephemeral and "findahelpline" in reply.text, reply.text
    talk = f"kindred:talk:{world.guild.id}:en"
    if talk in reply.message.custom_ids:
        opened = await emulator.press_button(world.member, reply.message, talk)
        form = await opened.response()
        if form.is_modal:
            fields = {"topic": "bad night", "summary": "", "tags": "", "anonymous": "no"}
            await (await opened.submit_modal(fields)).response()
    await kindred.quiet()
    queued = await kindred.services.peers.requests.live_for(world.guild.id, world.member.id)
    assert queued is None, (
        f"request #{queued.id} was queued in Haven for a member who left it; its peers were "
        "sent a card they can't act on"
    )
    assert talk not in reply.message.custom_ids, "the reply offers the peers of a server left"


async def test_a_personal_checkin_set_without_tz_follows_the_members_new_time_zone(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Outside probe 20: a member in Paris sets `/timezone set Europe/Paris`, then `/checkin me
    every daily 20:00` without `tz` ("the zone you set with /timezone set"), and a goal's
    nudges without `tz` too. They move to New York and run `/timezone set America/New_York`:
    the check-in and the nudges come at 20:00 and 09:00 New York time (they kept Paris time
    before), and the /timezone reply says so. A goal given its own `tz:` keeps it."""
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "timezone set", zone="Europe/Paris")
    set_ = await command(
        emulator, world.member, world.general, "checkin me every", schedule="daily 20:00"
    )
    assert "Europe/Paris" in set_.text, set_.text
    await command(
        emulator, world.member, world.general, "goal set", text="walk", schedule="daily 09:00"
    )
    await command(
        emulator,
        world.member,
        world.general,
        "goal set",
        text="call my sister",
        schedule="daily 10:00",
        tz="Asia/Tokyo",
    )
    moved = await command(
        emulator, world.member, world.general, "timezone set", zone="America/New_York"
    )
    scheduler = kindred.services.scheduler
    timer = await scheduler.get("pcheckin:1")
    follows = timer.due_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 20:00 New York
    told = "check-in" in moved.text.lower() or "checkin" in moved.text.lower()
    assert follows or told, (timer.due_at, moved.text)
    # both: it moves, and the member is told what moved
    assert follows and told, (timer.due_at, moved.text)
    assert moved.ephemeral and (
        "Your personal check-in and your goals' nudges now come at their times in "
        "**America/New_York**." in moved.text
    ), moved.text
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert row is not None and row.tz == "America/New_York" and row.tz_follows
    walk = await scheduler.get("goal:1")
    assert walk.due_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 New York
    tokyo = await scheduler.get("goal:2")
    assert tokyo.due_at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 Tokyo, kept
    goals = {g.text: g for g in await kindred.services.selfhelp.goals.mine(world.member.id)}
    assert goals["walk"].tz == "America/New_York"
    assert goals["call my sister"].tz == "Asia/Tokyo"
    # the same zone again moves nothing and says nothing more
    again = await command(
        emulator, world.member, world.general, "timezone set", zone="America/New_York"
    )
    assert "check-in" not in again.text.lower(), again.text


async def test_timezone_set_never_says_nudges_come_from_a_paused_checkin_or_a_finished_goal(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """A paused personal check-in moves with the member's zone (for when they resume it) but
    sends nothing, and a finished goal never nudges: `/timezone set` said "Your personal
    check-in and your goals' nudges now come at their times in …" for them. It names only
    what will come."""
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(emulator, world.member, world.general, "timezone set", zone="Europe/Paris")
    await command(emulator, world.member, world.general, "checkin me every", schedule="daily 20:00")
    await command(
        emulator, world.member, world.general, "goal set", text="walk", schedule="daily 09:00"
    )
    await command(emulator, world.member, world.general, "goal done", goal=1)
    await command(emulator, world.member, world.general, "checkin me pause")
    moved = await command(
        emulator, world.member, world.general, "timezone set", zone="America/New_York"
    )
    assert moved.ephemeral and "America/New_York" in moved.text, moved.text
    assert "now come" not in moved.text, moved.text
    assert "check-in" not in moved.text.lower() and "nudges" not in moved.text, moved.text
    row = await kindred.services.checkins.repo.personal_for(world.member.id)
    assert row is not None and row.paused and row.tz == "America/New_York"  # for a resume
    assert await kindred.services.scheduler.get("pcheckin:1") is None  # paused: nothing comes
    walk = (await kindred.services.selfhelp.goals.mine(world.member.id))[0]
    assert walk.status == "done" and walk.tz == "Europe/Paris"


async def test_a_personal_checkin_given_its_own_tz_stays_in_it_when_the_member_moves(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """`tz:` given is the member's choice for that check-in: `/timezone set` leaves it (and
    its reply names nothing that didn't move)."""
    _, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await command(
        emulator,
        world.member,
        world.general,
        "checkin me every",
        schedule="daily 20:00",
        tz="Europe/Paris",
    )
    moved = await command(
        emulator, world.member, world.general, "timezone set", zone="America/New_York"
    )
    assert "check-in" not in moved.text.lower(), moved.text
    timer = await kindred.services.scheduler.get("pcheckin:1")
    assert timer.due_at == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # 20:00 Paris


async def test_a_spanish_member_reads_what_followed_their_new_zone_in_spanish(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))

    async def es(name: str, **options: Any):
        run = await emulator.run_command(
            world.member, world.general, name, options=options, locale="es-ES"
        )
        return await run.response()

    await es("timezone set", zone="Europe/Madrid")
    await es("checkin me every", schedule="daily 20:00")
    moved = await es("timezone set", zone="America/Mexico_City")
    assert "Tu check-in personal" in moved.text, moved.text


async def test_struggling_on_a_checkin_set_up_by_dm_offers_a_way_to_a_peer(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Outside probe 20: a member sets their personal check-in up in their DMs with Kindred
    and shares one server with Kindred, where peers are on duty. Tapping "Struggling" offers
    Talk to a peer for that server (as a need asked for by DM does); it said "a peer can
    listen" with no button and no way to reach one."""
    from tests.e2e.test_support import go_on_duty, setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    dm = emulator.dm_channel(world.member)
    await command(
        emulator, world.member, dm, "checkin me every", schedule="daily 20:00", tz="Europe/Paris"
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    sent = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:1" in m.custom_ids, since=0
    )
    low = await (await emulator.press_button(world.member, sent, "kindred:pmood:1")).response()
    assert "findahelpline" in low.text, low.text
    offers_peer = any("kindred:talk:" in str(row) for row in low.components)
    assert offers_peer or "/support" in low.text, (low.text, low.components)
    # the one shared server has peers: its button, and no "/support" detour
    assert f"kindred:talk:{world.guild.id}:en" in low.message.custom_ids, low.components
    assert "a peer can listen, and you choose" in low.text, low.text


async def test_struggling_on_a_dm_checkin_is_answered_while_discord_rate_limits_the_lookup(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """The shared-server look-up behind "Struggling" on a check-in set up by DM asked Discord
    about each server in turn before answering; a rate limit (or many servers) outlasted
    the 3 seconds Discord gives an interaction, and the member read "interaction failed".
    The look-up is bounded: the answer comes in time, without a button it couldn't check,
    saying how to ask a peer."""
    from tests.e2e.test_support import go_on_duty, setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    dm = emulator.dm_channel(world.member)
    await command(
        emulator, world.member, dm, "checkin me every", schedule="daily 20:00", tz="Europe/Paris"
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    sent = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:1" in m.custom_ids, since=0
    )
    emulator.inject_fault(
        "GET", "/guilds/{guild_id}/members/{user_id}", status=429, retry_after=30, times=None
    )
    low = await (await emulator.press_button(world.member, sent, "kindred:pmood:1")).response()
    assert "findahelpline" in low.text, low.text
    assert not any(c.startswith("kindred:talk:") for c in low.message.custom_ids)
    assert "run `/support` in your server" in low.text, low.text
    emulator.clear_faults()


async def test_struggling_on_a_dm_checkin_without_one_server_to_offer_says_how_to_ask(
    emulator: DiscordEmulator, world: World, start_at: Start
) -> None:
    """Set up by DM, with no single server whose peer support is set up (here none is; then
    two shared servers): no promise of a button that isn't there, but how to ask a peer
    (`/support` in their server), for the lowest mood and a low one alike."""
    from tests.e2e.test_support import go_on_duty, setup_peers  # it imports this module

    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    dm = emulator.dm_channel(world.member)
    await command(
        emulator, world.member, dm, "checkin me every", schedule="daily 20:00", tz="Europe/Paris"
    )
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    sent = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:1" in m.custom_ids, since=0
    )
    low = await (await emulator.press_button(world.member, sent, "kindred:pmood:1")).response()
    assert "findahelpline" in low.text, low.text
    assert not any(c.startswith("kindred:talk:") for c in low.message.custom_ids)
    assert "run `/support` in your server" in low.text, low.text
    assert "button" not in low.text, low.text
    meh = await (await emulator.press_button(world.member, sent, "kindred:pmood:2")).response()
    assert not any(c.startswith("kindred:talk:") for c in meh.message.custom_ids)
    assert "run `/support` in your server to ask a peer" in meh.text, meh.text
    # peers set up in Haven, but the member shares a second server with Kindred: which
    # community they mean is theirs to say
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    elsewhere = emulator.create_guild("Elsewhere")
    emulator.add_member(elsewhere, world.member)
    await emulator.gateway_idle()
    again = await (await emulator.press_button(world.member, sent, "kindred:pmood:1")).response()
    assert not any(c.startswith("kindred:talk:") for c in again.message.custom_ids)
    assert "run `/support` in your server" in again.text, again.text
