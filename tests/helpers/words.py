"""A line's words and the gaps between them, as written, for properties that rewrite words."""

from __future__ import annotations

import re


def words_and_gaps(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` and the gaps between them (``len(gaps) == len(words) - 1``), so
    ``words[0] + "".join(g + w for g, w in zip(gaps, words[1:]))`` gives ``text`` back. A line
    of spaced letters marks its word breaks with wider gaps ("W ü n s c h t e ,  e s  w ä r
    e"): its words are what those gaps separate (rejoining with single spaces would erase the
    breaks)."""
    parts = re.split(r"(\s{2,})" if re.search(r"\s{2,}", text) else r"(\s+)", text)
    return parts[0::2], parts[1::2]
