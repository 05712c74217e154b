"""The set-up check's rules: each compares what a feature needs with what Discord says, and
words a finding as the problem and the exact fix."""

from __future__ import annotations

from bot.permissions import INVITE, Perm, missing
from bot.services.doctor.model import (
    Audience,
    Checkup,
    Finding,
    GuildFacts,
    Needs,
    Place,
    RoleUse,
)

EDIT_CHANNEL = "Edit Channel → Permissions"


def _channel(channel_id: int) -> str:
    return f"<#{channel_id}>"


def _role(role_id: int, guild_id: int) -> str:
    return "@everyone" if role_id == guild_id else f"<@&{role_id}>"


def _upper_first(text: str) -> str:
    """``str.capitalize`` would lower the rest (a group called “Grief” stays “Grief”)."""
    return text[:1].upper() + text[1:]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def server_permissions(facts: GuildFacts) -> list[Finding]:
    """Kindred's role should hold everything the invite link asks for."""
    lacking = missing(facts.bot_permissions, sum(int(a.perm) for a in INVITE))
    if not lacking:
        return []
    return [
        Finding(
            f"Kindred's role **{facts.bot_role}** lacks {_and(lacking)} server-wide.",
            f"Server Settings → Roles → **{facts.bot_role}**: turn on {_and(lacking)} "
            "(or invite Kindred again with the link in the README).",
        )
    ]


def place_findings(place: Place, facts: GuildFacts) -> list[Finding]:
    """One channel: it exists and is a text channel, Kindred has what it needs there (beyond
    what the server-wide finding already names), and its audiences can view it."""
    where = _channel(place.channel_id)
    seen = facts.channels.get(place.channel_id)
    if seen is None or not seen.exists:
        return [
            Finding(
                f"{_upper_first(place.purpose)} ({where}) is gone, or Kindred can't see it.",
                f"Choose another with {place.setting}, or give Kindred View Channel there "
                f"({EDIT_CHANNEL}).",
            )
        ]
    if not seen.is_text:
        return [
            Finding(
                f"{_upper_first(place.purpose)} ({where}) is not a text channel.",
                f"Choose a text channel with {place.setting}.",
            )
        ]
    found: list[Finding] = []
    server_lacks = set(missing(facts.bot_permissions, place.needs))
    lacking = [n for n in missing(seen.bot_permissions, place.needs) if n not in server_lacks]
    if lacking:
        found.append(
            Finding(
                f"In {where} ({place.purpose}) Kindred lacks {_and(lacking)}.",
                f"{where}: {EDIT_CHANNEL} → add **{facts.bot_role}** → allow {_and(lacking)}.",
            )
        )
    for audience in place.seen_by:
        if audience.role_id not in seen.visible_to:
            who = _role(audience.role_id, facts.guild_id)
            found.append(
                Finding(
                    f"{audience.who} ({who}) can't see {where}, but {audience.why}.",
                    _visibility_fix(place, audience, who),
                )
            )
    return found


def _visibility_fix(place: Place, audience: Audience, who: str) -> str:
    """Let them view it, unless the feature knows better (opening a private peer room to
    @everyone would be the wrong fix for a hidden thread parent)."""
    if audience.fix:
        return audience.fix
    return f"{_channel(place.channel_id)}: {EDIT_CHANNEL} → add {who} → allow View Channel."


def role_findings(use: RoleUse, facts: GuildFacts) -> list[Finding]:
    who = f"<@&{use.role_id}>"
    role = facts.roles.get(use.role_id)
    if role is None or not role.exists:
        return [
            Finding(
                f"{_upper_first(use.purpose)} no longer exists.",
                f"Choose a role with {use.setting}.",
            )
        ]
    if not use.manage:
        return []
    if role.integration:
        return [
            Finding(
                f"{_upper_first(use.purpose)} ({who}) belongs to an integration; nobody can give "
                "it to members.",
                f"Choose an ordinary role with {use.setting}.",
            )
        ]
    found = []
    if missing(facts.bot_permissions, int(Perm.MANAGE_ROLES)):
        found.append(
            Finding(
                f"Kindred gives and takes {use.purpose} ({who}) but lacks Manage Roles.",
                f"Server Settings → Roles → **{facts.bot_role}**: turn on Manage Roles.",
            )
        )
    if role.position >= facts.bot_top_position:
        found.append(
            Finding(
                f"{_upper_first(use.purpose)} ({who}) is above Kindred's role, so Kindred "
                "can't give or take it.",
                f"Server Settings → Roles: drag **{facts.bot_role}** above {who}.",
            )
        )
    return found


def examine(needs: Needs, facts: GuildFacts) -> Checkup:
    """Every finding, server-wide first, then channels, then roles, then settings; a channel
    used for several purposes is checked for each (each has its own fix)."""
    found = server_permissions(facts)
    for place in needs.places:
        found += [f for f in place_findings(place, facts) if f not in found]
    for use in needs.roles:
        found += [f for f in role_findings(use, facts) if f not in found]
    found += list(needs.findings)
    checked = tuple(
        dict.fromkeys(
            [f"{p.purpose} {_channel(p.channel_id)}" for p in needs.places]
            + [f"{r.purpose} <@&{r.role_id}>" for r in needs.roles]
        )
    )
    return Checkup(tuple(found), checked)
