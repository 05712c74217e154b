"""The peer holding a request is still a peer: a holder found without the peer role (looked up
at a timer, or by their own message) or out of the server gives back what they hold."""

from __future__ import annotations

import pytest

from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests.holders import HOLDER_RECHECK, NoLongerAPeerError
from tests.unit.conftest import FakeClock

GUILD = 10
MEMBER, OTHER, PEER, PEER2, MOD = 100, 101, 200, 201, 300
PEER_ROLE = 5
RECHECK = HOLDER_RECHECK.total_seconds()


@pytest.fixture
async def peers(services: Services):
    await services.settings.update(
        GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=6, max_open_per_peer=3
    )
    return services.peers


async def held_request(peers, peer_id: int = PEER, member_id: int = MEMBER) -> int:
    request = (await peers.requests.open(GUILD, member_id)).request
    await peers.requests.require_peer(GUILD, peer_id, [PEER_ROLE])
    await peers.requests.claim(request.id, peer_id)
    return request.id


async def test_a_holder_who_still_has_the_role_keeps_the_request(peers) -> None:
    held = await held_request(peers)
    assert await peers.requests.check_holder(held, PEER, [7, PEER_ROLE]) == []
    request = await peers.requests.get(held)
    assert request.status == "claimed" and request.claimed_by == PEER


@pytest.mark.parametrize("roles", [[7], None], ids=["role-gone", "left-the-server"])
async def test_a_holder_without_the_role_gives_back_everything_they_hold(
    peers, services: Services, clock: FakeClock, roles
) -> None:
    """Found at a timer of one request: every request they hold goes back, by the ordinary
    unclaim (escalation restarts from now), they go off duty, and the on-duty peers are
    pinged, not the ex-peer."""
    await peers.shifts.go_on(GUILD, PEER, "2h")
    await peers.shifts.go_on(GUILD, PEER2)
    first = await held_request(peers)
    second = await held_request(peers, member_id=OTHER)
    kept = await held_request(peers, peer_id=PEER2, member_id=MOD)
    clock.advance(hours=25)
    back = await peers.requests.check_holder(first, PEER, roles)
    assert [b.request.id for b in back] == [first, second]
    assert all(b.request.status == "open" and b.request.claimed_by is None for b in back)
    assert all(b.ping == [PEER2] for b in back)
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await services.scheduler.get(f"duty:{GUILD}:{PEER}") is None
    for request_id in (first, second):
        timer = await services.scheduler.get(f"request:{request_id}:escalate")
        assert timer is not None and timer.payload["level"] == 1
        assert timer.payload["base"] == clock.now.isoformat()
        assert await services.scheduler.get(f"request:{request_id}:idle") is None
    assert [r.id for r in await peers.requests.held_by(GUILD, PEER2)] == [kept]


async def test_roles_of_someone_who_no_longer_holds_the_request_change_nothing(peers) -> None:
    """A look-up answered after the request was transferred (or closed) is about someone else."""
    await peers.shifts.go_on(GUILD, PEER2)
    held = await held_request(peers)
    await peers.requests.transfer(held, PEER, PEER2, [PEER_ROLE])
    assert await peers.requests.check_holder(held, PEER, []) == []
    assert (await peers.requests.get(held)).claimed_by == PEER2
    await peers.requests.close(held, PEER2)
    assert await peers.requests.check_holder(held, PEER2, None) == []
    assert (await peers.requests.get(held)).status == "closed"


async def test_a_transfer_to_an_on_duty_peer_without_the_role_is_refused_and_ends_their_duty(
    peers,
) -> None:
    """The one chosen to take a request over is checked as at their own peer action: without
    the role (or out of the server) they are refused, taken off duty, and what they held goes
    back to the queue; the request stays with its peer."""
    await peers.duty.go_on(GUILD, PEER2, None)
    held = await held_request(peers)
    for roles in ([7], None):
        await peers.duty.go_on(GUILD, PEER2, None)
        with pytest.raises(NoLongerAPeerError, match="no longer has the peer supporter role"):
            await peers.requests.transfer(held, PEER, PEER2, roles)
        assert (await peers.requests.get(held)).claimed_by == PEER
        assert not await peers.duty.is_on_duty(GUILD, PEER2)


async def test_without_a_peer_role_set_nothing_is_judged(peers, services: Services) -> None:
    held = await held_request(peers)
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=None)
    assert await peers.requests.check_holder(held, PEER, []) == []
    assert (await peers.requests.get(held)).claimed_by == PEER


async def test_a_timer_always_looks_the_holder_up_and_only_while_someone_holds_it(peers) -> None:
    held = await held_request(peers)
    assert (await peers.requests.holder_to_check(held)).claimed_by == PEER
    await peers.requests.unclaim(held, PEER)
    assert await peers.requests.holder_to_check(held) is None
    assert await peers.requests.holder_to_check(held, member_wrote=True) is None
    assert await peers.requests.holder_to_check(999) is None


async def test_the_members_messages_look_the_holder_up_at_most_every_few_minutes(
    peers, clock: FakeClock
) -> None:
    """The claim showed the holder with the role; their look-up is due again only after
    HOLDER_RECHECK, and a look-up (or their own message) counts as seeing them."""
    held = await held_request(peers)
    assert await peers.requests.holder_to_check(held, member_wrote=True) is None
    clock.advance(seconds=RECHECK - 1)
    assert await peers.requests.holder_to_check(held, member_wrote=True) is None
    clock.advance(seconds=1)
    assert (await peers.requests.holder_to_check(held, member_wrote=True)).id == held
    assert await peers.requests.holder_to_check(held, member_wrote=True) is None
    clock.advance(seconds=RECHECK)
    await peers.requests.check_holder(held, PEER, [PEER_ROLE])  # they wrote, with the role
    assert await peers.requests.holder_to_check(held, member_wrote=True) is None
    clock.advance(seconds=RECHECK)
    assert (await peers.requests.holder_to_check(held, member_wrote=True)).id == held


async def test_on_duty_peers_are_looked_up_once_per_recheck_and_an_ex_peer_goes_off_duty(
    peers, clock: FakeClock
) -> None:
    """At an escalation step: peers not seen with the role for the recheck time are due a
    look-up (once: the look-up counts as seeing them); one without the role goes off duty and
    gives back what they hold, one with it stays."""
    await peers.shifts.go_on(GUILD, PEER)
    await peers.shifts.go_on(GUILD, PEER2)
    held = await held_request(peers)  # PEER seen as a peer now
    assert peers.requests.on_duty_to_check(GUILD, [PEER, PEER2]) == [PEER2]
    assert peers.requests.on_duty_to_check(GUILD, [PEER, PEER2]) == []  # both seen now
    clock.advance(seconds=RECHECK + 1)
    assert peers.requests.on_duty_to_check(GUILD, [PEER, PEER2]) == [PEER, PEER2]
    assert await peers.requests.check_on_duty(GUILD, PEER2, [7, PEER_ROLE]) is None
    back = await peers.requests.check_on_duty(GUILD, PEER, [7])
    assert back is not None and [b.request.id for b in back] == [held]
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    assert await peers.duty.is_on_duty(GUILD, PEER2)
    assert await peers.requests.check_on_duty(GUILD, PEER2, None) == []  # left: off duty too
    assert not await peers.duty.is_on_duty(GUILD, PEER2)
