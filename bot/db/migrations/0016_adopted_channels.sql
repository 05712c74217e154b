-- How an adopted channel was before Kindred changed it, so that "open" gives the server its
-- channel back: what its @everyone overwrite allowed and denied among the permissions Kindred
-- manages, and the roles whose own overwrite let them see it (Kindred takes View Channel from
-- them while the group is private or archived). JSON lists: permission names, role ids.
-- NULL: Kindred made the channel, or the group was adopted before Kindred kept this (then it
-- keeps it the first time it finds the group open, and never opens the channel wider than it
-- is until then).
ALTER TABLE support_groups ADD COLUMN adopted_everyone_allow TEXT;
ALTER TABLE support_groups ADD COLUMN adopted_everyone_deny TEXT;
ALTER TABLE support_groups ADD COLUMN adopted_viewer_roles TEXT;
