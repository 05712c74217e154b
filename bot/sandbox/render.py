"""Drawing the console's events with rich: colours on a terminal, plain text otherwise.

Text from the bot and members is always passed as :class:`rich.text.Text`, never as markup, so a
``[Claim]`` in a message is printed as typed.
"""

from __future__ import annotations

import re
from typing import IO

from rich import box
from rich.console import Console as RichConsole
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from .events import (
    AttachmentView,
    EmbedView,
    Event,
    FormShown,
    HintLine,
    Info,
    MessageView,
    Narration,
    Said,
    Table,
    attachment_head,
    more_lines_text,
)

INDENT = "    "
_MARKDOWN = re.compile(r"\*\*(.+?)\*\*|`([^`\n]+)`")


def make_console(file: IO[str] | None = None, *, width: int | None = None) -> RichConsole:
    """A rich console: colours only on a terminal; fixed width for transcripts."""
    return RichConsole(file=file, highlight=False, emoji=False, width=width, soft_wrap=False)


def emit(out: RichConsole, renderable: RenderableType) -> None:
    """Print; in a transcript (not a terminal) without the padding rich adds at line ends."""
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    out.file.flush()


def render(event: Event) -> RenderableType:
    if isinstance(event, MessageView):
        return message(event)
    if isinstance(event, Said):
        return Text("» " + event.text, style="bold cyan")
    if isinstance(event, Narration):
        return Group(Text(""), Rule(Text(event.text, style="bold"), style="dim", align="left"))
    if isinstance(event, HintLine):
        return Text("? " + event.text, style="yellow")
    if isinstance(event, Info):
        return Text(event.text, style="dim")
    if isinstance(event, FormShown):
        return form(event)
    return table(event)


def message(view: MessageView) -> RenderableType:
    head = Text(f"{view.handle} · ", style="dim")
    head.append(view.author, style="bold magenta" if view.by_bot else "bold")
    head.append(f" in {view.where}")
    if view.only_for:
        head.append(f"  (only {view.only_for} sees this)", style="italic yellow")
    if view.edited:
        head.append("  (updated)", style="italic dim")
    lines: list[RenderableType] = [head]
    if view.text:
        lines.append(_indented(markdown(view.text)))
    lines.extend(_embed(embed) for embed in view.embeds)
    lines.extend(_attachment(file) for file in view.attachments)
    if view.buttons:
        row = Text()
        for label, disabled in view.buttons:
            row.append(f"[{label}]", style="dim strike" if disabled else "bold green")
            row.append(" ")
        lines.append(_indented(row))
    for placeholder, options in view.menus:
        lines.append(_indented(Text(f"<{placeholder}: {' | '.join(options)}>", style="green")))
    return Group(*lines)


def markdown(text: str) -> Text:
    """Discord's **bold** and `code`, styled, markers dropped; the rest as typed."""
    out = Text()
    at = 0
    for match in _MARKDOWN.finditer(text):
        out.append(text[at : match.start()])
        bold, code = match.groups()
        out.append(bold if bold is not None else code, style="bold" if bold else "cyan")
        at = match.end()
    out.append(text[at:])
    return out


def _embed(embed: EmbedView) -> RenderableType:
    """An embed as a block behind a bar; long lines wrap inside it."""
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(style="magenta", no_wrap=True)
    grid.add_column()
    if embed.title:
        grid.add_row("│", Text(embed.title, style="bold"))
    for line in embed.description.splitlines():
        grid.add_row("│", markdown(line))
    for name, value in embed.fields:
        first, *more = value.splitlines() or [""]
        named = name.strip("\u200b ").strip()  # a blank name continues the field above
        head = Text(f"{named}: ", style="bold") if named else Text("  ")
        grid.add_row("│", head + markdown(first))
        for line in more:
            grid.add_row("│", markdown("  " + line))
    if embed.footer:
        grid.add_row("│", Text(embed.footer, style="dim"))
    return _indented(grid)


def _attachment(file: AttachmentView) -> RenderableType:
    """A file: its name and size, then a text file's first lines behind a bar."""
    head = Text(attachment_head(file), style="bold cyan")
    if file.lines is None:
        return _indented(head)
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column()
    for line in file.lines:
        grid.add_row("┆", Text(line))
    if file.more_lines:
        grid.add_row("┆", Text(more_lines_text(file.more_lines), style="dim"))
    return _indented(Group(head, grid))


def _indented(renderable: RenderableType) -> RenderableType:
    return Padding(renderable, (0, 0, 0, len(INDENT)), expand=False)


def form(event: FormShown) -> RenderableType:
    head = Text(f"Kindred shows {event.member} a form: “{event.title}”", style="bold magenta")
    lines: list[RenderableType] = [head]
    for f in event.fields:
        choice = f" ({'|'.join(f.choices)})" if f.choices else ""
        need = " (required)" if f.required else ""
        lines.append(Text(f"{INDENT}{f.name}{choice}: {f.label}{need}"))
    example = " ".join(f'{f.name}="…"' for f in event.fields[:1])
    lines.append(Text(f"{INDENT}→ as {event.member} submit {example}", style="dim"))
    return Group(*lines)


def table(event: Table) -> RenderableType:
    out = RichTable(
        title=event.title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for column in event.columns:
        out.add_column(column)
    for row in event.rows:
        out.add_row(*(Text(cell) for cell in row))
    return out
