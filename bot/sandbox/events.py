"""What the console reports, as plain data (``render`` draws it; tests read it).

A message the bot sent becomes a :class:`MessageView`: where it is, who can see it (an
ephemeral answer is marked with the one member who sees it), its text with mentions and
Discord timestamps turned into names and times, its embeds, buttons and menus, and the files
attached to it (a text file's first lines, an image's size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from emulator.models import Attachment, Message

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


TEXT_LINES = 40
"""How many lines of an attached text file are shown; the rest are counted."""


@dataclass(frozen=True)
class AttachmentView:
    """A file the bot sent: its name and size; a text file's first lines, an image's size."""

    name: str
    size: int
    image: bool = False
    dimensions: tuple[int, int] | None = None
    """(width, height) of a PNG or GIF, read from its header."""
    lines: tuple[str, ...] | None = None
    """A text file's first :data:`TEXT_LINES` lines; ``None`` when it is not text."""
    more_lines: int = 0


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
    attachments: tuple[AttachmentView, ...] = ()
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
        attachments=tuple(attachment_view(a) for a in message.attachments),
        only_for=only_for,
        edited=edited,
        by_bot=message.author.id == emu.bot_user.id,
    )


_IMAGE_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".webp")
_TEXT_SUFFIXES = (".txt", ".md", ".csv", ".json", ".log")


def attachment_view(attachment: Attachment) -> AttachmentView:
    """What a person reading the console needs of a file: enough to know what it holds."""
    name, data = attachment.filename, attachment.data
    kind = (attachment.content_type or "").split(";")[0].strip().lower()
    if kind.startswith("image/") or name.lower().endswith(_IMAGE_SUFFIXES):
        return AttachmentView(name, len(data), image=True, dimensions=_dimensions(data))
    is_text = kind.startswith("text/") or name.lower().endswith(_TEXT_SUFFIXES)
    text = _text(data) if is_text else None
    if text is None:
        return AttachmentView(name, len(data))
    lines = text.splitlines()
    shown = tuple(lines[:TEXT_LINES])
    return AttachmentView(name, len(data), lines=shown, more_lines=len(lines) - len(shown))


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's or GIF's header (cheap); ``None`` for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def size_text(size: int) -> str:
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def attachment_head(file: AttachmentView) -> str:
    """``file wellness-plan.txt · 612 bytes`` or ``image chart.png · 2.1 KB · 600×200``."""
    parts = [f"{'image' if file.image else 'file'} {file.name}", size_text(file.size)]
    if file.dimensions is not None:
        parts.append(f"{file.dimensions[0]}×{file.dimensions[1]}")
    return " · ".join(parts)


def more_lines_text(count: int) -> str:
    return f"… {count} more line" + ("" if count == 1 else "s")


def plain(event: Event) -> str:
    """A flat text of an event, for tests and searching a transcript."""
    if isinstance(event, MessageView):
        parts = [event.where, event.text]
        for e in event.embeds:
            parts += [e.title, e.description, *(f"{n}: {v}" for n, v in e.fields), e.footer]
        parts += [f"[{label}]" for label, _ in event.buttons]
        for a in event.attachments:
            parts += [attachment_head(a), *(a.lines or ())]
            if a.more_lines:
                parts.append(more_lines_text(a.more_lines))
        return "\n".join(p for p in parts if p)
    if isinstance(event, FormShown):
        return f"form {event.title}: " + ", ".join(f.name for f in event.fields)
    if isinstance(event, Table):
        return "\n".join(" ".join(row) for row in event.rows)
    return event.text
