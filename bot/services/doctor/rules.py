"""The set-up check's rules: each compares what a feature needs with what Discord says, and
words a finding as the problem and the exact fix: whole sentences marked ``N_()`` (``Text``),
with the channel and role mentions, the purpose and Discord's permission names as values, so a
moderator reads them in their language."""

from __future__ import annotations

from bot.i18n import N_
from bot.permissions import INVITE, Perm, missing
from bot.services.doctor.model import (
    Audience,
    Checkup,
    Finding,
    GuildFacts,
    Listing,
    Needs,
    Place,
    RoleUse,
    Text,
)


def _channel(channel_id: int) -> str:
    return f"<#{channel_id}>"


def _role(role_id: int, guild_id: int) -> str:
    return "@everyone" if role_id == guild_id else f"<@&{role_id}>"


def _upper_first(text: str) -> str:
    """``str.capitalize`` would lower the rest (a group called “Grief” stays “Grief”)."""
    if isinstance(text, Text):
        return text.upper_first()
    return text[:1].upper() + text[1:]


def server_permissions(facts: GuildFacts) -> list[Finding]:
    """Kindred's role should hold everything the invite link asks for."""
    lacking = missing(facts.bot_permissions, sum(int(a.perm) for a in INVITE))
    if not lacking:
        return []
    values = {"role": facts.bot_role, "permissions": Listing(lacking)}
    return [
        Finding(
            Text(N_("Kindred's role **{role}** lacks {permissions} server-wide."), **values),
            Text(
                N_(
                    "Server Settings → Roles → **{role}**: turn on {permissions} (or invite "
                    "Kindred again with the link in the README)."
                ),
                **values,
            ),
        )
    ]


def place_findings(place: Place, facts: GuildFacts, *, alone: bool = False) -> list[Finding]:
    """One channel: it exists and is a text channel, Kindred has what it needs there (beyond
    what the server-wide finding already names; ``alone``: everything, as no server-wide
    finding comes with it), and its audiences can view it."""
    where = _channel(place.channel_id)
    seen = facts.channels.get(place.channel_id)
    if seen is None or not seen.exists or not seen.is_text:
        return [_unusable(place, where, gone=seen is None or not seen.exists)]
    found: list[Finding] = []
    server_lacks = set() if alone else set(missing(facts.bot_permissions, place.needs))
    lacking = [n for n in missing(seen.bot_permissions, place.needs) if n not in server_lacks]
    if lacking:
        found.append(_lacking(place, where, facts.bot_role, Listing(lacking)))
    for audience in place.seen_by:
        if audience.role_id not in seen.visible_to:
            who = _role(audience.role_id, facts.guild_id)
            found.append(
                Finding(
                    Text(audience.cannot_see, role=who, channel=where),
                    _visibility_fix(place, audience, who),
                )
            )
    for exposure in place.private_from:
        if exposure.role_id in seen.visible_to:
            who = _role(exposure.role_id, facts.guild_id)
            found.append(
                Finding(
                    Text(exposure.can_see, role=who, channel=where),
                    Text(exposure.fix, role=who, channel=where),
                )
            )
    return found


def unread_findings(needs: Needs, facts: GuildFacts) -> list[Finding]:
    """Channels members can read and Kindred can't: Discord sends a bot no message from a
    channel it can't view, so crisis language there goes unnoticed (unless excluded on
    purpose, the channel or its category)."""
    if not needs.watches:
        return []
    excluded: set[int] = set()
    for watch in needs.watches:
        excluded |= watch.excluded
    unread = [
        _channel(channel_id)
        for channel_id, category_id in facts.unread
        if channel_id not in excluded and category_id not in excluded
    ]
    if not unread:
        return []
    values = {"channels": Listing(unread), "role": facts.bot_role}
    return [
        Finding(
            Text(
                N_(
                    "Members (@everyone) can read {channels}, but Kindred can't, so crisis "
                    "language there goes unnoticed."
                ),
                **values,
            ),
            Text(
                N_(
                    "In each: Edit Channel → Permissions → add **{role}** → allow View Channel. "
                    "To keep Kindred out on purpose, `/safety exclude channel:` each one (or "
                    "its category)."
                ),
                **values,
            ),
        )
    ]


def _unusable(place: Place, where: str, gone: bool) -> Finding:
    """A channel that is gone (or hidden from Kindred), or not a text channel."""
    purpose = _upper_first(place.purpose)
    if gone:
        return Finding(
            Text(
                N_("{purpose} ({channel}) is gone, or Kindred can't see it."),
                purpose=purpose,
                channel=where,
            ),
            Text(
                N_(
                    "Choose another with {setting}, or give Kindred View Channel there "
                    "(Edit Channel → Permissions)."
                ),
                setting=place.setting,
            ),
        )
    return Finding(
        Text(N_("{purpose} ({channel}) is not a text channel."), purpose=purpose, channel=where),
        Text(N_("Choose a text channel with {setting}."), setting=place.setting),
    )


def _lacking(place: Place, where: str, bot_role: str, permissions: Listing) -> Finding:
    return Finding(
        Text(
            N_("In {channel} ({purpose}) Kindred lacks {permissions}."),
            channel=where,
            purpose=place.purpose,
            permissions=permissions,
        ),
        Text(
            N_("{channel}: Edit Channel → Permissions → add **{role}** → allow {permissions}."),
            channel=where,
            role=bot_role,
            permissions=permissions,
        ),
    )


def _visibility_fix(place: Place, audience: Audience, who: str) -> str:
    """Let them view it, unless the feature knows better (opening a private peer room to
    @everyone would be the wrong fix for a hidden thread parent)."""
    if audience.fix:
        return audience.fix
    return Text(
        N_("{channel}: Edit Channel → Permissions → add {role} → allow View Channel."),
        channel=_channel(place.channel_id),
        role=who,
    )


#: A moderator or peer role stored before ``settings.require_role`` refused it: the finding
#: (``@everyone``; a role a bot or an integration manages, ``{role}``) and its fix, per role.
WRONG_ROLE = {
    ("moderator", "everyone"): (
        N_(
            "The moderator role is `@everyone`: every member has it, so everyone can use "
            "moderator commands (like `/group reveal`)."
        ),
        N_("Choose a role only your moderators have with {setting}."),
    ),
    ("moderator", "managed"): (
        N_(
            "The moderator role ({role}) belongs to a bot or an integration, so Discord decides "
            "who has it and who can use moderator commands."
        ),
        N_("Choose a role only your moderators have with {setting}."),
    ),
    ("peer", "everyone"): (
        N_(
            "The peer role is `@everyone`: every member has it, so everyone sees support "
            "requests and can take them."
        ),
        N_("Choose a role only your peer supporters have with {setting}."),
    ),
    ("peer", "managed"): (
        N_(
            "The peer role ({role}) belongs to a bot or an integration, so Discord decides who "
            "sees support requests and can take them."
        ),
        N_("Choose a role only your peer supporters have with {setting}."),
    ),
}


def _wrong_role(use: RoleUse, case: str, who: str) -> Finding:
    what, fix = WRONG_ROLE[use.only_for, case]
    shown = Text(what, role=who) if case == "managed" else Text(what)
    return Finding(shown, Text(fix, setting=use.setting))


def role_findings(use: RoleUse, facts: GuildFacts) -> list[Finding]:
    who = f"<@&{use.role_id}>"
    role = facts.roles.get(use.role_id)
    purpose = _upper_first(use.purpose)
    if use.only_for and use.role_id == facts.guild_id:
        return [_wrong_role(use, "everyone", who)]
    if role is None or not role.exists:
        return [
            Finding(
                Text(N_("{purpose} no longer exists."), purpose=purpose),
                Text(N_("Choose a role with {setting}."), setting=use.setting),
            )
        ]
    if use.only_for and role.integration:
        return [_wrong_role(use, "managed", who)]
    if not use.manage:
        return []
    if role.integration:
        return [
            Finding(
                Text(
                    N_(
                        "{purpose} ({role}) belongs to an integration; nobody can give it to "
                        "members."
                    ),
                    purpose=purpose,
                    role=who,
                ),
                Text(N_("Choose an ordinary role with {setting}."), setting=use.setting),
            )
        ]
    return _managed(use, facts, who, above=role.position >= facts.bot_top_position)


def _managed(use: RoleUse, facts: GuildFacts, who: str, above: bool) -> list[Finding]:
    """A role Kindred gives and takes: it needs Manage Roles, and the role below its own."""
    found = []
    if missing(facts.bot_permissions, int(Perm.MANAGE_ROLES)):
        found.append(
            Finding(
                Text(
                    N_("Kindred gives and takes {purpose} ({role}) but lacks Manage Roles."),
                    purpose=use.purpose,
                    role=who,
                ),
                Text(
                    N_("Server Settings → Roles → **{bot_role}**: turn on Manage Roles."),
                    bot_role=facts.bot_role,
                ),
            )
        )
    if above:
        found.append(
            Finding(
                Text(
                    N_(
                        "{purpose} ({role}) is above Kindred's role, so Kindred can't give or "
                        "take it."
                    ),
                    purpose=_upper_first(use.purpose),
                    role=who,
                ),
                Text(
                    N_("Server Settings → Roles: drag **{bot_role}** above {role}."),
                    bot_role=facts.bot_role,
                    role=who,
                ),
            )
        )
    return found


def examine_places(needs: Needs, facts: GuildFacts) -> list[Finding]:
    """The problems of just the channels in ``needs``, each with every permission Kindred
    lacks there (server-wide or not): what a command says at once when a moderator has just
    chosen a channel, rather than at ``/kindred setup`` or when a post fails."""
    found: list[Finding] = []
    for place in needs.places:
        found += [f for f in place_findings(place, facts, alone=True) if f not in found]
    return [f for f in found if f.severity == "problem"]


def examine(needs: Needs, facts: GuildFacts) -> Checkup:
    """Every finding, server-wide first, then channels (those Kindred can't read too), then
    roles, then settings; a channel
    used for several purposes is checked for each (each has its own fix)."""
    found = server_permissions(facts)
    for place in needs.places:
        found += [f for f in place_findings(place, facts) if f not in found]
    found += unread_findings(needs, facts)
    for use in needs.roles:
        found += [f for f in role_findings(use, facts) if f not in found]
    found += list(needs.findings)
    looked_at = [(p.purpose, _channel(p.channel_id)) for p in needs.places]
    looked_at += [(r.purpose, f"<@&{r.role_id}>") for r in needs.roles]
    checked = tuple(
        dict.fromkeys(Text("{purpose} {where}", purpose=p, where=w) for p, w in looked_at)
    )
    return Checkup(tuple(found), checked)
