"""Goals, wellness plans and reading the library, through the services (no Discord)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.services import Services
from bot.services.selfhelp import NUDGE, NUDGE_RETRY, Matches, Reading, export_text
from bot.services.selfhelp.goals import MAX_DONE_KEPT, MAX_OPEN
from bot.services.selfhelp.reader import MATCHES_SHOWN
from bot.services.settings import CoreSettings

GUILD, MEMBER, PEER, OTHER, MOD = 10, 100, 200, 300, 9


# -- goals ------------------------------------------------------------------------------------
async def test_a_goal_without_a_zone_follows_the_server_then_the_personal_check_in(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="America/New_York")
    first = await goals.set(MEMBER, GUILD, "walk", "daily 09:00")
    assert first.goal.tz == "America/New_York" and first.goal.schedule == "daily 09:00"
    assert first.next_runs[0] == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 New York
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=None, channel_id=None, schedule="daily 20:00",
        tz="Asia/Kolkata", quiet=None,
    )  # fmt: skip
    second = await goals.set(MEMBER, GUILD, "read", "daily 09:00")
    assert second.goal.tz == "Asia/Kolkata"
    in_dms = await goals.set(OTHER, None, "rest", "daily 09:00")
    assert in_dms.goal.tz == "UTC"
    without = await goals.set(OTHER, None, "stretch")
    assert without.goal.schedule is None and without.next_runs == []
    assert await services.scheduler.get(f"goal:{without.goal.id}") is None


async def test_a_nudge_re_arms_the_next_one_and_a_late_one_is_skipped(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    made = await goals.set(MEMBER, None, "walk", "daily 13:00", "UTC")
    timer = await services.scheduler.get("goal:1")
    assert timer.kind == NUDGE and timer.payload["user_id"] == MEMBER
    clock.now = datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC)
    nudge = await goals.on_nudge(timer)
    assert nudge is not None and nudge.goal.id == made.goal.id
    following = await services.scheduler.get("goal:1")
    assert following.due_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    clock.now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # the bot was down for hours
    assert await goals.on_nudge(following) is None
    assert (await services.scheduler.get("goal:1")).due_at == datetime(
        2026, 11, 25, 13, 0, tzinfo=UTC
    )
    await goals.pause(MEMBER, 1)
    assert await goals.on_nudge(following) is None


async def test_a_nudge_discord_refused_for_a_moment_is_retried_once_within_the_grace_time(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    await goals.set(MEMBER, None, "walk", "daily 13:00", "UTC")
    await goals.set(MEMBER, None, "read", "daily 13:00", "UTC")
    clock.now = datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC)
    nudge = await goals.on_nudge(await services.scheduler.get("goal:1"))
    assert nudge is not None and nudge.due_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    await goals.nudge_retry_later(nudge)
    await goals.nudge_retry_later(nudge)  # a retry failing again replaces only itself
    key = "goal:1:retry:2026-11-23T13:00:00+00:00"
    (retry,) = [t for t in await services.scheduler.timers.all() if t.kind == NUDGE_RETRY]
    assert retry.key == key and retry.due_at == datetime(2026, 11, 23, 13, 1, 5, tzinfo=UTC)
    assert (await services.scheduler.get("goal:1")).due_at.day == 24  # the next run is stored
    clock.now = datetime(2026, 11, 23, 13, 1, 5, tzinfo=UTC)
    again = await goals.on_nudge_retry(retry)
    assert again is not None and again.goal.id == 1 and again.scheduled_for == nudge.scheduled_for
    clock.now = datetime(2026, 11, 23, 13, 5, 1, tzinfo=UTC)  # past the five minutes' grace
    assert await goals.on_nudge_retry(retry) is None
    clock.now = datetime(2026, 11, 23, 13, 1, 5, tzinfo=UTC)
    await goals.pause(MEMBER, 1)  # paused meanwhile: its retries go with its next nudge
    assert await goals.on_nudge_retry(retry) is None
    assert await services.scheduler.get(key) is None
    assert await services.scheduler.get("goal:2") is not None  # another goal's untouched


async def test_a_nudge_due_inside_quiet_hours_moves_to_their_end_when_it_fires(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    await goals.set(MEMBER, None, "stretch", "daily 07:00", "Europe/Paris")
    timer = await services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 Paris
    # quiet hours that no re-plan told the goal about (the rule holds at firing time alone)
    services.checkins.quiet_watchers.clear()
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=None, channel_id=None, schedule="daily 20:00",
        tz="Europe/Paris", quiet="22:00-08:00",
    )  # fmt: skip
    clock.now = timer.due_at
    assert await goals.on_nudge(timer) is None
    moved = await services.scheduler.get("goal:1")
    assert moved.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris
    assert moved.payload == timer.payload  # the same nudge, later
    clock.now = moved.due_at
    nudge = await goals.on_nudge(moved)
    assert nudge is not None and nudge.scheduled_for == timer.due_at
    following = await services.scheduler.get("goal:1")
    assert following.due_at == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert following.payload["scheduled_for"].startswith("2026-11-25T06:00")
    # a nudge missed by more than the grace time is skipped, quiet hours or not
    clock.now = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)  # 07:00 Paris, quiet, a day late
    assert await goals.on_nudge(following) is None
    assert (await services.scheduler.get("goal:1")).due_at == datetime(
        2026, 11, 27, 7, 0, tzinfo=UTC
    )


async def test_changing_quiet_hours_re_plans_the_pending_nudge(services: Services, clock) -> None:
    goals = services.selfhelp.goals
    await goals.set(MEMBER, None, "stretch", "daily 07:00", "Europe/Paris")

    async def due() -> datetime:
        return (await services.scheduler.get("goal:1")).due_at

    async def personal(quiet: str | None) -> None:
        await services.checkins.set_personal(
            user_id=MEMBER, guild_id=None, channel_id=None, schedule="daily 20:00",
            tz="Europe/Paris", quiet=quiet,
        )  # fmt: skip

    await personal("22:00-08:00")
    assert await due() == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 Paris
    await personal("22:00-07:30")
    assert await due() == datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    await services.checkins.stop_personal(MEMBER)
    assert await due() == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # its own time again
    await personal("22:00-08:00")
    # inside the quiet hours, after the run: lifting them sends the waiting nudge now
    clock.now = datetime(2026, 11, 24, 6, 20, tzinfo=UTC)
    await personal(None)
    timer = await services.scheduler.get("goal:1")
    assert timer.due_at == clock.now
    assert timer.payload["scheduled_for"].startswith("2026-11-24T06:00")
    assert await goals.on_nudge(timer) is not None
    assert await due() == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


async def test_quiet_hours_are_read_in_the_zone_of_the_check_in_that_set_them(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    # 22:00-08:00 in Tokyo is 13:00-23:00 UTC; the goal's 09:00 New York (14:00 UTC) is inside
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=None, channel_id=None, schedule="daily 20:00",
        tz="Asia/Tokyo", quiet="22:00-08:00",
    )  # fmt: skip
    made = await goals.set(MEMBER, None, "walk", "daily 09:00", "America/New_York")
    assert made.next_runs[0] == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    timer = await services.scheduler.get("goal:1")
    assert timer.due_at == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert timer.payload["scheduled_for"].startswith("2026-11-23T14:00")


async def test_done_goals_are_kept_up_to_a_limit_and_cannot_be_done_twice(
    services: Services, clock
) -> None:
    goals = services.selfhelp.goals
    for n in range(MAX_DONE_KEPT + 2):
        made = await goals.set(MEMBER, None, f"goal {n}")
        clock.advance(minutes=1)
        await goals.done(MEMBER, made.goal.id)
    kept = await goals.mine(MEMBER)
    assert len(kept) == MAX_DONE_KEPT and kept[0].text == f"goal {MAX_DONE_KEPT + 1}"
    with pytest.raises(ConflictError):
        await goals.done(MEMBER, kept[0].id)
    with pytest.raises(NotFoundError):
        await goals.done(OTHER, kept[0].id)


async def test_goal_text_is_tidied_and_checked(services: Services) -> None:
    goals = services.selfhelp.goals
    made = await goals.set(MEMBER, None, "  walk\n\x00 ten\u202e   minutes ")
    assert made.goal.text == "walk ten minutes"
    with pytest.raises(InvalidInputError, match="at most once a day"):
        await goals.set(MEMBER, None, "x", "daily 09:00, 21:00", "UTC")
    with pytest.raises(InvalidInputError, match="Europe/London"):
        await goals.set(MEMBER, None, "x", None, "Mars/Olympus")


async def test_sharing_goals_is_by_consent_limited_and_audited(services: Services) -> None:
    goals = services.selfhelp.goals
    await goals.set(MEMBER, None, "walk")
    with pytest.raises(PermissionDeniedError):
        await goals.shared_goals(MEMBER, PEER)
    assert await goals.share(MEMBER, PEER)
    assert not await goals.share(MEMBER, PEER)  # already shared: no second audit entry
    assert [g.text for g in await goals.shared_goals(MEMBER, PEER)] == ["walk"]
    for peer in (201, 202):
        await goals.share(MEMBER, peer)
    with pytest.raises(LimitReachedError):
        await goals.share(MEMBER, 203)
    with pytest.raises(InvalidInputError):
        await goals.share(MEMBER, MEMBER)
    await goals.unshare(MEMBER, PEER)
    with pytest.raises(NotFoundError):
        await goals.unshare(MEMBER, PEER)
    actions = await services.db.fetchall("SELECT action FROM audit_log ORDER BY id")
    assert [a["action"] for a in actions] == ["goals.share"] * 3 + ["goals.unshare"]


async def test_forgetting_goals_cancels_their_nudges(services: Services) -> None:
    goals = services.selfhelp.goals
    await goals.set(MEMBER, None, "walk", "daily 09:00", "UTC")
    await goals.forget(MEMBER)
    assert await goals.mine(MEMBER) == []
    assert await services.scheduler.get("goal:1") is None


async def test_the_same_goal_set_twice_at_once_is_stored_once(services: Services) -> None:
    goals = services.selfhelp.goals
    raced = await asyncio.gather(
        *(goals.set(MEMBER, GUILD, text) for text in ("walk", "Walk", "walk")),
        return_exceptions=True,
    )
    won = [r for r in raced if not isinstance(r, BaseException)]
    assert len(won) == 1, raced
    assert all(isinstance(r, ConflictError) for r in raced if isinstance(r, BaseException))
    # whichever spelling committed first is the one kept (on PostgreSQL any of the three may)
    assert [g.text for g in await goals.mine(MEMBER)] == [won[0].goal.text]
    assert won[0].goal.text in ("walk", "Walk")


async def test_goals_set_at_once_never_pass_the_open_goals_limit(services: Services) -> None:
    goals = services.selfhelp.goals
    for n in range(MAX_OPEN - 2):
        await goals.set(MEMBER, GUILD, f"goal {n}")
    raced = await asyncio.gather(
        *(goals.set(MEMBER, GUILD, f"more {n}") for n in range(5)), return_exceptions=True
    )
    refused = [r for r in raced if isinstance(r, BaseException)]
    assert len(refused) == 3 and all(isinstance(r, LimitReachedError) for r in refused), raced
    assert len(await goals.mine(MEMBER)) == MAX_OPEN
    done = await goals.done(MEMBER, 1)  # a finished goal frees a place
    assert done.status == "done"
    await goals.set(MEMBER, GUILD, "one more")
    assert sum(g.status != "done" for g in await goals.mine(MEMBER)) == MAX_OPEN


async def test_a_goal_says_whose_zone_its_nudges_use(services: Services) -> None:
    goals = services.selfhelp.goals
    await services.settings.update(GUILD, CoreSettings, MOD, timezone="Asia/Tokyo")
    guessed = await goals.set(MEMBER, GUILD, "walk", "daily 09:00")
    assert (guessed.goal.tz, guessed.zone_source) == ("Asia/Tokyo", "server")
    in_dms = await goals.set(MEMBER, None, "rest", "daily 09:00")
    assert (in_dms.goal.tz, in_dms.zone_source) == ("UTC", "default")
    given = await goals.set(MEMBER, GUILD, "read", "daily 09:00", "Europe/Lisbon")
    assert (given.goal.tz, given.zone_source) == ("Europe/Lisbon", "member")
    await services.zones.set(MEMBER, "America/Chicago")
    own = await goals.set(MEMBER, GUILD, "stretch", "daily 09:00")
    assert (own.goal.tz, own.zone_source) == ("America/Chicago", "member")
    await services.zones.clear(MEMBER)
    await services.checkins.set_personal(
        user_id=MEMBER, guild_id=None, channel_id=None, schedule="daily 20:00",
        tz="Asia/Kolkata", quiet=None,
    )  # fmt: skip
    checkin = await goals.set(MEMBER, GUILD, "sleep", "daily 09:00")
    assert (checkin.goal.tz, checkin.zone_source) == ("Asia/Kolkata", "member")


# -- plans ------------------------------------------------------------------------------------
async def test_plan_parts_merge_and_an_empty_answer_clears_one(services: Services) -> None:
    plans = services.selfhelp.plans
    with pytest.raises(NotFoundError):
        await plans.mine(MEMBER)
    await plans.save_part(MEMBER, 1, {"well": "cooking", "daily": "a walk"})
    await plans.save_part(MEMBER, 3, {"contacts": "  my sister \r\n\r\n\r\n\r\n by phone  "})
    plan = await plans.save_part(MEMBER, 1, {"well": "  ", "daily": "a walk"})
    assert plan.answers == {"daily": "a walk", "contacts": "my sister\n\n by phone"}
    with pytest.raises(InvalidInputError, match="at most 500"):
        await plans.save_part(MEMBER, 2, {"signs": "x" * 501})
    with pytest.raises(InvalidInputError, match="don't belong"):
        await plans.save_part(MEMBER, 2, {"well": "sneaky"})
    with pytest.raises(InvalidInputError, match="parts 1 to 3"):
        await plans.save_part(MEMBER, 4, {})
    cleared = await plans.save_part(MEMBER, 1, {"daily": ""})
    await plans.save_part(MEMBER, 3, {"contacts": ""})
    assert cleared.answers == {"contacts": "my sister\n\n by phone"}
    with pytest.raises(NotFoundError):  # an emptied plan is no plan
        await plans.mine(MEMBER)


async def test_plan_parts_saved_at_once_each_keep_their_answers(services: Services) -> None:
    plans = services.selfhelp.plans
    await plans.save_part(MEMBER, 3, {"contacts": "my sister"})
    for n in range(5):  # a few rounds: on PostgreSQL the pool's connections race too
        await asyncio.gather(
            plans.save_part(MEMBER, 1, {"well": f"cooking {n}", "daily": "a walk"}),
            plans.save_part(MEMBER, 2, {"triggers": f"poor sleep {n}", "signs": ""}),
            plans.save_part(MEMBER, 3, {"contacts": "my sister", "crisis_helps": f"quiet {n}"}),
        )
        assert (await plans.mine(MEMBER)).answers == {
            "well": f"cooking {n}",
            "daily": "a walk",
            "triggers": f"poor sleep {n}",
            "contacts": "my sister",
            "crisis_helps": f"quiet {n}",
        }


async def test_a_shared_plan_is_read_with_an_audit_and_unsharing_stops_it(
    services: Services, clock
) -> None:
    plans = services.selfhelp.plans
    with pytest.raises(NotFoundError):
        await plans.share(MEMBER, PEER)  # nothing to share yet
    await plans.save_part(MEMBER, 2, {"signs": "not replying"})
    await plans.share(MEMBER, PEER)
    with pytest.raises(PermissionDeniedError):
        await plans.read_shared(MEMBER, OTHER)
    clock.advance(hours=1)
    assert (await plans.read_shared(MEMBER, PEER)).answers == {"signs": "not replying"}
    (share,) = await plans.shared_with(MEMBER)
    assert share.peer_id == PEER and share.last_read == clock.now.replace(microsecond=0)
    await plans.unshare(MEMBER, PEER)
    with pytest.raises(PermissionDeniedError):
        await plans.read_shared(MEMBER, PEER)
    await plans.share(MEMBER, PEER)
    await plans.delete(MEMBER)
    assert await plans.shares(MEMBER) == []  # a deleted plan is shared with nobody
    with pytest.raises(NotFoundError):
        await plans.delete(MEMBER)


async def test_a_plan_shared_again_counts_only_readings_since_the_new_share(
    services: Services, clock
) -> None:
    """Read, taken back and shared again in the same second (times are kept to the second):
    the reading belongs to the first share; the next one counts."""
    plans = services.selfhelp.plans
    await plans.save_part(MEMBER, 2, {"signs": "not replying"})
    await plans.share(MEMBER, PEER)
    await plans.read_shared(MEMBER, PEER)
    await plans.unshare(MEMBER, PEER)
    await plans.share(MEMBER, PEER)
    (share,) = await plans.shared_with(MEMBER)
    assert share.last_read is None
    clock.advance(hours=1)
    await plans.read_shared(MEMBER, PEER)
    (share,) = await plans.shared_with(MEMBER)
    assert share.last_read == clock.now.replace(microsecond=0)


async def test_the_export_has_every_question_and_says_what_it_is(services: Services) -> None:
    plan = await services.selfhelp.plans.save_part(MEMBER, 2, {"triggers": "loud rooms"})
    text = export_text(plan, "23 November 2026")
    assert "Things that can throw me off:\nloud rooms" in text
    assert text.count("(not filled in)") == 7
    assert "not WRAP itself" in text and "last changed 23 November 2026" in text


@pytest.mark.parametrize(
    ("lang", "heading", "label", "empty"),
    [
        ("es", "Mi plan de bienestar", "Lo que puede desestabilizarme:", "(sin rellenar)"),
        ("fr", "Mon plan de bien-être", "Ce qui peut me déstabiliser :", "(non rempli)"),
        ("de", "Mein Wohlfühlplan", ":", "(nicht ausgefüllt)"),
        ("pt", "Meu plano de bem-estar", ":", "(não preenchido)"),
    ],
)
async def test_the_export_is_in_the_members_language_and_keeps_their_words(
    services: Services, lang: str, heading: str, label: str, empty: str
) -> None:
    plan = await services.selfhelp.plans.save_part(MEMBER, 2, {"triggers": "loud rooms"})
    text = export_text(plan, "2026-11-23", lang)
    assert text.startswith(f"{heading}\n{'=' * len(heading)}\n")
    assert f"{label}\nloud rooms\n" in text  # the member's own words, as written
    assert text.count(empty) == 7 and "2026-11-23" in text
    assert "not filled in" not in text and "Written with" not in text


# -- reading the library ------------------------------------------------------------------------
async def test_a_page_button_from_another_server_is_refused(services: Services) -> None:
    library = services.selfhelp.library
    reading = await library.open(GUILD, MEMBER, "grounding")
    assert reading.scope == GUILD and reading.first
    last = await library.turn(GUILD, GUILD, MEMBER, "grounding", 50)
    assert last.last and last.index == last.count - 1
    with pytest.raises(PermissionDeniedError, match="another server"):
        await library.turn(GUILD, 11, MEMBER, "grounding", 1)
    with pytest.raises(PermissionDeniedError):
        await library.turn(GUILD, None, MEMBER, "grounding", 1)
    with pytest.raises(NotFoundError, match="no longer in the library"):
        await library.turn(GUILD, GUILD, MEMBER, "gone-page", 0)


async def test_a_topic_no_page_is_called_falls_back_to_the_librarys_search(
    services: Services,
) -> None:
    library = services.selfhelp.library
    exact = await library.look_up(GUILD, MEMBER, "Breathing to calm down")
    assert isinstance(exact, Reading) and exact.topic.slug == "breathing" and exact.index == 0
    several = await library.look_up(GUILD, MEMBER, "panic")
    assert isinstance(several, Matches) and several.more == 0
    assert sorted(p.slug for p in several.pages) == ["breathing", "grounding"]
    one = await library.look_up(GUILD, MEMBER, "insomnia")
    assert isinstance(one, Reading) and one.topic.slug == "sleep"
    many = await library.look_up(GUILD, MEMBER, "e")  # a letter nearly every page has
    assert isinstance(many, Matches) and len(many.pages) == MATCHES_SHOWN and many.more > 0
    for nothing in ("nope", "?!", "…"):
        with pytest.raises(NotFoundError, match="couldn't find that topic"):
            await library.look_up(GUILD, MEMBER, nothing)
