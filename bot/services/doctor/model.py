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

from bot.i18n import gettext_for

Severity = Literal["problem", "note"]


class Text(str):
    """A marked text (``N_()``) with its values: the string is its English, ``message_in``
    the same in another language (its values too, when they are ``Text``). So a finding is
    compared, deduplicated and tested as plain English, and shown in the reader's language."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> Text:
        english = template.format(**params) if params else template
        self = super().__new__(cls, english)
        self.template, self.params = template, params
        return self

    def message_in(self, lang: str | None) -> str:
        if not lang or lang == "en":
            return str(self)
        values = {
            name: value.message_in(lang) if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        translated = gettext_for(lang)(self.template)
        try:
            return translated.format(**values) if values else translated
        except (KeyError, IndexError, ValueError):  # a broken translation: English, not nothing
            return str(self)

    def upper_first(self) -> Text:
        """The same text starting with a capital (``str.capitalize`` would lower the rest: a
        group called “Grief” stays “Grief”), in every language."""
        return _UpperFirst(self)


class _UpperFirst(Text):
    def __new__(cls, text: Text) -> _UpperFirst:
        self = str.__new__(cls, str(text)[:1].upper() + str(text)[1:])
        self.template, self.params, self.inner = text.template, text.params, text
        return self

    def message_in(self, lang: str | None) -> str:
        shown = self.inner.message_in(lang)
        return shown[:1].upper() + shown[1:]


class Listing(Text):
    """Names (Discord's permission names) joined as a list in the reader's language:
    "A, B and C" in English, "A, B et C" in French. The names themselves stay as they are."""

    def __new__(cls, names: list[str]) -> Listing:
        english = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        self = str.__new__(cls, english)
        self.template, self.params, self.names = english, {}, list(names)
        return self

    def message_in(self, lang: str | None) -> str:
        if not lang or lang == "en":
            return str(self)
        from babel.lists import format_list

        try:
            return format_list(self.names, locale=lang)
        except Exception:  # an unknown locale: the English list still helps
            return str(self)


@dataclass(frozen=True)
class Audience:
    """People who must be able to view a channel: a role (the guild id is @everyone)."""

    role_id: int
    #: The whole finding, marked ``N_()``, with ``{role}`` and ``{channel}``: "Peer supporters
    #: ({role}) can't see {channel}, but request cards and alerts are posted there."
    cannot_see: str
    fix: str = ""  # a better fix than "allow View Channel", when there is one (a ``Text``)


@dataclass(frozen=True)
class Exposure:
    """People who must *not* view a channel (the guild id is @everyone): crisis alerts name
    the member and link to their message."""

    role_id: int
    #: The whole finding, marked ``N_()``, with ``{role}`` and ``{channel}``.
    can_see: str
    #: Its fix, marked ``N_()``, with ``{role}`` and ``{channel}`` too.
    fix: str


@dataclass(frozen=True)
class Watch:
    """A feature reads what members write in every channel they can read (crisis language),
    except the channels and categories in ``excluded``."""

    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Place:
    """A channel a feature uses, what Kindred needs there, and who must see it."""

    channel_id: int
    purpose: str  # "the peer channel" (a ``Text``, shown in the reader's language)
    setting: str  # how a moderator changes it: "`/peers setup peer_channel:`"
    needs: int  # permission bits (bot.permissions.Perm)
    seen_by: tuple[Audience, ...] = ()
    private_from: tuple[Exposure, ...] = ()


@dataclass(frozen=True)
class RoleUse:
    """A role a feature refers to (must exist) or manages (also below Kindred's role)."""

    role_id: int
    purpose: str  # "the peer role" (a ``Text``)
    setting: str
    manage: bool = False
    #: Who the role stands for (``"moderator"`` or ``"peer"``): such a role can't be
    #: ``@everyone`` or a role a bot or an integration manages (``settings.require_role``
    #: refuses them now; one stored before is a finding).
    only_for: str = ""


@dataclass(frozen=True)
class Finding:
    """The problem and its fix, each a whole ``Text`` (plain English as a string)."""

    what: str
    fix: str
    severity: Severity = "problem"


@dataclass(frozen=True)
class Needs:
    places: tuple[Place, ...] = ()
    roles: tuple[RoleUse, ...] = ()
    findings: tuple[Finding, ...] = ()
    watches: tuple[Watch, ...] = ()

    def __add__(self, other: Needs) -> Needs:
        return Needs(
            self.places + other.places,
            self.roles + other.roles,
            self.findings + other.findings,
            self.watches + other.watches,
        )


@dataclass(frozen=True)
class ChannelFacts:
    exists: bool
    is_text: bool = True
    bot_permissions: int = 0
    #: Role ids (of the place's audiences and exposures) that can view the channel.
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
    #: When a feature watches (``Needs.watches``): the text channels @everyone can view and
    #: Kindred can't, each with its category's id (Discord sends a bot nothing from those).
    unread: tuple[tuple[int, int | None], ...] = ()


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
