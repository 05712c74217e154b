"""Interaction records: what the emulator sent the bot, and what the bot answered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .errors import DEFAULT_WAIT
from .models import JSON, Channel, Message, MessageFlags, User


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


class InteractionHost(Protocol):
    """What an :class:`Interaction` needs from the emulator that created it."""

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        *,
        timeout: float = ...,  # noqa: ASYNC109
        what: str = ...,
    ) -> Any: ...

    async def submit_modal(
        self,
        user: User,
        channel: Channel,
        custom_id: str,
        values: dict[str, Any],
        *,
        source: Interaction | None = ...,
        locale: str | None = ...,
    ) -> Interaction: ...


@dataclass
class InteractionResponse:
    """The bot's answer to an interaction (the callback), in a test-friendly shape."""

    type: int
    data: JSON
    message: Message | None = None
    """The message the callback created or updated (types 4, 5, 7), if any."""

    @property
    def content(self) -> str | None:
        if self.message is not None:
            return self.message.content
        return self.data.get("content")

    @property
    def embeds(self) -> list[JSON]:
        if self.message is not None:
            return self.message.embeds
        return self.data.get("embeds") or []

    @property
    def components(self) -> list[JSON]:
        if self.message is not None:
            return self.message.components
        return self.data.get("components") or []

    @property
    def inputs(self) -> list[JSON]:
        """A modal's inputs (text inputs and menus) in order, each as its component with the
        words a member reads above it: ``label`` and ``description`` from the Label around it
        (Discord's current layout), or the text input's own ``label`` in an action row (the
        deprecated one). Tests read a form the same way whichever layout the bot sent."""
        out: list[JSON] = []
        for comp in self.data.get("components") or [] if self.is_modal else []:
            if comp.get("type") == 18 and isinstance(comp.get("component"), dict):
                words = {k: comp[k] for k in ("label", "description") if k in comp}
                out.append({**comp["component"], **words})
            elif comp.get("type") == 1:
                out += [dict(child) for child in comp.get("components") or []]
        return out

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlags.EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.type in (
            CallbackType.DEFERRED_CHANNEL_MESSAGE,
            CallbackType.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def is_modal(self) -> bool:
        return self.type == CallbackType.MODAL

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices (type 8)."""
        return self.data.get("choices") or []

    @property
    def custom_id(self) -> str | None:
        """Modal custom_id (type 9)."""
        return self.data.get("custom_id")

    @property
    def title(self) -> str | None:
        return self.data.get("title")

    @property
    def text(self) -> str:
        if (
            self.type == CallbackType.DEFERRED_CHANNEL_MESSAGE
            and self.message is not None
            and self.message.loading
        ):
            # A deferral says nothing yet: a test reading it would check an empty string
            # (and an assertion that something is *not* in it could never fail).
            raise AssertionError(
                "the bot deferred this interaction: read its followups() or original_response()"
            )
        if self.message is not None:
            return self.message.text
        return self.content or ""


@dataclass(eq=False)
class Interaction:
    """An interaction delivered to the bot; await :meth:`response` / :meth:`followups`."""

    emulator: InteractionHost
    id: int
    token: str
    type: int
    user: User
    channel: Channel
    guild_id: int | None
    data: JSON
    payload: JSON
    message: Message | None = None
    """For component interactions: the message the component is on."""
    created_at: float = 0.0
    callback: InteractionResponse | None = None
    original: Message | None = None
    followup_messages: list[Message] = field(default_factory=list)
    modal: JSON | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def responded(self) -> bool:
        return self.callback is not None

    async def response(self, timeout: float = DEFAULT_WAIT) -> InteractionResponse:  # noqa: ASYNC109
        """Wait for the bot's interaction callback."""
        await self.emulator.wait_until(
            lambda: self.callback is not None,
            timeout=timeout,
            what=f"a response to interaction {self.describe()}",
        )
        assert self.callback is not None
        return self.callback

    async def answer(self, timeout: float = DEFAULT_WAIT) -> InteractionResponse | Message:  # noqa: ASYNC109
        """The answer as the person sees it: the callback, or after a deferral ("thinking…")
        the first followup or the edited original response, whichever comes first."""
        response = await self.response(timeout)
        if response.type != CallbackType.DEFERRED_CHANNEL_MESSAGE:
            return response
        await self.emulator.wait_until(
            lambda: (
                bool(self.followup_messages)
                or (self.original is not None and not self.original.loading)
            ),
            timeout=timeout,
            what=f"the answer after the deferral of interaction {self.describe()}",
        )
        if self.followup_messages:
            return self.followup_messages[0]
        assert self.original is not None
        return self.original

    async def followups(self, n: int = 1, timeout: float = DEFAULT_WAIT) -> list[Message]:  # noqa: ASYNC109
        """Wait until the bot sent at least ``n`` followup messages; returns all of them."""
        await self.emulator.wait_until(
            lambda: len(self.followup_messages) >= n,
            timeout=timeout,
            what=f"{n} followup(s) to interaction {self.describe()}",
        )
        return list(self.followup_messages)

    async def original_response(self, timeout: float = DEFAULT_WAIT) -> Message:  # noqa: ASYNC109
        """Wait for a non-loading original response message (e.g. after defer + edit)."""
        await self.emulator.wait_until(
            lambda: self.original is not None and not self.original.loading,
            timeout=timeout,
            what=f"the original response of interaction {self.describe()}",
        )
        assert self.original is not None
        return self.original

    async def submit_modal(
        self, values: dict[str, str], *, user: User | None = None
    ) -> Interaction:
        """Submit the modal the bot opened in response to this interaction."""
        resp = await self.response()
        if not resp.is_modal or resp.custom_id is None:
            raise AssertionError(f"interaction {self.describe()} was not answered with a modal")
        return await self.emulator.submit_modal(
            user or self.user, self.channel, resp.custom_id, values, source=self
        )

    def describe(self) -> str:
        name = self.data.get("name") or self.data.get("custom_id") or "?"
        return f"{self.id} (type {self.type}, {name!r})"

    def __repr__(self) -> str:
        return f"<Interaction {self.describe()} responded={self.responded}>"
