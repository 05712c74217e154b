"""What ``/kindred setup`` checks, in plain data.

Features say what they use (``Needs``: channels with the permissions Kindred needs there and
who must see them, roles it refers to or manages, findings from settings alone). The cog looks
the ids up in Discord and hands back ``GuildFacts`` (permission integers, role positions);
the rules in ``rules.py`` compare the two. No discord import anywhere here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["problem", "note"]


@dataclass(frozen=True)
class Audience:
    """People who must be able to view a channel: a role (the guild id is @everyone)."""

    role_id: int
    who: str  # "Members", "Peer supporters"
    why: str  # "their private support threads are created there"
    fix: str = ""  # a better fix than "allow View Channel", when there is one


@dataclass(frozen=True)
class Place:
    """A channel a feature uses, what Kindred needs there, and who must see it."""

    channel_id: int
    purpose: str  # "the peer channel"
    setting: str  # how a moderator changes it: "`/peers setup peer_channel:`"
    needs: int  # permission bits (bot.permissions.Perm)
    seen_by: tuple[Audience, ...] = ()


@dataclass(frozen=True)
class RoleUse:
    """A role a feature refers to (must exist) or manages (also below Kindred's role)."""

    role_id: int
    purpose: str  # "the peer role"
    setting: str
    manage: bool = False


@dataclass(frozen=True)
class Finding:
    what: str
    fix: str
    severity: Severity = "problem"


@dataclass(frozen=True)
class Needs:
    places: tuple[Place, ...] = ()
    roles: tuple[RoleUse, ...] = ()
    findings: tuple[Finding, ...] = ()

    def __add__(self, other: Needs) -> Needs:
        return Needs(
            self.places + other.places, self.roles + other.roles, self.findings + other.findings
        )


@dataclass(frozen=True)
class ChannelFacts:
    exists: bool
    is_text: bool = True
    bot_permissions: int = 0
    #: Role ids (of the place's audiences) that can view the channel.
    visible_to: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RoleFacts:
    exists: bool
    position: int = 0
    #: Owned by an integration (a bot's own role, a booster role): nobody can assign it.
    integration: bool = False


@dataclass(frozen=True)
class GuildFacts:
    """What Discord says, gathered by the cog for the ids in ``Needs``."""

    guild_id: int
    bot_role: str  # the name moderators see in Server Settings → Roles
    bot_permissions: int  # server-wide, from Kindred's roles
    bot_top_position: int
    channels: Mapping[int, ChannelFacts] = field(default_factory=dict)
    roles: Mapping[int, RoleFacts] = field(default_factory=dict)


@dataclass(frozen=True)
class Checkup:
    findings: tuple[Finding, ...]
    checked: tuple[str, ...]  # what was looked at, for the "all good" answer

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "problem"]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "note"]

    @property
    def all_good(self) -> bool:
        return not self.problems
