"""One console line → a command, or a one-line hint saying what was expected.

Pure text work: names are checked later against the emulated server (``console``). Never
raises: every malformed line becomes a :class:`Hint`.

    as <member> say <#channel> <text>
    as <member> dm <text>
    as <member> [in <#channel>|in dm] /<command> [<sub>…] [name=value …]
    as <member> click <button label> [on m<N>|<#channel>|dm]
    as <member> submit field=value …
    show <#channel> | show dm <member> | show thread [<name>] | show threads | show m<N>
    who | clock [+2h] | help [<topic>] | quit
    # narration (printed in a transcript)    ## a silent comment
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Hint:
    text: str


@dataclass(frozen=True)
class Blank:
    pass


@dataclass(frozen=True)
class Note:
    """A comment line in a script (``# …``): narration in the transcript."""

    text: str


@dataclass(frozen=True)
class Say:
    member: str
    channel: str
    text: str


@dataclass(frozen=True)
class Dm:
    member: str
    text: str


@dataclass(frozen=True)
class Slash:
    member: str
    words: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    where: str | None = None


@dataclass(frozen=True)
class Click:
    member: str
    label: str
    target: str | None = None


@dataclass(frozen=True)
class Submit:
    member: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Show:
    what: str  # "channel", "dm", "thread", "threads" or "message"
    target: str | None = None


@dataclass(frozen=True)
class Who:
    pass


@dataclass(frozen=True)
class ClockCmd:
    delta: timedelta | None = None


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class Quit:
    pass


Command = Blank | Note | Say | Dm | Slash | Click | Submit | Show | Who | ClockCmd | Help | Quit

VERBS = ("say", "dm", "/command", "click", "submit")
TOP = ("as", "show", "who", "clock", "help", "quit")
AS_USAGE = "as <member> say <#channel> <text> | dm <text> | /<command> … | click <label> | submit …"
SHOW_USAGE = "show <#channel> | show dm <member> | show thread [<name>] | show threads | show m<N>"
MAX_ADVANCE = timedelta(days=60)

_DURATION = re.compile(r"^\+?(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$")
_TARGET = re.compile(r"^(?P<label>.+?)\s+on\s+(?P<target>m\d+|#\S+|dm)$", re.IGNORECASE)
_MESSAGE = re.compile(r"^m\d+$", re.IGNORECASE)


class _Bad(ValueError):
    """A line that cannot be a command; its text is the hint."""


def parse_line(line: str) -> Command | Hint:
    try:
        return _parse(line)
    except _Bad as bad:
        return Hint(str(bad))


def _parse(line: str) -> Command:
    text = line.strip()
    if not text or text.startswith("##"):  # "## …" is a comment the transcript leaves out
        return Blank()
    if text.startswith("#"):
        return Note(text.lstrip("#").strip())
    head, _, rest = text.partition(" ")
    head, rest = head.lower(), rest.strip()
    if head == "as":
        return _parse_as(rest)
    if head == "show":
        return _parse_show(rest)
    if head == "who":
        return Who()
    if head == "clock":
        return ClockCmd(parse_duration(rest) if rest else None)
    if head in ("help", "?"):
        return Help(rest.lower() or None)
    if head in ("quit", "exit"):
        return Quit()
    raise _Bad(
        f"unknown command {_short(head)!r}; try one of: {', '.join(TOP)} (help for examples)"
    )


def _parse_as(rest: str) -> Command:
    # a name ends at any whitespace (a pasted line may hold a newline or a tab), so no hint
    # that names the member can span lines
    member, rest = (*rest.split(maxsplit=1), "", "")[:2]
    member, rest = member.lstrip("@"), rest.strip()
    if not member:
        raise _Bad(f"who acts? {AS_USAGE}")
    where = None
    if rest.lower().startswith("in "):
        where, _, rest = rest[3:].strip().partition(" ")
        rest = rest.strip()
        if not rest.startswith("/"):
            raise _Bad("'in <#channel>' goes before a /command: as alice in #welcome /support")
    verb, _, body = rest.partition(" ")
    body = body.strip()
    if verb.startswith("/"):
        return _parse_slash(member, rest[1:], where)
    verb = verb.lower()
    if verb == "say":
        channel, _, said = body.partition(" ")
        if not channel or not said.strip():
            raise _Bad("say what, where? as alice say #welcome hello everyone")
        return Say(member, channel, said.strip())
    if verb == "dm":
        if not body:
            raise _Bad("dm what? as alice dm I need to talk")
        return Dm(member, body)
    if verb == "click":
        return _parse_click(member, body)
    if verb == "submit":
        return Submit(member, tuple(_pairs(body, "submit")))
    raise _Bad(f"{member} can: {', '.join(VERBS)}; e.g. {AS_USAGE}")


def _parse_slash(member: str, body: str, where: str | None) -> Slash:
    tokens = _split(body)
    words: list[str] = []
    while tokens and "=" not in tokens[0]:
        words.append(tokens.pop(0).lower())
    if not words:
        raise _Bad("which command? e.g. as alice /support")
    return Slash(member, tuple(words), tuple(_pairs_of(tokens, "/" + " ".join(words))), where)


def _parse_click(member: str, body: str) -> Click:
    target = None
    matched = _TARGET.match(body)
    if matched:
        body, target = matched["label"], matched["target"]
    label = body.strip().strip("\"'").strip()
    if not label:
        raise _Bad("click which button? as pat click Claim  (or: click Claim on m3)")
    return Click(member, label, target)


def _parse_show(rest: str) -> Show:
    first, _, more = rest.partition(" ")
    first, more = first.lower(), more.strip()
    if not first:
        raise _Bad(SHOW_USAGE)
    if first == "dm":
        if not more:
            raise _Bad("show whose DMs? show dm alice")
        return Show("dm", more.lstrip("@"))
    if first == "thread":
        return Show("thread", more or None)
    if first == "threads":
        return Show("threads")
    if _MESSAGE.match(first):
        return Show("message", first.lower())
    return Show("channel", rest.strip())


def parse_duration(text: str) -> timedelta:
    """``+2h``, ``+1d2h``, ``90m``, ``+30s`` → a positive timedelta (at most 60 days)."""
    matched = _DURATION.match(text.strip().lower().replace(" ", ""))
    if not matched or not any(matched.groups()):
        raise _Bad("clock takes a step forward like +2h, +30m, +1d or +1d2h30m")
    days, hours, minutes, seconds = (int(g or 0) for g in matched.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if delta > MAX_ADVANCE:
        raise _Bad("the clock moves at most 60 days at a time")
    return delta


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        raise _Bad('a quote is not closed: put values with spaces in "double quotes"') from None


def _pairs(body: str, what: str) -> list[tuple[str, str]]:
    pairs = _pairs_of(_split(body), what, "field")
    if not pairs:
        raise _Bad(f'{what} needs field=value pairs, e.g. submit topic="rough week"')
    return pairs


def _pairs_of(tokens: list[str], what: str, kind: str = "option") -> list[tuple[str, str]]:
    """``name=value`` tokens → pairs; a name given twice is refused (Discord sends each option
    and each form field once, so the console never picks one of two values silently)."""
    out: list[tuple[str, str]] = []
    for token in tokens:
        name, sep, value = token.partition("=")
        if not sep or not name:
            raise _Bad(
                f'{what}: expected name=value, got {_short(token)!r} (quote spaces: a="b c")'
            )
        name = name.strip().lower()
        if any(name == seen for seen, _ in out):
            raise _Bad(f"{what}: {kind} {_short(name)!r} is given twice; give it once")
        out.append((name, value))
    return out


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
