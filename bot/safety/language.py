"""A cheap guess at a message's language from its most common small words: what the
assessor uses when no model is loaded (the model knows the language of what it reads)."""

from __future__ import annotations

__all__ = ["guess_language"]

_LANG_HINTS = {
    "es": {"que", "de", "no", "me", "y", "el", "la", "quiero", "estoy", "pero", "todo", "mi"},
    "pt": {"que", "de", "nao", "eu", "e", "o", "a", "quero", "estou", "mas", "tudo", "voce"},
    "fr": {"je", "de", "pas", "le", "la", "et", "les", "suis", "veux", "jai", "mais", "tout"},
    "de": {"ich", "und", "nicht", "die", "der", "das", "mich", "bin", "will", "aber", "ist"},
}


def guess_language(text: str) -> str:
    """A cheap fallback when no model is loaded: the most common small words."""
    words = set(text.casefold().replace("ã", "a").split())
    best, hits = "en", 1
    for lang, hints in _LANG_HINTS.items():
        n = len(words & hints)
        if n > hits:
            best, hits = lang, n
    return best
