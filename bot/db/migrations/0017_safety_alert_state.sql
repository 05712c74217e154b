-- Whether an alert was taken or marked "not a concern" is kept apart from who did it. /forgetme
-- clears responder_id and dismissed_by (no row names a forgotten person); the alert used to
-- look open again then, although its buttons were gone from the peer channel and someone had
-- acted on it. `state` keeps it closed without keeping who closed it.
ALTER TABLE safety_alerts ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
UPDATE safety_alerts SET state = 'taken' WHERE responder_id IS NOT NULL;
UPDATE safety_alerts SET state = 'dismissed' WHERE dismissed_by IS NOT NULL;
