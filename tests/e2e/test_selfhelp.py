"""The self-help library end to end: the topic list, autocomplete, a topic typed as its name or
its title, pages turned with Previous / Next (private, in place, across a restart), the last
page, posting a page for everyone, a server's own pages and forged page buttons from another
server."""

from __future__ import annotations

from bot.services.selfhelp import parse_page
from emulator import DiscordEmulator, P
from emulator.models import Message
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import command

LONG_BODY = (
    "\n\n".join(
        f"## Part {i}\n\n" + ("These are our house rules for hard days. " * 20) for i in range(1, 5)
    )
    + "\n\nA peer can listen: `/support`. If it's urgent: `/crisis`."
)
HOUSE_RULES = f"""+++
title = "Our house rules for hard days"
tags = ["rules"]
language = "en"
reviewed = 2026-11-30

[[source]]
name = "This server"
url = "https://example.org/rules"
+++
{LONG_BODY}
"""


def button(message: Message, prefix: str) -> dict:
    found = [c for c in message.iter_components() if c.get("custom_id", "").startswith(prefix)]
    assert len(found) == 1, (prefix, message.custom_ids)
    return found[0]


def footer(message: Message) -> str:
    return message.embeds[0]["footer"]["text"]


def add_server_page(kindred: Kindred, guild_id: int) -> None:
    page = parse_page(HOUSE_RULES, slug="house-rules", where="test", guild_id=guild_id)
    kindred.services.selfhelp.library.library.add(page)


async def test_the_topic_list_is_private_and_names_every_shipped_topic(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    answer = await command(emulator, world.member, world.general, "selfhelp")
    assert answer.ephemeral
    text = answer.text
    for title in (
        "Grounding exercises", "Breathing to calm down", "Sleep", "Loneliness",
        "relapse prevention", "Talking to a doctor", "Finding a peer respite",
        "What peer support is",
    ):  # fmt: skip
        assert title in text, title


async def test_autocomplete_finds_topics_by_title_name_and_tag(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    by_title = await emulator.autocomplete(
        world.member, world.general, "selfhelp", focused="topic", value="breath"
    )
    assert by_title[0]["value"] == "breathing"
    by_tag = await emulator.autocomplete(
        world.member, world.general, "selfhelp", focused="topic", value="insomnia"
    )
    assert [c["value"] for c in by_tag] == ["sleep"]
    everything = await emulator.autocomplete(
        world.member, world.general, "selfhelp", focused="topic", value=""
    )
    assert len(everything) >= 8


async def test_pages_turn_in_place_privately_and_the_buttons_survive_a_restart(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    opened = await command(emulator, world.member, world.general, "selfhelp", topic="grounding")
    assert opened.ephemeral and opened.embeds[0]["title"] == "Grounding exercises"
    page = opened.message
    assert "Page 1 of 2" in footer(page)
    assert button(page, "kindred:sh:p:").get("disabled")
    assert f"kindred:talk:{world.guild.id}:en" in page.custom_ids
    nxt = button(page, "kindred:sh:n:")["custom_id"]
    assert nxt == f"kindred:sh:n:{world.guild.id}:1:grounding"

    turned = await (await emulator.press_button(world.member, page, nxt)).response()
    assert turned.type == 7  # the private message itself turns the page
    assert "Page 2 of 2" in footer(page) and page.ephemeral
    assert button(page, "kindred:sh:n:").get("disabled")  # the last page
    assert not button(page, "kindred:sh:p:").get("disabled")
    assert "Sources" in page.text and "mind.org.uk" in page.text
    assert "/support" in page.text and "/crisis" in page.text

    await kindred.restart()
    back = button(page, "kindred:sh:p:")["custom_id"]
    again = await (await emulator.press_button(world.member, page, back)).response()
    assert again.type == 7 and "Page 1 of 2" in footer(page)


async def test_a_page_past_the_end_shows_the_last_page(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    add_server_page(kindred, world.guild.id)
    opened = await command(emulator, world.member, world.general, "selfhelp", topic="house-rules")
    count = int(footer(opened.message).split(" of ")[1].split(" ")[0])
    assert count >= 3
    bait = opened.message
    forged = f"kindred:sh:n:{world.guild.id}:99:house-rules"
    bait.components = [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "x", "custom_id": forged}]}]  # fmt: skip
    await (await emulator.press_button(world.member, bait, forged)).response()
    assert f"Page {count} of {count}" in footer(bait)


async def test_a_server_page_is_not_shown_elsewhere_and_forged_ids_from_another_server_do_nothing(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    add_server_page(kindred, world.guild.id)
    here = await emulator.autocomplete(
        world.member, world.general, "selfhelp", focused="topic", value="house"
    )
    assert here[0]["value"] == "house-rules"
    other = emulator.create_guild("Elsewhere")
    intruder = emulator.user(other.owner_id)
    channel = emulator.create_channel(other, "general")
    await emulator.gateway_idle()
    there = await command(emulator, intruder, channel, "selfhelp", topic="house-rules")
    assert there.ephemeral and "couldn't find that topic" in there.text
    listed = await emulator.autocomplete(
        intruder, channel, "selfhelp", focused="topic", value="house"
    )
    assert "house-rules" not in [c["value"] for c in listed]

    before = len(emulator.bot_messages(channel))
    bait = await emulator.send_message(intruder, channel, "look")
    forged = f"kindred:sh:n:{world.guild.id}:1:house-rules"
    bait.components = [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "x", "custom_id": forged}]}]  # fmt: skip
    answer = await (await emulator.press_button(intruder, bait, forged)).response()
    assert answer.ephemeral and "another server" in answer.text
    assert not answer.embeds and "house rules" not in answer.text.lower()
    assert bait.text == "look"  # untouched
    public = [m for m in emulator.bot_messages(channel)[before:] if not m.ephemeral]
    assert not public


async def test_a_topic_typed_as_its_name_or_its_title_opens_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    for typed, title in (
        ("Grounding", "Grounding exercises"),
        (" breathing ", "Breathing to calm down"),
        ("Breathing to calm down", "Breathing to calm down"),
        ("  BRÉATHING: to calm-down! ", "Breathing to calm down"),
        (
            "staying well noticing early signs relapse prevention",
            "Staying well: noticing early signs (relapse prevention)",
        ),
    ):
        answer = await command(emulator, world.member, world.general, "selfhelp", topic=typed)
        assert answer.ephemeral
        assert answer.embeds, f"{typed!r}: {answer.text}"
        assert answer.embeds[0]["title"] == title, typed


async def test_an_unknown_topic_gets_a_clear_private_message(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    answer = await command(emulator, world.member, world.general, "selfhelp", topic="nope")
    assert answer.ephemeral and "`/selfhelp` with no topic lists them all" in answer.text


async def test_a_topic_typed_as_one_of_its_tags_points_to_the_pages_that_match(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """ "panic" is a tag of the grounding and breathing pages: sent without picking a
    suggestion it offers both, each with how to open it (not only "I couldn't find that
    topic", a dead end in the middle of a panic); a word only one page has opens it."""
    answer = await command(emulator, world.member, world.general, "selfhelp", topic="panic")
    assert answer.ephemeral, answer.text
    assert "Grounding exercises" in answer.text and "Breathing to calm down" in answer.text
    assert "`/selfhelp topic:grounding`" in answer.text, answer.text
    assert "`/selfhelp topic:breathing`" in answer.text, answer.text
    assert "couldn't find" not in answer.text, answer.text
    assert "Sleep" not in answer.text, answer.text
    one = await command(emulator, world.member, world.general, "selfhelp", topic="Insomnia")
    assert one.ephemeral and one.embeds, one.text
    assert one.embeds[0]["title"] == "Sleep"
    nothing = await command(emulator, world.member, world.general, "selfhelp", topic="?!")
    assert "I couldn't find that topic" in nothing.text, nothing.text


async def test_a_spanish_member_reads_the_pages_matching_a_tag_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await command(emulator, world.member, world.general, "language set", language="es")
    answer = await command(emulator, world.member, world.general, "selfhelp", topic="panic")
    assert answer.text.startswith("No hay ningún tema que se llame exactamente así"), answer.text
    assert "`/selfhelp topic:grounding`" in answer.text, answer.text


async def test_a_shared_page_is_posted_for_everyone_and_its_buttons_give_private_copies(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    answer = await command(
        emulator, world.peer, world.general, "selfhelp", topic="breathing", share=True
    )
    assert answer.ephemeral and "Posted" in answer.text
    post = await emulator.wait_for_message(
        world.general, predicate=lambda m: not m.ephemeral and bool(m.embeds)
    )
    assert post.embeds[0]["title"] == "Breathing to calm down"
    nxt = button(post, "kindred:sh:n:")["custom_id"]
    copy = await (await emulator.press_button(world.member2, post, nxt)).response()
    assert copy.type == 4 and copy.ephemeral and "Page 2 of 2" in copy.text
    assert "Page 1 of 2" in footer(post)  # the post itself did not change


async def test_sharing_a_page_needs_permission_to_post_in_the_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    emulator.set_overwrite(world.general, world.member2, deny=P.SEND_MESSAGES)
    await emulator.gateway_idle()
    answer = await command(
        emulator, world.member2, world.general, "selfhelp", topic="sleep", share=True
    )
    assert answer.ephemeral and "can't post in this channel" in answer.text
    assert answer.embeds[0]["title"] == "Sleep"
    assert not [m for m in emulator.bot_messages(world.general) if not m.ephemeral]


async def test_sharing_a_page_in_a_dm_does_not_say_it_was_posted_for_everyone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/selfhelp topic:breathing share:True` run in a DM with Kindred: nobody else reads that
    chat, so the page is simply shown, once, with a plain word that it is just for them and
    that sharing posts a page in a server's channel; never a claim that it was posted "here
    for everyone", nor a second copy (a member who worries about being seen deserves a plain
    answer)."""
    dm = emulator.dm_channel(world.member)
    answer = await command(emulator, world.member, dm, "selfhelp", topic="breathing", share=True)
    assert await kindred.quiet()
    said = [answer.text] + [m.text for m in emulator.bot_messages(dm)]
    assert not [t for t in said if "for everyone" in t], said
    assert "just for you" in answer.text and "`share:True`" in answer.text, answer.text
    assert answer.embeds[0]["title"] == "Breathing to calm down"
    pages = [m for m in emulator.bot_messages(dm) if m.embeds and m.id != answer.message.id]
    assert not pages, [m.embeds[0].get("title") for m in pages]


async def test_a_spanish_member_reads_the_library_labels_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The topic list's and a page's own labels (title, footer, Sources, buttons) follow the
    reader's language; the page's text is the page as shipped. English word for word."""
    await command(emulator, world.member, world.general, "language set", language="es")
    listed = await command(emulator, world.member, world.general, "selfhelp")
    assert listed.embeds[0]["title"] == "Biblioteca de autoayuda"
    assert listed.embeds[0]["description"].startswith("Páginas cortas en lenguaje sencillo")
    assert footer(listed.message) == (
        "Solo tú ves esto. Hablar con un compañero: /support · Urgente: /crisis"
    )
    opened = await command(emulator, world.member, world.general, "selfhelp", topic="grounding")
    page = opened.message
    shown = kindred.services.selfhelp.library.library.get("grounding", None, "es")
    assert shown.count == 2  # turning once reaches the last page, with its sources
    assert footer(page) == (
        f"Página 1 de 2 · Revisada el {shown.meta.reviewed:%Y-%m-%d} · "
        "No es consejo médico · Hablar con un compañero: /support · Urgente: /crisis"
    )
    assert button(page, "kindred:sh:p:")["label"] == "◀ Anterior"
    assert button(page, "kindred:sh:n:")["label"] == "Siguiente ▶"
    assert button(page, "kindred:talk:")["label"] == "Hablar con un compañero"
    nxt = button(page, "kindred:sh:n:")["custom_id"]
    assert nxt == f"kindred:sh:n:{world.guild.id}:1:grounding"  # the same in every language
    assert (await (await emulator.press_button(world.member, page, nxt)).response()).type == 7
    assert [f["name"] for f in page.embeds[0]["fields"]] == ["Fuentes"]

    # English, word for word
    listed = await command(emulator, world.member2, world.general, "selfhelp")
    assert listed.embeds[0]["title"] == "Self-help library"
    assert footer(listed.message) == (
        "Only you can see this. Talk to a peer: /support · Urgent: /crisis"
    )
    opened = await command(emulator, world.member2, world.general, "selfhelp", topic="grounding")
    page = opened.message
    assert footer(page) == (
        f"Page 1 of 2 · Reviewed {shown.meta.reviewed:%d %b %Y} · "
        "Not medical advice · Talk to a peer: /support · Urgent: /crisis"
    )
    assert button(page, "kindred:sh:p:")["label"] == "◀ Previous"
    assert button(page, "kindred:sh:n:")["label"] == "Next ▶"
    assert button(page, "kindred:talk:")["label"] == "Talk to a peer"
    await (await emulator.press_button(world.member2, page, nxt)).response()
    assert [f["name"] for f in page.embeds[0]["fields"]] == ["Sources"]
