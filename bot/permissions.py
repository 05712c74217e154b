"""The Discord permissions Kindred asks for, in one list: the invite link's integer, the README's
table and ``/kindred setup``'s checks all come from here.

Bits are Discord's own (https://discord.com/developers/docs/topics/permissions); a unit test
checks them against discord.py's names, so this module needs no discord import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag


class Perm(IntFlag):
    """The permission bits Kindred uses or checks, with Discord's values."""

    MANAGE_CHANNELS = 1 << 4
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MANAGE_ROLES = 1 << 28
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ADMINISTRATOR = 1 << 3


#: The names Discord shows in Server Settings → Roles and in channel permissions.
LABELS: dict[Perm, str] = {
    Perm.MANAGE_CHANNELS: "Manage Channels",
    Perm.ADD_REACTIONS: "Add Reactions",
    Perm.VIEW_CHANNEL: "View Channel",
    Perm.SEND_MESSAGES: "Send Messages",
    Perm.MANAGE_MESSAGES: "Manage Messages",
    Perm.EMBED_LINKS: "Embed Links",
    Perm.ATTACH_FILES: "Attach Files",
    Perm.READ_MESSAGE_HISTORY: "Read Message History",
    Perm.MANAGE_ROLES: "Manage Roles",
    Perm.MANAGE_THREADS: "Manage Threads",
    Perm.CREATE_PUBLIC_THREADS: "Create Public Threads",
    Perm.CREATE_PRIVATE_THREADS: "Create Private Threads",
    Perm.SEND_MESSAGES_IN_THREADS: "Send Messages in Threads",
    Perm.ADMINISTRATOR: "Administrator",
}


@dataclass(frozen=True)
class Asked:
    perm: Perm
    why: str


#: Everything the invite link asks for, and why (the README's table says the same). Not
#: Manage Messages: Kindred deletes only its own messages (the brief crisis pointer, panel
#: pages, its relay copies), which Discord allows without it, and never pins.
INVITE: tuple[Asked, ...] = (
    Asked(Perm.VIEW_CHANNEL, "see the channels it works in"),
    Asked(Perm.SEND_MESSAGES, "answer commands, post check-ins, request cards and alerts"),
    Asked(Perm.EMBED_LINKS, "cards, check-ins and alerts are embeds"),
    Asked(Perm.READ_MESSAGE_HISTORY, "jump links and editing its own cards"),
    Asked(Perm.SEND_MESSAGES_IN_THREADS, "write in support conversations and check-in threads"),
    Asked(Perm.CREATE_PRIVATE_THREADS, "private support conversations between member and peer"),
    Asked(Perm.CREATE_PUBLIC_THREADS, "a thread under each check-in post, when asked for"),
    Asked(Perm.MANAGE_THREADS, "add people to private threads, close and archive them"),
    Asked(Perm.ADD_REACTIONS, "optional acknowledgements"),
    Asked(Perm.ATTACH_FILES, "a member's own wellness plan as a file (/plan export), to them"),
    Asked(Perm.MANAGE_CHANNELS, "create support-group channels, their privacy and slowmode"),
    Asked(Perm.MANAGE_ROLES, "give and take support-group roles (only roles below its own)"),
)


def invite_permissions() -> int:
    """The ``permissions=`` integer of the invite link."""
    value = 0
    for asked in INVITE:
        value |= asked.perm
    return int(value)


def invite_url(client_id: int | str = "YOUR_APPLICATION_ID") -> str:
    return (
        f"https://discord.com/oauth2/authorize?client_id={client_id}"
        f"&scope=bot+applications.commands&permissions={invite_permissions()}"
    )


def names(bits: int) -> list[str]:
    """The Discord names of the Kindred permissions set in ``bits``, in a stable order."""
    return [label for p, label in LABELS.items() if p is not Perm.ADMINISTRATOR and bits & p]


def missing(have: int, need: int) -> list[str]:
    """Names of what ``need`` asks for and ``have`` lacks (Administrator has everything)."""
    if have & Perm.ADMINISTRATOR:
        return []
    return names(need & ~have)
