"""Routes for guild scheduled events: list, create, read, edit, delete.

Discord's rules as documented: creating needs Manage Events or Create Events; editing and
deleting need Manage Events (or Create Events for an event the bot created). ``privacy_level``
is 2 (guild only). A stage or voice event names a stage or voice channel the bot can see; an
external event has no channel, a ``location`` (1-100 characters) and an end time. The start is
in the future, the end after the start; names are 1-100 characters, descriptions up to 1,000.
A guild holds at most 100 scheduled or active events. Status moves only from scheduled to active
or canceled, and from active to completed; a finished event can't be edited. Each change is sent
to the gateway as ``GUILD_SCHEDULED_EVENT_CREATE`` / ``_UPDATE`` / ``_DELETE``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import RestError, invalid_form, missing_permissions
from ..models import JSON, ChannelType, Guild
from ..permissions import P, base_permissions
from ..routing import Req, RouteTable
from .host import RestHost

routes = RouteTable()

MAX_EVENTS = 100
STAGE, VOICE, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
NEXT_STATUS = {SCHEDULED: {ACTIVE, CANCELED}, ACTIVE: {COMPLETED}}
CHANNEL_FOR = {STAGE: ChannelType.GUILD_STAGE_VOICE, VOICE: ChannelType.GUILD_VOICE}


def _event_param(g: Guild, req: Req) -> JSON:
    event = g.scheduled_events.get(req.int_param("event_id"))
    if event is None:
        raise RestError(404, 10070, "Unknown Guild Scheduled Event")
    return event


def _require_events(emu: RestHost, g: Guild, event: JSON | None = None) -> None:
    have = base_permissions(g, g.members[emu.bot_user.id])
    if have & P.ADMINISTRATOR or have & P.MANAGE_EVENTS:
        return
    creating_or_own = event is None or event.get("creator_id") == str(emu.bot_user.id)
    if creating_or_own and have & P.CREATE_EVENTS:
        return
    raise missing_permissions()


def _time(body: JSON, key: str) -> datetime | None:
    value = body.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_form(key, "DATE_TIME_TYPE_COERCE", "Could not parse date.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _validate(emu: RestHost, g: Guild, event: JSON, *, starts_changed: bool) -> None:
    """Check a whole (new or edited) event against Discord's rules."""
    name = event.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise invalid_form("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if len(event.get("description") or "") > 1000:
        raise invalid_form(
            "description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."
        )
    if event.get("privacy_level") != 2:
        raise invalid_form("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    kind = event.get("entity_type")
    if kind not in (STAGE, VOICE, EXTERNAL):
        raise invalid_form("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = _time(event, "scheduled_start_time")
    end = _time(event, "scheduled_end_time")
    if start is None:
        raise invalid_form("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required")
    if starts_changed and start <= datetime.now(UTC):
        raise invalid_form(
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    if end is not None and end <= start:
        raise invalid_form(
            "scheduled_end_time",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    if kind == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if event.get("channel_id") is not None:
            raise invalid_form(
                "channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED",
                "External events can't have a channel.",
            )  # fmt: skip
        if not isinstance(location, str) or not 1 <= len(location) <= 100:
            raise invalid_form(
                "entity_metadata.location", "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )  # fmt: skip
        if end is None:
            raise invalid_form("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required")
        return
    channel_id = event.get("channel_id")
    if channel_id is None:
        raise invalid_form("channel_id", "BASE_TYPE_REQUIRED", "This field is required")
    channel = emu._rest_channel(channel_id)
    if channel.guild_id != g.id or channel.type != CHANNEL_FOR[kind]:
        raise invalid_form(
            "channel_id", "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL",
            "The channel type does not match the entity type.",
        )  # fmt: skip
    emu._require(channel)  # the bot must see the channel


def _live(g: Guild) -> int:
    return sum(1 for e in g.scheduled_events.values() if e["status"] in (SCHEDULED, ACTIVE))


def _fields(body: JSON) -> JSON:
    keys = (
        "name", "description", "privacy_level", "entity_type", "channel_id", "entity_metadata",
        "scheduled_start_time", "scheduled_end_time",
    )  # fmt: skip
    out = {k: body[k] for k in keys if k in body}
    if "channel_id" in out and out["channel_id"] is not None:
        out["channel_id"] = str(out["channel_id"])
    return out


@routes("GET", "/guilds/{guild_id}/scheduled-events")
async def list_events(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return list(g.scheduled_events.values())


@routes("POST", "/guilds/{guild_id}/scheduled-events")
async def create_event(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    _require_events(emu, g)
    body = req.body()
    event: JSON = {
        "id": str(emu.new_id()),
        "guild_id": str(g.id),
        "creator_id": str(emu.bot_user.id),
        "creator": emu.bot_user.to_payload(),
        "description": None,
        "channel_id": None,
        "entity_id": None,
        "entity_metadata": None,
        "scheduled_end_time": None,
        "status": SCHEDULED,
        "user_count": 0,
        "image": None,
        **_fields(body),
    }
    _validate(emu, g, event, starts_changed=True)
    if _live(g) >= MAX_EVENTS:
        raise RestError(
            400, 30038, f"Maximum number of guild scheduled events reached ({MAX_EVENTS})"
        )
    g.scheduled_events[int(event["id"])] = event
    emu.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
    return event


@routes("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def get_event(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    return _event_param(g, req)


@routes("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def edit_event(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    event = _event_param(g, req)
    _require_events(emu, g, event)
    if event["status"] in (COMPLETED, CANCELED):
        raise RestError(400, 180000, "Cannot modify a finished event")
    body = req.body()
    edited = {**event, **_fields(body)}
    if body.get("entity_type") == EXTERNAL:
        edited["channel_id"] = body.get("channel_id")
    status = body.get("status")
    if status is not None and status != event["status"]:
        if status not in NEXT_STATUS.get(event["status"], set()):
            raise invalid_form(
                "status", "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
                "Invalid status transition.",
            )  # fmt: skip
        edited["status"] = status
    starts_changed = edited["scheduled_start_time"] != event["scheduled_start_time"]
    _validate(emu, g, edited, starts_changed=starts_changed and edited["status"] == SCHEDULED)
    event.clear()
    event.update(edited)
    emu.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
    return event


@routes("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")
async def delete_event(emu: RestHost, req: Req) -> Any:
    g = emu._rest_guild(req.params["guild_id"])
    event = _event_param(g, req)
    _require_events(emu, g, event)
    del g.scheduled_events[int(event["id"])]
    emu.dispatch("GUILD_SCHEDULED_EVENT_DELETE", event)
