"""Translations of what Kindred says to members, from gettext catalogues read with Babel.

Catalogues are ``data/locale/<lang>/LC_MESSAGES/kindred.po`` (the template is
``data/locale/kindred.pot``, made by ``make messages``).  A community adds a language by
adding a ``.po`` file: no code changes, nothing compiled.  Untranslated or fuzzy entries fall
back to English.  Pure Python; no discord imports.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = [
    "N_",
    "Joined",
    "available_languages",
    "gettext_for",
    "lang_from_locale",
    "local_datetime",
    "locale_dir",
]

log = logging.getLogger(__name__)

DOMAIN = "kindred"
_cache: dict[str, dict[str, str]] = {}
_lock = threading.Lock()


def locale_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "locale"


def available_languages() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in locale_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return ("en", *[code for code in found if code != "en"])


def _load(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang.replace("-", "_"))
    except Exception:  # a broken catalogue must never silence a crisis reply
        log.exception("translation catalogue %s unreadable; using English", lang)
        return {}
    table: dict[str, str] = {}
    for message in catalog:
        if message.id and message.string and not message.fuzzy and isinstance(message.id, str):
            table[message.id] = str(message.string)
    return table


def gettext_for(lang: str | None) -> Callable[[str], str]:
    """A ``_()`` for one language; English (the msgids themselves) when unknown."""
    code = (lang or "en").lower()
    if code == "en":
        return _identity
    with _lock:
        table = _cache.get(code)
        if table is None:
            table = _cache[code] = _load(code)
    return lambda text: table.get(text, text)


def _identity(text: str) -> str:
    return text


def N_(text: str) -> str:
    """Marks a text for ``make messages`` without translating it: a constant (a mood, a
    built-in prompt) is translated with ``gettext_for(lang)`` where it is shown."""
    return text


def render(lang: str | None, text: str, /, **params: object) -> str:
    """A marked text (``N_()``) with its values, in ``lang``: English when ``lang`` is English
    or unknown, when the text is untranslated, or when the translation is broken (a placeholder
    it lacks), so a message is never lost. A value that has ``message_in`` (a ``KindredError``:
    a marked phrase with its own values) is shown in the same language as the text around it."""
    english = text.format(**params) if params else text
    if not lang or lang == "en":
        return english
    translated = gettext_for(lang)(text)
    if translated == text:
        return english
    values = {
        name: value.message_in(lang) if hasattr(value, "message_in") else value
        for name, value in params.items()
    }
    try:
        return translated.format(**values) if values else translated
    except (KeyError, IndexError, ValueError):
        return english


def lang_from_locale(locale: object) -> str | None:
    """Discord's ``interaction.locale`` ("es-ES", "pt-BR", "de") → one of our languages."""
    value = str(getattr(locale, "value", locale) or "").lower()
    code = value.split("-")[0]
    return code if code in ("en", "es", "fr", "de", "pt") else None


class Joined(str):
    """Items joined as a list in the reader's language (Babel's ``format_list``: ``style``
    ``"standard"``, "a, b y c", or ``"or"``, "a, b o c"): a value for ``render`` (it has
    ``message_in``). The string is the English as Kindred always wrote it (``english``, the
    separator: ``", "`` or ``" or "``), so English texts stay as they were."""

    items: tuple[str, ...]
    style: str

    def __new__(cls, items: list[str], *, style: str = "standard", english: str = ", ") -> Joined:
        self = super().__new__(cls, english.join(items))
        self.items, self.style = tuple(items), style
        return self

    def message_in(self, lang: str | None) -> str:
        if not lang or lang == "en" or len(self.items) < 2:
            return str(self)
        from babel.lists import format_list

        try:
            return format_list(list(self.items), style=self.style, locale=lang)
        except Exception:  # an unknown locale or style: the English list still helps
            return str(self)


def local_datetime(moment: datetime, tz: str, lang: str | None, *, year: bool = True) -> str:
    """A moment as wall-clock text in the zone ``tz``, in the reader's language: English as
    Kindred always wrote it (``Mon 30 Mar 2026, 09:00 BST``; without the year and the zone,
    ``Mon 30 Mar, 09:00``), elsewhere the locale's own short weekday, day and month from
    Babel (``qua., 2 de dez. de 2026 20:00 UTC``). The zone's abbreviation follows the year."""
    import zoneinfo

    local = moment.astimezone(zoneinfo.ZoneInfo(tz))
    zone = f" {local:%Z}" if year else ""
    if lang and lang != "en":
        from babel.core import Locale
        from babel.dates import format_skeleton, format_time

        try:
            locale = Locale.parse(lang.replace("-", "_"))
            day = format_skeleton("yMMMEd" if year else "MMMEd", local, locale=locale)
            clock = format_time(local, "HH:mm", locale=locale)
            pattern = str(locale.datetime_formats.get("medium", "{1} {0}"))
            return pattern.replace("{1}", day).replace("{0}", clock) + zone
        except Exception:  # an unknown locale: the English still says when
            pass
    return (
        local.strftime("%a %d %b %Y, %H:%M") + zone if year else local.strftime("%a %d %b, %H:%M")
    )
