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

Rooms: ``regions`` (what a member types → a region code), ``entries`` (the entry model and
loading/validating the data files), ``directory`` (lookups by region, kind and language).
Everything public is importable from here.
"""

from __future__ import annotations

from bot.services.resources.directory import ResourceDirectory, default_directory
from bot.services.resources.entries import (
    DEFAULT_DATA_DIR,
    Contact,
    CrisisContext,
    Kind,
    ResourceDataError,
    ResourceEntry,
    load_entries,
    parse_local_contact,
)
from bot.services.resources.regions import (
    GLOBAL,
    MAX_REGION_TEXT,
    NotAUSStateError,
    RegionPlace,
    UnknownRegionError,
    country_of,
    normalize_region,
    region_name,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "GLOBAL",
    "MAX_REGION_TEXT",
    "Contact",
    "CrisisContext",
    "Kind",
    "NotAUSStateError",
    "RegionPlace",
    "ResourceDataError",
    "ResourceDirectory",
    "ResourceEntry",
    "UnknownRegionError",
    "country_of",
    "default_directory",
    "load_entries",
    "normalize_region",
    "parse_local_contact",
    "region_name",
]
