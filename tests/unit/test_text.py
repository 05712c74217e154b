"""Tidying what members type, and cutting long text into Discord messages without losing a
word (bot/text.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import (
    clean_block,
    clean_line,
    fit_lines,
    has_visible,
    open_marks,
    pings_and_text,
    prefixed_messages,
    shorten,
    split_text,
)

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200b\u200d", "\u202e", "\x00"]


@pytest.mark.parametrize("blank", [*INVISIBLE, "\u3164", "\u2800", "\u115f\u1160", "\u0301"])
def test_text_of_only_invisible_characters_is_empty(blank: str) -> None:
    assert not has_visible(blank)
    assert clean_line(f" {blank} {blank}\n") == ""
    assert clean_block(f"{blank}\n\n{blank}\t\r\n{blank}") == ""


def test_tidying_drops_control_and_format_characters_and_keeps_joiners_inside_words() -> None:
    assert clean_line("  walk\n\x00 ten\u202e   minutes\u200b ") == "walk ten minutes"
    mending = "\u2764\ufe0f\u200d\U0001fa79"  # ❤️‍🩹 is one emoji only with its joiner
    assert clean_line(f"a {mending} day") == f"a {mending} day"
    assert clean_line("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian: the ZWNJ is spelling
    )
    assert clean_line("\u200dhi\u200d \u200c there\u200d") == "hi there"  # at no word's edge
    assert clean_block("one\r\n\r\n\r\n\r\ntwo  \n\u3164x") == "one\n\ntwo\n\u3164x"


BLACK_FLAG, CANCEL = "\U0001f3f4", "\U000e007f"


def tags(letters: str) -> str:
    """Tag characters spelling ``letters`` (the region code of a subdivision flag)."""
    return "".join(chr(0xE0000 + ord(c)) for c in letters)


SCOTLAND = BLACK_FLAG + tags("gbsct") + CANCEL


def test_a_subdivision_flag_keeps_its_tags_and_stray_tags_are_dropped() -> None:
    assert clean_line(f"home {SCOTLAND} and 👩\u200d👧") == f"home {SCOTLAND} and 👩\u200d👧"
    assert clean_block(f"{SCOTLAND}\n{SCOTLAND}") == f"{SCOTLAND}\n{SCOTLAND}"
    assert clean_line(f"a{tags('hidden')}b") == "ab"  # text hidden in tags
    assert clean_line(f"{BLACK_FLAG}{tags('gbsct')} x") == f"{BLACK_FLAG} x"  # no cancel tag
    assert clean_line(f"x {tags('gbsct')}{CANCEL}") == "x"  # no black flag
    assert clean_line(f"{SCOTLAND}{tags('a')}") == SCOTLAND  # a tag after the cancel tag
    assert clean_line(f"{BLACK_FLAG}{CANCEL}") == BLACK_FLAG  # nothing between


_TAG_LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)
_FLAGS = _TAG_LETTERS.map(lambda code: (BLACK_FLAG + tags(code) + CANCEL,) * 2)
_STRAY = st.one_of(
    _TAG_LETTERS.map(lambda code: (tags(code), "")),
    _TAG_LETTERS.map(lambda code: (tags(code) + CANCEL, "")),
    _TAG_LETTERS.map(lambda code: (BLACK_FLAG + tags(code), BLACK_FLAG)),
    st.just((CANCEL, "")),
)


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="ab é\n\u200d", min_size=1, max_size=8), st.one_of(_FLAGS, _STRAY)
        ),
        max_size=12,
    ),
    st.text(alphabet="ab é\n", min_size=1, max_size=8),
)
def test_tag_sequences_are_kept_stray_tags_dropped_and_nothing_else_changes(
    pieces: list[tuple[str, tuple[str, str]]], last: str
) -> None:
    """Words between flags and stray tags (a word ends each, so no two pieces make one
    sequence): the text is tidied as the same words with only the stray tags taken out."""
    typed = "".join(word + special for word, (special, _) in pieces) + last
    meant = "".join(word + kept for word, (_, kept) in pieces) + last
    assert clean_block(typed) == clean_block(meant)
    assert clean_line(typed) == clean_line(meant)
    flags = sum(1 for _, (special, kept) in pieces if special == kept)
    assert clean_block(typed).count(CANCEL) == flags


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


def _bare(text: str) -> str:
    """Text without Discord's spoiler and code-block markers or whitespace: what a cut that
    closes and reopens them must keep, in order."""
    return re.sub(r"\|\||```(?:[A-Za-z0-9_+#.-]{1,20}(?=\n))?|\s", "", text)


@given(
    st.lists(
        st.sampled_from(
            ["ab", "cd ", " ", "\n", "\n\n", "||", "```", "```py\n", "|", "`", "x" * 30]
        ),
        max_size=120,
    ).map("".join),
    st.integers(min_value=80, max_value=200),
)
def test_a_marked_cut_keeps_spoilers_and_code_blocks_whole_in_every_piece(
    text: str, limit: int
) -> None:
    pieces = split_text(text, limit, marked=True)
    assert all(1 <= len(p) <= limit for p in pieces)
    for piece in pieces[:-1]:
        code, spoiler, _ = open_marks(piece)
        assert code is None and not spoiler, piece  # nothing left open at a cut
        assert piece.count("```") % 2 == 0
    if pieces:  # the last piece leaves open only what the writer left open
        assert open_marks(pieces[-1])[:2] == open_marks(text)[:2]
    assert _bare("".join(pieces)) == _bare(text)


def test_a_code_block_cut_on_its_first_line_keeps_its_words_as_code() -> None:
    """Cut before the block's first line break, the piece closed with a line break and a
    fence would make the words after the opening fence its language tag, which Discord
    hides (hypothesis found it: 60 x, a fence, 30 x, limit 80)."""
    text = "x" * 60 + "```" + "y" * 30
    pieces = split_text(text, 80, marked=True)
    assert len(pieces) == 2 and all(len(p) <= 80 for p in pieces)
    assert pieces[0].endswith("y```") and "\n" not in pieces[0]
    assert pieces[1].startswith("```\n")
    assert _bare("".join(pieces)) == _bare(text) == "x" * 60 + "y" * 30


def test_a_spoiler_cut_in_two_is_closed_and_reopened() -> None:
    text = "before " * 5 + "||" + "hidden words " * 10 + "|| after"
    pieces = split_text(text, 100, marked=True)
    assert len(pieces) >= 2 and all(len(p) <= 100 for p in pieces)
    assert pieces[0].endswith("||") and pieces[1].startswith("||")
    assert all(p.count("||") % 2 == 0 for p in pieces)


def test_a_code_block_cut_in_two_is_closed_and_reopened_in_its_language() -> None:
    text = "look:\n```py\n" + "print('hello there')\n" * 10 + "```\ndone"
    pieces = split_text(text, 120, marked=True)
    assert len(pieces) >= 2
    assert pieces[0].endswith("\n```") and pieces[1].startswith("```py\n")
    assert all(p.count("```") % 2 == 0 for p in pieces)
    assert _bare("".join(pieces)) == _bare(text)


def test_text_without_markers_is_cut_as_before() -> None:
    text = "I have been struggling a lot lately. " * 60
    assert split_text(text, 500, marked=True) == split_text(text, 500)


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


def test_shorten_keeps_what_fits_and_marks_a_cut_after_a_word() -> None:
    assert shorten("Grief circle", 20) == "Grief circle"
    assert shorten("Monday evening grief circle", 20) == "Monday evening…"
    assert shorten("x" * 30, 10) == "x" * 9 + "…"
    assert all(len(shorten("word " * n, 17)) <= 17 for n in range(12))


def test_fit_lines_keeps_whole_lines_and_says_how_many_were_left_out() -> None:
    lines = [f"line {n} of the list" for n in range(10)]
    assert fit_lines(lines, 1000) == "\n".join(lines)
    text = fit_lines(lines, 100, "…and {n} more.")
    assert len(text) <= 100
    shown = text.split("\n")
    assert shown[:-1] == lines[: len(shown) - 1]
    assert shown[-1] == f"…and {len(lines) - len(shown) + 1} more."
    assert fit_lines(["a" * 50, "b"], 20, "+{n}") == "a" * 16 + "…\n+1"


@given(
    st.lists(st.text(alphabet="ab ", min_size=1, max_size=30), max_size=30),
    st.integers(min_value=30, max_value=200),
)
def test_fit_lines_never_passes_the_limit(lines: list[str], limit: int) -> None:
    assert len(fit_lines(lines, limit)) <= limit


def test_pings_and_text_keep_the_whole_alert_and_every_ping() -> None:
    body = "A member may need support. " * 10
    assert pings_and_text(["<@1>", "<@2>"], body) == ["<@1> <@2>\n" + body]
    mentions = [f"<@{n:018d}>" for n in range(150)]
    messages = pings_and_text(mentions, body, 2000)
    assert messages[0].endswith("\n" + body) and len(messages) > 1
    assert all(len(m) <= 2000 for m in messages)
    sent = " ".join(m.removesuffix("\n" + body) for m in messages).split()
    assert sent == mentions
