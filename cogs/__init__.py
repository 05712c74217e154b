"""Discord extensions: one feature per module, commands and views only, no SQL, no rules."""
