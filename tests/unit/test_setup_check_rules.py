"""The rules behind ``/kindred setup``: plain facts in, problems with their exact fix out."""

from __future__ import annotations

import ast
import re
import tempfile
from pathlib import Path

from discord import app_commands

from bot.bot import KindredBot
from bot.config import Settings
from bot.i18n import N_, gettext_for
from bot.permissions import Perm, invite_permissions
from bot.services import Services, build_services
from bot.services.checkins import CheckinRow
from bot.services.doctor import (
    Audience,
    ChannelFacts,
    GuildFacts,
    Needs,
    Place,
    RoleFacts,
    RoleUse,
    Text,
)
from bot.services.doctor.needs import (
    POST,
    PRIVATE_THREADS,
    PUBLIC_THREADS,
    checkin_needs,
    core_needs,
    peer_needs,
    safety_needs,
)
from bot.services.doctor.rules import examine, place_findings, role_findings, server_permissions
from bot.services.peers import PeerSettings
from bot.services.safety import SafetySettings
from bot.services.settings import CoreSettings
from tests.unit.test_i18n import LANGS

GUILD, PEER_ROLE, MOD_ROLE = 1, 2, 3
PEERS, MODS, SUPPORT, GENERAL = 10, 11, 12, 13
EVERYTHING = invite_permissions()


def facts(**changes) -> GuildFacts:
    base = {
        "guild_id": GUILD,
        "bot_role": "Kindred",
        "bot_permissions": EVERYTHING,
        "bot_top_position": 5,
        "channels": {},
        "roles": {},
    }
    return GuildFacts(**{**base, **changes})


def place(needs: int = int(POST), *seen_by: Audience) -> Place:
    return Place(PEERS, "the peer channel", "`/peers setup peer_channel:`", needs, seen_by)


def seen(perms: int = EVERYTHING, *visible: int) -> ChannelFacts:
    return ChannelFacts(exists=True, bot_permissions=perms, visible_to=frozenset(visible))


# -- server-wide ----------------------------------------------------------------------------------
def test_a_role_without_an_invite_permission_is_named_with_where_to_turn_it_on() -> None:
    (finding,) = server_permissions(facts(bot_permissions=EVERYTHING & ~Perm.CREATE_PUBLIC_THREADS))
    assert finding.what == "Kindred's role **Kindred** lacks Create Public Threads server-wide."
    assert finding.fix.startswith("Server Settings → Roles → **Kindred**: turn on Create Public")


def test_administrator_or_every_invite_permission_is_enough() -> None:
    assert server_permissions(facts()) == []
    assert server_permissions(facts(bot_permissions=int(Perm.ADMINISTRATOR))) == []


# -- channels -------------------------------------------------------------------------------------
def test_a_gone_channel_says_which_setting_to_change() -> None:
    (finding,) = place_findings(place(), facts(channels={PEERS: ChannelFacts(exists=False)}))
    assert finding.what == "The peer channel (<#10>) is gone, or Kindred can't see it."
    assert "`/peers setup peer_channel:`" in finding.fix


def test_a_channel_nobody_looked_up_counts_as_gone() -> None:
    (finding,) = place_findings(place(), facts())
    assert "is gone" in finding.what


def test_a_voice_or_forum_channel_is_not_a_text_channel() -> None:
    (finding,) = place_findings(
        place(), facts(channels={PEERS: ChannelFacts(exists=True, is_text=False)})
    )
    assert "not a text channel" in finding.what


def test_missing_channel_permissions_are_listed_with_the_overwrite_to_add() -> None:
    have = EVERYTHING & ~Perm.EMBED_LINKS & ~Perm.SEND_MESSAGES
    (finding,) = place_findings(place(), facts(channels={PEERS: seen(have)}))
    assert (
        finding.what == "In <#10> (the peer channel) Kindred lacks Send Messages and Embed Links."
    )
    assert finding.fix == (
        "<#10>: Edit Channel → Permissions → add **Kindred** → allow Send Messages and Embed Links."
    )


def test_what_the_role_lacks_server_wide_is_not_repeated_per_channel() -> None:
    have = EVERYTHING & ~Perm.EMBED_LINKS
    found = place_findings(place(), facts(bot_permissions=have, channels={PEERS: seen(have)}))
    assert found == []


def test_an_audience_that_cannot_see_the_channel_gets_the_plain_fix() -> None:
    peers = Audience(
        PEER_ROLE,
        "Peer supporters ({role}) can't see {channel}, but request cards are posted there.",
    )
    (finding,) = place_findings(place(int(POST), peers), facts(channels={PEERS: seen()}))
    assert (
        finding.what
        == "Peer supporters (<@&2>) can't see <#10>, but request cards are posted there."
    )
    assert finding.fix == "<#10>: Edit Channel → Permissions → add <@&2> → allow View Channel."
    assert (
        place_findings(place(int(POST), peers), facts(channels={PEERS: seen(EVERYTHING, 2)})) == []
    )


def test_a_hidden_thread_parent_gets_the_features_own_fix_never_opening_the_room() -> None:
    members = Audience(
        GUILD,
        "Members ({role}) can't see {channel}, but threads go there.",
        "Choose another channel.",
    )
    (finding,) = place_findings(
        place(int(PRIVATE_THREADS), members), facts(channels={PEERS: seen()})
    )
    assert finding.what.startswith("Members (@everyone) can't see <#10>")
    assert finding.fix == "Choose another channel."


# -- roles ----------------------------------------------------------------------------------------
def test_a_referred_role_must_exist() -> None:
    use = RoleUse(PEER_ROLE, "the peer role", "`/peers setup peer_role:`")
    (finding,) = role_findings(use, facts(roles={PEER_ROLE: RoleFacts(exists=False)}))
    assert finding.what == "The peer role no longer exists."
    assert finding.fix == "Choose a role with `/peers setup peer_role:`."
    assert role_findings(use, facts(roles={PEER_ROLE: RoleFacts(exists=True, position=9)})) == []


def test_a_managed_role_must_be_below_kindred_and_needs_manage_roles() -> None:
    use = RoleUse(7, "the role of group “Grief”", "`/group edit`", manage=True)
    without = int(EVERYTHING & ~Perm.MANAGE_ROLES)  # the invite asks for it; taken away here
    above = facts(bot_permissions=without, roles={7: RoleFacts(exists=True, position=5)})
    whats = [f.what for f in role_findings(use, above)]
    assert whats == [
        "Kindred gives and takes the role of group “Grief” (<@&7>) but lacks Manage Roles.",
        "The role of group “Grief” (<@&7>) is above Kindred's role, so Kindred can't give or "
        "take it.",
    ]
    assert (
        role_findings(use, above)[1].fix == "Server Settings → Roles: drag **Kindred** above <@&7>."
    )
    fine = facts(
        bot_permissions=EVERYTHING | Perm.MANAGE_ROLES,
        roles={7: RoleFacts(exists=True, position=4)},
    )
    assert role_findings(use, fine) == []
    bot_owned = facts(roles={7: RoleFacts(exists=True, position=1, integration=True)})
    assert "belongs to an integration" in role_findings(use, bot_owned)[0].what


def test_a_moderator_or_peer_role_that_is_everyone_or_a_bots_is_a_problem() -> None:
    """Stored before ``settings.require_role`` refused them: each reported with its fix."""
    setting = "`/kindred set moderator-role role:`"
    mods = RoleUse(GUILD, "the moderator role", setting, only_for="moderator")
    (finding,) = role_findings(mods, facts(roles={GUILD: RoleFacts(exists=True)}))
    assert finding.what.startswith("The moderator role is `@everyone`: every member has it")
    assert finding.fix == (
        "Choose a role only your moderators have with `/kindred set moderator-role role:`."
    )
    peers = RoleUse(PEER_ROLE, "the peer role", "`/peers setup peer_role:`", only_for="peer")
    bot_owned = facts(roles={PEER_ROLE: RoleFacts(exists=True, integration=True)})
    (finding,) = role_findings(peers, bot_owned)
    assert finding.what.startswith(f"The peer role (<@&{PEER_ROLE}>) belongs to a bot")
    assert (
        finding.fix
        == "Choose a role only your peer supporters have with `/peers setup peer_role:`."
    )
    assert role_findings(peers, facts(roles={PEER_ROLE: RoleFacts(exists=True)})) == []


def test_everyone_excluded_from_crisis_replies_is_a_problem() -> None:
    peers = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS)
    stored = SafetySettings(excluded_role_ids=[GUILD])
    (finding,) = safety_needs(stored, peers, GUILD).findings
    assert finding.what.startswith("`@everyone` is excluded from crisis replies")
    assert "`/safety exclude role:@everyone remove:True`" in finding.fix
    assert safety_needs(SafetySettings(excluded_role_ids=[PEER_ROLE]), peers, GUILD).findings == ()


# -- the whole check ------------------------------------------------------------------------------
def test_examine_orders_findings_drops_duplicates_and_lists_what_it_checked() -> None:
    needs = Needs(
        places=(place(), place()),
        roles=(RoleUse(PEER_ROLE, "the peer role", "x"),),
    )
    checkup = examine(
        needs,
        facts(
            bot_permissions=EVERYTHING & ~Perm.ADD_REACTIONS,
            roles={PEER_ROLE: RoleFacts(exists=True)},
        ),
    )
    assert [f.what[:20] for f in checkup.findings] == [
        "Kindred's role **Kin",
        "The peer channel (<#",
    ]
    assert checkup.checked == ("the peer channel <#10>", "the peer role <@&2>")
    assert not checkup.all_good


def test_notes_alone_are_still_all_good() -> None:
    checkup = examine(
        Needs(findings=core_needs(CoreSettings(default_region="GB"), PeerSettings(), []).findings),
        facts(),
    )
    assert [f.severity for f in checkup.findings] == ["note"]
    assert checkup.all_good


# -- what each feature uses -----------------------------------------------------------------------
def test_peer_support_not_set_up_is_the_first_thing_to_fix() -> None:
    needs = peer_needs(GUILD, PeerSettings())
    assert needs.places == () and len(needs.findings) == 1
    assert "Peer support isn't set up" in needs.findings[0].what


def test_peer_support_uses_its_channels_and_members_must_see_the_thread_parent() -> None:
    cfg = PeerSettings(
        peer_role_id=PEER_ROLE,
        peer_channel_id=PEERS,
        mod_channel_id=MODS,
        thread_channel_id=SUPPORT,
    )
    needs = peer_needs(GUILD, cfg)
    by_channel = {p.channel_id: p for p in needs.places}
    assert set(by_channel) == {PEERS, SUPPORT, MODS}
    assert [a.role_id for a in by_channel[PEERS].seen_by] == [PEER_ROLE]
    assert [a.role_id for a in by_channel[SUPPORT].seen_by] == [GUILD]
    assert by_channel[SUPPORT].needs & Perm.CREATE_PRIVATE_THREADS
    assert needs.findings == ()
    without_thread_channel = peer_needs(GUILD, cfg.model_copy(update={"thread_channel_id": None}))
    parents = [
        p for p in without_thread_channel.places if p.seen_by and p.seen_by[0].role_id == GUILD
    ]
    assert [p.channel_id for p in parents] == [PEERS]


def test_the_relay_needs_no_thread_parent_members_can_see() -> None:
    cfg = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS, conversation="relay")
    needs = peer_needs(GUILD, cfg)
    assert all(a.role_id != GUILD for p in needs.places for a in p.seen_by)
    assert "no moderator channel" in needs.findings[0].what


def test_alert_channels_of_their_own_are_checked_the_shared_ones_once() -> None:
    peers = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS, mod_channel_id=MODS)
    # the shared ones (checked by peer support) only for who can read the alerts there
    shared = safety_needs(SafetySettings(), peers, GUILD).places
    assert [(p.channel_id, p.needs, p.seen_by) for p in shared] == [(PEERS, 0, ()), (MODS, 0, ())]
    assert [[e.role_id for e in p.private_from] for p in shared] == [[GUILD], [GUILD]]
    own = SafetySettings(peer_alert_channel_id=20, mod_alert_channel_id=21)
    assert [p.channel_id for p in safety_needs(own, peers).places] == [20, 21]
    assert safety_needs(own.model_copy(update={"enabled": False}), peers).places == ()


def test_an_alert_channel_members_can_read_is_a_problem_with_its_fix() -> None:
    peers = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS, mod_channel_id=MODS)
    own = SafetySettings(peer_alert_channel_id=GENERAL, mod_alert_channel_id=SUPPORT)
    needs = safety_needs(own, peers, GUILD)
    public = ChannelFacts(
        exists=True, bot_permissions=EVERYTHING, visible_to=frozenset({GUILD, PEER_ROLE})
    )
    found = examine(needs, facts(channels={GENERAL: public, SUPPORT: public})).problems
    assert [f.what for f in found] == [
        f"Members (@everyone) can read <#{GENERAL}>, where crisis alerts for peers are posted: "
        "each names the member and links to their message.",
        f"Members (@everyone) can read <#{SUPPORT}>, where urgent crisis alerts for moderators "
        "are posted: each names the member and links to their message.",
    ]
    assert f"Make <#{GENERAL}> private (Edit Channel → Permissions → @everyone → deny" in (
        found[0].fix
    )
    assert "`/safety settings moderator_alert_channel:`" in found[1].fix
    private = ChannelFacts(exists=True, bot_permissions=EVERYTHING, visible_to=frozenset())
    hidden = examine(needs, facts(channels={GENERAL: private, SUPPORT: private})).problems
    assert not any("can read" in f.what for f in hidden)


def test_channels_members_read_and_kindred_cannot_are_named_unless_excluded() -> None:
    peers = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS)
    category = 40
    unread = ((GENERAL, None), (41, category))
    needs = safety_needs(SafetySettings(), peers, GUILD)
    (finding,) = [f for f in examine(needs, facts(unread=unread)).problems if "can't, so" in f.what]
    assert finding.what == (
        f"Members (@everyone) can read <#{GENERAL}> and <#41>, but Kindred can't, so crisis "
        "language there goes unnoticed."
    )
    assert "add **Kindred** → allow View Channel" in finding.fix
    excluded = SafetySettings(excluded_channel_ids=[GENERAL, category])
    needs = safety_needs(excluded, peers, GUILD)
    assert not [f for f in examine(needs, facts(unread=unread)).findings if "can't, so" in f.what]
    off = safety_needs(SafetySettings(enabled=False), peers, GUILD)
    assert off.watches == ()


def _checkin(checkin_id: int, *, use_thread: bool = False, paused: bool = False) -> CheckinRow:
    return CheckinRow(
        id=checkin_id,
        guild_id=GUILD,
        channel_id=GENERAL,
        schedule="daily 09:00",
        tz="UTC",
        title="Morning",
        prompts=("How are you?",),
        prompt_index=0,
        use_thread=use_thread,
        show_summary=False,
        paused=paused,
        pause_reason=None,
        created_by=None,
        last_run_at=None,
    )


def test_check_ins_need_threads_only_when_they_open_one_and_paused_ones_are_skipped() -> None:
    places = checkin_needs(
        [_checkin(1), _checkin(2, use_thread=True), _checkin(3, paused=True)]
    ).places
    assert [(p.purpose, p.needs & PUBLIC_THREADS == PUBLIC_THREADS) for p in places] == [
        ("check-in #1 “Morning”", False),
        ("check-in #2 “Morning”", True),
    ]
    assert places[1].setting == "`/checkin edit checkin:2 channel:`"


def test_region_and_time_zones() -> None:
    unset = core_needs(CoreSettings(), PeerSettings(), [])
    assert [(f.severity, f.what[:18]) for f in unset.findings] == [
        ("problem", "No default region:"),
        ("note", "The server's time "),
    ]
    nowhere = core_needs(
        CoreSettings.model_construct(default_region="XX", timezone="Europe/Paris"),
        PeerSettings(),
        [],
    )
    assert "no crisis line for XX" in nowhere.findings[0].what
    office = PeerSettings(office_hours="mon-fri 09:00-17:00", office_tz="UTC")
    paris = core_needs(CoreSettings(default_region="FR", timezone="Europe/Paris"), office, [])
    assert [f.fix for f in paris.findings] == [
        "If that's not intended: `/peers setup peer_role: peer_channel: "
        "office_timezone:Europe/Paris` (with the peer role and channel you use now)."
    ]
    moderators = core_needs(
        CoreSettings(default_region="FR", moderator_role_id=MOD_ROLE), PeerSettings(), []
    )
    assert [r.role_id for r in moderators.roles] == [MOD_ROLE]


async def test_other_features_register_what_they_use(services: Services) -> None:
    group_role = RoleUse(30, "the role of group “Grief”", "`/group edit`", manage=True)

    async def groups(guild_id: int) -> Needs:
        return Needs(roles=(group_role,))

    services.doctor.register("support groups", groups)
    needs = await services.doctor.needs(GUILD)
    assert group_role in needs.roles
    assert any("Peer support isn't set up" in f.what for f in needs.findings)


async def test_support_groups_register_their_channels_and_managed_roles(
    services: Services,
) -> None:
    groups = services.groups
    new = await groups.prepare_create(
        guild_id=GUILD, name="Grief", description="d", tags=None, private=True, channel_id=None
    )
    await groups.create(new, channel_id=71, role_id=72, actor_id=MOD_ROLE)
    needs = await services.doctor.needs(GUILD)
    (place,) = [p for p in needs.places if p.channel_id == 71]
    assert place.needs & Perm.MANAGE_CHANNELS and place.needs & Perm.SEND_MESSAGES
    assert "/group repair" in place.setting
    (role,) = [r for r in needs.roles if r.role_id == 72]
    assert role.manage  # Kindred gives and takes it: it must sit below Kindred's role


async def test_a_private_groups_channel_must_be_seen_by_the_peer_and_moderator_roles(
    services: Services,
) -> None:
    await services.settings.update(GUILD, PeerSettings, MOD_ROLE, peer_role_id=PEER_ROLE)
    await services.settings.update(GUILD, CoreSettings, MOD_ROLE, moderator_role_id=MOD_ROLE)
    groups = services.groups
    for name, private, n in (("Grief", True, 0), ("Open", False, 1)):
        new = await groups.prepare_create(
            guild_id=GUILD, name=name, description="d", tags=None, private=private,
            channel_id=None,
        )  # fmt: skip
        await groups.create(new, channel_id=71 + n, role_id=81 + n, actor_id=MOD_ROLE)
    needs = await services.doctor.needs(GUILD)
    places = {p.channel_id: p for p in needs.places}
    assert {a.role_id for a in places[71].seen_by} == {PEER_ROLE, MOD_ROLE}
    assert places[72].seen_by == ()  # an open group's channel is the server's business
    seen = facts(channels={71: ChannelFacts(True, True, EVERYTHING, frozenset({PEER_ROLE}))})
    (finding,) = place_findings(places[71], seen)
    assert finding.what.startswith(f"Moderators (<@&{MOD_ROLE}>) can't see <#71>")
    assert finding.fix == "`/group repair name:Grief` sets the channel's permissions again."


# -- in the reader's language ----------------------------------------------------------------------
def test_a_finding_reads_whole_in_the_readers_language_with_its_mentions() -> None:
    cfg = PeerSettings(peer_role_id=PEER_ROLE, peer_channel_id=PEERS, mod_channel_id=MODS)
    (peer_place,) = [p for p in peer_needs(GUILD, cfg).places if p.purpose == "the peer channel"]
    (gone,) = place_findings(peer_place, facts())
    assert gone.what == "The peer channel (<#10>) is gone, or Kindred can't see it."
    assert gone.what.message_in("fr") == (
        "Le salon de l'équipe d'entraide (<#10>) n'existe plus, ou Kindred ne peut pas le voir."
    )
    assert gone.fix.message_in("es").startswith(
        "Elige otro con `/peers setup peer_role: peer_channel:`"
    )
    have = EVERYTHING & ~(Perm.SEND_MESSAGES | Perm.EMBED_LINKS)
    (lacks, *_) = place_findings(peer_place, facts(channels={PEERS: seen(have, PEER_ROLE)}))
    # Discord's permission names stay English, joined as the reader's language joins a list
    assert lacks.what.message_in("de") == (
        "In <#10> (der Kanal des Unterstützungsteams) fehlt Kindred Send Messages und Embed Links."
    )
    assert lacks.fix.message_in("pt").endswith("permita Send Messages e Embed Links.")
    assert lacks.what.message_in("en") == lacks.what == str(lacks.what)


def test_a_broken_translation_shows_the_whole_finding_in_english(monkeypatch) -> None:
    import bot.services.doctor.model as model

    monkeypatch.setattr(model, "gettext_for", lambda lang: lambda text: "{missing} cassé")
    (gone,) = role_findings(RoleUse(PEER_ROLE, Text(N_("the peer role")), "x"), facts())
    assert gone.what.message_in("fr") == "The peer role no longer exists."


def test_every_settings_section_title_is_marked_where_it_is_shown(services: Services) -> None:
    from cogs.core import SECTION_TITLES

    titles = {section.title for section in services.settings.sections.values()}
    assert titles <= set(SECTION_TITLES)


# -- every suggested command can be run as written -------------------------------------------------
DOCTOR = Path(__file__).resolve().parents[2] / "bot" / "services" / "doctor"
MENTION = re.compile(r"`(/[^`]+)`")
#: commands a finding names without suggesting them (what a problem affects)
NAMED_ONLY = {"group reveal"}


def _doctor_texts() -> list[str]:
    """Every string of the set-up check's findings and fixes, as written in the source (an
    f-string's values as ``X``)."""
    texts = []
    for path in sorted(DOCTOR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
            elif isinstance(node, ast.JoinedStr):
                texts.append(
                    "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
                )
    return texts


async def _required_options() -> dict[str, tuple[set[str], set[str]]]:
    """Each slash command's qualified name: (its required options, all its options)."""
    with tempfile.TemporaryDirectory() as folder:
        services = await build_services(Settings(database={"path": f"{folder}/kindred.db"}))
        try:
            bot = KindredBot(services)
            for name in bot.extension_names:
                await bot.load_extension(name)
            out = {
                c.qualified_name: (
                    {p.name for p in c.parameters if p.required},
                    {p.name for p in c.parameters},
                )
                for c in bot.tree.walk_commands()
                if isinstance(c, app_commands.Command)
            }
            await bot.close()
        finally:
            await services.close()
    return out


def _mentions(text: str) -> list[str]:
    return MENTION.findall(text)


async def test_every_command_a_finding_suggests_names_its_required_options() -> None:
    """A fix such as "`/peers setup thread_channel:`" can't be run as written: /peers setup
    requires ``peer_role`` and ``peer_channel``. Every command named in the set-up check's
    texts gives all its required options (and only options it has), in every language."""
    commands = await _required_options()
    checked, wrong = [], []
    for text in _doctor_texts():
        for mention in _mentions(text):
            words = mention[1:].split()
            name = max(
                (" ".join(words[:n]) for n in range(1, len(words) + 1)),
                key=lambda n: (n in commands, len(n)),
            )
            if name not in commands:
                wrong.append(f"{mention}: no such command")
                continue
            required, known = commands[name]
            given = {w.split(":")[0] for w in words[len(name.split()) :] if ":" in w}
            if not given and name in NAMED_ONLY:
                continue
            checked.append(name)
            if not required <= given:
                wrong.append(f"{mention}: needs {sorted(required - given)}")
            if not given <= known:
                wrong.append(f"{mention}: {name} has no {sorted(given - known)}")
            for lang in LANGS:  # the translation suggests the same command
                translated = gettext_for(lang)(text)
                if translated != text:
                    assert mention in _mentions(translated), (lang, mention, translated)
    assert not wrong, wrong
    assert {"peers setup", "safety resources add", "region set", "group repair"} <= set(checked)
