"""The slash-command groups the safety cog's rooms add their commands to.

Defined once here so each room can decorate ``@SAFETY.command(...)``; the cog class holds
them as attributes (``Safety.safety`` etc.), which is what registers them.
"""

from __future__ import annotations

from discord import app_commands

SAFETY = app_commands.Group(name="safety", description="Crisis resources and settings.")
RESOURCES = app_commands.Group(name="resources", description="Local resources.", parent=SAFETY)
REGION = app_commands.Group(name="region", description="Where you are, for the right lines.")
LANGUAGE = app_commands.Group(
    name="language", description="The language of Kindred's private messages to you."
)
