"""Discord's limits on what a bot sends: the emulator answers 400 Invalid Form Body (50035)
with the failing path in ``errors``, as Discord does, so a Kindred text that Discord would
refuse fails its tests here too."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from emulator import DiscordEmulator, connected_client
from emulator.errors import RestError
from emulator.validation import (
    validate_autocomplete,
    validate_message_body,
    validate_modal,
)


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


def refused(check, *args: Any, **kwargs: Any) -> tuple[str, str]:
    """The dotted path and error code of the 400 ``check`` raises."""
    with pytest.raises(RestError) as exc:
        check(*args, **kwargs)
    err = exc.value
    assert err.status == 400 and err.code == 50035 and err.message == "Invalid Form Body"
    path: list[str] = []
    node = err.errors
    while "_errors" not in node:
        (key,) = node.keys()
        path.append(key)
        node = node[key]
    return ".".join(path), node["_errors"][0]["code"]


def row(*children: dict) -> dict:
    return {"type": 1, "components": list(children)}


def select(options: list[dict], **extra: Any) -> dict:
    return {"type": 3, "custom_id": "pick", "options": options, **extra}


def option(label: str = "Group", value: str = "1", **extra: Any) -> dict:
    return {"label": label, "value": value, **extra}


def message(*components: dict) -> dict:
    return {"content": "hi", "components": list(components)}


def send(body: dict) -> None:
    validate_message_body(body, [], partial=False)


def test_select_menus_hold_1_to_25_options_of_100_characters() -> None:
    send(message(row(select([option(value=str(n)) for n in range(25)]))))
    assert refused(send, message(row(select([option(value=str(n)) for n in range(26)])))) == (
        "components.0.components.0.options",
        "BASE_TYPE_BAD_LENGTH",
    )
    assert refused(send, message(row(select([]))))[0] == "components.0.components.0.options"
    send(message(row(select([option("x" * 100, "v" * 100, description="d" * 100)]))))
    for bad, key in (
        (option("x" * 101), "label"),
        (option(value="v" * 101), "value"),
        (option(description="d" * 101), "description"),
        (option(""), "label"),
    ):
        path, _code = refused(send, message(row(select([option(value="a"), bad]))))
        assert path == f"components.0.components.0.options.1.{key}"
    path, _ = refused(send, message(row(select([option()], placeholder="p" * 151))))
    assert path == "components.0.components.0.placeholder"


def test_buttons_and_custom_ids() -> None:
    button = {"type": 2, "style": 1, "custom_id": "b", "label": "x" * 80}
    send(message(row(button)))
    assert refused(send, message(row({**button, "label": "x" * 81}))) == (
        "components.0.components.0.label",
        "BASE_TYPE_MAX_LENGTH",
    )
    assert refused(send, message(row({**button, "custom_id": "c" * 101}))) == (
        "components.0.components.0.custom_id",
        "BASE_TYPE_BAD_LENGTH",
    )
    other = {**button, "label": "y"}
    assert refused(send, message(row(button), row(other)))[1] == "COMPONENT_CUSTOM_ID_DUPLICATED"
    assert refused(send, message(*[row({**button, "custom_id": str(n)}) for n in range(6)]))[0] == (
        "components"
    )


def embed_of(**extra: Any) -> dict:
    return {"content": "", "embeds": [{"title": "t", **extra}]}


def test_embed_limits() -> None:
    send(embed_of(title="t" * 256, description="d" * 4096, footer={"text": "f" * 1024}))
    for extra, path in (
        ({"title": "t" * 257}, "embeds.0.title"),
        ({"description": "d" * 4097}, "embeds.0.description"),
        ({"footer": {"text": "f" * 2049}}, "embeds.0.footer.text"),
        ({"author": {"name": "a" * 257}}, "embeds.0.author.name"),
        ({"fields": [{"name": "n", "value": "v"}] * 26}, "embeds.0.fields"),
        ({"fields": [{"name": "n" * 257, "value": "v"}]}, "embeds.0.fields.0.name"),
        ({"fields": [{"name": "n", "value": "v" * 1025}]}, "embeds.0.fields.0.value"),
    ):
        assert refused(send, embed_of(**extra))[0] == path
    big = [{"name": "n" * 200, "value": "v" * 1000}] * 5  # 6,000 with the title
    assert refused(send, embed_of(fields=big)) == ("embeds", "MAX_EMBED_SIZE_EXCEEDED")
    assert refused(send, {"content": "x" * 2001})[0] == "content"
    send({"content": "x" * 2000})


def text_input(label: str = "Your note", **extra: Any) -> dict:
    return {"type": 4, "custom_id": "note", "style": 1, "label": label, **extra}


def modal(*components: dict, title: str = "Feedback") -> dict:
    return {"custom_id": "m", "title": title, "components": list(components)}


def test_modal_limits() -> None:
    validate_modal(modal(row(text_input("x" * 45, placeholder="p" * 100)), title="t" * 45))
    assert refused(validate_modal, modal(row(text_input()), title="t" * 46)) == (
        "data.title",
        "BASE_TYPE_BAD_LENGTH",
    )
    assert refused(validate_modal, modal(row(text_input("x" * 46)))) == (
        "data.components.0.components.0.label",
        "BASE_TYPE_BAD_LENGTH",
    )
    assert refused(validate_modal, modal(row(text_input(placeholder="p" * 101))))[0] == (
        "data.components.0.components.0.placeholder"
    )
    rows = [row(text_input(custom_id=str(n))) for n in range(6)]
    assert refused(validate_modal, modal(*rows))[0] == "data.components"
    label = {"type": 18, "label": "l" * 46, "component": text_input(custom_id="x")}
    assert refused(validate_modal, modal(label))[0] == "data.components.0.label"
    label = {"type": 18, "label": "Pick", "component": select([option("o" * 101)])}
    assert refused(validate_modal, modal(label))[0] == (
        "data.components.0.component.options.0.label"
    )


def test_modal_label_limits() -> None:
    """A Label (type 18): text of 1-45 characters, a description of at most 100, and one
    text input or select inside; a text input in an action row needs its own label."""
    inner = {"type": 4, "custom_id": "note", "style": 1}
    validate_modal(modal({"type": 18, "label": "l" * 45, "description": "d" * 100,
                          "component": {**inner, "label": None}}))  # fmt: skip
    for label, path in (
        ({"type": 18, "label": "Note", "description": "d" * 101, "component": inner},
         "data.components.0.description"),
        ({"type": 18, "component": inner}, "data.components.0.label"),
        ({"type": 18, "label": "", "component": inner}, "data.components.0.label"),
        ({"type": 18, "label": "Note"}, "data.components.0.component"),
        ({"type": 18, "label": "Note", "component": {"type": 2, "custom_id": "b", "label": "b"}},
         "data.components.0.component"),
        ({"type": 18, "label": "Note", "component": {**inner, "placeholder": "p" * 101}},
         "data.components.0.component.placeholder"),
        (row(inner), "data.components.0.components.0.label"),
    ):  # fmt: skip
        assert refused(validate_modal, modal(label))[0] == path, label


def test_autocomplete_limits() -> None:
    validate_autocomplete({"choices": [{"name": "n" * 100, "value": str(n)} for n in range(25)]})
    choices = [{"name": "n", "value": str(n)} for n in range(26)]
    assert refused(validate_autocomplete, {"choices": choices})[0] == "data.choices"
    long_name = {"choices": [{"name": "n" * 101, "value": "v"}]}
    assert refused(validate_autocomplete, long_name)[0] == "data.choices.0.name"
    long_value = {"choices": [{"name": "n", "value": "v" * 101}]}
    assert refused(validate_autocomplete, long_value)[0] == "data.choices.0.value"


async def test_the_bot_sees_discords_400_with_the_failing_path(emulator: DiscordEmulator) -> None:
    """Through the real discord.py: a refused message, modal and autocomplete answer reach the
    bot as Discord's HTTP 400 (50035) naming the field, and nothing is stored or answered."""
    g = emulator.create_guild("Haven")
    general = emulator.create_channel(g, "general")
    alice = emulator.create_user("alice")
    emulator.add_member(g, alice)
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    class Long(discord.ui.View):
        @discord.ui.button(label="Open", custom_id="open")
        async def open(self, inter: discord.Interaction, button: discord.ui.Button) -> None:
            try:
                modal = discord.ui.Modal(title="t" * 46)
                modal.add_item(discord.ui.TextInput(label="Note", custom_id="note"))
                await inter.response.send_modal(modal)
            except (discord.HTTPException, ValueError) as exc:
                errors.append(exc)  # type: ignore[arg-type]

    @app_commands.command(name="tz", description="Pick a timezone")
    async def tz(inter: discord.Interaction, zone: str) -> None:
        await inter.response.send_message(zone)

    @tz.autocomplete("zone")
    async def tz_ac(inter: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"zone {n}", value=str(n)) for n in range(26)]

    bot.tree.add_command(tz)
    async with connected_client(emulator, bot):
        await bot.tree.sync()
        components = [
            {"type": 1, "components": [select([option(value=str(n)) for n in range(26)])]}
        ]
        with pytest.raises(discord.HTTPException) as exc:
            await bot.http.request(
                discord.http.Route(
                    "POST", "/channels/{channel_id}/messages", channel_id=general.id
                ),
                json={"content": "pick", "components": components},
            )
        assert exc.value.status == 400 and exc.value.code == 50035
        assert "components.0.components.0.options" in str(exc.value)
        assert emulator.messages_in(general) == []

        sent = await bot.get_channel(general.id).send("panel", view=Long())
        it = await emulator.press_button(alice, sent.id, "open")
        await emulator.wait_until(lambda: errors)
        assert it.callback is None
        assert isinstance(errors[0], discord.HTTPException) and errors[0].code == 50035
        assert "data.title" in str(errors[0])

        with pytest.raises(AssertionError):
            await emulator.autocomplete(alice, general, "tz", focused="zone", timeout=1)
