"""Cutting text that is longer than one Discord message into messages, losing nothing.

No Discord and no database: the relay (``cogs/support/relay.py``) and the transcript DMs
(``bot/services/requests/rules.py``) both use it. ``split_text`` gives pieces whose join is
the text exactly; ``prefixed_messages`` is what a person reads: each piece under a label.
"""

from __future__ import annotations

DISCORD_LIMIT = 2000  # characters in one message Kindred sends

#: Where a piece may end, best first (each stays at the end of the piece before the cut).
SEPARATORS = ("\n\n", "\n", " ")


def _cut(window: str) -> int:
    """Where to end the next piece inside ``window`` (a full-length one): after the best
    separator in its second half, else after the last separator at all, else at its end."""
    for least in (len(window) // 2, 1):
        for sep in SEPARATORS:
            at = window.rfind(sep)
            if at >= least:
                return at + len(sep)
    return len(window)


def split_text(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters; ``"".join`` gives it back.

    A piece ends after a blank line, else a line break, else a space; only a run with none of
    those (a very long word or link) is cut where the limit falls. No text, no pieces."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest[:limit])
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def prefixed_messages(prefix: str, text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """``text`` as messages of at most ``limit`` characters, each starting with ``prefix``
    (so every part says whose words it carries). Whitespace at the cuts is trimmed and
    blank parts are left out (Discord refuses an empty message); every word is kept."""
    room = limit - len(prefix)
    if room < 1:
        raise ValueError("the prefix leaves no room for text")
    return [prefix + piece.strip() for piece in split_text(text, room) if piece.strip()]
