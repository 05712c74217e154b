"""The directory of shipped resources and its lookups: which lines, warmlines and respites
apply to a region, in what order, and how fresh the data shown is.

Guild-local resources that moderators add are passed in as ``extra`` entries and always come
first. Pure Python: no discord.py, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.services.resources.entries import (
    CrisisContext,
    Kind,
    ResourceDataError,
    ResourceEntry,
    load_entries,
)
from bot.services.resources.regions import (
    NotAUSStateError,
    UnknownRegionError,
    country_of,
    normalize_region,
)


class ResourceDirectory:
    """All shipped entries, with the lookups the bot needs. Build with ``load()``."""

    def __init__(self, entries: Iterable[ResourceEntry]) -> None:
        self.entries: tuple[ResourceEntry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}

    # ---- loading

    @classmethod
    def load(cls, path: Path | str | None = None) -> ResourceDirectory:
        """Load and validate every ``*.toml`` under ``path`` (default: data/resources)."""
        directory = cls(load_entries(path))
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

    @staticmethod
    def us_state(state: str) -> str:
        """The US state a member typed ("NY", "US-NY", "New York" → "US-NY"), or
        ``NotAUSStateError`` (with a close US state as its suggestion, when there is one)."""
        try:
            region = normalize_region(state, default_country="US")
        except UnknownRegionError as exc:
            near = exc.suggested_code if (exc.suggested_code or "").startswith("US-") else None
            raise NotAUSStateError(
                exc.text, suggestion=exc.suggestion if near else None, suggested_code=near
            ) from exc
        if country_of(region) != "US" or region == "US":
            raise NotAUSStateError(state, region=region)
        return region

    def respites(self, state: str, extra: Sequence[ResourceEntry] = ()) -> list[ResourceEntry]:
        """Peer respites for a US state ("NY", "US-NY", "New York"), then the directories.

        Raises ``NotAUSStateError`` for anything else: a place that is not a US state, or text
        that is no place (with a close US state as its suggestion, when there is one).
        """
        region = self.us_state(state)
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
        international directory and says to call the local emergency number); an unrecognised
        one is kept in ``unrecognised`` with the parser's suggestion, so the reply can say so.
        ``language`` puts lines in the member's language first (see ``crisis_lines``).
        """
        region: str | None
        unrecognised: UnknownRegionError | None = None
        try:
            region = normalize_region(region_text) if region_text else None
        except UnknownRegionError as exc:
            region, unrecognised = None, exc
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
        # numbers change rarely and are re-checked through stale_entries() instead. An
        # emergency number that could not be confirmed is marked as one, so the footer
        # explains the mark.
        shown = [*lines, directory]
        confirmed = [*shown, emergency] if emergency is not None else shown
        return CrisisContext(
            region=region,
            region_known=region is not None,
            lines=tuple(lines),
            emergency=emergency,
            directory=directory,
            stale=any(e.is_stale(today) for e in shown),
            unverified=any(not e.verified for e in confirmed),
            last_checked=min(e.last_verified for e in shown),
            unrecognised=unrecognised.text if unrecognised else None,
            suggestion=unrecognised.suggestion if unrecognised else None,
            suggested_code=unrecognised.suggested_code if unrecognised else None,
        )


@lru_cache(maxsize=1)
def default_directory() -> ResourceDirectory:
    """The shipped directory, loaded once per process."""
    return ResourceDirectory.load()
