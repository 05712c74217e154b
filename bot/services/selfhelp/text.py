"""Tidying what members type before it is stored: no control characters (a NUL or a
right-to-left override cannot hide inside a goal), no runs of blank lines."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _printable(text: str, keep: str = "") -> str:
    return "".join(ch for ch in text if ch in keep or not unicodedata.category(ch).startswith("C"))


def clean_line(text: str | None) -> str:
    """One line: control and format characters removed, whitespace collapsed."""
    return _SPACES.sub(" ", _printable(text or "", keep=" \t\n")).strip()


def clean_block(text: str | None) -> str:
    """A few paragraphs: line breaks kept (at most one blank line in a row), edges trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in _printable(text, keep="\n\t").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
