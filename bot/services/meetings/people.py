"""The people side of meetings: the facilitator rotation and swapped turns, members' reminder
opt-ins, "I'm here" presses, and forgetting a member."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.repositories.core import TimerRow
from bot.db.repositories.groups import GroupRow
from bot.db.repositories.meetings import MeetingRow, SwapRow
from bot.db.retention import Cutoffs
from bot.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.i18n import N_
from bot.services.groups.base import _require_active
from bot.services.meetings.base import MeetingBase
from bot.services.meetings.rules import (
    MAX_FACILITATORS,
    SWAP_CHECK,
    facilitator_at,
    next_turn_of,
    swap_turns,
)

#: An Accept press still unfinished after this was cut short (the process died between the
#: press and the swap): the swap check gives the request back, as if not answered yet.
SWAP_GRACE = timedelta(minutes=5)


def swap_check_key(swap_id: int) -> str:
    return f"meeting:swap:{swap_id}:accepting"


@dataclass(frozen=True)
class Rotation:
    group: GroupRow
    order: tuple[int, ...]
    #: The next turns: when, which meeting, who.
    upcoming: tuple[tuple[datetime, MeetingRow, int | None], ...]


@dataclass(frozen=True)
class SwapRequest:
    swap: SwapRow
    group: GroupRow
    #: When each of the two turns is (None: no meeting is scheduled that far ahead).
    from_when: datetime | None
    to_when: datetime | None


@dataclass(frozen=True)
class SwapAnswer:
    swap: SwapRow
    group: GroupRow
    accepted: bool


@dataclass(frozen=True)
class Presence:
    meeting: MeetingRow
    count: int
    counted: bool  # False: this person had already said they were here


class MeetingPeople(MeetingBase):
    # -- the rotation --------------------------------------------------------------------------
    async def add_facilitator(
        self,
        guild_id: int,
        group_name: str,
        user_id: int,
        peer_role_ids: Collection[int],
        actor_id: int,
    ) -> GroupRow:
        """Add a peer supporter (holding the peer role: ``peer_role_ids`` are their roles) to the
        end of the group's rotation."""
        group = await self.groups.active(guild_id, group_name)
        peer_role = await self.groups.facilitator_role(guild_id)
        if peer_role is None or peer_role not in peer_role_ids:
            raise InvalidInputError(
                N_(
                    "Facilitators are peer supporters: give them the peer role first "
                    "(`/peers setup` sets which role that is)."
                )
            )
        if len(await self.repo.facilitators(group.id)) >= MAX_FACILITATORS:
            raise LimitReachedError(
                N_("A group's rotation holds up to {count} people."), count=MAX_FACILITATORS
            )
        added = await self.repo.add_facilitator(group.id, guild_id, user_id, actor_id, self.clock())
        if not added:
            raise ConflictError(
                N_("{member} already facilitates **{group}**."),
                member=f"<@{user_id}>",
                group=group.name,
            )
        return group

    async def remove_facilitator(
        self, guild_id: int, group_name: str, user_id: int, actor_id: int
    ) -> GroupRow:
        group = await self.groups.by_name(guild_id, group_name)
        if not await self.repo.remove_facilitator(
            group.id, guild_id, user_id, actor_id, self.clock()
        ):
            raise NotFoundError(
                N_("{member} isn't in the rotation of **{group}**."),
                member=f"<@{user_id}>",
                group=group.name,
            )
        return group

    async def rotation(self, guild_id: int, group_name: str, count: int = 5) -> Rotation:
        group = await self.groups.by_name(guild_id, group_name)
        order = await self.repo.facilitators(group.id)
        swaps = await self.repo.swapped_turns(group.id)
        turn = (await self.repo.prefs(group.id)).turn
        upcoming = await self.upcoming(group.id, count)
        return Rotation(
            group,
            tuple(order),
            tuple(
                (moment, meeting, facilitator_at(order, swaps, turn + i))
                for i, (moment, meeting) in enumerate(upcoming)
            ),
        )

    async def ask_swap(
        self, guild_id: int, group_name: str, from_id: int, to_id: int
    ) -> SwapRequest:
        """A facilitator asks another to swap their next turns; nothing changes until the other
        accepts."""
        group = await self.groups.active(guild_id, group_name)
        order = await self.repo.facilitators(group.id)
        if from_id not in order:
            raise PermissionDeniedError(
                N_("You're not in the facilitator rotation of **{group}**."), group=group.name
            )
        if to_id == from_id:
            raise InvalidInputError(N_("Swap with another facilitator, not yourself."))
        if to_id not in order:
            raise InvalidInputError(
                N_(
                    "{member} isn't in the rotation of **{group}**; "
                    "`/group facilitator list` shows who is."
                ),
                member=f"<@{to_id}>",
                group=group.name,
            )
        swaps = await self.repo.swapped_turns(group.id)
        turn = (await self.repo.prefs(group.id)).turn
        slots = (next_turn_of(order, swaps, turn, from_id), next_turn_of(order, swaps, turn, to_id))
        if slots[0] is None or slots[1] is None:  # pragma: no cover - both are in the order
            raise InvalidInputError(N_("Both of you need to be in this group's rotation."))
        swap = await self.repo.ask_swap(
            group.id, guild_id, from_id, to_id, (slots[0], slots[1]), self.clock()
        )
        starts = await self.upcoming(group.id, max(slots) - turn + 1)

        def at(slot: int) -> datetime | None:
            index = slot - turn
            return starts[index][0] if index < len(starts) else None

        return SwapRequest(swap, group, at(slots[0]), at(slots[1]))

    async def swap_to_answer(
        self, swap_id: int, user_id: int, guild_id: int | None, *, accept: bool = False
    ) -> SwapRow:
        """The swap request ``user_id`` was asked and has yet to answer (a button: in their
        DMs, or in the server the request was made in). An Accept press being answered
        (``accepting``) may be pressed again (``accept``), not declined over."""
        swap = await self.repo.swap(swap_id)
        if swap is None or (guild_id is not None and swap.guild_id != guild_id):
            raise NotFoundError(N_("That swap request isn't there any more."))
        if swap.to_id != user_id:
            raise PermissionDeniedError(N_("This swap request was for someone else."))
        if swap.status == "accepted":
            raise ConflictError(N_("You already answered this request (accepted)."))
        if swap.status == "declined":
            raise ConflictError(N_("You already answered this request (declined)."))
        if swap.status == "accepting" and not accept:
            raise ConflictError(
                N_(
                    "You pressed Accept on this request first, so that's the answer I'm "
                    "giving; I'll tell you in a moment how it went."
                )
            )
        if swap.status not in ("asked", "accepting"):
            raise ConflictError(
                N_("You already answered this request ({status})."), status=swap.status
            )
        group = await self.groups.find(swap.group_id)
        if group is not None and swap.status == "asked":
            _require_active(group)  # as asking is: answered once the group is back
        return swap

    async def claim_swap_answer(
        self, swap_id: int, user_id: int, accept: bool, guild_id: int | None
    ) -> SwapAnswer:
        """The asked facilitator pressed Accept or Decline: the first press counts, so the
        answer is claimed at once, before any other work. A decline is then final; an accept
        holds the request until ``finish_accept`` (the Discord layer looks the presser up in
        between) swaps the turns or gives the request back."""
        swap = await self.swap_to_answer(swap_id, user_id, guild_id, accept=accept)
        if not await self.repo.claim_swap(swap.id, accept):
            # another press got there first: say which answer counts
            await self.swap_to_answer(swap_id, user_id, guild_id)
            raise ConflictError(N_("This request was already answered."))
        if accept:  # right after the claim (nothing may come before it: the first press
            # counts): if the process dies before the swap, the check gives the request back
            await self.scheduler.schedule_once(
                SWAP_CHECK,
                self.clock() + SWAP_GRACE,
                {"swap_id": swap.id},
                guild_id=swap.guild_id,
                key=swap_check_key(swap.id),
            )
        group = await self.groups.find(swap.group_id)
        if group is None:  # pragma: no cover - cascades with the group
            await self._release(swap.id)
            raise NotFoundError(N_("That group is gone."))
        return SwapAnswer(swap, group, accept)

    async def release_swap(self, answer: SwapAnswer) -> None:
        """An acceptance that could not be finished: the request is unanswered again."""
        await self._release(answer.swap.id)

    async def _release(self, swap_id: int) -> None:
        await self.repo.release_swap(swap_id)
        await self.scheduler.cancel(swap_check_key(swap_id))

    async def on_swap_check(self, timer: TimerRow) -> SwapAnswer | None:
        """An Accept press whose swap never finished (the process died in between): the
        request goes back to asked, so Accept and Decline work again, and the one who pressed
        is to be told (the answer: the swap and its group). None when it had finished."""
        swap = await self.repo.swap(int(timer.payload["swap_id"]))
        if swap is None or swap.status != "accepting":
            return None
        await self.repo.release_swap(swap.id)
        group = await self.groups.find(swap.group_id)
        fresh = await self.repo.swap(swap.id)
        if group is None or fresh is None or fresh.status != "asked":
            return None
        return SwapAnswer(fresh, group, False)

    async def finish_accept(self, answer: SwapAnswer, *, peer: bool = True) -> SwapAnswer:
        """Swap the turns of a claimed acceptance. Facilitators are peer supporters: one who
        no longer holds the peer role (``peer``, looked up by the Discord layer) may decline
        but not take a turn; the request then stays asked, as if not answered yet (so does it
        when the rotation changed since it was asked)."""
        swap, group = answer.swap, answer.group
        if not peer:
            await self._release(swap.id)
            raise PermissionDeniedError(
                N_(
                    "Facilitating is for peer supporters, and you don't hold the peer role in "
                    "that server any more, so the turns stay as they are. Declining is fine, and "
                    "a moderator can help if the role should still be yours."
                )
            )
        order = await self.repo.facilitators(group.id)
        swaps = await self.repo.swapped_turns(group.id)
        turn = (await self.repo.prefs(group.id)).turn
        now_slots = (
            next_turn_of(order, swaps, turn, swap.from_id),
            next_turn_of(order, swaps, turn, swap.to_id),
        )
        if now_slots != (swap.from_slot, swap.to_slot):
            await self._release(swap.id)
            # a second Accept press may have swapped them already: say so, not "changed"
            await self.swap_to_answer(swap.id, swap.to_id, None, accept=True)
            raise ConflictError(
                N_(
                    "The rotation changed since this was asked; ask again with "
                    "`/group facilitator swap`."
                )
            )
        turns = swap_turns(order, swaps, turn, swap.from_id, swap.to_id)
        if not await self.repo.accept_swap(swap, turns, self.clock()):
            # a second Accept press finished it first
            await self.swap_to_answer(swap.id, swap.to_id, None)
            raise ConflictError(N_("This request was already answered."))
        await self.scheduler.cancel(swap_check_key(swap.id))
        return answer

    async def answer_swap(
        self, swap_id: int, user_id: int, accept: bool, guild_id: int | None, *, peer: bool = True
    ) -> SwapAnswer:
        """Accept or decline in one step (``peer`` known beforehand): the claim, then the
        turns."""
        answer = await self.claim_swap_answer(swap_id, user_id, accept, guild_id)
        return await self.finish_accept(answer, peer=peer) if accept else answer

    # -- reminders and attendance --------------------------------------------------------------
    async def set_reminders(self, guild_id: int, group_name: str, user_id: int, on: bool) -> bool:
        group = await self.groups.by_name(guild_id, group_name)
        return await self._set_reminders(group, user_id, on)

    async def reminders_from_button(
        self, meeting_id: int, user_id: int, on: bool, guild_id: int | None
    ) -> tuple[GroupRow, bool]:
        """The "Remind me" / "Stop reminders" buttons (on an open post, or a reminder DM)."""
        meeting = await self.repo.get(meeting_id)
        if meeting is None or (guild_id is not None and meeting.guild_id != guild_id):
            raise NotFoundError(N_("That meeting isn't there any more."))
        group = await self.group_of(meeting)
        return group, await self._set_reminders(group, user_id, on)

    async def _set_reminders(self, group: GroupRow, user_id: int, on: bool) -> bool:
        if on and not await self.groups.is_member(group.id, user_id):
            raise PermissionDeniedError(
                N_("Meeting reminders are for members of **{group}**: `/group join` first."),
                group=group.name,
            )
        return await self.repo.set_optin(group.id, user_id, on, self.clock())

    async def here(
        self, guild_id: int | None, meeting_id: int, user_id: int, message_id: int | None = None
    ) -> Presence:
        """ "I'm here": counted once per person; their name is kept only if the group asked.
        Only on the open post of the meeting running now (``message_id``: the post pressed), not
        on an earlier occurrence's post."""
        meeting = await self.repo.get(meeting_id)
        if meeting is None or guild_id is None or meeting.guild_id != guild_id:
            raise NotFoundError(N_("That meeting isn't in this server."))
        earlier_post = (
            message_id is not None
            and meeting.open_message_id is not None
            and message_id != meeting.open_message_id
        )
        if meeting.open_at is None or earlier_post:
            raise ConflictError(
                N_(
                    "This meeting isn't open right now; thank you for stopping by. "
                    "`/group meeting list` shows when it meets next."
                )
            )
        await self._may_be_counted(meeting, user_id)
        named = (await self.repo.prefs(meeting.group_id)).named_attendance
        count = await self.repo.press_here(
            meeting.id, meeting.open_at, user_id, named, self.clock()
        )
        if count is None:
            return Presence(meeting, meeting.attendance, counted=False)
        return Presence(meeting, count, counted=True)

    async def _may_be_counted(self, meeting: MeetingRow, user_id: int) -> None:
        """Only the group's members and its facilitators are counted at its meeting: someone
        who isn't in the group (never joined, or left) is told kindly how to join."""
        if await self.groups.is_member(meeting.group_id, user_id):
            return
        if user_id in await self.repo.facilitators(meeting.group_id):
            return
        group = await self.group_of(meeting)
        raise PermissionDeniedError(
            N_(
                "“I'm here” counts the members of **{group}**. You're welcome to join: "
                "`/group join`, then press it again."
            ),
            group=group.name,
        )

    async def named_attendance(
        self, guild_id: int, meeting_id: int
    ) -> tuple[MeetingRow, list[int]]:
        """Who said they were at the meeting's latest occurrence (groups with named attendance)."""
        meeting = await self.get(meeting_id, guild_id)
        if meeting.last_started_at is None:
            return meeting, []
        return meeting, await self.repo.named_attendees(meeting.id, meeting.last_started_at)

    # -- privacy -------------------------------------------------------------------------------
    async def forget(self, user_id: int) -> int:
        """``/forgetme``: reminder opt-ins, presses, swap requests and rotation places."""
        return await self.repo.delete_user(user_id)

    async def purge_presence_before(self, cutoff: datetime | Cutoffs) -> int:
        return await self.repo.purge_presence_before(cutoff)
