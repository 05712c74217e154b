"""The short answers a member can type in a DM to Kindred's check-in: "not now" and "stop
these", in every language Kindred speaks.

A whole message must be one of the phrases (any case, accents optional, extra spaces and a
final "." or "!" allowed): "not now, I'm scared" is a message to read, not an answer. The
phrases are the ones the translated replies teach (``data/locale/*``: "Reply **not now** ...").
"""

from __future__ import annotations

import re
from typing import Literal

from bot.text import fold

__all__ = ["NOT_NOW_PHRASES", "STOP_PHRASES", "dm_words", "plain"]

Answer = Literal["stopped", "not_now"]

# Written without accents: what the member types is compared accent-free.
STOP_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("stop these", "stop these messages"),
    "es": ("detener estos", "detener estos mensajes", "parar estos mensajes"),
    "fr": ("arreter ces messages", "arrete ces messages", "arreter ces"),
    "de": ("diese stoppen", "diese nachrichten stoppen", "stopp diese nachrichten"),
    "pt": ("parar estas", "parar estas mensagens", "pare estas mensagens"),
}
NOT_NOW_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("not now",),
    "es": ("ahora no",),
    "fr": ("pas maintenant",),
    "de": ("jetzt nicht",),
    "pt": ("agora nao",),
}

_TRAILING = re.compile(r"[\s.!]+$")


def plain(text: str) -> str:
    """Lower case, no accents, single spaces, no final "." or "!" (``bot.text.fold``)."""
    return _TRAILING.sub("", fold(text))


_TABLE: dict[str, tuple[Answer, str]] = {}
for _lang, _phrases in STOP_PHRASES.items():
    _TABLE.update(dict.fromkeys(_phrases, ("stopped", _lang)))
for _lang, _phrases in NOT_NOW_PHRASES.items():
    _TABLE.update(dict.fromkeys(_phrases, ("not_now", _lang)))


def dm_words(text: str) -> tuple[Answer, str] | None:
    """("stopped" or "not_now", the language of the phrase) when the whole message is one of
    the answers, else None."""
    if len(text) > 64:
        return None
    return _TABLE.get(plain(text))
