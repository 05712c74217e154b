"""Moderators' peer-support tools are audited: a block or unblock is written together with its
audit entry (or not at all), and revealing an anonymous member is logged. Plus the tag rules."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from bot.errors import ConflictError, InvalidInputError, NotFoundError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.peers.tags import RemovedTag

GUILD, ELSEWHERE = 10, 11
MEMBER, PEER, MOD = 100, 200, 300


@pytest.fixture
async def peers(services: Services):
    for guild in (GUILD, ELSEWHERE):
        await services.settings.update(guild, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    return services.peers


async def actions(services: Services, guild_id: int = GUILD) -> list[tuple[str, int | None, dict]]:
    """Audit entries other than settings changes, oldest first."""
    entries = await services.audit.recent(guild_id, limit=100)
    return [
        (e.action, e.actor_id, e.detail) for e in reversed(entries) if e.action != "settings.update"
    ]


DB_ERRORS = (sqlite3.DatabaseError, asyncpg.PostgresError)


async def break_the_audit_log(services: Services) -> None:
    if services.db.dialect == "postgres":
        await services.db.execute(
            "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
        )
        await services.db.execute(
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION audit_down()"
        )
        return
    await services.db.execute(
        "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
    )


async def test_block_is_audited(peers, services: Services) -> None:
    await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    assert await peers.blocks.is_blocked(GUILD, MEMBER)
    assert await actions(services) == [("peers.block", MOD, {"member": MEMBER, "reason": "spam"})]


async def test_a_blocks_reason_is_tidied_limited_and_listed(peers, services: Services) -> None:
    """The reason is read as /peers reveal's (spaces tidied, at most MAX_REASON characters,
    refused rather than cut); only spaces is no reason. /peers blocks lists who, by whom and
    why, per server."""
    await peers.blocks.block(GUILD, MEMBER, "  posted   spam\nlinks ", MOD)
    await peers.blocks.block(GUILD, MEMBER + 1, "   ", MOD)
    with pytest.raises(InvalidInputError, match="A reason fits in 200 characters"):
        await peers.blocks.block(GUILD, MEMBER + 2, "x" * 201, MOD)
    assert not await peers.blocks.is_blocked(GUILD, MEMBER + 2)
    listed = {(b.user_id, b.reason, b.blocked_by) for b in await peers.blocks.blocked(GUILD)}
    assert listed == {(MEMBER, "posted spam links", MOD), (MEMBER + 1, None, MOD)}
    assert await peers.blocks.blocked(ELSEWHERE) == []
    assert await actions(services) == [
        ("peers.block", MOD, {"member": MEMBER, "reason": "posted spam links"}),
        ("peers.block", MOD, {"member": MEMBER + 1}),
    ]


async def test_a_bot_or_oneself_is_never_blocked(peers, services: Services) -> None:
    with pytest.raises(InvalidInputError, match="bots never open peer requests"):
        await peers.blocks.block(GUILD, MEMBER, "spam", MOD, bot=True)
    with pytest.raises(InvalidInputError, match="You can't block yourself"):
        await peers.blocks.block(GUILD, MOD, "spam", MOD)
    assert await peers.blocks.blocked(GUILD) == []
    assert await actions(services) == []


async def test_a_block_leaves_a_live_request_open_and_names_it(peers, services: Services) -> None:
    waiting = (await peers.requests.open(GUILD, MEMBER)).request
    done = await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    assert done.live is not None and done.live.id == waiting.id and done.live.status == "open"
    assert (await peers.requests.get(waiting.id)).status == "open"
    assert (await peers.blocks.block(GUILD, MEMBER + 1, None, MOD)).live is None


async def test_unblock_is_audited_and_a_missing_block_writes_nothing(
    peers, services: Services
) -> None:
    await peers.blocks.block(GUILD, MEMBER, None, MOD)
    assert await peers.blocks.unblock(GUILD, MEMBER, MOD + 1)
    assert not await peers.blocks.is_blocked(GUILD, MEMBER)
    assert not await peers.blocks.unblock(GUILD, MEMBER, MOD)
    assert await actions(services) == [
        ("peers.block", MOD, {"member": MEMBER}),
        ("peers.unblock", MOD + 1, {"member": MEMBER}),
    ]


async def test_a_failing_audit_entry_leaves_no_block(peers, services: Services) -> None:
    await break_the_audit_log(services)
    with pytest.raises(DB_ERRORS, match="audit log unavailable"):
        await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    assert not await peers.blocks.is_blocked(GUILD, MEMBER)


async def test_a_failing_audit_entry_leaves_the_block_in_place(peers, services: Services) -> None:
    await peers.blocks.block(GUILD, MEMBER, "spam", MOD)
    await break_the_audit_log(services)
    with pytest.raises(DB_ERRORS, match="audit log unavailable"):
        await peers.blocks.unblock(GUILD, MEMBER, MOD)
    assert await peers.blocks.is_blocked(GUILD, MEMBER)


async def test_reveal_is_audited_with_the_whole_reason_and_a_long_one_refused(
    peers, services: Services
) -> None:
    """The reason is logged and told to the member, so it is never cut: one over 200
    characters is refused (nothing revealed, nothing logged) and the moderator says it shorter."""
    request = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    with pytest.raises(InvalidInputError, match=r"fits in 200 characters \(this one has 699"):
        await peers.blocks.reveal(GUILD, request.id, MOD, "safety " * 100)
    assert await actions(services) == []
    reason = "safety " * 27 + "worry me"  # under the limit: kept whole
    shown = await peers.blocks.reveal(GUILD, request.id, MOD, reason)
    assert shown.requester_id == MEMBER
    ((action, actor, detail),) = await actions(services)
    assert (action, actor, detail["request"]) == ("peers.reveal", MOD, request.id)
    assert detail["reason"] == reason


async def test_reveal_from_another_server_is_refused_and_not_logged(
    peers, services: Services
) -> None:
    request = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    with pytest.raises(NotFoundError, match="no such request in this server"):
        await peers.blocks.reveal(ELSEWHERE, request.id, MOD, "curious")
    with pytest.raises(NotFoundError):
        await peers.blocks.reveal(GUILD, request.id + 1, MOD, "curious")
    assert await actions(services, ELSEWHERE) == []
    assert await actions(services) == []


async def test_reveal_needs_a_reason_and_an_anonymous_request(peers, services: Services) -> None:
    """A reason of only spaces (or line breaks) is no reason: refused as a group reveal's is. A
    request that was never anonymous has nothing to reveal (its card names the member): refused,
    so the member is never told of an anonymity they didn't ask for. Neither is logged."""
    anonymous = (await peers.requests.open(GUILD, MEMBER, anonymous=True)).request
    for blank in ("", "   ", " \n\t "):
        with pytest.raises(InvalidInputError, match=r"Say why \(it is kept in the audit log\)"):
            await peers.blocks.reveal(GUILD, anonymous.id, MOD, blank)
    named = (await peers.requests.open(GUILD, MEMBER + 1, anonymous=False)).request
    with pytest.raises(ConflictError, match=f"Request #{named.id} wasn't anonymous"):
        await peers.blocks.reveal(GUILD, named.id, MOD, "checking")
    assert await actions(services) == []
    shown = await peers.blocks.reveal(GUILD, anonymous.id, MOD, "  a   safety\nworry ")
    assert (shown.request_id, shown.requester_id) == (anonymous.id, MEMBER)
    assert shown.reason == "a safety worry"  # as logged and told
    ((_, _, detail),) = await actions(services)
    assert detail["reason"] == "a safety worry"


# -- tags ----------------------------------------------------------------------------------------
async def test_tags_are_trimmed_and_removing_an_unknown_one_is_refused(peers) -> None:
    assert await peers.tags.add(GUILD, "  Grief  ") == "Grief"
    # a moderator's tag is never stored cut: too long is refused, and nothing is added
    with pytest.raises(InvalidInputError, match=r"fits in 40 characters \(this one has 60"):
        await peers.tags.add(GUILD, "x" * 60)
    assert await peers.tags.add(GUILD, " " + "x" * 40 + " ") == "x" * 40
    with pytest.raises(InvalidInputError, match="at least one letter"):
        await peers.tags.add(GUILD, "   ")
    await peers.tags.remove(GUILD, "x" * 40)
    with pytest.raises(NotFoundError, match=r"no tag \*\*y{39}…\*\*"):
        await peers.tags.remove(GUILD, "y" * 6000)
    assert await peers.tags.guild_tags(GUILD) == ["Grief"]


async def test_a_peer_chooses_tags_in_any_case(peers) -> None:
    await peers.tags.add(GUILD, "Grief")
    await peers.tags.add(GUILD, "Veterans")
    assert await peers.tags.choose(GUILD, PEER, "veterans, GRIEF, ") == ["Veterans", "Grief"]
    assert await peers.tags.peer_tags(GUILD, PEER) == ["Grief", "Veterans"]
    with pytest.raises(InvalidInputError, match="`astrology` is not a tag here"):
        await peers.tags.choose(GUILD, PEER, "grief, astrology")
    assert await peers.tags.peer_tags(GUILD, PEER) == ["Grief", "Veterans"]  # unchanged
    assert await peers.tags.choose(GUILD, PEER, "") == []


async def test_a_tag_with_a_separator_the_choosers_split_on_is_refused(peers) -> None:
    for typed in ("anxiety, panic", "anxiety;panic", ","):
        with pytest.raises(InvalidInputError, match="can't hold a comma or a semicolon"):
            await peers.tags.add(GUILD, typed)
    assert await peers.tags.guild_tags(GUILD) == []


async def test_a_tag_in_another_case_is_the_same_tag(peers) -> None:
    assert await peers.tags.add(GUILD, "Grief") == "Grief"
    for typed in ("grief", " GRIEF "):
        with pytest.raises(ConflictError, match=r"\*\*Grief\*\* is already a tag here"):
            await peers.tags.add(GUILD, typed)
    assert await peers.tags.guild_tags(GUILD) == ["Grief"]
    assert (await peers.tags.remove(GUILD, "grief")).tag == "Grief"
    assert await peers.tags.guild_tags(GUILD) == []


async def test_both_spellings_stored_before_are_read_as_one_tag(peers) -> None:
    """A server may hold "Grief" and "grief" from before tags were compared in any case."""
    other_peer, off_topic_peer = PEER + 1, PEER + 2
    await peers.tags.add_guild_tag(GUILD, "Grief")
    await peers.tags.set_peer_tags(GUILD, PEER, ["Grief"])
    await peers.tags.add_guild_tag(GUILD, "grief")
    await peers.tags.set_peer_tags(GUILD, other_peer, ["grief"])
    assert await peers.tags.guild_tags(GUILD) == ["Grief"]
    assert await peers.tags.choose(GUILD, off_topic_peer, "GRIEF") == ["Grief"]
    await peers.tags.set_peer_tags(GUILD, off_topic_peer, [])
    # a request tagged in any spelling reaches the peers holding either
    assert await peers.tags.repo.peers_with_any(GUILD, ["GRIEF"]) == {PEER, other_peer}
    for peer in (PEER, other_peer, off_topic_peer):
        await peers.duty.go_on(GUILD, peer, None)
    intake = await peers.requests.open(GUILD, MEMBER, tags=["grief"])
    assert intake.request.tags == ("Grief",) and intake.server_tags == ("Grief",)
    assert sorted(intake.ping) == [PEER, other_peer]
    # removing it in any case removes every spelling
    assert await peers.tags.remove(GUILD, "GRIEF") == RemovedTag("Grief", 2)
    assert await peers.tags.repo.guild_tags(GUILD) == []
    for peer in (PEER, other_peer, off_topic_peer):
        assert await peers.tags.peer_tags(GUILD, peer) == []


async def test_removing_a_tag_removes_it_from_every_peer_and_counts_them(peers) -> None:
    """Every peer's copy goes with the server's tag, in one transaction; other tags and other
    servers' tags stay."""
    other_peer = PEER + 1
    for guild in (GUILD, GUILD + 1):
        await peers.tags.add(guild, "Grief")
    await peers.tags.add(GUILD, "Veterans")
    await peers.tags.choose(GUILD, PEER, "grief, veterans")
    await peers.tags.choose(GUILD, other_peer, "grief")
    await peers.tags.choose(GUILD + 1, PEER, "grief")
    assert await peers.tags.remove(GUILD, "grief") == RemovedTag("Grief", 2)
    assert await peers.tags.peer_tags(GUILD, PEER) == ["Veterans"]
    assert await peers.tags.peer_tags(GUILD, other_peer) == []
    assert await peers.tags.peer_tags(GUILD + 1, PEER) == ["Grief"]
    assert await peers.tags.repo.peers_with_any(GUILD, ["grief"]) == set()
    assert await peers.tags.remove(GUILD, "veterans") == RemovedTag("Veterans", 1)


async def test_a_reveal_is_told_in_the_requests_language_unless_one_is_chosen(
    peers, services: Services
) -> None:
    """The member is told of a reveal in the language they asked in (the request's), unless
    they chose one with /language set; a request kept without one: English."""
    asked = (await peers.requests.open(GUILD, MEMBER, anonymous=True, lang="de")).request
    assert (await peers.blocks.reveal(GUILD, asked.id, MOD, "safety")).lang == "de"
    await services.safety.set_language(MEMBER, "es")
    assert (await peers.blocks.reveal(GUILD, asked.id, MOD, "safety")).lang == "es"
    plain = (await peers.requests.open(GUILD, PEER, anonymous=True)).request
    assert (await peers.blocks.reveal(GUILD, plain.id, MOD, "safety")).lang == "en"
