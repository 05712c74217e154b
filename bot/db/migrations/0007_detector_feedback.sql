-- Graded alerts and measured precision (issue #9).
-- An alert is now either a full alert or a quiet "possible concern" item; it remembers which
-- phrase ids and model version raised it (never the text), and who marked it "not a concern".
ALTER TABLE safety_alerts ADD COLUMN level TEXT NOT NULL DEFAULT 'alert';
ALTER TABLE safety_alerts ADD COLUMN sources TEXT NOT NULL DEFAULT '';
ALTER TABLE safety_alerts ADD COLUMN dismissed_by INTEGER;

-- Counts only: how many alerts each source raised in a guild and how many peers marked
-- "not a concern". No user ids, no text; survives the retention purge of the alerts.
CREATE TABLE safety_feedback (
    guild_id  INTEGER NOT NULL,
    source    TEXT    NOT NULL,
    alerts    INTEGER NOT NULL DEFAULT 0,
    dismissed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, source)
);
