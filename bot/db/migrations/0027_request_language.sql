-- The language a request was asked in (the code of the form's language: 'de', 'fr'...), so
-- its private messages to the member continue in it unless the member chose one with
-- /language set. A language code, not content: it goes with the row (/forgetme, retention).
ALTER TABLE support_requests ADD COLUMN lang TEXT;
