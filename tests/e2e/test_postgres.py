"""The real bot on PostgreSQL (issue #14): a selection of end-to-end flows, run again with
Kindred's database on the session's throwaway PostgreSQL cluster instead of a SQLite file.

The tests are imported from their own modules, so they are the same tests; this module's
``kindred`` fixture is what differs. The flows cover intake, cards, concurrent claims, the
anonymous relay, escalation timers across a restart, check-ins posted exactly once across a
restart, moods, crisis alerts, settings and /forgetme.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from bot.config import Settings
from bot.sandbox import KindredRunner, World
from emulator import DiscordEmulator
from tests.e2e.test_checkins import (  # noqa: F401
    Start,
    test_mood_buttons_record_anonymously_and_lowest_mood_offers_support,
    test_restart_while_a_run_is_due_posts_exactly_once,
)
from tests.e2e.test_core import test_setting_survives_a_restart  # noqa: F401
from tests.e2e.test_safety import (  # noqa: F401
    test_crisis_message_gets_private_reply_and_peer_alert_nothing_public,
    test_reach_out_and_not_a_concern_pressed_together_only_one_sticks,
)
from tests.e2e.test_support import (  # noqa: F401
    test_anonymous_relay_never_shows_the_member_to_the_peer,
    test_concurrent_claims_exactly_one_wins,
    test_full_path_thread_claim_talk_close_feedback,
)
from tests.e2e.test_support_flows import (  # noqa: F401
    test_escalation_steps_fire_on_the_clock_and_survive_a_restart,
    test_forgetme_deletes_requests,
    test_stats_and_audited_reveal,
)
from tests.helpers.postgres import Cluster

pytestmark = pytest.mark.pg


class PostgresRunner(KindredRunner):
    """The sandbox runner with ``[database] url`` pointing at PostgreSQL."""

    def __init__(self, emu: DiscordEmulator, url: str) -> None:
        super().__init__(emu, Path("unused.db"))
        self.url = url

    def settings(self) -> Settings:
        base = super().settings().model_dump()
        base["database"] = {"url": self.url}
        return Settings(**base)


@pytest.fixture
async def kindred(
    emulator: DiscordEmulator,
    world: World,
    pg_cluster: Cluster,
) -> AsyncIterator[KindredRunner]:
    runner = PostgresRunner(emulator, await pg_cluster.create_schema())
    await runner.start()
    assert runner.services.db.dialect == "postgres"
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def start_at(
    emulator: DiscordEmulator, pg_cluster: Cluster, world: World
) -> AsyncIterator[Start]:
    """tests/e2e/test_checkins.py's clock-controlled start, on one PostgreSQL schema."""
    stack = contextlib.ExitStack()
    runners: list[KindredRunner] = []
    url = await pg_cluster.create_schema()

    async def start(moment: datetime) -> tuple[object, KindredRunner]:
        traveller = stack.enter_context(time_machine.travel(moment, tick=True))
        runner = PostgresRunner(emulator, url)
        await runner.start()
        runners.append(runner)
        return traveller, runner

    try:
        yield start
    finally:
        for runner in runners:
            await runner.stop()
        stack.close()
