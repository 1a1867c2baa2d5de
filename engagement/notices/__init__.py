"""Notices: new-message notices (held until quiet hours end) and session reminders (about 24
hours ahead, moved earlier out of quiet hours), all through the outbox."""
