"""Crisis language and resources: private, kind replies; alerts to on-duty peers; /crisis.

The detector (bot.safety) reads each message once; the safety service decides what to do.
Kindred never deletes, punishes or exposes the member: replies go by DM (or, if DMs are closed,
a brief channel note that mentions only them, quotes nothing, and deletes itself), alerts go to
the peer channel with a jump link, and nothing of the message text is stored or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.db.repositories.core import TimerRow
from bot.i18n import lang_from_locale
from bot.safety import Label
from bot.safety.assess import Assessment, Assessor
from bot.safety.messages import (
    button_labels,
    channel_fallback_text,
    concern_other_reply,
    crisis_command_reply,
    crisis_reply,
    distress_pointer,
    format_entry,
    listing,
    needs_reply,
    opt_out_text,
    possible_concern_reply,
    respites_for_state_text,
)
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.resources import country_of, default_directory, normalize_region
from bot.services.safety import GUILD_RESOURCE_KINDS, LANGUAGES, Decision, SafetySettings
from bot.ui.checks import GuildOnlyError, is_peer_or_moderator, moderator_only
from bot.ui.lookup import find_channel, find_user
from bot.ui.replies import COLOUR, send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.resources import context, safe_embed
from bot.ui.views import GuardedCallback

log = logging.getLogger(__name__)

DELETE_FALLBACK = "safety.delete_fallback"
ALERT_RETRY = "safety.alert_retry"
REPLY_RETRY = "safety.reply_retry"
ALERT_RETRY_SECONDS = 20
PING_USERS = discord.AllowedMentions(users=True)
TIER_TEXT = {1: "1 (passive thoughts)", 2: "2 (active thoughts or intent)", 3: "3 (imminent)"}
STOP_WORDS = re.compile(r"^\s*stop these( messages)?\s*[.!]*\s*$", re.IGNORECASE)
NOT_NOW = re.compile(r"^\s*not now\s*[.!]*\s*$", re.IGNORECASE)


class OptOutButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:safety:(?P<what>optout|notnow)",
):
    def __init__(self, what: str, lang: str = "en") -> None:
        labels = button_labels(lang)
        super().__init__(
            discord.ui.Button(
                label=labels["optout"] if what == "optout" else labels["notnow"],
                style=discord.ButtonStyle.secondary,
                custom_id=f"kindred:safety:{what}",
            )
        )
        self.what = what

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["what"])

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if self.what == "optout":
            await services.safety.set_opt_out(interaction.user.id, True)
        lang = await services.safety.language_for(
            interaction.user.id, lang_from_locale(interaction.locale)
        )
        await interaction.response.send_message(opt_out_text(self.what, lang), ephemeral=True)


class _AlertAction(GuardedCallback):
    """What both buttons under a peer alert share: one server's peers and moderators only,
    and a line appended to the alert once someone acted (buttons removed)."""

    refusal = ""

    @staticmethod
    def _button(label: str, style: discord.ButtonStyle, custom_id: str) -> discord.ui.Button:
        return discord.ui.Button(label=label, style=style, custom_id=custom_id)

    async def _allowed(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is not None and await is_peer_or_moderator(interaction):
            return True
        await interaction.response.send_message(self.refusal, ephemeral=True)
        return False

    @staticmethod
    async def _mark(interaction: discord.Interaction, line: str) -> None:
        message = interaction.message
        content = (message.content if message else "") + "\n" + line
        await interaction.response.edit_message(content=content[:2000], view=None)


class ReachOutButton(
    _AlertAction,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:alert:(?P<id>\d+)",
):
    """On a peer alert: the first peer to press it is recorded; others see who has it."""

    refusal = "Only this server's peer supporters and moderators can take alerts."

    def __init__(self, alert_id: int) -> None:
        super().__init__(
            self._button("I'll reach out", discord.ButtonStyle.success, f"kindred:alert:{alert_id}")
        )
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if not await self._allowed(interaction):
            return
        won, who = await services.safety.reach_out(
            self.alert_id, interaction.user.id, interaction.guild_id
        )
        if not won:
            text = (
                f"<@{who}> is already reaching out. Thank you."
                if who is not None
                else "This alert isn't from this server, or its record has expired."
            )
            await interaction.response.send_message(text, ephemeral=True)
            return
        await self._mark(interaction, f"✅ <@{interaction.user.id}> is reaching out.")


class NotAConcernButton(
    _AlertAction,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:notconcern:(?P<id>\d+)",
):
    """A peer marks an alert "not a concern": counted per phrase and model version."""

    refusal = "Only this server's peer supporters and moderators can mark alerts."

    def __init__(self, alert_id: int) -> None:
        super().__init__(
            self._button(
                "Not a concern", discord.ButtonStyle.secondary, f"kindred:notconcern:{alert_id}"
            )
        )
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if not await self._allowed(interaction):
            return
        assert interaction.guild_id is not None
        outcome = await services.safety.not_a_concern(
            self.alert_id, interaction.guild_id, interaction.user.id
        )
        if outcome != "done":
            text = (
                "Someone already marked this one."
                if outcome == "already"
                else "This alert isn't from this server, or its record has expired."
            )
            await interaction.response.send_message(text, ephemeral=True)
            return
        await self._mark(
            interaction,
            f"➖ Marked not a concern by <@{interaction.user.id}> (counted for the "
            "detector's measured precision; nothing of the message is kept).",
        )


def _respite_states() -> list[str]:
    from bot.services.resources import Kind

    states = {
        region
        for entry in default_directory().entries
        if entry.kind is Kind.RESPITE
        for region in entry.regions
        if region.startswith("US-")
    }
    return sorted(states)[:25]


class RespiteStateSelect(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"kindred:respite:(?P<lang>[a-z]{2})",
):
    """Under a respite answer when the member's state is unknown: pick one, see respites."""

    def __init__(self, lang: str = "en") -> None:
        options = [discord.SelectOption(label=s[3:], value=s) for s in _respite_states()]
        super().__init__(
            discord.ui.Select(
                placeholder=button_labels(lang)["state"],
                options=options or [discord.SelectOption(label="-", value="none")],
                custom_id=f"kindred:respite:{lang}",
            )
        )
        self.lang = lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["lang"])

    async def run(self, interaction: discord.Interaction) -> None:
        values = (interaction.data or {}).get("values") or []
        state = str(values[0]) if values else ""
        try:
            region = normalize_region(state, default_country="US")
            entries = default_directory().respites(region)
        except Exception:  # an unknown value from a forged payload
            region, entries = state[:10], []
        await interaction.response.send_message(
            respites_for_state_text(region[3:] or region, entries, self.lang)[:2000],
            ephemeral=True,
        )


def _reply_view(
    guild_id: int | None, peers_ready: bool, lang: str = "en", *, ask_state: bool = False
) -> discord.ui.View:
    labels = button_labels(lang)
    view = discord.ui.View(timeout=None)
    if guild_id is not None and peers_ready:
        view.add_item(TalkToPeerButton(guild_id, labels["talk"]))
    if ask_state:
        view.add_item(RespiteStateSelect(lang))
    view.add_item(OptOutButton("notnow", lang))
    view.add_item(OptOutButton("optout", lang))
    return view


async def region_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    common = [
        "US",
        "GB",
        "IE",
        "CA",
        "AU",
        "NZ",
        "IN",
        "DE",
        "AT",
        "CH",
        "FR",
        "BE",
        "ES",
        "PT",
        "BR",
        "MX",
        "AR",
        "US-CA",
        "US-NY",
        "US-TX",
        "US-FL",
        "US-MA",
        "US-VT",
        "US-WI",
    ]
    needle = current.strip().upper()[:10]
    return [app_commands.Choice(name=c, value=c) for c in common if needle in c][:25]


class Safety(commands.Cog):
    safety = app_commands.Group(name="safety", description="Crisis resources and settings.")
    resources_group = app_commands.Group(
        name="resources", description="Local resources.", parent=safety
    )
    region = app_commands.Group(name="region", description="Where you are, for the right lines.")
    language = app_commands.Group(
        name="language", description="The language of Kindred's private messages to you."
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]
        self.worker: AssessWorker | None = None

    @property
    def detector(self) -> Assessor | None:
        return self.worker.assessor if self.worker else None

    async def cog_load(self) -> None:
        # Reading and compiling the phrase lists, the model and resource files is file I/O
        # and CPU: off the loop. Detection itself runs in the worker thread.
        assessor = await asyncio.to_thread(Assessor.default)
        self.worker = AssessWorker(assessor)
        self.worker.start()
        await asyncio.to_thread(default_directory)
        self.bot.add_dynamic_items(
            OptOutButton, ReachOutButton, NotAConcernButton, RespiteStateSelect
        )
        self.services.scheduler.register(DELETE_FALLBACK, self._on_delete_fallback)
        self.services.scheduler.register(ALERT_RETRY, self._on_alert_retry)
        self.services.scheduler.register(REPLY_RETRY, self._on_reply_retry)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(
            OptOutButton, ReachOutButton, NotAConcernButton, RespiteStateSelect
        )
        if self.worker is not None:
            await self.worker.stop()

    # -- noticing ---------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content or self.worker is None:
            return
        if message.guild is None:
            await self._on_dm(message)
            return
        safety = self.services.safety
        channel = message.channel
        guild_id, user_id = message.guild.id, message.author.id
        context_risk = safety.context_risk(guild_id, channel.id, user_id)
        result = await self.worker.assess(message.content, context_risk)
        if result.label is Label.NONE and not result.needs:
            return
        if result.label in (Label.CRISIS_SELF, Label.CONCERN_OTHER, Label.DISTRESS):
            safety.remember_risk(guild_id, channel.id, user_id, result.risk)
        parent = getattr(channel, "parent_id", None)
        roles = [r.id for r in getattr(message.author, "roles", [])]
        decision = await safety.assess(
            guild_id=guild_id,
            channel_id=channel.id,
            parent_channel_id=parent,
            user_id=user_id,
            role_ids=roles,
            label=str(result.label),
            tier=result.tier,
            possible_concern=result.possible_concern,
            needs=result.needs,
        )
        # Metadata only: never the text, never the matched phrase.
        log.info(
            "safety guild=%s channel=%s label=%s tier=%s level=%s acts=%s",
            guild_id,
            channel.id,
            result.label,
            result.tier,
            result.level,
            decision.acts,
        )
        if not decision.acts:
            return
        # Alerts first: a slow or failing DM (rate limits, closed DMs) must not delay or stop
        # the humans who can help. Each step fails on its own.
        alerted = False
        if decision.alert_peers:
            alerted |= await self._alert_peers(message, result, decision)
        if decision.quiet_item:
            alerted |= await self._quiet_item(message, result)
        if decision.alert_moderators:
            alerted |= await self._alert_moderators(message, result)
        replied = noted = False
        if decision.reply:
            replied, noted = await self._reply(message, decision, result)
        await safety.record_outcome(decision, replied=replied, alerted=alerted, noted=noted)

    async def _on_dm(self, message: discord.Message) -> None:
        # Inside a support relay the member is talking with a peer: their words are for the
        # peer, not commands or triggers for automatic replies.
        live = await self.services.peers.requests.live_anywhere(message.author.id)
        if any(r.relay and r.status == "claimed" for r in live):
            return
        if STOP_WORDS.match(message.content):
            await self.services.safety.set_opt_out(message.author.id, True)
            await message.channel.send(
                "Okay, I won't send automatic messages with crisis lines when you write "
                "something hard. `/crisis` still works any time, and `/safety optout "
                "enabled:false` turns them back on."
            )
            return
        if NOT_NOW.match(message.content):
            await message.channel.send("Okay. I'm here if you need me.")
            return
        assert self.worker is not None
        result = await self.worker.assess(message.content)
        if result.label not in (Label.CRISIS_SELF, Label.CONCERN_OTHER) and not (
            result.label is Label.DISTRESS and result.possible_concern
        ):
            return
        # The same decisions and cooldowns as in a server, under a "no server" id of 0.
        decision = await self.services.safety.assess(
            guild_id=0,
            channel_id=message.channel.id,
            parent_channel_id=None,
            user_id=message.author.id,
            role_ids=[],
            label=str(result.label),
            tier=result.tier,
            possible_concern=result.possible_concern,
            needs=result.needs,
        )
        if decision.reply is None:
            return
        lang = await self.services.safety.language_for(message.author.id, result.lang)
        await self._send_reply(message.author, None, str(decision.reply), (), lang)

    async def _reply_embed(
        self, guild_id: int | None, user_id: int, kind: str, lang: str = "en"
    ) -> discord.Embed:
        safety = self.services.safety
        region = await safety.region_for(guild_id, user_id)
        ctx = context(
            region, self.services.clock(), await safety.guild_resources(guild_id), language=lang
        )
        if kind == "possible_concern":
            return safe_embed(
                possible_concern_reply(
                    ctx.lines if ctx.region_known else [],
                    ctx.directory,
                    lang=lang,
                    last_checked=ctx.last_checked,
                    stale=ctx.stale,
                    unverified=ctx.unverified,
                )
            )
        builder = concern_other_reply if kind == "concern_other" else crisis_reply
        message = builder(
            ctx.lines,
            ctx.directory,
            ctx.region_known,
            ctx.stale,
            ctx.unverified,
            emergency=ctx.emergency,
            last_checked=ctx.last_checked,
            lang=lang,
        )
        return safe_embed(message)

    async def _needs_embed(
        self, guild_id: int | None, user_id: int, needs: tuple[str, ...], lang: str
    ) -> tuple[discord.Embed, bool]:
        """The respite / warmline / peer answer; True when the member's state must be asked."""
        safety = self.services.safety
        region = await safety.region_for(guild_id, user_id)
        extras = await safety.guild_resources(guild_id)
        directory = default_directory()
        ctx = context(region, self.services.clock(), extras)
        respites, warmlines, ask_state = [], [], False
        code = ctx.region
        if "respite" in needs:
            if code and country_of(code) == "US" and code != "US":
                respites = directory.respites(code, extra=extras)
            else:
                ask_state = code is None or code == "US"
        if "warmline" in needs and code:
            warmlines = directory.warmlines(code, extra=extras)
        message = needs_reply(
            needs,
            respites=respites,
            warmlines=warmlines,
            region_label=code[3:] if code and code.startswith("US-") else code,
            ask_state=ask_state,
            lang=lang,
            last_checked=ctx.last_checked,
            stale=ctx.stale,
            unverified=ctx.unverified,
        )
        return safe_embed(message), ask_state

    async def _peers_ready(self, guild_id: int) -> bool:
        return (await self.services.settings.get(guild_id, PeerSettings)).configured

    async def _reply(
        self, message: discord.Message, decision: Decision, result: Assessment
    ) -> tuple[bool, bool]:
        """DM the member; if that fails, maybe a brief channel note. Returns (dm, note)."""
        assert message.guild is not None
        author = message.author
        guild_id = message.guild.id
        lang = await self.services.safety.language_for(author.id, result.lang)
        try:
            await self._send_reply(author, guild_id, str(decision.reply), decision.needs, lang)
            return True, False
        except discord.Forbidden:
            log.info("safety guild=%s: member DMs closed", guild_id)
        except discord.HTTPException as exc:
            # Rate limits or Discord errors: the answer is not lost. A stored timer (ids, the
            # kind of reply and its language: no text) sends it when Discord answers again.
            log.warning("safety guild=%s: DM failed (%s); will retry", guild_id, exc.status)
            await self.services.scheduler.schedule_once(
                REPLY_RETRY,
                self.services.clock() + timedelta(seconds=ALERT_RETRY_SECONDS),
                {
                    "user_id": author.id,
                    "kind": decision.reply,
                    "needs": list(decision.needs),
                    "lang": lang,
                },
                guild_id=guild_id,
            )
            return True, False
        if decision.reply != "crisis" or not decision.channel_fallback:
            return False, False
        cfg = await self.services.safety.config(guild_id)
        if cfg.reply_mode != "dm_then_channel":
            return False, False
        try:
            note = await message.channel.send(
                channel_fallback_text(author.mention, lang=lang),
                allowed_mentions=discord.AllowedMentions(
                    users=[author], everyone=False, roles=False
                ),
            )
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: channel note failed (%s)", guild_id, exc.status)
            return False, False
        # Stored, so the note is removed even if the bot restarts in between.
        await self.services.scheduler.schedule_once(
            DELETE_FALLBACK,
            self.services.clock() + timedelta(seconds=cfg.fallback_delete_seconds),
            {"channel_id": note.channel.id, "message_id": note.id},
            guild_id=guild_id,
        )
        return False, True

    async def _send_reply(
        self, user, guild_id: int | None, kind: str, needs: tuple[str, ...], lang: str
    ) -> None:
        """Build and DM the private reply of this kind (raises what Discord raises).
        ``guild_id`` is None for a DM to Kindred: no server, so no peer button."""
        embeds: list[discord.Embed] = []
        ask_state = False
        view: discord.ui.View | None = None
        if kind == "distress":
            embeds.append(discord.Embed(description=distress_pointer(lang=lang), colour=COLOUR))
        elif kind != "needs":
            embeds.append(await self._reply_embed(guild_id, user.id, kind, lang))
        if needs:
            needs_embed, ask_state = await self._needs_embed(guild_id, user.id, needs, lang)
            embeds.append(needs_embed)
        if kind != "distress" or needs:
            peers_ready = guild_id is not None and await self._peers_ready(guild_id)
            view = _reply_view(guild_id, peers_ready, lang, ask_state=ask_state)
        if view is None:
            await user.send(embeds=embeds)
        else:
            await user.send(embeds=embeds, view=view)

    async def _on_reply_retry(self, timer: TimerRow) -> None:
        """A private reply that Discord refused for a while: send it now (the scheduler backs
        off and retries on failure; a member whose DMs are closed is not retried)."""
        await self.bot.wait_until_ready()
        payload = timer.payload
        user = await find_user(self.bot, int(payload["user_id"]))
        if user is None:
            return
        try:
            await self._send_reply(
                user,
                int(timer.guild_id or 0),
                str(payload["kind"]),
                tuple(payload.get("needs", ())),
                str(payload.get("lang", "en")),
            )
        except discord.Forbidden:
            log.info("safety guild=%s: member DMs closed; reply retry dropped", timer.guild_id)

    async def _on_delete_fallback(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        with contextlib.suppress(discord.NotFound):  # already gone is fine
            await self.bot.http.delete_message(
                timer.payload["channel_id"],
                timer.payload["message_id"],
                reason="Kindred: brief crisis pointer expired",
            )

    async def _peer_channel(self, guild_id: int):
        cfg = await self.services.safety.config(guild_id)
        peers = await self.services.settings.get(guild_id, PeerSettings)
        return cfg, await find_channel(self.bot, cfg.peer_alert_channel_id or peers.peer_channel_id)

    async def _alert_peers(
        self, message: discord.Message, result: Assessment, decision: Decision
    ) -> bool:
        assert message.guild is not None
        guild_id = message.guild.id
        cfg, channel = await self._peer_channel(guild_id)
        if channel is None:
            log.info("safety guild=%s: no peer alert channel configured", guild_id)
            return False
        alert_id = await self.services.safety.record_alert(
            guild_id,
            message.author.id,
            result.tier,
            level="alert",
            phrase_ids=result.phrase_ids,
            model_version=result.model_version if "model" in result.sources else "",
        )
        payload = {
            "alert_id": alert_id,
            "peer_channel_id": channel.id,
            "member_id": message.author.id,
            "channel_id": message.channel.id,
            "jump_url": message.jump_url,
            "tier": result.tier,
            "copy": message.content[:300].replace("\n", " ") if cfg.copy_content else "",
        }
        try:
            await self._send_alert(guild_id, channel, payload)
        except discord.HTTPException as exc:
            # Never dropped: a stored timer retries (the scheduler backs off), and moderators
            # are told if it still cannot be delivered. Only ids and the link are stored.
            log.warning("safety guild=%s: peer alert failed (%s); will retry", guild_id, exc.status)
            await self.services.scheduler.schedule_once(
                ALERT_RETRY,
                self.services.clock() + timedelta(seconds=ALERT_RETRY_SECONDS),
                {k: v for k, v in payload.items() if k != "copy"},
                guild_id=guild_id,
            )
        return True

    async def _send_alert(self, guild_id: int, channel, payload: dict) -> None:
        on_duty = [
            r.user_id
            for r in await self.services.peers.duty.on_duty(guild_id)
            if r.user_id != payload["member_id"]
        ]
        text = (
            " ".join(f"<@{p}>" for p in on_duty)
            + f"\nA member may need support: <@{payload['member_id']}> in "
            f"<#{payload['channel_id']}> ([jump]({payload['jump_url']})). "
            f"Tier {TIER_TEXT.get(payload['tier'], '?')}."
            " Kindred is reaching out to them privately with support lines."
        ).strip()
        if payload.get("copy"):
            text += "\n> " + payload["copy"]
        view = discord.ui.View(timeout=None)
        view.add_item(ReachOutButton(payload["alert_id"]))
        view.add_item(NotAConcernButton(payload["alert_id"]))
        # Ping exactly the on-duty peers: never the member the alert is about, nor anyone
        # named in copied text.
        mentions = discord.AllowedMentions(
            users=[discord.Object(p) for p in on_duty], everyone=False, roles=False
        )
        await channel.send(text[:2000], view=view, allowed_mentions=mentions)

    async def _on_alert_retry(self, timer: TimerRow) -> None:
        """Deliver a peer alert that failed; after the last try, tell the moderators."""
        from bot.scheduling import MAX_ATTEMPTS

        await self.bot.wait_until_ready()
        payload = dict(timer.payload)
        guild_id = int(timer.guild_id or 0)
        channel = await find_channel(self.bot, payload["peer_channel_id"])
        try:
            if channel is None:
                raise LookupError("peer channel gone")
            await self._send_alert(guild_id, channel, payload)
            return
        except (discord.HTTPException, LookupError):
            if timer.attempts + 1 < MAX_ATTEMPTS:
                raise
        log.error("safety guild=%s: peer alert undeliverable; telling moderators", guild_id)
        cfg = await self.services.safety.config(guild_id)
        peers = await self.services.settings.get(guild_id, PeerSettings)
        mods = await find_channel(self.bot, cfg.mod_alert_channel_id or peers.mod_channel_id)
        if mods is not None:
            with contextlib.suppress(discord.HTTPException):
                await mods.send(
                    f"⚠️ Kindred could not deliver a crisis alert to the peer channel: "
                    f"<@{payload['member_id']}> in <#{payload['channel_id']}> "
                    f"([jump]({payload['jump_url']})), tier {payload['tier']}. The member was "
                    "answered privately; please make sure a peer reaches out.",
                    allowed_mentions=discord.AllowedMentions.none(),
                )

    async def _quiet_item(self, message: discord.Message, result: Assessment) -> bool:
        """A "possible concern" item for peers: no pings, no moderators, take or dismiss."""
        assert message.guild is not None
        guild_id = message.guild.id
        _cfg, channel = await self._peer_channel(guild_id)
        if channel is None:
            return False
        alert_id = await self.services.safety.record_alert(
            guild_id,
            message.author.id,
            0,
            level="soft",
            phrase_ids=result.phrase_ids,
            model_version=result.model_version,
        )
        text = (
            f"Possible concern (Kindred isn't sure): <@{message.author.id}> in "
            f"<#{message.channel.id}> ([jump]({message.jump_url})). Kindred sent them a gentle "
            "private check-in. A peer on duty can reach out, or mark it not a concern."
        )
        view = discord.ui.View(timeout=None)
        view.add_item(ReachOutButton(alert_id))
        view.add_item(NotAConcernButton(alert_id))
        try:
            await channel.send(
                text[:2000], view=view, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: peer item failed (%s)", guild_id, exc.status)
            return False
        return True

    async def _alert_moderators(self, message: discord.Message, result: Assessment) -> bool:
        assert message.guild is not None
        guild_id = message.guild.id
        cfg = await self.services.safety.config(guild_id)
        peers = await self.services.settings.get(guild_id, PeerSettings)
        channel = await find_channel(self.bot, cfg.mod_alert_channel_id or peers.mod_channel_id)
        if channel is None:
            return False
        if result.label is Label.HARASSMENT:
            text = (
                f'Possible harassment ("kys"-type) by <@{message.author.id}> in '
                f"<#{message.channel.id}> ([jump]({message.jump_url})). Nothing was done "
                "automatically."
            )
        else:
            text = (
                f"Tier 3 crisis signal from <@{message.author.id}> in "
                f"<#{message.channel.id}> ([jump]({message.jump_url})). On-duty peers are "
                "alerted and Kindred is reaching out to the member privately."
            )
        try:
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
            return True
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: moderator alert failed (%s)", guild_id, exc.status)
            return False

    # -- member commands --------------------------------------------------------------------
    @app_commands.command(name="crisis")
    @app_commands.describe(region="Optional: a country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def crisis(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Crisis lines for your region, shown only to you."""
        safety = self.services.safety
        where = region or await safety.region_for(interaction.guild_id, interaction.user.id)
        lang = await safety.language_for(interaction.user.id, lang_from_locale(interaction.locale))
        ctx = context(
            where,
            self.services.clock(),
            await safety.guild_resources(interaction.guild_id),
            language=lang,
        )
        message = crisis_command_reply(
            ctx.lines,
            ctx.directory,
            ctx.region_known,
            ctx.stale,
            ctx.unverified,
            emergency=ctx.emergency,
            last_checked=ctx.last_checked,
            region_label=ctx.region,
            lang=lang,
        )
        view = None
        if interaction.guild_id and await self._peers_ready(interaction.guild_id):
            view = discord.ui.View(timeout=None)
            view.add_item(TalkToPeerButton(interaction.guild_id, button_labels(lang)["talk"]))
        await send_private(interaction, embed=safe_embed(message), view=view)

    async def _listing(
        self, interaction: discord.Interaction, kind: str, where: str, entries
    ) -> None:
        lang = await self.services.safety.language_for(
            interaction.user.id, lang_from_locale(interaction.locale)
        )
        message = listing(kind, where, entries, self.services.clock().date(), lang)
        embed = discord.Embed(
            title=message.title, description="\n".join(message.body)[:4000], colour=COLOUR
        )
        if message.footer:
            embed.set_footer(text=message.footer)
        await send_private(interaction, embed=embed)

    async def _region_or_ask(self, interaction: discord.Interaction, region: str | None) -> str:
        from bot.services.resources import normalize_region

        text = region or await self.services.safety.region_for(
            interaction.guild_id, interaction.user.id
        )
        if not text:
            from bot.errors import InvalidInputError

            raise InvalidInputError(
                "Tell me a region, e.g. `US`, `UK` or `US-NY`, or set yours with `/region set`."
            )
        return normalize_region(text)

    @app_commands.command(name="resources")
    @app_commands.describe(region="A country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def resources(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Crisis lines, warmlines and referral services for a region."""
        code = await self._region_or_ask(interaction, region)
        extras = await self.services.safety.guild_resources(interaction.guild_id)
        entries = default_directory().all_for(code, extra=extras)
        await self._listing(interaction, "resources", code, entries)

    @app_commands.command(name="respite")
    @app_commands.describe(state="A US state, e.g. NY or Vermont")
    async def respite(self, interaction: discord.Interaction, state: str) -> None:
        """Peer respites (short, voluntary, non-clinical stays) in a US state."""
        extras = await self.services.safety.guild_resources(interaction.guild_id)
        entries = default_directory().respites(state, extra=extras)
        await self._listing(interaction, "respite", state.upper(), entries)

    @app_commands.command(name="warmline")
    @app_commands.describe(region="A country or US state, e.g. US-CA")
    @app_commands.autocomplete(region=region_autocomplete)
    async def warmline(self, interaction: discord.Interaction, region: str | None = None) -> None:
        """Warmlines: peer-run lines for when you want to talk, before things are a crisis."""
        code = await self._region_or_ask(interaction, region)
        extras = await self.services.safety.guild_resources(interaction.guild_id)
        entries = default_directory().warmlines(code, extra=extras)
        if not entries and country_of(code):
            entries = default_directory().warmlines(country_of(code) or code, extra=extras)
        await self._listing(interaction, "warmline", code, entries)

    @region.command(name="set")
    @app_commands.describe(region="Your country or US state, e.g. UK, CA, US-NY")
    @app_commands.autocomplete(region=region_autocomplete)
    async def region_set(self, interaction: discord.Interaction, region: str) -> None:
        """Tell Kindred where you are, so it shows the right lines (stored only for this)."""
        code = await self.services.safety.set_region(interaction.user.id, region)
        await send_private(interaction, f"Your region is **{code}**. `/region clear` removes it.")

    @region.command(name="clear")
    async def region_clear(self, interaction: discord.Interaction) -> None:
        """Forget your region."""
        await self.services.safety.clear_region(interaction.user.id)
        await send_private(interaction, "Your region is cleared.")

    @safety.command(name="optout")
    @app_commands.describe(enabled="True: stop automatic check-in messages; false: allow again")
    async def optout(self, interaction: discord.Interaction, enabled: bool = True) -> None:
        """Stop (or allow again) Kindred's automatic messages when you write something hard."""
        await self.services.safety.set_opt_out(interaction.user.id, enabled)
        await send_private(
            interaction,
            (
                "Okay, no more automatic messages. "
                if enabled
                else "Okay, automatic check-ins are back on. "
            )
            + "`/crisis` always works.",
        )

    # -- moderator commands ------------------------------------------------------------------
    @safety.command(name="settings")
    @moderator_only()
    @app_commands.describe(
        enabled="Notice crisis language at all",
        reply_mode="DM, then a brief channel note if DMs are closed; or DM only",
        member_cooldown_minutes="Minutes before the same member gets another reply",
        channel_cooldown_minutes="Minutes between channel notes in one channel",
        fallback_delete_seconds="Seconds before a channel note deletes itself",
        peer_alert_channel="Where peers are alerted (default: the peer channel)",
        moderator_alert_channel="Where moderators are alerted (default: the moderator channel)",
        copy_content="Copy the message text into peer alerts (off by default)",
        distress_pointer="Gently point distressed members to peer support",
        soft_replies="Gentle private check-in when Kindred is unsure (possible concern)",
        peer_items="Quiet 'possible concern' items for peers (no pings)",
        needs_replies="Answer requests for a respite, a warmline or a peer privately",
    )
    @app_commands.choices(
        reply_mode=[
            app_commands.Choice(name="DM, then brief channel note", value="dm_then_channel"),
            app_commands.Choice(name="DM only", value="dm_only"),
        ]
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        enabled: bool | None = None,
        reply_mode: str | None = None,
        member_cooldown_minutes: app_commands.Range[int, 0, 1440] | None = None,
        channel_cooldown_minutes: app_commands.Range[int, 0, 1440] | None = None,
        fallback_delete_seconds: app_commands.Range[int, 10, 3600] | None = None,
        peer_alert_channel: discord.TextChannel | None = None,
        moderator_alert_channel: discord.TextChannel | None = None,
        copy_content: bool | None = None,
        distress_pointer: bool | None = None,
        soft_replies: bool | None = None,
        peer_items: bool | None = None,
        needs_replies: bool | None = None,
    ) -> None:
        """See or change how Kindred answers crisis language in this server."""
        assert interaction.guild_id is not None
        changes = {
            k: v
            for k, v in {
                "enabled": enabled,
                "reply_mode": reply_mode,
                "member_cooldown_minutes": member_cooldown_minutes,
                "channel_cooldown_minutes": channel_cooldown_minutes,
                "fallback_delete_seconds": fallback_delete_seconds,
                "peer_alert_channel_id": peer_alert_channel.id if peer_alert_channel else None,
                "mod_alert_channel_id": moderator_alert_channel.id
                if moderator_alert_channel
                else None,
                "copy_content": copy_content,
                "distress_pointer": distress_pointer,
                "soft_replies": soft_replies,
                "peer_items": peer_items,
                "needs_replies": needs_replies,
            }.items()
            if v is not None
        }
        if changes:
            cfg = await self.services.settings.update(
                interaction.guild_id, SafetySettings, interaction.user.id, **changes
            )
        else:
            cfg = await self.services.safety.config(interaction.guild_id)
        await send_private(interaction, embed=_settings_embed(cfg))

    @safety.command(name="exclude")
    @moderator_only()
    @app_commands.describe(
        channel="A channel to leave alone (e.g. a venting channel)",
        role="A role whose members are left alone",
        remove="Remove from the exclusions instead",
    )
    async def exclude(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        remove: bool = False,
    ) -> None:
        """Exclude a channel or role from crisis-language replies (or include it again)."""
        assert interaction.guild_id is not None
        cfg = await self.services.safety.config(interaction.guild_id)
        channels, roles = set(cfg.excluded_channel_ids), set(cfg.excluded_role_ids)
        for target, ids in ((channel, channels), (role, roles)):
            if target is not None:
                (ids.discard if remove else ids.add)(target.id)
        cfg = await self.services.settings.update(
            interaction.guild_id,
            SafetySettings,
            interaction.user.id,
            excluded_channel_ids=sorted(channels),
            excluded_role_ids=sorted(roles),
        )
        await send_private(interaction, embed=_settings_embed(cfg))

    @safety.command(name="status")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Counts of the last 30 days (no content) and how fresh the resource data is."""
        assert interaction.guild_id is not None
        counts = await self.services.safety.counts(interaction.guild_id, 30)
        today = self.services.clock().date()
        stale = default_directory().stale_entries(today)
        embed = discord.Embed(title="Crisis resources: status", colour=COLOUR)
        embed.add_field(
            name="Last 30 days",
            value=", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing noticed",
            inline=False,
        )
        cfg = await self.services.safety.config(interaction.guild_id)
        embed.add_field(name="Enabled", value="yes" if cfg.enabled else "no")
        embed.add_field(name="Detector", value=self._detector_version(), inline=True)
        precision = await self.services.safety.precision(interaction.guild_id)
        embed.add_field(
            name='Measured precision (peers\' "not a concern" marks)',
            value="\n".join(
                f"`{source[:60]}`: {alerts} alerts, {dismissed} not a concern → {value:.0%}"
                for source, alerts, dismissed, value in precision[:10]
            )[:1024]
            or "no alerts yet",
            inline=False,
        )
        embed.add_field(
            name="Stale resource data (over 12 months)",
            value="\n".join(f"{e.name} (checked {e.last_verified:%Y-%m-%d})" for e in stale[:15])[
                :1024
            ]
            or "none",
            inline=False,
        )
        await send_private(interaction, embed=embed)

    def _detector_version(self) -> str:
        assessor = self.detector
        return assessor.model_version if assessor is not None else "not loaded"

    @language.command(name="set")
    @app_commands.describe(language="The language for Kindred's private messages to you")
    @app_commands.choices(
        language=[
            app_commands.Choice(name=name, value=code)
            for code, name in (
                ("en", "English"),
                ("es", "Español"),
                ("fr", "Français"),
                ("de", "Deutsch"),
                ("pt", "Português"),
            )
            if code in LANGUAGES
        ]
    )
    async def language_set(self, interaction: discord.Interaction, language: str) -> None:
        """Choose the language of crisis and check-in messages Kindred sends you."""
        code = await self.services.safety.set_language(interaction.user.id, language)
        await send_private(
            interaction, f"Okay: Kindred's private messages to you will be in `{code}`."
        )

    @language.command(name="clear")
    async def language_clear(self, interaction: discord.Interaction) -> None:
        """Go back to the language Kindred detects from your message or your Discord app."""
        await self.services.safety.clear_language(interaction.user.id)
        await send_private(
            interaction, "Okay: Kindred will follow your message's or your app's language."
        )

    @resources_group.command(name="add")
    @moderator_only()
    @app_commands.describe(
        kind="crisis_line, warmline, respite, referral or directory",
        contact="A phone number or web address",
        region="Where it applies (e.g. US-NY); empty for everyone",
        source_url="Where you verified it",
    )
    @app_commands.choices(kind=[app_commands.Choice(name=k, value=k) for k in GUILD_RESOURCE_KINDS])
    async def resources_add(
        self,
        interaction: discord.Interaction,
        name: str,
        kind: str,
        contact: str,
        region: str = "*",
        hours: str = "",
        source_url: str | None = None,
    ) -> None:
        """Add a local resource; it is shown before the shipped directory."""
        assert interaction.guild_id is not None
        entry = await self.services.safety.add_resource(
            interaction.guild_id,
            name=name,
            kind=kind,
            contact=contact,
            region=region,
            hours=hours,
            source_url=source_url,
            actor_id=interaction.user.id,
        )
        await send_private(interaction, f"Added: {format_entry(entry)} (#{entry.id[6:]}).")

    @resources_group.command(name="remove")
    @moderator_only()
    async def resources_remove(self, interaction: discord.Interaction, resource_id: int) -> None:
        """Remove a local resource by its number."""
        assert interaction.guild_id is not None
        await self.services.safety.remove_resource(interaction.guild_id, resource_id)
        await send_private(interaction, f"Removed local resource #{resource_id}.")

    @resources_group.command(name="list")
    async def resources_list(self, interaction: discord.Interaction) -> None:
        """This server's own resources."""
        if interaction.guild_id is None:
            raise GuildOnlyError()
        entries = await self.services.safety.guild_resources(interaction.guild_id)
        text = "\n".join(f"#{e.id[6:]} {format_entry(e)}" for e in entries)
        await send_private(interaction, text or "No local resources yet.")


def _settings_embed(cfg: SafetySettings) -> discord.Embed:
    embed = discord.Embed(title="Crisis-language settings", colour=COLOUR)
    embed.add_field(name="Enabled", value="yes" if cfg.enabled else "no")
    embed.add_field(
        name="Reply",
        value="DM, then brief channel note" if cfg.reply_mode == "dm_then_channel" else "DM only",
    )
    embed.add_field(
        name="Cooldowns",
        value=f"member {cfg.member_cooldown_minutes} min · "
        f"channel {cfg.channel_cooldown_minutes} min",
    )
    embed.add_field(name="Channel note deleted after", value=f"{cfg.fallback_delete_seconds} s")
    embed.add_field(
        name="Peer alerts",
        value=f"<#{cfg.peer_alert_channel_id}>"
        if cfg.peer_alert_channel_id
        else "the peer channel",
    )
    embed.add_field(
        name="Moderator alerts",
        value=f"<#{cfg.mod_alert_channel_id}>"
        if cfg.mod_alert_channel_id
        else "the moderator channel",
    )
    embed.add_field(name="Copy message text into alerts", value="yes" if cfg.copy_content else "no")
    embed.add_field(name="Distress pointer", value="on" if cfg.distress_pointer else "off")
    embed.add_field(name="Gentle check-ins", value="on" if cfg.soft_replies else "off")
    embed.add_field(name="Quiet peer items", value="on" if cfg.peer_items else "off")
    embed.add_field(name="Respite/warmline answers", value="on" if cfg.needs_replies else "off")
    embed.add_field(
        name="Excluded",
        value=" ".join(
            [f"<#{c}>" for c in cfg.excluded_channel_ids]
            + [f"<@&{r}>" for r in cfg.excluded_role_ids]
        )
        or "none",
        inline=False,
    )
    return embed


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Safety(bot))
