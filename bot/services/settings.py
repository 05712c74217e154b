"""Per-guild settings: typed sections stored as validated key/value rows, with an audit log.

Each feature declares its own ``SettingsSection`` (a pydantic model with defaults); the rows in
``guild_settings`` are ``<section>.<field>`` → JSON. Reads go through the model, so an old or
hand-edited row that no longer validates falls back to the default instead of breaking a guild.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.clock import Clock, utcnow
from bot.db.repositories.core import GuildSettingsRepository
from bot.errors import InvalidInputError
from bot.i18n import N_, Joined
from bot.schedules import InvalidTimezoneError, parse_timezone, unwrap_zone

log = logging.getLogger(__name__)

S = TypeVar("S", bound="SettingsSection")


class SettingsSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", validate_assignment=True)
    section: ClassVar[str]
    title: ClassVar[str]


EMPTY_ZONE = N_(
    "Type a time zone to set: pick one from the list, or type a name like "
    "`Europe/London` or `America/Chicago`."
)
"""The answer to an empty zone (or only spaces, backticks or quotes), whoever sets it."""


#: Refusals of a role no setting can name: ``@everyone`` (every member has it) and a role a
#: bot or an integration manages (Discord decides who has it), per setting (whole sentences).
ROLE_REFUSALS = {
    ("moderator", "everyone"): N_(
        "`@everyone` can't be the moderator role: every member has it, so everyone could use "
        "moderator commands (like `/group reveal`). Please pick a role only your moderators "
        "have; nothing was changed."
    ),
    ("moderator", "managed"): N_(
        "**{role}** can't be the moderator role: it belongs to a bot or an integration, so "
        "Discord decides who has it. Please pick a role only your moderators have; nothing "
        "was changed."
    ),
    ("peer", "everyone"): N_(
        "`@everyone` can't be the peer role: every member has it, so everyone would see "
        "support requests and could take them. Please pick a role only your peer supporters "
        "have; nothing was changed."
    ),
    ("peer", "managed"): N_(
        "**{role}** can't be the peer role: it belongs to a bot or an integration, so Discord "
        "decides who has it. Please pick a role only your peer supporters have; nothing was "
        "changed."
    ),
}


def require_role(purpose: str, guild_id: int, role_id: int, *, managed: bool, name: str) -> None:
    """Refuse, kindly, a role for ``purpose`` (``"moderator"`` or ``"peer"``) that every member
    has (``@everyone``, whose id is the server's) or that a bot or an integration manages."""
    if role_id == guild_id:
        raise InvalidInputError(ROLE_REFUSALS[purpose, "everyone"])
    if managed:
        raise InvalidInputError(ROLE_REFUSALS[purpose, "managed"], role=name)


def require_zone(text: str) -> str:
    """The zone as typed without its wrapping; a kind, translated error when nothing is left."""
    name = unwrap_zone(text)
    if not name:
        raise InvalidInputError(EMPTY_ZONE)
    return name


def known_zone(text: str) -> str:
    """The canonical IANA name of the zone typed (``require_zone``, then the one zone parser);
    a kind error in the reader's language, with near names, for a zone it doesn't know."""
    name = require_zone(text)
    try:
        return parse_timezone(name).key
    except InvalidTimezoneError as exc:
        # Shown inside a code span: a backtick in it would end the span early.
        plain = " ".join(name.replace("`", "'").split())
        shown = plain[:40] + ("…" if len(plain) > 40 else "")
        near = Joined([f"`{s}`" for s in exc.suggestions[:3]], style="or", english=" or ")
        if near:
            raise InvalidInputError(
                N_(
                    "I don't know the time zone `{zone}`. Did you mean {suggestions}? Pick "
                    "one from the list, or type a name like `Europe/London` or "
                    "`America/Chicago`."
                ),
                zone=shown,
                suggestions=near,
            ) from None
        raise InvalidInputError(
            N_(
                "I don't know the time zone `{zone}`. Pick one from the list, or type a "
                "name like `Europe/London` or `America/Chicago`."
            ),
            zone=shown,
        ) from None


def validate_timezone(value: str) -> str:
    """The canonical IANA name of a zone, read by the one zone parser every zone input uses
    (``bot.schedules.parse_timezone``: any letter case, ``London``, ``EST`` for New York's
    zone); a ``ValueError`` naming what is allowed for anything else."""
    try:
        return parse_timezone(value if isinstance(value, str) else "").key
    except InvalidTimezoneError as exc:
        shown = str(value)[:40] + ("…" if len(str(value)) > 40 else "")
        hint = f" (did you mean {', '.join(exc.suggestions[:3])}?)" if exc.suggestions else ""
        raise ValueError(
            f"unknown time zone {shown!r}; use an IANA name like Europe/London{hint}"
        ) from None


class CoreSettings(SettingsSection):
    section: ClassVar[str] = "core"
    title: ClassVar[str] = "General"

    moderator_role_id: int | None = None
    """Members with this role may use moderator commands (besides Manage Server)."""
    timezone: str = "UTC"
    """The guild's home time zone, used when a member has not set their own."""
    default_region: str | None = None
    """ISO region (e.g. US, GB, US-NY) for resources when a member has not set theirs."""

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        from bot.services.resources import normalize_region

        if value is None:
            return None
        try:
            return normalize_region(value)
        except InvalidInputError as exc:  # a stored bad value is dropped, never raised
            raise ValueError(str(exc)) from None


class GuildSettingsService:
    def __init__(self, repo: GuildSettingsRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock
        # per guild: its stored values, and each section validated from them once (the
        # sections are frozen models, so one instance is shared until a change drops both)
        self._cache: dict[int, dict[str, Any]] = {}
        self._parsed: dict[tuple[int, type[SettingsSection]], SettingsSection] = {}
        self.sections: dict[str, type[SettingsSection]] = {}
        self.register(CoreSettings)

    def register(self, section: type[SettingsSection]) -> None:
        self.sections[section.section] = section

    async def follow_other_processes(self) -> None:
        """In a cluster: forget a guild's cached settings when another process changes them."""

        def changed(_channel: str, guild_id: str) -> None:
            self._forget(int(guild_id))

        await self.repo.listen_changes(changed)

    def forget_cached(self, guild_id: int) -> None:
        """The server's rows were deleted (its data purged): read them afresh."""
        self._forget(guild_id)

    def _forget(self, guild_id: int) -> None:
        self._cache.pop(guild_id, None)
        for key in [k for k in self._parsed if k[0] == guild_id]:
            del self._parsed[key]

    async def _raw(self, guild_id: int) -> dict[str, Any]:
        if guild_id not in self._cache:
            self._cache[guild_id] = await self.repo.get_all(guild_id)
        return self._cache[guild_id]

    async def get(self, guild_id: int, section: type[S]) -> S:
        """The guild's ``section``, validated once until it changes (a message noticed by the
        detector reads several sections: no validation each time)."""
        parsed = self._parsed.get((guild_id, section))
        if parsed is not None and guild_id in self._cache:
            return parsed  # type: ignore[return-value]
        raw = await self._raw(guild_id)
        value = self._validated(guild_id, section, raw)
        if self._cache.get(guild_id) is raw:  # not changed while it was read
            self._parsed[(guild_id, section)] = value
        return value

    def _validated(self, guild_id: int, section: type[S], raw: dict[str, Any]) -> S:
        prefix = section.section + "."
        values = {k[len(prefix) :]: v for k, v in raw.items() if k.startswith(prefix)}
        try:
            return section.model_validate(values)
        except ValidationError:
            log.warning(
                "guild %s: stored %s settings invalid; using defaults per field",
                guild_id,
                section.section,
            )
            good: dict[str, Any] = {}
            for key, value in values.items():
                try:
                    section.model_validate({key: value})
                    good[key] = value
                except ValidationError:
                    continue
            return section.model_validate(good)

    async def update(
        self, guild_id: int, section: type[S], actor_id: int | None, **changes: Any
    ) -> S:
        """Validate and store changes; raise InvalidInputError naming the setting on bad input."""
        current = await self.get(guild_id, section)
        unknown = set(changes) - set(section.model_fields)
        if unknown:
            raise InvalidInputError(
                N_("Unknown setting: {names}."), names=", ".join(sorted(unknown))
            )
        zone = changes.get("timezone")
        if isinstance(zone, str) and "timezone" in section.model_fields:
            # asked for clearly, and a zone it doesn't know named in the reader's language
            # (never the settings layer's English "unknown time zone ...")
            known_zone(zone)
        region = changes.get("default_region")
        if isinstance(region, str) and "default_region" in section.model_fields:
            from bot.services.resources import normalize_region

            normalize_region(region)  # an UnknownRegionError, in the reader's language
        try:
            updated = section.model_validate({**current.model_dump(), **changes})
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            message = str(err.get("ctx", {}).get("error") or err["msg"])
            raise InvalidInputError(f"`{field}`: {message}") from exc
        stored = {
            f"{section.section}.{key}": updated.model_dump(mode="json")[key] for key in changes
        }
        await self.repo.set_many(guild_id, stored, actor_id, self.clock())
        self._forget(guild_id)
        return updated

    async def guilds_with(self, section: type[SettingsSection], field: str) -> list[int]:
        """Guilds that set ``field`` of ``section`` (e.g. where peer support is set up)."""
        return await self.repo.guilds_with(f"{section.section}.{field}")

    async def all_sections(self, guild_id: int) -> list[SettingsSection]:
        return [await self.get(guild_id, cls) for cls in self.sections.values()]
