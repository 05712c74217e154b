"""What Kindred does when the detector notices risk: reply privately, alert peers, or nothing.

The detector (``bot.safety``) says *what* a message signals; this service decides *what to do*
from the guild's settings, the member's own choice (opt-out), exclusions and cooldowns, so a
hard conversation never turns into a wall of bot replies. It never punishes, deletes or exposes
the member, and it records only metadata (guild, channel, member, label, tier, time).

Decisions:
- crisis_self: private reply (unless the member opted out or was answered within the member
  cooldown) and an alert to on-duty peers (unless alerted within the cooldown, which a higher
  tier than the last alert breaks); tier 3 also alerts moderators.
- concern_other: private reply on helping a friend; no alert.
- possible concern (the soft level: the classifier or a low-confidence signal, printed as
  ``distress`` by ``python -m bot detect``): a gentle private check-in and a quiet item in the
  peer channel (no pings, no moderators) that a peer can take or mark "not a concern".
- plain distress: nothing, unless the guild turned on the gentle pointer to peer support.
- harassment: a moderator alert only, at most once per channel cooldown.
- needs (respite, warmline, peer) ride along with any reply; on their own they get a private
  answer with those resources, without crisis lines.

The member's recent risk in a channel (scores only, never text, in memory for
``CONTEXT_MINUTES``) lets a farewell after earlier distress reach the alert level.

The service also arms the feature's timers (reply and alert retries, channel-note removal) and
says where alerts go and whom they ping; the cog only talks to Discord. Everything the cogs
and tests need is importable from here (``TimerRow`` included, so cogs never import
``bot.db``).
"""

from __future__ import annotations

from bot.db.repositories.core import TimerRow
from bot.services.safety.lookups import RegionNeededError, respite_states, respites_for_state
from bot.services.safety.model import (
    ALERT_REOPENED,
    ALERT_RETRY,
    ALERT_RETRY_SECONDS,
    ANONYMOUS_RETRY,
    CONTEXT_KEEP,
    CONTEXT_MINUTES,
    DELETE_FALLBACK,
    GUILD_RESOURCE_KINDS,
    LANG_KEY,
    LANGUAGES,
    MAX_GUILD_RESOURCES,
    MAX_RESOURCE_CONTACT,
    MAX_RESOURCE_HOURS,
    MAX_RESOURCE_NAME,
    NEEDS,
    NOTHING,
    OPT_OUT_KEY,
    QUIET_RETRY,
    REGION_KEY,
    REPLY_RETRY,
    AlertChannels,
    AlertRefusal,
    AlertReopened,
    AlertRetry,
    AnonymousAlert,
    AnonymousRetry,
    Decision,
    DmAction,
    DmPlea,
    FallbackNote,
    NeedsPlan,
    Outreach,
    PeerAlert,
    QuietItem,
    QuietRetry,
    ReplyKind,
    ReplyOutcome,
    ReplyRetry,
    SafetySettings,
    SafetyStatus,
    SourcePrecision,
    shows_region_lines,
)
from bot.services.safety.service import SafetyService
from bot.services.safety.words import NOT_NOW_PHRASES, STOP_PHRASES, dm_words

__all__ = [
    "ALERT_REOPENED",
    "ALERT_RETRY",
    "ALERT_RETRY_SECONDS",
    "ANONYMOUS_RETRY",
    "CONTEXT_KEEP",
    "CONTEXT_MINUTES",
    "DELETE_FALLBACK",
    "GUILD_RESOURCE_KINDS",
    "LANGUAGES",
    "LANG_KEY",
    "MAX_GUILD_RESOURCES",
    "MAX_RESOURCE_CONTACT",
    "MAX_RESOURCE_HOURS",
    "MAX_RESOURCE_NAME",
    "NEEDS",
    "NOTHING",
    "NOT_NOW_PHRASES",
    "OPT_OUT_KEY",
    "QUIET_RETRY",
    "REGION_KEY",
    "REPLY_RETRY",
    "STOP_PHRASES",
    "AlertChannels",
    "AlertRefusal",
    "AlertReopened",
    "AlertRetry",
    "AnonymousAlert",
    "AnonymousRetry",
    "Decision",
    "DmAction",
    "DmPlea",
    "FallbackNote",
    "NeedsPlan",
    "Outreach",
    "PeerAlert",
    "QuietItem",
    "QuietRetry",
    "RegionNeededError",
    "ReplyKind",
    "ReplyOutcome",
    "ReplyRetry",
    "SafetyService",
    "SafetySettings",
    "SafetyStatus",
    "SourcePrecision",
    "TimerRow",
    "dm_words",
    "respite_states",
    "respites_for_state",
    "shows_region_lines",
]
