"""Cutting a library page's Markdown into pieces that fit one Discord embed each.

``split_text`` never loses or reorders a character: joining its pieces gives the text back
exactly, and no piece is longer than the limit. It prefers to cut before a heading (a section
then starts a page), then at a blank line, then at a line break, then between words; only a
run with none of those (a very long word or link) is cut where the limit falls.
``page_texts`` is what readers see: the same pieces with the whitespace at their edges
trimmed, and whitespace-only pieces left out.
"""

from __future__ import annotations

import re

#: Where a piece may end, best first (each kept at the end of the piece before the cut).
SEPARATORS = ("\n\n", "\n", " ")
_HEADING = re.compile(r"(?m)^(?=#{1,6}[ \t])")


def _sections(text: str) -> list[str]:
    """The text cut before every Markdown heading line (``# ...`` to ``###### ...``)."""
    return [part for part in _HEADING.split(text) if part]


def _split_keep(text: str, sep: str) -> list[str]:
    """``"a\\n\\nb"`` on ``"\\n\\n"`` → ``["a\\n\\n", "b"]``: separators stay with the left part."""
    parts = text.split(sep)
    pieces = [part + sep for part in parts[:-1]]
    if parts[-1]:
        pieces.append(parts[-1])
    return [p for p in pieces if p]


def _pack(pieces: list[str], limit: int) -> list[str]:
    """Join neighbouring pieces (each at most ``limit`` long) while they fit in ``limit``."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) > limit:
            packed.append(current)
            current = ""
        current += piece
    if current:
        packed.append(current)
    return packed


def _fit(text: str, limit: int, separators: tuple[str, ...] = SEPARATORS) -> list[str]:
    """Pieces of ``text``, each at most ``limit`` long, cut at the best separator available."""
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pieces: list[str] = []
    for part in _split_keep(text, separators[0]):
        pieces.extend(_fit(part, limit, separators[1:]))
    return _pack(pieces, limit)


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters; ``"".join`` gives it back.

    A section (from one heading to the next) is never split when it fits on a page of its
    own; sections that fit together share a page."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pages: list[str] = []
    current = ""
    for section in _sections(text):
        if len(current) + len(section) <= limit:
            current += section
            continue
        if current:
            pages.append(current)
            current = ""
        if len(section) <= limit:
            current = section
            continue
        for piece in _fit(section, limit):
            if current and len(current) + len(piece) > limit:
                pages.append(current)
                current = ""
            current += piece
    if current:
        pages.append(current)
    return pages


def page_texts(text: str, limit: int) -> list[str]:
    """What a reader sees page by page: ``split_text`` with each piece's edges trimmed."""
    return [piece.strip() for piece in split_text(text, limit) if piece.strip()]
