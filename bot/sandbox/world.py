"""The servers the sandbox builds in the emulator.

``build_world`` is the small server the end-to-end tests use (``tests/e2e/conftest.py``);
``build_demo`` is the demo community ``make sandbox`` opens: the channels and roles a community
would have, a moderator, two peer supporters and three members in different time zones, and
``DEMO_SETUP``, the console lines that set Kindred up there the way a moderator would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emulator import DiscordEmulator, Overwrite
from emulator.models import Channel, Guild, Role, User
from emulator.permissions import P


@dataclass
class World:
    guild: Guild
    moderator_role: Role
    peer_role: Role
    general: Channel
    peers: Channel
    mods: Channel
    support: Channel
    member: User
    member2: User
    peer: User
    peer2: User
    mod: User


def _private_to(guild: Guild, *roles: Role) -> list[Overwrite]:
    """Hidden from @everyone, visible to ``roles`` and (as when a moderator invites Kindred)
    to the bot's own role."""
    assert guild.bot_role_id is not None
    hidden = Overwrite(id=guild.id, type=0, allow=0, deny=int(P.VIEW_CHANNEL))
    allowed = [role.id for role in roles] + [guild.bot_role_id]
    return [hidden, *(Overwrite(id=i, type=0, allow=int(P.VIEW_CHANNEL), deny=0) for i in allowed)]


def build_world(emu: DiscordEmulator) -> World:
    guild = emu.create_guild("Haven")
    moderator_role = emu.create_role(guild, "Moderators", permissions=int(P.MANAGE_GUILD))
    peer_role = emu.create_role(guild, "Peer supporters")
    world = World(
        guild=guild,
        moderator_role=moderator_role,
        peer_role=peer_role,
        general=emu.create_channel(guild, "general"),
        peers=emu.create_channel(guild, "peer-room", overwrites=_private_to(guild, peer_role)),
        mods=emu.create_channel(guild, "mod-room", overwrites=_private_to(guild, moderator_role)),
        support=emu.create_channel(guild, "support"),
        member=emu.create_user("alice"),
        member2=emu.create_user("bo"),
        peer=emu.create_user("pat"),
        peer2=emu.create_user("quinn"),
        mod=emu.create_user("maya"),
    )
    emu.add_member(guild, world.member)
    emu.add_member(guild, world.member2)
    emu.add_member(guild, world.peer, roles=[peer_role])
    emu.add_member(guild, world.peer2, roles=[peer_role])
    emu.add_member(guild, world.mod, roles=[moderator_role])
    return world


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # "moderator", "peer" or "member"
    zone: str  # IANA time zone: where they live


# Who lives in the demo community, and where.
DEMO_PEOPLE = (
    Person("maya", "moderator", "Europe/London"),
    Person("pat", "peer", "America/New_York"),
    Person("quinn", "peer", "Asia/Kolkata"),
    Person("alice", "member", "Europe/Berlin"),
    Person("bo", "member", "Australia/Sydney"),
    Person("sam", "member", "America/Los_Angeles"),
)

# What a moderator runs once Kindred is invited (the console's own language).
DEMO_SETUP = (
    "as maya in #moderators /peers setup peer_role=@peer-supporter peer_channel=#peers "
    "moderator_channel=#moderators thread_channel=#support",
    "as maya in #moderators /kindred set timezone timezone=Europe/London",
)


@dataclass
class DemoWorld:
    guild: Guild
    roles: dict[str, Role]
    channels: dict[str, Channel]
    people: dict[str, User] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)
    """user id → IANA zone"""


def build_demo(emu: DiscordEmulator) -> DemoWorld:
    """The demo community: see the module docstring."""
    guild = emu.create_guild("Kindred Demo")
    moderator = emu.create_role(guild, "Moderator", permissions=int(P.MANAGE_GUILD))
    peer = emu.create_role(guild, "Peer Supporter")
    channels = {
        "welcome": emu.create_channel(guild, "welcome", topic="Say hello; /support to talk"),
        "check-ins": emu.create_channel(guild, "check-ins", topic="Scheduled check-ins"),
        "support-group": emu.create_channel(guild, "support-group", topic="A support group"),
        # the private peer channel: peers, and the moderators who look after them
        "peers": emu.create_channel(guild, "peers", overwrites=_private_to(guild, peer, moderator)),
        "moderators": emu.create_channel(
            guild, "moderators", overwrites=_private_to(guild, moderator)
        ),
        "support": emu.create_channel(guild, "support", topic="Private support threads"),
    }
    world = DemoWorld(guild, {"moderator": moderator, "peer": peer}, channels)
    for person in DEMO_PEOPLE:
        user = emu.create_user(person.name)
        roles = [world.roles[person.role]] if person.role in world.roles else []
        emu.add_member(guild, user, roles=roles)
        world.people[person.name] = user
        world.zones[user.id] = person.zone
    return world
