"""Reading Discord's raw gateway events the same way wherever a cog listens to them."""

from __future__ import annotations

import discord


def edited_words(payload: discord.RawMessageUpdateEvent) -> discord.Message | None:
    """The message a person edited, when its words changed; else None. Discord also sends
    updates for a link's embed unfurling, pins and the like, which change nothing anyone
    wrote; a bot's messages and messages without words are never someone's edited words.
    Raw, so messages no longer cached count too: then only a real edit says when it was
    made."""
    if "content" not in payload.data:
        return None
    message = payload.message
    if message.author.bot or not message.content:
        return None
    before = payload.cached_message
    if before is not None:
        return None if before.content == message.content else message
    return message if message.edited_at is not None else None
