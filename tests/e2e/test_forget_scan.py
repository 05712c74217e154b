"""Complete deletion through Discord (outside probe, round 13; it found no defect): a peer who
was also a member everywhere runs /forgetme, then every table and column is scanned for their id."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_core import forget
from tests.e2e.test_groups import anonymous_group
from tests.e2e.test_groups import command as group_command
from tests.e2e.test_support import ask, go_on_duty, press_claim
from tests.e2e.test_support_flows import card, command
from tests.unit.test_forgetting import MODERATION_RECORDS


async def holders(kindred: Kindred, user_id: int) -> set[tuple[str, str]]:
    db = kindred.services.db
    found: set[tuple[str, str]] = set()
    for table in await db.tables():
        columns = await db.columns(table)
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            for column in columns:
                value = row[column]
                if value == user_id or (isinstance(value, str) and str(user_id) in value):
                    found.add((table, column))
    return found


async def test_a_peer_who_was_also_a_member_everywhere_is_forgotten_through_discord(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer who used Kindred through Discord as a member too (their own relayed request with
    a transcript and feedback, their zone, region and language, a goal, an anonymous group
    post) and as a peer (duty, a relayed conversation they held) runs /forgetme: afterwards
    their id is only in the documented moderation records."""
    subject = world.peer2
    channel = await anonymous_group(emulator, world, kindred, world.member, subject)
    await command(emulator, world.mod, world.general, "peers setup", peer_role=world.peer_role.id,
                  peer_channel=world.peers.id, moderator_channel=world.mods.id,
                  thread_channel=world.support.id, conversation="relay")  # fmt: skip
    posted = await group_command(emulator, subject, channel, "group post", text="a hard year")
    assert "Posted" in posted.text, posted.text
    await command(emulator, subject, world.general, "timezone set", zone="Europe/Paris")
    await command(emulator, subject, world.general, "region set", region="GB")
    await command(
        emulator, subject, world.general, "goal set", text="sleep", schedule="daily 21:00"
    )
    # as a peer: holds a member's relayed conversation
    await go_on_duty(emulator, world, subject)
    await ask(emulator, world, world.member, summary="their words")
    await press_claim(emulator, subject, await card(emulator, world, 1), 1)
    # as a member: their own relayed request, picked up by another peer, with a transcript
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, subject, summary="my own words")
    await press_claim(emulator, world.peer, await card(emulator, world, 2), 2)
    dm = emulator.dm_channel(subject)
    intro = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:req:transcript:2" in m.custom_ids, since=0
    )
    await (await emulator.press_button(subject, intro, "kindred:req:transcript:2")).response()
    await emulator.send_dm(subject, "words of mine")
    relay = emulator.channels[(await kindred.services.peers.requests.get(2)).thread_id]
    await emulator.wait_for_message(relay, predicate=lambda m: "words of mine" in m.text)
    await command(emulator, subject, world.general, "language set", language="fr")
    await kindred.quiet()
    before = await holders(kindred, subject.id)
    assert len(before) >= 6, before
    await forget(emulator, subject, world.general, locale="fr")
    await kindred.quiet()
    left = await holders(kindred, subject.id)
    assert left <= MODERATION_RECORDS, sorted(left - MODERATION_RECORDS)
