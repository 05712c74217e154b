"""Which resources a member is shown: crisis lines for their region, respites and warmlines,
a guild's own resources first. The shipped directory is ``bot.services.resources``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.db.repositories.safety import GuildResource
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.services.resources import (
    CrisisContext,
    Kind,
    ResourceEntry,
    country_of,
    default_directory,
    normalize_region,
    parse_local_contact,
    region_name,
)
from bot.services.safety.members import MembersMixin
from bot.services.safety.model import (
    GUILD_RESOURCE_KINDS,
    MAX_GUILD_RESOURCES,
    MAX_RESOURCE_CONTACT,
    MAX_RESOURCE_HOURS,
    MAX_RESOURCE_NAME,
    NeedsPlan,
)


def _check_lengths(name: str, contact: str, hours: str) -> None:
    """A local resource's fields are refused whole when too long, never stored cut: a
    phone number or an address must be exact."""
    if len(name) > MAX_RESOURCE_NAME:
        raise InvalidInputError(
            N_("A resource's name fits in {most} characters (this one has {length})."),
            most=MAX_RESOURCE_NAME,
            length=len(name),
        )
    if len(contact) > MAX_RESOURCE_CONTACT:
        raise InvalidInputError(
            N_("A resource's contact fits in {most} characters (this one has {length})."),
            most=MAX_RESOURCE_CONTACT,
            length=len(contact),
        )
    if len(hours) > MAX_RESOURCE_HOURS:
        raise InvalidInputError(
            N_("A resource's hours fits in {most} characters (this one has {length})."),
            most=MAX_RESOURCE_HOURS,
            length=len(hours),
        )


# A masked link ``[words](address)`` or a bare address: what a name or hours must not carry,
# or a member in crisis could read "Call 988" linking somewhere else.
_LINK_IN_WORDS = re.compile(r"\]\s*\(|[a-z][a-z0-9+.\-]*://|<[a-z][a-z0-9+.\-]*:", re.IGNORECASE)


def _check_local_fields(name: str, contact: str, hours: str) -> None:
    """What a member in crisis reads must be what it looks like: the contact an address, a
    number or a text line; the name and hours plain words, no links."""
    if parse_local_contact(contact) is None:
        raise InvalidInputError(
            N_(
                "A resource's contact must be a phone number or short code (digits, spaces, "
                "+, - and brackets, e.g. `+1 (555) 010-0100` or `988`), a text line "
                "(e.g. `text HOME to 741741`) or a web address (`https://…`)."
            )
        )
    if _LINK_IN_WORDS.search(name) or _LINK_IN_WORDS.search(hours):
        raise InvalidInputError(
            N_(
                "A resource's name and hours are plain words without links; "
                "its web address goes in the contact."
            )
        )


def respite_states(limit: int = 25) -> list[str]:
    """US states with a peer respite in the shipped directory (for a state picker)."""
    states = {
        region
        for entry in default_directory().entries
        if entry.kind is Kind.RESPITE
        for region in entry.regions
        if region.startswith("US-")
    }
    return sorted(states)[:limit]


def respites_for_state(
    state: str, extra: Sequence[ResourceEntry] = ()
) -> tuple[str, list[ResourceEntry]]:
    """A picked US state and its respites (a server's own ``extra`` first, as ``/respite``
    lists them); an unknown value (a forged payload) gives none."""
    try:
        region = normalize_region(state, default_country="US")
        return region, default_directory().respites(region, extra=extra)
    except Exception:
        return state[:10], []


class RegionNeededError(InvalidInputError):
    """``/resources`` or ``/warmline`` with no region given, none set and no server default:
    the cog asks for one and still gives the worldwide directory, ``/crisis`` and a peer."""

    def __init__(self) -> None:
        super().__init__(
            N_("Tell me a region, e.g. `US`, `UK` or `US-NY`, or set yours with `/region set`.")
        )


class LookupsMixin(MembersMixin):
    async def crisis_context(
        self,
        guild_id: int | None,
        user_id: int,
        *,
        region: str | None = None,
        language: str | None = None,
    ) -> CrisisContext:
        """Lines for ``region`` (else the member's), those in ``language`` first."""
        where = region or await self.region_for(guild_id, user_id)
        extras = await self.guild_resources(guild_id)
        return default_directory().crisis_context(
            where, self.clock().date(), extra=extras, language=language
        )

    async def needs_plan(
        self, guild_id: int | None, user_id: int, needs: tuple[str, ...], language: str = "en"
    ) -> NeedsPlan:
        """Respites (by US state: asked for when unknown) and warmlines for the member; the
        region named in ``language`` with its code (``region_name``), as other replies do."""
        region = await self.region_for(guild_id, user_id)
        extras = await self.guild_resources(guild_id)
        directory = default_directory()
        ctx = directory.crisis_context(region, self.clock().date(), extra=extras)
        respites: list[ResourceEntry] = []
        warmlines: list[ResourceEntry] = []
        ask_state = False
        code = ctx.region
        if "respite" in needs:
            if code and country_of(code) == "US" and code != "US":
                respites = directory.respites(code, extra=extras)
            else:
                ask_state = code is None or code == "US"
        if "warmline" in needs and code:
            warmlines = directory.warmlines(code, extra=extras)
        return NeedsPlan(
            respites=respites,
            warmlines=warmlines,
            region_label=region_name(code, language) if code else None,
            ask_state=ask_state,
            last_checked=ctx.last_checked,
            stale=ctx.stale,
            unverified=ctx.unverified,
        )

    async def region_or_ask(self, guild_id: int | None, user_id: int, region: str | None) -> str:
        """The region given, else the member's; ``RegionNeededError`` when neither is known."""
        text = region or await self.region_for(guild_id, user_id)
        if not text:
            raise RegionNeededError
        return normalize_region(text)

    async def resources_listing(
        self, guild_id: int | None, user_id: int, region: str | None
    ) -> tuple[str, list[ResourceEntry]]:
        """/resources: every kind of resource for the region (its code and the entries)."""
        code = await self.region_or_ask(guild_id, user_id, region)
        extras = await self.guild_resources(guild_id)
        return code, default_directory().all_for(code, extra=extras)

    async def warmlines_listing(
        self, guild_id: int | None, user_id: int, region: str | None
    ) -> tuple[str, list[ResourceEntry]]:
        """/warmline: the region's warmlines, else its country's."""
        code = await self.region_or_ask(guild_id, user_id, region)
        extras = await self.guild_resources(guild_id)
        directory = default_directory()
        entries = directory.warmlines(code, extra=extras)
        if not entries and country_of(code):
            entries = directory.warmlines(country_of(code) or code, extra=extras)
        return code, entries

    async def respites_listing(
        self, guild_id: int | None, state: str
    ) -> tuple[str, list[ResourceEntry]]:
        """/respite: peer respites in a US state (its code and the entries;
        ``NotAUSStateError`` for anything else)."""
        directory = default_directory()
        code = directory.us_state(state)
        extras = await self.guild_resources(guild_id)
        return code, directory.respites(code, extra=extras)

    async def picked_state_respites(
        self, guild_id: int | None, state: str
    ) -> tuple[str, list[ResourceEntry]]:
        """A state picked in a respite reply's menu: what ``/respite`` lists for it in that
        server (its own entries first); ``guild_id`` None (a menu sent before it carried its
        server) gives the shipped ones. A value that is no region gives none."""
        extras = await self.guild_resources(guild_id)
        return respites_for_state(state, extra=extras)

    def international_directory(self) -> ResourceEntry:
        """The worldwide helpline directory every reply can point to."""
        return default_directory().international_directory()

    def stale_resources(self) -> list[ResourceEntry]:
        return default_directory().stale_entries(self.clock().date())

    # -- guild-local resources -----------------------------------------------------------------
    async def add_resource(
        self,
        guild_id: int,
        *,
        name: str,
        kind: str,
        contact: str,
        region: str,
        hours: str,
        source_url: str | None,
        actor_id: int,
    ) -> ResourceEntry:
        if kind not in GUILD_RESOURCE_KINDS:
            raise InvalidInputError(
                N_("Kind must be one of: {kinds}"), kinds=", ".join(GUILD_RESOURCE_KINDS)
            )
        name, contact, hours = name.strip(), contact.strip(), hours.strip()
        if not name or not contact:
            raise InvalidInputError(N_("A resource needs a name and a way to reach it."))
        _check_lengths(name, contact, hours)
        _check_local_fields(name, contact, hours)
        if source_url and not source_url.startswith(("https://", "http://")):
            raise InvalidInputError(N_("The source must be a web address (https://…)."))
        if len(await self.repo.resources(guild_id)) >= MAX_GUILD_RESOURCES:
            raise InvalidInputError(
                N_("This server has {most} local resources; remove one first."),
                most=MAX_GUILD_RESOURCES,
            )
        code = "*" if region.strip() in ("", "*") else normalize_region(region)
        row_id = await self.repo.add_resource(
            guild_id,
            name,
            kind,
            contact,
            code,
            hours,
            source_url,
            actor_id,
            self.clock(),
        )
        return _entry(
            GuildResource(
                row_id, guild_id, name, kind, contact, code, hours, source_url, self.clock()
            )
        )

    async def remove_resource(self, guild_id: int, resource_id: int) -> None:
        if not await self.repo.remove_resource(guild_id, resource_id):
            raise NotFoundError(
                N_("There is no local resource #{number} here."), number=resource_id
            )

    async def guild_resources(
        self, guild_id: int | None, *, every: bool = False
    ) -> list[ResourceEntry]:
        """The server's own resources as members are shown them: one whose contact is no
        address, number or text line (stored before contacts were checked) is left out
        unless ``every`` (the moderators' list, so they can remove it)."""
        if guild_id is None:
            return []
        rows = await self.repo.resources(guild_id)
        return [_entry(row) for row in rows if every or parse_local_contact(row.contact)]


def _entry(row: GuildResource) -> ResourceEntry:
    return ResourceEntry.guild_local_entry(
        row_id=row.id,
        name=row.name,
        kind=Kind(row.kind),
        contact=row.contact,
        region=row.region,
        hours=row.hours,
        source_url=row.source_url,
        added_on=row.created_at.date(),
    )
