"""Which copies carry a relayed message, for its edit or deletion to reach them (ids only)."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from bot.services.requests import TO_MEMBER, TO_PEER
from tests.unit.test_requests_outcomes import MEMBER, PEER, peers, relayed  # noqa: F401

DM, THREAD = 555, 777


async def test_a_relayed_message_has_its_copies_in_order_both_ways(peers) -> None:  # noqa: F811
    req = await relayed(peers, transcript=False)
    assert await peers.requests.thread_message(THREAD, PEER, "long words", message_id=9001)
    await peers.requests.relayed_copy(req, 9102, 9001, DM)
    await peers.requests.relayed_copy(req, 9101, 9001, DM)  # parts: in the order sent
    route = await peers.requests.route_dm(MEMBER, "thank you", message_id=9002)
    assert route.relay_to is not None
    assert await peers.requests.relayed_to_peer(req, 9201, THREAD, 9002)
    assert await peers.requests.relayed_in(9001) == req.id
    to_member = await peers.requests.relayed_copies(9001, from_member=False)
    assert to_member is not None and to_member.to == TO_MEMBER
    assert to_member.copies == ((DM, 9101), (DM, 9102)) and to_member.lang == "en"
    to_peer = await peers.requests.relayed_copies(9002, from_member=True)
    assert to_peer is not None and to_peer.to == TO_PEER and to_peer.copies == ((THREAD, 9201),)
    # never relayed: nothing
    assert await peers.requests.relayed_in(9003) is None
    assert await peers.requests.relayed_copies(9003, from_member=True) is None


async def test_a_deleted_message_has_its_copies_taken_once(peers) -> None:  # noqa: F811
    req = await relayed(peers, transcript=False)
    await peers.requests.relayed_copy(req, 9101, 9001, DM)
    taken = await peers.requests.withdraw_copies(9001, from_member=False)
    assert taken is not None and taken.copies == ((DM, 9101),)
    assert await peers.requests.withdraw_copies(9001, from_member=False) is None  # twice


async def test_copies_go_with_the_retention_purge_and_the_members_data(
    peers,  # noqa: F811
    services: Services,
) -> None:
    req = await relayed(peers, transcript=False)
    await peers.requests.relayed_copy(req, 9101, 9001, DM)
    await peers.requests.requests.purge_content_before(services.clock() + timedelta(days=31))
    assert await peers.requests.relayed_copies(9001, from_member=False) is None
    await peers.requests.relayed_copy(req, 9102, 9003, DM)
    await services.privacy.forget(MEMBER)
    assert await services.db.fetchval("SELECT COUNT(*) FROM relay_copy_sources") == 0
