"""A member's personal wellness plan: a few questions in three short parts, every answer
optional, kept privately until the member deletes it.

The parts follow the structure of the Wellness Recovery Action Plan (WRAP®): what I'm like
when I'm well, what keeps me well, what can throw me off and the early signs, and what helps
in a crisis. It is inspired by that structure and is not WRAP itself (a trademarked programme
taught in peer-led groups; docs/selfhelp.md). A peer reads a plan only if the member shares
it with them; every share, unshare and reading is audited (ids only, never the words).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock, utcnow
from bot.db.repositories.plans import PlanRepository, PlanRow, ShareRow
from bot.errors import (
    InvalidInputError,
    KindredError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.i18n import N_, gettext_for
from bot.text import clean_block

MAX_ANSWER = 500
MAX_SHARES = 3


@dataclass(frozen=True)
class PlanQuestion:
    key: str
    part: int
    #: The modal label: at most 45 characters (Discord's limit).
    label: str
    placeholder: str


# part names are msgids: a reply translates them where it shows them (gettext_for)
PARTS = {1: N_("Staying well"), 2: N_("Noticing early"), 3: N_("Support and crisis")}
# labels and placeholders are msgids too: translated where shown, like the parts' names
QUESTIONS: tuple[PlanQuestion, ...] = (
    PlanQuestion(
        "well",
        1,
        N_("What I'm like when I'm well"),
        N_("e.g. I laugh easily, I cook, I text friends"),
    ),
    PlanQuestion(
        "daily",
        1,
        N_("Daily things that help me stay well"),
        N_("e.g. a walk, meals on time, music"),
    ),
    PlanQuestion(
        "triggers",
        2,
        N_("Things that can throw me off"),
        N_("e.g. money worries, poor sleep, dates"),
    ),
    PlanQuestion(
        "responses",
        2,
        N_("What I can do when that happens"),
        N_("e.g. tell someone, rest, write it"),
    ),
    PlanQuestion(
        "signs",
        2,
        N_("Early signs I'm not doing so well"),
        N_("e.g. skipping meals, not replying"),
    ),
    PlanQuestion(
        "contacts",
        3,
        N_("Who I can contact, and how"),
        N_("e.g. my sister (phone), a peer (/support)"),
    ),
    PlanQuestion(
        "crisis_helps",
        3,
        N_("What helps me in a crisis"),
        N_("e.g. someone staying with me, quiet"),
    ),
    PlanQuestion(
        "crisis_avoid",
        3,
        N_("What doesn't help, or please avoid"),
        N_("e.g. being told to calm down"),
    ),
)
BY_KEY = {q.key: q for q in QUESTIONS}
INSPIRED = N_(
    "Inspired by the structure of the Wellness Recovery Action Plan (WRAP®); this is not WRAP "
    "itself. WRAP is taught in peer-led groups: copelandcenter.com."
)


def questions(part: int) -> tuple[PlanQuestion, ...]:
    if part not in PARTS:
        raise InvalidInputError(N_("The plan has parts 1 to {count}."), count=len(PARTS))
    return tuple(q for q in QUESTIONS if q.part == part)


@dataclass(frozen=True)
class SharedWith:
    peer_id: int
    since: datetime
    last_read: datetime | None


class PlanService:
    def __init__(self, repo: PlanRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    async def get(self, user_id: int) -> PlanRow | None:
        return await self.repo.get(user_id)

    async def mine(self, user_id: int) -> PlanRow:
        plan = await self.repo.get(user_id)
        if plan is None or not plan.answers:
            raise NotFoundError(N_("You have no wellness plan yet. `/plan write` starts one."))
        return plan

    async def save_part(self, user_id: int, part: int, answers: dict[str, str | None]) -> PlanRow:
        """Store one part's answers; an empty answer removes what was there."""
        asked = {q.key for q in questions(part)}
        unknown = set(answers) - asked
        if unknown:
            raise InvalidInputError(N_("Those answers don't belong to this part of the plan."))
        written: dict[str, str] = {}
        emptied: set[str] = set()
        for key in asked & set(answers):
            text = clean_block(answers[key])
            if len(text) > MAX_ANSWER:
                raise InvalidInputError(
                    N_("“{question}” can be at most {count} characters."),
                    question=KindredError(BY_KEY[key].label),
                    count=MAX_ANSWER,
                )
            if text:
                written[key] = text
            else:
                emptied.add(key)
        # merged into the stored plan as it is written: a part saved meanwhile is kept
        return await self.repo.save(user_id, written, self.clock(), remove=emptied)

    async def delete(self, user_id: int) -> None:
        if not await self.repo.delete(user_id):
            raise NotFoundError(N_("You have no wellness plan to delete."))

    # -- sharing ------------------------------------------------------------------------------
    async def share(self, user_id: int, peer_id: int) -> bool:
        await self.mine(user_id)
        if peer_id == user_id:
            raise InvalidInputError(N_("Choose someone else to share your plan with."))
        added = await self.repo.share(user_id, peer_id, self.clock(), limit=MAX_SHARES)
        if added is None:
            raise LimitReachedError(
                N_(
                    "You share your plan with {count} people already; "
                    "`/plan unshare` someone first."
                ),
                count=MAX_SHARES,
            )
        return added

    async def unshare(self, user_id: int, peer_id: int) -> None:
        if not await self.repo.unshare(user_id, peer_id, self.clock()):
            raise NotFoundError(N_("You don't share your plan with them."))

    async def shared_with(self, user_id: int) -> list[SharedWith]:
        return [
            SharedWith(s.peer_id, s.created_at, await self.repo.last_read(user_id, s.peer_id))
            for s in await self.repo.shares(user_id)
        ]

    async def shares(self, user_id: int) -> list[ShareRow]:
        return await self.repo.shares(user_id)

    async def read_shared(self, member_id: int, peer_id: int) -> PlanRow:
        """A member's plan, for a peer they shared it with (the reading is audited)."""
        plan = await self.repo.read_shared(member_id, peer_id, self.clock())
        if plan is None or not plan.answers:
            raise PermissionDeniedError(
                N_("That member has not chosen to share a wellness plan with you.")
            )
        return plan

    async def forget(self, user_id: int) -> int:
        return await self.repo.forget(user_id)


def export_text(plan: PlanRow, written_on: str, lang: str = "en") -> str:
    """The plan as a plain text file for the member to keep, in ``lang``: headings, part
    names and labels translated; the member's own answers stay as written."""
    _ = gettext_for(lang)
    heading = _("My wellness plan")
    lines = [
        heading,
        "=" * len(heading),
        _("Written with Kindred; last changed {date}.").format(date=written_on),
        _(INSPIRED),
        "",
    ]
    for part, name in PARTS.items():
        title = _(name)
        lines += [title, "-" * len(title)]
        for q in questions(part):
            answer = plan.answers.get(q.key, _("(not filled in)"))
            lines += [_("{question}:").format(question=_(q.label)), answer, ""]
    lines += [
        _("Kindred keeps this plan privately until you delete it (/plan delete or /forgetme)."),
        _("Talk to a peer: /support. If things are urgent: /crisis."),
        "",
    ]
    return "\n".join(lines)
