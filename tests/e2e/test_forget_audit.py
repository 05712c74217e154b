"""/forgetme and what Kindred itself wrote about a peer (outside probe 29)."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_core import forget
from tests.e2e.test_safety import alert_about, alert_button
from tests.e2e.test_support import go_on_duty, setup_peers


async def test_a_peer_who_lost_the_role_then_forgot_is_still_named_in_an_alert_reopened_entry(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer pressed "I'll reach out" on a crisis alert, then stepped down (the peer role was
    taken off them), and later ran /forgetme. What they experience: Kindred says everything is
    deleted, yet the server's audit log still holds a system entry (``safety.alert_reopened``,
    written by Kindred itself, no moderator's decision) whose detail names them. The docs
    (member guide, "Your data") say only a block and the audit log of *moderator actions* stay;
    this entry is neither, and when a peer forgets while holding the alert the same entry is
    written without their id. Expected: after /forgetme no row outside the documented
    moderation records holds their id, and that entry no longer names them. Cause:
    ``SafetyRepository.reopen_taken_by`` writes ``{"peer": id}`` when the role is lost, and no
    forget step (``bot/services/privacy.py``) takes it off again."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    alert = await alert_about(emulator, world, world.member)
    taken = await emulator.press_button(world.peer, alert, alert_button(alert, "alert"))
    await taken.response()
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    refused = await (
        await emulator.run_command(world.peer, world.general, "duty status")
    ).response()
    assert "for peer supporters" in refused.text
    await emulator.wait_for_message(world.peers, predicate=lambda m: "needs a peer again" in m.text)
    await kindred.quiet()
    entries = await kindred.services.audit.recent(world.guild.id, limit=50)
    reopened = [e for e in entries if e.action == "safety.alert_reopened"]
    assert reopened and str(world.peer.id) in str(reopened[0].detail)  # the premise
    await forget(emulator, world.peer, world.general)
    await kindred.quiet()
    entries = await kindred.services.audit.recent(world.guild.id, limit=50)
    reopened = [e for e in entries if e.action == "safety.alert_reopened"]
    assert all(str(world.peer.id) not in str(e.detail) for e in reopened), [
        e.detail for e in reopened
    ]
    rows = await kindred.services.db.fetchall(
        "SELECT action, actor_id, detail FROM audit_log WHERE actor_id IS NULL"
    )
    assert all(str(world.peer.id) not in str(r["detail"]) for r in rows), [dict(r) for r in rows]
