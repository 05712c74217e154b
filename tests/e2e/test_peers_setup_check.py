"""/peers setup says at once what keeps Kindred from posting in a channel just chosen
(outside probe 29)."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_safety import unpostable
from tests.e2e.test_support import ask, go_on_duty


async def test_peers_setup_with_a_peer_channel_kindred_cannot_post_in_says_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator runs `/peers setup` naming a peer channel where Kindred may read but not
    send (no moderator channel yet: it is optional). What they experience: "Peer support is
    set up." and nothing else. Then a member asks for support and is told a peer on duty can
    pick it up now, but the card never reaches the peers (Discord refuses it) and, with no
    moderator channel, nobody is ever told: the member waits on a request no peer can see.
    Expected: as `/safety settings` does for an alert channel Kindred can't use (moderator
    guide: "the answer says at once what is missing there and the fix, as `/kindred setup`
    would"), the answer to `/peers setup` names the channel and the missing permission.
    Cause: ``SettingsCommands.setup`` (cogs/peers/settings.py) checks only whether members can
    see the thread channel (``_warn_if_hidden``), never Kindred's own permissions in the peer
    channel."""
    quiet = unpostable(emulator, world, "peer-room")
    await emulator.gateway_idle()
    answer = await (
        await emulator.run_command(
            world.mod, world.general, "peers setup",
            options={"peer_role": world.peer_role.id, "peer_channel": quiet.id,
                     "thread_channel": world.support.id},
        )
    ).response()  # fmt: skip
    assert "Peer support is set up" in answer.text, answer.text
    await go_on_duty(emulator, world, world.peer)
    asked = await ask(emulator, world, world.member, summary="a rough week")
    await kindred.quiet()
    assert not emulator.bot_messages(quiet)  # the card never reached the peers
    told = answer.text + " ".join(str(e) for e in answer.embeds)
    assert "Send Messages" in told, (told, asked.text)
