"""Outside probe, round 15: what it tried and found no defect in, kept for coverage: disguised
or buried crisis words, game talk, a flood of crisis lines, a deleted peer alert channel, and two
processes on one PostgreSQL database (settings, duty, a crisis line during a rolling restart)."""

from __future__ import annotations

import asyncio

import pytest

from bot.sandbox import World as ClusterWorld
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_cluster import ClusterRunner
from tests.e2e.test_cluster_overlap import overlap, settle  # noqa: F401
from tests.e2e.test_safety import CRISIS, command, public_bot_messages
from tests.e2e.test_support import go_on_duty, setup_peers


def alerts(emu: DiscordEmulator, world: World) -> list:
    return [m for m in emu.bot_messages(world.peers) if "may need support" in m.text]


def dms(emu: DiscordEmulator, user) -> list:
    return emu.bot_messages(emu.dm_channel(user))


async def said(emulator, world, kindred, text) -> tuple[int, int]:
    """The member says ``text`` in #general: (private replies, peer alerts); never public."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member, world.general, text)
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert public_bot_messages(emulator, world.general) == []
    return len(dms(emulator, world.member)), len(alerts(emulator, world))


@pytest.mark.parametrize(
    "text",
    [
        "i want to k i l l  m y s e l f",
        "i want to k1ll mys3lf",
        "honestly i want to k\u200bill my\u200bself",
        "i\u200b \u200bwant\u200b \u200bto\u200b \u200bdie",
        "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",
        "||i want to kill myself||",
        "i want to `kill` myself",
        "lol ok whatever, la verdad quiero morir, nobody cares anyway",
        ("I went to the shops today and bought some bread and milk for the week. " * 13)
        + "i am going to kill myself tonight. "
        + ("I went to the shops today and bought some bread and milk for the week. " * 13),
    ],
    ids=[
        "spaced",
        "leet",
        "zero-width-in-words",
        "zero-width-between",
        "fullwidth",
        "spoiler",
        "inline-code",
        "mixed-language",
        "long-message",
    ],
)
async def test_obfuscated_or_buried_crisis_words_get_one_private_reply_and_one_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred, text: str
) -> None:
    assert len(text) <= 2000
    assert await said(emulator, world, kindred, text) == (1, 1)


async def test_kms_lol_in_game_talk_gets_no_alert(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    assert await said(emulator, world, kindred, "kms lol this boss is killing me") == (0, 0)


async def test_thirty_crisis_messages_in_a_minute_get_one_reply_and_one_alert_not_a_flood(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    lines = [
        "i want to kill myself",
        "i want to die",
        "nobody would miss me",
        "i'm going to end it tonight",
        "i can't do this anymore",
    ]
    for i in range(30):
        await emulator.send_message(world.member, world.general, f"{lines[i % 5]} {i}")
    await emulator.gateway_idle()
    await detector_settled(kindred)
    assert await kindred.quiet()
    assert 1 <= len(dms(emulator, world.member)) <= 2
    assert 1 <= len(alerts(emulator, world)) <= 2
    assert len(emulator.bot_messages(world.mods)) <= 2
    assert public_bot_messages(emulator, world.general) == []


async def test_a_deleted_peer_alert_channel_falls_back_to_the_peer_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    chan = emulator.create_channel(world.guild, "peer-alerts")
    await emulator.gateway_idle()
    await command(emulator, world.mod, world.general, "safety settings", peer_alert_channel=chan)
    emulator.delete_channel(chan)
    await emulator.gateway_idle()
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await emulator.wait_for_message(world.mods, predicate=lambda m: f"<#{chan.id}>" in m.text)


# -- two processes on one PostgreSQL database (rolling-restart overlap) --------------------


@pytest.mark.pg
async def test_cluster_an_alert_channel_chosen_in_one_process_is_used_by_the_other_at_once(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    world, runners = overlap
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    chan = emulator.create_channel(world.guild, "alerts")
    await emulator.gateway_idle()
    await emulator.send_message(world.member2, world.general, CRISIS)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await command(emulator, world.mod, world.general, "safety settings", peer_alert_channel=chan)
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.wait_for_message(chan, predicate=lambda m: "may need support" in m.text)
    await settle(emulator, runners)
    assert not [
        m
        for m in emulator.bot_messages(world.peers)
        if "may need support" in m.text and f"<@{world.member.id}>" in m.text
    ]


@pytest.mark.pg
async def test_cluster_crisis_replies_turned_off_in_one_process_are_off_in_the_other(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    world, runners = overlap
    await setup_peers(emulator, world)
    await emulator.send_message(world.member2, world.general, CRISIS)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await command(emulator, world.mod, world.general, "safety settings", enabled=False)
    await emulator.send_message(world.member, world.general, CRISIS)
    await emulator.gateway_idle()
    await settle(emulator, runners)
    assert emulator.bot_messages(emulator.dm_channel(world.member)) == []


@pytest.mark.pg
async def test_cluster_duty_on_in_one_process_is_pinged_by_the_other_at_once(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    world, _runners = overlap
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await emulator.send_message(world.member2, world.general, CRISIS)
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await go_on_duty(emulator, world, world.peer2)
    await emulator.send_message(world.member, world.general, CRISIS)
    alert = await emulator.wait_for_message(
        world.peers,
        predicate=lambda m: "may need support" in m.text and f"<@{world.member.id}>" in m.text,
    )
    assert f"<@{world.peer2.id}>" in alert.text


@pytest.mark.pg
async def test_cluster_a_crisis_line_during_a_rolling_stop_is_answered_and_alerted_once(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    world, runners = overlap
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    old, new = runners
    sent = asyncio.create_task(emulator.send_message(world.member, world.general, CRISIS))
    await asyncio.sleep(0.01)
    await old.stop()
    await sent
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await emulator.wait_for_message(emulator.dm_channel(world.member))
    await settle(emulator, [new])
    assert len([m for m in emulator.bot_messages(world.peers) if "may need support" in m.text]) == 1
    assert len(emulator.bot_messages(emulator.dm_channel(world.member))) == 1


@pytest.mark.pg
async def test_cluster_earlier_distress_raises_a_farewell_whichever_process_reads_it(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    from tests.e2e.test_detector import ScriptedModel, use_model

    world, runners = overlap
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    for runner in runners:
        use_model(
            runner,
            ScriptedModel(
                {
                    "so tired of all of it": {"crisis_1": 0.35},
                    "thanks for everything": {"crisis_3": 0.4},
                }
            ),
        )
    for i in range(4):
        m = emulator.create_user(f"x{i}")
        emulator.add_member(world.guild, m)
        await emulator.send_message(m, world.general, "so tired of all of it")
        await emulator.wait_for_message(emulator.dm_channel(m))
        await emulator.send_message(m, world.general, "thanks for everything guys")
        await emulator.wait_for_message(
            world.peers,
            predicate=lambda x, m=m: "may need support" in x.text and f"<@{m.id}>" in x.text,
        )


@pytest.mark.pg
async def test_cluster_a_channel_note_is_deleted_by_the_process_that_starts_after_both_stopped(
    emulator: DiscordEmulator,
    overlap: tuple[ClusterWorld, list[ClusterRunner]],  # noqa: F811
) -> None:
    from datetime import UTC, datetime, timedelta

    import time_machine

    world, runners = overlap
    await setup_peers(emulator, world)
    emulator.user_dms_open(world.member, False)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await emulator.send_message(world.member, world.general, CRISIS)
        note = await emulator.wait_for_message(
            world.general, predicate=lambda m: "/crisis" in m.text
        )
        await settle(emulator, runners)
        for r in runners:
            await r.stop()
        clock.shift(timedelta(seconds=130))
        await runners[1].start()
        await runners[1].settle()
        await emulator.wait_until(lambda: emulator.messages[note.id].deleted, what="deleted")
