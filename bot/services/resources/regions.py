"""Region codes: what a member types ("ny", "England", "usa") as ISO 3166 codes.

Regions are ISO 3166-1 alpha-2 countries ("US"), ISO 3166-2 subdivisions ("US-NY"), or
``"*"`` for entries that apply everywhere. Pure Python: no discord.py, no database, no clock.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from bot.errors import InvalidInputError, KindredError
from bot.i18n import N_, available_languages

GLOBAL = "*"
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
MAX_REGION_TEXT = 60


def _shown(text: str) -> str:
    return text if len(text) <= MAX_REGION_TEXT else text[: MAX_REGION_TEXT - 1] + "…"


class RegionPlace(KindredError):
    """A region named inside a sentence: ``region_name`` in the reader's language."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(region_name(code))

    def message_in(self, lang: str | None) -> str:
        return region_name(self.code, lang or "en")


_TRY_REGION = N_(
    "I don't recognise the region “{text}”. Try a country such as “UK” or “Canada”, or a US "
    "state such as “NY”."
)
_TRY_REGION_NEAR = N_(
    "I don't recognise the region “{text}”. Did you mean {place}? Try a country such as “UK” "
    "or “Canada”, or a US state such as “NY”."
)


class UnknownRegionError(InvalidInputError):
    """The user typed a region we cannot recognise; ``suggestion`` is our best guess or None
    ("Germany (DE)"), ``suggested_code`` its code ("DE"). The message names the guess with
    ``region_name`` in the reader's language."""

    def __init__(
        self, text: str, suggestion: str | None = None, suggested_code: str | None = None
    ) -> None:
        if suggested_code:
            super().__init__(_TRY_REGION_NEAR, text=_shown(text), place=RegionPlace(suggested_code))
        else:
            super().__init__(_TRY_REGION, text=_shown(text))
        self.text = text
        self.suggestion = suggestion
        self.suggested_code = suggested_code


#: ``NotAUSStateError``: one whole sentence per case (a place Kindred knows, a close state).
_STATES_ONLY = N_("Peer respites are listed by US state: try a state such as “NY” or “Vermont”.")
_STATES_ONLY_NEAR = N_(
    "Did you mean {place}? Peer respites are listed by US state: try a state such as “NY” or "
    "“Vermont”."
)
_NOT_A_STATE = N_(
    "I don't recognise “{text}” as a US state. Peer respites are listed by US state: try a "
    "state such as “NY” or “Vermont”."
)
_NOT_A_STATE_NEAR = N_(
    "I don't recognise “{text}” as a US state. Did you mean {place}? Peer respites are listed "
    "by US state: try a state such as “NY” or “Vermont”."
)


class NotAUSStateError(InvalidInputError):
    """Something other than a US state where only US states are listed (``/respite``).

    ``region`` is the code when the text was a place Kindred knows (a country, a Canadian
    province), else None; ``suggestion``/``suggested_code`` a close US state, when there is one.
    """

    def __init__(
        self,
        text: str,
        *,
        region: str | None = None,
        suggestion: str | None = None,
        suggested_code: str | None = None,
    ) -> None:
        params: dict[str, object] = {} if region else {"text": _shown(text)}
        if suggested_code:
            params["place"] = RegionPlace(suggested_code)
            super().__init__(_STATES_ONLY_NEAR if region else _NOT_A_STATE_NEAR, **params)
        else:
            super().__init__(_STATES_ONLY if region else _NOT_A_STATE, **params)
        self.text = text
        self.region = region
        self.suggestion = suggestion
        self.suggested_code = suggested_code


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


@lru_cache(maxsize=16)
def _territories(lang: str) -> dict[str, str]:
    """CLDR's country names in a language (English for a language Babel does not know)."""
    try:
        return dict(Locale.parse(lang).territories)
    except (ValueError, UnknownLocaleError):
        return dict(Locale.parse("en").territories)


def _unaccented(text: str) -> str:
    """ "états-unis" → "etats-unis": how a name is often typed without its accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_index() -> dict[str, str]:
    """Every name Kindred understands: its own English names, states and provinces, each
    country as Kindred names it in every language it speaks (CLDR's territory names, the
    ones ``region_name`` shows: "Estados Unidos", "Vereinigtes Königreich"), with and without
    accents, and the hand-written aliases (which win)."""
    index: dict[str, str] = {}
    for code, name in _COUNTRIES.items():
        index[name.casefold()] = code
    for country, subs in _SUBDIVISIONS.items():
        for sub, name in subs.items():
            index.setdefault(name.casefold(), f"{country}-{sub}")
    for lang in available_languages():
        names = _territories(lang)
        for code in _COUNTRIES:
            name = names.get(code)
            if name:
                index.setdefault(name.casefold(), code)
                index.setdefault(_unaccented(name.casefold()), code)
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
    if close:
        code = _NAMES[close[0]]
        name = close[0].upper() if len(close[0]) <= 4 else close[0].title()  # "UK", "U.S."
        raise UnknownRegionError(raw, f"{name} ({code})", code)
    raise UnknownRegionError(raw)


def region_name(region: str, lang: str = "en") -> str:
    """A region as a private reply names it, in the reader's language, with the code kept
    visible so it can be typed: "CA" → "Canada (CA)" / "Canadá (CA)", "US-VT" → "Vermont,
    United States (US-VT)" / "Vermont, Estados Unidos (US-VT)". Countries are named by Babel
    (CLDR territory names); states and provinces by their own name. A code Kindred has no
    name for (or "*") is returned unchanged."""
    country, _, sub = region.partition("-")
    if country not in _COUNTRIES:
        return region
    country_name = _territories(lang).get(country) or _COUNTRIES[country]
    if not sub:
        return f"{country_name} ({region})"
    place = _SUBDIVISIONS.get(country, {}).get(sub)
    return f"{place}, {country_name} ({region})" if place else region


def country_of(region: str) -> str | None:
    """ "US-NY" → "US", "GB" → "GB", "*" → None."""
    if region == GLOBAL:
        return None
    return region.split("-", 1)[0]
