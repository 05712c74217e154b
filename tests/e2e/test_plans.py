"""The wellness plan end to end: written through three forms (part buttons outliving a restart),
changed and cleared, viewed, exported as a private text file, deleted after a confirmation, and
shared with a peer by consent (the peer's reading audited, an unshared peer refused)."""

from __future__ import annotations

import asyncio
import re

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import PT, command, portuguese, pt_answer


async def write(emulator: DiscordEmulator, world: World, kindred: Kindred, user=None) -> None:
    """Fill all three parts, pressing the 'next part' buttons."""
    user = user or world.member
    opened = await emulator.run_command(user, world.general, "plan write")
    form = await opened.response()
    assert form.is_modal and form.custom_id.startswith("kindred:plan-modal:1:")  # + one per form
    assert [c["custom_id"] for c in form.inputs] == ["well", "daily"]
    saved = await (
        await opened.submit_modal({"well": "I cook and text friends", "daily": "a walk"})
    ).response()
    assert saved.ephemeral and "Saved part 1 of 3" in saved.text
    assert saved.message.custom_ids == ["kindred:plan:part:2"]
    await kindred.restart()  # the "next part" button outlives the process
    second = await emulator.press_button(user, saved.message, "kindred:plan:part:2")
    assert (await second.response()).is_modal
    saved2 = await (
        await second.submit_modal({"triggers": "poor sleep", "signs": "not replying"})
    ).response()
    assert "Saved part 2 of 3" in saved2.text
    third = await emulator.press_button(user, saved2.message, "kindred:plan:part:3")
    saved3 = await (
        await third.submit_modal({"contacts": "my sister, by phone", "crisis_avoid": "noise"})
    ).response()
    assert "Saved part 3 of 3" in saved3.text and "6 answers" in saved3.text
    assert not saved3.message.custom_ids


async def test_a_plan_round_trip_through_the_forms_view_and_export(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await write(emulator, world, kindred)
    view = await command(emulator, world.member, world.general, "plan view")
    assert view.ephemeral and "Only you can see this" in view.text
    for answer in ("I cook and text friends", "poor sleep", "my sister, by phone", "noise"):
        assert answer in view.text
    assert "not WRAP itself" in view.text and "Shared with: nobody" in view.text

    # change part 1: the form shows what was written; an emptied answer is removed
    again = await emulator.run_command(world.member, world.general, "plan write", {"part": 1})
    form = await again.response()
    defaults = {c["custom_id"]: c.get("value") for c in form.inputs}
    assert defaults == {"well": "I cook and text friends", "daily": "a walk"}
    await (await again.submit_modal({"well": "", "daily": "a walk\x00 and tea"})).response()
    plan = await kindred.services.selfhelp.plans.mine(world.member.id)
    assert "well" not in plan.answers and plan.answers["daily"] == "a walk and tea"

    exported = await command(emulator, world.member, world.general, "plan export")
    assert exported.ephemeral
    (attachment,) = exported.message.attachments
    assert attachment.filename == "wellness-plan.txt"
    text = attachment.data.decode("utf-8")
    assert "a walk and tea" in text and "poor sleep" in text and "my sister, by phone" in text
    assert "What I'm like when I'm well:\n(not filled in)" in text
    assert "not WRAP itself" in text and "/support" in text and "/crisis" in text


async def test_deleting_a_plan_asks_first_and_only_its_owner_can_confirm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await write(emulator, world, kindred)
    asked = await command(emulator, world.member, world.general, "plan delete")
    assert asked.ephemeral and "can't be undone" in asked.text
    confirm = asked.message
    delete_id = f"kindred:plan:delete:{world.member.id}"
    keep_id = f"kindred:plan:keep:{world.member.id}"
    assert confirm.custom_ids == [delete_id, keep_id]
    kept = await (await emulator.press_button(world.member, confirm, keep_id)).response()
    assert kept.type == 7 and "Kept" in confirm.text
    assert await kindred.services.selfhelp.plans.get(world.member.id) is not None

    asked = await command(emulator, world.member, world.general, "plan delete")
    pressed = await emulator.press_button(world.member2, asked.message, delete_id)
    stranger = await pressed.response()
    assert stranger.ephemeral and "someone else" in stranger.text
    assert await kindred.services.selfhelp.plans.get(world.member.id) is not None
    gone = await (await emulator.press_button(world.member, asked.message, delete_id)).response()
    assert gone.type == 7 and "deleted" in asked.message.text
    assert await kindred.services.selfhelp.plans.get(world.member.id) is None
    after = await command(emulator, world.member, world.general, "plan view")
    assert "no wellness plan yet" in after.text
    nothing = await command(emulator, world.member, world.general, "plan export")
    assert nothing.ephemeral and "no wellness plan yet" in nothing.text


async def test_a_peer_reads_a_shared_plan_and_an_unshared_peer_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    no_plan = await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    assert "no wellness plan yet" in no_plan.text
    await write(emulator, world, kindred)
    before = await command(emulator, world.peer, world.general, "plan view", member=world.member)
    assert before.ephemeral and "has not chosen to share" in before.text
    assert "poor sleep" not in before.text

    shared = await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    assert shared.ephemeral and "can now read your plan" in shared.text
    read = await command(emulator, world.peer, world.general, "plan view", member=world.member)
    assert read.ephemeral and "poor sleep" in read.text and "chose to share" in read.text
    other = await command(emulator, world.peer2, world.general, "plan view", member=world.member)
    assert "has not chosen to share" in other.text and "poor sleep" not in other.text

    mine = await command(emulator, world.member, world.general, "plan view")
    assert f"<@{world.peer.id}>" in mine.text and "last read" in mine.text
    audit = await kindred.services.db.fetchall(
        "SELECT guild_id, actor_id, action, detail FROM audit_log WHERE action LIKE 'plan.%'"
        " ORDER BY id"
    )
    assert [(a["actor_id"], a["action"]) for a in audit] == [
        (world.member.id, "plan.share"),
        (world.peer.id, "plan.view"),
    ]
    assert all(a["guild_id"] is None and "sleep" not in a["detail"] for a in audit)

    await command(emulator, world.member, world.general, "plan unshare", peer=world.peer)
    after = await command(emulator, world.peer, world.general, "plan view", member=world.member)
    assert "has not chosen to share" in after.text
    twice = await command(emulator, world.member, world.general, "plan unshare", peer=world.peer)
    assert "don't share your plan with them" in twice.text


async def test_a_spanish_member_reads_their_plan_view_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/plan view's title, intro, who it is shared with and the parts' names follow the
    reader's language (the answers are the member's own words); English word for word."""
    await write(emulator, world, kindred)
    await command(emulator, world.member, world.general, "language set", language="es")
    view = await command(emulator, world.member, world.general, "plan view")
    embed = view.embeds[0]
    assert embed["title"] == "Tu plan de bienestar"
    assert embed["description"] == (
        "Solo tú ves esto. Compartido con: nadie (`/plan share` deja que un compañero de "
        "confianza lo lea).\n`/plan write` lo cambia; `/plan export` te envía una copia."
    )
    assert embed["fields"][0]["name"].startswith("Mantenerme bien · ")
    assert embed["fields"][0]["value"] == "I cook and text friends"

    await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    mine = (await command(emulator, world.member, world.general, "plan view")).embeds[0]
    head = f"Solo tú ves esto. Compartido con: <@{world.peer.id}> (desde "
    assert mine["description"].startswith(head), mine["description"]
    assert mine["description"].endswith(
        ", aún sin leer). `/plan unshare` lo retira.\n"
        "`/plan write` lo cambia; `/plan export` te envía una copia."
    )
    await command(emulator, world.peer, world.general, "language set", language="es")
    read = await command(emulator, world.peer, world.general, "plan view", member=world.member)
    assert read.embeds[0]["title"] == "Un plan de bienestar compartido"
    assert read.embeds[0]["description"] == (
        f"<@{world.member.id}> decidió compartir contigo su plan de bienestar. Por favor, que "
        "quede entre ustedes; puede retirarlo cuando quiera y ve cuándo lo lees."
    )

    # English, word for word
    await write(emulator, world, kindred, user=world.member2)
    view = await command(emulator, world.member2, world.general, "plan view")
    embed = view.embeds[0]
    assert embed["title"] == "Your wellness plan"
    assert embed["description"] == (
        "Only you can see this. Shared with: nobody (`/plan share` lets a peer you trust read "
        "it).\n`/plan write` changes it; `/plan export` sends you a copy."
    )
    assert embed["fields"][0]["name"] == "Staying well · What I'm like when I'm well"


def form_texts(form) -> tuple[str, list[tuple[str, str]]]:
    """A recorded modal's title and its inputs' (label, placeholder)."""
    return form.data["title"], [(i["label"], i.get("placeholder", "")) for i in form.inputs]


async def test_a_spanish_member_writes_their_plan_in_a_spanish_form(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/plan write's form (title, question labels, examples) and /plan view's question labels
    and footer follow the member's language; English word for word."""
    await command(emulator, world.member, world.general, "language set", language="es")
    opened = await emulator.run_command(world.member, world.general, "plan write", {"part": 2})
    form = await opened.response()
    assert form.is_modal
    assert form_texts(form) == (
        "Plan de bienestar 2/3: Darme cuenta a tiempo",
        [
            (
                "Lo que puede desestabilizarme",
                "p. ej., preocupaciones de dinero, dormir mal, fechas",
            ),
            (
                "Lo que puedo hacer cuando pasa",
                "p. ej., contárselo a alguien, descansar, escribirlo",
            ),
            ("Primeras señales de que no estoy tan bien", "p. ej., saltarme comidas, no contestar"),
        ],
    )
    await (await opened.submit_modal({"triggers": "dormir poco"})).response()
    embed = (await command(emulator, world.member, world.general, "plan view")).embeds[0]
    assert embed["fields"][0]["name"] == "Darme cuenta a tiempo · Lo que puede desestabilizarme"
    assert embed["footer"]["text"].startswith("Inspirado en la estructura del Wellness Recovery")

    # English, word for word
    opened = await emulator.run_command(world.member2, world.general, "plan write", {"part": 2})
    assert form_texts(await opened.response()) == (
        "Wellness plan 2/3: Noticing early",
        [
            ("Things that can throw me off", "e.g. money worries, poor sleep, dates"),
            ("What I can do when that happens", "e.g. tell someone, rest, write it"),
            ("Early signs I'm not doing so well", "e.g. skipping meals, not replying"),
        ],
    )
    await (await opened.submit_modal({"triggers": "poor sleep"})).response()
    embed = (await command(emulator, world.member2, world.general, "plan view")).embeds[0]
    assert embed["fields"][0]["name"] == "Noticing early · Things that can throw me off"
    assert embed["footer"]["text"] == (
        "Inspired by the structure of the Wellness Recovery Action Plan (WRAP®); this is not WRAP "
        "itself. WRAP is taught in peer-led groups: copelandcenter.com."
    )


async def test_a_spanish_member_exports_their_plan_and_reads_about_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/plan export's file (headings, parts, labels, footer) and /kindred about follow the
    member's language; the member's own answers stay as written; English word for word."""
    await write(emulator, world, kindred)
    await command(emulator, world.member, world.general, "language set", language="es")
    exported = await command(emulator, world.member, world.general, "plan export")
    assert (
        exported.text
        == "Aquí tienes tu plan de bienestar como archivo de texto. Solo tú puedes verlo."
    )
    text = exported.message.attachments[0].data.decode("utf-8")
    day = (await kindred.services.selfhelp.plans.mine(world.member.id)).updated_at
    assert text.startswith(
        "Mi plan de bienestar\n====================\n"
        f"Escrito con Kindred; último cambio: {day:%Y-%m-%d}.\n"
        "Inspirado en la estructura del Wellness Recovery"
    ), text
    assert (
        "\n\nMantenerme bien\n---------------\n"
        "Cómo soy cuando estoy bien:\nI cook and text friends\n\n"
    ) in text, text
    assert "\n(sin rellenar)\n" in text and "not filled in" not in text
    assert text.endswith(
        "Kindred guarda este plan en privado hasta que lo borres (/plan delete o /forgetme).\n"
        "Hablar con un compañero: /support. Si es urgente: /crisis.\n"
    )
    about = await command(emulator, world.member, world.general, "kindred about")
    assert about.embeds[0]["title"] == "Sobre Kindred"
    assert about.embeds[0]["description"].startswith(
        "Kindred ayuda a esta comunidad a apoyarse mutuamente, como funciona el apoyo entre "
        "pares: respeto,"
    )
    assert "nunca diagnostica" in about.embeds[0]["description"]

    # English, word for word
    await write(emulator, world, kindred, user=world.member2)
    exported = await command(emulator, world.member2, world.general, "plan export")
    day = (await kindred.services.selfhelp.plans.mine(world.member2.id)).updated_at
    assert exported.message.attachments[0].data.decode("utf-8") == (
        "My wellness plan\n================\n"
        f"Written with Kindred; last changed {day:%d %B %Y}.\n"
        "Inspired by the structure of the Wellness Recovery Action Plan (WRAP®); this is not WRAP "
        "itself. WRAP is taught in peer-led groups: copelandcenter.com.\n\n"
        "Staying well\n------------\n"
        "What I'm like when I'm well:\nI cook and text friends\n\n"
        "Daily things that help me stay well:\na walk\n\n"
        "Noticing early\n--------------\n"
        "Things that can throw me off:\npoor sleep\n\n"
        "What I can do when that happens:\n(not filled in)\n\n"
        "Early signs I'm not doing so well:\nnot replying\n\n"
        "Support and crisis\n------------------\n"
        "Who I can contact, and how:\nmy sister, by phone\n\n"
        "What helps me in a crisis:\n(not filled in)\n\n"
        "What doesn't help, or please avoid:\nnoise\n\n"
        "Kindred keeps this plan privately until you delete it (/plan delete or /forgetme).\n"
        "Talk to a peer: /support. If things are urgent: /crisis.\n"
    )
    about = await command(emulator, world.member2, world.general, "kindred about")
    assert about.embeds[0]["title"] == "About Kindred"
    assert about.embeds[0]["description"] == (
        "Kindred helps this community support each other, the way peer support works: "
        "respect, shared responsibility, and agreeing together on what helps.\n\n"
        "• Ask for private support from an on-duty peer supporter.\n"
        "• Check in on how you're doing, in a channel or privately.\n"
        "• Read short self-help pages, keep goals with gentle nudges, and write a private "
        "wellness plan (`/selfhelp`, `/goal`, `/plan`).\n"
        "• Join support groups, each with its own channel and guidelines (`/group list`).\n"
        "• Find crisis lines, warmlines and respites for where you live with `/crisis`; "
        "if you write something hard, Kindred answers privately, in your language.\n\n"
        "Kindred is a bot, not a clinician: it never diagnoses, and it points to people and "
        "professional help where that fits. It stores as little as it can; `/forgetme` deletes "
        "what it holds about you. Use `/kindred help` to see the commands."
    )


SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


async def write_part1(emulator: DiscordEmulator, world: World, well: str, daily: str = "a walk"):
    opened = await emulator.run_command(world.member, world.general, "plan write")
    assert (await opened.response()).is_modal
    return await (await opened.submit_modal({"well": well, "daily": daily})).response()


async def test_a_flag_emoji_in_a_plan_answer_is_kept_as_typed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A subdivision flag (Scotland, England, Wales) is a black flag followed by tag
    characters, part of the emoji as a joiner is inside 👩‍👧: the member's words come back as
    they wrote them, not as a bare black flag; a stray tag (hidden text) is still dropped."""
    well = f"home by the sea {SCOTLAND} and my family 👩\u200d👧"
    saved = await write_part1(emulator, world, well, daily="a walk\U000e0068\U000e0069")
    assert "Saved part 1 of 3" in saved.text
    plan = await kindred.services.selfhelp.plans.mine(world.member.id)
    assert plan.answers["well"] == well, ascii(plan.answers["well"])
    assert plan.answers["daily"] == "a walk"
    view = await command(emulator, world.member, world.general, "plan view")
    assert well in view.text


async def test_a_plan_shared_again_is_not_read_yet_under_the_new_share(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Shared, read, taken back, shared again: `/plan view` says the new share is not read yet
    (it said "since <now>, last read <before the share>"); a reading after it is shown."""
    await write_part1(emulator, world, "calm")
    await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    read = await command(emulator, world.peer, world.general, "plan view", member=world.member)
    assert "calm" in read.text
    await command(emulator, world.member, world.general, "plan unshare", peer=world.peer)
    again = await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    assert "can now read your plan" in again.text
    mine = await command(emulator, world.member, world.general, "plan view")
    assert "not read yet" in mine.text and "last read" not in mine.text, mine.text
    await command(emulator, world.peer, world.general, "plan view", member=world.member)
    mine = await command(emulator, world.member, world.general, "plan view")
    assert "last read" in mine.text and "not read yet" not in mine.text, mine.text


async def answer(emulator: DiscordEmulator, user, where, name: str, **options):
    """What the person reads (a command that looks people up first may defer)."""
    return await (await emulator.run_command(user, where, name, options=options)).answer()


async def test_a_peer_who_left_the_only_shared_server_no_longer_reads_the_plan(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A plan is shared in a community: once the peer no longer shares a server with the
    member (left or removed; Kindred hears of nobody leaving), they are refused kindly from a
    DM and nothing is shown or logged as read; the member's /plan view marks them, and the
    share stays the member's to take back (back in the server, the peer reads it again)."""
    await write_part1(emulator, world, "calm")
    await command(emulator, world.member, world.general, "plan share", peer=world.peer)
    await command(emulator, world.member, world.general, "plan share", peer=world.peer2)
    dm = emulator.dm_channel(world.peer)
    before = await answer(emulator, world.peer, dm, "plan view", member=world.member)
    assert "calm" in before.text  # from a DM while they share a server

    emulator.remove_member(world.guild, world.peer)
    await emulator.gateway_idle()
    read = await answer(emulator, world.peer, dm, "plan view", member=world.member)
    assert read.ephemeral and "calm" not in read.text, read.text
    assert "You no longer share a server with" in read.text, read.text
    views = await kindred.services.db.fetchval(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'plan.view' AND actor_id = ?",
        (world.peer.id,),
    )
    assert views == 1  # only the reading before they left

    mine = await answer(emulator, world.member, world.general, "plan view")
    assert re.search(
        rf"<@{world.peer.id}> \(since [^)]*, last read [^)]*; no longer in a server with you, "
        r"so they can't read it: `/plan unshare` to remove\)",
        mine.text,
    ), mine.text
    assert re.search(rf"<@{world.peer2.id}> \(since [^)]*, not read yet\)", mine.text)
    shares = await kindred.services.selfhelp.plans.shares(world.member.id)
    assert [s.peer_id for s in shares] == [world.peer.id, world.peer2.id]  # not deleted

    emulator.add_member(world.guild, world.peer, roles=[world.peer_role])
    await emulator.gateway_idle()
    back = await answer(emulator, world.peer, dm, "plan view", member=world.member)
    assert "calm" in back.text
    dm2 = emulator.dm_channel(world.peer2)
    nobody = await answer(emulator, world.peer2, dm2, "plan view", member=world.member2)
    assert "has not chosen to share" in nobody.text  # no share: the usual answer, no look-up


async def test_a_plan_is_not_shared_with_someone_who_shares_no_server_with_the_member(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """`/plan share` took anyone Discord could name: someone in no server with the member (a
    stranger, or the owner of another server where the member is not), who could then never
    read the plan (`/plan view` refuses them). Now it is refused kindly at share time, in the
    member's language, and nothing is stored; someone the member does share a server with is
    still accepted, from a DM too (Kindred's servers asked)."""
    await write_part1(emulator, world, "calm")
    stranger = emulator.create_user("stranger")
    elsewhere = emulator.create_guild("Elsewhere")
    owner = emulator.user(elsewhere.owner_id)
    await emulator.gateway_idle()
    for other in (stranger, owner):
        refused = await answer(emulator, world.member, world.general, "plan share", peer=other)
        assert refused.ephemeral and refused.text == (
            f"You don't share a server with <@{other.id}> where Kindred is, so they couldn't read "
            "your plan. Nothing was shared: choose someone from your community."
        ), refused.text
    assert await kindred.services.selfhelp.plans.shares(world.member.id) == []
    bot_peer = await command(
        emulator, world.member, world.general, "plan share", peer=emulator.bot_user
    )
    assert "not yourself or a bot" in bot_peer.text

    await portuguese(emulator, world)
    refused = await pt_answer(emulator, world.member, world.general, "plan share", peer=stranger)
    assert refused.ephemeral and f"<@{stranger.id}>" in refused.text, refused.text
    assert "Kindred" in refused.text and "where Kindred is" not in refused.text, refused.text
    assert await kindred.services.selfhelp.plans.shares(world.member.id) == []
    read = await answer(
        emulator, stranger, emulator.dm_channel(stranger), "plan view", member=world.member
    )
    assert "calm" not in read.text, read.text

    dm = emulator.dm_channel(world.member)
    accepted = await answer(emulator, world.member, dm, "plan share", peer=world.peer)
    assert f"<@{world.peer.id}>" in accepted.text, accepted.text
    shares = await kindred.services.selfhelp.plans.shares(world.member.id)
    assert [s.peer_id for s in shares] == [world.peer.id]
    shown = await answer(
        emulator, world.peer, emulator.dm_channel(world.peer), "plan view", member=world.member
    )
    assert "calm" in shown.text, shown.text


async def test_two_plan_parts_saved_at_once_both_keep_their_answers(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Two plan parts submitted at about the same time (part 1 and part 2 opened side by side,
    or on phone and desktop) each answer "Saved part N" and both parts' answers are kept: a
    part is merged into the plan as it is stored, so a member's words are never lost after
    Kindred said they were saved."""
    one = await emulator.run_command(world.member, world.general, "plan write", {"part": 1})
    two = await emulator.run_command(world.member, world.general, "plan write", {"part": 2})
    assert (await one.response()).is_modal and (await two.response()).is_modal
    saved_one, saved_two = await asyncio.gather(
        one.submit_modal({"well": "I cook and text friends", "daily": "a walk"}),
        two.submit_modal({"triggers": "poor sleep", "signs": "not replying"}),
    )
    assert "Saved part 1 of 3" in (await saved_one.response()).text
    assert "Saved part 2 of 3" in (await saved_two.response()).text
    plan = await kindred.services.selfhelp.plans.mine(world.member.id)
    assert plan.answers == {
        "well": "I cook and text friends",
        "daily": "a walk",
        "triggers": "poor sleep",
        "signs": "not replying",
    }


async def test_the_wellness_plan_buttons_are_in_the_members_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The wellness plan's buttons speak the member's language like its forms and answers:
    after part 1 the next part's button reads "Parte 2: Perceber cedo" under "Parte 1 de 3
    salva (Ficar bem)… parte 2, Perceber cedo", and `/plan delete`'s question offers "Excluir
    meu plano" / "Manter": a member deciding whether to delete their plan reads the choice in
    their language. English readers keep "Part 2: Noticing early", "Delete my plan", "Keep it"."""
    await portuguese(emulator, world)
    opened = await emulator.run_command(world.member, world.general, "plan write", locale=PT)
    assert (await opened.response()).is_modal
    saved = await (await opened.submit_modal({"well": "cozinho", "daily": "caminhar"})).answer()
    assert saved.text.startswith("Parte 1 de 3 salva"), saved.text
    asked = await pt_answer(emulator, world.member, world.general, "plan delete")
    assert asked.text.startswith("Excluir seu plano de bem-estar?"), asked.text
    labels = [c["label"] for m in (saved, asked) for row in m.components for c in row["components"]]
    english = [
        label
        for label in labels
        if label in {"Part 2: Noticing early", "Delete my plan", "Keep it"}
        or label.startswith("Part ")
    ]
    assert not english, labels
    assert labels == ["Parte 2: Perceber cedo", "Excluir meu plano", "Manter"], labels
    # the buttons still work, whatever their label
    keep_id = f"kindred:plan:keep:{world.member.id}"
    kept = await (await emulator.press_button(world.member, asked.message, keep_id)).response()
    assert kept.type == 7 and "Excluir meu plano" not in str(asked.message.components)
    assert await kindred.services.selfhelp.plans.get(world.member.id) is not None

    opened = await emulator.run_command(world.member2, world.general, "plan write")
    assert (await opened.response()).is_modal
    saved = await (await opened.submit_modal({"well": "I cook"})).answer()
    asked = await command(emulator, world.member2, world.general, "plan delete")
    labels = [c["label"] for m in (saved, asked) for row in m.components for c in row["components"]]
    assert labels == ["Part 2: Noticing early", "Delete my plan", "Keep it"], labels


# Discord's own limits on a form (the emulator enforces them too)
TITLE_MAX, LABEL_MAX, PLACEHOLDER_MAX = 45, 45, 100


async def test_the_plan_form_follows_a_spanish_or_german_discord_app_in_every_part(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member who never ran /language set but whose Discord app is in Spanish (es-ES) or
    German (de) reads every part's form in their language: the title, each question's label
    and its example whole (never cut to fit), none of them English, each within Discord's
    limits; the next part's button opens the next form in the same language."""
    from bot.i18n import gettext_for
    from bot.services.selfhelp.plans import PARTS, QUESTIONS

    english = {q.label for q in QUESTIONS} | {q.placeholder for q in QUESTIONS}
    for user, locale, lang in ((world.member, "es-ES", "es"), (world.member2, "de", "de")):
        _ = gettext_for(lang)
        for part in PARTS:
            opened = await emulator.run_command(
                user, world.general, "plan write", {"part": part}, locale=locale
            )
            form = await opened.response()
            assert form.is_modal
            title, inputs = form_texts(form)
            assert title == _("Wellness plan {part}/{count}: {name}").format(
                part=part, count=len(PARTS), name=_(PARTS[part])
            )
            assert not title.startswith("Wellness plan"), title
            assert 1 <= len(title) <= TITLE_MAX, title
            wanted = [(_(q.label), _(q.placeholder)) for q in QUESTIONS if q.part == part]
            assert inputs == wanted
            for label, placeholder in inputs:
                assert label not in english and placeholder not in english, (label, placeholder)
                assert 1 <= len(label) <= LABEL_MAX, label
                assert 1 <= len(placeholder) <= PLACEHOLDER_MAX, placeholder
    assert not await kindred.services.selfhelp.plans.get(world.member.id)  # nothing written

    # a few whole texts, read as a member would
    opened = await emulator.run_command(
        world.member2, world.general, "plan write", {"part": 3}, locale="de"
    )
    assert form_texts(await opened.response()) == (
        "Wohlfühlplan 3/3: Unterstützung und Krise",
        [
            ("Wen ich erreichen kann, und wie", (
                "z. B. meine Schwester (Telefon), das Unterstützungsteam (/support)"
            )),
            ("Was mir in einer Krise hilft", "z. B. jemand bleibt bei mir, Ruhe"),
            ("Was nicht hilft, oder bitte vermeiden", (
                "z. B. wenn man mir sagt, ich soll mich beruhigen"
            )),
        ],
    )  # fmt: skip
    opened = await emulator.run_command(world.member, world.general, "plan write", locale="es-ES")
    assert (await opened.response()).data["title"] == "Plan de bienestar 1/3: Mantenerme bien"
    saved = await (await opened.submit_modal({"well": "cocino"})).answer()
    assert saved.text.startswith("Parte 1 de 3 guardada"), saved.text
    pressed = await emulator.press_button(
        world.member, saved.message, "kindred:plan:part:2", locale="es-ES"
    )
    assert form_texts(await pressed.response())[0] == "Plan de bienestar 2/3: Darme cuenta a tiempo"


async def test_a_french_member_writes_a_part_and_reads_their_plan_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A member whose Discord app is in French writes part 1 in a French form and reads the
    answer, the part's name and the plan's headings in French; what they wrote is stored and
    shown exactly as typed."""
    opened = await emulator.run_command(world.member, world.general, "plan write", locale="fr")
    form = await opened.response()
    assert form_texts(form) == (
        "Plan de bien-être 1/3 : Rester en forme",
        [
            ("Comment je suis quand je vais bien", (
                "ex. je ris facilement, je cuisine, j'écris à des amis"
            )),
            ("Ce qui m'aide chaque jour à aller bien", (
                "ex. une balade, des repas à heure fixe, de la musique"
            )),
        ],
    )  # fmt: skip
    typed = {"well": "Je cuisine, I text friends 🙂", "daily": "une balade"}
    saved = await (await opened.submit_modal(typed)).answer()
    assert saved.text.startswith(
        "Partie 1 sur 3 enregistrée (Rester en forme). Toi seul·e peux voir ton plan.\n"
        "Ensuite, quand tu seras prêt·e : partie 2, Remarquer tôt."
    ), saved.text
    labels = [c["label"] for row in saved.components for c in row["components"]]
    assert labels == ["Partie 2 : Remarquer tôt"]
    stored = await kindred.services.selfhelp.plans.get(world.member.id)
    assert stored is not None and stored.answers == typed

    view = await emulator.run_command(world.member, world.general, "plan view", locale="fr")
    embed = (await view.response()).embeds[0]
    assert embed["title"] == "Ton plan de bien-être"
    assert embed["description"].startswith("Toi seul·e peux voir ceci. Partagé avec : personne")
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Rester en forme · Comment je suis quand je vais bien", typed["well"]),
        ("Rester en forme · Ce qui m'aide chaque jour à aller bien", typed["daily"]),
    ]
    assert embed["footer"]["text"].startswith("Inspiré")
