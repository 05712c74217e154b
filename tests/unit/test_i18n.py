"""Translations: complete catalogues, same placeholders, safe wording, graceful fallback."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime

import pytest
from babel.messages.pofile import read_po

from bot.i18n import (
    available_languages,
    gettext_for,
    lang_from_locale,
    local_datetime,
    locale_dir,
)
from bot.safety.messages import button_labels, crisis_reply, possible_concern_reply
from bot.safety.peer_resources import nobody_on_duty
from bot.services.meetings.messages import swap_button_labels
from bot.services.resources import default_directory
from bot.services.safety import dm_words
from tests.unit.test_safe_messages import assert_safe

LANGS = ("es", "fr", "de", "pt")
PLACEHOLDER = re.compile(r"\{\w+\}")


def catalogue(lang: str):
    with (locale_dir() / lang / "LC_MESSAGES" / "kindred.po").open("rb") as fh:
        return read_po(fh)


def template_ids() -> set[str]:
    with (locale_dir() / "kindred.pot").open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def test_the_five_languages_are_available() -> None:
    assert set(available_languages()) >= {"en", *LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete_and_keeps_placeholders(lang: str) -> None:
    cat = catalogue(lang)
    translated = {m.id: m.string for m in cat if m.id}
    assert template_ids() <= set(translated), "run `make messages` and translate new texts"
    for msgid, msgstr in translated.items():
        assert msgstr, f"{lang}: untranslated {msgid!r}"
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid
        assert msgid.count("**") == msgstr.count("**") or "**" not in msgid, msgid
    assert not [m.id for m in cat if m.id and m.fuzzy]


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_button_labels_fit_discord(lang: str) -> None:
    for label in button_labels(lang).values():
        assert 0 < len(label) <= 80


@pytest.mark.parametrize("lang", LANGS)
def test_replies_are_translated_and_still_safe(lang: str) -> None:
    directory = default_directory()
    region = {"es": "ES", "fr": "FR", "de": "DE", "pt": "BR"}[lang]
    ctx = directory.crisis_context(region, date(2026, 12, 1), language=lang)
    english = crisis_reply(ctx.lines, ctx.directory, True, False, False).as_text()
    message = crisis_reply(
        ctx.lines, ctx.directory, True, False, False, emergency=ctx.emergency, lang=lang
    )
    text = message.as_text()
    assert text != english
    assert "findahelpline.com" in text
    # the words the bot understands, in the member's language (tests/unit/test_dm_words.py)
    taught = {dm_words(w) for w in re.findall(r"\*\*(.+?)\*\*", text)}
    assert {("not_now", lang), ("stopped", lang)} <= taught, text
    assert len(message.body) <= 6
    soft = possible_concern_reply(ctx.lines, ctx.directory, lang=lang).as_text()
    assert "findahelpline.com" in soft and "Kindred" in soft


def test_unknown_language_falls_back_to_english() -> None:
    assert gettext_for("xx")("Crisis lines") == "Crisis lines"
    assert gettext_for(None)("Crisis lines") == "Crisis lines"
    assert gettext_for("es")("a text nobody translated") == "a text nobody translated"


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("es-ES", "es"), ("pt-BR", "pt"), ("de", "de"), ("en-GB", "en"), ("ja", None), (None, None)],
)
def test_discord_locales_map_to_our_languages(locale, lang) -> None:
    assert lang_from_locale(locale) == lang


# -- what check-ins, goals and meetings say privately ------------------------------------------
def test_check_in_texts_keep_their_english_and_a_moderators_words() -> None:
    from bot.services.checkins.messages import personal_checkin_text, prompt_text
    from bot.services.checkins.rules import BUILTIN_PROMPTS

    assert personal_checkin_text(BUILTIN_PROMPTS[4]) == (
        "Time for your check-in. How are you feeling right now? Only you see this.\n"
        "> What brings you a moment of peace right now?"
    )
    assert prompt_text("One word for your week?", "es") == "One word for your week?"


@pytest.mark.parametrize("lang", LANGS)
def test_built_in_prompts_and_moods_are_translated(lang: str) -> None:
    from bot.services.checkins.messages import mood_label, personal_checkin_text, prompt_text
    from bot.services.checkins.rules import BUILTIN_PROMPTS, MOODS

    assert all(prompt_text(p, lang) != p for p in BUILTIN_PROMPTS)
    assert [mood_label(level, lang) for level in MOODS] != list(MOODS.values())
    assert all(0 < len(mood_label(level, lang)) <= 80 for level in MOODS)  # button labels
    assert "Time for your check-in" not in personal_checkin_text(BUILTIN_PROMPTS[0], lang)


def test_mood_answers_offer_what_fits_the_mood() -> None:
    from bot.services.checkins.messages import mood_support_lines

    lowest = mood_support_lines(1, True, lang="es")
    assert lowest[-1] == "¿En peligro inmediato? Llama al número de emergencias de tu zona."
    assert mood_support_lines(2, False, lang="de") == [
        "Wenn du möchtest, dass dir jemand zuhört: Jemand aus der Community ist nur einen "
        "Knopfdruck entfernt."
    ]
    assert mood_support_lines(4, False, lang="fr") == []


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_a_goal_in_braces_is_quoted_as_written(lang: str) -> None:
    from types import SimpleNamespace

    from bot.services.selfhelp.messages import celebration, nudge_text, paused_text

    words = "{goal} {0} }{"
    for goal_id in (1, 2, 3):
        assert words in celebration(SimpleNamespace(id=goal_id, text=words), lang)  # type: ignore[arg-type]
    assert f"\n> {words}\n" in nudge_text(words, lang)
    assert words in paused_text(words, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_meeting_dms_name_the_meeting_as_its_group_wrote_it(lang: str) -> None:
    from bot.services.meetings.messages import facilitator_text, reminder_text

    reminder = reminder_text(
        group="Grief {circle}", meeting="Monday", when="<t:1:F>", channel_id=None,
        facilitator_id=None, lang=lang,
    )  # fmt: skip
    assert reminder.startswith("**Grief {circle}**") and "<t:1:F>" in reminder
    assert "Come as you are" not in reminder and "the group's" not in reminder
    notice = facilitator_text(
        group="Grief circle", meeting="Monday", when="<t:1:F>", channel_id=5,
        prompt="One word?", lang=lang,
    )  # fmt: skip
    assert "<#5>" in notice and "One word?" in notice and "heads-up" not in notice


@pytest.mark.parametrize("lang", LANGS)
def test_goal_replies_quote_the_goal_as_written(lang: str) -> None:
    from bot.services.selfhelp.messages import dropped_text, goal_resumed_text

    words = "{goal} {0} }{"
    assert words in dropped_text(words, lang) and words in goal_resumed_text(words, None, lang)
    assert "Dropped" not in dropped_text(words, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_pause_reasons_kindred_wrote_are_translated_others_kept(lang: str) -> None:
    from bot.services.checkins.messages import pause_reason_text

    assert pause_reason_text("paused by you", lang) != "paused by you"
    assert pause_reason_text("your DMs are closed to me", lang) != "your DMs are closed to me"
    assert pause_reason_text(None, lang) == pause_reason_text("paused by you", lang)
    assert pause_reason_text("no future runs", lang) == "no future runs"


@pytest.mark.parametrize("lang", LANGS)
def test_the_resources_while_nobody_is_on_duty_are_translated_and_still_safe(lang: str) -> None:
    directory = default_directory()
    blocks = {
        code: nobody_on_duty(
            crisis_lines=directory.crisis_lines("US-VT"),
            warmlines=directory.warmlines("US-VT"),
            respites=directory.respites("VT"),
            directory=directory.international_directory(),
            emergency=directory.emergency("US-VT"),
            lang=code,
        )
        for code in ("en", lang)
    }
    english, text = (blocks[code].as_text() for code in ("en", lang))
    assert "988" in text and "findahelpline.com" in text and "**911**" in text
    for line in blocks["en"].body:  # every line of it is in the member's language
        assert line not in text, line
    assert blocks[lang].title != blocks["en"].title and english != text
    assert_safe(text)


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_swap_buttons_fit_discord(lang: str) -> None:
    accept, decline = swap_button_labels(lang)
    assert 0 < len(accept) <= 80 and 0 < len(decline) <= 80 and accept != decline


@functools.cache  # the source is read once per run; the tests only read the result
def marked_error_templates() -> dict[str, str]:
    """Every error text marked ``N_()`` where a typed error is raised (``SomeError(N_(...))``
    or an error class's ``super().__init__(N_(...))``), with the file it is in."""
    import ast

    root = locale_dir().parent.parent
    found: dict[str, str] = {}
    for path in sorted([*(root / "bot").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            first = node.args[0]
            if (
                (name.endswith("Error") or name == "__init__")
                and isinstance(first, ast.Call)
                and getattr(first.func, "id", None) == "N_"
                and isinstance(first.args[0], ast.Constant)
            ):
                found[first.args[0].value] = str(path.relative_to(root))
    return found


def test_marked_errors_are_in_the_template() -> None:
    ids = template_ids()  # read the template once, not once per marked text
    missing = {t: where for t, where in marked_error_templates().items() if t not in ids}
    assert not missing, (
        f"add these files to MESSAGES in the Makefile, run `make messages`: {missing}"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_marked_error_is_translated_with_its_placeholders(lang: str) -> None:
    templates = marked_error_templates()
    assert len(templates) >= 40
    translate = gettext_for(lang)
    for text, where in templates.items():
        translated = translate(text)
        assert translated != text, f"{lang}: untranslated error in {where}: {text!r}"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(translated)), text
        assert text.count("`") == translated.count("`"), (
            f"{lang}: a command lost its code: {text!r}"
        )


def test_an_error_reads_in_the_readers_language_and_stays_english_for_logs() -> None:
    from bot.errors import NotFoundError
    from bot.i18n import N_

    error = NotFoundError(N_("You're not in **{group}**."), group="Grief circle")
    assert error.user_message == str(error) == "You're not in **Grief circle**."
    assert error.message_in("es") == "No estás en **Grief circle**."
    assert error.message_in("en") == error.message_in(None) == error.message_in("xx")
    assert error.message_in("xx") == "You're not in **Grief circle**."
    unmarked = NotFoundError("A text nobody translated {not a placeholder}.")
    assert unmarked.message_in("es") == "A text nobody translated {not a placeholder}."


def test_a_broken_translation_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import errors, i18n

    # the catalogue look-up behind every marked text (bot.i18n.render)
    monkeypatch.setattr(i18n, "gettext_for", lambda lang: lambda text: "Hola {nombre}")
    error = errors.ConflictError("Hello {name}", name="Sam")
    assert error.message_in("es") == "Hello Sam"
    assert i18n.render("es", "Hello {name}", name="Sam") == "Hello Sam"


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_resources_for_someone_not_waiting_have_their_own_title(lang: str) -> None:
    directory = default_directory()

    def title(waiting: bool) -> str:
        return nobody_on_duty(
            crisis_lines=directory.crisis_lines("US-VT"),
            directory=directory.international_directory(),
            intro=False,
            waiting=waiting,
            lang=lang,
        ).title

    assert title(True) == gettext_for(lang)("While you wait")
    assert title(False) == gettext_for(lang)("Support you can reach now") != title(True)
    assert lang == "en" or title(False) != "Support you can reach now"


def _http_error(kind: type, status: int, code: int = 0) -> Exception:
    from types import SimpleNamespace

    return kind(SimpleNamespace(status=status, reason="x"), {"code": code, "message": "x"})


@pytest.mark.parametrize("lang", LANGS)
def test_discords_refusals_of_group_work_read_whole_in_the_readers_language(lang: str) -> None:
    from types import SimpleNamespace

    import discord

    from bot.i18n import N_
    from cogs.groups import discord_ops as ops

    guild = SimpleNamespace(me=SimpleNamespace(top_role=SimpleNamespace(name="Kindred")))
    forbidden = ops.refused(
        guild, _http_error(discord.Forbidden, 403), N_("set who can see <#{channel}>"), channel=7
    )
    assert forbidden.user_message.startswith("Discord didn't let me set who can see <#7>: ")
    assert "**Kindred**" in forbidden.user_message
    text = forbidden.message_in(lang)
    action = gettext_for(lang)("set who can see <#{channel}>").format(channel=7)
    assert action != "set who can see <#7>" and action in text and "**Kindred**" in text, text
    assert "Discord didn't" not in text
    failed = ops.refused(guild, _http_error(discord.HTTPException, 500), N_("give the role"))
    assert failed.user_message == (
        "Discord had a problem while I tried to give the role; please try again."
    )
    assert gettext_for(lang)("give the role") in failed.message_in(lang)
    assert "Discord had" not in failed.message_in(lang)
    full = ops.refused(guild, _http_error(discord.HTTPException, 400, 30005), N_("give the role"))
    assert "250" in full.message_in(lang) and full.message_in(lang) != full.user_message


def test_every_text_of_the_discord_layer_is_translated() -> None:
    """The templates from the Discord layer's own files (MESSAGES in the Makefile): each
    translated everywhere, with its placeholders and its commands' code."""
    import ast

    root = locale_dir().parent.parent
    files = ("bot/bot.py", "bot/ui/checks.py", "bot/ui/replies.py", "cogs/groups/discord_ops.py")
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    marked = re.compile(r'N_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)')
    texts = []
    for name in files:
        assert name in makefile, f"add {name} to MESSAGES in the Makefile"
        for found in marked.finditer((root / name).read_text(encoding="utf-8")):
            texts.append(ast.literal_eval(f"({found[1]})"))  # adjacent literals, joined
    assert len(texts) >= 25
    for lang in LANGS:
        translate = gettext_for(lang)
        for text in texts:
            translated = translate(text)
            assert translated != text, f"{lang}: untranslated: {text!r}"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(translated)), text
            assert text.count("`") == translated.count("`"), text


@pytest.mark.parametrize("lang", LANGS)
def test_schedule_errors_read_whole_in_the_readers_language_even_when_wrapped(lang: str) -> None:
    """The sentence, why the text couldn't be read (nested reasons too) and durations are
    each translated; a service wrapping the error with its template keeps all of them."""
    from datetime import timedelta

    from bot.errors import InvalidInputError
    from bot.schedules import ScheduleError, parse_clock, parse_schedule
    from bot.schedules.errors import ScheduleTooFrequentError

    translate = gettext_for(lang)
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("daily 25:00")
    error = caught.value
    assert error.user_message.startswith(
        "I couldn't read “daily 25:00” as a schedule: “25:00” isn't a valid time: hours go from "
        "00 to 23. Try `daily 20:00`"
    )
    wrapped = InvalidInputError(error.template, **error.params)
    for shown in (error.message_in(lang), wrapped.message_in(lang)):
        assert translate("hours go from 00 to 23") in shown, shown
        assert "isn't" not in shown and "hours go" not in shown and "`cron: 0 9 * * 1-5`" in shown
    with pytest.raises(ScheduleError) as caught:
        parse_clock("8")
    assert "`8:00`" in caught.value.message_in(lang) and "add minutes" not in (
        caught.value.message_in(lang)
    )
    schedule = parse_schedule("daily 09:00, 09:30")
    often = ScheduleTooFrequentError(schedule, timedelta(hours=1, minutes=30))
    assert "at least 1 hour 30 minutes apart" in often.user_message
    assert "only 30 minutes apart" in often.user_message
    shown = often.message_in(lang)
    hour = translate("1 hour")
    minutes = translate("{count} minutes").format(count=30)
    assert f"{hour} {minutes}" in shown and "minutes apart" not in shown, shown


def test_local_datetime_is_english_as_before_and_the_readers_language_elsewhere() -> None:
    moment = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert local_datetime(moment, "Europe/London", "en") == "Mon 30 Mar 2026, 09:00 BST"
    assert local_datetime(moment, "Europe/London", None) == "Mon 30 Mar 2026, 09:00 BST"
    assert local_datetime(moment, "UTC", "en", year=False) == "Mon 30 Mar, 08:00"
    assert local_datetime(moment, "UTC", "pt") == "seg., 30 de mar. de 2026 08:00 UTC"
    assert local_datetime(moment, "UTC", "pt", year=False) == "seg., 30 de mar. 08:00"
    assert local_datetime(moment, "Europe/Berlin", "de") == "Mo., 30. März 2026, 10:00 CEST"
    assert local_datetime(moment, "UTC", "xx") == "Mon 30 Mar 2026, 08:00 UTC"
