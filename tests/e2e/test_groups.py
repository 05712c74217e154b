"""Support groups end to end: a private group's channel and role, guidelines before the role,
joining and leaving by command and by panel, new guideline versions, anonymous posts and the
audited reveal, deleted channels and roles, missing permissions, restarts and reconciliation;
archiving (the channel locked, a timed slowmode ended)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta

import discord.webhook.async_
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.groups import channel_slug
from emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, P
from emulator.models import Message
from tests.e2e.conftest import Kindred, World, _QuickSleeps, detector_settled, every_answer
from tests.e2e.test_checkins import Start, run_at, start_at  # noqa: F401  (fixture)
from tests.e2e.test_safety import TIER3, bot_dms, unpostable
from tests.e2e.test_support import go_on_duty, setup_peers

MANAGE = int(P.MANAGE_ROLES | P.MANAGE_CHANNELS)
# The invite asks for both; a server admin may untick them (or take them away later).
WITHOUT_MANAGE = DEFAULT_BOT_PERMISSIONS & ~MANAGE


async def settled(kindred: Kindred) -> None:
    """The detector has looked at everything and the bot has finished reacting, including a
    content note waiting its NOTE_DELAY in its handler: a note that was coming has come."""
    await detector_settled(kindred)
    assert await kindred.quiet(), "the bot was still busy"


async def take_manage_away(emu: DiscordEmulator, world: World, kindred: Kindred) -> None:
    emu.set_role_permissions(world.guild, world.guild.bot_role_id, WITHOUT_MANAGE)
    guild = kindred.bot.get_guild(world.guild.id)
    await emu.wait_until(
        lambda: not guild.me.guild_permissions.manage_roles, what="Kindred's permissions taken"
    )


GRIEF = "Grief circle"


async def allow_groups(emu: DiscordEmulator, world: World, kindred: Kindred) -> None:
    """A server admin gives Kindred's role Manage Roles and Manage Channels."""
    emu.set_role_permissions(world.guild, world.guild.bot_role_id, DEFAULT_BOT_PERMISSIONS | MANAGE)
    guild = kindred.bot.get_guild(world.guild.id)
    await emu.wait_until(
        lambda: guild.me.guild_permissions.manage_roles, what="Kindred's new permissions"
    )


async def answer_of(interaction):
    """The bot's answer: the response, or the followup when it deferred first."""
    answer = await interaction.response()
    if answer.deferred:
        followups = await interaction.followups(1)
        return followups[-1]
    return answer


async def command(emu: DiscordEmulator, user, where, cmd: str, **options):
    return await answer_of(await emu.run_command(user, where, cmd, options=options))


def message_of(answer) -> Message:
    return answer if isinstance(answer, Message) else answer.message


async def create_group(emu: DiscordEmulator, world: World, kindred: Kindred, **options):
    options.setdefault("name", "Grief circle")
    options.setdefault("description", "For anyone living with a loss.")
    answer = await command(emu, world.mod, world.general, "group create", **options)
    # "is ready" for an English moderator, "est prêt" for the French ones of some tests
    assert "is ready" in answer.text or "est prêt" in answer.text, answer.text
    group = await kindred.services.groups.by_name(world.guild.id, options["name"])
    return group, emu.channel(group.channel_id), emu.role(world.guild, group.role_id)


async def ask_for_content_notes(emu: DiscordEmulator, world: World) -> None:
    """The moderator turns on content notes (private spoiler-tag reminders) for the grief
    circle."""
    await command(
        emu, world.mod, world.general, "group settings content-notes", name=GRIEF, enabled=True
    )


async def join(emu: DiscordEmulator, world: World, user, name: str = "Grief circle"):
    """/group join, read the guidelines, press "I accept": the final answer."""
    card = message_of(await command(emu, user, world.general, "group join", name=name))
    accept = next(c for c in card.custom_ids if c.startswith("kindred:grp:accept:"))
    pressed = await emu.press_button(user, card, accept)
    return await pressed.response()


def sees(emu: DiscordEmulator, user, channel) -> bool:
    return bool(emu.permissions_for(user, channel) & P.VIEW_CHANNEL)


async def test_private_group_hides_its_channel_until_a_member_accepts_the_guidelines(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred, private=True)
    # overwrites as Discord holds them: hidden from @everyone; role, peers, mods and Kindred in
    overwrites = {ow.id: ow for ow in channel.overwrites}
    assert overwrites[world.guild.id].deny & P.VIEW_CHANNEL
    assert overwrites[role.id].allow & P.VIEW_CHANNEL
    assert overwrites[world.peer_role.id].allow & P.VIEW_CHANNEL
    assert overwrites[emulator.bot_user.id].allow & P.VIEW_CHANNEL
    assert emulator.calls_matching("GET", f"/channels/{channel.id}")  # read back and checked
    assert not sees(emulator, world.member, channel)
    assert sees(emulator, world.peer, channel)  # facilitators

    card = await command(emulator, world.member, world.general, "group join", name="grief CIRCLE")
    assert card.ephemeral and "guidelines" in card.text.lower()
    assert role.id not in emulator.member(world.guild, world.member).roles  # not before accepting
    welcome = await join(emulator, world, world.member)
    assert welcome.ephemeral and "Welcome to **Grief circle**" in welcome.text
    assert role.id in emulator.member(world.guild, world.member).roles
    assert sees(emulator, world.member, channel)
    assert not sees(emulator, world.member2, channel)
    accepted = await kindred.services.groups.repo.acceptance(group.id, world.member.id)
    assert (accepted.scope, accepted.version) == ("server", 0) and accepted.accepted_at
    assert await kindred.services.groups.is_member(group.id, world.member.id)


async def test_join_and_leave_by_command_and_by_panel_buttons(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred, tags="grief, loss")
    assert sees(emulator, world.member, channel)  # an open group: everyone reads it
    where = world.general
    posted = await command(emulator, world.mod, where, "group panel", channel=where)
    assert "Panel posted" in posted.text
    panel = await emulator.wait_for_message(
        world.general, predicate=lambda m: f"kindred:grp:join:{group.id}" in m.custom_ids, since=0
    )
    assert "grief, loss" in panel.text and not panel.ephemeral
    # join from the panel: guidelines first, then the role
    card = await (
        await emulator.press_button(world.member2, panel, f"kindred:grp:join:{group.id}")
    ).response()
    assert card.ephemeral and "guidelines" in card.text.lower()
    assert role.id not in emulator.member(world.guild, world.member2).roles
    accept = next(c for c in card.message.custom_ids if c.startswith("kindred:grp:accept:"))
    welcome = await (await emulator.press_button(world.member2, card.message, accept)).response()
    assert "Welcome" in welcome.text
    assert role.id in emulator.member(world.guild, world.member2).roles
    # joining again says so, kindly
    again = await (
        await emulator.press_button(world.member2, panel, f"kindred:grp:join:{group.id}")
    ).response()
    assert again.ephemeral and "already in" in again.text
    # leave from the panel
    left = await (
        await emulator.press_button(world.member2, panel, f"kindred:grp:leave:{group.id}")
    ).response()
    assert left.ephemeral and "You've left" in left.text
    assert role.id not in emulator.member(world.guild, world.member2).roles
    assert not await kindred.services.groups.is_member(group.id, world.member2.id)
    # rejoining needs no second acceptance while the guidelines are unchanged
    back = await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    assert "Welcome" in back.text
    # and by command
    await join(emulator, world, world.member)
    gone = await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    assert "You've left" in gone.text
    assert role.id not in emulator.member(world.guild, world.member).roles
    not_in = await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    assert "You're not in" in not_in.text
    choices = await emulator.autocomplete(
        world.member, world.general, "group join", focused="name", value="gri"
    )
    assert [c["value"] for c in choices] == ["Grief circle"]


async def test_a_new_guidelines_version_is_asked_for_on_the_next_join(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred)
    old_card = message_of(
        await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    )
    await join(emulator, world, world.member)
    opened = await emulator.run_command(
        world.mod, world.general, "group guidelines set", options={"name": "Grief circle"}
    )
    modal = await opened.response()
    assert modal.is_modal
    saved = await answer_of(
        await opened.submit_modal({"text": "Be gentle. What is said here stays here."})
    )
    assert "version 1" in saved.text and "keeps their place" in saved.text
    notice = await emulator.wait_for_message(
        channel, predicate=lambda m: "were updated" in m.text, since=0
    )
    assert f"kindred:grp:read:{group.id}" in notice.custom_ids
    # the member keeps their place
    assert role.id in emulator.member(world.guild, world.member).roles
    # an old card cannot accept guidelines the member has not read
    stale = next(c for c in old_card.custom_ids if c.startswith("kindred:grp:accept:"))
    shown = await (await emulator.press_button(world.member2, old_card, stale)).response()
    assert "changed since you opened them" in shown.text and "Be gentle" in shown.text
    assert role.id not in emulator.member(world.guild, world.member2).roles
    # leaving and rejoining asks for the new version (g1)
    await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    card = message_of(
        await command(emulator, world.member, world.general, "group join", name=GRIEF)
    )
    assert "Be gentle" in card.text
    assert f"kindred:grp:accept:{group.id}:g1" in card.custom_ids
    await emulator.press_button(world.member, card, f"kindred:grp:accept:{group.id}:g1")
    await emulator.wait_until(lambda: role.id in emulator.member(world.guild, world.member).roles)
    accepted = await kindred.services.groups.repo.acceptance(group.id, world.member.id)
    assert (accepted.scope, accepted.version) == ("group", 1)
    entries = await kindred.services.audit.recent(world.guild.id, limit=20)
    assert "groups.guidelines" in [e.action for e in entries]


async def new_version(emulator: DiscordEmulator, world: World, text: str) -> None:
    opened = await emulator.run_command(
        world.mod, world.general, "group guidelines set", options={"name": GRIEF}
    )
    assert (await opened.response()).is_modal
    saved = await answer_of(await opened.submit_modal({"text": text}))
    assert "version" in saved.text, saved.text


async def test_a_member_reading_changed_guidelines_is_not_told_to_join_a_group_they_are_in(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """(probe 22) A member who joined (accepting version 0) keeps their place when the
    guidelines change; the channel's notice invites them to "have a read". Its "Read the
    guidelines" showed the card meant for someone joining ("To join, please read them and
    press the button."). The card says they are a member and asks them to accept the new
    version; accepting keeps the role and thanks them; a member who doesn't accept keeps
    their place and posts as before."""
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred)
    welcome = await join(emulator, world, world.member)
    assert "Welcome" in welcome.text
    card2 = message_of(
        await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    )
    old_accept = next(c for c in card2.custom_ids if c.startswith("kindred:grp:accept:"))
    await (await emulator.press_button(world.member2, card2, old_accept)).response()
    await emulator.wait_until(lambda: role.id in emulator.member(world.guild, world.member2).roles)
    await new_version(emulator, world, "Be gentle. What is said here stays here.")
    notice = await emulator.wait_for_message(
        channel, predicate=lambda m: f"kindred:grp:read:{group.id}" in m.custom_ids, since=0
    )
    assert role.id in emulator.member(world.guild, world.member).roles  # still in
    shown = await (
        await emulator.press_button(world.member, notice, f"kindred:grp:read:{group.id}")
    ).response()
    (embed,) = shown.embeds
    footer = embed["footer"]["text"]
    assert "Be gentle" in embed["description"]
    assert "To join" not in footer, footer
    assert shown.ephemeral
    assert footer == (
        "This group's own guidelines, version 1. You're a member and keep your place; to "
        "accept this version, please read it and press the button."
    )
    accept = f"kindred:grp:accept:{group.id}:g1"
    assert accept in shown.message.custom_ids
    thanks = await (await emulator.press_button(world.member, shown.message, accept)).response()
    assert thanks.text == (
        "Thank you: you've accepted this group's own guidelines, version 1 of **Grief circle**."
    )
    assert role.id in emulator.member(world.guild, world.member).roles
    accepted = await kindred.services.groups.repo.acceptance(group.id, world.member.id)
    assert (accepted.scope, accepted.version) == ("group", 1)
    again = await (
        await emulator.press_button(world.member, notice, f"kindred:grp:read:{group.id}")
    ).response()
    assert again.message.content == "You've accepted these already."
    assert again.embeds[0]["footer"]["text"] == "This group's own guidelines, version 1."
    # a member pressing "I accept" on the card they joined with reads the new version as a member
    stale = await (await emulator.press_button(world.member2, card2, old_accept)).response()
    assert "changed since you opened them" in stale.message.content
    assert stale.embeds[0]["footer"]["text"] == footer
    # a member who doesn't accept keeps their place and writes in the channel as before
    since = len(emulator.messages_in(channel))
    await emulator.send_message(world.member2, channel, "Hello all, the walk on Sunday was lovely.")
    await settled(kindred)
    assert role.id in emulator.member(world.guild, world.member2).roles
    assert await kindred.services.groups.is_member(group.id, world.member2.id)
    written = emulator.messages_in(channel)[since:]
    assert [m.text for m in written if m.author.id != world.member2.id] == []
    assert [m.text for m in bot_dms(emulator, world.member2)] == []
    # someone outside the group reading the notice is asked to accept them to join
    outsider = await (
        await emulator.press_button(world.peer, notice, f"kindred:grp:read:{group.id}")
    ).response()
    assert outsider.embeds[0]["footer"]["text"] == (
        "This group's own guidelines, version 1. To join, please read them and press the button."
    )


async def test_clearing_a_groups_own_guidelines_says_it_follows_the_servers_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An empty form for a group's own guidelines gives the group the server's again: the
    answer says so (it used to call them "this group's own guidelines, version 0")."""
    await allow_groups(emulator, world, kindred)
    group, _channel, _role = await create_group(emulator, world, kindred)
    for text, want in (
        ("Be gentle.", "Saved: this group's own guidelines, version 1 for this group."),
        ("", "Saved: this group follows the server's guidelines again, version 0."),
    ):
        opened = await emulator.run_command(
            world.mod, world.general, "group guidelines set", options={"name": GRIEF}
        )
        assert (await opened.response()).is_modal
        saved = await answer_of(await opened.submit_modal({"text": text}))
        assert saved.text.startswith(want), saved.text
        assert "own guidelines, version 0" not in saved.text
    current = await kindred.services.groups.guidelines_for(
        await kindred.services.groups.get(group.id, world.guild.id)
    )
    assert (current.scope, current.version) == ("server", 0)


async def test_anonymous_posts_hide_the_author_and_a_reveal_is_audited(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    _group, channel, _ = await create_group(emulator, world, kindred, private=True)
    await join(emulator, world, world.member)
    await join(emulator, world, world.member2)
    refused = await command(emulator, world.member, channel, "group post", text="hello")
    assert "doesn't take anonymous posts" in refused.text
    on = await command(
        emulator, world.mod, world.general, "group settings anonymous", name=GRIEF,
        enabled=True,
    )  # fmt: skip
    assert "pseudonym" in on.text
    # in the group's channel the group is implied; the answer is private
    answer = await command(emulator, world.member, channel, "group post", text="it's been a year")
    assert answer.ephemeral and "Posted" in answer.text
    post = await emulator.wait_for_message(
        channel, predicate=lambda m: "it's been a year" in m.text, since=0
    )
    pseudonym = post.embeds[0]["author"]["name"].removesuffix(" · anonymous")
    assert pseudonym in answer.text
    # what other members receive names nobody
    payload = str(emulator.message_payload(post))
    for leak in (str(world.member.id), world.member.username):
        assert leak not in payload
    assert post.author.id == emulator.bot_user.id and not post.ephemeral
    # the pseudonym is stable for this member in this group; another member gets another
    opened = await emulator.run_command(
        world.member, world.general, "group post", options={"name": "Grief circle"}
    )
    assert (await opened.response()).is_modal
    await answer_of(await opened.submit_modal({"text": "thank you all"}))
    second = await emulator.wait_for_message(channel, predicate=lambda m: "thank you" in m.text)
    assert second.embeds[0]["author"]["name"] == post.embeds[0]["author"]["name"]
    await command(emulator, world.member2, channel, "group post", text="same here")
    third = await emulator.wait_for_message(channel, predicate=lambda m: "same here" in m.text)
    assert third.embeds[0]["author"]["name"] != post.embeds[0]["author"]["name"]
    # a moderator reveals, with a reason: logged, and the member is told
    link = f"https://discord.com/channels/{world.guild.id}/{channel.id}/{post.id}"
    revealed = await command(
        emulator, world.mod, world.general, "group reveal", message=link, reason="threats"
    )
    assert revealed.ephemeral and f"<@{world.member.id}>" in revealed.text
    entries = await kindred.services.audit.recent(world.guild.id, limit=50)
    reveal = next(e for e in entries if e.action == "groups.reveal")
    assert reveal.actor_id == world.mod.id and reveal.detail["message"] == post.id
    assert reveal.detail["reason"] == "threats"
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "looked up" in m.text, since=0
    )
    assert "threats" in told.text
    # non-members cannot post
    outsider = await command(emulator, world.peer, channel, "group post", text="hi")
    assert "for members of" in outsider.text


async def anonymous_group(emu: DiscordEmulator, world: World, kindred: Kindred, *members):
    """A group taking anonymous posts, with ``members`` (default: world.member) in it."""
    await setup_peers(emu, world)
    await allow_groups(emu, world, kindred)
    _group, channel, _ = await create_group(emu, world, kindred)
    for user in members or (world.member,):
        await join(emu, world, user)
    on = await command(
        emu, world.mod, world.general, "group settings anonymous", name=GRIEF, enabled=True
    )
    assert "pseudonym" in on.text, on.text
    return channel


def anonymous_posts(emu: DiscordEmulator, channel) -> list[Message]:
    return [m for m in emu.bot_messages(channel) if m.embeds and "anonymous" in str(m.embeds)]


@pytest.mark.parametrize("blank", ["\u200c", "\u2060", "\ufeff", "\u200b\u200d", "\u3164"])
async def test_an_anonymous_post_of_only_invisible_characters_is_refused(
    emulator: DiscordEmulator, world: World, kindred: Kindred, blank: str
) -> None:
    channel = await anonymous_group(emulator, world, kindred)
    answer = await command(emulator, world.member, channel, "group post", text=blank)
    assert answer.ephemeral and "nothing to post" in answer.text, answer.text
    assert not anonymous_posts(emulator, channel)
    # the same through the form
    opened = await emulator.run_command(world.member, channel, "group post")
    assert (await opened.response()).is_modal
    refused = await answer_of(await opened.submit_modal({"text": f" {blank}\n{blank} "}))
    assert "nothing to post" in refused.text, refused.text
    assert not anonymous_posts(emulator, channel)


async def test_a_member_who_opted_out_gets_no_content_note_about_what_they_wrote(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """``/safety optout`` promises "no more automatic messages" (its description: stop
    Kindred's automatic messages when you write something hard): a member who opted out and
    writes about abuse in a group with content notes gets no DM about their words, nor about
    their anonymous post; someone who did not opt out gets the note."""
    channel = await anonymous_group(emulator, world, kindred, world.member, world.member2)
    await ask_for_content_notes(emulator, world)
    opted = await command(emulator, world.member, world.general, "safety optout", enabled=True)
    assert "no more automatic messages" in opted.text, opted.text
    await emulator.send_message(world.member, channel, "I was abused as a kid and it still hurts")
    posted = await command(
        emulator, world.member, channel, "group post", text="my dad was abusive, it hurts"
    )
    assert "Posted" in posted.text, posted.text
    # someone who did not opt out gets the note: the path is reached
    await emulator.send_message(world.member2, channel, "I was abused as a kid and it still hurts")
    await emulator.wait_for_message(
        emulator.dm_channel(world.member2), predicate=lambda m: "spoiler tags" in m.text
    )
    await command(emulator, world.member2, channel, "group post", text="he abused my mum too")
    await kindred.quiet()
    sent = [
        m
        for m in emulator.messages_in(emulator.dm_channel(world.member))
        if m.author.id == emulator.bot_user.id
    ]
    assert sent == [], [m.text[:120] for m in sent]


async def test_an_anonymous_post_naming_a_heavy_topic_gets_the_content_note_by_dm(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    channel = await anonymous_group(emulator, world, kindred, world.member, world.member2)
    await ask_for_content_notes(emulator, world)
    dm = emulator.dm_channel(world.member)
    tagged = await command(
        emulator, world.member, channel, "group post", text="||my dad was abusive|| it hurts"
    )
    assert "Posted" in tagged.text, tagged.text
    posted = await command(
        emulator, world.member, channel, "group post",
        text="I was abused as a kid and it still hurts",
    )  # fmt: skip
    assert posted.ephemeral and "Posted" in posted.text, posted.text
    note = await emulator.wait_for_message(dm, predicate=lambda m: "spoiler tags" in m.text)
    assert "anonymous post" in note.text and "Nothing was removed" in note.text
    # the same few hours' quiet as for messages: one more heavy post, or message, no second note
    # (words the crisis detector lets pass, so only the few hours' rule keeps the note back)
    await command(emulator, world.member, channel, "group post", text="he abused my mum too")
    await emulator.send_message(world.member, channel, "my sister had a miscarriage last spring")
    await settled(kindred)  # a note would have been sent by now (it waits NOTE_DELAY)
    safety = kindred.services.safety
    assert safety.context_risk(world.guild.id, channel.id, world.member.id) == 0  # no veto
    assert [m.id for m in emulator.messages_in(dm) if "spoiler tags" in m.text] == [note.id]
    assert len(anonymous_posts(emulator, channel)) == 3  # all posted, nothing removed
    # never public, and nothing in the channel points to who wrote them
    for message in emulator.messages_in(channel):
        assert "spoiler tags" not in message.text
        if message.author.id == emulator.bot_user.id:
            assert str(world.member.id) not in str(emulator.message_payload(message))
    # someone the crisis detector noticed gets its care, never a nudge about spoiler tags
    dm2 = emulator.dm_channel(world.member2)
    words = "the abuse makes me want to kill myself"
    await command(emulator, world.member2, channel, "group post", text=words)
    await emulator.wait_for_message(dm2, predicate=lambda m: "spoiler" not in m.text)
    await settled(kindred)
    assert [m.text for m in emulator.messages_in(dm2) if "spoiler" in m.text] == []


async def test_a_deleted_channel_or_role_is_reported_and_repaired(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred, private=True)
    await join(emulator, world, world.member)
    emulator.delete_channel(channel)
    report = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its channel was deleted" in m.text, since=0
    )
    assert "/group repair Grief circle" in report.text
    emulator.delete_role(world.guild, role)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its role was deleted" in m.text, since=0
    )
    # a member trying to join meanwhile hears why, kindly
    refused = await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    assert "lost its role" in refused.text
    fixed = await command(emulator, world.mod, world.general, "group repair", name=GRIEF)
    assert "new role" in fixed.text and "new channel" in fixed.text
    repaired = await kindred.services.groups.get(group.id, world.guild.id)
    assert repaired.problem is None and repaired.channel_id != channel.id
    new_channel = emulator.channel(repaired.channel_id)
    assert repaired.role_id in emulator.member(world.guild, world.member).roles  # given back
    assert sees(emulator, world.member, new_channel)
    assert not sees(emulator, world.member2, new_channel)


async def test_joining_a_group_whose_channel_was_deleted_is_refused_kindly_not_welcomed(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """From probe 12: a group's channel is deleted (its role kept) and the moderators told.
    /group join showed the guidelines, "I accept" gave the role and welcomed the member to the
    deleted channel, and /group list offered the group. Now the join is refused kindly (no
    card, no role), a card shown before is refused too, /group list marks the group as not
    open to join, until /group repair."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    _group, channel, role = await create_group(emulator, world, kindred)
    shown_before = message_of(
        await command(emulator, world.member, world.general, "group join", name=GRIEF)
    )
    emulator.delete_channel(channel)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its channel was deleted" in m.text, since=0
    )
    answer = await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    card = message_of(answer)
    accepts = [c for c in card.custom_ids if c.startswith("kindred:grp:accept:")]
    assert accepts == [], answer.text
    assert role.id not in emulator.member(world.guild, world.member2).roles
    assert answer.ephemeral and "lost its channel" in answer.text, answer.text
    assert "`/group repair`" in answer.text and "Welcome" not in answer.text
    # "I accept" on a card shown before the channel went: refused the same way
    accept = next(c for c in shown_before.custom_ids if c.startswith("kindred:grp:accept:"))
    pressed = await (await emulator.press_button(world.member, shown_before, accept)).response()
    assert "lost its channel" in pressed.text and "Welcome" not in pressed.text, pressed.text
    assert role.id not in emulator.member(world.guild, world.member).roles
    # /group list tells members it can't be joined just now; moderators still see what's missing
    listed = await command(emulator, world.member2, world.general, "group list")
    assert "not open to join just now" in listed.text, listed.text
    moderators = await command(emulator, world.mod, world.general, "group list")
    assert "missing channel" in moderators.text and "not open to join" not in moderators.text
    french = await (
        await emulator.run_command(
            world.member2, world.general, "group join", options={"name": GRIEF}, locale="fr"
        )
    ).answer()
    assert "/group repair" in french.text and "lost its channel" not in french.text, french.text
    # once repaired, joining works as before
    await command(emulator, world.mod, world.general, "group repair", name=GRIEF)
    welcome = await join(emulator, world, world.member2)
    assert "Welcome to **Grief circle**" in welcome.text, welcome.text
    repaired = await kindred.services.groups.get(_group.id, world.guild.id)
    assert f"<#{repaired.channel_id}>" in welcome.text


async def repair_both_and_slow_down(
    emulator: DiscordEmulator, world: World, kindred: Kindred, language: str | None
):
    """A moderator (in ``language``, if chosen) repairs a group whose channel and role were
    deleted, then slows the new channel down and lifts it. Returns (the repair's answer, the
    slowmode answers, the new channel's and role's ids)."""
    await setup_peers(emulator, world)
    if language:
        await command(emulator, world.mod, world.general, "language set", language=language)
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred, name="Deuil")
    await join(emulator, world, world.member, name="Deuil")
    emulator.delete_channel(channel)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its channel was deleted" in m.text, since=0
    )
    emulator.delete_role(world.guild, role)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its role was deleted" in m.text, since=0
    )
    fixed = await command(emulator, world.mod, world.general, "group repair", name="Deuil")
    row = await kindred.services.groups.get(group.id, world.guild.id)
    slowed = [
        await command(
            emulator, world.mod, world.general, "group settings slowmode", name="Deuil", **opts
        )
        for opts in ({"seconds": 30, "minutes": 20}, {"seconds": 10}, {"seconds": 0})
    ]
    return fixed, slowed, row.channel_id, row.role_id


async def test_a_french_moderator_reads_the_repair_and_slowmode_summaries_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Whole sentences in the moderator's language, not English pieces put together; the
    reports in the moderators' channel stay in English (no per-server language)."""
    fixed, slowed, channel, role = await repair_both_and_slow_down(emulator, world, kindred, "fr")
    assert fixed.ephemeral and fixed.text == (
        f"**Deuil** : j'ai créé un nouveau rôle <@&{role}>, je l'ai redonné à 1 membre, j'ai "
        f"créé un nouveau salon <#{channel}> et vérifié qui peut voir le salon."
    ), fixed.text
    assert [answer.text for answer in slowed] == [
        f"**Deuil** : mode lent dans <#{channel}> : un message toutes les 30 s par membre "
        "pendant 20 minutes.",
        f"**Deuil** : mode lent dans <#{channel}> : un message toutes les 10 s par membre "
        "jusqu'à ce que tu le désactives.",
        f"**Deuil** : le mode lent est désactivé dans <#{channel}>.",
    ]
    assert all(answer.ephemeral for answer in slowed)


async def test_an_english_moderators_repair_and_slowmode_summaries_read_as_before(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    fixed, slowed, channel, role = await repair_both_and_slow_down(emulator, world, kindred, None)
    assert fixed.text == (
        f"**Deuil**: I made a new role <@&{role}>, gave it back to 1 member, made a new channel "
        f"<#{channel}>, checked who can see the channel."
    ), fixed.text
    assert [answer.text for answer in slowed] == [
        f"**Deuil**: Slowmode in <#{channel}>: one message every 30 s per member for 20 minutes.",
        f"**Deuil**: Slowmode in <#{channel}>: one message every 10 s per member until you turn "
        "it off.",
        f"**Deuil**: Slowmode is off in <#{channel}>.",
    ]
    # nothing missing: only the check is left to do
    again = await command(emulator, world.mod, world.general, "group repair", name="Deuil")
    assert again.text == "**Deuil**: I checked who can see the channel.", again.text


async def test_missing_permissions_are_reported_with_the_fix(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await take_manage_away(emulator, world, kindred)
    answer = await command(
        emulator, world.mod, world.general, "group create", name=GRIEF,
        description="For loss.",
    )  # fmt: skip
    assert answer.ephemeral
    assert "**Manage Roles** and **Manage Channels**" in answer.text
    assert "Server Settings → Roles" in answer.text
    assert await kindred.services.groups.for_guild(world.guild.id) == []
    # the group's role dragged above Kindred's: the member is told kindly, moderators get the fix
    await allow_groups(emulator, world, kindred)
    _, _, role = await create_group(emulator, world, kindred)
    role.position = 99
    emulator.dispatch(
        "GUILD_ROLE_UPDATE", {"guild_id": str(world.guild.id), "role": role.to_payload()}
    )
    guild = kindred.bot.get_guild(world.guild.id)
    await emulator.wait_until(lambda: guild.get_role(role.id).position == 99)
    refused = await join(emulator, world, world.member)
    assert "Discord refused" in refused.text and "Moderators were told" in refused.text
    fix = await emulator.wait_for_message(world.mods, predicate=lambda m: "drag" in m.text, since=0)
    assert "above **Grief circle**" in fix.text
    assert role.id not in emulator.member(world.guild, world.member).roles


async def test_a_french_moderator_reads_discords_refusals_of_group_work_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The server took Manage Roles (and Manage Channels) away from Kindred: the missing
    permission at /group create, and Discord refusing the role at a join, read in French."""
    await setup_peers(emulator, world)
    await command(emulator, world.mod, world.general, "language set", language="fr")
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred, name="Deuil")
    await take_manage_away(emulator, world, kindred)
    refused = await command(
        emulator, world.mod, world.general, "group create", name=GRIEF, description="For loss."
    )
    assert refused.ephemeral and refused.text.startswith(
        "J'ai besoin des permissions **Gérer les rôles** et **Gérer les salons** pour faire "
        "fonctionner les groupes de soutien."
    ), refused.text
    assert "I need" not in refused.text and "**Kindred**" in refused.text
    joined = await join(emulator, world, world.mod, name="Deuil")
    assert joined.ephemeral and joined.text == (
        "Je n'ai pas pu te donner le rôle de **Deuil** : Discord a refusé. Les modérateurs savent "
        "comment régler ça ; réessaie plus tard, s'il te plaît."
    ), joined.text
    report = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Discord didn't let me give the role" in m.text, since=0
    )
    assert report.text.startswith("**Deuil**: ")  # the moderators' channel: English
    english = await join(emulator, world, world.member, name="Deuil")
    assert english.text == (
        "I couldn't give you the **Deuil** role: Discord refused. Moderators were told how to "
        "fix it; please try again later."
    ), english.text


async def reconciled(kindred: Kindred) -> None:
    await kindred.bot.get_cog("Groups").wait_reconciled()


async def test_a_restart_keeps_memberships_and_costs_one_role_count_call(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, _, role = await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    await join(emulator, world, world.member2)
    # a moderator edits the role by hand (name, colour): memberships follow the role's id
    role.name, role.color = "Grief circle 💜", 0x9B59B6
    update = {"guild_id": str(world.guild.id), "role": role.to_payload()}
    emulator.dispatch("GUILD_ROLE_UPDATE", update)
    before = len(emulator.calls)
    await kindred.restart()
    await reconciled(kindred)
    calls = [f"{c.method} {c.route}" for c in emulator.calls[before:]]
    assert calls.count("GET /guilds/{guild_id}/roles/member-counts") == 1
    assert "GET /guilds/{guild_id}/members/{user_id}" not in calls  # nothing changed: no look-ups
    assert sorted(await kindred.services.groups.members(group.id)) == sorted(
        [world.member.id, world.member2.id]
    )
    left = await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    assert "You've left" in left.text  # and everything still works after the restart


async def test_reconciliation_follows_roles_changed_by_hand_and_members_who_left(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, _channel, role = await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    await join(emulator, world, world.member2)
    await kindred.stop()
    # while Kindred is down: a moderator takes the role from alice by hand, bo leaves the server
    emulator.set_member_roles(world.guild, world.member, [])
    emulator.remove_member(world.guild, world.member2)
    await kindred.start()
    await reconciled(kindred)
    assert await kindred.services.groups.members(group.id) == []  # Discord wins
    lookups = emulator.calls_matching("GET", "/guilds/{guild_id}/members/{user_id}")
    assert len(lookups) == 2  # only the members of the group whose count changed
    # a role given by hand makes a membership (Discord wins): seen with the member's next
    # interaction (or message, at most hourly: tests/unit/test_groups.py)
    emulator.set_member_roles(world.guild, world.peer, [world.peer_role, role])
    answer = await command(emulator, world.peer, world.general, "group join", name=GRIEF)
    assert "already in" in answer.text
    assert await kindred.services.groups.is_member(group.id, world.peer.id)


async def test_content_notes_remind_privately_and_slowmode_is_lifted_by_its_timer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, channel, _ = await create_group(emulator, world, kindred)
    await ask_for_content_notes(emulator, world)
    dm = emulator.dm_channel(world.member)
    await emulator.send_message(world.member, channel, "||my dad was abusive|| it still hurts")
    await emulator.send_message(world.member, channel, "I was abused as a kid and it still hurts")
    note = await emulator.wait_for_message(dm, predicate=lambda m: "spoiler tags" in m.text)
    assert "Nothing was removed" in note.text
    notes = [m for m in emulator.messages_in(dm) if "spoiler tags" in m.text]
    assert len(notes) == 1  # the message that used spoiler tags got none
    assert not [m for m in emulator.bot_messages(channel) if "spoiler" in m.text]  # never public
    assert len(emulator.messages_in(channel, author=world.member)) == 2  # nothing deleted
    # someone the crisis detector noticed gets its care, never a nudge about spoiler tags
    dm2 = emulator.dm_channel(world.member2)
    await emulator.send_message(world.member2, channel, "the abuse makes me want to kill myself")
    await emulator.wait_for_message(dm2, predicate=lambda m: "spoiler" not in m.text)
    await settled(kindred)
    assert [m.text for m in emulator.messages_in(dm2) if "spoiler" in m.text] == []
    # slowmode for a heavy moment, lifted by a stored timer
    answer = await command(
        emulator, world.mod, world.general, "group settings slowmode", name=GRIEF,
        seconds=30, minutes=20,
    )  # fmt: skip
    assert "for 20 minutes" in answer.text
    assert emulator.channel(channel.id).rate_limit_per_user == 30
    timer = await kindred.services.groups.slowmode_until(group.id)
    assert timer is not None
    await kindred.bot.get_cog("Groups")._on_slowmode_off(timer)
    assert emulator.channel(channel.id).rate_limit_per_user == 0
    row = await kindred.services.groups.get(group.id, world.guild.id)
    assert row.slowmode_seconds == 0


async def test_content_note_reaches_a_member_the_detector_noticed_but_did_not_answer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A heavy share the detector reads as plain distress gets no reply of its own while the
    gentle pointer is off (the default): the spoiler-tag reminder still comes, once. With the
    pointer on, the member's one DM is the pointer, and no reminder follows it."""
    await allow_groups(emulator, world, kindred)
    _group, channel, _ = await create_group(emulator, world, kindred)
    await ask_for_content_notes(emulator, world)
    share = "my stepdad was abusive and I feel worthless and numb"
    cog = kindred.bot.get_cog("Safety")
    assert cog is not None and cog.worker is not None
    read = cog.worker.assessor.assess(share)
    assert read.label == "distress" and not read.possible_concern  # noticed, at the plain level
    dm = emulator.dm_channel(world.member)
    await emulator.send_message(world.member, channel, share)
    note = await emulator.wait_for_message(dm, predicate=lambda m: "spoiler tags" in m.text)
    assert "Nothing was removed" in note.text
    await settled(kindred)
    assert [m.text for m in emulator.messages_in(dm)] == [note.text]  # the reminder alone
    assert len(emulator.messages_in(channel, author=world.member)) == 1  # nothing deleted
    # the server turns the gentle pointer on: the pointer is the care, and no reminder
    await command(emulator, world.mod, world.general, "safety settings", distress_pointer=True)
    dm2 = emulator.dm_channel(world.member2)
    await emulator.send_message(world.member2, channel, share)
    pointer = await emulator.wait_for_message(dm2, predicate=lambda m: "heavy" in m.text)
    assert "automated" in pointer.text
    await settled(kindred)  # a reminder that was coming has come
    assert [m.text for m in emulator.messages_in(dm2)] == [pointer.text]


async def test_archiving_locks_the_channel_and_stops_joins(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    _group, channel, _role = await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    answer = await command(emulator, world.mod, world.general, "group archive", name=GRIEF)
    assert "archived" in answer.text
    assert sees(emulator, world.member, channel)  # members can still read their history
    assert not emulator.permissions_for(world.member, channel) & P.SEND_MESSAGES
    assert not sees(emulator, world.member2, channel)
    refused = await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    assert "archived" in refused.text
    listed = await command(emulator, world.member, world.general, "group list")
    assert "Grief circle" not in listed.text
    back = await command(emulator, world.mod, world.general, "group unarchive", name=GRIEF)
    assert "open again" in back.text
    assert sees(emulator, world.member2, channel)
    assert emulator.permissions_for(world.member, channel) & P.SEND_MESSAGES


async def test_archiving_an_archived_group_names_group_unarchive(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The moderator archiving a group archived already was told 'a moderator can bring it
    back': they are that moderator. They read how, in their language."""
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred)
    await command(emulator, world.mod, world.general, "group archive", name=GRIEF)
    again = await command(emulator, world.mod, world.general, "group archive", name=GRIEF)
    assert again.text == (
        "**Grief circle** is archived already; `/group unarchive` brings it back."
    ), again.text
    french = await answer_of(
        await emulator.run_command(
            world.mod, world.general, "group archive", options={"name": GRIEF}, locale="fr"
        )
    )
    assert french.text == ("**Grief circle** est déjà archivé ; `/group unarchive` le rétablit."), (
        french.text
    )
    assert not (await kindred.services.groups.by_name(world.guild.id, GRIEF)).active


async def test_archiving_ends_a_timed_slowmode_and_it_stays_lifted_after_unarchive(
    emulator: DiscordEmulator,
    world: World,
    start_at: Start,  # noqa: F811
) -> None:
    traveller, kindred = await start_at(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    await allow_groups(emulator, world, kindred)
    group, channel, _ = await create_group(emulator, world, kindred)
    answer = await command(
        emulator, world.mod, world.general, "group settings slowmode", name=GRIEF,
        seconds=30, minutes=20,
    )  # fmt: skip
    assert "for 20 minutes" in answer.text
    assert emulator.channel(channel.id).rate_limit_per_user == 30
    await command(emulator, world.mod, world.general, "group archive", name=GRIEF)
    # the heavy moment ends with the group: lifted now, not left for no timer to lift
    assert emulator.channel(channel.id).rate_limit_per_user == 0
    assert (await kindred.services.groups.get(group.id, world.guild.id)).slowmode_seconds == 0
    assert await kindred.services.groups.slowmode_until(group.id) is None
    await command(emulator, world.mod, world.general, "group unarchive", name=GRIEF)
    await run_at(traveller, kindred, datetime(2026, 11, 23, 13, 0, 5, tzinfo=UTC))
    row = await kindred.services.groups.get(group.id, world.guild.id)
    # "with minutes a stored timer lifts it": 20 minutes, not forever
    assert emulator.channel(channel.id).rate_limit_per_user == 0 and row.slowmode_seconds == 0, (
        emulator.channel(channel.id).rate_limit_per_user, row.slowmode_seconds)  # fmt: skip


async def test_archiving_keeps_a_slowmode_without_an_end_for_when_the_group_is_back(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    group, channel, _ = await create_group(emulator, world, kindred)
    answer = await command(
        emulator, world.mod, world.general, "group settings slowmode", name=GRIEF, seconds=30
    )
    assert "until you turn it off" in answer.text
    await command(emulator, world.mod, world.general, "group archive", name=GRIEF)
    await command(emulator, world.mod, world.general, "group unarchive", name=GRIEF)
    assert emulator.channel(channel.id).rate_limit_per_user == 30
    assert (await kindred.services.groups.get(group.id, world.guild.id)).slowmode_seconds == 30


async def test_losing_manage_roles_is_reported_at_start_up(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred)
    await kindred.stop()
    emulator.set_role_permissions(world.guild, world.guild.bot_role_id, WITHOUT_MANAGE)
    await kindred.start()
    await reconciled(kindred)
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Manage Roles" in m.text, since=0
    )
    assert "Server Settings → Roles" in told.text


NAMES = st.one_of(
    st.sampled_from(
        ["Grief & loss", "ＧＲＩＥＦ", "İstanbul group", "a" * 40, "a" * 41, "@here", "-- --",
         "Sleep\u200b", "O'Brien's circle", "dads.", "x", "Ünïcödé names"]
    ),
    st.text(alphabet="aZ9 -_'&.éß!@#\u0301\u200b", min_size=0, max_size=45),
)  # fmt: skip


@settings(
    max_examples=int(os.environ.get("GROUP_NAME_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=NAMES)
async def test_any_name_is_refused_kindly_or_accepted_by_discord(
    emulator: DiscordEmulator, world: World, kindred: Kindred, name: str
) -> None:
    if not getattr(kindred, "_groups_ready", False):
        await allow_groups(emulator, world, kindred)
        kindred._groups_ready = True  # type: ignore[attr-defined]
    before = len(emulator.calls)
    answer = await command(
        emulator, world.mod, world.general, "group create", name=name, description="d"
    )
    assert answer.ephemeral and "something went wrong" not in answer.text, answer.text
    refused = [c for c in emulator.calls[before:] if c.status >= 400]
    assert not refused, refused  # Kindred never sends Discord a name it rejects
    if "is ready" in answer.text:
        rows = await kindred.services.groups.for_guild(world.guild.id)
        group = max(rows, key=lambda r: r.id)
        assert emulator.role(world.guild, group.role_id).name == group.name
        assert emulator.channel(group.channel_id).name == channel_slug(group.name)
    else:
        assert any(
            hint in answer.text
            for hint in ("Group names", "group name", "already a group", "mention of everyone")
        ), answer.text


async def test_about_and_help_tell_the_truth_about_groups(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    about = await command(emulator, world.member, world.general, "kindred about")
    assert "support groups" in about.text and "/group list" in about.text
    members = await command(emulator, world.member, world.general, "kindred help")
    assert "/group join" in members.text and "/group create" not in members.text
    moderators = await command(
        emulator, world.member, world.general, "kindred help", audience="moderator"
    )
    assert "/group create" in moderators.text and "/group reveal" in moderators.text
    assert sum(len(f["value"]) for f in moderators.embeds[0]["fields"]) < 6000


async def test_an_existing_channel_can_become_a_group(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    lounge = emulator.create_channel(world.guild, "carers-lounge")
    channels = len(world.guild.channels)
    group, channel, _ = await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    assert channel.id == lounge.id and len(world.guild.channels) == channels  # none created
    assert group.adopted and sees(emulator, world.member, lounge)  # open: as the server had it
    taken = await command(
        emulator, world.mod, world.general, "group create", name="Carers two",
        description="d", channel=lounge,
    )  # fmt: skip
    assert "already the channel of **Carers**" in taken.text
    hidden = emulator.create_channel(world.guild, "survivors")
    _, channel, role = await create_group(
        emulator, world, kindred, name="Survivors", channel=hidden, private=True
    )
    assert not sees(emulator, world.member, hidden)
    await join(emulator, world, world.member, "Survivors")
    assert (
        sees(emulator, world.member, hidden)
        and role.id in emulator.member(world.guild, world.member).roles
    )


async def test_discord_refusing_or_rate_limiting_a_role_is_handled(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    group, _, role = await create_group(emulator, world, kindred)
    route = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    emulator.inject_fault("PUT", route, status=403)
    refused = await join(emulator, world, world.member)
    assert "Discord refused" in refused.text and "Moderators were told" in refused.text
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "Manage Roles" in m.text, since=0
    )
    assert "Grief circle" in told.text
    assert not await kindred.services.groups.is_member(group.id, world.member.id)
    # a rate limit is waited out: the member gets in (they accepted already: no card again)
    emulator.inject_fault("PUT", route, status=429, retry_after=0.2)
    welcome = await command(emulator, world.member, world.general, "group join", name=GRIEF)
    assert "Welcome" in welcome.text
    assert role.id in emulator.member(world.guild, world.member).roles
    # the member left the server before the role could be given: cleaned, and said kindly
    card = message_of(
        await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    )
    emulator.inject_fault("PUT", route, status=404, code=10007, message="Unknown Member")
    accept = next(c for c in card.custom_ids if c.startswith("kindred:grp:accept:"))
    gone = await (await emulator.press_button(world.member2, card, accept)).response()
    assert gone.ephemeral and "no longer in this server" in gone.text
    assert await kindred.services.groups.repo.acceptance(group.id, world.member2.id) is None


async def test_an_anonymous_post_in_crisis_reaches_its_author_privately_and_alerts_peers_namelessly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await allow_groups(emulator, world, kindred)
    _group, channel, _ = await create_group(emulator, world, kindred, private=True)
    await join(emulator, world, world.member)
    await command(
        emulator, world.mod, world.general, "group settings anonymous", name=GRIEF, enabled=True
    )
    words = "i want to kill myself tonight, i have the pills ready"
    answer = await command(emulator, world.member, channel, "group post", text=words)
    assert "Posted" in answer.text
    post = await emulator.wait_for_message(channel, predicate=lambda m: "pills ready" in m.text)
    # the author gets the private reply, with lines, by DM
    reply = await emulator.wait_for_message(emulator.dm_channel(world.member), since=0)
    assert "988" in reply.text or "crisis" in reply.text.lower()
    # peers are alerted with a link to the post, never the author's name or id
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "anonymous" in m.text.lower(), since=0
    )
    assert f"<@{world.peer.id}>" in alert.text  # the on-duty peer is pinged
    assert str(post.id) in alert.text
    for leak in (str(world.member.id), world.member.username):
        assert leak not in alert.text
    # nothing in the group's channel names them either (no "check your DMs" note)
    for message in emulator.messages_in(channel):
        assert str(world.member.id) not in str(emulator.message_payload(message))
    assert "Kindred has reached out to its author privately." in alert.text, alert.text


async def test_an_anonymous_post_in_crisis_by_a_member_who_opted_out_says_kindred_is_not_messaging(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The author asked for no automatic messages: Kindred sends them none, and the peers'
    alert says so instead of "Kindred has reached out to its author privately". Another author
    whose DMs are closed is reached by a private follow-up of their /group post, so their alert
    says Kindred reached them (not that it couldn't, and not "not messaging")."""
    channel = await anonymous_group(emulator, world, kindred, world.member, world.member2)
    await go_on_duty(emulator, world, world.peer)
    await command(emulator, world.member, world.general, "safety optout", enabled=True)
    words = "i want to kill myself tonight, i have the pills ready"
    answer = await command(emulator, world.member, channel, "group post", text=words)
    assert "Posted" in answer.text, answer.text
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "anonymous" in m.text.lower(), since=0
    )
    assert "reached out to its author" not in alert.text, alert.text
    assert "Kindred is not messaging its author: they opted out" in alert.text, alert.text
    emulator.user_dms_open(world.member2, False)
    await command(emulator, world.member2, channel, "group post", text=words)
    second = await emulator.wait_for_message(
        world.peers,
        predicate=lambda m: "anonymous" in m.text.lower() and m.id != alert.id,
        since=0,
    )
    assert "Kindred has reached out to its author privately." in second.text, second.text
    assert "opted out" not in second.text and "couldn't reach" not in second.text
    await kindred.quiet()
    for member in (world.member, world.member2):
        sent = emulator.messages_in(emulator.dm_channel(member))
        assert [m for m in sent if m.author.id == emulator.bot_user.id] == []


CRISIS = "honestly i want to kill myself, i can't do this anymore"


@pytest.mark.parametrize(
    ("words", "opening"),
    [
        (CRISIS, "I'm Kindred"),
        ("ya no aguanto más, quiero matarme de verdad", "Soy Kindred"),
    ],
)
async def test_an_anonymous_author_in_crisis_with_dms_closed_still_gets_the_crisis_lines(
    emulator: DiscordEmulator, world: World, kindred: Kindred, words: str, opening: str
) -> None:
    """A member whose DMs are closed posts crisis words with ``/group post``: Discord refuses
    the DM, and a channel note would name them, so the crisis reply comes as a private
    (ephemeral) follow-up of their /group post, in their language, with its buttons; never in
    the channel. The peers' alert says truthfully that Kindred reached them."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": words}
    )
    await posting.original_response()
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "anonymous** post" in m.text and "may need" in m.text
    )
    await detector_settled(kindred)
    await kindred.quiet()
    first = await posting.original_response()
    answers = [first, *posting.followup_messages]
    said = "\n".join(m.text for m in answers)
    dms = list(emulator.messages_in(emulator.dm_channel(world.member)))
    assert dms == []  # DMs closed: nothing could be delivered there
    assert opening in said, said
    assert "findahelpline.com" in said or "988" in said, said
    reply = next(m for m in answers if opening in m.text)
    assert reply.ephemeral
    assert any(c.startswith("kindred:") for c in reply.custom_ids), reply.custom_ids
    assert "has reached out to its author privately" in alert.text, alert.text
    public = [m for m in emulator.bot_messages(channel) if not m.ephemeral]
    assert public  # the post itself
    for message in public:
        assert str(world.member.id) not in str(emulator.message_payload(message))
        assert opening not in message.text


async def anonymous_retries(kindred: Kindred) -> list:
    return await kindred.services.db.fetchall(
        "SELECT payload FROM timers WHERE kind = 'safety.anonymous_retry'"
    )


async def test_an_anonymous_posts_alert_discord_fails_for_a_moment_is_posted_later_namelessly(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord answers the peers' alert about an anonymous post with a 503: it is stored for a
    retry holding ids and the post's link only (never the words, never the author) and posted
    once Discord answers, with the same words: every on-duty peer pinged, Kindred's reaching
    the author said truthfully, the author never named."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault("POST", f"/channels/{world.peers.id}/messages", status=503, times=1)
        answer = await command(emulator, world.member, channel, "group post", text=CRISIS)
        assert "Posted" in answer.text, answer.text
        post = await emulator.wait_for_message(channel, predicate=lambda m: "kill myself" in m.text)
        await emulator.wait_for_message(emulator.dm_channel(world.member), since=0, timeout=30)
        async with asyncio.timeout(60):
            while not (rows := await anonymous_retries(kindred)):
                await asyncio.sleep(0.05)
        await settled(kindred)
        (row,) = rows
        for leak in ("kill", str(world.member.id), world.member.username):
            assert leak not in row["payload"], row["payload"]
        assert not [m for m in emulator.messages_in(world.peers) if "anonymous" in m.text.lower()]
        clock.shift(timedelta(seconds=25))
        await kindred.settle()
        alert = await emulator.wait_for_message(
            world.peers, predicate=lambda m: "anonymous** post" in m.text, timeout=30
        )
        await kindred.settle()
        assert await kindred.quiet()
    assert f"<@{world.peer.id}>" in alert.text  # the on-duty peer is pinged
    assert str(post.id) in alert.text
    assert "Kindred has reached out to its author privately." in alert.text, alert.text
    for leak in (str(world.member.id), world.member.username, "kill myself"):
        assert leak not in alert.text
    assert len([m for m in emulator.messages_in(world.peers) if "anonymous" in m.text]) == 1
    assert not await anonymous_retries(kindred)


async def test_an_anonymous_posts_alert_that_never_gets_through_is_told_to_the_moderators_once(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Discord keeps failing the peers' channel (503 every time): the stored retry backs off
    and after its last try the moderators are told once, with the alert's words and the
    post's link, naming nobody."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        emulator.inject_fault(
            "POST", f"/channels/{world.peers.id}/messages", status=503, times=None
        )
        await command(emulator, world.member, channel, "group post", text=CRISIS)
        await emulator.wait_for_message(emulator.dm_channel(world.member), since=0, timeout=30)
        for _ in range(6):  # the scheduler's backoff: 30 s, 60 s, 120 s, 240 s
            clock.shift(timedelta(seconds=300))
            await kindred.settle()
        report = await emulator.wait_for_message(
            world.mods, predicate=lambda m: "could not deliver" in m.text, timeout=30
        )
        await kindred.settle()
        assert await kindred.quiet()
    assert "anonymous** post" in report.text and str(world.member.id) not in report.text
    assert f"<@{world.peer.id}>" not in report.text  # a report, not a ping
    assert len([m for m in emulator.messages_in(world.mods) if "could not deliver" in m.text]) == 1
    assert not await anonymous_retries(kindred)


async def test_an_anonymous_alert_does_not_say_its_author_was_reached_when_they_were_not(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The author's DMs are closed and their /group post can no longer be answered (its
    follow-ups refused, as after the interaction expired): the peers' alert, sent after the
    reply was tried, says Kindred could not reach them, never that it has."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    emulator.user_dms_open(world.member, False)
    dm = emulator.dm_channel(world.member)
    # the DM is refused slowly, so the follow-ups can be refused before the reply tries them
    emulator.inject_fault(
        "POST", f"/channels/{dm.id}/messages", status=403, code=50007, delay=5.0, times=None
    )
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": CRISIS}
    )
    assert "Posted" in (await posting.original_response()).text
    emulator.inject_fault(
        "POST", "/webhooks/{application_id}/{interaction_token}", status=404, code=10015,
        times=None,
    )  # fmt: skip
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "anonymous** post" in m.text
    )
    assert "could not reach its author privately" in alert.text, alert.text
    assert "has reached out" not in alert.text, alert.text
    assert str(world.member.id) not in alert.text


async def closed_dms_then_followups_fail(
    emu: DiscordEmulator, world: World, kindred: Kindred, monkeypatch, times: int | None
):
    """The author's DMs are closed (refused slowly, so the follow-ups fail from the start) and
    Discord answers the /group post's follow-ups 503 ``times`` times (discord.py's own five
    tries of a request, a tenth as far apart). The alert the peers get."""
    monkeypatch.setattr(discord.webhook.async_, "asyncio", _QuickSleeps())
    channel = await anonymous_group(emu, world, kindred, world.member)
    await go_on_duty(emu, world, world.peer)
    emu.user_dms_open(world.member, False)
    dm = emu.dm_channel(world.member)
    emu.inject_fault(
        "POST", f"/channels/{dm.id}/messages", status=403, code=50007, delay=3.0, times=None
    )
    posting = await emu.run_command(world.member, channel, "group post", options={"text": CRISIS})
    assert "Posted" in (await posting.original_response()).text
    emu.inject_fault(
        "POST", "/webhooks/{application_id}/{interaction_token}", status=503, times=times
    )
    alert = await emu.wait_for_message(
        world.peers, predicate=lambda m: "anonymous** post" in m.text
    )
    return posting, alert


async def test_an_anonymous_authors_follow_up_discord_fails_for_a_moment_is_tried_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred, monkeypatch
) -> None:
    """The author's DMs are closed and Discord fails their private follow-up for a moment
    (503 on all of discord.py's tries): Kindred tries it again shortly, within the
    interaction's 15 minutes, so the author gets the crisis lines, and the alert says so."""
    posting, alert = await closed_dms_then_followups_fail(
        emulator, world, kindred, monkeypatch, times=5
    )
    await detector_settled(kindred)
    await kindred.quiet()
    replies = [m for m in posting.followup_messages if m.ephemeral and m.embeds]
    assert len(replies) == 1, [m.text[:60] for m in posting.followup_messages]
    assert "has reached out to its author privately" in alert.text, alert.text


async def test_an_anonymous_authors_follow_up_failing_every_try_is_said_truthfully(
    emulator: DiscordEmulator, world: World, kindred: Kindred, monkeypatch
) -> None:
    """Discord fails the author's private follow-up on every try (503s): after a few tries the
    peers' alert says Kindred tried and can't tell whether it got through, neither that it
    reached them nor that Discord refused it."""
    _, alert = await closed_dms_then_followups_fail(
        emulator, world, kindred, monkeypatch, times=None
    )
    assert (
        "Kindred tried to reach its author privately and can't tell whether it got through."
    ) in alert.text, alert.text
    assert "has reached out" not in alert.text and "could not reach" not in alert.text
    tries = emulator.calls_matching("POST", "/webhooks/{application_id}/{interaction_token}")
    assert len(tries) >= 10, len(tries)  # tried again after discord.py's own five tries
    assert str(world.member.id) not in alert.text


async def test_who_an_anonymous_alert_pings_does_not_give_away_its_author(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """An on-duty peer posts crisis words anonymously in their group: the alert about the
    anonymous post pings every on-duty peer, its author too, so the set never depends on who
    wrote it (whoever knows who is on duty would read the author off the one name missing)."""
    channel = await anonymous_group(emulator, world, kindred, world.peer)
    await go_on_duty(emulator, world, world.peer)
    await go_on_duty(emulator, world, world.peer2)
    posting = await emulator.run_command(
        world.peer, channel, "group post", options={"text": CRISIS}
    )
    await posting.original_response()
    alert = await emulator.wait_for_message(
        world.peers, predicate=lambda m: "anonymous** post" in m.text
    )
    await detector_settled(kindred)
    await kindred.quiet()
    assert f"<@{world.peer2.id}>" in alert.text, alert.text
    assert f"<@{world.peer.id}>" in alert.text, (
        "every on-duty peer but the author was pinged: the author is the one left out\n"
        + alert.text
    )


async def test_an_anonymous_alert_the_alert_channel_refuses_goes_to_the_peer_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The chosen peer alert channel refuses Kindred (403): an anonymous post's alert goes at
    once to the peer channel from /peers setup with its pings, as a message's alert does, and
    the moderators are told once which channel refuses and the fix; nobody is named."""
    channel = await anonymous_group(emulator, world, kindred, world.member, world.member2)
    await go_on_duty(emulator, world, world.peer)
    refusing = unpostable(emulator, world)
    await emulator.gateway_idle()
    await command(
        emulator, world.mod, world.general, "safety settings", peer_alert_channel=refusing
    )
    for user in (world.member, world.member2):
        posting = await emulator.run_command(user, channel, "group post", options={"text": CRISIS})
        await posting.original_response()
    await detector_settled(kindred)
    await kindred.quiet()
    alerts = [m for m in emulator.bot_messages(world.peers) if "anonymous** post" in m.text]
    assert len(alerts) == 2, [m.text for m in emulator.bot_messages(world.peers)]
    assert all(f"<@{world.peer.id}>" in m.text for m in alerts)
    reports = [m for m in emulator.bot_messages(world.mods) if f"<#{refusing.id}>" in m.text]
    assert len(reports) == 1, [m.text for m in reports]  # once per channel, not per alert
    assert "refuses" in reports[0].text and "Send Messages" in reports[0].text
    assert f"<#{world.peers.id}>" in reports[0].text  # where alerts go meanwhile
    assert not emulator.bot_messages(refusing)
    for message in [*alerts, *reports]:
        for user in (world.member, world.member2):
            assert str(user.id) not in message.text


async def test_an_anonymous_alert_the_peer_channel_refuses_reaches_the_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """No other channel to fall back to: the anonymous alert (no pings, nobody named) goes to
    the moderators' channel, and they are told of the refusal."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    bot_role = emulator.role(world.guild, world.guild.bot_role_id)
    emulator.set_overwrite(
        world.peers, bot_role, allow=int(P.VIEW_CHANNEL), deny=int(P.SEND_MESSAGES)
    )
    await emulator.gateway_idle()
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": CRISIS}
    )
    await posting.original_response()
    alert = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "anonymous** post" in m.text
    )
    assert str(world.member.id) not in alert.text and "<@" not in alert.text, alert.text
    told = await emulator.wait_for_message(
        world.mods, predicate=lambda m: f"<#{world.peers.id}>" in m.text and "refuses" in m.text
    )
    assert "/peers setup peer_role: peer_channel:" in told.text, told.text


async def test_an_anonymous_tier3_alert_reaches_moderators_when_their_alert_channel_was_deleted(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The moderator alert channel chosen with /safety settings was deleted: the moderators'
    copy of an anonymous tier-3 post's alert was lost. As for every moderators' report, it goes
    to the moderator channel from /peers setup (nobody named, no pings), and the moderators are
    told there once which channel refuses; nothing is left to retry."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await go_on_duty(emulator, world, world.peer)
    gone = emulator.create_channel(world.guild, "mod-alerts")
    await emulator.gateway_idle()
    await command(
        emulator, world.mod, world.general, "safety settings", moderator_alert_channel=gone
    )
    emulator.delete_channel(gone)
    await emulator.gateway_idle()
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": TIER3}
    )
    await posting.original_response()
    copy = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "anonymous** post" in m.text
    )
    await settled(kindred)
    assert "tier 3" in copy.text, copy.text
    assert str(world.member.id) not in copy.text and "<@" not in copy.text, copy.text
    told = [m.text for m in emulator.bot_messages(world.mods) if f"<#{gone.id}>" in m.text]
    assert len(told) == 1 and "refuses" in told[0], told
    assert "/safety settings moderator_alert_channel:" in told[0], told[0]
    assert not await anonymous_retries(kindred)


async def test_an_anonymous_post_in_a_group_channel_inside_an_excluded_category_is_left_alone(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator excluded a whole category with /safety exclude: a group's channel inside it
    is left alone for anonymous posts too, as for its members' own messages (no private reply,
    no alert); the post itself is posted as always."""
    await setup_peers(emulator, world)
    await go_on_duty(emulator, world, world.peer)
    await allow_groups(emulator, world, kindred)
    category = emulator.create_category(world.guild, "Venting")
    vent = emulator.create_channel(world.guild, "vent-circle", category=category)
    await emulator.gateway_idle()
    _group, channel, _ = await create_group(emulator, world, kindred, channel=vent)
    await join(emulator, world, world.member)
    await command(
        emulator, world.mod, world.general, "group settings anonymous", name=GRIEF, enabled=True
    )
    excluded = await emulator.run_command(
        world.mod, world.general, "safety exclude", {"channel": category.id}
    )
    await excluded.answer()
    assert (
        category.id in (await kindred.services.safety.config(world.guild.id)).excluded_channel_ids
    )
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": CRISIS}
    )
    await posting.original_response()
    await emulator.wait_until(lambda: anonymous_posts(emulator, channel), what="the anonymous post")
    await settled(kindred)
    assert not bot_dms(emulator, world.member), [m.text for m in bot_dms(emulator, world.member)]
    for where in (world.peers, world.mods):
        assert not [m for m in emulator.bot_messages(where) if "anonymous" in m.text.lower()]


def can_post(emu: DiscordEmulator, user, channel) -> bool:
    return bool(emu.permissions_for(user, channel) & P.SEND_MESSAGES)


async def test_unarchiving_an_adopted_open_group_brings_its_channel_back_as_it_was(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    lounge = emulator.create_channel(world.guild, "carers-lounge")
    # the server's own overwrites on the channel: only volunteers attach files (and they may
    # view it, which a hidden channel can't allow)
    volunteers = emulator.create_role(world.guild, "Volunteers")
    volunteer = emulator.create_user("volunteer")
    emulator.add_member(world.guild, volunteer, roles=[volunteers])
    emulator.set_overwrite(lounge, volunteers, allow=int(P.VIEW_CHANNEL | P.ATTACH_FILES))
    emulator.set_overwrite(lounge, world.guild.everyone_role, deny=int(P.ATTACH_FILES))
    await emulator.gateway_idle()
    await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    await join(emulator, world, world.member, "Carers")
    assert sees(emulator, world.member2, lounge)
    archived = await command(emulator, world.mod, world.general, "group archive", name="Carers")
    assert "archived" in archived.text, archived.text
    assert not sees(emulator, world.member2, lounge)
    assert not sees(emulator, volunteer, lounge)  # hidden from everyone but members and mods
    assert sees(emulator, world.member, lounge) and not can_post(emulator, world.member, lounge)
    back = await command(emulator, world.mod, world.general, "group unarchive", name="Carers")
    assert "open again" in back.text, back.text
    # "brings the group back as it was": an open group everyone sees and members post in
    assert sees(emulator, world.member2, lounge) and can_post(emulator, world.member2, lounge)
    assert can_post(emulator, world.member, lounge)
    # the server's own overwrites are still there
    assert emulator.permissions_for(volunteer, lounge) & P.ATTACH_FILES
    assert not emulator.permissions_for(world.member2, lounge) & P.ATTACH_FILES


async def test_making_an_adopted_private_group_open_again_shows_its_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    lounge = emulator.create_channel(world.guild, "carers-lounge")
    await emulator.gateway_idle()
    await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    await join(emulator, world, world.member, "Carers")
    made_private = await command(
        emulator, world.mod, world.general, "group edit", name="Carers", private=True
    )
    assert "updated" in made_private.text, made_private.text
    assert not sees(emulator, world.member2, lounge) and sees(emulator, world.member, lounge)
    made_open = await command(
        emulator, world.mod, world.general, "group edit", name="Carers", private=False
    )
    assert "updated" in made_open.text, made_open.text
    assert sees(emulator, world.member2, lounge), made_open.text
    assert can_post(emulator, world.member2, lounge) and can_post(emulator, world.member, lounge)


async def verified_gate(emu: DiscordEmulator, world: World):
    """A common gate: a channel @everyone can't see and a "Verified" role can (and Kindred, so
    it can adopt it); a verified member, ``carer``, who is in no group."""
    lounge = emu.create_channel(world.guild, "carers-lounge")
    verified = emu.create_role(world.guild, "Verified")
    carer = emu.create_user("carer")
    emu.add_member(world.guild, carer, roles=[verified])
    emu.set_overwrite(lounge, world.guild.everyone_role, deny=int(P.VIEW_CHANNEL))
    emu.set_overwrite(lounge, verified, allow=int(P.VIEW_CHANNEL))
    kindred_role = emu.role(world.guild, world.guild.bot_role_id)
    emu.set_overwrite(lounge, kindred_role, allow=int(P.VIEW_CHANNEL))
    await emu.gateway_idle()
    return lounge, verified, carer


async def forget_how_it_was(kindred: Kindred, group_id: int) -> None:
    """The group as one adopted before Kindred kept how its channel was (migration 0016)."""
    await kindred.services.db.execute(
        "UPDATE support_groups SET adopted_everyone_allow = NULL, adopted_everyone_deny = NULL,"
        " adopted_viewer_roles = NULL WHERE id = ?",
        (group_id,),
    )


async def test_an_adopted_channel_only_verified_members_saw_stays_theirs_when_open_again(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Open means "as the server had it": through the archive and back, and through private
    and back, the channel is never readable by accounts the server hasn't verified."""
    await allow_groups(emulator, world, kindred)
    lounge, verified, carer = await verified_gate(emulator, world)
    await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    assert sees(emulator, carer, lounge) and not sees(emulator, world.member2, lounge)
    steps = (
        ("group archive", {}, "archived"),
        ("group unarchive", {}, "open again"),
        ("group edit", {"private": True}, "updated"),
        ("group edit", {"private": False}, "updated"),
    )
    for cmd, options, said in steps:
        done = await command(emulator, world.mod, world.general, cmd, name="Carers", **options)
        assert said in done.text, done.text
        hidden_now = cmd == "group archive" or options.get("private") is True
        assert sees(emulator, carer, lounge) is not hidden_now, (cmd, options)
        assert not sees(emulator, world.member2, lounge), (cmd, options)
    assert can_post(emulator, carer, lounge)
    # the server's own overwrites are back as they were
    overwrites = {(o.id, o.allow, o.deny) for o in emulator.channel(lounge).overwrites}
    assert (world.guild.everyone_role.id, 0, int(P.VIEW_CHANNEL)) in overwrites
    assert (verified.id, int(P.VIEW_CHANNEL), 0) in overwrites


async def test_adopting_a_hidden_channel_as_an_open_group_tells_the_moderator_what_open_means(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await allow_groups(emulator, world, kindred)
    lounge, _, carer = await verified_gate(emulator, world)
    answer = await command(
        emulator, world.mod, world.general, "group create", name="Carers",
        description="For carers.", channel=lounge,
    )  # fmt: skip
    assert "is ready" in answer.text, answer.text
    assert "everyone the server lets into the channel" in answer.text
    assert "hidden from @everyone" in answer.text and "make the group private" in answer.text
    # joining doesn't get anyone past the server's gate, and the member is told so kindly
    welcome = await join(emulator, world, world.member2, "Carers")
    assert "Welcome" in welcome.text and "you may not see it yet" in welcome.text, welcome.text
    assert not sees(emulator, world.member2, lounge) and sees(emulator, carer, lounge)
    card = message_of(await command(emulator, carer, world.general, "group join", name="Carers"))
    accept = next(c for c in card.custom_ids if c.startswith("kindred:grp:accept:"))
    verified_welcome = await (await emulator.press_button(carer, card, accept)).response()
    assert "Welcome" in verified_welcome.text and "may not see" not in verified_welcome.text


async def test_a_group_adopted_before_kindred_kept_its_channel_keeps_the_gate_it_finds_open(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nothing stored, the group open: the channel is as the server has it, so archiving
    keeps that first, and bringing the group back restores it."""
    await allow_groups(emulator, world, kindred)
    lounge, _, carer = await verified_gate(emulator, world)
    group, _, _ = await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    await forget_how_it_was(kindred, group.id)
    for cmd in ("group archive", "group unarchive"):
        await command(emulator, world.mod, world.general, cmd, name="Carers")
    assert sees(emulator, carer, lounge) and not sees(emulator, world.member2, lounge)


async def test_a_group_adopted_before_kindred_kept_its_channel_never_comes_back_wider(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nothing stored and the group archived already: Kindred can't tell how the channel was,
    so bringing it back leaves @everyone's view as it is (hidden) and says what to do."""
    await allow_groups(emulator, world, kindred)
    lounge, _, _ = await verified_gate(emulator, world)
    group, _, _ = await create_group(emulator, world, kindred, name="Carers", channel=lounge)
    await command(emulator, world.mod, world.general, "group archive", name="Carers")
    await forget_how_it_was(kindred, group.id)
    back = await command(emulator, world.mod, world.general, "group unarchive", name="Carers")
    assert "open again" in back.text and "I don't know who could see" in back.text, back.text
    assert not sees(emulator, world.member2, lounge)


async def test_a_moderator_role_set_after_a_private_group_sees_its_channel(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The guide: a private group's channel is visible to the moderator role."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    _, channel, _ = await create_group(emulator, world, kindred, private=True)
    helpers = emulator.create_role(world.guild, "Helpers")
    helper = emulator.create_user("helper")
    emulator.add_member(world.guild, helper, roles=[helpers])
    await emulator.gateway_idle()
    assert not sees(emulator, helper, channel)
    set_role = await command(
        emulator, world.mod, world.general, "kindred set moderator-role", role=helpers.id
    )
    assert set_role.ephemeral and "1 private or archived support group" in set_role.text
    await emulator.wait_until(
        lambda: sees(emulator, helper, channel) and can_post(emulator, helper, channel),
        what="the moderator role let into the private group's channel",
    )
    assert not sees(emulator, world.member2, channel)


async def test_a_new_peer_role_sees_private_group_channels_and_the_old_one_no_longer(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    _, channel, _ = await create_group(emulator, world, kindred, private=True)
    assert sees(emulator, world.peer, channel)
    listeners = emulator.create_role(world.guild, "Listeners")
    listener = emulator.create_user("listener")
    emulator.add_member(world.guild, listener, roles=[listeners])
    await emulator.gateway_idle()
    await setup_peers(emulator, world, peer_role=listeners.id)
    await emulator.wait_until(
        lambda: sees(emulator, listener, channel) and not sees(emulator, world.peer, channel),
        what="the private group's channel following the new peer role",
    )
    assert not sees(emulator, world.member2, channel)


async def test_a_german_moderator_reads_how_many_private_groups_the_new_peer_role_sees(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/peers setup with a new peer role tells the moderator how many private groups' channels
    it can see. The German line for one read "den Kanal von 1 privaten Selbsthilfegruppe"
    (no German says "von 1" for "von einer"), the French one "le salon de 1 groupe" (for
    "d'un"): whole, natural sentences for one and for two; English word for word."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred, private=True)

    async def new_role(name: str, locale: str) -> str:
        role = emulator.create_role(world.guild, name)
        await emulator.gateway_idle()
        options = {"peer_role": role.id, "peer_channel": world.peers.id}
        ran = await emulator.run_command(
            world.mod, world.general, "peers setup", options=options, locale=locale
        )
        (embed,) = (await answer_of(ran)).embeds
        (line,) = [f["value"] for f in embed["fields"] if "Selbsthilfe" in f["value"]
                   or "groupe" in f["value"] or "support group" in f["value"]]  # fmt: skip
        return line

    assert await new_role("Zuhörende", "de") == (
        "1 private Selbsthilfegruppe hat einen Kanal, den die neue Rolle des "
        "Unterstützungsteams sieht (ich aktualisiere ihn gerade)."
    )
    assert await new_role("Écoutants", "fr") == (
        "1 groupe de soutien privé a un salon que le nouveau rôle d'entraide peut voir (je le "
        "mets à jour maintenant)."
    )
    assert await new_role("Listeners", "en-US") == (
        "The new peer role can see the channel of 1 private support group (I'm updating them now)."
    )
    await create_group(emulator, world, kindred, private=True, name="Night owls")
    assert await new_role("Helfende", "de") == (
        "Die neue Rolle des Unterstützungsteams sieht die Kanäle von 2 privaten "
        "Selbsthilfegruppen (ich aktualisiere sie gerade)."
    )


async def test_group_list_shows_every_group_whole_however_many_there_are(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Moderators' descriptions are up to 300 characters: the list was cut at 4,000
    characters, so past the tenth group or so the rest vanished without a word. Now every
    group and its whole description is listed, over several private messages."""
    await allow_groups(emulator, world, kindred)
    groups = kindred.services.groups
    descriptions = []
    for n in range(14):
        description = f"Group {n:02d}: " + "a gentle space to share what the week was like. " * 6
        description = description[:300].strip()
        new = await groups.prepare_create(
            guild_id=world.guild.id, name=f"Circle {n:02d}", description=description,
            tags="grief, loss", private=False, channel_id=None,
        )  # fmt: skip
        await groups.create(new, channel_id=5000 + n, role_id=6000 + n, actor_id=world.mod.id)
        descriptions.append(description)
    listed = await emulator.run_command(world.member, world.general, "group list")
    answers = await every_answer(emulator, listed, descriptions)
    assert len(answers) > 1 and all(a.ephemeral for a in answers)
    assert all(len(e.get("description", "")) <= 4096 for a in answers for e in a.embeds)
    assert "Join with /group join" in answers[-1].text


async def test_a_reveal_reason_too_long_cannot_be_sent(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The reason is logged and told to the member: it was cut at 200 characters without a
    word; Discord now refuses a longer one at input."""
    await allow_groups(emulator, world, kindred)
    with pytest.raises(ValueError, match="'reason' is longer than 200"):
        await emulator.run_command(
            world.mod, world.general, "group reveal",
            options={"message": "123", "reason": "worried about their safety " * 8},
        )  # fmt: skip


async def test_a_reveal_does_not_promise_the_member_is_told_when_they_cannot_be(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Members are promised that a moderator can look up who wrote an anonymous post only
    with a logged reason, and that they are told. Kindred tries the DM first, then answers
    the moderator truthfully: with the member's DMs closed, that they could not be told (so
    the moderator can tell them another way), never "they'll be told"; with DMs open, that
    they were told."""
    channel = await anonymous_group(emulator, world, kindred)
    await command(emulator, world.member, channel, "group post", text="it's been a year")
    post = await emulator.wait_for_message(
        channel, predicate=lambda m: "it's been a year" in m.text, since=0
    )
    emulator.user_dms_open(world.member, False)
    link = f"https://discord.com/channels/{world.guild.id}/{channel.id}/{post.id}"
    interaction = await emulator.run_command(
        world.mod, world.general, "group reveal", options={"message": link, "reason": "threats"}
    )
    revealed = await answer_of(interaction)
    assert revealed.ephemeral and f"<@{world.member.id}>" in revealed.text, revealed.text
    # the answer comes after the DM was tried: nothing reached the member
    assert not emulator.bot_messages(emulator.dm_channel(world.member))  # not told
    said = [revealed.text] + [m.text for m in interaction.followup_messages]
    assert not any("they'll be told" in t for t in said), said
    assert "but I couldn't tell them" in revealed.text and "another way" in revealed.text
    entries = await kindred.services.audit.recent(world.guild.id, limit=50)
    assert [e.detail["reason"] for e in entries if e.action == "groups.reveal"] == ["threats"]
    # DMs open again: told, and the moderator reads so
    emulator.user_dms_open(world.member, True)
    again = await command(
        emulator, world.mod, world.general, "group reveal", message=link, reason="threats"
    )
    assert again.text.endswith("This look-up is in the audit log, and they were told by DM.")
    told = await emulator.wait_for_message(
        emulator.dm_channel(world.member), predicate=lambda m: "looked up" in m.text, since=0
    )
    assert "threats" in told.text


async def test_the_anonymous_settings_and_post_answers_promise_telling_only_by_open_dms(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred can tell a member their anonymous post was looked up only by DM: the moderator
    turning anonymous posts on and the member posting read that, not a promise to tell them
    whatever happens; a Spanish member reads it in Spanish."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    await create_group(emulator, world, kindred)
    await join(emulator, world, world.member)
    on = await command(
        emulator, world.mod, world.general, "group settings anonymous", name=GRIEF, enabled=True
    )
    assert on.ephemeral and on.text.endswith(
        "`/group reveal` (logged, and the member is told by DM if their DMs are open)."
    ), on.text
    group = await kindred.services.groups.by_name(world.guild.id, GRIEF)
    channel = emulator.channel(group.channel_id)
    posted = await command(emulator, world.member, channel, "group post", text="a long week")
    assert posted.ephemeral and posted.text.endswith(
        "only a moderator can look it up, with a logged reason, and you'd be told by DM if your "
        "DMs are open)."
    ), posted.text
    await command(emulator, world.member, world.general, "language set", language="es")
    spanish = await command(emulator, world.member, channel, "group post", text="y otra más")
    assert spanish.ephemeral and "mensaje directo" in spanish.text, spanish.text
    assert "you'd be told" not in spanish.text


def panel_pages_in(emu: DiscordEmulator, channel, **kwargs) -> list[Message]:
    """The panel's pages posted in ``channel`` (its embeds are titled "Support groups")."""
    return [
        m
        for m in emu.bot_messages(channel, include_ephemeral=False, **kwargs)
        if m.embeds and m.embeds[0].get("title", "").startswith("Support groups")
    ]


async def test_a_panel_discord_fails_to_post_is_not_blamed_on_missing_permissions(
    emulator: DiscordEmulator, world: World, kindred: Kindred, quick_discord_backoff: None
) -> None:
    """`/group panel` answered any failure to post with "I need View Channel, Send Messages
    and Embed Links there", also when Discord itself failed (5xx) and Kindred had every
    permission, sending the moderator to change permissions that were fine. A server error
    is told as what it is (Discord had a problem; try again in a moment), as `/checkin
    run-now` does; the permission advice only for a refusal (403)."""
    await anonymous_group(emulator, world, kindred)
    fault = emulator.inject_fault(
        "POST", f"/channels/{world.general.id}/messages", status=500, times=None
    )
    opened = await emulator.run_command(
        world.mod, world.general, "group panel", options={"channel": world.general}
    )
    answer = (await opened.followups(1, timeout=90))[-1]
    emulator.clear_faults()
    assert fault.hits >= 1
    assert "I need View Channel" not in answer.text, answer.text
    assert answer.ephemeral and answer.text == (
        f"Discord had a problem when I posted the panel in <#{world.general.id}>, so nothing "
        "is there; please try again in a moment."
    ), answer.text
    # a refusal still names the permissions
    emulator.inject_fault("POST", f"/channels/{world.general.id}/messages", status=403)
    refused = await command(
        emulator, world.mod, world.general, "group panel", channel=world.general
    )
    assert refused.text == (
        f"I couldn't post in <#{world.general.id}>: I need View Channel, Send Messages and "
        "Embed Links there."
    ), refused.text
    assert panel_pages_in(emulator, world.general, include_deleted=True) == []


async def test_a_panel_discord_fails_part_way_through_leaves_no_half_panel(
    emulator: DiscordEmulator, world: World, kindred: Kindred, quick_discord_backoff: None
) -> None:
    """Six groups make a panel of two messages; when Discord posts the first and fails on
    the second, the first is deleted (nothing half-posted is left for members to browse),
    and the moderator is asked to try again, which posts the whole panel."""
    await allow_groups(emulator, world, kindred)
    groups = kindred.services.groups
    for n in range(6):
        new = await groups.prepare_create(
            guild_id=world.guild.id, name=f"Circle {n}", description="A gentle space.",
            tags="", private=False, channel_id=None,
        )  # fmt: skip
        await groups.create(new, channel_id=5000 + n, role_id=6000 + n, actor_id=world.mod.id)
    route = f"/channels/{world.general.id}/messages"
    first = emulator.inject_fault("POST", route, status=None, times=1)  # the first page goes
    emulator.inject_fault("POST", route, status=500, times=None)
    opened = await emulator.run_command(
        world.mod, world.general, "group panel", options={"channel": world.general}
    )
    answer = (await opened.followups(1, timeout=90))[-1]
    emulator.clear_faults()
    assert first.hits == 1
    assert answer.text.startswith("Discord had a problem when I posted the panel"), answer.text
    assert "nothing is there" in answer.text
    assert len(panel_pages_in(emulator, world.general, include_deleted=True)) == 1
    assert panel_pages_in(emulator, world.general) == []  # deleted
    where = world.general
    posted = await command(emulator, world.mod, where, "group panel", channel=where)
    assert posted.text == f"Panel posted in <#{world.general.id}>.", posted.text
    assert len(panel_pages_in(emulator, world.general)) == 2


async def test_a_french_moderator_reads_group_create_edit_archive_and_list_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """A moderator's own answers to /group create, edit, archive, unarchive and list read whole
    in their language (the group's name as written); English word for word."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    await command(emulator, world.mod, world.general, "language set", language="fr")
    created = await command(
        emulator, world.mod, world.general, "group create", name="Deuil", description="Perte.",
        private=True,
    )  # fmt: skip
    group = await kindred.services.groups.by_name(world.guild.id, "Deuil")
    assert created.ephemeral and created.text == (
        f"Le groupe **Deuil** est prêt : <#{group.channel_id}>, rôle <@&{group.role_id}>. "
        "Privé : seuls les membres, l'équipe d'entraide (animation) et les modérateurs le voient "
        "(vérifié sur Discord). Les membres rejoignent avec `/group join` ou un panneau "
        "(`/group panel`), après avoir accepté les règles (`/group guidelines set` donne au "
        "groupe les siennes)."
    ), created.text
    edited = await command(
        emulator, world.mod, world.general, "group edit", name="Deuil", private=False
    )
    assert (
        edited.text == "**Deuil** mis à jour. Ouvert : tout le monde sur le serveur peut le lire."
    )
    archived = await command(emulator, world.mod, world.general, "group archive", name="Deuil")
    assert archived.text.startswith("Le groupe **Deuil** est archivé : son salon est verrouillé")
    reopened = await command(emulator, world.mod, world.general, "group unarchive", name="Deuil")
    assert reopened.text == (
        "Le groupe **Deuil** est de nouveau ouvert. Ouvert : tout le monde sur le serveur peut "
        "le lire."
    )
    listed = (await command(emulator, world.mod, world.general, "group list")).embeds[0]
    assert listed["title"] == "Groupes de soutien"
    assert listed["footer"]["text"] == (
        "Rejoins avec /group join ; pars quand tu veux avec /group leave."
    )

    # English, word for word
    await command(emulator, world.mod, world.general, "language clear")
    created = await command(
        emulator, world.mod, world.general, "group create", name=GRIEF, description="Loss."
    )
    grief = await kindred.services.groups.by_name(world.guild.id, GRIEF)
    assert created.text == (
        f"**{GRIEF}** is ready: <#{grief.channel_id}>, role <@&{grief.role_id}>. Open: everyone "
        "in the server can read it (checked on Discord). Members join with `/group join` or a "
        "panel (`/group panel`), after accepting the guidelines (`/group guidelines set` gives "
        "the group its own)."
    )
    edited = await command(
        emulator, world.mod, world.general, "group edit", name=GRIEF, private=True
    )
    assert edited.text == (
        f"**{GRIEF}** updated. Private: only members, peer supporters (facilitators) and "
        "moderators see it."
    )
    listed = (await command(emulator, world.mod, world.general, "group list")).embeds[0]
    assert listed["title"] == "Support groups"
    assert listed["footer"]["text"] == "Join with /group join; leave any time with /group leave."


async def test_a_french_moderator_reads_group_list_entries_and_facilitators_in_french(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """/group list's entries (private, archived, what is missing, the member count) and
    /group facilitator add, list and remove read whole in the moderator's language; English
    word for word."""
    await setup_peers(emulator, world)
    await allow_groups(emulator, world, kindred)
    await command(emulator, world.mod, world.general, "language set", language="fr")
    _, channel, role = await create_group(emulator, world, kindred, name="Deuil")
    await join(emulator, world, world.member, name="Deuil")
    await command(
        emulator, world.mod, world.general, "group create", name="Veille", description="Nuit.",
        private=True,
    )  # fmt: skip
    await command(emulator, world.mod, world.general, "group archive", name="Veille")
    emulator.delete_role(world.guild, role)
    await emulator.wait_for_message(
        world.mods, predicate=lambda m: "its role was deleted" in m.text, since=0
    )
    listed = (await command(emulator, world.mod, world.general, "group list")).embeds[0]
    text = listed["description"]
    assert f"**Deuil** (⚠ rôle manquant : `/group repair`) <#{channel.id}> · 1 membre" in text, text
    assert "**Veille** (privé, archivé)" in text and "· 0 membres" in text, text

    added = await command(
        emulator, world.mod, world.general, "group facilitator add", group="Deuil",
        member=world.peer.id,
    )  # fmt: skip
    assert added.text == (
        f"<@{world.peer.id}> rejoint l'animation de **Deuil** (tour 1 sur 1 du roulement)."
    ), added.text
    rotation = (
        await command(emulator, world.mod, world.general, "group facilitator list", group="Deuil")
    ).embeds[0]
    assert rotation["title"] == "Deuil : animation"
    assert rotation["description"] == f"À tour de rôle : <@{world.peer.id}>"
    removed = await command(
        emulator, world.mod, world.general, "group facilitator remove", group="Deuil",
        member=world.peer.id,
    )  # fmt: skip
    assert removed.text == f"<@{world.peer.id}> n'anime plus **Deuil**."
    rotation = (
        await command(emulator, world.mod, world.general, "group facilitator list", group="Deuil")
    ).embeds[0]
    assert rotation["description"] == (
        "Personne pour l'instant. Les modérateurs ajoutent des membres de l'équipe d'entraide "
        "avec `/group facilitator add`."
    )

    # English, word for word
    await command(emulator, world.mod, world.general, "language clear")
    listed = (await command(emulator, world.mod, world.general, "group list")).embeds[0]
    text = listed["description"]
    assert f"**Deuil** (⚠ missing role: `/group repair`) <#{channel.id}> · 1 member\n" in text, text
    assert "**Veille** (private, archived)" in text and "· 0 members" in text, text
    added = await command(
        emulator, world.mod, world.general, "group facilitator add", group="Deuil",
        member=world.peer.id,
    )  # fmt: skip
    assert added.text == (
        f"<@{world.peer.id}> joins the facilitators of **Deuil** (turn 1 of 1 in the rotation)."
    )
    rotation = (
        await command(emulator, world.mod, world.general, "group facilitator list", group="Deuil")
    ).embeds[0]
    assert rotation["title"] == "Deuil: facilitators"
    assert rotation["description"] == f"In turn: <@{world.peer.id}>"
    removed = await command(
        emulator, world.mod, world.general, "group facilitator remove", group="Deuil",
        member=world.peer.id,
    )  # fmt: skip
    assert removed.text == f"<@{world.peer.id}> no longer facilitates **Deuil**."


def card_texts(message: Message) -> tuple[str, list[tuple[str, str]], str, list[str]]:
    """A guidelines card as its reader sees it: title, fields, footer and the buttons' labels."""
    embed = message.embeds[0]
    fields = [(f["name"], f["value"]) for f in embed.get("fields", [])]
    labels = [c.get("label", "") for c in message.iter_components()]
    return embed["title"], fields, embed["footer"]["text"], labels


def guidelines_form(form) -> tuple[str, list[str]]:
    """A recorded modal's title and its inputs' labels."""
    return form.title, [field["label"] for field in form.inputs]


async def test_a_spanish_member_reads_the_guidelines_card_and_a_german_moderator_the_form(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """The guidelines card a member reads privately (title, fields, footer, "I accept"), the
    answers around it and the form a moderator fills in follow the reader's language; the
    guidelines themselves and the channel's notice stay as written; English word for word."""
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred)
    await command(emulator, world.mod, world.general, "language set", language="de")
    opened = await emulator.run_command(
        world.mod, world.general, "group guidelines set", options={"name": GRIEF}
    )
    form = await opened.response()
    assert form.is_modal
    assert guidelines_form(form) == (
        "Gruppenrichtlinien",
        ["Richtlinien (leer: Standard verwenden)"],
    )
    await answer_of(await opened.submit_modal({"text": "Be gentle. What is said here stays."}))
    notice = await emulator.wait_for_message(
        channel, predicate=lambda m: "were updated" in m.text, since=0
    )  # a post in the group's channel stays English
    assert "Read the guidelines" in [c.get("label") for c in notice.iter_components()]

    await command(emulator, world.member, world.general, "language set", language="es")
    card = message_of(
        await command(emulator, world.member, world.general, "group join", name=GRIEF)
    )
    assert card.ephemeral
    assert card.embeds[0]["description"] == "Be gentle. What is said here stays."  # as written
    assert card_texts(card) == (
        "Grief circle: pautas",
        [
            ("Sobre el grupo", "For anyone living with a loss."),
            ("Canal", "Abierto: todo el servidor puede leerlo"),
        ],
        "Las pautas propias de este grupo, versión 1. Para unirte, léelas y pulsa el botón.",
        ["Acepto estas pautas"],
    )
    accept = f"kindred:grp:accept:{group.id}:g1"
    await (await emulator.press_button(world.member, card, accept)).response()
    await emulator.wait_until(lambda: role.id in emulator.member(world.guild, world.member).roles)
    read = await (
        await emulator.press_button(world.member, notice, f"kindred:grp:read:{group.id}")
    ).response()
    assert read.ephemeral and read.message.content == "Ya las aceptaste."
    assert card_texts(read.message)[2] == "Las pautas propias de este grupo, versión 1."
    thanks = await (await emulator.press_button(world.member, card, accept)).response()
    assert thanks.text == "Gracias: aceptaste las pautas propias de **Grief circle**, versión 1."
    shown = await command(emulator, world.member, world.general, "group guidelines show")
    assert shown.embeds[0]["footer"]["text"] == "Las pautas del servidor, versión 0."

    # English, word for word
    await command(emulator, world.mod, world.general, "language clear")
    opened = await emulator.run_command(
        world.mod, world.general, "group guidelines set", options={"name": GRIEF}
    )
    assert guidelines_form(await opened.response()) == (
        "Group guidelines",
        ["Guidelines (empty: use the default)"],
    )
    card = message_of(
        await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    )
    assert card_texts(card) == (
        "Grief circle: guidelines",
        [
            ("About the group", "For anyone living with a loss."),
            ("Channel", "Open: everyone in the server can read it"),
        ],
        "This group's own guidelines, version 1. To join, please read them and press the button.",
        ["I accept these guidelines"],
    )
    await (await emulator.press_button(world.member2, card, accept)).response()
    await emulator.wait_until(lambda: role.id in emulator.member(world.guild, world.member2).roles)
    read = await (
        await emulator.press_button(world.member2, notice, f"kindred:grp:read:{group.id}")
    ).response()
    assert read.message.content == "You've accepted these already."
    assert card_texts(read.message)[2] == "This group's own guidelines, version 1."
    thanks = await (await emulator.press_button(world.member2, card, accept)).response()
    assert thanks.text == (
        "Thank you: you've accepted this group's own guidelines, version 1 of **Grief circle**."
    )
    shown = await command(emulator, world.member2, world.general, "group guidelines show")
    assert shown.embeds[0]["footer"]["text"] == "The server's guidelines, version 0."


async def test_guidelines_or_a_description_of_only_invisible_characters_count_as_empty(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Tidied as goals are: nothing visible is nothing written."""
    await allow_groups(emulator, world, kindred)
    refused = await command(
        emulator, world.mod, world.general, "group create", name=GRIEF, description="\u200b\u2060"
    )
    assert refused.ephemeral and "Add a short description" in refused.text, refused.text
    assert await kindred.services.groups.for_guild(world.guild.id) == []
    group, _channel, _role = await create_group(emulator, world, kindred)
    opened = await emulator.run_command(
        world.mod, world.general, "group guidelines set", options={"name": GRIEF}
    )
    assert (await opened.response()).is_modal
    saved = await answer_of(await opened.submit_modal({"text": "\u200b\u200b\n\u2060"}))
    assert saved.ephemeral
    assert (await kindred.services.groups.get(group.id, world.guild.id)).guidelines is None
    shown = await command(emulator, world.mod, world.general, "group guidelines show", name=GRIEF)
    assert "What is shared here stays here." in shown.text + str(shown.embeds), shown.text


async def test_a_spanish_member_reads_the_default_guidelines_join_and_leave_in_spanish(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Kindred's built-in guidelines (the server's version 0) are Kindred's own text: a member
    reads them privately in their language, and accepting them in Spanish is accepting version
    0, as in English. The welcome and the goodbye follow the reader too; English word for
    word."""
    await allow_groups(emulator, world, kindred)
    group, channel, role = await create_group(emulator, world, kindred)
    await command(emulator, world.member, world.general, "language set", language="es")
    card = message_of(
        await command(emulator, world.member, world.general, "group join", name=GRIEF)
    )
    assert card.ephemeral
    spanish = card.embeds[0]["description"]
    assert spanish.startswith("1. Lo que se comparte aquí se queda aquí."), spanish
    assert "`/crisis`" in spanish and "`/group leave`" in spanish and "||así||" in spanish
    assert card_texts(card)[2] == (
        "Las pautas del servidor, versión 0. Para unirte, léelas y pulsa el botón."
    )
    welcome = await (
        await emulator.press_button(world.member, card, f"kindred:grp:accept:{group.id}:s0")
    ).response()
    assert welcome.ephemeral and welcome.text == (
        f"Te damos la bienvenida a **Grief circle**. El canal de tu grupo: <#{channel.id}>. "
        "Puedes salir cuando quieras con `/group leave`."
    )
    accepted = await kindred.services.groups.repo.acceptance(group.id, world.member.id)
    assert (accepted.scope, accepted.version) == ("server", 0)
    shown = await command(emulator, world.member, world.general, "group guidelines show")
    assert shown.embeds[0]["description"] == spanish
    left = await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    assert (
        left.ephemeral and left.text == "Saliste de **Grief circle**. Puedes volver cuando quieras."
    )

    # English, word for word: the same version 0, and the Spanish acceptance still counts
    await command(emulator, world.member, world.general, "language clear")
    back = await command(emulator, world.member, world.general, "group join", name=GRIEF)
    assert back.text == (
        f"Welcome to **Grief circle**. Your group's channel: <#{channel.id}>. You can leave any "
        "time with `/group leave`."
    )  # no second card: version 0 was accepted
    assert role.id in emulator.member(world.guild, world.member).roles
    card = message_of(
        await command(emulator, world.member2, world.general, "group join", name=GRIEF)
    )
    assert card.embeds[0]["description"] == (
        "1. What is shared here stays here. Please don't repeat or screenshot others' stories.\n"
        "2. Speak from your own experience. Offer advice only when someone asks for it.\n"
        "3. Respect everyone: no judging, no labels, no diagnosing anyone.\n"
        "4. Put heavy details (self-harm, abuse, suicide) behind spoiler tags, ||like this||.\n"
        "5. This is peer support, not a crisis service. If you are in danger, use `/crisis` or "
        "call your local emergency number.\n"
        "6. You can leave any time with `/group leave`."
    )
    assert f"kindred:grp:accept:{group.id}:s0" in card.custom_ids
    shown = await command(emulator, world.member2, world.general, "group guidelines show")
    assert shown.embeds[0]["description"] == card.embeds[0]["description"]
    left = await command(emulator, world.member, world.general, "group leave", name=GRIEF)
    assert left.text == "You've left **Grief circle**. You're welcome back any time."


async def test_an_anonymous_crisis_post_with_nobody_on_duty_reaches_the_moderators(
    emulator: DiscordEmulator, world: World, kindred: Kindred
) -> None:
    """Nobody is on duty when a member posts crisis words (below tier 3) anonymously: the
    peers' alert pings no one, so the moderators get the alert too, as for a message (never
    naming the author)."""
    channel = await anonymous_group(emulator, world, kindred, world.member)
    await setup_peers(emulator, world)
    posting = await emulator.run_command(
        world.member, channel, "group post", options={"text": "i want to die, i can't do this"}
    )
    await posting.original_response()
    report = await emulator.wait_for_message(
        world.mods, predicate=lambda m: "anonymous** post" in m.text
    )
    await detector_settled(kindred)
    await kindred.quiet()
    assert f"<@{world.member.id}>" not in report.text, report.text
    assert world.member.username not in report.text, report.text
