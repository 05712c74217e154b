"""Turning what a console line names into what the emulator needs: option values of the right
type, the button a member means by its label, the fields of the form they were shown.

Every miss raises :class:`~bot.sandbox.names.Unknown` with a one-line hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.interactions import Interaction
from emulator.models import Channel, Message, User
from emulator.permissions import P

from .events import Field, Handles
from .names import Directory, Unknown, listing, usage

YES = {"yes", "y", "true", "on", "1"}
NO = {"no", "n", "false", "off", "0"}
SEARCH_DEPTH = 300


def option_values(
    names: Directory, path: str, specs: list[dict[str, Any]], given: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    """``name=value`` pairs → values of each option's type (members, channels, roles…)."""
    by_name = {s["name"]: s for s in specs}
    out: dict[str, Any] = {}
    for name, value in given:
        spec = by_name.get(name)
        if spec is None:
            raise Unknown(f"/{path} has no option {name!r}; options: {usage(specs)}")
        out[name] = _convert(names, spec, value)
    missing = [s["name"] for s in specs if s.get("required") and s["name"] not in out]
    if missing:
        raise Unknown(f"/{path} needs {', '.join(missing)}; options: {usage(specs)}")
    return out


def _convert(names: Directory, spec: dict[str, Any], value: str) -> Any:
    kind, name = spec["type"], spec["name"]
    if kind == 6:
        return names.member(value)
    if kind == 7:
        return names.channel(value)
    if kind == 8:
        return names.role(value)
    if kind == 9:
        try:
            return names.member(value)
        except Unknown:
            return names.role(value)
    if kind == 5:
        if value.lower() in YES | NO:
            return value.lower() in YES
        raise Unknown(f"{name} is yes or no, not {value!r}")
    converted: Any = value
    if kind in (4, 10):
        try:
            converted = int(value) if kind == 4 else float(value)
        except ValueError:
            raise Unknown(f"{name} is a number, not {value!r}") from None
    choices = spec.get("choices") or []
    if choices:
        for choice in choices:
            if (
                str(choice["value"]).lower() == value.lower()
                or choice["name"].lower() == value.lower()
            ):
                return choice["value"]
        raise Unknown(f"{name} is one of: {listing(str(c['value']) for c in choices)}")
    return converted


# -- forms ----------------------------------------------------------------------------------
def form_fields(modal: dict[str, Any]) -> list[Field]:
    """The inputs of a modal: text inputs and menus, with their labels and choices."""
    out: list[Field] = []

    def walk(components: list[dict[str, Any]], label: str = "") -> None:
        for comp in components:
            kind = comp.get("type")
            if kind == 1:
                walk(comp.get("components", []), label)
            elif kind == 18:
                walk([comp["component"]], str(comp.get("label") or label))
            elif kind in (3, 4) and comp.get("custom_id"):
                out.append(
                    Field(
                        name=comp["custom_id"],
                        label=str(comp.get("label") or label),
                        required=bool(comp.get("required", True)),
                        choices=tuple(str(o["value"]) for o in comp.get("options", [])),
                    )
                )

    walk(modal.get("components", []))
    return out


def form_values(fields: list[Field], given: tuple[tuple[str, str], ...]) -> dict[str, str]:
    by_name = {f.name.lower(): f for f in fields}
    shown = ", ".join(f.name + ("" if f.required else "?") for f in fields)
    out: dict[str, str] = {}
    for name, value in given:
        field = by_name.get(name)
        if field is None:
            raise Unknown(f"the form has no field {name!r}; fields: {shown}")
        if field.choices and value not in field.choices:
            raise Unknown(f"{field.name} is one of: {', '.join(field.choices)}")
        out[field.name] = value
    return out


# -- buttons --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Found:
    message: Message
    custom_id: str
    label: str
    value: str | None = None
    """For a menu option: the value to pick."""


def can_see(names: Directory, user: User, message: Message) -> bool:
    emu = names.emu
    if message.deleted:
        return False
    if message.ephemeral:
        it = emu.interactions.get(message.interaction_id or 0)
        return it is not None and it.user.id == user.id
    ch = emu.channels.get(message.channel_id)
    if ch is None or ch.deleted:
        return False
    if ch.is_dm:
        return any(r.id == user.id for r in ch.recipients)
    if ch.type == 12 and user.id not in ch.thread_members:
        return False
    where = emu.channels.get(ch.parent_id or 0) if ch.is_thread else ch
    return where is not None and bool(emu.permissions_for(user, where) & P.VIEW_CHANNEL)


def find_button(
    names: Directory, handles: Handles, user: User, label: str, target: str | None
) -> Found:
    """The newest button (or menu option) called ``label`` that ``user`` can see, optionally
    on one message (``m3``), in one channel (``#peers``) or in their DMs (``dm``)."""
    pool = [m for m in _candidates(names, handles, user, target) if can_see(names, user, m)]
    wanted = label.casefold()
    seen: list[str] = []
    for exact in (True, False):
        for message in pool:
            for found in controls(message):
                text = found.label.casefold()
                if text == wanted or (not exact and text.startswith(wanted)):
                    return found
                if exact and found.label not in seen:
                    seen.append(found.label)
    where = f" on {target}" if target else ""
    raise Unknown(
        f"{user.username} sees no button {label!r}{where}; buttons they see: {listing(seen)}"
    )


def _candidates(
    names: Directory, handles: Handles, user: User, target: str | None
) -> list[Message]:
    emu = names.emu
    if target is None:
        return [m for m in reversed(list(emu.messages.values())[-SEARCH_DEPTH:]) if m.components]
    if target.lower() == "dm":
        ch: Channel = emu.dm_channel(user)
    elif target.startswith("#"):
        ch = names.channel(target)
    else:
        mid = handles.by_handle.get(target.lower())
        if mid is None or mid not in emu.messages:
            known = listing(sorted(handles.by_handle, key=lambda h: int(h[1:]))[-8:])
            raise Unknown(f"no message {target!r}; recent: {known}")
        return [emu.messages[mid]]
    return list(reversed(emu.messages_in(ch)))[:SEARCH_DEPTH]


def controls(message: Message) -> list[Found]:
    out: list[Found] = []
    for comp in message.iter_components():
        if comp.get("disabled") or not comp.get("custom_id"):
            continue
        if comp.get("type") == 2 and comp.get("label"):
            out.append(Found(message, comp["custom_id"], str(comp["label"])))
        elif comp.get("type") == 3:
            out.extend(
                Found(message, comp["custom_id"], str(o["label"]), str(o["value"]))
                for o in comp.get("options", [])
            )
    return out


def last_form(modals: dict[int, Interaction], user: User) -> Interaction:
    it = modals.get(user.id)
    if it is None or it.modal is None:
        raise Unknown(
            f"Kindred has not shown {user.username} a form (try: as {user.username} /support)"
        )
    return it
