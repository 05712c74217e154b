-- Group meetings (issue #12): recurring or one-off meetings of a support group, the rotation of
-- peer supporters who facilitate them, and who asked to be reminded. Attendance is a count; who
-- pressed "I'm here" is kept only while a meeting is open (to count each person once), unless
-- the group turned named attendance on. No user id sits on a meeting row: the facilitator of a
-- turn is worked out from the rotation.

CREATE TABLE group_meetings (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id          INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    guild_id          INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    schedule          TEXT,                          -- canonical schedule; NULL: a one-off
    once_at           TEXT,                          -- a one-off's start (UTC)
    tz                TEXT    NOT NULL,              -- IANA zone the schedule is read in
    duration_minutes  INTEGER NOT NULL,
    reminders         TEXT    NOT NULL DEFAULT '[1440, 15]',  -- JSON: minutes before the start
    prompt            TEXT,                          -- the check-in round prompt (NULL: built-in)
    venue_id          INTEGER,                       -- a voice or stage channel
    venue_kind        TEXT,                          -- voice | stage
    next_at           TEXT,                          -- the next start (UTC); NULL: none left
    open_at           TEXT,                          -- the start of the occurrence now open
    open_slot         INTEGER,                       -- its turn in the group's rotation
    open_channel_id   INTEGER,
    open_message_id   INTEGER,
    attendance        INTEGER NOT NULL DEFAULT 0,    -- "I'm here" count, open or last
    last_started_at   TEXT,
    event_id          INTEGER,                       -- Discord scheduled event of next_at
    created_at        TEXT    NOT NULL
);
CREATE INDEX group_meetings_group ON group_meetings (group_id);
CREATE INDEX group_meetings_guild ON group_meetings (guild_id);

-- Per group: lock the channel between meetings, keep names of attendees, and the rotation's
-- turn counter (the next meeting to open takes turn ``turn``).
CREATE TABLE group_meeting_prefs (
    group_id          INTEGER PRIMARY KEY REFERENCES support_groups (id) ON DELETE CASCADE,
    locking           INTEGER NOT NULL DEFAULT 0,
    named_attendance  INTEGER NOT NULL DEFAULT 0,
    turn              INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE group_facilitators (
    group_id   INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    added_at   TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_facilitators_user ON group_facilitators (user_id);

-- Turns that were swapped: turn ``slot`` goes to ``user_id`` instead of the rotation's order.
CREATE TABLE facilitator_turns (
    group_id   INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (group_id, slot)
);
CREATE INDEX facilitator_turns_user ON facilitator_turns (user_id);

-- A facilitator asked another to swap their next turns; the other accepts with a button.
CREATE TABLE facilitator_swaps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    guild_id    INTEGER NOT NULL,
    from_id     INTEGER NOT NULL,
    to_id       INTEGER NOT NULL,
    from_slot   INTEGER NOT NULL,
    to_slot     INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'asked',    -- asked | accepted | declined
    created_at  TEXT    NOT NULL
);
CREATE INDEX facilitator_swaps_from ON facilitator_swaps (from_id);
CREATE INDEX facilitator_swaps_to ON facilitator_swaps (to_id);

-- Members who asked for meeting reminders by DM, per group.
CREATE TABLE meeting_reminder_optins (
    group_id    INTEGER NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX meeting_reminder_optins_user ON meeting_reminder_optins (user_id);

-- Who pressed "I'm here": kept while the meeting is open; afterwards only if ``named``.
CREATE TABLE meeting_presence (
    meeting_id  INTEGER NOT NULL REFERENCES group_meetings (id) ON DELETE CASCADE,
    starts_at   TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    named       INTEGER NOT NULL DEFAULT 0,
    pressed_at  TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, starts_at, user_id)
);
CREATE INDEX meeting_presence_user ON meeting_presence (user_id);
CREATE INDEX meeting_presence_time ON meeting_presence (pressed_at);
