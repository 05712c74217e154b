"""The rules of support groups, without Discord: names and duplicates, guideline versions,
"Discord wins" reconciliation, problems, settings and their timer, anonymous posts and reveal,
content notes, and the channel access plan and its check."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from bot.i18n import render
from bot.services import Services
from bot.services.groups import Access, GroupUnavailableError, StaleGuidelinesError, access_problems
from bot.services.groups.rules import (
    BUILTIN_GUIDELINES,
    HIDDEN,
    LOCKED,
    MANAGED,
    AsAdopted,
    adopted_changes,
    as_adopted,
    needs_content_note,
    parse_description,
    parse_guidelines,
    parse_message_ref,
    parse_tags,
    plan_access,
)
from bot.services.peers import PeerSettings

GUILD, OTHER_GUILD, MOD, ALICE, BO = 10, 11, 300, 401, 402
CHANNEL, ROLE = 5000, 6000


async def make(services: Services, name: str = "Grief circle", n: int = 0, **options):
    new = await services.groups.prepare_create(
        guild_id=options.pop("guild_id", GUILD), name=name,
        description=options.pop("description", "For loss."), tags=options.pop("tags", None),
        private=options.pop("private", False), channel_id=options.pop("adopt", None),
    )  # fmt: skip
    return await services.groups.create(new, channel_id=CHANNEL + n, role_id=ROLE + n, actor_id=MOD)


async def member_of(services: Services, group, user: int) -> None:
    plan = await services.groups.plan_join(GUILD, group.id, user, [])
    if plan.needs_acceptance:
        await services.groups.accept(GUILD, group.id, user, plan.guidelines.tag)
    await services.groups.joined(group, user)


async def test_names_are_unique_per_server_whatever_the_case(services: Services) -> None:
    group = await make(services)
    assert group.name == "Grief circle" and group.tags == ()
    with pytest.raises(ConflictError, match="already a group called"):
        await make(services, "  GRIEF   circle ", n=1)
    other = await make(services, "grief circle", n=2, guild_id=OTHER_GUILD)  # another server
    assert other.guild_id == OTHER_GUILD
    with pytest.raises(InvalidInputError):
        await make(services, "@everyone", n=3)
    with pytest.raises(ConflictError, match="already the channel"):
        await make(services, "Another", n=4, adopt=CHANNEL)
    entries = await services.audit.recent(GUILD, limit=10)
    assert [e.action for e in entries] == ["groups.create"]
    assert await services.groups.by_name(GUILD, "grief CIRCLE") == group
    with pytest.raises(NotFoundError):
        await services.groups.get(group.id, OTHER_GUILD)  # never another server's group


def test_tags_are_short_words() -> None:
    assert parse_tags("Grief, loss ,grief,") == ("grief", "loss")
    with pytest.raises(InvalidInputError):
        parse_tags("a, b, c, d, e, f")
    with pytest.raises(InvalidInputError):
        parse_tags("<@&1>")


INVISIBLE = ["", "   ", "\u200b", "\u200b\u2060\ufeff", "\u202e\u202c", " \u200b \n\u200d\t", None]


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_description_or_guidelines_of_only_invisible_characters_are_empty(text) -> None:
    """Tidied as goals and plans are (bot.text): nothing visible is nothing written."""
    with pytest.raises(InvalidInputError, match="Add a short description"):
        parse_description(text)
    assert parse_guidelines(text) is None  # the default


def test_a_description_and_guidelines_keep_what_shows_without_hidden_characters() -> None:
    assert parse_description("  For\u200b  loss\u202e\n and grief ") == "For loss and grief"
    assert parse_description("Carers 👩\u200d👧") == "Carers 👩\u200d👧"  # a joined emoji
    assert parse_guidelines("1. Be kind.\u202e\n\n\n\n2. Listen.\u200b ") == (
        "1. Be kind.\n\n2. Listen."
    )
    assert parse_guidelines(BUILTIN_GUIDELINES) == BUILTIN_GUIDELINES


async def test_invisible_guidelines_and_descriptions_are_refused_or_default(
    services: Services,
) -> None:
    groups = services.groups
    with pytest.raises(InvalidInputError, match="Add a short description"):
        await make(services, description="\u200b\u2060")
    group = await make(services)
    await groups.set_guidelines(GUILD, group.id, "Be gentle.", MOD)
    await groups.set_guidelines(GUILD, group.id, "\u200b\u2060", MOD)
    assert (await groups.get(group.id, GUILD)).guidelines is None  # the server's again
    server = await groups.set_guidelines(GUILD, None, "\u200b", MOD)
    assert server.guidelines.text == BUILTIN_GUIDELINES


async def test_guidelines_come_first_and_each_new_version_is_accepted_on_the_next_join(
    services: Services,
) -> None:
    groups = services.groups
    group = await make(services)
    plan = await groups.plan_join(GUILD, group.id, ALICE, [])
    assert plan.needs_acceptance and plan.guidelines.tag == "s0"  # built-in text
    with pytest.raises(StaleGuidelinesError):
        await groups.accept(GUILD, group.id, ALICE, "s7")
    await groups.accept(GUILD, group.id, ALICE, "s0")
    await groups.joined(group, ALICE)
    assert (await groups.plan_join(GUILD, group.id, BO, [])).needs_acceptance  # bo: not yet
    # the group gets its own guidelines: version g1, asked again on the next join
    change = await groups.set_guidelines(GUILD, group.id, "Be gentle.", MOD)
    assert change.guidelines.tag == "g1" and [g.id for g in change.groups] == [group.id]
    assert await groups.is_member(group.id, ALICE)  # nobody loses their place
    await groups.left(group, ALICE)
    again = await groups.plan_join(GUILD, group.id, ALICE, [])
    assert again.needs_acceptance and again.guidelines.text == "Be gentle."
    with pytest.raises(StaleGuidelinesError) as stale:
        await groups.accept(GUILD, group.id, ALICE, "s0")  # an old card
    assert stale.value.plan.guidelines.tag == "g1"
    await groups.accept(GUILD, group.id, ALICE, "g1")
    assert not (await groups.plan_join(GUILD, group.id, ALICE, [])).needs_acceptance
    # back to the server's: a different (scope, version), so asked again; versions never reused
    await groups.set_guidelines(GUILD, group.id, "  ", MOD)
    assert (await groups.plan_join(GUILD, group.id, ALICE, [])).guidelines.tag == "s0"
    again = await groups.set_guidelines(GUILD, group.id, "Be kind.", MOD)
    assert again.guidelines.tag == "g2"
    server = await groups.set_guidelines(GUILD, None, "Server rules.", MOD)
    assert server.guidelines.tag == "s1" and server.groups == []  # g2 is the group's own
    actions = [e.action for e in await services.audit.recent(GUILD, limit=20)]
    assert actions.count("groups.guidelines") == 4
    assert all("Be gentle" not in str(e.detail) for e in await services.audit.recent(GUILD))


async def test_only_kindreds_built_in_guidelines_are_marked_builtin(services: Services) -> None:
    """The built-in text (version 0, and what emptying the server's default stores again) is
    Kindred's own, shown in the reader's language; a moderator's text is theirs."""
    groups = services.groups
    assert (await groups.server_guidelines(GUILD)).builtin
    own = await groups.set_guidelines(GUILD, None, "Server rules.", MOD)
    assert own.guidelines.tag == "s1" and not own.guidelines.builtin
    emptied = await groups.set_guidelines(GUILD, None, "  ", MOD)
    assert emptied.guidelines.tag == "s2" and emptied.guidelines.builtin
    assert render("es", emptied.guidelines.text).startswith("1. Lo que se comparte aquí")


async def test_discord_wins_both_ways(services: Services, clock) -> None:
    groups = services.groups
    group = await make(services)
    second = await make(services, "Sleep", n=1)
    await member_of(services, group, ALICE)
    # a moderator took alice's role away by hand; gave bo the role by hand
    sync = await groups.sync_member(GUILD, ALICE, [GUILD])
    assert [g.id for g in sync.ended] == [group.id] and not await groups.is_member(group.id, ALICE)
    sync = await groups.sync_member(GUILD, BO, [GUILD, ROLE + 1])
    assert [g.id for g in sync.adopted] == [second.id] and await groups.is_member(second.id, BO)
    # joining with the role already held adopts too, and says so
    with pytest.raises(ConflictError, match="already in"):
        await groups.plan_join(GUILD, group.id, ALICE, [ROLE])
    assert await groups.is_member(group.id, ALICE)
    # and a row without the role (taken by hand) is ended when they join again
    plan = await groups.plan_join(GUILD, group.id, ALICE, [])
    assert not await groups.is_member(group.id, ALICE) and not plan.needs_acceptance
    # a member who left the server: memberships and acceptances in that server go
    await groups.joined(group, ALICE)
    await groups.sync_member(GUILD, ALICE, None)
    assert await groups.groups_of(GUILD, ALICE) == []
    assert await groups.repo.acceptance(group.id, ALICE) is None


async def test_roles_seen_in_passing_are_reconciled_at_most_hourly(
    services: Services, clock
) -> None:
    groups = services.groups
    assert await groups.observe(GUILD, ALICE, [ROLE]) is None  # no groups here: nothing at all
    group = await make(services)
    first = await groups.observe(GUILD, ALICE, [ROLE])
    assert first is not None and [g.id for g in first.adopted] == [group.id]
    assert await groups.observe(GUILD, ALICE, []) is None  # within the hour
    clock.advance(minutes=61)
    later = await groups.observe(GUILD, ALICE, [])
    assert later is not None and [g.id for g in later.ended] == [group.id]


async def test_reconciliation_looks_up_members_only_until_the_counts_meet(
    services: Services,
) -> None:
    groups = services.groups
    same = await make(services)
    fewer = await make(services, "Sleep", n=1)
    more = await make(services, "Anxiety", n=2)
    for user in (ALICE, BO):
        await member_of(services, same, user)
        await member_of(services, fewer, user)
    plan = await groups.reconciliation(GUILD, {ROLE: 2, ROLE + 1: 1, ROLE + 2: 1})
    assert plan.differing == 2  # "fewer" and "more"; only "fewer" can be looked into
    assert [g.id for g, _ in plan.queue] == [fewer.id]
    looked_up = []
    for user in plan.pending():
        looked_up.append(user)
        # alice lost the Sleep role by hand; she keeps Grief circle
        plan.record(await groups.sync_member(GUILD, user, [GUILD, ROLE]))
    assert looked_up == [ALICE]  # the counts met: bo is never looked up
    assert not await groups.is_member(fewer.id, ALICE) and await groups.is_member(fewer.id, BO)
    assert await groups.is_member(same.id, ALICE)
    nothing = await groups.reconciliation(GUILD, {ROLE: 2, ROLE + 1: 1, ROLE + 2: 0})
    assert nothing.differing == 0 and list(nothing.pending()) == []
    assert more.id not in {g.id for g, _ in nothing.queue}


async def test_deleted_channels_and_roles_are_problems_reported_once(services: Services) -> None:
    groups = services.groups
    group = await make(services)
    found = await groups.check_structure(GUILD, {CHANNEL}, set())
    assert [(p.group.id, p.missing) for p in found] == [(group.id, frozenset({"role"}))]
    assert await groups.check_structure(GUILD, {CHANNEL}, set()) == []  # reported once
    problem = await groups.channel_gone(GUILD, CHANNEL)
    assert problem is not None and problem.missing == {"channel"}
    with pytest.raises(ConflictError, match="lost its role"):
        await groups.plan_join(GUILD, group.id, ALICE, [])
    fixed = await groups.repaired(group.id, GUILD, MOD, channel_id=7000, role_id=8000)
    assert fixed.problem is None and (fixed.channel_id, fixed.role_id) == (7000, 8000)
    assert "groups.repair" in [e.action for e in await services.audit.recent(GUILD)]


async def test_a_group_that_lost_its_channel_takes_nobody_in_until_repaired(
    services: Services,
) -> None:
    groups = services.groups
    group = await make(services)
    shown = await groups.plan_join(GUILD, group.id, ALICE, [])  # the card, before it went
    assert await groups.channel_gone(GUILD, CHANNEL) is not None
    with pytest.raises(GroupUnavailableError, match="lost its channel on Discord") as refused:
        await groups.plan_join(GUILD, group.id, BO, [])
    assert "/group repair" in refused.value.message_in("fr")
    with pytest.raises(GroupUnavailableError, match="lost its channel"):
        await groups.accept(GUILD, group.id, ALICE, shown.guidelines.tag)
    assert not await groups.has_accepted(group, ALICE)
    await groups.role_gone(GUILD, ROLE)
    with pytest.raises(ConflictError, match="lost its role and its channel"):
        await groups.plan_join(GUILD, group.id, BO, [])
    await groups.repaired(group.id, GUILD, MOD, channel_id=7000, role_id=8000)
    assert (await groups.plan_join(GUILD, group.id, BO, [])).needs_acceptance


async def test_archive_stops_joins_and_slowmode_ends_by_its_timer(
    services: Services, clock
) -> None:
    groups = services.groups
    group = await make(services)
    with pytest.raises(InvalidInputError):
        await groups.set_slowmode(group.id, GUILD, 30, 0, MOD)
    await groups.set_slowmode(group.id, GUILD, 30, 20, MOD)
    timer = await groups.slowmode_until(group.id)
    assert timer is not None and timer.due_at == clock.now + timedelta(minutes=20)
    ended = await groups.on_slowmode_off(timer)
    assert ended is not None and ended.slowmode_seconds == 0
    await groups.set_slowmode(group.id, GUILD, 30, 20, MOD)
    archived = await groups.archive(group.id, GUILD, MOD)
    assert await groups.slowmode_until(group.id) is None  # archiving cancels it
    assert archived.slowmode_seconds == 0  # and ends the slowmode: nothing would lift it later
    with pytest.raises(ConflictError, match="archived"):
        await groups.plan_join(GUILD, group.id, ALICE, [])
    assert await groups.for_guild(GUILD) == []
    assert len(await groups.for_guild(GUILD, include_archived=True)) == 1
    await groups.unarchive(group.id, GUILD, MOD)
    assert [g.id for g in await groups.for_guild(GUILD)] == [group.id]
    # a slowmode without an end is the moderators' setting: it stays for when the group is back
    await groups.set_slowmode(group.id, GUILD, 30, None, MOD)
    await groups.archive(group.id, GUILD, MOD)
    back = await groups.unarchive(group.id, GUILD, MOD)
    assert back.slowmode_seconds == 30


async def test_archiving_an_archived_group_says_how_to_bring_it_back(services: Services) -> None:
    groups = services.groups
    group = await make(services)
    assert (await groups.to_archive(GUILD, group.name)).id == group.id
    await groups.archive(group.id, GUILD, MOD)
    for attempt in (groups.to_archive(GUILD, group.name), groups.archive(group.id, GUILD, MOD)):
        with pytest.raises(ConflictError, match="/group unarchive") as refused:
            await attempt
        assert "a moderator can bring it back" not in str(refused.value)


async def test_anonymous_posts_keep_a_pseudonym_and_a_reveal_is_audited(
    services: Services, clock
) -> None:
    groups = services.groups
    group = await make(services)
    await member_of(services, group, ALICE)
    with pytest.raises(ConflictError, match="doesn't take anonymous posts"):
        await groups.plan_post(GUILD, group.id, ALICE, "hi")
    await groups.set_anonymous(group.id, GUILD, True, MOD)
    with pytest.raises(PermissionDeniedError):
        await groups.plan_post(GUILD, group.id, BO, "hi")
    for blank in (" \u200b ", "\u200c", "\u2060", "\ufeff", "\u200b\u200d", "\u3164\n\u00a0"):
        with pytest.raises(InvalidInputError, match="nothing to post"):
            await groups.plan_post(GUILD, group.id, ALICE, blank)
    mending = "\u2764\ufe0f\u200d\U0001fa79"  # ❤️‍🩹: its joiner stays
    tidied = await groups.plan_post(GUILD, group.id, ALICE, f"\u202ehi\x00 {mending} ")
    assert tidied.text == f"hi {mending}"
    plan = await groups.plan_post(GUILD, group.id, ALICE, "it's been a year")
    assert (await groups.plan_post(GUILD, group.id, ALICE, "again")).pseudonym == plan.pseudonym
    await groups.posted(plan, 123456789012345678)
    with pytest.raises(NotFoundError):  # another server's moderator
        await groups.reveal(OTHER_GUILD, "123456789012345678", MOD, "why")
    with pytest.raises(InvalidInputError):
        await groups.reveal(GUILD, "123456789012345678", MOD, "   ")
    # the reason is logged and told to the member: a long one is refused, never cut
    with pytest.raises(InvalidInputError, match=r"fits in 200 characters \(this one has 211"):
        await groups.reveal(GUILD, "123456789012345678", MOD, "worried " * 26 + "now")
    found = await groups.reveal(GUILD, "123456789012345678", MOD, "threats")
    assert found.user_id == ALICE and found.pseudonym == plan.pseudonym
    entry = (await services.audit.recent(GUILD, limit=1))[0]
    assert entry.action == "groups.reveal" and entry.actor_id == MOD
    assert entry.detail == {"group": group.id, "message": 123456789012345678, "reason": "threats"}
    # the link is kept for the retention period only
    clock.advance(days=services.config.privacy.retention_days + 1)
    await services.privacy.purge(clock.now - timedelta(days=services.config.privacy.retention_days))
    with pytest.raises(NotFoundError):
        await groups.reveal(GUILD, "123456789012345678", MOD, "threats")


async def test_an_anonymous_posts_link_goes_after_its_servers_shorter_retention(
    services: Services, clock
) -> None:
    """A server keeping content for 7 days (``/peers limits retention_days``) has the link
    between an anonymous post and its author deleted after 7 days, not the deployment's 30."""
    from bot.services.peers import PeerSettings

    groups = services.groups
    group = await make(services)
    await member_of(services, group, ALICE)
    await groups.set_anonymous(group.id, GUILD, True, MOD)
    plan = await groups.plan_post(GUILD, group.id, ALICE, "a year")
    await groups.posted(plan, 123456789012345678)
    await services.settings.update(GUILD, PeerSettings, MOD, retention_days=7)
    clock.advance(days=6)
    await services.privacy.purge(await services.privacy.cutoffs())
    assert (await groups.reveal(GUILD, "123456789012345678", MOD, "threats")).user_id == ALICE
    clock.advance(days=2)
    await services.privacy.purge(await services.privacy.cutoffs())
    with pytest.raises(NotFoundError):
        await groups.reveal(GUILD, "123456789012345678", MOD, "threats")


async def test_content_notes_only_where_asked_and_not_too_often(services: Services, clock) -> None:
    groups = services.groups
    group = await make(services)
    heavy = "I was abused for years"
    assert await groups.note_due(GUILD, CHANNEL, ALICE, heavy) is None  # not asked for yet
    await groups.set_content_notes(group.id, GUILD, True, MOD)
    assert await groups.note_due(GUILD, CHANNEL, ALICE, "||I was abused||") is None
    assert await groups.note_due(GUILD, CHANNEL, ALICE, "a quiet day") is None
    assert (await groups.note_due(GUILD, CHANNEL, ALICE, heavy)).id == group.id
    assert await groups.note_due(GUILD, CHANNEL, ALICE, heavy) is None  # once in 6 hours
    assert await groups.note_due(GUILD, CHANNEL, BO, heavy) is not None
    clock.advance(hours=7)
    assert await groups.note_due(GUILD, CHANNEL, ALICE, heavy) is not None


async def test_no_content_note_for_a_member_who_opted_out(services: Services) -> None:
    """A content note is an automatic message: ``/safety optout`` stops it too."""
    groups = services.groups
    group = await make(services)
    await groups.set_content_notes(group.id, GUILD, True, MOD)
    await services.safety.set_opt_out(ALICE, True)
    assert await groups.note_due(GUILD, CHANNEL, ALICE, "I was abused for years") is None
    assert await groups.note_due(GUILD, CHANNEL, BO, "I was abused for years") is not None
    await services.safety.set_opt_out(ALICE, False)
    assert await groups.note_due(GUILD, CHANNEL, ALICE, "I was abused for years") is not None


def test_heavy_topics_are_a_narrow_list() -> None:
    assert needs_content_note("thinking about suicide again")
    assert needs_content_note("my ex was ABUSIVE")
    assert not needs_content_note("the relapse was hard")  # everyday words in some groups
    assert not needs_content_note("cutting onions, crying anyway")
    assert not needs_content_note("she was abusive ||the details||")


async def test_the_access_plan_and_its_check(services: Services) -> None:
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=77)
    group = await make(services, private=True)
    plan = await services.groups.access_for(group, bot_id=999)
    by_target = {a.target_id: a for a in plan}
    assert "view_channel" in by_target[GUILD].deny
    assert "view_channel" in by_target[ROLE].allow and "view_channel" in by_target[77].allow
    assert by_target[999].kind == "member" and "send_messages" in by_target[999].allow
    assert access_problems(plan, plan, private=True) == []
    leak = [*plan, Access(55, "role", allow=frozenset({"view_channel"}))]
    assert access_problems(plan, leak, private=True) == ["<@&55> can see the channel but shouldn't"]
    missing = [a for a in plan if a.target_id != ROLE]
    assert access_problems(plan, missing, private=True)[0].startswith(f"<@&{ROLE}> is missing")
    public = plan_access(
        private=False, archived=False, guild_id=GUILD, role_id=ROLE, bot_id=999,
        moderator_role_id=None, peer_role_id=None,
    )  # fmt: skip
    # only Kindred gets anything; @everyone and the group's role are planned empty, so a
    # channel coming back from private or archived loses what those states set
    assert [a.target_id for a in public if a.allow or a.deny] == [999]
    assert {a.target_id for a in public} == {GUILD, ROLE, 999}
    archived = plan_access(
        private=False, archived=True, guild_id=GUILD, role_id=ROLE, bot_id=999,
        moderator_role_id=None, peer_role_id=None,
    )  # fmt: skip
    locked = {a.target_id: a for a in archived}
    assert "send_messages" in locked[ROLE].deny and "view_channel" in locked[ROLE].allow


def _values(**options) -> dict:
    values = {
        "private": False, "archived": False, "guild_id": GUILD, "role_id": ROLE, "bot_id": 999,
        "moderator_role_id": 88, "peer_role_id": 77,
    }  # fmt: skip
    return values | options


def _plan(**options) -> dict[int, Access]:
    return {a.target_id: a for a in plan_access(**_values(**options))}


def _access(target: int, allow: str = "", deny: str = "", kind: str = "role") -> Access:
    return Access(target, kind, frozenset(allow.split()), frozenset(deny.split()))  # type: ignore[arg-type]


def test_every_managed_overwrite_is_planned_in_every_state() -> None:
    for state in ({}, {"private": True}, {"archived": True}, {"locked": True}):
        assert set(_plan(**state)) == {GUILD, ROLE, 77, 88, 999}, state
    opened = _plan()
    assert not any(opened[t].allow or opened[t].deny for t in (GUILD, ROLE, 77, 88))
    archived = _plan(archived=True)
    assert "view_channel" in archived[88].allow and not archived[77].allow  # moderators read
    assert _plan(private=True, peer_role_id=88)[88].allow >= {"view_channel", "send_messages"}


def test_a_locked_group_is_locked_by_its_role_when_private_and_everyone_when_open() -> None:
    private = _plan(private=True, locked=True)
    assert private[ROLE].deny >= LOCKED and "view_channel" in private[ROLE].allow
    assert "send_messages" not in private[ROLE].allow
    assert "send_messages" in private[77].allow  # facilitators keep posting
    assert "view_channel" in private[GUILD].deny
    assert _plan(locked=True)[GUILD].deny == LOCKED  # open: locked, still visible
    assert "send_messages" in _plan(private=True)[ROLE].allow  # unlocked


def test_the_check_names_a_managed_permission_left_from_an_earlier_state() -> None:
    plan = list(_plan().values())
    others = [a for a in plan if a.target_id != GUILD]
    left = [*others, _access(GUILD, deny="view_channel")]
    assert access_problems(plan, left, private=False) == [f"<@&{GUILD}> still has view_channel set"]
    # what the server set that Kindred doesn't manage is none of its business
    own = [*others, _access(GUILD, deny="attach_files")]
    assert access_problems(plan, own, private=False) == []


WRITABLE = frozenset({
    "view_channel", "send_messages", "attach_files", "add_reactions", "read_message_history",
    "embed_links", "send_messages_in_threads",
})  # fmt: skip


def test_an_adopted_channel_comes_back_open_keeping_the_servers_own_overwrites() -> None:
    archived = [
        _access(GUILD, deny="view_channel send_messages add_reactions attach_files"),
        _access(ROLE, allow="view_channel read_message_history", deny="send_messages"),
        _access(55, allow="attach_files", deny="mention_everyone"),
        _access(999, allow="view_channel send_messages", kind="member"),
    ]
    plan = list(_plan().values())
    changes = {a.target_id: a for a in adopted_changes(archived, plan, hidden=False,
                                                        writable=WRITABLE)}  # fmt: skip
    assert changes[GUILD] == _access(GUILD, deny="attach_files")
    assert changes[ROLE] == _access(ROLE)  # empty: deleted
    assert changes[999].allow >= {"view_channel", "send_messages", "embed_links"}
    assert set(changes) == {GUILD, ROLE, 999}  # the rest is unchanged, so not written


def test_a_hidden_adopted_channel_takes_only_the_view_from_other_overwrites() -> None:
    current = [_access(55, allow="view_channel attach_files", deny="mention_everyone")]
    plan = list(_plan(private=True).values())
    changes = {a.target_id: a for a in adopted_changes(current, plan, hidden=True,
                                                        writable=WRITABLE)}  # fmt: skip
    # mention_everyone is dropped: Discord lets Kindred write only what it holds
    assert changes[55] == _access(55, allow="attach_files")
    assert "view_channel" in changes[88].allow and "view_channel" in changes[GUILD].deny


GATED = AsAdopted(deny=frozenset({"view_channel"}), viewers=frozenset({55, 77}))


def test_an_adopted_channel_is_planned_open_as_the_server_had_it() -> None:
    opened = _plan(adopted=GATED)
    assert opened[GUILD] == _access(GUILD, deny="view_channel")  # still hidden from @everyone
    # the server's own role that saw it sees it again, the rest of its overwrite as it is
    assert opened[55].allow == HIDDEN and opened[55].keep == MANAGED - HIDDEN
    assert opened[77].allow == HIDDEN  # the peer role saw it too: its view comes back
    assert not opened[ROLE].allow and not opened[88].allow
    locked = _plan(adopted=GATED, locked=True)[GUILD]
    assert locked.deny == HIDDEN | LOCKED and not locked.allow
    posting = AsAdopted(allow=frozenset({"view_channel", "send_messages"}))
    assert _plan(adopted=posting, locked=True)[GUILD].allow == HIDDEN  # the lock wins
    for hidden in ({"private": True}, {"archived": True}):
        plan = _plan(adopted=GATED, **hidden)
        assert 55 not in plan and "view_channel" in plan[GUILD].deny, hidden
        assert plan == _plan(**hidden), hidden  # hiding is the same whatever it was


def test_a_gated_adopted_channel_comes_back_from_the_archive_gated() -> None:
    archived = [
        _access(GUILD, deny="view_channel send_messages add_reactions attach_files"),
        _access(ROLE, allow="view_channel read_message_history", deny="send_messages"),
        _access(55, allow="attach_files send_messages"),  # Verified: View Channel taken away
        _access(999, allow="view_channel send_messages embed_links read_message_history",
                kind="member"),
    ]  # fmt: skip
    plan = list(_plan(adopted=GATED).values())
    changes = {a.target_id: a for a in adopted_changes(archived, plan, hidden=False,
                                                        writable=WRITABLE)}  # fmt: skip
    assert changes[GUILD] == _access(GUILD, deny="view_channel attach_files")
    assert changes[55] == _access(55, allow="view_channel attach_files send_messages")
    assert changes[ROLE] == _access(ROLE)
    after = [*(changes.get(a.target_id, a) for a in archived), changes[77]]
    assert access_problems(plan, after, private=False) == []
    # the check still names @everyone let in
    opened = [a if a.target_id != GUILD else _access(GUILD) for a in after]
    assert access_problems(plan, opened, private=False) == [f"<@&{GUILD}> is missing view_channel"]


def test_a_channel_adopted_before_kindred_kept_it_is_never_opened_wider() -> None:
    plan = list(_plan(adopted_unknown=True).values())
    archived = [_access(GUILD, deny="view_channel send_messages add_reactions")]
    changes = adopted_changes(archived, plan, hidden=False, writable=WRITABLE)
    assert _access(GUILD, deny="view_channel") in changes  # the lock goes, the view stays
    gated = [_access(GUILD, deny="view_channel attach_files")]
    assert not [
        a for a in adopted_changes(gated, plan, hidden=False, writable=WRITABLE)
        if a.target_id == GUILD
    ]  # fmt: skip
    assert [p for p in access_problems(plan, gated, private=False) if str(GUILD) in p] == []
    locked = {a.target_id: a for a in plan_access(**_values(adopted_unknown=True, locked=True))}
    assert locked[GUILD].deny == LOCKED and locked[GUILD].keep == MANAGED - LOCKED


def test_what_kindred_keeps_of_a_channel_it_adopts() -> None:
    current = [
        _access(GUILD, allow="attach_files send_messages", deny="view_channel add_reactions"),
        _access(55, allow="view_channel"),
        _access(56, allow="send_messages", deny="view_channel"),
        _access(ROLE, allow="view_channel"),  # the group's own role is no viewer
        _access(401, allow="view_channel", kind="member"),  # nor is one person
    ]
    kept = as_adopted(current, GUILD, skip=(ROLE,))
    assert kept == AsAdopted(
        frozenset({"send_messages"}), frozenset({"view_channel", "add_reactions"}),
        frozenset({55}),
    )  # fmt: skip
    assert kept.hidden and not as_adopted([], GUILD).hidden
    # a meeting lock is Kindred's, not the server's
    assert as_adopted(current, GUILD, locked=True).deny == HIDDEN


async def test_an_adopted_channel_is_kept_and_planned_from_storage(services: Services) -> None:
    await services.settings.update(GUILD, PeerSettings, MOD, peer_role_id=77)
    new = await services.groups.prepare_create(
        guild_id=GUILD, name="Carers", description="d", tags=None, private=False,
        channel_id=CHANNEL,
    )  # fmt: skip
    group = await services.groups.create(
        new, channel_id=CHANNEL, role_id=ROLE, actor_id=MOD, as_adopted=GATED
    )
    assert group.adopted_everyone_deny == {"view_channel"} and group.adopted_viewer_roles == {
        55,
        77,
    }
    archived = await services.groups.archive(group.id, GUILD, MOD)
    back = await services.groups.unarchive(archived.id, GUILD, MOD)
    plan = {a.target_id: a for a in await services.groups.access_for(back, 999)}
    assert plan[GUILD].deny == HIDDEN and plan[55].allow == HIDDEN
    # a viewer role the server deleted since is left out
    plan = {a.target_id: a for a in await services.groups.access_for(back, 999, roles={77})}
    assert 55 not in plan and plan[77].allow == HIDDEN
    # a channel /group repair makes in its place is gated the same way
    repaired = await services.groups.repaired(group.id, GUILD, MOD, channel_id=CHANNEL + 1)
    assert not repaired.adopted
    plan = {a.target_id: a for a in await services.groups.access_for(repaired, 999)}
    assert plan[GUILD].deny == HIDDEN
    # Kindred's own channels keep nothing
    made = await make(services, "Made here", 2)
    assert made.adopted_everyone_allow is None
    assert {a.target_id: a for a in await services.groups.access_for(made, 999)}[GUILD] == (
        _access(GUILD)
    )


async def test_a_group_adopted_before_kindred_kept_its_channel_is_kept_once_open(
    services: Services,
) -> None:
    group = await make(services, "Carers", adopt=CHANNEL)
    legacy = await services.groups.repo.update(
        group.id, actor_id=None, action=None, now=services.groups.clock(),
        adopted_everyone_allow=None, adopted_everyone_deny=None, adopted_viewer_roles=None,
    )  # fmt: skip
    assert legacy is not None and services.groups.needs_adopted_state(legacy)
    plan = {a.target_id: a for a in await services.groups.access_for(legacy, 999)}
    assert plan[GUILD].keep == MANAGED - LOCKED  # open: @everyone left as it is
    kept = await services.groups.remember_adopted(legacy, GATED)
    assert kept.adopted_everyone_deny == {"view_channel"}
    assert not services.groups.needs_adopted_state(kept)
    again = await services.groups.remember_adopted(kept, AsAdopted())  # only once
    assert again.adopted_everyone_deny == {"view_channel"}
    private = await make(services, "Private one", 1, private=True, adopt=CHANNEL + 1)
    assert not services.groups.needs_adopted_state(private)  # hidden now: can't tell


async def test_groups_whose_channels_follow_the_peer_and_moderator_roles(
    services: Services,
) -> None:
    private = await make(services, "Private one", 1, private=True)
    archived = await make(services, "Archived one", 2)
    await make(services, "Open one", 3)
    await services.groups.archive(archived.id, GUILD, MOD)
    peers = await services.groups.seen_by_role(GUILD, peer=True)
    moderators = await services.groups.seen_by_role(GUILD, moderator=True)
    assert [g.id for g in peers] == [private.id]
    assert sorted(g.id for g in moderators) == sorted([private.id, archived.id])
    assert await services.groups.seen_by_role(GUILD) == []
    assert await services.groups.seen_by_role(OTHER_GUILD, moderator=True) == []


def test_message_references() -> None:
    assert parse_message_ref("https://discord.com/channels/1/22/333") == (22, 333)
    assert parse_message_ref(" 123456789012345678 ") == (None, 123456789012345678)
    for bad in ("", "hello", "https://evil.example/channels/1/2/3", "12"):
        with pytest.raises(InvalidInputError):
            parse_message_ref(bad)
