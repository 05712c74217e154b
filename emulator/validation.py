"""Discord's limits on what the bot sends: message bodies, components and application commands.

Each check raises the ``400 Invalid Form Body`` (50035) answer Discord gives, so a bot that
would be refused by Discord is refused here too."""

from __future__ import annotations

import re

from .errors import RestError, invalid_form
from .models import JSON, Attachment, Message, User

NAME_RE = re.compile(r"^[-_\w]{1,32}$")
_NOBODY = User(id=0, username="")


def validate_message_body(body: JSON, files: list[Attachment], *, partial: bool) -> None:
    """A message create (``partial=False``) or edit (``partial=True``) body."""
    content = body.get("content")
    if content is not None and len(str(content)) > 2000:
        raise invalid_form("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds")
    if embeds is not None:
        validate_embeds(embeds)
    components = body.get("components")
    if components is not None:
        validate_components(components, v2=bool(int(body.get("flags") or 0) & 32768))
    if not partial and not (
        content or embeds or components or files or body.get("sticker_ids") or body.get("poll")
    ):
        raise RestError(400, 50006, "Cannot send an empty message")


def validate_embeds(embeds: list[JSON]) -> None:
    if len(embeds) > 10:
        raise invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, e in enumerate(embeds):
        total += _validate_embed(i, e)
    if total > 6000:
        raise invalid_form(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )


def _validate_embed(i: int, e: JSON) -> int:
    """Check one embed's limits; returns its size towards the 6000-character total."""
    if len(e.get("title") or "") > 256:
        raise invalid_form(
            f"embeds.{i}.title", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length."
        )
    if len(e.get("description") or "") > 4096:
        raise invalid_form(
            f"embeds.{i}.description", "BASE_TYPE_MAX_LENGTH", "Must be 4096 or fewer in length."
        )
    fields = e.get("fields") or []
    if len(fields) > 25:
        raise invalid_form(
            f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        )
    for j, f in enumerate(fields):
        if len(str(f.get("name", ""))) > 256 or not str(f.get("name", "")):
            raise invalid_form(
                f"embeds.{i}.fields.{j}.name",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 256 in length.",
            )
        if len(str(f.get("value", ""))) > 1024 or not str(f.get("value", "")):
            raise invalid_form(
                f"embeds.{i}.fields.{j}.value",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 1024 in length.",
            )
    size = len(e.get("title") or "") + len(e.get("description") or "")
    size += sum(len(str(f.get("name", ""))) + len(str(f.get("value", ""))) for f in fields)
    size += len((e.get("footer") or {}).get("text") or "")
    size += len((e.get("author") or {}).get("name") or "")
    return size


def validate_components(components: list[JSON], *, v2: bool) -> None:
    if not v2 and len(components) > 5:
        raise invalid_form("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(components):
        if row.get("type") == 1:
            children = row.get("components") or []
            if not children or len(children) > 5:
                raise invalid_form(
                    f"components.{i}.components",
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
        for c in Message(id=0, channel_id=0, author=_NOBODY, components=[row]).iter_components():
            _validate_component(i, c, seen)


def _validate_component(i: int, c: JSON, seen: set[str]) -> None:
    cid = c.get("custom_id")
    if cid is not None:
        if not 1 <= len(cid) <= 100:
            raise invalid_form(
                f"components.{i}",
                "BASE_TYPE_BAD_LENGTH",
                "custom_id must be between 1 and 100 in length.",
            )
        if cid in seen:
            raise invalid_form(
                f"components.{i}",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(cid)
    if c.get("type") == 2 and len(c.get("label") or "") > 80:
        raise invalid_form(
            f"components.{i}", "BASE_TYPE_MAX_LENGTH", "label must be 80 or fewer in length."
        )


def validate_command(body: JSON) -> None:
    """An application command the bot registers (name, description, options)."""
    ctype = int(body.get("type", 1))
    name = str(body.get("name", ""))
    if not NAME_RE.match(name) or (ctype == 1 and name != name.lower()):
        raise invalid_form(
            "name", "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}"
        )
    if ctype == 1:
        desc = body.get("description") or ""
        if not 1 <= len(desc) <= 100:
            raise invalid_form(
                "description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        _validate_localizations(body, "description_localizations", "")
    validate_options(body.get("options") or [], "options")


def _validate_localizations(item: JSON, key: str, where: str) -> None:
    """Discord holds a localised description or choice name to the English one's bounds."""
    for locale, text in (item.get(key) or {}).items():
        if not 1 <= len(text or "") <= 100:
            raise invalid_form(
                f"{where}{key}.{locale}",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )


def validate_options(options: list[JSON], where: str) -> None:
    if len(options) > 25:
        raise invalid_form(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names = [o.get("name") for o in options]
    if len(names) != len(set(names)):
        raise invalid_form(
            where,
            "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
            "Option names must be unique",
        )
    seen_optional = False
    for i, o in enumerate(options):
        _validate_option(o, f"{where}.{i}")
        if o.get("type") in (1, 2):
            validate_options(o.get("options") or [], f"{where}.{i}.options")
            continue
        if o.get("required"):
            if seen_optional:
                raise invalid_form(
                    where,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID_ORDER",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True


def _validate_option(o: JSON, where: str) -> None:
    if (
        not NAME_RE.match(str(o.get("name", "")))
        or str(o.get("name")) != str(o.get("name")).lower()
    ):
        raise invalid_form(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
    if not 1 <= len(o.get("description") or "") <= 100:
        raise invalid_form(
            f"{where}.description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    _validate_localizations(o, "description_localizations", f"{where}.")
    for i, choice in enumerate(o.get("choices") or []):
        _validate_localizations(choice, "name_localizations", f"{where}.choices.{i}.")
    if len(o.get("choices") or []) > 25:
        raise invalid_form(
            f"{where}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        )
