"""Resource entries and the shipped data files they are loaded and validated from.

Data lives in ``data/resources/*.toml`` (see docs/resources.md for how it is sourced); each
entry carries the page it was checked against, the day the project last checked it there
(``last_verified``), optionally the date printed on that page (``source_date``), and whether
the facts were actually confirmed (``verified``). Freshness counts from ``last_verified`` only,
so an old but still-correct page does not make an entry stale.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.i18n import available_languages
from bot.services.resources.regions import GLOBAL, _is_valid_code, normalize_region

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "data" / "resources"


class ResourceDataError(Exception):
    """The shipped resource data is invalid. A deployment bug, not a user error."""


class Kind(StrEnum):
    CRISIS_LINE = "crisis_line"
    EMERGENCY = "emergency"
    WARMLINE = "warmline"
    RESPITE = "respite"
    REFERRAL = "referral"
    DIRECTORY = "directory"


_PHONE = re.compile(r"\+?[0-9 ()\-]+")
_TEXT_LINE = re.compile(r"text\s+([A-Za-z0-9]{1,20})\s+to\s+(.+)", re.IGNORECASE)
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?")


def _is_phone(text: str) -> bool:
    """A phone number or SMS short code: digits, spaces, +, - and brackets, 3 digits or more."""
    return bool(_PHONE.fullmatch(text)) and sum(ch.isdigit() for ch in text) >= 3


def _is_web_address(text: str) -> bool:
    """An http(s) address with a host and no spaces."""
    if any(ch.isspace() for ch in text) or not text.lower().startswith(("https://", "http://")):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.hostname and _HOST.fullmatch(parts.hostname) and "@" not in parts.netloc)


def parse_local_contact(text: str) -> tuple[Literal["call", "text", "web"], str] | None:
    """A moderator's contact for a local resource as (method, value): a web address
    (``https://…``), a phone number or short code (``+1 (555) 010-0100``, ``988``), or a text
    line (``text HOME to 741741``, shown as the shipped ones: "text HOME to 741741"). None for
    anything else (``javascript:…``, words), which is never shown to a member as a number."""
    text = " ".join(text.split())
    if _is_web_address(text):
        return "web", text
    if _is_phone(text):
        return "call", text
    line = _TEXT_LINE.fullmatch(text)
    if line and _is_phone(line.group(2)):
        return "text", f"{line.group(1)} to {line.group(2)}"
    return None


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["call", "text", "chat", "web"]
    value: str = Field(min_length=1)
    note: str = ""


class ResourceEntry(BaseModel):
    """One resource. Immutable; validated on load."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    kind: Kind
    contacts: tuple[Contact, ...] = Field(min_length=1)
    hours: str = Field(min_length=1)
    # The hours written in other languages Kindred speaks ({"pt": "..."}): shown to a reader
    # of that language instead of ``hours`` (English), which stays the fallback.
    hours_local: dict[str, str] = Field(default_factory=dict)
    languages: tuple[str, ...] = Field(min_length=1)
    regions: tuple[str, ...] = Field(min_length=1)
    audience: str | None = None
    source_url: str = Field(pattern=r"^https?://\S+$")
    # The day the project checked this entry against ``source_url``; staleness counts from it.
    last_verified: date
    # The date printed on the source page (publication / "last updated"), when it shows one.
    source_date: date | None = None
    verified: bool
    priority: int = 0
    tags: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    notes: str = ""
    guild_local: bool = False

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f"language {code!r} is not an ISO 639-1 code")
        return value

    @field_validator("hours_local")
    @classmethod
    def _hours_local(cls, value: dict[str, str]) -> dict[str, str]:
        known = [code for code in available_languages() if code != "en"]
        for code, text in value.items():
            if code not in known:
                raise ValueError(
                    f"hours_local language {code!r} is not one Kindred speaks "
                    f"({', '.join(known)}; English is `hours`)"
                )
            if not text.strip():
                raise ValueError(f"hours_local {code!r} is empty")
        return value

    def hours_in(self, lang: str | None) -> str:
        """The hours for a reader of ``lang``: written in it when the entry has them, else
        ``hours`` as written (English)."""
        return self.hours_local.get(lang or "en") or self.hours

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for region in value:
            if region != GLOBAL and not _is_valid_code(region):
                raise ValueError(f"region {region!r} is not ISO 3166 (e.g. 'US', 'US-NY') or '*'")
        return value

    @model_validator(mode="after")
    def _source_date_not_after_check(self) -> ResourceEntry:
        if self.source_date is not None and self.source_date > self.last_verified:
            raise ValueError(
                f"source_date {self.source_date} is after last_verified {self.last_verified}: "
                "a page cannot be dated after the day it was checked"
            )
        return self

    def is_stale(self, today: date, max_age_days: int = 365) -> bool:
        """True when the project last checked the entry more than ``max_age_days`` before
        ``today``. Counted from ``last_verified``, never from ``source_date``."""
        return (today - self.last_verified).days > max_age_days

    def speaks(self, language: str | None) -> bool:
        """True when the line answers in ``language`` (ISO 639-1), or no language is given."""
        return language is None or language in self.languages

    @property
    def is_global(self) -> bool:
        return GLOBAL in self.regions

    @classmethod
    def guild_local_entry(
        cls,
        *,
        row_id: int,
        name: str,
        kind: str,
        contact: str,
        region: str = GLOBAL,
        hours: str = "",
        source_url: str | None = None,
        added_on: date,
    ) -> ResourceEntry:
        """Build an entry from a moderator-added ``guild_resources`` row (one contact string).
        A contact stored before contacts were checked that is neither an address, a number
        nor a text line is shown as written, never as a number to call."""
        stripped = contact.strip()
        method, stripped = parse_local_contact(stripped) or ("web", stripped)
        normalized = region if region == GLOBAL else normalize_region(region)
        return cls(
            id=f"guild-{row_id}",
            name=name,
            kind=Kind(kind),
            contacts=(Contact(method=method, value=stripped),),
            hours=hours or "Ask the moderators",
            languages=("en",),
            regions=(normalized,),
            source_url=source_url or "https://discord.com",
            last_verified=added_on,
            verified=False,
            guild_local=True,
        )


@dataclass(frozen=True)
class CrisisContext:
    """Everything a crisis reply needs for one member, decided without Discord."""

    region: str | None
    region_known: bool
    lines: tuple[ResourceEntry, ...]
    emergency: ResourceEntry | None
    directory: ResourceEntry
    stale: bool
    unverified: bool
    last_checked: date
    unrecognised: str | None = None  # the region text given, when it was no place we know
    suggestion: str | None = None  # the region parser's guess for it ("Germany (DE)")
    suggested_code: str | None = None  # that guess's code ("DE")


def load_entries(path: Path | str | None = None) -> list[ResourceEntry]:
    """Read and validate every ``*.toml`` under ``path`` (default: data/resources).

    Raises ``ResourceDataError`` naming the file and entry for anything wrong: unreadable
    TOML, an invalid entry, a ``guild_local`` entry in shipped data, or a duplicate id.
    """
    folder = Path(path) if path is not None else DEFAULT_DATA_DIR
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ResourceDataError(f"no resource files (*.toml) in {folder}")
    entries: list[ResourceEntry] = []
    seen: dict[str, str] = {}
    for file in files:
        entries.extend(_file_entries(file, seen))
    return entries


def _file_entries(file: Path, seen: dict[str, str]) -> list[ResourceEntry]:
    """One file's entries; ``seen`` (id -> file name) catches ids used twice."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ResourceDataError(f"{file.name}: cannot read TOML: {exc}") from exc
    raw_entries = data.get("resource", [])
    if not isinstance(raw_entries, list):
        raise ResourceDataError(f"{file.name}: 'resource' must be an array of tables")
    entries: list[ResourceEntry] = []
    for index, raw in enumerate(raw_entries):
        label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index}"
        try:
            entry = ResourceEntry.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ResourceDataError(f"{file.name}: entry {label!s}: {problems}") from exc
        if entry.guild_local:
            raise ResourceDataError(
                f"{file.name}: entry {entry.id}: guild_local is for DB entries only"
            )
        if entry.id in seen:
            raise ResourceDataError(
                f"{file.name}: entry {entry.id}: duplicate id (also in {seen[entry.id]})"
            )
        seen[entry.id] = file.name
        entries.append(entry)
    return entries
