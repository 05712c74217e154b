"""About, help, settings and privacy: the commands every Kindred server has."""

from __future__ import annotations

import asyncio
import logging
import re
import weakref

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError, PermissionDeniedError
from bot.i18n import N_, gettext_for
from bot.schedules import unwrap_zone
from bot.services.peers import PeerSettings
from bot.services.privacy import CARD_CLEAR, CardToClear, TimerRow
from bot.services.resources import RegionPlace
from bot.services.settings import CoreSettings, SettingsSection, require_role
from bot.text import EMBED_FIELD, fit_lines
from bot.ui.checks import audience_of, moderator_only, works_in_dms
from bot.ui.lookup import ARCHIVED_THREAD, find_channel
from bot.ui.replies import COLOUR, localized, reader_language, send_private
from bot.ui.requests import relay_welcome_cleared_text
from bot.ui.setup_check import checkup_embed, gather_facts
from bot.ui.timezones import ZONE_FOLLOWED, followed_after_clear, timezone_autocomplete
from bot.ui.views import GuardedCallback

ABOUT_TITLE = N_("About Kindred")
ABOUT = N_(
    "Kindred helps this community support each other, the way peer support works: "
    "respect, shared responsibility, and agreeing together on what helps.\n\n"
    "• Ask for private support from an on-duty peer supporter.\n"
    "• Check in on how you're doing, in a channel or privately.\n"
    "• Read short self-help pages, keep goals with gentle nudges, and write a private "
    "wellness plan (`/selfhelp`, `/goal`, `/plan`).\n"
    "• Join support groups, each with its own channel and guidelines (`/group list`).\n"
    "• Find crisis lines, warmlines and respites for where you live with `/crisis`; "
    "if you write something hard, Kindred answers privately, in your language.\n\n"
    "Kindred is a bot, not a clinician: it never diagnoses, and it points to people and "
    "professional help where that fits. It stores as little as it can; `/forgetme` deletes "
    "what it holds about you. Use `/kindred help` to see the commands."
)

HELP_TITLES = {"member": "Everyone", "peer": "Peer supporters", "moderator": "Moderators"}
# each page's title whole, so a language can say it its own way
HELP_HEADINGS = {
    "member": N_("Kindred commands: everyone"),
    "peer": N_("Kindred commands: peer supporters"),
    "moderator": N_("Kindred commands: moderators"),
}


HELP_IN_DMS = N_("More commands work inside a server: run `/kindred help` there to see them.")
#: In DMs /support is left out with the other server commands, but it is how a member reaches
#: a peer: help names it first.
SUPPORT_IN_DMS = N_(
    "To talk with a peer supporter, run `/support` inside your server: it asks for support "
    "privately."
)

#: The moderator's answer to `/kindred set timezone`: who moves with the server's zone (nobody
#: named, whether or not anyone did).
SERVER_ZONE_FOLLOWED = N_(
    "Goal nudges and personal check-ins that members set here without a time zone of their "
    "own now come at their times in **{zone}**."
)


def help_embed(
    tree: app_commands.CommandTree, audience: str, lang: str = "en", in_dms: bool = False
) -> discord.Embed:
    """Built from the command tree itself, so help never drifts from the real commands.
    One page per audience keeps each answer short and inside Discord's embed limits. The
    title, footer and the commands' descriptions are in ``lang`` (the descriptions from the
    catalogue the command picker's translations come from, ``bot/ui/translator.py``; English
    where a text is untranslated). In DMs, commands that only work inside a server are left
    out, and one line says so."""
    _ = gettext_for(lang)
    lines = sorted(
        f"`/{command.qualified_name}`: {_(command.description)}"
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
        and audience_of(command) == audience
        and (not in_dms or works_in_dms(command))
    )
    embed = discord.Embed(title=_(HELP_HEADINGS[audience]), colour=COLOUR)
    if in_dms:
        embed.description = _(SUPPORT_IN_DMS) + "\n" + _(HELP_IN_DMS)
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > 1024:
            embed.add_field(name="\u200b", value=text, inline=False)
            text = ""
        text += line + "\n"
    if text:
        embed.add_field(name="\u200b", value=text, inline=False)
    others = [f"`/kindred help {key}`" for key in HELP_TITLES if key != audience]
    more = _("More: {commands}").format(commands=", ".join(o.strip("`") for o in others))
    embed.set_footer(text=more)
    return embed


FORGET_QUESTION = N_(
    "Delete everything Kindred holds about you, in every server? That is your preferences, "
    "support requests, duty and shifts, check-ins and moods, goals, your wellness plan, your "
    "support group memberships, pseudonyms and meeting choices, and crisis-event records. It "
    "can't be undone. (`/plan export` first if you'd like a copy of your plan.)"
)
FORGET_KEPT = N_("Kept. Nothing was deleted; `/forgetme` asks again whenever you like.")
FORGET_DONE_ONE = N_(
    "Done. I deleted {total} stored item about you. Anonymous counts (like check-in "
    "totals) keep no link to you."
)
FORGET_DONE = N_(
    "Done. I deleted {total} stored items about you. Anonymous counts (like "
    "check-in totals) keep no link to you."
)
FORGET_ALREADY = N_(
    "That's already done: I deleted what I held about you when you first pressed. There's "
    "nothing more to delete."
)
FORGET_LABELS = {"delete": N_("Delete everything"), "keep": N_("Keep my data")}


class ForgetButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:forget:(?P<action>delete|keep):(?P<user>\d+)",
):
    """The confirmation of ``/forgetme``: only the member it was shown to can use it; nothing
    is deleted until they press "Delete everything" (left alone, it deletes nothing)."""

    def __init__(self, action: str, user_id: int, label: str | None = None) -> None:
        style = discord.ButtonStyle.danger if action == "delete" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or FORGET_LABELS[action],
                style=style,
                custom_id=f"kindred:forget:{action}:{user_id}",
            )
        )
        self.action, self.user_id = action, user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ForgetButton:
        return cls(match["action"], int(match["user"]))

    async def run(self, interaction: discord.Interaction) -> None:
        cog = interaction.client.get_cog("Core")
        if cog is None:
            raise InvalidInputError(N_("That isn't available right now; nothing was deleted."))
        await cog.on_forget(interaction, self.action, self.user_id)  # type: ignore[attr-defined]


def forget_view(user_id: int, lang: str = "en") -> discord.ui.View:
    """/forgetme's question's buttons, labelled in the member's language."""
    _ = gettext_for(lang)
    view = discord.ui.View(timeout=None)
    for action in ("delete", "keep"):
        view.add_item(ForgetButton(action, user_id, _(FORGET_LABELS[action])))
    return view


# The settings sections' titles (``SettingsSection.title``), marked here where they are shown.
SECTION_TITLES = (N_("General"), N_("Peer support"), N_("Crisis resources"), N_("Check-ins"))


def _format_value(value: object, lang: str = "en") -> str:
    _ = gettext_for(lang)
    if value is None:
        return _("not set")
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or _("none")
    return str(value)


def settings_embed(sections: list[SettingsSection], lang: str = "en") -> discord.Embed:
    """/kindred settings for a moderator, in ``lang``: the title, the sections' titles and the
    words for a value (not set, on, off, none); the settings' names stay as typed in commands."""
    _ = gettext_for(lang)
    embed = discord.Embed(title=_("Kindred settings"), colour=COLOUR)
    more = _("…and {n} more.")
    for section in sections:
        lines = [
            f"`{name}`: {_format_value(getattr(section, name), lang)}"
            for name in type(section).model_fields
        ]
        value = fit_lines(lines, EMBED_FIELD, more) or "—"  # whole settings, and the rest's count
        embed.add_field(name=_(section.title), value=value, inline=False)
    return embed


log = logging.getLogger(__name__)


def cleared_card_text(card: CardToClear) -> str:
    """The one line a card becomes after its member's /forgetme: no name, no words (channel
    posts stay English)."""
    if card.card == "alert" and card.concern:
        return "This possible-concern item was withdrawn."
    if card.card == "alert":
        return "This crisis alert was withdrawn."
    if card.relay_welcome:
        return relay_welcome_cleared_text(card.number)
    if card.live:
        return f"Request #{card.number} was withdrawn."
    return f"Request #{card.number} ended."


def card_refused_text(card: CardToClear) -> str:
    """For the moderators: a card Kindred may no longer edit still shows a member who
    deleted their data (named here by nobody)."""
    return (
        f"I couldn't take a member's details off one of my messages in <#{card.channel_id}>: "
        "they deleted their data with `/forgetme`, but Discord no longer lets me edit my "
        f"messages there. Please delete it yourselves: {card.jump_url}"
    )


def card_given_up_text(card: CardToClear) -> str:
    """For the moderators: Discord kept failing the edit of a card for a week, so Kindred
    stopped trying; it still shows a member who deleted their data (named here by nobody)."""
    return (
        f"I couldn't take a member's details off one of my messages in <#{card.channel_id}>: "
        "they deleted their data with `/forgetme`, but Discord kept failing when I tried to "
        "edit it, so after a week I've stopped trying. Please delete it yourselves: "
        f"{card.jump_url}"
    )


class Core(commands.Cog):
    kindred = app_commands.Group(name="kindred", description="About Kindred, help and settings.")
    set_group = app_commands.Group(
        name="set", description="Change general settings (moderators).", parent=kindred
    )

    timezone = app_commands.Group(
        name="timezone", description="Your own time zone, for the times Kindred reads and shows."
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services = bot.services  # type: ignore[attr-defined]
        self._card_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def cog_load(self) -> None:
        await self.services.privacy.start_retention()
        self.services.scheduler.register(CARD_CLEAR, self._on_card_clear)
        self.bot.add_dynamic_items(ForgetButton)

    async def _on_card_clear(self, timer: TimerRow) -> None:
        """A card of something /forgetme deleted (stored with the deletion): edit it to one
        line naming nobody and quoting nothing; Kindred's copy of the member's words in a
        relay thread is deleted. Gone (404): done. Refused (403): the
        moderators are told once and it is given up. Discord failing for a moment: again
        later, with backoff, until it is taken."""
        await self.bot.wait_until_ready()
        privacy = self.services.privacy
        card = privacy.on_card_clear(timer)
        try:
            async with self._place_lock(card.channel_id):
                await self._clear_card(card)
        except discord.NotFound:
            return  # the card is gone: nothing of the member is left on it
        except discord.Forbidden:
            log.info("guild %s: a forgotten member's card can't be edited", card.guild_id)
            if await privacy.card_refused_tell(card):
                await self._tell_moderators_of(card)
        except (TimeoutError, discord.HTTPException, aiohttp.ClientError) as exc:
            due = await privacy.card_clear_later(timer)
            status = getattr(exc, "status", type(exc).__name__)
            log.info("guild %s: card clearing failed (%s); again at %s", card.guild_id, status, due)
            if due is None:  # failing for a week: given up, and the moderators told once
                await self._tell_moderators_of(card, card_given_up_text(card))

    def _place_lock(self, channel_id: int) -> asyncio.Lock:
        """One card clearing at a time per channel: an archived thread is unarchived, its
        card taken off and archived again by one clearing before the next looks."""
        lock = self._card_locks.get(channel_id)
        if lock is None:
            lock = self._card_locks[channel_id] = asyncio.Lock()
        return lock

    async def _clear_card(self, card: CardToClear) -> None:
        """Take the card off. Discord refuses to edit or delete a message in an archived
        thread (a relay thread is archived and locked when its member forgets): the thread
        is unarchived (it stays locked), the card taken off, and the thread archived again."""
        channel = self.bot.get_partial_messageable(card.channel_id, guild_id=card.guild_id)
        message = channel.get_partial_message(card.message_id)
        try:
            await self._take_off(card, message)
            return
        except discord.HTTPException as exc:
            if exc.code != ARCHIVED_THREAD:
                raise
            refused = exc
        # gone (404) or hidden from Kindred (403): handled by the caller as for the card
        thread = self.bot.get_channel(card.channel_id) or await self.bot.fetch_channel(
            card.channel_id
        )
        if not isinstance(thread, discord.Thread):
            raise refused  # not a thread after all: tried again later
        await thread.edit(archived=False)  # it stays locked
        try:
            await self._take_off(card, message)
        finally:
            try:
                await thread.edit(archived=True)
            except discord.HTTPException as exc:
                log.info("thread %s: could not archive it again (%s)", thread.id, exc.status)

    @staticmethod
    async def _take_off(card: CardToClear, message: discord.PartialMessage) -> None:
        if card.deleted:  # the member's words Kindred copied into a relay thread
            await message.delete()
        else:
            await message.edit(content=cleared_card_text(card), embed=None, view=None)

    async def _tell_moderators_of(self, card: CardToClear, text: str | None = None) -> None:
        guild_id = card.guild_id
        if card.card == "alert":
            mods = (await self.services.safety.alert_channels(guild_id)).moderators
        else:
            mods = (await self.services.settings.get(guild_id, PeerSettings)).mod_channel_id
        channel = await find_channel(self.bot, mods)
        if channel is None:
            log.warning("guild %s: no moderator channel to tell of a card refused", guild_id)
            return
        try:
            await channel.send(
                text or card_refused_text(card), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            log.warning("guild %s: moderators could not be told (%s)", guild_id, exc.status)

    @kindred.command(name="about")
    async def about(self, interaction: discord.Interaction) -> None:
        """What Kindred does, what it stores, and where to get help."""
        _ = gettext_for(await reader_language(interaction))
        embed = discord.Embed(title=_(ABOUT_TITLE), description=_(ABOUT), colour=COLOUR)
        await send_private(interaction, embed=embed)

    @kindred.command(name="help")
    @app_commands.describe(audience="Whose commands to show (default: everyone's)")
    @app_commands.choices(
        audience=[app_commands.Choice(name=title, value=key) for key, title in HELP_TITLES.items()]
    )
    async def help(self, interaction: discord.Interaction, audience: str = "member") -> None:
        """Kindred's commands for members, peer supporters and moderators."""
        lang = await reader_language(interaction)
        in_dms = interaction.guild_id is None
        embed = help_embed(self.bot.tree, audience, lang, in_dms=in_dms)
        await send_private(interaction, embed=embed)

    @kindred.command(name="settings")
    @moderator_only()
    async def settings(self, interaction: discord.Interaction) -> None:
        """Show this server's Kindred settings (moderators)."""
        assert interaction.guild_id is not None
        sections = await self.services.settings.all_sections(interaction.guild_id)
        lang = await reader_language(interaction)
        await send_private(interaction, embed=settings_embed(sections, lang))

    @kindred.command(name="setup")
    @moderator_only()
    async def setup_check(self, interaction: discord.Interaction) -> None:
        """Check Kindred's set-up here: permissions, channels, roles, region (moderators)."""
        guild = interaction.guild
        assert guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        needs = await self.services.doctor.needs(guild.id)
        facts = await gather_facts(self.bot, guild, needs)
        checkup = self.services.doctor.examine(needs, facts)
        lang = await reader_language(interaction)
        await send_private(interaction, embed=checkup_embed(checkup, lang))

    @set_group.command(name="moderator-role")
    @moderator_only()
    @app_commands.describe(role="Members with this role may use moderator commands.")
    async def set_moderator_role(
        self, interaction: discord.Interaction, role: discord.Role
    ) -> None:
        """Choose the role whose members may use Kindred's moderator commands."""
        assert interaction.guild_id is not None
        require_role(
            "moderator", interaction.guild_id, role.id, managed=role.managed, name=role.name
        )
        before = await self.services.settings.get(interaction.guild_id, CoreSettings)
        await self.services.settings.update(
            interaction.guild_id, CoreSettings, interaction.user.id, moderator_role_id=role.id
        )
        groups = []
        if before.moderator_role_id != role.id:
            groups = await self.services.groups.seen_by_role(interaction.guild_id, moderator=True)
        text = N_("Moderator role set to {role}.")
        n = len(groups)
        if groups:  # the groups feature updates their channels (features talk by events)
            self.bot.dispatch("kindred_group_access", interaction.guild_id, [g.id for g in groups])
            text = (
                N_(
                    "Moderator role set to {role}. I'm letting it into the channel of {n} "
                    "private or archived support group too."
                )
                if n == 1
                else N_(
                    "Moderator role set to {role}. I'm letting it into the channels of {n} "
                    "private or archived support groups too."
                )
            )
        await send_private(interaction, await localized(interaction, text, role=role.mention, n=n))

    @set_group.command(name="timezone")
    @moderator_only()
    @app_commands.describe(timezone="An IANA time zone, e.g. Europe/London or America/Chicago.")
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def set_timezone(self, interaction: discord.Interaction, timezone: str) -> None:
        """Set the server's home time zone (used when a member has not set their own)."""
        assert interaction.guild_id is not None
        updated = await self.services.settings.update(
            interaction.guild_id, CoreSettings, interaction.user.id, timezone=timezone
        )
        # what members with no zone of their own set here without `tz:` keeps to the server's
        await self.services.zones.server_zone_changed(interaction.guild_id)
        text = N_("Server time zone set to **{zone}**.")
        reply = await localized(interaction, text, zone=updated.timezone)
        reply += "\n" + await localized(interaction, SERVER_ZONE_FOLLOWED, zone=updated.timezone)
        await send_private(interaction, reply)

    @set_group.command(name="region")
    @moderator_only()
    @app_commands.describe(region="ISO code such as US, GB, CA, AU, US-NY: the default for lines.")
    async def set_region(self, interaction: discord.Interaction, region: str) -> None:
        """Set the default region for crisis lines and resources."""
        assert interaction.guild_id is not None
        updated = await self.services.settings.update(
            interaction.guild_id, CoreSettings, interaction.user.id, default_region=region
        )
        text = N_("Default region set to **{region}**.")
        code = updated.default_region
        place = RegionPlace(code) if code else code  # in the moderator's language
        await send_private(interaction, await localized(interaction, text, region=place))

    @timezone.command(name="set")
    @app_commands.describe(zone="An IANA time zone, e.g. Europe/London or America/Chicago.")
    @app_commands.autocomplete(zone=timezone_autocomplete)
    async def timezone_set(self, interaction: discord.Interaction, zone: str) -> None:
        """Set your own time zone (for "on duty until 17:00", goals and the times shown)."""
        zones = self.services.zones
        name, moved = await zones.set_followed(interaction.user.id, zone)
        now = zones.local_now(name)
        # As read (no backticks or quotes around it), and never a backtick inside the span.
        typed = " ".join(unwrap_zone(zone).replace("`", "'").split())
        text = (
            N_(
                "Your time zone is **{zone}** (it's {now} there now). I read `{typed}` as this "
                "zone, so daylight saving time is handled for you. `/timezone clear` goes back "
                "to the server's."
            )
            if typed.lower() != name.lower()
            else N_(
                "Your time zone is **{zone}** (it's {now} there now). `/timezone clear` goes "
                "back to the server's."
            )
        )
        params = {"zone": name, "now": f"{now:%H:%M}", "typed": typed[:40]}
        reply = await localized(interaction, text, **params)
        if moved:  # what the member set without `tz:` keeps to their time
            reply += "\n" + await localized(interaction, ZONE_FOLLOWED[frozenset(moved)], zone=name)
        await send_private(interaction, reply)

    @timezone.command(name="clear")
    async def timezone_clear(self, interaction: discord.Interaction) -> None:
        """Forget your time zone: the server's home zone is used again."""
        user_id = interaction.user.id
        moved = await self.services.zones.clear_followed(user_id)
        text = N_("Your time zone is cleared; the server's is used.")
        reply = await localized(interaction, text)
        followed = await followed_after_clear(interaction, self.services.zones, moved)
        if followed:  # what the member set without `tz:` goes with it, as at `/timezone set`
            reply += "\n" + followed
        await send_private(interaction, reply)

    @app_commands.command(name="forgetme")
    async def forgetme(self, interaction: discord.Interaction) -> None:
        """Delete everything Kindred stores about you, in every server."""
        lang = await reader_language(interaction)
        await send_private(
            interaction,
            await localized(interaction, FORGET_QUESTION),
            view=forget_view(interaction.user.id, lang),
        )

    async def on_forget(self, interaction: discord.Interaction, action: str, user_id: int) -> None:
        """The confirmation's buttons: only the member who ran ``/forgetme`` may press them."""
        if user_id != interaction.user.id:
            raise PermissionDeniedError(N_("That button was for someone else; nothing changed."))
        privacy = self.services.privacy
        # the question this press answers: once "Delete everything" was pressed on it, a later
        # or concurrent press (either button) leaves the first answer in place
        question = interaction.message.id if interaction.message else None
        if action != "delete":
            if await privacy.forgotten_by(question):
                await send_private(interaction, await localized(interaction, FORGET_ALREADY))
                return
            text, params = FORGET_KEPT, {}
        else:
            follow_ups: list[object] = []
            removed = await privacy.forget_once(user_id, question, follow_ups)
            if follow_ups:  # what Discord still shows of the deleted rows: each feature's cog
                self.bot.dispatch("kindred_member_forgotten", user_id, follow_ups)
            if removed is None:
                await send_private(interaction, await localized(interaction, FORGET_ALREADY))
                return
            total = sum(removed.values())
            text, params = (FORGET_DONE_ONE if total == 1 else FORGET_DONE), {"total": total}
        await interaction.response.edit_message(
            content=await localized(interaction, text, **params), view=None
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Core(bot))
