"""The slash-command groups of peer support, shared by the rooms of the Peers cog, and the
check that lets only peer supporters use the duty commands and ``/peers debrief``
(``bot.ui.checks.peer_only``, shared with the facilitators' ``/group facilitator swap``)."""

from __future__ import annotations

from discord import app_commands

from bot.ui.checks import peer_only

__all__ = ["duty", "peer_only", "peers", "shift", "tags"]

peers = app_commands.Group(name="peers", description="Set up and run peer support.")
tags = app_commands.Group(name="tags", description="Topic and lived-experience tags.", parent=peers)
duty = app_commands.Group(name="duty", description="Go on and off duty as a peer supporter.")
shift = app_commands.Group(name="shift", description="Your recurring duty rota.", parent=duty)
