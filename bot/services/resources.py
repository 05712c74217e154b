"""The dated directory of crisis lines, emergency numbers, warmlines and peer respites.

Pure Python: no discord.py, no database, no clock. Data lives in ``data/resources/*.toml``
(see docs/resources.md for how it is sourced); each entry carries the page it was checked
against, the day the project last checked it there (``last_verified``), optionally the date
printed on that page (``source_date``), and whether the facts were actually confirmed
(``verified``). Freshness counts from ``last_verified`` only, so an old but still-correct page
does not make an entry stale. Guild-local resources that moderators add are passed in as
``extra`` entries and always come first.

Regions are ISO 3166-1 alpha-2 countries ("US"), ISO 3166-2 subdivisions ("US-NY"), or
``"*"`` for entries that apply everywhere.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import InvalidInputError

__all__ = [
    "Contact",
    "CrisisContext",
    "Kind",
    "ResourceDataError",
    "ResourceDirectory",
    "ResourceEntry",
    "UnknownRegionError",
    "country_of",
    "default_directory",
    "normalize_region",
]

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "resources"
GLOBAL = "*"
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


class ResourceDataError(Exception):
    """The shipped resource data is invalid. A deployment bug, not a user error."""


MAX_REGION_TEXT = 60


class UnknownRegionError(InvalidInputError):
    """The user typed a region we cannot recognise; ``suggestion`` is our best guess or None."""

    def __init__(self, text: str, suggestion: str | None = None) -> None:
        hint = f" Did you mean {suggestion}?" if suggestion else ""
        shown = text if len(text) <= MAX_REGION_TEXT else text[: MAX_REGION_TEXT - 1] + "…"
        super().__init__(
            f"I don't recognise the region “{shown}”.{hint} Try a country such as “UK” or "
            "“Canada”, or a US state such as “NY”."
        )
        self.text = text
        self.suggestion = suggestion


class Kind(StrEnum):
    CRISIS_LINE = "crisis_line"
    EMERGENCY = "emergency"
    WARMLINE = "warmline"
    RESPITE = "respite"
    REFERRAL = "referral"
    DIRECTORY = "directory"


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
        """Build an entry from a moderator-added ``guild_resources`` row (one contact string)."""
        stripped = contact.strip()
        method = "web" if stripped.startswith(("http://", "https://")) else "call"
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


# --------------------------------------------------------------------------- regions

_US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico",
}  # fmt: skip

_CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip

_COUNTRIES: dict[str, str] = {
    "AR": "Argentina", "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BG": "Bulgaria",
    "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "CL": "Chile", "CN": "China",
    "CO": "Colombia", "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark",
    "EE": "Estonia", "EG": "Egypt", "ES": "Spain", "FI": "Finland", "FR": "France",
    "GB": "United Kingdom", "GH": "Ghana", "GR": "Greece", "HK": "Hong Kong", "HR": "Croatia",
    "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IN": "India",
    "IS": "Iceland", "IT": "Italy", "JM": "Jamaica", "JP": "Japan", "KE": "Kenya",
    "KR": "South Korea", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia", "MT": "Malta",
    "MX": "Mexico", "MY": "Malaysia", "NG": "Nigeria", "NL": "Netherlands", "NO": "Norway",
    "NZ": "New Zealand", "PE": "Peru", "PH": "Philippines", "PK": "Pakistan", "PL": "Poland",
    "PT": "Portugal", "RO": "Romania", "RS": "Serbia", "RU": "Russia", "SA": "Saudi Arabia",
    "SE": "Sweden", "SG": "Singapore", "SI": "Slovenia", "SK": "Slovakia", "TH": "Thailand",
    "TR": "Turkey", "TW": "Taiwan", "UA": "Ukraine", "US": "United States", "VN": "Vietnam",
    "ZA": "South Africa",
}  # fmt: skip

_ALIASES: dict[str, str] = {
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "america": "US",
    "united states of america": "US", "the united states": "US", "eire": "IE",
    "republic of ireland": "IE", "aotearoa": "NZ", "holland": "NL", "korea": "KR",
    "czech republic": "CZ", "deutschland": "DE", "españa": "ES", "espana": "ES",
    "bharat": "IN", "washington dc": "US-DC", "washington d.c.": "US-DC",
    # Country names as members writing in Kindred's other languages (es, fr, de, pt) type them.
    "alemania": "DE", "allemagne": "DE", "alemanha": "DE", "österreich": "AT",
    "osterreich": "AT", "autriche": "AT", "áustria": "AT", "schweiz": "CH", "suisse": "CH",
    "svizzera": "CH", "suiza": "CH", "suíça": "CH", "suica": "CH", "frankreich": "FR",
    "francia": "FR", "frança": "FR", "belgique": "BE", "belgië": "BE", "belgie": "BE",
    "belgien": "BE", "bélgica": "BE", "belgica": "BE", "espagne": "ES", "spanien": "ES",
    "espanha": "ES", "méxico": "MX", "mexique": "MX", "mexiko": "MX", "brasil": "BR",
    "brésil": "BR", "bresil": "BR", "brasilien": "BR", "canadá": "CA", "kanada": "CA",
    "argentine": "AR", "argentinien": "AR", "colombie": "CO", "kolumbien": "CO",
    "chili": "CL",
}  # fmt: skip

_SUBDIVISIONS: dict[str, dict[str, str]] = {"US": _US_STATES, "CA": _CA_PROVINCES}


def _is_valid_code(code: str) -> bool:
    if _COUNTRY_RE.fullmatch(code):
        return code in _COUNTRIES
    if _SUBDIVISION_RE.fullmatch(code):
        country, sub = code.split("-", 1)
        if country not in _COUNTRIES:
            return False
        known = _SUBDIVISIONS.get(country)
        return known is None or sub in known
    return False


def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name in _COUNTRIES.items():
        index[name.casefold()] = code
    for country, subs in _SUBDIVISIONS.items():
        for sub, name in subs.items():
            index.setdefault(name.casefold(), f"{country}-{sub}")
    index.update(_ALIASES)
    return index


_NAMES = _name_index()


def normalize_region(text: str, *, default_country: str | None = None) -> str:
    """Turn what a member typed into a region code, or raise ``UnknownRegionError``.

    "ny" → "US-NY", "US-NY" → "US-NY", "New York" → "US-NY", "uk"/"england" → "GB",
    "usa" → "US". Two letters are read as a country code first ("CA" is Canada, "IN" is India)
    unless ``default_country="US"`` is given, which reads them as a US state first (used by
    ``/respite XX``). ``"*"`` is returned unchanged.
    """
    raw = (text or "").strip()
    if raw == GLOBAL:
        return GLOBAL
    if len(raw) > MAX_REGION_TEXT:  # no region name is this long; don't fuzzy-match a novel
        raise UnknownRegionError(raw)
    cleaned = re.sub(r"\s+", " ", raw).casefold()
    if not cleaned:
        raise UnknownRegionError(raw)
    upper = cleaned.upper().replace("_", "-")
    if _SUBDIVISION_RE.fullmatch(upper) and _is_valid_code(upper):
        return upper
    if len(cleaned) == 2 and cleaned.isalpha():
        if default_country in _SUBDIVISIONS and upper in _SUBDIVISIONS[default_country]:
            return f"{default_country}-{upper}"
        if upper in _COUNTRIES:
            return upper
        if upper in _US_STATES:
            return f"US-{upper}"
    if cleaned in _NAMES:
        return _NAMES[cleaned]
    stripped = cleaned.removeprefix("the ")
    if stripped in _NAMES:
        return _NAMES[stripped]
    close = difflib.get_close_matches(cleaned, list(_NAMES), n=1, cutoff=0.75)
    suggestion = None
    if close:
        code = _NAMES[close[0]]
        suggestion = f"{close[0].title()} ({code})"
    raise UnknownRegionError(raw, suggestion)


def country_of(region: str) -> str | None:
    """ "US-NY" → "US", "GB" → "GB", "*" → None."""
    if region == GLOBAL:
        return None
    return region.split("-", 1)[0]


# --------------------------------------------------------------------------- directory


class ResourceDirectory:
    """All shipped entries, with the lookups the bot needs. Build with ``load()``."""

    def __init__(self, entries: Iterable[ResourceEntry]) -> None:
        self.entries: tuple[ResourceEntry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}

    # ---- loading

    @classmethod
    def load(cls, path: Path | str | None = None) -> ResourceDirectory:
        """Load and validate every ``*.toml`` under ``path`` (default: data/resources)."""
        folder = Path(path) if path is not None else DEFAULT_DATA_DIR
        files = sorted(folder.glob("*.toml"))
        if not files:
            raise ResourceDataError(f"no resource files (*.toml) in {folder}")
        entries: list[ResourceEntry] = []
        seen: dict[str, str] = {}
        for file in files:
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ResourceDataError(f"{file.name}: cannot read TOML: {exc}") from exc
            raw_entries = data.get("resource", [])
            if not isinstance(raw_entries, list):
                raise ResourceDataError(f"{file.name}: 'resource' must be an array of tables")
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
        directory = cls(entries)
        try:
            directory.international_directory()
        except LookupError as exc:
            raise ResourceDataError(str(exc)) from exc
        return directory

    def get(self, entry_id: str) -> ResourceEntry:
        return self._by_id[entry_id]

    # ---- matching

    @staticmethod
    def _level(entry: ResourceEntry, region: str) -> int | None:
        """0 = exact subdivision, 1 = country, 2 = global; None = does not apply."""
        country = country_of(region)
        if region != country and region in entry.regions:
            return 0
        if country is not None and country in entry.regions:
            return 1
        if entry.is_global:
            return 2
        return None

    def _ranked(
        self,
        region: str,
        kinds: Iterable[Kind | str],
        extra: Sequence[ResourceEntry] = (),
        *,
        include_global: bool = True,
        language: str | None = None,
    ) -> list[ResourceEntry]:
        wanted = {Kind(k) for k in kinds}
        pool: list[tuple[int, int, int, int, ResourceEntry]] = []
        for source, group in ((0, extra), (1, self.entries)):
            for entry in group:
                if entry.kind not in wanted:
                    continue
                level = self._level(entry, region)
                # A guild's own "*" entries always apply in that guild.
                if level is None or (level == 2 and not include_global and source == 1):
                    continue
                # extras first, then subdivision, country, global; within a level, lines that
                # answer in the member's language first, then priority high first.
                speaks = 0 if entry.speaks(language) else 1
                pool.append((source, level, speaks, -entry.priority, entry))
        pool.sort(key=lambda item: item[:4])
        result: list[ResourceEntry] = []
        seen: set[str] = set()
        for *_, entry in pool:
            if entry.id not in seen:
                seen.add(entry.id)
                result.append(entry)
        return result

    # ---- lookups

    def crisis_lines(
        self,
        region: str,
        limit: int = 3,
        audience: str | None = None,
        extra: Sequence[ResourceEntry] = (),
        *,
        language: str | None = None,
    ) -> list[ResourceEntry]:
        """The best ``limit`` crisis lines for ``region``: guild extras, subdivision, country.

        Without ``audience`` only general lines are chosen; with one, lines for that audience
        come first, then general ones. With ``language`` (ISO 639-1, e.g. the member's reply
        language), lines whose ``languages`` include it come first within each region level
        ("BE" in French: the Centre de Prévention du Suicide before the Zelfmoordlijn). The
        emergency number is returned only when the region has no crisis line at all.
        """
        ranked = self._ranked(
            region, [Kind.CRISIS_LINE], extra, include_global=False, language=language
        )
        general = [e for e in ranked if e.audience is None]
        if audience is None:
            chosen = general
        else:
            chosen = [e for e in ranked if e.audience == audience] + general
        chosen = chosen[: max(limit, 0)]
        if not chosen and limit > 0:
            emergency = self.emergency(region)
            if emergency is not None:
                chosen = [emergency]
        return chosen

    def emergency(self, region: str) -> ResourceEntry | None:
        ranked = self._ranked(region, [Kind.EMERGENCY], include_global=False)
        return ranked[0] if ranked else None

    def international_directory(self) -> ResourceEntry:
        for entry in self.entries:
            if entry.kind is Kind.DIRECTORY and entry.is_global and "crisis" in entry.tags:
                return entry
        raise LookupError("resource data has no global crisis directory (kind=directory, '*')")

    def respites(self, state: str, extra: Sequence[ResourceEntry] = ()) -> list[ResourceEntry]:
        """Peer respites for a US state ("NY", "US-NY", "New York"), then the directories."""
        region = normalize_region(state, default_country="US")
        if country_of(region) != "US" or region == "US":
            raise InvalidInputError(
                "Peer respites are listed by US state: try a state such as “NY” or “Vermont”."
            )
        entries = self._ranked(region, [Kind.RESPITE], extra, include_global=False)
        pointers = [
            e
            for e in self._ranked(region, [Kind.DIRECTORY], include_global=False)
            if "respite" in e.tags
        ]
        return entries + pointers

    def warmlines(self, region: str, extra: Sequence[ResourceEntry] = ()) -> list[ResourceEntry]:
        """Warmlines for the region (subdivision, then country), then warmline directories."""
        lines = self._ranked(region, [Kind.WARMLINE], extra, include_global=False)
        directories = [
            e
            for e in self._ranked(region, [Kind.DIRECTORY], include_global=False)
            if "warmline" in e.tags
        ]
        return lines + directories

    def all_for(
        self,
        region: str,
        kinds: Iterable[Kind | str] = tuple(Kind),
        extra: Sequence[ResourceEntry] = (),
    ) -> list[ResourceEntry]:
        """Every entry of the given kinds that applies to ``region`` (global ones last)."""
        return self._ranked(region, kinds, extra, include_global=True)

    def stale_entries(self, today: date, max_age_days: int = 365) -> list[ResourceEntry]:
        return [e for e in self.entries if e.is_stale(today, max_age_days)]

    def crisis_context(
        self,
        region_text: str | None,
        today: date,
        *,
        audience: str | None = None,
        extra: Sequence[ResourceEntry] = (),
        limit: int = 3,
        language: str | None = None,
    ) -> CrisisContext:
        """What to show one member: lines, emergency number and the international directory.

        An empty or unrecognised region gives no regional lines (the reply then points to the
        international directory and says to call the local emergency number). ``language``
        puts lines in the member's language first (see ``crisis_lines``).
        """
        region: str | None
        try:
            region = normalize_region(region_text) if region_text else None
        except UnknownRegionError:
            region = None
        directory = self.international_directory()
        if region is None:
            lines: list[ResourceEntry] = [
                e for e in extra if e.kind is Kind.CRISIS_LINE and e.is_global
            ][:limit]
            emergency = None
        else:
            lines = self.crisis_lines(
                region, limit=limit, audience=audience, extra=extra, language=language
            )
            emergency = self.emergency(region)
            if emergency is not None and emergency in lines:
                emergency = None  # already shown as the only line
        # Staleness and dates are judged on the lines and directory shown; national emergency
        # numbers change rarely and are re-checked through stale_entries() instead.
        shown = [*lines, directory]
        return CrisisContext(
            region=region,
            region_known=region is not None,
            lines=tuple(lines),
            emergency=emergency,
            directory=directory,
            stale=any(e.is_stale(today) for e in shown),
            unverified=any(not e.verified for e in shown),
            last_checked=min(e.last_verified for e in shown),
        )


@lru_cache(maxsize=1)
def default_directory() -> ResourceDirectory:
    """The shipped directory, loaded once per process."""
    return ResourceDirectory.load()
