"""Outside probe, round 32: the peer-support side, as members and peers met it (each test says
what someone did and what went wrong before its fix; a probe that found no defect says so)."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import ask, go_on_duty, press_claim, setup_peers
from tests.e2e.test_support_flows import card


async def test_a_member_who_cancels_while_a_held_picked_up_dm_is_retried_is_not_left_told_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred, quick_discord_backoff: None
) -> None:
    """A relayed request's "a peer picked up your request" DM met Discord's 500s and waits in
    the conversation's retry. When the retry comes, Discord is slow to take it, and meanwhile
    the member cancels (`/support action:cancel`). Defect: the DM, with its Close and
    transcript buttons, arrived after the member was told their request was cancelled.
    Expected: it is taken back, as when the same race meets the first try (probe 31); the
    request stays cancelled."""
    await setup_peers(emulator, world, conversation="relay")
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="long night")
    dm = emulator.dm_channel(world.member)
    failing = emulator.inject_fault("POST", f"/channels/{dm.id}/messages", status=500, times=5)
    # the sixth try, the stored retry's, is slow
    slow = emulator.inject_fault("POST", f"/channels/{dm.id}/messages", delay=2.0, times=1)
    await press_claim(emulator, world.peer, await card(emulator, world, 1), 1)
    await emulator.wait_until(lambda: slow.hits, what="the retried picked-up DM on its way")
    assert failing.hits == 5, failing.hits
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    await cancelled.answer()
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    assert request.status in ("closed", "cancelled"), request.status
    said = [m.text for m in emulator.bot_messages(dm)]
    assert not [t for t in said if "picked up" in t], said
    assert await kindred.services.peers.requests.relay_backlog(1, "member") is None
