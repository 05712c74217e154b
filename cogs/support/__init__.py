"""Members ask for private support; on-duty peers claim it; the two talk privately.

Thin Discord layer over ``bot.services.requests``: cards, buttons, threads and the anonymous
DM relay. The rules (who may claim, limits, escalation, who is pinged) live in the service.
The ``Support`` cog is assembled from rooms, each a mixin over the one below it:

- ``cards``: the base: the peers' request card, moderator alerts, crisis lines;
- ``conversation``: opening the private thread or the anonymous relay;
- ``claims``: the request buttons (claim, unclaim, transfer, backup, close, transcript);
- ``commands``: ``/support`` and the answer to the request form;
- ``timers``: delivering what the ``request.*`` timers decided;
- ``offers``: what a DM outside any conversation is answered ("I need to talk": the form per
  server the writer may ask in; "help", "hello": a note on how to reach a peer);
- ``relay``: the DM relay listener;
- ``departures``: the member of a private-thread conversation left the server: it goes on by
  the DM relay (or closes when they can't be DMed);
- ``relay_edits``: a relayed message's edit or deletion reaching its copies;
- ``catchup``: at start-up, what was written in relayed conversations while Kindred was away;
- ``views``: the transfer picker and the conversation and feedback buttons.
"""

from __future__ import annotations

# Not `from discord.ext import commands`: the room cogs.support.commands takes that name here.
from discord.ext.commands import Bot, Cog

from cogs.support.catchup import CatchUpRoom
from cogs.support.commands import CommandsRoom
from cogs.support.departures import DeparturesRoom
from cogs.support.relay_edits import RelayEditsRoom
from cogs.support.timers import TimersRoom
from cogs.support.views import RelayChoiceButton


class Support(CommandsRoom, TimersRoom, DeparturesRoom, CatchUpRoom, RelayEditsRoom, Cog):
    """``get_cog("Support")``: ``intake``, ``on_request_button`` and ``transfer`` are called
    by the shared request form and buttons in ``bot.ui.requests``."""

    async def cog_load(self) -> None:
        # Support's own button only: the shared request buttons (bot/ui/requests.py) are
        # registered by the bot itself (bot/bot.py), so they answer when Support isn't loaded.
        self.bot.add_dynamic_items(RelayChoiceButton)
        self.register_timers()
        self.mark_start()

    # No cog_unload taking the buttons away: unloaded (or never loaded), the shared ones stay
    # registered by the bot and answer "Support requests are not available right now."
    # privately in the reader's language; taken away, a press would fail unanswered.


async def setup(bot: Bot) -> None:
    await bot.add_cog(Support(bot))
