"""Private support requests: the service the Discord layer (``cogs/support``) talks to.

:class:`RequestService` is assembled from focused modules, and keeps one public API:

- ``bot.services.requests.intake``: a member asks (limits, blocks, tags, who is pinged first);
- ``bot.services.requests.service``: the assembled service, lookups, stats, privacy;
- ``bot.services.requests.claims``: peers claim, unclaim, transfer and ask for backup;
- ``bot.services.requests.closing``: closing, and what follows it (transcript, feedback);
- ``bot.services.requests.timers``: the ``request.*`` timers (escalation, open check,
  hand-over, idle) and the outcomes their Discord handlers deliver;
- ``bot.services.requests.relay``: where the conversation happens and the anonymous DM relay;
- ``bot.services.requests.holders``: the peer-role check, and a holder who lost the role
  giving back what they hold (found at their action, their message or a look-up);
- ``bot.services.requests.rules``: pure rules (pings, holders, transcripts); which DMs
  plead for a peer or a professional is ``bot.services.dm_asks``, shared with safety;
- ``bot.services.requests.messages``: the DM texts about asking for a peer, translated.

Nothing in these modules knows about discord.py, so each rule has a fast unit test.
Escalation of an unclaimed request is a chain of stored timers (``request.escalate``):
level 1 re-pings matching peers, level 2 pings every on-duty peer, level 3 alerts moderators.
Because the timers are rows in the database, a restart between steps loses none of them.
"""

from bot.services.requests.intake import NotInServerError, ServerAwayError, require_member
from bot.services.requests.relay import CATCH_UP_MAX, CatchUp, MissedRelay
from bot.services.requests.service import (
    ESCALATE,
    HANDOVER,
    IDLE,
    OPEN_CHECK,
    PICKED_UP,
    RELAY_RETRY,
    TO_MEMBER,
    TO_PEER,
    AlreadyOpenError,
    BlockedError,
    CloseFollowUp,
    DmRoute,
    EndedConversation,
    EscalationStep,
    ForgottenRequests,
    GoneConversation,
    Handover,
    IdleOutcome,
    Intake,
    NoLongerAPeerError,
    NotAPeerError,
    PendingRelay,
    RelayBacklog,
    RequestRow,
    RequestService,
    Requeued,
    TimerRow,
    ping_list,
    thread_transcript,
    transcript_messages,
)

__all__ = [
    "CATCH_UP_MAX",
    "ESCALATE",
    "HANDOVER",
    "IDLE",
    "OPEN_CHECK",
    "PICKED_UP",
    "RELAY_RETRY",
    "TO_MEMBER",
    "TO_PEER",
    "AlreadyOpenError",
    "BlockedError",
    "CatchUp",
    "CloseFollowUp",
    "DmRoute",
    "EndedConversation",
    "EscalationStep",
    "ForgottenRequests",
    "GoneConversation",
    "Handover",
    "IdleOutcome",
    "Intake",
    "MissedRelay",
    "NoLongerAPeerError",
    "NotAPeerError",
    "NotInServerError",
    "PendingRelay",
    "RelayBacklog",
    "RequestRow",
    "RequestService",
    "Requeued",
    "ServerAwayError",
    "TimerRow",
    "ping_list",
    "require_member",
    "thread_transcript",
    "transcript_messages",
]
