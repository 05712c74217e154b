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


def _layout_faults(form) -> list[str]:
    """What in a recorded form is not Discord's current layout: each question a Label
    (type 18) around its input, never a text input in an action row with its own label."""
    faults = []
    for i, comp in enumerate(form.data["components"]):
        inner = comp.get("component") or {}
        if comp.get("type") != 18:
            faults.append(f"{form.custom_id} component {i} is type {comp.get('type')}, not a Label")
        elif inner.get("label") is not None:  # discord.py sends null for none
            faults.append(f"{form.custom_id} component {i}'s input has its own label")
    return faults


async def test_every_kindred_form_puts_its_questions_in_labels_without_deprecation_warnings(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """discord.py 2.6+ deprecates a text input's own label (it warns on every form the bot
    opened) in favour of discord.ui.Label, Discord's current form layout. Every form Kindred
    has (the support form, the plan's three parts, group guidelines, an anonymous post) sends
    Labels only, with the same questions, and nothing warns while they are opened and
    submitted. A new form must be added here: the list of KindredModal classes is checked."""
    import warnings

    from bot.ui.requests import SupportModal
    from bot.ui.views import KindredModal
    from cogs.groups.guidelines import GuidelinesModal
    from cogs.groups.posting import PostModal
    from cogs.selfhelp.views import PlanModal
    from tests.e2e.test_groups import GRIEF, anonymous_group, answer_of

    def names(*classes: type) -> set[str]:
        return {f"{c.__module__}.{c.__qualname__}" for c in classes}

    def subclasses(cls: type) -> set[type]:
        return {c for s in cls.__subclasses__() for c in {s, *subclasses(s)}}

    # (a restart loads the cogs again: the same classes by name)
    ours = names(SupportModal, PlanModal, GuidelinesModal, PostModal)
    assert names(*subclasses(KindredModal)) == ours

    channel = await anonymous_group(emulator, world, kindred)  # sets up peers too
    opened_forms = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        support = await emulator.run_command(world.member2, world.general, "support")
        opened_forms.append(await support.response())
        await (await support.submit_modal({"topic": "rough week"})).response()
        plan = await emulator.run_command(world.member, world.general, "plan write")
        opened_forms.append(await plan.response())
        saved = await (await plan.submit_modal({"well": "walks"})).response()
        for part in (2, 3):
            pressed = await emulator.press_button(
                world.member, saved.message, f"kindred:plan:part:{part}"
            )
            opened_forms.append(await pressed.response())
            saved = await (await pressed.submit_modal({})).response()
        rules = await emulator.run_command(
            world.mod, world.general, "group guidelines set", options={"name": GRIEF}
        )
        opened_forms.append(await rules.response())
        await answer_of(await rules.submit_modal({"text": "Be gentle."}))
        post = await emulator.run_command(world.member, channel, "group post")
        opened_forms.append(await post.response())
        await answer_of(await post.submit_modal({"text": "a hard year"}))
        assert await kindred.quiet()
    assert all(form.is_modal for form in opened_forms)
    ids = [form.custom_id.rsplit(":", 1)[0] for form in opened_forms[:4]]
    assert ids[0].startswith("kindred:support-modal:") and ids[1:] == [
        "kindred:plan-modal:1", "kindred:plan-modal:2", "kindred:plan-modal:3",
    ]  # fmt: skip
    assert [form.custom_id for form in opened_forms[4:]] == [
        "kindred:grp:guidelines", "kindred:grp:post",
    ]  # fmt: skip
    assert [fault for form in opened_forms for fault in _layout_faults(form)] == []
    assert [str(w.message) for w in caught if "discord.ui.Label" in str(w.message)] == []
    # the questions read as before
    assert [field["label"] for field in opened_forms[0].inputs][:3] == [
        "Topic (optional)", "What's going on? (optional, peers see it)",
        "Someone who shares… (optional tags)",
    ]  # fmt: skip
    assert [field["label"] for field in opened_forms[4].inputs] == [
        "Guidelines (empty: use the default)"
    ]
    assert [field["label"] for field in opened_forms[5].inputs] == [
        "Your message (your name isn't shown)"
    ]
