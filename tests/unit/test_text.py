"""Cutting long text into Discord messages without losing a word (bot/text.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import prefixed_messages, split_text


def test_short_text_is_one_piece_and_no_text_no_pieces() -> None:
    assert split_text("hello", 10) == ["hello"]
    assert split_text("", 10) == []


def test_cuts_after_a_blank_line_then_a_line_break_then_a_space() -> None:
    assert split_text("aaaa bbbb\n\ncccc", 12) == ["aaaa bbbb\n\n", "cccc"]
    assert split_text("aaaa bbbb\ncccc dd", 12) == ["aaaa bbbb\n", "cccc dd"]
    assert split_text("aaaa bbbb cccc", 12) == ["aaaa bbbb ", "cccc"]


def test_a_separator_early_in_the_window_does_not_make_a_tiny_piece() -> None:
    # the blank line is near the start: cutting there would leave a two-letter message
    assert split_text("aa\n\nbbbbbb cccc", 12) == ["aa\n\nbbbbbb ", "cccc"]


def test_a_run_without_spaces_is_cut_where_the_limit_falls() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(alphabet="ab \n", max_size=400), st.integers(min_value=1, max_value=50))
def test_nothing_is_lost_and_no_piece_is_too_long(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(1 <= len(p) <= limit for p in pieces)


def test_prefixed_messages_label_every_part_and_keep_every_word() -> None:
    text = "I have been struggling a lot lately. " * 60 + "THE END"
    messages = prefixed_messages("**Peer:** ", text)
    assert len(messages) == 2
    assert all(m.startswith("**Peer:** ") and len(m) <= 2000 for m in messages)
    words = " ".join(m.removeprefix("**Peer:** ") for m in messages).split()
    assert words == text.split()


def test_prefixed_messages_leave_out_blank_parts() -> None:
    assert prefixed_messages("> ", "a" + " " * 30 + "b", limit=12) == ["> a", "> b"]
    assert prefixed_messages("> ", "   ") == []
    with pytest.raises(ValueError):
        prefixed_messages("x" * 10, "text", limit=10)
