"""The slash-command groups of peer support, shared by the rooms of the Peers cog, and the
check that lets only peer supporters use the duty commands."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.services import Services
from bot.services.peers import PeerSettings
from bot.ui.checks import GuildOnlyError, RefusedError

peers = app_commands.Group(name="peers", description="Set up and run peer support.")
tags = app_commands.Group(name="tags", description="Topic and lived-experience tags.", parent=peers)
duty = app_commands.Group(name="duty", description="Go on and off duty as a peer supporter.")
shift = app_commands.Group(name="shift", description="Your recurring duty rota.", parent=duty)


def peer_only():
    async def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise GuildOnlyError()
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        cfg = await services.settings.get(interaction.guild_id, PeerSettings)
        if cfg.peer_role_id is None:
            raise RefusedError("Peer support isn't set up here yet (`/peers setup`).")
        member = interaction.user
        if not isinstance(member, discord.Member) or not any(
            r.id == cfg.peer_role_id for r in member.roles
        ):
            # off duty, any duty end time forgotten with it, and what they held back in the
            # queue: the Support cog tells those members and the on-duty peers
            requeued = await services.peers.shifts.lost_role(
                interaction.guild_id, interaction.user.id
            )
            refusal = f"This is for peer supporters (the <@&{cfg.peer_role_id}> role)."
            if requeued:
                interaction.client.dispatch(
                    "kindred_requests_requeued", requeued, interaction.user.id
                )
                ids = ", ".join(f"#{back.request.id}" for back in requeued)
                refusal += (
                    f" The requests you held ({ids}) are back in the queue and another peer "
                    "will pick them up. Thank you for the support you gave."
                )
            raise RefusedError(refusal)
        return True

    predicate.audience = "peer"  # type: ignore[attr-defined]
    return app_commands.check(predicate)
