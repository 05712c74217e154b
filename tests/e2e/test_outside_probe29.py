"""Outside probe, round 29: probes that found no defect, kept for their coverage (/forgetme
while the server has removed Kindred; a member and the peer they shared everything with both
forgotten)."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import Start, run_at, start_at  # noqa: F401
from tests.e2e.test_core import forget
from tests.e2e.test_forget_scan import holders
from tests.e2e.test_groups import command
from tests.e2e.test_meetings import MONDAY_NOON, add_facilitator, add_meeting, ready
from tests.e2e.test_plans import write
from tests.e2e.test_support import ask, go_on_duty, setup_peers
from tests.unit.test_forgetting import MODERATION_RECORDS


async def test_a_member_who_forgets_while_kindred_is_away_is_gone_when_it_comes_back(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member's request waits in a server that then removes Kindred; they run /forgetme in
    their DMs while it is away: nothing keeps their id, and once the server invites Kindred
    back their request card in the peers' channel no longer names them."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="my topic", summary="my own words")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    await kindred.quiet()
    emulator.remove_bot(world.guild)
    await kindred.quiet()
    await forget(emulator, world.member, emulator.dm_channel(world.member))
    await kindred.quiet()
    left = await holders(kindred, world.member.id)
    assert left <= MODERATION_RECORDS, sorted(left - MODERATION_RECORDS)
    emulator.invite_bot(world.guild)
    await kindred.quiet()
    await kindred.settle()
    await kindred.quiet()
    text = emulator.messages[card.id].text
    assert f"<@{world.member.id}>" not in text and "my own words" not in text, text


async def test_a_member_and_the_peer_they_shared_everything_with_are_both_forgotten(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    """A member uses the self-help side and groups through Discord (a personal check-in and
    its mood answers, shared with a peer; a goal and a wellness plan shared with the same
    peer, who reads the plan; a meeting reminder and "I'm here" at a meeting that keeps
    names; a channel check-in's mood; crisis words; an opt-out; region, language and zone);
    the peer asks for a debrief. Then the peer runs /forgetme, then the member: afterwards
    neither id is anywhere but in the documented moderation records, and no timer is left
    for either of them."""
    traveller, kindred = await start_at(MONDAY_NOON)
    _, channel = await ready(emulator, world, kindred)
    member, peer = world.member, world.peer2
    await add_facilitator(emulator, world, world.peer)
    await command(
        emulator, world.mod, world.general, "group meeting options", group="Grief circle",
        named_attendance=True,
    )  # fmt: skip
    assert "Meeting added" in (await add_meeting(emulator, world, world.peer)).text
    await command(
        emulator, member, world.general, "group meeting remind", group="Grief circle", state="on"
    )
    await command(
        emulator, member, world.general, "checkin me every", schedule="daily 13:00", tz="UTC"
    )
    await command(emulator, member, world.general, "checkin me share", peer=peer.id)
    await command(emulator, member, world.general, "goal set", text="walk", schedule="daily 14:00")
    await command(emulator, member, world.general, "goal share", peer=peer.id)
    await write(emulator, world, kindred, member)
    await command(emulator, member, world.general, "plan share", peer=peer.id)
    viewed = await command(emulator, peer, world.general, "plan view", member=member.id)
    assert viewed.ephemeral
    await command(emulator, peer, world.general, "checkin shared", member=member.id)
    await command(emulator, member, world.general, "region set", region="GB")
    await command(emulator, member, world.general, "language set", language="es")
    await command(emulator, member, world.general, "timezone set", zone="Europe/London")
    await command(emulator, world.mod, world.general, "checkin create", channel=world.general.id,
                  schedule="daily 09:00", tz="UTC")  # fmt: skip
    await command(emulator, world.mod, world.general, "checkin run-now", checkin=1)
    post = await emulator.wait_for_message(
        world.general, predicate=lambda m: any("kindred:mood:" in c for c in m.custom_ids)
    )
    mood = next(c for c in post.custom_ids if c.startswith("kindred:mood:"))
    await (await emulator.press_button(member, post, mood)).response()
    await run_at(traveller, kindred, datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC))
    dm = emulator.dm_channel(member)
    check = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:pmood:2" in m.custom_ids, since=0
    )
    await (await emulator.press_button(member, check, "kindred:pmood:2")).response()
    await emulator.send_message(member, world.general, "honestly i want to kill myself")
    await emulator.wait_for_message(world.peers, predicate=lambda m: "may need support" in m.text)
    await command(emulator, member, world.general, "safety optout")
    await command(emulator, peer, world.general, "peers debrief", note="hard night")
    await run_at(traveller, kindred, datetime(2026, 11, 23, 19, 0, 5, tzinfo=UTC))
    opened = await emulator.wait_for_message(
        channel, predicate=lambda m: "kindred:mtg:here:1" in m.custom_ids, since=0
    )
    here = await (await emulator.press_button(member, opened, "kindred:mtg:here:1")).response()
    assert "(1 " in here.text, here.text
    await kindred.quiet()
    assert len(await holders(kindred, member.id)) >= 12
    assert len(await holders(kindred, peer.id)) >= 3
    await forget(emulator, peer, world.general)
    await kindred.quiet()
    left = await holders(kindred, peer.id)
    assert left <= MODERATION_RECORDS, sorted(left - MODERATION_RECORDS)
    await forget(emulator, member, world.general)
    await kindred.quiet()
    for who in (member, peer):
        left = await holders(kindred, who.id)
        assert left <= MODERATION_RECORDS, (who, sorted(left - MODERATION_RECORDS))
    rows = await kindred.services.db.fetchall(
        "SELECT actor_id, action, detail FROM audit_log WHERE actor_id IN (?, ?)"
        " OR detail LIKE ? OR detail LIKE ?",
        (member.id, peer.id, f"%{member.id}%", f"%{peer.id}%"),
    )
    assert not rows, [dict(r) for r in rows]
