"""The Discord client: wiring only. Features live in cogs (Discord) and services (rules)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import pkgutil
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import DISCORD_API_BASE_URL, DiscordSettings
from bot.errors import KindredError
from bot.health import Gateway, HealthCheck, HealthServer, latency_ms
from bot.i18n import N_
from bot.services import Services
from bot.ui.replies import error_text, localized, report_unexpected, send_private
from bot.ui.requests import FeedbackButton, RequestButton, TalkToPeerButton
from bot.ui.translator import KindredTranslator

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
        if isinstance(original, KindredError):  # a service's error, or a check's refusal
            await send_private(interaction, await error_text(interaction, original))
        elif isinstance(error, app_commands.CommandOnCooldown):
            await send_private(interaction, await localized(
                interaction, N_("Please wait {seconds} s before trying that again."),
                seconds=f"{error.retry_after:.0f}",
            ))  # fmt: skip
        elif isinstance(error, app_commands.TransformerError):
            await send_private(interaction, await localized(
                interaction, N_("I couldn't understand `{value}` there."),
                value=str(error.value)[:60],
            ))  # fmt: skip
        elif isinstance(error, app_commands.BotMissingPermissions):
            await send_private(interaction, await localized(
                interaction, N_("I am missing a permission here: {permissions}."),
                permissions=", ".join(error.missing_permissions),
            ))  # fmt: skip
        elif isinstance(error, app_commands.CheckFailure):
            await send_private(
                interaction, await localized(interaction, N_("You can't use that command here."))
            )
        else:
            await report_unexpected(interaction, original)


CONVERSATION_MESSAGE = "kindred_conversation_message"
# Events KindredBot has no ``on_<event>`` method for, dispatched often: its ``dispatch`` skips
# discord.py's look-up of that method (see KindredBot.dispatch).
_NO_HANDLER = frozenset({"message", "socket_event_type"})
_ON = {event: "on_" + event for event in _NO_HANDLER}


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
        self._message_hooks: tuple[Callable[[discord.Message], None], ...] = ()
        self.extension_names = list(extensions) if extensions is not None else discover_extensions()
        self.health: HealthServer | None = None
        point_at_endpoints(self.config.discord)

    async def setup_hook(self) -> None:
        settings = self.config.discord
        if not settings.gateway_url and settings.api_base_url != DISCORD_API_BASE_URL:
            # A custom REST base (proxy or emulator) without a gateway URL: ask it.
            _, url, _ = await self.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        # The shared request buttons (bot/ui: Talk to a peer under a crisis reply, a check-in's
        # mood answer, the peers' panel; a request card's buttons; feedback) answer whether or
        # not the Support extension is loaded: without it, "Support requests are not available
        # right now." privately, in the reader's language, not Discord's "interaction failed".
        self.add_dynamic_items(RequestButton, FeedbackButton, TalkToPeerButton)
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
        await self.tree.set_translator(KindredTranslator())
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

    def add_message_hook(self, hook: Callable[[discord.Message], None]) -> None:
        """Call ``hook(message)`` synchronously for every message, before any listener.
        A hook starts no task: it is for work that is usually nothing (the safety listener
        hands the text to its worker and only starts a task when a message needs one);
        discord.py would start a task per listener per message (~7.5 µs each)."""
        self._message_hooks = (*self._message_hooks, hook)

    def remove_message_hook(self, hook: Callable[[discord.Message], None]) -> None:
        self._message_hooks = tuple(h for h in self._message_hooks if h != hook)

    def dispatch(self, event_name: str, /, *args: object, **kwargs: object) -> None:
        if event_name in _NO_HANDLER and event_name not in self._listeners:
            # What discord.py's Bot.dispatch and Client.dispatch do for these two events
            # (one for every gateway event, one for every message) when nobody waits for
            # them (``wait_for``), without their cost: Kindred has no ``on_message`` (see
            # below) nor ``on_socket_event_type`` to look up, which raised and caught an
            # AttributeError twice a message. Listeners (``add_listener``, cogs'
            # ``Cog.listener``) each get their task as before.
            method = _ON[event_name]
            for listener in self.extra_events.get(method, ()):
                self._schedule_event(listener, method, *args, **kwargs)
        else:
            super().dispatch(event_name, *args, **kwargs)
        if event_name == "message":
            message: discord.Message = args[0]  # type: ignore[assignment]
            for hook in self._message_hooks:
                try:
                    hook(message)
                except Exception:
                    log.exception("message hook %r failed (message %s)", hook, message.id)
            if _in_conversation(message):
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
        self._once = OnceGate(services, self._connection.parsers, self._can_handle)

    def _can_handle(self, data: Any) -> bool:
        """Whether this process has what an interaction needs. A modal, or a view that is not
        a dynamic item (the transfer picker), lives in the memory of the process that sent it:
        under overlap its answer may reach the other process too, which must leave it to
        the sender rather than take it and drop it (discord.py's own lookups, mirrored)."""
        store = self._connection._view_store
        inner = data.get("data") or {}
        custom_id = str(inner.get("custom_id", ""))
        if data.get("type") == 5:
            return custom_id in store._modals
        if data.get("type") != 3:
            return True
        if any(pattern.fullmatch(custom_id) for pattern in store._dynamic_items):
            return True
        key = (inner.get("component_type"), custom_id)
        return any(key in items for items in store._views.values())

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

    async def close(self) -> None:
        # discord.py makes the shards' event queue only when connecting: a standby stopped
        # before it ever owned its shards would fail here instead of closing cleanly.
        if not hasattr(self, "_AutoShardedClient__queue"):
            self._AutoShardedClient__queue = asyncio.PriorityQueue()  # type: ignore[attr-defined]
        try:
            await super().close()
        finally:
            await self._once.stop()

    def gateway_state(self) -> Gateway:
        shards = self.shards.values()
        connected = (
            self.is_ready()
            and not self.is_closed()
            and bool(shards)
            and all(not shard.is_closed() for shard in shards)
        )
        return Gateway(connected=connected, latency_ms=latency_ms(self.latency))


class OnceGate:
    """Interactions and DMs handled by one process of a cluster, even when two gateway
    sessions hold the shard they arrived on (a rolling restart sends each event to both).

    discord.py hands each event to a plain function (``ConnectionState.parsers``). For
    INTERACTION_CREATE and a MESSAGE_CREATE without a guild (a DM: shard 0) this gate puts
    the event in a queue instead; one worker per kind first stores the event id
    (``services.once``), then gives the event to discord.py only if it was the first. So the
    loser of an interaction never answers it (no second response, no "already acknowledged"
    error), and a DM is relayed, offered the form or answered once. The queue keeps the
    events' order. A modal's answer goes to the process that showed the modal. Server
    messages pass straight through: what they may cause (a crisis reply,
    a relay from a thread) is made once by its own key, so ordinary messages cost nothing."""

    GATED = {"INTERACTION_CREATE": "interaction", "MESSAGE_CREATE": "dm"}
    RECHECKS, RECHECK_DELAY = 20, 0.05  # an interaction lasts 3 s; after 1 s it is not ours

    def __init__(
        self,
        services: Services,
        parsers: dict[str, Callable[[Any], None]],
        can_handle: Callable[[Any], bool],
    ) -> None:
        self.services = services
        self.can_handle = can_handle
        self.queues: dict[str, asyncio.Queue[Any]] = {}
        self.workers: list[asyncio.Task[None]] = []
        self.pending: set[asyncio.Task[None]] = set()
        for event, kind in self.GATED.items():
            parsers[event] = self._gate(parsers[event], kind)

    def _gate(self, parse: Callable[[Any], None], kind: str) -> Callable[[Any], None]:
        def gated(data: Any) -> None:
            if kind == "dm" and data.get("guild_id") is not None:
                parse(data)
                return
            if kind not in self.queues:
                self.queues[kind] = asyncio.Queue()
                worker = asyncio.get_running_loop().create_task(
                    self._work(kind, parse), name=f"kindred-once-{kind}"
                )
                self.workers.append(worker)
            self.queues[kind].put_nowait(data)

        return gated

    async def _work(self, kind: str, parse: Callable[[Any], None]) -> None:
        queue = self.queues[kind]
        while True:
            data = await queue.get()
            if kind == "interaction" and not self.can_handle(data):
                # A modal or view of the other process (its answer is for it), or ours not
                # yet stored: discord.py stores a modal once Discord has taken it, and the
                # member's answer can arrive first. Look again shortly, aside.
                task = asyncio.get_running_loop().create_task(self._later(kind, parse, data))
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)
                continue
            await self._once(kind, parse, data)

    async def _later(self, kind: str, parse: Callable[[Any], None], data: Any) -> None:
        for _ in range(self.RECHECKS):
            await asyncio.sleep(self.RECHECK_DELAY)
            if self.can_handle(data):
                await self._once(kind, parse, data)
                return

    async def _once(self, kind: str, parse: Callable[[Any], None], data: Any) -> None:
        try:
            first = await self.services.once.first(kind, int(data["id"]))
        except Exception:
            # The database failing must not lose a member's words or a button press.
            log.exception("could not record %s %s; handling it here", kind, data.get("id"))
            first = True
        if not first:
            log.info("%s %s is handled by another process", kind, data.get("id"))
            return
        try:
            parse(data)
        except Exception:
            log.exception("%s %s could not be parsed", kind, data.get("id"))

    async def stop(self) -> None:
        self.workers.extend(self.pending)
        for worker in self.workers:
            worker.cancel()
        for worker in self.workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        self.workers.clear()
        self.queues.clear()


def make_bot(services: Services, **options: object) -> KindredBot:
    """The client for this process: a plain one, or a shard-owning one in a cluster."""
    cluster = services.config.cluster
    if not cluster.clustered:
        return KindredBot(services, **options)
    return ShardedKindredBot(
        services, shard_ids=cluster.shard_ids(), shard_count=cluster.total_shards(), **options
    )
