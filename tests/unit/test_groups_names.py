"""Property tests for group names: whatever a moderator types, Kindred either refuses it with a
clear message or keeps a name Discord accepts as a role, whose channel name is valid too."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.errors import InvalidInputError
from bot.services.groups.rules import (
    MAX_NAME,
    MIN_NAME,
    NAME_PUNCTUATION,
    channel_slug,
    name_key,
    parse_group_name,
)

HOSTILE = st.sampled_from(
    ["", " ", "@everyone", "Here", "\u200bGrief", "\u202eevil", "a\x00b", "💀 circle",
     "x" * 41, "**bold**", "<@&123>", "Grief\ncircle", "ＧＲＩＥＦ", "İstanbul group", "-- --",
     "& .", "e\u0301"]
)  # fmt: skip
TEXT = st.one_of(HOSTILE, st.text(max_size=60), st.text(alphabet="aZ9 -_'&.éß\u0301", max_size=45))


@given(TEXT)
@example("  Grief   &  loss ")
@example("ﬁre circle")  # NFKC: the ligature becomes "fi"
def test_a_name_is_refused_or_valid_for_discord(text: str) -> None:
    try:
        name = parse_group_name(text)
    except InvalidInputError as exc:
        assert exc.user_message  # a clear message, never a crash
        return
    assert MIN_NAME <= len(name) <= MAX_NAME <= 100  # Discord: roles up to 100 characters
    assert name == name.strip() and "  " not in name
    assert all(c.isalnum() or c in NAME_PUNCTUATION for c in name)
    assert any(c.isalnum() for c in name)
    assert name.casefold() not in ("everyone", "here")
    assert unicodedata.normalize("NFKC", name) == name
    assert parse_group_name(name) == name  # idempotent: what is stored parses to itself
    slug = channel_slug(name)
    assert 1 <= len(slug) <= 100  # Discord: channel names 1 to 100 characters
    assert slug == slug.lower() and not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug and all(c.isalnum() or c in "-_" for c in slug)


@given(st.text(alphabet="abcXYZ 12", min_size=2, max_size=30))
def test_case_and_spacing_do_not_make_a_new_name(text: str) -> None:
    try:
        name = parse_group_name(text)
    except InvalidInputError:
        return
    assert name_key(parse_group_name(text.upper())) == name_key(name)
    assert name_key(parse_group_name(f"  {text}  ")) == name_key(name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "2 to 40"),
        ("@everyone", "letters, numbers"),
        ("everyone", "mention of everyone"),
        ("- -", "at least one letter"),
        ("a\u200bb", "not"),
    ],
)
def test_refusals_say_what_to_change(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_group_name(text)
