"""The rules of support groups that need no storage: names Discord accepts, tags, guideline
versions, who may see a group's channel, pseudonyms, and when a message looks heavy."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.text import clean_block, clean_line

MIN_NAME, MAX_NAME = 2, 40
MAX_DESCRIPTION = 300
MAX_TAGS, MAX_TAG = 5, 24
MAX_GUIDELINES = 4000
MAX_POST = 1800
MAX_REASON = 200
MAX_GROUPS = 100  # per server; Discord allows 250 roles in all
MAX_SLOWMODE = 21600  # Discord's limit, in seconds
MAX_SLOWMODE_MINUTES = 24 * 60

#: Punctuation a group name may carry besides letters, digits and single spaces.
NAME_PUNCTUATION = frozenset(" -_'&.")
#: Names that would read as a mass mention once they are a role.
RESERVED_NAMES = frozenset({"everyone", "here"})

#: Kindred's own default guidelines (server version 0, and what an emptied server default
#: stores again): shown in the reader's language; acceptance goes by version, never by text.
BUILTIN_GUIDELINES = N_("""\
1. What is shared here stays here. Please don't repeat or screenshot others' stories.
2. Speak from your own experience. Offer advice only when someone asks for it.
3. Respect everyone: no judging, no labels, no diagnosing anyone.
4. Put heavy details (self-harm, abuse, suicide) behind spoiler tags, ||like this||.
5. This is peer support, not a crisis service. If you are in danger, use `/crisis` or call \
your local emergency number.
6. You can leave any time with `/group leave`.""")


def parse_group_name(text: str) -> str:
    """A group name Discord accepts as a role and (slugged) as a channel: NFKC-normalised,
    single spaces, 2 to 40 letters, digits and `` -_'&.``, at least one letter or digit.

    Idempotent: a parsed name parses to itself."""
    if not isinstance(text, str):
        raise InvalidInputError(N_("Give the group a name."))
    name = " ".join(unicodedata.normalize("NFKC", text).split())
    bad = sorted({c for c in name if not (c.isalnum() or c in NAME_PUNCTUATION)})
    if bad:
        shown = " ".join(repr(c)[1:-1] for c in bad[:5])
        raise InvalidInputError(
            N_(
                "Group names may use letters, numbers, spaces and - _ ' & . only "
                "(not {characters})."
            ),
            characters=shown,
        )
    if not MIN_NAME <= len(name) <= MAX_NAME:
        raise InvalidInputError(
            N_("A group name is {least} to {most} characters long."), least=MIN_NAME, most=MAX_NAME
        )
    if not any(c.isalnum() for c in name):
        raise InvalidInputError(N_("A group name needs at least one letter or number."))
    if name.casefold() in RESERVED_NAMES:
        raise InvalidInputError(
            N_("“{name}” would read as a mention of everyone; pick another."), name=name
        )
    return name


def name_key(name: str) -> str:
    """What makes two names the same group: case and width do not count."""
    return unicodedata.normalize("NFKC", name).casefold()


def channel_slug(name: str) -> str:
    """The channel name for a group: lower case, letters and digits, words joined by ``-``."""
    lowered = (c for c in name.lower() if unicodedata.category(c) != "Mn")  # İ → i, not i-
    chars = [c if c.isalnum() or c in "-_" else "-" for c in lowered]
    slug = re.sub(r"-{2,}", "-", "".join(chars)).strip("-")
    return slug[:100] or "group"


def parse_description(text: str | None) -> str:
    """One line, tidied as goals are (``bot.text.clean_line``): a description of only
    invisible characters is no description."""
    value = clean_line(text)
    if not value:
        raise InvalidInputError(
            N_("Add a short description so members know what the group is for.")
        )
    if len(value) > MAX_DESCRIPTION:
        raise InvalidInputError(
            N_("Keep the description under {count} characters."), count=MAX_DESCRIPTION
        )
    return value


def parse_tags(text: str | None) -> tuple[str, ...]:
    """``grief, loss`` → ``("grief", "loss")``: up to 5 tags of letters, digits, spaces, -."""
    if not text or not text.strip():
        return ()
    tags: list[str] = []
    for part in text.split(","):
        tag = " ".join(unicodedata.normalize("NFKC", part).split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG or not all(c.isalnum() or c in " -" for c in tag):
            raise InvalidInputError(
                N_(
                    "Tags are short words separated by commas (letters, numbers, spaces, -; up "
                    "to {count} characters each)."
                ),
                count=MAX_TAG,
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInputError(N_("Up to {count} tags, please."), count=MAX_TAGS)
    return tuple(tags)


def parse_guidelines(text: str | None) -> str | None:
    """Guidelines as written (line breaks kept), tidied as plans are (``bot.text.clean_block``);
    empty, or only invisible characters, means "use the default"."""
    value = clean_block(text)
    if not value:
        return None
    if len(value) > MAX_GUIDELINES:
        raise InvalidInputError(N_("Guidelines fit in {count} characters."), count=MAX_GUIDELINES)
    return value


def parse_reason(text: str | None) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise InvalidInputError(N_("Say why (it is kept in the audit log)."))
    if len(value) > MAX_REASON:  # logged and told to the member: refused, never cut
        raise InvalidInputError(
            N_("A reason fits in {count} characters (this one has {length})."),
            count=MAX_REASON,
            length=len(value),
        )
    return value


def parse_post(text: str | None) -> str:
    """An anonymous post's words, tidied as goals and plans are (``bot.text.clean_block``): no
    control or format characters, and a post of only invisible characters is nothing to post."""
    value = clean_block(text)
    if not value:
        raise InvalidInputError(N_("There is nothing to post."))
    if len(value) > MAX_POST:
        raise InvalidInputError(N_("Anonymous posts fit in {count} characters."), count=MAX_POST)
    return value


# -- guidelines versions ----------------------------------------------------------------------
@dataclass(frozen=True)
class Guidelines:
    """The guidelines that apply to a group: its own (scope ``group``) or the server's
    (scope ``server``; version 0 is Kindred's built-in text)."""

    scope: Literal["group", "server"]
    version: int
    text: str

    @property
    def builtin(self) -> bool:
        """Kindred's own text (shown in the reader's language), not the moderators'."""
        return self.text == BUILTIN_GUIDELINES

    @property
    def tag(self) -> str:
        """Short and stable, for a button's custom id: ``g3``, ``s0``."""
        return f"{self.scope[0]}{self.version}"

    @property
    def label(self) -> str:
        owner = "this group's own" if self.scope == "group" else "the server's"
        return f"{owner} guidelines, version {self.version}"


# -- who sees a group's channel ---------------------------------------------------------------
MEMBER_ACCESS = frozenset({"view_channel", "send_messages", "read_message_history"})
BOT_ACCESS = frozenset({"view_channel", "send_messages", "embed_links", "read_message_history"})
READ_ONLY = frozenset({"view_channel", "read_message_history"})
LOCKED = frozenset({"send_messages", "send_messages_in_threads", "add_reactions"})
HIDDEN = frozenset({"view_channel"})
#: The permissions Kindred sets on the targets it manages; the others stay as the server has them.
MANAGED = MEMBER_ACCESS | BOT_ACCESS | LOCKED


@dataclass(frozen=True)
class Access:
    """One permission overwrite, in discord.py's permission names. ``keep``: permissions Kindred
    manages that this plan leaves as the channel has them (an adopted channel)."""

    target_id: int
    kind: Literal["role", "member"]
    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AsAdopted:
    """An adopted channel as the server had it: what its @everyone overwrite allowed and denied
    among the permissions Kindred manages, and the roles whose own overwrite let them see it.
    An open group's channel is this again; a private or archived one hides it from them."""

    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    viewers: frozenset[int] = frozenset()

    @property
    def hidden(self) -> bool:
        """@everyone couldn't see the channel: only the server's own roles (a "Verified" gate)."""
        return "view_channel" in self.deny


def as_adopted(
    current: Iterable[Access], guild_id: int, *, skip: Iterable[int | None] = (),
    locked: bool = False,
) -> AsAdopted:  # fmt: skip
    """What to remember of a channel Kindred adopts (its overwrites read from Discord before
    Kindred writes any): @everyone's overwrite among the permissions Kindred manages, and the
    roles allowed to see it (but the ``skip`` ones: the group's own role). ``locked``: the
    channel is locked between meetings now, so its lock is Kindred's, not the server's."""
    everyone, viewers = Access(guild_id, "role"), set()
    ignored = set(skip)
    for item in current:
        if item.kind != "role":
            continue
        if item.target_id == guild_id:
            everyone = item
        elif "view_channel" in item.allow and item.target_id not in ignored:
            viewers.add(item.target_id)
    lock = LOCKED if locked else frozenset()
    return AsAdopted(everyone.allow & MANAGED, everyone.deny & MANAGED - lock, frozenset(viewers))


def plan_access(
    *,
    private: bool,
    archived: bool,
    guild_id: int,
    role_id: int,
    bot_id: int,
    moderator_role_id: int | None,
    peer_role_id: int | None,
    locked: bool = False,
    adopted: AsAdopted | None = None,
    adopted_unknown: bool = False,
) -> list[Access]:
    """The overwrite of every target Kindred manages on a group's channel (@everyone, the
    group's role, the peer role, the moderator role, Kindred), empty where Kindred leaves it
    alone, so a channel going back to a state loses what the previous one set.

    Private: hidden from @everyone; the group's role, the peer role (facilitators) and the
    moderator role see and post; Kindred sees and posts. Archived: hidden from @everyone and
    locked; the group's members and moderators can still read the history. Public: only
    Kindred's own access (everyone sees the channel as the server has it). ``locked`` (the
    group locks its channel between meetings and none is open): members read but don't post,
    by the group's role when private, by @everyone when public.

    An adopted channel (``adopted``: as the server had it) is open as the server had it:
    @everyone's overwrite as it was (so a channel only a "Verified" role could see stays so),
    and the roles that could see it see it again (hidden states took View Channel from them).
    ``adopted_unknown``: adopted before Kindred kept how it was, so open leaves @everyone's
    permissions (but the lock's) as the channel has them: never wider than they are."""
    lock = LOCKED if locked else frozenset()
    staff: dict[int | None, frozenset[str]] = {}
    if archived:
        everyone = Access(guild_id, "role", deny=HIDDEN | LOCKED)
        group = Access(role_id, "role", allow=READ_ONLY, deny=LOCKED)
        staff[moderator_role_id] = READ_ONLY
    elif private:
        everyone = Access(guild_id, "role", deny=HIDDEN)
        group = Access(role_id, "role", allow=MEMBER_ACCESS - lock, deny=lock)
        staff = {peer_role_id: MEMBER_ACCESS, moderator_role_id: MEMBER_ACCESS}
    elif adopted is not None:
        everyone = Access(guild_id, "role", adopted.allow - lock, adopted.deny | lock)
        group = Access(role_id, "role")
        staff = dict.fromkeys(adopted.viewers, HIDDEN)
    elif adopted_unknown:
        everyone = Access(guild_id, "role", deny=lock, keep=MANAGED - LOCKED)
        group = Access(role_id, "role")
    else:
        everyone = Access(guild_id, "role", deny=lock)
        group = Access(role_id, "role")
    out = [everyone, group]
    managed = {guild_id, role_id, bot_id}
    for extra in dict.fromkeys((peer_role_id, moderator_role_id)):
        if extra and extra not in managed:
            out.append(Access(extra, "role", allow=staff.get(extra, frozenset())))
            managed.add(extra)
    if adopted is not None and not (private or archived):
        # the server's own roles that saw the channel: View Channel back, the rest as it is
        for viewer in sorted(adopted.viewers - managed):
            out.append(Access(viewer, "role", allow=HIDDEN, keep=MANAGED - HIDDEN))
    return [*out, Access(bot_id, "member", allow=BOT_ACCESS)]


def access_problems(
    expected: Iterable[Access], actual: Iterable[Access], private: bool
) -> list[str]:
    """What the channel, as read back from Discord, gets wrong: a missing grant or denial, one
    Kindred manages that is set though it shouldn't be, or (for a hidden channel) someone else
    allowed to see it."""
    expected = list(expected)
    have = {(a.target_id, a.kind): a for a in actual}
    problems = []
    for want in expected:
        got = have.get((want.target_id, want.kind)) or Access(want.target_id, want.kind)
        missing = (want.allow - got.allow) | (want.deny - got.deny)
        extra = ((got.allow - want.allow) | (got.deny - want.deny)) & (MANAGED - want.keep)
        if missing:
            problems.append(f"{_who(want)} is missing {', '.join(sorted(missing))}")
        if extra:
            problems.append(f"{_who(want)} still has {', '.join(sorted(extra))} set")
    if private:
        known = {(a.target_id, a.kind) for a in expected}
        for key, got in have.items():
            if key not in known and "view_channel" in got.allow:
                problems.append(f"{_who(got)} can see the channel but shouldn't")
    return problems


def adopted_changes(
    current: Iterable[Access], plan: Iterable[Access], *, hidden: bool, writable: frozenset[str]
) -> list[Access]:
    """The overwrites to write on an adopted channel so it carries the plan and keeps the rest:
    on each target Kindred manages, the permissions it manages as planned (but those the plan
    ``keep``s) and the others kept;
    every other target keeps its own, except that nobody else is let into a hidden channel.
    Only overwrites that change are listed; an empty one means "delete it". Discord lets
    Kindred write only permissions it holds (``writable``), so a kept permission it lacks is
    dropped from an overwrite it has to rewrite."""
    have = {(a.target_id, a.kind): a for a in current}
    out = []
    for want in plan:
        got = have.pop((want.target_id, want.kind), None) or Access(want.target_id, want.kind)
        managed = MANAGED - want.keep
        new = Access(
            want.target_id,
            want.kind,
            ((got.allow - managed) & writable) | want.allow,
            ((got.deny - managed) & writable) | want.deny,
        )
        if (new.allow, new.deny) != (got.allow, got.deny):
            out.append(new)
    if hidden:
        for got in have.values():
            if "view_channel" in got.allow:
                allow, deny = (got.allow - HIDDEN) & writable, got.deny & writable
                out.append(Access(got.target_id, got.kind, allow, deny))
    return out


def _who(access: Access) -> str:
    return f"<@&{access.target_id}>" if access.kind == "role" else f"<@{access.target_id}>"


# -- pseudonyms -------------------------------------------------------------------------------
PSEUDONYM_WORDS = (
    "Willow", "Cedar", "River", "Fern", "Harbor", "Maple", "Sparrow", "Juniper", "Meadow",
    "Aspen", "Robin", "Birch", "Heron", "Clover", "Hazel", "Lark", "Rowan", "Sage", "Wren",
    "Brook", "Linden", "Moss", "Pebble", "Quill", "Thistle", "Otter", "Finch", "Alder",
)  # fmt: skip


def new_pseudonym(attempt: int = 0) -> str:
    """``Willow 7``: a word and a number, drawn at random (never derived from the member, so
    it cannot be worked back); wider numbers after a few clashes."""
    top = 99 if attempt < 20 else 9999
    return f"{secrets.choice(PSEUDONYM_WORDS)} {secrets.randbelow(top) + 1}"


# -- content notes ----------------------------------------------------------------------------
#: Topics communities most often ask to have behind spoiler tags. Deliberately narrow: a word a
#: group talks about every day (grief, relapse, trauma) would make the reminder noise.
HEAVY_TERMS = (
    r"suicid\w*", r"kill(?:ed|ing)? (?:my|him|her|them)sel(?:f|ves)",
    r"hang(?:ed|ing)? (?:my|him|her|them)sel(?:f|ves)", r"self[- ]?harm\w*",
    r"cut(?:ting)? myself", r"overdos\w*", r"abus(?:e|ed|er|ers|ive)", r"rap(?:e|ed|ist)",
    r"sexual(?:ly)? assault\w*", r"assaulted", r"molest\w*", r"groomed", r"eating disorders?",
    r"anorexi\w*", r"bulimi\w*", r"purg(?:e|ed|ing)", r"miscarr\w*", r"stillb\w*",
)  # fmt: skip
_HEAVY = re.compile(r"\b(?:" + "|".join(HEAVY_TERMS) + r")\b", re.IGNORECASE)
_SPOILER = re.compile(r"\|\|.+?\|\|", re.DOTALL)


def needs_content_note(text: str) -> bool:
    """A message names a heavy topic and uses no spoiler tags at all."""
    return bool(text) and not _SPOILER.search(text) and bool(_HEAVY.search(text))


_LINK = re.compile(r"https?://(?:\w+\.)?discord(?:app)?\.com/channels/\d+/(\d+)/(\d+)/?")


def parse_message_ref(text: str) -> tuple[int | None, int]:
    """A message link (``…/channels/<guild>/<channel>/<message>``) or a bare id: (channel or
    None, message)."""
    value = (text or "").strip()
    link = re.fullmatch(
        r"https?://(?:\w+\.)?discord(?:app)?\.com/channels/\d+/(\d+)/(\d+)/?", value
    )
    if link:
        return int(link[1]), int(link[2])
    if re.fullmatch(r"\d{15,21}", value):
        return None, int(value)
    raise InvalidInputError(
        N_("Paste the message's link (right-click the message → Copy Message Link) or its id.")
    )
