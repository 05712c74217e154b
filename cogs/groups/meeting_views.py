"""What meetings look like on Discord: the reminder DM, the open post with "I'm here", the close
message, the facilitator's notice, the swap request with Accept / Decline, and the list.

The buttons are ``DynamicItem``s whose custom ids carry the meeting (or swap) id, so they keep
working after a restart; the ``Groups`` cog checks each press against the server it came from."""

from __future__ import annotations

import re
from datetime import timedelta

import discord

from bot.errors import NotFoundError
from bot.i18n import N_, render
from bot.services.meetings import (
    ClosePlan,
    FacilitatorPlan,
    MeetingRow,
    Occurrence,
    OpenPlan,
    ReminderPlan,
    SwapRequest,
    facilitator_text,
    reminder_lengths,
    reminder_text,
    stop_reminders_label,
    when_of,
    when_text,
)
from bot.services.meetings.messages import swap_button_labels, swap_request_text
from bot.ui.replies import WARM
from bot.ui.views import GuardedCallback

#: Mentions in meeting posts may ping the facilitator, never a role or everyone.
PING_USERS = discord.AllowedMentions(everyone=False, roles=False, users=True)


def _cog(interaction: discord.Interaction):
    cog = interaction.client.get_cog("Groups")
    if cog is None:
        raise NotFoundError(N_("Support groups are not available right now."))
    return cog


class MeetingButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:mtg:(?P<action>here|remind|stop):(?P<id>\d+)",
):
    """ "I'm here" (the open post), "Remind me" (the open post) and "Stop reminders" (a DM)."""

    LABELS = {"here": "I'm here", "remind": "Remind me of meetings", "stop": "Stop reminders"}
    STYLES = {
        "here": discord.ButtonStyle.success,
        "remind": discord.ButtonStyle.secondary,
        "stop": discord.ButtonStyle.secondary,
    }

    def __init__(self, action: str, meeting_id: int, lang: str = "en") -> None:
        # the DM's button speaks the member's language; the open post's are public
        label = stop_reminders_label(lang) if action == "stop" else self.LABELS[action]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=self.STYLES[action],
                custom_id=f"kindred:mtg:{action}:{meeting_id}",
            )
        )
        self.action = action
        self.meeting_id = meeting_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> MeetingButton:
        return cls(match["action"], int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_meeting_button(interaction, self.action, self.meeting_id)


class SwapButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:mtg:swap:(?P<id>\d+):(?P<answer>yes|no)",
):
    """Accept or decline a facilitator's request to swap turns."""

    def __init__(self, swap_id: int, answer: str, lang: str = "en") -> None:
        accept, decline = swap_button_labels(lang)  # in the DM's language
        super().__init__(
            discord.ui.Button(
                label=accept if answer == "yes" else decline,
                style=discord.ButtonStyle.success
                if answer == "yes"
                else discord.ButtonStyle.secondary,
                custom_id=f"kindred:mtg:swap:{swap_id}:{answer}",
            )
        )
        self.swap_id = swap_id
        self.answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SwapButton:
        return cls(int(match["id"]), match["answer"])

    async def run(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_swap_button(interaction, self.swap_id, self.answer == "yes")


MEETING_ITEMS = (MeetingButton, SwapButton)


def _view(*items: discord.ui.Item) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


def where(meeting: MeetingRow, channel_id: int | None) -> str:
    if meeting.venue_id:
        return f"<#{meeting.venue_id}>"
    return f"<#{channel_id}>" if channel_id else "the group's channel"


def facilitated_by(user_id: int | None) -> str:
    return f"<@{user_id}>" if user_id else "the group's peer supporters"


# -- messages -----------------------------------------------------------------------------------
def _place(plan: ReminderPlan | FacilitatorPlan) -> int | None:
    return plan.meeting.venue_id or plan.group.channel_id


def reminder_dm(plan: ReminderPlan, lang: str = "en") -> tuple[str, discord.ui.View]:
    text = reminder_text(
        group=plan.group.name,
        meeting=plan.meeting.name,
        when=when_text(plan.starts_at),
        channel_id=_place(plan),
        facilitator_id=plan.facilitator_id,
        lang=lang,
    )
    return text, _view(MeetingButton("stop", plan.meeting.id, lang))


def facilitator_dm(plan: FacilitatorPlan, lang: str = "en") -> str:
    return facilitator_text(
        group=plan.group.name,
        meeting=plan.meeting.name,
        when=when_text(plan.starts_at),
        channel_id=_place(plan),
        prompt=plan.meeting.prompt,
        lang=lang,
    )


#: what Kindred found of a facilitator who can't take their turn, as the moderators read it
GONE_REASONS = {
    "role": "they no longer hold the peer role",
    "left": "they are no longer in the server",
    "unknown": "they can no longer facilitate (they left the server or no longer hold the peer "
    "role: Discord couldn't tell me which just now)",
}


def facilitator_gone_notice(plan: FacilitatorPlan, found: str = "role") -> str:
    """To the moderators, in place of the heads-up: whose turn it is can't take it, as Kindred
    found it (``found``: "role" without the peer role, "left" out of the server, "unknown"
    when Discord couldn't say which), so the meeting has no facilitator yet. English: a post
    in the moderators' channel."""
    group = plan.group.name
    return (
        f"**{group}**: {plan.meeting.name} {when_text(plan.starts_at)} has no facilitator yet. "
        f"It is <@{plan.facilitator_id}>'s turn, but {GONE_REASONS[found]}, so I "
        f"didn't send them the facilitator's reminder. `/group facilitator remove {group}` "
        "takes them out of the rotation, and the turn goes to the next peer supporter in it "
        f"(`/group facilitator list {group}` shows who)."
    )


def open_refused_notice(plan: OpenPlan) -> str:
    """To the moderators when Discord refused the opening post: the meeting runs all the
    same, without its post and "I'm here" button this time."""
    group = plan.group.name
    return (
        f"**{group}**: {plan.meeting.name} has started, but Discord refused my post in "
        f"<#{plan.group.channel_id}>, so members didn't get its check-in prompt and “I'm here” "
        "button this time. The meeting runs all the same. Please check I have View Channel, "
        "Send Messages and Embed Links there, so the next one is posted as usual."
    )


def open_failed_notice(plan: OpenPlan) -> str:
    """To the moderators when Discord kept failing the opening post (5xx, 429) through every
    retry: the meeting runs all the same, without its post and "I'm here" button this time."""
    group = plan.group.name
    return (
        f"**{group}**: {plan.meeting.name} has started, but Discord kept failing my post in "
        f"<#{plan.group.channel_id}> (I tried several times), so members didn't get its "
        "check-in prompt and “I'm here” button this time. The meeting runs all the same; "
        "nothing needs fixing on your side unless it happens again."
    )


def open_post(plan: OpenPlan) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(
        title=f"{plan.group.name}: {plan.meeting.name} is starting"[:256],
        description=plan.prompt,
        colour=WARM,
    )
    embed.add_field(name="Facilitating", value=facilitated_by(plan.facilitator_id))
    embed.add_field(name="Where", value=where(plan.meeting, plan.group.channel_id))
    embed.add_field(name="Until", value=f"<t:{int(plan.ends_at.timestamp())}:t>")
    if plan.meeting.next_at:
        embed.add_field(name="Next time", value=when_text(plan.meeting.next_at), inline=False)
    counted = (
        "This group keeps who pressed it, for its facilitators; /forgetme removes it."
        if plan.named
        else "Only the number is kept, never names."
    )
    embed.set_footer(
        text=f"Press “I'm here” to be counted. {counted} What is shared here stays here."
    )
    view = _view(MeetingButton("here", plan.meeting.id), MeetingButton("remind", plan.meeting.id))
    return embed, view


def close_text(plan: ClosePlan) -> str:
    count = plan.attendance
    people = f"{count} {'person' if count == 1 else 'people'} said they were here"
    text = f"**{plan.meeting.name}** has ended: thank you for being here ({people})."
    if plan.archived:
        return text + " The group is archived, so its meetings pause until it is back."
    if plan.locking:
        text += " The channel is quiet until the next meeting."
    if plan.meeting.next_at:
        text += f" Next time: {when_text(plan.meeting.next_at)}."
    return text


def swap_request(request: SwapRequest, lang: str = "en") -> tuple[str, discord.ui.View]:
    """The DM to the facilitator asked, in their language, with Accept / Decline."""

    def turn(moment) -> str | None:
        return when_text(moment) if moment else None

    text = swap_request_text(
        request.swap.from_id,
        request.group.name,
        turn(request.from_when),
        turn(request.to_when),
        lang,
    )
    swap_id = request.swap.id
    return text, _view(SwapButton(swap_id, "yes", lang), SwapButton(swap_id, "no", lang))


def meeting_line(
    meeting: MeetingRow, group_name: str, facilitator: int | None, lang: str = "en"
) -> str:
    """A meeting in a private list or summary, in the reader's language: each part of the
    line (its schedule, the next date, who facilitates, the reminders) a whole marked text."""
    length = timedelta(minutes=meeting.duration_minutes)
    hours, minutes = divmod(int(length.total_seconds() // 60), 60)
    span = f"{hours} h {minutes:02d}" if hours and minutes else f"{hours} h" if hours else (
        f"{minutes} min"
    )  # fmt: skip
    if meeting.next_at:
        nxt = render(lang, N_("next {when}"), when=when_text(meeting.next_at))
    else:
        nxt = render(lang, N_("next no more dates"))
    state = " · " + render(lang, N_("**open now**")) if meeting.is_open else ""
    venue = (
        " · " + render(lang, N_("in {channel}"), channel=f"<#{meeting.venue_id}>")
        if meeting.venue_id
        else ""
    )
    if facilitator:
        who = render(lang, N_("facilitating {who}"), who=f"<@{facilitator}>")
    else:
        who = render(lang, N_("facilitating the group's peer supporters"))
    if meeting.reminders:
        lengths = reminder_lengths(meeting.reminders)
        reminders = render(lang, N_("reminders {lengths} before"), lengths=lengths)
    else:
        reminders = render(lang, N_("reminders no reminders"))
    return (
        f"`#{meeting.id}` **{group_name}: {meeting.name}**{state}\n"
        f"{when_of(meeting).describe(lang)}, {span}{venue} · {nxt} · {who} · {reminders}"
    )


def occurrence_summary(occurrence: Occurrence) -> str:
    return f"{occurrence.group.name}: {occurrence.meeting.name} {when_text(occurrence.starts_at)}"
