"""What the safety feature posts in the peer and moderator channels: alerts, possible-concern
items and reports, in English (channel posts have no per-server language). Each says truthfully
whether Kindred is messaging the member, from the decision's ``outreach``.
"""

from __future__ import annotations

import re

import discord

from bot.safety import Label
from bot.services.safety import AlertRefusal, Outreach, PeerAlert, QuietItem
from bot.text import DISCORD_LIMIT, pings_and_text

TIER_TEXT = {1: "1 (passive thoughts)", 2: "2 (active thoughts or intent)", 3: "3 (imminent)"}
#: An alert leaves this much of its message free for the line a peer's press adds
#: ("✅ @peer is reaching out."), so that line is never cut off.
MARK_ROOM = 300


#: What a peer alert says of Kindred's own private message to the member, by the decision's
#: ``outreach`` (channel posts stay English); "dms_closed" replaces "reply" on the card once
#: the DM is refused.
ALERT_OUTREACH: dict[Outreach, str] = {
    "reply": "Kindred is reaching out to them privately with support lines.",
    "opted_out": (
        "Kindred is not messaging them: they opted out of its automatic messages, so a "
        "person reaching out matters all the more."
    ),
    "earlier": "Kindred sent them support lines privately a short while ago.",
    "dms_closed": (
        "Kindred couldn't reach them privately: their DMs are closed, so a person reaching "
        "out matters all the more."
    ),
    "unknown": (
        "Kindred tried to reach them privately with support lines and can't tell whether it "
        "got through, so a person reaching out matters all the more."
    ),
}
#: The same for the moderators' tier-3 report (the sentence after where the signal was).
MODERATOR_OUTREACH: dict[Outreach, str] = {
    "reply": "On-duty peers are alerted and Kindred is reaching out to the member privately.",
    "opted_out": (
        "On-duty peers are alerted. Kindred is not messaging the member: they opted out of "
        "its automatic messages."
    ),
    "earlier": (
        "On-duty peers are alerted. Kindred sent the member support lines privately a short "
        "while ago."
    ),
    "dms_closed": (
        "On-duty peers are alerted. Kindred couldn't reach the member privately: their DMs "
        "are closed."
    ),
    "unknown": (
        "On-duty peers are alerted. Kindred tried to reach the member privately and can't "
        "tell whether it got through."
    ),
}
#: The same for the moderators when the peers' channel never took the alert.
UNDELIVERABLE_OUTREACH: dict[Outreach, str] = {
    "reply": (
        "Kindred is trying to reach the member privately; please make sure a peer reaches out."
    ),
    "opted_out": (
        "Kindred is not messaging the member (they opted out of its automatic messages); "
        "please make sure a peer reaches out."
    ),
    "earlier": (
        "The member was sent support lines privately a short while ago; please make sure a "
        "peer reaches out."
    ),
    "dms_closed": (
        "Kindred couldn't reach the member privately (their DMs are closed); please make "
        "sure a peer reaches out."
    ),
    "unknown": (
        "Kindred tried to reach the member privately and can't tell whether it got through; "
        "please make sure a peer reaches out."
    ),
}
#: What a possible-concern item says of the gentle check-in ("earlier" also stands for a
#: check-in the server turned off: Kindred did not message them this time).
QUIET_OUTREACH: dict[Outreach, str] = {
    "reply": "Kindred sent them a gentle private check-in.",
    "opted_out": "Kindred is not messaging them: they opted out of its automatic messages.",
    "earlier": "Kindred did not message them about this one.",
    "dms_closed": "Kindred couldn't send them a private check-in: their DMs are closed.",
    "unknown": (
        "Kindred tried to send them a gentle private check-in; it can't tell whether it arrived."
    ),
}
#: What the moderators' copy of a possible-concern item says of the check-in.
QUIET_UNDELIVERABLE_OUTREACH: dict[Outreach, str] = {
    "reply": "They were sent a gentle private check-in; a peer or moderator may want to look in.",
    "opted_out": (
        "Kindred is not messaging them (they opted out of its automatic messages); a peer "
        "or moderator may want to look in."
    ),
    "earlier": (
        "Kindred did not message them about this one; a peer or moderator may want to look in."
    ),
    "dms_closed": (
        "Kindred couldn't send them a private check-in (their DMs are closed); a peer or "
        "moderator may want to look in."
    ),
    "unknown": (
        "Kindred tried to send them a gentle private check-in (it can't tell whether it "
        "arrived); a peer or moderator may want to look in."
    ),
}
#: The same for an anonymous group post's alert (cogs/safety/anonymous.py): its author.
ANONYMOUS_OUTREACH: dict[Outreach, str] = {
    "reply": "Kindred has reached out to its author privately.",
    "opted_out": (
        "Kindred is not messaging its author: they opted out of its automatic messages, so a "
        "person answering matters all the more."
    ),
    "earlier": "Kindred sent its author support lines privately a short while ago.",
    "dms_closed": "Kindred couldn't reach its author privately: their DMs are closed.",
    "unknown": "Kindred tried to reach its author privately and can't tell whether it got through.",
}


_OUTREACH_TABLES = (
    ALERT_OUTREACH,
    MODERATOR_OUTREACH,
    UNDELIVERABLE_OUTREACH,
    QUIET_OUTREACH,
    QUIET_UNDELIVERABLE_OUTREACH,
    ANONYMOUS_OUTREACH,
)
#: Where the card says the member was messaged, what it says once their DMs turn out closed.
DMS_CLOSED_EDITS = [(table["reply"], table["dms_closed"]) for table in _OUTREACH_TABLES]


def outreach_now_text(content: str, outreach: Outreach) -> str:
    """A posted alert, item or report that said Kindred was messaging the member, once the
    private reply's outcome is known not to be that: the sentence says what is true
    (``dms_closed``, ``opted_out`` meanwhile, or ``unknown`` after Discord failed every try;
    the rest, and a peer's line, kept)."""
    for table in _OUTREACH_TABLES:
        content = content.replace(table["reply"], table[outreach])
    return content


def dms_closed_text(content: str) -> str:
    """A posted alert, item or report whose member's DMs turned out closed: the sentence that
    said Kindred was messaging them says it couldn't (the rest, and a peer's line, kept)."""
    return outreach_now_text(content, "dms_closed")


def alert_text(alert: PeerAlert, on_duty: list[int]) -> list[str]:
    """The alert whole (its button line has room, MARK_ROOM) under the pings; pings that do
    not fit in its message follow in messages of their own, so none is lost with many peers
    on duty, and the alert's words are never cut. It says truthfully whether Kindred is
    messaging the member (``alert.outreach``)."""
    text = (
        f"A member may need support: <@{alert.member_id}> in "
        f"<#{alert.channel_id}> ([jump]({alert.jump_url})). "
        f"Tier {TIER_TEXT.get(alert.tier, '?')}. " + ALERT_OUTREACH[alert.outreach]
    )
    if alert.copy:
        text += "\n> " + alert.copy
    return pings_and_text([f"<@{p}>" for p in on_duty], text, DISCORD_LIMIT - MARK_ROOM)


#: The line that replaces "✅ @peer is reaching out." on an alert offered again.
REOPENED_LINE = "↩️ The peer who was reaching out can't continue, so this alert is open again."


_PINGS_ONLY = re.compile(r"^(?:<@[!&]?\d+>\s*)+$")


def reopened_card(content: str) -> str:
    """The alert's words without the line of the peer who took it, and the reopened line
    (once, however often it is reopened). The pings it was posted with go too: the new
    pings are in their own message, and a peer who asked to be forgotten (or is no longer
    one) is not left named on it."""
    lines = content.split("\n")
    while lines and _PINGS_ONLY.match(lines[0]):
        lines.pop(0)
    while lines and (lines[-1].startswith("✅ ") or lines[-1] == REOPENED_LINE):
        lines.pop()
    return "\n".join([*lines, REOPENED_LINE])


def reopened_ping(pings: list[int], card_url: str | None) -> str:
    """What the on-duty peers read under their pings (nothing about the member: the card has
    it); ``card_url`` None: this message carries the buttons itself."""
    where = f"([jump]({card_url}))" if card_url else "(press below if you will)"
    return (
        " ".join(f"<@{p}>" for p in pings)
        + ("\n" if pings else "")
        + f"A crisis alert needs a peer again {where}: the peer who was reaching out can't "
        "continue. Could someone on duty reach out?"
    )


def refused_channel_text(channel_id: int, refusal: AlertRefusal) -> str:
    """For the moderators: a channel refuses crisis alerts, where they go meanwhile, the fix."""
    which = "the peer alert channel" if refusal.chosen else "the peer channel"
    setting = (
        "`/safety settings peer_alert_channel:`"
        if refusal.chosen
        else "`/peers setup peer_role: peer_channel:` (with the peer role you use now)"
    )
    meanwhile = (
        f"Until then they go to the peer channel <#{refusal.fallback_channel_id}>."
        if refusal.fallback_channel_id is not None
        else "Until then they can't reach the peers, so they come here."
    )
    return (
        f"⚠️ Discord refuses Kindred's crisis alerts and possible-concern items in "
        f"<#{channel_id}> ({which}): Kindred "
        "lacks a permission there, or the channel is gone. Fix: Edit Channel → Permissions → "
        f"allow Kindred View Channel, Send Messages and Embed Links, or choose another channel "
        f"with {setting}. {meanwhile}"
    )


def refused_moderator_channel_text(channel_id: int, refusal: AlertRefusal) -> str:
    """For the moderators, in the moderator channel from /peers setup: the moderator alert
    channel refuses their reports, they come here meanwhile, the fix."""
    return (
        f"⚠️ Discord refuses Kindred's moderator reports in <#{channel_id}> (the moderator "
        "alert channel): Kindred lacks a permission there, or the channel is gone. Fix: Edit "
        "Channel → Permissions → allow Kindred View Channel and Send Messages, or choose "
        "another channel with `/safety settings moderator_alert_channel:`. Until then they "
        f"come here, to the moderator channel <#{refusal.fallback_channel_id}>."
    )


def undeliverable_text(alert: PeerAlert) -> str:
    return (
        f"⚠️ Kindred could not deliver a crisis alert to the peer channel: "
        f"<@{alert.member_id}> in <#{alert.channel_id}> "
        f"([jump]({alert.jump_url})), tier {alert.tier}. " + UNDELIVERABLE_OUTREACH[alert.outreach]
    )


def quiet_item_text(item: QuietItem) -> str:
    """A "possible concern" item for peers (the member named, never their words)."""
    return (
        f"Possible concern (Kindred isn't sure): <@{item.member_id}> in "
        f"<#{item.channel_id}> ([jump]({item.jump_url})). {QUIET_OUTREACH[item.outreach]} "
        "A peer on duty can reach out, or mark it not a concern."
    )


def quiet_undeliverable_text(item: QuietItem) -> str:
    """For the moderators, when no peer channel takes a possible-concern item."""
    return (
        f"⚠️ Kindred could not post a possible-concern item (Kindred isn't sure) to the peer "
        f"channel: <@{item.member_id}> in <#{item.channel_id}> "
        f"([jump]({item.jump_url})). {QUIET_UNDELIVERABLE_OUTREACH[item.outreach]} The item is "
        "kept: reach out or mark it not a concern with the buttons below."
    )


def moderator_text(
    message: discord.Message,
    label: Label,
    outreach: Outreach = "reply",
    *,
    tier: int = 3,
    nobody_on_duty: bool = False,
) -> str:
    """The moderators' report: harassment, a tier-3 crisis signal, or a crisis signal of any
    tier that no one on duty can act on (the peers' alert pings no one: nobody is on duty, or
    only the member themself)."""
    where = f"<#{message.channel.id}> ([jump]({message.jump_url}))"
    if label is Label.HARASSMENT:
        return (
            f'Possible harassment ("kys"-type) by <@{message.author.id}> in {where}. '
            "Nothing was done automatically."
        )
    if nobody_on_duty:
        return (
            f"Tier {TIER_TEXT.get(tier, '?')} crisis signal from <@{message.author.id}> in "
            f"{where}, and no one on duty can reach out: the peers' alert pings no one. "
            + UNDELIVERABLE_OUTREACH[outreach]
        )
    return (
        f"Tier 3 crisis signal from <@{message.author.id}> in {where}. "
        + MODERATOR_OUTREACH[outreach]
    )
