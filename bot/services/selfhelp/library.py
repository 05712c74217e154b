"""The self-help library: Markdown pages with TOML front-matter, loaded and checked at start-up.

Shipped pages live in ``data/selfhelp/*.md``; a self-hoster adds or replaces pages by dropping
files there, or gives one server its own pages in ``data/selfhelp/guilds/<server id>/*.md``
(a server page with the same name as a shipped one replaces it in that server). Each file is::

    +++
    title = "Breathing"
    summary = "Slow breathing for a racing mind"      # optional, shown in the topic list
    tags = ["breathing", "calm"]
    language = "en"                                  # ISO 639-1
    reviewed = 2026-12-01                            # the day this project reviewed the page
    order = 20                                       # optional: place in the topic list

    [[source]]
    name = "NHS: Breathing exercises for stress"
    url = "https://www.nhs.uk/..."
    +++
    The page in Markdown...

Anything wrong (a missing field, a bad date, a page that is too long or does not end by
pointing to ``/support`` and ``/crisis``) stops start-up with a ``LibraryError`` naming the
file and the problem (docs/selfhelp.md). Pure Python: no Discord, no database.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot import PROJECT_ROOT
from bot.services.selfhelp.pages import page_texts

DEFAULT_DIR = PROJECT_ROOT / "data" / "selfhelp"
GUILDS_DIR = "guilds"
#: Characters per embed page: well inside Discord's 4,096, and short enough to read on a phone.
PAGE_CHARS = 1100
MAX_BODY = 12_000
MAX_PAGES = 8
#: The pointers every page ends with (somewhere in its last ``ENDING_WINDOW`` characters).
ENDING = ("/support", "/crisis")
ENDING_WINDOW = 700
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
EARLIEST_REVIEW = date(2020, 1, 1)
FENCE = "+++"


class LibraryError(Exception):
    """The library's files are invalid: a deployment problem, shown at start-up."""


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    url: str = Field(pattern=r"^https?://[^\s)\]]+$", max_length=300)


class FrontMatter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=90)
    summary: str = Field("", max_length=150)
    tags: tuple[str, ...] = Field(min_length=1, max_length=12)
    language: str = Field(pattern=r"^[a-z]{2}$")
    reviewed: date
    order: int = Field(100, ge=0, le=10_000)
    source: tuple[Source, ...] = Field(min_length=1, max_length=6)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tag in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9 -]{0,29}", tag):
                raise ValueError(f"tag {tag[:40]!r}: lowercase letters, digits, spaces, '-'")
        return value

    @field_validator("reviewed", mode="before")
    @classmethod
    def _a_date(cls, value: object) -> object:
        # TOML dates arrive as ``date``; a quoted "2026-12-01" or a date-time is a mistake.
        if not isinstance(value, date) or hasattr(value, "hour"):
            raise ValueError("must be a TOML date without quotes, e.g. reviewed = 2026-12-01")
        return value


@dataclass(frozen=True)
class Page:
    """One topic: its front-matter, its Markdown, and that Markdown cut into embed pages."""

    slug: str
    guild_id: int | None
    meta: FrontMatter
    body: str
    pages: tuple[str, ...]
    path: str

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def language(self) -> str:
        return self.meta.language

    @property
    def count(self) -> int:
        return len(self.pages)


def _problem(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'front-matter'}: "
        + ("unknown field" if err["type"] == "extra_forbidden" else err["msg"]).removeprefix(
            "Value error, "
        )
        for err in exc.errors()
    )


def _split_file(text: str, where: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise LibraryError(f"{where}: the file must start with a '{FENCE}' line (front-matter)")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise LibraryError(f"{where}: the front-matter has no closing '{FENCE}' line")


def parse_page(
    text: str, *, slug: str, where: str, guild_id: int | None = None, latest: date | None = None
) -> Page:
    """One file's text → a checked ``Page``; ``LibraryError`` names ``where`` and the problem.

    ``latest`` is the last day the review can have happened: the day the file was last saved
    (a review that changes the date changes the file), so a date in the future is caught."""
    if not SLUG.match(slug):
        raise LibraryError(
            f"{where}: file names are lowercase letters, digits and '-' (at most 40), then .md"
        )
    head, body = _split_file(text, where)
    try:
        raw = tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        raise LibraryError(f"{where}: the front-matter is not valid TOML: {exc}") from exc
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        raise LibraryError(f"{where}: {_problem(exc)}") from exc
    latest = latest or datetime.now(UTC).date()
    if not EARLIEST_REVIEW <= meta.reviewed <= latest:
        raise LibraryError(
            f"{where}: reviewed: {meta.reviewed} is not a plausible review date "
            f"(between {EARLIEST_REVIEW} and {latest}, the day the file was last saved)"
        )
    body = body.strip()
    if not body:
        raise LibraryError(f"{where}: the page has no text after the front-matter")
    if len(body) > MAX_BODY:
        raise LibraryError(
            f"{where}: the page is {len(body)} characters; at most {MAX_BODY} (split it in two)"
        )
    ending = body[-ENDING_WINDOW:]
    missing = [pointer for pointer in ENDING if pointer not in ending]
    if missing:
        raise LibraryError(
            f"{where}: the page must end by pointing to a peer (/support) and, when things are "
            f"urgent, to /crisis; missing near the end: {', '.join(missing)}"
        )
    pages = tuple(page_texts(body, PAGE_CHARS))
    if len(pages) > MAX_PAGES:
        raise LibraryError(
            f"{where}: the page fills {len(pages)} embed pages; at most {MAX_PAGES} "
            "(shorten it or split it in two)"
        )
    return Page(slug=slug, guild_id=guild_id, meta=meta, body=body, pages=pages, path=where)


def _saved_on(file: Path) -> date:
    """The day the file was last saved, one day of slack for time zones."""
    saved = datetime.fromtimestamp(file.stat().st_mtime, UTC).date()
    return saved + timedelta(days=1)


def _read_folder(folder: Path, root: Path, guild_id: int | None) -> list[Page]:
    pages = []
    for file in sorted(folder.glob("*.md")):
        if file.name.lower() == "readme.md" or file.name.startswith("_"):
            continue
        where = file.relative_to(root).as_posix()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryError(f"{where}: cannot read the file: {exc}") from exc
        slug = file.name.split(".", 1)[0]
        pages.append(
            parse_page(text, slug=slug, where=where, guild_id=guild_id, latest=_saved_on(file))
        )
    return pages


def load_pages(root: Path | str | None = None) -> list[Page]:
    """Every page under ``root`` (default data/selfhelp), shipped and per-server."""
    root = Path(root) if root is not None else DEFAULT_DIR
    if not root.is_dir():
        raise LibraryError(f"{root}: the self-help library folder is missing")
    pages = _read_folder(root, root, None)
    if not pages:
        raise LibraryError(f"{root}: no pages (*.md) in the self-help library")
    guilds = root / GUILDS_DIR
    if guilds.is_dir():
        for folder in sorted(p for p in guilds.iterdir() if p.is_dir()):
            if not folder.name.isdigit():
                raise LibraryError(
                    f"{folder.relative_to(root).as_posix()}: server folders are named by the "
                    "server's id (digits only)"
                )
            pages.extend(_read_folder(folder, root, int(folder.name)))
    seen: dict[tuple[int | None, str, str], str] = {}
    for page in pages:
        key = (page.guild_id, page.slug, page.language)
        if key in seen:
            raise LibraryError(
                f"{page.path}: a second '{page.slug}' page in language '{page.language}' "
                f"(also {seen[key]})"
            )
        seen[key] = page.path
    return pages


def fold(text: str) -> str:
    """What a typed topic is compared by: letter case, accents and punctuation ignored, spaces
    collapsed (``"Breathing: to calm-down!"`` and ``"breathing to calm down"`` are one)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
    return " ".join(kept.split())


class Library:
    """All pages, with the lookups ``/selfhelp`` needs. Build with ``Library.load()``."""

    def __init__(self, pages: Iterable[Page]) -> None:
        self._pages: dict[int | None, dict[str, dict[str, Page]]] = {}
        for page in pages:
            self.add(page)

    @classmethod
    def load(cls, root: Path | str | None = None) -> Library:
        return cls(load_pages(root))

    def add(self, page: Page) -> None:
        """Add (or replace) a page: by slug and language, shipped or for one server."""
        self._pages.setdefault(page.guild_id, {}).setdefault(page.slug, {})[page.language] = page

    def __len__(self) -> int:
        return sum(len(langs) for scope in self._pages.values() for langs in scope.values())

    @staticmethod
    def _pick(versions: dict[str, Page], language: str) -> Page:
        return versions.get(language) or versions.get("en") or versions[sorted(versions)[0]]

    def get(self, slug: str, guild_id: int | None, language: str = "en") -> Page | None:
        """The page a reader in this server sees under ``slug``, in their language if it
        exists (else English, else any)."""
        for scope in ((guild_id,) if guild_id else ()) + (None,):
            versions = self._pages.get(scope, {}).get(slug)
            if versions:
                return self._pick(versions, language)
        return None

    def _versions(self, slug: str, guild_id: int | None) -> list[Page]:
        for scope in ((guild_id,) if guild_id else ()) + (None,):
            versions = self._pages.get(scope, {}).get(slug)
            if versions:
                return list(versions.values())
        return []

    def find(self, typed: str, guild_id: int | None, language: str = "en") -> Page | None:
        """The page a member typed, as the autocomplete matches it: its name (``breathing``)
        or its whole title in any of its languages (``Breathing to calm down``), with letter
        case, accents and punctuation ignored; in the reader's language if it exists."""
        page = self.get(typed.strip().lower(), guild_id, language)
        wanted = fold(typed)
        if page is not None or not wanted:
            return page
        for topic in self.topics(guild_id, language):
            titles = [fold(v.title) for v in self._versions(topic.slug, guild_id)]
            if wanted == fold(topic.slug) or wanted in titles:
                return topic
        return None

    def topics(self, guild_id: int | None, language: str = "en") -> list[Page]:
        """Every page visible in this server, in the library's order."""
        slugs = set(self._pages.get(None, {}))
        if guild_id:
            slugs |= set(self._pages.get(guild_id, {}))
        found = [self.get(slug, guild_id, language) for slug in slugs]
        return sorted((p for p in found if p), key=lambda p: (p.meta.order, p.title.lower()))

    def search(
        self, text: str, guild_id: int | None, language: str = "en", limit: int = 25
    ) -> list[Page]:
        """Topics matching what a member typed (title, name, tag or summary; compared with
        ``fold``); all of them for nothing."""
        needle = fold(text)
        topics = self.topics(guild_id, language)
        if not needle:
            return topics[:limit]
        starts = [
            p for p in topics if fold(p.title).startswith(needle) or fold(p.slug).startswith(needle)
        ]
        rest = [
            p
            for p in topics
            if p not in starts
            and (
                needle in fold(p.title)
                or needle in fold(p.slug)
                or any(needle in fold(tag) for tag in p.meta.tags)
                or needle in fold(p.meta.summary)
            )
        ]
        return (starts + rest)[:limit]
