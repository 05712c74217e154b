"""Crisis language and resources: private, kind replies; alerts to on-duty peers; /crisis.

The detector (bot.safety) reads each message once (and again when its words are edited); the
safety service decides what to do.
Kindred never deletes, punishes or exposes the member: replies go by DM (or, if DMs are closed,
a brief channel note that mentions only them, quotes nothing, and deletes itself), alerts go to
the peer channel with a jump link, and nothing of the message text is stored or logged.

Rooms: ``listener`` (on_message and edits → AssessWorker → the service's decision), ``replies`` (the
private reply and the channel note), ``alerts`` (peer and moderator alerts, their buttons),
``alert_texts`` (what alerts and reports say, truthfully about Kindred's own message),
``timers`` (delivering the service's retry and note timers), ``resources`` (/crisis,
/resources, /respite, /warmline, /region, the server's own resources), ``settings``
(/safety settings|exclude|status|optout, /language), ``views`` (members' buttons and the state
picker), ``groups`` (the command groups), ``cog`` (the Safety cog itself).
"""

from __future__ import annotations

from discord.ext import commands

from cogs.safety.cog import Safety

__all__ = ["Safety", "setup"]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Safety(bot))
