"""The page splitter (property tests): pages never exceed the limit, never lose or reorder a
character, prefer headings, and every page Discord sees fits its embed limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.selfhelp import (
    MAX_ANSWER,
    PAGE_CHARS,
    QUESTIONS,
    Library,
    PlanRow,
    Reading,
    SharedWith,
    page_texts,
    split_text,
)
from bot.services.selfhelp.library import MAX_BODY, parse_page
from cogs.selfhelp.text import page_embed, plan_embed, shared_lines
from cogs.selfhelp.views import page_view

WORDS = st.sampled_from(
    ["calm", "breathe", "a", "walk", "💙", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "x" * 50, "y" * 1500, "[link](https://e.x/a)"]
)
PIECES = st.one_of(
    WORDS,
    st.sampled_from([" ", "\n", "\n\n", "\n\n\n", "## Heading\n", "# Big\n", "### small\n", "- "]),
    st.text(max_size=30),
)
MARKDOWN = st.lists(PIECES, max_size=400).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=MARKDOWN, limit=st.integers(min_value=1, max_value=4096))
def test_pieces_fit_and_give_the_text_back(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= limit for p in pieces)


@settings(max_examples=300, deadline=None)
@given(text=MARKDOWN, limit=st.integers(min_value=20, max_value=4096))
def test_what_readers_see_loses_nothing_but_edge_whitespace(text: str, limit: int) -> None:
    pages = page_texts(text, limit)
    assert all(0 < len(p) <= limit and p == p.strip() for p in pages)
    assert re.sub(r"\s", "", "".join(pages)) == re.sub(r"\s", "", text)


def test_a_section_that_fits_starts_a_page_of_its_own() -> None:
    text = "## One\n" + "a " * 200 + "\n## Two\n" + "b " * 200
    pages = split_text(text, 500)
    assert [p.split("\n", 1)[0] for p in pages] == ["## One", "## Two"]
    small = "## One\nshort\n## Two\nshort too\n"
    assert split_text(small, 500) == [small]  # small sections share a page


def test_an_oversized_section_is_cut_at_paragraphs_then_lines_then_words() -> None:
    para = "word " * 50
    text = "## Long\n" + "\n\n".join([para] * 6)
    pages = split_text(text, 600)
    assert all(p.endswith("\n\n") or p is pages[-1] for p in pages)
    unbroken = "z" * 1000
    assert split_text(unbroken, 300) == ["z" * 300] * 3 + ["z" * 100]


@settings(max_examples=60, deadline=None)
@given(body=st.lists(PIECES, min_size=1, max_size=300).map("".join))
def test_every_page_fits_a_discord_embed_with_its_buttons(body: str) -> None:
    body = (body.strip() or "text")[: MAX_BODY - 100] + "\n\n`/support` · `/crisis`"
    head = (
        '+++\ntitle = "'
        + "T" * 90
        + '"\ntags = ["t"]\nlanguage = "en"\nreviewed = 2026-11-01\n'
        + "".join(
            f'[[source]]\nname = "{"n" * 100}"\nurl = "https://e.org/{"p" * 250}{i}"\n'
            for i in range(6)
        )
        + "+++\n"
    )
    try:
        page = parse_page(head + body, slug="t" * 40, where="t.md", guild_id=2**63 - 1)
    except Exception as exc:  # too many pages for the library: refused, never sent
        assert "embed pages" in str(exc)
        return
    for index in range(page.count):
        reading = Reading(page, index, 2**63 - 1)
        embed = page_embed(reading)
        assert len(embed) <= 6000 and len(embed.description or "") <= 4096
        assert all(len(f.value or "") <= 1024 for f in embed.fields)
        for item in page_view(reading, 2**63 - 1).children:
            assert len(item.custom_id or "") <= 100  # type: ignore[attr-defined]


def test_shipped_pages_use_the_configured_page_size() -> None:
    for page in Library.load().topics(None):
        assert all(len(p) <= PAGE_CHARS for p in page.pages)
        assert isinstance(page_embed(Reading(page, 0, 0)), discord.Embed)


def test_a_full_plan_fits_one_embed() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    plan = PlanRow(1, {q.key: "é" * MAX_ANSWER for q in QUESTIONS}, now, now)
    shares = [SharedWith(2**63 - i, now, now) for i in range(3)]
    embed = plan_embed(plan, title="Your wellness plan", intro=shared_lines(shares) * 2)
    assert len(embed.fields) == len(QUESTIONS) and len(embed) <= 6000
