"""Reading the library: which topics a member sees, and which page a button press shows.

A page button carries its server (``scope``: the server the topic was opened in, 0 in DMs),
the topic and the page to show, so it works after a restart. A press from another server than
the one in the button changes nothing and shows nothing: a server's own pages stay its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import NotFoundError, PermissionDeniedError
from bot.i18n import N_
from bot.services.selfhelp.library import Library, Page, fold

LanguageFor = Callable[[int], Awaitable[str]]

# what a topic typed with no page of its own offers at most: a short list, not the library
MATCHES_SHOWN = 8


@dataclass(frozen=True)
class Matches:
    """The pages matching what a member typed when no page is called that: the first
    ``MATCHES_SHOWN`` of them, in the library's search order, and how many more there are."""

    pages: list[Page]
    more: int = 0


@dataclass(frozen=True)
class Reading:
    """One page of one topic, for one reader."""

    topic: Page
    index: int
    scope: int

    @property
    def count(self) -> int:
        return self.topic.count

    @property
    def text(self) -> str:
        return self.topic.pages[self.index]

    @property
    def first(self) -> bool:
        return self.index == 0

    @property
    def last(self) -> bool:
        return self.index == self.count - 1


def _not_found() -> NotFoundError:
    return NotFoundError(
        N_("I couldn't find that topic. `/selfhelp` with no topic lists them all.")
    )


def scope_of(guild_id: int | None) -> int:
    return guild_id or 0


class LibraryService:
    def __init__(self, library: Library, language_for: LanguageFor) -> None:
        self.library = library
        self.language_for = language_for

    async def topics(self, guild_id: int | None, user_id: int) -> list[Page]:
        return self.library.topics(guild_id, await self.language_for(user_id))

    async def suggest(self, guild_id: int | None, user_id: int, text: str) -> list[Page]:
        return self.library.search(text, guild_id, await self.language_for(user_id))

    async def open(self, guild_id: int | None, user_id: int, slug: str, index: int = 0) -> Reading:
        page = self.library.find(slug, guild_id, await self.language_for(user_id))
        if page is None:
            raise _not_found()
        return Reading(page, min(max(index, 0), page.count - 1), scope_of(guild_id))

    async def look_up(self, guild_id: int | None, user_id: int, typed: str) -> Reading | Matches:
        """What ``/selfhelp topic:`` shows for what a member typed: the page called that (its
        name or title); else the library's own search (title, name, tag, summary): one page
        that matches opens, several are offered as a short list; none is not found."""
        language = await self.language_for(user_id)
        page = self.library.find(typed, guild_id, language)
        if page is None:
            # nothing left to search for (only punctuation) matches nothing, not everything
            found = self.library.search(typed, guild_id, language) if fold(typed) else []
            if not found:
                raise _not_found()
            if len(found) > 1:
                return Matches(found[:MATCHES_SHOWN], max(len(found) - MATCHES_SHOWN, 0))
            page = found[0]
        return Reading(page, 0, scope_of(guild_id))

    async def turn(
        self, scope: int, guild_id: int | None, user_id: int, slug: str, index: int
    ) -> Reading:
        """The page a Previous/Next button asks for, if it belongs to this server."""
        if scope != scope_of(guild_id):
            raise PermissionDeniedError(
                N_(
                    "That button belongs to another server's library; "
                    "`/selfhelp` here opens this one."
                )
            )
        try:
            return await self.open(guild_id, user_id, slug, index)
        except NotFoundError:
            raise NotFoundError(
                N_("That page is no longer in the library. `/selfhelp` lists what is there now.")
            ) from None
