"""What each feature uses, read from its own settings: peer support (``PeerSettings``), crisis
alerts (``SafetySettings``), check-ins (their rows), and the server's region and time zone
(``CoreSettings``). A new feature adds a function like these and registers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.i18n import N_
from bot.permissions import Perm
from bot.services.checkins import CheckinRow, CheckinService
from bot.services.doctor.model import (
    Audience,
    Exposure,
    Finding,
    Needs,
    Place,
    RoleUse,
    Text,
    Watch,
)
from bot.services.groups import GroupRow, GroupService
from bot.services.peers import PeerSettings
from bot.services.resources import ResourceEntry, default_directory
from bot.services.safety import SafetyService, SafetySettings
from bot.services.settings import CoreSettings, GuildSettingsService

POST = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.EMBED_LINKS
CARDS = POST | Perm.READ_MESSAGE_HISTORY
PRIVATE_THREADS = (
    Perm.VIEW_CHANNEL
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.MANAGE_THREADS
)
PUBLIC_THREADS = Perm.CREATE_PUBLIC_THREADS | Perm.SEND_MESSAGES_IN_THREADS

#: ``/peers setup`` requires the peer role and channel every time: each suggestion names them
PEER_SETUP = "`/peers setup peer_role: peer_channel:`"
MODERATOR_CHANNEL_SETUP = "`/peers setup peer_role: peer_channel: moderator_channel:`"
THREAD_CHANNEL_SETUP = "`/peers setup peer_role: peer_channel: thread_channel:`"


def peer_needs(guild_id: int, cfg: PeerSettings) -> Needs:
    """The peer channel (cards; relay threads), the moderator channel, and the channel where
    private conversations are created, which members must be able to see."""
    if not cfg.configured:
        return Needs(
            findings=(
                Finding(
                    Text(N_("Peer support isn't set up, so `/support` requests reach nobody.")),
                    Text(
                        N_("{setup} (add `moderator_channel:` and `thread_channel:` too)."),
                        setup=PEER_SETUP,
                    ),
                ),
            )
        )
    assert cfg.peer_role_id is not None and cfg.peer_channel_id is not None
    peers = Audience(
        cfg.peer_role_id,
        N_(
            "Peer supporters ({role}) can't see {channel}, but request cards and alerts are "
            "posted there."
        ),
    )
    places = [
        Place(
            cfg.peer_channel_id,
            Text(N_("the peer channel")),
            PEER_SETUP,
            int(CARDS | PRIVATE_THREADS),
            (peers,),
        )
    ]
    if cfg.conversation == "thread":
        places.append(_thread_parent(guild_id, cfg))
    findings = []
    if cfg.mod_channel_id is not None:
        places.append(
            Place(
                cfg.mod_channel_id,
                Text(N_("the moderator channel")),
                MODERATOR_CHANNEL_SETUP,
                int(POST),
            )
        )
    else:
        findings.append(NO_MODERATOR_CHANNEL)
    roles = (
        RoleUse(
            cfg.peer_role_id,
            Text(N_("the peer role")),
            PEER_SETUP,
            only_for="peer",
        ),
    )
    return Needs(tuple(places), roles, tuple(findings))


NO_MODERATOR_CHANNEL = Finding(
    Text(
        N_(
            "There is no moderator channel: Kindred can't tell moderators when something fails "
            "(a card it couldn't post, a paused check-in, an urgent alert)."
        )
    ),
    Text(
        N_(
            "`/peers setup peer_role: peer_channel: moderator_channel:` with a channel only "
            "moderators can see (and the peer role and channel you use now)."
        )
    ),
)


def _thread_parent(guild_id: int, cfg: PeerSettings) -> Place:
    parent = cfg.thread_channel_id or cfg.peer_channel_id
    assert parent is not None
    members = Audience(
        guild_id,
        N_(
            "Members ({role}) can't see {channel}, but their private support threads are "
            "created there (until they can, Kindred uses the DM relay instead)."
        ),
        fix=Text(
            N_(
                "Choose a channel members can see with `/peers setup peer_role: peer_channel: "
                "thread_channel:` (and the peer role and channel you use now); only the member "
                "and their peer are added to each private thread."
            )
        ),
    )
    setting = THREAD_CHANNEL_SETUP
    purpose = Text(
        N_("the thread channel") if cfg.thread_channel_id else N_("the peer channel (threads)")
    )
    return Place(parent, purpose, setting, int(PRIVATE_THREADS), (members,))


def safety_needs(cfg: SafetySettings, peers: PeerSettings, guild_id: int | None = None) -> Needs:
    """Alert channels of their own, when set (otherwise the peer and moderator channels,
    already checked above), which members must not be able to read (an alert names the member
    and links to their message); every channel members can read and Kindred can't, unless
    excluded; ``@everyone`` excluded from crisis replies (``/safety exclude`` refuses it now;
    one stored before is a finding)."""
    if not cfg.enabled:
        return Needs()
    findings = (EVERYONE_EXCLUDED,) if guild_id in cfg.excluded_role_ids else ()
    watches = (Watch(frozenset(cfg.excluded_channel_ids)),)
    places = [_peer_alert_place(cfg, peers, guild_id), _moderator_alert_place(cfg, peers, guild_id)]
    return Needs(
        places=tuple(p for p in places if p is not None), findings=findings, watches=watches
    )


def _peer_alert_place(
    cfg: SafetySettings, peers: PeerSettings, guild_id: int | None
) -> Place | None:
    """The peer alert channel, or the peer channel when alerts go there (its permissions are
    checked by peer support): peers must see it, members must not."""
    exposed = () if guild_id is None else (Exposure(guild_id, PEER_ALERTS_SEEN, PEER_ALERTS_FIX),)
    if cfg.peer_alert_channel_id and cfg.peer_alert_channel_id != peers.peer_channel_id:
        seen_by = ()
        if peers.peer_role_id is not None:
            seen_by = (
                Audience(
                    peers.peer_role_id,
                    N_("Peer supporters ({role}) can't see {channel}, but crisis alerts go there."),
                ),
            )
        return Place(
            cfg.peer_alert_channel_id,
            Text(N_("the peer alert channel")),
            "`/safety settings peer_alert_channel:`",
            int(POST),
            seen_by,
            exposed,
        )
    if peers.peer_channel_id is None:
        return None
    purpose = Text(N_("the peer channel"))
    return Place(peers.peer_channel_id, purpose, PEER_SETUP, 0, private_from=exposed)


def _moderator_alert_place(
    cfg: SafetySettings, peers: PeerSettings, guild_id: int | None
) -> Place | None:
    """The moderator alert channel, or the moderator channel when alerts go there: members
    must not see it."""
    exposed = ()
    if guild_id is not None:
        exposed = (Exposure(guild_id, MODERATOR_ALERTS_SEEN, MODERATOR_ALERTS_FIX),)
    if cfg.mod_alert_channel_id and cfg.mod_alert_channel_id != peers.mod_channel_id:
        return Place(
            cfg.mod_alert_channel_id,
            Text(N_("the moderator alert channel")),
            "`/safety settings moderator_alert_channel:`",
            int(POST),
            private_from=exposed,
        )
    if peers.mod_channel_id is None:
        return None
    purpose = Text(N_("the moderator channel"))
    return Place(peers.mod_channel_id, purpose, MODERATOR_CHANNEL_SETUP, 0, private_from=exposed)


#: A channel that gets crisis alerts and that every member can read.
PEER_ALERTS_SEEN = N_(
    "Members ({role}) can read {channel}, where crisis alerts for peers are posted: each names "
    "the member and links to their message."
)
PEER_ALERTS_FIX = N_(
    "Make {channel} private (Edit Channel → Permissions → {role} → deny View Channel, then "
    "allow it for your peer supporters), or choose another channel with "
    "`/safety settings peer_alert_channel:`."
)
MODERATOR_ALERTS_SEEN = N_(
    "Members ({role}) can read {channel}, where urgent crisis alerts for moderators are posted: "
    "each names the member and links to their message."
)
MODERATOR_ALERTS_FIX = N_(
    "Make {channel} private (Edit Channel → Permissions → {role} → deny View Channel, then "
    "allow it for your moderators), or choose another channel with "
    "`/safety settings moderator_alert_channel:`."
)


EVERYONE_EXCLUDED = Finding(
    Text(
        N_(
            "`@everyone` is excluded from crisis replies, so no member gets Kindred's private "
            "replies to crisis language."
        )
    ),
    Text(
        N_(
            "`/safety exclude role:@everyone remove:True`; to turn crisis replies off, "
            "`/safety settings enabled:False` does it openly."
        )
    ),
)


def checkin_needs(rows: list[CheckinRow]) -> Needs:
    """Each running check-in's channel: posting, and threads when the check-in opens one."""
    places = tuple(
        Place(
            row.channel_id,
            Text(N_("check-in #{id} “{title}”"), id=row.id, title=row.title),
            f"`/checkin edit checkin:{row.id} channel:`",
            int(POST | PUBLIC_THREADS) if row.use_thread else int(POST),
        )
        for row in rows
        if not row.paused
    )
    return Needs(places=places)


def core_needs(cfg: CoreSettings, peers: PeerSettings, local: list[ResourceEntry]) -> Needs:
    """The moderator role exists; the region gives local crisis lines; the time zones agree."""
    roles: tuple[RoleUse, ...] = ()
    if cfg.moderator_role_id is not None:
        roles = (
            RoleUse(
                cfg.moderator_role_id,
                Text(N_("the moderator role")),
                "`/kindred set moderator-role role:`",
                only_for="moderator",
            ),
        )
    return Needs(roles=roles, findings=tuple(_region(cfg, local) + _zones(cfg, peers)))


def _region(cfg: CoreSettings, local: list[ResourceEntry]) -> list[Finding]:
    if cfg.default_region is None:
        return [
            Finding(
                Text(
                    N_(
                        "No default region: members who haven't chosen theirs get only the "
                        "international directory of crisis lines, not local ones."
                    )
                ),
                Text(
                    N_(
                        "`/kindred set region region:` with your community's country, e.g. `US`, "
                        "`GB`, `CA`, `AU`, or a state such as `US-NY` (members can still choose "
                        "their own with `/region set region:`)."
                    )
                ),
            )
        ]
    if not default_directory().crisis_lines(cfg.default_region, extra=local):
        return [
            Finding(
                Text(
                    N_(
                        "Kindred ships no crisis line for {region}, and none has been added here, "
                        "so members there get only the international directory."
                    ),
                    region=cfg.default_region,
                ),
                Text(
                    N_(
                        "`/safety resources add name: kind: contact:` with a line you trust for "
                        "your region."
                    )
                ),
            )
        ]
    return []


def _zones(cfg: CoreSettings, peers: PeerSettings) -> list[Finding]:
    found = []
    if cfg.timezone == "UTC":
        found.append(
            Finding(
                Text(
                    N_(
                        "The server's time zone is UTC (the default); Kindred uses it for "
                        "members who haven't set their own."
                    )
                ),
                Text(
                    N_(
                        "If most members live elsewhere: `/kindred set timezone timezone:`, e.g. "
                        "`Europe/London` or `America/Chicago`."
                    )
                ),
                "note",
            )
        )
    if peers.office_hours and peers.office_tz != cfg.timezone:
        found.append(
            Finding(
                Text(
                    N_(
                        "Office hours ({hours}) are read in {office_zone}, but the server's time "
                        "zone is {zone}."
                    ),
                    hours=peers.office_hours,
                    office_zone=peers.office_tz,
                    zone=cfg.timezone,
                ),
                Text(
                    N_(
                        "If that's not intended: `/peers setup peer_role: peer_channel: "
                        "office_timezone:{zone}` (with the peer role and channel you use now)."
                    ),
                    zone=cfg.timezone,
                ),
                "note",
            )
        )
    return found


GROUP_CHANNEL = POST | Perm.READ_MESSAGE_HISTORY | Perm.MANAGE_CHANNELS | Perm.MANAGE_ROLES


def group_needs(
    groups: list[GroupRow], peer_role_id: int | None = None, moderator_role_id: int | None = None
) -> Needs:
    """Each active group's channel (Kindred posts there and keeps its overwrites and slowmode:
    Manage Channels, and Manage Roles for the overwrites) and its role, which Kindred gives
    and takes, so it must sit below Kindred's own role. A private group's channel is open to
    the peer role (facilitators) and the moderator role."""
    places, roles = [], []
    for group in groups:
        fix = f"`/group repair name:{group.name}`"
        if group.channel_id is not None:
            seen_by = _group_audiences(group, peer_role_id, moderator_role_id)
            places.append(
                Place(
                    group.channel_id,
                    Text(N_("the {name} group's channel"), name=group.name),
                    fix,
                    int(GROUP_CHANNEL),
                    seen_by,
                )
            )
        if group.role_id is not None:
            purpose = Text(N_("the {name} group's role"), name=group.name)
            roles.append(RoleUse(group.role_id, purpose, fix, True))
    return Needs(places=tuple(places), roles=tuple(roles))


def _group_audiences(
    group: GroupRow, peer_role_id: int | None, moderator_role_id: int | None
) -> tuple[Audience, ...]:
    if not group.private:
        return ()
    again = N_("`/group repair name:{name}` sets the channel's permissions again.")
    repair = Text(again, name=group.name)
    out = []
    if peer_role_id is not None:
        peers = N_("Peer supporters ({role}) can't see {channel}, but they facilitate the group.")
        out.append(Audience(peer_role_id, peers, repair))
    if moderator_role_id is not None and moderator_role_id != peer_role_id:
        out.append(
            Audience(
                moderator_role_id,
                N_(
                    "Moderators ({role}) can't see {channel}, but private groups are open to "
                    "moderators."
                ),
                repair,
            )
        )
    return tuple(out)


class _Sources:
    """The built-in features' needs, read per check from their settings."""

    def __init__(
        self,
        settings: GuildSettingsService,
        safety: SafetyService,
        checkins: CheckinService,
        groups: GroupService | None = None,
    ) -> None:
        self.settings = settings
        self.safety = safety
        self.checkins = checkins
        self.groups = groups

    async def server(self, guild_id: int) -> Needs:
        core = await self.settings.get(guild_id, CoreSettings)
        peers = await self.settings.get(guild_id, PeerSettings)
        return core_needs(core, peers, await self.safety.guild_resources(guild_id))

    async def peer_support(self, guild_id: int) -> Needs:
        return peer_needs(guild_id, await self.settings.get(guild_id, PeerSettings))

    async def crisis_alerts(self, guild_id: int) -> Needs:
        cfg = await self.settings.get(guild_id, SafetySettings)
        return safety_needs(cfg, await self.settings.get(guild_id, PeerSettings), guild_id)

    async def checkin_channels(self, guild_id: int) -> Needs:
        return checkin_needs(await self.checkins.for_guild(guild_id))

    async def support_groups(self, guild_id: int) -> Needs:
        assert self.groups is not None
        core = await self.settings.get(guild_id, CoreSettings)
        peers = await self.settings.get(guild_id, PeerSettings)
        return group_needs(
            await self.groups.for_guild(guild_id), peers.peer_role_id, core.moderator_role_id
        )


def register_builtin(
    register: Callable[[str, Callable[[int], Awaitable[Needs]]], None],
    settings: GuildSettingsService,
    safety: SafetyService,
    checkins: CheckinService,
    groups: GroupService | None = None,
) -> None:
    sources = _Sources(settings, safety, checkins, groups)
    register("server", sources.server)
    register("peer support", sources.peer_support)
    register("crisis alerts", sources.crisis_alerts)
    register("check-ins", sources.checkin_channels)
    if groups is not None:
        register("support groups", sources.support_groups)
