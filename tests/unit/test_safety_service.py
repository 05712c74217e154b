"""Safety decisions: private replies, alerts, cooldowns, exclusions, opt-out, metadata only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.repositories.safety import (
    MEMBER_WINDOW_SQL,
    last_in_channel_query,
    notes_in_channel_query,
)
from bot.errors import ConflictError, NotFoundError, PermissionDeniedError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.safety import SafetySettings
from bot.services.safety.model import NOTES_PER_CHANNEL, note_due

G, CH, CH2, USER, MOD = 1, 10, 11, 100, 900
PEER, PEER2, THREAD, SUPPORT = 200, 201, 50, 12


async def assess(
    services: Services,
    label: str,
    tier: int = 0,
    *,
    user: int = USER,
    channel: int = CH,
    roles: list[int] | None = None,
    parent: int | None = None,
):
    return await services.safety.assess(
        guild_id=G,
        channel_id=channel,
        parent_channel_id=parent,
        user_id=user,
        role_ids=roles or [],
        label=label,
        tier=tier,
    )


async def test_crisis_replies_and_alerts_then_cooldown(services: Services, clock) -> None:
    await services.peers.duty.go_on(G, PEER, None)  # someone to ping: the moderators' rule
    first = await assess(services, "crisis_self", 2)
    assert first.reply == "crisis" and first.alert_peers and not first.alert_moderators
    second = await assess(services, "crisis_self", 2)
    assert second.reply is None and not second.alert_peers
    clock.advance(minutes=31)
    third = await assess(services, "crisis_self", 2)
    assert third.reply == "crisis" and third.alert_peers


async def test_higher_tier_breaks_the_alert_cooldown_and_tier3_reaches_mods(services) -> None:
    await assess(services, "crisis_self", 1)
    escalated = await assess(services, "crisis_self", 3)
    assert escalated.alert_peers and escalated.alert_moderators
    assert escalated.reply is None  # the member was answered a moment ago
    assert not escalated.channel_fallback  # no reply, so no note to fall back to
    again = await assess(services, "crisis_self", 3)
    assert not again.alert_peers


async def test_with_no_one_else_on_duty_a_crisis_alert_reaches_the_moderators(services) -> None:
    """The peers' alert pings no one when nobody is on duty, or only the member themself:
    the moderators are told whatever the tier (as of a tier 3); not once a peer is on duty."""
    nobody = await assess(services, "crisis_self", 2)
    assert nobody.alert_peers and nobody.alert_moderators and nobody.nobody_on_duty
    await services.peers.duty.go_on(G, PEER, None)
    only_them = await assess(services, "crisis_self", 2, user=PEER)
    assert only_them.alert_peers and only_them.alert_moderators and only_them.nobody_on_duty
    someone = await assess(services, "crisis_self", 2, user=USER + 1)
    assert someone.alert_peers and not someone.alert_moderators and not someone.nobody_on_duty
    await services.peers.duty.go_on(G, PEER2, None)
    two = await assess(services, "crisis_self", 2, user=PEER2 + 1)
    assert not two.alert_moderators
    peer_with_another = await assess(services, "crisis_self", 1, user=PEER2)
    assert peer_with_another.alert_peers and not peer_with_another.alert_moderators


async def notice_in(services: Services, channel: int, user: int, parent: int | None = SUPPORT):
    return await services.safety.notice(
        guild_id=G,
        channel_id=channel,
        parent_channel_id=parent,
        user_id=user,
        role_ids=[],
        label="crisis_self",
        tier=2,
    )


async def test_crisis_words_in_ones_own_claimed_support_thread_are_left_to_the_two(
    services: Services,
) -> None:
    """A claimed request's thread holds the member's conversation with their peer: what
    either of them writes there is for the other (no reply, no alert, nothing recorded), as
    in a DM relay. Anyone else there, and the thread before the claim or once closed, as
    anywhere."""
    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    requests = services.peers.requests
    await services.peers.duty.go_on(G, PEER, None)
    request = (await requests.open(G, USER)).request
    await requests.claim(request.id, PEER)
    await requests.attach_conversation(request.id, THREAD)
    assert await notice_in(services, THREAD, USER) is None
    assert await notice_in(services, THREAD, PEER) is None
    assert await services.db.fetchval("SELECT COUNT(*) FROM safety_events") == 0
    other = await notice_in(services, THREAD, PEER2)
    assert other is not None and other.alert_peers
    await requests.close(request.id, USER)
    closed = await notice_in(services, THREAD, USER)
    assert closed is not None and closed.reply == "crisis" and closed.alert_peers


async def test_channel_fallback_is_once_per_member_and_capped_per_channel(services) -> None:
    """The brief note's cooldown is the member's own: a second member whose DMs are closed
    gets theirs too; a member already noted here does not get another; and at most
    NOTES_PER_CHANNEL notes go to one channel per channel cooldown (no flood)."""
    first = await assess(services, "crisis_self", 2, user=1)
    assert first.channel_fallback
    # A DM that went through leaves no note behind...
    await services.safety.record_outcome(first, replied=True, alerted=True, noted=False)
    second = await assess(services, "crisis_self", 2, user=4)
    assert second.channel_fallback
    # ...a note that was posted holds that member's note (their DM bounced: a reply is due)...
    await services.safety.record_outcome(second, replied=False, alerted=True, noted=True)
    again = await assess(services, "crisis_self", 2, user=4)
    assert again.reply == "crisis" and not again.channel_fallback
    # ...but not another member's.
    other = await assess(services, "crisis_self", 2, user=2)
    assert other.reply == "crisis" and other.channel_fallback
    await services.safety.record_outcome(other, replied=False, alerted=True, noted=True)
    third = await assess(services, "crisis_self", 2, user=3)
    assert third.channel_fallback
    await services.safety.record_outcome(third, replied=False, alerted=True, noted=True)
    assert NOTES_PER_CHANNEL == 3
    flood = await assess(services, "crisis_self", 2, user=5)
    assert flood.reply == "crisis" and not flood.channel_fallback  # the channel's cap
    elsewhere = await assess(services, "crisis_self", 2, user=6, channel=CH2)
    assert elsewhere.channel_fallback


async def test_channel_notes_free_up_after_the_channel_cooldown(services, clock) -> None:
    for user in (1, 2, 3):
        decision = await assess(services, "crisis_self", 2, user=user)
        await services.safety.record_outcome(decision, replied=False, alerted=True, noted=True)
    assert not (await assess(services, "crisis_self", 2, user=4)).channel_fallback
    clock.advance(minutes=31)
    assert (await assess(services, "crisis_self", 2, user=5)).channel_fallback
    assert (await assess(services, "crisis_self", 2, user=1)).channel_fallback


def test_note_due_is_once_per_member_and_capped() -> None:
    assert note_due(1, [])
    assert not note_due(1, [2, 1])
    assert note_due(3, [2, 1])
    assert not note_due(3, [2, 1, 4])  # the cap (3 by default)
    assert note_due(3, [2], cap=2) and not note_due(3, [2, 1], cap=2)


async def test_opt_out_stops_replies_but_not_peer_alerts(services) -> None:
    await services.safety.set_opt_out(USER, True)
    decision = await assess(services, "crisis_self", 2)
    assert decision.reply is None and decision.alert_peers
    await services.safety.set_opt_out(USER, False)
    assert not await services.safety.opted_out(USER)


async def test_an_alert_says_what_kindred_does_about_the_member(services) -> None:
    """The decision tells the alert whether Kindred is messaging the member: a reply, none
    because they opted out, or none because they had the lines a short while ago."""
    replied = await assess(services, "crisis_self", 2)
    assert (replied.reply, replied.outreach) == ("crisis", "reply")
    await services.safety.record_outcome(replied, replied=True, alerted=True, noted=False)
    earlier = await assess(services, "crisis_self", 3)
    assert (earlier.reply, earlier.opted_out, earlier.outreach) == (None, False, "earlier")
    await services.safety.set_opt_out(USER + 1, True)
    opted = await assess(services, "crisis_self", 2, user=USER + 1)
    assert opted.alert_peers and (opted.reply, opted.outreach) == (None, "opted_out")
    await services.safety.set_opt_out(USER + 2, True)
    item = await soft(services, user=USER + 2, possible_concern=True)
    assert item.quiet_item and (item.reply, item.outreach) == (None, "opted_out")


async def test_a_member_who_opted_out_gets_no_needs_reply(services) -> None:
    await services.safety.set_opt_out(USER, True)
    assert not (await soft(services, label="none", needs=("warmline",))).acts
    assert await services.safety.counts(G) == {}
    alerted = await services.safety.assess(
        guild_id=G,
        channel_id=CH,
        parent_channel_id=None,
        user_id=USER,
        role_ids=[],
        label="crisis_self",
        tier=2,
        needs=["respite"],
    )
    assert alerted.alert_peers and alerted.reply is None and alerted.needs == ()
    await services.safety.set_opt_out(USER, False)
    assert (await soft(services, label="none", needs=("warmline",))).reply == "needs"


async def test_exclusions_and_disabled(services) -> None:
    await services.settings.update(
        G, SafetySettings, MOD, excluded_channel_ids=[CH], excluded_role_ids=[55]
    )
    assert not (await assess(services, "crisis_self", 3)).acts
    assert not (await assess(services, "crisis_self", 3, channel=999, parent=CH)).acts
    assert not (await assess(services, "crisis_self", 3, channel=CH2, roles=[55])).acts
    assert (await assess(services, "crisis_self", 3, channel=CH2)).acts
    # an excluded category: its channels (their parent) and their threads (its id given)
    category = 4242
    await services.settings.update(G, SafetySettings, MOD, excluded_channel_ids=[category])
    assert not (await assess(services, "crisis_self", 3, user=7, parent=category)).acts
    in_thread = await services.safety.assess(
        guild_id=G,
        channel_id=999,
        parent_channel_id=CH2,
        user_id=8,
        category_id=category,
        role_ids=[],
        label="crisis_self",
        tier=3,
    )
    assert not in_thread.acts
    assert (await assess(services, "crisis_self", 3, user=9, channel=CH2)).acts
    await services.settings.update(G, SafetySettings, MOD, enabled=False)
    assert not (await assess(services, "crisis_self", 3, user=5, channel=CH2)).acts


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("concern_other", "concern_other"),
        ("distress", None),
        ("none", None),
    ],
)
async def test_other_labels(services, label, expected) -> None:
    decision = await assess(services, label)
    assert decision.reply == expected
    assert not decision.alert_peers


async def test_distress_pointer_when_turned_on(services) -> None:
    await services.settings.update(G, SafetySettings, MOD, distress_pointer=True)
    assert (await assess(services, "distress")).reply == "distress"


async def test_harassment_alerts_moderators_once_per_channel_cooldown(services) -> None:
    first = await assess(services, "harassment")
    assert first.alert_moderators and first.reply is None and not first.alert_peers
    assert not (await assess(services, "harassment", user=7)).alert_moderators


async def test_only_metadata_is_stored_and_forget_removes_it_leaving_an_anonymous_count(
    services,
) -> None:
    await assess(services, "crisis_self", 2)
    row = await services.db.fetchone("SELECT * FROM safety_events")
    assert set(row.keys()) == {
        "id",
        "guild_id",
        "channel_id",
        "user_id",
        "label",
        "tier",
        "replied",
        "alerted",
        "noted",
        "created_at",
        "reply_outcome",  # a state ("pending", "sent", ...), never text
    }
    assert row["reply_outcome"] == "pending"
    assert (await services.safety.counts(G)) == {"crisis_self": 1}
    await services.privacy.forget(USER)
    # the member's events are gone; what was noticed stays as an anonymous count (no id)
    assert await services.db.fetchall("SELECT * FROM safety_events") == []
    assert await services.safety.counts(G) == {"crisis_self": 1}
    for row in await services.db.fetchall("SELECT * FROM safety_event_counts"):
        assert USER not in tuple(row)


async def test_reach_out_is_atomic(services) -> None:
    alert = await services.safety.record_alert(G, USER, 2)
    await services.safety.reach_out(alert, 5)
    with pytest.raises(ConflictError, match="<@5> is already reaching out"):
        await services.safety.reach_out(alert, 6)
    with pytest.raises(ConflictError, match="You're already reaching out"):
        await services.safety.reach_out(alert, 5)
    assert (await services.safety.repo.get_alert(alert)).responder_id == 5
    with pytest.raises(NotFoundError):
        await services.safety.reach_out(alert, 6, guild_id=999)  # another guild's alert


async def test_the_person_an_alert_is_about_can_neither_take_nor_dismiss_it(services) -> None:
    safety = services.safety
    alert = await safety.record_alert(G, USER, 2, phrase_ids=("en.self.want_to_die",))
    with pytest.raises(PermissionDeniedError, match="about you"):
        await safety.reach_out(alert, USER, G)
    with pytest.raises(PermissionDeniedError, match="about you"):
        await safety.not_a_concern(alert, G, USER)
    row = await safety.repo.get_alert(alert)
    assert (row.responder_id, row.dismissed_by) == (None, None)
    # nobody reviewed it: no precision (it used to count as right)
    assert [(p.alerts, p.reviewed, p.precision) for p in await safety.precision(G)] == [
        (1, 0, None)
    ]
    await safety.reach_out(alert, 5, G)  # still open for another peer
    assert (await safety.repo.get_alert(alert)).responder_id == 5


async def test_a_taken_alert_cannot_be_dismissed_nor_a_dismissed_one_taken(services) -> None:
    safety = services.safety
    taken = await safety.record_alert(G, USER, 2, model_version="ft-abc")
    dismissed = await safety.record_alert(G, 7, 2, model_version="ft-abc")
    await safety.reach_out(taken, 5, G)
    await safety.not_a_concern(dismissed, G, 6)
    with pytest.raises(ConflictError, match="<@5> is already reaching out, so this one stays"):
        await safety.not_a_concern(taken, G, 6)
    with pytest.raises(ConflictError, match="<@6> already marked this one not a concern"):
        await safety.reach_out(dismissed, 5, G)
    assert (await safety.repo.get_alert(taken)).dismissed_by is None
    assert (await safety.repo.get_alert(dismissed)).responder_id is None
    assert await safety.precision(G) == [("model:ft-abc", 2, 1, 1)]  # alerts, taken, dismissed
    assert (await safety.precision(G))[0].precision == 0.5


async def test_measured_precision_is_over_the_alerts_peers_reviewed_only(services) -> None:
    """Precision was (alerts - not a concern) / alerts, so every alert nobody looked at
    counted as right. Now: taken / (taken + not a concern), the unreviewed ones apart; an
    alert taken, given back (the peer lost the role) and taken again counts once."""
    from bot.services.peers import PeerSettings

    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    safety = services.safety
    alerts = [await safety.record_alert(G, 100 + n, 2, model_version="ft-abc") for n in range(5)]
    await safety.reach_out(alerts[0], 5, G)
    await safety.not_a_concern(alerts[1], G, 6)
    await safety.not_a_concern(alerts[2], G, 6)
    (row,) = await safety.precision(G)
    assert (row.alerts, row.taken, row.dismissed, row.unreviewed) == (5, 1, 2, 2)
    assert row.precision == 1 / 3  # was (5 - 2) / 5 = 60%
    await services.peers.requests.lost_role(G, 5)  # alerts[0] is open again: not reviewed
    (row,) = await safety.precision(G)
    assert (row.taken, row.unreviewed, row.precision) == (0, 3, 0.0)
    await safety.reach_out(alerts[0], 6, G)
    (row,) = await safety.precision(G)
    assert (row.alerts, row.taken, row.dismissed, row.unreviewed) == (5, 1, 2, 2)


async def test_a_peer_who_lost_the_role_gives_back_the_alerts_they_took(services, clock) -> None:
    """Found without the peer role (requests' lost_role), a peer's taken alerts of the last
    day are open again, each audited and with a stored timer for the Discord layer; alerts
    others took or marked, and older ones, stay as they are."""
    from bot.services.peers import PeerSettings
    from bot.services.safety import ALERT_REOPENED

    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    safety = services.safety
    old = await safety.record_alert(G, USER, 2)
    await safety.reach_out(old, 5, G)
    clock.advance(days=2)
    mine = await safety.record_alert(G, USER, 2)
    theirs = await safety.record_alert(G, 7, 2)
    marked = await safety.record_alert(G, 8, 2)
    await safety.reach_out(mine, 5, G)
    await safety.reach_out(theirs, 6, G)
    await safety.not_a_concern(marked, G, 5)
    await safety.alert_posted(mine, 6, 6000)
    await services.peers.duty.go_on(G, 6, None)
    await services.peers.requests.lost_role(G, 5)
    rows = {a: await safety.repo.get_alert(a) for a in (old, mine, theirs, marked)}
    assert (rows[mine].responder_id, rows[mine].state) == (None, "open")
    assert rows[old].responder_id == 5 and rows[theirs].responder_id == 6
    assert rows[marked].state == "dismissed"
    entries = await services.audit.recent(G, limit=50)
    reopened = [e for e in entries if e.action == "safety.alert_reopened"]
    assert len(reopened) == 1
    timer = await services.scheduler.get(f"safety:reopened:{mine}")
    assert timer is not None and timer.kind == ALERT_REOPENED and timer.guild_id == G
    outcome = await safety.on_alert_reopened(timer)
    assert (outcome.channel_id, outcome.message_id, outcome.pings) == (6, 6000, [6])
    # once someone takes it again, the timer has nothing to offer
    await safety.reach_out(mine, 6, G)
    assert await safety.on_alert_reopened(timer) is None
    # losing the role again reopens nothing more
    assert await safety.peer_lost_role(G, 5) == []


async def test_a_refused_alert_channel_falls_back_and_is_told_once_per_channel(
    services: Services, clock
) -> None:
    from bot.services.peers import PeerSettings

    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    await services.safety.update_settings(G, MOD, peer_alert_channel_id=77)
    safety = services.safety
    first = await safety.alert_refused(G, 77)
    assert (first.fallback_channel_id, first.chosen, first.tell_moderators) == (6, True, True)
    assert not (await safety.alert_refused(G, 77)).tell_moderators  # not per alert
    own = await safety.alert_refused(G, 6)  # the peer channel itself: nowhere else to go
    assert (own.fallback_channel_id, own.chosen, own.tell_moderators) == (None, False, True)
    clock.advance(hours=6)
    assert (await safety.alert_refused(G, 77)).tell_moderators  # told again hours later


async def test_a_refused_moderator_alert_channel_falls_back_and_is_told_once(
    services: Services, clock
) -> None:
    """A moderator alert channel that refuses Kindred: reports go to the moderator channel
    from /peers setup, the moderators told there once per channel per six hours."""
    await services.settings.update(
        G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6, mod_channel_id=7
    )
    await services.safety.update_settings(G, MOD, mod_alert_channel_id=88)
    safety = services.safety
    first = await safety.moderator_channel_refused(G, 88)
    assert (first.fallback_channel_id, first.chosen, first.tell_moderators) == (7, True, True)
    assert not (await safety.moderator_channel_refused(G, 88)).tell_moderators  # not per report
    own = await safety.moderator_channel_refused(G, 7)  # the moderator channel itself
    assert (own.fallback_channel_id, own.tell_moderators) == (None, False)  # nowhere to tell
    assert (await safety.alert_refused(G, 88)).tell_moderators  # a peer alert's notice is apart
    clock.advance(hours=6)
    assert (await safety.moderator_channel_refused(G, 88)).tell_moderators  # told again later


async def test_a_restarted_bot_does_not_tell_the_moderators_of_a_refused_channel_again(
    database_url: str, clock
) -> None:
    """When the moderators were told is stored, not kept in memory: a fresh service over the
    same database (a restart) doesn't repeat the report inside six hours."""
    from bot.config import Settings
    from bot.services import build_services

    url = database_url if database_url.startswith("postgres") else None
    config = Settings(database={"path": database_url, "url": url})
    first = await build_services(config, clock=clock)
    try:
        await first.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
        await first.safety.update_settings(G, MOD, peer_alert_channel_id=77)
        assert (await first.safety.alert_refused(G, 77)).tell_moderators
    finally:
        await first.close()
    clock.advance(hours=5, minutes=59)
    restarted = await build_services(config, clock=clock)
    try:
        assert not (await restarted.safety.alert_refused(G, 77)).tell_moderators
        assert (await restarted.safety.alert_refused(G, 78)).tell_moderators  # another channel
        clock.advance(minutes=1)
        assert (await restarted.safety.alert_refused(G, 77)).tell_moderators
    finally:
        await restarted.close()


async def test_take_and_dismiss_at_once_exactly_one_changes_the_alert(services) -> None:
    import asyncio

    safety = services.safety
    for n in range(5):
        alert = await safety.record_alert(G, USER, 2, model_version=f"ft-{n}")
        took, dismissed = await asyncio.gather(
            safety.reach_out(alert, 5, G),
            safety.not_a_concern(alert, G, 6),
            return_exceptions=True,
        )
        assert (took is None) != (dismissed is None), (took, dismissed)
        loser = dismissed if took is None else took
        assert isinstance(loser, ConflictError)
        row = await safety.repo.get_alert(alert)
        assert (row.responder_id, row.dismissed_by) == ((5, None) if took is None else (None, 6))


async def test_a_burst_of_messages_gets_one_reply_and_one_alert(services: Services) -> None:
    import asyncio

    decisions = await asyncio.gather(*(assess(services, "crisis_self", 3) for _ in range(4)))
    assert sum(d.reply == "crisis" for d in decisions) == 1
    assert sum(d.alert_peers for d in decisions) == 1
    assert sum(d.alert_moderators for d in decisions) == 1


async def test_a_gentle_pointer_never_silences_the_crisis_lines(services: Services) -> None:
    await services.settings.update(G, SafetySettings, MOD, distress_pointer=True)
    assert (await assess(services, "distress")).reply == "distress"
    assert (await assess(services, "crisis_self", 3)).reply == "crisis"


async def test_a_reply_that_bounced_does_not_hold_back_the_next(services: Services) -> None:
    first = await assess(services, "crisis_self", 2)
    await services.safety.record_outcome(first, replied=False, alerted=True, noted=False)
    assert (await assess(services, "crisis_self", 2)).reply == "crisis"


# -- graded responses, needs, context and measured precision (issue #9) -------------------


async def soft(services: Services, **kwargs):
    return await services.safety.assess(
        guild_id=G,
        channel_id=CH,
        parent_channel_id=None,
        user_id=kwargs.pop("user", USER),
        role_ids=[],
        label=kwargs.pop("label", "distress"),
        tier=0,
        **kwargs,
    )


async def test_possible_concern_gets_a_gentle_reply_and_a_quiet_peer_item(services) -> None:
    decision = await soft(services, possible_concern=True)
    assert decision.reply == "possible_concern" and decision.quiet_item
    assert not decision.alert_peers and not decision.alert_moderators
    # cooled down like every other reply
    again = await soft(services, possible_concern=True)
    assert again.reply is None and not again.quiet_item


async def test_a_harassment_alert_never_holds_back_the_members_own_care(services) -> None:
    """Moderators told of a member's harassing message: that member's own possible concern
    minutes later still gets its quiet item for peers, and a crisis its alert."""
    assert (await assess(services, "harassment")).alert_moderators
    decision = await soft(services, possible_concern=True)
    assert decision.reply == "possible_concern" and decision.quiet_item
    crisis = await assess(services, "crisis_self", 1)
    assert crisis.alert_peers


async def test_possible_concern_never_silences_the_crisis_lines(services) -> None:
    await soft(services, possible_concern=True)
    crisis = await assess(services, "crisis_self", 2)
    assert crisis.reply == "crisis" and crisis.alert_peers


async def test_soft_replies_and_peer_items_can_be_turned_off(services) -> None:
    await services.settings.update(G, SafetySettings, MOD, soft_replies=False, peer_items=False)
    decision = await soft(services, possible_concern=True)
    assert not decision.acts


async def test_plain_distress_still_follows_the_pointer_setting(services) -> None:
    assert not (await soft(services)).acts


async def test_needs_alone_get_a_needs_reply_without_crisis_lines(services) -> None:
    decision = await soft(services, label="none", needs=("respite", "bogus"))
    assert decision.reply == "needs" and decision.needs == ("respite",)
    assert not decision.alert_peers and not decision.quiet_item
    assert (await services.safety.counts(G)) == {"needs": 1}
    # asked again a minute later: not answered twice
    assert not (await soft(services, label="none", needs=("respite",))).acts


async def test_needs_ride_along_with_a_crisis_reply(services) -> None:
    decision = await services.safety.assess(
        guild_id=G,
        channel_id=CH,
        parent_channel_id=None,
        user_id=USER,
        role_ids=[],
        label="crisis_self",
        tier=2,
        needs=["warmline"],
    )
    assert decision.reply == "crisis" and decision.needs == ("warmline",)


async def test_needs_replies_can_be_turned_off(services) -> None:
    await services.settings.update(G, SafetySettings, MOD, needs_replies=False)
    assert not (await soft(services, label="none", needs=("peer",))).acts


async def test_context_risk_is_remembered_briefly_per_member_and_channel(services, clock) -> None:
    safety = services.safety
    assert safety.context_risk(G, CH, USER) == 0.0
    safety.remember_risk(G, CH, USER, 0.4)
    assert safety.context_risk(G, CH, USER) == 0.4
    assert safety.context_risk(G, CH2, USER) == 0.0  # another channel
    assert safety.context_risk(G, CH, 5) == 0.0  # another member
    clock.advance(minutes=11)
    assert safety.context_risk(G, CH, USER) == 0.0
    safety.remember_risk(G, CH, USER, 0.5)
    await services.privacy.forget(USER)
    assert safety.context_risk(G, CH, USER) == 0.0


async def test_cared_for_means_a_decision_about_the_members_risk_reached_someone(
    services, clock
) -> None:
    """What holds back a group's spoiler-tag reminder: a reply, an alert or a quiet item about
    the member's risk in the last few minutes, in this server, once the detector noticed
    their risk in this channel. A label that reached nobody (plain distress with the pointer
    off), a needs reply or harassment is not care."""
    safety = services.safety
    for user in (USER, 5, 7, 8):  # the listener remembers what it noticed (``notice``)
        safety.remember_risk(G, CH, user, 0.3)
    safety.remember_risk(2, CH, USER, 0.3)
    assert not await safety.cared_for(G, CH, USER)
    assert not (await soft(services)).acts  # plain distress, the pointer off: recorded, silent
    assert not await safety.cared_for(G, CH, USER)
    assert (await soft(services, label="none", needs=("respite",))).reply == "needs"
    assert not await safety.cared_for(G, CH, USER)
    assert (await assess(services, "harassment", user=8)).alert_moderators
    assert not await safety.cared_for(G, CH, 8)
    assert (await soft(services, possible_concern=True)).quiet_item  # no reply: the cooldown
    assert await safety.cared_for(G, CH, USER)
    assert not await safety.cared_for(G, CH, 5)  # another member
    assert not await safety.cared_for(2, CH, USER)  # another server
    assert not await safety.cared_for(G, CH2, USER)  # nothing noticed of theirs in CH2
    clock.advance(minutes=11)
    safety.remember_risk(G, CH, USER, 0.3)
    assert not await safety.cared_for(G, CH, USER)
    safety.remember_risk(G, CH, 7, 0.9)
    assert (await assess(services, "crisis_self", 2, user=7)).reply == "crisis"
    assert await safety.cared_for(G, CH, 7)


async def test_not_a_concern_is_counted_per_source_without_text(services) -> None:
    safety = services.safety
    a = await safety.record_alert(
        G, USER, 2, phrase_ids=("en.self.want_to_die",), model_version="ft-abc"
    )
    b = await safety.record_alert(G, 7, 0, level="soft", model_version="ft-abc")
    await safety.not_a_concern(b, G, 5)
    with pytest.raises(ConflictError, match="<@5> already marked this one not a concern"):
        await safety.not_a_concern(b, G, 6)
    with pytest.raises(NotFoundError):
        await safety.not_a_concern(a, 999, 5)  # another guild's alert
    rows = {
        p.source: (p.alerts, p.dismissed, p.unreviewed, p.precision)
        for p in await safety.precision(G)
    }
    assert rows["model:ft-abc"] == (2, 1, 1, 0.0)  # the one reviewed was not a concern
    assert rows["phrase:en.self.want_to_die"] == (1, 0, 1, None)  # not reviewed: no figure
    cols = await services.db.columns("safety_feedback")
    assert set(cols) == {"guild_id", "source", "alerts", "taken", "dismissed"}
    # forgetting the peer who dismissed keeps the counts, drops the id
    await services.privacy.forget(5)
    row = await services.db.fetchone("SELECT dismissed_by FROM safety_alerts WHERE id = ?", (b,))
    assert row["dismissed_by"] is None
    assert len(await safety.precision(G)) == 2


async def test_language_choice(services) -> None:
    safety = services.safety
    assert await safety.language_for(USER, "es") == "es"
    assert await safety.language_for(USER, "xx") == "en"
    assert await safety.set_language(USER, "pt-BR") == "pt"
    assert await safety.language_for(USER, "es") == "pt"
    await safety.clear_language(USER)
    assert await safety.language_for(USER, None) == "en"
    from bot.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        await safety.set_language(USER, "klingon" * 100)


async def test_member_window_answers_the_cooldown_questions_in_one_query(
    services: Services, clock
) -> None:
    """Replies per label and the highest alerting tier, since a moment, for one member
    (other members, servers and older events do not count)."""
    repo = services.safety.repo
    now = clock()
    old = now - timedelta(minutes=90)
    await repo.add_event(1, 10, 5, "crisis_self", 3, replied=True, alerted=True, now=old)
    await repo.add_event(1, 10, 5, "distress", 0, replied=True, alerted=False, now=now)
    await repo.add_event(1, 10, 5, "crisis_self", 1, replied=False, alerted=True, now=now)
    await repo.add_event(1, 10, 5, "crisis_self", 2, replied=False, alerted=True, now=now)
    await repo.add_event(1, 10, 6, "needs", 0, replied=True, alerted=False, now=now)
    await repo.add_event(2, 10, 5, "needs", 0, replied=True, alerted=True, now=now)
    since = now - timedelta(minutes=30)
    window = await repo.member_window(1, 5, since)
    assert window.replied == {"distress"}
    assert window.alerted_tier == 2
    assert window.acted == {"distress", "crisis_self"}  # the old crisis event is out of it
    assert window.replied_to() and window.replied_to(("distress", "needs"))
    assert not window.replied_to(("crisis_self",)) and not window.replied_to(("needs",))
    empty = await repo.member_window(1, 7, since)
    assert empty.replied == frozenset() and empty.alerted_tier is None
    assert empty.acted == frozenset()
    assert not empty.replied_to()


async def test_member_window_reads_only_events_that_acted(services: Services, clock) -> None:
    """Events that neither replied nor alerted answer no cooldown question: a member whose
    messages keep being noticed (hundreds in the window) must not make each next decision
    read them all. The answer ignores them, and on SQLite the query is served by the
    partial index of acting events (a full read of the window was ~0.7 ms a query at a
    thousand events)."""
    repo = services.safety.repo
    now = clock()
    await repo.add_event(1, 10, 5, "crisis_self", 2, replied=True, alerted=True, now=now)
    for _ in range(30):
        await repo.add_event(1, 10, 5, "crisis_self", 3, replied=False, alerted=False, now=now)
        await repo.add_event(1, 10, 5, "distress", 0, replied=False, alerted=False, now=now)
    window = await repo.member_window(1, 5, now - timedelta(minutes=30))
    assert window.replied == {"crisis_self"}
    assert window.alerted_tier == 2  # the tier-3 events alerted no one
    if services.db.dialect == "sqlite":
        plan = await services.db.fetchall(
            "EXPLAIN QUERY PLAN " + MEMBER_WINDOW_SQL, (1, 5, "2026-01-01T00:00:00")
        )
        assert any("safety_events_acted" in str(row["detail"]) for row in plan), plan


async def test_channel_cooldowns_read_only_events_that_acted(services: Services, clock) -> None:
    """The same for a channel (harassment alerts, the crisis reply's channel note): a raid
    of noticed messages must not make each next check read them all."""
    repo = services.safety.repo
    now = clock()
    first = await repo.add_event(1, 10, 5, "harassment", 0, replied=False, alerted=True, now=now)
    await repo.set_outcome(first, replied=False, alerted=True, noted=True)
    for user in range(30):
        await repo.add_event(1, 10, user, "harassment", 0, replied=False, alerted=False, now=now)
    since = now - timedelta(minutes=30)
    acted = await repo.last_in_channel(1, 10, since, "harassment")
    noted = await repo.last_in_channel(1, 10, since, noted=True)
    assert acted is not None and acted.id == first
    assert noted is not None and noted.id == first
    assert await repo.notes_in_channel(1, 10, since, 3) == [5]
    if services.db.dialect == "sqlite":  # the repository's own statements
        for index, query in (
            (
                "safety_events_channel_acted",
                last_in_channel_query(1, 10, since, "harassment", noted=False),
            ),
            ("safety_events_channel_noted", last_in_channel_query(1, 10, since, None, noted=True)),
            ("safety_events_channel_noted", notes_in_channel_query(1, 10, since, 3)),
        ):
            sql, params = query
            plan = await services.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
            assert any(index in str(row["detail"]) for row in plan), plan


async def test_an_alert_stays_closed_when_whoever_acted_on_it_is_forgotten(services, clock) -> None:
    """/forgetme clears who took or dismissed an alert, never that someone did: it used to look
    open again, so another press took it a second time or counted a second "not a concern".
    (An alert raised within the last day that the forgotten peer took is opened again on
    purpose, audited, and offered to the others: the next test.)"""
    safety = services.safety
    taken = await safety.record_alert(G, USER, 2, model_version="ft-abc")
    dismissed = await safety.record_alert(G, 7, 2, model_version="ft-abc")
    await safety.reach_out(taken, 5, G)
    await safety.not_a_concern(dismissed, G, 6)
    clock.advance(days=2)
    await services.privacy.forget(5)
    await services.privacy.forget(6)
    with pytest.raises(ConflictError, match=r"A peer already took this one\. Thank you"):
        await safety.reach_out(taken, 8, G)
    with pytest.raises(ConflictError, match="A peer already took this one, so it stays"):
        await safety.not_a_concern(taken, G, 8)
    with pytest.raises(ConflictError, match="A peer already marked this one not a concern"):
        await safety.reach_out(dismissed, 8, G)
    with pytest.raises(ConflictError, match="A peer already marked this one not a concern"):
        await safety.not_a_concern(dismissed, G, 8)
    for alert, state in ((taken, "taken"), (dismissed, "dismissed")):
        row = await safety.repo.get_alert(alert)
        assert (row.responder_id, row.dismissed_by, row.state) == (None, None, state)
    assert await safety.precision(G) == [("model:ft-abc", 2, 1, 1)]  # counted once


async def test_a_forgotten_peer_gives_back_the_alerts_they_were_reaching_out_on(
    services, clock
) -> None:
    """A peer's /forgetme reopens the alerts they took within the last day, in every server,
    as losing the peer role does, so nobody in crisis waits on someone who is gone; the audit
    entry and the timer keep no id of theirs. Older alerts only lose who took them."""
    from bot.services.safety import ALERT_REOPENED

    safety = services.safety
    other = G + 1
    old = await safety.record_alert(G, USER, 2, model_version="ft-abc")
    await safety.reach_out(old, 5, G)
    clock.advance(days=2)
    recent = await safety.record_alert(G, USER, 3, model_version="ft-abc")
    elsewhere = await safety.record_alert(other, 9, 2, model_version="ft-abc")
    kept = await safety.record_alert(G, 7, 2, model_version="ft-abc")
    await safety.reach_out(recent, 5, G)
    await safety.reach_out(elsewhere, 5, other)
    await safety.reach_out(kept, 6, G)
    await services.privacy.forget(5)
    rows = {a: await safety.repo.get_alert(a) for a in (old, recent, elsewhere, kept)}
    assert (rows[recent].state, rows[recent].responder_id) == ("open", None)
    assert (rows[elsewhere].state, rows[elsewhere].responder_id) == ("open", None)
    assert (rows[old].state, rows[old].responder_id) == ("taken", None)
    assert (rows[kept].state, rows[kept].responder_id) == ("taken", 6)
    for alert, guild in ((recent, G), (elsewhere, other)):
        timer = await services.scheduler.get(f"safety:reopened:{alert}")
        assert timer is not None and timer.kind == ALERT_REOPENED and timer.guild_id == guild
        assert set(timer.payload) == {"alert_id"}
        entries = await services.audit.recent(guild, limit=50)
        reopened = [e for e in entries if e.action == "safety.alert_reopened"]
        assert len(reopened) == 1 and "peer" not in str(reopened[0].detail)
    await safety.reach_out(recent, 8, G)  # another peer can take it now
    assert (await safety.repo.get_alert(recent)).responder_id == 8
