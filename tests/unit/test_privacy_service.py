"""PrivacyService: /forgetme runs every registered deletion hook and reports what each removed;
the retention purge deletes content older than the retention period, on a daily timer that
re-arms itself (kind and key are stored, so they must never change)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.db.repositories.events import HandledEventRepository
from bot.db.retention import Cutoffs
from bot.services import PrivacyService, Services
from bot.services.privacy import FIRST_PURGE_AFTER, PURGE, PURGE_EVERY, PURGE_KEY, Deleted
from tests.unit.conftest import FakeClock

U, OTHER = 4242, 5151


def standalone(services: Services, clock: FakeClock, days: int = 30) -> PrivacyService:
    """A PrivacyService over the test database with no hooks registered yet."""
    return PrivacyService(services.prefs, services.scheduler, days, clock)


def test_it_is_still_importable_from_bot_services() -> None:
    from bot.services import privacy

    assert PrivacyService is privacy.PrivacyService
    assert (PURGE, PURGE_KEY) == ("privacy.purge", "privacy:purge")


# -- /forgetme --------------------------------------------------------------------------------
async def test_forget_runs_every_deleter_and_reports_counts(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)
    calls: list[tuple[str, int]] = []

    def deleter(name: str, count: int):
        async def delete(user_id: int) -> int:
            calls.append((name, user_id))
            return count

        return delete

    privacy.register("notes", deleter("notes", 2))
    privacy.register("moods", deleter("moods", 0))
    privacy.register("timers", deleter("timers", 5))
    await services.prefs.set(U, "region", "GB", clock())
    await services.prefs.set(U, "language", "es", clock(), guild_id=7)
    await services.prefs.set(OTHER, "region", "US", clock())

    removed = await privacy.forget(U)

    assert removed == {"preferences": 2, "notes": 2, "moods": 0, "timers": 5}
    assert calls == [("notes", U), ("moods", U), ("timers", U)]  # in registration order
    assert await services.prefs.all_for(U) == {}
    assert await services.prefs.all_for(OTHER) == {(0, "region"): "US"}


async def test_registering_a_name_again_replaces_its_deleter(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)

    async def old(user_id: int) -> int:
        raise AssertionError("replaced")

    async def new(user_id: int) -> int:
        return 1

    privacy.register("notes", old)
    privacy.register("notes", new)
    assert await privacy.forget(U) == {"preferences": 0, "notes": 1}


async def test_a_failing_deleter_is_not_reported_as_done(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)

    async def broken(user_id: int) -> int:
        raise RuntimeError("database is locked")

    privacy.register("notes", broken)
    with pytest.raises(RuntimeError):
        await privacy.forget(U)


async def test_delete_everything_on_one_question_deletes_and_reports_once(
    services: Services, clock: FakeClock
) -> None:
    """A /forgetme question answered "Delete everything" is claimed by its message id: a
    second press on it deletes nothing and reports nothing (None), another question does; a
    deletion that fails gives the claim back, so pressing again tries again."""
    privacy = PrivacyService(
        services.prefs, services.scheduler, 30, clock, answers=HandledEventRepository(services.db)
    )
    calls: list[int] = []

    async def notes(user_id: int) -> int:
        calls.append(user_id)
        if len(calls) == 1:
            raise RuntimeError("database on fire")
        return 1

    privacy.register("notes", notes)
    assert not await privacy.forgotten_by(700)
    with pytest.raises(RuntimeError):
        await privacy.forget_once(U, 700)
    assert not await privacy.forgotten_by(700)
    assert (await privacy.forget_once(U, 700))["notes"] == 1
    assert await privacy.forgotten_by(700)
    assert await privacy.forget_once(U, 700) is None
    assert calls == [U, U]
    assert not await privacy.forgotten_by(701)
    assert await privacy.forget_once(U, 701) is not None
    assert await privacy.forget_once(U, None) is not None  # no question to key: always runs
    assert calls == [U, U, U, U]


async def test_the_bot_claims_forgetme_answers(services: Services) -> None:
    assert services.privacy.answers is not None


async def test_the_bot_wires_a_deleter_for_every_feature(services: Services) -> None:
    assert set(services.privacy.deleters) >= {
        "support requests",
        "duty and shifts",
        "scheduled work",
        "crisis-alert records",
        "personal check-ins and moods",
    }
    removed = await services.privacy.forget(U)
    assert set(removed) == {"preferences", *services.privacy.deleters}
    assert sum(removed.values()) == 0  # nothing stored yet, nothing claimed


async def test_a_hooks_follow_up_is_handed_over_and_its_count_reported(
    services: Services, clock: FakeClock
) -> None:
    """A hook whose rows Discord still shows answers ``Deleted(count, follow_up)``: the count
    is reported like any other, the follow-up handed to the caller who asked for them."""
    privacy = standalone(services, clock)

    async def cards(user_id: int) -> Deleted:
        return Deleted(3, ("cards of", user_id))

    async def notes(user_id: int) -> int:
        return 1

    privacy.register("cards", cards)
    privacy.register("notes", notes)
    follow_ups: list[object] = []
    assert await privacy.forget(U, follow_ups) == {"preferences": 0, "cards": 3, "notes": 1}
    assert follow_ups == [("cards of", U)]
    assert (await privacy.forget(U))["cards"] == 3  # no list asked for: counts only
    once: list[object] = []
    assert (await privacy.forget_once(U, None, once))["cards"] == 3
    assert once == [("cards of", U)]


# -- the retention purge ----------------------------------------------------------------------
async def test_purge_runs_every_retention_hook_with_the_cutoff(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)
    seen: list[tuple[str, Cutoffs]] = []

    def purge(name: str, count: int):
        async def run(cutoff: Cutoffs) -> int:
            seen.append((name, cutoff))
            return count

        return run

    privacy.register_retention("transcripts", purge("transcripts", 3))
    privacy.register_retention("alerts", purge("alerts", 0))
    cutoff = clock() - timedelta(days=30)
    assert await privacy.purge(cutoff) == {"transcripts": 3, "alerts": 0}
    # a single cutoff is the same for every server
    assert seen == [("transcripts", Cutoffs(cutoff)), ("alerts", Cutoffs(cutoff))]


async def test_start_arms_the_first_purge_shortly_after_start(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)
    await privacy.start_retention()
    timer = await services.scheduler.get(PURGE_KEY)
    assert timer is not None
    assert timer.kind == PURGE
    assert timer.due_at == clock() + FIRST_PURGE_AFTER == clock() + timedelta(minutes=1)


async def test_a_restart_keeps_the_stored_purge_time(services: Services, clock: FakeClock) -> None:
    privacy = standalone(services, clock)
    await privacy.start_retention()
    first = await services.scheduler.get(PURGE_KEY)
    clock.advance(seconds=30)
    await standalone(services, clock).start_retention()  # the next start-up
    again = await services.scheduler.get(PURGE_KEY)
    assert again is not None and first is not None
    assert (again.id, again.due_at) == (first.id, first.due_at)
    assert len([t for t in await services.scheduler.timers.all() if t.kind == PURGE]) == 1


async def test_on_purge_deletes_older_than_retention_and_rearms_for_tomorrow(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock, days=14)
    cutoffs: list[Cutoffs] = []

    async def transcripts(cutoff: Cutoffs) -> int:
        cutoffs.append(cutoff)
        return 4

    privacy.register_retention("transcripts", transcripts)
    await privacy.start_retention()
    timer = await services.scheduler.get(PURGE_KEY)
    assert timer is not None
    clock.now = timer.due_at

    assert await privacy.on_purge(timer) == {"transcripts": 4}
    assert cutoffs == [Cutoffs(clock() - timedelta(days=14))]  # no server keeps less
    rearmed = await services.scheduler.get(PURGE_KEY)
    assert rearmed is not None and rearmed.kind == PURGE
    assert rearmed.due_at == clock() + PURGE_EVERY == clock() + timedelta(days=1)


async def test_a_failing_purge_still_leaves_tomorrows_purge_armed(
    services: Services, clock: FakeClock
) -> None:
    privacy = standalone(services, clock)

    async def broken(cutoff: datetime) -> int:
        raise RuntimeError("disk full")

    privacy.register_retention("transcripts", broken)
    await privacy.start_retention()
    timer = await services.scheduler.get(PURGE_KEY)
    assert timer is not None
    clock.now = timer.due_at
    with pytest.raises(RuntimeError):
        await privacy.on_purge(timer)
    rearmed = await services.scheduler.get(PURGE_KEY)
    assert rearmed is not None and rearmed.due_at == clock() + timedelta(days=1)


async def test_the_scheduler_runs_the_purge_when_due_and_it_rearms(
    services: Services, clock: FakeClock
) -> None:
    """start_retention registers the handler itself: the stored timer fires through the one
    scheduler, purges, and leaves exactly one purge timer for the next day."""
    purged: list[Cutoffs] = []

    async def transcripts(cutoff: Cutoffs) -> int:
        purged.append(cutoff)
        return 1

    services.privacy.register_retention("test transcripts", transcripts)
    await services.privacy.start_retention()
    await services.start()
    clock.advance(minutes=2)
    services.scheduler.wakeup()
    await services.scheduler.idle()

    days = services.config.privacy.retention_days
    assert purged == [Cutoffs(clock() - timedelta(days=days))]
    timers = [t for t in await services.scheduler.timers.all() if t.kind == PURGE]
    assert len(timers) == 1
    assert timers[0].key == PURGE_KEY and timers[0].due_at == clock() + timedelta(days=1)


async def test_the_wired_purges_remove_old_content_only(
    services: Services, clock: FakeClock
) -> None:
    """The bot's own retention hooks: an alert older than the period goes, a fresh one stays."""
    assert set(services.privacy.purges) >= {"conversation text", "crisis-alert records"}
    old = await services.safety.record_alert(10, U, 2, phrase_ids=("p",))
    clock.advance(days=31)
    fresh = await services.safety.record_alert(10, U, 2, phrase_ids=("p",))

    removed = await services.privacy.purge(clock() - timedelta(days=30))

    assert set(removed) == set(services.privacy.purges)
    assert removed["crisis-alert records"] == 1
    kept = await services.db.fetchall("SELECT id FROM safety_alerts")
    assert [row["id"] for row in kept] == [fresh] != [old]


async def test_the_purge_empties_a_closed_requests_topic_and_summary_not_a_live_ones(
    services: Services, clock: FakeClock
) -> None:
    """The words a member typed in the /support form (topic and summary) of a request closed
    before the cutoff go; its tags and status stay for /peers stats; a live request keeps them."""
    from bot.services.peers import PeerSettings

    await services.settings.update(10, PeerSettings, 1, peer_role_id=5, peer_channel_id=6)
    requests = services.peers.requests
    closed = (await requests.open(10, U, topic="who hurt me", summary="my words")).request
    await requests.close(closed.id, U)
    live = (await requests.open(10, OTHER, topic="still here", summary="still mine")).request
    clock.advance(days=31)

    await services.privacy.purge(clock() - timedelta(days=30))

    gone, kept = await requests.get(closed.id), await requests.get(live.id)
    assert gone is not None and (gone.topic, gone.summary) == ("", None)
    assert gone.status in ("cancelled", "closed")
    assert kept is not None and (kept.topic, kept.summary) == ("still here", "still mine")


async def test_a_server_keeping_content_for_less_has_it_purged_by_its_own_cutoff(
    services: Services, clock: FakeClock
) -> None:
    """``/peers limits retention_days``: a server that keeps content 7 days has its
    conversation text, a closed request's topic and summary and its alert records deleted
    after 7 days; a server with none set keeps the deployment's period (30), and one asking
    for more (60) still gets no more than the deployment's."""
    from bot.services.peers import PeerSettings

    short, unset, longer = 10, 20, 30
    requests = services.peers.requests
    opened = {}
    for guild in (short, unset, longer):
        await services.settings.update(guild, PeerSettings, 1, peer_role_id=5, peer_channel_id=6)
        request = (await requests.open(guild, U, topic="my topic", summary="my words")).request
        await requests.requests.add_relay_message(request.id, "member", "my text", clock())
        await requests.close(request.id, U)
        await services.safety.record_alert(guild, U, 2, phrase_ids=("p",))
        opened[guild] = request.id
    await services.settings.update(short, PeerSettings, 1, retention_days=7)
    await services.settings.update(longer, PeerSettings, 1, retention_days=60)

    async def kept(guild: int) -> tuple[bool, bool, bool]:
        row = await requests.get(opened[guild])
        alerts = await services.db.fetchall(
            "SELECT id FROM safety_alerts WHERE guild_id = ?", (guild,)
        )
        return (
            bool(await requests.requests.relay_messages(opened[guild])),
            row is not None and (row.topic, row.summary) == ("my topic", "my words"),
            bool(alerts),
        )

    clock.advance(days=6)
    await services.privacy.purge(await services.privacy.cutoffs())
    assert [await kept(g) for g in (short, unset, longer)] == [(True, True, True)] * 3

    clock.advance(days=2)  # 8 days: the short server's content is gone, only theirs
    await services.privacy.purge(await services.privacy.cutoffs())
    assert await kept(short) == (False, False, False)
    assert [await kept(g) for g in (unset, longer)] == [(True, True, True)] * 2
    gone = await requests.get(opened[short])
    assert gone is not None and (gone.topic, gone.summary) == ("", None)
    assert gone.status == "cancelled"  # closed before anyone took it; counted for stats

    clock.advance(days=23)  # 31 days: the deployment's upper bound, for every server
    await services.privacy.purge(await services.privacy.cutoffs())
    assert [await kept(g) for g in (unset, longer)] == [(False, False, False)] * 2


async def test_cutoffs_list_only_the_shorter_periods_servers_chose(
    services: Services, clock: FakeClock
) -> None:
    from bot.services.peers import PeerSettings

    privacy = services.privacy
    days = privacy.retention_days
    assert await privacy.cutoffs() == Cutoffs(clock() - timedelta(days=days))
    for guild, mine in ((1, 7), (2, 7), (3, 14), (4, days), (5, days + 30)):
        await services.settings.update(guild, PeerSettings, 1, retention_days=mine)
    assert await privacy.cutoffs() == Cutoffs(
        clock() - timedelta(days=days),
        ((7, clock() - timedelta(days=7)), (14, clock() - timedelta(days=14))),
    )


# -- the cards /forgetme clears ---------------------------------------------------------------
async def card_timers(services: Services) -> list:
    from bot.services.privacy import CARD_CLEAR

    return [t for t in await services.scheduler.timers.all() if t.kind == CARD_CLEAR]


async def test_forget_stores_each_cards_clearing_with_ids_only(
    services: Services, clock: FakeClock
) -> None:
    """The deletion stores, in its own transaction, a due ``privacy.card_clear`` timer per
    request card and per alert card posted about the member: ids and kind only, no words, no
    member id; cards of other members and a request never posted get none."""
    from bot.services.peers import PeerSettings
    from bot.services.privacy import CARD_CLEAR

    await services.settings.update(10, PeerSettings, 1, peer_role_id=5, peer_channel_id=6)
    requests = services.peers.requests
    mine = (await requests.open(10, U, topic="who hurt me", summary="words")).request
    await requests.attach_card(mine.id, 6, 600)
    other = (await requests.open(10, OTHER, topic="theirs")).request
    await requests.attach_card(other.id, 6, 601)
    alert = await services.safety.record_alert(10, U, 2, phrase_ids=("p",))
    await services.safety.alert_posted(alert, 7, 700)
    await services.safety.record_alert(10, U, 2, phrase_ids=("p",))  # never posted

    await services.privacy.forget(U)

    stored = sorted(await card_timers(services), key=lambda t: t.payload["message_id"])
    assert [(t.kind, t.guild_id, t.due_at) for t in stored] == [(CARD_CLEAR, 10, clock())] * 2
    assert [t.payload for t in stored] == [
        {"channel_id": 6, "message_id": 600, "card": "request", "number": mine.id, "live": True},
        {"channel_id": 7, "message_id": 700, "card": "alert"},
    ]
    card = services.privacy.on_card_clear(stored[0])
    assert (card.guild_id, card.channel_id, card.message_id, card.number) == (10, 6, 600, mine.id)
    assert card.jump_url == "https://discord.com/channels/10/6/600"


async def test_forget_marks_a_possible_concern_items_clearing_as_a_concern(
    services: Services, clock: FakeClock
) -> None:
    """A possible-concern item (the soft level) is cleared as what it was, not as a crisis
    alert: its stored clearing carries ``concern`` (a flag, no words), read back by
    ``on_card_clear``; a crisis alert's does not."""
    quiet = await services.safety.record_quiet_item(10, U, phrase_ids=("p",))
    await services.safety.alert_posted(quiet, 7, 700)
    alert = await services.safety.record_alert(10, U, 2, phrase_ids=("p",))
    await services.safety.alert_posted(alert, 7, 701)

    await services.privacy.forget(U)

    stored = sorted(await card_timers(services), key=lambda t: t.payload["message_id"])
    assert [t.payload for t in stored] == [
        {"channel_id": 7, "message_id": 700, "card": "alert", "concern": True},
        {"channel_id": 7, "message_id": 701, "card": "alert"},
    ]
    cards = [services.privacy.on_card_clear(t) for t in stored]
    assert [(c.card, c.concern) for c in cards] == [("alert", True), ("alert", False)]


async def test_forget_stores_the_deletion_of_each_relayed_copy_of_the_members_words(
    services: Services, clock: FakeClock
) -> None:
    """Kindred's copies of the member's words in a relay thread (ids recorded as they are
    sent) are read before the requests go: a due ``privacy.card_clear`` per copy, kind
    "relay", ids only, deleted rather than edited; another member's copies get none. A copy
    sent after the member forgot is not recorded (False: the Discord layer deletes it)."""
    from bot.services.peers import PeerSettings
    from bot.services.privacy import CARD_CLEAR

    await services.settings.update(10, PeerSettings, 1, peer_role_id=5, peer_channel_id=6)
    requests = services.peers.requests
    mine = (await requests.open(10, U, topic="family")).request
    other = (await requests.open(10, OTHER, topic="theirs")).request
    assert await requests.relayed_to_peer(mine, 801, 900)
    assert await requests.relayed_to_peer(mine, 802, 900)
    assert await requests.relayed_to_peer(other, 803, 901)

    await services.privacy.forget(U)

    stored = sorted(await card_timers(services), key=lambda t: t.payload["message_id"])
    assert [(t.kind, t.guild_id, t.due_at) for t in stored] == [(CARD_CLEAR, 10, clock())] * 2
    assert [t.payload for t in stored] == [
        {"channel_id": 900, "message_id": 801, "card": "relay", "number": mine.id},
        {"channel_id": 900, "message_id": 802, "card": "relay", "number": mine.id},
    ]
    copy = services.privacy.on_card_clear(stored[0])
    assert copy.deleted and (copy.channel_id, copy.message_id) == (900, 801)
    assert not await requests.relayed_to_peer(mine, 804, 900)  # forgotten meanwhile


async def test_forget_stores_the_edit_of_the_relay_threads_welcome_naming_the_member(
    services: Services, clock: FakeClock
) -> None:
    """The relay thread's welcome naming the member (its ids recorded as it is sent) gets a
    due ``privacy.card_clear`` of kind "relay_welcome", ids only, edited rather than
    deleted; recorded after the member forgot: False (the Discord layer edits it now)."""
    from bot.services.peers import PeerSettings
    from bot.services.privacy import CARD_CLEAR

    await services.settings.update(10, PeerSettings, 1, peer_role_id=5, peer_channel_id=6)
    requests = services.peers.requests
    mine = (await requests.open(10, U, topic="family")).request
    assert await requests.relay_welcomed(mine, 800, 900)
    assert await requests.relayed_to_peer(mine, 801, 900)

    await services.privacy.forget(U)

    stored = sorted(await card_timers(services), key=lambda t: t.payload["message_id"])
    assert [(t.kind, t.guild_id, t.due_at) for t in stored] == [(CARD_CLEAR, 10, clock())] * 2
    assert [t.payload for t in stored] == [
        {"channel_id": 900, "message_id": 800, "card": "relay_welcome", "number": mine.id},
        {"channel_id": 900, "message_id": 801, "card": "relay", "number": mine.id},
    ]
    welcome = services.privacy.on_card_clear(stored[0])
    assert welcome.relay_welcome and not welcome.deleted
    assert not await requests.relay_welcomed(mine, 805, 900)  # forgotten meanwhile


async def test_a_card_clearing_discord_failed_is_tried_again_later_and_later_up_to_an_hour(
    services: Services, clock: FakeClock
) -> None:
    from bot.services.privacy import CARD_CLEAR

    await services.scheduler.schedule_once(
        CARD_CLEAR,
        clock(),
        {"channel_id": 6, "message_id": 600, "card": "alert"},
        guild_id=10,
        key="privacy:card:6:600",
    )
    waits = []
    for _ in range(9):
        (timer,) = await card_timers(services)
        due = await services.privacy.card_clear_later(timer)
        waits.append(due - clock())
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert waits[-1] == timedelta(hours=1) and max(waits) == timedelta(hours=1)
    (timer,) = await card_timers(services)
    assert timer.payload["tries"] == 9 and timer.guild_id == 10


async def test_a_card_clearing_discord_fails_for_a_week_is_given_up_and_audited(
    services: Services, clock: FakeClock
) -> None:
    from bot.services.privacy import CARD_CLEAR, CARD_CLEAR_GAVE_UP

    await services.scheduler.schedule_once(
        CARD_CLEAR,
        clock(),
        {"channel_id": 6, "message_id": 600, "card": "alert"},
        guild_id=10,
        key="privacy:card:6:600",
    )
    waited = timedelta()
    while timers := await card_timers(services):
        (timer,) = timers
        due = await services.privacy.card_clear_later(timer)
        if due is None:
            break
        waited += due - clock()
        assert due - clock() <= timedelta(hours=1)
    assert due is None
    assert timedelta(days=7) <= waited < timedelta(days=7, hours=1)
    tries = timer.payload["tries"]
    (entry,) = [e for e in await services.audit.recent(10) if e.action == CARD_CLEAR_GAVE_UP]
    assert (entry.guild_id, entry.actor_id) == (10, None)
    assert entry.detail == {"channel_id": 6, "message_id": 600, "card": "alert", "tries": tries}


async def test_moderators_are_told_of_a_channel_refusing_card_edits_once_per_while(
    services: Services, clock: FakeClock
) -> None:
    from bot.services.privacy import CardToClear

    card = CardToClear(10, 6, 600, "request", 1, True)
    assert await services.privacy.card_refused_tell(card)
    assert not await services.privacy.card_refused_tell(CardToClear(10, 6, 601, "alert"))
    assert await services.privacy.card_refused_tell(CardToClear(10, 7, 700, "alert"))
    clock.advance(hours=6)
    assert await services.privacy.card_refused_tell(card)


async def test_a_restarted_bot_does_not_tell_the_moderators_again_within_six_hours(
    database_url: str, clock: FakeClock
) -> None:
    """When the moderators were told of a channel refusing card edits is stored: a fresh
    service over the same database (a restart) doesn't tell them again inside six hours."""
    from bot.config import Settings
    from bot.services import build_services
    from bot.services.privacy import CardToClear

    url = database_url if database_url.startswith("postgres") else None
    config = Settings(database={"path": database_url, "url": url})
    card = CardToClear(10, 6, 600, "request", 1, True)
    first = await build_services(config, clock=clock)
    try:
        assert await first.privacy.card_refused_tell(card)
    finally:
        await first.close()
    clock.advance(hours=5)
    restarted = await build_services(config, clock=clock)
    try:
        assert not await restarted.privacy.card_refused_tell(CardToClear(10, 6, 601, "alert"))
        clock.advance(hours=1)
        assert await restarted.privacy.card_refused_tell(card)
    finally:
        await restarted.close()
