"""The Discord client: wiring only. Features live in cogs (Discord) and services (rules)."""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from pathlib import Path

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import DISCORD_API_BASE_URL, DiscordSettings
from bot.errors import KindredError
from bot.health import Gateway, HealthCheck, HealthServer, latency_ms
from bot.services import Services
from bot.ui.replies import report_unexpected, send_private

log = logging.getLogger(__name__)


COGS = Path(__file__).resolve().parents[1] / "cogs"


def discover_extensions() -> list[str]:
    """Every module or package in ``cogs/`` that is not private (``_name``) is a feature
    extension, loaded by name: ``bot/`` never imports ``cogs/``."""
    return sorted(
        f"cogs.{module.name}"
        for module in pkgutil.iter_modules([str(COGS)])
        if not module.name.startswith("_")
    )


def point_at_endpoints(settings: DiscordSettings) -> None:
    """Send every REST call and the gateway connection where the settings say.

    discord.py keeps both as class attributes: ``Route.BASE`` for REST, and for a plain
    (unsharded) client ``DiscordWebSocket.DEFAULT_GATEWAY`` instead of asking ``/gateway/bot``.
    """
    discord.http.Route.BASE = settings.api_base_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def intents() -> discord.Intents:
    """The minimum Kindred needs; notably not the privileged members intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    return wanted


class KindredTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Every failure gets a kind, private answer; if even that cannot be sent (Discord
        refused it), the failure is logged instead of vanishing as an unretrieved task."""
        try:
            await self._answer_error(interaction, error)
        except Exception:
            log.exception(
                "could not answer an error in %s (guild %s)",
                getattr(interaction.command, "qualified_name", "?"),
                interaction.guild_id,
            )

    async def _answer_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, KindredError):
            await send_private(interaction, original.user_message)
        elif isinstance(error, app_commands.CheckFailure) and hasattr(error, "user_message"):
            await send_private(interaction, error.user_message)
        elif isinstance(error, app_commands.CommandOnCooldown):
            await send_private(
                interaction, f"Please wait {error.retry_after:.0f} s before trying that again."
            )
        elif isinstance(error, app_commands.TransformerError):
            await send_private(
                interaction, f"I couldn't understand `{str(error.value)[:60]}` there."
            )
        elif isinstance(error, app_commands.BotMissingPermissions):
            missing = ", ".join(error.missing_permissions)
            await send_private(interaction, f"I am missing a permission here: {missing}.")
        elif isinstance(error, app_commands.CheckFailure):
            await send_private(interaction, "You can't use that command here.")
        else:
            await report_unexpected(interaction, original)


CONVERSATION_MESSAGE = "kindred_conversation_message"


def _in_conversation(message: discord.Message) -> bool:
    """A DM to Kindred or a message in a thread: where support conversations (and their
    relays) happen. Listeners that only care about these listen to
    ``on_kindred_conversation_message`` rather than ``on_message``, so ordinary server chat
    does not cost each of them a task (discord.py starts one per listener per event)."""
    return message.guild is None or isinstance(message.channel, discord.Thread)


class KindredBot(commands.Bot):
    def __init__(
        self, services: Services, *, extensions: Iterable[str] | None = None, **options: object
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            # Nobody can make Kindred ping @everyone, roles or users unless a message opts in.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=KindredTree,
            **options,
        )
        self.services = services
        self.config = services.config
        self.extension_names = list(extensions) if extensions is not None else discover_extensions()
        self.health: HealthServer | None = None
        point_at_endpoints(self.config.discord)

    async def setup_hook(self) -> None:
        settings = self.config.discord
        if not settings.gateway_url and settings.api_base_url != DISCORD_API_BASE_URL:
            # A custom REST base (proxy or emulator) without a gateway URL: ask it.
            _, url, _ = await self.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        # Extensions first: they register timer handlers and recurring jobs, so that when the
        # scheduler starts and finds overdue timers, every timer already has its handler.
        for name in self.extension_names:
            await self.load_extension(name)
        await self.services.start()
        # What start-up built (the detector's model and phrase automaton, command trees,
        # translations, modules) lives as long as the process: move it out of the garbage
        # collector's sight. Otherwise every full collection walks all of it with the GIL
        # held, stalling the event loop for 25-40 ms (benchmarks/bench_classifier.py).
        gc.freeze()
        await self._start_health()
        if settings.sync_commands:
            await self.sync_commands()

    async def _start_health(self) -> None:
        """``[health] enabled``: serve GET /health (gateway, database, timer queue)."""
        config = self.config.health
        if not config.enabled:
            return
        check = HealthCheck(
            self.services.db,
            self.services.scheduler,
            self.gateway_state,
            max_lag=timedelta(seconds=config.max_timer_lag_seconds),
            clock=self.services.clock,
        )
        self.health = HealthServer(check, config.host, config.port)
        await self.health.start()

    def gateway_state(self) -> Gateway:
        ws = self.ws
        connected = self.is_ready() and not self.is_closed() and ws is not None and ws.open
        return Gateway(connected=connected, latency_ms=latency_ms(self.latency))

    async def sync_commands(self) -> None:
        guild_id = self.config.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d application commands", len(synced))

    def dispatch(self, event_name: str, /, *args: object, **kwargs: object) -> None:
        super().dispatch(event_name, *args, **kwargs)
        if event_name == "message" and _in_conversation(args[0]):  # type: ignore[arg-type]
            super().dispatch(CONVERSATION_MESSAGE, *args, **kwargs)

    @property
    def on_message(self) -> None:
        """Kindred has no prefix commands: skip discord.py's per-message command parsing
        (about a fifth of the bot's per-message cost). Cogs still get every message.

        discord.py schedules a task for ``bot.on_message`` on every message when the
        attribute exists, even an empty one (~10 µs each); this attribute raises
        AttributeError, which ``Client.dispatch`` reads as "no handler"."""
        raise AttributeError("Kindred has no prefix commands")

    async def on_ready(self) -> None:
        log.info("ready as %s in %d guilds", self.user, len(self.guilds))

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self.health is not None:
                await self.health.stop()
                self.health = None
            await self.services.close()


class ShardedKindredBot(KindredBot, commands.AutoShardedBot):
    """One process of a cluster (``[cluster] count > 1``, PostgreSQL): it connects only the
    shards ``{i | i % count == id}`` of ``shard_count``; the others belong to other processes.

    Discord allows one IDENTIFY per ``max_concurrency`` bucket (``shard_id % max_concurrency``)
    every 5 seconds, across all processes; discord.py spaces them only inside one. Here each
    IDENTIFY takes a database advisory lock for its bucket and holds it ``identify_spacing``
    seconds after, so processes take turns."""

    identify_spacing = 5.0
    max_concurrency = 1

    def __init__(self, services: Services, **options: object) -> None:
        super().__init__(services, **options)
        self._identify_releases: set[asyncio.Task[None]] = set()

    async def setup_hook(self) -> None:
        _, _, limits = await self.http.get_bot_gateway()
        self.max_concurrency = max(int(limits.get("max_concurrency", 1)), 1)
        await super().setup_hook()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        bucket = (shard_id or 0) % self.max_concurrency
        release = await self.services.db.take_session_lock("kindred-identify", bucket)
        task = asyncio.get_running_loop().create_task(self._release_later(release))
        self._identify_releases.add(task)
        task.add_done_callback(self._identify_releases.discard)

    async def _release_later(self, release: Callable[[], Awaitable[None]]) -> None:
        try:
            await asyncio.sleep(self.identify_spacing)
        finally:
            try:
                await release()
            except Exception:
                log.exception("could not release the IDENTIFY lock")

    def gateway_state(self) -> Gateway:
        shards = self.shards.values()
        connected = (
            self.is_ready()
            and not self.is_closed()
            and bool(shards)
            and all(not shard.is_closed() for shard in shards)
        )
        return Gateway(connected=connected, latency_ms=latency_ms(self.latency))


def make_bot(services: Services, **options: object) -> KindredBot:
    """The client for this process: a plain one, or a shard-owning one in a cluster."""
    cluster = services.config.cluster
    if not cluster.clustered:
        return KindredBot(services, **options)
    return ShardedKindredBot(
        services, shard_ids=cluster.shard_ids(), shard_count=cluster.total_shards(), **options
    )
