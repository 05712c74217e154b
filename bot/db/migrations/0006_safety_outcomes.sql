-- Record a brief channel note separately from a DM reply: only notes count toward the
-- per-channel cooldown, so one member's DM never silences another member's note.
ALTER TABLE safety_events ADD COLUMN noted INTEGER NOT NULL DEFAULT 0;
