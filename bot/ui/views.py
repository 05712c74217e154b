"""Base view: errors inside buttons and modals get the same kind handling as commands."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord

from bot.errors import KindredError
from bot.ui.replies import error_text, report_unexpected, send_private

log = logging.getLogger(__name__)


async def handle_component_error(
    interaction: discord.Interaction, error: Exception, carried: str | None = None
) -> None:
    """A button's, menu's or form's error, answered privately: a service's error in the
    reader's language, or in ``carried``, the language of the private reply the button was
    under (a form opened from it: the form's)."""
    try:
        if isinstance(error, KindredError):
            await send_private(interaction, await error_text(interaction, error, carried))
        else:
            await report_unexpected(interaction, error)
    except Exception:  # the answer itself failed: logged, never an unretrieved task
        log.exception("could not answer an error on a button (guild %s)", interaction.guild_id)


class KindredView(discord.ui.View):
    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_component_error(interaction, error)


def form_id(*parts: str | int) -> str:
    """A custom id for one open form: ``kindred:<parts>:<random>``. discord.py matches a
    submitted form to the open one by its custom id alone, so two forms open at once under one
    id (two members of a server asking for support together) would lose the second answer."""
    return ":".join(["kindred", *(str(p) for p in parts), secrets.token_hex(4)])


class KindredModal(discord.ui.Modal):
    def carried(self) -> str | None:
        """The language this form was shown in when it came from a button carrying its
        reply's language (its errors are answered in it); None: the reader's."""
        return None

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await handle_component_error(interaction, error, self.carried())


def text_input(label: discord.ui.Label) -> discord.ui.TextInput:
    """The text field a form's ``Label`` holds (to set its default or placeholder, read its
    value)."""
    field = label.component
    assert isinstance(field, discord.ui.TextInput)
    return field


class GuardedCallback:
    """Mixin for DynamicItems: ``run`` does the work, and any error gets the same kind,
    private handling as commands (DynamicItems have no view-level error hook of our own)."""

    async def run(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError

    def carried(self) -> str | None:
        """The language of the private reply this item is under, where its custom id carries
        one: an error it meets is answered in it too. None: the reader's language."""
        return None

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.run(interaction)
        except Exception as error:
            await handle_component_error(interaction, error, self.carried())
