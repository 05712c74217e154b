"""Tab completion for the console, as plain strings (``repl`` hands them to prompt_toolkit).

``complete(console, before_cursor)`` returns the words that may come next, given what has been
typed so far: members after ``as``, verbs, channels after ``say``/``in``/``show``, command
paths after ``/``, option names (``peer_role=``) and their values (``@peer-supporter``,
``#peers``, choices), button labels after ``click``, form fields after ``submit``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .help import TOPICS
from .lookup import can_see, controls, form_fields
from .names import SUBCOMMAND, Unknown
from .parse import TOP

if TYPE_CHECKING:
    from .console import Console

AS_VERBS = ("say", "dm", "click", "submit", "in")
SHOW_WORDS = ("dm", "thread", "threads")
CLOCK_STEPS = ("+15m", "+1h", "+2h", "+1d")


def complete(console: Console, before: str) -> list[str]:
    """Candidates for the word being typed at the end of ``before``."""
    words = before.split(" ")
    current, done = words[-1], [w for w in words[:-1] if w]
    options = _next_words(console, done, current)
    return [o for o in options if o.lower().startswith(current.lower()) and o != current]


def _next_words(console: Console, done: list[str], current: str) -> list[str]:
    if not done:
        return list(TOP)
    head = done[0].lower()
    if head == "as":
        return _after_as(console, done[1:], current)
    if head == "show":
        return _after_show(console, done[1:])
    if head == "help" and len(done) == 1:
        return [*TOPICS, "commands", *("/" + c for c in _tops(console))]
    if head == "clock" and len(done) == 1:
        return list(CLOCK_STEPS)
    return []


def _after_as(console: Console, done: list[str], current: str) -> list[str]:
    names = console.names
    if not done:
        return sorted(names.members())
    rest = done[1:]
    if rest[:1] == ["in"]:
        if len(rest) == 1:
            return ["dm", *_channels(console)]
        rest = rest[2:]
    if not rest:
        return [*AS_VERBS, *("/" + c for c in _tops(console))]
    verb = rest[0].lower()
    if verb == "say" and len(rest) == 1:
        return _channels(console)
    if verb.startswith("/"):
        return _command_words(console, [verb[1:], *rest[1:]], current)
    if verb == "click":
        return _buttons(console, done[0], rest[1:])
    if verb == "submit":
        return _fields(console, done[0])
    return []


def _after_show(console: Console, done: list[str]) -> list[str]:
    if not done:
        recent = sorted(console.handles.by_handle, key=lambda h: int(h[1:]))[-5:]
        return [*_channels(console), *SHOW_WORDS, *recent]
    if done == ["dm"]:
        return sorted(console.names.members())
    if done == ["thread"]:
        return list(console.names.threads())
    return []


def _channels(console: Console) -> list[str]:
    return ["#" + name for name in console.names.channels()]


def _tops(console: Console) -> list[str]:
    return sorted(console.names.commands())


def _command_words(console: Console, words: list[str], current: str) -> list[str]:
    """After ``/``: the command's next subcommand, its option names, or an option's values."""
    path = [w for w in words if "=" not in w]
    top = console.names.commands().get(path[0]) if path else None
    if top is None:
        return []
    options = top.options
    for word in path[1:]:
        sub = next((o for o in options if o["name"] == word and o["type"] <= 2), None)
        if sub is None:
            return []
        options = sub.get("options") or []
    subs = [o["name"] for o in options if o["type"] in (SUBCOMMAND, 2)]
    if subs:
        return subs
    if "=" in current:
        name = current.split("=", 1)[0]
        spec = next((o for o in options if o["name"] == name), None)
        return [f"{name}={v}" for v in _values(console, spec)] if spec else []
    given = {w.split("=", 1)[0] for w in words if "=" in w}
    return [o["name"] + "=" for o in options if o["name"] not in given]


def _values(console: Console, spec: dict[str, Any]) -> list[str]:
    names = console.names
    kind = spec["type"]
    if spec.get("choices"):
        return [str(c["value"]) for c in spec["choices"]]
    if kind == 6:
        return sorted(names.members())
    if kind == 7:
        return _channels(console)
    if kind == 8:
        return ["@" + r for r in names.roles()]
    if kind == 5:
        return ["yes", "no"]
    if spec["name"] in ("tz", "zone", "timezone", "office_timezone"):
        return sorted(set(console.zones.values()) | {"UTC"})
    return []


def _buttons(console: Console, member: str, rest: list[str]) -> list[str]:
    if rest and rest[-1].lower() == "on":
        recent = sorted(console.handles.by_handle, key=lambda h: int(h[1:]))[-8:]
        return [*recent, "dm", *_channels(console)]
    try:
        user = console.names.member(member)
    except Unknown:
        return []
    labels: list[str] = []
    for message in reversed(list(console.emu.messages.values())[-200:]):
        if message.components and can_see(console.names, user, message):
            labels.extend(f.label for f in controls(message) if f.label not in labels)
    if rest:
        return ["on"]
    return labels


def _fields(console: Console, member: str) -> list[str]:
    try:
        user = console.names.member(member)
    except Unknown:
        return []
    it = console.modals.get(user.id)
    if it is None or it.modal is None:
        return []
    return [f.name + "=" for f in form_fields(it.modal)]
