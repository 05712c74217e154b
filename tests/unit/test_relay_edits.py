"""Which copies carry a relayed message, for its edit or deletion to reach them (ids only)."""

from __future__ import annotations

from datetime import timedelta

from bot.services import Services
from bot.services.requests import TO_MEMBER, TO_PEER
from bot.services.requests.edits import COPY_EDIT, COPY_WITHDRAW, CopyToWithdraw, EditToRetry
from tests.unit.test_requests_outcomes import GUILD, MEMBER, PEER, peers, relayed  # noqa: F401

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


async def test_a_deleted_message_keeps_each_copy_until_discord_deleted_it(
    peers,  # noqa: F811
) -> None:
    """A copy's record goes only once Discord deleted it (or it was gone): a deletion Discord
    failed for a moment leaves it to be deleted later; a second delivery of the deletion
    after both went finds none."""
    req = await relayed(peers, transcript=False)
    await peers.requests.relayed_copy(req, 9101, 9001, DM)
    await peers.requests.relayed_copy(req, 9102, 9001, DM)
    taken = await peers.requests.withdraw_copies(9001, from_member=False)
    assert taken is not None and taken.copies == ((DM, 9101), (DM, 9102))
    await peers.requests.copies_dropped([9101])  # deleted; 9102 failed for a moment
    again = await peers.requests.withdraw_copies(9001, from_member=False)
    assert again is not None and again.copies == ((DM, 9102),)
    await peers.requests.copies_dropped([9102])
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


async def test_an_edit_travels_only_while_the_conversation_goes_on_where_it_was_written(
    peers,  # noqa: F811
) -> None:
    """An edit reaches copies only while the relay is on (claimed), toward the peer only
    into the request's current relay thread, from the peer only from it; a deletion still
    finds every copy (withdrawing words is always right)."""
    req = await relayed(peers, transcript=False)
    await peers.requests.relayed_copy(req, 9101, 9001, DM)  # the peer's words in the DMs
    assert await peers.requests.relayed_to_peer(req, 9201, THREAD, 9002)  # the member's
    assert await peers.requests.relayed_copies(9001, from_member=False, source_channel_id=THREAD)
    # the conversation moved: back in the queue, another relay thread now
    assert await peers.requests.conversation_gone(THREAD) is not None
    assert await peers.requests.relayed_copies(9002, from_member=True) is None
    await peers.requests.claim(req.id, PEER)
    moved = await peers.requests.attach_conversation(req.id, THREAD + 1, relay=True)
    assert moved.thread_id == THREAD + 1
    assert await peers.requests.relayed_copies(9002, from_member=True) is None
    old = await peers.requests.relayed_copies(9001, from_member=False, source_channel_id=THREAD)
    assert old is None  # the old thread's words don't edit the member's DMs any more
    # ended: no edit either way, but deletions still find their copies
    await peers.requests.close(req.id, PEER)
    assert await peers.requests.relayed_copies(9001, from_member=False) is None
    assert (await peers.requests.withdraw_copies(9001, from_member=False)).copies == ((DM, 9101),)
    assert (await peers.requests.withdraw_copies(9002, from_member=True)).copies == (
        (THREAD, 9201),
    )


async def test_a_copy_discord_failed_to_delete_is_a_stored_retry_of_ids(
    peers,  # noqa: F811
    services: Services,
) -> None:
    """Discord failed for a moment to delete a copy: a stored retry with ids only, waiting
    longer each time, given up after a week of failures."""
    req = await relayed(peers, transcript=False)
    copy = CopyToWithdraw(req.id, DM, 9101, THREAD, from_member=False)
    due = await peers.requests.withdraw_later(copy, GUILD)
    assert due == services.clock() + timedelta(seconds=30)
    (timer,) = [t for t in await services.scheduler.timers.all() if t.kind == COPY_WITHDRAW]
    assert timer.key == "request:copy:9101" and timer.guild_id == GUILD
    assert set(timer.payload) == {
        "request_id", "channel_id", "copy_id", "source_channel_id", "from_member", "tries",
    }  # fmt: skip
    assert peers.requests.on_copy_withdraw(timer) == copy
    later = await peers.requests.copy_withdraw_later(timer)
    assert later == services.clock() + timedelta(minutes=1)
    assert await peers.requests.withdraw_later(copy, GUILD, tries=400) is None


async def test_a_transcript_line_follows_its_messages_edit_and_deletion(
    peers,  # noqa: F811
    services: Services,
) -> None:
    """A transcript line knows its message: an edit gives it the new words, a deletion takes
    it out (closed conversations too); a line stored before it knew (no id) stays."""
    req = await relayed(peers, transcript=True)
    assert await peers.requests.thread_message(THREAD, PEER, "about Sam's mum", message_id=9001)
    await peers.requests.route_dm(MEMBER, "see you Munday", message_id=9002)
    await peers.requests.requests.add_relay_message(req.id, "peer", "older", services.clock())
    await peers.requests.transcript_edited(9002, "see you Monday")
    await peers.requests.transcript_edited(9002, "   ")  # no words: the line keeps its own
    await peers.requests.withdraw_copies(9001, from_member=False)
    lines = [(a, c) for a, c, _ in await peers.requests.transcript(req.id)]
    assert lines == [("member", "see you Monday"), ("peer", "older")]


async def test_an_edit_discord_failed_to_make_is_one_stored_retry_of_ids(
    peers,  # noqa: F811
    services: Services,
) -> None:
    """Discord failed for a moment to edit a message's copies: one stored retry a minute
    later, ids only (a second failure replaces it), under the request's prefix."""
    req = await relayed(peers, transcript=False)
    edit = EditToRetry(req.id, 9201, THREAD, from_member=False)
    due = await peers.requests.edit_later(edit, GUILD)
    assert due == services.clock() + timedelta(minutes=1)
    await peers.requests.edit_later(edit, GUILD)
    (timer,) = [t for t in await services.scheduler.timers.all() if t.kind == COPY_EDIT]
    assert timer.key == f"request:{req.id}:copy_edit:9201" and timer.guild_id == GUILD
    assert set(timer.payload) == {"request_id", "source_id", "source_channel_id", "from_member"}
    assert peers.requests.on_copy_edit(timer) == edit
