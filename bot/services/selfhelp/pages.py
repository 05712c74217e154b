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

from bot.text import split_text as split_pieces

_HEADING = re.compile(r"(?m)^(?=#{1,6}[ \t])")


def _sections(text: str) -> list[str]:
    """The text cut before every Markdown heading line (``# ...`` to ``###### ...``)."""
    return [part for part in _HEADING.split(text) if part]


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
        for piece in split_pieces(section, limit):  # cut at paragraphs, lines, words
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
