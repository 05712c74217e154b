"""Support requests: intake rules, atomic claims, limits, escalation, close, privacy."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotConfiguredError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests import (
    AlreadyOpenError,
    BlockedError,
    EndedConversation,
    ForgottenRequests,
)
from tests.unit.conftest import FakeClock

GUILD = 10
MEMBER, OTHER, PEER, PEER2, MOD = 100, 101, 200, 201, 300


@pytest.fixture
async def peers(services: Services):
    bundle = services.peers
    await services.settings.update(
        GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6, max_open_per_peer=2
    )
    return bundle


async def test_not_set_up_is_explained(services: Services) -> None:
    bundle = services.peers
    with pytest.raises(NotConfiguredError, match="/peers setup"):
        await bundle.requests.open(GUILD, MEMBER)


async def test_intake_reports_queue_duty_and_matching(peers, services: Services) -> None:
    await peers.tags.add_guild_tag(GUILD, "grief")
    await peers.tags.set_peer_tags(GUILD, PEER2, ["grief"])
    await peers.duty.go_on(GUILD, PEER, None)
    await peers.duty.go_on(GUILD, PEER2, None)
    first = await peers.requests.open(GUILD, MEMBER, topic="a rough week", tags=["Grief"])
    assert first.position == 1
    assert sorted(first.on_duty) == [PEER, PEER2]
    assert first.ping == [PEER2]  # tag match first
    assert first.request.tags == ("grief",)
    second = await peers.requests.open(GUILD, OTHER)
    assert second.position == 2
    assert sorted(second.ping) == [PEER, PEER2]


async def test_a_requests_messages_speak_the_language_it_was_asked_in_unless_one_is_chosen(
    peers, services: Services
) -> None:
    """The language a request was asked in is kept with it (a code, normalized; anything
    else is not kept); its private messages use it unless the member chose one with
    ``/language set``, which wins; with neither, a DM's detected language, else English."""
    asked = (await peers.requests.open(GUILD, MEMBER, lang="de")).request
    assert asked.lang == "de" and (await peers.requests.get(asked.id)).lang == "de"
    assert await peers.requests.language_for(asked) == "de"
    assert await peers.requests.language_for(asked, "fr") == "de"  # asked beats detected
    await services.safety.set_language(MEMBER, "fr")
    assert await peers.requests.language_for(asked) == "fr"  # the member's choice wins
    await services.safety.clear_language(MEMBER)
    assert await peers.requests.language_for(asked) == "de"

    unknown = (await peers.requests.open(GUILD, OTHER, lang="klingon")).request
    assert unknown.lang is None
    assert await peers.requests.language_for(unknown) == "en"
    assert await peers.requests.language_for(unknown, "es") == "es"
    regional = (await peers.requests.open(GUILD, PEER2, lang="pt-BR")).request
    assert regional.lang == "pt"


async def test_a_topic_or_summary_longer_than_the_form_is_refused_never_cut(peers) -> None:
    """The form holds 100 and 1,000 characters; anything longer is refused whole (nothing
    opened) rather than stored without its end."""
    with pytest.raises(InvalidInputError, match="fits in 100 characters"):
        await peers.requests.open(GUILD, MEMBER, topic="t" * 101)
    with pytest.raises(InvalidInputError, match="what's going on in 1000"):
        await peers.requests.open(GUILD, MEMBER, summary="s" * 1001)
    words = "  " + "w" * 1000 + "  "
    opened = await peers.requests.open(GUILD, MEMBER, topic="t" * 100, summary=words)
    assert (opened.request.topic, opened.request.summary) == ("t" * 100, "w" * 1000)


async def test_a_topic_and_summary_are_tidied_as_goals_and_plans_are(peers) -> None:
    """Only invisible characters is nothing (the card says "No topic given."); control and
    format characters (a right-to-left override) never reach the peers; line breaks stay."""
    blank = await peers.requests.open(GUILD, MEMBER, topic="\u200b\u2060 ", summary="\u200b\n")
    assert (blank.request.topic, blank.request.summary) == ("", None)
    opened = await peers.requests.open(
        GUILD, OTHER, topic="sad\u202egnihton\n", summary="I am \u202eko ton\n\n\n\nreally\x00"
    )
    assert (opened.request.topic, opened.request.summary) == ("sadgnihton", "I am ko ton\n\nreally")


async def test_second_request_shows_the_open_one(peers) -> None:
    first = await peers.requests.open(GUILD, MEMBER)
    with pytest.raises(AlreadyOpenError) as info:
        await peers.requests.open(GUILD, MEMBER)
    assert info.value.request.id == first.request.id


async def test_an_unknown_tag_is_left_out_and_the_request_still_opens(peers) -> None:
    await peers.tags.add_guild_tag(GUILD, "grief")
    intake = await peers.requests.open(
        GUILD,
        MEMBER,
        topic="my dad",
        summary="he died last month",
        tags=["grief", " loss ", "LOSS"],
    )
    assert intake.request.tags == ("grief",)
    assert (intake.request.topic, intake.request.summary) == ("my dad", "he died last month")
    assert intake.unknown_tags == ("loss",)  # trimmed, named once
    assert intake.server_tags == ("grief",)
    assert (await peers.requests.live_for(GUILD, MEMBER)).id == intake.request.id


async def test_only_unknown_tags_opens_the_request_without_tags(peers) -> None:
    intake = await peers.requests.open(GUILD, MEMBER, tags=["astrology"])
    assert intake.request.tags == ()
    assert intake.unknown_tags == ("astrology",) and intake.server_tags == ()


async def test_daily_limit(peers, services: Services, clock) -> None:
    await services.settings.update(GUILD, PeerSettings, MOD, max_requests_per_day=1)
    await peers.requests.open(GUILD, MEMBER)
    await peers.requests.cancel_own(GUILD, MEMBER)
    with pytest.raises(LimitReachedError, match="/crisis"):
        await peers.requests.open(GUILD, MEMBER)
    clock.advance(hours=25)
    await peers.requests.open(GUILD, MEMBER)


async def test_blocked_member_is_told_kindly(peers) -> None:
    await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    with pytest.raises(BlockedError, match="You still matter"):
        await peers.requests.open(GUILD, MEMBER)


async def test_concurrent_claims_have_exactly_one_winner(peers) -> None:
    intake = await peers.requests.open(GUILD, MEMBER)
    results = await asyncio.gather(
        peers.requests.claim(intake.request.id, PEER),
        peers.requests.claim(intake.request.id, PEER2),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], ConflictError)
    assert f"<@{winners[0].claimed_by}>" in losers[0].user_message


async def test_own_request_and_limit(peers) -> None:
    own = await peers.requests.open(GUILD, PEER)
    with pytest.raises(PermissionDeniedError, match="your own request"):
        await peers.requests.claim(own.request.id, PEER)
    ids = [(await peers.requests.open(GUILD, uid)).request.id for uid in (1, 2, 3)]
    await peers.requests.claim(ids[0], PEER)
    await peers.requests.claim(ids[1], PEER)
    with pytest.raises(LimitReachedError):
        await peers.requests.claim(ids[2], PEER)


async def test_unclaim_transfer_and_close(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    with pytest.raises(PermissionDeniedError):
        await peers.requests.unclaim(req.id, PEER2)
    with pytest.raises(InvalidInputError, match="not on duty"):
        await peers.requests.transfer(req.id, PEER, PEER2, [5])
    await peers.duty.go_on(GUILD, PEER2, None)
    moved = await peers.requests.transfer(req.id, PEER, PEER2, [5])
    assert moved.claimed_by == PEER2
    back = await peers.requests.unclaim(req.id, PEER2)
    assert back.status == "open" and back.claimed_by is None
    with pytest.raises(PermissionDeniedError):
        await peers.requests.close(req.id, OTHER)
    closed = await peers.requests.close(req.id, MEMBER)
    assert closed.status == "cancelled"
    with pytest.raises(ConflictError, match="already withdrawn"):
        await peers.requests.close(req.id, MEMBER)


async def test_closing_a_closed_conversation_says_it_is_already_closed(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    await peers.requests.close(req.id, PEER)
    for who in (MEMBER, PEER):
        with pytest.raises(ConflictError, match="already closed") as info:
            await peers.requests.close(req.id, who)
        assert "try again" not in info.value.user_message


async def test_a_close_that_loses_a_race_with_another_close_says_already_closed(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    results = await asyncio.gather(
        peers.requests.close(req.id, MEMBER),
        peers.requests.close(req.id, PEER),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], ConflictError) and "already closed" in errors[0].user_message


async def test_escalation_chain_is_stored_and_stops_on_claim(peers, services: Services) -> None:
    await peers.duty.go_on(GUILD, PEER, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    (timer,) = await services.scheduler.timers.all()
    assert timer.payload == {
        "request_id": req.id,
        "level": 1,
        "base": req.created_at.isoformat(),
    }
    step = await peers.requests.escalate(req.id, 1)
    assert step is not None and step.ping == [PEER] and not step.alert_moderators
    (timer,) = await services.scheduler.timers.all()
    assert timer.payload["level"] == 2
    await peers.requests.escalate(req.id, 2)
    step3 = await peers.requests.escalate(req.id, 3)
    assert step3 is not None and step3.alert_moderators and step3.next_at is None
    await peers.requests.claim(req.id, PEER)
    kinds = sorted(t.kind for t in await services.scheduler.timers.all())
    assert kinds == ["request.idle", "request.open_check"]
    await peers.requests.attach_conversation(req.id, 555)  # the thread exists: check done
    kinds = sorted(t.kind for t in await services.scheduler.timers.all())
    assert kinds == ["request.idle"]
    assert await peers.requests.escalate(req.id, 1) is None


async def test_a_claim_whose_conversation_never_opened_goes_back_to_the_queue(
    peers, services: Services, clock
) -> None:
    await peers.duty.go_on(GUILD, PEER, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    # ...the process dies here, before any thread or relay exists...
    (check,) = [t for t in await services.scheduler.timers.all() if t.kind == "request.open_check"]
    assert check.due_at == clock.now + timedelta(minutes=3)
    back = await peers.requests.recover_unopened(req.id)
    assert back is not None and back.status == "open" and back.claimed_by is None
    kinds = sorted(t.kind for t in await services.scheduler.timers.all())
    # the chain restarts and no idle timer is left for nobody (the check's own row is
    # deleted by the dispatcher once its handler returns)
    assert kinds == ["request.escalate", "request.open_check"]
    # a request whose conversation did open is left alone
    await peers.requests.claim(req.id, PEER)
    await peers.requests.attach_conversation(req.id, 777)
    assert await peers.requests.recover_unopened(req.id) is None
    assert (await peers.requests.get(req.id)).status == "claimed"


async def test_feedback_only_after_close_and_counts_in_stats(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    with pytest.raises(ConflictError):
        await peers.requests.feedback(req.id, MEMBER, "helped")
    await peers.requests.close(req.id, PEER)
    with pytest.raises(PermissionDeniedError):
        await peers.requests.feedback(req.id, PEER, "helped")
    await peers.requests.feedback(req.id, MEMBER, "helped")
    stats = await peers.requests.stats(GUILD, days=7)
    assert stats.opened == 1 and stats.claimed == 1 and stats.closed == 1
    assert stats.feedback == {"helped": 1, "somewhat": 0, "not_really": 0}
    assert stats.median_claim is not None


async def test_feedback_is_only_a_count_and_counts_once(
    peers, services: Services, clock: FakeClock
) -> None:
    """Members are told only counts are kept: the answer is in no row with them or the peer."""
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    await peers.requests.close(req.id, PEER)
    await peers.requests.feedback(req.id, MEMBER, "not_really")
    with pytest.raises(ConflictError, match="already answered"):
        await peers.requests.feedback(req.id, MEMBER, "helped")  # a second press
    assert (await peers.requests.get(req.id)).feedback_given
    counts = await services.db.fetchall("SELECT * FROM support_feedback_counts")
    assert [dict(r) for r in counts] == [
        {"guild_id": GUILD, "month": clock.now.strftime("%Y-%m"), "answer": "not_really",
         "answers": 1}
    ]  # fmt: skip
    assert (await peers.requests.stats(GUILD, days=7)).feedback["not_really"] == 1
    # /forgetme deletes the member's requests; the anonymous count stays
    await services.privacy.forget(MEMBER)
    assert (await peers.requests.stats(GUILD, days=7)).feedback["not_really"] == 1


async def test_stats_count_feedback_by_whole_months(peers, clock: FakeClock) -> None:
    for member in (MEMBER, OTHER):
        if member == OTHER:
            clock.advance(days=40)  # the next answer is two months later
        req = (await peers.requests.open(GUILD, member)).request
        await peers.requests.claim(req.id, PEER)
        await peers.requests.close(req.id, PEER)
        await peers.requests.feedback(req.id, member, "helped")
    stats = await peers.requests.stats(GUILD, days=7)
    assert stats.feedback["helped"] == 1  # the months the week touches, not the earlier one
    assert stats.feedback_since == (clock.now - timedelta(days=7)).date().replace(day=1)
    assert (await peers.requests.stats(GUILD, days=90)).feedback["helped"] == 2


async def test_forget_deletes_requests_and_timers(peers, services: Services) -> None:
    await peers.requests.open(GUILD, MEMBER, summary="private words")
    removed = await services.privacy.forget(MEMBER)
    assert removed["support requests"] >= 1
    assert await peers.requests.live_for(GUILD, MEMBER) is None
    assert await services.scheduler.timers.all() == []


async def test_forget_says_which_cards_and_conversations_discord_still_shows(
    peers, services: Services
) -> None:
    """The deletion reads each request as it goes: its card (live or ended) for the Discord
    layer to clear, and the conversation going on (thread, peer) to close; no timer is left
    to close it later or ask for feedback. Other members' requests are untouched."""
    ended = (await peers.requests.open(GUILD, MEMBER, topic="before")).request
    await peers.requests.attach_card(ended.id, 6, 600)
    await peers.requests.cancel_own(GUILD, MEMBER)
    live = (await peers.requests.open(GUILD, MEMBER, topic="now")).request
    await peers.requests.attach_card(live.id, 6, 601)
    await peers.requests.claim(live.id, PEER)
    await peers.requests.attach_conversation(live.id, 900)
    other = (await peers.requests.open(GUILD, OTHER)).request
    follow_ups: list[object] = []
    removed = await services.privacy.forget(MEMBER, follow_ups)
    assert removed["support requests"] == 2
    (forgotten,) = follow_ups
    assert isinstance(forgotten, ForgottenRequests)
    clearings = sorted(
        (t.payload["number"], t.payload["message_id"], t.payload["live"])
        for t in await services.scheduler.timers.all()
        if t.kind == "privacy.card_clear"
    )
    assert clearings == [(ended.id, 600, False), (live.id, 601, True)]
    assert forgotten.conversations == (EndedConversation(live.id, 900, PEER, False),)
    assert await peers.requests.get(other.id) is not None
    keys = [t.key or "" for t in await services.scheduler.timers.all()]
    assert not [k for k in keys if k.startswith(f"request:{live.id}:")]
    with pytest.raises(NotFoundError, match="already ended"):
        await peers.requests.to_close_here(live.id, GUILD)


async def test_a_peers_forget_requeues_what_they_held_as_losing_the_role_does(
    peers, services: Services
) -> None:
    """A peer's /forgetme: each request they held is open again (its escalation restarted),
    handed to the Discord layer with the on-duty peers to ping (never the ex-peer), read after
    their id left it; requests they no longer hold are not requeued, and no id of theirs is
    left on any request."""
    await peers.duty.go_on(GUILD, PEER, None)
    await peers.duty.go_on(GUILD, PEER2, None)
    held = (await peers.requests.open(GUILD, MEMBER, topic="now")).request
    await peers.requests.claim(held.id, PEER)
    await peers.requests.attach_conversation(held.id, 900)
    closed = (await peers.requests.open(GUILD, OTHER)).request
    await peers.requests.claim(closed.id, PEER)
    await peers.requests.close(closed.id, PEER)
    follow_ups: list[object] = []
    await services.privacy.forget(PEER, follow_ups)
    (forgotten,) = follow_ups
    assert isinstance(forgotten, ForgottenRequests)
    assert forgotten.conversations == ()
    (back,) = forgotten.requeued
    assert back.request.id == held.id and back.request.status == "open"
    assert back.request.claimed_by is None and back.request.thread_id == 900
    assert back.ping == [PEER2]
    assert await services.scheduler.get(f"request:{held.id}:escalate") is not None
    for request_id in (held.id, closed.id):
        row = await peers.requests.get(request_id)
        assert PEER not in (row.claimed_by, row.closed_by, row.preferred_peer)
    assert not [k for k in peers.requests.peers_seen if k[1] == PEER]


async def test_unclaim_restarts_the_escalation_chain_instead_of_firing_it(
    peers, services: Services, clock
) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    clock.advance(hours=1)
    await peers.requests.unclaim(req.id, PEER)
    (timer,) = [t for t in await services.scheduler.timers.all() if t.kind == "request.escalate"]
    assert timer.due_at == clock.now + timedelta(minutes=10)
    from datetime import datetime

    step = await peers.requests.escalate(req.id, 1, datetime.fromisoformat(timer.payload["base"]))
    assert step is not None and step.next_at == clock.now + timedelta(minutes=20)


async def test_transfer_never_reveals_an_anonymous_member(peers) -> None:
    await peers.duty.go_on(GUILD, MEMBER, None)  # the member happens to be a peer on duty
    req = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    await peers.requests.claim(req.id, PEER)
    with pytest.raises(InvalidInputError) as to_member:
        await peers.requests.transfer(req.id, PEER, MEMBER, [5])
    with pytest.raises(InvalidInputError) as to_other:
        await peers.requests.transfer(req.id, PEER, OTHER, [5])
    assert to_member.value.user_message.replace(str(MEMBER), "X") == (
        to_other.value.user_message.replace(str(OTHER), "X")
    )


async def test_pings_do_not_reveal_an_anonymous_member_who_is_on_duty(peers) -> None:
    await peers.duty.go_on(GUILD, MEMBER, None)
    await peers.duty.go_on(GUILD, PEER, None)
    intake = await peers.requests.open(GUILD, MEMBER, anonymous=True)
    assert sorted(intake.ping) == sorted(intake.on_duty)


async def test_cancel_racing_a_claim_never_cancels_a_claimed_request(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    results = await asyncio.gather(
        peers.requests.claim(req.id, PEER),
        peers.requests.cancel_own(GUILD, MEMBER),
        return_exceptions=True,
    )
    final = await peers.requests.get(req.id)
    # Never "withdrawn" while a peer holds it: either the claim lost, or the member's
    # cancel closed (or was refused for) the claimed conversation.
    assert not (final.status == "cancelled" and final.claimed_by is not None)
    if final.status == "cancelled":
        assert isinstance(results[0], Exception)


async def test_forgetting_keeps_a_moderators_block_and_drops_timers_naming_the_member(
    peers, services: Services, clock
) -> None:
    await peers.blocks.block(GUILD, MEMBER, "spam", 900)
    await services.scheduler.schedule_once(
        "duty.expire", clock.now + timedelta(hours=1), {"guild_id": GUILD, "user_id": MEMBER}
    )
    await services.scheduler.schedule_once(
        "safety.alert_retry", clock.now + timedelta(minutes=1), {"member_id": MEMBER}
    )
    await services.scheduler.schedule_once(
        "duty.expire", clock.now + timedelta(hours=1), {"guild_id": GUILD, "user_id": 77}
    )
    removed = await services.privacy.forget(MEMBER)
    assert removed["scheduled work"] == 2
    left = await services.scheduler.timers.all()
    assert [t.payload["user_id"] for t in left] == [77]
    # /forgetme is not a way around a block
    assert await peers.requests.blocks.is_blocked(GUILD, MEMBER)


async def test_stats_busiest_hours_are_by_the_given_zones_clock(peers, clock: FakeClock) -> None:
    """Stored times are UTC; the busiest hours are grouped by the reader's clock (Kolkata is
    half an hour off UTC: 12:10 and 12:40 UTC fall in two of its hours), UTC by default."""
    clock.now = clock.now.replace(hour=12, minute=10)
    await peers.requests.open(GUILD, MEMBER)
    clock.advance(minutes=30)
    await peers.requests.open(GUILD, MEMBER + 1)
    utc = await peers.requests.stats(GUILD, 7)
    assert (utc.zone, utc.busiest_hours) == ("UTC", [(12, 2)])
    kolkata = await peers.requests.stats(GUILD, 7, "Asia/Kolkata")
    assert (kolkata.zone, kolkata.busiest_hours) == ("Asia/Kolkata", [(17, 1), (18, 1)])
    other = await peers.requests.stats(GUILD + 1, 7, "Asia/Kolkata")
    assert other.busiest_hours == []


@pytest.mark.parametrize("days", [0, -1, 366, 10**9, -(10**18)])
async def test_stats_refuses_days_out_of_range_instead_of_overflowing(peers, days: int) -> None:
    from bot.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        await peers.requests.stats(GUILD, days)
