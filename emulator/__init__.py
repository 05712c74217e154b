"""Kindred's Discord emulator: a loopback Discord (REST v10 + gateway v10) for the real discord.py.

Quick start::

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("Haven")
    general = emu.create_channel(guild, "general")
    async with connected_client(emu, lambda: MyBot(guild_ready_timeout=0.05)) as bot:
        await emu.send_message(alice, general, "hello")
        reply = await emu.wait_for_message(channel=general)
"""

from .errors import EmulatorTimeoutError, RestError
from .gateway import Intents
from .interactions import CallbackType, Interaction, InteractionResponse, InteractionType
from .models import (
    AppCommand,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    MessageFlags,
    Overwrite,
    Role,
    User,
)
from .permissions import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    P,
)
from .server import Call, DiscordEmulator, Fault
from .snowflake import SnowflakeGenerator, snowflake_time
from .testing import connected_client, patch_discord

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "AppCommand",
    "Attachment",
    "Call",
    "CallbackType",
    "Channel",
    "ChannelType",
    "DiscordEmulator",
    "EmulatorTimeoutError",
    "Fault",
    "Guild",
    "Intents",
    "Interaction",
    "InteractionResponse",
    "InteractionType",
    "Member",
    "Message",
    "MessageFlags",
    "Overwrite",
    "P",
    "RestError",
    "Role",
    "SnowflakeGenerator",
    "User",
    "connected_client",
    "patch_discord",
    "snowflake_time",
]
