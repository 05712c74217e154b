-- Manual duty and weekly shifts meeting each other: a peer's duty ends at the later of the end
-- they asked for by hand and the end of the shift in progress. `shift_until` keeps the end of
-- the shift in progress (NULL: none), so a later `/duty on until:` by hand never cuts a shift
-- short; `until` stays the end that counts (NULL: until they go off duty). A row may now be
-- kept a moment after it expired, until its timer takes it away (a missing row means the
-- peer went off duty by hand). Rows from a shift before this keep their shift's end.
ALTER TABLE duty ADD COLUMN shift_until TEXT;
UPDATE duty SET shift_until = until WHERE source = 'shift';
