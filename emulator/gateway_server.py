"""The gateway side of the emulator: websocket connections, IDENTIFY/RESUME, and test controls
to drop connections, ask for RECONNECT or invalidate sessions.

Events themselves are queued per session by :meth:`EmulatorState.dispatch`; each connection's
writer (``gateway.Connection``) sends them in order and replays the missed ones after RESUME."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from typing import Any

from aiohttp import WSMsgType, web

from .errors import DEFAULT_WAIT
from .gateway import Connection, Intents, Op, Session
from .models import JSON, Guild
from .state import EmulatorState


class GatewayMixin(EmulatorState):
    """Gateway v10 over websocket for the bot, plus the drop/reconnect controls for tests."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.identify_payloads: list[JSON] = []
        self.resume_count = 0
        self._connections: set[Connection] = set()
        # Sharding (issue #14): what GET /gateway/bot reports, and the IDENTIFY rate limit:
        # within ``identify_interval`` seconds only one IDENTIFY per bucket (shard_id %
        # max_concurrency), the next one gets op 9. 0 (the default): no limit.
        self.shard_count = 1
        self.max_concurrency = 1
        self.identify_interval = 0.0
        self.identify_refused = 0
        self._bucket_identified: dict[int, float] = {}
        # Overlap (a rolling restart: the old process still connected while the new one
        # identifies): two live sessions may hold one shard, and every event of that shard
        # goes to both, as Discord does. ``allow_overlap = False`` keeps one session per
        # shard: an IDENTIFY for a shard a connected session holds gets op 9 (the client
        # tries again later). ``overlap_identifies`` counts IDENTIFYs that made an overlap.
        self.allow_overlap = True
        self.overlap_identifies = 0

    async def gateway_idle(self, timeout: float = DEFAULT_WAIT) -> None:  # noqa: ASYNC109
        """Wait until every live session has a connection that was sent all its events."""
        await self.wait_until(
            lambda: all(s.delivered for s in self._live_sessions()) and bool(self._live_sessions()),
            timeout=timeout,
            what="the gateway to be connected and drained",
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the client has RESUMEd at least ``count`` times in total."""
        await self.wait_until(lambda: self.resume_count >= count, timeout=timeout, what="a RESUME")
        await self.gateway_idle(timeout)

    async def drop_gateway(self, code: int = 4000, *, abort: bool = False) -> None:
        """Close every gateway connection (``abort=True``: kill the TCP connection, close 1006).

        The session stays resumable: events dispatched meanwhile are replayed on RESUME."""
        for conn in list(self._connections):
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            await conn.stop()
            if abort:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=code, message=b"emulator drop")
        self._notify()

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT to every connection (the client closes and RESUMEs)."""
        for conn in list(self._connections):
            await conn.send({"op": Op.RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client re-IDENTIFYs."""
        for conn in list(self._connections):
            if conn.session is not None and not resumable:
                conn.session.invalid = True
            await conn.send({"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None})

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, request=request)
        self._connections.add(conn)
        try:
            await conn.send(
                {
                    "op": Op.HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_payload(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                if ws.close_code in (1000, 1001) and not conn.closed:
                    session.invalid = True  # a clean client close ends the session
            await conn.stop()
            self._connections.discard(conn)
            self._notify()
        return ws

    async def _on_gateway_payload(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == Op.HEARTBEAT:
            conn.heartbeats += 1
            await conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == Op.IDENTIFY:
            await self._identify(conn, data)
        elif op == Op.RESUME:
            await self._resume(conn, data)
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._request_members(conn, data)
        self._notify()

    async def _identify(self, conn: Connection, data: JSON) -> None:
        self.identify_payloads.append(data)
        if data.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        if intents & Intents.PRIVILEGED & ~self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = _shard(data.get("shard"))
        held = shard is not None and bool(self.holders(shard[0]))
        if held and not self.allow_overlap:
            self.identify_refused += 1
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if self._identify_too_soon(shard):
            self.identify_refused += 1
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        # A fresh IDENTIFY means any disconnected session of this shard will never be resumed
        # (the client restarted): stop queueing events for it, as Discord lets them expire.
        for old in self.sessions.values():
            if old.conn is None and old.shard == shard:
                old.invalid = True
        self.overlap_identifies += held
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard)
        self.sessions[session.id] = session
        conn.session = session
        session.conn = conn
        guilds = [
            g
            for g in self.guilds.values()
            if self.bot_user.id in g.members and session.wants("GUILD_CREATE", {"id": g.id})
        ]
        ready = self._ready_payload(session, guilds)
        if "shard" in data:
            ready["shard"] = data["shard"]
        session.push("READY", ready)
        if intents & Intents.GUILDS:
            for g in guilds:
                session.push("GUILD_CREATE", g.create_payload(me_id=self.bot_user.id))
        conn.start_writer()

    def holders(self, shard_id: int) -> list[Session]:
        """The live, connected sessions holding ``shard_id`` (two or more: an overlap)."""
        return [
            s
            for s in self._live_sessions()
            if s.shard is not None and s.shard[0] == shard_id and s.conn is not None
        ]

    def sessions_sent(self, event: str, object_id: int) -> list[Session]:
        """The live sessions that were sent ``event`` for the object with ``object_id`` (a
        message, an interaction, ...), once per time it was sent: which shards and how many
        holders got it, and whether any session got it twice."""
        wanted = str(object_id)
        return [
            s
            for s in self._live_sessions()
            for _, name, data in s.events
            if name == event and data.get("id") == wanted
        ]

    def _identify_too_soon(self, shard: tuple[int, int] | None) -> bool:
        if self.identify_interval <= 0:
            return False
        bucket = (shard[0] if shard else 0) % max(self.max_concurrency, 1)
        now = time.monotonic()
        last = self._bucket_identified.get(bucket)
        if last is not None and now - last < self.identify_interval:
            return True
        self._bucket_identified[bucket] = now
        return False

    def _ready_payload(self, session: Session, guilds: list[Guild]) -> JSON:
        return {
            "v": 10,
            "user": {
                **self.bot_user.to_payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
            },
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        if (
            session is None
            or session.invalid
            or data.get("token") != self.token
            or seq > session.seq
        ):
            await conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
            await old.stop()
        conn.session = session
        session.conn = conn
        conn.sent_upto = seq
        self.resume_count += 1
        session.push("RESUMED", {})
        conn.start_writer()

    def _request_members(self, conn: Connection, data: JSON) -> None:
        session = conn.session
        if session is None:
            return
        g = self.guilds.get(int(data["guild_id"]))
        if g is None:
            return
        members = list(g.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            q = str(data["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(q)]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: JSON = {
            "guild_id": str(g.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    async def _close_connections(self) -> None:
        for conn in list(self._connections):
            await conn.stop()
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)


def _shard(value: Any) -> tuple[int, int] | None:
    """IDENTIFY's ``shard: [shard_id, shard_count]``; none (or [0, 1]) means unsharded."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    shard_id, count = int(value[0]), int(value[1])
    return None if count <= 1 else (shard_id, count)
