"""Discord-facing helpers shared by the cogs: replies, checks, views, embeds."""
