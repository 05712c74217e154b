"""Safety rules that left the cog for SafetyService: timers (kinds, keys and payloads kept),
alert targets and pings, DM intents, what a message needs noticed, resource choices, settings.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.errors import InvalidInputError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.resources import parse_local_contact
from bot.services.safety import (
    ALERT_RETRY,
    ANONYMOUS_RETRY,
    DELETE_FALLBACK,
    NOTHING,
    QUIET_RETRY,
    REPLY_RETRY,
    AlertRetry,
    AnonymousAlert,
    Decision,
    FallbackNote,
    QuietItem,
    RegionNeededError,
    ReplyRetry,
    SafetySettings,
    TimerRow,
    respite_states,
    respites_for_state,
    shows_region_lines,
)
from bot.services.settings import CoreSettings
from bot.timers import MAX_ATTEMPTS

G, CH, USER, PEER, PEER2, MOD = 1, 10, 100, 200, 201, 900


async def stored(services: Services, kind: str) -> list[TimerRow]:
    return [t for t in await services.scheduler.timers.all() if t.kind == kind]


def with_attempts(timer: TimerRow, attempts: int) -> TimerRow:
    return TimerRow(
        timer.id, timer.kind, timer.key, timer.due_at, timer.payload, timer.guild_id, attempts
    )


# -- timers ------------------------------------------------------------------------------------
async def test_a_refused_reply_is_stored_without_text_and_read_back(services, clock) -> None:
    await services.safety.retry_reply_later(G, USER, "crisis", ("respite",), "es")
    [timer] = await stored(services, REPLY_RETRY)
    assert timer.key is None and timer.guild_id == G
    assert timer.due_at == clock() + timedelta(seconds=20)
    assert timer.payload == {"user_id": USER, "kind": "crisis", "needs": ["respite"], "lang": "es"}
    retry = await services.safety.on_reply_retry(timer)
    assert retry == ReplyRetry(
        user_id=USER, guild_id=G, kind="crisis", needs=("respite",), lang="es"
    )


async def test_a_reply_retry_due_after_the_member_opted_out_is_dropped(services) -> None:
    await services.safety.retry_reply_later(G, USER, "crisis", (), "en")
    [timer] = await stored(services, REPLY_RETRY)
    await services.safety.set_opt_out(USER, True)
    assert await services.safety.on_reply_retry(timer) is None
    await services.safety.set_opt_out(USER, False)
    assert (await services.safety.on_reply_retry(timer)) is not None


async def test_an_alert_retry_keeps_what_the_alert_says_of_kindreds_reply(services) -> None:
    alert = await services.safety.open_peer_alert(
        G,
        peer_channel_id=6,
        member_id=USER,
        channel_id=CH,
        jump_url="j",
        tier=2,
        content="",
        outreach="opted_out",
    )
    await services.safety.retry_alert_later(alert)
    [timer] = await stored(services, ALERT_RETRY)
    assert (await services.safety.on_alert_retry(timer)).alert.outreach == "opted_out"
    # a row stored before alerts said it: Kindred was sending a reply
    old = dict(timer.payload)
    del old["outreach"]
    row = await services.scheduler.schedule_once(ALERT_RETRY, services.clock(), old, guild_id=G)
    assert (await services.safety.on_alert_retry(row)).alert.outreach == "reply"


async def test_a_reply_retry_stored_before_the_upgrade_still_reads(services) -> None:
    # Rows written by the old cog: same kind and payload; a missing language means English.
    row = await services.scheduler.schedule_once(
        REPLY_RETRY, services.clock(), {"user_id": USER, "kind": "needs"}, guild_id=None
    )
    retry = await services.safety.on_reply_retry(row)
    # no server (None, as a DM to Kindred's reply; it read as server 0 before)
    assert (retry.guild_id, retry.kind, retry.needs, retry.lang) == (None, "needs", (), "en")


async def test_a_failed_peer_alert_is_stored_with_ids_only(services, clock) -> None:
    await services.settings.update(G, SafetySettings, MOD, copy_content=True)
    alert = await services.safety.open_peer_alert(
        G,
        peer_channel_id=6,
        member_id=USER,
        channel_id=CH,
        jump_url="https://discord.com/channels/1/10/5",
        tier=2,
        content="some words",
    )
    assert alert.copy == "some words"
    await services.safety.retry_alert_later(alert)
    [timer] = await stored(services, ALERT_RETRY)
    assert timer.guild_id == G and timer.due_at == clock() + timedelta(seconds=20)
    assert timer.payload == {
        "alert_id": alert.alert_id,
        "peer_channel_id": 6,
        "member_id": USER,
        "channel_id": CH,
        "jump_url": "https://discord.com/channels/1/10/5",
        "tier": 2,
        "outreach": "reply",
    }
    assert "some words" not in json.dumps(timer.payload)
    retry = await services.safety.on_alert_retry(timer)
    assert retry == AlertRetry(alert=replace(alert, copy=""), final=False)  # no text kept


async def test_only_the_schedulers_last_try_of_an_alert_is_final(services) -> None:
    alert = await services.safety.open_peer_alert(
        G, peer_channel_id=6, member_id=USER, channel_id=CH, jump_url="j", tier=1, content=""
    )
    await services.safety.retry_alert_later(alert)
    [timer] = await stored(services, ALERT_RETRY)
    finals = [
        (await services.safety.on_alert_retry(with_attempts(timer, n))).final
        for n in range(MAX_ATTEMPTS)
    ]
    assert finals == [False] * (MAX_ATTEMPTS - 1) + [True]


async def crisis_event(
    services: Services, *, replied: bool = True, outcome: str | None = "recorded"
) -> int:
    """A crisis event whose reply is being sent, or (``replied`` False) met closed DMs, as
    Kindred records them; ``outcome=None``: an event recorded before outcomes were kept."""
    if outcome == "recorded":
        outcome = "pending" if replied else "dms_closed"
    return await services.safety.repo.add_event(
        G,
        CH,
        USER,
        "crisis_self",
        2,
        replied=replied,
        alerted=True,
        now=services.clock(),
        reply_outcome=outcome,
    )


async def test_an_alert_retry_says_what_became_of_the_reply_when_it_posts(services) -> None:
    """A stored alert said Kindred was reaching out: when it is tried again it says so only if
    the reply's event still records it sent; DMs found closed meanwhile (the reply's own retry
    included) say so; an event gone says neither ("unknown")."""
    event_id = await crisis_event(services)
    alert = await open_alert(services, event_id=event_id)
    await services.safety.retry_alert_later(alert)
    [timer] = await stored(services, ALERT_RETRY)
    assert timer.payload["event_id"] == event_id
    assert (await services.safety.on_alert_retry(timer)).alert.outreach == "reply"
    await services.safety.retry_reply_later(G, USER, "crisis", (), "en", event_id)
    [reply] = await stored(services, REPLY_RETRY)
    await services.safety.reply_refused(reply)  # the reply's retry found DMs closed
    assert (await services.safety.on_alert_retry(timer)).alert.outreach == "dms_closed"
    await services.db.execute("DELETE FROM safety_events WHERE id = ?", (event_id,))
    assert (await services.safety.on_alert_retry(timer)).alert.outreach == "unknown"


async def test_an_alert_retry_says_the_replys_recorded_outcome(services) -> None:
    """The reply's outcome stored on its event (a state, never text) is what an alert posted
    later by its own retry says: still being sent or sent says Kindred is reaching out; an
    opt-out meanwhile, DMs closed or every try failed each say so, never "DMs closed" for
    all three; an event recorded before outcomes were kept and not sent says "unknown"."""
    event_id = await crisis_event(services)
    alert = await open_alert(services, event_id=event_id)
    await services.safety.retry_alert_later(alert)
    [timer] = await stored(services, ALERT_RETRY)
    await services.safety.retry_reply_later(G, USER, "crisis", (), "en", event_id)
    [reply] = await stored(services, REPLY_RETRY)
    for outcome in ("opted_out", "dms_closed", "unknown"):
        await services.safety.reply_not_sent(reply, outcome)
        assert (await services.safety.on_alert_retry(timer)).alert.outreach == outcome
        assert await services.safety.repo.event_replied(event_id) is False
    await services.safety.reply_sent(reply)
    assert (await services.safety.on_alert_retry(timer)).alert.outreach == "reply"
    assert await services.safety.repo.event_replied(event_id) is True
    legacy = await crisis_event(services, replied=False, outcome=None)
    old = await open_alert(services, event_id=legacy)
    await services.safety.retry_alert_later(old)
    [old_timer] = [
        t for t in await stored(services, ALERT_RETRY) if t.payload["event_id"] == legacy
    ]
    assert (await services.safety.on_alert_retry(old_timer)).alert.outreach == "unknown"


async def test_a_decision_records_its_replys_state(services) -> None:
    """An event records "pending" when a reply is due and "opted_out" when the member's
    opt-out is why none is; the listener's outcome then replaces it."""
    from bot.services.safety import Decision

    assert Decision(reply="crisis").reply_outcome == "pending"
    assert Decision(opted_out=True).reply_outcome == "opted_out"
    assert Decision().reply_outcome is None
    event_id = await crisis_event(services)
    decision = Decision(reply="crisis", event_id=event_id)
    await services.safety.record_outcome(
        decision, replied=False, alerted=True, noted=False, reply="dms_closed"
    )
    assert await services.safety.repo.event_reply(event_id) == (False, "dms_closed")
    await services.safety.record_outcome(decision, replied=False, alerted=True, noted=False)
    assert await services.safety.repo.event_reply(event_id) == (False, "dms_closed")


async def test_a_reply_not_sent_after_all_gives_where_its_alerts_were_posted(services) -> None:
    """A stored reply keeps where the alerts and reports posted with it are (ids only) and the
    ids of its alerts (a card an alert's own retry posts later is found through its row): once
    it is not sent after all, its event records so and each place is given once."""
    event_id = await crisis_event(services)
    posted = await open_alert(services, event_id=event_id)
    later = await open_alert(services, event_id=event_id)
    unposted = await open_alert(services, event_id=event_id)
    await services.safety.alert_posted(posted.alert_id, 50, 501)
    await services.safety.retry_reply_later(
        G,
        USER,
        "crisis",
        (),
        "en",
        event_id,
        cards=[(50, 501), (60, 601)],
        alert_ids=[posted.alert_id, later.alert_id, unposted.alert_id],
    )
    [reply] = await stored(services, REPLY_RETRY)
    assert reply.payload["cards"] == [[50, 501], [60, 601]]
    await services.safety.alert_posted(later.alert_id, 50, 502)  # its retry posted it
    where = await services.safety.reply_not_sent(reply, "dms_closed")
    assert where == [(50, 501), (60, 601), (50, 502)]
    assert await services.safety.repo.event_replied(event_id) is False
    finals = [
        (await services.safety.on_reply_retry(with_attempts(reply, n))).final
        for n in range(MAX_ATTEMPTS)
    ]
    assert finals == [False] * (MAX_ATTEMPTS - 1) + [True]


async def test_a_possible_concern_retry_stores_ids_only_and_reads_the_member_back(
    services, clock
) -> None:
    event_id = await crisis_event(services, replied=False)  # the check-in met closed DMs
    alert_id = await services.safety.record_quiet_item(G, USER)
    item = QuietItem(
        G, alert_id, 6, USER, CH, "https://discord.com/channels/1/10/5", "reply", event_id
    )
    await services.safety.retry_quiet_later(item)
    [timer] = await stored(services, QUIET_RETRY)
    assert timer.guild_id == G and timer.due_at == clock() + timedelta(seconds=20)
    assert USER not in timer.payload.values()  # not even the member's id
    retry = await services.safety.on_quiet_retry(timer)
    assert retry is not None and not retry.final
    assert retry.item == replace(item, outreach="dms_closed")
    assert (await services.safety.on_quiet_retry(with_attempts(timer, MAX_ATTEMPTS - 1))).final
    await services.safety.repo.delete_user(USER)  # /forgetme: nothing is posted about them
    assert await services.safety.on_quiet_retry(timer) is None


async def test_an_anonymous_posts_alert_retry_holds_no_author_and_pings_everyone_on_duty(
    services,
) -> None:
    for uid in (PEER, PEER2):
        await services.peers.duty.go_on(G, uid, None)
    alert = AnonymousAlert(G, 6, CH, "https://discord.com/channels/1/10/5", 3, True, "reply", True)
    await services.safety.retry_anonymous_later(alert)
    [timer] = await stored(services, ANONYMOUS_RETRY)
    assert set(timer.payload) == {
        "target_channel_id", "post_channel_id", "jump_url", "tier", "reached", "outreach", "pings"
    }  # fmt: skip
    retry = await services.safety.on_anonymous_retry(timer)
    assert retry.alert == alert and sorted(retry.pings) == [PEER, PEER2] and not retry.final
    quiet = replace(alert, pings=False)
    await services.safety.retry_anonymous_later(quiet)
    timers = await stored(services, ANONYMOUS_RETRY)
    other = next(t for t in timers if t.id != timer.id)
    assert (await services.safety.on_anonymous_retry(other)).pings == []
    last = with_attempts(timer, MAX_ATTEMPTS - 1)
    assert (await services.safety.on_anonymous_retry(last)).final


async def test_a_channel_note_is_deleted_after_the_guilds_delay(services, clock) -> None:
    await services.settings.update(G, SafetySettings, MOD, fallback_delete_seconds=45)
    await services.safety.note_posted(G, CH, 777)
    [timer] = await stored(services, DELETE_FALLBACK)
    assert timer.guild_id == G and timer.due_at == clock() + timedelta(seconds=45)
    assert timer.payload == {"channel_id": CH, "message_id": 777}
    assert await services.safety.on_delete_fallback(timer) == FallbackNote(CH, 777)


async def test_a_channel_note_only_for_crisis_replies_where_allowed(services) -> None:
    crisis = Decision(reply="crisis", channel_fallback=True)
    assert await services.safety.wants_channel_note(G, crisis)
    assert not await services.safety.wants_channel_note(G, Decision(reply="crisis"))
    concern = Decision(reply="concern_other", channel_fallback=True)
    assert not await services.safety.wants_channel_note(G, concern)
    await services.settings.update(G, SafetySettings, MOD, reply_mode="dm_only")
    assert not await services.safety.wants_channel_note(G, crisis)


# -- alerts ------------------------------------------------------------------------------------
async def test_alerts_go_to_the_safety_channels_else_peer_supports(services) -> None:
    empty = await services.safety.alert_channels(G)
    assert (empty.peers, empty.moderators) == (None, None)
    await services.settings.update(G, PeerSettings, MOD, peer_channel_id=6, mod_channel_id=7)
    fallback = await services.safety.alert_channels(G)
    assert (fallback.peers, fallback.moderators) == (6, 7)
    await services.settings.update(
        G, SafetySettings, MOD, peer_alert_channel_id=16, mod_alert_channel_id=17
    )
    own = await services.safety.alert_channels(G)
    assert (own.peers, own.moderators) == (16, 17)


async def test_an_alert_pings_on_duty_peers_but_never_the_member(services) -> None:
    for uid in (PEER, PEER2, USER):
        await services.peers.duty.go_on(G, uid, None)
    pings = await services.safety.alert_pings(G, USER)
    assert sorted(pings) == [PEER, PEER2]


async def test_an_anonymous_posts_alert_pings_every_on_duty_peer_whoever_wrote_it(
    services,
) -> None:
    """No member to leave out (None): the set is the same whoever wrote the post, so the one
    name missing never gives its author away."""
    for uid in (PEER, PEER2):
        await services.peers.duty.go_on(G, uid, None)
    assert sorted(await services.safety.alert_pings(G, None)) == [PEER, PEER2]


async def open_alert(services: Services, content: str = "", **kw):
    return await services.safety.open_peer_alert(
        G, peer_channel_id=6, member_id=USER, channel_id=CH, jump_url="j", tier=2,
        content=content, **kw,
    )  # fmt: skip


async def test_copy_is_off_by_default_and_trimmed_to_one_line(services) -> None:
    assert (await open_alert(services, "hello")).copy == ""
    await services.settings.update(G, SafetySettings, MOD, copy_content=True)
    alert = await open_alert(services, "a\nb" + "x" * 400)
    # a member's words are shortened visibly ("…"; the alert's jump link has them all)
    assert alert.copy == ("a b" + "x" * 400)[:299] + "…"
    words = "I can't keep going like this " * 20
    alert = await open_alert(services, words)
    assert len(alert.copy) <= 300 and alert.copy.endswith("…")
    assert words.startswith(alert.copy.removesuffix("…")) and alert.copy[-2] != " "
    assert words[len(alert.copy) - 1] == " "  # cut after a whole word
    assert (await open_alert(services, "short words")).copy == "short words"


async def test_the_model_is_credited_only_when_it_was_a_source(services) -> None:
    found = {"phrase_ids": ("p1",), "model_version": "m1"}
    await open_alert(services, **found, sources=("phrase",))
    sources = {s for s, *_ in await services.safety.precision(G)}
    assert sources == {"phrase:p1"}
    await open_alert(services, **found, sources=("phrase", "model"))
    await services.safety.record_quiet_item(G, USER, model_version="m2")
    sources = {s for s, *_ in await services.safety.precision(G)}
    assert sources == {"phrase:p1", "model:m1", "model:m2"}


# -- noticing ----------------------------------------------------------------------------------
async def notice(services: Services, label: str, tier: int = 0, **kw):
    return await services.safety.notice(
        guild_id=G, channel_id=CH, parent_channel_id=None, user_id=USER, role_ids=[],
        label=label, tier=tier, **kw,
    )  # fmt: skip


async def test_nothing_noticed_is_not_decided_nor_remembered(services) -> None:
    assert await notice(services, "none", risk=0.5) is None
    assert services.safety.context_risk(G, CH, USER) == 0.0
    needs_only = await notice(services, "none", needs=("respite",))
    assert needs_only is not None and needs_only.reply == "needs"


async def test_risk_is_remembered_for_crisis_concern_and_distress_only(services) -> None:
    await notice(services, "harassment", risk=0.9)
    assert services.safety.context_risk(G, CH, USER) == 0.0
    decision = await notice(services, "distress", risk=0.4)
    assert decision is not None and services.safety.context_risk(G, CH, USER) == 0.4


async def test_dm_intents(services) -> None:
    assert await services.safety.dm_action(USER, "hello") == "assess"
    assert await services.safety.dm_action(USER, "  Not now! ") == "not_now"
    assert not await services.safety.opted_out(USER)
    assert await services.safety.dm_action(USER, "stop these messages.") == "stopped"
    assert await services.safety.opted_out(USER)


async def test_a_dm_inside_a_claimed_relay_is_left_for_the_peer(services) -> None:
    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    intake = await services.peers.requests.open(G, USER, anonymous=True)
    assert await services.safety.dm_action(USER, "stop these messages") == "stopped"
    await services.peers.requests.claim(intake.request.id, PEER)
    assert await services.safety.dm_action(USER, "stop these messages") == "relay"
    assert await services.safety.dm_action(USER, "not now") == "relay"


async def test_dms_reach_a_reply_for_crisis_concern_and_possible_concern_only(services) -> None:
    def dm(label: str, possible_concern: bool = False):
        return services.safety.assess_dm(
            channel_id=CH, user_id=USER, label=label, tier=2, possible_concern=possible_concern
        )

    assert await dm("distress") == NOTHING
    assert await dm("harassment") == NOTHING
    assert (await dm("distress", possible_concern=True)).reply == "possible_concern"
    assert (await dm("crisis_self")).reply == "crisis"
    # the "no server" id 0 keeps its own cooldown
    assert (await dm("crisis_self")).reply is None


async def test_a_need_asked_for_by_dm_gets_the_needs_reply_once_per_cooldown(services) -> None:
    def dm(label: str, needs: tuple[str, ...], user: int = USER):
        return services.safety.assess_dm(
            channel_id=CH, user_id=user, label=label, tier=1, needs=needs
        )

    first = await dm("none", ("respite", "bogus"))
    assert first.reply == "needs" and first.needs == ("respite",)
    assert not first.alert_peers and not first.quiet_item and not first.alert_moderators
    assert (await dm("none", ("warmline",))).reply is None  # within the member's cooldown
    # a need said with distress or harassment (unanswered in a DM): the needs reply alone
    for user, label in ((USER + 1, "distress"), (USER + 2, "harassment")):
        decision = await dm(label, ("warmline", "peer"), user=user)
        assert decision.reply == "needs" and decision.needs == ("warmline", "peer"), label
        assert not decision.alert_moderators and not decision.quiet_item, label
    assert await dm("none", ("bogus",), user=USER + 3) == NOTHING
    # a peer alone is the Support cog's to answer in a DM (its offer, the help note)
    assert await dm("none", ("peer",), user=USER + 3) == NOTHING
    assert await dm("distress", ("peer",), user=USER + 3) == NOTHING
    # crisis words and a need: the crisis reply with the need's entries, as in a channel
    crisis = await dm("crisis_self", ("respite",), user=USER + 4)
    assert crisis.reply == "crisis" and crisis.needs == ("respite",)
    await services.safety.set_opt_out(USER + 5, True)
    assert not (await dm("none", ("warmline",), user=USER + 5)).acts


async def test_a_dm_the_support_cog_answers_gets_no_second_needs_reply(services) -> None:
    """A DM "I need to talk to a therapist" read as a warmline need (lr-37301a4402 does) got the
    needs reply beside the Support cog's honest answer: two DMs. The Support cog's pleas are
    its own to answer; the same need in other words still gets the needs reply, and crisis
    words still get the crisis reply."""

    def dm(text: str, label: str = "none", user: int = USER):
        return services.safety.assess_dm(
            channel_id=CH, user_id=user, label=label, tier=2, needs=("warmline",), text=text
        )

    for i, text in enumerate(
        ("I need to talk to a therapist", "necesito hablar", "j'ai besoin d'un psy")
    ):
        assert await dm(text, user=USER + 10 + i) == NOTHING, text
    assert (await dm("is there a warmline i can call tonight", user=USER + 20)).reply == "needs"
    crisis = await dm("I need to talk, I want to die", label="crisis_self", user=USER + 21)
    assert crisis.reply == "crisis"


async def test_a_dm_plea_is_told_apart_with_its_language_and_the_words_beside_it(
    services,
) -> None:
    plea = await services.safety.dm_plea(USER, "is there a respite near me? i need to talk")
    assert plea is not None and not plea.professional and plea.lang == "en"
    assert plea.beside == "is there a respite near me?"
    pro = await services.safety.dm_plea(USER, "necesito ver a un psicólogo")
    assert pro is not None and pro.professional and pro.lang == "es" and pro.beside == ""
    assert await services.safety.dm_plea(USER, "is there a respite near me?") is None
    assert await services.safety.dm_plea(USER, "I need to talk to my boss") is None
    # inside a relayed request (waiting or claimed), the relay answers: no plea
    await services.settings.update(G, PeerSettings, MOD, peer_role_id=5, peer_channel_id=6)
    await services.peers.requests.open(G, USER, anonymous=True)
    assert await services.safety.dm_plea(USER, "I need to talk") is None


async def test_a_need_beside_a_dm_plea_gets_the_needs_reply_the_plea_alone_none(services) -> None:
    """ "is there a respite near me? I need to talk": the needs read in the words beside the
    plea (``plea_needs``) are answered, once per cooldown; what a model reads in the plea
    itself is not (the Support cog's offer answers a plea alone); crisis words keep the
    crisis reply, with the needs beside the plea only."""

    def dm(plea_needs, label: str = "none", user: int = USER):
        return services.safety.assess_dm(
            channel_id=CH,
            user_id=user,
            label=label,
            tier=2,
            needs=("warmline", "peer"),
            text="is there a respite near me? I need to talk",
            plea_needs=plea_needs,
        )

    first = await dm(("respite",))
    assert first.reply == "needs" and first.needs == ("respite",)
    assert (await dm(("respite",))).reply is None  # within the member's cooldown
    assert await dm((), user=USER + 1) == NOTHING
    assert await dm(("peer",), user=USER + 1) == NOTHING
    crisis = await dm((), label="crisis_self", user=USER + 2)
    assert crisis.reply == "crisis" and crisis.needs == ()


async def test_dm_pleas_wait_for_the_safety_decision_only_while_dms_are_read(services) -> None:
    assert not services.safety.decides_dm_pleas()
    services.safety.listen_to_dms(True)
    assert services.safety.decides_dm_pleas()
    services.safety.listen_to_dms(False)
    assert not services.safety.decides_dm_pleas()


# -- resources ---------------------------------------------------------------------------------
async def test_needs_plan_asks_for_the_state_only_when_it_is_unknown(services) -> None:
    unknown = await services.safety.needs_plan(G, USER, ("respite", "warmline"))
    assert unknown.ask_state and unknown.respites == [] and unknown.warmlines == []
    await services.safety.set_region(USER, "US")
    assert (await services.safety.needs_plan(G, USER, ("respite",))).ask_state
    await services.safety.set_region(USER, "NY")
    state = await services.safety.needs_plan(G, USER, ("respite", "warmline"))
    assert not state.ask_state and state.respites and state.warmlines
    assert state.region_label == "New York, United States (US-NY)"
    spanish = await services.safety.needs_plan(G, USER, ("respite",), "es")
    assert spanish.region_label == "New York, Estados Unidos (US-NY)"
    await services.safety.set_region(USER, "UK")
    abroad = await services.safety.needs_plan(G, USER, ("respite",))
    assert not abroad.ask_state and abroad.respites == []
    assert abroad.region_label == "United Kingdom (GB)"


async def test_listings_need_a_region(services) -> None:
    with pytest.raises(InvalidInputError, match="Tell me a region"):
        await services.safety.resources_listing(G, USER, None)
    with pytest.raises(RegionNeededError):  # the cog still gives the worldwide directory
        await services.safety.warmlines_listing(G, USER, None)
    await services.settings.update(G, CoreSettings, MOD, default_region="GB")
    code, entries = await services.safety.resources_listing(G, USER, None)
    assert code == "GB" and entries
    code, _ = await services.safety.resources_listing(G, USER, "new york")
    assert code == "US-NY"


async def test_warmlines_for_a_state_then_the_guilds_own_first(services) -> None:
    code, entries = await services.safety.warmlines_listing(G, USER, "california")
    assert code == "US-CA"
    assert [e.id for e in entries][:2] == ["us-ca-peer-run-warm-line", "us-warmline-org"]
    await services.safety.add_resource(
        G, name="Our line", kind="warmline", contact="555", region="*", hours="",
        source_url=None, actor_id=MOD,
    )  # fmt: skip
    code, entries = await services.safety.warmlines_listing(G, USER, "UK")
    assert code == "GB" and [e.name for e in entries] == ["Our line"]
    code, entries = await services.safety.respites_listing(None, "NY")
    assert code == "US-NY" and entries
    code, entries = await services.safety.respites_listing(None, "Vermont")
    assert code == "US-VT" and entries  # the state resolved, never the raw text


async def test_a_resource_too_long_is_refused_whole_never_stored_cut(services) -> None:
    """A moderator's phone number or address must be exact: over the limit it is refused,
    naming the field and its limit, and nothing is stored."""
    base = {"name": "Our line", "kind": "warmline", "contact": "555", "region": "*", "hours": ""}
    for field, most in (("name", 100), ("contact", 200), ("hours", 100)):
        long = {**base, field: "9" * (most + 1)}
        with pytest.raises(InvalidInputError, match=f"{field} fits in {most} characters"):
            await services.safety.add_resource(G, **long, source_url=None, actor_id=MOD)
    assert await services.safety.guild_resources(G) == []
    exact = {**base, "name": "n" * 100, "contact": "5" * 200, "hours": "h" * 100}
    entry = await services.safety.add_resource(G, **exact, source_url=None, actor_id=MOD)
    assert entry.name == "n" * 100


@pytest.mark.parametrize(
    ("contact", "parsed"),
    [
        ("555-0100", ("call", "555-0100")),
        ("+1 (555) 010-0100", ("call", "+1 (555) 010-0100")),
        ("988", ("call", "988")),
        ("text HOME to 741741", ("text", "HOME to 741741")),
        ("Text  connect to 686868", ("text", "connect to 686868")),
        ("https://example.org/help", ("web", "https://example.org/help")),
        ("http://example.org", ("web", "http://example.org")),
        ("javascript:alert(1)", None),
        ("JavaScript://example.org", None),
        ("https://", None),
        ("https://exa mple.org", None),
        ("https://user@example.org", None),
        ("call us anytime", None),
        ("12", None),
        ("text HOME to now", None),
        ("[988](https://example.org)", None),
    ],
)
def test_a_local_contact_is_an_address_a_number_or_a_text_line(contact, parsed) -> None:
    assert parse_local_contact(contact) == parsed


async def test_a_local_resource_is_refused_unless_it_is_what_it_looks_like(services) -> None:
    """A contact that is no address, number or text line, and a name or hours carrying a
    link, are refused naming what is accepted; nothing is stored."""
    base = {"name": "Our line", "kind": "crisis_line", "contact": "555-0100", "hours": ""}
    for changed, refusal in (
        ({"contact": "javascript:alert(1)"}, "must be a phone number or short code"),
        ({"contact": "ring Sam"}, "`text HOME to 741741`"),
        ({"name": "[Call 988 now](https://example.invalid/x)"}, "plain words without links"),
        ({"name": "Call https://example.invalid"}, "plain words without links"),
        ({"hours": "[any time](https://example.invalid)"}, "plain words without links"),
    ):
        with pytest.raises(InvalidInputError, match=refusal):
            await services.safety.add_resource(
                G, **{**base, **changed}, region="US", source_url=None, actor_id=MOD
            )
    assert await services.safety.guild_resources(G) == []
    entry = await services.safety.add_resource(
        G, **{**base, "contact": "text HOME to 741741"}, region="US", source_url=None,
        actor_id=MOD,
    )  # fmt: skip
    assert [(c.method, c.value) for c in entry.contacts] == [("text", "HOME to 741741")]


async def test_a_contact_stored_before_the_check_is_never_shown_to_members(services) -> None:
    """Stored before contacts were checked, ``javascript:alert(1)`` is left out of what
    members read, and still listed for the moderators (as written, not as a number)."""
    await services.safety.repo.add_resource(
        G, "Old line", "crisis_line", "javascript:alert(1)", "US", "", None, MOD, services.clock()
    )
    assert await services.safety.guild_resources(G) == []
    _, entries = await services.safety.resources_listing(G, USER, "US")
    assert all(not e.guild_local for e in entries)
    (listed,) = await services.safety.guild_resources(G, every=True)
    assert [(c.method, c.value) for c in listed.contacts] == [("web", "javascript:alert(1)")]


def test_the_state_picker_and_a_forged_state() -> None:
    states = respite_states()
    assert states and len(states) <= 25 and all(s.startswith("US-") for s in states)
    region, entries = respites_for_state(states[0])
    assert region == states[0] and entries
    assert respites_for_state("nowhere-at-all-really") == ("nowhere-at", [])


# -- settings ----------------------------------------------------------------------------------
async def test_settings_without_changes_only_read(services) -> None:
    cfg = await services.safety.update_settings(G, MOD)
    assert cfg == SafetySettings()
    cfg = await services.safety.update_settings(G, MOD, member_cooldown_minutes=5)
    assert cfg.member_cooldown_minutes == 5
    assert (await services.safety.config(G)).member_cooldown_minutes == 5


async def test_exclude_adds_and_removes(services) -> None:
    cfg = await services.safety.exclude(G, MOD, channel_id=CH, role_id=55)
    assert cfg.excluded_channel_ids == [CH] and cfg.excluded_role_ids == [55]
    cfg = await services.safety.exclude(G, MOD, channel_id=CH - 1)
    assert cfg.excluded_channel_ids == [CH - 1, CH]
    cfg = await services.safety.exclude(G, MOD, channel_id=CH, role_id=55, remove=True)
    assert cfg.excluded_channel_ids == [CH - 1] and cfg.excluded_role_ids == []


async def test_everyone_cannot_be_excluded_but_an_old_exclusion_can_be_removed(services) -> None:
    """@everyone's id is the server's: excluding it would end crisis replies for everyone."""
    with pytest.raises(InvalidInputError, match="Excluding `@everyone`"):
        await services.safety.exclude(G, MOD, channel_id=CH, role_id=G)
    cfg = await services.safety.config(G)
    assert cfg.excluded_role_ids == [] and cfg.excluded_channel_ids == []  # nothing stored
    await services.settings.update(G, SafetySettings, MOD, excluded_role_ids=[G])  # stored before
    cfg = await services.safety.exclude(G, MOD, role_id=G, remove=True)
    assert cfg.excluded_role_ids == []


async def test_status_counts_precision_and_enabled(services) -> None:
    await notice(services, "crisis_self", tier=2)
    await services.safety.record_alert(G, USER, 2, phrase_ids=("p1",))
    status = await services.safety.status(G)
    assert status.enabled and status.counts and status.precision[0][0] == "phrase:p1"
    assert status.stale == services.safety.stale_resources()


def test_timer_kinds_are_the_stored_ones() -> None:
    # Rows already in the timers table carry these kinds: renaming one would orphan them.
    assert (REPLY_RETRY, ALERT_RETRY, DELETE_FALLBACK) == (
        "safety.reply_retry",
        "safety.alert_retry",
        "safety.delete_fallback",
    )
    assert (QUIET_RETRY, ANONYMOUS_RETRY) == ("safety.quiet_retry", "safety.anonymous_retry")


def test_region_lines_are_left_out_only_for_an_unsure_reply_answering_a_need() -> None:
    assert not shows_region_lines("possible_concern", ("warmline",))
    assert shows_region_lines("possible_concern", ())
    for kind in ("crisis", "concern_other"):
        assert shows_region_lines(kind, ("respite",)) and shows_region_lines(kind, ())
