from __future__ import annotations

import pytest

from bot.safety.normalize import MAX_CHARS, normalize, normalize_ex


def n(text: str) -> str:
    return normalize(text).strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I WANT TO DIE", "i want to die"),  # casefold
        ("ｋｉｌｌ", "kil"),  # NFKC fullwidth (+ squeeze)
        ("k\u200bi\u200dl\u00adl", "kil"),  # Cf characters removed
        ("kіll", "kil"),  # Cyrillic і
        ("ΚΙΛΛ"[0:1].lower() + "ill", "kil"),  # Greek kappa
        ("suicídio", "suicidio"),  # accents stripped
        ("müde", "mude"),
        ("k!ll mys3lf", "kil myself"),  # leet
        ("su1c1de", "suicide"),
        ("ki11", "kil"),
        ("qu1ero", "quiero"),
        ("$uicid4l", "suicidal"),
        ("g00dby3", "godbye"),
        ("s u i c i d e", "suicide"),  # spaced letters
        ("k.i.l.l m.y.s.e.l.f", "kil myself"),
        ("q u i e r o  m o r i r", "quiero morir"),
        ("diiiie", "die"),  # squeeze
        ("sooo", "so"),
        ("don't", "dont"),  # apostrophes
        ("don’t", "dont"),
        ("hi, there!", "hi . there ."),  # clause markers
    ],
)
def test_transformations(raw: str, expected: str) -> None:
    assert n(raw) == expected


def test_numbers_without_letters_untouched() -> None:
    assert n("kill -9 1234") == "kil 9 1234"
    assert n("2 am and 100%") == "2 am and 100"


def test_padding_and_spaced_flag() -> None:
    text, spaced = normalize_ex("k i l l m y s e l f")
    assert text.startswith(" ") and text.endswith(" ")
    assert spaced is True
    assert normalize_ex("k.i.l.l")[1] is False
    assert normalize_ex("hello there")[1] is False


def test_spoilers_are_read() -> None:
    assert n("||i want to die||") == "i want to die"


def test_quotes_and_code_are_skipped() -> None:
    assert n("> i want to die\nmy reply") == "my reply"
    assert n("before\n>>> quoted rest\nmore quoted") == "before"
    assert n("```\nkill -9 1\n```after") == "after"
    assert n("use `kill` now") == "use now"


def test_urls_emoji_mentions_removed() -> None:
    assert n("read https://example.com/kill-myself now") == "read now"
    assert n("<:kms:12345> <@123> <@!456> <#789> <@&1> ok") == "ok"


def test_length_is_bounded() -> None:
    text = normalize("a " * (MAX_CHARS * 5))
    assert len(text) <= MAX_CHARS + 2
