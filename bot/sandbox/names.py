"""Names in the console: members, channels, threads, roles and commands of the emulated server,
looked up by the short names people type (``alice``, ``#welcome``, ``#support-1``,
``@peer-supporter``, ``/peers setup``), with a one-line hint listing what exists on a miss.

Read from the emulator every time, so threads the bot creates appear as soon as they exist.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from emulator import DiscordEmulator
from emulator.models import AppCommand, Channel, Guild, Role, User

SUBCOMMAND, GROUP = 1, 2
OPTION_TYPES = {
    3: "text",
    4: "number",
    5: "yes/no",
    6: "member",
    7: "#channel",
    8: "@role",
    10: "number",
}


class Unknown(LookupError):
    """A name that does not exist here; the message is the hint to show."""


def slug(name: str) -> str:
    """``"Support #1"`` → ``"support-1"``; ``"Peer Supporter"`` → ``"peer-supporter"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unnamed"


def listing(names: Iterable[str], limit: int = 12) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "") if names else "none"


def miss(kind: str, typed: str, names: list[str], prefix: str = "", of: str = "") -> Unknown:
    """``no subcommand 'of' of /duty (did you mean off?); subcommands: on, off, …``."""
    close = difflib.get_close_matches(typed.lower(), names, n=1, cutoff=0.6)
    maybe = f" (did you mean {prefix}{close[0]}?)" if close else ""
    where = f" of {of}" if of else ""
    shown = listing(prefix + n for n in names)
    return Unknown(f"no {kind} {typed!r}{where}{maybe}; {kind}s: {shown}")


def usage(specs: list[dict[str, Any]]) -> str:
    """A command's options as typed: ``action=<ask|status> [days=<number>]`` (``[…]``: optional)."""
    if not specs:
        return "none"
    parts = []
    for s in specs:
        kind = OPTION_TYPES.get(s["type"], "value")
        choices = [str(c["value"]) for c in s.get("choices") or []]
        shown = f"{s['name']}=<{'|'.join(choices) if choices else kind}>"
        parts.append(shown if s.get("required") else f"[{shown}]")
    return " ".join(parts)


def no_subcommands(path: str, options: list[dict[str, Any]], typed: str) -> Unknown:
    """A word after a command that has no subcommands: say how it is run instead."""
    if not options:
        return Unknown(f"/{path} has no subcommands and no options: run it as /{path}")
    names = [o["name"] for o in options]
    if typed in names:
        told = f"; {typed} is an option: give it as {typed}=value"
    else:
        told = f"; {typed!r} is not one of them" if typed else ""
    return Unknown(
        f"/{path} has no subcommands; it takes options as name=value: {usage(options)}{told}"
    )


class Directory:
    def __init__(self, emu: DiscordEmulator, guild: Guild) -> None:
        self.emu = emu
        self.guild = guild

    # -- members ------------------------------------------------------------------------
    def members(self) -> dict[str, User]:
        skip = {self.emu.bot_user.id, self.guild.owner_id}
        return {
            slug(m.user.username): m.user
            for m in self.guild.members.values()
            if m.user.id not in skip
        }

    def member(self, name: str) -> User:
        people = self.members()
        found = people.get(slug(name.lstrip("@")))
        if found is None:
            raise miss("member", name, sorted(people))
        return found

    def name_of(self, user_id: int) -> str:
        if user_id == self.emu.bot_user.id:
            return self.emu.bot_user.username
        user = self.emu.users.get(user_id)
        return user.username if user else f"user {user_id}"

    # -- channels and threads -------------------------------------------------------------
    def channels(self, *, threads: bool = True) -> dict[str, Channel]:
        found: dict[str, Channel] = {}
        pool = self.guild.channels + (self.guild.threads if threads else [])
        for ch in sorted(pool, key=lambda c: (c.is_thread, c.position, c.id)):
            key = slug(ch.name or str(ch.id))
            while key in found:
                key += "-2"
            found[key] = ch
        return found

    def threads(self) -> dict[str, Channel]:
        return {k: c for k, c in self.channels().items() if c.is_thread}

    def channel(self, name: str, *, only_threads: bool = False) -> Channel:
        pool = self.threads() if only_threads else self.channels()
        found = pool.get(slug(name.lstrip("#")))
        if found is None:
            kind = "thread" if only_threads else "channel"
            raise miss(kind, name, list(pool), prefix="#")
        return found

    def channel_label(self, ch: Channel) -> str:
        if ch.is_dm:
            people = ", ".join(u.username for u in ch.recipients)
            return f"DM with {people}"
        for key, found in self.channels().items():
            if found.id == ch.id:
                return f"#{key}" + (" (private thread)" if ch.type == 12 else "")
        return f"#{slug(ch.name or str(ch.id))}"

    # -- roles ----------------------------------------------------------------------------
    def roles(self) -> dict[str, Role]:
        return {
            slug(r.name): r
            for r in self.guild.roles.values()
            if r.id != self.guild.id and not r.managed
        }

    def role(self, name: str) -> Role:
        roles = self.roles()
        found = roles.get(slug(name.lstrip("@")))
        if found is None:
            raise miss("role", name, list(roles), prefix="@")
        return found

    def role_name(self, role_id: int) -> str:
        role = self.guild.roles.get(role_id)
        return role.name if role else f"role {role_id}"

    # -- commands -------------------------------------------------------------------------
    def commands(self) -> dict[str, AppCommand]:
        pools = [self.emu.global_commands, self.emu.guild_commands.get(self.guild.id, {})]
        return {c.name: c for pool in pools for c in pool.values() if c.type == 1}

    def command(self, words: tuple[str, ...]) -> tuple[str, list[dict[str, Any]]]:
        """The full path (``"peers setup"``) and the option specs of a leaf command."""
        commands = self.commands()
        top = commands.get(words[0])
        if top is None:
            raise miss("command", words[0], sorted(commands), prefix="/")
        options, path = top.options, [top.name]
        for word in words[1:]:
            subs = {o["name"]: o for o in options if o["type"] in (SUBCOMMAND, GROUP)}
            if not subs:
                raise no_subcommands(" ".join(path), options, word)
            if word not in subs:
                raise miss("subcommand", word, list(subs), of=f"/{' '.join(path)}")
            path.append(word)
            options = subs[word].get("options") or []
        subs = [o["name"] for o in options if o["type"] in (SUBCOMMAND, GROUP)]
        if subs:
            raise Unknown(f"/{' '.join(path)} needs one of: {listing(subs)}")
        return " ".join(path), options

    def command_paths(self) -> list[str]:
        """Every runnable command path, for completion and help."""
        out: list[str] = []

        def walk(prefix: str, options: list[dict[str, Any]]) -> None:
            subs = [o for o in options if o["type"] in (SUBCOMMAND, GROUP)]
            if not subs:
                out.append(prefix)
            for sub in subs:
                walk(f"{prefix} {sub['name']}", sub.get("options") or [])

        for name, cmd in sorted(self.commands().items()):
            walk(name, cmd.options)
        return out

    def options_of(self, path: str) -> list[dict[str, Any]]:
        try:
            return self.command(tuple(path.split()))[1]
        except Unknown:
            return []
