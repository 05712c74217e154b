-- A server that removed Kindred (or was found gone at start-up): its scheduled work waits
-- (the timer queue skips its rows) until it comes back or, at purge_at, every row of the
-- server is deleted (the 'guild.purge' timer). Ids and times only.
CREATE TABLE departed_guilds (
    guild_id     INTEGER PRIMARY KEY,
    departed_at  TEXT    NOT NULL,
    purge_at     TEXT    NOT NULL
);
