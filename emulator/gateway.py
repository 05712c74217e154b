"""Gateway sessions: sequence numbers, replay buffer for RESUME, per-connection writers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


class Op:
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class Intents:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


def required_intent(event: str, data: dict[str, Any]) -> int | None:
    """The intent an event needs to be delivered (None: always delivered)."""
    in_guild = "guild_id" in data
    if event.startswith("MESSAGE_REACTION_"):
        return Intents.GUILD_MESSAGE_REACTIONS if in_guild else Intents.DIRECT_MESSAGE_REACTIONS
    if event.startswith("MESSAGE_"):
        return Intents.GUILD_MESSAGES if in_guild else Intents.DIRECT_MESSAGES
    if event.startswith("GUILD_SCHEDULED_EVENT_"):
        return Intents.GUILD_SCHEDULED_EVENTS
    if event in ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"):
        return Intents.GUILD_MEMBERS
    if event.startswith(("GUILD_", "CHANNEL_", "THREAD_")) and event != "GUILD_MEMBERS_CHUNK":
        return Intents.GUILDS
    return None


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    session: Session | None = None
    sent_upto: int = 0
    closed: bool = False
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    writer: asyncio.Task[None] | None = None
    heartbeats: int = 0

    async def send(self, payload: dict[str, Any] | str) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        async with self.lock:
            if self.closed or self.ws.closed:
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_str(text)

    def start_writer(self) -> None:
        if self.writer is None:
            self.writer = asyncio.create_task(self._write_loop(), name="emulator-gateway-writer")
        self.wake.set()

    async def _write_loop(self) -> None:
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            session = self.session
            while session is not None and not self.closed and self.sent_upto < session.seq:
                seq = self.sent_upto + 1
                await self.send(session.frames[seq - 1])
                self.sent_upto = seq

    async def stop(self) -> None:
        self.closed = True
        self.wake.set()
        if self.writer is not None and self.writer is not asyncio.current_task():
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.writer


def shard_for(guild_id: int | str | None, shard_count: int) -> int:
    return 0 if not guild_id else (int(guild_id) >> 22) % shard_count


@dataclass(eq=False)
class Session:
    id: str
    intents: int
    seq: int = 0
    frames: list[str] = field(default_factory=list)
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    conn: Connection | None = None
    invalid: bool = False
    shard: tuple[int, int] | None = None
    """``[shard_id, shard_count]`` from IDENTIFY; None: unsharded, every event."""

    def wants(self, event: str, data: dict[str, Any]) -> bool:
        """Discord's routing: a guild's events go to shard ``(guild_id >> 22) % count``;
        events without a guild (DMs) to shard 0."""
        if self.shard is None:
            return True
        guild_id = data.get("guild_id")
        if guild_id is None and event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
            guild_id = data.get("id")
        return shard_for(guild_id, self.shard[1]) == self.shard[0]

    def push(self, event: str, data: dict[str, Any]) -> int:
        self.seq += 1
        self.frames.append(json.dumps({"op": Op.DISPATCH, "t": event, "s": self.seq, "d": data}))
        self.events.append((self.seq, event, data))
        if self.conn is not None:
            self.conn.wake.set()
        return self.seq

    @property
    def delivered(self) -> bool:
        """True when a live connection has been sent every event of this session."""
        return self.conn is not None and not self.conn.closed and self.conn.sent_upto >= self.seq
