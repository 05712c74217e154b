# Kindred: `make run` starts the bot, `make test` lints and runs every test.
# The newest python3.X (3.11 or later) on PATH, else python3 if new enough (.ci/find-python);
# PYTHON=/path/to/python overrides.
ifndef PYTHON
PYTHON := $(shell sh .ci/find-python)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run sandbox test test-fast lint format bench migrate check-config clean train evaluate messages

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Kindred needs Python 3.11 or newer: found none on PATH as python3.X or python3 (set PYTHON=/path/to/python)"; exit 1; }
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Kindred needs Python 3.11 or newer: '$(PYTHON)' was not found (set PYTHON=/path/to/python)"; exit 1; }
	@echo "Kindred: creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version 2>&1))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

# Kindred against a local Discord emulator, with a demo community and a console; no token
# needed. SCRIPT=docs/demo.txt runs a script of console lines and prints the transcript.
sandbox: $(STAMP)
	$(BIN)/python -m bot sandbox $(if $(SCRIPT),--script $(SCRIPT))

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

check-config: $(STAMP)
	$(BIN)/python -m bot check-config

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Four worker processes whatever the cores: most of an end-to-end test is waiting for the bot
# (the emulator's round trips, "quiet" pauses), so on two cores four workers take 4 min 55 s
# where two took 8 min 34 s (the same 3,600 tests, 2026-12-03).
test: lint
	$(BIN)/python -m pytest -q -n 4

# The unit half: services, parsers, storage and the detector on SQLite, without the emulator,
# PostgreSQL or the slow tests (under a minute). Markers: unit, e2e, safety, slow, pg
# (tests/README.md); `make test` runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e and not slow and not pg"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Rebuild data/models/detector.ftz from data/detector/train.jsonl (fixed seed) and choose its
# thresholds on validation.jsonl. The test set is read only by `make evaluate SET=test`.
train: $(STAMP)
	$(BIN)/python -m bot.safety.training train

SET ?= validation
evaluate: $(STAMP)
	$(BIN)/python -m bot.safety.training evaluate --set $(SET)

# Refresh the translation template after changing texts in one of MESSAGES (texts in _(),
# constants translated where they are shown in N_()). Slash commands' descriptions and choices:
# first `.venv/bin/python -m tests.helpers.command_texts` (rewrites bot/ui/command_texts.py).
MESSAGES = bot/safety/messages.py bot/safety/peer_resources.py bot/safety/listings.py \
	bot/services/requests/messages.py bot/services/checkins/rules.py bot/services/checkins/messages.py \
	bot/services/selfhelp/messages.py bot/services/meetings/messages.py \
	bot/schedules/errors.py bot/services/zones.py bot/services/safety/members.py \
	bot/services/checkins/personal.py bot/services/selfhelp/goals.py \
	bot/services/selfhelp/plans.py bot/services/selfhelp/reader.py \
	bot/services/groups/members.py bot/services/groups/anonymous.py \
	bot/services/requests/intake.py bot/services/requests/service.py \
	bot/services/requests/claims.py bot/services/requests/closing.py \
	bot/services/requests/rules.py bot/services/requests/holders.py bot/services/requests/notices.py \
	bot/services/requests/relay.py bot/services/requests/departures.py bot/services/servers.py \
	bot/services/requests/edits.py \
	bot/services/peers/blocks.py bot/services/peers/duty.py bot/services/peers/shifts.py \
	bot/services/peers/tags.py bot/services/peers/messages.py bot/services/peers/settings.py \
	bot/services/safety/alerts.py bot/services/safety/service.py \
	bot/services/safety/lookups.py bot/services/doctor/rules.py bot/services/doctor/needs.py \
	bot/ui/setup_check.py \
	bot/services/settings.py \
	bot/services/meetings/base.py bot/services/meetings/people.py \
	bot/services/meetings/rules.py bot/services/meetings/schedule.py \
	bot/services/groups/base.py bot/services/groups/rules.py bot/services/groups/admin.py \
	bot/services/checkins/channel.py \
	bot/schedules/clock.py bot/schedules/parse.py bot/schedules/cron.py bot/schedules/until.py \
	bot/schedules/office_hours.py cogs/groups/membership.py cogs/groups/meetings.py \
	bot/bot.py bot/ui/checks.py bot/ui/replies.py \
	cogs/groups/groups.py cogs/groups/discord_ops.py cogs/groups/manage.py cogs/groups/settings.py \
	cogs/groups/views.py cogs/groups/guidelines.py cogs/groups/facilitators.py \
	cogs/checkins/channel.py cogs/checkins/text.py cogs/checkins/personal.py \
	cogs/checkins/views.py cogs/selfhelp/plans.py cogs/selfhelp/library.py cogs/selfhelp/goals.py \
	cogs/selfhelp/views.py cogs/selfhelp/text.py cogs/core.py cogs/safety/settings.py \
	cogs/safety/resources.py cogs/selfhelp/sharing.py bot/ui/sharing.py \
	cogs/groups/upkeep.py cogs/groups/posting.py cogs/groups/meeting_delivery.py \
	cogs/groups/meeting_views.py bot/schedules/describe.py bot/ui/command_texts.py \
	cogs/peers/moderation.py bot/services/resources/regions.py cogs/peers/settings.py \
	cogs/safety/alerts.py cogs/support/views.py bot/ui/requests.py bot/ui/timezones.py
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --project Kindred --version 0.1 \
		--copyright-holder "Kindred contributors" -k _ -k N_ -o data/locale/kindred.pot \
		$(MESSAGES)
	$(BIN)/pybabel update -w 100 --no-fuzzy-matching -i data/locale/kindred.pot -d data/locale -D kindred

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
