"""A DM to Kindred, outside any conversation, that asks for a respite or a warmline (or says
crisis words) *and* pleads for a peer ("I need to talk to someone") or a professional: one
private answer, with the needs' entries (or the crisis lines) and a "Talk to a peer in
<server>" button per server the member may ask in, never two DMs that overlap."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World, detector_settled
from tests.e2e.test_detector import ScriptedModel, bot_dms, use_model
from tests.e2e.test_safety import command
from tests.e2e.test_support import setup_peers
from tests.e2e.test_support_flows import second_server

RESPITE = ScriptedModel({"respite": {"need_respite": 0.9}})


async def one_answer(emulator: DiscordEmulator, kindred: Kindred, user, *, safety=True):
    """The one DM Kindred sent ``user`` once every handler is done."""
    if safety:
        await detector_settled(kindred)
    assert await kindred.quiet()
    sent = bot_dms(emulator, user)
    assert len(sent) == 1, [m.text[:300] for m in sent]
    return sent[0]


async def test_a_dm_asking_for_a_respite_and_to_talk_gets_one_answer_with_both(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The respite entries for the member's state and the Talk to a peer button of their
    server, in one DM: not the needs reply and the offer of a peer side by side."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, RESPITE)
    await emulator.send_dm(
        world.member, "is there a peer respite near me? i need to talk to someone"
    )
    answer = await one_answer(emulator, kindred, world.member)
    assert "Support you asked about" in answer.text and "Alyssum" in answer.text, answer.text
    assert "Press the button" in answer.text, answer.text  # the offer of a peer
    assert "988" not in answer.text  # no crisis lines without crisis language
    talk = f"kindred:talk:{world.guild.id}:en"
    assert answer.find_component(talk)["label"] == f"Talk to a peer in {world.guild.name}"
    pressed = await emulator.press_button(world.member, answer, talk)
    assert (await pressed.response()).is_modal


async def test_a_spanish_dm_asking_for_a_warmline_and_to_talk_gets_one_answer_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """No /language set: the words' language (Spanish), for the warmlines and the button."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"escucha": {"need_warmline": 0.9}}, lang="es"))
    await emulator.send_dm(
        world.member, "¿hay alguna línea de escucha por aquí? necesito hablar con alguien"
    )
    answer = await one_answer(emulator, kindred, world.member)
    assert "El apoyo que buscabas" in answer.text, answer.text
    assert "**Líneas de escucha**" in answer.text and "Pulsa el botón" in answer.text, answer.text
    assert "Support you asked about" not in answer.text, answer.text
    talk = f"kindred:talk:{world.guild.id}:es"
    assert answer.find_component(talk)["label"].startswith("Hablar con un compañero en")


async def test_crisis_words_and_a_plea_by_dm_get_one_answer_the_crisis_reply_with_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The crisis reply and the offer of a peer came as two DMs: one now, the crisis lines
    with the Talk to a peer button under them."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, ScriptedModel({"kill myself": {"crisis_2": 0.95}}))
    await emulator.send_dm(world.member, "i want to kill myself. i need to talk to someone")
    answer = await one_answer(emulator, kindred, world.member)
    assert "Checking in: you're not alone" in answer.text and "988" in answer.text, answer.text
    assert f"kindred:talk:{world.guild.id}:en" in answer.custom_ids, answer.custom_ids


async def test_a_dm_asking_for_a_therapist_and_a_respite_gets_one_honest_answer_with_both(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, RESPITE)
    await emulator.send_dm(
        world.member, "i need to see a therapist, or is there a peer respite near me?"
    )
    answer = await one_answer(emulator, kindred, world.member)
    assert answer.text.startswith("I can't connect you with a therapist"), answer.text
    assert "Alyssum" in answer.text and "988" not in answer.text, answer.text
    assert f"kindred:talk:{world.guild.id}:en" in answer.custom_ids, answer.custom_ids


async def test_a_respite_and_a_plea_by_dm_offer_a_peer_in_each_server_shared(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two servers with peer support shared: a button each (as the offer of a peer gives);
    neither server's own entries (the one-server rule of a DM's needs reply); a server the
    member isn't in is never named."""
    await setup_peers(emulator, world)
    world2 = second_server(emulator, emulator.create_user("ren"))
    emulator.add_member(world2.guild, world.member)
    await setup_peers(emulator, world2)
    elsewhere = second_server(emulator, emulator.create_user("sam"))
    await setup_peers(emulator, elsewhere)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, RESPITE)
    await emulator.send_dm(world.member, "is there a peer respite around? i need to talk")
    answer = await one_answer(emulator, kindred, world.member)
    assert "Alyssum" in answer.text, answer.text
    talks = [c for c in answer.custom_ids if c.startswith("kindred:talk:")]
    assert talks == [f"kindred:talk:{world.guild.id}:en", f"kindred:talk:{world2.guild.id}:en"]
    assert f"kindred:talk:{elsewhere.guild.id}:en" not in answer.custom_ids


async def test_a_plea_with_a_respite_still_gets_the_offer_of_a_peer_without_the_safety_cog(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The Safety cog not loaded: nothing assesses the DM, and the Support cog offers a peer
    at once, as before."""
    await setup_peers(emulator, world)
    await kindred.bot.unload_extension("cogs.safety")
    await emulator.send_dm(world.member, "is there a peer respite near me? i need to talk")
    answer = await one_answer(emulator, kindred, world.member, safety=False)
    assert "Press the button" in answer.text, answer.text
    assert f"kindred:talk:{world.guild.id}:en" in answer.custom_ids, answer.custom_ids


async def test_a_plea_with_a_respite_in_the_needs_cooldown_still_gets_the_offer_of_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The needs reply is once per cooldown; a plea after it is still offered a peer."""
    await setup_peers(emulator, world)
    await command(emulator, world.member, world.general, "region set", region="US-VT")
    use_model(kindred, RESPITE)
    await emulator.send_dm(world.member, "is there a peer respite near me?")
    await one_answer(emulator, kindred, world.member)
    await emulator.send_dm(world.member, "is there a peer respite near me? i need to talk")
    await detector_settled(kindred)
    assert await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert len(sent) == 2, [m.text[:300] for m in sent]
    assert "Press the button" in sent[1].text and "Alyssum" not in sent[1].text, sent[1].text
    assert f"kindred:talk:{world.guild.id}:en" in sent[1].custom_ids, sent[1].custom_ids


async def test_crisis_words_and_a_plea_again_within_the_cooldown_still_get_the_offer_of_a_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The crisis reply is once per cooldown; crisis words and a plea again within it get
    the offer of a peer alone (crisis words alone would get nothing more)."""
    await setup_peers(emulator, world)
    use_model(kindred, ScriptedModel({"kill myself": {"crisis_2": 0.95}}))
    words = "i want to kill myself. i need to talk to someone"
    await emulator.send_dm(world.member, words)
    await one_answer(emulator, kindred, world.member)
    await emulator.send_dm(world.member, words + " please")
    await detector_settled(kindred)
    assert await kindred.quiet()
    sent = bot_dms(emulator, world.member)
    assert len(sent) == 2, [m.text[:300] for m in sent]
    assert sent[1].text.startswith("I'm here. Press the button"), sent[1].text
    assert f"kindred:talk:{world.guild.id}:en" in sent[1].custom_ids, sent[1].custom_ids
