"""The texts for plans and goals shared in a community. The check itself, that the member and
the peer still share a server where Kindred is, lives in :mod:`bot.ui.sharing` (check-in trends
use it too). The share itself stays when they don't: consent is the member's, and their
``/plan view`` marks the peer as gone so they can decide.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.ui.sharing import UNSURE, require_together, together

__all__ = [
    "GOALS_APART",
    "GOALS_GONE",
    "PLAN_APART",
    "PLAN_GONE",
    "UNSURE",
    "require_together",
    "together",
]

PLAN_GONE = N_("You no longer share a server with {member}, so I can't show you their plan.")
GOALS_GONE = N_("You no longer share a server with {member}, so I can't show you their goals.")
#: ``/goal share`` with someone who shares no server with the member where Kindred is: they
#: could never read the goals, so nothing is shared.
GOALS_APART = N_(
    "You don't share a server with {member} where Kindred is, so they couldn't see your goals. "
    "Nothing was shared: choose someone from your community."
)
#: ``/plan share`` with someone who shares no server with the member where Kindred is: they
#: could never read the plan (``/plan view`` would refuse), so nothing is shared.
PLAN_APART = N_(
    "You don't share a server with {member} where Kindred is, so they couldn't read your plan. "
    "Nothing was shared: choose someone from your community."
)
