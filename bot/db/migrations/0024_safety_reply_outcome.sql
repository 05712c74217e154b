-- What became of a detection event's private reply, so that an alert posted later by its own
-- stored retry says what is true: 'pending' (being sent, or a retry is stored), 'sent',
-- 'opted_out' (the member asked for no automatic messages, before or meanwhile),
-- 'dms_closed', 'unknown' (Discord failed every try). A state only, never text. NULL: no
-- reply was due, or the event was recorded before this column (then `replied` says it).
ALTER TABLE safety_events ADD COLUMN reply_outcome TEXT;
