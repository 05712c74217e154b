"""Who may do what. Checks run at the edge, before any service is called."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import KindredError
from bot.i18n import N_
from bot.services.settings import CoreSettings


class RefusedError(app_commands.CheckFailure, KindredError):
    """A check said no; ``user_message`` says why, kindly. (Checks must raise CheckFailure
    subclasses: discord.py only routes AppCommandErrors to the tree's error handler.) It is a
    ``KindredError`` too: the text is marked ``N_()`` with its values as keyword arguments, and
    the person refused reads it in their language (``message_in``, ``error_text``)."""


class NotModeratorError(RefusedError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "This command is for moderators (Manage Server, or the moderator role set with "
                "`/kindred set moderator-role`)."
            )
        )


class GuildOnlyError(RefusedError):
    def __init__(self) -> None:
        super().__init__(N_("This command works inside a server, not in DMs."))


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server (as Discord resolved it for this interaction) or the configured role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    services = interaction.client.services  # type: ignore[attr-defined]
    core = await services.settings.get(interaction.guild_id, CoreSettings)
    return core.moderator_role_id is not None and any(
        role.id == core.moderator_role_id for role in interaction.user.roles
    )


def moderator_only():
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        if not await is_moderator(interaction):
            raise NotModeratorError()
        return True

    predicate.audience = "moderator"  # type: ignore[attr-defined]  # read by /kindred help
    predicate.server_only = True  # type: ignore[attr-defined]  # read by /kindred help
    return app_commands.check(predicate)


def audience_of(command: app_commands.Command) -> str:
    """member, peer or moderator: from the command's checks or its ``extras``."""
    if "audience" in command.extras:
        return str(command.extras["audience"])
    for check in command.checks:
        audience = getattr(check, "audience", None)
        if audience:
            return str(audience)
    return "member"


def works_in_dms(command: app_commands.Command) -> bool:
    """False for a command refused in DMs: one of its checks says so (``server_only``, as
    ``guild_only``, ``moderator_only`` and ``peer_only`` do), or its ``extras`` (a command that
    answers in DMs with its own words), or Discord's own ``guild_only``."""
    if command.guild_only or command.extras.get("server_only"):
        return False
    return not any(getattr(check, "server_only", False) for check in command.checks)


def guild_only():
    """Inside a server only: in DMs the kind refusal, and ``/kindred help`` there leaves the
    command out."""

    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        return True

    predicate.server_only = True  # type: ignore[attr-defined]  # read by /kindred help
    return app_commands.check(predicate)


async def is_peer_or_moderator(interaction: discord.Interaction) -> bool:
    """The presser holds this guild's peer role, or is a moderator here."""
    from bot.services.peers import PeerSettings

    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if await is_moderator(interaction):
        return True
    services = interaction.client.services  # type: ignore[attr-defined]
    cfg = await services.settings.get(interaction.guild_id, PeerSettings)
    return cfg.peer_role_id is not None and any(
        role.id == cfg.peer_role_id for role in interaction.user.roles
    )


#: Whom a peer supporter's command refuses: the role's holders only.
FOR_PEERS = N_("This is for peer supporters (the <@&{role}> role).")
#: ``/peers debrief``'s refusal: a member looking for support is shown where to ask for it.
FOR_PEERS_AFTER_A_CONVERSATION = N_(
    "This is for peer supporters (the <@&{role}> role), after a conversation they held. If "
    "you'd like support yourself, `/support` asks for it privately."
)


#: The refusal to someone who lost the peer role while holding requests: which went back.
HELD_REQUEUED = N_(
    "This is for peer supporters (the <@&{role}> role). The requests you held "
    "({requests}) are back in the queue and another peer will pick them up. Thank "
    "you for the support you gave."
)


def requests_list(requeued) -> str:
    """``#1, #4``: the requests handed back, as :data:`HELD_REQUEUED` names them."""
    return ", ".join(f"#{back.request.id}" for back in requeued)


def peer_only(refusal: str = FOR_PEERS):
    """Peer supporters (the peer role), for ``/duty``, ``/duty shift``, ``/peers debrief`` and
    ``/group facilitator swap``; anyone else is told ``refusal`` (a marked text with
    ``{role}``). Someone refused for lacking the role is no peer any more, whatever they asked:
    as at a request button, they go off duty (any end time forgotten with it) and what they held
    goes back to the queue (the Support cog tells those members and the on-duty peers)."""

    async def predicate(interaction: discord.Interaction) -> bool:
        from bot.services.peers import PeerSettings

        if interaction.guild_id is None:
            raise GuildOnlyError()
        services = interaction.client.services  # type: ignore[attr-defined]
        cfg = await services.settings.get(interaction.guild_id, PeerSettings)
        if cfg.peer_role_id is None:
            raise RefusedError(N_("Peer support isn't set up here yet (`/peers setup`)."))
        member = interaction.user
        if isinstance(member, discord.Member) and any(
            r.id == cfg.peer_role_id for r in member.roles
        ):
            return True
        requeued = await services.peers.shifts.lost_role(interaction.guild_id, member.id)
        if not requeued:
            raise RefusedError(refusal, role=cfg.peer_role_id)
        interaction.client.dispatch("kindred_requests_requeued", requeued, member.id)
        raise RefusedError(HELD_REQUEUED, role=cfg.peer_role_id, requests=requests_list(requeued))

    predicate.audience = "peer"  # type: ignore[attr-defined]  # read by /kindred help
    predicate.server_only = True  # type: ignore[attr-defined]  # read by /kindred help
    return app_commands.check(predicate)
