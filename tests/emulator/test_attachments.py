"""Files on interaction answers: the first response, a followup and an edit of the original
carry their attachments (name, bytes, content type) into what the emulator records."""

from __future__ import annotations

import io

import discord

from emulator import DiscordEmulator, connected_client
from tests.emulator.test_flows import make_bot, world  # noqa: F401  (fixture)


def text_file(name: str, text: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode()), filename=name)


async def test_files_on_responses_followups_and_edits(
    emulator: DiscordEmulator,
    world,  # noqa: F811
) -> None:
    _g, general, alice, _bob = world
    bot = make_bot()

    @bot.tree.command(name="export", description="Send files")
    async def export(inter: discord.Interaction) -> None:
        await inter.response.send_message(
            "yours", file=text_file("plan.txt", "línea 1\n"), ephemeral=True
        )
        await inter.followup.send(file=text_file("more.txt", "two"), ephemeral=True)
        await inter.edit_original_response(
            attachments=[text_file("new.txt", "three")], content="replaced"
        )

    async with connected_client(emulator, bot):
        await bot.tree.sync()
        it = await emulator.run_command(alice, general, "export")
        first = await it.response()
        assert first.ephemeral and first.message is not None
        (followup,) = await it.followups(1)
        assert [a.filename for a in followup.attachments] == ["more.txt"]
        assert followup.attachments[0].data == b"two" and followup.ephemeral
        await emulator.wait_until(lambda: first.message.content == "replaced", what="the edit")
        assert [(a.filename, a.data) for a in first.message.attachments] == [("new.txt", b"three")]


async def test_a_file_on_the_first_response(
    emulator: DiscordEmulator,
    world,  # noqa: F811
) -> None:
    _g, general, alice, _bob = world
    bot = make_bot()

    @bot.tree.command(name="one", description="One file")
    async def one(inter: discord.Interaction) -> None:
        await inter.response.send_message(file=text_file("plan.txt", "línea 1\n"), ephemeral=True)

    async with connected_client(emulator, bot):
        await bot.tree.sync()
        answer = await (await emulator.run_command(alice, general, "one")).response()
        (attachment,) = answer.message.attachments
        assert attachment.filename == "plan.txt"
        assert attachment.data.decode() == "línea 1\n"
        assert attachment.to_payload()["size"] == len("línea 1\n".encode())
