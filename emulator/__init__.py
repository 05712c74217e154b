"""Kindred's Discord emulator: a loopback Discord (REST v10 + gateway v10) for the real discord.py.

Quick start::

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("Haven")
    general = emu.create_channel(guild, "general")
    async with connected_client(emu, lambda: MyBot(guild_ready_timeout=0.05)) as bot:
        await emu.send_message(alice, general, "hello")
        reply = await emu.wait_for_message(channel=general)

Modules, each importing only modules above it in this list (no import circles;
``tests/unit/test_emulator_imports.py`` checks it):

- ``snowflake``, ``errors``, ``models``, ``permissions``: ids, error answers, the data Discord
  describes (users, guilds, channels, messages...) and the permission algorithm.
- ``gateway`` (opcodes, intents, sessions with their replay buffer, connection writers) and
  ``interactions`` (what the bot was sent and how it answered).
- ``routing`` (route tables and matching, request bodies, recorded ``Call``s) and
  ``validation`` (Discord's limits on messages, components and commands).
- ``state``: ``EmulatorState``, the world's data, ids, lookups, ``wait_until`` and the
  dispatch of gateway events to sessions.
- ``world`` (``create_*``/``add_*`` builders), ``store`` (messages), ``faults`` (scripted
  429/403/5xx and slow answers), ``gateway_server`` (the websocket, IDENTIFY/RESUME, drops).
- ``rest/``: ``host`` (404 lookups and 403 checks for handlers), one route module per family
  (``users``, ``commands``, ``guilds``, ``roles``, ``channels`` with threads, ``messages``,
  ``interactions`` with webhooks) and ``handler`` (binds the routes, answers and records calls).
- ``actors`` (members post, edit, delete, react), ``command_data`` and ``interaction_actions``
  (slash commands, autocomplete, buttons, selects, modals), ``waits`` (``wait_for_message``).
- ``server``: ``DiscordEmulator``, the facade made of those mixins, with ``start``/``stop``.
- ``testing`` (``connected_client``, ``patch_discord``) and ``pytest_plugin`` (fixture).
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
