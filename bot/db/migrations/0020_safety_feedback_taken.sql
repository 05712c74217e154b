-- Measured precision counts only the alerts peers reviewed: "not a concern" against alerts a
-- peer took (reached out on). Until now every alert nobody marked counted as correct. Counts
-- only, per source, as the other columns; alerts taken before are counted from those still
-- kept (older ones, purged, stay unreviewed).
ALTER TABLE safety_feedback ADD COLUMN taken INTEGER NOT NULL DEFAULT 0;
UPDATE safety_feedback SET taken = (
    SELECT COUNT(*) FROM safety_alerts
    WHERE safety_alerts.guild_id = safety_feedback.guild_id
      AND safety_alerts.state = 'taken'
      AND ' ' || safety_alerts.sources || ' ' LIKE '% ' || safety_feedback.source || ' %'
);
