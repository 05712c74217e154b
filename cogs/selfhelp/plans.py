"""``/plan``: write it part by part in forms, view, export as a text file, delete with a
confirmation, share with a peer and take that back."""

from __future__ import annotations

import io

import discord
from discord import app_commands

from bot.errors import InvalidInputError, PermissionDeniedError
from bot.i18n import N_, gettext_for
from bot.services.selfhelp import PARTS, SelfHelpServices, export_text
from bot.services.selfhelp.plans import BY_KEY
from bot.ui.replies import localized, reader_language, send_private
from cogs.selfhelp.groups import plan
from cogs.selfhelp.sharing import PLAN_APART, PLAN_GONE, require_together, together
from cogs.selfhelp.text import plan_embed, shared_lines
from cogs.selfhelp.views import PlanModal, delete_view, next_part_view

MODAL_TITLE = N_("Wellness plan {part}/{count}: {name}")
PART_CHOICES = [app_commands.Choice(name=f"{n}: {title}", value=n) for n, title in PARTS.items()]


class PlansRoom:
    """Mixed into the ``SelfHelp`` cog; the plan's buttons and forms call its ``on_*``."""

    bot: discord.Client
    selfhelp: SelfHelpServices

    async def open_plan_part(self, interaction: discord.Interaction, part: int) -> None:
        if part not in PARTS:
            raise InvalidInputError(N_("The plan has parts 1 to {count}."), count=len(PARTS))
        current = await self.selfhelp.plans.get(interaction.user.id)
        _ = gettext_for(await reader_language(interaction))
        modal = PlanModal(part, current)
        # the form's title, labels and examples in the member's language (marked where written)
        modal.title = _(MODAL_TITLE).format(part=part, count=len(PARTS), name=_(PARTS[part]))[:45]
        for key, field in modal.inputs.items():
            modal.labels[key].text = _(BY_KEY[key].label)[:45]
            field.placeholder = _(BY_KEY[key].placeholder)[:100]
        await interaction.response.send_modal(modal)

    @plan.command(name="write")
    @app_commands.describe(part="Which part to write or change (default: the first)")
    @app_commands.choices(part=PART_CHOICES)
    async def plan_write(self, interaction: discord.Interaction, part: int = 1) -> None:
        """Write or change your private wellness plan, in three short optional parts."""
        await self.open_plan_part(interaction, part)

    async def on_plan_submit(
        self, interaction: discord.Interaction, part: int, values: dict[str, str]
    ) -> None:
        saved = await self.selfhelp.plans.save_part(interaction.user.id, part, values)
        filled = len(saved.answers)
        lang = await reader_language(interaction)
        _ = gettext_for(lang)
        head = _("Saved part {part} of {count} ({name}). Only you can see your plan.").format(
            part=part, count=len(PARTS), name=_(PARTS[part])
        )
        if part < len(PARTS):
            more = _("Next, when you're ready: part {part}, {name}.").format(
                part=part + 1, name=_(PARTS[part + 1])
            )
        else:
            more = (
                _(
                    "Your plan has {count} answer. `/plan view` shows it, `/plan export` sends "
                    "you a copy, and `/plan write` changes it whenever you like."
                )
                if filled == 1
                else _(
                    "Your plan has {count} answers. `/plan view` shows it, `/plan export` sends "
                    "you a copy, and `/plan write` changes it whenever you like."
                )
            ).format(count=filled)
        text = f"{head}\n{more}"
        view = next_part_view(part, lang)
        if view is None:
            await send_private(interaction, text)
        else:
            await send_private(interaction, text, view=view)

    @plan.command(name="view")
    @app_commands.describe(member="Someone who chose to share their plan with you (optional)")
    async def plan_view(
        self, interaction: discord.Interaction, member: discord.User | None = None
    ) -> None:
        """Read your wellness plan, or one a member chose to share with you."""
        plans = self.selfhelp.plans
        lang = await reader_language(interaction)
        _ = gettext_for(lang)
        if member is not None and member.id != interaction.user.id:
            if interaction.user.id in {s.peer_id for s in await plans.shares(member.id)}:
                # a share made in a community: not read by someone who is no longer in one
                # with the member (the share stays theirs to take back)
                await require_together(self.bot, interaction, member, PLAN_GONE)
            shared = await plans.read_shared(member.id, interaction.user.id)
            intro = _(
                "{member} chose to share their wellness plan with you. Please keep it between "
                "you; they can take it back at any time, and they can see when you read it."
            ).format(member=member.mention)
            title = _("A shared wellness plan")
            embed = plan_embed(shared, title=title, intro=intro, lang=lang)
            await send_private(interaction, embed=embed)
            return
        mine = await plans.mine(interaction.user.id)
        shares = await plans.shared_with(interaction.user.id)
        # marked when Discord says so; a failed look-up marks nobody
        gone = {
            s.peer_id for s in shares if await together(self.bot, interaction, s.peer_id) is False
        }
        intro = shared_lines(shares, lang, gone)
        embed = plan_embed(mine, title=_("Your wellness plan"), intro=intro, lang=lang)
        await send_private(interaction, embed=embed)

    @plan.command(name="export")
    async def plan_export(self, interaction: discord.Interaction) -> None:
        """Get your wellness plan as a text file, privately."""
        mine = await self.selfhelp.plans.mine(interaction.user.id)
        lang = await reader_language(interaction)
        # the month's English name only in English; other languages read a plain date
        day = f"{mine.updated_at:%d %B %Y}" if lang == "en" else f"{mine.updated_at:%Y-%m-%d}"
        text = export_text(mine, day, lang)
        note = N_("Here is your wellness plan as a text file. Only you can see this.")
        await interaction.response.send_message(
            await localized(interaction, note),
            file=discord.File(io.BytesIO(text.encode("utf-8")), filename="wellness-plan.txt"),
            ephemeral=True,
        )

    @plan.command(name="delete")
    async def plan_delete(self, interaction: discord.Interaction) -> None:
        """Delete your wellness plan (you'll be asked to confirm)."""
        await self.selfhelp.plans.mine(interaction.user.id)
        question = N_(
            "Delete your wellness plan? It can't be undone, and anyone you shared it with will "
            "no longer see it. (`/plan export` first if you'd like a copy.)"
        )
        lang = await reader_language(interaction)
        await send_private(
            interaction,
            gettext_for(lang)(question),
            view=delete_view(interaction.user.id, lang),
        )

    async def on_plan_delete(
        self, interaction: discord.Interaction, action: str, user_id: int
    ) -> None:
        if user_id != interaction.user.id:
            raise PermissionDeniedError(N_("That button was for someone else; nothing changed."))
        if action == "delete":
            await self.selfhelp.plans.delete(user_id)
            text = N_("Your wellness plan is deleted. `/plan write` starts a new one any time.")
        else:
            text = N_("Kept. Your plan is still here (`/plan view`).")
        await interaction.response.edit_message(
            content=await localized(interaction, text), view=None
        )

    @plan.command(name="share")
    @app_commands.describe(peer="Someone you trust, who may then read your plan")
    async def plan_share(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Let a peer you trust read your wellness plan (you can take it back)."""
        if peer.bot or peer.id == interaction.user.id:
            raise InvalidInputError(N_("Choose another member (not yourself or a bot)."))
        # shared in a community: someone who shares no server with the member could never read
        # it (`/plan view` would refuse), so nothing is shared
        await require_together(self.bot, interaction, peer, PLAN_APART)
        await self.selfhelp.plans.share(interaction.user.id, peer.id)
        text = N_(
            "{peer} can now read your plan (`/plan view` with you as the member). "
            "They can't change it. You'll see when they last read it in `/plan view`; "
            "`/plan unshare` takes it back at any time."
        )
        await send_private(interaction, await localized(interaction, text, peer=peer.mention))

    @plan.command(name="unshare")
    @app_commands.describe(peer="Someone you shared your plan with")
    async def plan_unshare(self, interaction: discord.Interaction, peer: discord.User) -> None:
        """Stop sharing your wellness plan with someone."""
        await self.selfhelp.plans.unshare(interaction.user.id, peer.id)
        text = N_("{peer} can no longer read your plan.")
        await send_private(interaction, await localized(interaction, text, peer=peer.mention))
