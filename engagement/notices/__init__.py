"""Notices: session reminders (about 24 hours ahead, moved earlier out of quiet hours), through
the outbox. New-message notices are messaging's (engagement/messaging/notices.py)."""
