"""Moderators' tools over peer support: blocking a member from opening requests, and
revealing who opened an anonymous request. Every use is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, utcnow
from bot.db.repositories.blocks import BlockRepository, BlockRow
from bot.db.repositories.core import AuditRepository
from bot.db.repositories.requests import RequestRow
from bot.errors import ConflictError, InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.services.groups.rules import MAX_REASON, parse_reason
from bot.services.requests import RequestService

__all__ = ["MAX_REASON", "BlockRow", "BlockService", "Blocked", "Revealed"]


@dataclass(frozen=True)
class Blocked:
    """A block as stored: the reason as logged, and the member's request still waiting or in a
    conversation here, if any. A block stops new requests only: a live one is left as it is
    (peers claim and close it as usual), so the moderator is told it is there."""

    reason: str | None
    live: RequestRow | None


@dataclass(frozen=True)
class Revealed:
    """Who opened an anonymous request, the reason as logged (and told to them), and the
    language to tell them in: the request's (RequestService.language_for)."""

    request_id: int
    requester_id: int
    reason: str
    lang: str = "en"


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

    async def block(
        self, guild_id: int, user_id: int, reason: str | None, by: int, *, bot: bool = False
    ) -> Blocked:
        """The member can no longer open peer requests here (crisis resources stay), audited
        with the reason. Refused, with nothing stored: a bot (``bot``: Kindred itself or any
        other; bots never open requests), the moderator themselves, and a reason over
        ``MAX_REASON`` characters (kept whole in the audit log, so never cut). A reason of
        only spaces is no reason. A moderator may be blocked: they can be a member too."""
        if bot:
            raise InvalidInputError(
                N_("That's a bot: bots never open peer requests, so there is nothing to block.")
            )
        if user_id == by:
            raise InvalidInputError(N_("You can't block yourself from peer requests."))
        why = parse_reason(reason) if reason is not None and reason.strip() else None
        live = await self.requests.live_for(guild_id, user_id)
        await self.blocks.block(guild_id, user_id, why, by, self.clock())
        return Blocked(why, live)

    async def blocked(self, guild_id: int) -> list[BlockRow]:
        """The members blocked here, with who blocked them, when and why; the latest first."""
        return await self.blocks.in_guild(guild_id)

    async def unblock(self, guild_id: int, user_id: int, by: int) -> bool:
        """False when the member was not blocked."""
        return await self.blocks.unblock(guild_id, user_id, by, self.clock())

    async def is_blocked(self, guild_id: int, user_id: int) -> bool:
        return await self.blocks.is_blocked(guild_id, user_id)

    async def reveal(self, guild_id: int, request_id: int, by: int, reason: str) -> Revealed:
        """Who opened an anonymous request, audited as ``peers.reveal``. Refused, with nothing
        logged: a reason that is empty (only spaces) or too long (it is logged and told to the
        member, so it is never cut), a request of another server, and a request that was never
        anonymous (its card names the member already: there is nothing to reveal)."""
        why = parse_reason(reason)
        request = await self.requests.get(request_id)
        if request.guild_id != guild_id:
            raise NotFoundError(N_("There is no such request in this server."))
        if not request.anonymous:
            raise ConflictError(
                N_(
                    "Request #{request} wasn't anonymous, so there is nothing to reveal: its "
                    "card already names who opened it. Nothing was logged and nobody was told."
                ),
                request=request_id,
            )
        await self.audit.add(
            guild_id,
            by,
            "peers.reveal",
            {"request": request_id, "reason": why},
            self.clock(),
        )
        lang = await self.requests.language_for(request)
        return Revealed(request_id, request.requester_id, why, lang)
