-- The cooldown questions read only events that replied, alerted or left a channel note:
-- the member's window (SafetyRepository.member_window) and the channel's last acting event or
-- note (last_in_channel: harassment, the crisis reply's channel fallback). The indexes before
-- these made each query read every event in its window, so a member or a channel the
-- detector kept noticing (a raid) made each next decision slower: a thousand events in the
-- window cost ~0.7-0.9 ms a query on SQLite; with these, 8-22 µs. Partial indexes read the
-- same in SQLite and PostgreSQL.
CREATE INDEX safety_events_acted ON safety_events (guild_id, user_id, created_at)
    WHERE replied = 1 OR alerted = 1;
CREATE INDEX safety_events_channel_acted ON safety_events (guild_id, channel_id, created_at)
    WHERE replied = 1 OR alerted = 1;
CREATE INDEX safety_events_channel_noted ON safety_events (guild_id, channel_id, created_at)
    WHERE noted = 1;
