"""Slash command invocations as Discord builds them: the command path, the options with their
``resolved`` users/members/channels/roles, and who may see the command where."""

from __future__ import annotations

from typing import Any

from .models import JSON, AppCommand, Channel, Member, Role, User
from .permissions import P, base_permissions
from .state import EmulatorState


class CommandDataMixin(EmulatorState):
    """Builds the ``data`` of APPLICATION_COMMAND and AUTOCOMPLETE interactions."""

    def _resolve_command(
        self, user: User, ch: Channel, command: str
    ) -> tuple[AppCommand, list[str], list[JSON]]:
        parts = command.split()
        if not parts:
            raise ValueError("empty command")
        cmd = self.command(parts[0], guild=ch.guild_id)
        if cmd is None:
            known = sorted(
                {c.name for c in self.global_commands.values()}
                | {c.name for c in self.guild_commands.get(ch.guild_id or 0, {}).values()}
            )
            raise LookupError(f"command {parts[0]!r} is not registered (known: {known})")
        self._check_command_visible(user, ch, cmd)
        options = cmd.options
        path = [parts[0]]
        for name in parts[1:]:
            sub = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"{' '.join(path)!r} has no subcommand {name!r}")
            path.append(name)
            options = sub.get("options") or []
        if any(o["type"] in (1, 2) for o in options):
            raise LookupError(f"{command!r} is a group; name a subcommand")
        return cmd, path, options

    def _check_command_visible(self, user: User, ch: Channel, cmd: AppCommand) -> None:
        extra = cmd.extra
        if ch.guild_id is None:
            contexts = extra.get("contexts")
            if (
                cmd.guild_id is not None
                or (contexts is not None and 1 not in contexts)
                or (contexts is None and extra.get("dm_permission") is False)
            ):
                raise PermissionError(f"/{cmd.name} is not available in DMs")
            return
        required = extra.get("default_member_permissions")
        if required is not None:
            have = self.permissions_for(user, ch)
            if have & P.ADMINISTRATOR or have == (1 << 53) - 1:
                return
            req = int(required)
            if req == 0 or (have & req) != req:
                raise PermissionError(
                    f"{user.username} cannot use /{cmd.name} "
                    f"(default_member_permissions={required})"
                )

    def _option_payload(self, spec: JSON, value: Any, resolved: JSON, guild_id: int | None) -> JSON:
        t = spec["type"]
        out: JSON = {"name": spec["name"], "type": t}
        if t == 3:
            out["value"] = str(value)
        elif t == 4:
            out["value"] = int(value)
        elif t == 10:
            out["value"] = float(value)
        elif t == 5:
            out["value"] = bool(value)
        elif t in (6, 7, 8, 9):
            out["value"] = str(self._resolve_into(t, value, resolved, guild_id))
        else:
            out["value"] = value
        choices = spec.get("choices")
        if choices and t in (3, 4, 10) and out["value"] not in [c["value"] for c in choices]:
            raise ValueError(f"{value!r} is not a valid choice for option {spec['name']!r}")
        if t == 3:  # Discord's client lets nobody send a string outside the option's lengths
            most, least = spec.get("max_length"), spec.get("min_length")
            if most is not None and len(out["value"]) > most:
                raise ValueError(f"option {spec['name']!r} is longer than {most}")
            if least is not None and len(out["value"]) < least:
                raise ValueError(f"option {spec['name']!r} is shorter than {least}")
        return out

    def _resolve_into(self, t: int, value: Any, resolved: JSON, guild_id: int | None) -> int:
        if isinstance(value, Role) or (t == 8 and not isinstance(value, (User, Member, Channel))):
            role = (
                value if isinstance(value, Role) else self.guilds[guild_id or 0].roles[int(value)]
            )
            resolved.setdefault("roles", {})[str(role.id)] = role.to_payload()
            return role.id
        if isinstance(value, Channel) or t == 7:
            ch = self.channel(value)
            data = ch.to_payload()
            data["permissions"] = str(self.bot_permissions(ch) if ch.guild_id else 0)
            resolved.setdefault("channels", {})[str(ch.id)] = data
            return ch.id
        u = self.user(value)
        resolved.setdefault("users", {})[str(u.id)] = u.to_payload()
        if guild_id is not None and u.id in self.guilds[guild_id].members:
            member = self.guilds[guild_id].members[u.id]
            resolved.setdefault("members", {})[str(u.id)] = {
                **member.to_payload(with_user=False),
                "permissions": str(base_permissions(self.guilds[guild_id], member)),
            }
        return u.id

    def _build_command_data(
        self,
        user: User,
        ch: Channel,
        command: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None = None,
        focused_value: str = "",
    ) -> JSON:
        cmd, path, specs = self._resolve_command(user, ch, command)
        options = dict(options or {})
        resolved: JSON = {}
        leaf: list[JSON] = []
        by_name = {s["name"]: s for s in specs}
        unknown = set(options) - set(by_name) - ({focused} if focused else set())
        if unknown:
            raise KeyError(f"/{command} has no option(s) {sorted(unknown)}; has {sorted(by_name)}")
        for spec in specs:
            name = spec["name"]
            if name == focused:
                leaf.append(
                    {"name": name, "type": spec["type"], "value": focused_value, "focused": True}
                )
            elif name in options:
                leaf.append(self._option_payload(spec, options[name], resolved, ch.guild_id))
            elif spec.get("required") and focused is None:
                raise ValueError(f"/{command} requires option {name!r}")
        if focused is not None and focused not in by_name:
            raise KeyError(f"/{command} has no option {focused!r}")
        # nest into subcommand group / subcommand options
        nested: list[JSON] = leaf
        sub_types = _subcommand_types(cmd.options, path[1:])
        for name, t in reversed(list(zip(path[1:], sub_types, strict=True))):
            nested = [{"name": name, "type": t, "options": nested}]
        data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": 1, "options": nested}
        if resolved:
            data["resolved"] = resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return data


def _subcommand_types(options: list[JSON], names: list[str]) -> list[int]:
    types = []
    for name in names:
        opt = next(o for o in options if o["name"] == name)
        types.append(opt["type"])
        options = opt.get("options") or []
    return types
