"""What each kind of scheduled work does while its server has removed Kindred (the timer
queue's rule, ``bot.db.repositories.core.TimerRepository``, and the return's,
``bot.services.servers``). Every timer kind the bot registers is in exactly one of these;
a test (tests/e2e/test_servers.py) fails when a new kind is left undecided.

* ``RUNS``: addressed to a person by DM and needing nothing of the server (a crisis or
  concern reply Discord refused for a moment). It keeps running while the server is away,
  without the server's parts (no Talk to a peer button there, the member's region's lines),
  and the purge of the server's data never deletes it.
* ``LATE_DROPPED``: a one-off notice about a moment (a peer alert or possible-concern item
  being posted again, a reminder or an opening post tried again, a duty DM tried again).
  It waits while the server is away; when the server comes back, one held longer past its
  time than its kind's ``LATE_AFTER`` is dropped instead of being posted about a moment long
  gone: a day for what asks peers to reach out to a member (a peer can still reach out the
  same day, and the member had their private reply), an hour for the rest.
* ``WAITS``: everything else the server's timers do (recurring posts, meeting opens and
  closes, shifts, request follow-ups, clearing cards): it waits and runs on return, where
  its handler skips a run long past (recurring work) or finds its subject closed.
* ``NO_SERVER``: never tagged with a server (a member's own check-ins and goal nudges,
  the purges, backups): the server's absence doesn't touch it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services.backup import BACKUP
from bot.services.checkins import PERSONAL, PERSONAL_RETRY, POST, RETRY
from bot.services.groups import SLOWMODE_OFF
from bot.services.meetings import (
    CLOSE,
    FACILITATOR_REMIND,
    OPEN,
    OPEN_POST,
    REMIND,
    REMIND_RETRY,
    SWAP_CHECK,
)
from bot.services.peers.shifts import (
    DUTY_DM_RETRY,
    DUTY_EXPIRE,
    SHIFT_END,
    SHIFT_REMIND,
    SHIFT_START,
)
from bot.services.privacy import CARD_CLEAR
from bot.services.privacy import PURGE as RETENTION_PURGE
from bot.services.requests import ESCALATE, HANDOVER, IDLE, OPEN_CHECK, RELAY_RETRY
from bot.services.requests.edits import COPY_EDIT, COPY_WITHDRAW
from bot.services.safety.model import (
    ALERT_REOPENED,
    ALERT_RETRY,
    ANONYMOUS_RETRY,
    DELETE_FALLBACK,
    QUIET_RETRY,
    REPLY_RETRY,
)
from bot.services.selfhelp.goals import NUDGE, NUDGE_RETRY

SERVER_PURGE = "guild.purge"  # bot.services.servers.PURGE (that module imports this one)

RUNS: frozenset[str] = frozenset({REPLY_RETRY})
LATE_DROPPED: frozenset[str] = frozenset(
    {
        ALERT_RETRY,
        QUIET_RETRY,
        ANONYMOUS_RETRY,
        ALERT_REOPENED,
        RETRY,
        REMIND_RETRY,
        OPEN_POST,
        DUTY_DM_RETRY,
    }
)
WAITS: frozenset[str] = frozenset(
    {
        DELETE_FALLBACK,
        POST,
        REMIND,
        OPEN,
        CLOSE,
        FACILITATOR_REMIND,
        SWAP_CHECK,
        SLOWMODE_OFF,
        DUTY_EXPIRE,
        SHIFT_START,
        SHIFT_END,
        SHIFT_REMIND,
        ESCALATE,
        IDLE,
        OPEN_CHECK,
        HANDOVER,
        RELAY_RETRY,
        COPY_WITHDRAW,
        COPY_EDIT,
        CARD_CLEAR,
    }
)
NO_SERVER: frozenset[str] = frozenset(
    {PERSONAL, PERSONAL_RETRY, NUDGE, NUDGE_RETRY, BACKUP, RETENTION_PURGE, SERVER_PURGE}
)
_PEERS_REACH_OUT = frozenset({ALERT_RETRY, QUIET_RETRY, ANONYMOUS_RETRY, ALERT_REOPENED})
LATE_AFTER: dict[str, timedelta] = {
    kind: timedelta(days=1) if kind in _PEERS_REACH_OUT else timedelta(hours=1)
    for kind in LATE_DROPPED
}


def classified() -> frozenset[str]:
    """Every kind decided here (the sets never overlap: tests/unit/test_servers.py)."""
    return RUNS | LATE_DROPPED | WAITS | NO_SERVER
