"""Two people filling the same form at the same time both get their answer: discord.py matches
a submitted form to the open one by its custom id alone, so two forms sharing an id (one per
server, or one per plan part) lost the second person's submission (found by the multi-process
test, where members of one server opened the support form together)."""

from __future__ import annotations

from emulator import DiscordEmulator
from tests.e2e.conftest import Kindred, World
from tests.e2e.test_checkins import PT
from tests.e2e.test_support import setup_peers


async def test_two_members_filling_the_support_form_together_are_both_answered(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    first = await emulator.run_command(world.member, world.general, "support")
    second = await emulator.run_command(world.member2, world.general, "support")
    forms = [await first.response(), await second.response()]
    assert all(form.is_modal for form in forms)
    assert forms[0].custom_id != forms[1].custom_id
    fields = {"summary": "", "tags": "", "anonymous": "no"}
    answers = [await (await first.submit_modal({"topic": "first", **fields})).response()]
    assert await kindred.quiet()  # the first form is done with before the second is sent
    answers.append(await (await second.submit_modal({"topic": "second", **fields})).response())
    assert ["request #1" in answers[0].text, "request #2" in answers[1].text] == [True, True]
    requests = [await kindred.services.peers.requests.get(i) for i in (1, 2)]
    assert [r.requester_id for r in requests] == [world.member.id, world.member2.id]


async def test_two_members_writing_the_same_plan_part_together_both_save(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    first = await emulator.run_command(world.member, world.general, "plan write")
    second = await emulator.run_command(world.member2, world.general, "plan write")
    forms = [await first.response(), await second.response()]
    assert forms[0].custom_id != forms[1].custom_id
    for opened, words in ((first, "cooking"), (second, "walking")):
        saved = await (await opened.submit_modal({"well": words, "daily": ""})).response()
        assert "Saved part 1 of 3" in saved.text
    plans = [await kindred.services.selfhelp.plans.get(u.id) for u in (world.member, world.member2)]
    assert [p.answers["well"] for p in plans] == ["cooking", "walking"]


def _texts(components: list[dict]) -> list[str]:
    """Every label, description, placeholder and option label of a form, in order."""
    out: list[str] = []
    for c in components:
        out += [c[k] for k in ("label", "description", "placeholder") if c.get(k)]
        out += [o["label"] for o in c.get("options") or []]
        out += _texts(c.get("components") or [])
        out += _texts([c["component"]] if c.get("component") else [])
    return out


async def test_the_support_form_is_never_cut_short_in_any_language(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord shows at most 45 characters of a form's labels: the English question "What's
    going on? (optional, peers will see it)" had 46 and lost its closing bracket. Every label
    of the support form, in each language, is shown whole (its full translation) and within
    Discord's limits (the emulator refuses a longer one)."""
    from bot.i18n import gettext_for

    await setup_peers(emulator, world)
    english = [
        "Topic (optional)",
        "A word or two is enough, e.g. 'rough week'",
        "What's going on? (optional, peers see it)",
        "Someone who shares… (optional tags)",
        "e.g. grief, veterans (comma separated)",
        "Stay anonymous to peers?",
        "No: peers may see who I am",
        "Yes: stay anonymous (replies come by DM)",
        "Same peer as last time, if they're on duty?",
        "No preference",
        "Yes, the same peer if possible",
    ]
    for locale, lang in (("en-US", "en"), ("es-ES", "es"), ("fr", "fr"), ("de", "de"), (PT, "pt")):
        opened = await emulator.run_command(world.member, world.general, "support", locale=locale)
        form = await opened.response()
        assert form.is_modal
        _ = gettext_for(lang)
        assert form.data["title"] == _("Talk to a peer")
        assert _texts(form.components) == [_(text) for text in english], lang
