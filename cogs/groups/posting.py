"""Anonymous posts (``/group post``, a command or a modal), the moderators' audited reveal
(``/group reveal``), and what Kindred notices in passing in a server's messages: content notes
(a private reminder to use spoiler tags) and members' roles (to keep memberships in step)."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ConflictError, InvalidInputError, KindredError
from bot.i18n import N_, render
from bot.services import Services
from bot.services.groups import MAX_POST, MAX_REASON, GroupRow, GroupService, Reveal
from bot.ui.checks import moderator_only
from bot.ui.lookup import find_user
from bot.ui.replies import localized, send_private
from bot.ui.views import KindredModal, text_input
from cogs.groups.groups import group as group_cmd
from cogs.groups.groups import my_group_autocomplete
from cogs.groups.views import anonymous_embed

log = logging.getLogger(__name__)

#: How long a content note waits for the safety listener: someone it cared for (a private
#: reply, an alert for peers) gets that, never a nudge about spoiler tags.
NOTE_DELAY = 1.5


def content_note_text(group: GroupRow, *, anonymous: bool = False, lang: str = "en") -> str:
    """The spoiler-tag reminder DM, whole, in the member's ``lang``."""
    if anonymous:  # Kindred wrote the post, so its author can't edit it: a note for next time
        text = N_(
            "A gentle note from Kindred about your anonymous post in **{group}**: this group "
            "asks that heavy topics (like self-harm, abuse or suicide) go behind spoiler tags, "
            "||like this||, so others can choose when to read. Next time you can put the tags "
            "in the text you give `/group post`. Nothing was removed, nobody else saw this note, "
            "and your post stays anonymous. Thank you for sharing."
        )
    else:
        text = N_(
            "A gentle note from Kindred about your message in **{group}**: this group asks that "
            "heavy topics (like self-harm, abuse or suicide) go behind spoiler tags, ||like "
            "this||, so others can choose when to read. Nothing was removed and nobody else saw "
            "this note. Thank you for sharing."
        )
    return render(lang, text, group=group.name)


#: The member's DM after ``/group reveal``, in the member's language.
REVEAL_TOLD = N_(
    "A moderator looked up who wrote an anonymous post of yours in **{group}**. "
    "Reason given: {reason}"
)
#: The moderator's answer, by (the post had a pseudonym, the member was told by DM).
REVEALED = {
    (True, True): N_(
        "That post in **{group}** (as {pseudonym}) was written by <@{user}>. This look-up is "
        "in the audit log, and they were told by DM."
    ),
    (False, True): N_(
        "That post in **{group}** (as a pseudonym) was written by <@{user}>. This look-up is "
        "in the audit log, and they were told by DM."
    ),
    (True, False): N_(
        "That post in **{group}** (as {pseudonym}) was written by <@{user}>. This look-up is "
        "in the audit log, but I couldn't tell them: Kindred couldn't send them a DM (their "
        "DMs may be closed). Please let them know another way."
    ),
    (False, False): N_(
        "That post in **{group}** (as a pseudonym) was written by <@{user}>. This look-up is "
        "in the audit log, but I couldn't tell them: Kindred couldn't send them a DM (their "
        "DMs may be closed). Please let them know another way."
    ),
}


class PostModal(KindredModal, title="Post anonymously"):
    text: discord.ui.Label = discord.ui.Label(
        text="Your message (your name isn't shown)",
        component=discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=MAX_POST,
            custom_id="text",
        ),
    )

    def __init__(self, cog: PostingCommands, group_id: int) -> None:
        super().__init__(custom_id="kindred:grp:post")
        self.cog = cog
        self.group_id = group_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.post_anonymously(interaction, self.group_id, text_input(self.text).value)


class PostingCommands:
    """Mixed into the ``Groups`` cog."""

    bot: commands.Bot
    services: Services
    service: GroupService
    _listening: bool

    @group_cmd.command(name="post", extras={"server_only": True})
    @app_commands.describe(
        name="Which group (default: the group whose channel you're in)",
        text="What to post (empty: a form opens, for longer messages)",
    )
    @app_commands.autocomplete(name=my_group_autocomplete)
    async def post(
        self, interaction: discord.Interaction, name: str | None = None, text: str | None = None
    ) -> None:
        """Post in a group anonymously, under a pseudonym (groups that allow it)."""
        if interaction.guild_id is None:
            text = N_("Groups live in a server; run this there.")
            await send_private(interaction, await localized(interaction, text))
            return
        if name:
            group = await self.service.by_name(interaction.guild_id, name)
        else:
            found = await self.service.by_channel(interaction.guild_id, interaction.channel_id or 0)
            if found is None:
                raise InvalidInputError(
                    N_("Name the group to post in (or run this in its channel).")
                )
            group = found
        if text is None:
            await self.service.plan_post(interaction.guild_id, group.id, interaction.user.id, "-")
            await interaction.response.send_modal(PostModal(self, group.id))
            return
        await self.post_anonymously(interaction, group.id, text)

    async def post_anonymously(
        self, interaction: discord.Interaction, group_id: int, text: str
    ) -> None:
        assert interaction.guild is not None
        plan = await self.service.plan_post(
            interaction.guild.id, group_id, interaction.user.id, text
        )
        channel = interaction.guild.get_channel(plan.group.channel_id or 0)
        if channel is None:
            raise ConflictError(N_("**{group}** has no channel right now."), group=plan.group.name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            message = await channel.send(embed=anonymous_embed(plan))  # type: ignore[union-attr]
        except discord.HTTPException as exc:
            raise ConflictError(
                N_("I couldn't post in <#{channel}> just now; nothing was posted."),
                channel=channel.id,
            ) from exc
        await self.service.posted(plan, message.id)
        # The bot is the author on Discord, so the message listeners (which skip bots: the
        # safety listener, and the content notes below) would never see these words: hand them
        # on with the real author, by event (no cog import).
        # The interaction goes too: if the author's DMs are closed, a private follow-up of it
        # is the one way left to reach them without naming them.
        interaction.client.dispatch(
            "kindred_anonymous_post", message, interaction.user, plan.text, interaction
        )
        posted = N_(
            "Posted in <#{channel}> as **{pseudonym}** (your name in this group stays hidden; "
            "only a moderator can look it up, with a logged reason, and you'd be told by DM if "
            "your DMs are open)."
        )
        await send_private(
            interaction,
            await localized(interaction, posted, channel=channel.id, pseudonym=plan.pseudonym),
        )

    @group_cmd.command(name="reveal")
    @moderator_only()
    @app_commands.describe(
        message="The anonymous post's link (or id)", reason="Why you need to know (logged)"
    )
    async def reveal(
        self,
        interaction: discord.Interaction,
        message: str,
        reason: app_commands.Range[str, 1, MAX_REASON],
    ) -> None:
        """Reveal who wrote an anonymous group post (logged; told by DM if open) (moderators)."""
        assert interaction.guild_id is not None
        found = await self.service.reveal(
            interaction.guild_id, message, interaction.user.id, reason
        )
        # the DM first (the look-up is stored already, outside any transaction), so the
        # moderator reads whether the member was really told
        await interaction.response.defer(ephemeral=True, thinking=True)
        told = await self._tell_revealed(found)
        await send_private(
            interaction,
            await localized(
                interaction,
                REVEALED[bool(found.pseudonym), told],
                group=found.group.name,
                pseudonym=found.pseudonym or "",
                user=found.user_id,
            ),
        )

    async def _tell_revealed(self, found: Reveal) -> bool:
        """DM the member, in their language, that a moderator looked them up and why; False
        when the DM could not be sent (their DMs closed, or Discord refused)."""
        try:
            user = await find_user(self.bot, found.user_id)
            lang = await self.services.safety.language_for(found.user_id)
            text = KindredError(REVEAL_TOLD, group=found.group.name, reason=found.reason)
            await user.send(text.message_in(lang))
        except discord.HTTPException:
            log.info("reveal: could not tell member (guild %s)", found.group.guild_id)
            return False
        return True

    # -- noticing in passing ---------------------------------------------------------------------
    async def _listen_if_needed(self) -> None:
        """Listen to messages only once some server has a group: every message costs each
        listener a task, and a bot with no groups should not pay for them."""
        if not self._listening and await self.service.guilds_with_groups():
            self.bot.add_listener(self._groups_on_message, "on_message")
            self._listening = True

    async def _groups_on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot:
            return
        guild_id, user_id = message.guild.id, message.author.id
        known = self.service.cached_index(guild_id)
        if known is not None and not known.by_role:
            return  # a server without groups: nothing to notice
        roles = getattr(message.author, "roles", None)
        if roles is not None:
            await self.service.observe(guild_id, user_id, [r.id for r in roles])
        if message.content:
            await self._content_note(message, message.author, message.content)

    @commands.Cog.listener()
    async def on_kindred_anonymous_post(
        self,
        message: discord.Message,
        author: discord.abc.User,
        text: str,
        interaction: discord.Interaction | None = None,
    ) -> None:
        """An anonymous post gets the same reminder as a message, by DM to its real author
        (after it is posted, as a message's is: see docs/member-guide.md)."""
        if message.guild is not None and text:
            await self._content_note(message, author, text, anonymous=True)

    async def _content_note(
        self,
        message: discord.Message,
        author: discord.abc.User,
        text: str,
        *,
        anonymous: bool = False,
    ) -> None:
        """A private reminder to use spoiler tags, when the group asks for them and the words
        name a heavy topic without them (at most one per member and group every few hours)."""
        assert message.guild is not None
        guild_id, channel_id = message.guild.id, message.channel.id
        group = await self.service.note_due(guild_id, channel_id, author.id, text)
        if group is None:
            return
        await asyncio.sleep(NOTE_DELAY)
        if await self.services.safety.cared_for(guild_id, channel_id, author.id):
            return  # the safety listener's reply or alert reached them: care, not a reminder
        if not await self.services.once.first("group-note", message.id):
            return  # in a cluster, another process holding this shard reminded them
        try:
            lang = await self.services.safety.language_for(author.id)
            await author.send(content_note_text(group, anonymous=anonymous, lang=lang))
        except discord.HTTPException:
            log.info("content note: DMs closed (guild %s, group %s)", guild_id, group.id)
