"""Safe-message texts: short, warm, automated, no methods, no judgement, no diagnosis."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.i18n import gettext_for
from bot.safety.listings import listing, no_region_listing, respite_needs_state
from bot.safety.messages import (
    MAX_CRISIS_BODY_LINES,
    SafeMessage,
    channel_fallback_text,
    concern_other_reply,
    crisis_command_reply,
    crisis_reply,
    distress_pointer,
    format_entry,
)
from bot.safety.peer_resources import nobody_on_duty
from bot.services.resources import ResourceDirectory, ResourceEntry

TODAY = date(2026, 11, 23)

# Words a safe message must never contain: methods and means, judgement, shame, diagnosis.
BANNED = [
    "method", "pill", "overdose", "rope", "gun", "knife", "blade", "jump", "bridge", "poison",
    "hang", "cut", "wrist", "how to", "selfish", "coward", "attention-seeking", "attention seeking",
    "dramatic", "weak", "shame", "ashamed", "commit suicide", "committed suicide", "successful",
    "failed attempt", "crazy", "insane", "psycho", "depression", "depressed", "disorder",
    "diagnos", "bipolar", "mentally ill", "illness", "should have", "you must",
]  # fmt: skip


@pytest.fixture(scope="module")
def directory() -> ResourceDirectory:
    return ResourceDirectory.load()


def all_text(message: SafeMessage | str) -> str:
    if isinstance(message, str):
        return message
    return "\n".join([message.title, *message.body, message.footer])


def assert_safe(text: str) -> None:
    lowered = text.lower()
    for word in BANNED:
        assert not re.search(rf"\b{re.escape(word)}", lowered), f"banned word {word!r} in {text!r}"


def reply_for(directory: ResourceDirectory, region: str | None) -> SafeMessage:
    ctx = directory.crisis_context(region, TODAY)
    return crisis_reply(
        ctx.lines,
        ctx.directory,
        region_known=ctx.region_known,
        stale=ctx.stale,
        unverified=ctx.unverified,
        emergency=ctx.emergency,
        last_checked=ctx.last_checked,
    )


@pytest.mark.parametrize("region", ["US", "US-NY", "GB", "IE", "CA", "AU", "NZ", "IN", "DE", None])
def test_crisis_reply_is_short_safe_and_complete(
    directory: ResourceDirectory, region: str | None
) -> None:
    message = reply_for(directory, region)
    text = all_text(message)
    assert len(message.body) <= MAX_CRISIS_BODY_LINES
    assert "automated" in text.lower() and "bot" in text.lower()
    assert "findahelpline.com" in text
    assert "peer" in text.lower()
    assert "not now" in text.lower() and "stop these" in text.lower()
    assert "/crisis" in text
    assert "Resource data last checked" in message.footer
    assert_safe(text)


def test_crisis_reply_lists_regional_lines(directory: ResourceDirectory) -> None:
    us = all_text(reply_for(directory, "US"))
    assert "988" in us and "741741" in us and "911" in us
    gb = all_text(reply_for(directory, "GB"))
    assert "116 123" in gb and "85258" in gb and "999" in gb
    assert "988" not in gb


def test_unknown_region_points_to_directory_and_local_emergency(
    directory: ResourceDirectory,
) -> None:
    text = all_text(reply_for(directory, "Narnia"))
    assert "findahelpline.com" in text
    assert "local emergency number" in text
    assert "/crisis" in text


def test_stale_and_unverified_warnings(directory: ResourceDirectory) -> None:
    line = directory.get("us-988")
    fresh = crisis_reply(
        [line], directory.international_directory(), True, False, False, last_checked=TODAY
    )
    assert "12 months" not in fresh.footer and "unverified" not in fresh.footer
    assert f"last checked {TODAY.isoformat()}" in fresh.footer
    old = crisis_reply(
        [line], directory.international_directory(), True, True, True, last_checked=TODAY
    )
    assert "12 months" in old.footer and "unverified" in old.footer


def test_unverified_entries_are_labelled(directory: ResourceDirectory) -> None:
    message = reply_for(directory, "IE")
    assert "(unverified)" in all_text(message)


UNCONFIRMED = "Entries marked unverified could not be confirmed from a source."


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_an_unconfirmed_emergency_number_is_marked_in_every_reply(
    directory: ResourceDirectory, lang: str
) -> None:
    ctx = directory.crisis_context("AR", TODAY)
    args = (ctx.lines, ctx.directory, ctx.region_known, ctx.stale, ctx.unverified)
    options = {"emergency": ctx.emergency, "last_checked": ctx.last_checked, "lang": lang}
    _ = gettext_for(lang)
    marker = "*(" + _("unverified") + ")*"
    replies = [
        crisis_command_reply(*args, **options),
        crisis_reply(*args, **options),
        concern_other_reply(*args, **options),
        nobody_on_duty(
            crisis_lines=ctx.lines,
            directory=ctx.directory,
            emergency=ctx.emergency,
            unverified=ctx.unverified,
            lang=lang,
        ),
    ]
    for message in replies:
        danger = [line for line in message.body if "911" in line]
        assert len(danger) == 1 and marker in danger[0], message.body
        assert _(UNCONFIRMED) in message.footer
        assert lang == "en" or UNCONFIRMED not in message.footer


def test_a_confirmed_emergency_number_is_not_marked(directory: ResourceDirectory) -> None:
    ctx = directory.crisis_context("GB", TODAY)
    message = crisis_command_reply(
        ctx.lines, ctx.directory, ctx.region_known, ctx.stale, ctx.unverified,
        emergency=ctx.emergency, last_checked=ctx.last_checked,
    )  # fmt: skip
    assert "In immediate danger? Call **999**." in message.body
    assert "unverified" not in all_text(message)


def test_a_listing_with_an_unverified_entry_says_what_the_mark_means(
    directory: ResourceDirectory,
) -> None:
    marked = listing("resources", "IE", directory.all_for("IE"), TODAY)
    assert any("*(unverified)*" in line for line in marked.body)
    assert marked.footer.endswith(" · " + UNCONFIRMED)
    french = listing("resources", "IE", directory.all_for("IE"), TODAY, "fr")
    assert "n'ont pas pu être confirmées" in french.footer
    confirmed = listing("resources", "GB", directory.all_for("GB"), TODAY)
    assert "unverified" not in all_text(confirmed)


def test_resources_names_each_shipped_entrys_source_and_checked_day(
    directory: ResourceDirectory,
) -> None:
    entries = directory.all_for("US")
    shown = listing("resources", "US", entries, TODAY)
    first = entries[0]
    host = first.source_url.split("/")[2].removeprefix("www.")
    assert shown.body[0].endswith(
        f"\n  *Source: {host} · checked {first.last_verified:%Y-%m-%d}*"
    ), shown.body[0]
    assert all("\n  *Source: " in line for line in shown.body if line.startswith("• "))
    german = listing("resources", "US", entries, TODAY, "de")
    assert f"\n  *Quelle: {host} · geprüft am {first.last_verified:%Y-%m-%d}*" in german.body[0]
    # the narrower listings stay as they were
    assert "Source:" not in all_text(listing("warmline", "US", directory.warmlines("US"), TODAY))


def test_concern_other_reply(directory: ResourceDirectory) -> None:
    ctx = directory.crisis_context("US", TODAY)
    message = concern_other_reply(
        ctx.lines,
        ctx.directory,
        ctx.region_known,
        ctx.stale,
        ctx.unverified,
        emergency=ctx.emergency,
        last_checked=ctx.last_checked,
    )
    text = all_text(message).lower()
    for idea in ("listen", "ask directly", "stay with them", "988", "yourself", "automated"):
        assert idea in text
    assert "findahelpline.com" in text
    assert_safe(all_text(message))


LOCAL_DANGER = (
    "If they are in immediate danger, call your local emergency number. Worldwide helplines: {url}"
)
FIND_ONE = (
    "**Stay with them** (in person or online) and help them contact a line: find one at {url}"
)


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_concern_other_reply_with_no_number_known_says_so_in_whole_sentences(
    directory: ResourceDirectory, lang: str
) -> None:
    """No emergency number and no line known: each is one whole translated sentence, never
    "your local emergency number" or "find one at" put into another sentence's slot."""
    ctx = directory.crisis_context(None, TODAY)
    assert ctx.emergency is None and not ctx.lines
    message = concern_other_reply(
        ctx.lines, ctx.directory, ctx.region_known, ctx.stale, ctx.unverified,
        emergency=None, last_checked=ctx.last_checked, lang=lang,
    )  # fmt: skip
    _ = gettext_for(lang)
    url = "findahelpline.com"
    assert _(LOCAL_DANGER).format(url=url) in message.body, message.body
    assert _(FIND_ONE).format(url=url) in message.body, message.body
    assert lang == "en" or _(LOCAL_DANGER) != LOCAL_DANGER
    if lang == "en":  # the English reads word for word as before
        assert (
            "If they are in immediate danger, call your local emergency number. "
            "Worldwide helplines: findahelpline.com"
        ) in message.body


def test_channel_fallback_is_brief_and_mentions_only_the_member() -> None:
    text = channel_fallback_text("<@123>")
    assert text.count("<@") == 1 and "<@123>" in text
    assert "/crisis" in text
    assert "automated" in text.lower()
    assert len(text) < 300
    assert_safe(text)


def test_crisis_command_reply(directory: ResourceDirectory) -> None:
    ctx = directory.crisis_context("CA", TODAY)
    message = crisis_command_reply(
        ctx.lines,
        ctx.directory,
        ctx.region_known,
        ctx.stale,
        ctx.unverified,
        emergency=ctx.emergency,
        last_checked=ctx.last_checked,
        region_label="Canada",
    )
    text = all_text(message)
    assert "988" in text and "911" in text and "findahelpline.com" in text
    assert_safe(text)
    unknown = directory.crisis_context(None, TODAY)
    message = crisis_command_reply(
        unknown.lines,
        unknown.directory,
        False,
        unknown.stale,
        unknown.unverified,
        last_checked=unknown.last_checked,
    )
    assert "`/crisis region:UK`" in all_text(message)  # how the option is really typed
    assert "recognise" not in all_text(message)  # nothing was typed, so nothing to misread


def test_crisis_command_reply_names_a_region_it_did_not_recognise(
    directory: ResourceDirectory,
) -> None:
    for typed, near in (("Atlantis", None), ("Germny", "DE"), ("ZZ", None)):
        ctx = directory.crisis_context(typed, TODAY)
        assert not ctx.region_known and ctx.unrecognised == typed
        assert ctx.suggested_code == near
        message = crisis_command_reply(
            ctx.lines,
            ctx.directory,
            ctx.region_known,
            ctx.stale,
            ctx.unverified,
            unrecognised=ctx.unrecognised,
            suggestion=ctx.suggestion,
            suggested_code=ctx.suggested_code,
        )
        text = all_text(message)
        assert f"I didn't recognise “{typed}”" in text
        assert "findahelpline.com" in text and "local emergency number" in text
        if near:
            assert "Did you mean **Germany (DE)**?" in text and "`/crisis region:DE`" in text
        else:
            assert "`/crisis region:UK`" in text
        assert_safe(text)


def test_an_unrecognised_region_is_quoted_without_markdown(directory: ResourceDirectory) -> None:
    typed = "**x** `y` <@1> " + "z" * 80
    ctx = directory.crisis_context(typed, TODAY)
    message = crisis_command_reply(
        ctx.lines, ctx.directory, False, False, False, unrecognised=ctx.unrecognised
    )
    line = next(b for b in message.body if "recognise" in b)
    assert "**x**" not in line and "`y`" not in line and "<@1>" not in line
    assert "\\*\\*x\\*\\*" in line and "…" in line and len(line) < 150


def test_nobody_on_duty_block(directory: ResourceDirectory) -> None:
    message = nobody_on_duty(
        crisis_lines=directory.crisis_lines("US-CA"),
        warmlines=directory.warmlines("US-CA"),
        respites=directory.respites("CA"),
        directory=directory.international_directory(),
        emergency=directory.emergency("US-CA"),
        last_checked=TODAY,
    )
    text = all_text(message)
    assert "1-855-845-7415" in text and "988" in text and "2nd Story" in text
    assert "findahelpline.com" in text and "911" in text
    assert_safe(text)


def test_distress_pointer_is_gentle() -> None:
    text = distress_pointer()
    assert "/support" in text and "automated" in text
    assert_safe(text)


def test_displayed_resource_fields_are_safe(directory: ResourceDirectory) -> None:
    for entry in directory.entries:
        shown = " ".join(
            [
                entry.name,
                entry.hours,
                *entry.hours_local.values(),
                *(f"{c.value} {c.note}" for c in entry.contacts),
            ]
        )
        assert_safe(shown)


@pytest.mark.parametrize("kind", ["resources", "respite", "warmline"])
@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_an_empty_listing_says_where_else_to_turn(kind: str, lang: str) -> None:
    message = listing(kind, "FR", [], TODAY, lang, directory_url="findahelpline.com")
    text = all_text(message)
    assert "findahelpline.com" in text and "`/crisis`" in text and "`/support`" in text
    assert "FR" in text and len(message.body) == 4
    assert "Nothing listed" not in text
    if lang != "en":
        assert text != all_text(listing(kind, "FR", [], TODAY, "en"))
    assert_safe(text)


@pytest.mark.parametrize("kind", ["resources", "warmline"])
@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_no_region_asks_for_one_and_still_says_where_to_turn(
    directory: ResourceDirectory, kind: str, lang: str
) -> None:
    worldwide = directory.international_directory()
    message = no_region_listing(kind, "Tell me a region.", worldwide, TODAY, lang)
    text = all_text(message)
    assert message.body[0] == "Tell me a region."  # the ask, as the caller wrote it
    assert "findahelpline.com" in text and "`/crisis`" in text and "`/support`" in text
    host = worldwide.source_url.split("//")[1].split("/")[0].removeprefix("www.")
    assert host in message.body[1] and f"{worldwide.last_verified:%Y-%m-%d}" in message.body[1]
    assert f"{worldwide.last_verified:%Y-%m-%d}" in message.footer
    assert "12 months" not in text  # checked a day ago
    later = no_region_listing(kind, "?", worldwide, date(2030, 1, 1), lang)
    assert later.footer != message.footer  # stale data flagged
    assert_safe(text)


def _own(n: int, kind: str = "respite", region: str = "US-VT") -> list[ResourceEntry]:
    return [
        ResourceEntry.guild_local_entry(
            row_id=i,
            name=f"Our place {i:02d}",
            kind=kind,
            contact=f"555-01{i:02d}",
            region=region,
            added_on=TODAY,
        )
        for i in range(n)
    ]


def test_a_listing_names_the_place_by_its_label_and_narrows_by_its_code() -> None:
    entries = _own(11, kind="crisis_line", region="US-VT")
    label = "Vermont, Estados Unidos (US-VT)"
    message = listing("resources", "US-VT", entries, TODAY, "es", label=label)
    assert message.title == "Recursos para Vermont, Estados Unidos (US-VT)"
    assert "`/crisis region:US-VT`" in message.body[-1]  # the code, to type
    empty = listing("warmline", "FR", [], TODAY, label="France (FR)")
    assert empty.title == "Warmlines for France (FR)"
    assert empty.body[0] == "I don't have a warmline listed for France (FR) yet."
    assert listing("warmline", "FR", [], TODAY).title == "Warmlines for FR"  # no label: the code


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_a_cut_listing_says_how_many_more_and_how_to_see_them(
    directory: ResourceDirectory, lang: str
) -> None:
    entries = directory.respites("VT", extra=_own(11))  # eleven of the server's own, then four
    message = listing("respite", "Vermont (US-VT)", entries, TODAY, lang)
    assert len(message.body) == 11  # ten entries and the line about the rest
    more = message.body[-1]
    assert "5" in more and "`/safety resources list`" in more
    assert "Our place 09" in all_text(message) and "Our place 10" not in all_text(message)
    assert "{" not in more
    if lang != "en":
        english = listing("respite", "Vermont (US-VT)", entries, TODAY, "en").body[-1]
        assert more != english
    assert_safe(all_text(message))


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_a_cut_resources_listing_names_the_commands_that_narrow_it(
    directory: ResourceDirectory, lang: str
) -> None:
    state = listing("resources", "US-VT", directory.all_for("US-VT"), TODAY, lang).body[-1]
    assert "`/crisis region:US-VT`" in state and "`/warmline region:US-VT`" in state
    assert "`/respite state:VT`" in state
    assert "/safety resources list" not in state  # none of the server's own was left out
    ours = _own(11, "warmline", "US")
    country = listing("resources", "US", directory.all_for("US", extra=ours), TODAY, lang).body[-1]
    assert "`/crisis region:US`" in country and "`/warmline region:US`" in country
    assert "/respite" not in country  # peer respites are by state
    assert "`/safety resources list`" in country
    assert "{" not in state + country
    if lang != "en":
        assert state != listing("resources", "US-VT", directory.all_for("US-VT"), TODAY).body[-1]


def test_a_listing_of_ten_says_nothing_more(directory: ResourceDirectory) -> None:
    message = listing("respite", "Vermont (US-VT)", _own(10), TODAY)
    assert len(message.body) == 10 and not any("more" in line for line in message.body)
    message = listing("respite", "Vermont (US-VT)", _own(11), TODAY)
    assert message.body[-1] == (
        "…and 1 more not shown here. "
        "`/safety resources list` shows all of this server's own resources."
    )


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_respite_asks_for_a_us_state(lang: str) -> None:
    unknown = respite_needs_state("ZZ", lang=lang)
    assert "ZZ" in unknown and "`NY`" in unknown and "`Vermont`" in unknown
    assert "UK" not in unknown and "Canada" not in unknown
    abroad = respite_needs_state("UK", region="GB", lang=lang)
    assert "ZZ" not in abroad and "`NY`" in abroad
    near = respite_needs_state("Vermnt", suggestion="Vermont (US-VT)", lang=lang)
    assert "**Vermont (US-VT)**" in near
    if lang != "en":
        assert unknown != respite_needs_state("ZZ")


def test_a_servers_own_resource_is_shown_as_typed_never_as_markdown(
    directory: ResourceDirectory,
) -> None:
    """A moderator's name, hours and address with markdown (stored before links were refused
    there) show as typed: no masked link, no bold; shipped entries are unchanged."""
    own = ResourceEntry.guild_local_entry(
        row_id=1,
        name="[Call 988 now](https://example.invalid/x)",
        kind="crisis_line",
        contact="https://example.org/a_b_c",
        hours="**any** time",
        added_on=TODAY,
    )
    line = format_entry(own)
    assert line.startswith(r"**\[Call 988 now\]\(https://example.invalid/x\)**: ")
    assert r"example.org/a\_b\_c" in line and r"(\*\*any\*\* time)" in line
    shipped = directory.crisis_lines("US")[0]
    assert format_entry(shipped).startswith(f"**{shipped.name}**: ")


@pytest.mark.parametrize("lang", ["en", "es", "fr", "de", "pt"])
def test_the_lowest_check_in_mood_marks_an_unconfirmed_emergency_number(
    directory: ResourceDirectory, lang: str
) -> None:
    """The answer to the lowest mood on a check-in gives lines and an emergency number too:
    AR's unconfirmed 911 is marked and the mark explained, as in /crisis; GB's 999 is not."""
    from bot.services.checkins.messages import mood_support_lines

    _ = gettext_for(lang)
    marker = "*(" + _("unverified") + ")*"
    ar = directory.crisis_context("AR", TODAY)
    out = mood_support_lines(
        1, True, lines=ar.lines, directory=ar.directory, emergency=ar.emergency, lang=lang
    )
    danger = [line for line in out if "911" in line]
    assert len(danger) == 1 and marker in danger[0], out
    assert _(UNCONFIRMED) in out and (lang == "en" or UNCONFIRMED not in out)
    gb = directory.crisis_context("GB", TODAY)
    out = mood_support_lines(
        1, True, lines=gb.lines, directory=gb.directory, emergency=gb.emergency, lang=lang
    )
    assert not [line for line in out if marker in line] and _(UNCONFIRMED) not in out
