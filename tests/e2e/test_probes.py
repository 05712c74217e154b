"""Probes from outside (issue #10): over-long input, forged button ids from another server,
anonymity kept in re-pings. Each test failed before its fix, except round 12's at the end
(probes that found no defect, kept for their coverage)."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_checkins import command as checkin_command
from tests.e2e.test_checkins import create
from tests.e2e.test_groups import GRIEF, allow_groups, create_group, join, message_of
from tests.e2e.test_groups import command as group_command
from tests.e2e.test_safety import command
from tests.e2e.test_support import go_on_duty, setup_peers


async def test_over_long_region_input_gets_a_short_kind_answer_and_stores_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from bot.services.settings import CoreSettings

    long_text = "Atlantis " * 700  # 6,300 characters
    for user, name, options in (
        (world.member, "region set", {"region": long_text}),
        (world.member, "resources", {"region": long_text}),
        (world.member, "warmline", {"region": long_text}),
        (world.member, "respite", {"state": long_text}),
        (world.mod, "kindred set region", {"region": long_text}),
        (world.mod, "kindred set timezone", {"timezone": "US"}),
    ):
        answer = await command(emulator, user, world.general, name, **options)
        assert answer.ephemeral and 0 < len(answer.text) < 500, (name, len(answer.text))
    core = await kindred.services.settings.get(world.guild.id, CoreSettings)
    assert core.default_region is None and core.timezone == "UTC"
    assert await kindred.services.safety.region_for(None, world.member.id) is None


async def test_a_moderator_of_another_server_cannot_close_a_request_with_a_forged_button(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import ask

    await setup_peers(emulator, world)
    await ask(emulator, world, world.member)
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open"
    # Server B, where the attacker is a moderator (owner), joined after Kindred started.
    other = emulator.create_guild("Elsewhere")
    owner = emulator.user(other.owner_id)
    channel = emulator.create_channel(other, "general")
    await emulator.gateway_idle()
    bait = await emulator.send_message(owner, channel, "look")
    bait.components = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 4, "label": "Close", "custom_id": "kindred:req:close:1"}
            ],
        }
    ]
    answer = await (await emulator.press_button(owner, bait, "kindred:req:close:1")).response()
    assert answer.ephemeral and "no request #1 here" in answer.text
    assert (await kindred.services.peers.requests.get(1)).status == "open"


async def test_re_pings_about_an_anonymous_request_never_leave_out_the_member_who_asked(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who asks anonymously is on duty too: if the re-ping named every on-duty peer
    but them, the one missing name would give them away."""
    from tests.e2e.test_support import ask, card_for, press_claim

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.peer2, anonymous="yes")
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text)
    await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)
    for action, marker in (("backup", "would like backup"), ("unclaim", "needs a peer")):
        card = card_for(emulator, world, 1)
        await (await emulator.press_button(world.peer, card, f"kindred:req:{action}:1")).response()
        ping = await emulator.wait_for_message(
            world.peers, predicate=lambda m, k=marker: k in m.text and not m.ephemeral
        )
        assert f"<@{world.peer2.id}>" in ping.text, action  # the anonymous asker is pinged too


async def test_a_peer_who_closes_is_thanked_as_a_peer_not_as_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import ask, card_for, press_claim

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text)
    await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)
    card = card_for(emulator, world, 1)
    closed = await (await emulator.press_button(world.peer, card, "kindred:req:close:1")).response()
    assert closed.ephemeral and "being there for them" in closed.text
    assert "reaching out" not in closed.text


async def test_setup_with_a_private_thread_parent_warns_and_claims_use_the_relay(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    from tests.e2e.test_support import ask, card_for, press_claim

    # The moderator guide's own advice: a private peer channel; no separate thread channel.
    answer = await command(
        emulator,
        world.mod,
        world.general,
        "peers setup",
        peer_role=world.peer_role.id,
        peer_channel=world.peers.id,
        moderator_channel=world.mods.id,
    )
    assert "Members can't see this channel" in answer.text
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text)
    await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "picked up your request" in m.text)
    notice = await emulator.wait_for_message(world.mods, predicate=lambda m: "can't see" in m.text)
    assert "DM relay" in notice.text
    request = await kindred.services.peers.requests.get(1)
    assert request.relay and request.thread_id is not None
    # and the member's words really reach the peer
    await emulator.send_dm(world.member, "are you there?")
    relayed = await emulator.wait_for_message(
        emulator.channel(request.thread_id), predicate=lambda m: "are you there?" in m.text
    )
    assert relayed.author.id == emulator.bot_user.id


async def test_a_restart_between_claim_and_conversation_gives_the_request_back(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The crash point of issue #10: the claim is stored, then the process dies before the
    thread or relay exists. The member is never told something false, and the request goes
    back to the queue by itself after the restart."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    from tests.e2e.test_support import ask

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await ask(emulator, world, world.member)
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Support request #1" in m.text
        )
        await kindred.services.peers.requests.claim(1, world.peer.id)  # ...and the bot dies
        await kindred.restart()
        status = await command(emulator, world.member, world.general, "support", action="status")
        assert "being opened" in status.text and "DMs" not in status.text
        clock.shift(timedelta(minutes=4))
        await kindred.settle()
        notice = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "conversation never opened" in m.text
        )
        assert f"<@{world.peer.id}>" in notice.text
        request = await kindred.services.peers.requests.get(1)
        assert request.status == "open" and request.claimed_by is None


async def test_an_error_that_echoes_long_input_still_answers(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/peers tags remove used to echo a 6,000-character tag: the answer broke Discord's
    limit, the error answer failed too, and the moderator saw nothing."""
    await setup_peers(emulator, world)
    answer = await command(emulator, world.mod, world.general, "peers tags remove", tag="y" * 6000)
    assert answer.ephemeral and "There is no tag" in answer.text and len(answer.text) < 200


async def test_the_support_form_asks_yes_or_no_with_menus_not_free_text(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    opened = await emulator.run_command(world.member, world.general, "support")
    modal = await opened.response()
    assert modal.is_modal
    kinds = {}
    for row in modal.data["components"]:
        inner = row.get("component") or (row.get("components") or [{}])[0]
        kinds[inner.get("custom_id")] = inner.get("type")
    assert kinds["anonymous"] == 3 and kinds["same_peer"] == 3  # string selects
    answer = await (
        await opened.submit_modal({"topic": "", "summary": "", "tags": "", "anonymous": "yes"})
    ).response()
    assert "you stay anonymous" in answer.text


async def test_a_rate_limit_storm_during_a_claim_loses_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """429s on every route while a peer presses Claim: when the storm ends the request is
    either theirs with a conversation, or back in the queue and claimable; never stuck."""
    from datetime import UTC, datetime, timedelta

    import time_machine

    from tests.e2e.test_support import ask, card_for, press_claim

    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await ask(emulator, world, world.member)
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Support request #1" in m.text
        )
        storm = emulator.inject_fault("*", "*", status=429, times=None)
        await emulator.press_button(world.peer, card_for(emulator, world, 1), "kindred:req:claim:1")
        await emulator.wait_until(lambda: storm.hits >= 5, what="the storm to hit")
        await kindred.settle()
        emulator.clear_faults()
        clock.shift(timedelta(minutes=4))
        await kindred.settle()
        request = await kindred.services.peers.requests.get(1)
        if request.status == "open":  # the storm ate the claim: it is simply claimable again
            await press_claim(emulator, world.peer, card_for(emulator, world, 1), 1)
            request = await kindred.services.peers.requests.get(1)
        assert request.status == "claimed" and request.thread_id is not None
        thread = emulator.channels[request.thread_id]
        await emulator.wait_until(
            lambda: world.member.id in thread.thread_members, what="the member in the thread"
        )


# Round 12 (2026-12-02): probes that found no defect, kept for their coverage.

CRISIS = "honestly i want to kill myself"


async def test_another_servers_moderator_cannot_see_or_touch_this_servers_checkins(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The owner of another server, in their own server, types this server's check-in id:
    autocomplete offers nothing and every command answers that there is no such check-in."""
    await create(emulator, world, schedule="daily 09:00", tz="UTC", title="Ours")
    other = emulator.create_guild("Elsewhere")
    intruder = emulator.user(other.owner_id)
    channel = emulator.create_channel(other, "general")
    await emulator.gateway_idle()
    choices = await emulator.autocomplete(
        intruder, channel, "checkin pause", focused="checkin", value=""
    )
    assert choices == []
    for name, options in (
        ("checkin pause", {"checkin": 1}),
        ("checkin edit", {"checkin": 1, "prompt": "hi"}),
        ("checkin preview", {"checkin": 1}),
        ("checkin run-now", {"checkin": 1}),
        ("checkin delete", {"checkin": 1}),
    ):
        answer = await (await emulator.run_command(intruder, channel, name, options)).answer()
        assert answer.ephemeral and "no check-in #1" in answer.text, (name, answer.text)
    row = await kindred.services.checkins.repo.get(1)
    assert row is not None and not row.paused and row.prompts == ()


async def test_another_bots_crisis_words_are_ignored(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    other = emulator.create_user("otherbot", bot=True)
    emulator.add_member(world.guild, other)
    await emulator.gateway_idle()
    await emulator.send_message(other, world.general, CRISIS)
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert not [m for m in emulator.messages_in(world.peers) if "may need support" in m.text]


async def test_a_member_without_a_region_gets_each_servers_default_lines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two servers with different default regions: a member who set none reads each server's
    lines there, in `/crisis` and in the crisis DM."""
    await setup_peers(emulator, world)
    await checkin_command(emulator, world.mod, world.general, "kindred set region", region="UK")
    other = emulator.create_guild("Elsewhere")
    owner = emulator.user(other.owner_id)
    room = emulator.create_channel(other, "lobby")
    emulator.add_member(other, world.member)
    await emulator.gateway_idle()
    await checkin_command(emulator, owner, room, "kindred set region", region="US")
    there = await (await emulator.run_command(world.member, room, "crisis")).answer()
    here = await (await emulator.run_command(world.member, world.general, "crisis")).answer()
    assert "988" in there.text and "116 123" not in there.text
    assert "116 123" in here.text and "988" not in here.text
    await emulator.send_message(world.member, room, CRISIS)
    dm = await emulator.wait_for_message(emulator.dm_channel(world.member))
    assert "988" in dm.text and "911" in dm.text


async def test_new_server_guidelines_reach_groups_using_them_and_are_asked_on_rejoin(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    opened = await emulator.run_command(world.mod, world.general, "group guidelines set", {})
    assert (await opened.response()).is_modal
    await (await opened.submit_modal({"text": "Server rule: be kind."})).answer()
    await emulator.wait_for_message(channel, predicate=lambda m: "were updated" in m.text, since=0)
    assert role.id in emulator.member(world.guild, world.member).roles  # keeps their place
    await group_command(emulator, world.member, world.general, "group leave", name=GRIEF)
    card = message_of(
        await group_command(emulator, world.member, world.general, "group join", name=GRIEF)
    )
    assert "Server rule" in card.text
    assert f"kindred:grp:accept:{group.id}:s1" in card.custom_ids
