"""Moderators' tools over peer support: blocking a member from opening requests, and
revealing who opened an anonymous request. Every use is in the audit log."""

from __future__ import annotations

from bot.clock import Clock, utcnow
from bot.db.repositories.blocks import BlockRepository
from bot.db.repositories.core import AuditRepository
from bot.db.repositories.requests import RequestRow
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.services.requests import RequestService

MAX_REASON = 200


class BlockService:
    def __init__(
        self,
        blocks: BlockRepository,
        requests: RequestService,
        audit: AuditRepository,
        clock: Clock = utcnow,
    ) -> None:
        self.blocks = blocks
        self.requests = requests
        self.audit = audit
        self.clock = clock

    async def block(self, guild_id: int, user_id: int, reason: str | None, by: int) -> None:
        """The member can no longer open peer requests here (crisis resources stay)."""
        await self.blocks.block(guild_id, user_id, reason, by, self.clock())

    async def unblock(self, guild_id: int, user_id: int, by: int) -> bool:
        """False when the member was not blocked."""
        return await self.blocks.unblock(guild_id, user_id, by, self.clock())

    async def is_blocked(self, guild_id: int, user_id: int) -> bool:
        return await self.blocks.is_blocked(guild_id, user_id)

    async def reveal(self, guild_id: int, request_id: int, by: int, reason: str) -> RequestRow:
        """Who opened a request (anonymous or not), audited as ``peers.reveal``."""
        reason = reason.strip()
        if len(reason) > MAX_REASON:  # it is logged and told to the member: never cut
            raise InvalidInputError(
                N_("A reason fits in {most} characters (this one has {length})."),
                most=MAX_REASON,
                length=len(reason),
            )
        request = await self.requests.get(request_id)
        if request.guild_id != guild_id:
            raise NotFoundError(N_("There is no such request in this server."))
        await self.audit.add(
            guild_id,
            by,
            "peers.reveal",
            {"request": request_id, "reason": reason},
            self.clock(),
        )
        return request
