"""Support groups: groups moderators create, each with a Discord channel and role, that
members join after accepting the group's guidelines.

Rooms: ``rules`` (names, tags, guideline versions, who sees a channel, pseudonyms, content
notes), ``base`` (storage and the lookups other features build on), ``admin`` (create, edit,
archive, settings, guidelines, problems and repairs), ``members`` (join, leave, and keeping the
records in step with Discord's roles), ``anonymous`` (anonymous posts, reveal, content notes).

The API meetings and facilitators build on: ``get(group_id, guild_id)``, ``by_name``,
``for_guild``, ``members(group_id)``, ``is_member``, ``groups_of``, a group's ``channel_id`` and
``role_id`` (``GroupRow``), ``facilitator_role(guild_id)`` (the peer role) and
``guidelines_for(group)``. The Discord layer imports everything, row types included, from here.
"""

from __future__ import annotations

from bot.db.repositories.core import TimerRow
from bot.db.repositories.groups import GroupRow
from bot.services.groups.admin import (
    SLOWMODE_OFF,
    GroupAdmin,
    GroupEdit,
    GuidelinesChange,
    NewGroup,
    Problem,
)
from bot.services.groups.anonymous import AnonymousPlan, AnonymousPosts, Reveal
from bot.services.groups.base import adopted_as
from bot.services.groups.members import (
    GroupUnavailableError,
    JoinPlan,
    Membership,
    MemberSync,
    Reconciliation,
    StaleGuidelinesError,
)
from bot.services.groups.rules import (
    MAX_GUIDELINES,
    MAX_POST,
    MAX_REASON,
    MAX_SLOWMODE,
    MAX_SLOWMODE_MINUTES,
    Access,
    AsAdopted,
    Guidelines,
    access_problems,
    adopted_changes,
    as_adopted,
    channel_slug,
    parse_group_name,
)

__all__ = [
    "MAX_GUIDELINES",
    "MAX_POST",
    "MAX_REASON",
    "MAX_SLOWMODE",
    "MAX_SLOWMODE_MINUTES",
    "SLOWMODE_OFF",
    "Access",
    "AnonymousPlan",
    "AsAdopted",
    "GroupEdit",
    "GroupRow",
    "GroupService",
    "GroupUnavailableError",
    "Guidelines",
    "GuidelinesChange",
    "JoinPlan",
    "MemberSync",
    "NewGroup",
    "Problem",
    "Reconciliation",
    "Reveal",
    "StaleGuidelinesError",
    "TimerRow",
    "access_problems",
    "adopted_as",
    "adopted_changes",
    "as_adopted",
    "channel_slug",
    "parse_group_name",
]


class GroupService(GroupAdmin, Membership, AnonymousPosts):
    """Every room over one repository, settings, scheduler and clock
    (``GroupService(repo, settings, scheduler, clock)``)."""
