"""The member of a private-thread conversation left the server: the conversation goes on by the
DM relay in the same thread (once), or closes when they can't be DMed; the member is looked
up at most once a minute when their peer writes."""

from __future__ import annotations

import re

import pytest

from bot.i18n import available_languages
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests.departures import (
    member_left_member_text,
    member_left_peer_text,
    member_left_unsure_text,
)
from tests.unit.conftest import FakeClock

GUILD = 10
MEMBER, PEER, MOD = 100, 200, 300
THREAD = 555


@pytest.fixture
async def claimed(services: Services):
    requests = services.peers.requests
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    await services.peers.duty.go_on(GUILD, PEER, None)
    intake = await requests.open(GUILD, MEMBER, topic="rough week")
    await requests.claim(intake.request.id, PEER)
    return await requests.attach_conversation(intake.request.id, THREAD)


async def test_the_member_is_looked_up_when_the_peer_writes_at_most_once_a_minute(
    services: Services, claimed, clock: FakeClock
) -> None:
    requests = services.peers.requests
    assert await requests.member_to_check(THREAD, MEMBER) is None  # the member wrote
    assert await requests.member_to_check(999, PEER) is None  # not a conversation
    assert (await requests.member_to_check(THREAD, PEER)).id == claimed.id
    assert await requests.member_to_check(THREAD, PEER) is None
    clock.advance(seconds=59)
    assert await requests.member_to_check(THREAD, PEER) is None
    clock.advance(seconds=2)
    assert (await requests.member_to_check(THREAD, PEER)).id == claimed.id


async def test_a_member_who_left_moves_the_conversation_to_the_relay_once(
    services: Services, claimed
) -> None:
    requests = services.peers.requests
    assert (await requests.member_left_thread(GUILD, MEMBER)).id == claimed.id
    moved = await requests.member_left(claimed.id)
    assert moved is not None and moved.relay and moved.thread_id == THREAD
    assert moved.status == "claimed" and moved.claimed_by == PEER
    assert await requests.member_left(claimed.id) is None  # once
    assert await requests.member_left_thread(GUILD, MEMBER) is None
    assert await requests.member_to_check(THREAD, PEER) is None  # a relay now
    route = await requests.route_dm(MEMBER, "hello again", 1)
    assert route.relay_to is not None and route.relay_to.id == claimed.id


async def test_a_member_who_left_and_cannot_be_reached_has_the_request_closed(
    services: Services, claimed
) -> None:
    requests = services.peers.requests
    await requests.member_left(claimed.id)
    closed = await requests.close_member_left(claimed.id)
    assert closed is not None and closed.status == "closed"
    assert closed.close_reason == "member_left" and closed.closed_by is None
    assert await requests.close_member_left(claimed.id) is None
    kinds = [t.kind for t in await services.scheduler.timers.all()]
    assert "request.idle" not in kinds


async def test_the_message_that_found_the_member_gone_is_the_departures_to_carry(
    services: Services, claimed
) -> None:
    """Taken before the switch: the relay, reading the thread as switched, doesn't carry it."""
    requests = services.peers.requests
    moved = await requests.member_left(claimed.id, 77)
    assert moved is not None and moved.relay
    assert await requests.thread_message(THREAD, PEER, "are you there?", 77) is None
    assert await requests.thread_message(THREAD, PEER, "hello?", 78) is not None
    assert not await requests.closed_member_left(claimed.id)
    await requests.close_member_left(claimed.id)
    assert await requests.closed_member_left(claimed.id)


async def test_a_message_not_switched_here_is_given_back_to_the_relay(
    services: Services, claimed
) -> None:
    requests = services.peers.requests
    await requests.member_left(claimed.id)  # switched already (the leave event)
    assert await requests.member_left(claimed.id, 77) is None
    assert await requests.thread_message(THREAD, PEER, "are you there?", 77) is not None


async def test_an_open_request_is_not_a_conversation_to_move(services: Services) -> None:
    requests = services.peers.requests
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    intake = await requests.open(GUILD, MEMBER)
    assert await requests.member_left_thread(GUILD, MEMBER) is None
    assert await requests.member_left(intake.request.id) is None


def test_the_texts_name_nobody_and_read_in_each_language() -> None:
    assert "#3" in member_left_member_text(3, False)
    assert "without your name" in member_left_member_text(3, True)
    assert "no longer in this server" in member_left_peer_text(3)
    assert "closed" in member_left_peer_text(3, reached=False)
    assert "ya no está en este servidor" in member_left_peer_text(3, "es")
    assert "serveur" in member_left_member_text(3, False, "fr")
    english = _departure_texts(7, "en")
    for lang in available_languages():
        for which, text in _departure_texts(7, lang).items():
            # the request's number is the only number (7: no digit of the member's id 100 or
            # the peer's 200): no id, no mention, no placeholder left for a name
            assert re.findall(r"\d+", text) == ["7"], (lang, which, text)
            for absent in (str(MEMBER), str(PEER), "<@", "{", "}"):
                assert absent not in text, (lang, which, absent, text)
            assert lang == "en" or text != english[which], (lang, which, text)


def _departure_texts(number: int, lang: str) -> dict[str, str]:
    """Every text of a departure, each case, for request ``number`` in ``lang``."""
    return {
        "member": member_left_member_text(number, False, lang),
        "member, anonymous": member_left_member_text(number, True, lang),
        "peer": member_left_peer_text(number, lang),
        "peer, closed": member_left_peer_text(number, lang, reached=False),
        "peer, unsure": member_left_unsure_text(number, lang),
    }


async def test_a_conversation_closed_after_it_was_read_is_not_moved_to_the_relay(
    services: Services, claimed
) -> None:
    """A Close pressed between the read and the switch (or another process switching first):
    the switch is one conditional update, so a closed request never becomes a relay."""
    requests = services.peers.requests
    stale = await requests.requests.get(claimed.id)  # as read before the Close press
    await requests.close(claimed.id, PEER)
    real_get = requests.requests.get

    async def stale_get(request_id: int):
        return stale if request_id == claimed.id else await real_get(request_id)

    requests.requests.get = stale_get  # type: ignore[method-assign]
    try:
        assert await requests.member_left(claimed.id) is None
    finally:
        requests.requests.get = real_get  # type: ignore[method-assign]
    stored = await requests.requests.get(claimed.id)
    assert stored.status == "closed" and not stored.relay


async def test_the_switch_to_the_relay_is_made_by_one_caller_only(
    services: Services, claimed
) -> None:
    repository = services.peers.requests.requests
    assert await repository.switch_to_relay(claimed.id)
    assert not await repository.switch_to_relay(claimed.id)  # twice: the second does nothing
    assert (await repository.get(claimed.id)).relay
