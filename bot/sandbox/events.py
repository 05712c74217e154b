"""What the console reports, as plain data (``render`` draws it; tests read it).

A message the bot sent becomes a :class:`MessageView`: where it is, who can see it (an
ephemeral answer is marked with the one member who sees it), its text with mentions and
Discord timestamps turned into names and times, its embeds, buttons and menus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulator.models import Message

from .names import Directory


@dataclass(frozen=True)
class Said:
    """A member's own action, echoed: ``alice in #welcome: hello``."""

    text: str


@dataclass(frozen=True)
class Narration:
    text: str


@dataclass(frozen=True)
class HintLine:
    text: str


@dataclass(frozen=True)
class Info:
    text: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormShown:
    """The bot opened a form (modal) for a member; ``submit`` answers it."""

    member: str
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class EmbedView:
    title: str = ""
    description: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    footer: str = ""


@dataclass(frozen=True)
class MessageView:
    handle: str
    where: str
    author: str
    text: str
    embeds: tuple[EmbedView, ...] = ()
    buttons: tuple[tuple[str, bool], ...] = ()
    """(label, disabled)"""
    menus: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(placeholder, option labels)"""
    only_for: str | None = None
    """An ephemeral answer: the member who sees it."""
    edited: bool = False
    by_bot: bool = True


Event = Said | Narration | HintLine | Info | Table | FormShown | MessageView


@dataclass
class Handles:
    """Short, stable names for messages (``m1``, ``m2``…) so a line can point at one."""

    by_id: dict[int, str] = field(default_factory=dict)
    by_handle: dict[str, int] = field(default_factory=dict)

    def of(self, message_id: int) -> str:
        if message_id not in self.by_id:
            handle = f"m{len(self.by_id) + 1}"
            self.by_id[message_id] = handle
            self.by_handle[handle] = message_id
        return self.by_id[message_id]


_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_TIME = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
_JUMP = r"https://discord\.com/channels/(?:\d+|@me)/(\d+)/(\d+)"
_LABELLED = re.compile(r"\[([^\]\n]+)\]\((" + _JUMP + r")\)")
_LINK = re.compile(_JUMP)


def readable(text: str, names: Directory, handles: Handles) -> str:
    """Mentions, channel links, jump links and ``<t:…>`` timestamps as a person reads them."""
    emu = names.emu
    text = _USER.sub(lambda m: "@" + names.name_of(int(m[1])), text)
    text = _ROLE.sub(lambda m: "@" + names.role_name(int(m[1])), text)
    text = _CHANNEL.sub(
        lambda m: (
            names.channel_label(emu.channels[int(m[1])])
            if int(m[1]) in emu.channels
            else "#unknown"
        ),
        text,
    )
    text = _TIME.sub(lambda m: _when(int(m[1])), text)

    def jump(message_id: str, label: str = "jump") -> str:
        known = int(message_id) in emu.messages
        return f"{label} → {handles.of(int(message_id))}" if known else f"{label} → (gone)"

    text = _LABELLED.sub(lambda m: jump(m[4], m[1]), text)
    return _LINK.sub(lambda m: jump(m[2]), text)


def _when(seconds: int) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%a %d %b %Y %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return str(seconds)


def message_view(
    message: Message, names: Directory, handles: Handles, *, edited: bool = False
) -> MessageView:
    emu = names.emu
    only_for = None
    if message.ephemeral and message.interaction_id in emu.interactions:
        only_for = emu.interactions[message.interaction_id].user.username

    def clean(text: object) -> str:
        return readable(str(text or ""), names, handles)

    embeds = tuple(
        EmbedView(
            title=clean(e.get("title")),
            description=clean(e.get("description")),
            fields=tuple(
                (clean(f.get("name")), clean(f.get("value"))) for f in e.get("fields", [])
            ),
            footer=clean((e.get("footer") or {}).get("text")),
        )
        for e in message.embeds
    )
    leaves = message.iter_components()
    buttons = tuple(
        (str(c.get("label") or c.get("emoji", {}).get("name") or "?"), bool(c.get("disabled")))
        for c in leaves
        if c.get("type") == 2
    )
    menus = tuple(
        (
            str(c.get("placeholder") or "choose"),
            tuple(str(o.get("label")) for o in c.get("options", [])),
        )
        for c in leaves
        if c.get("type") == 3
    )
    return MessageView(
        handle=handles.of(message.id),
        where=names.channel_label(emu.channels[message.channel_id]),
        author=message.author.username,
        text=clean(message.content),
        embeds=embeds,
        buttons=buttons,
        menus=menus,
        only_for=only_for,
        edited=edited,
        by_bot=message.author.id == emu.bot_user.id,
    )


def plain(event: Event) -> str:
    """A flat text of an event, for tests and searching a transcript."""
    if isinstance(event, MessageView):
        parts = [event.where, event.text]
        for e in event.embeds:
            parts += [e.title, e.description, *(f"{n}: {v}" for n, v in e.fields), e.footer]
        parts += [f"[{label}]" for label, _ in event.buttons]
        return "\n".join(p for p in parts if p)
    if isinstance(event, FormShown):
        return f"form {event.title}: " + ", ".join(f.name for f in event.fields)
    if isinstance(event, Table):
        return "\n".join(" ".join(row) for row in event.rows)
    return event.text
