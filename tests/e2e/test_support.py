"""Private support requests end to end: intake, card, claim, thread, close, feedback."""

from __future__ import annotations

import asyncio
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.services.peers.messages import tag_removed_text
from bot.services.requests import CATCH_UP_MAX
from bot.services.requests.notices import (
    catch_up_lost_text,
    closed_text,
    conversation_gone_member_text,
    conversation_gone_peer_text,
    feedback_counted_text,
    relay_ended_text,
    relay_words_only_text,
    requeued_member_text,
    thread_closed_text,
    transcript_cut_text,
    transcript_header_text,
)
from emulator import DiscordEmulator, P
from emulator.models import Attachment, Message
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import PT, portuguese


async def setup_peers(emu: DiscordEmulator, world: World, **extra) -> None:
    options = {
        "peer_role": world.peer_role.id,
        "peer_channel": world.peers.id,
        "moderator_channel": world.mods.id,
        "thread_channel": world.support.id,
        **extra,
    }
    response = await (
        await emu.run_command(world.mod, world.general, "peers setup", options=options)
    ).response()
    assert "Peer support is set up" in response.text, response.text


async def go_on_duty(emu: DiscordEmulator, world: World, user) -> None:
    response = await (await emu.run_command(user, world.general, "duty on")).response()
    assert "You're on duty" in response.text, response.text


async def ask(emu: DiscordEmulator, world: World, user, **values):
    opened = await emu.run_command(user, world.general, "support")
    modal = await opened.response()
    assert modal.is_modal, modal.text
    fields = {"topic": "", "summary": "", "tags": "", "anonymous": "no", **values}
    submitted = await opened.submit_modal(fields)
    return await submitted.response()


async def press_claim(emu: DiscordEmulator, peer, message: Message, request_id: int):
    """A peer presses Claim on a card; returns the (deferred) answer once it is filled."""
    return await (
        await emu.press_button(peer, message, f"kindred:req:claim:{request_id}")
    ).original_response()


def card_for(emu: DiscordEmulator, world: World, request_id: int) -> Message:
    cards = [m for m in emu.messages_in(world.peers) if f"Support request #{request_id}" in m.text]
    assert cards, f"no card for request #{request_id}"
    return cards[-1]


async def test_full_path_thread_claim_talk_close_feedback(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    answer = await ask(
        emulator, world, world.member, topic="rough week", summary="work stress and not sleeping"
    )
    assert answer.ephemeral
    assert "request #1" in answer.text
    assert "place in the queue: **1**" in answer.text
    assert "1 peer(s) on duty" in answer.text

    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    assert "rough week" in card.text
    assert "work stress" in card.text  # the member chose to share it
    assert f"<@{world.peer.id}>" in (card.content or "")  # on-duty peer pinged
    assert "kindred:req:claim:1" in card.custom_ids
    assert not any(
        "Support request" in m.text for m in emulator.messages_in(world.general) if not m.ephemeral
    )

    claim = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    claimed = await claim.original_response()
    assert "You claimed request #1" in claimed.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "claimed" and request.claimed_by == world.peer.id
    thread = emulator.channels[request.thread_id]
    assert thread.type == 12 and thread.invitable is False
    assert set(thread.thread_members) == {world.member.id, world.peer.id, emulator.bot_user.id}
    refreshed = emulator.messages[card.id]
    assert f"Claimed by <@{world.peer.id}>" in refreshed.text
    assert "kindred:req:close:1" in refreshed.custom_ids

    await emulator.send_message(world.member, thread, "thanks for being here")
    await emulator.send_message(world.peer, thread, "of course, I'm listening")
    await emulator.gateway_idle()

    closing = await emulator.run_command(
        world.member, thread, "support", options={"action": "close"}
    )
    assert "Closed" in (await closing.response()).text
    dm = emulator.dm_channel(world.member)
    feedback = await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)
    press = await emulator.press_button(world.member, feedback, "kindred:fb:helped:1")
    assert "counted anonymously" in (await press.response()).text
    stats = await kindred.services.peers.requests.stats(world.guild.id, 7)
    assert stats.feedback["helped"] == 1 and stats.closed == 1
    assert emulator.channels[thread.id].archived


async def test_feedback_is_kept_only_as_a_count_not_linked_to_the_member_or_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member is told only counts are kept: no stored row holds their answer next to
    them or the peer it was about."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    closing = await emulator.run_command(
        world.member, thread, "support", options={"action": "close"}
    )
    assert "Closed" in (await closing.answer()).text
    dm = emulator.dm_channel(world.member)
    question = await emulator.wait_for_message(dm, predicate=lambda m: "Did it help" in m.text)
    assert "only counts are shared" in question.text
    # a double click: both presses find the buttons, one answer is counted
    first, second = await asyncio.gather(
        emulator.press_button(world.member, question, "kindred:fb:not_really:1"),
        emulator.press_button(world.member, question, "kindred:fb:not_really:1"),
    )
    answers = [(await first.response()).text, (await second.response()).text]
    assert sum("counted anonymously" in a for a in answers) == 1, answers
    assert sum("already answered" in a for a in answers) == 1, answers
    db = kindred.services.db
    linked = []
    for table in await db.tables():
        for row in await db.fetchall(f"SELECT * FROM {table}"):
            values = " ".join(str(v) for v in dict(row).values())
            who = [u.id for u in (world.member, world.peer) if str(u.id) in values]
            if who and "not_really" in values:
                linked.append((table, dict(row)))
    assert linked == [], f"the rating is stored next to who gave it and about whom: {linked}"
    stats = await kindred.services.peers.requests.stats(world.guild.id, 7)
    assert stats.feedback == {"helped": 0, "somewhat": 0, "not_really": 1}
    shown = await (
        await emulator.run_command(world.mod, world.general, "peers stats", options={"days": 7})
    ).answer()
    assert "not really 1" in shown.text and "counted by month" in shown.text


async def test_concurrent_claims_exactly_one_wins(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    first, second = await asyncio.gather(
        emulator.press_button(world.peer, card, "kindred:req:claim:1"),
        emulator.press_button(world.peer2, card, "kindred:req:claim:1"),
    )
    texts = [(await first.original_response()).text, (await second.original_response()).text]
    assert sum("You claimed request #1" in t for t in texts) == 1
    assert sum("Already claimed by" in t for t in texts) == 1
    request = await kindred.services.peers.requests.get(1)
    assert request.claimed_by in (world.peer.id, world.peer2.id)
    threads = [c for c in emulator.channels.values() if c.type == 12]
    assert len(threads) == 1


async def test_nobody_on_duty_gets_an_honest_answer_and_resources(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    shift = await (
        await emulator.run_command(
            world.peer,
            world.general,
            "duty shift add",
            options={"weekday": "monday", "start": "09:00", "end": "17:00", "tz": "UTC"},
        )
    ).response()
    assert "Shift added" in shift.text
    answer = await ask(emulator, world, world.member)
    assert "Nobody is on duty right now" in answer.text
    assert "next peer is expected" in answer.text
    assert "stays in the queue" in answer.text
    assert "findahelpline.com" in answer.text
    # said once, not twice; and the member is told what happens next
    assert "No peer is on duty right now" not in answer.text
    assert "What happens next" in answer.text and "private thread" in answer.text


async def test_the_tag_commands_answer_a_french_moderator_in_french_an_english_one_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)

    async def tags(user, name: str, **options) -> str:
        answer = await (
            await emulator.run_command(user, world.general, f"peers tags {name}", options=options)
        ).response()
        assert answer.ephemeral
        return answer.text

    assert await tags(world.mod, "list") == "Tags: none yet."
    assert await tags(world.mod, "add", tag="grief") == "Tag **grief** added."
    assert await tags(world.mod, "list") == "Tags: grief"
    chosen = await emulator.run_command(
        world.mod, world.general, "language set", options={"language": "fr"}
    )
    assert (await chosen.response()).ephemeral
    assert await tags(world.mod, "add", tag="veterans") == "Étiquette **veterans** ajoutée."
    assert await tags(world.mod, "list") == "Étiquettes : grief, veterans"
    assert await tags(world.mod, "remove", tag="grief") == "Étiquette **grief** supprimée."
    assert await tags(world.mod, "remove", tag="veterans") == "Étiquette **veterans** supprimée."
    assert await tags(world.mod, "list") == "Étiquettes : aucune pour l'instant."
    assert await kindred.services.peers.tags.guild_tags(world.guild.id) == []


async def test_a_tag_with_a_comma_is_refused_so_every_tag_can_be_chosen(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/duty tags splits on commas, the request form on commas and semicolons: a tag holding
    one could be added but never chosen, so it is refused when added."""
    await setup_peers(emulator, world)

    async def add(tag: str):
        return await (
            await emulator.run_command(world.mod, world.general, "peers tags add", {"tag": tag})
        ).response()

    for typed in ("anxiety, panic", "anxiety; panic"):
        refused = await add(typed)
        assert refused.ephemeral and "can't hold a comma or a semicolon" in refused.text, (
            refused.text
        )
        assert "added" not in refused.text
    assert await kindred.services.peers.tags.guild_tags(world.guild.id) == []
    # each on its own is added, and a peer chooses both
    for tag in ("anxiety", "panic"):
        assert (await add(tag)).text == f"Tag **{tag}** added."
    chosen = await (
        await emulator.run_command(
            world.peer, world.general, "duty tags", {"tags": "anxiety, panic"}
        )
    ).response()
    assert "not a tag here" not in chosen.text, chosen.text
    assert await kindred.services.peers.tags.peer_tags(world.guild.id, world.peer.id) == [
        "anxiety",
        "panic",
    ]


async def test_tags_differing_only_in_case_are_one_tag(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)

    async def tags(name: str, **options) -> str:
        answer = await (
            await emulator.run_command(world.mod, world.general, f"peers tags {name}", options)
        ).response()
        assert answer.ephemeral
        return answer.text

    assert await tags("add", tag="Grief") == "Tag **Grief** added."
    assert await tags("add", tag="grief") == "**Grief** is already a tag here."
    assert await tags("list") == "Tags: Grief"
    assert await kindred.services.peers.tags.guild_tags(world.guild.id) == ["Grief"]
    assert await tags("remove", tag="GRIEF") == "Tag **Grief** removed."
    assert await kindred.services.peers.tags.guild_tags(world.guild.id) == []


async def test_removing_a_tag_takes_it_from_every_peer_and_says_how_many(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two peers chose "Grief": removing it takes it from both (before: their copies stayed)
    and the moderator reads how many lost it; a tag nobody chose reads as before."""
    await setup_peers(emulator, world)

    async def run(user, name: str, **options) -> str:
        answer = await (
            await emulator.run_command(user, world.general, name, options=options)
        ).response()
        assert answer.ephemeral
        return answer.text

    for tag in ("Grief", "Veterans", "Loss"):
        assert await run(world.mod, "peers tags add", tag=tag) == f"Tag **{tag}** added."
    assert "Grief" in await run(world.peer, "duty tags", tags="grief, veterans")
    assert "Grief" in await run(world.peer2, "duty tags", tags="GRIEF")
    assert (
        await run(world.mod, "peers tags remove", tag="grief")
        == "Tag **Grief** removed, also from the 2 peers who had chosen it."
    )
    tags = kindred.services.peers.tags
    assert await tags.peer_tags(world.guild.id, world.peer.id) == ["Veterans"]
    assert await tags.peer_tags(world.guild.id, world.peer2.id) == []
    assert (
        await run(world.mod, "peers tags remove", tag="Veterans")
        == "Tag **Veterans** removed, also from the 1 peer who had chosen it."
    )
    assert await run(world.mod, "peers tags remove", tag="Loss") == "Tag **Loss** removed."
    await run(world.mod, "language set", language="es")
    await run(world.mod, "peers tags add", tag="Duelo")
    await run(world.peer, "duty tags", tags="duelo")
    spanish = await run(world.mod, "peers tags remove", tag="duelo")
    assert spanish == tag_removed_text("Duelo", "es", 1) and "removed" not in spanish, spanish


async def test_a_request_reaches_the_peer_sharing_its_tag_in_any_spelling_stored_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A server may hold "Grief" and "grief" from before tags were compared in any case; a
    peer who chose one is still pinged first for a request tagged with the other."""
    await setup_peers(emulator, world)
    tags = kindred.services.peers.tags
    added = await (
        await emulator.run_command(world.mod, world.general, "peers tags add", {"tag": "Grief"})
    ).response()
    assert added.text == "Tag **Grief** added."
    chosen = await (
        await emulator.run_command(world.peer, world.general, "duty tags", {"tags": "grief"})
    ).response()
    assert "Grief" in chosen.text, chosen.text
    await tags.add_guild_tag(world.guild.id, "grief")  # as stored before the fix
    listed = await (
        await emulator.run_command(world.mod, world.general, "peers tags list")
    ).response()
    assert listed.text == "Tags: Grief"
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    answer = await ask(emulator, world, world.member, topic="loss", tags="grief")
    assert "Your request #1 is in" in answer.text, answer.text
    assert "isn't a tag here" not in answer.text
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request" in m.text or "#1" in m.text
    )
    # the ping (the card's content): the peer who chose the tag first, not every peer on duty
    assert f"<@{world.peer.id}>" in card.content, card.content
    assert f"<@{world.peer2.id}>" not in card.content, card.content


async def test_an_unknown_tag_in_the_form_does_not_throw_away_the_members_request(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    added = await (
        await emulator.run_command(
            world.mod, world.general, "peers tags add", options={"tag": "grief"}
        )
    ).response()
    assert "grief" in added.text, added.text
    answer = await ask(
        emulator,
        world,
        world.member,
        topic="my dad",
        summary="my dad died last month and I can't stop crying at work",
        tags="grief, loss",
    )
    request = await kindred.services.peers.requests.live_for(world.guild.id, world.member.id)
    assert request is not None, f"the whole request was refused over a tag: {answer.text}"
    assert answer.ephemeral and "Your request #1 is in" in answer.text
    assert request.tags == ("grief",)
    assert (request.topic, request.summary) == (
        "my dad",
        "my dad died last month and I can't stop crying at work",
    )
    # the unknown tag is named kindly, trimmed, beside the server's tags
    assert "**loss** isn't a tag here, so I left it out" in answer.text, answer.text
    assert "Tags here: grief" in answer.text
    assert "` loss`" not in answer.text
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    assert "my dad" in card.text and "grief" in card.text


async def test_second_request_shows_the_open_one_and_cancel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await ask(emulator, world, world.member)
    again = await (await emulator.run_command(world.member, world.general, "support")).response()
    assert not again.is_modal
    assert "already have an open request (#1)" in again.text
    cancelled = await (
        await emulator.run_command(
            world.member, world.general, "support", options={"action": "cancel"}
        )
    ).response()
    assert "withdrawn" in cancelled.text
    card = card_for(emulator, world, 1)
    # The card is refreshed right after the member is answered.
    await emulator.wait_until(
        lambda: "Withdrawn by the member" in emulator.messages[card.id].text,
        what="the card to show the withdrawal",
    )


async def test_support_status_and_cancel_answer_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)

    async def support(action: str):
        options = {"action": action}
        run = await emulator.run_command(world.member, world.general, "support", options=options)
        return await run.response()

    chosen = await emulator.run_command(
        world.member, world.general, "language set", options={"language": "pt"}
    )
    assert (await chosen.response()).ephemeral
    none = await support("status")
    assert none.ephemeral and none.text == (
        "Você não tem nenhum pedido aberto. Com `/support` você pode fazer um."
    ), none.text
    await ask(emulator, world, world.member)
    queued = await support("status")
    assert queued.text.startswith("Você já tem um pedido aberto (#1), enviado <t:"), queued.text
    assert "Você é o número 1 na fila. `/support action:cancel` retira o pedido." in queued.text
    assert "already" not in queued.text and "queue" not in queued.text
    cancelled = await support("cancel")
    assert cancelled.ephemeral and cancelled.text == (
        "O seu pedido foi retirado. Você pode pedir de novo quando quiser."
    ), cancelled.text

    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #2" in m.text
    )
    await press_claim(emulator, world.peer, card, 2)
    thread_id = (await kindred.services.peers.requests.get(2)).thread_id
    assert thread_id is not None
    claimed = await support("status")
    assert claimed.text == (
        "O seu pedido #2 está com alguém da equipe de apoio; vocês podem conversar em "
        f"<#{thread_id}>."
    ), claimed.text


async def test_a_spanish_peer_reads_request_refusals_in_spanish_an_english_one_in_english(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)

    async def press(action: str):
        return await (
            await emulator.press_button(world.peer2, card, f"kindred:req:{action}:1")
        ).answer()

    english = await press("unclaim")
    assert english.ephemeral
    assert english.text == "Only the peer who claimed this request can unclaim it.", english.text
    chosen = await emulator.run_command(
        world.peer2, world.general, "language set", options={"language": "es"}
    )
    assert (await chosen.response()).ephemeral
    spanish = await press("unclaim")
    assert spanish.ephemeral
    assert spanish.text == "Solo el compañero que aceptó esta solicitud puede devolverla.", (
        spanish.text
    )
    transfer = await press("transfer")
    assert transfer.text == (
        "Solo el compañero que atiende esta solicitud puede pasarla a otra persona."
    ), transfer.text
    assert (await kindred.services.peers.requests.get(1)).claimed_by == world.peer.id


async def test_a_spanish_member_and_a_german_peer_read_a_claim_and_a_close_in_their_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """What each reads privately as the request moves: the member's DMs (picked up, back in
    the queue, the feedback question) in Spanish, the peer's answers and DM in German; the
    peer channel's posts stay in English (a server has no language of its own)."""
    await setup_peers(emulator, world)

    async def choose(user, language: str) -> None:
        chosen = await emulator.run_command(
            user, world.general, "language set", options={"language": language}
        )
        assert (await chosen.response()).ephemeral

    await choose(world.member, "es")
    await choose(world.peer, "de")
    on = await (await emulator.run_command(world.peer, world.general, "duty on")).response()
    assert on.ephemeral and on.text == "Du bist jetzt im Dienst.", on.text
    await ask(emulator, world, world.member, anonymous="yes")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    claimed = await press_claim(emulator, world.peer, card, 1)
    relay_id = (await kindred.services.peers.requests.get(1)).thread_id
    assert claimed.ephemeral and claimed.text == (
        f"Du hast Anfrage #1 übernommen. Schreib in <#{relay_id}>; ich leite es weiter."
    ), claimed.text
    dm = emulator.dm_channel(world.member)
    picked = await emulator.wait_for_message(dm, predicate=lambda m: "#1" in m.text)
    assert picked.text == (
        "Una persona del equipo de apoyo ha aceptado tu solicitud #1. Responde aquí: le "
        "haré llegar tus mensajes sin tu nombre. Cierra la conversación cuando quieras."
    ), picked.text

    # the peer loses the role: the member is told in Spanish, the channel in English
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    await (await emulator.press_button(world.peer, card, "kindred:req:unclaim:1")).answer()
    told = await emulator.wait_for_message(dm, predicate=lambda m: "cola" in m.text)
    assert told.text.startswith(
        "La persona del equipo de apoyo que aceptó tu solicitud #1 no puede continuar"
    ), told.text
    assert "`/crisis`" in told.text
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Request #1 is back in the queue" in m.text
    )

    # back with the role, the German peer claims again and closes
    emulator.set_member_roles(world.guild, world.peer, [world.peer_role.id])
    await emulator.gateway_idle()
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[card.id].custom_ids,
        what="the card to offer Claim again",
    )
    await press_claim(emulator, world.peer, emulator.messages[card.id], 1)
    closed = await (
        await emulator.press_button(world.peer, emulator.messages[card.id], "kindred:req:close:1")
    ).answer()
    assert closed.ephemeral
    assert closed.text == "Geschlossen. Danke, dass du für die Person da warst.", closed.text
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids
    )
    assert question.text.startswith("Tu conversación de apoyo está cerrada. ¿Te ayudó?"), (
        question.text
    )
    thanks = await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "debrief" in m.text
    )
    assert thanks.text.startswith("Anfrage #1 ist geschlossen. Danke."), thanks.text


async def test_an_english_peer_and_member_read_the_claim_and_close_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    on = await (await emulator.run_command(world.peer, world.general, "duty on")).response()
    assert on.text == "You're on duty.", on.text
    await ask(emulator, world, world.member, anonymous="yes")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    claimed = await press_claim(emulator, world.peer, card, 1)
    relay_id = (await kindred.services.peers.requests.get(1)).thread_id
    assert claimed.text == f"You claimed request #1. Talk in <#{relay_id}>; I relay it."
    dm = emulator.dm_channel(world.member)
    picked = await emulator.wait_for_message(dm, predicate=lambda m: "#1" in m.text)
    assert picked.text == (
        "A peer supporter has picked up your request #1. Just reply here: I'll pass your "
        "messages on without your name. Close the conversation whenever you like."
    ), picked.text
    closed = await (
        await emulator.press_button(world.peer, emulator.messages[card.id], "kindred:req:close:1")
    ).answer()
    assert closed.text == "Closed. Thank you for being there for them."
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids
    )
    assert question.text == (
        "Your support conversation is closed. Did it help? (Optional; only counts are "
        "shared, never who said what.)"
    )


async def test_peer_cannot_claim_own_request(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await ask(emulator, world, world.peer)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    own = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    assert "your own request" in (await own.original_response()).text
    assert (await kindred.services.peers.requests.get(1)).status == "open"


async def test_losing_the_peer_role_ends_duty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    on = await (
        await emulator.run_command(world.peer2, world.general, "duty on", options={"until": "2h"})
    ).response()
    assert "You're on duty until" in on.text, on.text
    assert await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer2.id)
    timer_key = f"duty:{world.guild.id}:{world.peer2.id}"
    assert await kindred.services.scheduler.get(timer_key) is not None
    emulator.set_member_roles(world.guild, world.peer2, [])
    await emulator.gateway_idle()
    refused = await (
        await emulator.run_command(world.peer2, world.general, "duty status")
    ).response()
    assert refused.ephemeral and "for peer supporters" in refused.text
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer2.id)
    # the end time they had set is forgotten: no "your time on duty has ended" later
    assert await kindred.services.scheduler.get(timer_key) is None
    member_refused = await (
        await emulator.run_command(world.member, world.general, "duty on")
    ).response()
    assert "for peer supporters" in member_refused.text


async def test_a_peer_who_loses_the_role_mid_conversation_does_not_keep_the_request_stuck(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Only the holder may unclaim or transfer, and a claimed request no longer escalates:
    a request held by someone who lost the role would wait for nobody."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    old_thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    await go_on_duty(emulator, world, world.peer2)
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    # the ex-peer tries to give it back to the queue
    pressed = await emulator.press_button(
        world.peer, emulator.messages[card.id], "kindred:req:unclaim:1"
    )
    answer = await pressed.answer()
    assert answer.ephemeral and "back in the queue" in answer.text, answer.text
    after = await kindred.services.peers.requests.get(1)
    assert after.status == "open" and after.claimed_by is None, (
        f"request still held by someone who is no longer a peer; they were told: {answer.text}"
    )
    assert await kindred.services.scheduler.get("request:1:escalate") is not None
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "back in the queue" in m.text
    )
    assert "Another peer will pick it up" in told.text
    await emulator.wait_until(  # the ex-peer no longer reads the member's words
        lambda: old_thread.archived and world.peer.id not in old_thread.thread_members,
        what="the old thread to be closed off",
    )
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[card.id].custom_ids,
        what="the card to offer Claim again",
    )
    await press_claim(emulator, world.peer2, emulator.messages[card.id], 1)
    taken = await kindred.services.peers.requests.get(1)
    assert taken.claimed_by == world.peer2.id and taken.thread_id != old_thread.id
    assert world.member.id in emulator.channels[taken.thread_id].thread_members


async def test_a_peer_command_without_the_role_gives_back_an_anonymous_conversation(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """In a relay the member's DMs would keep going to a thread the ex-peer can't see."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member, anonymous="yes")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    relay = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "picked up your request" in m.text)
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    refused = await (
        await emulator.run_command(world.peer, world.general, "duty status")
    ).response()
    assert refused.ephemeral and "for peer supporters" in refused.text
    assert "(#1) are back in the queue" in refused.text, refused.text
    assert (await kindred.services.peers.requests.get(1)).status == "open"
    await emulator.wait_for_message(dm, predicate=lambda m: "back in the queue" in m.text)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text
    await emulator.wait_until(lambda: relay.archived, what="the relay thread to be closed off")
    # the member's DMs no longer go to the ex-peer's relay thread
    route = await kindred.services.peers.requests.route_dm(world.member.id, "still there?")
    assert route.relay_to is None


async def test_not_set_up_is_explained(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    answer = await (await emulator.run_command(world.member, world.general, "support")).response()
    assert answer.ephemeral
    assert "isn't set up" in answer.text and "/crisis" in answer.text


async def test_anonymous_relay_never_shows_the_member_to_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="private matter", anonymous="yes")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    assert "Anonymous member" in card.text
    claim = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    await claim.original_response()
    request = await kindred.services.peers.requests.get(1)
    relay = emulator.channels[request.thread_id]
    assert world.member.id not in relay.thread_members
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "picked up your request" in m.text)
    await emulator.send_dm(world.member, "hi, it's hard to say this")
    forwarded = await emulator.wait_for_message(relay, predicate=lambda m: "hard to say" in m.text)
    assert "Anonymous member" in forwarded.text
    await emulator.send_message(world.peer, relay, "take your time")
    back = await emulator.wait_for_message(dm, predicate=lambda m: "take your time" in m.text)
    assert back.text.startswith("**Peer:**")
    member_id = str(world.member.id)
    seen_by_peer = [m for c in (world.peers, relay) for m in emulator.messages_in(c)]
    for message in seen_by_peer:
        assert member_id not in message.text, message.text
        assert member_id not in str(message.components)


async def test_a_relayed_peer_message_is_labelled_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """In an anonymous DM relay each of the peer's messages reaches a Portuguese member
    labelled in Portuguese ("**Equipe de apoio:** olá, estou aqui"), like every other DM of
    the conversation (picked up, Encerrar, the feedback question), never "**Peer:**"; the
    peer's words themselves are never translated, and the thread the peer reads stays
    English."""
    await setup_peers(emulator, world)
    await portuguese(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support", locale=PT)
    assert (await opened.response()).is_modal
    fields = {"topic": "semana difícil", "summary": "", "tags": "", "anonymous": "yes"}
    await (await opened.submit_modal(fields)).answer()
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    dm = emulator.dm_channel(world.member)
    picked = await emulator.wait_for_message(dm, predicate=lambda m: "#1" in m.text)
    assert picked.text.startswith("Alguém da equipe de apoio aceitou"), picked.text
    relay = emulator.channel((await kindred.services.peers.requests.get(1)).thread_id)
    await emulator.send_message(world.peer, relay, "olá, estou aqui")
    got = await emulator.wait_for_message(dm, predicate=lambda m: "estou aqui" in m.text)
    assert "Peer:" not in got.text, got.text
    assert got.text == "**Equipe de apoio:** olá, estou aqui", got.text
    await emulator.send_dm(world.member, "obrigado")
    forwarded = await emulator.wait_for_message(relay, predicate=lambda m: "obrigado" in m.text)
    assert "Anonymous member" in forwarded.text, forwarded.text


async def test_a_request_made_in_german_is_picked_up_in_german(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member whose Discord app is in German (no ``/language set``) reads the form and its
    answer in German, and the request keeps that language for its DMs: picked up (its
    Close / transcript buttons), the "**Unterstützungsteam:**" label on the peer's words,
    the transcript and the feedback question (from outside probe 16: they were English)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support", locale="de")
    assert (await opened.response()).is_modal
    fields = {"topic": "schwere Woche", "summary": "", "tags": "", "anonymous": "yes"}
    answer = await (await opened.submit_modal(fields)).response()
    assert answer.text.startswith("Deine Anfrage #1 ist angekommen"), answer.text
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    dm = emulator.dm_channel(world.member)
    picked = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:req:close:1" in m.custom_ids
    )
    assert "#1" in picked.text
    assert "peer supporter has picked up" not in picked.text, picked.text
    assert picked.text == (
        "Jemand aus dem Unterstützungsteam hat deine Anfrage #1 übernommen. Antworte einfach "
        "hier: Ich gebe deine Nachrichten ohne deinen Namen weiter. Schließ das Gespräch, "
        "wann immer du möchtest."
    ), picked.text
    labels = [picked.find_component(c)["label"] for c in picked.custom_ids]
    assert labels == ["Schließen", "Schick mir ein Protokoll"], labels

    wants = emulator.press_button(world.member, picked, "kindred:req:transcript:1", locale="de")
    assert (await (await wants).response()).ephemeral
    relay = emulator.channel((await kindred.services.peers.requests.get(1)).thread_id)
    await emulator.send_message(world.peer, relay, "hallo, ich bin da")
    got = await emulator.wait_for_message(dm, predicate=lambda m: "ich bin da" in m.text)
    assert got.text == "**Unterstützungsteam:** hallo, ich bin da", got.text
    await emulator.send_dm(world.member, "danke dir")
    await emulator.wait_for_message(relay, predicate=lambda m: "danke dir" in m.text)

    closed = await (
        await emulator.press_button(world.member, picked, "kindred:req:close:1", locale="de")
    ).answer()
    assert closed.text == "Geschlossen. Danke, dass du dich gemeldet hast und hier bist.", (
        closed.text
    )
    transcript = await emulator.wait_for_message(dm, predicate=lambda m: "Anfrage #1:" in m.text)
    assert transcript.text.startswith("Dein Protokoll der Anfrage #1:"), transcript.text
    assert "hallo, ich bin da" in transcript.text and "Peer:" not in transcript.text, (
        transcript.text
    )
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids
    )
    assert question.text.startswith(
        "Dein Unterstützungsgespräch ist geschlossen. Hat es geholfen?"
    ), question.text
    labels = [question.find_component(c)["label"] for c in question.custom_ids]
    assert labels == ["Es hat geholfen", "Etwas", "Nicht wirklich"], labels


async def test_a_member_who_writes_before_a_peer_claims_their_anonymous_request_is_told_so(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nobody can read the member's DMs before a peer is connected: Kindred says so at once,
    with their place in the queue, and that they should write again; as it says, those words
    are not carried to the peer later (what they write once connected is)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, anonymous="yes")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    dm = emulator.dm_channel(world.member)
    await emulator.send_dm(world.member, "hello? is anyone there")
    note = await emulator.wait_for_message(
        dm, predicate=lambda m: "No peer has picked up your request #1 yet" in m.text
    )
    assert "number 1 in the queue" in note.text
    assert "please write again once they are" in note.text
    assert "/crisis" in note.text

    await press_claim(emulator, world.peer, card, 1)
    request = await kindred.services.peers.requests.get(1)
    relay = emulator.channels[request.thread_id]
    await emulator.wait_for_message(dm, predicate=lambda m: "picked up your request" in m.text)
    await emulator.send_dm(world.member, "it's me again, thanks for coming")
    await emulator.wait_for_message(relay, predicate=lambda m: "it's me again" in m.text)
    assert not [m for m in emulator.messages_in(relay) if "anyone there" in m.text]


async def stored_anywhere(kindred: Kindred, words: str) -> list[str]:
    """The tables whose rows hold ``words`` anywhere."""
    db = kindred.services.db
    return [
        table
        for table in await db.tables()
        if any(words in str(tuple(row)) for row in await db.fetchall(f"SELECT * FROM {table}"))
    ]


async def test_a_member_whose_request_waits_is_told_so_once_every_ten_minutes_and_nothing_is_kept(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The note doesn't follow every DM: once per request, then again ten minutes later if
    they are still writing; none of what they wrote is stored."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        await setup_peers(emulator, world)
        await go_on_duty(emulator, world, world.peer)
        await ask(emulator, world, world.member, anonymous="yes")
        await emulator.wait_for_message(
            world.peers, predicate=lambda m: "Support request #1" in m.text
        )
        dm = emulator.dm_channel(world.member)
        written = ["hello? is anyone there", "it's been a hard day", "my sister's name is Ruth"]
        for text in written:
            await emulator.send_dm(world.member, text)
        await emulator.wait_for_message(
            dm, predicate=lambda m: "No peer has picked up your request #1 yet" in m.text, since=0
        )
        assert await kindred.quiet()
        notes = [m for m in emulator.bot_messages(dm) if "No peer has picked up" in m.text]
        assert len(notes) == 1, [m.text for m in notes]

        clock.shift(timedelta(minutes=11))
        await emulator.send_dm(world.member, "still nobody? Ruth says hi")
        await emulator.wait_for_messages(
            2,
            dm,
            predicate=lambda m: "No peer has picked up your request #1 yet" in m.text,
            since=0,
        )
        assert await kindred.quiet()
        for text in [*written, "Ruth"]:
            assert await stored_anywhere(kindred, text) == [], text


async def relayed_conversation(emu: DiscordEmulator, world: World, kindred: Kindred):
    """An anonymous request claimed by ``world.peer``: (the relay thread, the member's DMs)."""
    await setup_peers(emu, world)
    await go_on_duty(emu, world, world.peer)
    await ask(emu, world, world.member, anonymous="yes")
    await press_claim(
        emu,
        world.peer,
        await emu.wait_for_message(world.peers, predicate=lambda m: "Support request #1" in m.text),
        1,
    )
    request = await kindred.services.peers.requests.get(1)
    dm = emu.dm_channel(world.member)
    await emu.wait_for_message(dm, predicate=lambda m: "picked up your request" in m.text)
    return emu.channels[request.thread_id], dm


async def test_a_long_relayed_member_message_reaches_the_peer_whole(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, _ = await relayed_conversation(emulator, world, kindred)
    long_text = ("I have been struggling a lot lately. " * 60)[:1990] + " THE END"
    await emulator.send_dm(world.member, long_text)
    await emulator.wait_for_message(relay, predicate=lambda m: "THE END" in m.text)
    label = "**Anonymous member (request #1):** "
    # each part says whose words it is
    parts = [m for m in emulator.bot_messages(relay) if m.text.startswith(label)]
    assert len(parts) == 2, [p.text for p in parts]
    sent = [
        c.json
        for c in emulator.calls_matching("POST", "/channels/{channel_id}/messages")
        if c.path.endswith(f"/channels/{relay.id}/messages") and label in c.json["content"]
    ]
    assert len(sent) == 2 and all(j["allowed_mentions"]["parse"] == [] for j in sent)
    assert all(not j["allowed_mentions"].get("users") for j in sent)  # pings nobody
    words = " ".join(p.text.removeprefix(label) for p in parts)
    assert words.split() == long_text.split(), "some of the member's words were lost"
    assert str(world.member.id) not in " ".join(p.text for p in parts)


async def test_a_long_relayed_peer_message_reaches_the_member_whole(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    relay, dm = await relayed_conversation(emulator, world, kindred)
    long_text = ("You are not alone in this, and it makes sense. " * 50)[:1990] + " TAKE CARE"
    await emulator.send_message(world.peer, relay, long_text)
    await emulator.wait_for_message(dm, predicate=lambda m: "TAKE CARE" in m.text)
    parts = [m for m in emulator.bot_messages(dm) if m.text.startswith("**Peer:** ")]
    assert len(parts) == 2, [p.text for p in parts]
    words = " ".join(p.text.removeprefix("**Peer:** ") for p in parts)
    assert words.split() == long_text.split(), "some of the peer's words were lost"


async def send_with_file(emu: DiscordEmulator, user, channel, content: str = "") -> Message:
    """``user`` posts a picture (with optional words) in ``channel``: as Discord's client."""
    ch = emu.channel(channel)
    emu._mark_action()
    picture = Attachment(
        id=emu.new_id(), filename="drawing.png", data=b"\x89PNG" + b"0" * 64,
        content_type="image/png",
    )  # fmt: skip
    message = emu._build_message(ch, emu.user(user), {"content": content, "embeds": []}, [picture])
    return emu._store_message(message)


WORDS_ONLY = "I pass only words on"


async def test_a_picture_the_member_sends_in_the_relay_is_not_lost_without_a_word(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member's DM with only a picture in a relayed conversation is not passed on (a file
    can name them or show where a photo was taken; only words are relayed), but never in
    silence: the member is told privately, in reply to it, so they don't believe their peer
    saw it, and what to do instead."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before_dm = len(emulator.bot_messages(dm))
    before_relay = len(emulator.bot_messages(relay))
    sent = await send_with_file(emulator, world.member, dm)
    await kindred.quiet()
    told_member = emulator.bot_messages(dm)[before_dm:]
    told_peer = emulator.bot_messages(relay)[before_relay:]
    assert told_member or told_peer, "the member's picture vanished and nobody was told"
    assert [m.text for m in told_member] == [relay_words_only_text()]
    assert told_member[0].message_reference["message_id"] == str(sent.id)
    assert not told_peer and not any(m.attachments for m in emulator.bot_messages(relay))


async def test_a_members_words_with_a_picture_reach_the_peer_and_the_member_is_told(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Told in their language (Portuguese, chosen with /language set)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await portuguese(emulator, world)
    before_dm = len(emulator.bot_messages(dm))
    await send_with_file(emulator, world.member, dm, "this is what I drew last night")
    await emulator.wait_for_message(relay, predicate=lambda m: "what I drew" in m.text)
    await kindred.quiet()
    told = emulator.bot_messages(dm)[before_dm:]
    assert relay_words_only_text("pt") != relay_words_only_text()
    assert [m.text for m in told] == [relay_words_only_text("pt")]
    assert not any(m.attachments for m in emulator.bot_messages(relay))


async def test_a_peers_file_with_words_sends_the_words_and_tells_the_peer_in_the_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The peer's words reach the member; the file doesn't (only words are relayed), and the
    peer is told so in their relay thread, in reply to that message: nothing lost in
    silence."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before_relay = len(emulator.bot_messages(relay))
    sent = await send_with_file(emulator, world.peer, relay, "here's a grounding exercise")
    await emulator.wait_for_message(dm, predicate=lambda m: "grounding exercise" in m.text)
    await kindred.quiet()
    notes = emulator.bot_messages(relay)[before_relay:]
    assert len(notes) == 1 and WORDS_ONLY in notes[0].text, [m.text for m in notes]
    assert notes[0].message_reference["message_id"] == str(sent.id)
    assert not any(m.attachments for m in emulator.bot_messages(dm))
    assert not any(WORDS_ONLY in m.text for m in emulator.bot_messages(dm))


async def test_a_spoiler_in_a_long_relayed_message_stays_hidden_in_every_part(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A peer's long message (over Discord's 2,000 characters once labelled) holds a
    content-noted passage behind spoiler tags: cut at a space inside it, the first part would
    end with an unmatched `||` and the second start the hidden words bare, shown openly to a
    member who may not want to read them. Every part keeps its spoiler whole."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before = "I hear you, and what you wrote makes sense to me. " * 38
    hidden = (
        "||CW: what happened to me at that age, the details I said I'd share: "
        + ("it went on for years and nobody noticed. " * 8)
        + "||"
    )
    text = before + hidden + " ALL MY BEST"
    assert len(text) > 2000
    await emulator.send_message(world.peer, relay, text)
    await emulator.wait_for_message(dm, predicate=lambda m: "ALL MY BEST" in m.text)
    parts = [m.text for m in emulator.bot_messages(dm) if m.text.startswith("**Peer:** ")]
    assert len(parts) >= 2, parts
    assert all(len(part) <= 2000 for part in parts)
    assert all(part.count("||") % 2 == 0 for part in parts), [p[-200:] for p in parts]
    words = " ".join(p.removeprefix("**Peer:** ") for p in parts).replace("||", " ")
    assert words.split() == text.replace("||", " ").split(), "some of the words were lost"


async def test_a_code_block_in_a_long_relayed_member_message_stays_one_in_every_part(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member pastes a long block of text as code (to keep its lines as they are): cut in
    two, the second part would show its lines as ordinary text and the closing fence bare.
    Each part closes the block and the next opens it again."""
    relay, _ = await relayed_conversation(emulator, world, kindred)
    text = "what I wrote in my journal:\n```\n" + "today was heavy, again.\n" * 90 + "```\nEND"
    assert len(text) > 2000
    await emulator.send_dm(world.member, text)
    await emulator.wait_for_message(relay, predicate=lambda m: "END" in m.text)
    label = "**Anonymous member (request #1):** "
    parts = [m.text for m in emulator.bot_messages(relay) if m.text.startswith(label)]
    assert len(parts) >= 2, parts
    assert all(len(part) <= 2000 for part in parts)
    assert all(part.count("```") % 2 == 0 for part in parts), [p[-100:] for p in parts]
    words = " ".join(p.removeprefix(label) for p in parts).replace("```", " ")
    assert words.split() == text.replace("```", " ").split(), "some of the words were lost"


async def test_a_member_writing_after_a_moderator_deleted_the_relay_thread_is_told(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member's words must not vanish without a word: they are told their peer can't
    read them (and the request goes back to a peer), not left talking to nobody."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    emulator.delete_channel(relay)
    await emulator.gateway_idle()
    before = len(emulator.bot_messages(dm))
    await emulator.send_dm(world.member, "are you still there? i really need someone")
    await kindred.quiet()
    after = emulator.bot_messages(dm)[before:]
    assert after, "the member's words went nowhere and they were not told"


async def test_a_deleted_relay_thread_puts_the_request_back_in_the_queue_and_tells_everyone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator deletes the peer's relay thread: the request is open again in its place,
    the member and the peer who held it are told privately, the other on-duty peers pinged,
    and the next peer's new relay thread carries the member's words."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await go_on_duty(emulator, world, world.peer2)
    emulator.delete_channel(relay)
    told = await emulator.wait_for_message(dm, predicate=lambda m: "was removed" in m.text)
    assert "request #1" in told.text and "back in the queue" in told.text, told.text
    assert str(world.peer.id) not in told.text
    peer_told = await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "was deleted" in m.text
    )
    assert "request #1" in peer_told.text and "claim it again" in peer_told.text
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "conversation thread was deleted" in m.text
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open" and request.claimed_by is None
    assert await kindred.services.scheduler.get("request:1:escalate") is not None
    assert await kindred.services.scheduler.get("request:1:idle") is None
    card = card_for(emulator, world, 1)
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[card.id].custom_ids,
        what="the card to offer Claim again",
    )
    await press_claim(emulator, world.peer2, emulator.messages[card.id], 1)
    taken = await kindred.services.peers.requests.get(1)
    assert taken.claimed_by == world.peer2.id and taken.thread_id != relay.id
    await emulator.send_dm(world.member, "thank you for coming back")
    await emulator.wait_for_message(
        emulator.channels[taken.thread_id],
        predicate=lambda m: "thank you for coming back" in m.text,
    )
    await emulator.gateway_idle()
    assert len([m for m in emulator.bot_messages(dm) if "was removed" in m.text]) == 1


async def test_a_relay_thread_gone_unnoticed_tells_the_member_their_words_were_not_passed_on(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The thread vanished while Kindred missed the event (a restart, a dropped gateway): the
    member who writes is told their message was not passed on, that they still have it and
    what happens next; the request goes back to the queue and the peer is told."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    emulator.channels[relay.id].deleted = True  # no THREAD_DELETE: Kindred never heard
    before = len(emulator.bot_messages(dm))
    await emulator.send_dm(world.member, "hello? i'm still here")
    told = await emulator.wait_for_message(
        dm, predicate=lambda m: "couldn't pass your last message on" in m.text
    )
    assert "still here in our DMs" in told.text and "back in the queue" in told.text, told.text
    await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "request #1 was deleted" in m.text
    )
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open" and request.claimed_by is None
    await kindred.quiet()
    assert len(emulator.bot_messages(dm)[before:]) == 1, [
        m.text for m in emulator.bot_messages(dm)[before:]
    ]


async def test_discord_failing_for_a_moment_on_the_relay_passes_the_words_on_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A 503 on the relay thread is Discord failing for a moment: the member's words wait in
    a stored retry (ids only) and reach the peer once; the member is not asked to resend."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before = len(emulator.bot_messages(dm))
    emulator.inject_fault("POST", f"/channels/{relay.id}/messages", status=503)
    await emulator.send_dm(world.member, "can you read this")
    await emulator.wait_for_message(
        relay, predicate=lambda m: "can you read this" in m.text, timeout=60
    )
    await kindred.quiet()
    assert len([m for m in emulator.bot_messages(relay) if "can you read this" in m.text]) == 1
    assert emulator.bot_messages(dm)[before:] == []  # not told to send it again
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "claimed" and request.claimed_by == world.peer.id
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is None


RELAYED_WORDS = ["first: how was today", "second: I'm here", "third: take your time"]


async def test_a_peers_relayed_words_reach_the_member_once_in_order_through_a_429_storm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord answers 429 to every DM for ~6 s (beyond discord.py's own retries): the peer's
    messages reach the member when it passes, once each and in order, and the peer is never
    told the member's DMs are closed (they are not)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    emulator.inject_fault(
        "POST", f"/channels/{dm.id}/messages", status=429, times=12, retry_after=0.5
    )
    for words in RELAYED_WORDS:
        await emulator.send_message(world.peer, relay, words)

    def got() -> list[str]:
        return [
            m.text.removeprefix("**Peer:** ")
            for m in emulator.bot_messages(dm)
            if m.text.startswith("**Peer:** ")
        ]

    await emulator.wait_until(
        lambda: len(got()) >= 3, what="the peer's three messages in the member's DMs", timeout=90
    )
    await kindred.quiet()
    assert got() == RELAYED_WORDS
    assert [m.text for m in emulator.bot_messages(relay) if "couldn't deliver" in m.text] == []
    assert await kindred.services.scheduler.get("request:1:relay_to_member") is None


async def test_a_members_relayed_words_reach_the_peer_once_in_order_through_a_429_storm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same storm on the relay thread: the member's DMs reach the peer once each and in
    order, and the member is not told to send anything again."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    before = len(emulator.bot_messages(dm))
    emulator.inject_fault(
        "POST", f"/channels/{relay.id}/messages", status=429, times=12, retry_after=0.5
    )
    for words in RELAYED_WORDS:
        await emulator.send_dm(world.member, words)
    label = "**Anonymous member (request #1):** "

    def got() -> list[str]:
        return [m.text.removeprefix(label) for m in emulator.bot_messages(relay) if label in m.text]

    await emulator.wait_until(
        lambda: len(got()) >= 3, what="the member's three messages in the relay thread", timeout=90
    )
    await kindred.quiet()
    assert got() == RELAYED_WORDS
    assert emulator.bot_messages(dm)[before:] == []  # nothing to resend
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is None


async def test_a_member_who_edits_a_relayed_message_has_the_correction_reach_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Outside probe 20: the member edits a DM already relayed (to correct or soften what
    they wrote): the peer's copy is edited to the new words, in place (no second copy), and
    the member is not sent anything."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "I see my therapist on Monday")
    await emulator.wait_for_message(relay, predicate=lambda m: "therapist on Monday" in m.text)
    before_dm = len(emulator.bot_messages(dm))
    before_relay = len(emulator.bot_messages(relay))
    await emulator.edit_message_as_user(sent, "I see my therapist on Friday")
    await emulator.wait_until(
        lambda: any("therapist on Friday" in m.text for m in emulator.bot_messages(relay)),
        what="the member's correction in the relay thread",
    )
    await kindred.quiet()
    peer_reads = " ".join(m.text for m in emulator.bot_messages(relay))
    told_member = emulator.bot_messages(dm)[before_dm:]
    assert "Friday" in peer_reads or told_member, "the edit reached nobody and nobody was told"
    assert "therapist on Monday" not in peer_reads  # the copy itself says the new words
    assert len(emulator.bot_messages(relay)) == before_relay
    assert emulator.bot_messages(relay)[-1].text == (
        "**Anonymous member (request #1):** I see my therapist on Friday"
    )
    assert told_member == []


async def test_a_peer_who_edits_a_relayed_message_has_the_members_copy_edited(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The other direction: the peer edits their words in the relay thread, and the copy in
    the member's DMs says the new words under the same label; an edit that changes nothing
    (a link's preview) edits nothing."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_message(world.peer, relay, "Shall we talk again on Tusday?")
    await emulator.wait_for_message(dm, predicate=lambda m: "Tusday" in m.text)
    before_dm = len(emulator.bot_messages(dm))
    await emulator.edit_message_as_user(sent, "Shall we talk again on Tuesday?")
    await emulator.wait_until(
        lambda: any("on Tuesday?" in m.text for m in emulator.bot_messages(dm)),
        what="the peer's correction in the member's DMs",
    )
    await kindred.quiet()
    assert len(emulator.bot_messages(dm)) == before_dm
    assert emulator.bot_messages(dm)[-1].text == "**Peer:** Shall we talk again on Tuesday?"
    edits = len(emulator.calls_matching("PATCH", "/channels/{channel_id}/messages/{message_id}"))
    await emulator.unfurl_embeds(sent, [{"type": "link", "url": "https://example.org"}])
    await kindred.quiet()
    assert (
        len(emulator.calls_matching("PATCH", "/channels/{channel_id}/messages/{message_id}"))
        == edits
    )


async def test_a_peer_who_deletes_a_message_sent_in_the_wrong_thread_has_it_withdrawn(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Outside probe 20: a peer holding two conversations writes in the wrong relay thread
    (words about another member) and deletes it at once: the copy Kindred already DMed to
    this member is deleted too, and nothing else is said to anyone."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_message(
        world.peer, relay, "Sam, did your mum's hospital appointment go okay?"
    )
    await emulator.wait_for_message(dm, predicate=lambda m: "hospital appointment" in m.text)
    before_relay = len(emulator.bot_messages(relay))
    await emulator.delete_message_as_user(sent)
    await emulator.wait_until(
        lambda: not any("hospital appointment" in m.text for m in emulator.bot_messages(dm)),
        what="the copy withdrawn from the member's DMs",
    )
    await kindred.quiet()
    still = [m for m in emulator.bot_messages(dm) if "hospital appointment" in m.text]
    told_peer = emulator.bot_messages(relay)[before_relay:]
    assert still == [], "the deleted words stay with the wrong member"
    assert told_peer == [], "a withdrawn copy needs no word to the peer"


async def test_a_deleted_relayed_message_leaves_the_transcript_and_an_edit_changes_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member asked for a transcript; a peer writes about another member in the wrong
    relay thread and deletes it: the copy went, but the transcript kept its words and DMed
    them to this member at the close. A deleted message's line goes too, and an edited
    message's line says the new words (the member's own as well as the peer's)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    picked = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:req:transcript:1" in m.custom_ids
    )
    wants = await emulator.press_button(world.member, picked, "kindred:req:transcript:1")
    assert (await wants.response()).ephemeral
    wrong = await emulator.send_message(
        world.peer, relay, "Sam, did your mum's hospital appointment go okay?"
    )
    await emulator.wait_for_message(dm, predicate=lambda m: "hospital appointment" in m.text)
    typo = await emulator.send_message(world.peer, relay, "Shall we talk again on Tusday?")
    await emulator.wait_for_message(dm, predicate=lambda m: "Tusday" in m.text)
    mine = await emulator.send_dm(world.member, "I see my therapist on Monday")
    await emulator.wait_for_message(relay, predicate=lambda m: "therapist on Monday" in m.text)
    await emulator.delete_message_as_user(wrong)
    await emulator.edit_message_as_user(typo, "Shall we talk again on Tuesday?")
    await emulator.edit_message_as_user(mine, "I see my therapist on Friday")
    await emulator.wait_until(
        lambda: (
            not any("hospital appointment" in m.text for m in emulator.bot_messages(dm))
            and any("on Tuesday?" in m.text for m in emulator.bot_messages(dm))
            and any("therapist on Friday" in m.text for m in emulator.bot_messages(relay))
        ),
        what="the deletion and both edits passed on",
    )
    await kindred.quiet()
    await (await emulator.press_button(world.member, picked, "kindred:req:close:1")).answer()
    transcript = await emulator.wait_for_message(
        dm, predicate=lambda m: "Your transcript of request #1:" in m.text
    )
    assert "hospital appointment" not in transcript.text, transcript.text
    assert "Shall we talk again on Tuesday?" in transcript.text, transcript.text
    assert "Tusday" not in transcript.text, transcript.text
    assert "I see my therapist on Friday" in transcript.text, transcript.text
    assert "therapist on Monday" not in transcript.text, transcript.text


async def test_a_member_who_deletes_a_relayed_dm_has_it_withdrawn_from_the_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member deletes a DM they regret: its copy in the peer's relay thread goes too."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "something I wish I hadn't said")
    await emulator.wait_for_message(relay, predicate=lambda m: "wish I hadn't" in m.text)
    before_dm = len(emulator.bot_messages(dm))
    await emulator.delete_message_as_user(sent)
    await emulator.wait_until(
        lambda: not any("wish I hadn't" in m.text for m in emulator.bot_messages(relay)),
        what="the copy withdrawn from the relay thread",
    )
    await kindred.quiet()
    assert emulator.bot_messages(dm)[before_dm:] == []


async def test_a_copy_discord_refuses_to_delete_is_said_to_stay_with_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord refuses to delete the member's copy (403): the peer is told in their relay
    thread, as a note, that the member already has it."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_message(world.peer, relay, "words for someone else")
    copy = await emulator.wait_for_message(dm, predicate=lambda m: "someone else" in m.text)
    emulator.inject_fault("DELETE", f"/channels/{dm.id}/messages/{copy.id}", status=403, times=None)
    await emulator.delete_message_as_user(sent)
    await emulator.wait_for_message(
        relay, predicate=lambda m: "I couldn't take that message back" in m.text
    )
    assert any("someone else" in m.text for m in emulator.bot_messages(dm))


async def test_a_copy_discord_refuses_to_edit_gets_the_correction_marked_as_an_edit(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord refuses to edit the member's copy of the peer's words: the correction goes as
    a new message marked as an edit, its label in the member's language."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.services.safety.set_language(world.member.id, "es")
    sent = await emulator.send_message(world.peer, relay, "See you on Monday")
    copy = await emulator.wait_for_message(dm, predicate=lambda m: "on Monday" in m.text)
    emulator.inject_fault("PATCH", f"/channels/{dm.id}/messages/{copy.id}", status=403, times=None)
    await emulator.edit_message_as_user(sent, "See you on Friday")
    correction = await emulator.wait_for_message(dm, predicate=lambda m: "on Friday" in m.text)
    assert correction.text == "**Compañero de apoyo (editado):** See you on Friday"


async def test_a_member_whose_deleted_dm_stays_in_the_thread_is_told_in_their_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord refuses to delete the copy of the member's DM in the relay thread: the member
    is told privately, in their language, that their peer already has it."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.services.safety.set_language(world.member.id, "es")
    sent = await emulator.send_dm(world.member, "forget I said that")
    copy = await emulator.wait_for_message(relay, predicate=lambda m: "forget I said" in m.text)
    route = f"/channels/{relay.id}/messages/{copy.id}"
    emulator.inject_fault("DELETE", route, status=403, times=None)
    await emulator.delete_message_as_user(sent)
    note = await emulator.wait_for_message(dm, predicate=lambda m: "ya lo tiene" in m.text)
    assert note.text == (
        "No he podido retirar el mensaje que borraste: la persona del equipo de apoyo ya lo tiene."
    )


LONG_WORDS = ("I keep thinking about what happened at work. " * 50)[:1990]


async def test_a_dm_edited_longer_leaves_no_copy_in_the_thread_after_forgetme(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member edits a relayed DM into one that takes two parts in the thread: the extra
    part is recorded as every copy of their words is, so /forgetme deletes it too."""
    from tests.e2e.test_core import forget

    relay, _dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "short at first")
    await emulator.wait_for_message(relay, predicate=lambda m: "short at first" in m.text)
    await emulator.edit_message_as_user(sent, LONG_WORDS + " THE END")
    await emulator.wait_for_message(relay, predicate=lambda m: "THE END" in m.text)
    await kindred.quiet()
    await forget(emulator, world.member, world.general)
    await emulator.wait_for_message(relay, predicate=lambda m: "closed" in m.text, since=0)
    await kindred.quiet()
    left = [
        m.text[:60]
        for m in emulator.messages_in(relay)
        if ("work" in m.text or "THE END" in m.text) and not m.deleted
    ]
    assert left == [], "the member's edited words are still in the relay thread after /forgetme"


async def test_a_correction_the_member_forgets_is_deleted_from_the_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord won't edit the thread's copy, so the member's correction goes as a new message
    marked as edited: /forgetme deletes it as it deletes the copy."""
    from tests.e2e.test_core import forget

    relay, _dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "my sister Ana said that")
    copy = await emulator.wait_for_message(relay, predicate=lambda m: "sister Ana" in m.text)
    emulator.inject_fault("PATCH", f"/channels/{relay.id}/messages/{copy.id}", status=403)
    await emulator.edit_message_as_user(sent, "my sister Ana said it twice")
    await emulator.wait_for_message(relay, predicate=lambda m: "(edited):** my sister" in m.text)
    await kindred.quiet()
    await forget(emulator, world.member, world.general)
    await emulator.wait_for_message(relay, predicate=lambda m: "closed" in m.text, since=0)
    await kindred.quiet()
    left = [m.text for m in emulator.messages_in(relay) if "Ana" in m.text and not m.deleted]
    assert left == [], "the member's correction is still in the relay thread after /forgetme"


async def test_a_peers_correction_in_the_members_dms_is_withdrawn_with_the_message(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The peer's correction, sent as a new DM because the copy couldn't be edited, is one of
    the copies of their message: recorded where a reply to it is routed, and when the peer
    deletes the message the correction goes too."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_message(world.peer, relay, "Sam, how was the hospital?")
    copy = await emulator.wait_for_message(dm, predicate=lambda m: "hospital" in m.text)
    emulator.inject_fault("PATCH", f"/channels/{dm.id}/messages/{copy.id}", status=403)
    await emulator.edit_message_as_user(sent, "Sam, how was the hospital visit?")
    correction = await emulator.wait_for_message(dm, predicate=lambda m: "visit?" in m.text)
    await kindred.quiet()
    assert await kindred.services.db.fetchval(
        "SELECT COUNT(*) FROM relay_copies WHERE message_id = ?", (correction.id,)
    )
    await emulator.delete_message_as_user(sent)
    await emulator.wait_until(
        lambda: emulator.messages[correction.id].deleted, what="the correction withdrawn"
    )
    await kindred.quiet()
    assert [m.text for m in emulator.bot_messages(dm) if "hospital" in m.text] == []


async def test_a_dm_edited_after_the_conversation_closed_changes_nothing_in_the_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The conversation is closed: the member's edit of a DM relayed before no longer
    travels (no edit of the copy, no correction in the closed thread)."""
    relay, _dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "see you Monday")
    copy = await emulator.wait_for_message(relay, predicate=lambda m: "see you Monday" in m.text)
    card = card_for(emulator, world, 1)
    await (
        await emulator.press_button(world.peer, emulator.messages[card.id], "kindred:req:close:1")
    ).answer()
    await kindred.quiet()
    await emulator.edit_message_as_user(sent, "see you Tuesday")
    await kindred.quiet()
    assert emulator.messages[copy.id].text.endswith("see you Monday")
    assert not any("Tuesday" in m.text for m in emulator.messages_in(relay))


async def test_a_dm_edited_after_the_conversation_moved_changes_nothing_in_the_old_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The relay thread was deleted and the request went back to the queue: an edit of a DM
    relayed there goes nowhere (the old thread is not the conversation any more)."""
    relay, _dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, "before it moved")
    await emulator.wait_for_message(relay, predicate=lambda m: "before it moved" in m.text)
    emulator.delete_channel(relay)
    await emulator.wait_for_message(
        world.peers, predicate=lambda m: "is back in the queue" in m.text
    )
    await kindred.quiet()
    posts = len(emulator.calls_matching("POST", "/channels/{channel_id}/messages"))
    edits = len(emulator.calls_matching("PATCH", "/channels/{channel_id}/messages/{message_id}"))
    await emulator.edit_message_as_user(sent, "after it moved")
    await kindred.quiet()
    assert len(emulator.calls_matching("POST", "/channels/{channel_id}/messages")) == posts
    assert (
        len(emulator.calls_matching("PATCH", "/channels/{channel_id}/messages/{message_id}"))
        == edits
    )


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_a_copy_discord_fails_to_delete_for_a_moment_is_deleted_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails (503) to delete the thread's copy of a DM the member deleted: the copy
    is kept on record and deleted later by a stored retry (ids only)."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        relay, _dm = await relayed_conversation(emulator, world, kindred)
        sent = await emulator.send_dm(world.member, "please take this back")
        copy = await emulator.wait_for_message(relay, predicate=lambda m: "take this" in m.text)
        route = f"/channels/{relay.id}/messages/{copy.id}"
        fault = emulator.inject_fault("DELETE", route, status=503, times=None)
        await emulator.delete_message_as_user(sent)
        await emulator.wait_until(lambda: fault.hits >= 1, what="the copy's deletion to fail")
        await kindred.quiet()
        stored = [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "request.copy_withdraw"
        ]
        assert [t.payload["copy_id"] for t in stored] == [copy.id]
        assert str(world.member.id) not in str(stored[0].payload)
        assert not emulator.messages[copy.id].deleted
        emulator.clear_faults()
        clock.shift(timedelta(minutes=2))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[copy.id].deleted
        assert await kindred.services.db.fetchval("SELECT COUNT(*) FROM relay_copy_sources") == 0


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_an_edit_discord_fails_for_a_moment_sends_no_duplicate(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails (503) to edit the member's copy of the peer's words: no second copy of
    the whole message is sent (the correction is only for a copy Discord won't ever edit)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_message(world.peer, relay, "Talk on Monday?")
    copy = await emulator.wait_for_message(dm, predicate=lambda m: "on Monday" in m.text)
    route = f"/channels/{dm.id}/messages/{copy.id}"
    fault = emulator.inject_fault("PATCH", route, status=503, times=None)
    before = len(emulator.bot_messages(dm))
    await emulator.edit_message_as_user(sent, "Talk on Friday?")
    await kindred.quiet()
    assert fault.hits >= 1  # Discord failed the edit
    assert emulator.bot_messages(dm)[before:] == []


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_an_edit_discord_fails_for_a_moment_reaches_the_copy_later(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord fails (503) to edit the member's copy of the peer's words: the copy kept the
    old words and nothing tried again. A stored retry (ids only, never the words) edits it
    later, to the words the message has then, in place; once the conversation closed, a
    retry sends nothing."""
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        relay, dm = await relayed_conversation(emulator, world, kindred)
        sent = await emulator.send_message(world.peer, relay, "Talk on Monday?")
        copy = await emulator.wait_for_message(dm, predicate=lambda m: "on Monday" in m.text)
        fault = emulator.inject_fault(
            "PATCH", f"/channels/{dm.id}/messages/{copy.id}", status=503, times=None
        )
        before = len(emulator.bot_messages(dm))
        await emulator.edit_message_as_user(sent, "Talk on Tuesday?")
        await emulator.wait_until(lambda: fault.hits >= 1, what="the copy's edit to fail")
        await kindred.quiet()
        stored = [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "request.copy_edit"
        ]
        assert len(stored) == 1, stored
        assert "Tuesday" not in str(stored[0].payload) and "Talk" not in str(stored[0].payload)
        assert str(world.member.id) not in str(stored[0].payload)
        assert "on Monday" in emulator.messages[copy.id].text
        await emulator.edit_message_as_user(sent, "Talk on Friday?")  # fails too: one retry
        await emulator.wait_until(lambda: fault.hits >= 2, what="the second edit to fail")
        await kindred.quiet()
        assert (
            len(
                [
                    t
                    for t in await kindred.services.scheduler.timers.all()
                    if t.kind == stored[0].kind
                ]
            )
            == 1
        )
        emulator.clear_faults()
        clock.shift(timedelta(minutes=2))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[copy.id].text.endswith("Talk on Friday?"), emulator.messages[
            copy.id
        ].text
        assert emulator.bot_messages(dm)[before:] == []  # in place: no second copy
        assert not [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "request.copy_edit"
        ]

        # the conversation closes before the retry: nothing reaches the member's DMs
        later = await emulator.send_message(world.peer, relay, "See you soon")
        kept = await emulator.wait_for_message(dm, predicate=lambda m: "See you soon" in m.text)
        emulator.inject_fault(
            "PATCH", f"/channels/{dm.id}/messages/{kept.id}", status=503, times=None
        )
        await emulator.edit_message_as_user(later, "See you tomorrow")
        await kindred.quiet()
        assert [
            t
            for t in await kindred.services.scheduler.timers.all()
            if t.kind == "request.copy_edit"
        ]
        card = card_for(emulator, world, 1)
        await (
            await emulator.press_button(
                world.peer, emulator.messages[card.id], "kindred:req:close:1"
            )
        ).answer()
        await kindred.quiet()
        emulator.clear_faults()
        clock.shift(timedelta(minutes=2))
        await kindred.settle()
        await kindred.quiet()
        assert emulator.messages[kept.id].text.endswith("See you soon")
        assert not any("tomorrow" in m.text for m in emulator.messages_in(dm))


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_an_edit_whose_surplus_copy_fails_to_go_sends_no_duplicate(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A long DM edited short: its first copy says the new words; Discord failing (503) to
    delete the second sends no correction (nothing was wrong with the edit)."""
    relay, _dm = await relayed_conversation(emulator, world, kindred)
    sent = await emulator.send_dm(world.member, LONG_WORDS + " THE END")
    last = await emulator.wait_for_message(relay, predicate=lambda m: "THE END" in m.text)
    fault = emulator.inject_fault(
        "DELETE", f"/channels/{relay.id}/messages/{last.id}", status=503, times=None
    )
    before = len(emulator.bot_messages(relay))
    await emulator.edit_message_as_user(sent, "never mind, it's fine")
    await kindred.quiet()
    assert fault.hits >= 1  # Discord failed the surplus copy's deletion
    assert len(emulator.bot_messages(relay)) == before  # no correction
    assert any(m.text.endswith("never mind, it's fine") for m in emulator.bot_messages(relay))


@pytest.mark.usefixtures("quick_discord_backoff")
async def test_editing_a_message_only_partly_delivered_duplicates_no_part(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A long DM's first part reached the thread and the rest waits for Discord (a stored
    retry); the member edits it meanwhile: the copy sent is edited and the retry sends the
    rest of the new words, once (the edit sends no extra part of its own)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    posts = f"/channels/{relay.id}/messages"
    emulator.inject_fault("POST", posts, times=1)  # the first part goes through
    refused = emulator.inject_fault("POST", posts, status=503, times=None)
    sent = await emulator.send_dm(world.member, LONG_WORDS + " OLD END")
    # the retry can't read the DM again for a while (the live relay doesn't need to)
    reading = emulator.inject_fault(
        "GET", f"/channels/{dm.id}/messages/{sent.id}", status=503, times=None
    )
    await kindred.quiet()
    assert refused.hits >= 1  # the second part was refused
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is not None
    emulator.faults.remove(refused)  # Discord takes posts again
    new_words = ("Actually it was about my family, not work. " * 50)[:1990] + " NEW END"
    await emulator.edit_message_as_user(sent, new_words)
    await emulator.wait_until(
        lambda: any("my family" in m.text for m in emulator.bot_messages(relay)),
        what="the first part edited",
    )
    await kindred.quiet()
    emulator.faults.remove(reading)
    async with asyncio.timeout(90):  # generously, until the stored retry has done its work
        while await kindred.services.scheduler.get("request:1:relay_to_peer") is not None:
            await asyncio.sleep(0.05)
    await kindred.quiet()
    label = "**Anonymous member (request #1):** "
    parts = [m.text for m in emulator.bot_messages(relay) if m.text.startswith(label)]
    assert len(parts) == 2, [p[-20:] for p in parts]
    assert " ".join(p.removeprefix(label) for p in parts).split() == new_words.split()


async def test_a_members_words_still_waiting_when_the_conversation_ends_are_reported_honestly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord refuses the relay thread (503) until the peer has closed the request: the
    member's waiting words are not carried into a closed conversation, and the member is
    told in their language, in reply to that message, that it didn't reach their peer."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.services.safety.set_language(world.member.id, "es")
    emulator.inject_fault("POST", f"/channels/{relay.id}/messages", status=503, times=None)
    sent = await emulator.send_dm(world.member, "one more thing before you go")
    await kindred.quiet()
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is not None  # waits
    card = card_for(emulator, world, 1)
    await (
        await emulator.press_button(world.peer, emulator.messages[card.id], "kindred:req:close:1")
    ).answer()
    emulator.clear_faults()
    told = await emulator.wait_for_message(
        dm, predicate=lambda m: m.text == relay_ended_text("es"), timeout=90
    )
    assert told.referenced_message_id == sent.id  # in reply to the words it concerns
    await kindred.quiet()
    assert not any("one more thing" in m.text for m in emulator.bot_messages(relay))
    assert await kindred.services.scheduler.get("request:1:relay_to_peer") is None


MEMBER_LABEL = "**Anonymous member (request #1):** "


async def caught_up(kindred: Kindred) -> None:
    """The start-up catch-up of relayed conversations is over and what it started is done."""
    await asyncio.wait_for(kindred.bot.get_cog("Support").wait_caught_up(), timeout=60)
    await kindred.quiet()


async def test_what_the_member_wrote_while_kindred_was_restarting_reaches_the_peer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred stops and starts during a relayed conversation; the member's DMs written
    meanwhile are in their DMs on Discord: Kindred reads them back once it is ready and the
    peer gets them, once each and in order (before: never, and nobody was told)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await emulator.send_dm(world.member, "before: hello")
    await emulator.wait_for_message(relay, predicate=lambda m: "before: hello" in m.text)
    await kindred.stop()
    await emulator.send_dm(world.member, "while you were away: I'm scared")
    await emulator.send_dm(world.member, "while you were away: still here")
    assert any("I'm scared" in m.text for m in emulator.messages_in(dm))  # it is on Discord
    await kindred.start()
    await emulator.wait_until(
        lambda: (
            any(
                "I'm scared" in m.text
                for m in emulator.bot_messages(relay)
                if MEMBER_LABEL in m.text
            )
            or any("couldn't pass" in m.text for m in emulator.bot_messages(dm))
        ),
        what="the DM written during the restart in the relay thread (or the member told)",
        timeout=60,
    )
    await caught_up(kindred)
    got = [
        m.text.removeprefix(MEMBER_LABEL)
        for m in emulator.bot_messages(relay)
        if m.text.startswith(MEMBER_LABEL)
    ]
    assert got == [
        "before: hello",
        "while you were away: I'm scared",
        "while you were away: still here",
    ]


async def test_more_missed_words_than_a_catch_up_carries_are_told_to_both_never_dropped(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member writes 53 DMs while Kindred is away; a catch-up carries 50 a direction. The
    first 50 reach the peer in order, and the 3 left are not dropped with a log line only:
    the member is told privately in their language how many could not be carried and that
    they may write again what matters, the peer in the relay thread (never the words)."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.services.safety.set_language(world.member.id, "es")
    await kindred.stop()
    written = [f"away {i}" for i in range(CATCH_UP_MAX + 3)]
    for words in written:
        await emulator.send_dm(world.member, words)
    await kindred.start()
    await caught_up(kindred)
    got = [
        m.text.removeprefix(MEMBER_LABEL)
        for m in emulator.bot_messages(relay)
        if m.text.startswith(MEMBER_LABEL)
    ]
    assert got == written[:CATCH_UP_MAX], got[-3:]
    told = [m.text for m in emulator.bot_messages(dm) if "Kindred" in m.text and "3" in m.text]
    assert told == [catch_up_lost_text(3, lang="es")], told
    assert "While Kindred was away" not in told[0]  # in Spanish
    assert not any("away 5" in t for t in told)  # counts, never words
    notes = [m.text for m in emulator.bot_messages(relay) if not m.text.startswith(MEMBER_LABEL)]
    lost = [n for n in notes if "could not" in n]
    assert lost == [
        "While Kindred was away, not all of the member's messages could be carried here: 3 "
        "could not. They have been told and may write again what matters."
    ], notes


async def test_a_catch_up_the_member_cannot_be_told_of_does_not_tell_the_peer_they_were(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Missed words a catch-up could not carry, and the member's DMs closed by the time
    Kindred is back: the peer's note in the relay thread says Kindred couldn't tell the
    member, never "They have been told"."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.stop()
    written = [f"away {i}" for i in range(CATCH_UP_MAX + 3)]
    for words in written:
        await emulator.send_dm(world.member, words)
    emulator.user_dms_open(world.member, False)
    await kindred.start()
    await caught_up(kindred)
    assert await kindred.quiet()
    assert not any("could not" in m.text for m in emulator.bot_messages(dm))  # not told
    notes = [m.text for m in emulator.bot_messages(relay) if not m.text.startswith(MEMBER_LABEL)]
    lost = [n for n in notes if "could not" in n]
    assert lost == [
        "While Kindred was away, not all of the member's messages could be carried here: 3 "
        "could not. Kindred couldn't tell them (their DMs may be closed), so you may want to "
        "ask them to write again what matters."
    ], notes


async def test_what_the_peer_wrote_while_kindred_was_restarting_reaches_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The other direction: the peer's words in the relay thread while Kindred was away
    reach the member after the start, in order."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.stop()
    for words in RELAYED_WORDS:
        await emulator.send_message(world.peer, relay, words)
    await kindred.start()
    await emulator.wait_for_message(
        dm, predicate=lambda m: m.text == "**Peer:** " + RELAYED_WORDS[-1], timeout=60
    )
    await caught_up(kindred)
    got = [
        m.text.removeprefix("**Peer:** ")
        for m in emulator.bot_messages(dm)
        if m.text.startswith("**Peer:** ")
    ]
    assert got == RELAYED_WORDS


async def test_a_restart_with_nothing_missed_relays_nothing_twice(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Everything was carried across before the restart: after it, nothing is sent again
    in either direction, and a DM written after the start still goes through once."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await emulator.send_dm(world.member, "member: thank you")
    await emulator.wait_for_message(relay, predicate=lambda m: "member: thank you" in m.text)
    await emulator.send_message(world.peer, relay, "peer: you're welcome")
    await emulator.wait_for_message(dm, predicate=lambda m: "peer: you're welcome" in m.text)
    await kindred.quiet()
    in_relay, in_dm = len(emulator.bot_messages(relay)), len(emulator.bot_messages(dm))
    await kindred.restart()
    await caught_up(kindred)
    assert len(emulator.bot_messages(relay)) == in_relay
    assert len(emulator.bot_messages(dm)) == in_dm
    await emulator.send_dm(world.member, "member: after the start")
    await emulator.wait_for_message(relay, predicate=lambda m: "after the start" in m.text)
    await kindred.quiet()
    assert [m.text for m in emulator.bot_messages(relay)[in_relay:]] == [
        MEMBER_LABEL + "member: after the start"
    ]


async def test_a_deleted_private_thread_goes_back_to_the_queue_and_the_member_reads_it_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The same for a private thread with the member: their DM in their language, the peer
    who held it may claim it again and opens a new thread with them."""
    await setup_peers(emulator, world)
    await kindred.services.safety.set_language(world.member.id, "es")
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    emulator.delete_channel(thread)
    spanish = conversation_gone_member_text(1, "es")
    assert spanish != conversation_gone_member_text(1, "en")
    await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: m.text == spanish
    )
    await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: "request #1 was deleted" in m.text
    )
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[card.id].custom_ids,
        what="the card to offer Claim again",
    )
    await press_claim(emulator, world.peer, emulator.messages[card.id], 1)
    taken = await kindred.services.peers.requests.get(1)
    assert taken.claimed_by == world.peer.id and taken.thread_id != thread.id
    assert world.member.id in emulator.channels[taken.thread_id].thread_members


async def test_a_deleted_thread_does_not_tell_the_peer_the_member_was_told_when_they_were_not(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member's DMs are closed when a moderator deletes the conversation's thread: the
    DM to the member is tried first, and the peer who held the request reads, in their
    language, that Kindred couldn't tell the member, never "the member has been told"."""
    relay, dm = await relayed_conversation(emulator, world, kindred)
    await kindred.services.safety.set_language(world.peer.id, "es")
    emulator.user_dms_open(world.member, False)
    before = len(emulator.bot_messages(dm))
    emulator.delete_channel(relay)
    expected = conversation_gone_peer_text(1, "es", told=False)
    assert expected != conversation_gone_peer_text(1, "en", told=False)
    assert expected != conversation_gone_peer_text(1, "es")
    await emulator.wait_for_message(
        emulator.dm_channel(world.peer), predicate=lambda m: m.text == expected
    )
    assert await kindred.quiet()
    assert len(emulator.bot_messages(dm)) == before  # the member could not be told
    peer_dms = [m.text for m in emulator.bot_messages(emulator.dm_channel(world.peer))]
    assert conversation_gone_peer_text(1, "es") not in peer_dms


async def test_a_peer_who_lost_the_role_and_writes_in_the_thread_gives_the_request_back(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Their message carries their roles, so the request goes back at once, before any timer.
    (An ex-peer can no longer write in a relay thread: it lives in the peers' channel.)"""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    await ask(emulator, world, world.member)
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    emulator.set_member_roles(world.guild, world.peer, [])
    await emulator.gateway_idle()
    await emulator.send_message(world.peer, thread, "sorry, I was away")
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "back in the queue" in m.text
    )
    assert "Another peer will pick it up" in told.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open" and request.claimed_by is None
    assert not await kindred.services.peers.duty.is_on_duty(world.guild.id, world.peer.id)
    ping = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "back in the queue" in m.text and not m.ephemeral
    )
    assert f"<@{world.peer2.id}>" in ping.text and f"<@{world.peer.id}>" not in ping.text
    await emulator.wait_until(
        lambda: thread.archived and world.peer.id not in thread.thread_members,
        what="the thread to be closed off",
    )


@pytest.mark.parametrize("missing", ["peer_channel_deleted"])
async def test_peer_channel_gone_keeps_request_and_tells_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred, missing: str
) -> None:
    await setup_peers(emulator, world)
    emulator.delete_channel(world.peers)
    await emulator.gateway_idle()
    answer = await ask(emulator, world, world.member)
    assert "request #1" in answer.text
    alert = await emulator.wait_for_message(world.mods, predicate=lambda m: "request #1" in m.text)
    assert "stays queued" in alert.text
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "open"


async def test_a_peer_sets_their_own_time_zone_and_duty_ends_in_it(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """``/timezone set`` is the zone "on duty until 17:00" is read in; an unknown name gets
    a kind private answer and changes nothing; ``/timezone clear`` goes back to the server's."""
    await setup_peers(emulator, world)
    bad = await (
        await emulator.run_command(
            world.peer2, world.general, "timezone set", options={"zone": "Mars/Olympus_Mons"}
        )
    ).response()
    assert bad.ephemeral and "Europe/London" in bad.text, bad.text
    assert await kindred.services.zones.own(world.peer2.id) is None
    done = await (
        await emulator.run_command(
            world.peer2, world.general, "timezone set", options={"zone": "Asia/Tokyo"}
        )
    ).response()
    assert done.ephemeral and "Asia/Tokyo" in done.text, done.text
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    before = datetime.now(UTC)
    on = await (
        await emulator.run_command(
            world.peer2, world.general, "duty on", options={"until": "17:00"}
        )
    ).response()
    assert "You're on duty until" in on.text, on.text
    timer = await kindred.services.scheduler.get(f"duty:{world.guild.id}:{world.peer2.id}")
    assert timer is not None
    due = timer.due_at.astimezone(tokyo)
    assert (due.hour, due.minute) == (17, 0)  # 17:00 in Tokyo, not in the server's zone
    assert timedelta(0) < timer.due_at - before <= timedelta(hours=24)
    cleared = await (
        await emulator.run_command(world.peer2, world.general, "timezone clear")
    ).response()
    assert cleared.ephemeral and "cleared" in cleared.text
    assert await kindred.services.zones.own(world.peer2.id) is None


async def test_on_duty_until_tomorrow_9am_works_before_9am_too(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The peer guide's example: at 04:00 local time "tomorrow 9am" is 29 hours away, which
    a 24-hour cap refused; an end by the clock may be up to 36 hours away."""
    await setup_peers(emulator, world)
    offset = 4 - datetime.now(UTC).hour  # a zone where it is now 04:xx
    offset += 24 if offset < -12 else 0
    zone = f"Etc/GMT{-offset:+d}"  # the tz database's signs are inverted: Etc/GMT-3 is UTC+3
    local = zoneinfo.ZoneInfo(zone)
    assert datetime.now(local).hour in (4, 5)
    done = await (
        await emulator.run_command(
            world.peer2, world.general, "timezone set", options={"zone": zone}
        )
    ).response()
    assert zone in done.text, done.text
    before = datetime.now(UTC)
    on = await (
        await emulator.run_command(
            world.peer2, world.general, "duty on", options={"until": "tomorrow 9am"}
        )
    ).response()
    assert on.ephemeral and "You're on duty until" in on.text, on.text
    timer = await kindred.services.scheduler.get(f"duty:{world.guild.id}:{world.peer2.id}")
    assert timer is not None
    due = timer.due_at.astimezone(local)
    tomorrow = before.astimezone(local).date() + timedelta(days=1)
    assert (due.date(), due.hour, due.minute) == (tomorrow, 9, 0)
    assert timedelta(hours=24) < timer.due_at - before <= timedelta(hours=36)
    too_long = await (
        await emulator.run_command(world.peer2, world.general, "duty on", options={"until": "30h"})
    ).response()
    assert too_long.ephemeral and "within 24 hours" in too_long.text, too_long.text


async def test_a_topic_of_only_invisible_characters_is_no_topic_on_the_card(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """What a member types into the /support form reaches the peers' card tidied, as goals,
    plans and anonymous posts are (bot.text.clean_line / clean_block)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    answer = await ask(emulator, world, world.member, topic="\u200b\u200b\u2060", summary="\u200b")
    assert answer.ephemeral
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #" in m.text
    )
    request = await kindred.services.peers.requests.get(1)
    # stored as nothing, like a goal or a plan answer of only invisible characters
    assert (request.topic, request.summary) == ("", None), (request.topic, request.summary)
    assert "No topic given." in card_for(emulator, world, request.id).text, card.text


async def test_a_right_to_left_override_in_the_topic_or_summary_does_not_reach_the_peers(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await ask(emulator, world, world.member, topic="sad\u202egnihton", summary="I am \u202eko ton")
    await emulator.wait_for_message(world.peers, predicate=lambda m: "Support request #" in m.text)
    request = await kindred.services.peers.requests.get(1)
    assert (request.topic, request.summary) == ("sadgnihton", "I am ko ton")
    assert "\u202e" not in card_for(emulator, world, request.id).text


async def test_a_thread_channel_the_member_cannot_see_uses_the_relay_and_names_a_runnable_fix(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A private thread under a channel the member cannot view would be invisible to them:
    Kindred relays by DM instead, and tells the moderators a fix they can run as written
    (/peers setup needs its peer_role and peer_channel options too)."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    emulator.set_overwrite(world.support, world.member, deny=int(P.VIEW_CHANNEL))
    await emulator.gateway_idle()
    await ask(emulator, world, world.member, topic="rough week")
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await press_claim(emulator, world.peer, card, 1)
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "I used the DM relay" in m.text
    )
    assert "`/peers setup peer_role: peer_channel: thread_channel:`" in told.text, told.text
    assert (await kindred.services.peers.requests.get(1)).relay


async def french_thread(emulator: DiscordEmulator, world: World, kindred: Kindred):
    """Request #1 asked with /support from a Discord app in French and claimed by the peer
    (peer2 on duty too): its private thread, its card and the thread's welcome."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    opened = await emulator.run_command(world.member, world.general, "support", locale="fr")
    assert (await opened.response()).is_modal
    fields = {"topic": "semaine dure", "summary": "", "tags": "", "anonymous": "no"}
    answer = await (await opened.submit_modal(fields)).response()
    assert answer.text.startswith("Ta demande #1 est envoyée"), answer.text
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    claim = await emulator.press_button(world.peer, card, "kindred:req:claim:1")
    await claim.original_response()
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    return thread, card_for(emulator, world, 1), welcome


async def test_a_french_members_private_thread_welcome_buttons_and_closing_line_are_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 21: a member whose Discord app is in French asks with /support (form, answer,
    transcript and DMs in French), but the private thread greeted them in English, its buttons
    read "Close" / "Send me a transcript" and it ended with "This conversation is closed. Take
    care.". The thread is the member's and the peer's: its welcome and closing line are in the
    request's language (fr) first, the English after it (Discord's small subtext) for a peer
    who may not read French; the buttons are "Fermer · Close" and the like."""
    thread, _, welcome = await french_thread(emulator, world, kindred)
    closed = await (
        await emulator.press_button(world.member, welcome, "kindred:req:close:1", locale="fr")
    ).answer()
    assert closed.text.startswith("Fermée."), closed.text  # the answer itself is French
    await emulator.wait_for_message(
        emulator.dm_channel(world.member),
        predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids,
    )
    assert await kindred.quiet()
    labels = [welcome.find_component(c)["label"] for c in welcome.custom_ids]
    assert "Close" not in labels, labels
    assert labels == ["Fermer · Close", "Envoie-moi une transcription · Send me a transcript"]
    public = [m.text for m in emulator.messages_in(thread) if not m.ephemeral]
    english = [
        t
        for t in public
        if "is here with you" in t or "This conversation is closed. Take care." in t
    ]
    # the member reads French first; the English is only the peer's small line after it
    member, peer = f"<@{world.member.id}>", f"<@{world.peer.id}>"
    assert [t.split("\n")[0] for t in english] == [
        f"{member}, {peer} est là avec toi. Ce fil est privé : seuls vous deux (et les "
        "modérateurs qui gèrent ce serveur) pouvez le voir. L'un ou l'autre peut le fermer "
        "avec le bouton ou `/support action:close`.",
        "Cette conversation est terminée. Prends soin de toi.",
    ], english
    assert all(t.split("\n")[1].startswith("-# ") for t in english), english


async def test_an_english_members_private_thread_reads_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An English request's thread keeps its English welcome, buttons and closing line,
    with nothing added."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support")
    await opened.response()
    await (await opened.submit_modal({"topic": "rough week", "anonymous": "no"})).response()
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text
    )
    await (await emulator.press_button(world.peer, card, "kindred:req:claim:1")).original_response()
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    assert welcome.text == (
        f"<@{world.member.id}>, <@{world.peer.id}> is here with you. This thread is private: "
        "only the two of you (and the moderators who run this server) can see it. Either of "
        "you can close it with the button or `/support action:close`."
    )
    labels = [welcome.find_component(c)["label"] for c in welcome.custom_ids]
    assert labels == ["Close", "Send me a transcript"], labels
    await (await emulator.press_button(world.member, welcome, "kindred:req:close:1")).answer()
    last = await emulator.wait_for_message(thread, predicate=lambda m: "Take care" in m.text)
    assert last.text == "This conversation is closed. Take care."


async def test_a_transfer_in_a_french_members_thread_is_said_in_french_first(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The hand-over line in the shared thread ("@peer2 is taking over from @peer.") is read by
    the member too: French first, the English under it for the peers."""
    thread, _, _ = await french_thread(emulator, world, kindred)
    card = card_for(emulator, world, 1)
    transfer = await emulator.press_button(world.peer, card, "kindred:req:transfer:1")
    chooser = await transfer.response()
    select_id = chooser.message.custom_ids[0]
    chosen = await emulator.select(world.peer, chooser.message, select_id, [str(world.peer2.id)])
    await chosen.answer()
    said = await emulator.wait_for_message(thread, predicate=lambda m: "taking over" in m.text)
    peer, peer2 = f"<@{world.peer.id}>", f"<@{world.peer2.id}>"
    assert said.text == (
        f"{peer2} prend le relais de {peer}.\n-# {peer2} is taking over from {peer}."
    ), said.text


async def portuguese_by_dm(emulator: DiscordEmulator, world: World, kindred: Kindred):
    """Probe 22: a member whose Discord app is in English writes Kindred "preciso falar com
    alguém" in a DM, presses the offer's "Talk to a peer" (kindred:talk:<guild>:pt) and sends
    the form: request #1 is in Portuguese. A German peer (/language set de) claims it. Returns
    the private thread and its welcome."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await kindred.services.safety.set_language(world.peer.id, "de")
    await emulator.send_dm(world.member, "preciso falar com alguém")
    custom_id = f"kindred:talk:{world.guild.id}:pt"
    offer = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: custom_id in m.custom_ids
    )
    pressed = await emulator.press_button(world.member, offer, custom_id)
    assert (await pressed.response()).is_modal
    fields = {"topic": "semana difícil", "summary": "", "tags": "", "anonymous": "no"}
    await (await pressed.submit_modal(fields)).response()
    request = await kindred.services.peers.requests.get(1)
    assert request.lang == "pt", request.lang
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    assert welcome.text.startswith(f"<@{world.member.id}>, <@{world.peer.id}> está aqui"), (
        welcome.text
    )
    return thread, welcome


async def test_a_peer_leaving_a_portuguese_members_thread_says_so_in_portuguese_first(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: when the peer can't continue (their /forgetme, or the peer role taken away)
    the thread's last line was English only. It is in the request's language first, then the
    English as small subtext, like the welcome and closing lines."""
    from tests.e2e.test_core import forget

    thread, _ = await portuguese_by_dm(emulator, world, kindred)
    await go_on_duty(emulator, world, world.peer2)
    await forget(emulator, world.peer, world.general)
    await emulator.wait_until(
        lambda: thread.archived and thread.locked, what="the old thread to be closed off"
    )
    (last,) = [m for m in emulator.bot_messages(thread) if "can't continue" in m.text]
    first_line = last.text.split("\n")[0]
    assert "can't continue" not in first_line, last.text
    assert "\n-# " in last.text, last.text


async def test_a_transcript_asked_for_after_the_close_comes_in_the_requests_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: pressed after the close, the transcript DM was headed in the presser's app
    language (English), its lines labelled in English. It is in the request's language, as
    at the close, and so is the private answer to the press."""
    thread, welcome = await portuguese_by_dm(emulator, world, kindred)
    await emulator.send_message(world.member, thread, "obrigado por estar aqui")
    await emulator.send_message(world.peer, thread, "estou aqui, pode falar")
    await emulator.gateway_idle()
    closing = await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    await closing.answer()
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids)
    assert await kindred.quiet()
    pressed = await emulator.press_button(world.member, welcome, "kindred:req:transcript:1")
    answered = await pressed.answer()
    english, portuguese = transcript_header_text(1, "en"), transcript_header_text(1, "pt")
    assert english != portuguese
    sent = await emulator.wait_for_message(
        dm, predicate=lambda m: "obrigado por estar aqui" in m.text
    )
    assert sent.text.startswith(portuguese), sent.text
    assert "already closed" not in answered.text, answered.text


async def test_the_feedback_answer_replaces_a_portuguese_question_in_portuguese(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: pressing a feedback button under a Portuguese question edited the DM into
    the English "counted anonymously" text (the presser's app language). The answer is in
    the request's language (pt)."""
    _, welcome = await portuguese_by_dm(emulator, world, kindred)
    closing = await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    await closing.answer()
    dm = emulator.dm_channel(world.member)
    question = await emulator.wait_for_message(
        dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids
    )
    pressed = await emulator.press_button(world.member, question, "kindred:fb:helped:1")
    answer = await pressed.response()
    assert feedback_counted_text("pt") != feedback_counted_text("en")
    assert answer.text == feedback_counted_text("pt"), answer.text


async def test_the_members_close_answer_comes_in_the_requests_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The member who presses Close in their Portuguese thread from an English app reads the
    answer in the request's language, as the thread's closing line; the German peer who
    closes reads theirs in German."""
    _, welcome = await portuguese_by_dm(emulator, world, kindred)
    closing = await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    answer = await closing.answer()
    assert closed_text(True, "pt") != closed_text(True, "en")
    assert answer.text == closed_text(True, "pt"), answer.text


async def test_the_peers_close_answer_stays_in_the_peers_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The request's language is the member's: the German peer who closes a Portuguese
    member's conversation reads the answer in German."""
    _, welcome = await portuguese_by_dm(emulator, world, kindred)
    closing = await emulator.press_button(world.peer, welcome, "kindred:req:close:1")
    answer = await closing.answer()
    assert answer.text == closed_text(False, "de"), answer.text


async def test_support_status_answers_in_the_requests_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/support action:status` from an English app about a request asked in Portuguese
    answers in Portuguese (the request's language), as its other private messages do."""
    thread, _ = await portuguese_by_dm(emulator, world, kindred)
    status = await (
        await emulator.run_command(
            world.member, world.general, "support", options={"action": "status"}
        )
    ).response()
    assert status.ephemeral and status.text == (
        "O seu pedido #1 está com alguém da equipe de apoio; vocês podem conversar em "
        f"<#{thread.id}>."
    ), status.text


async def test_a_peer_who_unclaims_leaves_the_member_told_and_the_old_thread_closed_off(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: after **Unclaim** the member was told nothing and the private thread stayed
    open with the peer in it, while a second claim opened another thread. As when a peer
    can't continue for any other reason: the member is told by DM in their language, the old
    thread gets its closing line (Portuguese first) and is archived and locked without the
    ex-peer; a new claim opens a new thread."""
    thread, _ = await portuguese_by_dm(emulator, world, kindred)
    card = card_for(emulator, world, 1)
    dm = emulator.dm_channel(world.member)
    before = len(emulator.bot_messages(dm))
    unclaimed = await emulator.press_button(world.peer, card, "kindred:req:unclaim:1")
    await unclaimed.answer()
    await emulator.wait_until(
        lambda: "kindred:req:claim:1" in emulator.messages[card.id].custom_ids,
        what="the card to offer Claim again",
    )
    assert (await kindred.services.peers.requests.get(1)).status == "open"
    assert await kindred.quiet()
    told = [m.text for m in emulator.bot_messages(dm)[before:] if "#1" in m.text]
    assert told, "the member was told nothing about their request going back to the queue"
    assert told == [requeued_member_text(1, "pt")], told
    assert world.peer.id not in thread.thread_members and thread.archived, (
        "the old private thread is still open with the peer who let go in it"
    )
    assert thread.locked
    (last,) = [m for m in emulator.bot_messages(thread) if "can't continue" in m.text]
    assert "can't continue" not in last.text.split("\n")[0], last.text
    # the next claim opens a new thread
    await go_on_duty(emulator, world, world.peer2)
    await press_claim(emulator, world.peer2, emulator.messages[card.id], 1)
    again = await kindred.services.peers.requests.get(1)
    assert again.claimed_by == world.peer2.id and again.thread_id not in (None, thread.id)


async def test_closing_a_request_after_unclaim_says_nothing_more_in_its_old_thread(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """After Unclaim the request, back in the queue, still named its old thread, closed off
    already: the member's `/support action:close` posted a second closing line in it. The
    old thread keeps the last line it had; the close is otherwise a close."""
    thread, _ = await portuguese_by_dm(emulator, world, kindred)
    card = card_for(emulator, world, 1)
    unclaimed = await emulator.press_button(world.peer, card, "kindred:req:unclaim:1")
    await unclaimed.answer()
    assert await kindred.quiet()
    assert thread.archived and thread.locked
    said = [m.text for m in emulator.bot_messages(thread)]
    closing = await emulator.run_command(
        world.member, world.general, "support", options={"action": "close"}
    )
    answer = await closing.answer()
    assert answer.ephemeral
    assert await kindred.quiet()
    assert (await kindred.services.peers.requests.get(1)).status == "cancelled"
    assert [m.text for m in emulator.bot_messages(thread)] == said
    assert not any(m.text == thread_closed_text("pt") for m in emulator.bot_messages(thread))
    assert thread.archived and thread.locked


async def test_cancelling_a_request_a_peer_is_talking_about_ends_its_thread_too(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: `/support action:cancel` while a peer held the request ended it with none of
    a close's follow-up: the thread stayed open, the peer untold. The member's choice is
    honoured as a close: the answer is a close's (in the request's language), the thread
    gets its closing line and is archived and locked, the peer is thanked by DM, the member
    asked for feedback."""
    thread, _ = await portuguese_by_dm(emulator, world, kindred)
    cancelled = await emulator.run_command(
        world.member, world.general, "support", options={"action": "cancel"}
    )
    answer = await cancelled.answer()
    assert answer.ephemeral and answer.text == closed_text(True, "pt"), answer.text
    assert await kindred.quiet()
    request = await kindred.services.peers.requests.get(1)
    assert request.status == "closed", request.status
    assert thread.archived and thread.locked, (
        f"request #1 is {request.status} but its private thread is still open"
    )
    assert any(m.text == thread_closed_text("pt") for m in emulator.bot_messages(thread))
    peer_dm = emulator.dm_channel(world.peer)
    assert any("Anfrage #1" in m.text for m in emulator.bot_messages(peer_dm)), [
        m.text for m in emulator.bot_messages(peer_dm)
    ]
    member_dm = emulator.dm_channel(world.member)
    assert any("kindred:fb:helped:1" in m.custom_ids for m in emulator.bot_messages(member_dm))


async def test_a_long_threads_transcript_keeps_its_last_words(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Probe 22: a private thread's transcript read only its first 500 messages, so the end
    of a long conversation was silently missing. The whole conversation is sent."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support")
    await opened.response()
    await (await opened.submit_modal({"topic": "long night", "anonymous": "no"})).response()
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    asked = await emulator.press_button(world.member, welcome, "kindred:req:transcript:1")
    await asked.answer()
    for n in range(260):
        await emulator.send_message(world.member, thread, f"line {n} from me")
        await emulator.send_message(world.peer, thread, f"line {n} from the peer")
    await emulator.send_message(world.member, thread, "the last thing I wanted to say")
    await emulator.gateway_idle()
    closing = await emulator.press_button(world.member, welcome, "kindred:req:close:1")
    await closing.answer()
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids)
    assert await kindred.quiet()
    transcript = "\n".join(m.text for m in emulator.bot_messages(dm) if "line " in m.text)
    assert "line 0 from me" in transcript
    assert "the last thing I wanted to say" in transcript, transcript[-300:]
    lines = transcript.split("\n")
    assert lines.index("Peer: line 259 from the peer") < lines.index(
        "You: the last thing I wanted to say"
    )


async def test_a_transcript_too_long_to_send_whole_keeps_its_end_and_says_what_is_left_out(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A conversation past the transcript's bound (TRANSCRIPT_MAX_CHARS, about thirty DMs)
    is never cut silently: its latest words come, after a line saying how many of its
    earliest messages are left out."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    opened = await emulator.run_command(world.member, world.general, "support")
    await opened.response()
    await (await opened.submit_modal({"topic": "long night", "anonymous": "no"})).response()
    card = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "Support request #1" in m.text, since=0
    )
    await press_claim(emulator, world.peer, card, 1)
    thread = emulator.channels[(await kindred.services.peers.requests.get(1)).thread_id]
    welcome = await emulator.wait_for_message(
        thread, predicate=lambda m: "kindred:req:close:1" in m.custom_ids, since=0
    )
    await (await emulator.press_button(world.member, welcome, "kindred:req:transcript:1")).answer()
    for n in range(40):
        await emulator.send_message(world.member, thread, f"long {n:02d} " + "x" * 1890)
    await emulator.send_message(world.peer, thread, "the last thing I wanted to say")
    await emulator.gateway_idle()
    await (await emulator.press_button(world.member, welcome, "kindred:req:close:1")).answer()
    dm = emulator.dm_channel(world.member)
    await emulator.wait_for_message(dm, predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids)
    assert await kindred.quiet()
    sent = [m.text for m in emulator.bot_messages(dm) if "long " in m.text or "last" in m.text]
    assert sent[0].startswith(transcript_header_text(1) + "\n"), sent[0][:200]
    lines = "\n".join(sent).split("\n")[1:]
    kept = [line for line in lines if line.startswith("You: long ")]
    assert 0 < len(kept) < 40 and kept[0].startswith(f"You: long {40 - len(kept):02d} ")
    assert lines[0] == transcript_cut_text(40 - len(kept)), lines[0]
    assert lines[-1] == "Peer: the last thing I wanted to say", lines[-1]
    assert len(sent) <= 31, len(sent)


async def test_a_feedback_buttons_refusal_is_in_the_requests_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The feedback question comes in the request's language (French here), and so does its
    thanks; pressed a second time (another device, an app set to English), the refusal came
    in the app's English. It is in the language of the question it is under."""
    _thread, _, welcome = await french_thread(emulator, world, kindred)
    await (
        await emulator.press_button(world.member, welcome, "kindred:req:close:1", locale="fr")
    ).answer()
    question = await emulator.wait_for_message(
        emulator.dm_channel(world.member),
        predicate=lambda m: "kindred:fb:helped:1" in m.custom_ids,
    )
    # someone else pressing it (a forged id) is answered in their own language
    other = await (
        await emulator.press_button(world.member2, question, "kindred:fb:helped:1")
    ).response()
    assert other.text == "Only the member who asked can give this feedback.", other.text
    # a double tap from an app in English: one answer counted, the other refused, in French
    first, second = await asyncio.gather(
        emulator.press_button(world.member, question, "kindred:fb:helped:1"),
        emulator.press_button(world.member, question, "kindred:fb:helped:1"),
    )
    answers = [(await first.response()).text, (await second.response()).text]
    assert "Tu as déjà répondu pour celle-ci. Merci." in answers, answers
    assert not any("already answered" in a for a in answers), answers
