"""Discord's limits on what the bot sends: message bodies, components and application commands.

Each check raises the ``400 Invalid Form Body`` (50035) answer Discord gives, so a bot that
would be refused by Discord is refused here too."""

from __future__ import annotations

import re

from .errors import RestError, invalid_form
from .models import JSON, Attachment

NAME_RE = re.compile(r"^[-_\w]{1,32}$")


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
    footer = len((e.get("footer") or {}).get("text") or "")
    if footer > 2048:
        raise invalid_form(
            f"embeds.{i}.footer.text", "BASE_TYPE_MAX_LENGTH", "Must be 2048 or fewer in length."
        )
    author = len((e.get("author") or {}).get("name") or "")
    if author > 256:
        raise invalid_form(
            f"embeds.{i}.author.name", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length."
        )
    return size + footer + author


def validate_components(components: list[JSON], *, v2: bool, where: str = "components") -> None:
    """A message's (or, with ``where="data.components"``, a modal's) components, as Discord
    checks them: rows of 1-5 children, unique custom ids of 1-100 characters, button labels,
    select menus (1-25 options of 100-character label/value/description) and text inputs."""
    if not v2 and len(components) > 5:
        raise invalid_form(where, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, comp in enumerate(components):
        _walk(comp, f"{where}.{i}", seen)


def _walk(c: JSON, path: str, seen: set[str]) -> None:
    if c.get("type") == 1:
        children = c.get("components") or []
        if not children or len(children) > 5:
            raise _bad_length(f"{path}.components", 1, 5)
        for j, child in enumerate(children):
            if child.get("type") == 4 and not child.get("label"):  # no Label around it
                where = f"{path}.components.{j}.label"
                raise invalid_form(where, "BASE_TYPE_REQUIRED", "This field is required")
    _validate_component(c, path, seen)
    for j, child in enumerate(c.get("components") or []):
        _walk(child, f"{path}.components.{j}", seen)
    for key in ("component", "accessory"):
        if isinstance(c.get(key), dict):
            _walk(c[key], f"{path}.{key}", seen)


def _bad_length(path: str, low: int, high: int) -> RestError:
    return invalid_form(
        path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
    )


def _max_length(c: JSON, key: str, path: str, high: int, *, low: int = 0) -> None:
    value = c.get(key)
    if value is None:
        return
    if len(str(value)) > high or len(str(value)) < low:
        if low:
            raise _bad_length(f"{path}.{key}", low, high)
        raise invalid_form(
            f"{path}.{key}", "BASE_TYPE_MAX_LENGTH", f"Must be {high} or fewer in length."
        )


#: Select menus: string, user, role, mentionable and channel selects.
SELECT_TYPES = {3, 5, 6, 7, 8}
#: What a Label (type 18) may hold: a text input, a select menu or a file upload.
LABELLED_TYPES = {4, 19} | SELECT_TYPES


def _validate_component(c: JSON, path: str, seen: set[str]) -> None:
    cid = c.get("custom_id")
    if cid is not None:
        if not 1 <= len(cid) <= 100:
            raise _bad_length(f"{path}.custom_id", 1, 100)
        if cid in seen:
            raise invalid_form(
                f"{path}.custom_id",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(cid)
    ctype = c.get("type")
    if ctype == 2:
        _max_length(c, "label", path, 80)
    elif ctype in SELECT_TYPES:
        _max_length(c, "placeholder", path, 150)
        if ctype == 3:
            options = c.get("options") or []
            if not 1 <= len(options) <= 25:
                raise _bad_length(f"{path}.options", 1, 25)
            for k, option in enumerate(options):
                where = f"{path}.options.{k}"
                _max_length(option, "label", where, 100, low=1)
                _max_length(option, "value", where, 100, low=1)
                _max_length(option, "description", where, 100)
                if "label" not in option or "value" not in option:
                    raise invalid_form(where, "BASE_TYPE_REQUIRED", "This field is required")
    elif ctype == 4:
        _max_length(c, "label", path, 45, low=1)
        _max_length(c, "placeholder", path, 100)
        _max_length(c, "value", path, 4000)
    elif ctype == 18:  # a modal's label around a text input or select
        if not c.get("label"):
            raise invalid_form(f"{path}.label", "BASE_TYPE_REQUIRED", "This field is required")
        _max_length(c, "label", path, 45, low=1)
        _max_length(c, "description", path, 100)
        inner = c.get("component")
        if not isinstance(inner, dict) or inner.get("type") not in LABELLED_TYPES:
            raise invalid_form(f"{path}.component", "BASE_TYPE_REQUIRED", "This field is required")


def validate_modal(data: JSON) -> None:
    """A modal callback's data: a custom id, a title of 1-45 characters, 1-5 components."""
    if not data.get("custom_id") or not data.get("title") or not data.get("components"):
        raise invalid_form("data", "MODAL_INVALID", "Modal needs custom_id, title and components")
    _max_length(data, "custom_id", "data", 100, low=1)
    _max_length(data, "title", "data", 45, low=1)
    components = data["components"]
    if len(components) > 5:
        raise _bad_length("data.components", 1, 5)
    validate_components(components, v2=True, where="data.components")


def validate_autocomplete(data: JSON) -> None:
    """An autocomplete result: up to 25 choices, names of 1-100 characters, string values of
    at most 100."""
    choices = data.get("choices") or []
    if len(choices) > 25:
        raise invalid_form("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for k, choice in enumerate(choices):
        _max_length(choice, "name", f"data.choices.{k}", 100, low=1)
        if isinstance(choice.get("value"), str):
            _max_length(choice, "value", f"data.choices.{k}", 100)
        _validate_localizations(choice, "name_localizations", f"data.choices.{k}.")


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
