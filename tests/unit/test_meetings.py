"""Group meetings without Discord: the next-occurrence rules (recurring in the meeting's zone
across DST, one-off, edits), reminders and the facilitator's notice, the rotation and swapped
turns, opening and closing with the turn counter, attendance counted once (on the running
meeting's post only), opt-ins, forgetting, and a group archived during a meeting and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from bot.services import Services
from bot.services.meetings import (
    CLOSE,
    FACILITATOR_REMIND,
    OPEN,
    REMIND,
    SWAP_CHECK,
    ReminderPlan,
    Skipped,
)
from bot.services.meetings.rules import (
    facilitator_at,
    next_reminder,
    next_turn_of,
    one_off_example,
    parse_reminders,
    parse_when,
    swap_turns,
)
from bot.services.peers import PeerSettings
from tests.unit.test_groups import make, member_of

GUILD, MOD, ALICE, BO, CY, MEMBER = 10, 300, 401, 402, 403, 500
PEER_ROLE = 77
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday


# -- next occurrence ------------------------------------------------------------------------------
def test_weekly_meeting_follows_local_time_across_dst() -> None:
    when = parse_when("every sunday at 10:00", "Europe/London", datetime(2026, 3, 20, tzinfo=UTC))
    first = when.next_start(datetime(2026, 3, 20, tzinfo=UTC))
    assert first == datetime(2026, 3, 22, 10, 0, tzinfo=UTC)  # GMT
    assert when.next_start(first) == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)  # BST


def test_one_off_meeting_happens_once_and_must_be_ahead() -> None:
    when = parse_when("2026-12-01 19:30", "America/New_York", NOW)
    assert when.schedule is None
    assert when.next_start(NOW) == datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    assert when.next_start(when.once_at) is None
    assert parse_when("once 2026-12-01 at 7:30pm", "America/New_York", NOW) == when
    with pytest.raises(InvalidInputError, match="already passed"):
        parse_when("2026-01-01 10:00", "UTC", NOW)
    with pytest.raises(InvalidInputError, match="write it like `2026-12-21 19:00`"):
        parse_when("2026-02-03 25:00", "UTC", NOW)
    with pytest.raises(InvalidInputError, match=r"^2026-02-30 doesn't exist: that month has 28"):
        parse_when("2026-02-30 10:00", "UTC", NOW)
    with pytest.raises(InvalidInputError, match=r"^2028-02-30 doesn't exist: that month has 29"):
        parse_when("2028-02-30 10:00", "UTC", NOW)
    with pytest.raises(InvalidInputError, match=r"^2026-00-10 doesn't exist: months go"):
        parse_when("2026-00-10 10:00", "UTC", NOW)
    with pytest.raises(InvalidInputError, match=r"^2026-03-00 doesn't exist: that month has 31"):
        parse_when("2026-03-00 10:00", "UTC", NOW)


def test_a_one_off_at_a_time_the_clocks_skip_or_repeat_is_refused_with_a_time_that_happens_once():
    """Neither moved to the end of the gap silently nor put at a guessed occurrence: the
    refusal names the time, date and zone and suggests the first time past the change."""
    with pytest.raises(InvalidInputError) as skipped:
        parse_when("2027-03-28 01:30", "Europe/London", NOW)
    assert skipped.value.user_message == (
        "01:30 doesn't exist on 2027-03-28 in Europe/London: the clocks go forward then. "
        "Choose another time, for example `2027-03-28 02:00`."
    )
    with pytest.raises(InvalidInputError) as twice:
        parse_when("once 2027-10-31 at 1:30am", "Europe/London", NOW)
    assert twice.value.user_message.startswith("01:30 happens twice on 2027-10-31 in Europe")
    assert "`2027-10-31 02:00`" in twice.value.user_message
    with pytest.raises(InvalidInputError, match=r"`2027-03-14 03:00`"):  # New York: 02:00-03:00
        parse_when("2027-03-14 02:59", "America/New_York", NOW)
    # the suggestions, and the times either side of a change, are accepted as they are
    accepted = (
        ("2027-03-28 02:00", (3, 28, 1)),
        ("2027-03-28 00:59", (3, 28, 0, 59)),
        ("2027-10-31 02:00", (10, 31, 2)),
        ("2027-10-31 00:59", (10, 30, 23, 59)),
    )
    for text, utc in accepted:
        assert parse_when(text, "Europe/London", NOW).once_at == datetime(2027, *utc, tzinfo=UTC)


def test_meetings_are_at_most_daily_and_zones_are_checked() -> None:
    for text in ("hourly", "daily 09:00, 18:00", "every 3 hours"):
        with pytest.raises(InvalidInputError, match="once a day"):
            parse_when(text, "UTC", NOW)
    with pytest.raises(InvalidInputError):
        parse_when("monday 19:00", "Mars/Olympus", NOW)
    with pytest.raises(InvalidInputError):
        parse_when("whenever", "UTC", NOW)


def test_a_schedule_refused_reads_with_the_one_off_hint_in_the_readers_language() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_when("whenever", "UTC", NOW)
    english = refused.value.user_message
    assert english.startswith("I couldn't read “whenever” as a schedule")
    assert english.endswith(". A one-off meeting looks like `2026-12-21 19:00`.")
    assert refused.value.message_in("en") == refused.value.message_in("xx") == english
    spanish = refused.value.message_in("es")
    assert spanish.endswith(" Una reunión puntual se escribe así: `2026-12-21 19:00`."), spanish
    with pytest.raises(InvalidInputError) as zone:
        parse_when("monday 19:00", "Mars/Olympus", NOW)
    assert zone.value.message_in("de").startswith("„Mars/Olympus“"), zone.value.message_in("de")


def test_the_one_off_example_is_four_weeks_ahead_in_the_zone_and_accepted() -> None:
    """The example a refusal shows is a date ahead (a fixed one went stale: 2026-05-04 was
    shown after it had passed), on the reader's calendar, and parse_when accepts it."""
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # already 3 December in Auckland
    assert one_off_example(late, ZoneInfo("UTC")) == "2026-12-30 19:00"
    assert one_off_example(late, ZoneInfo("Pacific/Auckland")) == "2026-12-31 19:00"
    assert one_off_example(late, ZoneInfo("America/Los_Angeles")) == "2026-12-30 19:00"
    for zone in ("UTC", "Pacific/Auckland", "America/Los_Angeles", "Pacific/Kiritimati"):
        example = one_off_example(late, ZoneInfo(zone))
        assert parse_when(example, zone, late).once_at > late
        with pytest.raises(InvalidInputError) as refused:
            parse_when("2026-02-03 25:00", zone, late)
        assert refused.value.user_message.endswith(f"`{example}`."), refused.value.user_message
        with pytest.raises(InvalidInputError) as daily:
            parse_when("hourly", zone, late)
        assert f"`{example}`" in daily.value.message_in("fr"), daily.value.message_in("fr")


def test_every_other_week_counts_from_the_week_it_was_added() -> None:
    when = parse_when("every 2 weeks on monday 19:00", "UTC", NOW)
    first = when.next_start(NOW)
    assert first == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert when.next_start(first) == datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def test_reminders_parse_and_step_down() -> None:
    assert parse_reminders(None) == (1440, 15)
    assert parse_reminders("15m, 2h") == (120, 15)
    assert parse_reminders("none") == ()
    for bad in ("soon", "1m", "8d", "1h,2h,3h,4h"):
        with pytest.raises(InvalidInputError):
            parse_reminders(bad)
    start = NOW + timedelta(hours=2)
    assert next_reminder(start, (1440, 15), NOW) == (start - timedelta(minutes=15), 15)
    assert next_reminder(start, (60, 15), NOW) == (start - timedelta(minutes=60), 60)
    assert next_reminder(start, (60, 15), NOW, below=60) == (start - timedelta(minutes=15), 15)
    assert next_reminder(start, (60, 15), NOW, below=15) is None


def test_a_reminder_missed_by_less_than_the_grace_time_is_still_next() -> None:
    """After a downtime the late 24-hour reminder's step finds the 15-minute one 5 s past:
    within the grace time it is still the next one (sent late, once); an older one is not."""
    start = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    now = start - timedelta(minutes=15) + timedelta(seconds=5)
    grace = timedelta(minutes=5)
    due = start - timedelta(minutes=15)
    assert next_reminder(start, (1440, 15), now, below=1440) is None  # no grace: never sent
    assert next_reminder(start, (1440, 15), now, below=1440, grace=grace) == (due, 15)
    later = now + timedelta(minutes=5)
    assert next_reminder(start, (1440, 15), later, below=1440, grace=grace) is None


@given(
    reminders=st.lists(st.integers(5, 7 * 24 * 60), min_size=1, max_size=3, unique=True),
    before=st.integers(-8 * 24 * 3600, 8 * 24 * 3600),
    grace=st.integers(0, 3600),
    below=st.none() | st.integers(5, 7 * 24 * 60 + 1),
)
def test_next_reminder_is_the_largest_one_not_missed_by_more_than_the_grace(
    reminders: list[int], before: int, grace: int, below: int | None
) -> None:
    start = NOW + timedelta(days=8)
    now = start - timedelta(seconds=before)
    window = timedelta(seconds=grace)
    found = next_reminder(start, reminders, now, below=below, grace=window)
    eligible = [
        m for m in reminders
        if (below is None or m < below) and start - timedelta(minutes=m) > now - window
    ]  # fmt: skip
    if not eligible:
        assert found is None
        return
    assert found == (start - timedelta(minutes=max(eligible)), max(eligible))
    assert now - found[0] < window or found[0] > now  # never older than the grace time
    # with no grace only a reminder still ahead; a grace never drops one that was ahead
    ahead = next_reminder(start, reminders, now, below=below)
    if ahead is not None:
        assert found[1] >= ahead[1]


# -- the rotation ---------------------------------------------------------------------------------
def test_rotation_goes_round_in_order() -> None:
    order = [ALICE, BO, CY]
    assert [facilitator_at(order, {}, s) for s in range(5)] == [ALICE, BO, CY, ALICE, BO]
    assert facilitator_at([], {}, 3) is None
    assert next_turn_of(order, {}, 1, ALICE) == 3
    assert next_turn_of(order, {}, 1, 999) is None


def test_a_swap_trades_only_the_next_turns() -> None:
    order = [ALICE, BO, CY]
    swaps = swap_turns(order, {}, 0, ALICE, CY)
    assert [facilitator_at(order, swaps, s) for s in range(6)] == [CY, BO, ALICE, ALICE, BO, CY]
    # swapping back leaves no trace
    assert swap_turns(order, swaps, 0, CY, ALICE) == {}
    with pytest.raises(InvalidInputError):
        swap_turns(order, {}, 0, ALICE, ALICE)


@given(
    size=st.integers(1, 6),
    start=st.integers(0, 30),
    picks=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=6),
)
def test_swaps_keep_everyone_s_number_of_turns(size, start, picks) -> None:
    order = list(range(100, 100 + size))
    swaps: dict[int, int] = {}
    for a, b in picks:
        if a < size and b < size and a != b:
            swaps = swap_turns(order, swaps, start, order[a], order[b])
    window = range(start, start + size * 10)
    before = sorted(facilitator_at(order, {}, s) for s in window)
    after = sorted(facilitator_at(order, swaps, s) for s in window)
    assert before == after  # a swap moves turns, never adds or drops one
    for user in order:
        assert next_turn_of(order, swaps, start, user) is not None


# -- the service ----------------------------------------------------------------------------------
async def setup(services: Services):
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE)
    group = await make(services)
    await member_of(services, group, MEMBER)
    for who in (ALICE, BO):
        await services.meetings.add_facilitator(GUILD, group.name, who, [PEER_ROLE], MOD)
    return group


async def add(services: Services, **options):
    values = {
        "guild_id": GUILD, "group_name": "Grief circle", "name": "Monday circle",
        "schedule": "every monday at 19:00", "tz": "UTC", "duration": "90m", "reminders": None,
        "prompt": None, "venue": None, "actor_id": MOD,
    }  # fmt: skip
    values.update(options)
    return await services.meetings.add(**values)


async def fire(services: Services, clock, kind: str, meeting_id: int):
    key = {REMIND: "remind", OPEN: "open", CLOSE: "close", FACILITATOR_REMIND: "facilitator_remind"}
    timer = await services.scheduler.get(f"meeting:{meeting_id}:{key[kind]}")
    assert timer is not None, kind
    clock.now = timer.due_at
    meetings = services.meetings
    handler = {
        REMIND: meetings.on_remind, OPEN: meetings.on_open, CLOSE: meetings.on_close,
        FACILITATOR_REMIND: meetings.on_facilitator_remind,
    }[kind]  # fmt: skip
    return await handler(timer)


async def test_a_meeting_reminds_opens_counts_and_closes(services: Services, clock) -> None:
    group = await setup(services)
    await services.meetings.set_reminders(GUILD, group.name, MEMBER, True)
    meeting = await add(services)
    assert meeting.next_at == datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    # the day before was already past when the meeting was added: the facilitator's notice
    # is due at once (it used to be left out, and a meeting set up for tonight, or any daily
    # meeting, never told its facilitator)
    heads_up = await services.scheduler.get(f"meeting:{meeting.id}:facilitator_remind")
    assert heads_up is not None and heads_up.due_at == clock.now
    assert (await fire(services, clock, FACILITATOR_REMIND, meeting.id)).facilitator_id == ALICE
    reminder = await fire(services, clock, REMIND, meeting.id)
    assert reminder.minutes == 15 and reminder.recipients == (MEMBER,)
    assert reminder.facilitator_id == ALICE
    opened = await fire(services, clock, OPEN, meeting.id)
    assert opened.facilitator_id == ALICE and opened.starts_at == meeting.next_at
    # the next week's timers stand: the 24-hour reminder, the facilitator's notice (Bo's turn)
    nxt = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
    assert (await services.scheduler.get(f"meeting:{meeting.id}:open")).due_at == nxt
    assert (await services.scheduler.get(f"meeting:{meeting.id}:remind")).due_at == nxt - timedelta(
        days=1
    )
    first = await services.meetings.here(GUILD, meeting.id, MEMBER)
    again = await services.meetings.here(GUILD, meeting.id, MEMBER)
    other = await services.meetings.here(GUILD, meeting.id, ALICE)
    assert (first.count, again.counted, other.count) == (1, False, 2)
    with pytest.raises(NotFoundError):
        await services.meetings.here(GUILD + 1, meeting.id, MEMBER)
    closed = await fire(services, clock, CLOSE, meeting.id)
    assert closed.attendance == 2 and closed.named == ()
    # counted, not named: nothing about who pressed is left
    assert await services.db.fetchall("SELECT * FROM meeting_presence") == []
    with pytest.raises(ConflictError):
        await services.meetings.here(GUILD, meeting.id, MEMBER)
    notice = await fire(services, clock, FACILITATOR_REMIND, meeting.id)
    assert notice.facilitator_id == BO


async def test_im_here_counts_only_the_groups_members_and_facilitators(
    services: Services, clock
) -> None:
    """Someone not in the group (never joined, or left during the meeting) is refused with how
    to join and not counted; a member and a facilitator who isn't a member are."""
    group = await setup(services)
    await member_of(services, group, CY)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    with pytest.raises(PermissionDeniedError, match=r"members of \*\*Grief circle\*\*"):
        await services.meetings.here(GUILD, meeting.id, 999)
    await services.groups.left(group, CY)
    with pytest.raises(PermissionDeniedError, match="`/group join`"):
        await services.meetings.here(GUILD, meeting.id, CY)
    member = await services.meetings.here(GUILD, meeting.id, MEMBER)
    facilitator = await services.meetings.here(GUILD, meeting.id, ALICE)
    assert (member.count, facilitator.count) == (1, 2)
    closed = await fire(services, clock, CLOSE, meeting.id)
    assert closed.attendance == 2


async def test_named_attendance_keeps_names_when_the_group_asks(services: Services, clock) -> None:
    group = await setup(services)
    await services.meetings.set_options(GUILD, group.name, MOD, locking=True, named_attendance=True)
    meeting = await add(services)
    opened = await fire(services, clock, OPEN, meeting.id)
    assert opened.locking
    await services.meetings.here(GUILD, meeting.id, MEMBER)
    closed = await fire(services, clock, CLOSE, meeting.id)
    assert closed.named == (MEMBER,) and closed.locking
    assert (await services.meetings.named_attendance(GUILD, meeting.id))[1] == [MEMBER]
    await services.privacy.forget(MEMBER)
    assert (await services.meetings.named_attendance(GUILD, meeting.id))[1] == []


async def test_a_locking_group_is_locked_only_between_its_meetings(
    services: Services, clock
) -> None:
    group = await setup(services)
    meeting = await add(services)
    assert not await services.meetings.channel_locked(group.id)  # it doesn't lock
    await services.meetings.set_options(GUILD, group.name, MOD, locking=True, named_attendance=None)
    assert await services.meetings.channel_locked(group.id)
    await fire(services, clock, OPEN, meeting.id)
    assert not await services.meetings.channel_locked(group.id)  # the meeting is on
    await fire(services, clock, CLOSE, meeting.id)
    assert await services.meetings.channel_locked(group.id)


async def test_swap_needs_the_other_facilitator_to_accept(services: Services, clock) -> None:
    group = await setup(services)
    meeting = await add(services)
    request = await services.meetings.ask_swap(GUILD, group.name, ALICE, BO)
    assert request.from_when == meeting.next_at
    assert request.to_when == meeting.next_at + timedelta(days=7)
    assert await services.meetings.next_facilitator(meeting) == ALICE  # not yet
    with pytest.raises(PermissionDeniedError):
        await services.meetings.answer_swap(request.swap.id, ALICE, True, GUILD)
    with pytest.raises(NotFoundError):
        await services.meetings.answer_swap(request.swap.id, BO, True, GUILD + 1)
    answer = await services.meetings.answer_swap(request.swap.id, BO, True, None)
    assert answer.accepted
    assert await services.meetings.next_facilitator(meeting) == BO
    with pytest.raises(ConflictError):
        await services.meetings.answer_swap(request.swap.id, BO, True, None)
    opened = await fire(services, clock, OPEN, meeting.id)
    assert opened.facilitator_id == BO
    rotation = await services.meetings.rotation(GUILD, group.name, 3)
    assert [who for _, _, who in rotation.upcoming] == [ALICE, ALICE, BO]
    with pytest.raises(PermissionDeniedError):
        await services.meetings.ask_swap(GUILD, group.name, CY, BO)


async def test_an_accept_left_unfinished_is_given_back_by_its_stored_check(
    services: Services, clock
) -> None:
    """A claimed Accept arms a check right after the claim; finishing (or giving it back) cancels
    it; one left "accepting" (the process died) goes back to asked when the check runs."""
    group = await setup(services)
    meeting = await add(services)
    meetings, scheduler = services.meetings, services.scheduler
    request = await meetings.ask_swap(GUILD, group.name, ALICE, BO)
    answer = await meetings.claim_swap_answer(request.swap.id, BO, True, GUILD)
    check = await scheduler.get(f"meeting:swap:{request.swap.id}:accepting")
    assert check is not None and check.kind == SWAP_CHECK and check.guild_id == GUILD
    assert check.payload == {"swap_id": request.swap.id}  # ids only
    clock.advance(minutes=6)  # nothing finished it: the process died in between
    undone = await meetings.on_swap_check(check)
    assert undone is not None and undone.swap.to_id == BO and undone.group.id == group.id
    assert (await meetings.repo.swap(request.swap.id)).status == "asked"
    assert await meetings.on_swap_check(check) is None  # once
    assert await meetings.next_facilitator(meeting) == ALICE
    # answered again: finished, the check is cancelled and would change nothing
    answer = await meetings.answer_swap(request.swap.id, BO, True, None)
    assert answer.accepted
    assert await scheduler.get(f"meeting:swap:{request.swap.id}:accepting") is None
    assert await meetings.on_swap_check(check) is None
    assert (await meetings.repo.swap(request.swap.id)).status == "accepted"
    # a declined request arms no check
    again = await meetings.ask_swap(GUILD, group.name, ALICE, BO)
    await meetings.answer_swap(again.swap.id, BO, False, None)
    assert await scheduler.get(f"meeting:swap:{again.swap.id}:accepting") is None


async def test_someone_no_longer_a_peer_may_decline_a_swap_but_not_accept_it(
    services: Services,
) -> None:
    group = await setup(services)
    meeting = await add(services)
    request = await services.meetings.ask_swap(GUILD, group.name, ALICE, BO)
    swap = await services.meetings.swap_to_answer(request.swap.id, BO, None)
    assert swap.id == request.swap.id and swap.guild_id == GUILD
    with pytest.raises(PermissionDeniedError):
        await services.meetings.swap_to_answer(request.swap.id, ALICE, None)
    with pytest.raises(PermissionDeniedError, match="for peer supporters"):
        await services.meetings.answer_swap(request.swap.id, BO, True, None, peer=False)
    assert (await services.meetings.repo.swap(request.swap.id)).status == "asked"
    assert await services.meetings.next_facilitator(meeting) == ALICE  # nothing changed
    answer = await services.meetings.answer_swap(request.swap.id, BO, False, None, peer=False)
    assert not answer.accepted
    assert (await services.meetings.repo.swap(request.swap.id)).status == "declined"
    with pytest.raises(ConflictError) as answered:
        await services.meetings.swap_to_answer(request.swap.id, BO, None)
    assert answered.value.user_message == "You already answered this request (declined)."
    assert answered.value.message_in("fr") == "Tu as déjà répondu à cette demande (refusée)."


async def test_the_first_press_on_a_swap_counts(services: Services) -> None:
    """Accept is claimed before the Discord layer looks the presser up: a Decline pressed
    meanwhile is told the Accept is being answered and changes nothing; a second Accept (a
    double tap, or a press again after a restart mid-answer) may finish it, once."""
    group = await setup(services)
    meeting = await add(services)
    request = await services.meetings.ask_swap(GUILD, group.name, ALICE, BO)
    held = await services.meetings.claim_swap_answer(request.swap.id, BO, True, None)
    assert held.accepted and (await services.meetings.repo.swap(request.swap.id)).status == (
        "accepting"
    )
    with pytest.raises(ConflictError) as overtaken:
        await services.meetings.claim_swap_answer(request.swap.id, BO, False, None)
    assert "You pressed Accept on this request first" in overtaken.value.user_message
    again = await services.meetings.claim_swap_answer(request.swap.id, BO, True, None)
    await services.meetings.finish_accept(held)
    with pytest.raises(ConflictError) as twice:
        await services.meetings.finish_accept(again)
    assert twice.value.user_message == "You already answered this request (accepted)."
    assert (await services.meetings.repo.swap(request.swap.id)).status == "accepted"
    assert await services.meetings.next_facilitator(meeting) == BO
    entries = await services.audit.recent(GUILD, limit=100)
    assert [e.action for e in entries].count("meetings.facilitator_swap") == 1


async def test_an_accept_refused_for_the_peer_role_gives_the_request_back(
    services: Services,
) -> None:
    group = await setup(services)
    meeting = await add(services)
    request = await services.meetings.ask_swap(GUILD, group.name, ALICE, BO)
    held = await services.meetings.claim_swap_answer(request.swap.id, BO, True, None)
    with pytest.raises(PermissionDeniedError, match="for peer supporters"):
        await services.meetings.finish_accept(held, peer=False)
    assert (await services.meetings.repo.swap(request.swap.id)).status == "asked"
    assert await services.meetings.next_facilitator(meeting) == ALICE
    declined = await services.meetings.claim_swap_answer(request.swap.id, BO, False, None)
    assert not declined.accepted
    assert (await services.meetings.repo.swap(request.swap.id)).status == "declined"


async def test_facilitators_are_peers(services: Services) -> None:
    group = await setup(services)
    with pytest.raises(InvalidInputError, match="peer role"):
        await services.meetings.add_facilitator(GUILD, group.name, CY, [], MOD)
    with pytest.raises(ConflictError):
        await services.meetings.add_facilitator(GUILD, group.name, ALICE, [PEER_ROLE], MOD)
    await services.meetings.remove_facilitator(GUILD, group.name, ALICE, MOD)
    assert (await services.meetings.rotation(GUILD, group.name)).order == (BO,)


async def test_members_reminded_of_a_date_are_told_once_it_is_cancelled_or_moved(
    services: Services, clock
) -> None:
    """Before any reminder of the next date went out, a move or a removal tells nobody; once
    one went out, everyone who asked for the group's reminders is told (no list is kept), and
    so is the date's facilitator once their heads-up the day before went out (probe 30); an
    edit that leaves the date where it was tells nobody."""
    group = await setup(services)
    await services.meetings.set_reminders(GUILD, group.name, MEMBER, True)
    clock.now = NOW
    meeting = await add(services, schedule="every tuesday at 19:00", reminders="24h, 15m")
    early = await services.meetings.edit(GUILD, meeting.id, MOD, schedule="tue 19:30")
    assert early.told is None  # a week's notice: no reminder of it yet
    await services.meetings.edit(GUILD, meeting.id, MOD, schedule="tue 19:00")
    await fire(services, clock, REMIND, meeting.id)  # Mon 19:00, the 24-hour reminder
    renamed = await services.meetings.edit(GUILD, meeting.id, MOD, name="Tuesday circle")
    assert renamed.told is None
    tuesday = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    moved = await services.meetings.edit(GUILD, meeting.id, MOD, schedule="wed 18:00")
    assert moved.told is not None
    assert (moved.told.was_at, moved.told.recipients) == (tuesday, (MEMBER, ALICE))
    assert moved.told.moved_to == datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    other = await add(services, name="Other", schedule="every thursday at 19:00")
    assert (await services.meetings.remove(GUILD, other.id, MOD)).told is None
    removed = await services.meetings.remove(GUILD, meeting.id, MOD)  # the 24h one not yet out
    assert removed.told is None
    third = await add(services, name="Third", schedule="every tuesday at 19:00")
    await fire(services, clock, REMIND, third.id)  # the 15-minute one
    gone = await services.meetings.remove(GUILD, third.id, MOD)
    assert gone.told is not None and gone.told.moved_to is None
    assert (gone.told.was_at, gone.told.recipients) == (tuesday, (MEMBER, ALICE))


async def test_archiving_tells_members_reminded_of_a_date_it_cancels(
    services: Services, clock
) -> None:
    """Archiving a group cancels its meetings' next dates: a date a reminder of has gone out
    is told to everyone who asked for the group's reminders and its facilitator told of it the
    day before, the reason named; a date not
    yet reminded of tells nobody, and an active group has nothing to tell."""
    group = await setup(services)
    await services.meetings.set_reminders(GUILD, group.name, MEMBER, True)
    clock.now = NOW
    reminded = await add(services, schedule="every tuesday at 19:00", reminders="24h")
    await add(services, name="Later", schedule="every friday at 19:00", reminders="24h")
    await fire(services, clock, REMIND, reminded.id)  # Mon 19:00, the 24-hour reminder
    assert await services.meetings.told_of_archive(group.id) == []  # not archived
    await services.groups.archive(group.id, GUILD, MOD)
    (told,) = await services.meetings.told_of_archive(group.id)
    assert told.meeting.id == reminded.id and told.archived and told.moved_to is None
    tuesday = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    assert (told.was_at, told.recipients) == (tuesday, (MEMBER, ALICE))


async def test_archiving_again_after_unarchive_tells_a_cancelled_date_once(
    services: Services, clock
) -> None:
    """Archived, back and archived again with the same date ahead: told once; another date
    reminded of is told."""
    group = await setup(services)
    await services.meetings.set_reminders(GUILD, group.name, MEMBER, True)
    clock.now = NOW
    meeting = await add(services, schedule="every tuesday at 19:00", reminders="24h")
    await fire(services, clock, REMIND, meeting.id)  # Mon 19:00, the 24-hour reminder
    await services.groups.archive(group.id, GUILD, MOD)
    (told,) = await services.meetings.told_of_archive(group.id)
    assert told.was_at == datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    await services.groups.unarchive(group.id, GUILD, MOD)
    await services.meetings.group_unarchived(group.id)
    await services.groups.archive(group.id, GUILD, MOD)
    assert await services.meetings.told_of_archive(group.id) == []
    stored = await services.meetings.get(meeting.id, GUILD)
    assert stored.cancel_told_at == datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    # back, the meeting moved an hour earlier (within its reminder): that date is told
    await services.groups.unarchive(group.id, GUILD, MOD)
    await services.meetings.edit(GUILD, meeting.id, MOD, schedule="every tuesday at 18:00")
    await services.groups.archive(group.id, GUILD, MOD)
    (again,) = await services.meetings.told_of_archive(group.id)
    assert again.was_at == datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


async def test_edit_rearms_and_one_off_ends(services: Services, clock) -> None:
    await setup(services)
    meeting = await add(services, schedule="2026-11-24 18:00", reminders="1h")
    edited = (await services.meetings.edit(GUILD, meeting.id, MOD, tz="Europe/Paris")).meeting
    assert edited.next_at == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert (await services.scheduler.get(f"meeting:{meeting.id}:open")).due_at == edited.next_at
    await fire(services, clock, OPEN, meeting.id)
    assert await services.scheduler.get(f"meeting:{meeting.id}:open") is None
    assert (await services.meetings.get(meeting.id, GUILD)).next_at is None
    with pytest.raises(InvalidInputError, match="10 minutes to 8 hours"):
        await add(services, name="Daily", schedule="daily 10:00", duration="9h")
    with pytest.raises(InvalidInputError, match="already has"):
        await add(services, name="monday CIRCLE", schedule="tue 10:00")


async def test_a_missed_meeting_is_skipped_to_the_next(services: Services, clock) -> None:
    await setup(services)
    meeting = await add(services)
    timer = await services.scheduler.get(f"meeting:{meeting.id}:open")
    clock.now = timer.due_at + timedelta(hours=3)  # the bot was down through all of it
    assert await services.meetings.on_open(timer) == Skipped(meeting.id)  # its event follows
    row = await services.meetings.get(meeting.id, GUILD)
    assert row.next_at == datetime(2026, 11, 30, 19, 0, tzinfo=UTC) and not row.is_open


async def test_reminder_buttons_and_opt_ins(services: Services) -> None:
    group = await setup(services)
    meeting = await add(services)
    with pytest.raises(PermissionDeniedError):
        await services.meetings.reminders_from_button(meeting.id, CY, True, GUILD)
    assert (await services.meetings.reminders_from_button(meeting.id, MEMBER, True, None))[1]
    assert not (await services.meetings.reminders_from_button(meeting.id, MEMBER, True, GUILD))[1]
    with pytest.raises(NotFoundError):
        await services.meetings.reminders_from_button(meeting.id, MEMBER, False, GUILD + 1)
    assert await services.meetings.set_reminders(GUILD, group.name, MEMBER, False)


async def test_removing_a_meeting_cancels_its_timers(services: Services) -> None:
    await setup(services)
    meeting = await add(services)
    removed = await services.meetings.remove(GUILD, meeting.id, MOD)
    assert not removed.relock
    for kind in ("open", "remind", "facilitator_remind", "close"):
        assert await services.scheduler.get(f"meeting:{meeting.id}:{kind}") is None
    with pytest.raises(NotFoundError):
        await services.meetings.get(meeting.id, GUILD)


async def test_a_reminder_tried_again_goes_to_that_member_alone_while_it_still_stands(
    services: Services, clock
) -> None:
    group = await setup(services)
    await member_of(services, group, CY)
    for who in (MEMBER, CY):
        await services.meetings.set_reminders(GUILD, group.name, who, True)
    meeting = await add(services)
    reminder = await fire(services, clock, REMIND, meeting.id)
    assert set(reminder.recipients) == {MEMBER, CY}
    await services.meetings.remind_later(reminder, CY)
    key = f"meeting:{meeting.id}:remind_retry:{CY}"
    timer = await services.scheduler.get(key)
    assert timer is not None and timer.due_at == clock() + timedelta(seconds=30)
    again = await services.meetings.on_remind_retry(timer)
    assert again.recipients == (CY,) and again.minutes == 15 and again.facilitator_id == ALICE
    assert again.starts_at == meeting.next_at
    # no longer wanted: nothing; once the meeting has started: nothing
    await services.meetings.set_reminders(GUILD, group.name, CY, False)
    assert await services.meetings.on_remind_retry(timer) is None
    await services.meetings.set_reminders(GUILD, group.name, CY, True)
    clock.now = meeting.next_at
    assert await services.meetings.on_remind_retry(timer) is None
    # /forgetme takes the stored retry (it names the member)
    await services.privacy.forget(CY)
    assert await services.scheduler.get(key) is None


async def test_an_opening_post_tried_again_only_while_open_and_not_yet_posted(
    services: Services, clock
) -> None:
    await setup(services)
    meeting = await add(services)
    opened = await fire(services, clock, OPEN, meeting.id)
    await services.meetings.post_open_later(opened)
    timer = await services.scheduler.get(f"meeting:{meeting.id}:open_post")
    assert timer is not None
    again = await services.meetings.on_open_post(timer)
    assert again.facilitator_id == ALICE and again.starts_at == opened.starts_at
    assert not again.locking  # the lock lifted when it opened: nothing to do again
    await services.meetings.opened(meeting.id, 5, 6)
    assert await services.meetings.on_open_post(timer) is None  # posted already
    removed = await services.meetings.remove(GUILD, meeting.id, MOD)
    assert removed.meeting.id == meeting.id
    assert await services.scheduler.get(f"meeting:{meeting.id}:open_post") is None


async def test_an_archived_group_skips_its_meetings_until_it_is_back(
    services: Services, clock
) -> None:
    group = await setup(services)
    meeting = await add(services)
    await services.groups.archive(group.id, GUILD, MOD)
    assert await fire(services, clock, OPEN, meeting.id) is None
    row = await services.meetings.get(meeting.id, GUILD)
    assert row.next_at == datetime(2026, 11, 30, 19, 0, tzinfo=UTC) and not row.is_open
    assert (await services.scheduler.get(f"meeting:{meeting.id}:open")).due_at == row.next_at


async def test_archiving_closes_an_open_meeting_and_forgets_unnamed_presses(
    services: Services, clock
) -> None:
    group = await setup(services)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.here(GUILD, meeting.id, MEMBER)
    await services.groups.archive(group.id, GUILD, MOD)
    (plan,) = await services.meetings.group_archived(group.id)
    assert plan.archived and plan.attendance == 1 and not plan.locking
    assert not plan.meeting.is_open
    assert await services.db.fetchall("SELECT * FROM meeting_presence") == []
    assert await services.scheduler.get(f"meeting:{meeting.id}:close") is None
    with pytest.raises(ConflictError, match="isn't open"):
        await services.meetings.here(GUILD, meeting.id, MEMBER)
    # nothing left to close: archiving again later finds no open meeting
    assert await services.meetings.group_archived(group.id) == []


async def test_archiving_keeps_names_only_where_the_group_asked(services: Services, clock) -> None:
    group = await setup(services)
    await services.meetings.set_options(GUILD, group.name, MOD, locking=True, named_attendance=True)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.here(GUILD, meeting.id, MEMBER)
    await services.groups.archive(group.id, GUILD, MOD)
    (plan,) = await services.meetings.group_archived(group.id)
    # the archive locked the channel already: the close doesn't lock it again
    assert plan.named == (MEMBER,) and not plan.locking
    assert (await services.meetings.named_attendance(GUILD, meeting.id))[1] == [MEMBER]


async def test_an_archived_group_has_no_event_and_gets_it_back(services: Services, clock) -> None:
    group = await setup(services)
    meeting = await add(services)
    assert (await services.meetings.event_plan(meeting.id)).starts_at == meeting.next_at
    await services.groups.archive(group.id, GUILD, MOD)
    assert (await services.meetings.event_plan(meeting.id)).starts_at is None
    await fire(services, clock, OPEN, meeting.id)  # skipped while archived; the date moves on
    await services.groups.unarchive(group.id, GUILD, MOD)
    (back,) = await services.meetings.group_unarchived(group.id)
    plan = await services.meetings.event_plan(meeting.id)
    assert plan.starts_at == back.next_at == datetime(2026, 11, 30, 19, 0, tzinfo=UTC)


async def test_an_events_name_keeps_the_group_and_shortens_a_long_meeting_name_visibly(
    services: Services,
) -> None:
    """A scheduled event's name holds 100 characters; a 40-character group and a 60-character
    meeting made 102, cut without a sign. The group's name stays whole, the meeting's ends
    with "…" (its post and /group meeting list have it whole)."""
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE)
    group = await make(services, name="Parents and carers of teenagers together")
    assert len(group.name) == 40
    long = "Tuesday evening circle for everyone who is new to the group!"
    meeting = await add(services, group_name=group.name, name=long)
    assert len(meeting.name) == 60
    plan = await services.meetings.event_plan(meeting.id)
    assert len(plan.name) <= 100 and plan.name.endswith("…")
    assert plan.name.startswith(f"{group.name}: Tuesday evening circle for everyone who")
    short = await add(services, group_name=group.name, name="Monday circle")
    assert (await services.meetings.event_plan(short.id)).name == f"{group.name}: Monday circle"


async def test_a_meeting_left_open_in_an_archived_group_is_closed(
    services: Services, clock
) -> None:
    group = await setup(services)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.here(GUILD, meeting.id, MEMBER)
    # archived without group_archived (as before it existed): the close timer still closes it
    await services.groups.archive(group.id, GUILD, MOD)
    assert await fire(services, clock, CLOSE, meeting.id) is None
    assert not (await services.meetings.get(meeting.id, GUILD)).is_open
    assert await services.db.fetchall("SELECT * FROM meeting_presence") == []


async def test_a_meeting_still_marked_open_is_closed_when_its_group_is_back(
    services: Services, clock
) -> None:
    group = await setup(services)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.here(GUILD, meeting.id, MEMBER)
    await services.groups.archive(group.id, GUILD, MOD)
    await services.scheduler.cancel(f"meeting:{meeting.id}:close")  # its timer ran long ago
    await services.groups.unarchive(group.id, GUILD, MOD)
    (back,) = await services.meetings.group_unarchived(group.id)
    assert not back.is_open
    assert await services.db.fetchall("SELECT * FROM meeting_presence") == []


async def test_im_here_counts_only_on_the_running_meetings_post(services: Services, clock) -> None:
    await setup(services)
    meeting = await add(services)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.opened(meeting.id, 900, 1001)
    await fire(services, clock, CLOSE, meeting.id)
    await fire(services, clock, OPEN, meeting.id)
    await services.meetings.opened(meeting.id, 900, 1002)
    with pytest.raises(ConflictError, match="isn't open"):
        await services.meetings.here(GUILD, meeting.id, MEMBER, 1001)  # last week's post
    assert (await services.meetings.here(GUILD, meeting.id, MEMBER, 1002)).count == 1


async def test_forget_takes_the_member_off_their_own_meeting_audit_rows_only(
    services: Services, clock
) -> None:
    """/forgetme: a swap the member accepted goes from the audit log; meetings they changed as
    a facilitator (marked so) keep their row without who; the same actions by a moderator
    (unmarked) and others' rows are untouched."""
    from bot.db.repositories.core import write_audit
    from bot.db.repositories.meetings import BY_FACILITATOR

    now = clock()
    rows = [
        (ALICE, "meetings.facilitator_swap", {"group": 1, "swap": 1}),
        (ALICE, "meetings.add", {"group": 1, "meeting": 1, **BY_FACILITATOR}),
        (ALICE, "meetings.edit", {"fields": ["name"], "meeting": 1, **BY_FACILITATOR}),
        (ALICE, "meetings.remove", {"group": 1, "meeting": 2}),  # as a moderator
        (BO, "meetings.facilitator_swap", {"group": 1, "swap": 2}),
    ]
    for actor, action, detail in rows:
        await write_audit(services.db, GUILD, actor, action, detail, now)

    await services.privacy.forget(ALICE)

    left = await services.db.fetchall("SELECT actor_id, action FROM audit_log ORDER BY id")
    assert [(r["actor_id"], r["action"]) for r in left] == [
        (None, "meetings.add"),
        (None, "meetings.edit"),
        (ALICE, "meetings.remove"),
        (BO, "meetings.facilitator_swap"),
    ]


async def test_reminders_and_the_heads_up_are_held_back_while_the_groups_channel_is_gone(
    services: Services, clock
) -> None:
    """Nobody is sent to a channel deleted on Discord: the reminders (and a stored retry of
    one) and the facilitator's heads-up wait for `/group repair`; the meeting's dates go on."""
    group = await setup(services)
    await services.meetings.set_reminders(GUILD, group.name, MEMBER, True)
    meeting = await add(services)
    assert await services.groups.channel_gone(GUILD, group.channel_id) is not None
    assert await fire(services, clock, REMIND, meeting.id) is None
    await services.meetings.remind_later(
        await _plan_for(services, meeting.id, group.id, MEMBER), MEMBER
    )
    retry = await services.scheduler.get(f"meeting:{meeting.id}:remind_retry:{MEMBER}")
    assert retry is not None and await services.meetings.on_remind_retry(retry) is None
    assert (await fire(services, clock, OPEN, meeting.id)) is not None  # it still takes place
    nxt = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)
    assert await fire(services, clock, FACILITATOR_REMIND, meeting.id) is None
    assert await fire(services, clock, REMIND, meeting.id) is None  # the day before
    await fire(services, clock, CLOSE, meeting.id)
    await services.groups.repaired(group.id, GUILD, MOD, channel_id=group.channel_id + 1)
    reminder = await fire(services, clock, REMIND, meeting.id)  # 15 minutes before
    assert reminder is not None and reminder.recipients == (MEMBER,)
    assert reminder.starts_at == nxt and reminder.group.channel_id == group.channel_id + 1


async def _plan_for(services: Services, meeting_id: int, group_id: int, user_id: int):
    meeting = await services.meetings.get(meeting_id, GUILD)
    found = await services.groups.find(group_id)
    return ReminderPlan(meeting, found, meeting.next_at, None, minutes=15, recipients=(user_id,))


async def test_an_edit_takes_the_voice_channel_and_the_prompt_off(services: Services) -> None:
    await setup(services)
    meeting = await add(services, venue=(77, "voice"), prompt="One word for your week?")
    assert (meeting.venue_id, meeting.prompt) == (77, "One word for your week?")
    with pytest.raises(InvalidInputError, match="not both"):
        await services.meetings.edit(GUILD, meeting.id, MOD, venue=(78, "voice"), no_venue=True)
    edited = (await services.meetings.edit(GUILD, meeting.id, MOD, no_venue=True)).meeting
    assert (edited.venue_id, edited.venue_kind, edited.prompt) == (None, None, meeting.prompt)
    edited = (await services.meetings.edit(GUILD, meeting.id, MOD, prompt=" - ")).meeting
    assert edited.prompt is None and edited.venue_id is None
