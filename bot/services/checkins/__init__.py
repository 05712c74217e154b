"""Scheduled check-ins: channel check-ins that moderators set, personal ones members opt into.

Every check-in's next run is a stored timer (see ``bot.timers``): the handler posts, then
stores the following run, computed in the check-in's IANA zone so "09:00 Europe/London" stays at
09:00 local across DST. A run missed by more than the grace time (the bot was down) is skipped
and logged; a run is never posted twice because each (check-in, scheduled time) pair is claimed
in the database before posting.

Rooms: ``rules`` (limits, moods, prompts, plans, parsing, quiet hours), ``channel`` (moderators'
channel check-ins and their anonymous moods), ``personal`` (members' own DM check-ins),
``messages`` (what a member reads privately, in their language). The Discord layer imports
everything it needs, row types included, from this package.
"""

from __future__ import annotations

from bot.db.repositories.checkins import CheckinRow, PersonalRow
from bot.db.repositories.core import TimerRow
from bot.services.checkins.channel import ChannelCheckins
from bot.services.checkins.messages import (
    channel_mood_head,
    mood_label,
    mood_support_lines,
    personal_checkin_text,
    personal_mood_head,
)
from bot.services.checkins.personal import PersonalCheckins, quiet_end, quiet_of
from bot.services.checkins.rules import (
    BUILTIN_PROMPTS,
    LOW,
    LOWEST,
    MAX_PER_GUILD,
    MAX_PROMPT,
    MAX_PROMPTS,
    MAX_TITLE,
    MOODS,
    PERSONAL,
    PERSONAL_RETRY,
    POST,
    RETRY,
    RETRY_AFTER,
    SPARK,
    CheckinSettings,
    GivenUp,
    PersonalPlan,
    PostPlan,
    Preview,
    by_day,
    in_quiet_hours,
    next_delivery,
    parse_quiet_hours,
    sparkline,
    summary_since,
    upcoming_deliveries,
)

__all__ = [
    "BUILTIN_PROMPTS",
    "LOW",
    "LOWEST",
    "MAX_PER_GUILD",
    "MAX_PROMPT",
    "MAX_PROMPTS",
    "MAX_TITLE",
    "MOODS",
    "PERSONAL",
    "PERSONAL_RETRY",
    "POST",
    "RETRY",
    "RETRY_AFTER",
    "SPARK",
    "CheckinRow",
    "CheckinService",
    "CheckinSettings",
    "GivenUp",
    "PersonalPlan",
    "PersonalRow",
    "PostPlan",
    "Preview",
    "TimerRow",
    "by_day",
    "channel_mood_head",
    "in_quiet_hours",
    "mood_label",
    "mood_support_lines",
    "next_delivery",
    "parse_quiet_hours",
    "personal_checkin_text",
    "personal_mood_head",
    "quiet_end",
    "quiet_of",
    "sparkline",
    "summary_since",
    "upcoming_deliveries",
]


class CheckinService(ChannelCheckins, PersonalCheckins):
    """Both halves over one repository, settings, scheduler and clock
    (``CheckinService(repo, settings, scheduler, zones, clock)``; ``zones``, the members'
    own time zones, for a personal check-in set without one)."""
