"""One list of permissions (bot/permissions.py) drives the invite link; the README agrees."""

from __future__ import annotations

import re

import discord

from bot import PROJECT_ROOT
from bot.permissions import INVITE, LABELS, Perm, invite_permissions, invite_url, missing, names

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _readme_integer() -> int:
    links = re.findall(r"https://discord\.com/oauth2/authorize\?\S*permissions=(\d+)", README)
    assert len(links) == 1, "the README should show exactly one invite link"
    return int(links[0])


def test_the_readme_invite_link_asks_for_exactly_the_listed_permissions() -> None:
    have = discord.Permissions(_readme_integer())
    want = discord.Permissions(invite_permissions())
    extra = sorted(n for n, v in have if v and not getattr(want, n))
    lacking = sorted(n for n, v in want if v and not getattr(have, n))
    assert not extra and not lacking, (
        f"README invite link differs from bot/permissions.py: lacks {lacking}, extra {extra}; "
        f"use {invite_url()}"
    )
    assert invite_url() in README


def test_the_readme_table_names_every_permission_of_the_list() -> None:
    table = re.search(r"\| permission \| why \|\n\|---\|---\|\n((?:\|.*\|\n)+)", README)
    assert table is not None
    named = {
        name.strip() for row in table.group(1).splitlines() for name in row.split("|")[1].split(",")
    }
    assert named == {LABELS[a.perm] for a in INVITE}


def test_check_in_threads_are_in_the_invite() -> None:
    assert invite_permissions() & Perm.CREATE_PUBLIC_THREADS
    assert not invite_permissions() & Perm.ADMINISTRATOR


def test_bits_and_names_agree_with_discord_py() -> None:
    for perm, label in LABELS.items():
        attr = label.lower().replace(" ", "_")
        assert getattr(discord.Permissions, attr).flag == perm.value, label


def test_missing_names_what_is_lacking_and_administrator_has_everything() -> None:
    need = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES | Perm.CREATE_PUBLIC_THREADS
    assert missing(int(Perm.VIEW_CHANNEL), need) == ["Send Messages", "Create Public Threads"]
    assert missing(int(Perm.ADMINISTRATOR), need) == []
    assert names(int(need)) == ["View Channel", "Send Messages", "Create Public Threads"]
