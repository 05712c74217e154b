"""Topic and lived-experience tags: the list a server offers, and the ones each peer shares."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.repositories.tags import TagRepository
from bot.errors import ConflictError, InvalidInputError, NotFoundError
from bot.i18n import N_

MAX_TAG = 40
#: What the choosers split a list of tags on (``/duty tags`` on commas, the request form on
#: commas and semicolons): a tag holding one could never be chosen.
SEPARATORS = (",", ";")


@dataclass(frozen=True)
class RemovedTag:
    tag: str  # as the server spelled it
    peers: int  # how many peers had chosen it (and no longer have it)


def tag_key(tag: str) -> str:
    """How tags are compared: trimmed, in any case ("Grief" is "grief")."""
    return tag.strip().casefold()


class TagService:
    def __init__(self, repo: TagRepository) -> None:
        self.repo = repo

    async def guild_tags(self, guild_id: int) -> list[str]:
        """The server's tags, each once: spellings stored before tags were compared in any
        case ("Grief" and "grief") are one tag, shown as the first of them in the list."""
        seen: dict[str, str] = {}
        for tag in await self.repo.guild_tags(guild_id):
            seen.setdefault(tag_key(tag), tag)
        return list(seen.values())

    async def add_guild_tag(self, guild_id: int, tag: str) -> bool:
        return await self.repo.add_guild_tag(guild_id, tag)

    async def peer_tags(self, guild_id: int, user_id: int) -> list[str]:
        return await self.repo.peer_tags(guild_id, user_id)

    async def set_peer_tags(self, guild_id: int, user_id: int, tags: list[str]) -> None:
        await self.repo.set_peer_tags(guild_id, user_id, tags)

    async def add(self, guild_id: int, text: str) -> str:
        """A moderator adds a tag; returns it as stored (trimmed; longer than 40 characters
        is refused, never stored cut)."""
        clean = text.strip()
        if not clean:
            raise InvalidInputError(N_("A tag needs at least one letter."))
        if any(mark in clean for mark in SEPARATORS):
            raise InvalidInputError(
                N_(
                    "A tag can't hold a comma or a semicolon: peers and members list several "
                    "tags separated by them. Add each tag on its own, e.g. `anxiety`, then "
                    "`panic`."
                )
            )
        if len(clean) > MAX_TAG:
            raise InvalidInputError(
                N_(
                    "A tag fits in {most} characters (this one has {length}); a word or two is "
                    "enough, e.g. grief."
                ),
                most=MAX_TAG,
                length=len(clean),
            )
        existing = [t for t in await self.repo.guild_tags(guild_id) if tag_key(t) == tag_key(clean)]
        if existing or not await self.repo.add_guild_tag(guild_id, clean):
            raise ConflictError(
                N_("**{tag}** is already a tag here."), tag=existing[0] if existing else clean
            )
        return clean

    async def remove(self, guild_id: int, tag: str) -> RemovedTag:
        """Removes the tag in any case (every spelling stored before tags were compared in any
        case) from the server's list and from every peer who chose it, in one transaction;
        returns it as the server spelled it and how many peers lost it. Open requests keep the
        tags their members chose (what they asked for; no peer matches a removed tag, so they
        reach every peer on duty)."""
        removed, peers = await self.repo.remove_everywhere(guild_id, tag_key(tag))
        if not removed:
            shown = tag if len(tag) <= MAX_TAG else tag[: MAX_TAG - 1] + "…"
            raise NotFoundError(N_("There is no tag **{tag}**."), tag=shown)
        return RemovedTag(removed[0], peers)

    async def choose(self, guild_id: int, user_id: int, text: str) -> list[str]:
        """A peer's comma-separated choice, matched to the server's tags (any case); replaces
        their tags and returns them as the server spells them."""
        known = {tag_key(t): t for t in await self.guild_tags(guild_id)}
        chosen = []
        for raw in text.split(","):
            key = tag_key(raw)
            if not key:
                continue
            if key not in known and known:
                raise InvalidInputError(
                    N_("`{tag}` is not a tag here. Tags: {tags}."),
                    tag=raw.strip(),
                    tags=", ".join(known.values()),
                )
            if key not in known:
                raise InvalidInputError(
                    N_("`{tag}` is not a tag here. Tags: none yet."), tag=raw.strip()
                )
            chosen.append(known[key])
        await self.repo.set_peer_tags(guild_id, user_id, chosen)
        return chosen
