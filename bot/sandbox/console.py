"""The sandbox console without a terminal: a line in, a list of events out.

``Console.run(line)`` parses the line (``parse``), acts through the emulator as the member
named, waits until Kindred has finished reacting (``KindredRunner.quiet``) and reports what the
bot did: every message it sent or changed since, where, and who sees it. Nothing here raises
for a bad line: a typo, an unknown name or a refusal by Discord becomes a one-line hint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from emulator import DiscordEmulator, EmulatorTimeoutError
from emulator.interactions import Interaction
from emulator.models import Channel, Guild, User

from . import help as helptext
from . import parse as p
from .events import (
    Event,
    FormShown,
    Handles,
    HintLine,
    Info,
    Narration,
    Said,
    Table,
    message_view,
)
from .lookup import find_button, form_fields, form_values, last_form, option_values, usage
from .names import Directory, Unknown
from .runner import KindredRunner, SandboxClock

log = logging.getLogger(__name__)
SHOW_LAST = 10


class Console:
    def __init__(
        self,
        emu: DiscordEmulator,
        runner: KindredRunner,
        guild: Guild,
        clock: SandboxClock,
        *,
        zones: dict[int, str] | None = None,
        home: str = "welcome",
    ) -> None:
        self.emu = emu
        self.runner = runner
        self.clock = clock
        self.names = Directory(emu, guild)
        self.handles = Handles()
        self.zones = zones or {}
        self.home = home
        self.here: dict[int, Channel] = {}
        self.modals: dict[int, Interaction] = {}
        self.seen: dict[int, int] = {}
        self.finished = False
        self.mark_seen()

    async def run(self, line: str) -> list[Event]:
        """Run one line; never raises for anything the line says."""
        command = p.parse_line(line)
        if isinstance(command, p.Hint):
            return [HintLine(command.text)]
        try:
            return await self._dispatch(command)
        except Unknown as exc:
            return [HintLine(str(exc))]
        except EmulatorTimeoutError:
            return [HintLine("Kindred did not answer in time; try the line again")]
        except (PermissionError, LookupError, ValueError) as exc:
            return [HintLine(_one_line(exc))]
        except Exception as exc:
            log.exception("sandbox line failed")
            return [HintLine(f"that did not work ({type(exc).__name__}: {_one_line(exc)})")]

    async def _dispatch(self, command: p.Command) -> list[Event]:
        match command:
            case p.Blank():
                return []
            case p.Note(text=text):
                return [Narration(text)] if text else []
            case p.Quit():
                self.finished = True
                return []
            case p.Help(topic=topic):
                return self.help(topic)
            case p.Who():
                return [await self.who()]
            case p.ClockCmd(delta=None):
                return [Info(f"the clock says {_stamp(self.clock())}")]
            case p.ClockCmd(delta=delta):
                assert delta is not None
                stops = await self.runner.advance(self.clock, delta)
                ran = f"; {stops} timer(s) ran on the way" if stops else ""
                return [Info(f"clock → {_stamp(self.clock())}{ran}"), *self.changes()]
            case p.Show():
                return self.show(command)
            case p.Say() | p.Dm():
                return await self.post(command)
            case p.Slash():
                return await self.slash(command)
            case p.Click():
                return await self.click(command)
            case p.Submit():
                return await self.submit(command)
        return [HintLine("not a line the console knows; try help")]

    # -- acting ---------------------------------------------------------------------------
    async def post(self, command: p.Say | p.Dm) -> list[Event]:
        user = self.names.member(command.member)
        if isinstance(command, p.Say):
            ch = self.names.channel(command.channel)
            try:
                sent = await self.emu.send_message(user, ch, command.text)
            except PermissionError:
                raise Unknown(f"{user.username} cannot post in {self.label(ch)}") from None
            self.here[user.id] = ch
            where = f"in {self.label(ch)}"
        else:
            sent = await self.emu.send_dm(user, command.text)
            where = "→ Kindred (DM)"
        handle = self.handles.of(sent.id)
        return [Said(f"{handle} · {user.username} {where}: {command.text}"), *await self.after()]

    async def slash(self, command: p.Slash) -> list[Event]:
        user = self.names.member(command.member)
        ch = self.where(user, command.where)
        path, specs = self.names.command(command.words)
        options = option_values(self.names, path, specs, command.options)
        shown = " ".join(f'{k}="{v}"' if " " in v else f"{k}={v}" for k, v in command.options)
        try:
            it = await self.emu.run_command(user, ch, path, options)
        except PermissionError:
            raise Unknown(f"Discord does not offer /{path} to {user.username} here") from None
        said = Said(
            f"{user.username} runs /{path}{' ' + shown if shown else ''} in {self.label(ch)}"
        )
        return [said, *await self.answer(it)]

    async def click(self, command: p.Click) -> list[Event]:
        user = self.names.member(command.member)
        found = find_button(self.names, self.handles, user, command.label, command.target)
        handle = self.handles.of(found.message.id)
        if found.value is not None:
            it = await self.emu.select(user, found.message, found.custom_id, [found.value])
        else:
            it = await self.emu.press_button(user, found.message, found.custom_id)
        return [Said(f"{user.username} clicks [{found.label}] on {handle}"), *await self.answer(it)]

    async def submit(self, command: p.Submit) -> list[Event]:
        user = self.names.member(command.member)
        shown_form = last_form(self.modals, user)
        assert shown_form.modal is not None
        values = form_values(form_fields(shown_form.modal), command.values)
        custom_id = shown_form.modal["custom_id"]
        it = await self.emu.submit_modal(
            user, shown_form.channel, custom_id, values, source=shown_form
        )
        del self.modals[user.id]
        listed = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "nothing"
        return [Said(f"{user.username} submits {listed}"), *await self.answer(it)]

    async def answer(self, it: Interaction) -> list[Event]:
        """Kindred's answer to an interaction, then everything else it did meanwhile."""
        response = await it.response()
        events: list[Event] = []
        if response.is_modal and response.data:
            self.modals[it.user.id] = it
            fields = tuple(form_fields(response.data))
            title = str(response.title or "a form")
            events.append(FormShown(it.user.username, title, fields))
        return events + await self.after()

    async def after(self) -> list[Event]:
        calm = await self.runner.quiet()
        events: list[Event] = list(self.changes())
        if not calm:
            events.append(Info("(Kindred is still working; show a channel to see more later)"))
        return events

    def changes(self) -> list[Event]:
        """Messages the bot sent or changed since last reported, oldest first."""
        out: list[Event] = []
        for message in list(self.emu.messages.values()):
            if message.author.id != self.emu.bot_user.id or message.deleted or message.loading:
                continue
            before = self.seen.get(message.id)
            if before == message.edits:
                continue
            self.seen[message.id] = message.edits
            edited = before is not None
            out.append(message_view(message, self.names, self.handles, edited=edited))
        return out

    def mark_seen(self) -> None:
        for message in self.emu.messages.values():
            self.seen[message.id] = message.edits

    def where(self, user: User, where: str | None) -> Channel:
        if where is None:
            return self.here.get(user.id) or self.names.channel(self.home)
        ch = self.emu.dm_channel(user) if where.lower() == "dm" else self.names.channel(where)
        self.here[user.id] = ch
        return ch

    def label(self, ch: Channel) -> str:
        return self.names.channel_label(ch)

    # -- looking ----------------------------------------------------------------------------
    def show(self, command: p.Show) -> list[Event]:
        if command.what == "threads":
            return [self._threads()]
        if command.what == "message":
            mid = self.handles.by_handle.get(command.target or "")
            if mid is None or mid not in self.emu.messages:
                raise Unknown(f"no message {command.target!r}; handles are printed beside messages")
            return [message_view(self.emu.messages[mid], self.names, self.handles)]
        if command.what == "dm":
            ch = self.emu.dm_channel(self.names.member(command.target or ""))
        elif command.what == "thread":
            ch = self._thread(command.target)
        else:
            ch = self.names.channel(command.target or "")
        messages = [m for m in self.emu.messages_in(ch) if not m.loading][-SHOW_LAST:]
        if not messages:
            return [Info(f"{self.label(ch)} has no messages yet")]
        return [Info(f"last {len(messages)} in {self.label(ch)}"), *self._views(messages)]

    def _views(self, messages: Iterable) -> list[Event]:
        return [message_view(m, self.names, self.handles) for m in messages]

    def _thread(self, name: str | None) -> Channel:
        if name is not None:
            return self.names.channel(name, only_threads=True)
        threads = self.names.threads()
        if not threads:
            raise Unknown("no threads yet: a claimed support request opens one")
        return max(threads.values(), key=lambda c: c.id)

    def _threads(self) -> Table:
        rows = []
        for key, ch in self.names.threads().items():
            parent = self.emu.channels.get(ch.parent_id or 0)
            people = sorted(self.names.name_of(i) for i in ch.thread_members)
            kind = "private" if ch.type == 12 else "public"
            status = "archived" if ch.archived else "open"
            where = self.label(parent) if parent else "?"
            rows.append((f"#{key}", f"{kind}, {status}", where, ", ".join(people)))
        return Table("threads", ("thread", "kind", "in", "members"), tuple(rows))

    async def who(self) -> Table:
        now = self.clock()
        services = self.runner.services
        guild = self.names.guild
        rows = []
        for name, user in sorted(self.names.members().items()):
            member = guild.members[user.id]
            roles = ", ".join(self.names.role_name(r) for r in member.roles) or "member"
            zone = self.zones.get(user.id, "UTC")
            local = now.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")
            duty = await services.peers.duty.is_on_duty(guild.id, user.id)
            rows.append((name, roles, zone, local, "on duty" if duty else ""))
        columns = ("member", "roles", "time zone", "local time", "duty")
        return Table(f"{guild.name} · {_stamp(now)}", columns, tuple(rows))

    def help(self, topic: str | None) -> list[Event]:
        if topic is None:
            return [Info(helptext.GENERAL)]
        if topic in helptext.TOPICS:
            return [Info(helptext.TOPICS[topic])]
        if topic == "commands":
            return [Info("commands: " + " · ".join("/" + c for c in self.names.command_paths()))]
        if topic.startswith("/"):
            path, specs = self.names.command(tuple(topic[1:].split()))
            return [Info(f"/{path} {usage(specs)}")]
        return [HintLine("help topics: as, show, clock, commands, /<command>")]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%a %d %b %Y %H:%M UTC")


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split())[:300] or type(exc).__name__
