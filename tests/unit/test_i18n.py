"""Translations: complete catalogues, same placeholders, safe wording, graceful fallback."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po

from bot.i18n import available_languages, gettext_for, lang_from_locale, locale_dir
from bot.safety.messages import button_labels, crisis_reply, possible_concern_reply
from bot.services.resources import default_directory

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
    assert "**not now**" in text and "**stop these**" in text  # the words the bot understands
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
