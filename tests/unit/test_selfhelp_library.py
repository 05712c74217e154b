"""The self-help library loader: every shipped page is valid, safe and sourced; broken
front-matter, bad dates and oversized pages are refused at start-up with a clear message."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest

import bot.services.selfhelp.library as library_module
from bot.__main__ import EXIT_CONFIG, main
from bot.services.selfhelp import Library, LibraryError, load_pages, parse_page
from tests.unit.test_safe_messages import assert_safe

REQUIRED_TOPICS = {
    "grounding", "breathing", "sleep", "loneliness", "relapse-prevention",
    "talking-to-a-doctor", "peer-respite", "what-is-peer-support",
}  # fmt: skip
GOOD_HEAD = """+++
title = "Breathing"
tags = ["breathing"]
language = "en"
reviewed = 2026-11-30

[[source]]
name = "NHS"
url = "https://www.nhs.uk/"
+++
"""
GOOD_BODY = "Breathe slowly.\n\nA peer can listen: `/support`. Urgent? `/crisis`.\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str, name: str = "page.md") -> str:
    write(tmp_path, name, text)
    with pytest.raises(LibraryError) as caught:
        load_pages(tmp_path)
    return str(caught.value)


# -- the shipped library ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> Library:
    return Library.load()


def test_every_shipped_file_loads_and_the_required_topics_exist(shipped: Library) -> None:
    slugs = {p.slug for p in shipped.topics(None)}
    assert slugs >= REQUIRED_TOPICS
    assert len(shipped) == len(list(library_module.DEFAULT_DIR.glob("*.md")))


def test_every_shipped_page_is_reviewed_sourced_and_ends_with_a_peer_and_crisis(
    shipped: Library,
) -> None:
    for page in shipped.topics(None):
        assert page.meta.reviewed == date(2026, 12, 1), page.slug
        assert page.language == "en" and page.meta.tags
        assert all(s.url.startswith("https://") for s in page.meta.source), page.slug
        last = page.pages[-1]
        assert "/support" in last and "/crisis" in last, page.slug
        assert 1 <= page.count <= 4, page.slug


def test_shipped_pages_use_safe_plain_language(shipped: Library) -> None:
    """No methods or means, no judgement, no diagnosis (the safe-message word list)."""
    for page in shipped.topics(None):
        assert_safe(page.title + "\n" + page.meta.summary + "\n" + page.body)


def test_the_respite_page_links_the_respite_listings(shipped: Library) -> None:
    page = shipped.get("peer-respite", None)
    assert page is not None and "`/respite`" in page.body
    assert any("power2u.org" in s.url for s in page.meta.source)


def test_the_wellness_plan_page_says_it_is_inspired_by_wrap_not_wrap(shipped: Library) -> None:
    page = shipped.get("wellness-plan", None)
    assert page is not None
    assert "inspired by" in page.body and "**not** WRAP itself" in page.body


# -- loading rules ----------------------------------------------------------------------------
def test_a_good_page_loads(tmp_path: Path) -> None:
    write(tmp_path, "breathing.md", GOOD_HEAD + GOOD_BODY)
    (page,) = load_pages(tmp_path)
    assert page.slug == "breathing" and page.guild_id is None and page.count == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_BODY, "must start with a '+++' line"),
        ("+++\ntitle = 'x'\n" + GOOD_BODY, "no closing '+++'"),
        (GOOD_HEAD.replace('title = "Breathing"\n', ""), "title: Field required"),
        (GOOD_HEAD.replace("[[source]]", "[[sauce]]") + GOOD_BODY, "sauce: unknown field"),
        (GOOD_HEAD.replace('tags = ["breathing"]', "tags = []") + GOOD_BODY, "tags"),
        (GOOD_HEAD.replace('language = "en"', 'language = "english"') + GOOD_BODY, "language"),
        (GOOD_HEAD.replace("2026-11-30", '"2026-11-30"') + GOOD_BODY, "TOML date without quotes"),
        (GOOD_HEAD.replace("2026-11-30", "2026-11-30T10:00:00") + GOOD_BODY, "TOML date"),
        (GOOD_HEAD.replace("2026-11-30", "2026-02-30") + GOOD_BODY, "not valid TOML"),
        (GOOD_HEAD.replace("2026-11-30", "2019-12-31") + GOOD_BODY, "plausible review date"),
        (GOOD_HEAD.replace("https://www.nhs.uk/", "www.nhs.uk") + GOOD_BODY, "source.0.url"),
        (GOOD_HEAD, "no text after the front-matter"),
        (GOOD_HEAD + "Breathe.\n", "missing near the end: /support, /crisis"),
        (GOOD_HEAD + "Ask `/support` first.\n" + "Then breathe. " * 100, "/support, /crisis"),
        (GOOD_HEAD + "word " * 3000 + GOOD_BODY, "at most 12000"),
        (GOOD_HEAD + ("## Part\n" + "word " * 210 + "\n") * 9 + GOOD_BODY, "embed pages"),
    ],
)
def test_broken_pages_are_refused_with_the_file_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    found = problem(tmp_path, text)
    assert found.startswith("page.md: ") and message in found, found


def test_a_review_date_after_the_file_was_saved_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "page.md", GOOD_HEAD.replace("2026-11-30", "2026-11-20") + GOOD_BODY)
    saved = time.mktime((2026, 11, 10, 12, 0, 0, 0, 0, -1))
    os.utime(path, (saved, saved))
    with pytest.raises(LibraryError, match=r"2026-11-20 is not a plausible review date"):
        load_pages(tmp_path)


def test_file_names_folders_and_duplicates_are_checked(tmp_path: Path) -> None:
    assert "file names are lowercase" in problem(tmp_path, GOOD_HEAD + GOOD_BODY, "Bad Name.md")
    (tmp_path / "Bad Name.md").unlink()
    write(tmp_path, "breathing.md", GOOD_HEAD + GOOD_BODY)
    write(tmp_path, "breathing.copy.md", GOOD_HEAD + GOOD_BODY)
    with pytest.raises(LibraryError, match="a second 'breathing' page in language 'en'"):
        load_pages(tmp_path)
    (tmp_path / "breathing.copy.md").unlink()
    write(tmp_path / "guilds" / "my-server", "x.md", GOOD_HEAD + GOOD_BODY)
    with pytest.raises(LibraryError, match="named by the server's id"):
        load_pages(tmp_path)


def test_an_empty_or_missing_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="folder is missing"):
        load_pages(tmp_path / "nowhere")
    write(tmp_path, "README.md", "notes for maintainers")
    with pytest.raises(LibraryError, match="no pages"):
        load_pages(tmp_path)


def test_a_servers_own_pages_add_to_and_replace_shipped_ones_there_only(tmp_path: Path) -> None:
    write(tmp_path, "breathing.md", GOOD_HEAD + GOOD_BODY)
    write(tmp_path, "breathing.es.md", GOOD_HEAD.replace('"en"', '"es"').replace(
        '"Breathing"', '"Respirar"') + GOOD_BODY)  # fmt: skip
    ours = GOOD_HEAD.replace('"Breathing"', '"Our breathing corner"')
    write(tmp_path / "guilds" / "42", "breathing.md", ours + GOOD_BODY)
    write(tmp_path / "guilds" / "42", "rules.md", GOOD_HEAD.replace('"Breathing"', '"Rules"')
          + GOOD_BODY)  # fmt: skip
    library = Library.load(tmp_path)
    assert library.get("breathing", 42).title == "Our breathing corner"
    assert library.get("breathing", 7).title == "Breathing"
    assert library.get("breathing", 7, "es").title == "Respirar"
    assert library.get("breathing", None, "de").title == "Breathing"  # English when missing
    assert library.get("rules", 7) is None
    assert [p.slug for p in library.topics(42)] == ["breathing", "rules"]
    assert [p.slug for p in library.search("rul", 42)] == ["rules"]
    assert library.search("rul", 7) == []


def test_a_topic_is_found_by_its_name_or_its_title_in_any_language(tmp_path: Path) -> None:
    write(tmp_path, "breathing.md", GOOD_HEAD.replace('"Breathing"', '"Breathing: calm down"')
          + GOOD_BODY)  # fmt: skip
    write(tmp_path, "breathing.es.md", GOOD_HEAD.replace('"en"', '"es"').replace(
        '"Breathing"', '"Respiración"') + GOOD_BODY)  # fmt: skip
    write(tmp_path / "guilds" / "42", "house-rules.md", GOOD_HEAD.replace(
        '"Breathing"', '"Our house rules"') + GOOD_BODY)  # fmt: skip
    library = Library.load(tmp_path)
    for typed in ("breathing", " BREATHING ", "Breathing: calm down", "breathing calm-down!"):
        assert library.find(typed, None).title == "Breathing: calm down", typed
    # a title in another language opens the page in the reader's own
    assert library.find("respiracion", None).title == "Breathing: calm down"
    assert library.find("Breathing calm down", None, "es").title == "Respiración"
    assert library.find("house rules", 42).slug == "house-rules"  # its name, as words
    assert library.find("Our House Rules", 42).slug == "house-rules"
    assert library.find("Our house rules", 7) is None  # another server's page stays its own
    for typed in ("breath", "calm", "", "  ", "!!", "breathing calm down please"):
        assert library.find(typed, None) is None, typed
    assert [p.slug for p in library.search("RESPIRACIÓN", None, "es")] == ["breathing"]


def test_a_broken_library_stops_start_up_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "selfhelp", "sleep.md", GOOD_HEAD.replace("2026-11-30", "2026-13-01"))
    monkeypatch.setattr(library_module, "DEFAULT_DIR", tmp_path / "selfhelp")
    config = write(tmp_path, "config.toml", f'[database]\npath = "{tmp_path / "k.db"}"\n')
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    assert main(["--config", str(config), "run"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert re.search(r"self-help library error: sleep\.md: the front-matter is not valid", err)


def test_parse_page_names_where_the_text_came_from() -> None:
    with pytest.raises(LibraryError, match=r"^guilds/1/x\.md: "):
        parse_page("nothing", slug="x", where="guilds/1/x.md")
