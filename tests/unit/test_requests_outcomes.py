"""Decisions the support cog used to make itself, now in RequestService: which request a
button or ``/support action:close`` means, who may act, who is pinged, what follows a close,
where a DM goes, and what each ``request.*`` timer outcome tells the Discord layer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.errors import ConflictError, NotConfiguredError, NotFoundError, PermissionDeniedError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.requests import (
    CATCH_UP_MAX,
    PICKED_UP,
    RELAY_RETRY,
    TO_MEMBER,
    TO_PEER,
    BlockedError,
    CatchUp,
    DmRoute,
    MissedRelay,
    NotInServerError,
    PendingRelay,
    TimerRow,
    require_member,
)
from bot.services.requests.messages import escalation_update_text, intake_answer_text
from bot.services.requests.relay import first_id_after
from bot.services.requests.relay_retry import RELAY_RETRY_AFTER

GUILD, OTHER_GUILD = 10, 11
MEMBER, OTHER, PEER, PEER2, MOD = 100, 101, 200, 201, 300
PEER_ROLE = 5


@pytest.fixture
async def peers(services: Services):
    await services.settings.update(
        GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=6
    )
    return services.peers


async def timer(services: Services, kind: str) -> TimerRow:
    (row,) = [t for t in await services.scheduler.timers.all() if t.kind == kind]
    return row


# -- buttons and commands ---------------------------------------------------------------------
async def test_a_button_from_another_server_reveals_nothing(peers) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    assert (await peers.requests.get_here(req.id, GUILD)).id == req.id
    assert (await peers.requests.get_here(req.id, None)).id == req.id  # in DMs
    with pytest.raises(NotFoundError) as forged:
        await peers.requests.get_here(req.id, OTHER_GUILD)
    with pytest.raises(NotFoundError) as missing:
        await peers.requests.get_here(999, GUILD)
    assert forged.value.user_message == f"There is no request #{req.id} here."
    assert "no longer exists" in missing.value.user_message


async def test_peer_actions_need_the_peer_role_and_losing_it_ends_duty(peers) -> None:
    await peers.duty.go_on(GUILD, PEER, None)
    await peers.requests.require_peer(GUILD, PEER, [1, PEER_ROLE])
    assert await peers.duty.is_on_duty(GUILD, PEER)
    with pytest.raises(PermissionDeniedError, match="Only peer supporters"):
        await peers.requests.require_peer(GUILD, PEER, [1])
    assert not await peers.duty.is_on_duty(GUILD, PEER)
    with pytest.raises(PermissionDeniedError):
        await peers.requests.require_peer(GUILD, OTHER, None)  # not a member here


async def test_peer_actions_in_a_server_without_peer_support_say_how_to_set_it_up(
    services: Services,
) -> None:
    with pytest.raises(NotConfiguredError, match="/peers setup"):
        await services.peers.requests.require_peer(GUILD, PEER, [PEER_ROLE])


async def test_only_the_holder_may_transfer_or_ask_for_backup(peers) -> None:
    for peer in (PEER, PEER2, MEMBER):
        await peers.duty.go_on(GUILD, peer, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    claimed = await peers.requests.claim(req.id, PEER)
    with pytest.raises(PermissionDeniedError, match="can transfer it"):
        peers.requests.check_transfer(claimed, PEER2)
    with pytest.raises(PermissionDeniedError, match="can ask for backup"):
        await peers.requests.backup(claimed, PEER2)
    peers.requests.check_transfer(claimed, PEER)
    # backup pings the other on-duty peers: not the holder, not the (named) member
    assert await peers.requests.backup(claimed, PEER) == [PEER2]


async def test_unclaiming_pings_the_other_peers(peers) -> None:
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    back = await peers.requests.release(req.id, PEER)
    assert back.request.status == "open" and back.request.claimed_by is None
    assert back.ping == [PEER2]
    with pytest.raises(PermissionDeniedError):
        await peers.requests.release(req.id, PEER)  # no longer theirs


async def test_close_here_finds_the_thread_then_the_server_then_the_latest_anywhere(
    peers, services: Services
) -> None:
    await services.settings.update(
        OTHER_GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=7
    )
    here = (await peers.requests.open(GUILD, MEMBER)).request
    there = (await peers.requests.open(OTHER_GUILD, MEMBER)).request
    await peers.requests.claim(there.id, PEER)
    await peers.requests.attach_conversation(there.id, 555)
    # in the conversation's thread, whoever asks
    assert (await peers.requests.closable_here(555, GUILD, PEER)).id == there.id
    # elsewhere in a server: the member's own request there
    assert (await peers.requests.closable_here(42, GUILD, MEMBER)).id == here.id
    # in DMs: the latest live request anywhere
    assert (await peers.requests.closable_here(None, None, MEMBER)).id == there.id
    with pytest.raises(NotFoundError, match="no open support conversation"):
        await peers.requests.closable_here(42, GUILD, OTHER)
    await peers.requests.close(there.id, MEMBER)
    with pytest.raises(NotFoundError):  # a closed conversation's thread
        await peers.requests.closable_here(555, None, PEER)


async def test_after_close_follows_up_only_when_a_peer_took_part(peers, services) -> None:
    withdrawn = (await peers.requests.open(GUILD, MEMBER)).request
    closed = await peers.requests.close(withdrawn.id, MEMBER)
    assert await peers.requests.after_close(closed) is None

    req = (await peers.requests.open(GUILD, OTHER)).request
    await peers.requests.claim(req.id, PEER)
    await peers.requests.request_transcript(req.id, OTHER)
    closed = await peers.requests.close(req.id, PEER)
    follow = await peers.requests.after_close(closed)
    assert follow is not None
    assert (follow.member_id, follow.peer_id) == (OTHER, PEER)
    assert follow.send_transcript and follow.ask_feedback

    await services.settings.update(GUILD, PeerSettings, MOD, feedback=False)
    follow = await peers.requests.after_close(closed)
    assert follow is not None and not follow.ask_feedback


async def test_an_unanswered_dm_plea_is_routed_to_the_offer_outside_a_relayed_request(
    peers,
) -> None:
    """The Safety cog left a DM unanswered: a plea gets the offer of a peer, a wish for a
    therapist the honest answer, anything else nothing; with a relayed request live the
    relay has answered it (its conversation or waiting note)."""
    route = await peers.requests.plea_route(MEMBER, "necesito hablar con alguien")
    assert route.offer_intake and not route.professional and route.lang == "es"
    route = await peers.requests.plea_route(MEMBER, "I need to talk to a therapist")
    assert route.professional and not route.offer_intake and route.lang == "en"
    route = await peers.requests.plea_route(MEMBER, "I need to talk to my boss")
    assert not route.offer_intake and not route.professional
    await peers.requests.open(GUILD, MEMBER, anonymous=True)
    route = await peers.requests.plea_route(MEMBER, "I need to talk")
    assert not route.offer_intake and not route.professional


# -- the relay --------------------------------------------------------------------------------
async def relayed(peers, *, transcript: bool):
    req = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    await peers.requests.claim(req.id, PEER)
    if transcript:
        await peers.requests.request_transcript(req.id, MEMBER)
    return await peers.requests.attach_conversation(req.id, 777, relay=True)


async def test_a_members_dm_goes_to_their_relay_and_is_kept_only_for_a_transcript(peers) -> None:
    req = await relayed(peers, transcript=False)
    route = await peers.requests.route_dm(MEMBER, "hello, anyone there?")
    assert route.relay_to is not None and route.relay_to.id == req.id
    assert not route.offer_intake
    assert await peers.requests.transcript(req.id) == []

    await peers.requests.request_transcript(req.id, MEMBER)
    await peers.requests.route_dm(MEMBER, "I need to talk")  # in a relay: carried, not a plea
    assert await peers.requests.relay_transcript(req.id) == ["You: I need to talk"]


async def test_a_long_relayed_message_is_kept_whole_for_the_transcript(peers) -> None:
    req = await relayed(peers, transcript=True)
    long_text = "word " * 700 + "THE END"  # 3,507 characters: a Nitro member's long message
    await peers.requests.route_dm(MEMBER, long_text)
    assert await peers.requests.relay_transcript(req.id) == [f"You: {long_text}"]


async def test_a_relayed_message_without_words_leaves_no_transcript_line(peers) -> None:
    """A picture or sticker alone is not passed on (the cog tells its sender): it counts as
    activity, but the transcript gets no empty line for it."""
    req = await relayed(peers, transcript=True)
    route = await peers.requests.route_dm(MEMBER, "", 9100)
    assert route.relay_to is not None and route.relay_to.id == req.id
    assert await peers.requests.thread_message(777, PEER, "", 9101) is not None
    await peers.requests.route_dm(MEMBER, "thanks", 9102)
    assert await peers.requests.relay_transcript(req.id) == ["You: thanks"]


async def test_a_transcript_asked_for_after_the_close_marks_nothing(peers) -> None:
    req = await relayed(peers, transcript=False)
    await peers.requests.route_dm(MEMBER, "words said before anyone asked to keep them")
    await peers.requests.close(req.id, PEER)
    asked = await peers.requests.request_transcript(req.id, MEMBER)
    # closed: nothing is marked or kept now; the cog sends what is there (here: nothing)
    assert not asked.live and not asked.transcript
    assert await peers.requests.relay_transcript(req.id) == []
    with pytest.raises(PermissionDeniedError):
        await peers.requests.request_transcript(req.id, PEER)


async def two_relays(peers, services: Services):
    """MEMBER in relayed conversations in GUILD (with PEER) and OTHER_GUILD (with PEER2)."""
    await services.settings.update(
        OTHER_GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=7
    )
    first = await relayed(peers, transcript=True)
    second = (await peers.requests.open(OTHER_GUILD, MEMBER, anonymous=True)).request
    await peers.requests.claim(second.id, PEER2)
    await peers.requests.request_transcript(second.id, MEMBER)
    return first, await peers.requests.attach_conversation(second.id, 778, relay=True)


async def test_with_two_relays_a_reply_goes_to_the_conversation_it_answers(
    peers, services: Services
) -> None:
    first, second = await two_relays(peers, services)
    await peers.requests.relayed_copy(first, 5000)  # Kindred's DM carrying PEER's words
    route = await peers.requests.route_dm(MEMBER, "to the first", 6000, reply_to=5000)
    assert route.relay_to is not None and route.relay_to.id == first.id
    # a reply to the member's own relayed DM goes where that one went
    again = await peers.requests.route_dm(MEMBER, "and more", 6001, reply_to=6000)
    assert again.relay_to is not None and again.relay_to.id == first.id
    assert await peers.requests.relay_transcript(second.id) == []


async def test_with_two_relays_a_dm_is_held_until_the_member_chooses_never_guessed(
    peers, services: Services
) -> None:
    first, second = await two_relays(peers, services)
    asked = await peers.requests.route_dm(MEMBER, "which one?", 7000)
    assert asked.relay_to is None and [r.id for r in asked.choose] == [first.id, second.id]
    # a reply to something that is no relayed message is no answer either
    later = await peers.requests.route_dm(MEMBER, "still here", 7001, reply_to=123)
    assert later == DmRoute()  # held with the first: asked once
    assert await peers.requests.route_dm(MEMBER, "which one?", 7000) == DmRoute()  # twice
    for request in (first, second):
        assert await peers.requests.relay_transcript(request.id) == []  # nothing kept yet
    with pytest.raises(NotFoundError):
        await peers.requests.choose_relay(OTHER, first.id)  # not theirs
    chosen, held = await peers.requests.choose_relay(MEMBER, first.id)
    assert chosen.id == first.id and held == [7000, 7001]
    assert await peers.requests.relay_chosen(chosen, 7000, "which one?")
    assert not await peers.requests.relay_chosen(chosen, 7000, "which one?")  # once
    assert await peers.requests.relay_transcript(first.id) == ["You: which one?"]
    assert await peers.requests.choose_relay(MEMBER, second.id) == (second, [])
    await peers.requests.close(second.id, PEER2)
    with pytest.raises(ConflictError, match="ended"):
        await peers.requests.choose_relay(MEMBER, second.id)


async def test_a_dm_without_a_relay_is_a_plea_or_nothing(peers) -> None:
    plea = await peers.requests.route_dm(OTHER, "I need to talk")
    assert plea.offer_intake and plea.lang == "en" and plea.waiting is None
    route = await peers.requests.route_dm(OTHER, "thanks!")
    assert route.relay_to is None and not route.offer_intake and route.waiting is None
    spanish = await peers.requests.route_dm(OTHER, "necesito hablar con alguien")
    assert spanish.offer_intake and spanish.lang == "es"
    # a request in a thread is not talked about in DMs: a plea there is still a plea
    await peers.requests.open(GUILD, OTHER)
    assert (await peers.requests.route_dm(OTHER, "I need to talk")).offer_intake


async def test_a_dm_asking_for_a_therapist_is_answered_in_its_language(peers) -> None:
    """Kindred can't connect anyone with a therapist: the route says so (``professional``),
    with the language, and is no plea; a therapist named in passing is nothing."""
    route = await peers.requests.route_dm(OTHER, "I need to talk to a therapist")
    assert route.professional and not route.offer_intake and route.lang == "en"
    spanish = await peers.requests.route_dm(OTHER, "necesito hablar con un psicólogo")
    assert spanish.professional and spanish.lang == "es"
    plea = await peers.requests.route_dm(OTHER, "I need to talk to someone")
    assert plea.offer_intake and not plea.professional
    passing = await peers.requests.route_dm(OTHER, "my therapist said hi")
    assert not passing.professional and not passing.offer_intake and passing.lang is None


async def test_a_dm_asking_for_help_gets_the_note_once_an_hour_outside_a_relay(
    peers, clock
) -> None:
    """ "help" or "hello": the note on how to reach a peer, in the DM's language, at most once
    an hour per member; a plea, an ask for a therapist or other words: not this note; a
    member with a relayed request: never (their DMs are the peer's, or the waiting note's)."""
    assert await peers.requests.dm_help_due(OTHER, "help") == "en"
    assert await peers.requests.dm_help_due(OTHER, "hello?") is None
    assert await peers.requests.dm_help_due(PEER, "hola") == "es"  # each member their own
    clock.advance(minutes=59)
    assert await peers.requests.dm_help_due(OTHER, "help") is None
    clock.advance(minutes=1)
    assert await peers.requests.dm_help_due(OTHER, "help") == "en"
    for words in ("I need to talk", "I need to talk to a therapist", "my therapist said hi"):
        assert await peers.requests.dm_help_due(PEER2, words) is None
    await peers.requests.open(GUILD, MEMBER, anonymous=True)  # relayed, waiting
    assert await peers.requests.dm_help_due(MEMBER, "help") is None


async def test_the_block_rule_is_asked_per_server_before_a_form_is_offered(
    peers, services: Services
) -> None:
    await services.settings.update(
        OTHER_GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=7
    )
    await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    with pytest.raises(BlockedError):
        await peers.requests.refuse_blocked(GUILD, MEMBER)
    await peers.requests.refuse_blocked(OTHER_GUILD, MEMBER)  # not blocked there
    await peers.requests.refuse_blocked(GUILD, OTHER)
    with pytest.raises(BlockedError):  # the same rule as opening a request
        await peers.requests.open(GUILD, MEMBER)


async def test_a_member_whose_request_waits_is_told_so_once_per_request_every_ten_minutes(
    peers, services: Services, clock
) -> None:
    """One note, then nothing for ten minutes however much they write (nothing kept: not
    the words, not the message ids); another request of theirs has its own note."""
    req = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    assert (await peers.requests.route_dm(MEMBER, "hello?", message_id=9200)).waiting
    for n in range(3):
        clock.advance(minutes=3)
        quiet = await peers.requests.route_dm(MEMBER, f"words {n}", message_id=9201 + n)
        assert quiet == DmRoute(), quiet
    clock.advance(minutes=1)  # ten minutes since the note
    again = await peers.requests.route_dm(MEMBER, "still nobody?")
    assert again.waiting is not None and again.waiting.id == req.id and again.position == 1
    assert not (await peers.requests.route_dm(MEMBER, "and now?")).waiting
    await services.settings.update(
        OTHER_GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=7
    )
    other = (await peers.requests.open(OTHER_GUILD, MEMBER, anonymous=True)).request
    assert (await peers.requests.route_dm(MEMBER, "hi")).waiting.id == other.id
    assert await peers.requests.transcript(req.id) == []
    for table in ("relay_messages", "relayed_messages"):
        assert await services.db.fetchall(f"SELECT * FROM {table}") == [], table


async def test_a_dm_while_a_relayed_request_waits_for_its_peer_is_answered_not_kept(
    peers, services: Services, clock
) -> None:
    """Before a peer is connected nobody can read the member's words: the route says so
    (with their place in the queue, then that the conversation is being opened) and keeps
    nothing, a plea included (they already have a request)."""
    await peers.requests.open(GUILD, OTHER)
    req = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    waiting = await peers.requests.route_dm(MEMBER, "hello? is anyone there", message_id=9100)
    assert waiting.waiting is not None and waiting.waiting.id == req.id
    assert waiting.position == 2
    assert waiting.relay_to is None and not waiting.offer_intake
    clock.advance(minutes=10)  # the note is said at most this often
    plea = await peers.requests.route_dm(MEMBER, "necesito hablar")
    assert plea.waiting is not None and not plea.offer_intake and plea.lang == "es"

    await peers.requests.claim(req.id, PEER)  # claimed, the relay thread not open yet
    clock.advance(minutes=10)
    opening = await peers.requests.route_dm(MEMBER, "still there?")
    assert opening.waiting is not None and opening.position is None
    await peers.requests.request_transcript(req.id, MEMBER)
    await peers.requests.attach_conversation(req.id, 777, relay=True)
    assert await peers.requests.transcript(req.id) == []
    # the same Discord message is not marked as relayed: nothing was carried
    assert (await peers.requests.route_dm(MEMBER, "again", message_id=9100)).relay_to is not None


async def test_thread_messages_relay_the_peer_and_count_as_activity(
    peers, services: Services, clock
) -> None:
    req = await relayed(peers, transcript=True)
    first_idle = (await timer(services, "request.idle")).due_at
    clock.advance(hours=1)
    carried = await peers.requests.thread_message(777, PEER, "I'm here for you")
    assert carried is not None and carried.id == req.id
    assert await peers.requests.relay_transcript(req.id) == ["Peer: I'm here for you"]
    assert (await timer(services, "request.idle")).due_at > first_idle  # activity re-arms
    # someone else in the relay thread (a moderator) is not carried to the member
    assert await peers.requests.thread_message(777, MOD, "checking in") is None
    assert await peers.requests.thread_message(12345, PEER, "not a conversation") is None
    await peers.requests.close(req.id, PEER)
    assert await peers.requests.thread_message(777, PEER, "after the close") is None


async def test_a_message_delivered_twice_is_relayed_once(peers, services: Services) -> None:
    """Two sessions (a rolling restart, two processes) see the same Discord message: the
    relayed_messages key lets only the first carry it across, in both directions."""
    req = await relayed(peers, transcript=True)
    assert await peers.requests.thread_message(777, PEER, "I'm here", message_id=9001)
    assert await peers.requests.thread_message(777, PEER, "I'm here", message_id=9001) is None
    first = await peers.requests.route_dm(MEMBER, "thank you", message_id=9002)
    again = await peers.requests.route_dm(MEMBER, "thank you", message_id=9002)
    assert first.relay_to is not None and first.relay_to.id == req.id
    assert again.relay_to is None and not again.offer_intake
    assert await peers.requests.relay_transcript(req.id) == ["Peer: I'm here", "You: thank you"]
    raced = await asyncio.gather(
        *(peers.requests.thread_message(777, PEER, "once", message_id=9003) for _ in range(5))
    )
    assert len([r for r in raced if r is not None]) == 1
    # ids only, gone with the retention purge
    clock_later = services.clock() + timedelta(days=31)
    await peers.requests.requests.purge_content_before(clock_later)
    assert await services.db.fetchval("SELECT COUNT(*) FROM relayed_messages") == 0


async def test_a_thread_conversation_is_never_relayed(peers, clock) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    await peers.requests.attach_conversation(req.id, 888)
    clock.advance(minutes=5)
    assert await peers.requests.thread_message(888, PEER, "hello") is None
    assert (await peers.requests.get(req.id)).last_activity == clock.now
    assert await peers.requests.transcript(req.id) == []


async def test_a_deleted_conversation_thread_puts_the_request_back_in_its_place(
    peers, services: Services
) -> None:
    """Relay or private thread: the request is open again (it keeps its place: the queue goes
    by number), its escalation starts again, the other on-duty peers are pinged and the peer
    who held it is named to be told; a second delivery of the event changes nothing."""
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    first = await relayed(peers, transcript=False)
    second = (await peers.requests.open(GUILD, OTHER)).request
    await peers.requests.claim(second.id, PEER)
    await peers.requests.attach_conversation(second.id, 888)
    for req, thread_id in ((first, 777), (second, 888)):
        gone = await peers.requests.conversation_gone(thread_id)
        assert gone is not None and gone.peer_id == PEER and gone.ping == [PEER2]
        assert gone.request.id == req.id
        assert gone.request.status == "open" and gone.request.claimed_by is None
        assert await services.scheduler.get(f"request:{req.id}:escalate") is not None
        assert await services.scheduler.get(f"request:{req.id}:idle") is None
        assert await peers.requests.conversation_gone(thread_id) is None  # told once
    assert [r.id for r in await peers.requests.queue(GUILD)] == [first.id, second.id]
    assert await peers.requests.position(await peers.requests.get(first.id)) == 1
    # the member writing now is told their request waits again, and nothing is relayed
    route = await peers.requests.route_dm(MEMBER, "are you there?")
    assert route.relay_to is None and route.waiting is not None and route.position == 1


async def test_a_deleted_thread_of_no_claimed_request_changes_nothing(peers) -> None:
    assert await peers.requests.conversation_gone(999) is None  # not a conversation
    req = await relayed(peers, transcript=False)
    closed = await peers.requests.close(req.id, MEMBER)
    assert await peers.requests.conversation_gone(777) is None  # closed: its thread may go
    assert (await peers.requests.get(req.id)).status == closed.status == "closed"
    again = await relayed(peers, transcript=False)  # a new request, claimed and relayed
    await peers.requests.attach_conversation(again.id, 778, relay=True)
    assert await peers.requests.conversation_gone(777) is None  # an old thread, not its own
    assert (await peers.requests.get(again.id)).status == "claimed"


async def test_dm_pleas_are_offered_only_servers_with_peer_support(peers, services) -> None:
    await services.settings.update(OTHER_GUILD, PeerSettings, MOD, peer_channel_id=9)  # no role
    assert await peers.requests.support_guilds() == [GUILD]


async def test_a_request_from_someone_no_longer_in_the_server_is_refused_and_never_stored(
    peers, services: Services
) -> None:
    """Its peers couldn't reach them: refused (the cog adds the lines), no request, no
    timer; Discord unable to say whether they are in it (None) lets the request through."""
    await peers.duty.go_on(GUILD, PEER, None)
    with pytest.raises(NotInServerError) as refused:
        await peers.requests.open(GUILD, MEMBER, topic="bad night", in_server=False)
    assert "no longer a member" in refused.value.user_message
    assert await peers.requests.live_for(GUILD, MEMBER) is None
    assert not await services.scheduler.timers.all()
    with pytest.raises(NotInServerError):
        require_member(False)
    require_member(None)
    require_member(True)
    intake = await peers.requests.open(GUILD, MEMBER, in_server=None)
    assert intake.request.requester_id == MEMBER


# -- timer outcomes ---------------------------------------------------------------------------
async def test_escalation_outcome_says_how_long_and_whether_the_card_is_missing(
    peers, services: Services, clock
) -> None:
    await peers.duty.go_on(GUILD, PEER, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None
    assert step.level == 1 and step.waited_minutes == 10 and step.repost_card
    assert step.ping == [PEER] and step.position == 1
    await peers.requests.attach_card(req.id, 6, 66)
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None and step.level == 2 and step.waited_minutes == 20
    assert not step.repost_card
    await peers.requests.claim(req.id, PEER)
    assert await peers.requests.escalate(req.id, 3) is None


async def test_escalation_leaves_out_a_peer_who_holds_the_most_allowed(
    peers, services: Services, clock
) -> None:
    """One rule for every ping: a peer at ``max_open_per_peer`` can't claim, so no step
    (nor a requeue's ping) names them; one who gave a conversation back is free again."""
    await services.settings.update(GUILD, PeerSettings, MOD, max_open_per_peer=1)
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    held = (await peers.requests.open(GUILD, OTHER)).request
    await peers.requests.claim(held.id, PEER)
    intake = await peers.requests.open(GUILD, MEMBER)
    assert intake.ping == [PEER2]
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None and step.level == 1 and step.ping == [PEER2]
    assert sorted(step.on_duty) == [PEER, PEER2]  # on duty, but not free
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None and step.level == 2 and step.ping == [PEER2]
    assert await peers.requests.peers_to_ping(intake.request) == [PEER2]
    # a call for backup is help with a held conversation, not one more to hold: it reaches them
    backup = await peers.requests.peers_to_ping(intake.request, to_claim=False)
    assert sorted(backup) == [PEER, PEER2]
    await peers.requests.unclaim(held.id, PEER)
    assert sorted(await peers.requests.peers_to_ping(intake.request)) == [PEER, PEER2]


async def test_an_escalation_step_does_not_count_the_member_who_asked(
    peers, services: Services, clock
) -> None:
    """A peer asking for support can't take their own request: the member's update counts
    neither them on duty nor them reminded; the moderators' count leaves them out too,
    except for an anonymous request (a count depending on who asked would show who it is)."""
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    await peers.requests.open(GUILD, PEER)
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None and sorted(step.on_duty) == [PEER, PEER2]
    assert step.others_on_duty == [PEER2] and step.others_pinged == [PEER2]
    assert step.on_duty_for_moderators == [PEER2]
    await peers.requests.cancel_own(GUILD, PEER)
    for t in await services.scheduler.timers.all():
        await services.scheduler.cancel(t.key)
    await peers.requests.open(GUILD, PEER2, anonymous=True)
    clock.advance(minutes=10)
    step = await peers.requests.on_escalate(await timer(services, "request.escalate"))
    assert step is not None and sorted(step.ping) == [PEER, PEER2]  # anonymous: every peer
    assert step.others_on_duty == [PEER] and step.others_pinged == [PEER]
    assert sorted(step.on_duty_for_moderators) == [PEER, PEER2]


async def test_an_intake_counts_as_free_only_the_peers_who_can_take_it(
    peers, services: Services
) -> None:
    """What the member's answer counts: on-duty peers under ``max_open_per_peer``, never the
    member themself (even anonymous, when the pings include them); none free when every
    peer on duty holds the most allowed. The answer's words follow (whole sentences)."""
    await services.settings.update(GUILD, PeerSettings, MOD, max_open_per_peer=1)
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    held = (await peers.requests.open(GUILD, OTHER)).request
    assert sorted((await peers.requests.open(GUILD, PEER2, anonymous=True)).free) == [
        PEER
    ]  # the anonymous member is pinged, never counted
    await peers.requests.claim(held.id, PEER)
    intake = await peers.requests.open(GUILD, MEMBER)
    assert intake.free == (PEER2,)
    await peers.requests.claim(intake.request.id, PEER2)
    intake = await peers.requests.open(GUILD, MEMBER + 2)
    assert intake.free == () and sorted(intake.on_duty) == [PEER, PEER2]
    kw = {"anonymous": False, "relay": False, "estimate_minutes": 4}
    one = intake_answer_text(1, 1, on_duty=2, free=1, **kw)
    assert "1 of the 2 peer(s) on duty can pick it up now." in one and "about 4 min" in one
    assert "2 peer(s) on duty now." in intake_answer_text(1, 1, on_duty=2, free=2, **kw)
    busy = intake_answer_text(1, 1, on_duty=2, free=0, nobody_lines=["busy"], **kw)
    assert "peer(s) on duty" not in busy and "busy" in busy and "about 4 min" not in busy


async def test_escalation_says_whether_moderators_are_still_to_be_told(
    peers, services: Services, clock
) -> None:
    """Before the moderators' step, a member may be told they will be told only when the
    server has a moderator channel."""
    req = (await peers.requests.open(GUILD, MEMBER)).request
    step = await peers.requests.escalate(req.id, 1)
    assert step is not None and not step.moderators_ahead  # no moderator channel
    await services.settings.update(GUILD, PeerSettings, MOD, mod_channel_id=7)
    step = await peers.requests.escalate(req.id, 2)
    assert step is not None and step.moderators_ahead and not step.alert_moderators
    step = await peers.requests.escalate(req.id, 3)
    assert step is not None and step.alert_moderators and not step.moderators_ahead


def test_the_members_update_says_only_what_was_done() -> None:
    def update(**kw) -> str:
        return escalation_update_text(1, 2, **kw)

    assert "moderators know" in update(reminded=0, on_duty=0, moderators="told")
    later = update(reminded=0, on_duty=0, moderators="later")
    assert "moderators will be told" in later and "know" not in later
    none = update(reminded=0, on_duty=0, moderators="none")
    assert "oderators" not in none and "stays in the queue" in none
    busy = update(reminded=0, on_duty=2, moderators="later")
    assert "No peer on duty is free" in busy and "reminded" not in busy
    reminded = update(reminded=1, on_duty=3, moderators="told")
    assert "1 peer(s) are on duty and have been reminded." in reminded
    assert "Moderators know you're waiting too." in reminded
    assert "se avisará a los moderadores" in update(
        reminded=0, on_duty=0, moderators="later", lang="es"
    )


async def test_a_relayed_conversation_closed_for_quiet_is_told_to_its_member(
    peers, services: Services
) -> None:
    await services.settings.update(GUILD, PeerSettings, MOD, feedback=False)
    relayed = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    await peers.requests.claim(relayed.id, PEER)
    await peers.requests.idle(relayed.id, "remind")
    outcome = await peers.requests.idle(relayed.id, "close")
    assert outcome is not None and outcome[0] == "closed"
    follow = await peers.requests.after_close(outcome[1])
    assert follow is not None and follow.tell_quiet_close and not follow.ask_feedback
    threaded = (await peers.requests.open(GUILD, OTHER)).request  # its thread says so
    await peers.requests.claim(threaded.id, PEER)
    outcome = await peers.requests.idle(threaded.id, "close")
    assert outcome is not None
    follow = await peers.requests.after_close(outcome[1])
    assert follow is not None and not follow.tell_quiet_close


async def test_idle_outcome_reminds_both_sides_then_closes(
    peers, services: Services, clock
) -> None:
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    remind = await peers.requests.on_idle(await timer(services, "request.idle"))
    assert remind is not None and remind.stage == "remind"
    assert remind.remind == [MEMBER, PEER]
    close = await peers.requests.on_idle(await timer(services, "request.idle"))
    assert close is not None and close.stage == "closed" and close.remind == []
    assert close.request.status == "closed" and close.request.close_reason == "idle"
    assert await peers.requests.on_idle(await timer(services, "request.idle")) is None


async def test_open_check_outcome_requeues_and_pings(peers, services: Services) -> None:
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    check = await timer(services, "request.open_check")
    requeued = await peers.requests.on_open_check(check)
    assert requeued is not None and requeued.request.status == "open"
    assert sorted(requeued.ping) == [PEER, PEER2]  # the claimer is pinged too: it is back
    assert await peers.requests.on_open_check(check) is None


async def test_handover_outcome_names_both_peers_until_the_request_moves_on(
    peers, services: Services
) -> None:
    for peer in (PEER, PEER2):
        await peers.duty.go_on(GUILD, peer, None)
    req = (await peers.requests.open(GUILD, MEMBER)).request
    await peers.requests.claim(req.id, PEER)
    await peers.requests.transfer(req.id, PEER, PEER2, [PEER_ROLE])
    stored = await timer(services, "request.handover")
    handover = await peers.requests.on_handover(stored)
    assert handover is not None
    assert (handover.request.id, handover.from_peer, handover.to_peer) == (req.id, PEER, PEER2)
    await peers.requests.handover_done(req.id)
    assert not [t for t in await services.scheduler.timers.all() if t.kind == "request.handover"]
    await peers.requests.unclaim(req.id, PEER2)
    assert await peers.requests.on_handover(stored) is None


# -- relayed words waiting for Discord ----------------------------------------------------------
async def test_relayed_words_wait_in_order_per_direction_and_are_given_up_after_the_retries(
    peers, services: Services, clock
) -> None:
    """Ids only, in the order written, one stored retry per conversation and direction; a
    message held twice is kept once; the retries back off and end (the writer is told)."""
    req = await relayed(peers, transcript=False)
    requests = peers.requests
    assert await requests.relay_backlog(req.id, TO_MEMBER) is None
    await requests.hold_relay(req, TO_MEMBER, 777, 5001, sent=1)
    await requests.hold_relay(req, TO_MEMBER, 777, 5002)
    await requests.hold_relay(req, TO_MEMBER, 777, 5001)  # a second delivery: kept once
    await requests.hold_relay(req, TO_PEER, 555, 6001)
    backlog = await requests.relay_backlog(req.id, TO_MEMBER)
    assert backlog is not None and backlog.channel_id == 777 and backlog.tries == 0
    assert backlog.pending == (PendingRelay(5001, 1), PendingRelay(5002, 0))
    row = await services.scheduler.get("request:1:relay_to_member")
    assert row is not None and row.kind == RELAY_RETRY and row.guild_id == GUILD
    assert row.due_at == clock() + RELAY_RETRY_AFTER[0]
    assert "text" not in str(row.payload) and set(row.payload) == {
        "request_id",
        "to",
        "channel_id",
        "pending",
        "tries",
    }
    to_peer = await services.scheduler.get("request:1:relay_to_peer")
    assert to_peer is not None and to_peer.guild_id is None  # DMs arrive at shard 0's process
    assert (await requests.on_relay_retry(row)) == backlog
    for tries in range(1, len(RELAY_RETRY_AFTER)):
        left = (PendingRelay(5002, 0),)
        assert await requests.relay_retry_later(GUILD, backlog, left)
        backlog = await requests.relay_backlog(req.id, TO_MEMBER)
        assert backlog is not None and backlog.tries == tries and backlog.pending == left
        due = (await services.scheduler.get("request:1:relay_to_member")).due_at
        assert due == clock() + RELAY_RETRY_AFTER[tries]
    assert sum(RELAY_RETRY_AFTER, timedelta()) >= timedelta(minutes=30)  # generous
    assert not await requests.relay_retry_later(GUILD, backlog, left)  # used up: tell them
    assert await requests.relay_backlog(req.id, TO_MEMBER) is None
    assert await requests.relay_backlog(req.id, TO_PEER) is not None  # the other direction
    assert (await requests.relay_target(req.id)).id == req.id
    await requests.close(req.id, MEMBER)
    assert await requests.relay_target(req.id) is None  # ended: its words go no further
    await requests.relay_done(req.id, TO_PEER)
    assert await requests.relay_backlog(req.id, TO_PEER) is None


async def test_the_waits_between_relay_retries_are_the_ones_the_service_was_given(
    peers, services: Services, clock
) -> None:
    """Production's waits by default; shorter ones (the end-to-end tests') when given, with
    as many tries."""
    req = await relayed(peers, transcript=False)
    requests = peers.requests
    assert requests.relay_retry_after == RELAY_RETRY_AFTER
    requests.relay_retry_after = (timedelta(seconds=1), timedelta(seconds=2))
    await requests.hold_relay(req, TO_MEMBER, 777, 5001)
    row = await services.scheduler.get("request:1:relay_to_member")
    assert row.due_at == clock() + timedelta(seconds=1)
    backlog = await requests.relay_backlog(req.id, TO_MEMBER)
    assert await requests.relay_retry_later(GUILD, backlog, backlog.pending)
    row = await services.scheduler.get("request:1:relay_to_member")
    assert row.due_at == clock() + timedelta(seconds=2)
    backlog = await requests.relay_backlog(req.id, TO_MEMBER)
    assert not await requests.relay_retry_later(GUILD, backlog, backlog.pending)  # used up


async def test_the_picked_up_dm_waits_first_and_the_peers_words_behind_it(
    peers, services: Services, clock
) -> None:
    """The member's "a peer picked up your request" DM Discord failed for a moment waits in
    the conversation's retry to the member (PICKED_UP: no message to read back), first, and
    the peer's words held after it wait behind it."""
    req = await relayed(peers, transcript=False)
    requests = peers.requests
    await requests.hold_relay(req, TO_MEMBER, 777, PICKED_UP)
    await requests.hold_relay(req, TO_MEMBER, 777, 5001)
    backlog = await requests.relay_backlog(req.id, TO_MEMBER)
    assert backlog is not None
    assert backlog.pending == (PendingRelay(PICKED_UP, 0), PendingRelay(5001, 0))
    row = await services.scheduler.get("request:1:relay_to_member")
    assert row.due_at == clock() + RELAY_RETRY_AFTER[0] and row.guild_id == GUILD


async def test_forgetting_a_member_drops_their_relayed_words_waiting(peers, services) -> None:
    req = await relayed(peers, transcript=False)
    await peers.requests.hold_relay(req, TO_PEER, 555, 6001)
    await peers.requests.forget(MEMBER)
    assert await peers.requests.relay_backlog(req.id, TO_PEER) is None


# -- what was written while Kindred was away ----------------------------------------------------
async def test_after_a_start_what_was_written_after_the_last_relayed_message_is_caught_up(
    peers, services: Services, clock
) -> None:
    """Each direction of a live relayed conversation, in the processes that receive it, and
    only within the retention period; of the messages read back, the writer's after the claim
    and after the last one relayed before the start, not carried since, oldest first, at most
    CATCH_UP_MAX."""
    claimed = clock()
    req = await relayed(peers, transcript=False)

    def sid(minutes: float) -> int:  # a Discord id of a message written then
        return first_id_after(claimed + timedelta(minutes=minutes))

    requests = peers.requests
    await requests.route_dm(MEMBER, "relayed", message_id=sid(1))
    await requests.thread_message(777, PEER, "relayed", message_id=sid(2))
    started = clock.advance(minutes=10)
    await requests.route_dm(MEMBER, "live after the start", message_id=sid(12))
    retention = timedelta(days=30)

    found = await requests.relay_catch_ups(retention, started)
    assert [(c.request.id, c.to, c.started) for c in found] == [
        (req.id, TO_PEER, started),
        (req.id, TO_MEMBER, started),
    ]
    req = found[0].request  # as stored now (its activity moved)
    only_dms = await requests.relay_catch_ups(retention, started, lambda g: g is None)
    assert [c.to for c in only_dms] == [TO_PEER]  # shard 0: DMs
    no_dms = await requests.relay_catch_ups(retention, started, lambda g: g is not None)
    assert [c.to for c in no_dms] == [TO_MEMBER]  # the server's shard: the thread

    dms = CatchUp(req, TO_PEER, started)
    recent = [  # newest first, as Discord reads them back
        (sid(12), MEMBER),  # carried live since the start: no landmark, not again
        (sid(5), MEMBER),
        (sid(4), 999),  # Kindred's own message in the DMs
        (sid(3), MEMBER),
        (sid(1), MEMBER),  # the last relayed before the start
        (sid(0.5), MEMBER),  # before it: not missed
        (sid(-60), MEMBER),  # before the claim: another conversation
    ]
    assert await requests.relay_missed(dms, recent) == [sid(3), sid(5)]
    thread = CatchUp(req, TO_MEMBER, started)
    assert await requests.relay_missed(thread, [(sid(6), PEER), (sid(7), OTHER)]) == [sid(6)]
    assert await requests.relay_missed(thread, [(sid(2), PEER), (sid(-1), PEER)]) == []
    many = [(sid(20 + i), PEER) for i in range(CATCH_UP_MAX + 10)]
    assert await requests.relay_missed(thread, many) == [m for m, _ in many[:CATCH_UP_MAX]]

    # beyond the limit: how many are left is said, never silently dropped
    assert await requests.relay_missed_all(thread, many) == MissedRelay(
        [m for m, _ in many[:CATCH_UP_MAX]], left=10
    )
    assert not (await requests.relay_missed_all(thread, many[:3])).lost
    # a read back Discord cut short (as many as asked for) before the landmark: earlier ones
    # may be missed too; one that reaches the last relayed, or before the claim, knows
    cut = await requests.relay_missed_all(thread, many[:3], complete=False)
    assert cut == MissedRelay([m for m, _ in many[:3]], unread=True) and cut.lost
    reached = [*many[:3], (sid(2), PEER)]  # the last relayed before the start
    assert not (await requests.relay_missed_all(thread, reached, complete=False)).lost
    before_claim = [*many[:3], (sid(-1), OTHER)]
    assert not (await requests.relay_missed_all(thread, before_claim, complete=False)).unread

    clock.advance(days=31)  # beyond the retention period: nothing is read back
    assert await requests.relay_catch_ups(retention, clock()) == []
    await requests.close(req.id, PEER)
    assert await requests.relay_catch_ups(retention, started) == []


async def test_after_a_start_a_members_dms_are_read_once_for_all_their_relayed_conversations(
    peers, services: Services, clock
) -> None:
    """A member in relayed conversations in two servers: their DMs are read back once (where
    DMs arrive), with both conversations, so each missed DM goes where a live one would; from
    the claim of the earlier one on. Each peer's relay thread is read back as before."""
    await services.settings.update(
        OTHER_GUILD, PeerSettings, MOD, peer_role_id=PEER_ROLE, peer_channel_id=7
    )
    first = await relayed(peers, transcript=False)
    first_claim = clock()
    clock.advance(minutes=30)
    second = (await peers.requests.open(OTHER_GUILD, MEMBER, anonymous=True)).request
    await peers.requests.claim(second.id, PEER2)
    await peers.requests.attach_conversation(second.id, 778, relay=True)
    started = clock.advance(minutes=10)
    found = await peers.requests.relay_catch_ups(timedelta(days=30), started)
    assert [(c.request.id, c.to) for c in found] == [
        (first.id, TO_MEMBER),
        (second.id, TO_PEER),
        (second.id, TO_MEMBER),
    ]
    dms = found[1]
    assert [r.id for r in dms.relays] == [first.id, second.id]
    assert [r.id for r in found[0].conversations] == [first.id]  # a thread: its own
    after_first = first_id_after(first_claim + timedelta(minutes=5))  # before the second claim
    before = first_id_after(first_claim - timedelta(minutes=5))
    missed = await peers.requests.relay_missed(dms, [(after_first, MEMBER), (before, MEMBER)])
    assert missed == [after_first]
