"""The safety feature's settings, constants and the small values its rules hand to the cog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Literal, NamedTuple

from pydantic import Field

from bot.services.resources import ResourceEntry
from bot.services.settings import SettingsSection

OPT_OUT_KEY = "safety.optout"
REGION_KEY = "region"
MAX_GUILD_RESOURCES = 25
#: A server's own resource: its name, how to reach it and its hours, as typed (never cut).
MAX_RESOURCE_NAME, MAX_RESOURCE_CONTACT, MAX_RESOURCE_HOURS = 100, 200, 100
GUILD_RESOURCE_KINDS = ("crisis_line", "warmline", "respite", "referral", "directory")
LANG_KEY = "lang"
LANGUAGES = ("en", "es", "fr", "de", "pt")
CONTEXT_MINUTES = 10
CONTEXT_KEEP = 5
NEEDS = ("respite", "warmline", "peer")
# Labels whose risk score is remembered for the member's next messages in the channel.
REMEMBERED_LABELS = ("crisis_self", "concern_other", "distress")
# Timer kinds (stored in the timers table: never rename).
DELETE_FALLBACK = "safety.delete_fallback"
ALERT_RETRY = "safety.alert_retry"
REPLY_RETRY = "safety.reply_retry"
ALERT_REOPENED = "safety.alert_reopened"
ANONYMOUS_RETRY = "safety.anonymous_retry"
QUIET_RETRY = "safety.quiet_retry"
ALERT_RETRY_SECONDS = 20
#: The moderators hear that a channel refuses peer alerts at most this often (per channel).
REFUSAL_TOLD_EVERY = timedelta(hours=6)
COPY_CHARS = 300
#: At most this many brief channel notes (each for another member whose DMs are closed) in
#: one channel per channel cooldown: each member in crisis gets theirs, a flood never spams it.
NOTES_PER_CHANNEL = 3


def note_due(member_id: int, noted: list[int], cap: int = NOTES_PER_CHANNEL) -> bool:
    """Whether a member in crisis whose DM may fail gets a brief note in the channel, given
    whom the channel's notes of the cooldown were for (``noted``, newest first): once per
    member, and at most ``cap`` notes in the channel."""
    return member_id not in noted and len(noted) < cap


class SafetySettings(SettingsSection):
    section: ClassVar[str] = "safety"
    title: ClassVar[str] = "Crisis resources"

    enabled: bool = True
    reply_mode: Literal["dm_then_channel", "dm_only"] = "dm_then_channel"
    fallback_delete_seconds: int = Field(120, ge=10, le=3600)
    member_cooldown_minutes: int = Field(30, ge=0, le=1440)
    channel_cooldown_minutes: int = Field(30, ge=0, le=1440)
    excluded_channel_ids: list[int] = Field(default_factory=list)
    excluded_role_ids: list[int] = Field(default_factory=list)
    peer_alert_channel_id: int | None = None
    mod_alert_channel_id: int | None = None
    copy_content: bool = False
    distress_pointer: bool = False
    soft_replies: bool = True
    peer_items: bool = True
    needs_replies: bool = True


ReplyKind = Literal["crisis", "concern_other", "possible_concern", "distress", "needs", None]
# What a DM to Kindred is: part of a support relay (left alone), "stop these messages"
# (opt-out done), "not now", or something to assess.
DmAction = Literal["relay", "stopped", "not_now", "assess"]
#: What an alert says of Kindred's own private message to the member: it is sending one
#: ("reply"), it is not because they opted out of automatic messages ("opted_out"), it sent
#: one a short while ago ("earlier"), or their DMs turned out to be closed ("dms_closed");
#: "unknown" when a stored retry posts later and what became of the reply is no longer known.
Outreach = Literal["reply", "opted_out", "earlier", "dms_closed", "unknown"]
#: What became of a decision's private reply, stored on its event (a state, never text):
#: being sent or a retry stored ("pending"), "sent", not sent because the member opted out
#: ("opted_out", before or meanwhile), their DMs closed ("dms_closed"), or Discord failed
#: every try ("unknown"). An alert posted later by its own retry reads it to say what is true.
ReplyOutcome = Literal["pending", "sent", "opted_out", "dms_closed", "unknown"]


@dataclass(frozen=True)
class DmPlea:
    """A DM to Kindred, outside any relayed request, that pleads for a peer ("I need to
    talk") or, ``professional``, to see a therapist: the Support cog's offer of a peer answers
    it, under the safety reply when there is one (one answer). ``lang``: the plea's language;
    ``beside``: its other words (folded), where a need asked for alongside is read."""

    professional: bool
    lang: str
    beside: str


@dataclass(frozen=True)
class Decision:
    reply: ReplyKind = None
    channel_fallback: bool = False
    alert_peers: bool = False
    alert_moderators: bool = False
    quiet_item: bool = False  # a "possible concern" item for peers: no pings
    tier: int = 0
    label: str = "none"
    needs: tuple[str, ...] = ()
    event_id: int | None = None
    #: The member asked Kindred for no automatic messages (``/safety optout``): no reply.
    opted_out: bool = False
    #: No peer on duty but (perhaps) the member: the peers' alert pings no one, so the
    #: moderators are told (``alert_moderators``) whatever the tier.
    nobody_on_duty: bool = False

    @property
    def acts(self) -> bool:
        return bool(self.reply or self.alert_peers or self.alert_moderators or self.quiet_item)

    @property
    def outreach(self) -> Outreach:
        """What an alert about this decision may truthfully say of Kindred's private reply
        (before it is sent: a DM found closed is told by editing the alert afterwards)."""
        if self.reply is not None:
            return "reply"
        return "opted_out" if self.opted_out else "earlier"

    @property
    def reply_outcome(self) -> ReplyOutcome | None:
        """The private reply's state when the decision is recorded: "pending" when one is due,
        "opted_out" when the member's opt-out is why none is; None when none is due."""
        if self.reply is not None:
            return "pending"
        return "opted_out" if self.opted_out else None


NOTHING = Decision()


def shows_region_lines(kind: str, needs: tuple[str, ...] | list[str]) -> bool:
    """Whether a reply of this kind lists the region's crisis lines. A possible concern (the
    soft level: Kindred is not sure) that comes with a question about a respite, a warmline
    or a peer answers that question instead; the international directory stays (issue #9:
    crisis lines only when crisis language is present too)."""
    return not (kind == "possible_concern" and needs)


@dataclass(frozen=True)
class AlertChannels:
    """Where a guild's alerts go: the safety settings' channels, else peer support's."""

    peers: int | None
    moderators: int | None


@dataclass(frozen=True)
class AlertRefusal:
    """A channel refused a peer alert (403/404, or it is gone): where to post it instead (the
    peer channel, when it is another; None: nowhere), whether the refused channel is the one
    chosen with ``/safety settings`` (else the peer channel itself), and whether to tell the
    moderators now (once per channel per :data:`REFUSAL_TOLD_EVERY`). The same for a
    moderators' report, with the moderator channel from /peers setup in the peer channel's
    place."""

    fallback_channel_id: int | None
    chosen: bool
    tell_moderators: bool


@dataclass(frozen=True)
class PeerAlert:
    """One peer alert to post. Stored for a retry without ``copy`` (ids and the link only)."""

    guild_id: int
    alert_id: int
    peer_channel_id: int
    member_id: int
    channel_id: int
    jump_url: str
    tier: int
    copy: str = ""
    outreach: Outreach = "reply"
    #: The decision's event, where the private reply's outcome is recorded (read again when a
    #: stored retry posts the alert later).
    event_id: int | None = None

    def stored_payload(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "peer_channel_id": self.peer_channel_id,
            "member_id": self.member_id,
            "channel_id": self.channel_id,
            "jump_url": self.jump_url,
            "tier": self.tier,
            "outreach": self.outreach,
        } | ({} if self.event_id is None else {"event_id": self.event_id})

    @classmethod
    def from_payload(cls, guild_id: int, payload: dict[str, Any]) -> PeerAlert:
        return cls(
            guild_id=guild_id,
            alert_id=payload["alert_id"],
            peer_channel_id=payload["peer_channel_id"],
            member_id=payload["member_id"],
            channel_id=payload["channel_id"],
            jump_url=payload["jump_url"],
            tier=payload["tier"],
            copy=payload.get("copy") or "",
            # rows stored before alerts said what Kindred does: it was sending a reply
            outreach=payload.get("outreach") or "reply",
            event_id=payload.get("event_id"),
        )


@dataclass(frozen=True)
class AlertRetry:
    """A stored peer alert due again; ``final`` when this is the scheduler's last try."""

    alert: PeerAlert
    final: bool


@dataclass(frozen=True)
class QuietItem:
    """One "possible concern" item to post (no pings). Stored for a retry with ids and the
    link only: the member is read from the alert's own row when it is tried again (gone
    with /forgetme, and then nothing is posted)."""

    guild_id: int
    alert_id: int
    peer_channel_id: int
    member_id: int
    channel_id: int
    jump_url: str
    outreach: Outreach = "reply"
    event_id: int | None = None

    def stored_payload(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "peer_channel_id": self.peer_channel_id,
            "channel_id": self.channel_id,
            "jump_url": self.jump_url,
            "outreach": self.outreach,
            "event_id": self.event_id,
        }


@dataclass(frozen=True)
class QuietRetry:
    """A stored possible-concern item due again; ``final`` on the scheduler's last try."""

    item: QuietItem
    final: bool


@dataclass(frozen=True)
class AnonymousAlert:
    """An alert about an anonymous group post (``/group post``), to post in ``target_channel_id``.
    Stored for a retry with ids and the post's link only: never its words, never its author
    (every on-duty peer is pinged, so the pings are worked out again without them).
    ``reached``: whether the author's private reply was sent (None: none was due, then
    ``outreach`` says why); ``pings``: an alert that pings (a quiet item and the moderators'
    copy ping nobody)."""

    guild_id: int
    target_channel_id: int
    post_channel_id: int
    jump_url: str
    tier: int
    reached: bool | None
    outreach: Outreach
    pings: bool

    def stored_payload(self) -> dict[str, Any]:
        return {
            "target_channel_id": self.target_channel_id,
            "post_channel_id": self.post_channel_id,
            "jump_url": self.jump_url,
            "tier": self.tier,
            "reached": self.reached,
            "outreach": self.outreach,
            "pings": self.pings,
        }

    @classmethod
    def from_payload(cls, guild_id: int, payload: dict[str, Any]) -> AnonymousAlert:
        return cls(
            guild_id=guild_id,
            target_channel_id=int(payload["target_channel_id"]),
            post_channel_id=int(payload["post_channel_id"]),
            jump_url=str(payload["jump_url"]),
            tier=int(payload["tier"]),
            reached=payload.get("reached"),
            outreach=payload.get("outreach") or "reply",
            pings=bool(payload.get("pings")),
        )


@dataclass(frozen=True)
class AnonymousRetry:
    """A stored anonymous-post alert due again, with the on-duty peers to ping now (every one:
    who wrote it never changes the set); ``final`` on the scheduler's last try."""

    alert: AnonymousAlert
    pings: list[int]
    final: bool


@dataclass(frozen=True)
class AlertReopened:
    """An alert whose peer can no longer reach out, open again: its card (``message_id``
    None: not known, post it anew) offers "I'll reach out" again and ``pings`` are told."""

    guild_id: int
    alert_id: int
    channel_id: int | None
    message_id: int | None
    pings: list[int]


@dataclass(frozen=True)
class ReplyRetry:
    """A private reply Discord refused for a while, due again (``guild_id`` None: no server's
    parts, as a DM to Kindred gets: its server removed Kindred, or its data was purged)."""

    user_id: int
    guild_id: int | None
    kind: str
    needs: tuple[str, ...]
    lang: str
    #: the scheduler's last try: a failure now is the reply's final outcome
    final: bool = False


@dataclass(frozen=True)
class FallbackNote:
    """A brief channel note whose time is up: delete it."""

    channel_id: int
    message_id: int


@dataclass(frozen=True)
class NeedsPlan:
    """The respite / warmline answer for one member; ``ask_state`` when their US state is
    unknown and must be asked."""

    respites: list[ResourceEntry]
    warmlines: list[ResourceEntry]
    region_label: str | None
    ask_state: bool
    last_checked: date
    stale: bool
    unverified: bool


class SourcePrecision(NamedTuple):
    """One phrase id's or model version's alerts in a server (counts only): how many were
    raised, taken by a peer who reached out, and marked "not a concern"."""

    source: str
    alerts: int
    taken: int
    dismissed: int

    @property
    def reviewed(self) -> int:
        return self.taken + self.dismissed

    @property
    def unreviewed(self) -> int:
        """Alerts no peer took nor marked (yet, or ever): left out of the precision."""
        return max(self.alerts - self.reviewed, 0)

    @property
    def precision(self) -> float | None:
        """Of the alerts peers reviewed, the share they took; None while none was reviewed."""
        return self.taken / self.reviewed if self.reviewed else None


@dataclass(frozen=True)
class SafetyStatus:
    """/safety status: counts of the last days (no content), precision, stale data."""

    counts: dict[str, int]
    enabled: bool
    precision: list[SourcePrecision]
    stale: list[ResourceEntry]
