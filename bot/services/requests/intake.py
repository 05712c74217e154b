"""A member asks for support: who may, what the request holds, who is pinged first, and the
honest answers to "where am I in the queue?" and "when is someone back?".

Part of :class:`bot.services.requests.RequestService` (a mixin).
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.blocks import BlockRepository
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.db.repositories.tags import TagRepository
from bot.errors import ConflictError, InvalidInputError, KindredError, LimitReachedError
from bot.i18n import N_, lang_from_locale
from bot.services.dm_asks import help_language, plea_language, professional_language
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService
from bot.services.peers.tags import tag_key
from bot.services.requests.rules import (
    office_hours,
    office_tz,
    others_than_member,
    ping_list,
)
from bot.services.settings import GuildSettingsService
from bot.text import clean_block, clean_line

MAX_TOPIC = 100
MAX_SUMMARY = 1000
MAX_TAGS = 5
MAX_TAG_ECHO = 40  # an unknown tag is named back to the member at most this long
# A member's DM to Kindred that only asks for help or says hello gets a note saying how
# to reach a peer at most this often per member (kept in memory: a restart may say it again).
DM_HELP_EVERY = timedelta(hours=1)


class BlockedError(KindredError):
    """A blocked member still gets kindness and crisis resources, never silence."""


class NotInServerError(KindredError):
    """Someone who is no longer a member of the server is not queued for its peers, who
    couldn't reach them there; like a block, it comes with crisis and support lines."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "I can't open a peer request for you in that server: you're no longer a member "
                "of it, so its peers couldn't reach you there. You still matter, and you can "
                "reach the lines below at any time."
            )
        )


def require_member(in_server: bool | None) -> None:
    """A request (or its form) is only for a member of the server: ``in_server`` False (they
    left, were kicked or banned) refuses it; None (Discord couldn't say) lets it through, as
    Discord being down says nothing about who left."""
    if in_server is False:
        raise NotInServerError()


class ServerAwayError(KindredError):
    """The server has removed Kindred (a DM's button, or a form already open, outlives it):
    no request is opened there; like a block, it comes with crisis and support lines."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "That server has removed Kindred, so I can't open a peer request there any "
                "more. This isn't because of anything you did. You still matter, and you can "
                "reach the lines below at any time."
            )
        )


class AlreadyOpenError(ConflictError):
    def __init__(self, request: RequestRow) -> None:
        super().__init__(
            N_(
                "You already have an open request (#{number}). "
                "Use `/support action:cancel` if you want to withdraw it, or wait a little: it "
                "is still in front of the peers."
            ),
            number=request.id,
        )
        self.request = request


@dataclass(frozen=True)
class Intake:
    request: RequestRow
    position: int
    on_duty: list[int]
    ping: list[int]
    estimate: timedelta | None
    next_peer_at: datetime | None
    office_open: bool | None
    #: Tags the member wrote that this server doesn't have (trimmed): the request opened
    #: without them, and the answer says so beside ``server_tags``.
    unknown_tags: tuple[str, ...] = ()
    server_tags: tuple[str, ...] = ()
    #: the server has a moderator channel, so moderators will be told if nobody picks it up
    moderators_told_later: bool = False
    #: on-duty peers who can take it now (not at their own limit, never the member): what the
    #: member's answer counts
    free: tuple[int, ...] = ()


@dataclass(frozen=True)
class Tags:
    """The form's tags sorted out: the server's spelling of the known ones (the request gets
    these), the unknown ones as written (trimmed), and every tag the server has."""

    known: list[str]
    unknown: tuple[str, ...]
    server: tuple[str, ...]


class RequestIntake:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    tags: TagRepository
    blocks: BlockRepository
    duty: DutyService
    settings: GuildSettingsService
    clock: Clock
    help_told: dict[int, datetime]
    server_away: Callable[[int], Awaitable[bool]] | None

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def _schedule_escalation(
            self, request: RequestRow, cfg: PeerSettings, level: int, base: datetime | None = None
        ) -> object: ...

    async def open(
        self,
        guild_id: int,
        requester_id: int,
        *,
        topic: str = "",
        tags: list[str] | None = None,
        summary: str | None = None,
        anonymous: bool = False,
        ask_previous_peer: bool = False,
        source: str = "command",
        in_server: bool | None = True,
        lang: str | None = None,
    ) -> Intake:
        """``in_server``: whether the member is in the server now, as Discord says (a form
        opened in a DM or another server may be sent after they left): see
        :func:`require_member`. ``lang``: the language the member asked in (the form's),
        kept with the request for its private messages (:meth:`language_for`)."""
        require_member(in_server)
        await self.refuse_away(guild_id)
        topic, summary = clean_line(topic), clean_block(summary)  # as goals' and plans' text
        # the form holds no more (its fields' max lengths); never stored cut if it did
        if len(topic) > MAX_TOPIC or len(summary) > MAX_SUMMARY:
            raise InvalidInputError(
                N_(
                    "A topic fits in {topic} characters and what's going on in {summary}; "
                    "nothing was sent, so you can shorten it and try again."
                ),
                topic=MAX_TOPIC,
                summary=MAX_SUMMARY,
            )
        cfg = await self.config(guild_id)
        now = self.clock()
        wanted = await self._admit(cfg, guild_id, requester_id, tags or [], now)
        preferred = None
        if ask_previous_peer:
            preferred = await self.requests.last_peer_for(guild_id, requester_id)
        request = await self.requests.create(
            guild_id=guild_id,
            requester_id=requester_id,
            topic=topic,
            tags=wanted.known,
            summary=summary or None,
            anonymous=anonymous,
            preferred_peer=preferred,
            source=source,
            relay=anonymous or cfg.conversation == "relay",
            now=now,
            lang=lang_from_locale(lang),
        )
        if request is None:  # lost a race with a second intake from the same member
            existing = await self.requests.live_for_member(guild_id, requester_id)
            assert existing is not None
            raise AlreadyOpenError(existing)
        on_duty = [row.user_id for row in await self.duty.on_duty(guild_id)]
        ping = await self._matching(guild_id, request, on_duty)
        await self._schedule_escalation(request, cfg, level=1)
        return await self._intake(cfg, request, wanted, on_duty, ping, now)

    async def _intake(
        self,
        cfg: PeerSettings,
        request: RequestRow,
        wanted: Tags,
        on_duty: list[int],
        ping: list[int],
        now: datetime,
    ) -> Intake:
        """What the Discord layer needs to answer the member and post the card."""
        return Intake(
            request=request,
            position=await self.requests.queue_position(request),
            on_duty=on_duty,
            ping=ping,
            estimate=await self.estimate(request.guild_id),
            next_peer_at=await self._next_peer_unless_on_duty(request, on_duty),
            office_open=self.office_open(cfg, now),
            unknown_tags=wanted.unknown,
            server_tags=wanted.server,
            moderators_told_later=cfg.mod_channel_id is not None,
            free=await self._free_for_member(request, on_duty),
        )

    async def _admit(
        self, cfg: PeerSettings, guild_id: int, requester_id: int, tags: list[str], now: datetime
    ) -> Tags:
        """Refuse a request this member may not open now; return its tags sorted out."""
        await self.refuse_blocked(guild_id, requester_id)
        wanted = await self._valid_tags(guild_id, tags)
        existing = await self.requests.live_for_member(guild_id, requester_id)
        if existing is not None:
            raise AlreadyOpenError(existing)
        if (
            await self.requests.count_since(guild_id, requester_id, now - timedelta(days=1))
            >= cfg.max_requests_per_day
        ):
            raise LimitReachedError(
                N_(
                    "You've opened the most requests this server allows in a day. "
                    "If you need someone right now, `/crisis` shows lines you can reach any time."
                )
            )
        return wanted

    async def refuse_away(self, guild_id: int) -> None:
        """Raise :class:`ServerAwayError` when the server has removed Kindred: checked when a
        request is opened, and before a button's form is shown."""
        if self.server_away is not None and await self.server_away(guild_id):
            raise ServerAwayError()

    async def may_ask(self, guild_id: int, requester_id: int) -> bool:
        """Whether this member may open peer requests here (the moderators did not block
        them): what a reply checks before it offers them a peer."""
        return not await self.blocks.is_blocked(guild_id, requester_id)

    async def refuse_blocked(self, guild_id: int, requester_id: int) -> None:
        """Raise :class:`BlockedError` when moderators blocked this member from peer requests
        in this server: checked when a request is opened, and before a DM offers its form."""
        if await self.blocks.is_blocked(guild_id, requester_id):
            raise BlockedError(
                N_(
                    "I can't open a peer request for you in this server right now. "
                    "You still matter, and you can reach the lines below at any time."
                )
            )

    async def dm_help_due(self, user_id: int, content: str) -> str | None:
        """The language of the note on how to reach a peer, when a DM the crisis detector
        did not answer gets one: only a DM that asks for help, says hello ("help",
        "hello", "/support" typed as text) or asks what Kindred is ("what is this bot?",
        "who are you", "was bist du": :func:`help_language`; a plea or an ask for a
        therapist gets the request form instead), not while a relayed request is live (the
        DMs are the peer's, or its waiting note answers), and at most once per
        :data:`DM_HELP_EVERY` per member (only their id and a time are kept, in memory)."""
        if plea_language(content) is not None or professional_language(content) is not None:
            return None
        lang = help_language(content)
        if lang is None:
            return None
        live = await self.requests.live_for_user_anywhere(user_id)
        if any(r.relay for r in live):
            return None
        now = self.clock()
        told = self.help_told
        for key in [k for k, at in told.items() if now - at >= DM_HELP_EVERY]:
            del told[key]
        if user_id in told:
            return None
        told[user_id] = now
        return lang

    async def _valid_tags(self, guild_id: int, tags: list[str]) -> Tags:
        """Tags are optional: one the server doesn't have is left out, never a reason to
        refuse the request (the member's topic and words would be lost with it)."""
        known: dict[str, str] = {}
        for stored in await self.tags.guild_tags(guild_id):
            known.setdefault(tag_key(stored), stored)  # each tag once, in any case
        cleaned: list[str] = []
        unknown: list[str] = []
        for tag in tags:
            written = tag.strip()
            key = tag_key(written)
            if not key:
                continue
            if key not in known:
                echo = written[:MAX_TAG_ECHO]
                if echo.lower() not in (u.lower() for u in unknown):
                    unknown.append(echo)
            elif known[key] not in cleaned:
                cleaned.append(known[key])
        return Tags(cleaned[:MAX_TAGS], tuple(unknown[:MAX_TAGS]), tuple(known.values()))

    async def _free(self, request: RequestRow, on_duty: list[int]) -> list[int]:
        """The one rule for who may be pinged about a request: :func:`ping_list` over the
        on-duty peers, leaving out those who already hold ``max_open_per_peer``."""
        cfg = await self.config(request.guild_id, require=False)
        held = await self.requests.held_counts(request.guild_id)
        at_limit = {p for p in on_duty if held.get(p, 0) >= cfg.max_open_per_peer}
        return ping_list(request, on_duty, at_limit)

    async def _free_for_member(self, request: RequestRow, on_duty: list[int]) -> tuple[int, ...]:
        """The on-duty peers who can take the request now, as its member is told: never the
        member (an anonymous request pings them, who can't take their own)."""
        return tuple(others_than_member(request, await self._free(request, on_duty)))

    async def _next_peer_unless_on_duty(
        self, request: RequestRow, on_duty: list[int]
    ) -> datetime | None:
        """When the next peer is expected, when no one but the member is on duty."""
        if set(on_duty) - {request.requester_id}:
            return None
        return await self.next_peer_at(request.guild_id)

    async def _matching(self, guild_id: int, request: RequestRow, on_duty: list[int]) -> list[int]:
        """Who to ping first: the member's previous peer, then peers sharing a tag (only
        peers free to claim it: :meth:`_free`)."""
        candidates = await self._free(request, on_duty)
        if request.preferred_peer in candidates:
            return [request.preferred_peer]
        if request.tags:
            tagged = await self.tags.peers_with_any(guild_id, list(request.tags))
            matched = [p for p in candidates if p in tagged]
            if matched:
                return matched
        return candidates

    async def estimate(self, guild_id: int) -> timedelta | None:
        samples = await self.requests.recent_claim_seconds(guild_id)
        if len(samples) < 3:
            return None
        return timedelta(seconds=round(statistics.median(samples)))

    def office_open(self, cfg: PeerSettings, now: datetime) -> bool | None:
        hours = office_hours(cfg)
        return None if hours is None else hours.is_open(now, office_tz(cfg))

    async def next_peer_at(self, guild_id: int) -> datetime | None:
        """The honest answer to "when is someone back?": the rota, else office hours."""
        now = self.clock()
        candidates: list[datetime] = []
        shift = await self.duty.next_shift_start(guild_id, now)
        if shift is not None:
            candidates.append(shift[0])
        cfg = await self.settings.get(guild_id, PeerSettings)
        hours = office_hours(cfg)
        if hours is not None:
            opens = hours.next_open(now, office_tz(cfg))
            if opens is not None:
                candidates.append(opens)
        return min(candidates) if candidates else None
