"""Group meetings: recurring or one-off meetings of a support group, reminders by DM to members
who asked, opening and closing on time (locking the channel between meetings if the group wants),
an "I'm here" count, a rotation of facilitators with swapped turns, and a Discord scheduled event
per next occurrence.

Built on ``bot.services.groups`` (groups, members, the peer role as the facilitator role), the
schedule language (``bot.schedules``) and the stored timers (``meeting.remind``,
``meeting.open``, ``meeting.close``, ``meeting.facilitator_remind``; ``meeting.remind_retry`` and
``meeting.open_post`` when Discord failed for a moment; ``meeting.swap_check`` when an Accept
press on a swap request could not finish). Rooms: ``rules`` (timing, reminders, the
rotation), ``base`` (look-ups, turns), ``schedule`` (add, edit, remove, timers, events),
``delivery`` (one member's reminder or the opening post tried again), ``people``
(facilitators, swaps, opt-ins, attendance, forgetting), ``messages`` (what a member reads
privately, in their language)."""

from __future__ import annotations

from bot.db.repositories.core import TimerRow
from bot.db.repositories.meetings import MeetingPrefs, MeetingRow, SwapRow
from bot.services.meetings.base import Occurrence, when_of
from bot.services.meetings.delivery import MeetingDeliveryRetries
from bot.services.meetings.messages import (
    facilitator_text,
    reminder_answer,
    reminder_text,
    rescheduled_text,
    stop_reminders_label,
)
from bot.services.meetings.people import (
    MeetingPeople,
    Presence,
    Rotation,
    SwapAnswer,
    SwapRequest,
)
from bot.services.meetings.rules import (
    CLOSE,
    DEFAULT_PROMPT,
    FACILITATOR_REMIND,
    MAX_PROMPT,
    OPEN,
    OPEN_POST,
    REMIND,
    REMIND_RETRY,
    SWAP_CHECK,
    When,
    reminder_lengths,
    when_text,
)
from bot.services.meetings.schedule import (
    ClosePlan,
    Edited,
    EventPlan,
    FacilitatorPlan,
    OpenPlan,
    ReminderPlan,
    Removed,
    Rescheduled,
    Skipped,
)

__all__ = [
    "CLOSE",
    "DEFAULT_PROMPT",
    "FACILITATOR_REMIND",
    "MAX_PROMPT",
    "OPEN",
    "OPEN_POST",
    "REMIND",
    "REMIND_RETRY",
    "SWAP_CHECK",
    "ClosePlan",
    "Edited",
    "EventPlan",
    "FacilitatorPlan",
    "MeetingPrefs",
    "MeetingRow",
    "MeetingService",
    "Occurrence",
    "OpenPlan",
    "Presence",
    "ReminderPlan",
    "Removed",
    "Rescheduled",
    "Rotation",
    "Skipped",
    "SwapAnswer",
    "SwapRequest",
    "SwapRow",
    "TimerRow",
    "When",
    "facilitator_text",
    "reminder_answer",
    "reminder_lengths",
    "reminder_text",
    "rescheduled_text",
    "stop_reminders_label",
    "when_of",
    "when_text",
]


class MeetingService(MeetingDeliveryRetries, MeetingPeople):
    """``MeetingService(repo, groups, scheduler, clock)``."""
