-- A member's personal check-in and goal nudges set without `tz:` follow the member's own zone
-- (/timezone set): `tz` keeps the zone they run in now, `tz_follows` (0/1) says it moves when
-- the member sets another. Rows stored before this column: those whose zone is the member's
-- current one were set in it (the zone was copied from /timezone set), so they follow it.
ALTER TABLE personal_checkins ADD COLUMN tz_follows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE goals ADD COLUMN tz_follows INTEGER NOT NULL DEFAULT 0;
UPDATE personal_checkins SET tz_follows = 1 WHERE EXISTS (
    SELECT 1 FROM member_prefs p
    WHERE p.user_id = personal_checkins.user_id AND p.guild_id = 0 AND p.key = 'timezone'
      AND p.value = '"' || personal_checkins.tz || '"'
);
UPDATE goals SET tz_follows = 1 WHERE tz IS NOT NULL AND EXISTS (
    SELECT 1 FROM member_prefs p
    WHERE p.user_id = goals.user_id AND p.guild_id = 0 AND p.key = 'timezone'
      AND p.value = '"' || goals.tz || '"'
);
