"""Self-help: the library of pages, members' goals with gentle nudges, and wellness plans.

Rooms: ``pages`` (cutting Markdown into embed-sized pages), ``library`` (loading and checking
``data/selfhelp``), ``reader`` (which page a member sees, and page buttons), ``goals``
(goals, nudges on the check-in engine, sharing), ``plans`` (the wellness plan, sharing,
export), ``text`` (tidying what members type), ``messages`` (what a goal's nudge says, in
the member's language). The Discord layer (``cogs/selfhelp``) imports everything it needs,
row types included, from this package.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.repositories.core import TimerRow
from bot.db.repositories.goals import GoalRow
from bot.db.repositories.plans import PlanRow, ShareRow
from bot.services.selfhelp.goals import (
    MAX_OPEN,
    MAX_TEXT,
    NUDGE,
    NUDGE_RETRY,
    GoalNudge,
    GoalService,
    GoalSet,
)
from bot.services.selfhelp.library import (
    DEFAULT_DIR,
    PAGE_CHARS,
    Library,
    LibraryError,
    Page,
    load_pages,
    parse_page,
)
from bot.services.selfhelp.messages import (
    celebration,
    goal_button_labels,
    nudge_text,
    paused_text,
    still_working_text,
)
from bot.services.selfhelp.pages import page_texts, split_text
from bot.services.selfhelp.plans import (
    INSPIRED,
    MAX_ANSWER,
    PARTS,
    QUESTIONS,
    PlanQuestion,
    PlanService,
    SharedWith,
    export_text,
    questions,
)
from bot.services.selfhelp.reader import LibraryService, Matches, Reading, scope_of

__all__ = [
    "DEFAULT_DIR",
    "INSPIRED",
    "MAX_ANSWER",
    "MAX_OPEN",
    "MAX_TEXT",
    "NUDGE",
    "NUDGE_RETRY",
    "PAGE_CHARS",
    "PARTS",
    "QUESTIONS",
    "GoalNudge",
    "GoalRow",
    "GoalService",
    "GoalSet",
    "Library",
    "LibraryError",
    "LibraryService",
    "Matches",
    "Page",
    "PlanQuestion",
    "PlanRow",
    "PlanService",
    "Reading",
    "SelfHelpServices",
    "ShareRow",
    "SharedWith",
    "TimerRow",
    "celebration",
    "export_text",
    "goal_button_labels",
    "load_pages",
    "nudge_text",
    "page_texts",
    "parse_page",
    "paused_text",
    "questions",
    "scope_of",
    "split_text",
    "still_working_text",
]


@dataclass
class SelfHelpServices:
    library: LibraryService
    goals: GoalService
    plans: PlanService
