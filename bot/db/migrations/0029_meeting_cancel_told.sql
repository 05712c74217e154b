-- The meeting date whose cancellation by archiving its group members reminded of it were told
-- (UTC, as next_at), so archiving the group again after /group unarchive, the same date still
-- ahead, doesn't tell them a second time. A time, not content.
ALTER TABLE group_meetings ADD COLUMN cancel_told_at TEXT;
