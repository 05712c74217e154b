from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from emulator import DiscordEmulator, P, connected_client
from emulator.pytest_plugin import assert_no_problems


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


@pytest.fixture
def world(emulator: DiscordEmulator):
    g = emulator.create_guild("Haven")
    general = emulator.create_channel(g, "general")
    alice = emulator.create_user("alice")
    bob = emulator.create_user("bob")
    emulator.add_member(g, alice)
    emulator.add_member(g, bob)
    return g, general, alice, bob


async def test_message_and_reply(emulator: DiscordEmulator, world) -> None:
    _g, general, alice, _ = world
    bot = make_bot()

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        await message.reply(f"echo: {message.content}")

    async with connected_client(emulator, bot):
        sent = await emulator.send_message(alice, general, "hello")
        reply = await emulator.wait_for_message(channel=general)
        assert reply.content == "echo: hello"
        assert reply.message_reference["message_id"] == str(sent.id)
        assert [m.content for m in emulator.messages_in(general)] == ["hello", "echo: hello"]
        assert emulator.calls_matching("POST", "/channels/{channel_id}/messages")[0].status == 200


async def test_slash_commands_autocomplete_followup(emulator: DiscordEmulator, world) -> None:
    _g, general, alice, bob = world
    bot = make_bot()
    seen: dict[str, object] = {}
    group = app_commands.Group(name="kindred", description="Kindred")

    @group.command(name="about", description="About")
    async def about(inter: discord.Interaction) -> None:
        await inter.response.send_message("I am Kindred", ephemeral=True)
        await inter.followup.send("followup!", ephemeral=True)

    @group.command(name="pair", description="Pair two people")
    async def pair(
        inter: discord.Interaction,
        note: str,
        count: int,
        peer: discord.Member,
        where: discord.TextChannel,
    ) -> None:
        seen.update(note=note, count=count, peer=peer, where=where)
        await inter.response.defer(thinking=True)
        await inter.followup.send(f"paired with {peer.name} in {where.name}")

    @group.command(name="tz", description="Pick a timezone")
    async def tz(inter: discord.Interaction, zone: str) -> None:
        await inter.response.send_message(zone)

    @tz.autocomplete("zone")
    async def tz_ac(inter: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        zones = ["Europe/London", "Europe/Lisbon", "America/New_York"]
        return [app_commands.Choice(name=z, value=z) for z in zones if z.startswith(current)]

    bot.tree.add_command(group)

    async with connected_client(emulator, bot):
        synced = await bot.tree.sync()
        assert [c.name for c in synced] == ["kindred"]
        assert emulator.command("kindred") is not None

        it = await emulator.run_command(alice, general, "kindred about")
        resp = await it.response()
        assert resp.type == 4 and resp.ephemeral and resp.content == "I am Kindred"
        (fu,) = await it.followups(n=1)
        assert fu.content == "followup!" and fu.ephemeral

        it = await emulator.run_command(
            alice,
            general,
            "kindred pair",
            {"note": "hi", "count": 3, "peer": bob, "where": general},
        )
        resp = await it.response()
        assert resp.deferred
        original = await it.original_response()
        assert original.content == "paired with bob in general"
        assert (await it.answer()).text == "paired with bob in general"
        assert seen["count"] == 3 and isinstance(seen["peer"], discord.Member)
        assert seen["peer"].id == bob.id and seen["where"].id == general.id

        choices = await emulator.autocomplete(
            alice, general, "kindred tz", focused="zone", value="Europe/L"
        )
        assert [c["value"] for c in choices] == ["Europe/London", "Europe/Lisbon"]

        with pytest.raises(LookupError):
            await emulator.run_command(alice, general, "kindred nope")


class Persistent(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Ping", custom_id="kindred:ping")
    async def ping(self, inter: discord.Interaction, button: discord.ui.Button) -> None:
        await inter.response.edit_message(content="pong", view=self)

    @discord.ui.button(label="Feedback", custom_id="kindred:feedback")
    async def feedback(self, inter: discord.Interaction, button: discord.ui.Button) -> None:
        await inter.response.send_modal(FeedbackModal())


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="Your feedback", custom_id="fb_text", max_length=200)
    who = discord.ui.Label(
        text="Name", component=discord.ui.TextInput(custom_id="fb_name", required=False)
    )

    async def on_submit(self, inter: discord.Interaction) -> None:
        name = self.who.component.value  # type: ignore[union-attr]
        await inter.response.send_message(
            f"thanks {name or 'anon'}: {self.text.value}", ephemeral=True
        )


async def test_buttons_and_modal(emulator: DiscordEmulator, world) -> None:
    _g, general, alice, _ = world
    bot = make_bot()

    async with connected_client(emulator, bot):
        bot.add_view(Persistent())
        channel = bot.get_channel(general.id)
        sent = await channel.send("panel", view=Persistent())
        msg = emulator.message(sent.id)
        assert msg.custom_ids == ["kindred:ping", "kindred:feedback"]

        it = await emulator.press_button(alice, msg, "kindred:ping")
        resp = await it.response()
        assert resp.type == 7 and emulator.message(msg.id).content == "pong"

        it = await emulator.press_button(alice, msg, "kindred:feedback")
        resp = await it.response()
        assert resp.is_modal and resp.custom_id
        sub = await it.submit_modal({"fb_text": "great", "fb_name": "Al"})
        resp = await sub.response()
        assert resp.content == "thanks Al: great" and resp.ephemeral
        with pytest.raises(KeyError):
            await emulator.submit_modal(alice, general, it.callback.custom_id, {"typo": "x"})


class LabelledModal(discord.ui.Modal, title="Check in"):
    """Discord's current form layout only: each question a Label around its input."""

    mood = discord.ui.Label(
        text="How are you?",
        description="A word is enough",
        component=discord.ui.TextInput(custom_id="lb_mood", max_length=50),
    )
    talk = discord.ui.Label(
        text="Talk to someone?",
        component=discord.ui.Select(
            custom_id="lb_talk",
            options=[
                discord.SelectOption(label="No", value="no"),
                discord.SelectOption(label="Yes", value="yes"),
            ],
        ),
    )

    async def on_submit(self, inter: discord.Interaction) -> None:
        mood, talk = self.mood.component, self.talk.component
        assert isinstance(mood, discord.ui.TextInput) and isinstance(talk, discord.ui.Select)
        await inter.response.send_message(f"{mood.value}/{talk.values}", ephemeral=True)


class LabelledPanel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Check in", custom_id="kindred:labelled")
    async def open(self, inter: discord.Interaction, button: discord.ui.Button) -> None:
        await inter.response.send_modal(LabelledModal())


async def test_a_labelled_modal_is_submitted_as_discord_sends_it(
    emulator: DiscordEmulator, world
) -> None:
    """A form of Labels (component type 18, one nested component each) comes back as Discord
    sends it: the same Labels, each with its nested input's value (a text input's ``value``, a
    select's ``values``), and discord.py reads them; the inputs and their words are read the
    same way as an action row's (``inputs``)."""
    _g, general, alice, _ = world
    bot = make_bot()

    async with connected_client(emulator, bot):
        bot.add_view(LabelledPanel())
        sent = await bot.get_channel(general.id).send("panel", view=LabelledPanel())
        it = await emulator.press_button(alice, emulator.message(sent.id), "kindred:labelled")
        form = await it.response()
        assert [c["type"] for c in form.data["components"]] == [18, 18]
        assert [(f["custom_id"], f["label"], f.get("description")) for f in form.inputs] == [
            ("lb_mood", "How are you?", "A word is enough"),
            ("lb_talk", "Talk to someone?", None),
        ]
        with pytest.raises(ValueError, match="longer than 50"):
            await it.submit_modal({"lb_mood": "x" * 51, "lb_talk": "no"})
        sub = await it.submit_modal({"lb_mood": "tired", "lb_talk": "yes"})
        assert sub.data["components"] == [
            {"type": 18, "component": {"type": 4, "custom_id": "lb_mood", "value": "tired"}},
            {"type": 18, "component": {"type": 3, "custom_id": "lb_talk", "values": ["yes"]}},
        ]
        assert (await sub.response()).content == "tired/['yes']"


async def test_a_modal_submission_carries_the_language_of_the_app_that_opened_it(
    emulator: DiscordEmulator, world
) -> None:
    """As on Discord, every interaction says the user's app language, a form's submission too:
    the one of the press that opened the form, unless a test says another."""
    _g, general, alice, _ = world
    bot = make_bot()

    async with connected_client(emulator, bot):
        bot.add_view(Persistent())
        sent = await bot.get_channel(general.id).send("panel", view=Persistent())
        msg = emulator.message(sent.id)
        it = await emulator.press_button(alice, msg, "kindred:feedback", locale="fr")
        assert (await it.response()).is_modal
        sub = await it.submit_modal({"fb_text": "super"})
        assert sub.payload["locale"] == "fr"
        assert (await sub.response()).content == "thanks anon: super"
        again = await emulator.press_button(alice, msg, "kindred:feedback")
        await again.response()
        custom_id = again.callback.custom_id
        other = await emulator.submit_modal(
            alice, general, custom_id, {"fb_text": "gut"}, source=again, locale="de"
        )
        assert other.payload["locale"] == "de"
        await other.response()
        plain = await emulator.press_button(alice, msg, "kindred:feedback")
        await plain.response()
        assert (await plain.submit_modal({"fb_text": "ok"})).payload["locale"] == "en-US"


async def test_private_thread_and_dms(emulator: DiscordEmulator, world) -> None:
    _g, general, alice, bob = world
    emulator.user_dms_open(bob, False)
    bot = make_bot()
    async with connected_client(emulator, bot):
        channel = bot.get_channel(general.id)
        thread = await channel.create_thread(
            name="support", type=discord.ChannelType.private_thread, invitable=False
        )
        await thread.add_user(discord.Object(alice.id))
        stored = emulator.channel(thread.id)
        assert stored.type == 12 and not stored.invitable
        assert set(stored.thread_members) == {emulator.bot_user.id, alice.id}
        await emulator.wait_until(lambda: bot.get_channel(thread.id) is not None)
        await emulator.send_message(alice, stored, "in thread")
        assert emulator.permissions_for(bob, stored) == 0

        dm = await bot.get_user(alice.id).send("hello alice")
        assert emulator.messages_in(emulator.dm_channel(alice))[0].content == "hello alice"
        assert dm.guild is None
        with pytest.raises(discord.Forbidden) as exc:
            await bot.get_user(bob.id).send("hi bob")
        assert exc.value.code == 50007

        got: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

        @bot.event
        async def on_message(message: discord.Message) -> None:
            if message.guild is None and not message.author.bot and not got.done():
                got.set_result(message)

        await emulator.send_dm(alice, "I need to talk")
        message = await asyncio.wait_for(got, 5)
        assert message.content == "I need to talk" and message.author.id == alice.id


async def test_messages_in_an_archived_thread_are_edited_or_deleted_only_once_unarchived(
    emulator: DiscordEmulator, world
) -> None:
    """As on Discord: editing or deleting a message in an archived thread is refused (400,
    code 50083) until the thread is unarchived; a bot with Manage Threads sending there
    unarchives it (it stays locked)."""
    _g, general, _, _ = world
    bot = make_bot()
    async with connected_client(emulator, bot):
        channel = bot.get_channel(general.id)
        thread = await channel.create_thread(name="relay", type=discord.ChannelType.private_thread)
        first, second = await thread.send("one"), await thread.send("two")
        await thread.edit(archived=True, locked=True)
        for attempt in (first.edit(content="x"), second.delete()):
            with pytest.raises(discord.HTTPException) as exc:
                await attempt
            assert exc.value.status == 400 and exc.value.code == 50083
        assert emulator.message(first.id).content == "one"
        assert not emulator.message(second.id).deleted
        await thread.edit(archived=False)
        await first.edit(content="x")
        await second.delete()
        stored = emulator.channel(thread.id)
        assert emulator.message(first.id).content == "x" and emulator.message(second.id).deleted
        assert stored.locked and not stored.archived
        await thread.edit(archived=True)
        await thread.send("closed")
        assert stored.locked and not stored.archived


async def test_faults(emulator: DiscordEmulator, world) -> None:
    g, general, _, _ = world
    bot = make_bot()
    route = "/channels/{channel_id}/messages"
    async with connected_client(emulator, bot):
        channel = bot.get_channel(general.id)
        fault = emulator.inject_fault("POST", route, status=429, retry_after=0.05)
        await channel.send("after 429")
        assert fault.hits == 1
        assert [m.content for m in emulator.messages_in(general)] == ["after 429"]
        assert [c.status for c in emulator.calls_matching("POST", route)] == [429, 200]

        emulator.inject_fault("POST", route, status=500)
        await channel.send("after 500")  # discord.py sleeps 1 s and retries 500/502/504/524
        assert emulator.messages_in(general)[-1].content == "after 500"

        emulator.inject_fault("POST", route, status=403, code=50013)
        with pytest.raises(discord.Forbidden) as exc:
            await channel.send("nope")
        assert exc.value.code == 50013

        # real permission computation: deny SEND_MESSAGES to the bot role via an overwrite
        emulator.set_overwrite(general, g.bot_role, deny=int(P.SEND_MESSAGES))
        with pytest.raises(discord.Forbidden) as exc:
            await channel.send("denied")
        assert exc.value.code == 50013


async def test_gateway_drop_resume_and_reconnect(emulator: DiscordEmulator, world) -> None:
    _g, general, alice, _ = world
    bot = make_bot()
    received: list[str] = []

    @bot.event
    async def on_message(message: discord.Message) -> None:
        received.append(message.content)

    async with connected_client(emulator, bot):
        await emulator.drop_gateway(code=4000)
        await emulator.send_message(alice, general, "while down")
        await emulator.wait_for_resume(1)
        await emulator.wait_until(lambda: "while down" in received)
        assert len(emulator.identify_payloads) == 1

        await emulator.drop_gateway(abort=True)
        await emulator.send_message(alice, general, "after abort")
        await emulator.wait_for_resume(2)
        await emulator.wait_until(lambda: "after abort" in received)

        await emulator.send_reconnect()
        await emulator.wait_for_resume(3)
        await emulator.send_message(alice, general, "after op7")
        await emulator.wait_until(lambda: "after op7" in received)
        assert received.count("while down") == 1
        assert len(emulator.identify_payloads) == 1


async def test_member_update_and_channel_delete(emulator: DiscordEmulator, world) -> None:
    g, general, alice, _ = world
    bot = make_bot()
    async with connected_client(emulator, bot):
        role = emulator.create_role(g, "Peer")
        emulator.set_member_roles(g, alice, [role])
        guild = bot.get_guild(g.id)
        await emulator.wait_until(
            lambda: role.id in [r.id for r in guild.get_member(alice.id).roles]
        )
        emulator.delete_channel(general)
        await emulator.wait_until(lambda: guild.get_channel(general.id) is None)


async def test_unknown_route_is_recorded(emulator: DiscordEmulator) -> None:
    bot = make_bot()
    async with connected_client(emulator, bot):
        with pytest.raises(discord.NotFound):
            await bot.http.request(discord.http.Route("GET", "/definitely/not/a/route"))
    assert [c.path for c in emulator.unknown_routes] == ["/definitely/not/a/route"]
    emulator.unknown_routes.clear()  # keep the fixture from failing this test


async def test_problem_check_fails_on_unknown_route(emulator: DiscordEmulator) -> None:
    async with aiohttp.ClientSession() as s, s.get(emulator.api_base_url + "/nope") as r:
        assert r.status == 404
        assert await r.json() == {"message": "404: Not Found", "code": 0}
    with pytest.raises(pytest.fail.Exception, match="unknown route: GET /nope"):
        assert_no_problems(emulator)
    emulator.unknown_routes.clear()


def test_fixture_fails_on_unknown_route(tmp_path: Path) -> None:
    """End to end: the ``emulator`` fixture turns an unknown route into a test error."""
    (tmp_path / "conftest.py").write_text(
        "from emulator.pytest_plugin import emulator  # noqa: F401\n"
    )
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            """
            import aiohttp

            async def test_hits_unknown(emulator):
                async with aiohttp.ClientSession() as s:
                    async with s.get(emulator.api_base_url + "/nope") as r:
                        assert r.status == 404
            """
        )
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            str(tmp_path),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert "1 passed" in proc.stdout and "1 error" in proc.stdout, proc.stdout
    assert "unknown route: GET /nope" in proc.stdout


async def test_a_deferral_has_no_text_to_read(emulator: DiscordEmulator, world) -> None:
    """While the bot is "thinking", reading the deferral's text fails loudly (an assertion
    that something is *not* in it could never fail); ``answer()`` waits for the real one."""
    _g, general, alice, _bob = world
    bot = make_bot()
    go = asyncio.Event()

    @bot.tree.command(name="slow", description="Answers after a deferral")
    async def slow(inter: discord.Interaction) -> None:
        await inter.response.defer(ephemeral=True, thinking=True)
        await go.wait()
        await inter.followup.send("done", ephemeral=True)

    async with connected_client(emulator, bot):
        await bot.tree.sync()
        it = await emulator.run_command(alice, general, "slow")
        resp = await it.response()
        assert resp.deferred
        with pytest.raises(AssertionError, match="deferred"):
            _ = resp.text
        go.set()
        answer = await it.answer()
        assert answer.text == "done" and answer.ephemeral
