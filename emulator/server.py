"""The Discord emulator: an aiohttp loopback server speaking Discord REST v10 + gateway v10.

:class:`DiscordEmulator` is a facade composed of one mixin per room; see the package docstring
(:mod:`emulator`) for the map of modules."""

from __future__ import annotations

from aiohttp import web

from .actors import MemberActions
from .faults import Fault
from .gateway import Intents
from .gateway_server import GatewayMixin
from .interaction_actions import InteractionActions
from .interactions import InteractionResponse
from .rest.handler import RestMixin
from .routing import Call
from .waits import WaitsMixin


class DiscordEmulator(MemberActions, InteractionActions, WaitsMixin, GatewayMixin, RestMixin):
    """A fake Discord (REST + gateway) that the real discord.py connects to.

    Build state with ``create_*``/``add_*``, act as users with ``send_message``,
    ``run_command``, ``press_button``... and assert on what the bot did through
    ``messages_in``, ``calls`` and the ``wait_*`` helpers.
    """

    def __init__(
        self,
        *,
        bot_name: str = "Kindred",
        token: str = "emulator-bot-token",
        host: str = "127.0.0.1",
        heartbeat_interval_ms: int = 41250,
        interaction_ack_timeout: float | None = 3.0,
        privileged_intents: int = Intents.PRIVILEGED,
    ) -> None:
        super().__init__(
            bot_name=bot_name,
            token=token,
            host=host,
            heartbeat_interval_ms=heartbeat_interval_ms,
            interaction_ack_timeout=interaction_ack_timeout,
            privileged_intents=privileged_intents,
        )
        self._runner: web.AppRunner | None = None

    async def start(self) -> DiscordEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway_handler)
        app.router.add_route("*", "/api/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        await self._close_connections()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


__all__ = ["Call", "DiscordEmulator", "Fault", "InteractionResponse"]
