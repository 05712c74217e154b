"""Outside probe, round 22: probes that found no defect, kept for their coverage."""

from __future__ import annotations

from bot.safety.messages import opt_out_text
from bot.services.requests.notices import thread_closed_text
from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_support import portuguese_by_dm


async def test_a_portuguese_threads_bilingual_close_still_works_after_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The shared thread's "Encerrar · Close", pressed by the German peer after Kindred
    restarted, closes the conversation; the closing line is Portuguese first, then English."""
    thread, welcome = await portuguese_by_dm(emulator, world, kindred)
    labels = [welcome.find_component(c)["label"] for c in welcome.custom_ids]
    assert labels == ["Encerrar · Close", "Me envie uma transcrição · Send me a transcript"]
    await kindred.restart()
    pressed = await emulator.press_button(world.peer, welcome, "kindred:req:close:1")
    answer = await pressed.answer()
    assert answer.ephemeral and answer.text.startswith("Geschlossen"), answer.text
    last = await emulator.wait_for_message(
        thread, predicate=lambda m: m.text == thread_closed_text("pt")
    )
    assert last.text.startswith("Esta conversa foi encerrada.")
    assert (await kindred.services.peers.requests.get(1)).status == "closed"


async def test_a_not_now_button_forged_with_an_unknown_language_answers_kindly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """kindred:safety:notnow:zz (a language Kindred doesn't have) pressed from a Spanish app:
    a kind private answer in a language Kindred has (English: the forged code is ignored),
    and nothing breaks."""
    bait = await emulator.send_message(world.member, world.general, "look")
    custom_id = "kindred:safety:notnow:zz"
    bait.components = [
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": custom_id}]}
    ]
    answer = await (
        await emulator.press_button(world.member, bait, custom_id, locale="es-ES")
    ).response()
    assert answer.ephemeral
    assert answer.text in (opt_out_text("notnow", "es"), opt_out_text("notnow")), answer.text
