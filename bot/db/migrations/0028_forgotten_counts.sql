-- What moderators' figures counted stays counted when the rows they were read from go with a
-- member (/forgetme) or with retention: anonymous counts only, no member, channel or message
-- id, no text (support_feedback_counts does the same for feedback).

-- /safety status: crisis-language events noticed, per server, UTC day and label, added to the
-- live events' counts. Written in the transaction that deletes the events (forget, purge).
CREATE TABLE safety_event_counts (
    guild_id    INTEGER NOT NULL,
    day         TEXT    NOT NULL,   -- YYYY-MM-DD (UTC) the events were noticed on
    label       TEXT    NOT NULL,
    events      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, label)
);

-- /peers stats: forgotten requests, per server and UTC hour they were opened in (the busiest
-- hours are grouped by the reader's zone from these), as they stood when forgotten.
CREATE TABLE support_request_counts (
    guild_id        INTEGER NOT NULL,
    hour            TEXT    NOT NULL,   -- YYYY-MM-DDTHH (UTC) the requests were opened in
    opened          INTEGER NOT NULL DEFAULT 0,
    claimed         INTEGER NOT NULL DEFAULT 0,
    closed          INTEGER NOT NULL DEFAULT 0,
    cancelled       INTEGER NOT NULL DEFAULT 0,
    past_threshold  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, hour)
);

-- ... and how long each of those that were claimed waited (whole seconds), for the median.
CREATE TABLE support_claim_waits (
    guild_id    INTEGER NOT NULL,
    hour        TEXT    NOT NULL,   -- YYYY-MM-DDTHH (UTC) the requests were opened in
    seconds     INTEGER NOT NULL,
    requests    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, hour, seconds)
);
