"""Peer-support settings: who the peers are, where cards go, limits and escalation steps."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.schedules import WeeklyHours
from bot.services.settings import GuildSettingsService, SettingsSection, validate_timezone


class PeerSettings(SettingsSection):
    section: ClassVar[str] = "peers"
    title: ClassVar[str] = "Peer support"

    peer_role_id: int | None = None
    peer_channel_id: int | None = None
    mod_channel_id: int | None = None
    conversation: Literal["thread", "relay"] = "thread"
    thread_channel_id: int | None = None
    office_hours: str | None = None
    office_tz: str = "UTC"
    max_open_per_peer: int = Field(3, ge=1, le=20)
    max_requests_per_day: int = Field(3, ge=1, le=50)
    #: how long this server keeps stored conversation text (and the other content the
    #: retention purge deletes); None: the deployment's ``[privacy] retention_days``, which is
    #: also the most any server keeps (bot/services/privacy.py)
    retention_days: int | None = Field(None, ge=1, le=365)
    reping_minutes: int = Field(10, ge=1, le=1440)
    all_peers_minutes: int = Field(20, ge=1, le=1440)
    moderator_minutes: int = Field(45, ge=1, le=10080)
    idle_remind_hours: int = Field(24, ge=1, le=720)
    idle_close_hours: int = Field(72, ge=1, le=2160)
    feedback: bool = True

    @field_validator("office_tz")
    @classmethod
    def _tz(cls, value: str) -> str:
        return validate_timezone(value)

    @property
    def configured(self) -> bool:
        return self.peer_role_id is not None and self.peer_channel_id is not None


def canonical_office_hours(text: str) -> str:
    """Office hours such as ``mon-fri 08:00-16:30`` in the one spelling that is stored."""
    return WeeklyHours.parse(text).canonical()


def kept_days(cfg: PeerSettings, deployment_days: int) -> int:
    """The days this server's content is really kept: its own setting, never longer than the
    deployment's upper bound; the deployment's when it set none."""
    if cfg.retention_days is None:
        return deployment_days
    return min(cfg.retention_days, deployment_days)


def check_idle(cfg: PeerSettings) -> None:
    """The idle reminder comes before the idle close, or it could never be sent: refused
    (nothing saved), so the settings always mean what a moderator reads in them."""
    if cfg.idle_remind_hours >= cfg.idle_close_hours:
        raise InvalidInputError(
            N_(
                "Nothing was saved: `idle_remind_hours` ({remind}) has to be less than "
                "`idle_close_hours` ({close}), or the reminder would only come after the "
                "quiet conversation had closed."
            ),
            remind=cfg.idle_remind_hours,
            close=cfg.idle_close_hours,
        )


async def update_limits(
    settings: GuildSettingsService, guild_id: int, actor_id: int, **changes: Any
) -> PeerSettings:
    """``/peers limits``: the changes validated together, then saved (all or nothing)."""
    current = await settings.get(guild_id, PeerSettings)
    check_idle(current.model_copy(update=changes))
    return await settings.update(guild_id, PeerSettings, actor_id, **changes)
